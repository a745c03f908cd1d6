"""Chapter 7 figures: one box in several frameworks (drawn from roi_utils and roi_frameworks)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import roi_frameworks as rf
import roi_utils as ru
from roi_chapters.ch7 import BOX, CONSTANT, MAP, POOLED, SAMPLE_RATIO

SIDE = MAP.shape[2]


def _map(ax, plane, title, values=True):
    ax.imshow(
        plane, cmap="Greys", vmin=plane.min(), vmax=plane.max() + (plane.max() - plane.min()) * 0.6 + 1e-6
    )
    if values:
        for (r, c), v in np.ndenumerate(plane):
            ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=8, color="dimgrey")
    ax.set_xticks(range(plane.shape[1]))
    ax.set_yticks(range(plane.shape[0]))
    ax.tick_params(labelsize=7, length=0)
    ax.set_xlim(-1, plane.shape[1] - 0.2)
    ax.set_ylim(plane.shape[0] - 0.2, -1)
    ax.set_title(title, fontsize=9)


def _outline(ax, x1, y1, x2, y2, **style):
    ax.plot([x1, x2, x2, x1, x1], [y1, y1, y2, y2, y1], **style)


def _points(ax, samples, **style):
    ys, xs = samples.points()
    ax.scatter(xs.ravel(), ys.ravel(), zorder=3, **style)


def half_pixel(path):
    """The chapter's box sampled without the shift (mxnet, torchvision's default, ONNX before opset 16) and
    with it (ONNX opset 16's default half_pixel, Detectron2, mmcv), and the two outputs."""
    x1, y1, x2, y2 = BOX[1:]
    plain = ru.roi_align_samples(BOX, POOLED, 1.0, SAMPLE_RATIO, False, (SIDE, SIDE))
    shifted = rf.onnx_roi_align_samples(
        BOX[1:],
        output_height=POOLED[0],
        output_width=POOLED[1],
        sampling_ratio=SAMPLE_RATIO,
        map_shape=(SIDE, SIDE),
    )
    without = ru.roi_align(MAP, [BOX], POOLED, 1.0, SAMPLE_RATIO, False)[0, 0]
    with_shift = rf.onnx_roi_align(
        MAP, [BOX[1:]], [0], output_height=2, output_width=2, sampling_ratio=SAMPLE_RATIO
    )[0, 0]
    fig, axes = plt.subplots(1, 3, figsize=(9.4, 3.3), gridspec_kw={"width_ratios": [3, 1.2, 1.2]})
    _map(axes[0], MAP[0, 0], f"box [{x1:g}, {y1:g}, {x2:g}, {y2:g}], 2 x 2 bins, 2 x 2 samples each")
    _outline(axes[0], x1, y1, x2, y2, color="black", lw=1.4, label="the box as given")
    shift = {"color": "#d62728", "lw": 1, "ls": "--", "label": "shifted by -0.5"}
    _outline(axes[0], x1 - 0.5, y1 - 0.5, x2 - 0.5, y2 - 0.5, **shift)
    _points(
        axes[0],
        plain,
        marker="o",
        s=30,
        facecolors="none",
        edgecolors="#1f77b4",
        lw=1.4,
        label="output_half_pixel / aligned=False",
    )
    _points(axes[0], shifted, marker="x", s=30, c="#d62728", lw=1.5, label="half_pixel / aligned=True")
    axes[0].legend(loc="lower center", bbox_to_anchor=(0.5, -0.4), fontsize=8, ncol=2, frameon=False)
    for ax, values, title in (
        (axes[1], without, "mxnet ROIAlign\n(aligned=False)"),
        (axes[2], with_shift, "ONNX RoiAlign opset 16\n(half_pixel, its default)"),
    ):
        ax.imshow(values, cmap="Blues", vmin=0, vmax=float(MAP.max()))
        for (r, c), v in np.ndenumerate(values):
            ax.text(c, r, f"{v:.4g}", ha="center", va="center", fontsize=9)
        ax.set_axis_off()
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


MIDWAY = [0.5, 0.5, 2.5, 2.5]
"""The constant-map box of the max-mode section (its cell writes it out): 2x2 output, one sample a bin."""


def max_mode(path):
    """ONNX's max mode on a constant map of -10, for the section's box ``MIDWAY`` (2x2 output,
    ``sampling_ratio=1``): the first bin's one sample, midway between four cells, and its four weighted
    corner values (-2.5 each) against its interpolated value (-10)."""
    samples = rf.onnx_roi_align_samples(
        MIDWAY, output_height=2, output_width=2, sampling_ratio=1, map_shape=(SIDE, SIDE)
    )
    kw = dict(output_height=2, output_width=2, sampling_ratio=1)
    onnx = rf.onnx_roi_align(CONSTANT, [MIDWAY], [0], mode="max", **kw)[0, 0]
    mmcv = rf.mmcv_roi_align(CONSTANT, [[0, *MIDWAY]], 2, 1.0, 1, "max")[0, 0]
    fig, ax = plt.subplots(figsize=(5.6, 3.9))
    plane = CONSTANT[0, 0, :3, :3]
    ax.imshow(plane, cmap="Greys", vmin=-12, vmax=0)
    y, x = samples.y.coord[0, 0], samples.x.coord[0, 0]
    for r, c, w in samples.neighbours(0, 0, 0, 0):
        ax.annotate(f"w = {w:g}\nw·v = {w * plane[r, c]:g}", (c, r), ha="center", va="center", fontsize=8)
    ax.scatter([x], [y], marker="x", s=80, c="#d62728", zorder=3)
    ax.text(x, y + 0.16, "sample of bin (0, 0)", ha="center", va="top", color="#d62728", fontsize=8)
    ax.set_xticks(range(3))
    ax.set_yticks(range(3))

    def every_bin(values):  # "-2.5 in every bin", or the 2x2 output when its bins differ
        kinds = np.unique(values)
        return f"{kinds[0]:g} in every bin" if len(kinds) == 1 else str(values.tolist())

    ax.set_title(
        f"every cell -10; box {MIDWAY}, 2x2, sampling_ratio=1\n"
        f"ONNX max mode: {every_bin(onnx)} (largest w·v)\n"
        f"mmcv's max mode: {every_bin(mmcv)} (largest interpolated value)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)


CASES = {"ch7_max_mode.png": [MIDWAY]}
"""The boxes a figure draws, each one its section's cells show (tests/test_figures.py checks)."""


def crop_and_resize(path):
    """crop_and_resize's corner-aligned grid (box normalised by the map's size) against RoIAlign's bin
    samples for the chapter's box, and the boxes that make the two grids meet."""
    x1, y1, x2, y2 = BOX[1:]
    normalised = [y1 / SIDE, x1 / SIDE, y2 / SIDE, x2 / SIDE]
    grid = rf.tf_crop_grid(normalised, (4, 4), (SIDE, SIDE))
    shifted = ru.roi_align_samples(BOX, POOLED, 1.0, SAMPLE_RATIO, True, (SIDE, SIDE))
    boxes, crop = rf.roi_align_crop_boxes([BOX], POOLED, 1.0, (SIDE, SIDE), SAMPLE_RATIO)
    matched = rf.tf_crop_grid(boxes[0], crop, (SIDE, SIDE))
    fig, axes = plt.subplots(1, 2, figsize=(9.4, 3.8))
    for ax, points, title in (
        (axes[0], grid, "normalised box [y1/H, x1/W, y2/H, x2/W], crop 4 x 4"),
        (axes[1], matched, "boxes from roi_align_crop_boxes, crop 4 x 4"),
    ):
        _map(ax, MAP[0, 0], title)
        _outline(
            ax, x1 - 0.5, y1 - 0.5, x2 - 0.5, y2 - 0.5, color="black", lw=1.2, label="the box's pixel edges"
        )
        _points(
            ax, shifted, marker="x", s=34, c="#d62728", lw=1.5, label="RoIAlign aligned=True, 2 x 2 per bin"
        )
        xs, ys = np.meshgrid(points.in_x, points.in_y)
        ax.scatter(
            xs.ravel(), ys.ravel(), marker="+", s=80, c="#2ca02c", lw=1.6, zorder=3, label="crop_and_resize"
        )
    axes[0].legend(loc="lower center", bbox_to_anchor=(1.1, -0.26), fontsize=8, ncol=3, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


FIGURES = {
    "ch7_half_pixel.png": half_pixel,
    "ch7_max_mode.png": max_mode,
    "ch7_crop_and_resize.png": crop_and_resize,
}
