"""The RoI pooling explorer: drag a box over a feature map, see its exact bins and output.

The worked example of the explorer contract (``roi_widgets.base``): ``PoolState`` is the state,
``pool_snapshot`` computes everything drawn (the rounded box and bins from ``roi_pool_bins`` and
``pool_bin_edges``, the maxima and their cells from ``roi_pool_argmax``, the coverage from
``PoolBins.coverage()``), and ``PoolExplorer`` only copies a snapshot onto its artists.

>>> snap = pool_snapshot(PoolState(map_name="random 7x7", x1=1, y1=0, x2=3, y2=2))
>>> snap.result.tolist()
[[81.0, 81.0], [81.0, 81.0]]
>>> snap.call
'ru.roi_pool(explorer.map("random 7x7", seed=0), [[0, 1, 0, 3, 2]], (2, 2), spatial_scale=1)[0, 0]'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib import patheffects
from matplotlib.collections import PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import roi_utils as ru
from roi_chapters.ch1 import MAP_NAMES, MAP_SHAPES, SEED_RANGE
from roi_chapters.ch1 import example_map as _example_map
from roi_widgets.base import (
    Explorer,
    Snapshot,
    State,
    box_fields,
    box_limits,
    check_bool,
    check_choice,
    check_int,
)
from roi_widgets.common import (
    MapPanel,
    NumberControl,
    box_outline,
    cell_mesh,
    fixed_title,
    labelled_dropdown,
    new_figure,
    show_cells,
)

MAX_SIDE = 10
MAX_POOLED = 6
SCALES = {"1": 1.0, "1/2": 0.5, "1/4": 0.25}
BIN_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
"""One colour per bin; no red, which the rounded box and the maxima use."""

CHOSEN = {
    "edgecolor": "gold",
    "lw": 2.5,
    "path_effects": [patheffects.withStroke(linewidth=4.5, foreground="k")],
}
"""The chosen output bin, on the map and in the output: a gold outline edged in black, unlike any
fill (the coverage shading is orange) and any bin colour."""

CHOSEN_INSET = 0.02
"""On the map the chosen bin's outline sits this far (in cells) inside its cells: at their edge, clear
of the digits at the cells' centres (further in it ran through them), outside every bin outline
(inset 0.06 or 0.12) and drawn over them, so that none hides it."""

MAX_RING = 0.8
"""The rings round the cells the maxima come from are this many cells across: round the digits, not
through them."""

FIGURE_INCHES = (8.4, 5.4)
"""840 px wide at 100 dpi (fits JupyterLab's output area, about 968 px with the file browser open);
tall enough for map cells of about 42 px."""

BIN_INSETS = (0.06, 0.12)
"""Bin outlines sit this far inside their cells, alternating from bin to bin: a cell two bins share
shows both outlines."""

LABEL_SIZE = 9
"""Points, for the map's row and column numbers, the title and the legend (legible at 100 dpi)."""

__all__ = ["MAP_NAMES", "SCALES", "PoolExplorer", "PoolSnapshot", "PoolState", "example_map", "pool_snapshot"]


@functools.lru_cache(maxsize=64)
def example_map(name: str, seed: int = 0) -> np.ndarray:
    """``roi_chapters.ch1.example_map``, read-only and kept: the same name and seed give the same
    array object, so a view sees at once that its map did not change.

    >>> example_map("random 7x7", 3) is example_map("random 7x7", 3)
    True
    """
    data = _example_map(name, seed)
    data.flags.writeable = False
    return data


def _ranges(starts, ends) -> str:
    """``[0,2) [1,3)``: each bin's half-open range of cells.

    >>> _ranges([0, 1], [2, 3])
    '[0,2) [1,3)'
    """
    return " ".join(f"[{a},{b})" for a, b in zip(starts, ends, strict=True))


def _inset(edges, inset: float) -> tuple[float, float, float, float]:
    """``(x, y, width, height)`` of the rectangle ``inset`` cells inside ``[left, top, right,
    bottom]`` (never negative in size)."""
    left, top, right, bottom = (float(v) for v in edges)
    return (
        left + inset,
        top + inset,
        max(right - left - 2 * inset, 0.0),
        max(bottom - top - 2 * inset, 0.0),
    )


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolState(State):
    """What the pooling explorer shows: map (name and seed), scale, box corners in image pixels,
    pooled size, the chosen bin and whether the coverage counts replace the map.

    >>> PoolState(x1=3).settled().x2   # x2 never left of x1
    3
    >>> PoolState(ph=0)
    Traceback (most recent call last):
    ...
    ValueError: ph must be in [1, 6]; got 0
    """

    map_name: str = "arange 4x4"
    seed: int = 0
    scale: str = "1"
    x1: int = 0
    y1: int = 0
    x2: int = 2
    y2: int = 2
    ph: int = 2
    pw: int = 2
    bin_row: int = 0
    bin_col: int = 0
    coverage: bool = False

    def __post_init__(self):
        check_choice(self.map_name, "map_name", MAP_NAMES)
        check_choice(self.scale, "scale", SCALES)
        fields = {"seed": SEED_RANGE, "ph": (1, MAX_POOLED), "pw": (1, MAX_POOLED)}
        for name in ("seed", "x1", "y1", "x2", "y2", "ph", "pw", "bin_row", "bin_col"):
            low, high = fields.get(name, (0, None))
            object.__setattr__(self, name, check_int(getattr(self, name), name, low, high))
        object.__setattr__(self, "coverage", check_bool(self.coverage, "coverage"))

    @property
    def spatial_scale(self) -> float:
        return SCALES[self.scale]

    def corner_limits(self) -> tuple[int, int]:
        """The largest x and y corner the sliders offer: a little past the map at this scale."""
        h, w = MAP_SHAPES[self.map_name]
        return round((w + 1) / self.spatial_scale), round((h + 1) / self.spatial_scale)

    def limits(self) -> dict[str, tuple]:
        far_x, far_y = self.corner_limits()
        return box_limits(self, (0, far_x), (0, far_y), (self.ph, self.pw))

    def roi(self) -> list[int]:
        """The box as ``roi_utils`` takes it: ``[0, x1, y1, x2, y2]``."""
        return [0, self.x1, self.y1, self.x2, self.y2]


@dataclass(frozen=True, kw_only=True)
class PoolSnapshot(Snapshot):
    """Everything the pooling explorer draws (map coordinates: cell centres at whole numbers)."""

    cell_values: np.ndarray
    """(H, W): the numbers printed in the map's cells (the map, or the coverage counts)."""
    heatmap_visible: bool
    coverage_counts: np.ma.MaskedArray
    """(H, W) coverage with zeros masked (shown in orange when ``coverage_visible``)."""
    coverage_visible: bool
    coverage_extent: tuple[float, float, float, float]
    view_xlim: tuple[float, float]
    view_ylim: tuple[float, float]
    raw_outline: tuple[list, list]
    """The box times the scale, at its pixels' edges (dashed)."""
    rounded_outline: tuple[list, list]
    """The cells ``roi_pool`` reads after rounding (red)."""
    bin_rectangles: tuple[tuple[float, float, float, float], ...]
    """``(x, y, width, height)`` of every non-empty bin, inset (see ``BIN_INSETS``)."""
    bin_colours: tuple[str, ...]
    chosen_rectangle: tuple[float, float, float, float]
    chosen_visible: bool
    chosen_xy: tuple[float, float]
    """The chosen bin's corner in the output panel."""
    max_points: np.ndarray
    """(K, 2) x, y of the cells the maxima come from."""
    title: str
    output_texts: tuple[tuple[str, ...], ...]
    output_clim: tuple[float, float]
    output_xlim: tuple[float, float]
    output_ylim: tuple[float, float]


def _view_limits(state: PoolState) -> tuple[tuple[float, float], tuple[float, float]]:
    """Map limits that hold every box the corner sliders allow, both outlines of a box at their far
    end included: a box beyond the map stays in view, and the view stays put while the box moves, so
    a step repaints only the box, its bins and the output (see ``frames.Layers``)."""
    h, w = MAP_SHAPES[state.map_name]
    far_x, far_y = state.corner_limits()
    far = [0, far_x, far_y, far_x, far_y]
    raw = ru.pixel_box_edges(far, state.spatial_scale)
    rounded = ru.pool_box_edges(ru.roi_pool_bins(far, (1, 1), state.spatial_scale, (h, w)))
    right = max(w + 0.5, raw[2] + 0.5, rounded[2] + 0.5)
    bottom = max(h + 0.5, raw[3] + 0.5, rounded[3] + 0.5)
    return (-1.5, right), (bottom, -1.5)


def _problems(state: PoolState, bins: ru.PoolBins) -> tuple[str, ...]:
    problems = []
    if bins.empty.any():
        empty = [f"({a}, {b})" for a, b in zip(*np.nonzero(bins.empty), strict=True)]
        plural = "s" if len(empty) > 1 else ""
        problems.append(f"empty bin{plural} {', '.join(empty)} (off the map): output 0")
    if state.x2 < state.x1 or state.y2 < state.y1:
        problems.append("reversed box: forced to one cell")
    return tuple(problems)


def pool_call(state: PoolState) -> str:
    """The status line: ``roi_pool`` on the named map, with this box, size and scale.

    >>> pool_call(PoolState(map_name="arange 4x4", seed=5))
    'ru.roi_pool(explorer.map("arange 4x4"), [[0, 0, 0, 2, 2]], (2, 2), spatial_scale=1)[0, 0]'
    """
    seed = "" if state.map_name == "arange 4x4" else f", seed={state.seed}"  # arange has no seed
    return (
        f'ru.roi_pool(explorer.map("{state.map_name}"{seed}), [{state.roi()}], '
        f"{(state.ph, state.pw)}, spatial_scale={state.spatial_scale:g})[0, 0]"
    )


def pool_snapshot(state: PoolState) -> PoolSnapshot:
    """Everything the pooling explorer draws for ``state``, from ``roi_utils``.

    >>> snap = pool_snapshot(PoolState(map_name="arange 4x4", x1=2, y1=2, x2=7, y2=7))
    >>> snap.problems
    ('empty bins (0, 1), (1, 0), (1, 1) (off the map): output 0',)
    >>> snap.output_texts[1][1]
    '0\\nempty'
    """
    data = example_map(state.map_name, state.seed)
    h, w = data.shape[2:]
    scale, pooled, roi = state.spatial_scale, (state.ph, state.pw), state.roi()
    bins = ru.roi_pool_bins(roi, pooled, scale, (h, w))
    values, argmax = ru.roi_pool_argmax(data, [roi], pooled, scale)
    values, argmax = values[0, 0], argmax[0, 0]
    edges = ru.pool_bin_edges(bins)
    live = [(i, j) for i, j in np.ndindex(*pooled) if not bins.empty[i, j]]
    i, j = min(state.bin_row, state.ph - 1), min(state.bin_col, state.pw - 1)
    cells = argmax[argmax >= 0]
    coverage = bins.coverage()
    xlim, ylim = _view_limits(state)
    texts = tuple(
        tuple(f"{values[r, c]:g}" + ("\nempty" if bins.empty[r, c] else "") for c in range(state.pw))
        for r in range(state.ph)
    )
    return PoolSnapshot(
        data=data,
        call=pool_call(state),
        result=values,
        problems=_problems(state, bins),
        cell_values=coverage if state.coverage else data[0, 0],
        heatmap_visible=not state.coverage,  # counts on white, not on the map's greys
        coverage_counts=np.ma.masked_equal(coverage, 0),
        coverage_visible=state.coverage,
        coverage_extent=(-0.5, w - 0.5, h - 0.5, -0.5),
        view_xlim=xlim,
        view_ylim=ylim,
        raw_outline=box_outline(*ru.pixel_box_edges(roi, scale)),
        rounded_outline=box_outline(*ru.pool_box_edges(bins)),
        bin_rectangles=tuple(_inset(edges[a, b], BIN_INSETS[(a + b) % 2]) for a, b in live),
        bin_colours=tuple(BIN_COLOURS[(a * state.pw + b) % len(BIN_COLOURS)] for a, b in live),
        chosen_rectangle=_inset(edges[i, j], CHOSEN_INSET),
        chosen_visible=not bins.empty[i, j],
        chosen_xy=(j - 0.5, i - 0.5),
        max_points=np.c_[cells % w, cells // w] if len(cells) else np.empty((0, 2)),
        title=(
            f"{state.ph} x {state.pw} bins, cells read (end excluded)\n"
            f"row bins {_ranges(bins.hstart, bins.hend)}\ncolumn bins {_ranges(bins.wstart, bins.wend)}"
        ),
        output_texts=texts,
        output_clim=(min(float(values.min()), 0.0), max(float(values.max()), 1.0) * 1.6),
        output_xlim=(-0.5, state.pw - 0.5),
        output_ylim=(state.ph - 0.5, -0.5),
    )


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------


class PoolExplorer(Explorer):
    """Box corners (image pixels), pooled size, scale and map as controls; map, bins, output drawn.

    Parameters
    ----------
    map_name : str
        One of ``MAP_NAMES``.
    box : (x1, y1, x2, y2)
        Initial corners in image pixels.
    pooled : (PH, PW)
    scale : str
        A key of ``SCALES``.
    seed : int
        The seed of the random maps.
    """

    State = PoolState
    make_snapshot = staticmethod(pool_snapshot)
    KEY = "x2"
    map = staticmethod(example_map)
    """``explorer.map(name, seed=...)``: a named map, as the status line uses it."""

    def __init__(
        self, map_name: str = "arange 4x4", box=(0, 0, 2, 2), pooled=(2, 2), scale: str = "1", seed: int = 0
    ):
        super().__init__(
            PoolState(map_name=map_name, seed=seed, scale=scale, **box_fields(box, pooled))
        )

    # -- construction -------------------------------------------------------

    def build(self) -> list:
        self.figure = new_figure(*FIGURE_INCHES)
        self.ax_map, self.ax_out = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [5, 2]})
        self.figure.subplots_adjust(left=0.02, right=0.97, bottom=0.02, top=0.83, wspace=0.06)
        for ax in (self.ax_map, self.ax_out):
            ax.set_aspect("equal")  # square cells
        self._build_artists()
        s = self.state
        self.map_choice = widgets.Dropdown(options=MAP_NAMES, value=s.map_name, description="map")
        self.seed = NumberControl("seed", s.seed, *SEED_RANGE)
        self.scale_choice = labelled_dropdown("spatial_scale", list(SCALES), s.scale)
        far_x, far_y = s.corner_limits()
        corners = self.corner_controls((0, far_x), (0, far_y))
        self.ph = NumberControl("pooled height", s.ph, 1, MAX_POOLED)
        self.pw = NumberControl("pooled width", s.pw, 1, MAX_POOLED)
        self.bin_row = NumberControl("show bin: row", s.bin_row, 0, s.ph - 1)
        self.bin_col = NumberControl("col", s.bin_col, 0, s.pw - 1)
        self.coverage = widgets.Checkbox(
            value=s.coverage,
            description="coverage: how many bins read each cell",
            indent=False,
            layout=widgets.Layout(width="auto", margin="0 0 0 12px"),
        )
        self.bind(
            "seed", "ph", "pw", "bin_row", "bin_col", "coverage",
            map_name=self.map_choice,
            scale=self.scale_choice,
        )  # fmt: skip
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        return [
            widgets.HBox([self.map_choice, self.seed.box, self.scale_choice]),
            *corners,
            widgets.HBox([self.ph.box, self.pw.box]),
            widgets.HBox([self.bin_row.box, self.bin_col.box, self.coverage]),
        ]

    def _build_artists(self) -> None:
        ax, out = self.ax_map, self.ax_out
        self.map_panel = MapPanel(ax, MAX_SIDE, fontsize=LABEL_SIZE)
        for label in self.map_panel.row_labels + self.map_panel.col_labels:
            label.set(fontsize=LABEL_SIZE, color="dimgrey")
        self.coverage_image = ax.imshow(
            np.zeros((1, 1)), cmap="Oranges", alpha=0.55, vmin=0, vmax=4, visible=False
        )
        self.bin_patches = PatchCollection([], match_original=False, linewidths=2, alpha=0.9)
        self.bin_patches.set_facecolor("none")
        ax.add_collection(self.bin_patches)
        # inside the bin outlines (inset further than they are) and over them and the boxes
        self.selected_cells = Rectangle((0, 0), 0, 0, fill=False, zorder=2.8, **CHOSEN)
        ax.add_patch(self.selected_cells)
        (self.rounded_box,) = ax.plot([], [], color="crimson", lw=2.5, label="rounded box")
        # drawn over the red box: at scale 1 the two coincide, and the dashes show it
        (self.raw_box,) = ax.plot(
            [], [], ls="--", color="black", lw=1.2, label="box x scale (pixel edges)", zorder=2.5
        )
        self.max_marks = ax.scatter(
            [], [], marker="o", s=1, facecolors="none", edgecolors="crimson", lw=2, zorder=3
        )
        chosen = Line2D(
            [], [], color="gold", lw=CHOSEN["lw"], path_effects=CHOSEN["path_effects"], label="chosen bin"
        )
        ax.legend(
            handles=[self.rounded_box, self.raw_box, chosen],
            loc="upper left",
            bbox_to_anchor=(0.01, 1.0),
            bbox_transform=self.figure.transFigure,
            fontsize=LABEL_SIZE,
            ncol=3,
            frameon=False,
        )
        self.out_image = cell_mesh(out, MAX_POOLED, cmap="Greys", vmin=0, vmax=1)
        self.out_texts = [
            [out.text(c, r, "", ha="center", va="center", visible=False) for c in range(MAX_POOLED)]
            for r in range(MAX_POOLED)
        ]
        self.out_selected = Rectangle((0, 0), 1, 1, fill=False, **CHOSEN)
        out.add_patch(self.out_selected)
        fixed_title(out, "roi_pool output", fontsize=LABEL_SIZE + 1)
        fixed_title(ax, fontsize=LABEL_SIZE)
        out.set_axis_off()

    # -- the state, as the notebook reads it ------------------------------------

    @property
    def spatial_scale(self) -> float:
        return self.state.spatial_scale

    def pooled_size(self) -> tuple[int, int]:
        return self.state.ph, self.state.pw

    def rois(self) -> list[list[int]]:
        """The one box on screen, as ``roi_utils`` takes it: ``[[0, x1, y1, x2, y2]]``."""
        return [self.state.roi()]

    def bins(self) -> ru.PoolBins:
        return ru.roi_pool_bins(self.state.roi(), self.pooled_size(), self.spatial_scale, self.data.shape[2:])

    def output_values(self) -> np.ndarray:
        """The output panel's values, from ``ru.roi_pool``."""
        return self.snapshot.result

    # -- reactions ------------------------------------------------------------

    def _on_click(self, event) -> None:
        if event.inaxes is self.ax_out and event.xdata is not None:
            ph, pw = self.pooled_size()
            self.set(
                bin_row=int(np.clip(round(event.ydata), 0, ph - 1)),
                bin_col=int(np.clip(round(event.xdata), 0, pw - 1)),
            )

    def show(self, snap: PoolSnapshot) -> None:
        if self.changed("map", snap.data):  # a new map: the back layer changes
            self.map_panel.set_map(snap.data[0, 0])
            self.coverage_image.set_extent(snap.coverage_extent)
        if self.changed("view", snap.view_xlim):
            self.ax_map.set_xlim(*snap.view_xlim)
            self.ax_map.set_ylim(*snap.view_ylim)
            self.max_marks.set_sizes([self._ring_size()])
        if snap.coverage_visible and self.changed("coverage", snap.coverage_counts):
            self.coverage_image.set_data(snap.coverage_counts)  # else left alone: not drawn again
        self.ax_map.set_xlim(*snap.view_xlim)
        self.ax_map.set_ylim(*snap.view_ylim)
        self.coverage_image.set_visible(snap.coverage_visible)
        self.map_panel.image.set_visible(snap.heatmap_visible)
        self.map_panel.set_values(snap.cell_values, on_map=snap.heatmap_visible)
        self.raw_box.set_data(*snap.raw_outline)
        self.rounded_box.set_data(*snap.rounded_outline)
        self.bin_patches.set_paths([Rectangle((x, y), w, h) for x, y, w, h in snap.bin_rectangles])
        self.bin_patches.set_edgecolor(list(snap.bin_colours))
        self.max_marks.set_offsets(snap.max_points)
        self.selected_cells.set_bounds(*snap.chosen_rectangle)
        self.selected_cells.set_visible(snap.chosen_visible)
        self.ax_map.title.set_text(snap.title)
        show_cells(self.out_image, snap.result)
        self.out_image.set_clim(*snap.output_clim)
        self.ax_out.set_xlim(*snap.output_xlim)
        self.ax_out.set_ylim(*snap.output_ylim)
        for r, row in enumerate(self.out_texts):
            for c, text in enumerate(row):
                shown = r < len(snap.output_texts) and c < len(snap.output_texts[0])
                text.set_visible(shown)
                if shown:
                    text.set_text(snap.output_texts[r][c])
        self.out_selected.set_xy(snap.chosen_xy)

    def _ring_size(self) -> float:
        """``scatter`` size (points squared) of a ring ``MAX_RING`` cells across at the current view."""
        self.ax_map.apply_aspect()
        low, high = self.ax_map.get_xlim()
        inches = self.ax_map.get_position().width * self.figure.get_figwidth()
        return (MAX_RING * inches * 72 / (high - low)) ** 2

    def front_artists(self) -> list:
        return [
            self.bin_patches,
            self.selected_cells,
            self.rounded_box,
            self.raw_box,
            self.max_marks,
            self.ax_map.title,
            self.out_image,
            *(text for row in self.out_texts for text in row),
            self.out_selected,
        ]
