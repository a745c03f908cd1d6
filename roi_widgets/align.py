"""The RoIAlign explorer: a continuous box, its bins, every sample point and one sample's neighbours.

Sample positions, neighbours and weights come from ``roi_align_samples``; the
output from ``roi_align``. Coordinates are drawn as RoIAlign uses them: cell
``(r, c)`` has its centre at ``(x, y) = (c, r)``.

>>> import matplotlib; matplotlib.use("Agg")
>>> view = AlignExplorer()
>>> view.output_values().shape
(2, 2)
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import Rectangle

import roi_utils as ru
from roi_widgets.common import (
    Explorer,
    MapPanel,
    NumberControl,
    box_outline,
    fixed_title,
    labelled_dropdown,
    new_figure,
    set_status,
    status_line,
)

SIDE = 6
VIEW_MARGIN = 0.3
"""Cells of room around a box that reaches past the map."""
VIEW_STEP = 1.5
"""The map's view grows by this many cells at a time when the box reaches past it."""
RATIOS = (-1, 1, 2, 3, 4)
CORNER = 0.45
"""Weight labels sit this far from their cell's centre, towards the corner away from the sample."""


def _steps_past(overshoot: float) -> float:
    """How far the view must grow to hold a box that reaches ``overshoot`` cells past it: 0 when it
    does not, else ``overshoot`` rounded up to whole ``VIEW_STEP``s.

    >>> _steps_past(-1.0), _steps_past(0.2), _steps_past(1.6)
    (0.0, 1.5, 3.0)
    """
    return max(0.0, math.ceil(overshoot / VIEW_STEP) * VIEW_STEP)


def align_map(seed: int = 4) -> np.ndarray:
    """The explorer's (1, 1, 6, 6) map of small integers.

    >>> align_map().shape
    (1, 1, 6, 6)
    """
    return np.random.default_rng(seed).integers(0, 10, (1, 1, SIDE, SIDE)).astype(np.float32)


class AlignExplorer(Explorer):
    """Box corners (float, scale 1), pooled size, sample_ratio, aligned; choose one sample."""

    def __init__(self, box=(0.5, 0.5, 3.5, 3.0), pooled=(2, 2), sample_ratio: int = 2, aligned: bool = False):
        self._data = align_map()
        self.figure = new_figure(8.6, 4.4)
        self.ax_map, self.ax_out = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        # small margins: the map's cells must be big enough for a value and a weight label each
        self.figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93, wspace=0.08)
        self.map_panel = MapPanel(self.ax_map, SIDE)
        self.map_panel.set_map(self._data[0, 0])
        (self.box_line,) = self.ax_map.plot([], [], color="crimson", lw=2)
        self.grid_lines = LineCollection([], colors="crimson", linewidths=0.8, linestyles="--")
        self.ax_map.add_collection(self.grid_lines)
        # drawn over the cells' values (which belong to the saved back layer): a light fill
        self.neighbour_cells = PatchCollection([], facecolor="gold", alpha=0.35, edgecolor="darkorange")
        self.ax_map.add_collection(self.neighbour_cells)
        self.points = self.ax_map.scatter([], [], s=14, color="#1f77b4", zorder=3)
        self.outside = self.ax_map.scatter([], [], s=14, facecolors="none", edgecolors="grey", zorder=3)
        self.chosen = self.ax_map.scatter([], [], s=90, marker="*", color="darkorange", zorder=4)
        # one label per neighbour, in the cell's corner away from the sample (the neighbours are
        # (low, low), (low, high), (high, low), (high, high)): clear of the sample, the cell's value
        # at its centre and the other labels; a white backing keeps it readable over the box's lines
        self.weight_texts = [
            self.ax_map.text(
                0,
                0,
                "",
                fontsize=7.5,
                color="darkred",
                ha="right" if col_high else "left",
                va="bottom" if row_high else "top",
                zorder=5,
                bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8),
            )
            for row_high in (False, True)
            for col_high in (False, True)
        ]
        self.out_panel = MapPanel(self.ax_out, 4, cmap="Blues", fontsize=9)
        fixed_title(self.ax_out, "roi_align output", fontsize=10)
        fixed_title(self.ax_map, fontsize=8)
        self.x1 = NumberControl("x1", box[0], -2.0, SIDE + 2, step=0.25, integer=False)
        self.y1 = NumberControl("y1", box[1], -2.0, SIDE + 2, step=0.25, integer=False)
        self.x2 = NumberControl("x2", box[2], -2.0, SIDE + 2, step=0.25, integer=False).mark_key()
        self.y2 = NumberControl("y2", box[3], -2.0, SIDE + 2, step=0.25, integer=False)
        self.ph = NumberControl("pooled height", pooled[0], 1, 4)
        self.pw = NumberControl("pooled width", pooled[1], 1, 4)
        self.ratio = labelled_dropdown("sample_ratio", RATIOS, sample_ratio)
        self.aligned = widgets.Checkbox(value=aligned, description="aligned (half-pixel shift)")
        self.bin_row = NumberControl("sample: bin row", 0, 0, pooled[0] - 1)
        self.bin_col = NumberControl("bin col", 0, 0, pooled[1] - 1)
        self.iy = NumberControl("iy", 0, 0, 0)
        self.ix = NumberControl("ix", 0, 0, 0)
        self.status = status_line()
        controls = (
            self.x1,
            self.y1,
            self.x2,
            self.y2,
            self.ph,
            self.pw,
            self.bin_row,
            self.bin_col,
            self.iy,
            self.ix,
        )
        for control in controls:
            control.observe(self._on_change)
        self.ratio.observe(self._on_change, names="value")
        self.aligned.observe(self._on_change, names="value")
        self._assemble(
            [
                widgets.HBox([self.x1.box, self.y1.box]),
                widgets.HBox([self.x2.box, self.y2.box]),
                widgets.HBox([self.ph.box, self.pw.box, self.ratio, self.aligned]),
                widgets.HBox([self.bin_row.box, self.bin_col.box, self.iy.box, self.ix.box]),
            ]
        )
        self.update()

    def params(self) -> dict:
        return dict(
            pooled_size=(self.ph.value, self.pw.value),
            spatial_scale=1.0,
            sample_ratio=self.ratio.value,
            aligned=self.aligned.value,
        )

    def samples(self) -> ru.AlignSamples:
        return ru.roi_align_samples(self.rois()[0], map_shape=(SIDE, SIDE), **self.params())

    def output_values(self) -> np.ndarray:
        return ru.roi_align(self._data, self.rois(), **self.params())[0, 0]

    def call(self) -> str:
        p = self.params()
        return (
            f"ru.roi_align(x, {self.rois()}, {p['pooled_size']}, spatial_scale=1, "
            f"sample_ratio={p['sample_ratio']}, aligned={p['aligned']})"
        )

    def _limit_choices(self, samples: ru.AlignSamples) -> None:
        self.keep_box_ordered()
        with self.quietly():
            self.bin_row.set_limits(0, self.ph.value - 1)
            self.bin_col.set_limits(0, self.pw.value - 1)
            if samples is not None:
                self.iy.set_limits(0, samples.y.grid - 1)
                self.ix.set_limits(0, samples.x.grid - 1)

    def _redraw(self) -> None:
        self._limit_choices(None)
        try:
            samples = self.samples()
        except ValueError as error:  # an aligned box of zero size: mxnet would abort
            self._show_nothing(str(error))
            return
        self._limit_choices(samples)
        y, x = samples.y, samples.x
        top, left = y.start, x.start
        bottom, right = y.start + y.bin_size * y.coord.shape[0], x.start + x.bin_size * x.coord.shape[0]
        self.box_line.set_data(*box_outline(left, top, right, bottom))
        self._fit_view(left, top, right, bottom)
        rows = [y.start + k * y.bin_size for k in range(1, y.coord.shape[0])]
        cols = [x.start + k * x.bin_size for k in range(1, x.coord.shape[0])]
        self.grid_lines.set_segments(
            [[(left, r), (right, r)] for r in rows] + [[(c, top), (c, bottom)] for c in cols]
        )
        ys, xs = samples.points()
        valid = y.valid[:, None, :, None] & x.valid[None, :, None, :]
        self.points.set_offsets(np.c_[xs[valid], ys[valid]])
        self.outside.set_offsets(np.c_[xs[~valid], ys[~valid]] if (~valid).any() else np.empty((0, 2)))
        i, j, a, b = self.bin_row.value, self.bin_col.value, self.iy.value, self.ix.value
        self.chosen.set_offsets([[x.coord[j, b], y.coord[i, a]]])
        terms = samples.neighbours(i, j, a, b)
        self.neighbour_cells.set_paths([Rectangle((c - 0.5, r - 0.5), 1, 1) for r, c, w in terms if w > 0])
        for k, (text, (row, col, weight)) in enumerate(zip(self.weight_texts, terms, strict=True)):
            row_high, col_high = k >= 2, k % 2 == 1
            text.set_position(
                (col + (CORNER if col_high else -CORNER), row + (CORNER if row_high else -CORNER))
            )
            text.set_text(f"{weight:.2f}" if weight > 0 else "")
        values = self.output_values()
        self.out_panel.set_map(values, show_values=True)
        self.out_panel.set_values(values, fmt="{:.3f}")
        self.ax_out.title.set_text("roi_align output")
        outside = int((~valid).sum())
        plural = "" if samples.count == 1 else "s"
        self.ax_map.title.set_text(
            f"{samples.y.grid} x {samples.x.grid} sample{plural} per bin, averaged; "
            f"star: sample (iy={a}, ix={b}) of bin ({i}, {j})"
        )
        problems = [self._outside_note(outside, int(valid.size))] if outside else []
        if outside < valid.size and not (y.valid[i, a] and x.valid[j, b]):
            problems.append("the starred sample is one of them: it reads no cell")
        problems += self._forced_sides(right, bottom)
        set_status(self.status, self.call(), "; ".join(problems) or None)

    def _front_artists(self) -> list:
        return [
            self.box_line,
            self.grid_lines,
            self.neighbour_cells,
            self.points,
            self.outside,
            self.chosen,
            *self.weight_texts,
            self.ax_map.title,
            *self.out_panel.value_artists(),
        ]

    def _fit_view(self, left: float, top: float, right: float, bottom: float) -> None:
        """Show the map, its index labels and the whole box, so the cells stay large. Past the map
        the view grows in steps of ``VIEW_STEP`` cells, not with every slider step: most steps then
        leave the layout alone and repaint only the front layer (see ``frames.Layers``)."""
        low, high = -1.5, SIDE - 0.5 + VIEW_MARGIN
        self.ax_map.set_xlim(
            low - _steps_past(low - (left - VIEW_MARGIN)), high + _steps_past(right - (SIDE - 0.5))
        )
        self.ax_map.set_ylim(
            high + _steps_past(bottom - (SIDE - 0.5)), low - _steps_past(low - (top - VIEW_MARGIN))
        )

    @staticmethod
    def _outside_note(outside: int, total: int) -> str:
        if outside == total:
            which = "the only sample lies" if total == 1 else f"all {total} samples lie"
            return f"{which} outside [-1, size], where a sample counts as 0: every output is 0"
        return f"{outside} of {total} samples lie outside [-1, size]: they count as 0 (hollow circles)"

    def _forced_sides(self, right: float, bottom: float) -> list[str]:
        """With aligned=False, roi_align (like mxnet) stretches a box less than one cell wide or
        tall to one cell: say so when the drawn box (from roi_align_samples) ends past x2 or y2."""
        _, _, x2, y2 = self.box_corners()
        sides = [
            name
            for name, corner, drawn in (("wide", x2, right), ("tall", y2, bottom))
            if drawn > corner + 1e-3
        ]
        if not sides:
            return []
        return [
            f"box forced to 1 cell {' and '.join(sides)}: with aligned=False the width is "
            "max(x2 - x1, 1) and the height max(y2 - y1, 1)"
        ]

    def _show_nothing(self, reason: str) -> None:
        for artist in (self.points, self.outside, self.chosen):
            artist.set_offsets(np.empty((0, 2)))
        self.box_line.set_data([], [])
        self.grid_lines.set_segments([])
        self.neighbour_cells.set_paths([])
        for text in self.weight_texts:
            text.set_text("")
        self.ax_map.title.set_text("no output: see the line below")
        ph, pw = self.ph.value, self.pw.value
        self.out_panel.set_map(np.full((ph, pw), np.nan), vmin=0, vmax=1, show_values=False)
        self.ax_out.title.set_text("roi_align output: none")
        set_status(self.status, self.call(), reason)
