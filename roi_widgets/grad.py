"""The gradient explorer: where each operator sends the upstream gradient.

The input gradient comes from ``roi_pool_backward`` / ``roi_align_backward``; which
bins feed each cell is counted from ``roi_pool_argmax`` (pooling) or from each bin's
bilinear weights in ``roi_align_samples`` (RoIAlign), counting only bins whose
upstream gradient is not 0. The bins drawn on the map come from ``roi_pool_bins`` and
``roi_align_samples``.

>>> import matplotlib; matplotlib.use("Agg")
>>> view = GradExplorer()
>>> float(view.input_gradient().sum())
4.0
"""

from __future__ import annotations

import textwrap

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection

import roi_utils as ru
from roi_widgets.common import Explorer, MapPanel, NumberControl, new_figure, set_status, status_line

SIDE = 6
UPSTREAM = ("all ones", "one bin", "random")
BIN_COLOURS = ("darkorange", "royalblue")
"""Neighbouring bins alternate colours (a checkerboard), so overlapping bins stay apart."""
INSET = 0.1
"""Bin outlines are drawn this far inside their edges: two bins that share a row show two lines."""


def grad_map(seed: int = 5) -> np.ndarray:
    """A (1, 1, 6, 6) map of distinct values 0..35 (no ties: every maximum is unique).

    >>> sorted(grad_map().ravel().tolist()) == list(range(36))
    True
    """
    return np.random.default_rng(seed).permutation(SIDE * SIDE).reshape(1, 1, SIDE, SIDE).astype(np.float32)


class GradExplorer(Explorer):
    """Operator, box, pooled size and upstream gradient as controls; the input gradient drawn."""

    def __init__(self, operator: str = "roi_pool", box=(2, 1, 4, 3), pooled=(2, 2)):
        self._data = grad_map()
        self.figure = new_figure(9.4, 3.6)
        self.ax_map, self.ax_grad, self.ax_up = self.figure.subplots(
            1, 3, gridspec_kw={"width_ratios": [3, 3, 2]}
        )
        self.map_panel = MapPanel(self.ax_map, SIDE)
        self.map_panel.set_map(self._data[0, 0])
        # index labels on the gradient panel too: 12 light texts, drawn once per update
        self.grad_panel = MapPanel(self.ax_grad, SIDE, cmap="RdBu_r", fontsize=7)
        self.up_panel = MapPanel(self.ax_up, 4, cmap="Blues", fontsize=8, labels=False)
        self.bin_lines = LineCollection([], linewidths=1.2)
        self.ax_map.add_collection(self.bin_lines)
        (self.box_line,) = self.ax_map.plot([], [], color="crimson", lw=2)
        (self.raw_line,) = self.ax_map.plot([], [], color="black", lw=1, ls="--")  # the box before rounding
        self.sample_dots = self.ax_map.scatter([], [], s=6, color="black", zorder=3)
        cell = self._cell_points()
        self.sources = self.ax_map.scatter(
            [], [], s=(0.8 * cell) ** 2, facecolors="none", edgecolors="crimson", lw=1.2, zorder=4
        )
        # squares as cell outlines in data coordinates: they frame the number instead of crossing it
        self.shared = LineCollection([], colors="black", linewidths=1.6, zorder=4)
        self.ax_grad.add_collection(self.shared)
        # a fixed title position (y=1): matplotlib's automatic placement costs several ms per draw
        self.ax_map.set_title(
            "map: box (red), bins (orange/blue)\n○ = cell that receives gradient", fontsize=8, y=1
        )
        self.ax_up.set_title("upstream gradient", fontsize=9, y=1)
        self.operator = widgets.Dropdown(
            options=("roi_pool", "roi_align"), value=operator, description="operator"
        )
        self.x1 = NumberControl("x1", box[0], 0.0, SIDE, step=0.5, integer=False)
        self.y1 = NumberControl("y1", box[1], 0.0, SIDE, step=0.5, integer=False)
        self.x2 = NumberControl("x2", box[2], 0.0, SIDE, step=0.5, integer=False).mark_key()
        self.y2 = NumberControl("y2", box[3], 0.0, SIDE, step=0.5, integer=False)
        self.ph = NumberControl("pooled height", pooled[0], 1, 4)
        self.pw = NumberControl("pooled width", pooled[1], 1, 4)
        self.upstream = widgets.Dropdown(options=UPSTREAM, value="all ones", description="upstream")
        self.bin_row = NumberControl("bin row", 0, 0, pooled[0] - 1)
        self.bin_col = NumberControl("bin col", 0, 0, pooled[1] - 1)
        self.ratio = widgets.Dropdown(options=(-1, 1, 2, 3), value=2, description="sample_ratio")
        self.aligned = widgets.Checkbox(value=False, description="aligned")
        self.status = status_line()
        for control in (self.x1, self.y1, self.x2, self.y2, self.ph, self.pw, self.bin_row, self.bin_col):
            control.observe(self._on_change)
        for choice in (self.operator, self.upstream, self.ratio, self.aligned):
            choice.observe(self._on_change, names="value")
        self._assemble(
            [
                widgets.HBox([self.operator, self.ratio, self.aligned]),
                widgets.HBox([self.x1.box, self.y1.box]),
                widgets.HBox([self.x2.box, self.y2.box]),
                widgets.HBox([self.ph.box, self.pw.box]),
                widgets.HBox([self.upstream, self.bin_row.box, self.bin_col.box]),
            ]
        )
        self.update()

    def _cell_points(self) -> float:
        """Side of one map cell in points (the panels are square, 8 cells across with the labels)."""
        box = self.ax_map.get_position()
        width, height = self.figure.get_size_inches()
        return min(box.width * width, box.height * height) * 72 / (SIDE + 2)

    def params(self) -> dict:
        params = dict(pooled_size=(self.ph.value, self.pw.value), spatial_scale=1.0)
        if self.operator.value == "roi_align":
            params.update(sample_ratio=self.ratio.value, aligned=self.aligned.value)
        return params

    def out_grad(self) -> np.ndarray:
        ph, pw = self.ph.value, self.pw.value
        if self.upstream.value == "all ones":
            return np.ones((1, 1, ph, pw), np.float32)
        if self.upstream.value == "one bin":
            grad = np.zeros((1, 1, ph, pw), np.float32)
            grad[0, 0, min(self.bin_row.value, ph - 1), min(self.bin_col.value, pw - 1)] = 1
            return grad
        return np.round(np.random.default_rng(0).standard_normal((1, 1, ph, pw)), 1).astype(np.float32)

    def input_gradient(self) -> np.ndarray:
        backward = ru.roi_pool_backward if self.operator.value == "roi_pool" else ru.roi_align_backward
        return backward(self.out_grad(), self._data, self.rois(), **self.params())[0, 0]

    def samples(self) -> ru.AlignSamples:
        """RoIAlign's samples of the box on screen (operator roi_align)."""
        p = self.params()
        return ru.roi_align_samples(
            self.rois()[0], p["pooled_size"], 1.0, p["sample_ratio"], p["aligned"], (SIDE, SIDE)
        )

    def contributions(self) -> np.ndarray:
        """(H, W): how many output bins with a non-zero upstream gradient send gradient to each cell."""
        live = self.out_grad()[0, 0] != 0
        if self.operator.value == "roi_pool":
            _, argmax = ru.roi_pool_argmax(self._data, self.rois(), self.params()["pooled_size"], 1.0)
            winners = argmax[0, 0]
            cells = winners[(winners >= 0) & live]
            return np.bincount(cells, minlength=SIDE * SIDE).reshape(SIDE, SIDE)
        s = self.samples()
        rows, cols = s.y.weight_matrix(SIDE) > 0, s.x.weight_matrix(SIDE) > 0
        feeds = rows[:, None, :, None] & cols[None, :, None, :]  # (PH, PW, H, W)
        return (feeds & live[:, :, None, None]).sum(axis=(0, 1))

    def call(self) -> str:
        name = "roi_pool_backward" if self.operator.value == "roi_pool" else "roi_align_backward"
        extra = "".join(
            f", {k}={v}" for k, v in self.params().items() if k not in ("pooled_size", "spatial_scale")
        )
        return f"ru.{name}(g, x, {self.rois()}, {self.params()['pooled_size']}, spatial_scale=1{extra})"

    def _bins(self):
        """Bin rectangles (top, left, bottom, right) in map coordinates, the box's outline and,
        for RoIAlign, the sample points: all from roi_utils."""
        if self.operator.value == "roi_pool":
            bins = ru.roi_pool_bins(self.rois()[0], self.params()["pooled_size"], 1.0, (SIDE, SIDE))
            rects = {
                (i, j): (bins.hstart[i] - 0.5, bins.wstart[j] - 0.5, bins.hend[i] - 0.5, bins.wend[j] - 0.5)
                for i, j in zip(*np.nonzero(~bins.empty), strict=True)
            }
            outline = (
                bins.roi_start_h - 0.5,
                bins.roi_start_w - 0.5,
                bins.roi_end_h + 0.5,
                bins.roi_end_w + 0.5,
            )
            return rects, outline, np.empty((0, 2))
        s = self.samples()
        y, x = s.y, s.x
        rects = {
            (i, j): (
                y.start + i * y.bin_size,
                x.start + j * x.bin_size,
                y.start + (i + 1) * y.bin_size,
                x.start + (j + 1) * x.bin_size,
            )
            for i, j in np.ndindex(y.coord.shape[0], x.coord.shape[0])
        }
        outline = (
            y.start,
            x.start,
            y.start + y.coord.shape[0] * y.bin_size,
            x.start + x.coord.shape[0] * x.bin_size,
        )
        ys, xs = s.points()
        valid = y.valid[:, None, :, None] & x.valid[None, :, None, :]  # samples beyond [-1, size] count 0
        return rects, outline, np.c_[xs[valid], ys[valid]]

    def _draw_bins(self, rects: dict) -> None:
        segments, colours = [], []
        for (i, j), (top, left, bottom, right) in rects.items():
            t, l_, b, r = top + INSET, left + INSET, bottom - INSET, right - INSET
            segments.append([(l_, t), (r, t), (r, b), (l_, b), (l_, t)])
            colours.append(BIN_COLOURS[(i + j) % 2])
        self.bin_lines.set_segments(segments)
        self.bin_lines.set_color(colours)

    def _show_error(self, message: str) -> None:
        """Nothing to draw (an aligned box of zero size): clear every box-dependent artist."""
        self.grad_panel.image.set_visible(False)
        self.grad_panel.set_values(None)
        self.bin_lines.set_segments([])
        self.box_line.set_data([], [])
        self.raw_line.set_data([], [])
        self.sample_dots.set_offsets(np.empty((0, 2)))
        self.sources.set_offsets(np.empty((0, 2)))
        self.shared.set_segments([])
        self.ax_grad.set_title("no gradient: " + textwrap.fill(message, 55), fontsize=7, color="#b00020", y=1)
        set_status(self.status, self.call(), message)

    def _redraw(self) -> None:
        self.keep_box_ordered()
        pooling = self.operator.value == "roi_pool"
        with self.quietly():
            self.bin_row.set_limits(0, self.ph.value - 1)
            self.bin_col.set_limits(0, self.pw.value - 1)
            self.ratio.disabled = self.aligned.disabled = pooling  # roi_pool has neither
        g = self.out_grad()[0, 0]
        self.up_panel.set_map(g, vmin=min(g.min(), 0), vmax=max(g.max(), 1e-6))
        try:
            grad = self.input_gradient()
            counts = self.contributions()
            rects, outline, dots = self._bins()
        except ValueError as error:  # an aligned box of zero size
            self._show_error(str(error))
            return
        _, x1, y1, x2, y2 = self.rois()[0]
        self.raw_line.set_data([x1, x2, x2, x1, x1], [y1, y1, y2, y2, y1])
        top, left, bottom, right = outline
        self.box_line.set_data([left, right, right, left, left], [top, top, bottom, bottom, top])
        self._draw_bins(rects)
        self.sample_dots.set_offsets(dots)
        fed = counts > 0
        sources = np.argwhere(fed)
        self.sources.set_offsets(sources[:, ::-1] if len(sources) else np.empty((0, 2)))
        limit = max(float(np.abs(grad).max()), 1e-6)
        self.grad_panel.image.set_visible(True)
        self.grad_panel.set_map(grad, show_values=False)
        self.grad_panel.image.set_clim(-1.6 * limit, 1.6 * limit)  # zero stays white, values stay legible
        self.grad_panel.set_values(np.where(fed, grad, np.nan), fmt="{:.2g}")
        for row in self.grad_panel.texts:
            for text in row:
                if text.get_text() == "nan":
                    text.set_text("")
        many = np.argwhere(counts > 1)
        self.shared.set_segments(
            [
                [
                    (c - 0.45, r - 0.45),
                    (c + 0.45, r - 0.45),
                    (c + 0.45, r + 0.45),
                    (c - 0.45, r + 0.45),
                    (c - 0.45, r - 0.45),
                ]
                for r, c in many
            ]
        )
        self.ax_grad.set_title(
            f"input gradient (sum {grad.sum():.3g})\n□ = cell fed by more than one bin ({len(many)})",
            fontsize=8,
            color="black",
            y=1,
        )
        set_status(self.status, self.call())
