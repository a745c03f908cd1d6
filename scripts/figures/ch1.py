"""Chapter 1 figures: disjoint bins (the popular picture) against mxnet's floor/ceil bins."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru
from roi_chapters.ch1 import OVERLAP_BOX as BOX
from roi_chapters.ch1 import RANDOM
from roi_exercises.ch1 import disjoint_edges, disjoint_pool

from . import explorer_figure, outline

CASES = {"ch1_overlapping_bins.png": [BOX]}
"""The boxes each figure draws (a test finds them in the notebook's cells beside the figure)."""


def _map(ax, plane, title):
    ax.imshow(plane, cmap="Greys", vmin=0, vmax=plane.max() * 1.6)
    for (r, c), v in np.ndenumerate(plane):
        ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.set_xticks(range(plane.shape[1]))
    ax.set_yticks(range(plane.shape[0]))


def overlap(path):
    plane = RANDOM[0, 0]
    colours = matplotlib.colormaps["tab10"].colors
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    wrong = disjoint_pool(RANDOM, BOX, 2)
    _map(axes[0], plane, f"popular picture, disjoint bins: {wrong.astype(int).tolist()}")
    edges_r = disjoint_edges(BOX[2], BOX[4], 2)  # the wrong rule's edges, from the chapter's own function
    edges_c = disjoint_edges(BOX[1], BOX[3], 2)
    for k, (i, j) in enumerate(np.ndindex(2, 2)):
        axes[0].add_patch(
            plt.Rectangle(
                (edges_c[j] - 0.5, edges_r[i] - 0.5),
                edges_c[j + 1] - edges_c[j],
                edges_r[i + 1] - edges_r[i],
                fill=False,
                color=colours[k],
                lw=2.5,
            )
        )
    bins = ru.roi_pool_bins(BOX, 2, 1.0, plane.shape)
    real = ru.roi_pool(RANDOM, [BOX], 2)[0, 0]
    _map(axes[1], plane, f"mxnet, floor/ceil bins: {real.astype(int).tolist()}")
    cover = np.ma.masked_less(bins.coverage(), 2)  # shade only the cells several bins share
    axes[1].imshow(cover, cmap="Oranges", alpha=0.5, vmin=0, vmax=5)
    edges = ru.pool_bin_edges(bins)
    for k, (i, j) in enumerate(np.ndindex(2, 2)):
        inset = 0.07 * (1 + k % 2)
        left, top, right, bottom = edges[i, j]
        outline(axes[1], (left + inset, top + inset, right - inset, bottom - inset), color=colours[k], lw=2.5)
    axes[1].set_xlabel(
        "shaded: cells read by two or more bins (the centre cell, 81, by all four)", fontsize=8
    )
    fig.suptitle("box [0, 1, 0, 3, 2] (3 x 3 cells) pooled to 2 x 2", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


FIGURES = {"ch1_overlapping_bins.png": overlap, "ch1_explorer.png": explorer_figure("pool")}
