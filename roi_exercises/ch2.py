"""Chapter 2 exercises (from image to feature map).

``BOX`` is used only here: the chapter's examples and figures use other boxes, so
no printed number gives an answer away.

>>> from roi_exercises.ch2 import exercises
>>> bool(exercises.check("scale_for_stride_32", 1 / 32, quiet=True))
True
"""

from __future__ import annotations

import numpy as np

import roi_images as ri
import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet, as_number, same_numbers

BOX = [0, 72, 200, 264, 350]
"""The exercises' image box ``[batch, x1, y1, x2, y2]``: three corners land on half a cell at stride 16."""

MAP_SHAPE = (37, 32)
"""(rows, columns) of the photo's stride-16 map: ``ri.feature_map(ri.load_photo(), 16).shape[2:]``."""


def _area_change() -> float:
    areas = ri.rounding_areas(BOX, 1 / 16, MAP_SHAPE)
    return areas["rounded"] - areas["box"]


def _rounded_cells():
    bins = ru.roi_pool_bins(BOX, 1, 1 / 16, MAP_SHAPE)
    return (bins.roi_start_w, bins.roi_start_h, bins.roi_end_w, bins.roi_end_h)


def _explain_cells(answer) -> str | None:
    corners = np.asarray(BOX[1:], dtype=np.float64) / 16
    if same_numbers(answer, np.round(corners)):
        return "That is numpy's np.round, which sends halves to the even number; the kernel uses C's round."
    if same_numbers(answer, np.floor(corners)):
        return "That rounds down (floor or int()); the kernel rounds to the nearest, halves away from zero."
    return None


def _explain_area(answer) -> str | None:
    _, x1, y1, x2, y2 = BOX
    areas = ri.rounding_areas(BOX, 1 / 16, MAP_SHAPE)
    if same_numbers(answer, areas["rounded"] - (x2 - x1) * (y2 - y1)):
        return "Corners are inclusive: the box is x2 - x1 + 1 pixels wide, not x2 - x1."
    if same_numbers(answer, areas["gained"]) or same_numbers(answer, -areas["lost"]):
        return "Give the whole change of area, rounded area minus box area, not one part of it."
    return None


def _explain_scale(answer) -> str | None:
    value = as_number(answer)
    if value is not None and value > 1:
        stride = "That is the stride itself. " if value == 32 else ""
        return (
            f"{stride}spatial_scale multiplies image pixels to give map cells, and the map is smaller "
            "than the image, so the scale is at most 1: one over the stride."
        )
    if value is not None and value < 0:
        return "A scale is positive: mxnet requires 0 < spatial_scale <= 1."
    if value is not None and 0 < value < 1 and abs(value - 1 / 16) < 1e-9:
        return "That is the scale of a stride-16 map, the chapter's example; this map has stride 32."
    return None


exercises = ExerciseSet(
    Exercise(
        "rounded_cells",
        "Image box BOX at stride 16: the map cells RoI pooling uses, as "
        "(start_col, start_row, end_col, end_row), ends included.",
        expected=_rounded_cells,
        hint="Divide each corner by 16 (spatial_scale = 1/16) and round to the nearest whole number "
        "as RoI pooling does (chapter 1's rule 3).",
        more_hints=(
            "Three of the four corners land exactly on half a cell. C's round (ru.c_round) sends halves "
            "away from zero: 4.5 becomes 5, not 4 as np.round would give.",
        ),
        solution="# each corner / 16, rounded half away from zero: 72/16 = 4.5 -> 5, 200/16 = 12.5 -> 13,\n"
        "# 264/16 = 16.5 -> 17, 350/16 = 21.875 -> 22\n"
        "bins = ru.roi_pool_bins(BOX, 1, 1 / 16, MAP_SHAPE)\n"
        "answer_1 = (bins.roi_start_w, bins.roi_start_h, bins.roi_end_w, bins.roi_end_h)",
        explain_wrong=_explain_cells,
    ),
    Exercise(
        "area_change",
        "For the same box: the rounded box's area minus the box's area, in image pixels "
        "(negative if it shrinks).",
        expected=_area_change,
        atol=1e-6,
        hint="Both areas are in image pixels: the rounded box is a whole number of 16 x 16 cells, the "
        "box a whole number of pixels.",
        more_hints=(
            "The rounded box spans (end - start + 1) cells of 16 pixels each way (use exercise 1's cells); "
            "the box spans x2 - x1 + 1 by y2 - y1 + 1 pixels (corners are inclusive). Every cell here is "
            "on the map, so nothing falls off.",
        ),
        solution="# rounded: (17 - 5 + 1) x (22 - 13 + 1) cells = 208 x 160 px; box: 193 x 151 px\n"
        "a = ri.rounding_areas(BOX, 1 / 16, MAP_SHAPE)\nanswer_2 = a['rounded'] - a['box']",
        explain_wrong=_explain_area,
    ),
    Exercise(
        "scale_for_stride_32",
        "Which spatial_scale maps image pixels onto a stride-32 feature map?",
        expected=lambda: 1 / 32,
        atol=1e-9,
        hint="spatial_scale multiplies image pixels to give map cells.",
        more_hints=("One map cell per 32 x 32 pixels: a pixel is how many cells?",),
        solution="answer_3 = 1 / 32",
        explain_wrong=_explain_scale,
    ),
)
