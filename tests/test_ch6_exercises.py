"""Chapter 6 exercises: a right, a wrong and an unattempted answer for each."""

from __future__ import annotations

import numpy as np
import pytest

import roi_speed as rs
import roi_utils as ru
from roi_exercises import ch6
from roi_exercises.ch6 import ALIGN_BOX, BYTES_ROIS, MAP, POOL_BOX, exercises


def right_answers():
    bins = ru.roi_pool_bins(POOL_BOX, (2, 3), 1.0, (7, 9))
    rows, cols = bins.cells(1, 2)
    s = ru.roi_align_samples(ALIGN_BOX, 2, 1.0, 2, False, (7, 9))
    b = ru.roi_pool_bins(BYTES_ROIS[0], 7, 1 / 16, (38, 50))
    return {
        "separable_max": float(MAP[0, 0, rows].max(axis=0)[cols].max()),
        "align_two_products": s.y.weight_matrix(7) @ MAP[0, 0] @ s.x.weight_matrix(9).T / s.count,
        "bytes_floor": int(
            (b.hend.max() - b.hstart.min()) * (b.wend.max() - b.wstart.min()) * 256 * 4 + 256 * 49 * 4
        ),
    }


WRONG = {
    # the maximum of the whole box, not of the bin
    "separable_max": float(ru.roi_pool(MAP, [POOL_BOX], 1).item()) + 100,
    # forgot to divide by the number of samples
    "align_two_products": ru.roi_align(MAP, [ALIGN_BOX], 2, 1.0, 2)[0, 0] * 4,
    # forgot the output
    "bytes_floor": 0,
}


@pytest.mark.parametrize("name", sorted(exercises.exercises))
def test_right_wrong_unattempted(name, capsys):
    assert exercises.check(name, right_answers()[name])
    assert not exercises.check(name, WRONG[name])
    result = exercises.check(name, ...)
    assert not result and not result.attempted
    printed = capsys.readouterr().out
    assert "Correct" in printed and "Not attempted" in printed


def test_wrong_answers_never_print_the_expected_array(capsys):
    exercises.check("align_two_products", np.zeros((2, 2)))
    printed = capsys.readouterr().out
    expected = ru.roi_align(MAP, [ALIGN_BOX], 2, 1.0, 2)[0, 0]
    assert all(f"{v:.3f}" not in printed for v in expected.ravel())
    assert "4 entries differ" in printed or "of 4 entries" in printed


def test_hint_and_solution_print(capsys):
    exercises.hint("bytes_floor")
    exercises.solution("bytes_floor")
    out = capsys.readouterr().out
    assert "Hint" in out and "Solution" in out


@pytest.mark.parametrize(
    "number, name", list(enumerate(["separable_max", "align_two_products", "bytes_floor"], 1))
)
def test_solutions_pasted_into_the_notebook_pass(number, name):
    """The notebook's cells check answer_1, answer_2, answer_3: the solutions assign those names."""
    names = ("MAP", "POOL_BOX", "ALIGN_BOX", "BYTES_DATA", "BYTES_ROIS")
    namespace = {"np": np, "ru": ru, "rs": rs, **{k: getattr(ch6, k) for k in names}}
    exec(exercises.exercises[name].solution, namespace)
    assert exercises.check(name, namespace[f"answer_{number}"], quiet=True)


def test_text_answers_are_refused(capsys):
    assert not exercises.check("bytes_floor", str(right_answers()["bytes_floor"]))
    assert "not text" in capsys.readouterr().out


@pytest.mark.parametrize(
    "scale, words",
    [
        (1e-6, "megabytes (MB)"),
        (2.0**-20, "mebibytes (MiB)"),
        (1e-3, "kilobytes (kB)"),
        (0.25, "float32 values"),
    ],
)
def test_bytes_in_another_unit_are_named_without_the_answer(scale, words, capsys):
    expected = right_answers()["bytes_floor"]
    assert not exercises.check("bytes_floor", expected * scale)
    printed = capsys.readouterr().out
    assert words in printed
    assert str(expected) not in printed and f"{expected:,}" not in printed


def test_bytes_rounded_megabytes_are_still_recognised(capsys):
    expected = right_answers()["bytes_floor"]
    assert not exercises.check("bytes_floor", round(expected / 1e6, 3))
    assert "the question asks for bytes" in capsys.readouterr().out


def test_bytes_with_a_part_left_out_are_named(capsys):
    output = 256 * 49 * 4
    expected = right_answers()["bytes_floor"]
    exercises.check("bytes_floor", expected - output)
    exercises.check("bytes_floor", output)
    printed = capsys.readouterr().out
    assert "add the output written" in printed and "output written only" in printed
    assert str(expected) not in printed
