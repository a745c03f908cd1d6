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
    "crop_and_resize_centre": float(MAP[0, 0, 2:4, 2:4].mean()),
}

WRONG = {
    # torchvision's own numbers: the half-pixel shift the opset-11 model lost
    "opset_11_export": ru.roi_align(MAP, [EXPORT_BOX], 2, 1.0, 2, True)[0, 0],
    # the maximum of interpolated values
    "onnx_max_constant": np.full((2, 2), -10.0),
    # mxnet's own adaptive value
    "mxnet_settings": {"coordinate_transformation_mode": "output_half_pixel", "sampling_ratio": -1},
    # the nearest cell
    "crop_and_resize_centre": float(MAP[0, 0, 3, 3]),
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
