"""The SPP explorer: any input size, every pyramid level's bins, one fixed output length.

Each level's bins are ``roi_pool_bins`` of the whole map (``whole_map_roi``); the
pooled values come from ``roi_pool`` and the vector from ``spp``; the paper's
window/stride recipe from ``spp_paper_windows``.

>>> import matplotlib; matplotlib.use("Agg")
>>> view = SppExplorer()
>>> view.vector().shape
(1, 63)
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

import roi_utils as ru
from roi_widgets.common import Explorer, MapPanel, NumberControl, new_figure, set_status, status_line

LEVEL_CHOICES = {"(4, 2, 1)": (4, 2, 1), "(6, 3, 2, 1)": (6, 3, 2, 1), "(3, 2, 1)": (3, 2, 1), "(1,)": (1,)}
CHANNELS = 3
MAX_LEVELS = 4
BIN_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def pyramid_map(height: int, width: int, seed: int = 3) -> np.ndarray:
    """A seeded (1, CHANNELS, H, W) map of small integers (so values fit in cells).

    >>> pyramid_map(2, 3).shape
    (1, 3, 2, 3)
    """
    return np.random.default_rng(seed).integers(0, 10, (1, CHANNELS, height, width)).astype(np.float32)


def _rectangles(starts_rows, ends_rows, starts_cols, ends_cols, inset=0.0):
    patches = []
    for r0, r1 in zip(starts_rows, ends_rows, strict=True):
        for c0, c1 in zip(starts_cols, ends_cols, strict=True):
            if r1 > r0 and c1 > c0:
                patches.append(
                    Rectangle((c0 - 0.5 + inset, r0 - 0.5 + inset), c1 - c0 - 2 * inset, r1 - r0 - 2 * inset)
                )
    return patches


class SppExplorer(Explorer):
    """Input height and width, a choice of levels; each level's grid drawn over the same map."""

    def __init__(self, height: int = 7, width: int = 9, levels: str = "(4, 2, 1)"):
        self.figure = new_figure(10, 3.4)
        self.axes = self.figure.subplots(1, MAX_LEVELS)
        self.figure.subplots_adjust(left=0.02, right=0.98, top=0.72, bottom=0.02, wspace=0.15)
        self.panels = [MapPanel(ax, max_side=9, fontsize=7, labels=False) for ax in self.axes]
        self.bin_patches, self.paper_patches = [], []
        for ax in self.axes:
            bins = PatchCollection([], facecolor="none", linewidths=1.8)
            paper = PatchCollection([], facecolor="none", edgecolor="crimson", linestyle="--", linewidths=1.5)
            ax.add_collection(bins)
            ax.add_collection(paper)
            self.bin_patches.append(bins)
            self.paper_patches.append(paper)
        self.length_text = self.figure.suptitle("", fontsize=11)
        self.height = NumberControl("input height", height, 1, 16)
        self.width = NumberControl("input width", width, 1, 16).mark_key()
        self.levels_choice = widgets.Dropdown(options=list(LEVEL_CHOICES), value=levels, description="levels")
        self.paper = widgets.Checkbox(
            value=False, description="also the paper's window/stride recipe (dashed)"
        )
        self.status = status_line()
        for control in (self.height, self.width):
            control.observe(self._on_change)
        self.levels_choice.observe(self._on_change, names="value")
        self.paper.observe(self._on_change, names="value")
        self._assemble(
            [widgets.HBox([self.height.box, self.width.box]), widgets.HBox([self.levels_choice, self.paper])]
        )
        self.update()

    @property
    def levels(self) -> tuple[int, ...]:
        return LEVEL_CHOICES[self.levels_choice.value]

    @property
    def data(self) -> np.ndarray:
        return pyramid_map(self.height.value, self.width.value)

    def vector(self) -> np.ndarray:
        return ru.spp(self.data, self.levels)

    def call(self) -> str:
        return f"ru.spp(x, levels={self.levels})  # x.shape == {self.data.shape}"

    def _redraw(self) -> None:
        x = self.data
        h, w = x.shape[2:]
        box = ru.whole_map_roi(0, (h, w))
        problems = []
        for k, ax in enumerate(self.axes):
            visible = k < len(self.levels)
            ax.set_visible(visible)
            if not visible:
                continue
            n = self.levels[k]
            bins = ru.roi_pool_bins(box, n, 1.0, (h, w))
            # values printed only on small maps: text is the slowest thing to draw
            self.panels[k].set_map(x[0, 0], vmin=0, vmax=9, show_values=h * w <= 36)
            patches = _rectangles(bins.hstart, bins.hend, bins.wstart, bins.wend, inset=0.08)
            self.bin_patches[k].set_paths(patches)
            self.bin_patches[k].set_edgecolor(
                [BIN_COLOURS[i % len(BIN_COLOURS)] for i in range(len(patches))]
            )
            rows, cols = ru.spp_paper_windows(h, n), ru.spp_paper_windows(w, n)
            paper = _rectangles(rows.starts, rows.ends, cols.starts, cols.ends) if self.paper.value else []
            self.paper_patches[k].set_paths(paper)
            pooled = ru.roi_pool(x, [box], n)[0, 0]
            shown = pooled.astype(int).tolist() if n <= 2 else "..."
            title = f"level {n}: {n}x{n} bins\nchannel 0 maxima {shown}"
            if self.paper.value and not (
                rows.gives_n_bins and cols.gives_n_bins and not rows.missed and not cols.missed
            ):
                recipe = f"paper: {rows.bins}x{cols.bins} windows"
                missed = len(rows.missed) + len(cols.missed)
                recipe += f", misses {missed} row/col" if missed else ""
                problems.append(f"level {n}: {recipe}")
                title += f"\n{recipe}"
            ax.set_title(title, fontsize=8)
        length = self.vector().shape[1]
        self.length_text.set_text(
            f"input {h} x {w} x {CHANNELS} channels  ->  output length {CHANNELS} x "
            f"({' + '.join(f'{n}^2' for n in self.levels)}) = {length}"
        )
        set_status(self.status, self.call(), "; ".join(problems) or None)
