"""Chapter 9 exercises (does alignment matter?), checked against ``roi_experiment``.

The quantization exercises use boxes of their own; the measured ones use the notebook's live
run, ``rx.run(rx.QUICK)``, which is the same on every machine (it is seeded).

>>> from roi_exercises.ch9 import exercises
>>> bool(exercises.check("warp_corners", (3, 2, 7, 6), quiet=True))
True
>>> bool(exercises.check("warp_corners", (2, 2, 6, 6), quiet=True))
False
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

import roi_experiment as rx
from roi_exercises.core import Exercise, ExerciseSet, as_number, same_numbers

WARP_BOX = [0, 80, 48, 208, 176]
"""RoIWarp's exercise box ``[batch, x1, y1, x2, y2]`` at stride 32: every corner lands on half a cell."""

OFFSET_STRIDE = 32
"""The stride of the exercise on where RoI pooling's misplacement peaks."""


def _warp_corners() -> tuple[int, int, int, int]:
    rounded = rx.read_region(WARP_BOX, "roi_warp", 32) / 32 - 0.5  # back from cell centres to cells
    return tuple(int(v) for v in rounded)


def _explain_corners(answer) -> str | None:
    scaled = np.asarray(WARP_BOX[1:], np.float64) / 32
    if same_numbers(answer, np.round(scaled)):
        return "That is numpy's np.round, which sends halves to the even number; RoI pooling uses C's round."
    if same_numbers(answer, np.floor(scaled)):
        return "That rounds down; RoIWarp rounds as RoI pooling does: to the nearest, halves away from zero."
    return None


def _gaps() -> np.ndarray:
    """|x1 - left edge of the region RoI pooling reads| for x1 = 0 .. stride - 1."""
    return np.array(
        [
            abs(rx.read_region([0, x1, 0, x1 + 100, 100], "roi_pool", OFFSET_STRIDE)[0] - x1)
            for x1 in range(OFFSET_STRIDE)
        ]
    )


def _worst_offset() -> tuple[int, int]:
    gaps = _gaps()
    return int(np.argmax(gaps)), int(gaps.max())


def _explain_offset(answer) -> str | None:
    try:
        x1, gap = (float(v) for v in answer)
    except (TypeError, ValueError):
        return None
    if x1 == OFFSET_STRIDE / 2 - 1 or x1 == OFFSET_STRIDE / 2 + 1:
        return (
            "Close: at exactly half a cell the rounding goes up (halves away from zero), "
            "and the gap is largest."
        )
    if x1 == 0:
        return "At x1 = 0 the box starts on a cell's edge: rounding moves nothing."
    if gap == OFFSET_STRIDE:
        return "The gap is never a whole stride: rounding moves a corner at most half a cell."
    return None


@lru_cache(maxsize=1)
def quick_results() -> rx.Results:
    """The notebook's live run, ``rx.run(rx.QUICK)`` (kept once computed)."""
    return rx.run(rx.QUICK)


def _change(method: str) -> float:
    """Mean IoU at stride 32 minus at 16, unrounded. The checks accept 0.1 either way, so an answer
    read off the printed table (73.1 and 70.5 give -2.6) passes as well as the rounded exact
    difference (-2.66 rounds to -2.7)."""
    results = quick_results()
    return results.summary(method, 32)[0] - results.summary(method, 16)[0]


def _explain_change(answer) -> str | None:
    value = as_number(answer)
    if value is not None and value > 0:
        return "A positive change means the IoU went up; look again at the stride-16 and stride-32 rows."
    if value is not None and -1 < value < 0 and value != 0:
        return "Give the change in IoU points (the table's units: percent), not as a fraction."
    return None


def _pool_loses_more() -> bool:
    return _change("roi_pool") < _change("roi_align_aligned")


exercises = ExerciseSet(
    Exercise(
        "warp_corners",
        "RoIWarp at stride 32 on the box WARP_BOX: between which map cells does it sample? "
        "Answer (start_col, start_row, end_col, end_row).",
        expected=_warp_corners,
        hint="Divide each corner by 32 and round as RoI pooling does: to the nearest whole number, "
        "halves away from zero (ru.c_round): 2.5 becomes 3.",
        solution="# 80/32 = 2.5 -> 3, 48/32 = 1.5 -> 2, 208/32 = 6.5 -> 7, 176/32 = 5.5 -> 6\n"
        "tuple(int(v) for v in ru.c_round(np.array(WARP_BOX[1:]) / 32))",
        explain_wrong=_explain_corners,
    ),
    Exercise(
        "worst_offset",
        f"At stride {OFFSET_STRIDE}, move a box's left edge x1 over 0, 1, ..., {OFFSET_STRIDE - 1} pixels. "
        "For which x1 is the left edge of the region RoI pooling reads (rx.read_region) farthest from x1, "
        "and how far, in pixels? Answer (x1, gap).",
        expected=_worst_offset,
        hint="RoI pooling reads from pixel stride * round(x1 / stride): the gap is how far rounding moves "
        "x1 / stride, times the stride. When is the rounding largest?",
        solution="gaps = [\n"
        f"    abs(rx.read_region([0, x1, 0, x1 + 100, 100], 'roi_pool', {OFFSET_STRIDE})[0] - x1)\n"
        f"    for x1 in range({OFFSET_STRIDE})\n"
        "]\n"
        "(int(np.argmax(gaps)), int(max(gaps)))  # half a cell: rounding goes up, by half a stride",
        explain_wrong=_explain_offset,
    ),
    Exercise(
        "pool_change_16_to_32",
        "In the live run (results = rx.run(rx.QUICK)), how many points of mean IoU does RoIPool gain "
        "(negative: lose) when the stride doubles from 16 to 32? To one decimal.",
        expected=lambda: _change("roi_pool"),
        hint="results.summary('roi_pool', 32)[0] - results.summary('roi_pool', 16)[0], rounded to 0.1.",
        solution="round(results.summary('roi_pool', 32)[0] - results.summary('roi_pool', 16)[0], 1)",
        atol=0.1001,
        explain_wrong=_explain_change,
    ),
    Exercise(
        "align_change_16_to_32",
        "The same for RoIAlign with aligned=True: its change of mean IoU from stride 16 to 32, "
        "to one decimal.",
        expected=lambda: _change("roi_align_aligned"),
        hint="As above, with 'roi_align_aligned' in place of 'roi_pool'.",
        solution="m = 'roi_align_aligned'\nround(results.summary(m, 32)[0] - results.summary(m, 16)[0], 1)",
        atol=0.1001,
        explain_wrong=_explain_change,
    ),
    Exercise(
        "pool_loses_more",
        "True or False: in the live run, RoIPool loses more mean IoU than RoIAlign (aligned=True) when "
        "the stride doubles from 16 to 32 (as in the paper, where the gap grows)?",
        expected=_pool_loses_more,
        hint="Compare your two answers above: which is more negative?",
        solution="_change = lambda m: results.summary(m, 32)[0] - results.summary(m, 16)[0]\n"
        "_change('roi_pool') < _change('roi_align_aligned')",
    ),
)
"""The chapter's exercises: ``exercises.check(name, answer)``, ``.hint(name)``, ``.solution(name)``."""
