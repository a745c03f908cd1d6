"""Chapter 7 exercises: which numbers another framework gives for the same box, checked against
roi_frameworks (whose ONNX functions the tests hold to live ONNX Runtime).

>>> from roi_exercises.ch7 import exercises
>>> bool(exercises.check("opset_11_export", ..., quiet=True))
False
"""

from __future__ import annotations

import numpy as np

import roi_frameworks as rf
import roi_utils as ru
from roi_chapters.ch7 import BOX, CONSTANT, MAP
from roi_exercises.core import Exercise, ExerciseSet, Result, same_numbers

EXPORT_BOX = [0, 0.5, 2.0, 5.0, 4.5]
"""The exported model's box on ``MAP`` (mxnet's row)."""

MAX_BOX = [1.0, 0.5, 3.0, 2.5]
"""ONNX's ``[x1, y1, x2, y2]`` on ``CONSTANT``: after the half-pixel shift its samples sit on column centres,
midway between rows."""

TF_BOX = [0.0, 0.2, 0.4, 0.4]
"""A normalised ``[y1, x1, y2, x2]`` box on ``MAP`` as NHWC, off the map's centre (a centred box would
give the same sample under the corner-aligned and the half-pixel readings)."""


def _near(answer, numbers, atol: float = 1e-4) -> bool:
    """Does ``answer`` have the shape of ``numbers`` and lie within ``atol`` of them (4 printed decimals)?
    Never raises on odd input.

    >>> _near([[1.00004]], [[1.0]]), _near("1", 1.0), _near([1, 2], [1, 2, 3])
    (True, False, False)
    """
    if isinstance(answer, (str, bytes)):
        return False
    try:
        given, wanted = np.asarray(answer, np.float64), np.asarray(numbers, np.float64)
    except (TypeError, ValueError):
        return False
    return given.shape == wanted.shape and bool(np.allclose(given, wanted, rtol=0, atol=atol))


def _export_numbers():
    # opset 11 has no coordinate_transformation_mode: ONNX Runtime computes output_half_pixel
    return rf.onnx_roi_align(
        MAP,
        [EXPORT_BOX[1:]],
        [0],
        output_height=2,
        output_width=2,
        sampling_ratio=2,
        coordinate_transformation_mode="output_half_pixel",
    )[0, 0]


def _export_mistake(answer) -> str | None:
    """Recognise torchvision's own numbers (the half-pixel shift), which the exported model lost.

    >>> _export_mistake(ru.roi_align(MAP, [EXPORT_BOX], 2, 1.0, 2, True)[0, 0])[:28]
    "Those are torchvision's own "
    """
    trained = ru.roi_align(MAP, [EXPORT_BOX], 2, 1.0, 2, True)[0, 0]
    if _near(answer, trained):
        return (
            "Those are torchvision's own numbers with aligned=True. Which coordinate_transformation_mode "
            "can an opset-11 RoiAlign carry?"
        )
    return None


def _max_numbers():
    return rf.onnx_roi_align(
        CONSTANT, [MAX_BOX], [0], mode="max", output_height=2, output_width=2, sampling_ratio=1
    )[0, 0]


def _max_mistake(answer) -> str | None:
    """All -10 is the maximum of interpolated values (mmcv); all -2.5 the chapter's case of samples midway
    between four cells.

    >>> _max_mistake([[-10, -10], [-10, -10]])[:20]
    'All -10 would be the'
    """
    if same_numbers(answer, np.full((2, 2), -10.0)):
        return (
            "All -10 would be the largest interpolated value (mmcv's max mode). ONNX takes the largest "
            "weighted corner value w * v of each sample."
        )
    if same_numbers(answer, np.full((2, 2), -2.5)):
        return (
            "-2.5 is a sample midway between four cells, each weighing 1/4. Where do this box's samples sit "
            "after the half-pixel shift?"
        )
    return None


def _crop_value(y: float, x: float) -> float:
    """crop_and_resize's bilinear value of ``MAP`` at one position (map cells)."""
    side = MAP.shape[2] - 1
    point = [y / side, x / side, y / side, x / side]
    return float(rf.tf_crop_and_resize(MAP.transpose(0, 2, 3, 1), [point], [0], (1, 1)).item())


def _crop_mistake(answer) -> str | None:
    """Name the usual misreadings of TensorFlow's normalised box: the half-pixel convention of RoIAlign,
    scaling by H instead of H - 1, and sampling the box's first corner.

    >>> _crop_mistake(_crop_value(0.2 * 6 - 0.5, 0.3 * 6 - 0.5))[:25]
    'That is the half-pixel re'
    """
    centre_y, centre_x = 0.5 * (TF_BOX[0] + TF_BOX[2]), 0.5 * (TF_BOX[1] + TF_BOX[3])
    side = MAP.shape[2]
    mistakes = (
        (
            _crop_value(centre_y * side - 0.5, centre_x * side - 0.5),
            "That is the half-pixel reading (y * H - 0.5), RoIAlign's. crop_and_resize maps a normalised y "
            "to y * (H - 1): 0 and 1 are the centres of the first and last cells.",
        ),
        (
            _crop_value(centre_y * side, centre_x * side),
            "That scales by H. crop_and_resize maps a normalised y to y * (H - 1).",
        ),
        (
            _crop_value(TF_BOX[0] * (side - 1), TF_BOX[1] * (side - 1)),
            "That is the box's first corner (y1, x1). With crop_size 1 TensorFlow samples the box's centre.",
        ),
    )
    for value, message in mistakes:
        if _near(answer, value):
            return message
    return None


def _compare_attributes(answer, expected) -> Result:
    if answer is ... or answer is None:
        return Result(
            False, "Not attempted yet: replace the ... with your answer and run the cell again.", False
        )
    if not isinstance(answer, dict):
        return Result(False, f"Answer with a dict of ONNX attributes (got {type(answer).__name__}).")
    unknown = set(answer) - set(expected)
    if unknown:
        return Result(
            False,
            f"Only coordinate_transformation_mode and sampling_ratio matter here; drop {sorted(unknown)}.",
        )
    missing = set(expected) - set(answer)
    if missing:
        return Result(False, f"Give both attributes; missing {sorted(missing)}.")
    wrong = [k for k in expected if answer[k] != expected[k]]
    if "sampling_ratio" in wrong and answer["sampling_ratio"] == -1:
        return Result(False, "ONNX Runtime refuses sampling_ratio=-1: which value means adaptive in ONNX?")
    if wrong:
        return Result(False, f"Not quite: {len(wrong)} of 2 attributes differ.")
    return Result(True, "Correct.")


exercises = ExerciseSet(
    Exercise(
        "opset_11_export",
        "A model trained with torchvision.ops.roi_align(x, boxes, (2, 2), 1.0, 2, aligned=True) is exported "
        "to ONNX at opset 11. For EXPORT_BOX on MAP, which 2 x 2 numbers will ONNX Runtime give?",
        expected=_export_numbers,
        atol=1e-4,  # the chapter prints 4 decimals: numbers copied from a printout count
        hint="RoiAlign gained coordinate_transformation_mode in opset 16; before it, ONNX Runtime always "
        "computes output_half_pixel, which is roi_utils' aligned=False.",
        solution="answer_1 = ru.roi_align(MAP, [EXPORT_BOX], 2, 1.0, 2, False)[0, 0]",
        explain_wrong=_export_mistake,
    ),
    Exercise(
        "onnx_max_constant",
        "ONNX RoiAlign with mode='max', output 2 x 2, sampling_ratio=1 and ONNX's default coordinate mode, "
        "for the box MAX_BOX on the constant map CONSTANT (every cell -10): the 2 x 2 output.",
        expected=_max_numbers,
        atol=1e-6,
        hint="half_pixel shifts the box to [0.5, 0, 2.5, 2]; each bin's one sample sits at its centre, "
        "x = 1 or 2 (on a column), y = 0.5 or 1.5. List its four corner weights, then the largest w * v.",
        solution="answer_2 = np.zeros((2, 2))  # two corners weigh 0, and 0 * -10 = -0 beats -5",
        explain_wrong=_max_mistake,
    ),
    Exercise(
        "mxnet_settings",
        "Which ONNX RoiAlign attributes give mxnet's contrib.ROIAlign(..., sample_ratio=-1, aligned=False) "
        "numbers? Answer a dict {'coordinate_transformation_mode': ..., 'sampling_ratio': ...}.",
        expected=lambda: {"coordinate_transformation_mode": "output_half_pixel", "sampling_ratio": 0},
        hint="aligned=False is the mode without the half-pixel shift; ONNX's adaptive sampling ratio "
        "is not -1.",
        solution="answer_3 = {'coordinate_transformation_mode': 'output_half_pixel', 'sampling_ratio': 0}",
        compare=_compare_attributes,
    ),
    Exercise(
        "crop_and_resize_centre",
        "tf.image.crop_and_resize on MAP as NHWC (MAP.transpose(0, 2, 3, 1)), box TF_BOX, crop_size (1, 1): "
        "the one value it returns (a number).",
        expected=lambda: float(
            rf.tf_crop_and_resize(MAP.transpose(0, 2, 3, 1), [TF_BOX], [0], (1, 1)).item()
        ),
        atol=1e-5,
        hint="With one output cell TensorFlow samples the box's centre, 0.5 * (y1 + y2) * (H - 1) and "
        "the same for x (H = W = 6 here): which cells is that between?",
        solution="answer_4 = float(MAP[0, 0, 1, 1:3].mean())  # (y, x) = (1, 1.5): midway along row 1",
        explain_wrong=_crop_mistake,
    ),
)

__all__ = ["BOX", "CONSTANT", "EXPORT_BOX", "MAP", "MAX_BOX", "TF_BOX", "exercises"]
