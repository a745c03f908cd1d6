"""Chapter 7 (frameworks side by side): the maps and the box of the text, the exercises and the explorer.

>>> example_map("arange 6x6")[0, 0, 1].tolist()
[6.0, 7.0, 8.0, 9.0, 10.0, 11.0]
>>> BOX
[0, 1.0, 1.0, 4.0, 3.5]
"""

from __future__ import annotations

import numpy as np

MAP = np.random.default_rng(7).integers(0, 10, (1, 1, 6, 6)).astype(np.float32)
"""The chapter's map: seeded integers 0..9 on 6 x 6 cells (the explorer's ``random 6x6``)."""

BOX = [0, 1.0, 1.0, 4.0, 3.5]
"""The chapter's box, mxnet's row ``[batch_index, x1, y1, x2, y2]`` on ``MAP`` at scale 1: 3 cells by
2.5, pooled 2 x 2 with 2 x 2 samples per bin."""

POOLED = (2, 2)
SAMPLE_RATIO = 2

CONSTANT = np.full((1, 1, 6, 6), -10, np.float32)
"""A constant map of -10, where ONNX's max mode does not give -10."""

MAP_NAMES = ("random 6x6", "arange 6x6", "constant -10")
"""The explorer's maps, by name (see ``example_map``)."""

MAP_SIDE = 6


def example_map(name: str) -> np.ndarray:
    """The explorer's maps, as (1, 1, 6, 6) float32: the chapter's ``MAP``, the ramp ``0..35`` (where
    bilinear interpolation is exact, so every shift shows as a plain difference) and ``CONSTANT``.

    >>> example_map("constant -10")[0, 0, 0, :2].tolist()
    [-10.0, -10.0]
    >>> example_map("nope")
    Traceback (most recent call last):
    ...
    ValueError: map name must be one of ('random 6x6', 'arange 6x6', 'constant -10'); got 'nope'
    """
    if name == "random 6x6":
        return MAP.copy()
    if name == "arange 6x6":
        return np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6)
    if name == "constant -10":
        return CONSTANT.copy()
    raise ValueError(f"map name must be one of {MAP_NAMES}; got {name!r}")
