"""The SPP explorer: any input size, every pyramid level's bins, one fixed output length.

Each level's bins are ``roi_pool_bins`` of the whole map (``whole_map_roi``); the
pooled values come from ``roi_pool`` and the vector from ``spp``; the paper's
window/stride recipe from ``spp_paper_windows``, drawn one axis at a time (its
windows as crimson bars along the top and left edges, the cells they never read
shaded), so that its windows can be counted and its gaps seen.

>>> import matplotlib; matplotlib.use("Agg")
>>> view = SppExplorer()
>>> view.vector().shape
(1, 63)
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath

import roi_utils as ru
from roi_widgets.common import Explorer, MapPanel, NumberControl, new_figure, set_status, status_line

LEVEL_CHOICES = {"(4, 2, 1)": (4, 2, 1), "(6, 3, 2, 1)": (6, 3, 2, 1), "(3, 2, 1)": (3, 2, 1), "(1,)": (1,)}
CHANNELS = 3
MAX_LEVELS = 4
BIN_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"]
"""Bin (ph, pw) of level n takes colour (ph * n + pw) % 5: no red (the paper's windows are crimson), and
for every level offered (n = 1, 2, 3, 4, 6) bins side by side or one above the other differ."""
BASE_INSET = 0.06
STAGGER = 0.36
"""Along an axis where bins share cells (the map is narrower than n), bin k is inset by
BASE_INSET + k * STAGGER / (n - 1) instead of BASE_INSET, so that bins reading the same cells
still show as separate outlines."""
PAPER_COLOUR = "crimson"
MISSED_FILL = (0.86, 0.08, 0.24, 0.45)
"""Cells the paper's windows never read: crimson, translucent so the value stays legible."""
PAPER_LANES = (0.3, 0.7)
"""Where the paper's window bars sit across the edge strip (fractions of its depth, from the map).
Consecutive windows alternate lanes: with window ceil(a/n) <= 2 floor(a/n) no more than two overlap."""
WINDOW_GAP = 0.1
"""Each window bar is shortened by this much (cells) at both ends, so abutting windows stay apart."""


FIGURE_SIZE = (9.4, 3.4)
"""Inches, at ipympl's 100 dpi: 940 px fits JupyterLab's output area (968 px in a 1400 px window
with the file browser open), where a 1000 px canvas lost its right edge."""
VALUE_SIDE = 9
"""Cell values are printed on maps of up to VALUE_SIDE x VALUE_SIDE cells."""
MAX_INPUT = 16
"""The largest input height and width the sliders allow."""
MONO = FontProperties(family="DejaVu Sans Mono")  # ships with matplotlib
MONO_ADVANCE = TextToPath().get_text_width_height_descent("0" * 10, MONO.copy(), ismath=False)[0] / (
    10 * MONO.get_size_in_points()
)
"""One character's width, in em: a row of digits and spaces then lands one digit per cell."""


class RowValues:
    """The single-digit values of a map printed one text per row, not one per cell.

    Text is the slowest thing to draw; with a monospace font, ``k`` characters per cell
    (the digit, then ``k - 1`` spaces) put every digit on its cell's centre, for a tenth of
    the artists. ``pyramid_map`` holds whole numbers 0..9, so every value is one digit.
    """

    def __init__(self, ax, side: int = VALUE_SIDE, target_size: float = 7.0):
        self.ax = ax
        self.target_size = target_size
        self.texts = [
            ax.text(0, r, "", ha="center", va="center", fontproperties=MONO, zorder=2.5) for r in range(side)
        ]

    def set_values(self, plane) -> None:
        """Print ``plane`` (2-D, whole numbers 0..9), or hide everything when it is too big or None."""
        show = plane is not None and max(plane.shape) <= len(self.texts)
        if show:
            h, w = plane.shape
            self.ax.apply_aspect()  # the axes box the figure will draw, for the size of a cell
            box = self.ax.get_position()
            x0, x1 = self.ax.get_xlim()
            cell = box.width * self.ax.figure.get_figwidth() * 72 / abs(x1 - x0)  # points
            per_cell = max(1, round(cell / (MONO_ADVANCE * self.target_size)))
            size = cell / (per_cell * MONO_ADVANCE)
            gap = " " * (per_cell - 1)
        for r, text in enumerate(self.texts):
            visible = show and r < h
            text.set_visible(visible)
            if visible:
                text.set_position(((w - 1) / 2, r))
                text.set_text(gap.join(str(int(v)) for v in plane[r]))
                text.set_fontsize(size)


def pyramid_map(height: int, width: int, seed: int = 3) -> np.ndarray:
    """A seeded (1, CHANNELS, H, W) map of small integers (so values fit in cells).

    >>> pyramid_map(2, 3).shape
    (1, 3, 2, 3)
    """
    return np.random.default_rng(seed).integers(0, 10, (1, CHANNELS, height, width)).astype(np.float32)


def _shares_cells(starts, ends) -> bool:
    """Do two bins along this axis start (or end) on the same cell? (Only when the side is below n.)"""
    return len(set(starts.tolist())) < len(starts) or len(set(ends.tolist())) < len(ends)


def _insets(starts, ends) -> list[float]:
    n = len(starts)
    step = STAGGER / (n - 1) if n > 1 and _shares_cells(starts, ends) else 0.0
    return [BASE_INSET + step * k for k in range(n)]


def bin_outlines(bins: ru.PoolBins) -> tuple[list[Rectangle], list[str]]:
    """Every bin's outline (inset, staggered where bins share cells) and its colour."""
    n = len(bins.wstart)
    row_insets, col_insets = _insets(bins.hstart, bins.hend), _insets(bins.wstart, bins.wend)
    patches, colours = [], []
    for ph, (r0, r1, dy) in enumerate(zip(bins.hstart, bins.hend, row_insets, strict=True)):
        for pw, (c0, c1, dx) in enumerate(zip(bins.wstart, bins.wend, col_insets, strict=True)):
            if r1 > r0 and c1 > c0:
                patches.append(Rectangle((c0 - 0.5 + dx, r0 - 0.5 + dy), c1 - c0 - 2 * dx, r1 - r0 - 2 * dy))
                colours.append(BIN_COLOURS[(ph * n + pw) % len(BIN_COLOURS)])
    return patches, colours


def _listed(cells: tuple[int, ...], name: str) -> str:
    return f"{name if len(cells) > 1 else name[:-1]} {', '.join(str(c) for c in cells)}"


def edge_strip(map_shape: tuple[int, int]) -> float:
    """Depth (in cells) of the strip left of and above the map that holds the paper's window bars."""
    return max(1.0, 0.12 * max(map_shape))


def paper_fails(rows: ru.SppWindows, cols: ru.SppWindows) -> bool:
    """Does the paper's recipe give other than n x n windows, or leave a cell unread?"""
    return not (rows.works and cols.works)


def paper_note(rows: ru.SppWindows, cols: ru.SppWindows) -> list[str]:
    """What the paper's recipe gives at this level, as title lines (also when it works)."""
    n = rows.n
    if not paper_fails(rows, cols):
        return [f"paper: {n}x{n} window{'s' * (n > 1)}, every cell read"]
    empty = [name for name, w in (("height", rows), ("width", cols)) if w.bins == 0]
    if empty:
        return [f"paper: no window fits ({' and '.join(empty)} < {n})"]
    count = f"paper: {rows.bins}x{cols.bins} windows"
    if not (rows.gives_n_bins and cols.gives_n_bins):
        count += f", not {n}x{n}"
    missed = [_listed(w.missed, name) for name, w in (("rows", rows), ("cols", cols)) if w.missed]
    return [count] + ([f"misses {'; '.join(missed)} (shaded)"] if missed else [])


def paper_bars(rows: ru.SppWindows, cols: ru.SppWindows, strip: float) -> list[list[tuple[float, float]]]:
    """One segment per paper window: column windows above the map, row windows left of it."""
    lanes = [-0.5 - strip * f for f in PAPER_LANES]
    bars = []
    for k, (s, e) in enumerate(zip(cols.starts, cols.ends, strict=True)):
        y = lanes[k % 2]
        bars.append([(s - 0.5 + WINDOW_GAP, y), (e - 0.5 - WINDOW_GAP, y)])
    for k, (s, e) in enumerate(zip(rows.starts, rows.ends, strict=True)):
        x = lanes[k % 2]
        bars.append([(x, s - 0.5 + WINDOW_GAP), (x, e - 0.5 - WINDOW_GAP)])
    return bars


def missed_cells(rows: ru.SppWindows, cols: ru.SppWindows) -> list[Rectangle]:
    """A band over each row and each column that no paper window reads."""
    h, w = rows.size, cols.size
    bands = [Rectangle((-0.5, r - 0.5), w, 1) for r in rows.missed]
    return bands + [Rectangle((c - 0.5, -0.5), 1, h) for c in cols.missed]


def sharing_note(bins: ru.PoolBins) -> str | None:
    """When the map is narrower (or shorter) than n, bins share cells: say so."""
    n = len(bins.wstart)
    h, w = bins.map_shape
    rows, cols = _shares_cells(bins.hstart, bins.hend), _shares_cells(bins.wstart, bins.wend)
    if rows and cols:
        return f"{n} per side on {h}x{w} cells: bins share cells"
    if cols:
        return f"{n} per row on {w} col{'s' * (w > 1)}: bins share cells"
    if rows:
        return f"{n} per col on {h} row{'s' * (h > 1)}: bins share cells"
    return None


class SppExplorer(Explorer):
    """Input height and width, a choice of levels; each level's grid drawn over the same map."""

    def __init__(self, height: int = 7, width: int = 9, levels: str = "(4, 2, 1)"):
        self.figure = new_figure(*FIGURE_SIZE)
        self.axes = self.figure.subplots(1, MAX_LEVELS)
        self.panels = [
            MapPanel(ax, max_side=VALUE_SIDE, labels=False, capacity=MAX_INPUT) for ax in self.axes
        ]
        self.values = [RowValues(ax) for ax in self.axes]
        self.bin_patches, self.paper_bars, self.paper_missed = [], [], []
        for ax in self.axes:
            bins = PatchCollection([], facecolor="none", linewidths=1.8, zorder=2)
            bars = LineCollection([], colors=PAPER_COLOUR, linewidths=2.5, capstyle="butt")
            missed = PatchCollection([], facecolor=MISSED_FILL, edgecolor="none", zorder=1)
            for artist in (missed, bins, bars):
                ax.add_collection(artist)
            self.bin_patches.append(bins)
            self.paper_bars.append(bars)
            self.paper_missed.append(missed)
        self._placed = 0
        self.length_text = self.figure.suptitle("", fontsize=11)
        self.height = NumberControl("input height", height, 1, MAX_INPUT)
        self.width = NumberControl("input width", width, 1, MAX_INPUT).mark_key()
        self.levels_choice = widgets.Dropdown(options=list(LEVEL_CHOICES), value=levels, description="levels")
        self.paper = widgets.Checkbox(
            value=False,
            description="also the paper's window/stride recipe (crimson)",
            indent=False,  # the label is cut at the widget's fixed width otherwise
            layout=widgets.Layout(width="auto"),
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
        """The line that computes this vector (``pyramid_map`` is the explorer's map)."""
        h, w = self.height.value, self.width.value
        return f"ru.spp(pyramid_map({h}, {w}), levels={self.levels})  # length {self.vector().shape[1]}"

    def _place_axes(self, count: int) -> None:
        """Share the figure's width among the levels shown (a hidden panel keeps no room)."""
        if count == self._placed:
            return
        left, right, gap, bottom, top = 0.02, 0.98, 0.03, 0.02, 0.72
        width = (right - left - gap * (count - 1)) / count
        for k, ax in enumerate(self.axes[:count]):
            ax.set_position([left + k * (width + gap), bottom, width, top - bottom])
        self._placed = count

    def _redraw(self) -> None:
        x = self.data
        h, w = x.shape[2:]
        box = ru.whole_map_roi(0, (h, w))
        strip = edge_strip((h, w))
        self._place_axes(len(self.levels))
        problems = []
        for k, ax in enumerate(self.axes):
            visible = k < len(self.levels)
            ax.set_visible(visible)
            if not visible:
                continue
            n = self.levels[k]
            bins = ru.roi_pool_bins(box, n, 1.0, (h, w))
            self.panels[k].set_map(x[0, 0], vmin=0, vmax=9, show_values=False)
            # room for the paper's window bars above and left of the map, none right or below
            ax.set_xlim(-0.5 - strip, w - 0.5)
            ax.set_ylim(h - 0.5, -0.5 - strip)
            self.values[k].set_values(x[0, 0])
            patches, colours = bin_outlines(bins)
            self.bin_patches[k].set_paths(patches)
            self.bin_patches[k].set_edgecolor(colours)
            rows, cols = ru.spp_paper_windows(h, n), ru.spp_paper_windows(w, n)
            show = self.paper.value
            self.paper_bars[k].set_segments(paper_bars(rows, cols, strip) if show else [])
            self.paper_missed[k].set_paths(missed_cells(rows, cols) if show else [])
            lines = [f"level {n}: {n}x{n} bins"]
            sharing = sharing_note(bins)
            lines += [sharing] if sharing else []
            pooled = ru.roi_pool(x, [box], n)[0, 0]
            if n <= 2:
                lines.append(f"channel 0 maxima {pooled.astype(int).tolist()}")
            else:
                lines.append(f"channel 0: {n * n} maxima, not listed")
            note = paper_note(rows, cols) if show else []
            if note and paper_fails(rows, cols):
                problems.append(f"level {n}: {', '.join(note)}")
            lines += note
            # a fixed y skips matplotlib's search for tick labels above the axes (half the redraw)
            ax.set_title("\n".join(lines), fontsize=7.5, y=1.0)
        length = self.vector().shape[1]
        self.length_text.set_text(
            f"input {h} x {w} x {CHANNELS} channels  ->  output length {CHANNELS} x "
            f"({' + '.join(f'{n}^2' for n in self.levels)}) = {length}"
        )
        set_status(self.status, self.call(), "; ".join(problems) or None)
