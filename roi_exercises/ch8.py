"""Chapter 8 exercises (FPN levels, position-sensitive pooling, rotated RoIAlign).

>>> from roi_exercises.ch8 import exercises
>>> bool(exercises.check("fpn_level", 3, quiet=True))
True
"""

from __future__ import annotations

import math

import numpy as np

import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet, as_number

FPN_BOX = [0, 40, 60, 340, 210]
"""300 x 150 pixels: sqrt(area) = 212.1, just under 224 (the side alone would say P4)."""
PS_MAP = np.random.default_rng(88).integers(0, 10, (1, 18, 6, 6)).astype(np.float32)
"""output_dim 2, 3 x 3 groups: 18 channels."""
PS_BOX = [0, 0.6, 1.5, 4.4, 5.2]
"""Corners off whole pixels (one on an exact half): rounding first decides the bins."""
ROTATED_ROI = [0, 3.0, 2.0, 4.0, 2.0, 30.0]
"""Centre (3, 2), 4 wide, 2 tall, turned 30 degrees."""


def _fpn_level() -> int:
    return int(ru.fpn_levels([FPN_BOX], 2, 5)[0])


def _explain_fpn(answer) -> str | None:
    number = as_number(answer)
    if number is None:
        return None
    _, x1, y1, x2, y2 = FPN_BOX
    slips = []
    if number == math.floor(4 + math.log2(max(x2 - x1, y2 - y1) / 224)):
        slips.append("The rule uses sqrt(area), the geometric mean of the sides, not the longer side.")
    if number == round(4 + math.log2(math.sqrt((x2 - x1) * (y2 - y1)) / 224)):
        slips.append("Floor, not round (matterport's variant rounds): 4 + log2(212.1 / 224) = 3.92.")
    if number == _fpn_level() - 2:
        slips.append("That is torchvision's index into its list of maps (k - k_min); give the level k.")
    if len(slips) > 1:
        return "Two slips give this answer. " + " Or: ".join(slips)
    return slips[0] if slips else None


def _ps_channel() -> int:
    bins = ru.ps_roi_pool_bins(PS_BOX, 1.0, 2, 3, map_shape=(6, 6))
    return bins.channel(1, 2, 0)


def _explain_channel(answer) -> str | None:
    number = as_number(answer)
    if number is None:
        return None
    if number == (2 * 3 + 0) * 2 + 1:
        return "That groups channels position-first ((gh * G + gw) * output_dim + c); mxnet puts c first."
    if number == (1 * 3 + 0) * 3 + 2:
        return "gh is the row (ph = 2), gw the column (pw = 0): (c * G + gh) * G + gw."
    return None


def _ps_value() -> float:
    return float(ru.ps_roi_pool(PS_MAP, [PS_BOX], 1.0, 2, 3)[0, 1, 2, 0])


def _explain_ps_value(answer) -> str | None:
    number = as_number(answer)
    if number is None:
        return None
    bins = ru.ps_roi_pool_bins(PS_BOX, 1.0, 2, 3, map_shape=(6, 6))
    cells = PS_MAP[0, _ps_channel(), bins.hstart[2] : bins.hend[2], bins.wstart[0] : bins.wend[0]]
    if abs(number - float(cells.max())) < 1e-4 and cells.max() != cells.mean():
        return "PSROIPooling averages its bin (its docstring says max; the kernel sums and divides)."
    if abs(number - float(cells.sum())) < 1e-4:
        return "That is the bin's sum: divide by its number of cells."
    return None


def _rotated_sample() -> list[float]:
    s = ru.rotated_roi_align_samples(ROTATED_ROI, (1, 2), 1.0, 1, map_shape=(6, 6))
    return [float(s.x[0, 1, 0, 0]), float(s.y[0, 1, 0, 0])]


def _explain_rotated(answer) -> str | None:
    try:
        x, y = (float(v) for v in answer)
    except (TypeError, ValueError):
        return None
    want = _rotated_sample()
    if math.isclose(x, want[0], abs_tol=1e-3) and math.isclose(y, 4 - want[1], abs_tol=1e-3):
        return "y points down the map: a positive angle lifts the right-hand end (smaller y)."
    if math.isclose(x, want[0] - 0.5, abs_tol=1e-3) and math.isclose(y, want[1] - 0.5, abs_tol=1e-3):
        return "RROIAlign has no half-pixel offset: the centre stays at (cx, cy), nothing is subtracted."
    if math.isclose(x, 6 - want[0], abs_tol=1e-3) and math.isclose(y, 4 - want[1], abs_tol=1e-3):
        return "That is the left-hand bin's sample (xx = -1); the right-hand bin is pw = 1, xx = +1."
    radians = ru.rotated_roi_align_samples(
        [*ROTATED_ROI[:5], math.degrees(30)], (1, 2), 1.0, 1, map_shape=(6, 6)
    )
    if math.isclose(x, float(radians.x[0, 1, 0, 0]), abs_tol=1e-3):
        return "The angle is in degrees: 30 means 30 degrees, not 30 radians."
    return None


exercises = ExerciseSet(
    Exercise(
        "fpn_level",
        "Box FPN_BOX (image pixels) on maps P2..P5 (torchvision's rule, canonical 224 on P4): its level k.",
        expected=_fpn_level,
        hint="k = floor(4 + log2(sqrt(area) / 224)), area = (x2 - x1) * (y2 - y1), clamped to 2..5.",
        solution="ru.fpn_levels([FPN_BOX], 2, 5)[0]   # sqrt(300 * 150) = 212.1 < 224",
        explain_wrong=_explain_fpn,
    ),
    Exercise(
        "ps_channel",
        "ps_roi_pool with output_dim=2, pooled_size=3 (group_size 3): which input channel does "
        "output channel 1's bin (ph=2, pw=0) read?",
        expected=_ps_channel,
        hint="Channel (c * G + gh) * G + gw with gh = floor(ph * G / k), gw = floor(pw * G / k).",
        solution="ru.ps_roi_pool_bins(PS_BOX, 1.0, 2, 3, map_shape=(6, 6)).channel(1, 2, 0)",
        explain_wrong=_explain_channel,
    ),
    Exercise(
        "ps_value",
        "ps_roi_pool(PS_MAP, [PS_BOX], 1.0, output_dim=2, pooled_size=3): the value of output "
        "channel 1, bin (2, 0).",
        expected=_ps_value,
        atol=1e-5,
        hint="Round the corners in image pixels first (round(x1), round(x2) + 1), find bin (2, 0)'s cells "
        "with floor/ceil, then average them in the channel of the previous exercise.",
        solution="ru.ps_roi_pool(PS_MAP, [PS_BOX], 1.0, 2, 3)[0, 1, 2, 0]",
        explain_wrong=_explain_ps_value,
    ),
    Exercise(
        "rotated_sample",
        "rotated_roi_align of ROTATED_ROI pooled (1, 2), sampling_ratio 1: the [x, y] map position of "
        "the right-hand bin's one sample.",
        expected=_rotated_sample,
        atol=1e-4,
        hint="Unturned, the sample sits at (xx, yy) = (+1, 0) from the centre. Turn it: "
        "x = xx cos + yy sin + cx, y = yy cos - xx sin + cy, with the angle in degrees.",
        solution="s = ru.rotated_roi_align_samples(ROTATED_ROI, (1, 2), 1.0, 1, map_shape=(6, 6))\n"
        "[s.x[0, 1, 0, 0], s.y[0, 1, 0, 0]]",
        explain_wrong=_explain_rotated,
    ),
)
