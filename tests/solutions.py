"""Run an exercise's solution text as a learner pasting it into a cell would."""

from __future__ import annotations

import ast
import re

ANSWER_NAME = re.compile(r"answer_\d+")


def answer_name(text: str) -> str | None:
    """The ``answer_N`` a solution's last line assigns, or None when it ends otherwise.

    >>> answer_name("x = 1\\nanswer_2 = x + 1"), answer_name("1 + 2")
    ('answer_2', None)
    """
    last = ast.parse(text).body[-1]
    if isinstance(last, ast.Assign) and len(last.targets) == 1 and isinstance(last.targets[0], ast.Name):
        name = last.targets[0].id
        return name if ANSWER_NAME.fullmatch(name) else None
    return None


def run_solution(text: str, namespace: dict):
    """Execute ``text`` in ``namespace`` and return its answer: the value its last line assigns to
    ``answer_N`` (the course's one solution style), or the value of a last bare expression."""
    name = answer_name(text)
    if name is not None:
        exec(compile(text, "<solution>", "exec"), namespace)
        return namespace[name]
    tree = ast.parse(text)
    last = tree.body.pop()
    assert isinstance(last, ast.Expr), "a solution ends with answer_N = ... (or the answer itself)"
    exec(compile(tree, "<solution>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<solution>", "eval"), namespace)
