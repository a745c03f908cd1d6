"""Chapter 4's three readings of one box: RoI pooling's inclusive cells, RoIAlign's corners at cell
centres, and aligned=True's corners on pixel edges, at scale 1 and at scale 1/2.

Every extent and sample drawn comes from ``ru.roi_pool_bins`` and ``ru.roi_align_samples``; the
cases are ``READINGS``, the same boxes as the notebook's cell beside the figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru

READINGS = ((1.0, [0, 1, 1, 3, 3]), (0.5, [0, 3, 3, 7, 7]))
"""(spatial_scale, box) of each row of the picture."""
CASES = {"ch4_readings.png": [box for _, box in READINGS]}
"""(spatial_scale, box in image pixels): the same cells' worth of box at scale 1 and at scale 1/2."""
MAP_SHAPE = (6, 6)
SHOWN = 5  # cells drawn per side


def readings(box, scale: float) -> dict[str, dict]:
    """Per reading, the box's extent along x and y in map cells (cell c's centre at c) and, for
    RoIAlign, its sample points (1 bin, sample_ratio 2)."""
    pool = ru.roi_pool_bins(box, 1, scale, MAP_SHAPE)
    out = {
        "RoI pooling": {
            "x": (pool.roi_start_w - 0.5, pool.roi_end_w + 0.5),
            "y": (pool.roi_start_h - 0.5, pool.roi_end_h + 0.5),
            "cells": (pool.roi_start_w, pool.roi_end_w, pool.roi_start_h, pool.roi_end_h),
        }
    }
    for aligned in (False, True):
        s = ru.roi_align_samples(box, 1, scale, 2, aligned, MAP_SHAPE)
        ys, xs = s.points()
        out[f"RoIAlign, aligned={aligned}"] = {
            "x": (s.x.start, s.x.start + s.x.bin_size),
            "y": (s.y.start, s.y.start + s.y.bin_size),
            "samples": (xs.ravel(), ys.ravel()),
        }
    return out


def _grid(ax):
    for k in range(SHOWN + 1):
        ax.axhline(k - 0.5, color="lightgrey", lw=0.8, zorder=0)
        ax.axvline(k - 0.5, color="lightgrey", lw=0.8, zorder=0)
    centres = np.arange(SHOWN)
    cx, cy = np.meshgrid(centres, centres)
    ax.plot(cx.ravel(), cy.ravel(), "+", color="grey", ms=5, zorder=1)
    ax.set_xlim(-0.6, SHOWN - 0.4)
    ax.set_ylim(SHOWN - 0.4, -0.6)
    ax.set_aspect("equal")
    ax.set_xticks(range(SHOWN))
    ax.set_yticks(range(SHOWN))
    ax.tick_params(labelsize=7)


def _describe(reading: dict) -> str:
    lo, hi = reading["x"]
    if "cells" in reading:
        first, last = reading["cells"][:2]
        return f"cells {first} to {last}, inclusive:\nx from {lo:g} to {hi:g}, width {hi - lo:g}"
    return f"x from {lo:g} to {hi:g}, width {hi - lo:g}"


def three_readings(path):
    fig, axes = plt.subplots(len(READINGS), 3, figsize=(9.6, 7.2))
    colours = {"RoI pooling": "saddlebrown", "RoIAlign, aligned=False": "crimson",
               "RoIAlign, aligned=True": "seagreen"}
    for row, (scale, box) in zip(axes, READINGS, strict=True):
        for ax, (name, reading) in zip(row, readings(box, scale).items(), strict=True):
            _grid(ax)
            (x0, x1), (y0, y1) = reading["x"], reading["y"]
            colour = colours[name]
            if "cells" in reading:
                ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, color=colour, alpha=0.18, zorder=1))
            ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, color=colour, lw=2, zorder=3))
            if "samples" in reading:
                xs, ys = reading["samples"]
                ax.scatter(xs, ys, s=14, color=colour, zorder=4)
            ax.set_title(f"{name}\nbox {box[1:]} px, scale {scale:g}", fontsize=8)
            ax.set_xlabel(_describe(reading), fontsize=8)
    fig.suptitle(
        "One box, three readings, in map cells (+: cell centres, at whole numbers). RoI pooling: whole cells,"
        " inclusive (shaded).\nRoIAlign: the scaled corners as they are, at cell centres at scale 1. "
        "aligned=True: moved by half a cell, onto cell edges. Dots: 2 x 2 samples",
        fontsize=8,
    )
    fig.subplots_adjust(left=0.04, right=0.99, top=0.9, bottom=0.08, wspace=0.15, hspace=0.45)
    fig.savefig(path, dpi=100)


FIGURES = {"ch4_readings.png": three_readings}
