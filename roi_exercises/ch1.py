"""Chapter 1 exercises (RoI pooling), and the popular wrong rule the chapter contrasts.

>>> from roi_exercises.ch1 import exercises
>>> bool(exercises.check("by_hand", [[6, 7], [10, 11]], quiet=True))
True
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet

ARANGE = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
RANDOM = np.random.default_rng(0).integers(0, 100, (1, 1, 7, 7)).astype(np.float32)


def disjoint_pool(data, roi, pooled_size) -> np.ndarray:
    """THE WRONG RULE, for contrast: the popular picture of disjoint bins (scale 1).

    Splits the box's ``n`` rows at ``floor(i * n / k)``, so every cell belongs to
    exactly one bin. mxnet (and Fast R-CNN's own code) does not do this: its bins
    run from ``floor`` to ``ceil`` and overlap. Use ``ru.roi_pool`` for real answers.
    """
    ph, pw = (pooled_size, pooled_size) if np.isscalar(pooled_size) else pooled_size
    _, x1, y1, x2, y2 = (int(v) for v in roi)
    rows = y1 + np.floor(np.arange(ph + 1) * (y2 - y1 + 1) / ph).astype(int)
    cols = x1 + np.floor(np.arange(pw + 1) * (x2 - x1 + 1) / pw).astype(int)
    plane = np.asarray(data)[int(roi[0]), 0]
    out = np.zeros((ph, pw), np.float32)
    for i, j in np.ndindex(ph, pw):
        cells = plane[rows[i] : rows[i + 1], cols[j] : cols[j + 1]]
        out[i, j] = cells.max() if cells.size else 0
    return out


def _bin_cells():
    bins = ru.roi_pool_bins([0, 0, 1, 4, 5], 2, 1.0, (7, 7))
    rows, cols = bins.cells(1, 0)
    return (rows.start, rows.stop, cols.start, cols.stop)


ROUNDING_BOX = [0, 10, 0, 26, 9]
"""Exercise 5's box: at scale 1/4 both x1 and x2 land on half a cell (2.5 and 6.5)."""


def _rounded_columns():
    bins = ru.roi_pool_bins(ROUNDING_BOX, 1, 0.25, (8, 8))
    return (bins.roi_start_w, bins.roi_end_w)


def _same(answer, numbers) -> bool:
    try:
        return np.array_equal(np.asarray(answer, dtype=np.float64), np.asarray(numbers, dtype=np.float64))
    except (TypeError, ValueError):
        return False


def _explain_by_hand(answer) -> str | None:
    if _same(answer, disjoint_pool(ARANGE, [0, 1, 0, 3, 2], 2)):
        return (
            "That is the disjoint-bins picture (1 + 2 cells). mxnet's bins run from floor to ceil "
            "and share the middle row and column."
        )
    return None


def _explain_rounding(answer) -> str | None:
    corners = np.array(ROUNDING_BOX[1::2], dtype=np.float64) * 0.25
    if _same(answer, np.round(corners)) or _same(answer, np.floor(corners)):
        # here both give the same: 2.5 and 6.5 go to the even number, which is also the floor
        return "That is what np.round (halves to the even number) or floor gives; the kernel uses C's round."
    return None


exercises = ExerciseSet(
    Exercise(
        "by_hand",
        "On the arange 4x4 map, box [0, 1, 0, 3, 2] pooled to 2x2 at scale 1: the 2x2 output.",
        expected=lambda: ru.roi_pool(ARANGE, [[0, 1, 0, 3, 2]], 2)[0, 0],
        hint="The box covers columns 1..3 and rows 0..2 (inclusive): 3 cells each way, so bin_size = 1.5; "
        "bin 0 reads [floor(0), ceil(1.5)) = [0, 2) and bin 1 reads [floor(1.5), ceil(3)) = [1, 3), "
        "both shifted by the box's start.",
        solution="# column bins read columns 1-2 and 2-3, row bins rows 0-1 and 1-2; on ARANGE\n"
        "# (4 * row + column) each bin's maximum is its bottom-right cell: 4*1+2 = 6, 7, 4*2+2 = 10, 11\n"
        "ru.roi_pool(ARANGE, [[0, 1, 0, 3, 2]], 2)[0, 0]",
        explain_wrong=_explain_by_hand,
    ),
    Exercise(
        "bin_cells",
        "Box [0, 0, 1, 4, 5] pooled 2x2 on a 7x7 map: which rows and columns does row bin 1, column bin 0 "
        "read? Answer (row_start, row_end, col_start, col_end) with the ends excluded.",
        expected=_bin_cells,
        hint="Rows 1..5 inclusive are 5 rows: bin_size 2.5, so row bin 1 is [floor(2.5), ceil(5)) = [2, 5) "
        "plus the start row 1. Columns 0..4 are 5 columns too.",
        solution="bins = ru.roi_pool_bins([0, 0, 1, 4, 5], 2, 1.0, (7, 7))\nrows, cols = bins.cells(1, 0)\n"
        "(rows.start, rows.stop, cols.start, cols.stop)",
    ),
    Exercise(
        "coverage",
        "Box [0, 0, 0, 4, 4] pooled 2x2: how many bins read the cell at row 2, column 2?",
        expected=lambda: int(ru.roi_pool_bins([0, 0, 0, 4, 4], 2, 1.0, (7, 7)).coverage()[2, 2]),
        hint="5 cells in 2 bins: [0, 3) and [2, 5). Row 2 is in both row bins; column 2 in both column bins.",
        solution="int(ru.roi_pool_bins([0, 0, 0, 4, 4], 2, 1.0, (7, 7)).coverage()[2, 2])",
    ),
    Exercise(
        "off_the_map",
        "On the arange 4x4 map, box [0, 2, 2, 7, 7] pooled 2x2 hangs off the map: the 2x2 output.",
        expected=lambda: ru.roi_pool(ARANGE, [[0, 2, 2, 7, 7]], 2)[0, 0],
        hint="6 cells per side, bins of 3: [2, 5) is clipped to [2, 4), [5, 8) is clipped to nothing. "
        "What does an empty bin output?",
        solution="# 6 cells per side in bins of 3: [2, 5) clips to [2, 4), [5, 8) to nothing;\n"
        "# bin (0, 0) reads rows and columns 2-3 (maximum 15), the other three bins are empty: 0\n"
        "ru.roi_pool(ARANGE, [[0, 2, 2, 7, 7]], 2)[0, 0]",
    ),
    Exercise(
        "rounding",
        "At spatial_scale 1/4, a box has x1 = 10 and x2 = 26 image pixels. Which map columns does it "
        "start and end at? Answer (start_col, end_col).",
        expected=_rounded_columns,
        hint="10 / 4 = 2.5 and 26 / 4 = 6.5. C's round() goes half away from zero; numpy's np.round "
        "goes to the even number.",
        solution="# C's round: 2.5 -> 3 and 6.5 -> 7 (np.round would give 2 and 6)\n"
        "bins = ru.roi_pool_bins([0, 10, 0, 26, 9], 1, 0.25, (8, 8))\n(bins.roi_start_w, bins.roi_end_w)",
        explain_wrong=_explain_rounding,
    ),
)
