"""Chapter 9's exercises: each solution passes its own check, typical mistakes fail with a hint."""

from __future__ import annotations

import numpy as np
import pytest

import roi_experiment as rx
import roi_utils as ru
from roi_exercises import ch9
from roi_exercises.ch9 import exercises


def _run_solution(name: str):
    """Evaluate a solution as the notebook would: its last line is the answer."""
    namespace = {"np": np, "ru": ru, "rx": rx, "results": ch9.quick_results(), "WARP_BOX": ch9.WARP_BOX}
    *body, last = exercises.exercises[name].solution.strip().splitlines()
    exec("\n".join(body), namespace)
    return eval(last.split("  #")[0], namespace)


@pytest.mark.parametrize("name", list(exercises.exercises))
def test_every_solution_is_right_and_an_unattempted_answer_is_noticed(name):
    assert exercises.check(name, _run_solution(name), quiet=True)
    result = exercises.check(name, ..., quiet=True)
    assert not result and not result.attempted


def test_the_rounding_slips_are_named():
    right = ch9._warp_corners()
    assert right == (3, 2, 7, 6)
    banker = exercises.check("warp_corners", (2, 2, 6, 6), quiet=True)
    assert not banker and "np.round" in banker.message
    floor = exercises.check("warp_corners", (2, 1, 6, 5), quiet=True)
    assert not floor and "rounds down" in floor.message


def test_the_worst_offset_is_half_a_stride():
    assert ch9._worst_offset() == (16, 16)
    near = exercises.check("worst_offset", (15, 15), quiet=True)
    assert not near and "half a cell" in near.message
    assert not exercises.check("worst_offset", (0, 0), quiet=True)


def test_the_measured_changes_come_from_the_live_run():
    results = ch9.quick_results()
    assert results.config == rx.QUICK
    change = results.summary("roi_pool", 32)[0] - results.summary("roi_pool", 16)[0]
    assert exercises.check("pool_change_16_to_32", round(change, 1), quiet=True)
    assert not exercises.check("pool_change_16_to_32", round(change, 1) + 0.3, quiet=True)
    wrong_sign = exercises.check("pool_change_16_to_32", -round(change, 1), quiet=True)
    assert not wrong_sign and (change > 0 or "went up" in wrong_sign.message)
    # the same change read off the printed (rounded) table passes too
    from_table = round(results.summary("roi_pool", 32)[0], 1) - round(results.summary("roi_pool", 16)[0], 1)
    assert exercises.check("pool_change_16_to_32", round(from_table, 1), quiet=True)
    answer = ch9._change("roi_pool") < ch9._change("roi_align_aligned")
    assert exercises.check("pool_loses_more", answer, quiet=True)
    assert not exercises.check("pool_loses_more", not answer, quiet=True)
