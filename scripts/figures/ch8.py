"""Chapter 8 figures: FPN level thresholds, position-sensitive channels, a rotated sample grid.

Each is drawn for the same case as the notebook cell beside it (the boxes of the first FPN cell,
``PS_BOX`` with output_dim 2 and 3 x 3 bins, ``ROTATED_ROI`` pooled 2 x 2 with sampling_ratio 2).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru
from roi_exercises.ch8 import FPN_BOX, PS_BOX, PS_MAP, ROTATED_ROI
from roi_widgets.fpn import LEVEL_COLOURS
from roi_widgets.psroi import GROUP_COLOURS

FPN_BOXES = [[0, 0, 0, 224, 224], [0, 0, 0, 223, 223], FPN_BOX, [0, 0, 0, 448, 112], [0, 0, 0, 10, 10]]


def fpn_levels(path):
    fig, ax = plt.subplots(figsize=(8, 2.6))
    thresholds = ru.fpn_thresholds(2, 5)
    edges = [4.0, *thresholds.tolist(), 1000.0]
    for k, low, high in zip(range(2, 6), edges[:-1], edges[1:], strict=True):
        ax.axvspan(low, high, color=LEVEL_COLOURS[k], alpha=0.3)
        ax.text(math.sqrt(low * high), 0.88, f"P{k} (stride {2**k})", ha="center", fontsize=9)
    levels = ru.fpn_levels(FPN_BOXES, 2, 5)
    for i, (box, k) in enumerate(zip(FPN_BOXES, levels, strict=True)):
        side = math.sqrt((box[3] - box[1]) * (box[4] - box[2]))
        y = 0.15 + 0.13 * i
        ax.plot(side, y, "o", color=LEVEL_COLOURS[int(k)], mec="k")
        w, h = box[3] - box[1], box[4] - box[2]
        ax.text(side * 1.08, y, f"{w:g} x {h:g} -> P{k}", va="center", fontsize=8)
    ax.set_xscale("log", base=2)
    ax.set_xlim(4, 1000)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ticks = [7, 14, 28, 56, 112, 224, 448, 896]  # 224 * 2**n: evenly spaced on the log axis
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel("sqrt(area) of the box, image pixels (levels step up at 112, 224, 448)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def ps_channels(path):
    bins = ru.ps_roi_pool_bins(PS_BOX, 1.0, 2, 3, map_shape=PS_MAP.shape[2:])
    out = ru.ps_roi_pool(PS_MAP, [PS_BOX], 1.0, 2, 3)
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.3), gridspec_kw={"width_ratios": [1, 1, 0.8]})
    for c, ax in enumerate(axes[:2]):
        channels = bins.channels()[c]
        for ph in range(3):
            for pw in range(3):
                hs, he, ws, we = bins.hstart[ph], bins.hend[ph], bins.wstart[pw], bins.wend[pw]
                colour = GROUP_COLOURS[ph * 3 + pw]
                ax.add_patch(plt.Rectangle((ws - 0.5, hs - 0.5), we - ws, he - hs, color=colour, alpha=0.5))
                ax.text((ws + we - 1) / 2, (hs + he - 1) / 2, f"ch {channels[ph, pw]}", ha="center",
                        va="center", fontsize=8)  # fmt: skip
        left, top = bins.roi_start_w - 0.5, bins.roi_start_h - 0.5
        size = (bins.roi_end_w - bins.roi_start_w, bins.roi_end_h - bins.roi_start_h)
        ax.add_patch(plt.Rectangle((left, top), *size, fill=False, color="crimson", lw=2))
        ax.set_xlim(-0.5, 5.5)
        ax.set_ylim(5.5, -0.5)
        ax.set_aspect("equal")
        for k in range(7):  # cell edges: cell (row, col) is centred on (col, row)
            ax.axhline(k - 0.5, color="0.85", lw=0.8, zorder=0)
            ax.axvline(k - 0.5, color="0.85", lw=0.8, zorder=0)
        ax.set_title(f"output channel {c}: bins and the channel each reads", fontsize=8)
    axes[2].imshow(out[0, 1], cmap="Greys", vmin=0, vmax=14)
    for (r, c), v in np.ndenumerate(out[0, 1]):
        axes[2].text(c, r, f"{v:.2f}", ha="center", va="center", color="crimson", fontsize=8)
    axes[2].set_title("output channel 1 (bin averages)", fontsize=8)
    axes[2].set_xticks(range(3))
    axes[2].set_yticks(range(3))
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def rotated_grid(path):
    s = ru.rotated_roi_align_samples(ROTATED_ROI, 2, 1.0, 2, map_shape=(6, 6))
    fig, ax = plt.subplots(figsize=(5, 4.2))
    for k in range(7):
        ax.axhline(k - 0.5, color="lightgrey", lw=0.8)
        ax.axvline(k - 0.5, color="lightgrey", lw=0.8)
    corners = s.corners()
    ax.plot(*np.vstack([corners, corners[:1]]).T, color="crimson", lw=2)
    for b in s.bin_corners().reshape(-1, 4, 2):
        ax.plot(*np.vstack([b, b[:1]]).T, color="#1f77b4", lw=1)
    ax.scatter(s.x.ravel(), s.y.ravel(), color="#1f77b4", zorder=3, s=18)
    x0, y0 = float(s.x[0, 0, 0, 0]), float(s.y[0, 0, 0, 0])
    for r, c, w in s.neighbours(0, 0, 0, 0):
        ax.plot([x0, c], [y0, r], color="orange", lw=1)
        ax.text(c + 0.08, r - 0.12, f"{w:.2f}", fontsize=7, color="darkorange")
    ax.set_xlim(-0.7, 5.7)
    ax.set_ylim(5.7, -0.7)
    ax.set_aspect("equal")
    ax.set_title("[0, 3, 2, 4, 2, 30]: 2 x 2 bins, 2 x 2 samples each, turned 30 degrees", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


FIGURES = {
    "ch8_fpn_levels.png": fpn_levels,
    "ch8_ps_channels.png": ps_channels,
    "ch8_rotated_grid.png": rotated_grid,
}
