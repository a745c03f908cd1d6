"""Chapter 2 exercises (from image to feature map).

>>> from roi_exercises.ch2 import exercises
>>> bool(exercises.check("scale_for_stride_32", 1 / 32, quiet=True))
True
"""

from __future__ import annotations

import roi_images as ri
import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet

BOX = [0, 100, 57, 309, 250]
MAP_SHAPE = (37, 32)


def _area_change() -> float:
    areas = ri.rounding_areas(BOX, 1 / 16, MAP_SHAPE)
    return areas["rounded"] - areas["box"]


def _rounded_cells():
    bins = ru.roi_pool_bins(BOX, 1, 1 / 16, MAP_SHAPE)
    return (bins.roi_start_w, bins.roi_start_h, bins.roi_end_w, bins.roi_end_h)


exercises = ExerciseSet(
    Exercise(
        "rounded_cells",
        "Image box BOX at stride 16: the map cells RoI pooling uses, as "
        "(start_col, start_row, end_col, end_row), ends included.",
        expected=_rounded_cells,
        hint="Divide each corner by 16 and round half away from zero (ru.c_round).",
        solution="bins = ru.roi_pool_bins(BOX, 1, 1 / 16, MAP_SHAPE)\n"
        "(bins.roi_start_w, bins.roi_start_h, bins.roi_end_w, bins.roi_end_h)",
    ),
    Exercise(
        "area_change",
        "For the same box: the rounded box's area minus the box's area, in image pixels "
        "(negative if it shrinks).",
        expected=_area_change,
        atol=1e-6,
        hint="The rounded box spans (end - start + 1) cells of 16 pixels each way; the box spans "
        "x2 - x1 + 1 by y2 - y1 + 1 pixels (corners are inclusive).",
        solution="a = ri.rounding_areas(BOX, 1 / 16, MAP_SHAPE)\na['rounded'] - a['box']",
    ),
    Exercise(
        "scale_for_stride_32",
        "Which spatial_scale maps image pixels onto a stride-32 feature map?",
        expected=lambda: 1 / 32,
        atol=1e-9,
        hint="One map cell per 32 x 32 pixels.",
        solution="1 / 32",
    ),
)
