"""The position-sensitive pooling explorer: bins coloured by the channel they read, and the score map.

Model: ``PsState`` (box corners in image pixels at scale 1, pooled size k, group size, output channel,
map seed) and ``ps_snapshot``, which takes the bins and channels from ``roi_family.ps_roi_pool_bins``
and the output from ``ps_roi_pool``. View: ``PsExplorer`` copies a snapshot onto its artists.

>>> snap = ps_snapshot(PsState(x1=0, y1=0, x2=5, y2=5, k=3))
>>> snap.channels.tolist()
[[0, 1, 2], [3, 4, 5], [6, 7, 8]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import roi_utils as ru
from roi_widgets.base import Explorer, Snapshot, State, box_fields, check_int
from roi_widgets.common import NumberControl, cell_mesh, new_figure, show_cells

MAP_SIDE = 8
OUTPUT_DIM = 2
MAX_K = 4
GROUP_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
    "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5", "#dbdb8d",
)  # fmt: skip


def ps_map(channels: int, seed: int = 0) -> np.ndarray:
    """A (1, channels, 8, 8) map of small whole numbers (R-FCN's score maps, one per channel)."""
    return np.random.default_rng(seed).integers(0, 10, (1, channels, MAP_SIDE, MAP_SIDE)).astype(np.float32)


@dataclass(frozen=True)
class PsState(State):
    """Box corners (image pixels, scale 1), k (pooled size), group size (0: k), output channel, seed.

    >>> PsState(channel=2)
    Traceback (most recent call last):
    ...
    ValueError: channel must be in [0, 1]; got 2
    """

    x1: int = 1
    y1: int = 1
    x2: int = 6
    y2: int = 6
    k: int = 3
    group: int = 0
    channel: int = 0
    seed: int = 0

    def __post_init__(self):
        for name in ("x1", "y1", "x2", "y2"):
            object.__setattr__(self, name, check_int(getattr(self, name), name, 0, MAP_SIDE + 1))
        object.__setattr__(self, "k", check_int(self.k, "k", 1, MAX_K))
        object.__setattr__(self, "group", check_int(self.group, "group", 0, MAX_K))
        object.__setattr__(self, "channel", check_int(self.channel, "channel", 0, OUTPUT_DIM - 1))
        object.__setattr__(self, "seed", check_int(self.seed, "seed", 0, 99))

    def limits(self) -> dict[str, tuple]:
        return {"x2": (self.x1, MAP_SIDE + 1), "y2": (self.y1, MAP_SIDE + 1)}

    @property
    def groups(self) -> int:
        return self.group or self.k

    def roi(self) -> list[int]:
        return [0, self.x1, self.y1, self.x2, self.y2]


@dataclass(frozen=True, kw_only=True)
class PsSnapshot(Snapshot):
    """Everything the position-sensitive explorer draws (map cells; cell centres at whole numbers)."""

    channels: np.ndarray
    """(k, k) the input channel each bin of the chosen output channel reads."""
    bin_rectangles: tuple[tuple[float, float, float, float], ...]
    bin_colours: tuple[str, ...]
    bin_labels: tuple[tuple[float, float, str], ...]
    box_outline: tuple[list, list]
    output: np.ndarray
    output_texts: tuple[tuple[str, ...], ...]
    frame_colours: tuple[str, ...]
    """(MAX_K * MAX_K,) the outline colour of each output cell: its group's colour, "none" past k x k."""
    title: str


def ps_call(state: PsState) -> str:
    channels = OUTPUT_DIM * state.groups**2
    return (
        f"ru.ps_roi_pool(explorer.map({channels}, seed={state.seed}), [{state.roi()}], 1.0, "
        f"output_dim={OUTPUT_DIM}, pooled_size={state.k}, group_size={state.group})[0, {state.channel}]"
    )


def ps_snapshot(state: PsState) -> PsSnapshot:
    data = ps_map(OUTPUT_DIM * state.groups**2, state.seed)
    bins = ru.ps_roi_pool_bins(state.roi(), 1.0, OUTPUT_DIM, state.k, state.group, (MAP_SIDE, MAP_SIDE))
    result = ru.ps_roi_pool(data, [state.roi()], 1.0, OUTPUT_DIM, state.k, state.group)[0, state.channel]
    channels = bins.channels()[state.channel]
    first = state.channel * state.groups**2
    rectangles, colours, labels, problems = [], [], [], []
    for ph in range(state.k):
        for pw in range(state.k):
            hs, he, ws, we = bins.hstart[ph], bins.hend[ph], bins.wstart[pw], bins.wend[pw]
            colour = GROUP_COLOURS[(int(channels[ph, pw]) - first) % len(GROUP_COLOURS)]
            if he <= hs or we <= ws:
                problems.append(f"bin ({ph}, {pw}) is empty: output 0")
                continue
            rectangles.append((ws - 0.5, hs - 0.5, float(we - ws), float(he - hs)))
            colours.append(colour)
            labels.append(((ws + we - 1) / 2, (hs + he - 1) / 2, f"ch {channels[ph, pw]}"))
    left, top = bins.roi_start_w - 0.5, bins.roi_start_h - 0.5
    right, bottom = bins.roi_end_w - 0.5, bins.roi_end_h - 0.5
    palette = [[GROUP_COLOURS[(int(c) - first) % len(GROUP_COLOURS)] for c in row] for row in channels]
    return PsSnapshot(
        data=data,
        call=ps_call(state),
        result=result,
        problems=tuple(problems),
        channels=channels,
        bin_rectangles=tuple(rectangles),
        bin_colours=tuple(colours),
        bin_labels=tuple(labels),
        box_outline=([left, right, right, left, left], [top, top, bottom, bottom, top]),
        output=result,
        output_texts=tuple(
            tuple(f"{v:.2f}\nch {c}" for v, c in zip(r, cr, strict=True))
            for r, cr in zip(result, channels, strict=True)
        ),
        frame_colours=tuple(
            palette[r][c] if r < state.k and c < state.k else "none"
            for r in range(MAX_K)
            for c in range(MAX_K)
        ),
        title=f"output channel {state.channel} reads channels {first}..{first + state.groups**2 - 1}",
    )


class PsExplorer(Explorer):
    """Box corners (key: x2), k, group size and output channel as controls; coloured bins and output drawn.

    Parameters
    ----------
    box : (x1, y1, x2, y2)
        Image pixels (scale 1: the map's cells).
    pooled : int
        k: k x k bins.
    group_size : int
        0 means k.
    output_channel : int
        0 or 1 (output_dim is 2).
    seed : int
    """

    State = PsState
    make_snapshot = staticmethod(ps_snapshot)
    KEY = "x2"
    map = staticmethod(ps_map)

    def __init__(self, box=(1, 1, 6, 6), pooled=3, group_size=0, output_channel=0, seed=0):
        super().__init__(
            PsState(**box_fields(box), k=pooled, group=group_size, channel=output_channel, seed=seed)
        )

    def build(self) -> list:
        import ipywidgets as widgets
        from matplotlib.collections import PatchCollection
        from matplotlib.patches import Rectangle

        self.figure = new_figure(8.4, 4.2)
        self.ax_map, self.ax_out = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        self.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.9, wspace=0.08)
        ax = self.ax_map
        ax.set_xlim(-0.5, MAP_SIDE + 0.5)
        ax.set_ylim(MAP_SIDE + 0.5, -0.5)
        ax.set_aspect("equal")
        ax.set_xticks(range(MAP_SIDE + 1))
        ax.set_yticks(range(MAP_SIDE + 1))
        ax.tick_params(labelsize=7)
        ax.set_xticks(np.arange(MAP_SIDE + 2) - 0.5, minor=True)  # cell edges: centres at whole numbers
        ax.set_yticks(np.arange(MAP_SIDE + 2) - 0.5, minor=True)
        ax.grid(True, which="minor", color="0.85", lw=0.5)
        ax.set_axisbelow(True)  # grid and frame under the bins and box, in a whole draw as over a saved
        for spine in ax.spines.values():  # back layer
            spine.set_zorder(0.5)
        self.patches = PatchCollection([], alpha=0.55, zorder=1)
        ax.add_collection(self.patches)
        self.labels = [
            ax.text(0, 0, "", ha="center", va="center", fontsize=8, zorder=3) for _ in range(MAX_K**2)
        ]
        (self.box,) = ax.plot([], [], color="crimson", lw=2.5, zorder=2)
        self.title = ax.set_title("", fontsize=9)
        self.out_mesh = cell_mesh(self.ax_out, MAX_K, cmap="Greys", vmin=0, vmax=14)
        self.out_texts = [
            [self.ax_out.text(c, r, "", ha="center", va="center", fontsize=8) for c in range(MAX_K)]
            for r in range(MAX_K)
        ]
        self.ax_out.set_axis_off()
        self.out_frames = PatchCollection(
            [Rectangle((c - 0.45, r - 0.45), 0.9, 0.9) for r in range(MAX_K) for c in range(MAX_K)],
            facecolor="none",
            linewidths=4,
            zorder=2,
        )
        self.ax_out.add_collection(self.out_frames)
        self.ax_out.set_title("score map (output) of this channel", fontsize=9)
        self.ax_out.set_aspect("equal")  # square cells
        s = self.state
        self.x1 = NumberControl("x1", s.x1, 0, MAP_SIDE + 1)
        self.y1 = NumberControl("y1", s.y1, 0, MAP_SIDE + 1)
        self.x2 = NumberControl("x2", s.x2, 0, MAP_SIDE + 1)
        self.y2 = NumberControl("y2", s.y2, 0, MAP_SIDE + 1)
        self.k = NumberControl("pooled_size k", s.k, 1, MAX_K)
        self.group = NumberControl("group_size (0: k)", s.group, 0, MAX_K)
        self.channel = NumberControl("output channel", s.channel, 0, OUTPUT_DIM - 1)
        self.controls = {
            "x1": self.x1, "y1": self.y1, "x2": self.x2, "y2": self.y2,
            "k": self.k, "group": self.group, "channel": self.channel,
        }  # fmt: skip
        return [
            widgets.HBox([self.x1.box, self.y1.box]),
            widgets.HBox([self.x2.box, self.y2.box]),
            widgets.HBox([self.k.box, self.group.box, self.channel.box]),
        ]

    def show(self, snap: PsSnapshot) -> None:
        from matplotlib.patches import Rectangle

        self.patches.set_paths([Rectangle((x, y), w, h) for x, y, w, h in snap.bin_rectangles])
        self.patches.set_facecolors(snap.bin_colours)
        self.patches.set_edgecolors(snap.bin_colours)
        for i, text in enumerate(self.labels):
            text.set_visible(i < len(snap.bin_labels))
            if i < len(snap.bin_labels):
                x, y, label = snap.bin_labels[i]
                text.set_position((x, y))
                text.set_text(label)
        self.box.set_data(*snap.box_outline)
        self.title.set_text(snap.title)
        show_cells(self.out_mesh, snap.output)
        k = snap.output.shape[0]
        for r, row in enumerate(self.out_texts):
            for c, text in enumerate(row):
                text.set_visible(r < k and c < k)
                if r < k and c < k:
                    text.set_text(snap.output_texts[r][c])
        self.out_frames.set_edgecolors(snap.frame_colours)
        self.ax_out.set_xlim(-0.5, k - 0.5)
        self.ax_out.set_ylim(k - 0.5, -0.5)

    def front_artists(self) -> list:
        texts = [t for row in self.out_texts for t in row]
        return [self.patches, *self.labels, self.box, self.title, self.out_mesh, self.out_frames, *texts]
