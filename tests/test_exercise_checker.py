"""The shared checker (roi_exercises.core): what a learner sees after a wrong answer."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from roi_exercises.core import Exercise, ExerciseSet, Result, compare

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p for p in (ROOT / "notebooks").glob("0[1-9]_*.ipynb"))


def test_a_wrong_answer_points_to_calls_that_exist_in_the_notebooks(capsys):
    ex = ExerciseSet(Exercise("sum", "1 + 2", expected=lambda: 3, hint="Add.", solution="1 + 2"))
    ex.check("sum", 4)
    printed = capsys.readouterr().out
    calls = re.findall(r'ex\.(hint|solution)\("([^"]+)"\)', printed)
    assert calls == [("hint", "sum"), ("solution", "sum")]
    for kind, name in calls:  # the printed calls run as printed
        getattr(ex, kind)(name)
    assert "Add." in capsys.readouterr().out


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_chapter_names_its_exercise_set_ex(path):
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    if "ex.check(" in source:
        assert re.search(r"\bexercises as ex\b", source), f"{path.name} must import exercises as ex"


def test_counts_are_singular_for_one():
    assert compare((1, 2), (1,)).message == "Expected 1 number; you gave 2 numbers."
    assert compare(5, (1,)).message == "Answer with a sequence of 1 whole number."


def test_a_custom_comparison_replaces_the_generic_one(capsys):
    def any_order(answer, expected):
        same = sorted(answer) == sorted(expected)
        return Result(same, "Correct." if same else "Not quite.")

    exercise = Exercise("set", "", expected=lambda: (1, 3), hint="", solution="", compare=any_order)
    assert exercise.check([3, 1])
    assert not exercise.check([3, 2])
    assert "(1, 3)" not in capsys.readouterr().out


def chapter_exercises():
    from roi_exercises import ch1, ch2, ch3, ch4, ch5, ch6

    modules = (ch1, ch2, ch3, ch4, ch5, ch6)
    return [(module, name) for module in modules for name in module.exercises.exercises]


@pytest.mark.parametrize(
    "module, name", chapter_exercises(), ids=lambda v: v if isinstance(v, str) else v.__name__.split(".")[-1]
)
def test_pasting_a_solution_passes_its_check(module, name):
    """A solution pasted into the notebook (where the chapter's module names are imported) passes."""
    from solutions import run_solution

    exercise = module.exercises.exercises[name]
    answer = run_solution(exercise.solution, dict(vars(module)))
    assert exercise.check(answer, quiet=True), exercise.solution
