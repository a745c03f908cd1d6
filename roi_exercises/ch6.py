"""Chapter 6 exercises: the separable forms, checked against roi_utils.

>>> from roi_exercises.ch6 import exercises
>>> bool(exercises.check("align_two_products", ..., quiet=True))
False
"""

from __future__ import annotations

import numpy as np

import roi_speed as rs
import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet, as_number

MAP = np.random.default_rng(66).integers(0, 20, (1, 1, 7, 9)).astype(np.float32)
POOL_BOX = [0, 1, 2, 7, 6]
ALIGN_BOX = [0, 0.5, 1.25, 7.5, 5.0]
BYTES_DATA, BYTES_ROIS = rs.workload(1, 256, 38, 50, 1, seed=6)


def _pool_value():
    return float(ru.roi_pool(MAP, [POOL_BOX], (2, 3))[0, 0, 1, 2])


def _align_channel():
    return ru.roi_align(MAP, [ALIGN_BOX], 2, 1.0, 2)[0, 0]


def _separable_max_mistake(answer) -> str | None:
    value = as_number(answer)
    if value is None:
        return None
    rows, cols = ru.roi_pool_bins(POOL_BOX, (2, 3), 1.0, MAP.shape[2:]).cells(1, 2)
    if value == float(ru.roi_pool(MAP, [POOL_BOX], 1).item()):
        return "That is the maximum of the whole box; bin (1, 2) reads only its own rows and columns."
    if value == float(MAP[0, 0, rows, cols].min()):
        return "That is the bin's minimum: RoI pooling keeps the maximum."
    return None


def _two_products_mistake(answer) -> str | None:
    try:
        got = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if got.shape != (2, 2):
        return None
    right = _align_channel().astype(np.float64)
    s = ru.roi_align_samples(ALIGN_BOX, 2, 1.0, 2, False, MAP.shape[2:])
    if np.allclose(got, right * s.count, atol=1e-4):
        return f"That is the sum of each bin's samples: divide by the {s.count} samples per bin (s.count)."
    if np.allclose(got, ru.roi_pool(MAP, [ALIGN_BOX], 2)[0, 0], atol=1e-4):
        return "That is RoI pooling's maximum; RoIAlign averages bilinear samples."
    if np.allclose(got, right.T, atol=1e-4):
        return "The result is transposed: rows come from Ry on the left, columns from Cx.T on the right."
    return None


UNITS = (
    ("kB", "kilobytes", 1e3),
    ("KiB", "kibibytes", 2.0**10),
    ("MB", "megabytes", 1e6),
    ("MiB", "mebibytes", 2.0**20),
)


def _bytes_mistake(answer) -> str | None:
    """Name the usual slips for ``bytes_floor`` without revealing the count: an answer in kB or MB
    (the question asks for bytes), float32 values instead of bytes, or the reads or the output left out.

    >>> _bytes_mistake(rs.bytes_read(BYTES_DATA, BYTES_ROIS, "roi_pool") / 1e6)
    'That looks like megabytes (MB): the question asks for bytes, a plain count (1.5 MB is 1500000).'
    """
    value = as_number(answer)
    if value is None or value <= 0:
        return None
    expected = rs.bytes_read(BYTES_DATA, BYTES_ROIS, "roi_pool")
    output = BYTES_DATA.shape[1] * 7 * 7 * 4
    if value < expected / 100:  # far below any count of bytes: which unit fits best?
        unit, name, size = min(UNITS, key=lambda u: abs(value * u[2] - expected))
        if abs(value * size - expected) <= 0.05 * expected:  # a learner rounds a few digits off
            return (
                f"That looks like {name} ({unit}): the question asks for bytes, a plain count "
                f"(1.5 {unit} is {1.5 * size:.0f})."
            )
    if abs(value * 4 - expected) < 0.5:
        return "That counts float32 values: each one is 4 bytes."
    if abs(value - (expected - output)) < 0.5:
        return "That is what is read; add the output written (256 x 7 x 7 float32 values)."
    if abs(value - output) < 0.5:
        return "That is the output written only; add the cells the bins read, for every channel."
    return None


exercises = ExerciseSet(
    Exercise(
        "separable_max",
        "Bin (1, 2) of box POOL_BOX pooled to (2, 3) on MAP: compute its value as the max over "
        "the bin's columns of the max over the bin's rows (use ru.roi_pool_bins for the ranges).",
        expected=_pool_value,
        hint="A bin is a rectangle: its rows times its columns. The maximum over a rectangle can be taken "
        "one axis at a time, over its rows first, then over its columns.",
        more_hints=(
            "ru.roi_pool_bins gives the bin's row and column ranges (its cells method, with the bin's "
            "row and column); pooled_size (2, 3) is 2 row bins by 3 column bins.",
            "The maximum over the bin's rows (axis 0 of those rows of the plane) gives one value per "
            "column; then take the maximum of those over the bin's columns.",
        ),
        solution="bins = ru.roi_pool_bins(POOL_BOX, (2, 3), 1.0, (7, 9))\n"
        "rows, cols = bins.cells(1, 2)\n"
        "answer_1 = float(MAP[0, 0, rows].max(axis=0)[cols].max())",
        explain_wrong=_separable_max_mistake,
    ),
    Exercise(
        "align_two_products",
        "RoIAlign of ALIGN_BOX on MAP, pooled 2x2, sample_ratio 2, channel 0, as two matrix "
        "products: Ry @ MAP[0, 0] @ Cx.T / count (a 2x2 array).",
        expected=_align_channel,
        atol=1e-5,
        hint="A sample's weight on a cell is a row weight times a column weight, so a bin's weighted sum "
        "separates: one small matrix sums over rows, another over columns.",
        more_hints=(
            "ru.roi_align_samples gives the samples of each axis (its y and x parts); each part can "
            "build the matrix of summed weights its bins put on each row (or column) of the map.",
            "Ry is (2 bins x 7 rows), Cx (2 bins x 9 columns); Ry @ plane @ Cx.T sums each bin's "
            "samples, and a bin is their average.",
        ),
        solution="s = ru.roi_align_samples(ALIGN_BOX, 2, 1.0, 2, False, (7, 9))\n"
        "answer_2 = s.y.weight_matrix(7) @ MAP[0, 0] @ s.x.weight_matrix(9).T / s.count",
        explain_wrong=_two_products_mistake,
    ),
    Exercise(
        "bytes_floor",
        "The fewest bytes roi_pool must move for the one box in BYTES_ROIS on BYTES_DATA (pooled 7, "
        "scale 1/16): the cells its bins span x channels x 4 bytes read, plus its float32 output written.",
        expected=lambda: rs.bytes_read(BYTES_DATA, BYTES_ROIS, "roi_pool"),
        hint="At the least, every cell some bin reads is read once, in every channel, and the output is "
        "written once; a float32 is 4 bytes.",
        more_hints=(
            "The bins of one box together span one rectangle of rows and columns (ru.roi_pool_bins: from "
            "the smallest start to the largest end); the output is 256 x 7 x 7 values.",
        ),
        solution="bins = ru.roi_pool_bins(BYTES_ROIS[0], 7, 1 / 16, (38, 50))\n"
        "rows = bins.hend.max() - bins.hstart.min(); cols = bins.wend.max() - bins.wstart.min()\n"
        "answer_3 = int(rows * cols * 256 * 4 + 256 * 49 * 4)",
        explain_wrong=_bytes_mistake,
    ),
)
