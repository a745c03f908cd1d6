"""Chapter 4 figures: sample points with aligned off and on; RoIPool against RoIAlign cells."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru
from roi_widgets.align import align_map

BOX = [0, 0.0, 0.0, 2.0, 2.0]


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
        top, left = s.y.start, s.x.start
        size = s.y.bin_size
        ax.add_patch(plt.Rectangle((left, top), size, size, fill=False, color="crimson", lw=2))
        ax.scatter(xs.ravel(), ys.ravel(), color="#1f77b4", zorder=3)
        ax.set_xlabel(f"samples at x = {sorted(set(np.round(xs.ravel(), 2).tolist()))}", fontsize=8)
    fig.suptitle(
        "+ = cell centres. aligned=True moves the box by half a cell: corners on pixel edges", fontsize=9
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def pool_vs_align(path):
    x = align_map()
    box = [0, 0.6, 0.4, 3.7, 3.2]
    bins = ru.roi_pool_bins(box, 2, 1.0, (6, 6))
    s = ru.roi_align_samples(box, 2, 1.0, 2, False, (6, 6))
    reach = (s.y.weight_matrix(6).sum(0)[:, None] * s.x.weight_matrix(6).sum(0)[None, :]) > 0
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
    pooled = ru.roi_pool(x, [box], 2)[0, 0]
    aligned = ru.roi_align(x, [box], 2, 1.0, 2)[0, 0]

    def fmt(values):
        return "[" + ", ".join("[" + ", ".join(f"{v:.2f}" for v in row) + "]" for row in values) + "]"

    for ax, cells, title, output in (
        (axes[0], bins.coverage(), "RoIPool: cells read after rounding", fmt(pooled)),
        (axes[1], reach.astype(int), "RoIAlign: cells with a bilinear weight", fmt(aligned)),
    ):
        ax.imshow(cells, cmap="Oranges", vmin=0, vmax=4)
        for (r, c), v in np.ndenumerate(x[0, 0]):
            ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=8)
        ax.add_patch(
            plt.Rectangle(
                (box[1], box[2]), box[3] - box[1], box[4] - box[2], fill=False, color="crimson", lw=2
            )
        )
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(f"output {output}", fontsize=8)
        ax.set_xticks(range(6))
        ax.set_yticks(range(6))
    ys, xs = s.points()
    axes[1].scatter(xs.ravel(), ys.ravel(), s=10, color="#1f77b4")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def explorer(path):
    from roi_widgets.align import AlignExplorer

    view = AlignExplorer()
    view.bin_col.value, view.iy.value, view.ix.value = 1, 1, 1
    view.figure.savefig(path, dpi=90)


FIGURES = {
    "ch4_aligned.png": aligned_shift,
    "ch4_pool_vs_align.png": pool_vs_align,
    "ch4_explorer.png": explorer,
}
