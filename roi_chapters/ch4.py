"""Chapter 4 (RoIAlign): the explorer's map and the cases the text and figures use.

>>> align_map().shape, float(align_map()[0, 0, 0, 0])
((1, 1, 6, 6), 7.0)
"""

from __future__ import annotations

import numpy as np

SIDE = 6
"""The explorer's map is SIDE x SIDE cells."""

EXPLORER_BOX = (0.5, 0.5, 3.5, 3.0)
"""The explorer's first box ``(x1, y1, x2, y2)``, at scale 1."""

SAMPLE_RATIOS = (-1, 1, 2, 3, 4)
"""The ``sample_ratio`` values the explorer offers (-1: adaptive)."""


def align_map(seed: int = 4) -> np.ndarray:
    """The explorer's (1, 1, 6, 6) map of small integers 0..9.

    >>> align_map()[0, 0, 0].tolist()
    [7.0, 9.0, 8.0, 5.0, 9.0, 9.0]
    """
    return np.random.default_rng(seed).integers(0, 10, (1, 1, SIDE, SIDE)).astype(np.float32)
