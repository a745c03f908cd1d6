"""Chapter 3 figures: where the SPP paper's window/stride recipe fails, against RoI-style bins."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru

from . import explorer_figure

SIZES = range(1, 21)
LEVELS = (1, 2, 3, 4, 6)


def recipe_table(path):
    """For each side a and level n: 0 = n windows covering every cell, 1 = wrong count, 2 = cells missed."""
    status = np.zeros((len(LEVELS), len(SIZES)))
    for i, n in enumerate(LEVELS):
        for j, a in enumerate(SIZES):
            w = ru.spp_paper_windows(a, n)
            status[i, j] = 0 if w.works else (2 if w.missed else 1)
    fig, axes = plt.subplots(2, 1, figsize=(9, 4.6), gridspec_kw={"height_ratios": [3, 2]})
    axes[0].imshow(
        status, cmap=plt.matplotlib.colors.ListedColormap(["#d9f0d3", "#fdae61", "#d7191c"]), vmin=0, vmax=2
    )
    for i, j in np.ndindex(status.shape):
        w = ru.spp_paper_windows(SIZES[j], LEVELS[i])
        axes[0].text(j, i, str(w.bins), ha="center", va="center", fontsize=8)
    axes[0].set_xticks(range(len(SIZES)), [str(a) for a in SIZES])
    axes[0].set_yticks(range(len(LEVELS)), [f"n={n}" for n in LEVELS])
    axes[0].set_xlabel("map side a (cells); number = windows the recipe gives")
    axes[0].set_title(
        "paper recipe (window ceil(a/n), stride floor(a/n)): green ok, orange wrong count, "
        "red misses cells (0: a < n, stride 0: no windows placed)",
        fontsize=9,
    )
    a, n = 10, 4
    paper, bins = (
        ru.spp_paper_windows(a, n),
        ru.roi_pool_bins(ru.whole_map_roi(0, (1, a)), (1, n), 1.0, (1, a)),
    )
    ax = axes[1]
    ax.set_xlim(-0.6, a - 0.4)
    ax.set_ylim(-0.5, 2.2)
    for c in range(a):
        ax.add_patch(plt.Rectangle((c - 0.5, -0.4), 1, 0.5, fill=False, color="grey"))
        ax.text(c, -0.15, str(c), ha="center", va="center", fontsize=8)
    for k, (s, e) in enumerate(zip(paper.starts, paper.ends, strict=True)):
        ax.plot([s - 0.45, e - 0.55], [0.5 + 0.15 * k] * 2, color="crimson", lw=3)
    for k, (s, e) in enumerate(zip(bins.wstart, bins.wend, strict=True)):
        ax.plot([s - 0.45, e - 0.55], [1.3 + 0.15 * k] * 2, color="#1f77b4", lw=3)
    ax.text(
        a - 0.3,
        0.7,
        f"paper: {paper.bins} windows of {paper.window},\n"
        f"stride {paper.stride}: cell {paper.missed[0]} unread",
        fontsize=8,
        color="crimson",
        va="center",
    )
    unread = np.flatnonzero(bins.coverage().sum(axis=0) == 0)
    ax.text(
        a - 0.3,
        1.5,
        f"RoI-style floor/ceil bins:\n{len(bins.wstart)} bins, "
        + ("every cell read" if unread.size == 0 else f"cells {unread.tolist()} unread"),
        fontsize=8,
        color="#1f77b4",
        va="center",
    )
    ax.set_title(f"one side of a = {a} cells at level n = {n}", fontsize=9)
    ax.set_axis_off()
    ax.set_xlim(-0.6, a + 4)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


FIGURES = {"ch3_paper_recipe.png": recipe_table, "ch3_explorer.png": explorer_figure("spp")}
