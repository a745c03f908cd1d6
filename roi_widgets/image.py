"""The image explorer: a box in image pixels on a photo, the same box on the stride-s feature map.

Model and view (see ``roi_widgets.base``): ``ImageState`` is the state, ``image_snapshot`` computes
everything drawn (the map from ``roi_chapters.ch2.feature_map``, the box's pixel edges from
``pixel_box_edges``, the rounded box and bins from ``roi_pool_bins``, ``pool_box_edges`` and
``pool_bin_edges``, the output from ``roi_pool``, the areas from ``roi_images.rounding_areas``), and
``ImageExplorer`` copies it onto its artists.

>>> snap = image_snapshot(ImageState())
>>> snap.result.shape
(2, 2)
>>> print(snap.call.replace("  #", chr(10) + "#"))
ru.roi_pool(explorer.map(stride=16), [[0, 170, 120, 330, 290]], (2, 2), spatial_scale=1/16)[0, 2]
# channel "blob", shown up to "5 pooled"
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import roi_images as ri
import roi_utils as ru
from roi_chapters.ch2 import EXPLORER_BOX, STRIDES, feature_map
from roi_widgets.base import Explorer, Snapshot, State, box_fields, box_limits, check_choice, check_int
from roi_widgets.common import MapPanel, NumberControl, box_outline, fixed_title, new_figure

__all__ = ["STAGES", "STRIDES", "ImageExplorer", "ImageSnapshot", "ImageState", "image_snapshot"]

STAGES = ("1 box in the image", "2 scaled onto the map", "3 rounded", "4 split into bins", "5 pooled")
"""Step through RoI pooling: each stage shows one more layer of the picture."""

MAX_POOLED = 7
VALUES_UP_TO = 4
"""The output panel prints its values up to this pooled size (more would not fit legibly)."""

BOX_COLOUR, ROUNDED_COLOUR, BIN_COLOUR = "lime", "crimson", "cyan"
"""One colour per meaning, on both panels: the box (solid on the photo, dashed on the map where its
edges divided by the stride fall), the cells RoI pooling reads after rounding, and its bins."""

CHANNELS = tuple(ri.FILTERS)
MAP_CMAP = "magma"
VIEW_MARGIN = 0.3
"""Cells of room around the map and any box past it: an outline on the view's edge is not cut."""
PHOTO_SHAPE = ri.load_photo().shape[:2]


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageState(State):
    """Box corners in image pixels, stride, channel (a name of ``roi_images.FILTERS``), pooled size
    and how far through RoI pooling the picture goes (a name of ``STAGES``).

    >>> ImageState(stride=12)
    Traceback (most recent call last):
    ...
    ValueError: stride must be one of (8, 16, 32); got 12
    """

    x1: int = EXPLORER_BOX[0]
    y1: int = EXPLORER_BOX[1]
    x2: int = EXPLORER_BOX[2]
    y2: int = EXPLORER_BOX[3]
    stride: int = 16
    channel: str = "blob"
    stage: str = STAGES[-1]
    ph: int = 2
    pw: int = 2

    def __post_init__(self):
        height, width = PHOTO_SHAPE
        for name, high in (("x1", width - 1), ("y1", height - 1), ("x2", width - 1), ("y2", height - 1)):
            object.__setattr__(self, name, check_int(getattr(self, name), name, 0, high))
        for name in ("ph", "pw"):
            object.__setattr__(self, name, check_int(getattr(self, name), name, 1, MAX_POOLED))
        check_choice(self.stride, "stride", STRIDES)
        check_choice(self.channel, "channel", CHANNELS)
        check_choice(self.stage, "stage", STAGES)

    def limits(self) -> dict[str, tuple]:
        height, width = PHOTO_SHAPE
        return box_limits(self, (0, width - 1), (0, height - 1))

    def roi(self) -> list[int]:
        return [0, self.x1, self.y1, self.x2, self.y2]

    @property
    def spatial_scale(self) -> float:
        return 1.0 / self.stride

    @property
    def channel_index(self) -> int:
        return CHANNELS.index(self.channel)


@dataclass(frozen=True, kw_only=True)
class ImageSnapshot(Snapshot):
    """Everything the image explorer draws."""

    plane: np.ndarray
    """The chosen channel of the map."""
    map_clim: tuple[float, float]
    map_extent: tuple[float, float, float, float]
    photo_box: tuple[list, list]
    scaled_box: tuple[list, list]
    rounded_box: tuple[list, list]
    view_xlim: tuple[float, float]
    view_ylim: tuple[float, float]
    bins: tuple[tuple[float, float, float, float], ...]
    """``(x, y, width, height)`` of each non-empty bin, 0.1 cell inside its cells."""
    output_texts: tuple[tuple[str, ...], ...] | None
    """The printed values (None: too many to print)."""
    output_title: str
    title: str
    area_text: str
    layers_shown: tuple[bool, bool, bool, bool, bool]
    """Scaled box, rounded box, area text, bins, output panel: which the stage shows."""


@functools.lru_cache(maxsize=32)
def _plane(stride: int, channel: int) -> np.ndarray:
    """One channel of the map at ``stride``: the same array object for the same choice, so the view
    sees at once that its map did not change."""
    return feature_map(stride)[0, channel]


def image_call(state: ImageState) -> str:
    return (
        f"ru.roi_pool(explorer.map(stride={state.stride}), [{state.roi()}], {(state.ph, state.pw)}, "
        f'spatial_scale=1/{state.stride})[0, {state.channel_index}]  # channel "{state.channel}", '
        f'shown up to "{state.stage}"'
    )


def _areas_text(roi, scale: float, map_shape, off_map: bool) -> str:
    areas = ri.rounding_areas(roi, scale, map_shape)
    if off_map:
        return f"box {areas['box']:.0f} px²; its rounded cells are\noff the map: RoI pooling reads nothing"
    # the areas of the rounding alone: cell k drawn where rounding sends pixels (16k - 8 .. 16k + 8 at
    # stride 16), not where the backbone's cell k takes its pixels from (chapter 2)
    return (
        f"box {areas['box']:.0f} px² → rounded cells {areas['rounded']:.0f} px²\n"
        f"(gained {areas['gained']:.0f}, lost {areas['lost']:.0f}, as rounding draws the cells)"
    )


def image_snapshot(state: ImageState) -> ImageSnapshot:
    """Everything the image explorer draws for ``state``, from ``roi_utils``.

    >>> image_snapshot(ImageState(x1=500, y1=590, x2=511, y2=599)).problems
    ('the rounded box is off the map: every bin is empty, output all 0',)
    """
    fmap = feature_map(state.stride)
    h, w = fmap.shape[2:]
    plane = _plane(state.stride, state.channel_index)
    roi, scale, pooled = state.roi(), state.spatial_scale, (state.ph, state.pw)
    scaled = ru.pixel_box_edges(roi, scale)
    bins = ru.roi_pool_bins(roi, pooled, scale, (h, w))
    rounded = ru.pool_box_edges(bins)
    edges = ru.pool_bin_edges(bins)
    values = ru.roi_pool(fmap, [roi], pooled, scale)[0, state.channel_index]
    vmax = float(plane.max()) or 1.0
    fits = max(pooled) <= VALUES_UP_TO
    texts = tuple(
        tuple("0\nempty" if bins.empty[r, c] else f"{values[r, c]:.2f}" for c in range(state.pw))
        for r in range(state.ph)
    )
    stage = STAGES.index(state.stage) + 1
    title = f"stride {state.stride}: map of {h} rows x {w} columns"
    if stage >= 3:
        title += (
            f"\nrounded box: columns {bins.roi_start_w}..{bins.roi_end_w}, "
            f"rows {bins.roi_start_h}..{bins.roi_end_h} (ends included)"
        )
    problems = ()
    if bins.empty.all():
        problems = ("the rounded box is off the map: every bin is empty, output all 0",)
    elif bins.empty.any():
        problems = (f"{int(bins.empty.sum())} of {bins.empty.size} bins empty (off the map): output 0",)
    m = VIEW_MARGIN
    return ImageSnapshot(
        data=fmap,
        call=image_call(state),
        result=values,
        problems=problems,
        plane=plane,
        map_clim=(0.0, vmax),
        map_extent=(-0.5, w - 0.5, h - 0.5, -0.5),
        photo_box=box_outline(*ru.pixel_box_edges(roi)),  # pixels x1..x2 inclusive
        scaled_box=box_outline(*scaled),
        rounded_box=box_outline(*rounded),
        # the rounded cells can lie past the map's last row or column: keep them in view, whole
        view_xlim=(min(-0.5, scaled[0], rounded[0]) - m, max(w - 0.5, scaled[2], rounded[2]) + m),
        view_ylim=(max(h - 0.5, scaled[3], rounded[3]) + m, min(-0.5, scaled[1], rounded[1]) - m),
        bins=tuple(
            (left + 0.1, top + 0.1, right - left - 0.2, bottom - top - 0.2)
            for (left, top, right, bottom), empty in zip(
                edges.reshape(-1, 4).tolist(), bins.empty.ravel(), strict=True
            )
            if not empty
        ),
        output_texts=texts if fits else None,
        output_title="roi_pool output"
        + ("" if fits else f"\n(values printed up to {VALUES_UP_TO} x {VALUES_UP_TO})"),
        title=title,
        area_text=_areas_text(roi, scale, (h, w), bool(bins.empty.all())),
        layers_shown=(stage >= 2, stage >= 3, stage >= 3, stage >= 4, stage >= 5),
    )


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------


class ImageExplorer(Explorer):
    """Box corners in image pixels, stride, channel and pooled size; photo, map and output drawn."""

    State = ImageState
    make_snapshot = staticmethod(image_snapshot)
    KEY = "x2"

    @staticmethod
    def map(stride: int = 16) -> np.ndarray:
        """``explorer.map(stride=...)``: the photo's (1, 4, H, W) feature map at that stride."""
        return feature_map(stride)

    def __init__(self, box=EXPLORER_BOX, stride: int = 16, pooled=(2, 2)):
        super().__init__(ImageState(**box_fields(box, pooled), stride=stride))

    def build(self) -> list:
        self.photo = ri.load_photo()
        height, width = self.photo.shape[:2]
        # 920 px at 100 dpi: fits JupyterLab's output area (about 968 px with the file browser open)
        self.figure = new_figure(9.2, 4.0)
        self.ax_photo, self.ax_map, self.ax_out = self.figure.subplots(
            1, 3, gridspec_kw={"width_ratios": [3, 3, 2]}
        )
        self.figure.subplots_adjust(left=0.01, right=0.97, bottom=0.16, top=0.88, wspace=0.12)
        # shown at half resolution (drawn every frame; the box still moves in whole pixels)
        self.ax_photo.imshow(self.photo[::2, ::2], extent=(-0.5, width - 0.5, height - 0.5, -0.5))
        self.ax_photo.set_axis_off()
        fixed_title(self.ax_photo, "image pixels", fontsize=9)
        (self.photo_box,) = self.ax_photo.plot([], [], color=BOX_COLOUR, lw=2)
        self.map_image = self.ax_map.imshow(np.zeros((1, 1)), cmap=MAP_CMAP)
        self.ax_map.set_axis_off()
        (self.scaled_box,) = self.ax_map.plot([], [], color=BOX_COLOUR, lw=1.5, ls="--", zorder=2.5)
        (self.rounded_box,) = self.ax_map.plot([], [], color=ROUNDED_COLOUR, lw=2)
        # under the map, at a fixed place in the figure (the map's axes change shape with its limits)
        slot = self.ax_map.get_position()
        self.area_text = self.figure.text(
            slot.x0 + slot.width / 2, 0.015, "", ha="center", va="bottom", fontsize=8
        )
        self.bin_patches = PatchCollection([], facecolor="none", edgecolor=BIN_COLOUR, linewidths=1)
        self.ax_map.add_collection(self.bin_patches)
        legend = [
            Line2D([], [], color=BOX_COLOUR, lw=2, label="the box (on the map: edges / stride, dashed)"),
            Line2D([], [], color=ROUNDED_COLOUR, lw=2, label="the cells RoI pooling reads (rounded)"),
            Line2D([], [], color=BIN_COLOUR, lw=2, label="their bins"),
        ]
        photo_slot = self.ax_photo.get_position()
        self.figure.legend(
            handles=legend,
            loc="lower left",
            bbox_to_anchor=(photo_slot.x0, 0.0),
            fontsize=8,
            frameon=False,
            borderaxespad=0.2,
        )
        self.out_panel = MapPanel(self.ax_out, VALUES_UP_TO, cmap=MAP_CMAP, fontsize=9, capacity=MAX_POOLED)
        self.ax_out.set_aspect("equal")  # square cells
        for label in self.out_panel.row_labels + self.out_panel.col_labels:
            label.set(fontsize=9, color="dimgrey")
        fixed_title(self.ax_out, "roi_pool output", fontsize=9)
        fixed_title(self.ax_map, fontsize=8)
        s = self.state
        corners = self.corner_controls((0, width - 1), (0, height - 1), width="300px")
        self.stride = widgets.Dropdown(options=STRIDES, value=s.stride, description="stride")
        self.stage = widgets.Dropdown(options=STAGES, value=s.stage, description="show up to")
        self.channel = widgets.Dropdown(options=list(CHANNELS), value=s.channel, description="channel")
        self.ph = NumberControl("pooled height", s.ph, 1, MAX_POOLED)
        self.pw = NumberControl("pooled width", s.pw, 1, MAX_POOLED)
        self.bind("stride", "channel", "stage", "ph", "pw")
        return [
            *corners,
            widgets.HBox([self.stride, self.channel, self.stage]),
            widgets.HBox([self.ph.box, self.pw.box]),
        ]

    # -- the state, as the notebook reads it ------------------------------------

    def feature_map(self) -> np.ndarray:
        """The stand-in backbone's map at the chosen stride."""
        return self.snapshot.data

    @property
    def spatial_scale(self) -> float:
        return self.state.spatial_scale

    def pooled_size(self) -> tuple[int, int]:
        return self.state.ph, self.state.pw

    def channel_index(self) -> int:
        return self.state.channel_index

    def rois(self) -> list[list[int]]:
        return [self.state.roi()]

    def output_values(self) -> np.ndarray:
        return self.snapshot.result

    # -- drawing ----------------------------------------------------------------

    def show(self, snap: ImageSnapshot) -> None:
        if self.changed("plane", snap.plane):  # else left alone: an unchanged map is not drawn again
            self.map_image.set_data(snap.plane)
            self.map_image.set_clim(*snap.map_clim)
            self.map_image.set_extent(snap.map_extent)
        self.photo_box.set_data(*snap.photo_box)
        self.scaled_box.set_data(*snap.scaled_box)
        self.rounded_box.set_data(*snap.rounded_box)
        self.ax_map.set_xlim(*snap.view_xlim)
        self.ax_map.set_ylim(*snap.view_ylim)
        self.bin_patches.set_paths([Rectangle((x, y), w, h) for x, y, w, h in snap.bins])
        panel = self.out_panel
        panel.set_map(snap.result, *snap.map_clim, show_values=False)
        panel.set_values(snap.output_texts and np.array(snap.output_texts, dtype=object), fmt="{}")
        self.ax_out.title.set_text(snap.output_title)
        self.ax_map.title.set_text(snap.title)
        self.area_text.set_text(snap.area_text)
        scaled, rounded, area, bins, output = snap.layers_shown
        self.scaled_box.set_visible(scaled)
        self.rounded_box.set_visible(rounded)
        self.area_text.set_visible(area)
        self.bin_patches.set_visible(bins)
        self.ax_out.set_visible(output)

    def front_artists(self) -> list:
        return [
            self.photo_box,
            self.scaled_box,
            self.rounded_box,
            self.bin_patches,
            self.area_text,
            self.ax_map.title,
            *self.out_panel.value_artists(),
        ]
