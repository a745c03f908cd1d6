"""Chapter 5 figures: where each operator's gradient goes (from roi_utils)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru
from roi_chapters.ch5 import BOX, grad_map

from . import explorer_figure, outline

OTHER = [0, 3, 0, 5, 2]
"""The second box of the chapter's "several boxes add up" cell."""
CASES = {"ch5_gradient_routes.png": ["BOX", OTHER], "ch5_align_spread.png": ["BOX"]}
"""The boxes each figure draws (a test finds them in the notebook's cells beside the figure)."""
COLOURS = ("crimson", "royalblue")


def _cells(ax, plane, title, cmap, vmax, fmt="{:g}", every=False, values=True):
    ax.imshow(plane, cmap=cmap, vmin=0, vmax=vmax)
    for (r, c), v in np.ndenumerate(plane):
        if values and (every or v):  # every map value (0 too); only the cells that receive gradient
            ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.set_xticks(range(plane.shape[1]))
    ax.set_yticks(range(plane.shape[0]))
    ax.tick_params(labelsize=8)
    h, w = plane.shape
    ax.set_xlim(-0.65, w - 0.35)  # room for outlines on the map's edge
    ax.set_ylim(h - 0.35, -0.65)


def _pool_outline(ax, roi, colour, shape, ls="-"):
    """The cells RoI pooling reads (rounded corners, inclusive), as a rectangle of cell edges."""
    outline(ax, ru.pool_box_edges(ru.roi_pool_bins(roi, 2, 1.0, shape)), color=colour, lw=1.8, ls=ls)


def routes(path):
    """Two overlapping boxes, each box's gradient alone and their sum: the cell each bin's maximum
    sits on gets that bin's gradient, and the boxes add up."""
    x = grad_map()
    ones = np.ones((1, 1, 2, 2), np.float32)
    alone = [ru.roi_pool_backward(ones, x, [roi], 2)[0, 0] for roi in (BOX, OTHER)]
    both = ru.roi_pool_backward(np.ones((2, 1, 2, 2), np.float32), x, [BOX, OTHER], 2)[0, 0]
    top = both.max() * 1.6
    fig, axes = plt.subplots(1, 4, figsize=(10.5, 3.2))
    _cells(axes[0], x[0, 0], "map: box [2, 1, 4, 3] (red),\nbox [3, 0, 5, 2] (blue)", "Greys", 60, every=True)
    for ax, plane, title, rois in (
        (axes[1], alone[0], "red box alone:\nall 4 bins' maxima are the 35", [0]),
        (axes[2], alone[1], "blue box alone:\n3 bins pick the 34, 1 the 35", [1]),
        (axes[3], both, "both boxes: the sum\n35 gets 4 + 1 = 5, 34 gets 3", [0, 1]),
    ):
        _cells(ax, plane, title, "Reds", top)
        for k in rois:
            _pool_outline(ax, (BOX, OTHER)[k], COLOURS[k], x.shape[2:])
    for k in range(2):
        _pool_outline(axes[0], (BOX, OTHER)[k], COLOURS[k], x.shape[2:])
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def align_spread(path):
    """RoIAlign on the same red box: the 16 sample points and the gradient spread around them."""
    x = grad_map()
    s = ru.roi_align_samples(BOX, 2, 1.0, 2, False, x.shape[2:])
    align = ru.roi_align_backward(np.ones((1, 1, 2, 2), np.float32), x, [BOX], 2, 1.0, 2)[0, 0]
    edges = ru.align_box_edges(s)  # RoIAlign's box, in cell-centre coordinates
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.3))
    # no values on the map: RoIAlign's gradient does not depend on them, only on where the samples are
    _cells(
        axes[0],
        x[0, 0],
        "box [2, 1, 4, 3] on the map:\n16 samples (sample_ratio 2)",
        "Greys",
        90,
        values=False,
    )
    ys, xs = s.points()
    axes[0].scatter(xs.ravel(), ys.ravel(), s=7, color="crimson", zorder=3)
    _cells(axes[1], align, "roi_align_backward, upstream ones:\nspread by the bilinear weights", "Reds", 1.6)
    for ax in axes:
        outline(ax, edges, color="crimson", lw=1.5)
    axes[1].set_xlabel("the box runs between cell centres;\nthe gradient sums to 4", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


FIGURES = {
    "ch5_gradient_routes.png": routes,
    "ch5_align_spread.png": align_spread,
    "ch5_explorer.png": explorer_figure("grad_pool"),
}
