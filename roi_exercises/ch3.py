"""Chapter 3 exercises (SPPNet).

>>> from roi_exercises.ch3 import exercises
>>> bool(exercises.check("length", 256 * 50, quiet=True))
True
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet


def _bin_cells():
    bins = ru.roi_pool_bins(ru.whole_map_roi(0, (7, 5)), 2, 1.0, (7, 5))
    rows, cols = bins.cells(1, 0)
    return (rows.start, rows.stop, cols.start, cols.stop)


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
        hint="Level n is RoI pooling of the whole map: 7 rows in 2 bins of 3.5 give [0, 4) and [3, 7).",
        solution="bins = ru.roi_pool_bins(ru.whole_map_roi(0, (7, 5)), 2, 1.0, (7, 5))\n"
        "rows, cols = bins.cells(1, 0)",
    ),
    Exercise(
        "paper_windows",
        "The paper's recipe on a side of 10 cells at level 4: how many windows does it give?",
        expected=lambda: ru.spp_paper_windows(10, 4).bins,
        hint="window = ceil(10 / 4), stride = floor(10 / 4); the windows that fit number "
        "floor((10 - window) / stride) + 1.",
        solution="ru.spp_paper_windows(10, 4).bins",
    ),
    Exercise(
        "paper_missed",
        "And which cell of that side does no window read? (one index)",
        expected=lambda: ru.spp_paper_windows(10, 4).missed[0],
        hint="Windows start at 0, 2, 4, 6 and are 3 cells wide.",
        solution="ru.spp_paper_windows(10, 4).missed",
    ),
)
