"""The chapters' figure scripts (``chN.py``: ``FIGURES = {"name.png": draw}``) and what they share.

Geometry comes from ``roi_utils`` (``pixel_box_edges``, ``pool_box_edges``, ``pool_bin_edges``,
``align_box_edges``, ``align_bin_edges``): an edge is never re-derived here. An explorer's picture
is the registered explorer (``roi_widgets.EXPLORERS``) as its notebook cell builds it.
"""

from __future__ import annotations


def outline(ax, edges, **style):
    """Add the rectangle ``edges = (left, top, right, bottom)`` (map coordinates, from a
    ``roi_utils`` geometry function) to ``ax``, unfilled; ``style`` as for ``Rectangle``."""
    import matplotlib.pyplot as plt

    left, top, right, bottom = (float(v) for v in edges)
    return ax.add_patch(plt.Rectangle((left, top), right - left, bottom - top, fill=False, **style))


def explorer_figure(name: str, dpi: int = 90):
    """A ``FIGURES`` entry: the explorer ``EXPLORERS[name]`` exactly as its notebook cell builds it
    (so the picture beside the cell shows the cell's case), saved at ``dpi``."""

    def draw(path):
        from roi_widgets import EXPLORERS

        EXPLORERS[name].build().figure.savefig(path, dpi=dpi)

    draw.explorer = name
    return draw
