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
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import roi_images as ri
import roi_utils as ru
from roi_widgets.common import (
    Explorer,
    MapPanel,
    NumberControl,
    box_outline,
    fixed_title,
    new_figure,
    pixel_edges,
    rounded_edges,
    set_status,
    status_line,
)

STRIDES = (8, 16, 32)
STAGES = ("1 box in the image", "2 scaled onto the map", "3 rounded", "4 split into bins", "5 pooled")
"""Step through RoI pooling: each stage shows one more layer of the picture."""

MAX_POOLED = 7
VALUES_UP_TO = 4
"""The output panel prints its values up to this pooled size (more would not fit legibly)."""

BOX_COLOUR, ROUNDED_COLOUR, BIN_COLOUR = "lime", "crimson", "cyan"
"""One colour per meaning, on both panels: the box (solid on the photo, dashed on the map where its
edges divided by the stride fall), the cells RoI pooling reads after rounding, and its bins."""


class ImageExplorer(Explorer):
    """Box corners in image pixels, stride, channel and pooled size; photo, map and output drawn."""

    def __init__(self, box=(170, 120, 330, 290), stride: int = 16, pooled=(2, 2)):
        self.photo = ri.load_photo()
        self._maps = {}
        self._map_shown = None  # (stride, channel) of the map on screen
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
        self.map_image = self.ax_map.imshow(np.zeros((1, 1)), cmap="magma")
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
        self.out_panel = MapPanel(self.ax_out, VALUES_UP_TO, cmap="magma", fontsize=9, capacity=MAX_POOLED)
        for label in self.out_panel.row_labels + self.out_panel.col_labels:
            label.set(fontsize=9, color="dimgrey")
        fixed_title(self.ax_out, "roi_pool output", fontsize=9)
        fixed_title(self.ax_map, fontsize=8)
        self.x1 = NumberControl("x1", box[0], 0, width - 1, width="300px")
        self.y1 = NumberControl("y1", box[1], 0, height - 1, width="300px")
        self.x2 = NumberControl("x2", box[2], 0, width - 1, width="300px").mark_key()
        self.y2 = NumberControl("y2", box[3], 0, height - 1, width="300px")
        self.stride = widgets.Dropdown(options=STRIDES, value=stride, description="stride")
        self.stage = widgets.Dropdown(options=STAGES, value=STAGES[-1], description="show up to")
        self.channel = widgets.Dropdown(options=list(ri.FILTERS), value="blob", description="channel")
        self.ph = NumberControl("pooled height", pooled[0], 1, MAX_POOLED)
        self.pw = NumberControl("pooled width", pooled[1], 1, MAX_POOLED)
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

    @property
    def data(self) -> np.ndarray:
        """The (1, 4, H, W) map the explorer pools: the stand-in backbone's, at the chosen stride."""
        return self.feature_map()

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
        """The call that reproduces the output panel, for a notebook where the explorer is ``explorer``."""
        return (
            f"ru.roi_pool(explorer.data, {self.rois()}, {self.pooled_size()}, "
            f"spatial_scale=1/{self.stride.value})[0, {self.channel_index()}]"
        )

    def _redraw(self) -> None:
        self.keep_box_ordered()
        fmap = self.feature_map()
        h, w = fmap.shape[2:]
        plane = fmap[0, self.channel_index()]
        shown = (self.stride.value, self.channel.value)
        if self._map_shown != shown:  # else left alone: an unchanged map is not drawn again
            self._map_shown = shown
            self.map_image.set_data(plane)
            self.map_image.set_clim(0, float(plane.max()) or 1)
            self.map_image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        roi = self.rois()[0]
        _, x1, y1, x2, y2 = roi
        self.photo_box.set_data(*box_outline(*pixel_edges(x1, y1, x2, y2)))  # pixels x1..x2 inclusive
        scale = self.spatial_scale
        scaled = pixel_edges(x1, y1, x2, y2, scale)
        self.scaled_box.set_data(*box_outline(*scaled))
        bins = ru.roi_pool_bins(roi, self.pooled_size(), scale, (h, w))
        rounded = rounded_edges(bins)
        self.rounded_box.set_data(*box_outline(*rounded))
        # the rounded cells can lie past the map's last row or column: keep them in view
        self.ax_map.set_xlim(min(-0.5, scaled[0], rounded[0]), max(w - 0.5, scaled[2], rounded[2]))
        self.ax_map.set_ylim(max(h - 0.5, scaled[3], rounded[3]), min(-0.5, scaled[1], rounded[1]))
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
        self._draw_output(self.output_values(), bins.empty, float(plane.max()) or 1)
        areas = ri.rounding_areas(roi, scale, (h, w))
        stage = STAGES.index(self.stage.value) + 1
        title = f"stride {self.stride.value}: map of {h} rows x {w} columns"
        if stage >= 3:
            title += (
                f"\nrounded box: columns {bins.roi_start_w}..{bins.roi_end_w}, "
                f"rows {bins.roi_start_h}..{bins.roi_end_h} (ends included)"
            )
        self.ax_map.title.set_text(title)
        if bins.empty.all():
            self.area_text.set_text(
                f"box {areas['box']:.0f} px²; its rounded cells are\noff the map: RoI pooling reads nothing"
            )
        else:
            # the areas of the rounding alone: cell k drawn where rounding sends pixels (16k - 8 .. 16k + 8
            # at stride 16), not where the backbone's cell k takes its pixels from (chapter 2)
            self.area_text.set_text(
                f"box {areas['box']:.0f} px² → rounded cells {areas['rounded']:.0f} px²\n"
                f"(gained {areas['gained']:.0f}, lost {areas['lost']:.0f}, as rounding draws the cells)"
            )
        self._show_stage()
        problem = None
        if bins.empty.all():
            problem = "the rounded box is off the map: every bin is empty, output all 0"
        elif bins.empty.any():
            problem = f"{int(bins.empty.sum())} of {bins.empty.size} bins empty (off the map): output 0"
        set_status(self.status, self.call(), problem)

    def _front_artists(self) -> list:
        return [
            self.photo_box,
            self.scaled_box,
            self.rounded_box,
            self.bin_patches,
            self.area_text,
            self.ax_map.title,
            *self.out_panel.value_artists(),
        ]

    def _draw_output(self, values: np.ndarray, empty: np.ndarray, vmax: float) -> None:
        """Values printed (white on dark cells) up to ``VALUES_UP_TO``; empty bins say so."""
        ph, pw = values.shape
        panel = self.out_panel
        panel.set_map(values, vmin=0, vmax=vmax, show_values=False)
        fits = max(ph, pw) <= VALUES_UP_TO
        panel.set_values(values if fits else None, fmt="{:.2f}")
        if fits:
            dark = panel.image.norm(values) < 0.45
            for r, c in np.ndindex(ph, pw):
                text = panel.texts[r][c]
                text.set_color("white" if dark[r, c] else "black")
                if empty[r, c]:
                    text.set_text("0\nempty")
        hidden = f"\n(values printed up to {VALUES_UP_TO} x {VALUES_UP_TO})"
        self.ax_out.title.set_text("roi_pool output" + ("" if fits else hidden))

    def _show_stage(self) -> None:
        """Hide the layers beyond the chosen stage (the numbers behind them are still computed)."""
        stage = STAGES.index(self.stage.value) + 1
        self.scaled_box.set_visible(stage >= 2)
        self.rounded_box.set_visible(stage >= 3)
        self.area_text.set_visible(stage >= 3)
        self.bin_patches.set_visible(stage >= 4)
        self.ax_out.set_visible(stage >= 5)
