"""Run an exercise's solution text as a learner pasting it into a cell would."""

from __future__ import annotations

import ast


def run_solution(text: str, namespace: dict):
    """Execute ``text`` in ``namespace`` and return the value of its last line (the answer)."""
    tree = ast.parse(text)
    last = tree.body.pop()
    assert isinstance(last, ast.Expr), "a solution ends with the answer"
    exec(compile(tree, "<solution>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<solution>", "eval"), namespace)
