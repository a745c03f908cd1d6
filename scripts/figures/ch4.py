"""Chapter 4 figures: sample points with aligned off and on; RoIPool against RoIAlign cells."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru
from roi_chapters.ch4 import align_map

from . import explorer_figure, outline

BOX = [0, 0, 0, 2, 2]
COMPARED = [0, 0.6, 0.4, 3.7, 3.2]
"""The box RoIPool and RoIAlign read side by side."""
CASES = {"ch4_aligned.png": [BOX], "ch4_pool_vs_align.png": [COMPARED]}
"""The boxes each figure draws (a test finds them in the notebook's cells beside the figure)."""


def _grid(ax, side, title):
    for k in range(side + 1):
        ax.axhline(k - 0.5, color="lightgrey", lw=0.8)
        ax.axvline(k - 0.5, color="lightgrey", lw=0.8)
    for r in range(side):
        for c in range(side):
            ax.plot(c, r, "+", color="grey", ms=5)
    ax.set_xlim(-0.7, side - 0.3)
    ax.set_ylim(side - 0.3, -0.7)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=9)
    ax.set_xticks(range(side))
    ax.set_yticks(range(side))


def aligned_shift(path):
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
    for ax, aligned in zip(axes, (False, True), strict=True):
        s = ru.roi_align_samples(BOX, 1, 1.0, 2, aligned, (4, 4))
        ys, xs = s.points()
        _grid(ax, 4, f"box [0, 0, 2, 2], aligned={aligned}")
        # above the grid lines: with aligned=True the box's edges lie on them
        outline(ax, ru.align_box_edges(s), color="crimson", lw=2, zorder=3)
        ax.scatter(xs.ravel(), ys.ravel(), color="#1f77b4", zorder=3)
        ax.set_xlabel(f"samples at x = {sorted(set(np.round(xs.ravel(), 2).tolist()))}", fontsize=8)
    fig.suptitle(
        "+ = cell centres. aligned=True moves the box by half a cell: corners on pixel edges", fontsize=9
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def pool_vs_align(path):
    x = align_map()
    box = COMPARED
    bins = ru.roi_pool_bins(box, 2, 1.0, (6, 6))
    s = ru.roi_align_samples(box, 2, 1.0, 2, False, (6, 6))
    reach = (s.y.weight_matrix(6).sum(0)[:, None] * s.x.weight_matrix(6).sum(0)[None, :]) > 0
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.3), layout="constrained")
    pooled, argmax = ru.roi_pool_argmax(x, [box], 2)
    aligned = ru.roi_align(x, [box], 2, 1.0, 2)[0, 0]
    winners = {divmod(int(k), 6) for k in argmax.ravel()}

    def fmt(values):
        return "[" + ", ".join("[" + ", ".join(f"{v:.2f}" for v in row) + "]" for row in values) + "]"

    for ax, cells, title, output in (
        (
            axes[0],
            bins.coverage(),
            "RoIPool: cells read after rounding;\nbold = each bin's max",
            fmt(pooled[0, 0]),
        ),
        (axes[1], reach.astype(int), "RoIAlign: cells with a bilinear weight;\ndots = samples", fmt(aligned)),
    ):
        ax.imshow(cells, cmap="Oranges", vmin=0, vmax=4)
        for (r, c), v in np.ndenumerate(x[0, 0]):
            bold = ax is axes[0] and (r, c) in winners
            ax.text(
                c,
                r,
                f"{v:g}",
                ha="center",
                va="center",
                fontsize=9 if bold else 8,
                fontweight="bold" if bold else "normal",
            )
        outline(ax, ru.align_box_edges(s), color="crimson", lw=2, zorder=3)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(f"output {output}", fontsize=8)
        ax.set_xticks(range(6))
        ax.set_yticks(range(6))
    # RoIPool's bins: whole cells of the rounded box, [start, end) per axis
    for edges in ru.pool_bin_edges(bins).reshape(-1, 4):
        outline(axes[0], edges, color="saddlebrown", lw=1, ls="--", zorder=2)
    # RoIAlign's bins: the box cut into 2 x 2 equal parts, no rounding
    left, top, right, bottom = ru.align_box_edges(s)
    split_x, split_y = ru.align_bin_edges(s)[1, 1, :2]  # where the second bin row and column start
    axes[1].plot([left, right], [split_y] * 2, "--", color="crimson", lw=0.8)
    axes[1].plot([split_x] * 2, [top, bottom], "--", color="crimson", lw=0.8)
    ys, xs = s.points()
    axes[1].scatter(xs.ravel(), ys.ravel(), s=10, color="#1f77b4", zorder=4)
    fig.suptitle(
        f"box {box[1:]} (crimson), 2 x 2 bins; RoIPool rounds it to columns "
        f"{bins.roi_start_w}..{bins.roi_end_w}, rows {bins.roi_start_h}..{bins.roi_end_h}",
        fontsize=9,
    )
    fig.savefig(path, dpi=100)


FIGURES = {
    "ch4_aligned.png": aligned_shift,
    "ch4_pool_vs_align.png": pool_vs_align,
    "ch4_explorer.png": explorer_figure("align"),
}
