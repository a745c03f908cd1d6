"""Chapter 2 figures: the photo, the stand-in backbone's channels, boxes before and after rounding."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

import roi_images as ri
import roi_utils as ru
from roi_chapters.ch2 import FIGURE_BOXES as BOXES
from roi_chapters.ch2 import feature_map

from . import explorer_figure, outline

CASES = {"ch2_boxes.png": BOXES}
"""The boxes each figure draws (a test finds them in the notebook's cells beside the figure)."""
COLOURS = ["crimson", "deepskyblue", "gold"]


def backbone(path):
    photo = ri.load_photo()
    fmap = feature_map(16)
    fig, axes = plt.subplots(1, 5, figsize=(12, 3.2))
    axes[0].imshow(photo)
    axes[0].set_title(f"photo: {photo.shape[0]} rows x {photo.shape[1]} columns", fontsize=9)
    for ax, name, plane in zip(axes[1:], ri.FILTERS, fmap[0], strict=True):
        ax.imshow(plane, cmap="magma")
        ax.set_title(f"{name}\n{plane.shape[0]} rows x {plane.shape[1]} columns", fontsize=9)
    for ax in axes:
        ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def boxes(path):
    photo = ri.load_photo()
    fmap = feature_map(16)
    h, w = fmap.shape[2:]
    fig, axes = plt.subplots(1, 2, figsize=(9, 5.6))
    axes[0].imshow(photo)
    axes[1].imshow(fmap[0, 2], cmap="magma", extent=(-0.5, w - 0.5, h - 0.5, -0.5))
    handles = []
    for roi, colour in zip(BOXES, COLOURS, strict=True):
        # corners are inclusive: the box runs from pixel x1's left edge to pixel x2's right edge
        outline(axes[0], ru.pixel_box_edges(roi), color=colour, lw=2)
        outline(axes[1], ru.pixel_box_edges(roi, 1 / 16), color=colour, ls="--")
        outline(axes[1], ru.pool_box_edges(ru.roi_pool_bins(roi, 1, 1 / 16, (h, w))), color=colour, lw=2)
        a = ri.rounding_areas(roi, 1 / 16, (h, w))
        handles.append(
            Line2D(
                [],
                [],
                color=colour,
                lw=2,
                label=f"{roi[1:]}: rounding adds {a['gained']:.0f} px², drops {a['lost']:.0f} px²",
            )
        )
    axes[0].set_title("boxes in image pixels [x1, y1, x2, y2]", fontsize=9)
    axes[1].set_title("stride-16 map: dashed = box edges / 16, solid = rounded cells", fontsize=9)
    for ax in axes:
        ax.set_axis_off()
    fig.legend(handles=handles, loc="lower center", ncol=1, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.13, 1, 0.97))
    fig.savefig(path, dpi=90)


FIGURES = {
    "ch2_backbone.png": backbone,
    "ch2_boxes.png": boxes,
    "ch2_explorer.png": explorer_figure("image", dpi=80),
}
