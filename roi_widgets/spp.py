"""The SPP explorer: any input size, every pyramid level's bins, one fixed output length.

Each level's bins are ``roi_pool_bins`` of the whole map (``whole_map_roi``); the
pooled values come from ``roi_pool`` and the vector from ``spp``; the paper's
window/stride recipe from ``spp_paper_windows``, drawn one axis at a time (its
windows as crimson bars along the top and left edges, the cells they never read
shaded), so that its windows can be counted and its gaps seen.

Model and view (see ``roi_widgets.base``): ``SppState`` (input size, levels, paper recipe shown),
``spp_snapshot`` (everything drawn), ``SppExplorer`` (the view).

>>> snap = spp_snapshot(SppState(height=7, width=9))
>>> snap.result.shape, snap.call
((1, 63), 'ru.spp(explorer.map(7, 9), levels=(4, 2, 1))  # length 63')
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath

import roi_utils as ru
from roi_chapters.ch3 import CHANNELS, LEVEL_CHOICES, MAX_INPUT, pyramid_map
from roi_widgets.base import Explorer, Snapshot, State, check_bool, check_choice, check_int
from roi_widgets.common import MapPanel, NumberControl, new_figure

__all__ = [
    "CHANNELS",
    "LEVEL_CHOICES",
    "SppExplorer",
    "SppSnapshot",
    "SppState",
    "pyramid_map",
    "spp_snapshot",
]

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


def _shares_cells(starts, ends) -> bool:
    """Do two bins along this axis start (or end) on the same cell? (Only when the side is below n.)"""
    return len(set(starts.tolist())) < len(starts) or len(set(ends.tolist())) < len(ends)


def _insets(starts, ends) -> list[float]:
    n = len(starts)
    step = STAGGER / (n - 1) if n > 1 and _shares_cells(starts, ends) else 0.0
    return [BASE_INSET + step * k for k in range(n)]


def bin_outlines(bins: ru.PoolBins) -> tuple[list[tuple], list[str]]:
    """Every bin's outline ``(x, y, width, height)`` (inset, staggered where bins share cells) and its
    colour; the bins' edges from ``ru.pool_bin_edges``."""
    n = len(bins.wstart)
    row_insets, col_insets = _insets(bins.hstart, bins.hend), _insets(bins.wstart, bins.wend)
    edges = ru.pool_bin_edges(bins)
    rectangles, colours = [], []
    for ph, pw in np.ndindex(*bins.pooled_size):
        if bins.empty[ph, pw]:
            continue
        left, top, right, bottom = edges[ph, pw].tolist()
        dx, dy = col_insets[pw], row_insets[ph]
        rectangles.append((left + dx, top + dy, right - left - 2 * dx, bottom - top - 2 * dy))
        colours.append(BIN_COLOURS[(ph * n + pw) % len(BIN_COLOURS)])
    return rectangles, colours


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
        return [f"paper: stride 0 ({' and '.join(empty)} < {n}), so no windows are placed"]
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


def missed_cells(rows: ru.SppWindows, cols: ru.SppWindows) -> list[tuple]:
    """A band ``(x, y, width, height)`` over each row and each column that no paper window reads."""
    h, w = rows.size, cols.size
    bands = [(-0.5, r - 0.5, w, 1) for r in rows.missed]
    return bands + [(c - 0.5, -0.5, 1, h) for c in cols.missed]


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


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SppState(State):
    """Input height and width, the pyramid (a key of ``LEVEL_CHOICES``) and whether the paper's
    window/stride recipe is drawn too.

    >>> SppState(width=17)
    Traceback (most recent call last):
    ...
    ValueError: width must be in [1, 16]; got 17
    """

    height: int = 7
    width: int = 9
    levels: str = "(4, 2, 1)"
    paper: bool = False

    def __post_init__(self):
        for name in ("height", "width"):
            object.__setattr__(self, name, check_int(getattr(self, name), name, 1, MAX_INPUT))
        check_choice(self.levels, "levels", LEVEL_CHOICES)
        object.__setattr__(self, "paper", check_bool(self.paper, "paper"))

    @property
    def pyramid(self) -> tuple[int, ...]:
        return LEVEL_CHOICES[self.levels]


@dataclass(frozen=True)
class LevelPicture:
    """One pyramid level's panel."""

    n: int
    bins: tuple[tuple[float, float, float, float], ...]
    colours: tuple[str, ...]
    paper_bars: tuple
    paper_missed: tuple[tuple[float, float, float, float], ...]
    title: str


@dataclass(frozen=True, kw_only=True)
class SppSnapshot(Snapshot):
    """Everything the SPP explorer draws: one ``LevelPicture`` per level, the map, the length."""

    levels: tuple[LevelPicture, ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    length_text: str


def spp_call(state: SppState) -> str:
    length = CHANNELS * sum(n * n for n in state.pyramid)
    return f"ru.spp(explorer.map({state.height}, {state.width}), levels={state.pyramid})  # length {length}"


def _level(x: np.ndarray, n: int, paper: bool, strip: float) -> tuple[LevelPicture, str | None]:
    h, w = x.shape[2:]
    box = ru.whole_map_roi(0, (h, w))
    bins = ru.roi_pool_bins(box, n, 1.0, (h, w))
    rectangles, colours = bin_outlines(bins)
    rows, cols = ru.spp_paper_windows(h, n), ru.spp_paper_windows(w, n)
    lines = [f"level {n}: {n}x{n} bins"]
    sharing = sharing_note(bins)
    lines += [sharing] if sharing else []
    pooled = ru.roi_pool(x, [box], n)[0, 0]
    if n <= 2:
        lines.append(f"channel 0 maxima {pooled.astype(int).tolist()}")
    else:
        lines.append(f"channel 0: {n * n} maxima, not listed")
    note = paper_note(rows, cols) if paper else []
    problem = f"level {n}: {', '.join(note)}" if note and paper_fails(rows, cols) else None
    lines += note
    picture = LevelPicture(
        n=n,
        bins=tuple(rectangles),
        colours=tuple(colours),
        paper_bars=tuple(paper_bars(rows, cols, strip)) if paper else (),
        paper_missed=tuple(missed_cells(rows, cols)) if paper else (),
        title="\n".join(lines),
    )
    return picture, problem


def spp_snapshot(state: SppState) -> SppSnapshot:
    """Everything the SPP explorer draws for ``state``, from ``roi_utils``.

    >>> spp_snapshot(SppState(height=15, width=10, paper=True)).problems
    ('level 4: paper: 4x4 windows, misses rows 13, 14; col 9 (shaded)',)
    """
    x = pyramid_map(state.height, state.width)
    h, w = x.shape[2:]
    strip = edge_strip((h, w))
    pictures, problems = [], []
    for n in state.pyramid:
        picture, problem = _level(x, n, state.paper, strip)
        pictures.append(picture)
        problems += [problem] if problem else []
    vector = ru.spp(x, state.pyramid)
    return SppSnapshot(
        data=x,
        call=spp_call(state),
        result=vector,
        problems=tuple(problems),
        levels=tuple(pictures),
        # room for the paper's window bars above and left of the map, none right or below
        xlim=(-0.5 - strip, w - 0.5),
        ylim=(h - 0.5, -0.5 - strip),
        length_text=(
            f"input {h} x {w} x {CHANNELS} channels  ->  output length {CHANNELS} x "
            f"({' + '.join(f'{n}^2' for n in state.pyramid)}) = {vector.shape[1]}"
        ),
    )


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------


class SppExplorer(Explorer):
    """Input height and width, a choice of levels; each level's grid drawn over the same map."""

    State = SppState
    make_snapshot = staticmethod(spp_snapshot)
    KEY = "width"
    map = staticmethod(pyramid_map)
    """``explorer.map(height, width)``: the explorer's map of that size, as the status line uses it."""

    def __init__(self, height: int = 7, width: int = 9, levels: str = "(4, 2, 1)"):
        super().__init__(SppState(height=height, width=width, levels=levels))

    def build(self) -> list:
        self.figure = new_figure(*FIGURE_SIZE)
        self.axes = self.figure.subplots(1, MAX_LEVELS)
        self.panels = [
            MapPanel(ax, max_side=VALUE_SIDE, labels=False, capacity=MAX_INPUT) for ax in self.axes
        ]
        for ax in self.axes:
            ax.set_aspect("equal")  # square cells, whatever the input's shape
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
        s = self.state
        self.height = NumberControl("input height", s.height, 1, MAX_INPUT)
        self.width = NumberControl("input width", s.width, 1, MAX_INPUT)
        self.levels_choice = widgets.Dropdown(
            options=list(LEVEL_CHOICES), value=s.levels, description="levels"
        )
        self.paper = widgets.Checkbox(
            value=s.paper,
            description="also the paper's window/stride recipe (crimson)",
            indent=False,  # the label is cut at the widget's fixed width otherwise
            layout=widgets.Layout(width="auto"),
        )
        self.bind("height", "width", "paper", levels=self.levels_choice)
        return [
            widgets.HBox([self.height.box, self.width.box]),
            widgets.HBox([self.levels_choice, self.paper]),
        ]

    @property
    def levels(self) -> tuple[int, ...]:
        return self.state.pyramid

    def vector(self) -> np.ndarray:
        return self.snapshot.result

    def _place_axes(self, count: int) -> None:
        """Share the figure's width among the levels shown (a hidden panel keeps no room)."""
        if count == self._placed:
            return
        left, right, gap, bottom, top = 0.02, 0.98, 0.03, 0.02, 0.72
        width = (right - left - gap * (count - 1)) / count
        for k, ax in enumerate(self.axes[:count]):
            ax.set_position([left + k * (width + gap), bottom, width, top - bottom])
        self._placed = count

    def show(self, snap: SppSnapshot) -> None:
        self._place_axes(len(snap.levels))
        plane = snap.data[0, 0]
        for k, ax in enumerate(self.axes):
            visible = k < len(snap.levels)
            ax.set_visible(visible)
            if not visible:
                continue
            level = snap.levels[k]
            self.panels[k].set_map(plane, vmin=0, vmax=9, show_values=False)
            ax.set_xlim(*snap.xlim)
            ax.set_ylim(*snap.ylim)
            self.values[k].set_values(plane)
            self.bin_patches[k].set_paths([Rectangle((x, y), w, h) for x, y, w, h in level.bins])
            self.bin_patches[k].set_edgecolor(list(level.colours))
            self.paper_bars[k].set_segments(list(level.paper_bars))
            self.paper_missed[k].set_paths([Rectangle((x, y), w, h) for x, y, w, h in level.paper_missed])
            # a fixed y skips matplotlib's search for tick labels above the axes (half the redraw)
            ax.set_title(level.title, fontsize=7.5, y=1.0)
        self.length_text.set_text(snap.length_text)
