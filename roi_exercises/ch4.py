"""Chapter 4 exercises (RoIAlign).

>>> from roi_exercises.ch4 import exercises
>>> bool(exercises.check("adaptive_count", 8, quiet=True))
True
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet

MAP = np.random.default_rng(44).integers(0, 10, (1, 1, 5, 5)).astype(np.float32)
ONE_BIN_BOX = [0, 1.0, 1.0, 2.0, 3.0]
BIG_BOX = [0, 3.0, 2.0, 17.0, 27.0]
"""Not one of the boxes the notebook prints sample counts for."""
BIG_MAP_SHAPE = (32, 24)
SAMPLE_BOX = [0, 0.2, 0.7, 3.0, 2.5]
"""Its samples (sample_ratio 1) sit off whole numbers, so each reads four cells with weight > 0."""


def _sample_cells() -> list[tuple[int, int]]:
    s = ru.roi_align_samples(SAMPLE_BOX, 2, 1.0, 1, False, (5, 5))
    return sorted((r, c) for r, c, _ in s.neighbours(0, 1, 0, 0))


def _explain_neighbours(answer) -> str | None:
    try:
        pairs = [tuple(int(v) for v in pair) for pair in answer]
    except (TypeError, ValueError):
        return None
    right = _sample_cells()
    if pairs != right and sorted(pairs) == right:
        return "Order matters here: give the list sorted, as sorted(...) does (by row, then column)."
    if sorted((c, r) for r, c in pairs) == right:
        return "Each pair is (row, col): the row comes from y, the column from x."
    return None


def _explain_count(answer) -> str | None:
    inclusive = [0, *BIG_BOX[1:3], BIG_BOX[3] + 1, BIG_BOX[4] + 1]
    if (
        np.ndim(answer) == 0
        and answer == ru.roi_align_samples(inclusive, 7, 1.0, -1, False, BIG_MAP_SHAPE).count
    ):
        return "RoIAlign's box is x2 - x1 wide, without RoI pooling's + 1."
    return None


exercises = ExerciseSet(
    Exercise(
        "one_bin",
        "On MAP, box ONE_BIN_BOX pooled to 1x1 with sample_ratio 2 (aligned=False): the output value.",
        expected=lambda: float(ru.roi_align(MAP, [ONE_BIN_BOX], 1, 1.0, 2)[0, 0, 0, 0]),
        atol=1e-5,
        hint="The bin is 1 wide and 2 tall; samples at x = 1.25, 1.75 and y = 1.5, 2.5. Interpolate each "
        "bilinearly from its four neighbours, then average the four samples.",
        solution="s = ru.roi_align_samples(ONE_BIN_BOX, 1, 1.0, 2, False, (5, 5))\n"
        "sum(w * MAP[0, 0, r, c] for iy in range(2) for ix in range(2)\n"
        "    for r, c, w in s.neighbours(0, 0, iy, ix)) / s.count",
    ),
    Exercise(
        "adaptive_count",
        "Box BIG_BOX (in map cells, scale 1) pooled 7x7 with sample_ratio=-1 (aligned=False): "
        "how many samples per bin?",
        expected=lambda: ru.roi_align_samples(BIG_BOX, 7, 1.0, -1, False, BIG_MAP_SHAPE).count,
        hint="Adaptive: ceil(height / 7) rows of samples times ceil(width / 7) columns, where "
        "width = x2 - x1 and height = y2 - y1.",
        solution=f"ru.roi_align_samples(BIG_BOX, 7, 1.0, -1, False, {BIG_MAP_SHAPE}).count\n"
        f"# = ceil({BIG_BOX[4] - BIG_BOX[2]:g}/7) * ceil({BIG_BOX[3] - BIG_BOX[1]:g}/7)",
        explain_wrong=_explain_count,
    ),
    Exercise(
        "neighbours",
        "Box SAMPLE_BOX pooled 2x2, sample_ratio 1 (aligned=False): the four (row, col) cells read by "
        "bin (0, 1)'s sample, as a sorted list of (row, col) pairs.",
        expected=_sample_cells,
        hint="The sample sits at the centre of the bin: x = 0.2 + 1.5 * 1.4, y = 0.7 + 0.5 * 0.9. "
        "Its neighbours are floor and floor + 1 along each axis.",
        solution="s = ru.roi_align_samples(SAMPLE_BOX, 2, 1.0, 1, False, (5, 5))\n"
        "sorted((r, c) for r, c, _ in s.neighbours(0, 1, 0, 0))",
        explain_wrong=_explain_neighbours,
    ),
)
