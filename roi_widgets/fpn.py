"""The FPN explorer: drag a box's size, see the pyramid level it goes to and its bins on that map.

Model: ``FpnState`` (box side = sqrt(area) in image pixels, aspect, pyramid, rule) and
``fpn_snapshot``, which takes the level from ``roi_family.fpn_levels`` (or ``fpn_levels_mmdet``),
the thresholds from ``fpn_thresholds`` and the bins and samples on the level's map from
``roi_utils.roi_align_samples``. View: ``FpnExplorer`` copies a snapshot onto its artists.

>>> fpn_snapshot(FpnState(side=224)).result.tolist()
[4]
>>> fpn_snapshot(FpnState(side=224, pyramid="P3-P6", rule="mmdetection")).result.tolist()
[5]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import roi_utils as ru
from roi_widgets.base import NOT_CELLS, Explorer, Snapshot, State, check_choice, check_int
from roi_widgets.common import NumberControl, labelled_dropdown, new_figure

IMAGE = 512
"""The image is IMAGE x IMAGE pixels; the box sits at its centre."""
ASPECTS = {"1:1": 1.0, "2:1": 2.0, "1:2": 0.5, "4:1": 4.0}
PYRAMIDS = {"P2-P5": (2, 5), "P3-P6": (3, 6)}
RULES = ("torchvision", "mmdetection")
POOLED = 2
LEVEL_COLOURS = {2: "#1f77b4", 3: "#2ca02c", 4: "#ff7f0e", 5: "#9467bd", 6: "#8c564b"}


@dataclass(frozen=True)
class FpnState(State):
    """Box side (sqrt of its area, image pixels), aspect (width:height), pyramid and rule.

    >>> FpnState(rule="detectron")
    Traceback (most recent call last):
    ...
    ValueError: rule must be one of ('torchvision', 'mmdetection'); got 'detectron'
    """

    side: int = 224
    aspect: str = "1:1"
    pyramid: str = "P2-P5"
    rule: str = "torchvision"

    def __post_init__(self):
        object.__setattr__(self, "side", check_int(self.side, "side", 4, 1000))
        check_choice(self.aspect, "aspect", ASPECTS)
        check_choice(self.pyramid, "pyramid", PYRAMIDS)
        check_choice(self.rule, "rule", RULES)

    def roi(self) -> list[float]:
        """The box, centred in the image, with sqrt(w * h) = side (to 0.01 pixel)."""
        ratio = ASPECTS[self.aspect]
        w, h = self.side * math.sqrt(ratio), self.side / math.sqrt(ratio)
        c = IMAGE / 2
        return [0, round(c - w / 2, 2), round(c - h / 2, 2), round(c + w / 2, 2), round(c + h / 2, 2)]


@dataclass(frozen=True, kw_only=True)
class FpnSnapshot(Snapshot):
    """Everything the FPN explorer draws: the scale bar (left) and the level's map (right, image pixels)."""

    level: int
    other_level: int
    """The level under the other rule (torchvision vs mmdetection)."""
    thresholds: tuple[float, ...]
    level_spans: tuple[tuple[float, float, str, str], ...]
    """(from, to, colour, label) of every level along the side axis."""
    span_centres: tuple[float, ...]
    """Where each level's label sits (the geometric middle of its span)."""
    note: str
    """The thresholds and the call, printed beside the map."""
    marker_x: float
    box_outline: tuple[list, list]
    grid_segments: np.ndarray
    """(K, 2, 2) the level's cell edges, in image pixels."""
    bin_segments: np.ndarray
    samples_xy: np.ndarray
    colour: str
    title: str
    map_title: str


def fpn_call(state: FpnState) -> str:
    k_min, k_max = PYRAMIDS[state.pyramid]
    function = "fpn_levels" if state.rule == "torchvision" else "fpn_levels_mmdet"
    return f"ru.{function}([{state.roi()}], {k_min}, {k_max})"


def _levels(state: FpnState, rule: str) -> int:
    k_min, k_max = PYRAMIDS[state.pyramid]
    function = ru.fpn_levels if rule == "torchvision" else ru.fpn_levels_mmdet
    return int(function([state.roi()], k_min, k_max)[0])


def fpn_snapshot(state: FpnState) -> FpnSnapshot:
    k_min, k_max = PYRAMIDS[state.pyramid]
    result = ru.fpn_levels([state.roi()], k_min, k_max)
    if state.rule == "mmdetection":
        result = ru.fpn_levels_mmdet([state.roi()], k_min, k_max)
        # mmdetection's thresholds: finest_scale * 2, * 4, ... whichever map comes first
        thresholds = ru.fpn_thresholds(k_min, k_max, canonical_scale=56 * 2 ** (4 - k_min))
    else:
        thresholds = ru.fpn_thresholds(k_min, k_max)
    level = int(result[0])
    other = _levels(state, "mmdetection" if state.rule == "torchvision" else "torchvision")
    edges = [4.0, *thresholds.tolist(), 1000.0]
    spans = tuple(
        (edges[i], edges[i + 1], LEVEL_COLOURS[k], f"P{k}") for i, k in enumerate(range(k_min, k_max + 1))
    )
    stride = 2**level
    cells = IMAGE // stride
    roi = state.roi()
    samples = ru.roi_align_samples(roi, POOLED, 1 / stride, 2, False, (cells, cells))
    xs = [samples.x.start + i * samples.x.bin_size for i in range(POOLED + 1)]
    ys = [samples.y.start + i * samples.y.bin_size for i in range(POOLED + 1)]
    bins = [[(x * stride, ys[0] * stride), (x * stride, ys[-1] * stride)] for x in xs]
    bins += [[(xs[0] * stride, y * stride), (xs[-1] * stride, y * stride)] for y in ys]
    lines = np.arange(cells + 1) * stride  # cell edges: cell c spans [c - 0.5, c + 0.5] map cells
    grid = [[(v - stride / 2, -stride / 2), (v - stride / 2, IMAGE - stride / 2)] for v in lines]
    grid += [[(-stride / 2, v - stride / 2), (IMAGE - stride / 2, v - stride / 2)] for v in lines]
    py, px = samples.points()
    _, x1, y1, x2, y2 = roi
    problems = ()
    if level in (k_min, k_max) and not (thresholds[0] <= state.side < thresholds[-1]):
        problems = (f"clamped to P{level}: there is no map beyond P{k_min}..P{k_max}",)
    return FpnSnapshot(
        data=np.zeros((1, 1, cells, cells), np.float32),
        call=fpn_call(state),
        result=result,
        problems=problems,
        level=level,
        other_level=other,
        thresholds=tuple(thresholds.tolist()),
        level_spans=spans,
        span_centres=tuple(math.sqrt(low * high) for low, high, _, _ in spans),
        note="thresholds on sqrt(area):\n  "
        + ", ".join(f"{t:g}" for t in thresholds)
        + "\n\n"
        + fpn_call(state),
        marker_x=float(state.side),
        box_outline=([x1, x2, x2, x1, x1], [y1, y1, y2, y2, y1]),
        grid_segments=np.array(grid, float),
        bin_segments=np.array(bins, float),
        samples_xy=np.stack([px.ravel() * stride, py.ravel() * stride], 1),
        colour=LEVEL_COLOURS[level],
        title=f"sqrt(area) = {state.side} px -> P{level} ({state.rule}); "
        f"{'mmdetection' if state.rule == 'torchvision' else 'torchvision'} says P{other}",
        map_title=f"P{level}: stride {stride}, {cells} x {cells} cells, {POOLED} x {POOLED} bins",
    )


class FpnExplorer(Explorer):
    """Box side (key), aspect, pyramid and rule as controls; the level scale and the level's map drawn.

    Parameters
    ----------
    side : int
        sqrt(area) of the box in image pixels.
    aspect : str
        A key of ``ASPECTS`` (width : height).
    pyramid : str
        ``"P2-P5"`` or ``"P3-P6"``.
    rule : str
        ``"torchvision"`` or ``"mmdetection"``.
    """

    State = FpnState
    make_snapshot = staticmethod(fpn_snapshot)
    KEY = "side"

    def __init__(self, side=224, aspect="1:1", pyramid="P2-P5", rule="torchvision"):
        super().__init__(FpnState(side=side, aspect=aspect, pyramid=pyramid, rule=rule))

    def build(self) -> list:
        import ipywidgets as widgets
        from matplotlib.collections import LineCollection

        self.figure = new_figure(8.4, 4.4)
        grid = self.figure.add_gridspec(2, 2, height_ratios=[1, 4], width_ratios=[1, 1])
        self.ax_bar = self.figure.add_subplot(grid[0, :], label=NOT_CELLS)  # box sizes, log scale
        self.ax_map = self.figure.add_subplot(grid[1, 1])
        self.ax_note = self.figure.add_subplot(grid[1, 0], label=NOT_CELLS)
        self.figure.subplots_adjust(left=0.04, right=0.98, bottom=0.03, top=0.9, hspace=0.45)
        bar = self.ax_bar
        bar.set_xscale("log", base=2)
        bar.set_xlim(4, 1000)
        bar.set_ylim(0, 1)
        bar.set_yticks([])
        bar.set_xticks(
            [8, 16, 32, 56, 112, 224, 448, 896], ["8", "16", "32", "56", "112", "224", "448", "896"]
        )
        bar.tick_params(labelsize=7)
        self.spans = [bar.axvspan(4, 5, alpha=0.35) for _ in range(4)]
        self.span_labels = [bar.text(5, 0.5, "", ha="center", va="center", fontsize=9) for _ in range(4)]
        # over the level labels: a front artist lies above every back-layer artist it overlaps
        self.marker = bar.axvline(224, color="crimson", lw=2.5, zorder=3.5)
        self.title = bar.set_title("", fontsize=9)
        self.ax_note.set_axis_off()
        self.note = self.ax_note.text(0, 0.95, "", va="top", fontsize=9, family="monospace", wrap=True)
        ax = self.ax_map
        ax.set_xlim(-20, IMAGE + 20)
        ax.set_ylim(IMAGE + 20, -20)
        ax.set_aspect("equal")
        ax.set_axis_off()
        self.grid = LineCollection([], colors="0.8", linewidths=0.5, zorder=1)
        self.bin_lines = LineCollection([], colors="tab:blue", linewidths=1.5, zorder=2)
        ax.add_collection(self.grid)
        ax.add_collection(self.bin_lines)
        (self.box,) = ax.plot([], [], color="crimson", lw=2, zorder=3)
        self.samples = ax.scatter([], [], s=10, color="tab:blue", zorder=4)
        self.map_title = ax.set_title("", fontsize=9)
        s = self.state
        self.side = NumberControl("box side sqrt(area)", s.side, 4, 1000, width="330px")
        self.aspect = labelled_dropdown("aspect w:h", list(ASPECTS), s.aspect)
        self.pyramid = labelled_dropdown("pyramid", list(PYRAMIDS), s.pyramid)
        self.rule = labelled_dropdown("rule", list(RULES), s.rule)
        self.controls = {"side": self.side, "aspect": self.aspect, "pyramid": self.pyramid, "rule": self.rule}
        return [widgets.HBox([self.side.box, self.aspect]), widgets.HBox([self.pyramid, self.rule])]

    def show(self, snap: FpnSnapshot) -> None:
        if self.changed("spans", snap.level_spans):  # back layer: only the pyramid or rule moves them
            for patch, label, (low, high, colour, text), centre in zip(
                self.spans, self.span_labels, snap.level_spans, snap.span_centres, strict=True
            ):
                patch.set_x(low)
                patch.set_width(high - low)
                patch.set_facecolor(colour)
                label.set_position((centre, 0.5))
                label.set_text(text)
        self.marker.set_xdata([snap.marker_x, snap.marker_x])
        self.title.set_text(snap.title)
        self.note.set_text(snap.note)
        self.grid.set_segments(list(snap.grid_segments))
        self.bin_lines.set_segments(list(snap.bin_segments))
        self.box.set_data(*snap.box_outline)
        self.box.set_color(snap.colour)
        self.samples.set_offsets(snap.samples_xy)
        self.map_title.set_text(snap.map_title)

    def front_artists(self) -> list:
        return [
            self.marker,
            self.title,
            self.note,
            self.grid,
            self.bin_lines,
            self.box,
            self.samples,
            self.map_title,
        ]
