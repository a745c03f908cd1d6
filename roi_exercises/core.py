"""A small exercise checker: ``check()``, ``hint()``, ``solution()``.

Expected answers are computed when checked, by ``roi_utils`` (never typed in),
and are never printed by ``check()``: a wrong answer gets a hint about *what
kind* of mistake it is (shape, dtype, how many entries differ, and, through
``explain_wrong``, which wrong rule it came from), not the answer.

The API (chapters 1-9 write their exercise modules against it)
---------------------------------------------------------------
``Exercise(name, prompt, expected, hint, solution, atol=0.0, explain_wrong=None,
compare=None, more_hints=())``
    ``expected`` is a zero-argument function (the answer is computed, not stored).
    ``hint`` is the first hint; ``more_hints`` the graded ones after it, each more
    concrete than the last, none of them the solution. ``explain_wrong(answer)``
    returns a sentence naming the misconception a wrong answer comes from (compute
    the wrong rule's value and compare; never reveal the right one), or None.
    ``compare(answer, expected) -> Result`` replaces the generic :func:`compare`.
    ``solution`` is code a learner pastes into the exercise's cell; its last line
    assigns the notebook's name, ``answer_N = ...`` (N: the exercise's number).
``ExerciseSet(*exercises)``, imported by each notebook as ``ex``:
    ``ex.check(name, answer)`` prints ✔/✘/… and a message and returns a
    :class:`Result` (truthy when correct); ``ex.hint(name)`` prints hint 1 and
    ``ex.hint(name, 2)`` the next level; ``ex.solution(name)`` prints the solution;
    ``ex.names`` lists the exercises. An unknown name raises
    :class:`UnknownExercise` (a ``ValueError``, also a ``KeyError`` for older code)
    that lists the names and suggests the closest.
Helpers for ``explain_wrong`` hooks: :func:`same_numbers`, :func:`as_number`.

>>> import numpy as np
>>> ex = ExerciseSet(Exercise("demo", "Sum of 1..4", expected=lambda: 10,
...                  hint="Add them up.", more_hints=("1 + 2 + 3 + 4.",),
...                  solution="answer_1 = sum(range(1, 5))",
...                  explain_wrong=lambda a: "That is 1..3." if a == 6 else None))
>>> bool(ex.check("demo", ...))
… demo: Not attempted yet: replace the ... with your answer and run the cell again.
False
>>> bool(ex.check("demo", 9))
✘ demo: Not quite. Stuck? ex.hint("demo") gives a hint, ex.solution("demo") the answer.
False
>>> bool(ex.check("demo", 6))
✘ demo: Not quite. That is 1..3. Stuck? ex.hint("demo") gives a hint, ex.solution("demo") the answer.
False
>>> bool(ex.check("demo", 10))
✔ demo: Correct.
True
>>> ex.hint("demo")
Hint 1 of 2 for demo: Add them up. (More: ex.hint("demo", 2).)
>>> ex.hint("demo", 2)
Hint 2 of 2 for demo: 1 + 2 + 3 + 4. (That was the last hint; ex.solution("demo") shows the answer.)
>>> try:
...     ex.check("dmeo", 10)
... except ValueError as error:
...     print(error)
no exercise named 'dmeo' here (did you mean 'demo'?); the exercises are: 'demo'
"""

from __future__ import annotations

import difflib
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
    more_hints: tuple[str, ...] = ()
    """Graded hints after ``hint``: ``ex.hint(name, 2)`` prints the first of them, and so on."""

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

    @property
    def hints(self) -> tuple[str, ...]:
        """Every hint level, the first (``hint``) first."""
        return (self.hint, *self.more_hints)

    def hint_text(self, level: int = 1) -> str:
        """The text of hint ``level`` (1 is the first); levels past the last give the last."""
        hints = self.hints
        return hints[min(_check_level(level), len(hints)) - 1]

    def show_hint(self, level: int = 1) -> None:
        """Print hint ``level`` and say whether there is a further one."""
        count = len(self.hints)
        level = min(_check_level(level), count)
        if level < count:
            tail = f'(More: ex.hint("{self.name}", {level + 1}).)'
        else:
            tail = f'(That was the last hint; ex.solution("{self.name}") shows the answer.)'
        print(f"Hint {level} of {count} for {self.name}: {self.hint_text(level)} {tail}")

    def show_solution(self) -> None:
        print(f"Solution for {self.name}:\n{self.solution}")


def _check_level(level) -> int:
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)):
        raise TypeError(f"level must be a whole number (1 for the first hint), got {level!r}")
    if level < 1:
        raise ValueError(f"level must be 1 or more (1 is the first hint), got {level}")
    return int(level)


class UnknownExercise(ValueError, KeyError):
    """No exercise of that name in this set. A ``ValueError``; also a ``KeyError``, which the
    checker raised before, so older ``except KeyError`` code still catches it."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


class ExerciseSet:
    """The exercises of one chapter: ``check(name, answer)``, ``hint(name, level)``, ``solution(name)``."""

    def __init__(self, *exercises: Exercise):
        self.exercises = {e.name: e for e in exercises}

    @property
    def names(self) -> list[str]:
        """The exercises' names, in the chapter's order."""
        return list(self.exercises)

    def _get(self, name: str) -> Exercise:
        if not isinstance(name, str):
            raise TypeError(
                f"name must be an exercise's name as a string, such as {self.names[0]!r}; got {name!r}"
            )
        if name not in self.exercises:
            close = difflib.get_close_matches(name, self.names, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            listed = ", ".join(repr(n) for n in self.names)
            raise UnknownExercise(f"no exercise named {name!r} here{guess}; the exercises are: {listed}")
        return self.exercises[name]

    def check(self, name: str, answer=..., *, quiet: bool = False) -> Result:
        return self._get(name).check(answer, quiet=quiet)

    def hint(self, name: str, level: int = 1) -> None:
        """Print hint ``level`` of exercise ``name``: 1 first, then 2, ... each more concrete."""
        self._get(name).show_hint(level)

    def solution(self, name: str) -> None:
        self._get(name).show_solution()
