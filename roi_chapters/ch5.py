"""Chapter 5 (gradients): the map, the boxes and the upstream gradients of the text and explorer.

>>> sorted(grad_map().ravel().tolist()) == list(range(36))
True
>>> upstream_gradient("one bin", (2, 3), (1, 2))[0, 0].tolist()
[[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

import numpy as np

SIDE = 6
"""The map is SIDE x SIDE cells."""

BOX = [0, 2, 1, 4, 3]
"""The chapter's box (and the explorer's first): its four bins share one maximum, the 35."""

UPSTREAM = ("all ones", "one bin", "random")
"""The upstream gradients the explorer offers (see ``upstream_gradient``)."""


def grad_map(seed: int = 5) -> np.ndarray:
    """A (1, 1, 6, 6) map of distinct values 0..35 (no ties: every maximum is unique).

    >>> grad_map()[0, 0, 0].tolist()
    [17.0, 9.0, 2.0, 6.0, 33.0, 27.0]
    """
    return np.random.default_rng(seed).permutation(SIDE * SIDE).reshape(1, 1, SIDE, SIDE).astype(np.float32)


def upstream_gradient(kind: str, pooled_size, bin=(0, 0)) -> np.ndarray:  # noqa: A002 - the learner's word
    """A (1, 1, PH, PW) float32 upstream gradient: ``"all ones"``; ``"one bin"``, 1 at ``bin`` and 0
    elsewhere; or ``"random"``, seeded normal values rounded to one decimal.

    >>> upstream_gradient("random", (1, 3))[0, 0].tolist()
    [[0.10000000149011612, -0.10000000149011612, 0.6000000238418579]]
    >>> upstream_gradient("one bin", (2, 2), (2, 0))
    Traceback (most recent call last):
    ...
    ValueError: bin must lie inside the pooled size (2, 2); got (2, 0)
    """
    if kind not in UPSTREAM:
        raise ValueError(f"kind must be one of {UPSTREAM}; got {kind!r}")
    ph, pw = pooled_size
    if kind == "all ones":
        return np.ones((1, 1, ph, pw), np.float32)
    if kind == "one bin":
        row, col = bin
        if not (0 <= row < ph and 0 <= col < pw):
            raise ValueError(f"bin must lie inside the pooled size {(ph, pw)}; got {tuple(bin)}")
        grad = np.zeros((1, 1, ph, pw), np.float32)
        grad[0, 0, row, col] = 1
        return grad
    return np.round(np.random.default_rng(0).standard_normal((1, 1, ph, pw)), 1).astype(np.float32)
