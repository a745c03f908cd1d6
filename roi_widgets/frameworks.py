"""Chapter 7's explorer: one box on one map, every framework's sample points and outputs side by side.

The model (``FrameworksState`` -> ``frameworks_snapshot``) computes everything with ``roi_utils`` and
``roi_frameworks``: the sample points of RoIAlign without and with the half-pixel shift
(``roi_align_samples``, ``onnx_roi_align_samples``), TensorFlow's corner-aligned grid
(``tf_crop_grid``), and five outputs: mxnet's ``ROIAlign`` (torchvision's default, ONNX opset 10),
ONNX opset 16's default (half_pixel; Detectron2's and mmcv's default), ONNX's max mode, mmcv's max
mode and ``tf.image.crop_and_resize`` with the box normalised as TensorFlow's Object Detection API
does. The view only copies the snapshot onto its artists.

>>> snap = frameworks_snapshot(FrameworksState())
>>> [round(float(v), 4) for v in snap.outputs[0].ravel()]
[2.1797, 4.4141, 5.6914, 3.8984]
>>> snap.call
'ru.roi_align(explorer.map("random 6x6"), [[0, 1.0, 1.0, 4.0, 3.5]], (2, 2), 1, 2, False)[0, 0]'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

import roi_frameworks as rf
import roi_utils as ru
from roi_chapters.ch7 import BOX, MAP_NAMES, MAP_SIDE, POOLED, SAMPLE_RATIO
from roi_chapters.ch7 import example_map as _example_map
from roi_widgets.base import (
    NOT_CELLS,
    Explorer,
    Snapshot,
    State,
    box_fields,
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

FRAMEWORK_NAMES = (
    "mxnet ROIAlign",
    "ONNX RoiAlign (opset 16)",
    "ONNX RoiAlign max",
    "mmcv RoIAlign max",
    "TF crop_and_resize",
)
"""The five outputs shown side by side; the chosen one is the status line's call."""

FRAMEWORK_NOTES = (
    "aligned=False\n= torchvision, opset 10",
    "half_pixel\n= Detectron2, mmcv avg",
    "half_pixel\nmax of weighted corners",
    "aligned=True\nmax of interpolated",
    "normalised box\none sample per cell",
)

MAX_POOLED = 4
MAX_RATIO = 3
CORNER_LIMIT = MAP_SIDE + 1.0
POINT_STYLES = {
    "without shift": {"marker": "o", "s": 28, "facecolors": "none", "edgecolors": "#1f77b4", "lw": 1.4},
    "half_pixel": {"marker": "x", "s": 30, "c": "#d62728", "lw": 1.6},
    "crop_and_resize": {"marker": "+", "s": 60, "c": "#2ca02c", "lw": 1.6},
}

__all__ = [
    "FRAMEWORK_NAMES",
    "FrameworksExplorer",
    "FrameworksSnapshot",
    "FrameworksState",
    "frameworks_snapshot",
]


@functools.lru_cache(maxsize=8)
def example_map(name: str) -> np.ndarray:
    """``roi_chapters.ch7.example_map``, read-only and kept (the same name gives the same array).

    >>> example_map("arange 6x6") is example_map("arange 6x6")
    True
    """
    data = _example_map(name)
    data.flags.writeable = False
    return data


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworksState(State):
    """Map, box corners (map cells, scale 1), pooled size, sampling ratio (0: adaptive) and the
    framework whose output the status line reproduces.

    >>> FrameworksState(x1=3.0, x2=2.0).settled().x2   # x2 never left of x1
    3.0
    >>> FrameworksState(framework="caffe")
    Traceback (most recent call last):
    ...
    ValueError: framework must be one of ('mxnet ROIAlign', 'ONNX RoiAlign (opset 16)', \
'ONNX RoiAlign max', 'mmcv RoIAlign max', 'TF crop_and_resize'); got 'caffe'
    """

    map_name: str = "random 6x6"
    x1: float = BOX[1]
    y1: float = BOX[2]
    x2: float = BOX[3]
    y2: float = BOX[4]
    ph: int = POOLED[0]
    pw: int = POOLED[1]
    sampling_ratio: int = SAMPLE_RATIO
    framework: str = FRAMEWORK_NAMES[0]

    def __post_init__(self):
        check_choice(self.map_name, "map_name", MAP_NAMES)
        check_choice(self.framework, "framework", FRAMEWORK_NAMES)
        for name in ("x1", "y1", "x2", "y2"):
            value = check_float(getattr(self, name), name)
            if not -1 <= value <= CORNER_LIMIT:
                raise ValueError(f"{name} must be in [-1, {CORNER_LIMIT:g}]; got {value}")
            object.__setattr__(self, name, value)
        for name, high in (("ph", MAX_POOLED), ("pw", MAX_POOLED), ("sampling_ratio", MAX_RATIO)):
            low = 0 if name == "sampling_ratio" else 1
            object.__setattr__(self, name, check_int(getattr(self, name), name, low, high))

    def limits(self) -> dict[str, tuple]:
        return {"x2": (self.x1, CORNER_LIMIT), "y2": (self.y1, CORNER_LIMIT)}

    def roi(self) -> list[float]:
        """mxnet's row ``[0, x1, y1, x2, y2]``."""
        return [0, self.x1, self.y1, self.x2, self.y2]

    def tf_box(self) -> list[float]:
        """The box normalised as the Object Detection API does (by the map's size, edges 0 and 6):
        ``[y1 / H, x1 / W, y2 / H, x2 / W]`` as float32 values."""
        box = np.array([self.y1, self.x1, self.y2, self.x2], np.float32) / np.float32(MAP_SIDE)
        return [float(v) for v in box]


@dataclass(frozen=True, kw_only=True)
class FrameworksSnapshot(Snapshot):
    """Everything the explorer draws (map coordinates: cell centres at whole numbers)."""

    box_outline: tuple[list, list]
    points: tuple[np.ndarray, np.ndarray, np.ndarray]
    """(K, 2) x, y of the samples without shift, with the half-pixel shift, and of crop_and_resize."""
    outputs: tuple[np.ndarray, ...]
    """One (PH, PW) output per framework, in ``FRAMEWORK_NAMES`` order."""
    output_blocks: tuple[str, ...]
    """Each output as one block of text: rows on lines, values in columns 8 characters wide (one text
    artist per panel: matplotlib lays out each text artist at every draw, and that is most of a step)."""
    panel_titles: tuple[str, ...]
    panel_weights: tuple[str, ...]
    """"bold" for the chosen framework's panel, "normal" for the others."""
    title: str


def _points(samples: ru.AlignSamples) -> np.ndarray:
    ys, xs = samples.points()
    return np.c_[xs.ravel(), ys.ravel()]


def _call(state: FrameworksState) -> str:
    """The chosen framework's output, as a line to paste (``explorer.rf`` is ``roi_frameworks``)."""
    m = f'explorer.map("{state.map_name}")'
    x1, y1, x2, y2 = state.x1, state.y1, state.x2, state.y2
    pooled, ratio = (state.ph, state.pw), state.sampling_ratio
    onnx = (
        f"explorer.rf.onnx_roi_align({m}, [[{x1}, {y1}, {x2}, {y2}]], [0], output_height={state.ph}, "
        f"output_width={state.pw}, sampling_ratio={ratio}"
    )
    calls = {
        FRAMEWORK_NAMES[0]: f"ru.roi_align({m}, [{state.roi()}], {pooled}, 1, {ratio or -1}, False)[0, 0]",
        FRAMEWORK_NAMES[1]: f"{onnx})[0, 0]",
        FRAMEWORK_NAMES[2]: f'{onnx}, mode="max")[0, 0]',
        FRAMEWORK_NAMES[
            3
        ]: f'explorer.rf.mmcv_roi_align({m}, [{state.roi()}], {pooled}, 1.0, {ratio}, "max")[0, 0]',
        FRAMEWORK_NAMES[4]: (
            f"explorer.rf.tf_crop_and_resize({m}.transpose(0, 2, 3, 1), [{state.tf_box()}], [0], {pooled})"
            "[0, :, :, 0]"
        ),
    }
    return calls[state.framework]


def _problems(state: FrameworksState, grid: rf.CropGrid) -> tuple[str, ...]:
    problems = []
    if state.x2 == state.x1 or state.y2 == state.y1:
        problems.append(
            "zero-size box: with the half-pixel shift mxnet aborts and roi_utils refuses; ONNX Runtime "
            "samples it" + (" (adaptive sampling: no samples, output 0)" if state.sampling_ratio == 0 else "")
        )
    if not (grid.valid_y.all() and grid.valid_x.all()):
        problems.append("crop_and_resize samples outside the map: those cells are extrapolation_value 0")
    return tuple(problems)


def frameworks_snapshot(state: FrameworksState) -> FrameworksSnapshot:
    """Everything the explorer draws for ``state``, from ``roi_utils`` and ``roi_frameworks``.

    >>> snap = frameworks_snapshot(FrameworksState(map_name="constant -10", sampling_ratio=1))
    >>> snap.outputs[2].tolist()   # ONNX max mode on a constant map of -10
    [[-0.3125, -0.3125], [-0.9375, -0.9375]]
    """
    data = example_map(state.map_name)
    pooled, ratio, roi = (state.ph, state.pw), state.sampling_ratio, state.roi()
    box4 = roi[1:]
    plain = ru.roi_align_samples(roi, pooled, 1.0, ratio or -1, False, (MAP_SIDE, MAP_SIDE))
    shifted = rf.onnx_roi_align_samples(
        box4,
        output_height=state.ph,
        output_width=state.pw,
        sampling_ratio=ratio,
        map_shape=(MAP_SIDE, MAP_SIDE),
    )
    grid = rf.tf_crop_grid(state.tf_box(), pooled, (MAP_SIDE, MAP_SIDE))
    crop_points = np.c_[np.tile(grid.in_x, len(grid.in_y)), np.repeat(grid.in_y, len(grid.in_x))]
    outputs = (
        ru.roi_align(data, [roi], pooled, 1, ratio or -1, False)[0, 0],
        rf.onnx_roi_align(
            data, [box4], [0], output_height=state.ph, output_width=state.pw, sampling_ratio=ratio
        )[0, 0],
        rf.onnx_roi_align(
            data, [box4], [0], output_height=state.ph, output_width=state.pw, sampling_ratio=ratio, mode="max"
        )[0, 0],
        rf.mmcv_roi_align(data, [roi], pooled, 1.0, ratio, "max")[0, 0],
        rf.tf_crop_and_resize(data.transpose(0, 2, 3, 1), [state.tf_box()], [0], pooled)[0, :, :, 0],
    )
    chosen = FRAMEWORK_NAMES.index(state.framework)
    outputs = tuple(np.ascontiguousarray(o) for o in outputs)
    return FrameworksSnapshot(
        data=data,
        call=_call(state),
        result=outputs[chosen],
        problems=_problems(state, grid),
        box_outline=box_outline(state.x1, state.y1, state.x2, state.y2),
        points=(_points(plain), _points(shifted), crop_points),
        outputs=outputs,
        output_blocks=tuple("\n".join("".join(f"{v:>8.4g}" for v in row) for row in out) for out in outputs),
        panel_titles=tuple(
            f"{name}\n{note}" for name, note in zip(FRAMEWORK_NAMES, FRAMEWORK_NOTES, strict=True)
        ),
        panel_weights=tuple("bold" if i == chosen else "normal" for i in range(len(FRAMEWORK_NAMES))),
        title=(
            f"box [{state.x1:g}, {state.y1:g}, {state.x2:g}, {state.y2:g}], {state.ph} x {state.pw} bins, "
            f"sampling_ratio {ratio}" + (" (adaptive)" if ratio == 0 else "")
        ),
    )


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------


class FrameworksExplorer(Explorer):
    """Box corners, pooled size, sampling ratio, map and the framework of the status line as controls;
    the map with three kinds of sample points, and five outputs side by side.

    Parameters
    ----------
    map_name : str
        One of ``roi_chapters.ch7.MAP_NAMES``.
    box : (x1, y1, x2, y2)
        Corners in map cells (spatial_scale 1).
    pooled : (PH, PW)
    sampling_ratio : int
        0 (adaptive, mxnet's -1) to 3.
    framework : str
        One of ``FRAMEWORK_NAMES``: whose output the status line reproduces.
    """

    State = FrameworksState
    make_snapshot = staticmethod(frameworks_snapshot)
    KEY = "x2"
    map = staticmethod(example_map)
    """``explorer.map(name)``: a named map, as the status line uses it."""
    rf = rf
    """``roi_frameworks``, for the status line's ``explorer.rf.onnx_roi_align(...)``."""

    def __init__(
        self,
        map_name: str = "random 6x6",
        box=tuple(BOX[1:]),
        pooled=POOLED,
        sampling_ratio: int = SAMPLE_RATIO,
        framework: str = FRAMEWORK_NAMES[0],
    ):
        super().__init__(
            FrameworksState(
                map_name=map_name,
                **box_fields(box, pooled),
                sampling_ratio=sampling_ratio,
                framework=framework,
            )
        )

    def build(self) -> list:
        self.figure = new_figure(9.4, 4.6)
        grid = self.figure.add_gridspec(
            2,
            4,
            width_ratios=[2.6, 1, 1, 1],
            left=0.01,
            right=0.99,
            bottom=0.02,
            top=0.84,
            wspace=0.12,
            hspace=0.55,
        )
        self.ax_map = self.figure.add_subplot(grid[:, 0])
        cells = [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2)]
        self.ax_outs = [self.figure.add_subplot(grid[r, c], label=NOT_CELLS) for r, c in cells]  # text
        self.ax_legend = self.figure.add_subplot(grid[1, 3], label=NOT_CELLS)
        self.ax_map.set_aspect("equal")  # square cells
        self._build_artists()
        s = self.state
        self.map_choice = widgets.Dropdown(options=MAP_NAMES, value=s.map_name, description="map")
        self.framework_choice = labelled_dropdown("status line", list(FRAMEWORK_NAMES), s.framework)
        corners = {}
        for name in ("x1", "y1", "x2", "y2"):
            corners[name] = NumberControl(
                name, getattr(s, name), -1.0, CORNER_LIMIT, step=0.25, integer=False
            )
        self.x1, self.y1, self.x2, self.y2 = (corners[n] for n in ("x1", "y1", "x2", "y2"))
        self.ph = NumberControl("pooled height", s.ph, 1, MAX_POOLED)
        self.pw = NumberControl("pooled width", s.pw, 1, MAX_POOLED)
        self.sampling_ratio = NumberControl("sampling_ratio", s.sampling_ratio, 0, MAX_RATIO)
        self.controls = {
            "map_name": self.map_choice,
            "framework": self.framework_choice,
            **corners,
            "ph": self.ph,
            "pw": self.pw,
            "sampling_ratio": self.sampling_ratio,
        }
        return [
            widgets.HBox([self.map_choice, self.framework_choice]),
            widgets.HBox([self.x1.box, self.y1.box]),
            widgets.HBox([self.x2.box, self.y2.box]),
            widgets.HBox([self.ph.box, self.pw.box, self.sampling_ratio.box]),
        ]

    def _build_artists(self) -> None:
        ax = self.ax_map
        self.map_panel = MapPanel(ax, MAP_SIDE, fontsize=8)
        ax.set_xlim(-1.5, CORNER_LIMIT + 0.5)
        ax.set_ylim(CORNER_LIMIT + 0.5, -1.5)
        (self.box_line,) = ax.plot([], [], color="black", lw=1.5, zorder=2)
        self.point_sets = [
            ax.scatter([], [], zorder=3, label=label, **style) for label, style in POINT_STYLES.items()
        ]
        fixed_title(ax, fontsize=9)
        self.ax_legend.set_axis_off()
        self.ax_legend.legend(
            handles=self.point_sets,
            loc="center",
            fontsize=8,
            frameon=False,
            title="sample points",
            title_fontsize=8,
        )
        self.out_blocks = []
        for out in self.ax_outs:
            out.set_axis_off()
            fixed_title(out, fontsize=8)
            block = out.text(
                0.5,
                0.95,
                "",
                ha="center",
                va="top",
                fontsize=8,
                family="monospace",
                linespacing=1.6,
                transform=out.transAxes,
            )
            self.out_blocks.append(block)

    def show(self, snap: FrameworksSnapshot) -> None:
        if self.changed("map", snap.data):
            self.map_panel.set_map(snap.data[0, 0])
            self.ax_map.set_xlim(-1.5, CORNER_LIMIT + 0.5)
            self.ax_map.set_ylim(CORNER_LIMIT + 0.5, -1.5)
        self.box_line.set_data(*snap.box_outline)
        for artist, points in zip(self.point_sets, snap.points, strict=True):
            artist.set_offsets(points)
        self.ax_map.title.set_text(snap.title)
        for out, block, text, title, weight in zip(
            self.ax_outs,
            self.out_blocks,
            snap.output_blocks,
            snap.panel_titles,
            snap.panel_weights,
            strict=True,
        ):
            if self.changed(f"title {title}", weight):  # titles are back layer: touched only on a change
                out.title.set_text(title)
                out.title.set_fontweight(weight)
            block.set_text(text)

    def front_artists(self) -> list:
        return [
            self.box_line,
            *self.point_sets,
            self.ax_map.title,
            *self.out_blocks,
        ]
