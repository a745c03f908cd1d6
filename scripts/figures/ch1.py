"""Chapter 1 figures: disjoint bins (the popular picture) against mxnet's floor/ceil bins."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru
from roi_exercises.ch1 import RANDOM, disjoint_pool

BOX = [0, 1, 0, 3, 2]


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
    edges_r = BOX[2] + np.floor(np.arange(3) * 3 / 2).astype(int)
    edges_c = BOX[1] + np.floor(np.arange(3) * 3 / 2).astype(int)
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
    for k, (i, j) in enumerate(np.ndindex(2, 2)):
        rows, cols = bins.cells(i, j)
        inset = 0.07 * (1 + k % 2)
        axes[1].add_patch(
            plt.Rectangle(
                (cols.start - 0.5 + inset, rows.start - 0.5 + inset),
                cols.stop - cols.start - 2 * inset,
                rows.stop - rows.start - 2 * inset,
                fill=False,
                color=colours[k],
                lw=2.5,
            )
        )
    axes[1].set_xlabel(
        "shaded: cells read by two or more bins (the centre cell, 81, by all four)", fontsize=8
    )
    fig.suptitle("box [0, 1, 0, 3, 2] (3 x 3 cells) pooled to 2 x 2", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def explorer(path):
    from roi_widgets.pool import PoolExplorer

    view = PoolExplorer(map_name="random 7x7", box=(1, 0, 5, 4), pooled=(2, 2))
    view.coverage.value = True
    view.figure.savefig(path, dpi=90)


FIGURES = {"ch1_overlapping_bins.png": overlap, "ch1_explorer.png": explorer}
