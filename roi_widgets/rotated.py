"""The rotated RoIAlign explorer: an angle slider turns the box, its bins and its sample grid.

Model: ``RotatedState`` (angle in degrees, centre, size, pooled size, sampling ratio, map seed) and
``rotated_snapshot``, which takes everything drawn from ``roi_family.rotated_roi_align_samples``
(corners, bin corners, sample positions, which samples are on the map) and the output from
``rotated_roi_align``. View: ``RotatedExplorer`` copies a snapshot onto its artists.

>>> snap = rotated_snapshot(RotatedState(angle=90, cx=1.5, cy=1.5, w=4.0, h=2.0, ph=1, pw=2, ratio=1))
>>> snap.call
'ru.rotated_roi_align(explorer.map(seed=0), [[0, 1.5, 1.5, 4.0, 2.0, 90]], (1, 2), sampling_ratio=1)[0, 0]'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import roi_utils as ru
from roi_widgets.base import Explorer, Snapshot, State, check_float, check_int
from roi_widgets.common import MapPanel, NumberControl, cell_mesh, new_figure, show_cells

MAP_SIDE = 8
MAX_POOLED = 4
SAMPLE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")


def rotated_map(seed: int = 0) -> np.ndarray:
    """The explorer's (1, 1, 8, 8) map: small whole numbers, so values can be read off the cells."""
    return np.random.default_rng(seed).integers(0, 10, (1, 1, MAP_SIDE, MAP_SIDE)).astype(np.float32)


@dataclass(frozen=True)
class RotatedState(State):
    """Angle (degrees), centre and size (map cells, scale 1), pooled size, sampling ratio, map seed.

    >>> RotatedState(angle=400)
    Traceback (most recent call last):
    ...
    ValueError: angle must be in [-180, 180]; got 400
    """

    angle: int = 30
    cx: float = 3.5
    cy: float = 3.0
    w: float = 5.0
    h: float = 3.0
    ph: int = 2
    pw: int = 2
    ratio: int = 2
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "angle", check_int(self.angle, "angle", -180, 180))
        for name in ("cx", "cy", "w", "h"):
            object.__setattr__(self, name, check_float(getattr(self, name), name))
        for name, (low, high) in {"ph": (1, MAX_POOLED), "pw": (1, MAX_POOLED), "ratio": (-1, 4)}.items():
            object.__setattr__(self, name, check_int(getattr(self, name), name, low, high))
        object.__setattr__(self, "seed", check_int(self.seed, "seed", 0, 99))

    def limits(self) -> dict[str, tuple]:
        return {
            "cx": (-1.0, MAP_SIDE),
            "cy": (-1.0, MAP_SIDE),
            "w": (0.0, 2.0 * MAP_SIDE),
            "h": (0.0, 2.0 * MAP_SIDE),
        }

    def roi(self) -> list[float]:
        return [0, self.cx, self.cy, self.w, self.h, self.angle]


@dataclass(frozen=True, kw_only=True)
class RotatedSnapshot(Snapshot):
    """Everything the rotated explorer draws, in map cells (cell centres at whole numbers)."""

    outline: np.ndarray
    """(5, 2) the box's corners, closed."""
    bin_lines: np.ndarray
    """(PH * PW, 5, 2) every bin's closed outline."""
    sample_xy: np.ndarray
    """(S, 2) every sample position."""
    sample_colours: tuple[str, ...]
    sample_inside: np.ndarray
    """(S,) True for samples within the map's [-1, size] margin (drawn filled)."""
    output: np.ndarray
    output_texts: tuple[tuple[str, ...], ...]
    title: str


def rotated_call(state: RotatedState) -> str:
    return (
        f"ru.rotated_roi_align(explorer.map(seed={state.seed}), [[0, {state.cx}, {state.cy}, {state.w}, "
        f"{state.h}, {state.angle}]], ({state.ph}, {state.pw}), sampling_ratio={state.ratio})[0, 0]"
    )


def rotated_snapshot(state: RotatedState) -> RotatedSnapshot:
    data = rotated_map(state.seed)
    pooled = (state.ph, state.pw)
    samples = ru.rotated_roi_align_samples(
        state.roi(), pooled, 1.0, state.ratio, map_shape=(MAP_SIDE, MAP_SIDE)
    )
    result = ru.rotated_roi_align(data, [state.roi()], pooled, sampling_ratio=state.ratio)[0, 0]
    corners = samples.corners()
    bins = samples.bin_corners().reshape(-1, 4, 2)
    bin_index = np.broadcast_to(
        np.arange(state.ph * state.pw).reshape(state.ph, state.pw, 1, 1), samples.x.shape
    ).ravel()
    problems = []
    if min(state.w, state.h) < 1:
        problems.append("a side below 1 cell is forced to 1 (RROIAlign's rule)")
    if not samples.valid.all():
        problems.append(f"{int((~samples.valid).sum())} samples lie beyond the map's margin: they count as 0")
    return RotatedSnapshot(
        data=data,
        call=rotated_call(state),
        result=result,
        problems=tuple(problems),
        outline=np.vstack([corners, corners[:1]]),
        bin_lines=np.concatenate([bins, bins[:, :1]], axis=1),
        sample_xy=np.stack([samples.x.ravel(), samples.y.ravel()], 1),
        sample_colours=tuple(SAMPLE_COLOURS[i % len(SAMPLE_COLOURS)] for i in bin_index),
        sample_inside=samples.valid.ravel(),
        output=result,
        output_texts=tuple(tuple(f"{v:.3f}" for v in row) for row in result),
        title=f"angle {state.angle} degrees: {samples.grid[0]} x {samples.grid[1]} samples per bin",
    )


class RotatedExplorer(Explorer):
    """Angle, centre, size, pooled size and sampling ratio as controls; map, turned grid, output drawn.

    Parameters
    ----------
    angle : int
        Degrees, -180..180 (positive turns counter-clockwise on screen).
    centre : (cx, cy)
    size : (w, h)
        In map cells (the explorer's scale is 1).
    pooled : (PH, PW)
    sampling_ratio : int
    seed : int
    """

    State = RotatedState
    make_snapshot = staticmethod(rotated_snapshot)
    KEY = "angle"
    map = staticmethod(rotated_map)

    def __init__(self, angle=30, centre=(3.5, 3.0), size=(5.0, 3.0), pooled=(2, 2), sampling_ratio=2, seed=0):
        (cx, cy), (w, h), (ph, pw) = centre, size, pooled
        super().__init__(
            RotatedState(angle=angle, cx=cx, cy=cy, w=w, h=h, ph=ph, pw=pw, ratio=sampling_ratio, seed=seed)
        )

    def build(self) -> list:
        import ipywidgets as widgets
        from matplotlib.collections import LineCollection

        self.figure = new_figure(8.4, 4.2)
        self.ax_map, self.ax_out = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        self.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.9, wspace=0.08)
        self.map_panel = MapPanel(self.ax_map, MAP_SIDE, fontsize=7)
        self.bins = LineCollection([], colors="tab:blue", linewidths=1, zorder=2)
        self.ax_map.add_collection(self.bins)
        (self.box,) = self.ax_map.plot([], [], color="crimson", lw=2.5, zorder=2.5)
        self.samples = self.ax_map.scatter([], [], s=22, zorder=3, edgecolors="k", linewidths=0.6)
        self.title = self.ax_map.set_title("", fontsize=9)
        self.out_mesh = cell_mesh(self.ax_out, MAX_POOLED, cmap="Greys", vmin=0, vmax=14)
        self.out_texts = [
            [self.ax_out.text(c, r, "", ha="center", va="center", color="crimson") for c in range(MAX_POOLED)]
            for r in range(MAX_POOLED)
        ]
        self.ax_out.set_axis_off()
        self.ax_out.set_title("output [0, 0]", fontsize=9)
        self.ax_map.set_aspect("equal")  # square cells
        self.ax_out.set_aspect("equal")
        s = self.state
        self.angle = NumberControl("angle (degrees)", s.angle, -180, 180)
        self.cx = NumberControl("cx", s.cx, -1.0, MAP_SIDE, step=0.25, integer=False)
        self.cy = NumberControl("cy", s.cy, -1.0, MAP_SIDE, step=0.25, integer=False)
        self.w = NumberControl("w", s.w, 0.0, 2.0 * MAP_SIDE, step=0.25, integer=False)
        self.h = NumberControl("h", s.h, 0.0, 2.0 * MAP_SIDE, step=0.25, integer=False)
        self.ph = NumberControl("pooled height", s.ph, 1, MAX_POOLED)
        self.pw = NumberControl("pooled width", s.pw, 1, MAX_POOLED)
        self.ratio = NumberControl("sampling_ratio", s.ratio, -1, 4)
        self.controls = {
            "angle": self.angle, "cx": self.cx, "cy": self.cy, "w": self.w, "h": self.h,
            "ph": self.ph, "pw": self.pw, "ratio": self.ratio,
        }  # fmt: skip
        return [
            widgets.HBox([self.angle.box, self.ratio.box]),
            widgets.HBox([self.cx.box, self.cy.box]),
            widgets.HBox([self.w.box, self.h.box]),
            widgets.HBox([self.ph.box, self.pw.box]),
        ]

    def show(self, snap: RotatedSnapshot) -> None:
        if self.changed("map", snap.data):
            self.map_panel.set_map(snap.data[0, 0], vmin=0, vmax=9)
        self.box.set_data(snap.outline[:, 0], snap.outline[:, 1])
        self.bins.set_segments(list(snap.bin_lines))
        self.samples.set_offsets(snap.sample_xy)
        self.samples.set_facecolors([c if inside else "none" for c, inside in zip(snap.sample_colours,
                                     snap.sample_inside, strict=True)])  # fmt: skip
        self.title.set_text(snap.title)
        show_cells(self.out_mesh, snap.output)
        ph, pw = snap.output.shape
        for r, row in enumerate(self.out_texts):
            for c, text in enumerate(row):
                text.set_visible(r < ph and c < pw)
                if r < ph and c < pw:
                    text.set_text(snap.output_texts[r][c])
        self.ax_out.set_xlim(-0.5, pw - 0.5)
        self.ax_out.set_ylim(ph - 0.5, -0.5)

    def front_artists(self) -> list:
        return [
            self.box,
            self.bins,
            self.samples,
            self.title,
            self.out_mesh,
            *(t for r in self.out_texts for t in r),
        ]
