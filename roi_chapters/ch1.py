"""Chapter 1 (RoI pooling): the maps and boxes of the text, the exercises and the explorer.

>>> example_map("arange 4x4")[0, 0, 1].tolist()
[4.0, 5.0, 6.0, 7.0]
>>> bool((example_map("random 7x7") == RANDOM).all())
True
"""

from __future__ import annotations

import numpy as np

ARANGE = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
"""The classic 4 x 4 map 0..15, where many wrong rules still pass."""

RANDOM = np.random.default_rng(0).integers(0, 100, (1, 1, 7, 7)).astype(np.float32)
"""Seeded integers 0..99 on a 7 x 7 map (the explorer's ``random 7x7`` with seed 0)."""

OVERLAP_BOX = [0, 1, 0, 3, 2]
"""The chapter's 3 x 3-cell box pooled to 2 x 2 on ``RANDOM``: its middle row and column
belong to two bins each (the overlapping-bins figure and the explorer's first case)."""

MAP_NAMES = ("arange 4x4", "random 7x7", "ties 6x6")
"""The explorer's maps, by name (see ``example_map``)."""

MAP_SHAPES = {"arange 4x4": (4, 4), "random 7x7": (7, 7), "ties 6x6": (6, 6)}
"""``(H, W)`` of each named map."""

SEED_RANGE = (0, 99)
"""The seeds the explorer offers."""


def example_map(name: str, seed: int = 0) -> np.ndarray:
    """The explorer's maps, as (1, 1, H, W) float32.

    * ``arange 4x4``: the classic example (0..15), where many wrong rules still pass (no seed);
    * ``random 7x7``: seeded integers 0..99, where disjoint bins and floor/ceil bins differ;
    * ``ties 6x6``: seeded integers 0..3, so bins contain equal maxima.

    >>> example_map("ties 6x6", seed=1)[0, 0, 0].tolist()
    [1.0, 2.0, 3.0, 3.0, 0.0, 0.0]
    >>> example_map("nope")
    Traceback (most recent call last):
    ...
    ValueError: map name must be one of ('arange 4x4', 'random 7x7', 'ties 6x6'); got 'nope'
    """
    rng = np.random.default_rng(seed)
    if name == "arange 4x4":
        plane = np.arange(16).reshape(4, 4)
    elif name == "random 7x7":
        plane = rng.integers(0, 100, (7, 7))
    elif name == "ties 6x6":
        plane = rng.integers(0, 4, (6, 6))
    else:
        raise ValueError(f"map name must be one of {MAP_NAMES}; got {name!r}")
    return plane.astype(np.float32)[None, None]
