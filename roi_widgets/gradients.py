"""What the two gradient explorers share: the state of a box and its upstream gradient, the snapshot
of everything drawn, and the view that copies it (three panels and a legend).

Each operator has its own explorer, in its own module: ``grad_pool.PoolGradExplorer`` and
``grad_align.AlignGradExplorer``. An operator's module computes its ``Routes`` (where the gradient
goes: ``roi_pool_backward`` and ``roi_pool_argmax``, or ``roi_align_backward`` and
``roi_align_samples``) and names its ``Look`` (its marks and words); ``gradient_snapshot`` turns
them into the snapshot both views draw the same way. ``grad.GradExplorer`` puts the two under one
operator choice for chapter 5.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle

from roi_chapters.ch5 import BOX, SIDE, UPSTREAM, grad_map, upstream_gradient
from roi_widgets.base import Explorer, Snapshot, State, box_limits, check_choice, check_float, check_int
from roi_widgets.common import MapPanel, NumberControl, box_outline, fixed_title, new_figure

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
PROBLEM = "#b00020"
FED_FILL = (0.86, 0.08, 0.24, 0.3)
"""crimson, light: roi_align's cells that receive gradient."""
FIGURE_INCHES = (9.4, 4.0)
PANEL_INCHES = FIGURE_INCHES[1] - 0.5
"""The map and gradient panels are squares this many inches wide (room above for a two-line title)."""
UPSTREAM_INCHES = FIGURE_INCHES[0] - 2 * PANEL_INCHES - 0.45
"""The upstream panel's side."""
BOX_RANGE = (0.0, float(SIDE))
_EMPTY = np.empty((0, 2))
MAP = grad_map()
MAP.flags.writeable = False

__all__ = ["GradState", "GradSnapshot", "GradientView", "Look", "Routes", "gradient_snapshot", "short_number"]


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


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GradState(State):
    """A box (image pixels, scale 1, steps of 0.5), the pooled size and the upstream gradient: all ones,
    one bin (``bin_row``, ``bin_col``), or random. Each operator's state adds its own fields."""

    x1: float = float(BOX[1])
    y1: float = float(BOX[2])
    x2: float = float(BOX[3])
    y2: float = float(BOX[4])
    ph: int = 2
    pw: int = 2
    upstream: str = "all ones"
    bin_row: int = 0
    bin_col: int = 0

    def __post_init__(self):
        for name in ("x1", "y1", "x2", "y2"):
            object.__setattr__(self, name, round(check_float(getattr(self, name), name), 4))
        for name in ("ph", "pw"):
            object.__setattr__(self, name, check_int(getattr(self, name), name, 1, MAX_POOLED))
        for name in ("bin_row", "bin_col"):
            object.__setattr__(self, name, check_int(getattr(self, name), name, 0))
        check_choice(self.upstream, "upstream", UPSTREAM)

    def limits(self) -> dict[str, tuple]:
        return box_limits(self, BOX_RANGE, BOX_RANGE, (self.ph, self.pw))

    def roi(self) -> list[float]:
        return [0, self.x1, self.y1, self.x2, self.y2]

    def chosen_bin(self) -> tuple[int, int]:
        return min(self.bin_row, self.ph - 1), min(self.bin_col, self.pw - 1)

    def out_grad(self) -> np.ndarray:
        """The (1, 1, PH, PW) upstream gradient of this state."""
        return upstream_gradient(self.upstream, (self.ph, self.pw), self.chosen_bin())

    def out_grad_call(self) -> str:
        """The upstream gradient as the status line names it.

        >>> GradState(upstream="one bin", bin_col=1).out_grad_call()
        'explorer.out_grad("one bin", (2, 2), bin=(0, 1))'
        """
        where = f", bin={self.chosen_bin()}" if self.upstream == "one bin" else ""
        return f'explorer.out_grad("{self.upstream}", {(self.ph, self.pw)}{where})'


@dataclass(frozen=True)
class Look:
    """What one operator's marks on the map are and how its problems are worded."""

    legend: tuple[tuple[str, str], ...]
    """``(mark, label)`` for each mark the legend names (marks: ``GradientView.legend_marks``)."""
    source_marker: str
    """``"o"``: a ring round each cell that gets gradient; ``"s"``: a light fill."""
    source_scale: float
    """The mark's size as a fraction of a cell."""
    source_face: object
    source_edge: object
    map_values: bool
    """Whether the map's values are printed (roi_align's gradient does not depend on them)."""
    map_alpha: float
    map_title: str
    dead_where: str
    """Why a bin sends nothing, after "bins (0, 1) ..."."""
    all_dead: str
    """Why no bin sends anything."""


@dataclass(frozen=True)
class Routes:
    """Where one operator sends the upstream gradient of one state (all from ``roi_utils``)."""

    gradient: np.ndarray
    """(H, W) input gradient."""
    contributions: np.ndarray
    """(H, W) how many bins with a non-zero upstream gradient send gradient to each cell."""
    bins: tuple[tuple[int, int, tuple[float, float, float, float]], ...]
    """``(i, j, (left, top, right, bottom))`` of each bin drawn."""
    box: tuple[float, float, float, float]
    """The box as the operator reads it (left, top, right, bottom)."""
    raw_box: tuple[float, float, float, float] | None
    """The box as given, before rounding (roi_pool only)."""
    samples: np.ndarray
    """(K, 2) x, y of the sample points that read the map (roi_align only)."""
    dead: np.ndarray
    """(PH, PW) bins that send nothing, whatever their upstream value."""
    sample_total: int | None
    """All samples of the box (roi_align), for "n of N samples lie outside"."""


@dataclass(frozen=True, kw_only=True)
class GradSnapshot(Snapshot):
    """Everything a gradient explorer draws."""

    legend: tuple[tuple[str, str], ...]
    map_values: np.ndarray | None
    map_alpha: float
    map_title: str
    box_outline: tuple[list, list]
    raw_outline: tuple[list, list]
    view_limits: tuple[float, float]
    bin_segments: tuple
    bin_colours: tuple[str, ...]
    samples: np.ndarray
    sources: np.ndarray
    source_marker: str
    source_size: float
    """Points squared, for ``scatter.set_sizes``."""
    source_face: object
    source_edge: object
    shared_segments: tuple
    """A square just inside each cell fed by more than one bin."""
    dead: np.ndarray
    """(K, 2) x, y of the bins that send nothing, on the upstream panel."""
    gradient_visible: bool
    gradient: np.ndarray
    gradient_clim: tuple[float, float]
    gradient_texts: tuple[tuple[str, ...], ...]
    """One text per map cell; "" where the cell gets nothing."""
    gradient_title: str
    gradient_title_colour: str
    upstream: np.ndarray
    upstream_clim: tuple[float, float]
    upstream_labels: tuple[int, int]
    """How many row and column indices the upstream panel shows (0, 0 unless one bin is chosen)."""
    upstream_xlim: tuple[float, float]
    upstream_title: str
    bin_choice_enabled: bool


def _segments(left: float, top: float, right: float, bottom: float) -> list:
    return [(left, top), (right, top), (right, bottom), (left, bottom), (left, top)]


def _problems(state: GradState, look: Look, routes: Routes) -> tuple[str, ...]:
    """Why some (or all) of the upstream gradient goes nowhere, in words for the status line."""
    dead = routes.dead
    problems = []
    if dead.all():
        problems.append(f"{look.all_dead}: no bin sends gradient, the input gradient is all 0")
    elif dead.any():
        count = int(dead.sum())
        if count <= 3:
            cells = ", ".join(f"({a}, {b})" for a, b in zip(*np.nonzero(dead), strict=True))
            which = f"bin{'s' if count > 1 else ''} {cells}"
        else:
            which = f"{count} of {dead.size} bins"
        them = "them" if count > 1 else "it"
        problems.append(f"{which} {look.dead_where}: no gradient from {them} (x on the upstream panel)")
    if routes.sample_total is not None and not dead.all() and len(routes.samples) < routes.sample_total:
        outside = routes.sample_total - len(routes.samples)
        problems.append(
            f"{outside} of {routes.sample_total} samples lie outside [-1, size]: they send nothing"
        )
    if state.upstream == "one bin" and dead[state.chosen_bin()] and not dead.all():
        problems.append("the chosen bin is one of them")
    return tuple(problems)


def _upstream_parts(state: GradState, dead: np.ndarray | None) -> dict:
    """The upstream panel: values diverging around 0 like the input gradient, in a fixed frame of
    MAX_POOLED x MAX_POOLED cells (the cells keep their size whatever the pooled size)."""
    g = state.out_grad()[0, 0]
    limit = max(float(np.abs(g).max()), 1e-6)
    pad = (MAX_POOLED - state.pw) / 2
    one_bin = state.upstream == "one bin"  # the bin indices matter only to choose a bin
    marks = np.argwhere(dead)[:, ::-1].astype(float) if dead is not None else _EMPTY
    return dict(
        upstream=g,
        upstream_clim=(-1.6 * limit, 1.6 * limit),
        upstream_labels=(state.ph, state.pw) if one_bin else (0, 0),
        upstream_xlim=(-1.5 - pad, MAX_POOLED - 0.5 - pad),
        upstream_title="upstream gradient, one per bin"
        + ("\nfaded, x = bin that sends nothing" if dead is not None and dead.any() else "\n"),
        dead=marks,
        bin_choice_enabled=one_bin,
    )


def gradient_snapshot(state: GradState, look: Look, routes: Routes, call: str) -> GradSnapshot:
    """The snapshot both gradient views draw, from one operator's ``routes`` and ``look``."""
    left, top, right, bottom = routes.box
    low = min(VIEW[0], left - 0.3, top - 0.3)
    high = max(VIEW[1], right + 0.3, bottom + 0.3)
    points = PANEL_INCHES * 72 / (high - low)  # a cell's side in points
    grad = routes.gradient
    fed = routes.contributions > 0
    many = np.argwhere(routes.contributions > 1)
    limit = max(float(np.abs(grad).max()), 1e-6)
    if routes.dead.all():
        title, colour = "input gradient: all 0,\nno bin sends any (see the line below)", PROBLEM
    else:
        title = (
            f"input gradient (sum {short_number(float(grad.sum()))})\n"
            f"□ = cell fed by more than one bin ({len(many)})"
        )
        colour = "black"
    insets = [(i, j, (a + INSET, b + INSET, c - INSET, d - INSET)) for i, j, (a, b, c, d) in routes.bins]
    return GradSnapshot(
        data=MAP,
        call=call,
        result=grad,
        problems=_problems(state, look, routes),
        legend=look.legend,
        map_values=MAP[0, 0] if look.map_values else None,
        map_alpha=look.map_alpha,
        map_title=look.map_title,
        box_outline=box_outline(*routes.box),
        raw_outline=box_outline(*routes.raw_box) if routes.raw_box else ([], []),
        view_limits=(low, high),
        bin_segments=tuple(_segments(*edges) for _, _, edges in insets),
        bin_colours=tuple(BIN_COLOURS[(i + j) % 2] for i, j, _ in insets),
        samples=routes.samples,
        sources=np.argwhere(fed)[:, ::-1],
        source_marker=look.source_marker,
        source_size=(look.source_scale * points) ** 2,
        source_face=look.source_face,
        source_edge=look.source_edge,
        shared_segments=tuple(_segments(c - 0.45, r - 0.45, c + 0.45, r + 0.45) for r, c in many),
        gradient_visible=True,
        gradient=grad,
        gradient_clim=(-1.6 * limit, 1.6 * limit),  # zero stays white, values stay legible
        gradient_texts=tuple(
            tuple(short_number(float(grad[r, c])) if fed[r, c] else "" for c in range(SIDE))
            for r in range(SIDE)
        ),
        gradient_title=title,
        gradient_title_colour=colour,
        **_upstream_parts(state, routes.dead),
    )


def no_gradient_snapshot(state: GradState, look: Look, call: str, reason: str) -> GradSnapshot:
    """Nothing to draw (an aligned box of zero size): every box-dependent part empty, ``reason`` said."""
    return GradSnapshot(
        data=MAP,
        call=call,
        result=None,
        problems=(reason,),
        legend=look.legend,
        map_values=MAP[0, 0] if look.map_values else None,
        map_alpha=look.map_alpha,
        map_title=look.map_title,
        box_outline=([], []),
        raw_outline=([], []),
        view_limits=VIEW,
        bin_segments=(),
        bin_colours=(),
        samples=_EMPTY,
        sources=_EMPTY,
        source_marker=look.source_marker,
        source_size=(look.source_scale * PANEL_INCHES * 72 / (VIEW[1] - VIEW[0])) ** 2,
        source_face=look.source_face,
        source_edge=look.source_edge,
        shared_segments=(),
        gradient_visible=False,
        gradient=np.zeros((SIDE, SIDE)),  # hidden
        gradient_clim=(-1.0, 1.0),
        gradient_texts=(("",) * SIDE,) * SIDE,
        gradient_title="no gradient: see the line below",
        gradient_title_colour=PROBLEM,
        **_upstream_parts(state, None),
    )


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------


def _marker_path(name: str):
    """The path of a matplotlib marker ("o", "s") scaled to one unit across, for a scatter."""
    style = MarkerStyle(name)
    return style.get_path().transformed(style.get_transform())


def _place(scatter, offsets: np.ndarray) -> None:
    """Move a scatter's marks to ``offsets`` (N, 2); hidden when there are none (a scatter
    whose marker was changed draws one stray mark at the figure's corner when empty)."""
    scatter.set_offsets(np.reshape(offsets, (-1, 2)))
    scatter.set_visible(len(offsets) > 0)


class GradientView(Explorer):
    """The view both gradient explorers share: the map with the box, its bins and the cells that get
    gradient; the input gradient; the upstream gradient and a legend. A subclass adds its own
    controls in ``operator_controls`` and provides the model (``State``, ``make_snapshot``).

    ``explorer.out_grad(kind, pooled, bin=...)`` and ``explorer.map()`` name the status line's inputs;
    ``explorer.out_grad()`` alone is the upstream gradient on screen.
    """

    KEY = "x2"

    @staticmethod
    def map() -> np.ndarray:
        """``explorer.map()``: the chapter's 6 x 6 map of distinct values."""
        return grad_map()

    def out_grad(self, kind: str | None = None, pooled_size=None, bin=None) -> np.ndarray:  # noqa: A002
        """The (1, 1, PH, PW) upstream gradient ``kind`` (see ``roi_chapters.ch5.upstream_gradient``);
        without arguments, the one on screen."""
        if kind is None:
            return self.state.out_grad()
        return upstream_gradient(kind, pooled_size, (0, 0) if bin is None else bin)

    def input_gradient(self) -> np.ndarray:
        """The middle panel: the input gradient on screen."""
        return self.snapshot.result

    def rois(self) -> list[list[float]]:
        return [self.state.roi()]

    def operator_controls(self) -> list:
        """The operator's own controls (stored in ``self.controls`` too), for the first row."""
        return []

    def build(self) -> list:
        self.figure = new_figure(*FIGURE_INCHES)
        self.ax_map, self.ax_grad, self.ax_up = self._panels()
        for ax in (self.ax_map, self.ax_grad, self.ax_up):
            fixed_title(ax, fontsize=8)
        self.map_panel = MapPanel(self.ax_map, SIDE)
        self.map_panel.set_map(MAP[0, 0])
        # index labels on the gradient panel too: 12 light texts, drawn once per update
        self.grad_panel = MapPanel(self.ax_grad, SIDE, cmap="RdBu_r", fontsize=7)
        self.up_panel = MapPanel(self.ax_up, MAX_POOLED, cmap="RdBu_r", fontsize=8)
        self.ax_map.set_xlim(*VIEW)
        self.ax_map.set_ylim(VIEW[1], VIEW[0])
        self.ax_grad.set_xlim(*GRAD_VIEW)
        self.ax_grad.set_ylim(GRAD_VIEW[1], GRAD_VIEW[0])
        self.ax_up.set_ylim(MAX_POOLED - 0.5, -1.5)
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
        self.dead_fade.set_sizes([(UPSTREAM_INCHES * 72 / (MAX_POOLED + 1)) ** 2])
        self.dead_marks = self.ax_up.scatter([], [], marker="x", s=30, color=PROBLEM, lw=1.2, zorder=4)
        self._legend()
        s = self.state
        corners = self.corner_controls(BOX_RANGE, BOX_RANGE, step=0.5, integer=False)
        self.ph = NumberControl("pooled height", s.ph, 1, MAX_POOLED)
        self.pw = NumberControl("pooled width", s.pw, 1, MAX_POOLED)
        self.upstream = widgets.Dropdown(options=UPSTREAM, value=s.upstream, description="upstream")
        self.bin_row = NumberControl("bin row", s.bin_row, 0, s.ph - 1)
        self.bin_col = NumberControl("bin col", s.bin_col, 0, s.pw - 1)
        own = self.operator_controls()
        self.bind("ph", "pw", "upstream", "bin_row", "bin_col")
        rows = [widgets.HBox(own)] if own else []
        return rows + [
            *corners,
            widgets.HBox([self.ph.box, self.pw.box]),
            widgets.HBox([self.upstream, self.bin_row.box, self.bin_col.box]),
        ]

    def _panels(self):
        """Two square panels as tall as the figure allows, the upstream panel and legend beside them."""
        width, height = self.figure.get_size_inches()
        side, up = PANEL_INCHES, UPSTREAM_INCHES

        def axes(left, bottom, w, h):
            return self.figure.add_axes((left / width, bottom / height, w / width, h / height))

        return (
            axes(0.05, 0.05, side, side),
            axes(side + 0.2, 0.05, side, side),
            axes(2 * side + 0.35, 0.05 + side - up, up, up),
        )

    def _legend(self) -> None:
        """What every mark on the map means, below the upstream panel: one text, one line per mark,
        each mark drawn beside its line (a matplotlib legend costs about 25 ms per draw, this 3)."""
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
        lines = 4
        self.legend_text = self.figure.text(
            (left + 0.38) / width, top / height, "\n" * lines, fontsize=7, va="top"
        )
        self.legend_text.set_linespacing(1.9)
        for mark in self.legend_marks.values():
            mark.set_transform(self.figure.transFigure)
            self.figure.add_artist(mark)
        # the marks go where the text's lines are: measured once, as matplotlib lays them out
        self.legend_text.set_text("\n".join("Xg" for _ in range(lines + 1)))
        extent = self.legend_text.get_window_extent(self.figure.canvas.get_renderer())
        self._legend_pitch = extent.height / (lines + 1) / self.figure.dpi

    def _show_legend(self, entries) -> None:
        width, height = self.figure.get_size_inches()
        left, top = self._legend_at
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

    def show(self, snap: GradSnapshot) -> None:
        if self.changed("legend", snap.legend):  # unchanged: left alone, so that it is not drawn again
            self._show_legend(snap.legend)
        if self.changed("look", (snap.source_marker, snap.map_alpha)):
            self.sources.set_paths([_marker_path(snap.source_marker)])
            self.sources.set_facecolor(snap.source_face)
            self.sources.set_edgecolor(snap.source_edge)
            self.sources.set_linewidth(1.2)
            self.map_panel.image.set_alpha(snap.map_alpha)
        for control in (self.bin_row, self.bin_col):  # they choose the bin of "one bin" only
            control.disabled = not snap.bin_choice_enabled
        self.map_panel.set_values(snap.map_values)
        self.ax_map.title.set_text(snap.map_title)
        self.box_line.set_data(*snap.box_outline)
        self.raw_line.set_data(*snap.raw_outline)
        low, high = snap.view_limits
        self.ax_map.set_xlim(low, high)
        self.ax_map.set_ylim(high, low)
        self.sources.set_sizes([snap.source_size])
        self.bin_lines.set_segments(list(snap.bin_segments))
        self.bin_lines.set_color(list(snap.bin_colours))
        _place(self.sample_dots, snap.samples)
        _place(self.sources, snap.sources)
        _place(self.dead_fade, snap.dead)
        _place(self.dead_marks, snap.dead + 0.3)
        self.grad_panel.image.set_visible(snap.gradient_visible)
        self.grad_panel.set_map(snap.gradient, show_values=False)
        self.ax_grad.set_xlim(*GRAD_VIEW)
        self.ax_grad.set_ylim(GRAD_VIEW[1], GRAD_VIEW[0])
        self.grad_panel.image.set_clim(*snap.gradient_clim)
        for row, texts in zip(self.grad_panel.texts, snap.gradient_texts, strict=False):
            for text, label in zip(row, texts, strict=False):
                text.set_visible(bool(label))
                text.set_text(label)
        self.shared.set_segments(list(snap.shared_segments))
        self.ax_grad.title.set(text=snap.gradient_title, color=snap.gradient_title_colour)
        self.up_panel.set_map(snap.upstream)
        self.up_panel.image.set_clim(*snap.upstream_clim)
        self.up_panel.set_values(snap.upstream, fmt="{:g}")
        rows, cols = snap.upstream_labels
        for labels, size in ((self.up_panel.row_labels, rows), (self.up_panel.col_labels, cols)):
            for index, label in enumerate(labels):
                label.set_visible(index < size)
        self.ax_up.set_xlim(*snap.upstream_xlim)
        self.ax_up.set_ylim(MAX_POOLED - 0.5, -1.5)
        self.ax_up.title.set_text(snap.upstream_title)

    def front_artists(self) -> list:
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
            *self.up_panel.row_labels,  # shown and hidden at every step
            *self.up_panel.col_labels,
            self.ax_grad.title,
        ]
