"""A small exercise checker: ``check()``, ``hint()``, ``solution()``.

Expected answers are computed when checked, by ``roi_utils`` (never typed in),
and are never printed by ``check()``: a wrong answer gets a hint about *what
kind* of mistake it is (shape, dtype, how many entries differ), not the answer.

>>> import numpy as np
>>> ex = Exercise("demo", "Sum of 1..4", expected=lambda: 10,
...               hint="Add them up.", solution="sum(range(1, 5))")
>>> bool(ex.check(...))
… demo: Not attempted yet: replace the ... with your answer and run the cell again.
False
>>> bool(ex.check(9))
✘ demo: Not quite. Stuck? ex.hint("demo") gives a hint, ex.solution("demo") the answer.
False
>>> bool(ex.check(10))
✔ demo: Correct.
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Result:
    """The outcome of one check: ``correct`` and the message shown to the learner."""

    correct: bool
    message: str
    attempted: bool = True

    def __bool__(self) -> bool:
        return self.correct

    def _ipython_display_(self) -> None:
        """Show nothing: check() has already printed the message."""


def _count(n: int, noun: str) -> str:
    """``_count(1, "number")`` is '1 number', ``_count(4, "number")`` '4 numbers'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def same_numbers(answer, numbers) -> bool:
    """Does ``answer`` hold exactly ``numbers`` (same shape, same values)? For explain_wrong hooks
    that recognise a particular mistake; never raises on odd input.

    >>> same_numbers([[1, 2]], ((1.0, 2.0),)), same_numbers("12", 12), same_numbers([1], [1, 2])
    (True, False, False)
    """
    if isinstance(answer, (str, bytes)):
        return False
    try:
        return np.array_equal(np.asarray(answer, dtype=np.float64), np.asarray(numbers, dtype=np.float64))
    except (TypeError, ValueError):
        return False


def as_number(answer) -> float | None:
    """The answer as one float, or None when it is not a single number (the checker says why).

    >>> as_number([2.5]), as_number("3"), as_number(True), as_number((1, 2))
    (2.5, None, None, None)
    """
    if isinstance(answer, (str, bytes, bool)):
        return None
    try:
        return float(np.asarray(answer, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return None


def _is_unattempted(answer) -> bool:
    return answer is ... or answer is None


def compare(answer, expected, *, atol: float = 0.0) -> Result:
    """Compare a learner's answer with the expected one without revealing it.

    Text is never read as a number (``"12"`` is not ``12``): numpy would convert it
    silently, and an answer in quotes is usually a slip worth pointing out.

    >>> compare("12", 12).message
    'Answer with numbers, not text (got a str): drop the quotes.'
    >>> compare((3.9, 6.2), (3, 6)).correct  # whole numbers are not truncated into place
    False
    """
    if _is_unattempted(answer):
        return Result(
            False, "Not attempted yet: replace the ... with your answer and run the cell again.", False
        )
    if isinstance(answer, (str, bytes)):
        kind = type(answer).__name__
        return Result(False, f"Answer with numbers, not text (got a {kind}): drop the quotes.")
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(answer, (bool, np.bool_)):
            return Result(False, f"Answer with True or False (got {type(answer).__name__}).")
        return Result(
            bool(answer) == bool(expected), "Correct." if bool(answer) == bool(expected) else "Not quite."
        )
    if (
        isinstance(expected, (tuple, list))
        and not isinstance(answer, np.ndarray)
        and all(isinstance(v, (int, np.integer)) for v in expected)
    ):
        try:
            numbers = tuple(float(v) for v in answer)
        except (TypeError, ValueError):
            return Result(False, f"Answer with a sequence of {_count(len(expected), 'whole number')}.")
        if not all(v.is_integer() for v in numbers):
            return Result(False, f"Answer with whole numbers (cell indices), not fractions: {answer!r}.")
        same = tuple(int(v) for v in numbers) == tuple(int(v) for v in expected)
        if len(tuple(answer)) != len(expected):
            wanted, given = _count(len(expected), "number"), _count(len(numbers), "number")
            return Result(False, f"Expected {wanted}; you gave {given}.")
        return Result(same, "Correct." if same else "Not quite: at least one number differs.")
    want = np.asarray(expected)
    try:
        got = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return Result(False, f"Could not read your answer as numbers (got {type(answer).__name__}).")
    if got.shape != want.shape:
        return Result(False, f"Shape mismatch: expected shape {want.shape}, got {got.shape}.")
    if not np.isfinite(got).all():
        return Result(False, "Your answer contains NaN or infinity.")
    wrong = ~np.isclose(got, want.astype(np.float64), rtol=0.0, atol=atol) if atol else got != want
    count = int(np.count_nonzero(wrong))
    if count == 0:
        return Result(True, "Correct.")
    if want.ndim == 0:
        return Result(False, "Not quite.")
    return Result(False, f"Not quite: {count} of {want.size} entries differ.")


@dataclass
class Exercise:
    """One exercise. ``expected`` is a zero-argument function so the answer is computed, not stored."""

    name: str
    prompt: str
    expected: Callable[[], Any]
    hint: str
    solution: str
    atol: float = 0.0
    explain_wrong: Callable[[Any], str | None] | None = field(default=None, repr=False)
    compare: Callable[[Any, Any], Result] | None = field(default=None, repr=False)
    """``compare(answer, expected) -> Result`` for answers the generic :func:`compare` cannot judge
    (for example a set of cells in any order); it must not reveal ``expected`` either."""

    def check(self, answer=..., *, quiet: bool = False) -> Result:
        """Print whether ``answer`` is right, with a useful hint if not; return the Result.

        The notebooks import each chapter's :class:`ExerciseSet` as ``ex``, so a wrong answer
        points to ``ex.hint(name)`` and ``ex.solution(name)``.
        """
        if self.compare is not None:
            result = self.compare(answer, self.expected())
        else:
            result = compare(answer, self.expected(), atol=self.atol)
        if result.attempted and not result.correct and self.explain_wrong is not None:
            extra = self.explain_wrong(answer)
            if extra:
                result = Result(False, f"{result.message} {extra}")
        if not quiet:
            mark = "✔" if result.correct else ("…" if not result.attempted else "✘")
            tail = (
                ""
                if result.correct or not result.attempted
                else f' Stuck? ex.hint("{self.name}") gives a hint, ex.solution("{self.name}") the answer.'
            )
            print(f"{mark} {self.name}: {result.message}{tail}")
        return result

    def hint_text(self) -> str:
        return self.hint

    def show_hint(self) -> None:
        print(f"Hint for {self.name}: {self.hint}")

    def show_solution(self) -> None:
        print(f"Solution for {self.name}:\n{self.solution}")


class ExerciseSet:
    """The exercises of one chapter: ``check(name, answer)``, ``hint(name)``, ``solution(name)``."""

    def __init__(self, *exercises: Exercise):
        self.exercises = {e.name: e for e in exercises}

    def _get(self, name: str) -> Exercise:
        if name not in self.exercises:
            raise KeyError(f"no exercise {name!r}; choose from {sorted(self.exercises)}")
        return self.exercises[name]

    def check(self, name: str, answer=..., *, quiet: bool = False) -> Result:
        return self._get(name).check(answer, quiet=quiet)

    def hint(self, name: str) -> None:
        self._get(name).show_hint()

    def solution(self, name: str) -> None:
        self._get(name).show_solution()
