"""Chapter 5 figure: where each operator's gradient goes, for the same box (from roi_utils)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import roi_utils as ru
from roi_widgets.grad import grad_map

BOX = [0, 2, 1, 4, 3]


def routes(path):
    x = grad_map()
    ones = np.ones((1, 1, 2, 2), np.float32)
    pool = ru.roi_pool_backward(ones, x, [BOX], 2)[0, 0]
    align = ru.roi_align_backward(ones, x, [BOX], 2, 1.0, 2)[0, 0]
    bins = ru.roi_pool_bins(BOX, 2, 1.0, x.shape[2:])
    # RoI pooling reads whole cells roi_start..roi_end (edges half a cell outside their centres);
    # RoIAlign's box runs from start to start + pooled * bin_size in cell-centre coordinates
    pool_box = (bins.roi_start_w - 0.5, bins.roi_start_h - 0.5, bins.roi_end_w + 0.5, bins.roi_end_h + 0.5)
    s = ru.roi_align_samples(BOX, 2, 1.0, 2, False, x.shape[2:])
    align_box = (s.x.start, s.y.start, s.x.start + 2 * s.x.bin_size, s.y.start + 2 * s.y.bin_size)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.8))
    for ax, plane, title, fmt, cmap, box, every in (
        (axes[0], x[0, 0], "map, box [2, 1, 4, 3] pooled 2x2", "{:g}", "Greys", pool_box, True),
        (axes[1], pool, "roi_pool_backward, upstream all ones", "{:g}", "Reds", pool_box, False),
        (axes[2], align, "roi_align_backward (sample_ratio 2)", "{:.2f}", "Reds", align_box, False),
    ):
        ax.imshow(plane, cmap=cmap, vmin=0, vmax=plane.max() * 1.6)
        for (r, c), v in np.ndenumerate(plane):
            if every or v:  # every map value (0 too); only the cells that receive gradient
                ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=7)
        x1, y1, x2, y2 = box
        ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, color="crimson", lw=1.5))
        ax.set_title(title, fontsize=9)
        ax.set_xticks(range(6))
        ax.set_yticks(range(6))
    axes[0].set_xlabel("red: the cells RoI pooling reads", fontsize=8)
    axes[1].set_xlabel("all four bins' maxima are the same cell: it gets 4", fontsize=8)
    axes[2].set_xlabel(
        "RoIAlign's box runs between cell centres;\nthe gradient spreads around it, sums to 4", fontsize=8
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def explorer(path):
    from roi_widgets.grad import GradExplorer

    GradExplorer().figure.savefig(path, dpi=90)


FIGURES = {"ch5_gradient_routes.png": routes, "ch5_explorer.png": explorer}
