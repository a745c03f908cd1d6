"""The RoIAlign explorer: a continuous box, its bins, every sample point and one sample's neighbours.

Model and view (see ``roi_widgets.base``): ``AlignState`` is the state, ``align_snapshot`` computes
everything drawn (sample positions, neighbours and weights from ``roi_align_samples``, the box and
its bins from ``align_box_edges`` / ``align_bin_edges``, the samples that read the map from
``align_valid_samples``, the output from ``roi_align``), and ``AlignExplorer`` copies it onto its
artists. Coordinates are drawn as RoIAlign uses them: cell ``(r, c)`` has its centre at
``(x, y) = (c, r)``.

>>> snap = align_snapshot(AlignState())
>>> snap.result.shape, snap.problems
((2, 2), ())
>>> print(snap.call.replace(" spatial", chr(10) + "spatial"))
ru.roi_align(explorer.map(), [[0, 0.5, 0.5, 3.5, 3.0]], (2, 2),
spatial_scale=1, sample_ratio=2, aligned=False)[0, 0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import Rectangle

import roi_utils as ru
from roi_chapters.ch4 import EXPLORER_BOX, SAMPLE_RATIOS, SIDE, align_map
from roi_widgets.base import (
    Explorer,
    Snapshot,
    State,
    box_fields,
    box_limits,
    check_bool,
    check_choice,
    check_float,
    check_int,
)
from roi_widgets.common import (
    MapPanel,
    NumberControl,
    box_outline,
    fixed_title,
    labelled_dropdown,
    new_figure,
)

__all__ = ["AlignExplorer", "AlignSnapshot", "AlignState", "align_map", "align_snapshot"]

VIEW_MARGIN = 0.3
"""Cells of room around a box that reaches past the map."""
VIEW_STEP = 1.5
"""The map's view grows by this many cells at a time when the box reaches past it."""
RATIOS = SAMPLE_RATIOS
CORNER = 0.45
"""Weight labels sit this far from their cell's centre, towards the corner away from the sample."""
CORNER_RANGE = (-2.0, SIDE + 2.0)
"""The box corners the sliders offer, in map cells (scale 1)."""
MAX_POOLED = 4
_EMPTY = np.empty((0, 2))
_MAP = align_map()
_MAP.flags.writeable = False


def _steps_past(overshoot: float) -> float:
    """How far the view must grow to hold a box that reaches ``overshoot`` cells past it: 0 when it
    does not, else ``overshoot`` rounded up to whole ``VIEW_STEP``s.

    >>> _steps_past(-1.0), _steps_past(0.2), _steps_past(1.6)
    (0.0, 1.5, 3.0)
    """
    return max(0.0, math.ceil(overshoot / VIEW_STEP) * VIEW_STEP)


def _view_limits(left: float, top: float, right: float, bottom: float) -> tuple[tuple, tuple]:
    """The map, its index labels and the whole box, so the cells stay large. Past the map the view
    grows in steps of ``VIEW_STEP`` cells, not with every slider step: most steps then leave the
    layout alone and repaint only the front layer (see ``frames.Layers``)."""
    low, high = -1.5, SIDE - 0.5 + VIEW_MARGIN
    xlim = (low - _steps_past(low - (left - VIEW_MARGIN)), high + _steps_past(right - (SIDE - 0.5)))
    ylim = (high + _steps_past(bottom - (SIDE - 0.5)), low - _steps_past(low - (top - VIEW_MARGIN)))
    return xlim, ylim


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


def roi_align_params(state) -> dict:
    """``roi_align``'s keyword arguments from a state's ``ph``, ``pw``, ``sample_ratio`` and
    ``aligned`` (scale 1), for this explorer and the RoIAlign gradient explorer."""
    return dict(
        pooled_size=(state.ph, state.pw),
        spatial_scale=1.0,
        sample_ratio=state.sample_ratio,
        aligned=state.aligned,
    )


@dataclass(frozen=True)
class AlignState(State):
    """Box corners (map cells, scale 1; steps of 0.25), pooled size, sample_ratio, aligned, and the
    sample whose neighbours are shown (bin and sample index).

    >>> AlignState(ph=1, bin_row=1).settled().bin_row
    0
    >>> AlignState(sample_ratio=5)
    Traceback (most recent call last):
    ...
    ValueError: sample_ratio must be one of (-1, 1, 2, 3, 4); got 5
    """

    x1: float = EXPLORER_BOX[0]
    y1: float = EXPLORER_BOX[1]
    x2: float = EXPLORER_BOX[2]
    y2: float = EXPLORER_BOX[3]
    ph: int = 2
    pw: int = 2
    sample_ratio: int = 2
    aligned: bool = False
    bin_row: int = 0
    bin_col: int = 0
    iy: int = 0
    ix: int = 0

    def __post_init__(self):
        for name in ("x1", "y1", "x2", "y2"):  # a number box can hand back 3.0000000000000004
            object.__setattr__(self, name, round(check_float(getattr(self, name), name), 4))
        for name in ("ph", "pw"):
            object.__setattr__(self, name, check_int(getattr(self, name), name, 1, MAX_POOLED))
        for name in ("bin_row", "bin_col", "iy", "ix"):
            object.__setattr__(self, name, check_int(getattr(self, name), name, 0))
        check_choice(self.sample_ratio, "sample_ratio", SAMPLE_RATIOS)
        object.__setattr__(self, "aligned", check_bool(self.aligned, "aligned"))

    def params(self) -> dict:
        """``roi_align``'s keyword arguments for this state."""
        return roi_align_params(self)

    def roi(self) -> list[float]:
        return [0, self.x1, self.y1, self.x2, self.y2]

    def samples(self) -> ru.AlignSamples:
        """Raises ``ValueError`` for an aligned box of zero size (mxnet aborts on it)."""
        return ru.roi_align_samples(self.roi(), map_shape=(SIDE, SIDE), **self.params())

    def limits(self) -> dict[str, tuple]:
        try:
            samples = self.samples()
            grid = (samples.y.grid - 1, samples.x.grid - 1)
        except ValueError:
            grid = (None, None)  # no samples: the sample index stays as it is
        return {
            **box_limits(self, CORNER_RANGE, CORNER_RANGE, (self.ph, self.pw)),
            "iy": (0, grid[0]),
            "ix": (0, grid[1]),
        }


@dataclass(frozen=True, kw_only=True)
class AlignSnapshot(Snapshot):
    """Everything the RoIAlign explorer draws. With no samples (an aligned box of zero size) every
    list is empty, ``result`` is None and ``problems`` says why."""

    box_outline: tuple[list, list]
    view_xlim: tuple[float, float]
    view_ylim: tuple[float, float]
    grid_segments: tuple
    """The lines between bins, inside the box."""
    inside: np.ndarray
    """(K, 2) x, y of the samples that read the map."""
    outside: np.ndarray
    """(K, 2) x, y of the samples beyond [-1, size] (they count as 0)."""
    chosen: np.ndarray
    """(1, 2) x, y of the starred sample, or (0, 2)."""
    neighbour_cells: tuple[tuple[float, float], ...]
    """The lower-left corners of the starred sample's neighbour cells of non-zero weight."""
    weight_labels: tuple[tuple[float, float, str], ...]
    """``(x, y, text)`` of the four weight labels (empty text: weight 0)."""
    output: np.ndarray
    """(PH, PW) output values (NaN: no output)."""
    output_range: tuple
    """``(vmin, vmax)`` of the output's colours (None: the output's own range)."""
    output_texts: np.ndarray | None
    """The values printed in the output's cells (None: none)."""
    output_title: str
    title: str


def align_call(state: AlignState) -> str:
    """The status line: ``roi_align`` on the explorer's map with this box and these parameters.

    >>> align_call(AlignState(aligned=True, sample_ratio=-1))[-61:]
    '(2, 2), spatial_scale=1, sample_ratio=-1, aligned=True)[0, 0]'
    """
    return (
        f"ru.roi_align(explorer.map(), [{state.roi()}], {(state.ph, state.pw)}, spatial_scale=1, "
        f"sample_ratio={state.sample_ratio}, aligned={state.aligned})[0, 0]"
    )


def _outside_note(outside: int, total: int) -> str:
    if outside == total:
        which = "the only sample lies" if total == 1 else f"all {total} samples lie"
        return f"{which} outside [-1, size], where a sample counts as 0: every output is 0"
    return f"{outside} of {total} samples lie outside [-1, size]: they count as 0 (hollow circles)"


def _forced_sides(state: AlignState, right: float, bottom: float) -> list[str]:
    """With aligned=False, roi_align (like mxnet) stretches a box less than one cell wide or tall to
    one cell: say so when the drawn box (from ``align_box_edges``) ends past x2 or y2."""
    ends = (("wide", state.x2, right), ("tall", state.y2, bottom))
    sides = [name for name, corner, drawn in ends if drawn > corner + 1e-3]
    if not sides:
        return []
    return [
        f"box forced to 1 cell {' and '.join(sides)}: with aligned=False the width is "
        "max(x2 - x1, 1) and the height max(y2 - y1, 1)"
    ]


def _no_samples(state: AlignState, reason: str) -> AlignSnapshot:
    return AlignSnapshot(
        data=_MAP,
        call=align_call(state),
        result=None,
        problems=(reason,),
        box_outline=([], []),
        view_xlim=_view_limits(0, 0, 0, 0)[0],
        view_ylim=_view_limits(0, 0, 0, 0)[1],
        grid_segments=(),
        inside=_EMPTY,
        outside=_EMPTY,
        chosen=_EMPTY,
        neighbour_cells=(),
        weight_labels=((0.0, 0.0, ""),) * 4,
        output=np.full((state.ph, state.pw), np.nan),
        output_range=(0, 1),
        output_texts=None,
        output_title="roi_align output: none",
        title="no output: see the line below",
    )


def align_snapshot(state: AlignState) -> AlignSnapshot:
    """Everything the RoIAlign explorer draws for ``state``, from ``roi_utils``.

    >>> snap = align_snapshot(AlignState(x1=-2.0, y1=-2.0, x2=8.0, y2=8.0, sample_ratio=4))
    >>> snap.problems[0]
    '39 of 64 samples lie outside [-1, size]: they count as 0 (hollow circles)'
    >>> align_snapshot(AlignState(x1=2.0, x2=2.0, aligned=True)).problems[0][:40]
    'rois[0] has width 0 and height 2.5 in ma'
    """
    try:
        samples = state.samples()
    except ValueError as error:  # an aligned box of zero size: mxnet would abort
        return _no_samples(state, str(error))
    y, x = samples.y, samples.x
    left, top, right, bottom = ru.align_box_edges(samples)
    edges = ru.align_bin_edges(samples)
    xlim, ylim = _view_limits(left, top, right, bottom)
    rows = edges[1:, 0, 1].tolist()  # the top of every bin row but the first
    cols = edges[0, 1:, 0].tolist()
    segments = tuple([(left, r), (right, r)] for r in rows) + tuple([(c, top), (c, bottom)] for c in cols)
    ys, xs = samples.points()
    valid = ru.align_valid_samples(samples)
    i, j = min(state.bin_row, state.ph - 1), min(state.bin_col, state.pw - 1)
    a, b = min(state.iy, y.grid - 1), min(state.ix, x.grid - 1)
    terms = samples.neighbours(i, j, a, b)
    labels = []
    for k, (row, col, weight) in enumerate(terms):
        row_high, col_high = k >= 2, k % 2 == 1
        labels.append(
            (
                col + (CORNER if col_high else -CORNER),
                row + (CORNER if row_high else -CORNER),
                f"{weight:.2f}" if weight > 0 else "",
            )
        )
    values = ru.roi_align(_MAP, [state.roi()], **state.params())[0, 0]
    outside = int((~valid).sum())
    problems = [_outside_note(outside, int(valid.size))] if outside else []
    if outside < valid.size and not (y.valid[i, a] and x.valid[j, b]):
        problems.append("the starred sample is one of them: it reads no cell")
    problems += _forced_sides(state, right, bottom)
    plural = "" if samples.count == 1 else "s"
    return AlignSnapshot(
        data=_MAP,
        call=align_call(state),
        result=values,
        problems=tuple(problems),
        box_outline=box_outline(left, top, right, bottom),
        view_xlim=xlim,
        view_ylim=ylim,
        grid_segments=segments,
        inside=np.c_[xs[valid], ys[valid]],
        outside=np.c_[xs[~valid], ys[~valid]] if outside else _EMPTY,
        chosen=np.array([[x.coord[j, b], y.coord[i, a]]]),
        neighbour_cells=tuple((c - 0.5, r - 0.5) for r, c, w in terms if w > 0),
        weight_labels=tuple(labels),
        output=values,
        output_range=(None, None),
        output_texts=values,
        output_title="roi_align output",
        title=(
            f"{y.grid} x {x.grid} sample{plural} per bin, averaged; "
            f"star: sample (iy={a}, ix={b}) of bin ({i}, {j})"
        ),
    )


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------


class AlignExplorer(Explorer):
    """Box corners (float, scale 1), pooled size, sample_ratio, aligned; choose one sample."""

    State = AlignState
    make_snapshot = staticmethod(align_snapshot)
    KEY = "x2"

    @staticmethod
    def map() -> np.ndarray:
        """``explorer.map()``: the explorer's 6 x 6 map, as the status line uses it."""
        return align_map()

    def __init__(self, box=EXPLORER_BOX, pooled=(2, 2), sample_ratio: int = 2, aligned: bool = False):
        super().__init__(
            AlignState(**box_fields(box, pooled), sample_ratio=sample_ratio, aligned=aligned)
        )

    def build(self) -> list:
        self.figure = new_figure(8.6, 4.4)
        self.ax_map, self.ax_out = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        # small margins: the map's cells must be big enough for a value and a weight label each
        self.figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93, wspace=0.08)
        self.map_panel = MapPanel(self.ax_map, SIDE)
        self.map_panel.set_map(_MAP[0, 0])
        self.ax_map.set_aspect("equal")  # square cells, whatever the view's limits
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
        self.out_panel = MapPanel(self.ax_out, MAX_POOLED, cmap="Blues", fontsize=9)
        self.ax_out.set_aspect("equal")
        fixed_title(self.ax_out, "roi_align output", fontsize=10)
        fixed_title(self.ax_map, fontsize=8)
        s = self.state
        corners = self.corner_controls(CORNER_RANGE, CORNER_RANGE, step=0.25, integer=False)
        self.ph = NumberControl("pooled height", s.ph, 1, MAX_POOLED)
        self.pw = NumberControl("pooled width", s.pw, 1, MAX_POOLED)
        self.ratio = labelled_dropdown("sample_ratio", RATIOS, s.sample_ratio)
        self.aligned = widgets.Checkbox(value=s.aligned, description="aligned (half-pixel shift)")
        self.bin_row = NumberControl("sample: bin row", 0, 0, s.ph - 1)
        self.bin_col = NumberControl("bin col", 0, 0, s.pw - 1)
        self.iy = NumberControl("iy", 0, 0, 0)
        self.ix = NumberControl("ix", 0, 0, 0)
        self.bind(
            "ph", "pw", "aligned", "bin_row", "bin_col", "iy", "ix",
            sample_ratio=self.ratio,
        )  # fmt: skip
        return [
            *corners,
            widgets.HBox([self.ph.box, self.pw.box, self.ratio, self.aligned]),
            widgets.HBox([self.bin_row.box, self.bin_col.box, self.iy.box, self.ix.box]),
        ]

    # -- the state, as the notebook reads it ------------------------------------

    def params(self) -> dict:
        return self.state.params()

    def rois(self) -> list[list[float]]:
        return [self.state.roi()]

    def samples(self) -> ru.AlignSamples:
        return self.state.samples()

    def output_values(self) -> np.ndarray:
        return self.snapshot.result

    # -- drawing ----------------------------------------------------------------

    def show(self, snap: AlignSnapshot) -> None:
        self.box_line.set_data(*snap.box_outline)
        self.ax_map.set_xlim(*snap.view_xlim)
        self.ax_map.set_ylim(*snap.view_ylim)
        self.grid_lines.set_segments(list(snap.grid_segments))
        self.points.set_offsets(snap.inside)
        self.outside.set_offsets(snap.outside)
        self.chosen.set_offsets(snap.chosen)
        self.neighbour_cells.set_paths([Rectangle(corner, 1, 1) for corner in snap.neighbour_cells])
        for text, (x, y, label) in zip(self.weight_texts, snap.weight_labels, strict=True):
            text.set_position((x, y))
            text.set_text(label)
        self.out_panel.set_map(snap.output, *snap.output_range, show_values=False)
        self.out_panel.set_values(snap.output_texts, fmt="{:.3f}")
        self.ax_out.title.set_text(snap.output_title)
        self.ax_map.title.set_text(snap.title)

    def front_artists(self) -> list:
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
