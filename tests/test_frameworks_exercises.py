"""Chapter 7 exercises: a right, a wrong and an unattempted answer for each, and the named mistakes."""

from __future__ import annotations

import numpy as np
import pytest

import roi_frameworks as rf
import roi_utils as ru
from roi_exercises import ch7
from roi_exercises.ch7 import CONSTANT, EXPORT_BOX, MAP, TF_BOX, exercises

NAMES = ["opset_11_export", "onnx_max_constant", "mxnet_settings", "crop_and_resize_centre"]

RIGHT = {
    "opset_11_export": ru.roi_align(MAP, [EXPORT_BOX], 2, 1.0, 2, False)[0, 0],
    "onnx_max_constant": np.zeros((2, 2)),
    "mxnet_settings": {"coordinate_transformation_mode": "output_half_pixel", "sampling_ratio": 0},
    "crop_and_resize_centre": float(MAP[0, 0, 1, 1:3].mean()),
}

WRONG = {
    # torchvision's own numbers: the half-pixel shift the opset-11 model lost
    "opset_11_export": ru.roi_align(MAP, [EXPORT_BOX], 2, 1.0, 2, True)[0, 0],
    # the maximum of interpolated values
    "onnx_max_constant": np.full((2, 2), -10.0),
    # mxnet's own adaptive value
    "mxnet_settings": {"coordinate_transformation_mode": "output_half_pixel", "sampling_ratio": -1},
    # the nearest cell
    "crop_and_resize_centre": float(MAP[0, 0, 1, 2]),
}


def test_every_exercise_is_covered():
    assert sorted(NAMES) == sorted(exercises.exercises)


@pytest.mark.parametrize("name", NAMES)
def test_right_wrong_unattempted(name, capsys):
    assert exercises.check(name, RIGHT[name])
    assert not exercises.check(name, WRONG[name])
    result = exercises.check(name, ...)
    assert not result and not result.attempted
    printed = capsys.readouterr().out
    assert "Correct" in printed and "Not attempted" in printed


def test_the_usual_mistakes_are_named_without_the_answer(capsys):
    exercises.check("opset_11_export", WRONG["opset_11_export"])
    exercises.check("onnx_max_constant", WRONG["onnx_max_constant"])
    exercises.check("mxnet_settings", WRONG["mxnet_settings"])
    exercises.check("mxnet_settings", "output_half_pixel")
    printed = capsys.readouterr().out
    assert "torchvision's own numbers" in printed and "opset-11" in printed
    assert "largest interpolated value" in printed
    exercises.check("onnx_max_constant", np.full((2, 2), -2.5))
    assert "midway between four cells" in capsys.readouterr().out
    assert "refuses sampling_ratio=-1" in printed
    assert "dict" in printed
    right = RIGHT["opset_11_export"]
    assert all(f"{v:.3f}" not in printed for v in right.ravel())


def test_answers_copied_from_a_4_decimal_printout_count(capsys):
    assert exercises.check("opset_11_export", np.round(RIGHT["opset_11_export"], 4).tolist())
    assert not exercises.check("opset_11_export", np.round(RIGHT["opset_11_export"], 2).tolist())


def test_crop_and_resize_misreadings_are_named(capsys):
    """TF_BOX is off centre, so the corner-aligned y * (H - 1) and the half-pixel y * H - 0.5 part."""
    centre_y, centre_x = 0.5 * (TF_BOX[0] + TF_BOX[2]), 0.5 * (TF_BOX[1] + TF_BOX[3])
    half_pixel = ch7._crop_value(centre_y * 6 - 0.5, centre_x * 6 - 0.5)
    by_h = ch7._crop_value(centre_y * 6, centre_x * 6)
    corner = ch7._crop_value(TF_BOX[0] * 5, TF_BOX[1] * 5)
    right = RIGHT["crop_and_resize_centre"]
    assert len({round(v, 3) for v in (half_pixel, by_h, corner, right)}) == 4
    mistakes = ((round(half_pixel, 4), "half-pixel"), (by_h, "scales by H"), (corner, "first corner"))
    for wrong, words in mistakes:
        assert not exercises.check("crop_and_resize_centre", wrong)
        assert words in capsys.readouterr().out


@pytest.mark.parametrize("number, name", list(enumerate(NAMES, 1)))
def test_solutions_pasted_into_the_notebook_pass(number, name):
    """The notebook's cells check answer_1 .. answer_4: the solutions assign those names."""
    namespace = {"np": np, "ru": ru, "rf": rf, **{k: getattr(ch7, k) for k in ch7.__all__}}
    exec(exercises.exercises[name].solution, namespace)
    assert exercises.check(name, namespace[f"answer_{number}"], quiet=True)


def test_expected_values_come_from_the_frameworks_rules():
    assert not exercises.exercises["onnx_max_constant"].expected().any()  # -0 everywhere
    value = rf.tf_crop_and_resize(MAP.transpose(0, 2, 3, 1), [TF_BOX], [0], (1, 1)).item()
    assert value == pytest.approx(RIGHT["crop_and_resize_centre"])
    assert CONSTANT.min() == CONSTANT.max() == -10
