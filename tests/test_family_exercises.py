"""Chapter 8's exercises: every solution passes as pasted, and the usual slips get their explanation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from solutions import run_solution

import roi_utils as ru
from roi_exercises import ch8
from roi_exercises.ch8 import FPN_BOX, exercises

NAMESPACE = {
    "np": np,
    "ru": ru,
    **{k: getattr(ch8, k) for k in ("FPN_BOX", "PS_BOX", "PS_MAP", "ROTATED_ROI")},
}


@pytest.mark.parametrize("name", sorted(exercises.exercises))
def test_solution_passes(name):
    answer = run_solution(exercises.exercises[name].solution, dict(NAMESPACE))
    assert exercises.check(name, answer, quiet=True)


def explanation(name, answer) -> str:
    return exercises.check(name, answer, quiet=True).message


def test_fpn_slips_are_named():
    _, x1, y1, x2, y2 = FPN_BOX
    assert "geometric mean" in explanation("fpn_level", 4)  # from the longer side, 300
    assert "Floor, not round" in explanation("fpn_level", 4)  # round(3.92) is 4 as well: both are named
    assert "index" in explanation("fpn_level", 1)  # k - k_min
    assert math.floor(4 + math.log2(math.sqrt((x2 - x1) * (y2 - y1)) / 224)) == 3


def test_ps_slips_are_named():
    assert "position-first" in explanation("ps_channel", 13)
    assert "gh is the row" in explanation("ps_channel", 11)
    bins = ru.ps_roi_pool_bins(ch8.PS_BOX, 1.0, 2, 3, map_shape=(6, 6))
    cells = ch8.PS_MAP[0, 15, bins.hstart[2] : bins.hend[2], bins.wstart[0] : bins.wend[0]]
    assert "averages" in explanation("ps_value", float(cells.max()))
    assert "sum" in explanation("ps_value", float(cells.sum()))


def test_rotated_slips_are_named():
    x, y = ch8._rotated_sample()
    assert "y points down" in explanation("rotated_sample", [x, 4 - y])
    radians = ru.rotated_roi_align_samples([0, 3.0, 2.0, 4.0, 2.0, math.degrees(30)], (1, 2), 1.0, 1, (6, 6))
    assert "degrees" in explanation(
        "rotated_sample", [float(radians.x[0, 1, 0, 0]), float(radians.y[0, 1, 0, 0])]
    )
    assert "half-pixel" in explanation("rotated_sample", [x - 0.5, y - 0.5])
    left = ru.rotated_roi_align_samples(ch8.ROTATED_ROI, (1, 2), 1.0, 1, (6, 6))
    left_sample = [float(left.x[0, 0, 0, 0]), float(left.y[0, 0, 0, 0])]
    assert "left-hand" in explanation("rotated_sample", left_sample)
