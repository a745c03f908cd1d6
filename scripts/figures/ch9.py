"""Chapter 9 figures: the experiment's table as a plot, and test objects with their masks.

``ch9_results.png`` is drawn from ``rx.run(rx.FULL)``, the run that
``scripts/alignment_experiment.py`` prints; ``ch9_examples.png`` from ``rx.fit_all(rx.QUICK, 0)``,
the notebook's live run, at stride 32 (the explorer's first view).
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np

import roi_experiment as rx

COLOURS = {
    "roi_pool": "tab:red",
    "roi_warp": "tab:orange",
    "roi_align": "tab:cyan",
    "roi_align_aligned": "tab:blue",
}
EXAMPLES = (0, 1, 2)
"""The test objects shown: simply the first three (not picked to flatter any method)."""


@lru_cache(maxsize=1)
def _full() -> rx.Results:
    return rx.run(rx.FULL)


@lru_cache(maxsize=1)
def _quick() -> rx.Fitted:
    return rx.fit_all(rx.QUICK, rx.QUICK.seeds[0])


def draw_results(results: rx.Results, path) -> None:
    """Mean IoU and share above IoU 0.75 against stride, mean ± sd over seeds; the paper's AP75."""
    strides = results.config.strides
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, metric, title in (
        (axes[0], "mean_iou", "mean mask IoU (%)"),
        (axes[1], "iou75", "test objects with IoU ≥ 0.75 (%)"),
    ):
        for k, method in enumerate(results.config.methods):
            summary = np.array([results.summary(method, s, metric) for s in strides])
            shift = (k - 1.5) * 0.03  # side by side in log2(stride)
            ax.errorbar(
                np.log2(strides) + shift,
                summary[:, 0],
                yerr=summary[:, 1],
                marker="o",
                capsize=3,
                color=COLOURS[method],
                label=rx.METHOD_NAMES[method],
            )
        ax.set_title(f"this experiment: {title}", fontsize=9)
    for method in ("roi_pool", "roi_warp", "roi_align"):
        points = [(s, rx.PAPER[(method, s)][2]) for s in (16, 32) if (method, s) in rx.PAPER]
        xs, ys = zip(*points, strict=True)
        axes[2].plot(np.log2(xs), ys, marker="s", color=COLOURS[method], label=rx.METHOD_NAMES[method])
    axes[2].set_title("the paper (COCO): mask AP75", fontsize=9)
    axes[2].set_xlim(2.8, 5.2)
    for ax in axes:
        ax.set_xticks(np.log2(strides), [str(s) for s in strides])
        ax.set_xlabel("stride")
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    axes[0].legend(fontsize=7)
    seeds = len(results.config.seeds)
    fig.suptitle(
        f"{results.config.n_test} test objects x {seeds} seeds; error bars: ± 1 sd over seeds", fontsize=9
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def results(path) -> None:
    draw_results(_full(), path)


def draw_example(ax, example: rx.Example, title: bool = True) -> None:
    """One test object: the image, the true mask (green), the prediction (magenta), the proposal
    (dashed white) and the region the method read (yellow)."""
    x1, y1, x2, y2 = example.proposal
    size = example.image.shape[0]
    ax.imshow(example.image, cmap="gray", extent=(0, size, size, 0), vmin=-0.2, vmax=1.4)
    ax.contour(example.truth, levels=[0.5], colors="lime", linewidths=1.2, extent=(0, size, 0, size))
    ax.contour(example.predicted, levels=[0.5], colors="magenta", linewidths=1.2, extent=(0, size, 0, size))
    ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, ls="--", color="white", lw=1))
    rx1, ry1, rx2, ry2 = example.region
    ax.add_patch(plt.Rectangle((rx1, ry1), rx2 - rx1, ry2 - ry1, fill=False, color="gold", lw=1))
    left, right, bottom, top = example.view
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(f"{rx.METHOD_NAMES[example.method]}\nIoU {example.iou:.2f}", fontsize=8)


def examples(path) -> None:
    fitted = _quick()
    stride = 32
    fig, axes = plt.subplots(len(EXAMPLES), len(rx.METHODS), figsize=(9, 2.3 * len(EXAMPLES)))
    for row, index in enumerate(EXAMPLES):
        for col, method in enumerate(rx.METHODS):
            draw_example(axes[row, col], rx.example(fitted, method, stride, index))
        axes[row, 0].set_ylabel(f"test object {index}", fontsize=8)
    fig.suptitle(
        f"stride {stride}: true mask (green), predicted (magenta), proposal (dashed), region read (gold)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)


FIGURES = {"ch9_results.png": results, "ch9_examples.png": examples}
