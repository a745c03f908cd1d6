"""Exercise feedback across chapters 1-6: named misconceptions, graded hints, one solution style,
and a clear error for an unknown exercise name (issue 11, item 22)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from solutions import answer_name, run_solution

import roi_images as ri
import roi_speed as rs
import roi_utils as ru
from roi_exercises.core import Exercise, ExerciseSet, UnknownExercise

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = {1: "01_roi_pooling", 2: "02_image_to_feature_map", 3: "03_sppnet", 4: "04_roi_align",
            5: "05_gradients", 6: "06_fast_cpu"}


def module(chapter: int):
    return importlib.import_module(f"roi_exercises.ch{chapter}")


def every_exercise():
    return [(c, name) for c in CHAPTERS for name in module(c).exercises.names]


def wrong_answers():
    """(chapter, name, a wrong answer computed from a wrong rule, words the message must contain)."""
    from roi_exercises import ch1, ch2, ch3, ch4, ch5, ch6

    w = ru.spp_paper_windows(ch3.PAPER_SIDE, ch3.PAPER_LEVEL)
    bins3 = ru.roi_pool_bins(ru.whole_map_roi(0, ch3.BIN_MAP), 2, 1.0, ch3.BIN_MAP)
    rows3, cols3 = bins3.cells(1, 0)
    s4 = ru.roi_align_samples(ch4.SAMPLE_BOX, 2, 1.0, 1, False, (5, 5))
    box2 = np.asarray(ch2.BOX[1:], float)
    a2 = ri.rounding_areas(ch2.BOX, 1 / 16, ch2.MAP_SHAPE)
    _, x1, y1, x2, y2 = ch2.BOX
    s6 = ru.roi_align_samples(ch6.ALIGN_BOX, 2, 1.0, 2, False, (7, 9))
    right6 = ru.roi_align(ch6.MAP, [ch6.ALIGN_BOX], 2, 1.0, 2)[0, 0]
    bytes6 = rs.bytes_read(ch6.BYTES_DATA, ch6.BYTES_ROIS, "roi_pool")
    _, argmax5 = ru.roi_pool_argmax(ch5.MAP, [ch5.POOL_BOX], 2)
    share5 = float(ch5.OUT_GRAD[0, 0][argmax5[0, 0] == 19][0])
    return [
        (1, "by_hand", ch1.disjoint_pool(ch1.RANDOM, ch1.BY_HAND_BOX, 2), "disjoint"),
        (1, "by_hand", ru.roi_pool(ch1.RANDOM, [[0, 3, 0, 4, 1]], 2)[0, 0], "inclusive"),
        (1, "bin_cells", (3, 5, 0, 2), "ends excluded"),
        (1, "coverage", 1, "disjoint"),
        (1, "off_the_map", ru.roi_pool(ch1.ARANGE, [[0, 2, 2, 3, 3]], 2)[0, 0], "clips the box"),
        (1, "off_the_map", [[15, -np.inf], [-np.inf, -np.inf]], "not -inf"),
        (1, "rounding", tuple(np.round(np.array([10, 26]) / 4).astype(int)), "np.round"),
        (2, "rounded_cells", tuple(np.round(box2 / 16).astype(int)), "np.round"),
        (2, "area_change", a2["rounded"] - (x2 - x1) * (y2 - y1), "inclusive"),
        (2, "scale_for_stride_32", 32, "stride itself"),
        (2, "scale_for_stride_32", 1 / 16, "stride-16"),
        (3, "length", 36 + 9 + 4 + 1, "one channel"),
        (3, "level_bin", (cols3.start, cols3.stop, rows3.start, rows3.stop), "columns first"),
        (3, "paper_windows", ch3.PAPER_LEVEL, "meant to give"),
        (3, "paper_windows", ch3.PAPER_SIDE // w.window, "side by side"),
        (3, "paper_missed", tuple(range(w.bins * w.stride, ch3.PAPER_SIDE)), "stride cells wide"),
        (4, "one_bin", float(ru.roi_pool(ch4.MAP, [ch4.ONE_BIN_BOX], 1).item()), "RoI pooling's maximum"),
        (4, "adaptive_count", (25 // 7) * (14 // 7), "rounds up"),
        (4, "neighbours", sorted((c, r) for r, c, _ in s4.neighbours(0, 1, 0, 0)), "(row, col)"),
        (4, "neighbours", sorted((r, c) for r, c, _ in s4.neighbours(1, 0, 0, 0)), "bin (1, 0)"),
        (5, "cell_gradient", share5, "one bin's share"),
        (5, "contributions", int(ru.roi_pool_bins(ch5.POOL_BOX, 2, 1.0, (6, 6)).coverage()[3, 1]),
         "read the cell"),
        (5, "align_cell", 1.0, "RoI pooling"),
        (5, "align_cell", 0.5, "one axis"),
        (6, "separable_max", float(ru.roi_pool(ch6.MAP, [ch6.POOL_BOX], 1).item()), "whole box"),
        (6, "align_two_products", right6 * s6.count, "divide by"),
        (6, "bytes_floor", bytes6 / 1e6, "megabytes"),
    ]


def test_every_exercise_has_a_named_misconception():
    named = {(c, n) for c, n, _, _ in wrong_answers()}
    assert named == set(every_exercise())


@pytest.mark.parametrize("chapter, name, answer, words", wrong_answers(),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_a_wrong_rule_is_named_without_the_answer(chapter, name, answer, words):
    exercise = module(chapter).exercises.exercises[name]
    result = exercise.check(answer, quiet=True)
    assert result.attempted and not result.correct
    assert words in result.message, result.message
    assert result.message != "Not quite."
    expected = np.asarray(exercise.expected(), dtype=object).ravel()
    if expected.size == 1 and isinstance(expected[0], (int, float, np.number)):
        value = float(expected[0])
        assert f"{value:g}" not in re.sub(r"\d+ of \d+ entries", "", result.message) or value in (
            0, 1, 2, 4, 6, 7, 16)  # small counts the message names on purpose (samples, cells)


@pytest.mark.parametrize("chapter, name", every_exercise(), ids=lambda v: str(v))
def test_right_answer_from_the_solution_passes_and_a_plain_wrong_one_fails(chapter, name):
    mod = module(chapter)
    exercise = mod.exercises.exercises[name]
    namespace = {"np": np, "ru": ru, "ri": ri, "rs": rs, **vars(mod)}
    answer = run_solution(exercise.solution, namespace)
    assert exercise.check(answer, quiet=True)
    wrong = np.asarray(answer, dtype=np.float64) + 1  # every entry off by one
    assert not exercise.check(wrong if wrong.ndim else float(wrong), quiet=True)


@pytest.mark.parametrize("chapter, name", every_exercise(), ids=lambda v: str(v))
def test_one_solution_style_answer_n_as_in_the_notebook(chapter, name):
    """Every solution ends `answer_N = ...`, N the exercise's number, the name its notebook cell checks."""
    mod = module(chapter)
    number = mod.exercises.names.index(name) + 1
    assert answer_name(mod.exercises.exercises[name].solution) == f"answer_{number}"
    notebook = nbformat.read(ROOT / "notebooks" / f"{CHAPTERS[chapter]}.ipynb", as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert f'answer_{number} = ...\nex.check("{name}", answer_{number})' in code


@pytest.mark.parametrize("chapter, name", every_exercise(), ids=lambda v: str(v))
def test_hints_are_graded_and_never_the_solution(chapter, name, capsys):
    exercise = module(chapter).exercises.exercises[name]
    assert len(exercise.hints) >= 2
    last = ast.parse(exercise.solution).body[-1]
    answer_line = ast.get_source_segment(exercise.solution, last.value)
    for hint in exercise.hints:
        assert answer_line not in hint
    ex = module(chapter).exercises
    ex.hint(name, 2)
    printed = capsys.readouterr().out
    assert printed.startswith(f"Hint 2 of {len(exercise.hints)} for {name}: {exercise.hints[1]}")


def test_chapter_6_hints_do_not_spell_out_the_code():
    from roi_exercises.ch6 import exercises

    for name in exercises.names:
        for hint in exercises.exercises[name].hints:
            for code in ("weight_matrix(", ".max(axis=0)", "cells(1, 2)", "bins.hend", "s.count", "= ru."):
                assert code not in hint, (name, code)


def test_hint_levels(capsys):
    ex = ExerciseSet(Exercise("a", "", lambda: 1, hint="one", more_hints=("two",), solution="answer_1 = 1"))
    ex.hint("a")
    assert 'Hint 1 of 2 for a: one (More: ex.hint("a", 2).)' in capsys.readouterr().out
    ex.hint("a", 5)  # past the last: the last, and where the answer is
    assert "Hint 2 of 2 for a: two (That was the last hint" in capsys.readouterr().out
    with pytest.raises(ValueError, match="level must be 1 or more"):
        ex.hint("a", 0)
    with pytest.raises(TypeError, match="level must be a whole number"):
        ex.hint("a", "2")


def test_one_hint_exercises_still_work(capsys):
    """The API other chapters use: a plain `hint` string and nothing else still works."""
    ex = ExerciseSet(Exercise("a", "", lambda: 1, hint="only", solution="answer_1 = 1"))
    ex.hint("a")
    assert "Hint 1 of 1 for a: only (That was the last hint" in capsys.readouterr().out
    assert ex.exercises["a"].hint_text() == "only"


@pytest.mark.parametrize("call", ["check", "hint", "solution"])
def test_an_unknown_name_is_a_clear_value_error(call):
    from roi_exercises.ch1 import exercises

    with pytest.raises(ValueError) as error:
        getattr(exercises, call)("by_hnad")
    message = str(error.value)
    assert "no exercise named 'by_hnad'" in message and "did you mean 'by_hand'" in message
    assert all(repr(n) in message for n in exercises.names)
    assert isinstance(error.value, (KeyError, UnknownExercise))  # older code caught KeyError
    with pytest.raises(TypeError, match="name must be"):
        getattr(exercises, call)(1)
