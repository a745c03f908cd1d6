"""A real photograph and a fixed-filter stand-in for a CNN backbone (chapter 2).

No model is downloaded: the "backbone" is four hand-chosen 3x3 filters (vertical
edges, horizontal edges, a centre-surround blob detector, local brightness),
a ReLU, and 2x2 max pooling repeated until the map is ``stride`` times smaller
than the image, as VGG16's conv5 is 16 times smaller than its input. A trained
network learns its filters and interleaves many layers, but the geometry that
RoI pooling cares about (one map cell per ``stride x stride`` pixels) is the same.

numpy only (the photo is read with matplotlib, which the course already needs).

>>> photo = load_photo()
>>> photo.shape, photo.dtype
((600, 512, 3), dtype('float32'))
>>> feature_map(photo, 16).shape
(1, 4, 37, 32)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

import roi_utils as ru

PHOTO = "grace_hopper.jpg"
"""A photograph that ships with matplotlib (its sample data): Grace Hopper, 600 rows by 512 columns."""

FILTERS = {
    "vertical edges": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32),
    "horizontal edges": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float32),
    "blob": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], np.float32),
    "brightness": np.full((3, 3), 1 / 9, np.float32),
}
"""The backbone's filters, one output channel each: Sobel x, Sobel y, a blob (8 times the centre
minus the sum of its 8 neighbours, a Laplacian), a 3x3 mean."""


@lru_cache(maxsize=1)
def _photo() -> np.ndarray:
    import matplotlib.cbook
    import matplotlib.pyplot as plt

    with matplotlib.cbook.get_sample_data(PHOTO) as handle:
        image = plt.imread(handle, format="jpg")
    return (np.asarray(image, np.float32) / 255.0)[:, :, :3]


def load_photo() -> np.ndarray:
    """The photograph as (height, width, 3) float32 in [0, 1] (a fresh copy each call)."""
    return _photo().copy()


def grayscale(photo: np.ndarray) -> np.ndarray:
    """Luma, ``0.299 R + 0.587 G + 0.114 B``: (H, W) float32.

    >>> grayscale(np.ones((2, 2, 3), np.float32)).round(3).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    return (np.asarray(photo, np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).astype(np.float32)


def conv3x3(plane: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlate a 2-D ``plane`` with a 3x3 ``kernel``, zero padding, same size.

    >>> conv3x3(np.eye(3, dtype=np.float32), FILTERS["brightness"])[1, 1].round(3)
    0.333
    """
    padded = np.pad(plane, 1)
    h, w = plane.shape
    out = np.zeros((h, w), np.float32)
    for dy in range(3):
        for dx in range(3):
            out += kernel[dy, dx] * padded[dy : dy + h, dx : dx + w]
    return out


def max_pool2(maps: np.ndarray) -> np.ndarray:
    """2x2 max pooling with stride 2 over the last two axes (an odd last row/column is dropped).

    >>> max_pool2(np.arange(16.0).reshape(4, 4)).tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    """
    h, w = maps.shape[-2] // 2 * 2, maps.shape[-1] // 2 * 2
    cut = maps[..., :h, :w]
    return cut.reshape(*cut.shape[:-2], h // 2, 2, w // 2, 2).max(axis=(-3, -1))


def feature_map(photo: np.ndarray, stride: int = 16) -> np.ndarray:
    """The stand-in backbone: filters, ReLU, then ``log2(stride)`` rounds of 2x2 max pooling.

    Returns (1, len(FILTERS), H // stride, W // stride) float32 (sizes floor at each
    pooling, as in VGG).
    """
    if stride not in (2, 4, 8, 16, 32, 64):
        raise ValueError(f"stride must be a power of two from 2 to 64; got {stride!r}")
    gray = grayscale(photo)
    maps = np.stack([np.maximum(conv3x3(gray, k), 0) for k in FILTERS.values()])
    for _ in range(int(np.log2(stride))):
        maps = max_pool2(maps)
    return maps[None].astype(np.float32)


def pixels_seen(roi, stride: int = 16, photo: np.ndarray | None = None) -> tuple[range, range]:
    """The image rows and columns that can change ``roi``'s RoI pooling output, measured.

    Brightens one whole row of the photo at a time (then one column), recomputes the
    stand-in backbone's map and ``ru.roi_pool`` (1 x 1, every channel), and keeps the
    rows (columns) that change the output. They are the pixels the cells read are
    computed from: for cell ``k``, pixels ``stride * k .. stride * k + stride - 1`` (the
    2x2 max poolings) and one more on each side (the 3x3 filters), not the pixels
    ``stride * k - stride / 2 .. stride * k + stride / 2 - 1`` that rounding sends to it.

    Only rows and columns from one cell before the rounded box to one cell after it
    are tried, on the photo cut two cells below and right of the box (which changes
    only cells beyond those read): under a second for a small box, longer for big ones.

    >>> pixels_seen([0, 8, 8, 23, 23], 16)  # rounds to cell (1, 1), as pixels 8..23 do
    (range(15, 33), range(15, 33))
    """
    photo = load_photo() if photo is None else np.asarray(photo, np.float32)
    bins = ru.roi_pool_bins(roi, 1, 1 / stride, (photo.shape[0] // stride, photo.shape[1] // stride))
    rows = range(max(stride * (bins.roi_start_h - 1), 0), min(stride * (bins.roi_end_h + 2), photo.shape[0]))
    cols = range(max(stride * (bins.roi_start_w - 1), 0), min(stride * (bins.roi_end_w + 2), photo.shape[1]))
    cut = photo[: rows.stop, : cols.stop]

    def output(image):
        return ru.roi_pool(feature_map(image, stride), [roi], 1, 1 / stride)

    before = output(cut)
    seen = []
    for axis, candidates in ((0, rows), (1, cols)):
        changed = []
        for index in candidates:
            brighter = cut.copy()
            if axis == 0:
                brighter[index] += 10.0
            else:
                brighter[:, index] += 10.0
            if not np.array_equal(output(brighter), before):
                changed.append(index)
        seen.append(range(changed[0], changed[-1] + 1) if changed else range(0))
    return seen[0], seen[1]


def rounding_areas(roi, spatial_scale: float, map_shape) -> dict[str, float]:
    """What RoI pooling's rounding does to a box's area, in image pixels.

    Corners are inclusive pixel indices: ``[b, x1, y1, x2, y2]`` covers pixels
    ``x1..x2`` and ``y1..y2``, the interval ``[x1 - 0.5, x2 + 0.5]`` if pixel ``x``
    has its centre at ``x``. RoI pooling reads cells ``roi_start..roi_end``
    (``ru.roi_pool_bins``), clipped to the map, and under its rounding pixel ``x``
    belongs to cell ``round(x * scale)``, so cell ``k`` stands for
    ``[(k - 0.5) / scale, (k + 0.5) / scale]``. Returns the box's area, the area of
    the cells RoI pooling reads (``rounded``; 0 when they are all off the map),
    their overlap, what rounding loses and what it gains. They measure the rounding
    alone: the pixels a cell's value comes from depend on the backbone (``pixels_seen``).

    >>> a = rounding_areas([0, 40, 40, 200, 120], 1 / 16, (37, 32))
    >>> a["box"], a["rounded"], a["lost"], a["gained"]
    (13041.0, 16896.0, 120.75, 3975.75)

    A box in the photo's bottom rows rounds to row 37 of a 37-row map: nothing is read.

    >>> a = rounding_areas([0, 500, 590, 511, 599], 1 / 16, (37, 32))
    >>> a["box"], a["rounded"], a["lost"]
    (120.0, 0.0, 120.0)
    """
    bins = ru.roi_pool_bins(roi, 1, spatial_scale, map_shape)
    height, width = bins.map_shape
    cell = 1.0 / spatial_scale
    _, x1, y1, x2, y2 = (float(v) for v in roi)
    bx1, bx2, by1, by2 = x1 - 0.5, max(x2, x1) + 0.5, y1 - 0.5, max(y2, y1) + 0.5
    # the cells read: roi_start .. roi_start + roi_width - 1, clipped to the map
    c1, c2 = np.clip([bins.roi_start_w, bins.roi_start_w + bins.roi_width], 0, width)
    r1, r2 = np.clip([bins.roi_start_h, bins.roi_start_h + bins.roi_height], 0, height)
    rx1, rx2 = (c1 - 0.5) * cell, (max(c2, c1) - 0.5) * cell
    ry1, ry2 = (r1 - 0.5) * cell, (max(r2, r1) - 0.5) * cell
    box = (bx2 - bx1) * (by2 - by1)
    rounded = float((rx2 - rx1) * (ry2 - ry1))
    overlap = max(min(bx2, rx2) - max(bx1, rx1), 0) * max(min(by2, ry2) - max(by1, ry1), 0)
    return {
        "box": box,
        "rounded": rounded,
        "overlap": float(overlap),
        "lost": float(box - overlap),
        "gained": float(rounded - overlap),
    }
