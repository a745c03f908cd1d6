"""The RoI pooling explorer: drag a box over a feature map, see its exact bins and output.

Everything drawn comes from ``roi_utils``: the rounded box and bins from
``roi_pool_bins``, the maxima and their cells from ``roi_pool_argmax``, the
coverage from ``PoolBins.coverage()``.

>>> import matplotlib; matplotlib.use("Agg")
>>> e = PoolExplorer()
>>> e.output_values().tolist()
[[5.0, 6.0], [9.0, 10.0]]
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib import patheffects
from matplotlib.collections import PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import roi_utils as ru
from roi_widgets.common import (
    Explorer,
    MapPanel,
    NumberControl,
    box_outline,
    cell_mesh,
    fixed_title,
    labelled_dropdown,
    new_figure,
    pixel_edges,
    rounded_edges,
    set_status,
    show_cells,
    status_line,
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

CHOSEN_INSET = 0.27
"""On the map the chosen bin's outline sits this far (in cells) inside its cells: inside every bin
outline (inset 0.06 or 0.12), so that none hides it."""

LABEL_SIZE = 9
"""Points, for the map's row and column numbers, the title and the legend (legible at 100 dpi)."""


def example_map(name: str, seed: int = 0) -> np.ndarray:
    """The explorer's maps, as (1, 1, H, W) float32.

    * ``arange 4x4``: the classic example (0..15), where many wrong rules still pass;
    * ``random 7x7``: seeded integers 0..99, where disjoint bins and floor/ceil bins differ;
    * ``ties 6x6``: a few distinct values, so bins contain equal maxima.

    >>> example_map("arange 4x4")[0, 0, 1].tolist()
    [4.0, 5.0, 6.0, 7.0]
    """
    rng = np.random.default_rng(seed)
    if name == "arange 4x4":
        plane = np.arange(16).reshape(4, 4)
    elif name == "random 7x7":
        plane = rng.integers(0, 100, (7, 7))
    elif name == "ties 6x6":
        plane = rng.integers(0, 4, (6, 6))
    else:
        raise ValueError(f"map name must be one of {MAP_NAMES}; got {name!r}")
    return plane.astype(np.float32)[None, None]


MAP_NAMES = ("arange 4x4", "random 7x7", "ties 6x6")


def _ranges(starts, ends) -> str:
    """``[0,2) [1,3)``: each bin's half-open range of cells.

    >>> _ranges([0, 1], [2, 3])
    '[0,2) [1,3)'
    """
    return " ".join(f"[{a},{b})" for a, b in zip(starts, ends, strict=True))


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
    """

    def __init__(self, map_name: str = "arange 4x4", box=(0, 0, 2, 2), pooled=(2, 2), scale: str = "1"):
        # 840 px at 100 dpi: fits JupyterLab's output area (about 968 px with the file browser open)
        self.figure = new_figure(8.4, 4.4)
        self.ax_map, self.ax_out = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        self.figure.subplots_adjust(left=0.02, right=0.97, bottom=0.02, top=0.78, wspace=0.08)
        self._build_artists()
        self.map_choice = widgets.Dropdown(options=MAP_NAMES, value=map_name, description="map")
        self.seed = NumberControl("seed", 0, 0, 99)
        self.scale_choice = labelled_dropdown("spatial_scale", list(SCALES), scale)
        self.x1 = NumberControl("x1", box[0], 0, 40)
        self.y1 = NumberControl("y1", box[1], 0, 40)
        self.x2 = NumberControl("x2", box[2], 0, 40).mark_key()
        self.y2 = NumberControl("y2", box[3], 0, 40)
        self.ph = NumberControl("pooled height", pooled[0], 1, MAX_POOLED)
        self.pw = NumberControl("pooled width", pooled[1], 1, MAX_POOLED)
        self.bin_row = NumberControl("show bin: row", 0, 0, pooled[0] - 1)
        self.bin_col = NumberControl("col", 0, 0, pooled[1] - 1)
        self.coverage = widgets.Checkbox(
            value=False,
            description="coverage: how many bins read each cell",
            indent=False,
            layout=widgets.Layout(width="auto", margin="0 0 0 12px"),
        )
        self.status = status_line()
        self._set_map()
        for control in (self.x1, self.y1, self.x2, self.y2, self.ph, self.pw, self.bin_row, self.bin_col):
            control.observe(self._on_change)
        self.seed.observe(self._on_map)
        self.map_choice.observe(self._on_map, names="value")
        self.scale_choice.observe(self._on_map, names="value")
        self.coverage.observe(self._on_change, names="value")
        self.ax_out.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self._assemble(
            [
                widgets.HBox([self.map_choice, self.seed.box, self.scale_choice]),
                widgets.HBox([self.x1.box, self.y1.box]),
                widgets.HBox([self.x2.box, self.y2.box]),
                widgets.HBox([self.ph.box, self.pw.box]),
                widgets.HBox([self.bin_row.box, self.bin_col.box, self.coverage]),
            ]
        )
        self.update()

    # -- construction -------------------------------------------------------

    def _build_artists(self) -> None:
        ax, out = self.ax_map, self.ax_out
        self.map_panel = MapPanel(ax, MAX_SIDE, fontsize=LABEL_SIZE)
        for label in self.map_panel.row_labels + self.map_panel.col_labels:
            label.set(fontsize=LABEL_SIZE, color="dimgrey")
        self.coverage_image = ax.imshow(
            np.zeros((1, 1)), cmap="Oranges", alpha=0.55, vmin=0, vmax=4, visible=False
        )
        self.bin_patches = PatchCollection([], match_original=False, linewidths=2, alpha=0.9)
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
            [], [], marker="o", s=160, facecolors="none", edgecolors="crimson", lw=2, zorder=3
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
            [out.text(c, r, "", ha="center", va="center") for c in range(MAX_POOLED)]
            for r in range(MAX_POOLED)
        ]
        self.out_selected = Rectangle((0, 0), 1, 1, fill=False, **CHOSEN)
        out.add_patch(self.out_selected)
        fixed_title(out, "roi_pool output", fontsize=LABEL_SIZE + 1)
        fixed_title(ax, fontsize=LABEL_SIZE)
        out.set_axis_off()

    # -- state ----------------------------------------------------------------

    @property
    def spatial_scale(self) -> float:
        return SCALES[self.scale_choice.value]

    def pooled_size(self) -> tuple[int, int]:
        return self.ph.value, self.pw.value

    def bins(self) -> ru.PoolBins:
        return ru.roi_pool_bins(self.rois()[0], self.pooled_size(), self.spatial_scale, self._data.shape[2:])

    def output_values(self) -> np.ndarray:
        return ru.roi_pool(self._data, self.rois(), self.pooled_size(), self.spatial_scale)[0, 0]

    def call(self) -> str:
        """The call that reproduces the output panel, for a notebook where the explorer is ``explorer``."""
        return (
            f"ru.roi_pool(explorer.data, {self.rois()}, {self.pooled_size()}, "
            f"spatial_scale={self.spatial_scale:g})[0, 0]"
        )

    # -- reactions ------------------------------------------------------------

    def _set_map(self) -> None:
        self._data = example_map(self.map_choice.value, self.seed.value)
        h, w = self._data.shape[2:]
        self.map_panel.set_map(self._data[0, 0])
        self.coverage_image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        limit_x, limit_y = round((w + 1) / self.spatial_scale), round((h + 1) / self.spatial_scale)
        with self.quietly():
            for control, limit in (
                (self.x1, limit_x),
                (self.x2, limit_x),
                (self.y1, limit_y),
                (self.y2, limit_y),
            ):
                control.set_limits(0, limit)
        self._fit_view()

    def _fit_view(self) -> None:
        """Map limits that hold every box the corner sliders allow, both outlines of a box at their
        far end included: a box beyond the map stays in view, and the view stays put while the box
        moves, so a step repaints only the box, its bins and the output (see ``frames.Layers``)."""
        h, w = self._data.shape[2:]
        far_x, far_y = self.x2.slider.max, self.y2.slider.max
        raw = pixel_edges(far_x, far_y, far_x, far_y, self.spatial_scale)
        bins = ru.roi_pool_bins([0, far_x, far_y, far_x, far_y], (1, 1), self.spatial_scale, (h, w))
        rounded = rounded_edges(bins)
        self.ax_map.set_xlim(-1.5, max(w + 0.5, raw[2] + 0.5, rounded[2] + 0.5))
        self.ax_map.set_ylim(max(h + 0.5, raw[3] + 0.5, rounded[3] + 0.5), -1.5)

    def _on_map(self, *_ignored) -> None:
        self._set_map()
        self._on_change()

    def _on_click(self, event) -> None:
        if event.inaxes is self.ax_out and event.xdata is not None:
            ph, pw = self.pooled_size()
            self.bin_row.value = int(np.clip(round(event.ydata), 0, ph - 1))
            self.bin_col.value = int(np.clip(round(event.xdata), 0, pw - 1))

    def _keep_box_sensible(self) -> None:
        self.keep_box_ordered()
        with self.quietly():
            ph, pw = self.pooled_size()
            self.bin_row.set_limits(0, ph - 1)
            self.bin_col.set_limits(0, pw - 1)

    def _redraw(self) -> None:
        self._keep_box_sensible()
        w = self._data.shape[3]
        bins = self.bins()
        ph, pw = bins.pooled_size
        scale = self.spatial_scale
        self.raw_box.set_data(*box_outline(*pixel_edges(*self.rois()[0][1:], scale)))
        self.rounded_box.set_data(*box_outline(*rounded_edges(bins)))
        patches, colours = [], []
        for i, j in np.ndindex(ph, pw):
            if bins.empty[i, j]:
                continue
            inset = 0.06 * (1 + (i + j) % 2)  # alternate insets: a shared cell shows two outlines
            rows, cols = bins.cells(i, j)
            patches.append(
                Rectangle(
                    (cols.start - 0.5 + inset, rows.start - 0.5 + inset),
                    cols.stop - cols.start - 2 * inset,
                    rows.stop - rows.start - 2 * inset,
                )
            )
            colours.append(BIN_COLOURS[(i * pw + j) % len(BIN_COLOURS)])
        self.bin_patches.set_paths(patches)
        self.bin_patches.set_edgecolor(colours)
        self.bin_patches.set_facecolor("none")
        values, argmax = ru.roi_pool_argmax(self._data, self.rois(), (ph, pw), scale)
        cells = argmax[0, 0][argmax[0, 0] >= 0]
        self.max_marks.set_offsets(np.c_[cells % w, cells // w] if len(cells) else np.empty((0, 2)))
        coverage = bins.coverage()
        if self.coverage.value:  # else left alone: an unchanged map is not drawn again
            self.coverage_image.set_data(np.ma.masked_equal(coverage, 0))
        self.coverage_image.set_visible(self.coverage.value)
        self.map_panel.image.set_visible(not self.coverage.value)  # counts on white, not on the map's greys
        self.map_panel.set_values(coverage if self.coverage.value else self._data[0, 0])
        i, j = min(self.bin_row.value, ph - 1), min(self.bin_col.value, pw - 1)
        rows, cols = bins.cells(i, j)
        self.selected_cells.set_bounds(
            cols.start - 0.5 + CHOSEN_INSET,
            rows.start - 0.5 + CHOSEN_INSET,
            max(cols.stop - cols.start - 2 * CHOSEN_INSET, 0),
            max(rows.stop - rows.start - 2 * CHOSEN_INSET, 0),
        )
        self.selected_cells.set_visible(not bins.empty[i, j])
        self._draw_output(values[0, 0], bins.empty, i, j)
        problems = []
        if bins.empty.any():
            empty = [f"({a}, {b})" for a, b in zip(*np.nonzero(bins.empty), strict=True)]
            problems.append(
                f"empty bin{'s' if len(empty) > 1 else ''} {', '.join(empty)} (off the map): output 0"
            )
        _, bx1, by1, bx2, by2 = self.rois()[0]
        if bx2 < bx1 or by2 < by1:
            problems.append("reversed box: forced to one cell")
        self.ax_map.title.set_text(
            f"{ph} x {pw} bins, cells read (end excluded)\n"
            f"row bins {_ranges(bins.hstart, bins.hend)}\ncolumn bins {_ranges(bins.wstart, bins.wend)}"
        )
        set_status(self.status, self.call(), "; ".join(problems) or None)

    def _front_artists(self) -> list:
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

    def _draw_output(self, values: np.ndarray, empty: np.ndarray, i: int, j: int) -> None:
        ph, pw = values.shape
        show_cells(self.out_image, values)
        self.out_image.set_clim(min(values.min(), 0), max(values.max(), 1) * 1.6)
        self.ax_out.set_xlim(-0.5, pw - 0.5)
        self.ax_out.set_ylim(ph - 0.5, -0.5)
        for (r, c), text in np.ndenumerate(np.array(self.out_texts, dtype=object)):
            text.set_visible(r < ph and c < pw)
            if r < ph and c < pw:
                text.set_text(f"{values[r, c]:g}" + ("\nempty" if empty[r, c] else ""))
        self.out_selected.set_xy((j - 0.5, i - 0.5))
