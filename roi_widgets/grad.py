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

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle

import roi_utils as ru
from roi_widgets.common import (
    Explorer,
    MapPanel,
    NumberControl,
    box_outline,
    fixed_title,
    labelled_dropdown,
    new_figure,
    pixel_edges,
    rounded_edges,
    set_status,
    status_line,
)

SIDE = 6
UPSTREAM = ("all ones", "one bin", "random")
BIN_COLOURS = ("darkorange", "royalblue")
"""Neighbouring bins alternate colours (a checkerboard), so overlapping bins stay apart."""
INSET = 0.1
"""Bin outlines are drawn this far inside their edges: two bins that share a row show two lines."""
MAX_POOLED = 4
VIEW = (-1.5, SIDE + 0.6)
"""The map panel's limits in cells (both axes): the index labels, the map, and a box that ends on
row or column 6 (off the map). A box reaching further widens the view."""
GRAD_VIEW = (-1.5, SIDE - 0.4)
"""The gradient panel shows the map only: larger cells for longer numbers."""
LEGEND = {
    "roi_pool": [
        ("box", "box as read (rounded)"),
        ("raw", "box as given, before rounding"),
        ("bins", "bins (orange, blue)"),
        ("ring", "cell that gets gradient"),
    ],
    "roi_align": [
        ("box", "box as read"),
        ("bins", "bins (orange, blue)"),
        ("samples", "sample points"),
        ("fill", "cell that gets gradient"),
    ],
}
"""The marks on the map for each operator, as the legend beside it names them."""
PROBLEM = "#b00020"
FED_FILL = (0.86, 0.08, 0.24, 0.3)
"""crimson, light: roi_align's cells that receive gradient."""


def grad_map(seed: int = 5) -> np.ndarray:
    """A (1, 1, 6, 6) map of distinct values 0..35 (no ties: every maximum is unique).

    >>> sorted(grad_map().ravel().tolist()) == list(range(36))
    True
    """
    return np.random.default_rng(seed).permutation(SIDE * SIDE).reshape(1, 1, SIDE, SIDE).astype(np.float32)


def short_number(value: float) -> str:
    """A gradient value short enough for one cell (at most 7 characters): exact when its shortest
    float32 form fits, else rounded to 3 significant digits (2 below 0.01); "~0" below 0.001.

    >>> [short_number(v) for v in (0, 4, 0.125, 0.04375, -0.1171875, 0.140625, -0.00625, 3e-4, -1.23e-5)]
    ['0', '4', '0.125', '0.04375', '-0.117', '0.141', '-0.0063', '0.0003', '~0']
    """
    value = float(np.float32(value))  # the gradients are float32: round what they hold
    if value == 0:
        return "0"
    exact = np.format_float_positional(np.float32(value), trim="-")
    if len(exact) <= 7:
        return exact
    size = abs(value)
    if size < 1e-3:
        return "~0"
    return f"{value:.{3 if size >= 0.01 else 2}g}"


def _marker_path(name: str):
    """The path of a matplotlib marker ("o", "s") scaled to one unit across, for a scatter."""
    style = MarkerStyle(name)
    return style.get_path().transformed(style.get_transform())


def _place(scatter, offsets: np.ndarray) -> None:
    """Move a scatter's marks to ``offsets`` (N, 2); hidden when there are none (a scatter
    whose marker was changed draws one stray mark at the figure's corner when empty)."""
    scatter.set_offsets(np.reshape(offsets, (-1, 2)))
    scatter.set_visible(len(offsets) > 0)


class GradExplorer(Explorer):
    """Operator, box, pooled size and upstream gradient as controls; the input gradient drawn.

    ``call()`` (shown under the figure) reproduces the middle panel in a notebook where the
    explorer is named ``explorer``: ``explorer.out_grad()`` is the upstream gradient on screen and
    ``explorer.data`` the map.
    """

    def __init__(self, operator: str = "roi_pool", box=(2, 1, 4, 3), pooled=(2, 2)):
        self._data = grad_map()
        self.figure = new_figure(9.4, 4.0)
        self.ax_map, self.ax_grad, self.ax_up = self._panels()
        for ax in (self.ax_map, self.ax_grad, self.ax_up):
            fixed_title(ax, fontsize=8)
        self.map_panel = MapPanel(self.ax_map, SIDE)
        self.map_panel.set_map(self._data[0, 0])
        # index labels on the gradient panel too: 12 light texts, drawn once per update
        self.grad_panel = MapPanel(self.ax_grad, SIDE, cmap="RdBu_r", fontsize=7)
        self.up_panel = MapPanel(self.ax_up, MAX_POOLED, cmap="RdBu_r", fontsize=8)
        self.ax_map.set_xlim(*VIEW)
        self.ax_map.set_ylim(VIEW[1], VIEW[0])
        self.bin_lines = LineCollection([], linewidths=1.2)
        self.ax_map.add_collection(self.bin_lines)
        (self.box_line,) = self.ax_map.plot([], [], color="crimson", lw=2)
        (self.raw_line,) = self.ax_map.plot([], [], color="black", lw=1, ls="--")  # roi_pool, before rounding
        self.sample_dots = self.ax_map.scatter([], [], s=5, color="black", zorder=3)
        # cells that receive gradient: rings around roi_pool's few winners; for roi_align, whose
        # samples feed most cells of the box, a light fill instead (rings there hide everything)
        self.sources = self.ax_map.scatter([], [], zorder=2.5)
        # squares as cell outlines in data coordinates: they frame the number instead of crossing it
        self.shared = LineCollection([], colors="black", linewidths=1.6, zorder=4)
        self.ax_grad.add_collection(self.shared)
        # a bin that sends nothing is faded out (under its number: texts draw at zorder 3), with a
        # small cross in its corner
        self.dead_fade = self.ax_up.scatter([], [], marker="s", color=(1, 1, 1, 0.75), lw=0, zorder=2)
        self.dead_marks = self.ax_up.scatter([], [], marker="x", s=30, color=PROBLEM, lw=1.2, zorder=4)
        self._legend()
        self._legend_for = None  # the operator whose marks the legend shows
        self.operator = widgets.Dropdown(
            options=("roi_pool", "roi_align"), value=operator, description="operator"
        )
        self.x1 = NumberControl("x1", box[0], 0.0, SIDE, step=0.5, integer=False)
        self.y1 = NumberControl("y1", box[1], 0.0, SIDE, step=0.5, integer=False)
        self.x2 = NumberControl("x2", box[2], 0.0, SIDE, step=0.5, integer=False).mark_key()
        self.y2 = NumberControl("y2", box[3], 0.0, SIDE, step=0.5, integer=False)
        self.ph = NumberControl("pooled height", pooled[0], 1, MAX_POOLED)
        self.pw = NumberControl("pooled width", pooled[1], 1, MAX_POOLED)
        self.upstream = widgets.Dropdown(options=UPSTREAM, value="all ones", description="upstream")
        self.bin_row = NumberControl("bin row", 0, 0, pooled[0] - 1)
        self.bin_col = NumberControl("bin col", 0, 0, pooled[1] - 1)
        self.ratio = labelled_dropdown("sample_ratio", (-1, 1, 2, 3), 2)
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

    # -- layout ---------------------------------------------------------------

    def _panels(self):
        """Two square panels as tall as the figure allows, the upstream panel and legend beside them."""
        width, height = self.figure.get_size_inches()
        side = height - 0.5  # room for a two-line title
        up = width - 2 * side - 0.45

        def axes(left, bottom, w, h):
            return self.figure.add_axes((left / width, bottom / height, w / width, h / height))

        return (
            axes(0.05, 0.05, side, side),
            axes(side + 0.2, 0.05, side, side),
            axes(2 * side + 0.35, 0.05 + side - up, up, up),
        )

    def _legend(self) -> None:
        """What every mark on the map means, below the upstream panel: one text, one line per mark,
        each mark drawn beside its line (a matplotlib legend costs about 25 ms per draw, this 3).
        ``_show_legend`` picks the marks of the operator on screen."""
        self.legend_marks = {
            "box": Line2D([], [], color="crimson", lw=2),
            "raw": Line2D([], [], color="black", lw=1, ls="--"),
            "bins": Line2D([], [], color=BIN_COLOURS[0], lw=1.2),
            "samples": Line2D([], [], color="black", marker="o", ms=2.5, ls=""),
            "ring": Line2D([], [], color="crimson", marker="o", mfc="none", ms=8, ls=""),
            "fill": Line2D([], [], color=FED_FILL, marker="s", mec="none", ms=8, ls=""),
        }
        width, height = self.figure.get_size_inches()
        up = self.ax_up.get_position()
        self._legend_at = (up.x0 * width, up.y0 * height - 0.2)  # left, top in inches
        left, top = self._legend_at
        self.legend_text = self.figure.text(
            (left + 0.38) / width, top / height, "\n" * len(LEGEND["roi_pool"]), fontsize=7, va="top"
        )
        self.legend_text.set_linespacing(1.9)
        for mark in self.legend_marks.values():
            mark.set_transform(self.figure.transFigure)
            self.figure.add_artist(mark)
        # the marks go where the text's lines are: measured once, as matplotlib lays them out
        self.legend_text.set_text("\n".join("Xg" for _ in range(len(LEGEND["roi_pool"]) + 1)))
        extent = self.legend_text.get_window_extent(self.figure.canvas.get_renderer())
        self._legend_pitch = extent.height / (len(LEGEND["roi_pool"]) + 1) / self.figure.dpi

    def _show_legend(self, operator: str) -> None:
        if self._legend_for == operator:
            return  # unchanged: left alone, so that it is not drawn again
        self._legend_for = operator
        width, height = self.figure.get_size_inches()
        left, top = self._legend_at
        entries = LEGEND[operator]
        self.legend_text.set_text("\n".join(["marks on the map:", *(label for _, label in entries)]))
        for mark in self.legend_marks.values():
            mark.set_visible(False)
        for k, (key, _) in enumerate(entries, 1):
            mark = self.legend_marks[key]
            y = (top - self._legend_pitch * (k + 0.4)) / height
            xs = (
                [(left + 0.15) / width]
                if mark.get_linestyle() == "None"
                else [left / width, (left + 0.3) / width]
            )
            mark.set_data(xs, [y] * len(xs))
            mark.set_visible(True)

    def _fit_map(self, left: float, top: float, right: float, bottom: float) -> None:
        """Keep the whole box in view (square limits: the panel keeps its shape) and size the
        marks of the cells that receive gradient to the cells."""
        low = min(VIEW[0], left - 0.3, top - 0.3)
        high = max(VIEW[1], right + 0.3, bottom + 0.3)
        if (low, high) != self.ax_map.get_xlim():
            self.ax_map.set_xlim(low, high)
            self.ax_map.set_ylim(high, low)
        box = self.ax_map.get_position()
        points = box.width * self.figure.get_size_inches()[0] * 72 / (high - low)
        if self.operator.value == "roi_pool":
            self.sources.set_paths([_marker_path("o")])
            self.sources.set_sizes([(0.8 * points) ** 2])
            self.sources.set_facecolor("none")
            self.sources.set_edgecolor("crimson")
            self.sources.set_linewidth(1.2)
        else:
            self.sources.set_paths([_marker_path("s")])
            self.sources.set_sizes([(0.92 * points) ** 2])  # white gaps: the cells stay countable
            self.sources.set_facecolor(FED_FILL)
            self.sources.set_edgecolor("none")

    # -- state ----------------------------------------------------------------

    def params(self) -> dict:
        params = dict(pooled_size=(self.ph.value, self.pw.value), spatial_scale=1.0)
        if self.operator.value == "roi_align":
            params.update(sample_ratio=self.ratio.value, aligned=self.aligned.value)
        return params

    def out_grad(self) -> np.ndarray:
        """The (1, 1, PH, PW) upstream gradient on screen (the right-hand panel)."""
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

    def dead_bins(self) -> np.ndarray:
        """(PH, PW) bool: bins that send no gradient whatever their upstream value: roi_pool's
        empty bins (off the map), roi_align's bins whose samples all lie outside [-1, size]."""
        if self.operator.value == "roi_pool":
            return ru.roi_pool_bins(self.rois()[0], self.params()["pooled_size"], 1.0, (SIDE, SIDE)).empty
        s = self.samples()
        valid = s.y.valid[:, None, :, None] & s.x.valid[None, :, None, :]
        return ~valid.any(axis=(2, 3))

    def call(self) -> str:
        """The call that reproduces the middle panel, for a notebook where the explorer is ``explorer``."""
        name = "roi_pool_backward" if self.operator.value == "roi_pool" else "roi_align_backward"
        extra = "".join(
            f", {k}={v}" for k, v in self.params().items() if k not in ("pooled_size", "spatial_scale")
        )
        return (
            f"ru.{name}(explorer.out_grad(), explorer.data, {self.rois()}, "
            f"{self.params()['pooled_size']}, spatial_scale=1{extra})[0, 0]"
        )

    # -- drawing --------------------------------------------------------------

    def _bins(self):
        """Bin rectangles (top, left, bottom, right) in map coordinates, the box's outline and,
        for RoIAlign, the sample points inside [-1, size] (the others read nothing): all from
        roi_utils."""
        if self.operator.value == "roi_pool":
            bins = ru.roi_pool_bins(self.rois()[0], self.params()["pooled_size"], 1.0, (SIDE, SIDE))
            rects = {
                (i, j): (bins.hstart[i] - 0.5, bins.wstart[j] - 0.5, bins.hend[i] - 0.5, bins.wend[j] - 0.5)
                for i, j in zip(*np.nonzero(~bins.empty), strict=True)
            }
            left, top, right, bottom = rounded_edges(bins)
            outline = (top, left, bottom, right)
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

    def _draw_upstream(self, g: np.ndarray) -> None:
        """The upstream gradient, diverging around 0 like the input gradient, in a fixed frame of
        MAX_POOLED x MAX_POOLED cells (the cells keep their size whatever the pooled size)."""
        ph, pw = g.shape
        limit = max(float(np.abs(g).max()), 1e-6)
        self.up_panel.set_map(g)
        self.up_panel.image.set_clim(-1.6 * limit, 1.6 * limit)
        self.up_panel.set_values(g, fmt="{:g}")
        one_bin = self.upstream.value == "one bin"  # the bin indices matter only to choose a bin
        for labels, size in ((self.up_panel.row_labels, ph), (self.up_panel.col_labels, pw)):
            for index, label in enumerate(labels):
                label.set_visible(one_bin and index < size)
        pad = (MAX_POOLED - pw) / 2
        self.ax_up.set_xlim(-1.5 - pad, MAX_POOLED - 0.5 - pad)
        self.ax_up.set_ylim(MAX_POOLED - 0.5, -1.5)

    def _front_artists(self) -> list:
        return [
            self.bin_lines,
            self.box_line,
            self.raw_line,
            self.sample_dots,
            self.sources,
            self.shared,
            self.dead_fade,
            self.dead_marks,
            *self.grad_panel.value_artists(),
            *self.up_panel.value_artists(),
            *self.up_panel.row_labels,  # shown and hidden by _draw_upstream at every step
            *self.up_panel.col_labels,
            self.ax_grad.title,
        ]

    def _mark_dead(self, dead: np.ndarray | None) -> None:
        marks = np.argwhere(dead)[:, ::-1].astype(float) if dead is not None else np.empty((0, 2))
        _place(self.dead_fade, marks)
        _place(self.dead_marks, marks + 0.3)
        box = self.ax_up.get_position()
        points = box.width * self.figure.get_size_inches()[0] * 72 / (MAX_POOLED + 1)
        self.dead_fade.set_sizes([points**2])

    def _show_error(self, message: str) -> None:
        """Nothing to draw (an aligned box of zero size): clear every box-dependent artist."""
        self.grad_panel.image.set_visible(False)
        self.grad_panel.set_values(None)
        self.bin_lines.set_segments([])
        self.box_line.set_data([], [])
        self.raw_line.set_data([], [])
        _place(self.sample_dots, np.empty((0, 2)))
        _place(self.sources, np.empty((0, 2)))
        self.shared.set_segments([])
        self._mark_dead(None)
        self.ax_grad.title.set(text="no gradient: see the line below", color=PROBLEM)
        set_status(self.status, self.call(), message)

    def _problems(self, dead: np.ndarray, dots: np.ndarray) -> list[str]:
        """Why some (or all) of the upstream gradient goes nowhere, in words for the status line."""
        pooling = self.operator.value == "roi_pool"
        where = "empty (off the map)" if pooling else "with every sample outside [-1, size]"
        problems = []
        if dead.all():
            what = "the rounded box is off the map" if pooling else "every sample lies outside [-1, size]"
            problems.append(f"{what}: no bin sends gradient, the input gradient is all 0")
        elif dead.any():
            count = int(dead.sum())
            if count <= 3:
                cells = ", ".join(f"({a}, {b})" for a, b in zip(*np.nonzero(dead), strict=True))
                which = f"bin{'s' if count > 1 else ''} {cells}"
            else:
                which = f"{count} of {dead.size} bins"
            them = "them" if count > 1 else "it"
            problems.append(f"{which} {where}: no gradient from {them} (x on the upstream panel)")
        if not pooling and not dead.all():
            total = self.samples().count * dead.size
            if len(dots) < total:
                problems.append(
                    f"{total - len(dots)} of {total} samples lie outside [-1, size]: they send nothing"
                )
        if self.upstream.value == "one bin":
            i, j = self.bin_row.value, self.bin_col.value
            if dead[min(i, dead.shape[0] - 1), min(j, dead.shape[1] - 1)] and not dead.all():
                problems.append("the chosen bin is one of them")
        return problems

    def _limit_controls(self) -> None:
        self.keep_box_ordered()
        pooling = self.operator.value == "roi_pool"
        one_bin = self.upstream.value == "one bin"
        with self.quietly():
            self.bin_row.set_limits(0, self.ph.value - 1)
            self.bin_col.set_limits(0, self.pw.value - 1)
            self.ratio.disabled = self.aligned.disabled = pooling  # roi_pool has neither
            for control in (self.bin_row, self.bin_col):  # they choose the bin of "one bin" only
                control.disabled = not one_bin

    def _redraw(self) -> None:
        self._limit_controls()
        pooling = self.operator.value == "roi_pool"
        g = self.out_grad()[0, 0]
        self._draw_upstream(g)
        # RoIAlign is linear in the map: its gradient does not depend on the values, so hide them
        self.map_panel.set_values(self._data[0, 0] if pooling else None)
        alpha = 1.0 if pooling else 0.2  # faint: where the map is, not its values
        if self.map_panel.image.get_alpha() != alpha:  # set_alpha marks it changed even when equal
            self.map_panel.image.set_alpha(alpha)
        self._show_legend(self.operator.value)
        self.ax_map.title.set_text(
            "map: roi_pool's gradient goes to each bin's maximum"
            if pooling
            else "map (values hidden: roi_align's gradient\ndepends only on where the samples fall)"
        )
        try:
            grad = self.input_gradient()
            counts = self.contributions()
            rects, outline, dots = self._bins()
            dead = self.dead_bins()
        except ValueError as error:  # an aligned box of zero size
            self._show_error(str(error))
            return
        top, left, bottom, right = outline
        self.box_line.set_data(*box_outline(left, top, right, bottom))
        if pooling:  # the corners as given, as inclusive pixels (chapter 1): before rounding
            _, x1, y1, x2, y2 = self.rois()[0]
            self.raw_line.set_data(*box_outline(*pixel_edges(x1, y1, x2, y2)))
        else:  # roi_align does not round: the red box is the box it reads
            self.raw_line.set_data([], [])
        self._fit_map(left, top, right, bottom)
        self._draw_bins(rects)
        _place(self.sample_dots, dots)
        fed = counts > 0
        sources = np.argwhere(fed)
        _place(self.sources, sources[:, ::-1])
        self._mark_dead(dead)
        limit = max(float(np.abs(grad).max()), 1e-6)
        self.grad_panel.image.set_visible(True)
        self.grad_panel.set_map(grad, show_values=False)
        self.ax_grad.set_xlim(*GRAD_VIEW)
        self.ax_grad.set_ylim(GRAD_VIEW[1], GRAD_VIEW[0])
        self.grad_panel.image.set_clim(-1.6 * limit, 1.6 * limit)  # zero stays white, values stay legible
        for (r, c), text in np.ndenumerate(np.array(self.grad_panel.texts, dtype=object)):
            text.set_visible(bool(fed[r, c]))
            text.set_text(short_number(float(grad[r, c])) if fed[r, c] else "")
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
        if dead.all():
            title, colour = "input gradient: all 0,\nno bin sends any (see the line below)", PROBLEM
        else:
            title = (
                f"input gradient (sum {short_number(float(grad.sum()))})\n"
                f"□ = cell fed by more than one bin ({len(many)})"
            )
            colour = "black"
        self.ax_grad.title.set(text=title, color=colour)
        self.ax_up.title.set_text(
            "upstream gradient, one per bin" + ("\nfaded, x = bin that sends nothing" if dead.any() else "\n")
        )
        problems = self._problems(dead, dots)
        set_status(self.status, self.call(), "; ".join(problems) or None)
