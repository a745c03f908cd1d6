"""The image explorer: a box in image pixels on a photo, the same box on the stride-s feature map.

The map comes from ``roi_images.feature_map``; the rounded box and bins from
``roi_pool_bins``; the output from ``roi_pool``; the areas from
``roi_images.rounding_areas``.

>>> import matplotlib; matplotlib.use("Agg")
>>> view = ImageExplorer()
>>> view.output_values().shape
(2, 2)
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

import roi_images as ri
import roi_utils as ru
from roi_widgets.common import Explorer, MapPanel, NumberControl, new_figure, set_status, status_line

STRIDES = (8, 16, 32)
STAGES = ("1 box in the image", "2 scaled onto the map", "3 rounded", "4 split into bins", "5 pooled")
"""Step through RoI pooling: each stage shows one more layer of the picture."""


def outline(x1, y1, x2, y2):
    return [x1, x2, x2, x1, x1], [y1, y1, y2, y2, y1]


class ImageExplorer(Explorer):
    """Box corners in image pixels, stride, channel and pooled size; photo, map and output drawn."""

    def __init__(self, box=(170, 120, 330, 290), stride: int = 16, pooled=(2, 2)):
        self.photo = ri.load_photo()
        self._maps = {}
        height, width = self.photo.shape[:2]
        self.figure = new_figure(10, 4.0)
        self.ax_photo, self.ax_map, self.ax_out = self.figure.subplots(
            1, 3, gridspec_kw={"width_ratios": [3, 3, 2]}
        )
        # shown at half resolution (drawn every frame; the box still moves in whole pixels)
        self.ax_photo.imshow(self.photo[::2, ::2], extent=(-0.5, width - 0.5, height - 0.5, -0.5))
        self.ax_photo.set_axis_off()
        self.ax_photo.set_title("image pixels", fontsize=9)
        (self.photo_box,) = self.ax_photo.plot([], [], color="crimson", lw=2)
        self.map_image = self.ax_map.imshow(np.zeros((1, 1)), cmap="magma")
        self.ax_map.set_axis_off()
        (self.scaled_box,) = self.ax_map.plot([], [], color="white", lw=1.2, ls="--")
        (self.rounded_box,) = self.ax_map.plot([], [], color="crimson", lw=2)
        self.area_text = self.ax_map.text(
            0.5, -0.08, "", transform=self.ax_map.transAxes, ha="center", va="top", fontsize=8
        )
        self.bin_patches = PatchCollection([], facecolor="none", edgecolor="cyan", linewidths=1)
        self.ax_map.add_collection(self.bin_patches)
        self.out_panel = MapPanel(self.ax_out, 4, cmap="magma", fontsize=8)
        self.ax_out.set_title("roi_pool output", fontsize=9)
        self.x1 = NumberControl("x1", box[0], 0, width - 1, width="300px")
        self.y1 = NumberControl("y1", box[1], 0, height - 1, width="300px")
        self.x2 = NumberControl("x2", box[2], 0, width - 1, width="300px").mark_key()
        self.y2 = NumberControl("y2", box[3], 0, height - 1, width="300px")
        self.stride = widgets.Dropdown(options=STRIDES, value=stride, description="stride")
        self.stage = widgets.Dropdown(options=STAGES, value=STAGES[-1], description="show up to")
        self.channel = widgets.Dropdown(options=list(ri.FILTERS), value="blob", description="channel")
        self.ph = NumberControl("pooled height", pooled[0], 1, 7)
        self.pw = NumberControl("pooled width", pooled[1], 1, 7)
        self.status = status_line()
        for control in (self.x1, self.y1, self.x2, self.y2, self.ph, self.pw):
            control.observe(self._on_change)
        self.stride.observe(self._on_change, names="value")
        self.stage.observe(self._on_change, names="value")
        self.channel.observe(self._on_change, names="value")
        self._assemble(
            [
                widgets.HBox([self.x1.box, self.y1.box]),
                widgets.HBox([self.x2.box, self.y2.box]),
                widgets.HBox([self.stride, self.channel, self.stage]),
                widgets.HBox([self.ph.box, self.pw.box]),
            ]
        )
        self.update()

    def feature_map(self) -> np.ndarray:
        """The stand-in backbone's map at the chosen stride (computed once per stride)."""
        stride = self.stride.value
        if stride not in self._maps:
            self._maps[stride] = ri.feature_map(self.photo, stride)
        return self._maps[stride]

    @property
    def spatial_scale(self) -> float:
        return 1.0 / self.stride.value

    def pooled_size(self) -> tuple[int, int]:
        return self.ph.value, self.pw.value

    def channel_index(self) -> int:
        return list(ri.FILTERS).index(self.channel.value)

    def output_values(self) -> np.ndarray:
        out = ru.roi_pool(self.feature_map(), self.rois(), self.pooled_size(), self.spatial_scale)
        return out[0, self.channel_index()]

    def call(self) -> str:
        return (
            f"ru.roi_pool(fmap, {self.rois()}, {self.pooled_size()}, spatial_scale=1/{self.stride.value})"
            f"[0, {self.channel_index()}]"
        )

    def _redraw(self) -> None:
        self.keep_box_ordered()
        fmap = self.feature_map()
        h, w = fmap.shape[2:]
        plane = fmap[0, self.channel_index()]
        self.map_image.set_data(plane)
        self.map_image.set_clim(0, float(plane.max()) or 1)
        self.map_image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        self.ax_map.set_xlim(-0.5, w - 0.5)
        self.ax_map.set_ylim(h - 0.5, -0.5)
        roi = self.rois()[0]
        _, x1, y1, x2, y2 = roi
        self.photo_box.set_data(*outline(x1 - 0.5, y1 - 0.5, x2 + 0.5, y2 + 0.5))  # pixels x1..x2 inclusive
        scale = self.spatial_scale
        self.scaled_box.set_data(
            *outline((x1 - 0.5) * scale, (y1 - 0.5) * scale, (x2 + 0.5) * scale, (y2 + 0.5) * scale)
        )
        bins = ru.roi_pool_bins(roi, self.pooled_size(), scale, (h, w))
        self.rounded_box.set_data(
            *outline(
                bins.roi_start_w - 0.5, bins.roi_start_h - 0.5, bins.roi_end_w + 0.5, bins.roi_end_h + 0.5
            )
        )
        patches = []
        for i, j in np.ndindex(*self.pooled_size()):
            if not bins.empty[i, j]:
                rows, cols = bins.cells(i, j)
                patches.append(
                    Rectangle(
                        (cols.start - 0.4, rows.start - 0.4),
                        cols.stop - cols.start - 0.2,
                        rows.stop - rows.start - 0.2,
                    )
                )
        self.bin_patches.set_paths(patches)
        values = self.output_values()
        self.out_panel.set_map(values, vmin=0, vmax=float(plane.max()) or 1, show_values=False)
        self.out_panel.set_values(values, fmt="{:.2f}")
        areas = ri.rounding_areas(roi, scale, (h, w))
        self.ax_map.set_title(
            f"stride {self.stride.value}: map {h} x {w}; box cells {bins.roi_start_w}..{bins.roi_end_w}, "
            f"{bins.roi_start_h}..{bins.roi_end_h}",
            fontsize=8,
        )
        self.area_text.set_text(
            f"box {areas['box']:.0f} px²; after rounding {areas['rounded']:.0f} px²\n"
            f"(lost {areas['lost']:.0f}, gained {areas['gained']:.0f})"
        )
        self._show_stage()
        set_status(self.status, self.call())

    def _show_stage(self) -> None:
        """Hide the layers beyond the chosen stage (the numbers behind them are still computed)."""
        stage = STAGES.index(self.stage.value) + 1
        self.scaled_box.set_visible(stage >= 2)
        self.rounded_box.set_visible(stage >= 3)
        self.area_text.set_visible(stage >= 3)
        self.bin_patches.set_visible(stage >= 4)
        self.ax_out.set_visible(stage >= 5)
