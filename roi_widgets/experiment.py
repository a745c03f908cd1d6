"""Chapter 9's explorer: pick a stride, a pooling method and a test object; see its true and
predicted masks, the proposal and the region the method really read.

The model (``ExperimentState`` -> ``experiment_snapshot``) takes everything from
``roi_experiment``: the notebook's live run (``rx.fit_all(rx.QUICK, seed)``, computed once and
kept), ``rx.example`` for the object, ``rx.read_region`` for the region. The view only copies the
snapshot onto one image, two outlines, the raw mask's heatmap and the texts.

>>> snap = experiment_snapshot(ExperimentState(method="roi_pool", stride=32, index=1))
>>> snap.call
'explorer.example("roi_pool", stride=32, index=1, seed=0).predicted'
>>> snap.result.shape, snap.overlay.shape
((128, 128), (128, 128, 3))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

import roi_experiment as rx
from roi_widgets.base import Explorer, Snapshot, State, check_choice, check_int
from roi_widgets.common import (
    NumberControl,
    cell_mesh,
    fixed_title,
    labelled_dropdown,
    new_figure,
    show_cells,
)

CONFIG = rx.QUICK
"""The run the explorer shows: the notebook's live one."""

SEEDS = (0, 9)
"""The seeds the explorer accepts (each is a different run of ``CONFIG``'s sizes)."""

COLOURS = {
    "both": (1.0, 1.0, 1.0),
    "truth only": (0.1, 0.85, 0.1),
    "predicted only": (0.95, 0.1, 0.85),
}
"""Overlay colours: pixels in both masks, only in the true mask (missed), only in the prediction."""

LABEL_SIZE = 9

__all__ = [
    "ExperimentExplorer",
    "ExperimentSnapshot",
    "ExperimentState",
    "experiment_snapshot",
    "fitted",
    "data_figure",
    "examples_figure",
    "results_figure",
    "run_with_progress",
]


@functools.lru_cache(maxsize=4)
def fitted(seed: int = 0) -> rx.Fitted:
    """``rx.fit_all(CONFIG, seed)``, computed once per seed and kept (about a second)."""
    return rx.fit_all(CONFIG, check_int(seed, "seed", *SEEDS))


def example(method: str, stride: int, index: int, seed: int = 0) -> rx.Example:
    """Test object ``index`` of the live run with ``seed``, as ``method`` at ``stride`` saw it.

    >>> example("roi_align_aligned", 16, 0).proposal.tolist() == example("roi_pool", 8, 0).proposal.tolist()
    True
    """
    return rx.example(fitted(seed), method, stride, index)


def run_with_progress(config: rx.Config = CONFIG) -> rx.Results:
    """``rx.run(config)`` with a progress bar shown under the cell (one step per method and stride).

    Without a notebook front end the bar is simply not seen; the results are the same.
    """
    from IPython.display import display

    steps = len(config.seeds) * len(config.strides) * len(config.methods)
    bar = widgets.IntProgress(value=0, min=0, max=steps, description="experiment")
    label = widgets.Label("")
    display(widgets.HBox([bar, label]))

    def report(message: str) -> None:
        bar.value += 1
        label.value = message

    results = rx.run(config, progress=report)
    label.value = f"done: {steps} fits and scores"
    return results


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExperimentState(State):
    """Which object, method, stride and run the explorer shows.

    >>> ExperimentState(stride=12)
    Traceback (most recent call last):
    ...
    ValueError: stride must be one of (8, 16, 32); got 12
    """

    method: str = "roi_pool"
    stride: int = 32
    index: int = 0
    seed: int = 0

    def __post_init__(self):
        check_choice(self.method, "method", rx.METHODS)
        object.__setattr__(self, "stride", check_int(self.stride, "stride"))
        check_choice(self.stride, "stride", rx.STRIDES)
        object.__setattr__(self, "index", check_int(self.index, "index", 0, CONFIG.n_test - 1))
        object.__setattr__(self, "seed", check_int(self.seed, "seed", *SEEDS))


@dataclass(frozen=True, kw_only=True)
class ExperimentSnapshot(Snapshot):
    """Everything the experiment explorer draws (image pixels: pixel (r, c) spans [c, c + 1) x [r, r + 1))."""

    overlay: np.ndarray
    """(H, W, 3) RGB: the image in grey, the true and predicted masks coloured (see ``COLOURS``)."""
    proposal: tuple[float, float, float, float]
    """``(x, y, width, height)`` of the proposal box."""
    region: tuple[float, float, float, float]
    """``(x, y, width, height)`` of the region the method read (``rx.read_region``)."""
    mask: np.ndarray
    """(14, 14) the head's raw output in the proposal's frame (thresholded at 0.5 when pasted)."""
    image_title: str
    mask_title: str
    scores: str
    """This stride's mean IoU of every method in the live run, the chosen one marked."""


def _overlay(example: rx.Example) -> np.ndarray:
    grey = np.clip((example.image - example.image.min()) / np.ptp(example.image), 0, 1)
    rgb = np.repeat(0.75 * grey[:, :, None], 3, axis=2)
    for name, where in (
        ("both", example.truth & example.predicted),
        ("truth only", example.truth & ~example.predicted),
        ("predicted only", ~example.truth & example.predicted),
    ):
        rgb[where] = 0.45 * rgb[where] + 0.55 * np.array(COLOURS[name])
    return rgb


def _corners_to_rectangle(corners) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in corners)
    return x1, y1, x2 - x1, y2 - y1


def _problems(example: rx.Example, size: int) -> tuple[str, ...]:
    problems = []
    if example.iou < 0.5:
        problems.append(f"IoU {example.iou:.2f} < 0.5: a miss even at the loosest threshold")
    x1, y1, x2, y2 = example.region
    if x1 < 0 or y1 < 0 or x2 > size or y2 > size:
        problems.append("the region read runs past the image (and the feature map)")
    return tuple(problems)


def experiment_call(state: ExperimentState) -> str:
    """The status line: the predicted mask of this object, method, stride and run.

    >>> experiment_call(ExperimentState(method="roi_warp", stride=8, index=4, seed=1))
    'explorer.example("roi_warp", stride=8, index=4, seed=1).predicted'
    """
    return (
        f'explorer.example("{state.method}", stride={state.stride}, index={state.index}, '
        f"seed={state.seed}).predicted"
    )


def experiment_snapshot(state: ExperimentState) -> ExperimentSnapshot:
    """Everything the experiment explorer draws for ``state``, from ``roi_experiment``."""
    run = fitted(state.seed)
    shown = rx.example(run, state.method, state.stride, state.index)
    size = shown.image.shape[0]
    means = {m: float(run.ious[(m, state.stride)].mean() * 100) for m in rx.METHODS}
    scores = "   ".join(
        ("▶ " if m == state.method else "") + f"{rx.METHOD_NAMES[m]} {means[m]:.1f}" for m in rx.METHODS
    )
    return ExperimentSnapshot(
        data=shown.image[None, None],
        call=experiment_call(state),
        result=shown.predicted,
        problems=_problems(shown, size),
        overlay=_overlay(shown),
        proposal=_corners_to_rectangle(shown.proposal),
        region=_corners_to_rectangle(shown.region),
        mask=shown.mask,
        image_title=(
            f"test object {state.index}, {rx.METHOD_NAMES[state.method]}, stride {state.stride}: "
            f"mask IoU {shown.iou:.3f}\nwhite: both masks, green: missed, magenta: predicted only;\n"
            "dashed: the proposal, gold: the region the method read"
        ),
        mask_title=(
            f"the head's {rx.MASK_SIZE} x {rx.MASK_SIZE} output in the proposal\n"
            "(0: background, 1: object; >= 0.5 is pasted)"
        ),
        scores=f"mean mask IoU at stride {state.stride} (live run, {CONFIG.n_test} test objects): {scores}",
    )


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------


class ExperimentExplorer(Explorer):
    """Test object (the key slider), method, stride and seed as controls; masks and boxes drawn.

    Parameters
    ----------
    method : str
        One of ``rx.METHODS``.
    stride : int
        One of ``rx.STRIDES``.
    index : int
        The test object, ``0 .. CONFIG.n_test - 1``.
    seed : int
        The run's seed (0 is the notebook's live run).
    """

    State = ExperimentState
    make_snapshot = staticmethod(experiment_snapshot)
    KEY = "index"
    example = staticmethod(example)
    """``explorer.example(method, stride=..., index=..., seed=...)``: one object (the status line's)."""

    def __init__(self, method: str = "roi_pool", stride: int = 32, index: int = 0, seed: int = 0):
        super().__init__(ExperimentState(method=method, stride=stride, index=index, seed=seed))

    def build(self) -> list:
        self.figure = new_figure(8.6, 4.6)
        self.ax_image, self.ax_mask = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        self.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.1, top=0.84, wspace=0.12)
        size = CONFIG.image_size
        self.image = self.ax_image.imshow(
            np.zeros((size, size, 3)), extent=(0, size, size, 0), interpolation="nearest"
        )
        self.proposal_box = Rectangle((0, 0), 0, 0, fill=False, ls="--", color="white", lw=1.2)
        self.region_box = Rectangle((0, 0), 0, 0, fill=False, color="gold", lw=1.5)
        self.ax_image.add_patch(self.proposal_box)
        self.ax_image.add_patch(self.region_box)
        self.ax_image.set_xlim(0, size)
        self.ax_image.set_ylim(size, 0)
        self.ax_image.set_axis_off()
        self.mask_mesh = cell_mesh(self.ax_mask, rx.MASK_SIZE, cmap="magma", vmin=-0.2, vmax=1.2)
        self.ax_mask.set_xlim(-0.5, rx.MASK_SIZE - 0.5)
        self.ax_mask.set_ylim(rx.MASK_SIZE - 0.5, -0.5)
        self.ax_mask.set_aspect("equal")
        self.ax_mask.set_axis_off()  # no frame: the mesh, a front artist, would be painted over it
        fixed_title(self.ax_image, fontsize=LABEL_SIZE)
        fixed_title(self.ax_mask, fontsize=LABEL_SIZE)
        self.scores_text = self.figure.text(0.02, 0.03, "", fontsize=LABEL_SIZE - 1)
        s = self.state
        self.index = NumberControl("test object", s.index, 0, CONFIG.n_test - 1)
        self.method = labelled_dropdown("method", [(rx.METHOD_NAMES[m], m) for m in rx.METHODS], s.method)
        self.stride = labelled_dropdown("stride", list(rx.STRIDES), s.stride)
        self.seed = NumberControl("run (seed)", s.seed, *SEEDS, width="200px")
        self.controls = {"index": self.index, "method": self.method, "stride": self.stride, "seed": self.seed}
        return [widgets.HBox([self.index.box, self.method, self.stride]), widgets.HBox([self.seed.box])]

    def show(self, snap: ExperimentSnapshot) -> None:
        self.image.set_data(snap.overlay)
        self.proposal_box.set_bounds(*snap.proposal)
        self.region_box.set_bounds(*snap.region)
        show_cells(self.mask_mesh, snap.mask)
        self.ax_image.title.set_text(snap.image_title)
        self.ax_mask.title.set_text(snap.mask_title)
        self.scores_text.set_text(snap.scores)

    def front_artists(self) -> list:
        return [
            self.image,
            self.proposal_box,
            self.region_box,
            self.mask_mesh,
            self.ax_image.title,
            self.ax_mask.title,
            self.scores_text,
        ]


# ---------------------------------------------------------------------------
# Static pictures of the experiment (the notebook's cells and scripts/figures/ch9.py)
# ---------------------------------------------------------------------------

METHOD_COLOURS = {
    "roi_pool": "tab:red",
    "roi_warp": "tab:orange",
    "roi_align": "tab:cyan",
    "roi_align_aligned": "tab:blue",
}


def data_figure(data: rx.Dataset, count: int = 4):
    """The first ``count`` images with their true box (green) and proposal (dashed white)."""
    fig, axes = plt.subplots(1, count, figsize=(2.3 * count, 2.5))
    size = data.images.shape[1]
    for ax, image, box, proposal in zip(axes, data.images, data.boxes, data.proposals, strict=False):
        ax.imshow(image, cmap="gray", extent=(0, size, size, 0))
        for (_, x1, y1, x2, y2), style in (
            (box, {"color": "lime"}),
            (proposal, {"color": "white", "ls": "--"}),
        ):
            ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=1.2, **style))
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("objects: true box (green), proposal (dashed)", fontsize=9)
    fig.tight_layout()
    return fig


def results_figure(results: rx.Results):
    """Mean IoU and share above IoU 0.75 against stride (mean ± sd over seeds), and the paper's AP75."""
    strides = results.config.strides
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, metric, title in (
        (axes[0], "mean_iou", "mean mask IoU (%)"),
        (axes[1], "iou75", "test objects with IoU ≥ 0.75 (%)"),
    ):
        for k, method in enumerate(results.config.methods):
            summary = np.array([results.summary(method, s, metric) for s in strides])
            ax.errorbar(
                np.log2(strides) + (k - 1.5) * 0.03,  # side by side
                summary[:, 0],
                yerr=summary[:, 1],
                marker="o",
                capsize=3,
                color=METHOD_COLOURS[method],
                label=rx.METHOD_NAMES[method],
            )
        for name, style in (("box_only", ":"), ("ceiling", "--")):
            ax.axhline(results.summary(name, 0, metric)[0], color="grey", ls=style, lw=1)
        ax.set_title(f"this experiment: {title}", fontsize=9)
    for method in ("roi_pool", "roi_warp", "roi_align"):
        points = [(s, rx.PAPER[(method, s)][2]) for s in (16, 32) if (method, s) in rx.PAPER]
        xs, ys = zip(*points, strict=True)
        axes[2].plot(np.log2(xs), ys, marker="s", color=METHOD_COLOURS[method], label=rx.METHOD_NAMES[method])
    axes[2].set_title(
        "the paper (COCO minival): mask AP75\nstride 16: Table 2c, R50-C4; 32: Table 2d, R50-C5",
        fontsize=9,
    )
    axes[2].set_xlim(2.8, 5.2)
    for ax in axes:
        ax.set_xticks(np.log2(strides), [str(s) for s in strides])
        ax.set_xlabel("stride")
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    axes[0].legend(fontsize=7)
    seeds = len(results.config.seeds)
    spread = f"; error bars: ± 1 sd over {seeds} seeds" if seeds > 1 else " (one seed)"
    fig.suptitle(
        f"{results.config.n_test} test objects per seed{spread}; grey: box only (dotted), ceiling (dashed)",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def _draw_example(ax, shown: rx.Example) -> None:
    x1, y1, x2, y2 = shown.proposal
    size = shown.image.shape[0]
    ax.imshow(shown.image, cmap="gray", extent=(0, size, size, 0), vmin=-0.2, vmax=1.4)
    ax.contour(shown.truth, levels=[0.5], colors="lime", linewidths=1.2, extent=(0, size, 0, size))
    ax.contour(shown.predicted, levels=[0.5], colors="magenta", linewidths=1.2, extent=(0, size, 0, size))
    ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, ls="--", color="white", lw=1))
    rx1, ry1, rx2, ry2 = shown.region
    ax.add_patch(Rectangle((rx1, ry1), rx2 - rx1, ry2 - ry1, fill=False, color="gold", lw=1))
    left, right, bottom, top = shown.view
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{rx.METHOD_NAMES[shown.method]}\nIoU {shown.iou:.2f}", fontsize=8)


def examples_figure(run: rx.Fitted, stride: int, indices=(0, 1, 2)):
    """Test objects (rows) under every method (columns): true and predicted masks, boxes."""
    fig, axes = plt.subplots(len(indices), len(rx.METHODS), figsize=(9, 2.3 * len(indices)), squeeze=False)
    for row, index in enumerate(indices):
        for col, method in enumerate(rx.METHODS):
            _draw_example(axes[row, col], rx.example(run, method, stride, index))
        axes[row, 0].set_ylabel(f"test object {index}", fontsize=8)
    fig.suptitle(
        f"stride {stride}: true mask (green), predicted (magenta), proposal (dashed), region read (gold)",
        fontsize=9,
    )
    fig.tight_layout()
    return fig
