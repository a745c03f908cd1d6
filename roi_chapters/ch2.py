"""Chapter 2 (from the image to the feature map): the photo's maps at each stride and the boxes of
the text, the figures and the explorer.

>>> feature_map(16).shape
(1, 4, 37, 32)
>>> feature_map(16) is feature_map(16)
True
"""

from __future__ import annotations

import functools

import numpy as np

import roi_images as ri

STRIDES = (8, 16, 32)
"""The strides the explorer offers."""

EXPLORER_BOX = (170, 120, 330, 290)
"""The explorer's first box ``(x1, y1, x2, y2)`` in image pixels (the face)."""

FIGURE_BOXES = [[0, 170, 120, 330, 290], [0, 100, 57, 309, 250], [0, 30, 400, 70, 440]]
"""The boxes of the "before and after rounding" figure."""


@functools.lru_cache(maxsize=8)
def feature_map(stride: int = 16) -> np.ndarray:
    """The stand-in backbone's (1, 4, H, W) map of the course photo at ``stride``
    (``roi_images.feature_map``), computed once per stride and read-only.

    >>> feature_map(32).shape[2:], feature_map(32).flags.writeable
    ((18, 16), False)
    """
    data = ri.feature_map(ri.load_photo(), stride)
    data.flags.writeable = False
    return data
