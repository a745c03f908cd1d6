"""Chapter 1 exercises (RoI pooling), and the popular wrong rule the chapter contrasts.

>>> from roi_exercises.ch1 import exercises
>>> bool(exercises.check("by_hand", [[91, 91], [91, 93]], quiet=True))
True
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru
from roi_chapters.ch1 import ARANGE, RANDOM
from roi_exercises.core import Exercise, ExerciseSet, same_numbers


def disjoint_edges(start: int, end: int, pooled: int, larger_first: bool = False) -> np.ndarray:
    """THE WRONG RULE's bin edges along one axis: cells ``start..end`` (inclusive) cut into
    ``pooled`` disjoint bins at ``floor(i * n / pooled)`` (smaller bins first) or, with
    ``larger_first``, at ``ceil(i * n / pooled)``; bin ``i`` is ``[edges[i], edges[i + 1])``.

    >>> disjoint_edges(1, 3, 2).tolist(), disjoint_edges(1, 3, 2, larger_first=True).tolist()
    ([1, 2, 4], [1, 3, 4])
    """
    split = np.ceil if larger_first else np.floor
    return start + split(np.arange(pooled + 1) * (end - start + 1) / pooled).astype(int)


def disjoint_pool(data, roi, pooled_size, larger_first: bool = False) -> np.ndarray:
    """THE WRONG RULE, for contrast: the popular picture of disjoint bins (scale 1).

    Splits the box's ``n`` rows at ``floor(i * n / k)``, smaller bins first (3 rows in
    2 bins: 1 + 2), or with ``larger_first`` at ``ceil(i * n / k)`` (2 + 1), so every
    cell belongs to exactly one bin. mxnet (and Fast R-CNN's own code) does not do
    this: its bins run from ``floor`` to ``ceil`` and overlap. Use ``ru.roi_pool`` for
    real answers.

    >>> disjoint_pool(ARANGE, [0, 1, 0, 3, 2], 2).tolist()
    [[1.0, 3.0], [9.0, 11.0]]
    >>> disjoint_pool(ARANGE, [0, 1, 0, 3, 2], 2, larger_first=True).tolist()
    [[6.0, 7.0], [10.0, 11.0]]
    """
    ph, pw = (pooled_size, pooled_size) if np.isscalar(pooled_size) else pooled_size
    _, x1, y1, x2, y2 = (int(v) for v in roi)
    rows = disjoint_edges(y1, y2, ph, larger_first)
    cols = disjoint_edges(x1, x2, pw, larger_first)
    plane = np.asarray(data)[int(roi[0]), 0]
    out = np.zeros((ph, pw), np.float32)
    for i, j in np.ndindex(ph, pw):
        cells = plane[rows[i] : rows[i + 1], cols[j] : cols[j + 1]]
        out[i, j] = cells.max() if cells.size else 0
    return out


BY_HAND_BOX = [0, 3, 0, 5, 2]
"""Exercise 1's box on ``RANDOM``: 3 x 3 cells, where floor/ceil bins, the 1 + 2 split and
the 2 + 1 split all give different outputs (on ``ARANGE`` the 2 + 1 split passes)."""


BIN_CELLS_BOX = [0, 0, 1, 4, 5]
"""Exercise 2's box, pooled 2x2 at scale 1 on a 7x7 map; the question is row bin 1, column bin 0."""


def _bin_cells():
    bins = ru.roi_pool_bins(BIN_CELLS_BOX, 2, 1.0, (7, 7))
    rows, cols = bins.cells(1, 0)
    return (rows.start, rows.stop, cols.start, cols.stop)


ROUNDING_BOX = [0, 10, 0, 26, 9]
"""Exercise 5's box: at scale 1/4 both x1 and x2 land on half a cell (2.5 and 6.5)."""


def _rounded_columns():
    bins = ru.roi_pool_bins(ROUNDING_BOX, 1, 0.25, (8, 8))
    return (bins.roi_start_w, bins.roi_end_w)


def _explain_by_hand(answer) -> str | None:
    _, x1, y1, x2, y2 = BY_HAND_BOX
    if same_numbers(answer, ru.roi_pool(RANDOM, [[0, x1, y1, x2 - 1, y2 - 1]], 2)[0, 0]):
        return (
            "That reads the corners as exclusive (columns 3..4, rows 0..1); RoI pooling's corners are "
            "inclusive, so the box is x2 - x1 + 1 = 3 columns wide."
        )
    for larger_first, split in ((False, "1 + 2"), (True, "2 + 1")):
        if same_numbers(answer, disjoint_pool(RANDOM, BY_HAND_BOX, 2, larger_first=larger_first)):
            return (
                f"That is the disjoint-bins picture ({split} split, every cell in one bin). mxnet's "
                "bins run from floor to ceil and share the box's middle row and column."
            )
    return None


def _explain_bin_cells(answer) -> str | None:
    try:
        got = tuple(int(v) for v in answer)
    except (TypeError, ValueError):
        return None
    _, x1, y1, x2, y2 = BIN_CELLS_BOX
    row_start, row_end, col_start, col_end = _bin_cells()
    if got == (row_start, row_end - 1, col_start, col_end - 1):
        return "Those ends are the last row and column read; give the ends excluded, one past them."
    if got == (row_start - y1, row_end - y1, col_start - x1, col_end - x1):
        return "Those are counted from the box's first row; add the box's start to get map rows."
    for larger_first in (False, True):  # the disjoint 2 + 3 and 3 + 2 splits
        rows = disjoint_edges(y1, y2, 2, larger_first)
        cols = disjoint_edges(x1, x2, 2, larger_first)
        if got == (rows[1], rows[2], cols[0], cols[1]):
            return "That is a disjoint split; mxnet's bins start at floor and end at ceil, so they overlap."
    return None


def _explain_coverage(answer) -> str | None:
    if same_numbers(answer, 1):
        return (
            "One bin per cell is the disjoint-bins picture. Here the bins overlap: count the row bins "
            "that contain row 2, the column bins that contain column 2, and multiply."
        )
    return None


def _explain_off_the_map(answer) -> str | None:
    try:
        values = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if values.shape == (2, 2) and not np.isfinite(values).all():
        return "An empty bin outputs 0, not -inf or NaN: the kernel writes 0 when a bin reads no cell."
    if same_numbers(answer, ru.roi_pool(ARANGE, [[0, 2, 2, 3, 3]], 2)[0, 0]):
        return (
            "That clips the box to the map first and then splits it into bins. The kernel splits the "
            "whole box (6 cells a side) into bins first, then clips each bin, so some bins are empty."
        )
    if same_numbers(answer, np.full((2, 2), 15)):
        return "An empty bin does not read the nearest cell on the map: it reads nothing and outputs 0."
    return None


def _explain_rounding(answer) -> str | None:
    corners = np.array(ROUNDING_BOX[1::2], dtype=np.float64) * 0.25
    if same_numbers(answer, np.round(corners)) or same_numbers(answer, np.floor(corners)):
        # here both give the same: 2.5 and 6.5 go to the even number, which is also the floor
        return "That is what np.round (halves to the even number) or floor gives; the kernel uses C's round."
    return None


exercises = ExerciseSet(
    Exercise(
        "by_hand",
        "On the random 7x7 map (RANDOM), box [0, 3, 0, 5, 2] pooled to 2x2 at scale 1: the 2x2 output.",
        expected=lambda: ru.roi_pool(RANDOM, [BY_HAND_BOX], 2)[0, 0],
        hint="Corners are inclusive: the box covers columns 3..5 and rows 0..2, 3 cells each way, so "
        "bin_size = 3 / 2 = 1.5. Bin i reads [floor(i * bin_size), ceil((i + 1) * bin_size)) of the box.",
        more_hints=(
            "Bin 0 reads [floor(0), ceil(1.5)) = [0, 2) and bin 1 reads [floor(1.5), ceil(3)) = [1, 3), "
            "counted from the box's first column and row: the middle column and row belong to both bins.",
            "So the column bins read map columns 3-4 and 4-5, the row bins rows 0-1 and 1-2. "
            "RANDOM[0, 0, 0:3, 3:6] shows the box's 3 x 3 cells: take each bin's 2 x 2 maximum.",
        ),
        solution="# column bins read columns 3-4 and 4-5, row bins rows 0-1 and 1-2 (4 and 1 shared):\n"
        "# bin (0, 0) reads 26 30 / 64 91 -> 91; (0, 1) 30 4 / 91 50 -> 91;\n"
        "# (1, 0) 64 91 / 54 55 -> 91; (1, 1) 91 50 / 55 93 -> 93\n"
        "answer_1 = ru.roi_pool(RANDOM, [[0, 3, 0, 5, 2]], 2)[0, 0]",
        explain_wrong=_explain_by_hand,
    ),
    Exercise(
        "bin_cells",
        "Box [0, 0, 1, 4, 5] pooled 2x2 at scale 1 on a 7x7 map: which rows and columns does row bin 1, "
        "column bin 0 read? Answer (row_start, row_end, col_start, col_end) with the ends excluded.",
        expected=_bin_cells,
        hint="The box's rows 1..5 (inclusive) are 5 rows, so bin_size = 5 / 2 = 2.5, and row bin i reads "
        "[floor(i * bin_size), ceil((i + 1) * bin_size)) counted from the box's first row. Columns 0..4 "
        "work the same way.",
        more_hints=(
            "Row bin 1: floor(1 * 2.5) = 2 and ceil(2 * 2.5) = 5 rows from the box's first row, which is "
            "row 1 of the map; column bin 0 starts at the box's first column, 0.",
        ),
        solution="bins = ru.roi_pool_bins([0, 0, 1, 4, 5], 2, 1.0, (7, 7))\nrows, cols = bins.cells(1, 0)\n"
        "answer_2 = (rows.start, rows.stop, cols.start, cols.stop)",
        explain_wrong=_explain_bin_cells,
    ),
    Exercise(
        "coverage",
        "Box [0, 0, 0, 4, 4] pooled 2x2 at scale 1 on a 7x7 map: how many bins read the cell at row 2, "
        "column 2?",
        expected=lambda: int(ru.roi_pool_bins([0, 0, 0, 4, 4], 2, 1.0, (7, 7)).coverage()[2, 2]),
        hint="5 cells in 2 bins: bin_size = 2.5. Write down each row bin's range [floor, ceil) and count "
        "those that contain row 2; do the same for column 2. A cell is read by every bin whose row range "
        "and column range both contain it.",
        more_hints=(
            "Row bin 0 reads [floor(0), ceil(2.5)) and row bin 1 [floor(2.5), ceil(5)); the columns are "
            "the same. The count is (row bins holding row 2) x (column bins holding column 2).",
        ),
        solution="answer_3 = int(ru.roi_pool_bins([0, 0, 0, 4, 4], 2, 1.0, (7, 7)).coverage()[2, 2])",
        explain_wrong=_explain_coverage,
    ),
    Exercise(
        "off_the_map",
        "On the arange 4x4 map, box [0, 2, 2, 7, 7] pooled 2x2 hangs off the map: the 2x2 output.",
        expected=lambda: ru.roi_pool(ARANGE, [[0, 2, 2, 7, 7]], 2)[0, 0],
        hint="The box is split into bins first, as if the map were big enough; only then is each bin "
        "clipped to the map. What does a bin that is clipped to nothing output?",
        more_hints=(
            "6 cells per side, bins of 3: [2, 5) is clipped to [2, 4), [5, 8) is clipped to nothing. "
            "An empty bin outputs 0.",
        ),
        solution="# 6 cells per side in bins of 3: [2, 5) clips to [2, 4), [5, 8) to nothing;\n"
        "# bin (0, 0) reads rows and columns 2-3 (maximum 15), the other three bins are empty: 0\n"
        "answer_4 = ru.roi_pool(ARANGE, [[0, 2, 2, 7, 7]], 2)[0, 0]",
        explain_wrong=_explain_off_the_map,
    ),
    Exercise(
        "rounding",
        "At spatial_scale 1/4, a box has x1 = 10 and x2 = 26 image pixels. Which map columns does it "
        "start and end at? Answer (start_col, end_col).",
        expected=_rounded_columns,
        hint="Multiply each corner by the scale, then round as the kernel does (C's round).",
        more_hints=(
            "10 / 4 = 2.5 and 26 / 4 = 6.5. C's round() goes half away from zero; numpy's np.round "
            "goes to the even number.",
        ),
        solution="# C's round: 2.5 -> 3 and 6.5 -> 7 (np.round would give 2 and 6)\n"
        "bins = ru.roi_pool_bins([0, 10, 0, 26, 9], 1, 0.25, (8, 8))\n"
        "answer_5 = (bins.roi_start_w, bins.roi_end_w)",
        explain_wrong=_explain_rounding,
    ),
)
