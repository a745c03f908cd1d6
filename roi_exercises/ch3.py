"""Chapter 3 exercises (SPPNet).

>>> from roi_exercises.ch3 import exercises
>>> bool(exercises.check("length", 256 * 50, quiet=True))
True
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet

BIN_MAP = (7, 5)
"""Exercise 2's map, (height, width)."""
PAPER_SIDE, PAPER_LEVEL = 23, 6
"""Exercises 3 and 4: a side and a level that no cell of the notebook or its figures prints."""


def _level_2_bins() -> ru.PoolBins:
    return ru.roi_pool_bins(ru.whole_map_roi(0, BIN_MAP), 2, 1.0, BIN_MAP)


def _bin_cells(ph: int = 1, pw: int = 0) -> tuple[int, int, int, int]:
    rows, cols = _level_2_bins().cells(ph, pw)
    return (rows.start, rows.stop, cols.start, cols.stop)


def _same(answer, numbers) -> bool:
    try:
        return tuple(int(v) for v in answer) == tuple(numbers)
    except (TypeError, ValueError):
        return False


def _explain_level_bin(answer) -> str | None:
    r0, r1, c0, c1 = _bin_cells()
    if _same(answer, (c0, c1, r0, r1)):
        return "Those are the columns first: the order is (row_start, row_end, col_start, col_end)."
    if _same(answer, _bin_cells(0, 1)):
        return "That is bin (0, 1): bin (1, 0) is bin row 1, bin column 0."
    if _same(answer, (r0, r1 - 1, c0, c1 - 1)):
        return "Ends are excluded: give the first row (or column) after the bin, as in a slice."
    return None


def _paper_missed() -> tuple[int, ...]:
    return ru.spp_paper_windows(PAPER_SIDE, PAPER_LEVEL).missed


def _explain_missed(answer) -> str | None:
    if isinstance(answer, (int, float, np.integer, np.floating)):
        return "Answer with a tuple or list of indices, even for one cell: (i,) or [i]."
    return None


exercises = ExerciseSet(
    Exercise(
        "length",
        "A 256-channel map, pyramid levels (6, 3, 2, 1): how long is the SPP vector?",
        expected=lambda: ru.spp(np.zeros((1, 256, 13, 13)), (6, 3, 2, 1)).shape[1],
        hint="Each level n gives n * n bins per channel; add the levels, times the channels.",
        solution="256 * (36 + 9 + 4 + 1)  # or ru.spp(np.zeros((1, 256, 13, 13)), (6, 3, 2, 1)).shape[1]",
    ),
    Exercise(
        "level_bin",
        "On a 7 x 5 map (height 7, width 5), level 2's bin (1, 0): which rows and columns does it read? "
        "Answer (row_start, row_end, col_start, col_end), ends excluded.",
        expected=_bin_cells,
        hint="Level n is RoI pooling of the whole map: 7 rows in 2 bins of 3.5 give [0, 4) and [3, 7); "
        "bin (1, 0) is bin row 1, bin column 0.",
        solution="bins = ru.roi_pool_bins(ru.whole_map_roi(0, (7, 5)), 2, 1.0, (7, 5))\n"
        "rows, cols = bins.cells(1, 0)\n"
        "(rows.start, rows.stop, cols.start, cols.stop)",
        explain_wrong=_explain_level_bin,
    ),
    Exercise(
        "paper_windows",
        f"The paper's recipe on a side of {PAPER_SIDE} cells at level {PAPER_LEVEL}: "
        "how many windows does it give?",
        expected=lambda: ru.spp_paper_windows(PAPER_SIDE, PAPER_LEVEL).bins,
        hint=f"window = ceil({PAPER_SIDE} / {PAPER_LEVEL}), stride = floor({PAPER_SIDE} / {PAPER_LEVEL}); "
        f"the windows that fit number floor(({PAPER_SIDE} - window) / stride) + 1.",
        solution=f"ru.spp_paper_windows({PAPER_SIDE}, {PAPER_LEVEL}).bins",
    ),
    Exercise(
        "paper_missed",
        "And which cells of that side does no window read? Answer with a tuple (or list) of indices, "
        "even if there is only one: (i,) or [i].",
        expected=_paper_missed,
        hint="Window k covers [k * stride, k * stride + window): list the windows, then the cells after "
        "the last one.",
        solution=f"ru.spp_paper_windows({PAPER_SIDE}, {PAPER_LEVEL}).missed",
        explain_wrong=_explain_missed,
    ),
)
