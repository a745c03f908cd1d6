"""Chapter 3 (SPP-net): the explorer's maps and pyramid levels.

>>> pyramid_map(2, 3).shape
(1, 3, 2, 3)
"""

from __future__ import annotations

import numpy as np

CHANNELS = 3
"""Channels of the explorer's map."""

LEVEL_CHOICES = {"(4, 2, 1)": (4, 2, 1), "(6, 3, 2, 1)": (6, 3, 2, 1), "(3, 2, 1)": (3, 2, 1), "(1,)": (1,)}
"""The pyramids the explorer offers, by the name its dropdown shows."""

MAX_INPUT = 16
"""The largest input height and width the explorer's sliders allow."""


def pyramid_map(height: int, width: int, seed: int = 3) -> np.ndarray:
    """A seeded (1, CHANNELS, H, W) map of whole numbers 0..9 (so every value fits its cell as one
    digit).

    >>> pyramid_map(1, 4)[0, 0].tolist()
    [[8.0, 0.0, 1.0, 2.0]]
    """
    return np.random.default_rng(seed).integers(0, 10, (1, CHANNELS, height, width)).astype(np.float32)
