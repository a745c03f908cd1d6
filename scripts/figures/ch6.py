"""Chapter 6 figures: why RoI pooling and RoIAlign are separable (drawn from roi_utils)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru

MAP = np.random.default_rng(6).integers(0, 10, (1, 1, 6, 8)).astype(np.float32)
BOX = [0, 1, 1, 6, 4]  # 6 x 4 cells, pooled 2 x 2


def _cells(ax, values, title, cmap="Greys", vmax=None, rows=True, cols=True):
    """Values in their cells; ``rows``/``cols``: True for index labels 0, 1, ..., a list for other
    labels, False for none."""
    ax.imshow(values, cmap=cmap, vmin=0, vmax=vmax if vmax is not None else values.max() * 1.6)
    for (r, c), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=8)
    ax.set_title(title, fontsize=9)
    h, w = values.shape
    for labels, count, set_ticks, set_labels in (
        (rows, h, ax.set_yticks, ax.set_yticklabels),
        (cols, w, ax.set_xticks, ax.set_xticklabels),
    ):
        if labels is False:
            set_ticks([])
            continue
        set_ticks(range(count))
        set_labels([str(i) for i in range(count)] if labels is True else labels)
    ax.tick_params(labelsize=8, length=0)
    ax.set_ylabel("row" if rows is True else "", fontsize=8)
    ax.set_xlabel("column" if cols is True else "", fontsize=8)


def separable_max(path):
    """A bin's max = max over its columns of (max over its rows): the row maxima are shared."""
    bins = ru.roi_pool_bins(BOX, 2, 1.0, MAP.shape[2:])
    rows, cols = bins.cells(0, 1)
    plane = MAP[0, 0]
    band = np.fmax.reduce(plane[rows], axis=0)  # one row band, every column
    fig, axes = plt.subplots(1, 3, figsize=(9, 2.6), gridspec_kw={"width_ratios": [8, 8, 2]})
    _cells(axes[0], plane, "map; bin (0, 1) outlined")
    axes[0].add_patch(
        plt.Rectangle(
            (cols.start - 0.5, rows.start - 0.5),
            cols.stop - cols.start,
            rows.stop - rows.start,
            fill=False,
            color="crimson",
            lw=2,
        )
    )
    band_rows = f"rows {rows.start}..{rows.stop - 1}"
    _cells(axes[1], band[None, :], f"max over {band_rows} (shared by the band)", rows=[band_rows])
    axes[1].add_patch(
        plt.Rectangle((cols.start - 0.5, -0.5), cols.stop - cols.start, 1, fill=False, color="crimson", lw=2)
    )
    value = ru.roi_pool(MAP, [BOX], 2)[0, 0, 0, 1]
    _cells(
        axes[2],
        np.array([[value]]),
        f"then over its\ncolumns {cols.start}..{cols.stop - 1}",
        rows=False,
        cols=False,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def separable_weights(path):
    """RoIAlign's weights for one bin are an outer product: row weights x column weights."""
    s = ru.roi_align_samples([0, 0.6, 0.9, 6.2, 4.4], 2, 1.0, 2, False, MAP.shape[2:])
    ry = s.y.weight_matrix(MAP.shape[2])[0]
    cx = s.x.weight_matrix(MAP.shape[3])[1]
    fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), gridspec_kw={"width_ratios": [1, 8, 8]})
    _cells(axes[0], ry[:, None].round(3), "Ry[0]", "Blues", ry.max() * 1.4, cols=False)
    _cells(axes[1], cx[None, :].round(3), "Cx[1]", "Blues", cx.max() * 1.4, rows=False)
    _cells(
        axes[2],
        np.outer(ry, cx).round(3),
        f"Ry[0] x Cx[1]: bin (0, 1) = sum(this x map) / {s.count}",
        "Blues",
        (ry.max() * cx.max()) * 1.4,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)


FIGURES = {"ch6_separable_max.png": separable_max, "ch6_separable_weights.png": separable_weights}
