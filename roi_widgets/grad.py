"""The gradient explorer: where each operator sends the upstream gradient.

The input gradient comes from ``roi_pool_backward`` / ``roi_align_backward``; the
cells that receive more than one contribution are counted from ``roi_pool_argmax``
(pooling) or from each bin's bilinear weights in ``roi_align_samples`` (RoIAlign).

>>> import matplotlib; matplotlib.use("Agg")
>>> view = GradExplorer()
>>> float(view.input_gradient().sum())
4.0
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

import roi_utils as ru
from roi_widgets.common import Explorer, MapPanel, NumberControl, new_figure, set_status, status_line

SIDE = 6
UPSTREAM = ("all ones", "one bin", "random")


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
        self.figure = new_figure(10, 3.8)
        self.ax_map, self.ax_grad, self.ax_up = self.figure.subplots(
            1, 3, gridspec_kw={"width_ratios": [3, 3, 2]}
        )
        self.map_panel = MapPanel(self.ax_map, SIDE)
        self.map_panel.set_map(self._data[0, 0])
        self.grad_panel = MapPanel(self.ax_grad, SIDE, cmap="RdBu_r", fontsize=7, labels=False)
        self.up_panel = MapPanel(self.ax_up, 4, cmap="Blues", fontsize=8, labels=False)
        (self.box_line,) = self.ax_map.plot([], [], color="crimson", lw=2)
        (self.raw_line,) = self.ax_map.plot([], [], color="black", lw=1, ls="--")  # the box before rounding
        self.sources = self.ax_map.scatter([], [], s=120, facecolors="none", edgecolors="crimson", lw=1.5)
        self.shared = self.ax_grad.scatter(
            [], [], s=260, marker="s", facecolors="none", edgecolors="black", lw=1.5
        )
        self.ax_up.set_title("upstream gradient", fontsize=9)
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

    def contributions(self) -> np.ndarray:
        """(H, W): how many output bins send gradient to each cell."""
        ph, pw = self.ph.value, self.pw.value
        if self.operator.value == "roi_pool":
            _, argmax = ru.roi_pool_argmax(self._data, self.rois(), (ph, pw), 1.0)
            cells = argmax[0, 0][argmax[0, 0] >= 0]
            return np.bincount(cells, minlength=SIDE * SIDE).reshape(SIDE, SIDE)
        p = self.params()
        s = ru.roi_align_samples(
            self.rois()[0], p["pooled_size"], 1.0, p["sample_ratio"], p["aligned"], (SIDE, SIDE)
        )
        rows, cols = s.y.weight_matrix(SIDE) > 0, s.x.weight_matrix(SIDE) > 0
        return (rows[:, None, :, None] & cols[None, :, None, :]).sum(axis=(0, 1))

    def call(self) -> str:
        name = "roi_pool_backward" if self.operator.value == "roi_pool" else "roi_align_backward"
        extra = "".join(
            f", {k}={v}" for k, v in self.params().items() if k not in ("pooled_size", "spatial_scale")
        )
        return f"ru.{name}(g, x, {self.rois()}, {self.params()['pooled_size']}, spatial_scale=1{extra})"

    def _redraw(self) -> None:
        self.keep_box_ordered()
        with self.quietly():
            self.bin_row.set_limits(0, self.ph.value - 1)
            self.bin_col.set_limits(0, self.pw.value - 1)
        try:
            grad = self.input_gradient()
            counts = self.contributions()
        except ValueError as error:  # an aligned box of zero size
            self.grad_panel.set_values(None)
            set_status(self.status, self.call(), str(error))
            return
        _, x1, y1, x2, y2 = self.rois()[0]
        self.raw_line.set_data([x1, x2, x2, x1, x1], [y1, y1, y2, y2, y1])
        if self.operator.value == "roi_pool":
            bins = ru.roi_pool_bins(self.rois()[0], self.params()["pooled_size"], 1.0, (SIDE, SIDE))
            x1, y1 = bins.roi_start_w - 0.5, bins.roi_start_h - 0.5
            x2, y2 = bins.roi_end_w + 0.5, bins.roi_end_h + 0.5
        self.box_line.set_data([x1, x2, x2, x1, x1], [y1, y1, y2, y2, y1])
        sources = np.argwhere(grad != 0)
        self.sources.set_offsets(sources[:, ::-1] if len(sources) else np.empty((0, 2)))
        limit = max(float(np.abs(grad).max()), 1e-6)
        self.grad_panel.set_map(grad, show_values=False)
        self.grad_panel.image.set_clim(-1.6 * limit, 1.6 * limit)  # zero stays white, values stay legible
        self.grad_panel.set_values(np.where(grad == 0, np.nan, grad), fmt="{:.2g}")
        for row in self.grad_panel.texts:
            for text in row:
                if text.get_text() == "nan":
                    text.set_text("")
        many = np.argwhere(counts > 1)
        self.shared.set_offsets(many[:, ::-1] if len(many) else np.empty((0, 2)))
        g = self.out_grad()[0, 0]
        self.up_panel.set_map(g, vmin=min(g.min(), 0), vmax=max(g.max(), 1e-6))
        self.ax_grad.set_title(
            f"input gradient (sum {grad.sum():.3g}); squares: cells fed by >1 bin ({len(many)})", fontsize=8
        )
        set_status(self.status, self.call())
