"""Chapter 3 exercises (SPPNet).

>>> from roi_exercises.ch3 import exercises
>>> bool(exercises.check("length", 256 * 50, quiet=True))
True
"""

from __future__ import annotations

from functools import partial
from numbers import Real

import numpy as np

import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet, Result, as_number, compare, same_numbers

LENGTH_CHANNELS, LENGTH_LEVELS = 256, (6, 3, 2, 1)
"""Exercise 1: SPP-net's detection pyramid on ZF-5's 256-channel conv5."""
BIN_MAP = (7, 5)
"""Exercise 2's map, (height, width)."""
PAPER_SIDE, PAPER_LEVEL = 23, 6
"""Exercises 3 and 4: a side and a level that no cell of the notebook or its figures prints."""


def _level_2_bins() -> ru.PoolBins:
    return ru.roi_pool_bins(ru.whole_map_roi(0, BIN_MAP), 2, 1.0, BIN_MAP)


def _bin_cells(ph: int = 1, pw: int = 0) -> tuple[int, int, int, int]:
    rows, cols = _level_2_bins().cells(ph, pw)
    return (rows.start, rows.stop, cols.start, cols.stop)


def _explain_length(answer) -> str | None:
    if as_number(answer) == sum(n * n for n in LENGTH_LEVELS):
        return f"That is the bins of one channel: every one of the {LENGTH_CHANNELS} channels has them."
    if as_number(answer) == LENGTH_CHANNELS * sum(LENGTH_LEVELS):
        return "Level n has n x n bins, not n."
    return None


def _explain_windows(answer) -> str | None:
    if as_number(answer) == PAPER_LEVEL:
        return f"{PAPER_LEVEL} is what the recipe is meant to give; count the windows that actually fit."
    w = ru.spp_paper_windows(PAPER_SIDE, PAPER_LEVEL)
    if as_number(answer) == PAPER_SIDE // w.window:
        return (
            "That lays the windows side by side, one window apart; they start one stride apart "
            "(0, stride, 2 * stride, ...) and overlap."
        )
    return None


def _explain_missed(answer) -> str | None:
    w = ru.spp_paper_windows(PAPER_SIDE, PAPER_LEVEL)
    stride_wide = tuple(range(w.bins * w.stride, PAPER_SIDE))  # windows taken as `stride` wide
    try:
        chosen = {int(v) for v in answer}
    except (TypeError, ValueError):
        return None
    if chosen == set(stride_wide) and chosen != set(w.missed):
        return "Those are unread if each window were stride cells wide; a window is ceil(a / n) wide."
    return None


def _explain_level_bin(answer) -> str | None:
    r0, r1, c0, c1 = _bin_cells()
    if same_numbers(answer, (c0, c1, r0, r1)):
        return "Those are the columns first: the order is (row_start, row_end, col_start, col_end)."
    if same_numbers(answer, _bin_cells(0, 1)):
        return "That is bin (0, 1): bin (1, 0) is bin row 1, bin column 0."
    if same_numbers(answer, (r0, r1 - 1, c0, c1 - 1)):
        return "Ends are excluded: give the first row (or column) after the bin, as in a slice."
    return None


def _paper_missed() -> tuple[int, ...]:
    return ru.spp_paper_windows(PAPER_SIDE, PAPER_LEVEL).missed


def compare_cells(answer, expected: tuple[int, ...], size: int) -> Result:
    """Compare a collection of cell indices with ``expected`` as sets, without revealing
    how many cells are expected: wrong cells and missing cells are reported separately.

    >>> compare_cells([3, 1], (1, 3), 5).correct
    True
    >>> compare_cells((4,), (1, 3), 5).message
    'Not quite: some window reads cell 4.'
    """
    if answer is ... or answer is None or isinstance(answer, (str, bytes)):
        return compare(answer, expected)
    if isinstance(answer, (Real, np.number)):
        return Result(False, "Answer with a tuple or list of indices, even for one cell: (i,) or [i].")
    try:
        cells = [float(v) for v in answer]
    except (TypeError, ValueError):
        return Result(False, "Answer with a tuple or list of whole numbers (cell indices).")
    if not all(v.is_integer() for v in cells):
        return Result(False, "Answer with whole numbers (cell indices), not fractions.")
    chosen = {int(v) for v in cells}
    outside = sorted(c for c in chosen if not 0 <= c < size)
    if outside:
        return Result(False, f"Cell {outside[0]} is outside the side of {size} cells (numbered from 0).")
    read = sorted(chosen - set(expected))
    if read:
        return Result(False, f"Not quite: some window reads cell {read[0]}.")
    if not chosen and expected:
        return Result(False, "Not quite: at least one cell is never read.")
    if chosen != set(expected):
        return Result(False, "Not quite: those cells are unread, but so is at least one more.")
    return Result(True, "Correct.")


exercises = ExerciseSet(
    Exercise(
        "length",
        "A 256-channel map, pyramid levels (6, 3, 2, 1): how long is the SPP vector?",
        expected=lambda: ru.spp(np.zeros((1, LENGTH_CHANNELS, 13, 13)), LENGTH_LEVELS).shape[1],
        hint="Each level n gives n * n bins per channel; add the levels, times the channels.",
        more_hints=("36 + 9 + 4 + 1 bins per channel.",),
        solution="# or ru.spp(np.zeros((1, 256, 13, 13)), (6, 3, 2, 1)).shape[1]\n"
        "answer_1 = 256 * (36 + 9 + 4 + 1)",
        explain_wrong=_explain_length,
    ),
    Exercise(
        "level_bin",
        "On a 7 x 5 map (height 7, width 5), level 2's bin (1, 0): which rows and columns does it read? "
        "Answer (row_start, row_end, col_start, col_end), ends excluded.",
        expected=_bin_cells,
        hint="Level n is RoI pooling of the whole map: 7 rows in 2 bins of 3.5 give [0, 4) and [3, 7); "
        "bin (1, 0) is bin row 1, bin column 0.",
        more_hints=("The 5 columns in 2 bins of 2.5: column bin 0 is [floor(0), ceil(2.5)).",),
        solution="bins = ru.roi_pool_bins(ru.whole_map_roi(0, (7, 5)), 2, 1.0, (7, 5))\n"
        "rows, cols = bins.cells(1, 0)\n"
        "answer_2 = (rows.start, rows.stop, cols.start, cols.stop)",
        explain_wrong=_explain_level_bin,
    ),
    Exercise(
        "paper_windows",
        f"The paper's recipe on a side of {PAPER_SIDE} cells at level {PAPER_LEVEL}: "
        "how many windows does it give?",
        expected=lambda: ru.spp_paper_windows(PAPER_SIDE, PAPER_LEVEL).bins,
        hint=f"window = ceil({PAPER_SIDE} / {PAPER_LEVEL}), stride = floor({PAPER_SIDE} / {PAPER_LEVEL}); "
        "windows start at 0, stride, 2 * stride, ... as long as the whole window fits on the side.",
        more_hints=(
            f"The windows that fit number floor(({PAPER_SIDE} - window) / stride) + 1.",
        ),
        solution=f"answer_3 = ru.spp_paper_windows({PAPER_SIDE}, {PAPER_LEVEL}).bins",
        explain_wrong=_explain_windows,
    ),
    Exercise(
        "paper_missed",
        "And which cells of that side does no window read? Answer with a tuple or list of indices, "
        "in any order: one cell is (i,) or [i], none at all is ().",
        expected=_paper_missed,
        hint="Window k covers [k * stride, k * stride + window): list the windows, then the cells after "
        "the last one.",
        more_hints=("The last window starts at (windows - 1) * stride (exercise 3's count).",),
        solution=f"answer_4 = ru.spp_paper_windows({PAPER_SIDE}, {PAPER_LEVEL}).missed",
        compare=partial(compare_cells, size=PAPER_SIDE),
        explain_wrong=_explain_missed,
    ),
)
