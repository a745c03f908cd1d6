"""Chapter 4 exercises (RoIAlign).

>>> from roi_exercises.ch4 import exercises
>>> bool(exercises.check("adaptive_count", 6, quiet=True))
True
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet

MAP = np.random.default_rng(44).integers(0, 10, (1, 1, 5, 5)).astype(np.float32)
ONE_BIN_BOX = [0, 1.0, 1.0, 2.0, 3.0]
BIG_BOX = [0, 0.0, 0.0, 20.0, 12.0]
SAMPLE_BOX = [0, 0.3, 0.6, 3.1, 2.2]


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
        "Box BIG_BOX (20 x 12 cells at scale 1) pooled 7x7 with sample_ratio=-1: how many samples per bin?",
        expected=lambda: ru.roi_align_samples(BIG_BOX, 7, 1.0, -1, False, (16, 24)).count,
        hint="Adaptive: ceil(height / 7) rows of samples times ceil(width / 7) columns.",
        solution="ru.roi_align_samples(BIG_BOX, 7, 1.0, -1, False, (16, 24)).count\n"
        "# = ceil(12/7) * ceil(20/7)",
    ),
    Exercise(
        "neighbours",
        "Box SAMPLE_BOX pooled 2x2, sample_ratio 1: the four (row, col) cells read by bin (0, 1)'s sample, "
        "as a sorted list of (row, col) pairs.",
        expected=lambda: sorted(
            (r, c)
            for r, c, _ in ru.roi_align_samples(SAMPLE_BOX, 2, 1.0, 1, False, (5, 5)).neighbours(0, 1, 0, 0)
        ),
        hint="The sample sits at the centre of the bin: x = 0.3 + 1.5 * 1.4, y = 0.6 + 0.5 * 0.8. "
        "Its neighbours are floor and floor + 1 along each axis.",
        solution="s = ru.roi_align_samples(SAMPLE_BOX, 2, 1.0, 1, False, (5, 5))\n"
        "sorted((r, c) for r, c, _ in s.neighbours(0, 1, 0, 0))",
    ),
)
