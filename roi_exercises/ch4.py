"""Chapter 4 exercises (RoIAlign).

>>> from roi_exercises.ch4 import exercises
>>> bool(exercises.check("adaptive_count", 8, quiet=True))
True
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet, as_number

MAP = np.random.default_rng(44).integers(0, 10, (1, 1, 5, 5)).astype(np.float32)
ONE_BIN_BOX = [0, 0.5, 0.0, 1.5, 2.0]
"""1 wide, 2 tall, its samples between columns: the usual slips (one sample only, adaptive,
aligned, x for y, a sum, ...) each give a different value, so no wrong rule passes."""
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
    other = ru.roi_align_samples(SAMPLE_BOX, 2, 1.0, 1, False, (5, 5)).neighbours(1, 0, 0, 0)
    swapped_bin = sorted((r, c) for r, c, _ in other)
    if sorted(pairs) == swapped_bin and swapped_bin != right:
        return "That is bin (1, 0)'s sample: bin (0, 1) is bin row 0, bin column 1 (right of the first)."
    if pairs != right and sorted(pairs) == right:
        return "Order matters here: give the list sorted, as sorted(...) does (by row, then column)."
    if sorted((c, r) for r, c in pairs) == right:
        return "Each pair is (row, col): the row comes from y, the column from x."
    return None


def _one_bin(box, sample_ratio: int = 2, aligned: bool = False) -> float:
    return float(ru.roi_align(MAP, [box], 1, 1.0, sample_ratio, aligned)[0, 0, 0, 0])


def _one_bin_slips():
    """(function giving the value, explanation) for the usual wrong ways to compute one_bin."""
    _, x1, y1, x2, y2 = ONE_BIN_BOX
    s = ru.roi_align_samples(ONE_BIN_BOX, 1, 1.0, 2, False, MAP.shape[2:])
    plane = MAP[0, 0].astype(np.float64)
    singles = [
        (
            lambda iy=iy, ix=ix: sum(w * plane[r, c] for r, c, w in s.neighbours(0, 0, iy, ix)),
            "That is one sample's value: the bin is the average of all four.",
        )
        for iy in range(2)
        for ix in range(2)
    ]
    return [
        *singles,
        (
            lambda: _one_bin(ONE_BIN_BOX, 1),
            "That is one sample at the bin's centre (sample_ratio=1); "
            "sample_ratio=2 puts 2 x 2 samples in the bin.",
        ),
        (
            lambda: _one_bin(ONE_BIN_BOX, -1),
            "That is adaptive sampling (sample_ratio=-1); here sample_ratio=2 fixes 2 x 2 samples.",
        ),
        (
            lambda: _one_bin(ONE_BIN_BOX, 2, True),
            "That is aligned=True (corners moved by half a cell); here aligned=False.",
        ),
        (lambda: 4 * _one_bin(ONE_BIN_BOX), "That is the sum of the four samples: the bin is their average."),
        (
            lambda: _one_bin([0, y1, x1, y2, x2]),
            "x and y are swapped: x (x1, x2) runs along the columns, "
            "y along the rows, and MAP is indexed MAP[0, 0, row, col].",
        ),
        (
            lambda: float(ru.roi_pool(MAP, [ONE_BIN_BOX], 1)[0, 0, 0, 0]),
            "That is RoI pooling's maximum; RoIAlign averages bilinear samples.",
        ),
    ]


def _explain_one_bin(answer) -> str | None:
    number = as_number(answer)
    if number is None:
        return None
    for value, why in _one_bin_slips():
        if abs(number - value()) < 1e-4:
            return why
    if abs(number - _one_bin(ONE_BIN_BOX)) < 0.01:
        return "Very close: do not round (every weight here is a multiple of 1/8, the value is exact)."
    return None


def _explain_count(answer) -> str | None:
    if np.ndim(answer) == 1 and len(answer) == 2:
        return "Give one number: the samples in one bin, rows times columns."
    if np.ndim(answer) != 0:
        return None
    inclusive = [0, *BIG_BOX[1:3], BIG_BOX[3] + 1, BIG_BOX[4] + 1]
    if answer == ru.roi_align_samples(inclusive, 7, 1.0, -1, False, BIG_MAP_SHAPE).count:
        return "RoIAlign's box is x2 - x1 wide, without RoI pooling's + 1."
    width, height = BIG_BOX[3] - BIG_BOX[1], BIG_BOX[4] - BIG_BOX[2]
    if answer == (height // 7) * (width // 7):
        return "Adaptive sampling rounds up (ceil), so that samples are at most one cell apart."
    return None


exercises = ExerciseSet(
    Exercise(
        "one_bin",
        "On MAP, box ONE_BIN_BOX pooled to 1x1 with sample_ratio 2 (aligned=False): the output value.",
        expected=lambda: _one_bin(ONE_BIN_BOX),
        atol=1e-5,
        hint="The bin is 1 wide and 2 tall; samples at x = 0.75, 1.25 and y = 0.5, 1.5. Interpolate each "
        "bilinearly from its four neighbours, then average the four samples.",
        more_hints=(
            "Sample (y, x) = (0.5, 0.75) reads rows 0-1 and columns 0-1 with ly = 0.5 and lx = 0.75: "
            "weights hy*hx, hy*lx, ly*hx, ly*lx. The other three work the same way; divide the sum by 4.",
        ),
        solution="s = ru.roi_align_samples(ONE_BIN_BOX, 1, 1.0, 2, False, (5, 5))\n"
        "answer_1 = sum(w * MAP[0, 0, r, c] for iy in range(2) for ix in range(2)\n"
        "               for r, c, w in s.neighbours(0, 0, iy, ix)) / s.count",
        explain_wrong=_explain_one_bin,
    ),
    Exercise(
        "adaptive_count",
        "Box BIG_BOX (in map cells, scale 1) pooled 7x7 with sample_ratio=-1 (aligned=False): "
        "how many samples per bin?",
        expected=lambda: ru.roi_align_samples(BIG_BOX, 7, 1.0, -1, False, BIG_MAP_SHAPE).count,
        hint="Adaptive: ceil(height / 7) rows of samples times ceil(width / 7) columns, where "
        "width = x2 - x1 and height = y2 - y1.",
        more_hints=("RoIAlign's width has no + 1: here 17 - 3 = 14 columns wide, 27 - 2 = 25 rows tall.",),
        solution=f"answer_2 = ru.roi_align_samples(BIG_BOX, 7, 1.0, -1, False, {BIG_MAP_SHAPE}).count\n"
        f"# = ceil({BIG_BOX[4] - BIG_BOX[2]:g}/7) * ceil({BIG_BOX[3] - BIG_BOX[1]:g}/7)",
        explain_wrong=_explain_count,
    ),
    Exercise(
        "neighbours",
        "Box SAMPLE_BOX pooled 2x2, sample_ratio 1 (aligned=False): the four (row, col) cells read by "
        "bin (0, 1)'s sample, as a sorted list of (row, col) pairs.",
        expected=_sample_cells,
        hint="With one sample per bin, the sample sits at the bin's centre. Its neighbours are floor and "
        "floor + 1 along each axis.",
        more_hints=(
            "The box is 2.8 wide and 1.8 tall, so bins are 1.4 by 0.9: bin (0, 1)'s centre is at "
            "x = 0.2 + 1.5 * 1.4, y = 0.7 + 0.5 * 0.9.",
        ),
        solution="s = ru.roi_align_samples(SAMPLE_BOX, 2, 1.0, 1, False, (5, 5))\n"
        "answer_3 = sorted((r, c) for r, c, _ in s.neighbours(0, 1, 0, 0))",
        explain_wrong=_explain_neighbours,
    ),
)
