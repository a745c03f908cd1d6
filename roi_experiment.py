"""Does alignment matter? Mask R-CNN's RoIPool/RoIWarp/RoIAlign ablation in miniature (chapter 9).

The experiment, in five small steps, each one function:

1. ``make_data``: seeded synthetic images, one ellipse each (random size, shape, angle,
   brightness and sub-pixel position) on a noisy background, with a proposal box per
   object jittered as a region proposal network's would be.
2. ``extract``: a fixed feature extractor at stride 8, 16 or 32 (chapter 2's stand-in
   backbone, ``roi_images.feature_map``: four 3x3 filters, ReLU, 2x2 max pooling).
3. ``pool``: 7x7 features per proposal from ``ru.roi_pool``, ``roi_warp`` (corners
   rounded as RoI pooling rounds them, then bilinear sampling) and ``ru.roi_align``
   (``aligned`` False and True).
4. ``fit``: a linear head, ridge regression in closed form, from the pooled features
   to a 14x14 mask in the proposal's frame.
5. ``score``: the predicted mask pasted back into the image and compared with the true
   one: mean mask IoU and the share of objects above IoU 0.5 and 0.75.

``run`` does all of it for every method and stride and returns the table.

Every box is a row ``[batch_index, x1, y1, x2, y2]`` in continuous image coordinates:
pixel ``(row i, column j)`` is the unit square ``[j, j + 1) x [i, i + 1)``, its centre at
``(j + 0.5, i + 0.5)``. The same rows go to every operator, as a detector would pass them.

numpy only; never imports mxnet or any widget library.

>>> data = make_data(4, seed=0)
>>> data.images.shape, data.proposals.shape
((4, 128, 128), (4, 5))
>>> pool(extract(data.images, 16), data.proposals, "roi_align_aligned", 16).shape
(4, 196)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

import roi_images as ri
import roi_utils as ru

STRIDES = (8, 16, 32)
"""The feature strides of the experiment (the paper's C4 is stride 16, C5 stride 32)."""

METHODS = ("roi_pool", "roi_warp", "roi_align", "roi_align_aligned")
"""The pooling variants, in the order of the paper's Table 2c (then the half-pixel fix)."""

METHOD_NAMES = {
    "roi_pool": "RoIPool",
    "roi_warp": "RoIWarp",
    "roi_align": "RoIAlign (aligned=False)",
    "roi_align_aligned": "RoIAlign (aligned=True)",
}
"""How each method is printed."""

CHANNELS = tuple(ri.FILTERS)
"""The feature channels: chapter 2's backbone filters (``roi_images.FILTERS``), in order."""

POOLED = 7
"""Pooled size of every method (7x7, as in the paper's ResNet-C4 head)."""

MASK_SIZE = 14
"""Side of the predicted mask, in the proposal's frame (the C4 head predicts 14x14)."""

SAMPLE_RATIO = 2
"""Bilinear samples per bin along each axis for RoIWarp and RoIAlign (the paper's "four
regularly sampled locations" per bin)."""

PAPER = {
    # (method, stride): (mask AP, AP50, AP75), He et al., Mask R-CNN (arXiv 1703.06870)
    ("roi_pool", 16): (26.9, 48.8, 26.4),  # Table 2c, ResNet-50-C4, max
    ("roi_warp", 16): (27.2, 49.2, 27.1),  # Table 2c, max (ave: 27.1, 48.9, 27.1)
    ("roi_align", 16): (30.3, 51.2, 31.5),  # Table 2c, ave (max: 30.2, 51.0, 31.8)
    ("roi_pool", 32): (23.6, 46.5, 21.6),  # Table 2d, ResNet-50-C5
    ("roi_align", 32): (30.9, 51.8, 32.1),  # Table 2d
}
"""The paper's COCO minival mask AP, AP50, AP75 (checked against the paper's text). The paper
has no stride-8 row, no RoIWarp at stride 32 and no ``aligned=True`` variant (its RoIAlign
predates Detectron2's half-pixel fix). Keypoints (Table 6, ResNet-50-FPN): AP 59.8 with
RoIPool, 64.2 with RoIAlign (+4.4)."""

PAPER_KEYPOINTS = {"roi_pool": 59.8, "roi_align": 64.2}
"""Table 6 of the paper: keypoint AP on COCO minival, ResNet-50-FPN."""

PAPER_SOURCE = (
    "paper: He et al., Mask R-CNN (arXiv 1703.06870), COCO minival mask AP / AP50 / AP75;\n"
    "stride 16 = Table 2c (ResNet-50-C4; RoIWarp max, RoIAlign ave), stride 32 = Table 2d "
    "(ResNet-50-C5).\nKeypoints, Table 6 (ResNet-50-FPN): AP 59.8 with RoIPool, 64.2 with RoIAlign."
)
"""Where the paper column of ``table`` comes from (printed under it)."""


def _check_box(box, name: str = "box") -> np.ndarray:
    """One row ``[batch_index, x1, y1, x2, y2]`` of finite numbers, as float64 (a copy)."""
    row = np.array(ru._numeric_array(box, name), dtype=np.float64)
    if row.shape != (5,) or not np.isfinite(row).all():
        raise ValueError(f"{name} must be one finite row [batch_index, x1, y1, x2, y2]; got {row.tolist()!r}")
    return row


# ---------------------------------------------------------------------------
# 1. the data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """Images with one ellipse each, the ellipses and the proposal boxes.

    ``ellipses[k] = (cx, cy, a, b, angle)``: centre in continuous image coordinates,
    semi-axes in pixels, angle in radians. ``boxes[k]`` is the ellipse's exact bounding
    box ``[k, x1, y1, x2, y2]`` and ``proposals[k]`` the jittered box given to the poolers.
    """

    images: np.ndarray
    ellipses: np.ndarray
    boxes: np.ndarray
    proposals: np.ndarray

    def __len__(self) -> int:
        return len(self.images)

    def take(self, index) -> Dataset:
        """The objects at ``index`` (their batch indices renumbered 0..)."""
        if not isinstance(index, slice):
            index = np.atleast_1d(np.arange(len(self))[index])
        boxes, proposals = self.boxes[index].copy(), self.proposals[index].copy()
        boxes[:, 0] = proposals[:, 0] = np.arange(len(boxes), dtype=np.float64)
        return Dataset(self.images[index], self.ellipses[index], boxes, proposals)


def inside_ellipse(ellipse, x, y) -> np.ndarray:
    """Is each point ``(x, y)`` inside (or on) ``ellipse = (cx, cy, a, b, angle)``?

    >>> inside_ellipse((10, 10, 4, 2, 0.0), np.array([13.9, 10]), np.array([10, 12.1])).tolist()
    [True, False]
    """
    cx, cy, a, b, angle = (float(v) for v in ellipse)
    dx, dy = np.asarray(x, np.float64) - cx, np.asarray(y, np.float64) - cy
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    return (u / a) ** 2 + (v / b) ** 2 <= 1.0


def ellipse_box(ellipse) -> np.ndarray:
    """The exact bounding box ``[x1, y1, x2, y2]`` of ``ellipse``.

    >>> ellipse_box((10, 20, 4, 2, 0.0)).tolist()
    [6.0, 18.0, 14.0, 22.0]
    """
    cx, cy, a, b, angle = (float(v) for v in ellipse)
    half_w = np.hypot(a * np.cos(angle), b * np.sin(angle))
    half_h = np.hypot(a * np.sin(angle), b * np.cos(angle))
    return np.array([cx - half_w, cy - half_h, cx + half_w, cy + half_h])


def _edge_distance(ellipse, x, y) -> np.ndarray:
    """Signed distance in pixels from each point to the ellipse's edge, to first order:
    ``(q - 1) / |grad q|`` with ``q = (u / a)^2 + (v / b)^2`` (negative inside)."""
    cx, cy, a, b, angle = (float(v) for v in ellipse)
    dx, dy = np.asarray(x, np.float64) - cx, np.asarray(y, np.float64) - cy
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    q = (u / a) ** 2 + (v / b) ** 2
    return (q - 1) / np.maximum(2 * np.hypot(u / a**2, v / b**2), 1e-12)


def coverage(ellipse, image_size: int) -> np.ndarray:
    """(image_size, image_size) float: about how much of each pixel the ellipse covers,
    ``clip(0.5 - distance from the pixel's centre to the edge, 0, 1)`` within a pixel of the
    ellipse's box, 0 beyond.

    A pixel is at least half covered exactly when its centre is inside (``true_mask``):

    >>> e = (20.3, 17.8, 9.0, 5.0, 0.4)
    >>> bool(np.array_equal(coverage(e, 40) >= 0.5, true_mask(e, 40)))
    True
    """
    x1, y1, x2, y2 = ellipse_box(ellipse)
    c0, c1 = max(int(np.floor(x1)) - 1, 0), min(int(np.ceil(x2)) + 1, image_size)
    r0, r1 = max(int(np.floor(y1)) - 1, 0), min(int(np.ceil(y2)) + 1, image_size)
    out = np.zeros((image_size, image_size))
    if c0 < c1 and r0 < r1:
        xs, ys = np.arange(c0, c1) + 0.5, np.arange(r0, r1) + 0.5
        out[r0:r1, c0:c1] = np.clip(0.5 - _edge_distance(ellipse, xs[None, :], ys[:, None]), 0.0, 1.0)
    return out


def true_mask(ellipse, image_size: int) -> np.ndarray:
    """(image_size, image_size) bool: the pixels whose centre is inside the ellipse."""
    centres = np.arange(image_size) + 0.5
    return inside_ellipse(ellipse, centres[None, :], centres[:, None])


def make_data(
    n: int,
    seed: int,
    image_size: int = 128,
    axes=(10.0, 40.0),
    noise: float = 0.15,
    jitter: float = 0.1,
) -> Dataset:
    """``n`` seeded images of ``image_size`` squared pixels, one ellipse each.

    Each ellipse has semi-axes drawn uniformly from ``axes`` (pixels), a random angle, a
    centre at a random sub-pixel position that keeps it inside the image, and a brightness
    0.4 to 1.0 above a background of level 0 to 0.3 (times ``coverage``: anti-aliased, so the
    image carries the sub-pixel position); Gaussian noise of ``noise`` is added everywhere.

    The proposal is the exact box with each side moved by a Gaussian amount of ``jitter``
    times the box's width (x sides) or height (y sides), as an RPN's boxes scatter around
    the object; it is kept inside the image and at least 4 pixels wide and tall.

    Raises
    ------
    ValueError
        For ``n`` < 1, an image smaller than 32 pixels, axes that do not fit, negative
        noise or jitter.

    Examples
    --------
    >>> d = make_data(3, seed=1)
    >>> d.images.dtype, d.proposals[:, 0].tolist()
    (dtype('float32'), [0.0, 1.0, 2.0])
    >>> bool(np.array_equal(make_data(3, seed=1).images, d.images))
    True
    """
    n = ru._check_int(n, "n", 1)
    image_size = ru._check_int(image_size, "image_size", 32)
    low, high = (float(v) for v in axes)
    if not 1.0 <= low <= high < image_size / 2 - 1:
        raise ValueError(f"axes must satisfy 1 <= min <= max < image_size / 2 - 1; got {axes!r}")
    if noise < 0 or jitter < 0:
        raise ValueError(f"noise and jitter must be >= 0; got noise={noise!r}, jitter={jitter!r}")
    rng = np.random.default_rng(seed)
    images = np.empty((n, image_size, image_size), np.float32)
    ellipses = np.empty((n, 5))
    boxes = np.empty((n, 5))
    proposals = np.empty((n, 5))
    for k in range(n):
        a, b = rng.uniform(low, high, 2)
        angle = rng.uniform(0, np.pi)
        half = ellipse_box((0, 0, a, b, angle))[2:]
        cx = rng.uniform(half[0] + 1, image_size - half[0] - 1)
        cy = rng.uniform(half[1] + 1, image_size - half[1] - 1)
        ellipses[k] = cx, cy, a, b, angle
        box = ellipse_box(ellipses[k])
        background, contrast = rng.uniform(0, 0.3), rng.uniform(0.4, 1.0)
        images[k] = background + contrast * coverage(ellipses[k], image_size)
        images[k] += noise * rng.standard_normal((image_size, image_size), dtype=np.float32)
        size = np.array([box[2] - box[0], box[3] - box[1]] * 2)
        moved = np.clip(box + rng.normal(0, jitter, 4) * size, 0, image_size)
        moved[2:] = np.maximum(moved[2:], np.minimum(moved[:2] + 4, image_size))
        moved[:2] = np.minimum(moved[:2], moved[2:] - 4)
        boxes[k] = [k, *box]
        proposals[k] = [k, *moved]
    return Dataset(images, ellipses, boxes, proposals)


def mask_targets(data: Dataset, mask_size: int = MASK_SIZE) -> np.ndarray:
    """(N, mask_size, mask_size) float32 training targets in each proposal's frame.

    The proposal is cut into ``mask_size`` squared cells; a cell's target is the share of
    its 2x2 sample points inside the ellipse (Mask R-CNN's target is likewise the true
    mask resampled into the box, then binarized; the share keeps the sub-cell edge).
    """
    sub = (np.arange(2 * mask_size) + 0.5) / (2 * mask_size)
    out = np.empty((len(data), mask_size, mask_size), np.float32)
    for k, (ellipse, (_, x1, y1, x2, y2)) in enumerate(zip(data.ellipses, data.proposals, strict=True)):
        xs, ys = x1 + sub * (x2 - x1), y1 + sub * (y2 - y1)
        inside = inside_ellipse(ellipse, xs[None, :], ys[:, None])
        out[k] = inside.reshape(mask_size, 2, mask_size, 2).mean(axis=(1, 3))
    return out


def keypoint_targets(data: Dataset) -> np.ndarray:
    """(N, 2): each object's centre, the keypoint, as fractions of its proposal's width and height.

    >>> d = make_data(1, seed=0)
    >>> (_, x1, y1, x2, y2), (cx, cy) = d.proposals[0], d.ellipses[0, :2]
    >>> bool(np.allclose(keypoint_targets(d)[0], [(cx - x1) / (x2 - x1), (cy - y1) / (y2 - y1)]))
    True
    """
    _, x1, y1, x2, y2 = data.proposals.T
    return np.stack([(data.ellipses[:, 0] - x1) / (x2 - x1), (data.ellipses[:, 1] - y1) / (y2 - y1)], axis=1)


def keypoint_errors(data: Dataset, predicted: np.ndarray) -> np.ndarray:
    """(N,) distance in image pixels from each predicted keypoint (fractions of the proposal, as
    ``keypoint_targets``) to the object's true centre.

    >>> d = make_data(2, seed=0)
    >>> keypoint_errors(d, keypoint_targets(d)).round(9).tolist()
    [0.0, 0.0]
    """
    predicted = np.asarray(predicted, np.float64)
    if predicted.shape != (len(data), 2):
        raise ValueError(f"predicted must be (N, 2) = ({len(data)}, 2); got shape {predicted.shape}")
    _, x1, y1, x2, y2 = data.proposals.T
    x = x1 + predicted[:, 0] * (x2 - x1)
    y = y1 + predicted[:, 1] * (y2 - y1)
    return np.hypot(x - data.ellipses[:, 0], y - data.ellipses[:, 1])


# ---------------------------------------------------------------------------
# 2. features, 3. pooling
# ---------------------------------------------------------------------------


def _filtered(images: np.ndarray) -> np.ndarray:
    """(N, 4, H, W): ``roi_images.FILTERS`` on every image (zero padding), then ReLU.

    All four filters are separable, so they are computed as two 3-tap passes (Sobel x:
    ``[1, 2, 1]`` down the columns, then ``[-1, 0, 1]`` along the rows; Sobel y the
    transpose; the mean: ``[1, 1, 1]`` both ways, over 9; the blob filter: 9 times the
    centre minus the 3x3 sum). The same numbers as ``roi_images.conv3x3`` up to float32
    rounding, about 3 times faster.
    """
    p = np.pad(np.asarray(images, np.float32), ((0, 0), (1, 1), (1, 1)))
    smooth_v = p[:, :-2] + 2 * p[:, 1:-1] + p[:, 2:]  # (N, H, W + 2)
    smooth_h = p[:, :, :-2] + 2 * p[:, :, 1:-1] + p[:, :, 2:]  # (N, H + 2, W)
    sum_v = p[:, :-2] + p[:, 1:-1] + p[:, 2:]
    box = sum_v[:, :, :-2] + sum_v[:, :, 1:-1] + sum_v[:, :, 2:]
    out = np.stack(
        [
            smooth_v[:, :, 2:] - smooth_v[:, :, :-2],  # vertical edges (Sobel x)
            smooth_h[:, 2:] - smooth_h[:, :-2],  # horizontal edges (Sobel y)
            9 * p[:, 1:-1, 1:-1] - box,  # blob: 8 x centre - the 8 neighbours
            box / np.float32(9),  # brightness: the 3x3 mean
        ],
        axis=1,
    )
    return np.maximum(out, 0, out=out)


def _max_pool2(maps: np.ndarray) -> np.ndarray:
    """``roi_images.max_pool2`` (2x2 max pooling, stride 2), as the maximum of four strided views."""
    h, w = maps.shape[-2] // 2 * 2, maps.shape[-1] // 2 * 2
    top = np.maximum(maps[..., 0:h:2, 0:w:2], maps[..., 0:h:2, 1:w:2])
    return np.maximum(top, np.maximum(maps[..., 1:h:2, 0:w:2], maps[..., 1:h:2, 1:w:2]), out=top)


def _check_images(images) -> np.ndarray:
    images = np.asarray(images, np.float32)
    if images.ndim != 3 or min(images.shape[1:], default=0) < 1:
        raise ValueError(f"images must be (N, H, W); got shape {images.shape}")
    return images


def extract_pyramid(images, strides: Sequence[int] = STRIDES) -> dict[int, np.ndarray]:
    """``{stride: extract(images, stride)}``, filtering once and pooling on from stride to stride."""
    images = _check_images(images)
    wanted = sorted({ru._check_int(s, "stride", 1) for s in strides})
    if any(s not in (2, 4, 8, 16, 32, 64) for s in wanted):
        raise ValueError(f"strides must be powers of two from 2 to 64; got {tuple(strides)!r}")
    pieces: dict[int, list[np.ndarray]] = {stride: [] for stride in wanted}
    for start in range(0, len(images), _CHUNK):  # chunks that stay in the CPU's cache: 4x faster
        maps, level = _filtered(images[start : start + _CHUNK]), 1
        for stride in wanted:
            while level < stride:
                maps, level = _max_pool2(maps), level * 2
            pieces[stride].append(maps)
    return {stride: np.concatenate(parts) for stride, parts in pieces.items()}


_CHUNK = 25


def extract(images, stride: int) -> np.ndarray:
    """Chapter 2's fixed stand-in backbone on every image: (N, 4, H // stride, W // stride).

    ``roi_images.feature_map``: Sobel x, Sobel y, a Laplacian blob filter and a 3x3 mean,
    each followed by ReLU, then ``log2(stride)`` rounds of 2x2 max pooling (here for all
    images at once, the same numbers to float32 rounding). Cell ``k`` is computed from image pixels
    ``stride * k .. stride * k + stride - 1`` (and one more on each side), so its centre
    is at ``stride * (k + 0.5)``: the position ``aligned=True`` assumes.

    >>> image = make_data(1, seed=0).images
    >>> bool(np.allclose(extract(image, 16)[0], ri.feature_map(np.dstack([image[0]] * 3), 16)[0], atol=1e-5))
    True
    """
    return extract_pyramid(images, (stride,))[stride]


def roi_warp(data, rois, pooled_size=POOLED, spatial_scale: float = 1.0, sample_ratio: int = SAMPLE_RATIO):
    """RoIWarp (MNC, Dai et al. 2016, as Mask R-CNN's Table 2c uses it): quantize, then sample.

    The corners are scaled and rounded exactly as ``ru.roi_pool`` rounds them
    (``ru.roi_pool_bins``: ``round(x1 * spatial_scale)`` half away from zero, likewise the
    others); then the box between the rounded corners, in map cells, is sampled bilinearly
    and averaged as ``ru.roi_align(..., spatial_scale=1, aligned=False)`` does. So the box
    is misplaced by RoI pooling's rounding, but the bins are not (no floor/ceil, no max).
    As in the public port of MNC's ``ROIWarping`` kernel, the width is ``end - start``
    (not RoI pooling's ``end - start + 1``).

    Examples
    --------
    On a ramp, a 1x1 output is the value at the sampled box's centre:

    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> roi_warp(x, [[0, 0.4, 0.4, 2.4, 2.4]], 1).ravel().tolist()  # rounded to 0..2
    [5.0]
    >>> ru.roi_align(x, [[0, 0.4, 0.4, 2.4, 2.4]], 1, sample_ratio=2).round(4).ravel().tolist()
    [7.0]
    >>> ru.roi_pool(x, [[0, 0.4, 0.4, 2.4, 2.4]], 1).ravel().tolist()
    [10.0]
    """
    rows = np.array(rois, dtype=np.float32, copy=True)
    if rows.ndim != 2 or rows.shape[1:] != (5,):
        raise ValueError(f"rois must be (R, 5) rows [batch_index, x1, y1, x2, y2]; got shape {rows.shape}")
    scale = ru._check_scale(spatial_scale)
    rows[:, 1:] = ru.c_round(rows[:, 1:] * scale)
    return ru.roi_align(data, rows, pooled_size, 1.0, sample_ratio, False)


def pool(features: np.ndarray, rois, method: str, stride: int, pooled_size: int = POOLED) -> np.ndarray:
    """(R, C * pooled_size ** 2) float64 features per box from one of ``METHODS``."""
    scale = 1.0 / stride
    if method == "roi_pool":
        out = ru.roi_pool(features, rois, pooled_size, scale)
    elif method == "roi_warp":
        out = roi_warp(features, rois, pooled_size, scale)
    elif method in ("roi_align", "roi_align_aligned"):
        out = ru.roi_align(features, rois, pooled_size, scale, SAMPLE_RATIO, method == "roi_align_aligned")
    else:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    return out.reshape(len(out), -1).astype(np.float64)


def read_region(proposal, method: str, stride: int) -> np.ndarray:
    """``[x1, y1, x2, y2]``: the image region whose features fill a method's pooled grid.

    With this backbone, map cell ``k`` is computed from image pixels ``stride * k`` to
    ``stride * (k + 1)`` (its centre at ``stride * (k + 0.5)``). So:

    * RoIPool reads whole cells ``round(x1 / stride) .. round(x2 / stride)`` (ends
      included, ``ru.roi_pool_bins``): pixels ``stride * start`` to ``stride * (end + 1)``;
    * RoIWarp samples between the rounded corners, taken as cell centres:
      ``stride * (round(x / stride) + 0.5)``;
    * RoIAlign with ``aligned=False`` samples at ``x / stride`` taken as a cell centre:
      the region is the proposal moved by half a stride, ``x + stride / 2``;
    * RoIAlign with ``aligned=True`` subtracts that half cell: exactly the proposal.

    The difference from the proposal is what the head cannot know.

    >>> read_region([0, 40, 40, 100, 100], "roi_pool", 16).tolist()  # 2.5 -> 3, 6.25 -> 6
    [48.0, 48.0, 112.0, 112.0]
    >>> read_region([0, 40, 40, 100, 100], "roi_align_aligned", 16).tolist()
    [40.0, 40.0, 100.0, 100.0]
    """
    corners = _check_box(proposal, "proposal")[1:]
    stride = ru._check_int(stride, "stride", 1)
    scaled = (corners.astype(np.float32) * np.float32(1 / stride)).astype(np.float64)
    rounded = ru.c_round(scaled)
    if method == "roi_pool":
        return stride * (rounded + [0, 0, 1, 1])
    if method == "roi_warp":
        return stride * (rounded + 0.5)
    if method == "roi_align":
        return corners + stride / 2
    if method == "roi_align_aligned":
        return corners.copy()
    raise ValueError(f"method must be one of {METHODS}; got {method!r}")


# ---------------------------------------------------------------------------
# 4. the head
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """A linear head: ``output = (x - mean) / std @ weights + bias``, shaped as the targets were
    (a mask: no sigmoid, it is thresholded at 0.5; a keypoint: two numbers)."""

    mean: np.ndarray
    std: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    shape: tuple[int, ...] = ()

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(R, *shape) predictions, e.g. (R, 14, 14) mask values (about 0 outside, 1 inside)."""
        z = (np.asarray(x, np.float64) - self.mean) / self.std
        out = z @ self.weights + self.bias
        return out.reshape(len(out), *self.shape)


def fit(x: np.ndarray, targets: np.ndarray, ridge: float = 10.0) -> Head:
    """Ridge regression in closed form: ``W = (Z'Z + ridge I)^-1 Z'(T - mean T)``.

    ``Z`` is the features standardized per column (so one ``ridge`` suits every method),
    ``T`` the flattened targets; the bias is the targets' mean.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(50, 3)); t = (x @ [1.0, -2.0, 0.5] + 3).reshape(50, 1, 1)
    >>> head = fit(x, t, ridge=1e-9)
    >>> bool(np.allclose(head.predict(x), t))
    True
    """
    x = np.asarray(x, np.float64)
    t = np.asarray(targets, np.float64).reshape(len(targets), -1)
    if x.ndim != 2 or len(x) != len(t):
        raise ValueError(f"x must be (R, D) with R = len(targets) = {len(t)}; got shape {x.shape}")
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 1e-12, std, 1.0)
    z = (x - mean) / std
    bias = t.mean(axis=0)
    weights = np.linalg.solve(z.T @ z + ridge * np.eye(z.shape[1]), z.T @ (t - bias))
    return Head(mean, std, weights, bias, tuple(np.shape(targets)[1:]))


# ---------------------------------------------------------------------------
# 5. the score
# ---------------------------------------------------------------------------


def _resample_matrix(start: float, end: float, cells: int, pixels: range) -> np.ndarray:
    """(len(pixels), cells) weights: linear interpolation of ``cells`` values spread over
    ``[start, end)``, read at the centres of ``pixels``; 0 outside the box."""
    centres = np.arange(pixels.start, pixels.stop) + 0.5
    u = (centres - start) / max(end - start, 1e-9) * cells - 0.5  # in mask-cell units
    low = np.clip(np.floor(u), 0, cells - 1).astype(int)
    high = np.minimum(low + 1, cells - 1)
    frac = np.where((u < 0) | (u > cells - 1), 0.0, u - np.floor(u))
    out = np.zeros((len(centres), cells))
    rows = np.arange(len(centres))
    out[rows, low] += 1 - frac  # one entry per row in each statement: no repeats to lose
    out[rows, high] += frac
    out[(centres < start) | (centres >= end)] = 0
    return out


def paste(mask: np.ndarray, box, image_size: int, window=None) -> np.ndarray:
    """(image_size, image_size) bool: a box-frame mask resized into the image, threshold 0.5.

    As Mask R-CNN does at test time: the ``m x m`` mask is resized (bilinearly, values at
    the cell centres) to the box and binarized at 0.5; pixels outside the box are
    background. ``window = (rows, cols)``, two ranges, gives only that part of the image.

    >>> paste(np.ones((2, 2)), [0, 2, 2, 6, 4], 8).sum(axis=0).tolist()
    [0, 0, 2, 2, 2, 2, 0, 0]
    """
    mask = np.asarray(ru._numeric_array(mask, "mask"), np.float64)
    if mask.ndim != 2 or min(mask.shape) < 1:
        raise ValueError(f"mask must be a 2-D array of cells; got shape {mask.shape}")
    _, x1, y1, x2, y2 = _check_box(box)
    image_size = ru._check_int(image_size, "image_size", 1)
    rows, cols = window if window is not None else (range(image_size), range(image_size))
    return (
        _resample_matrix(y1, y2, mask.shape[0], rows) @ mask @ _resample_matrix(x1, x2, mask.shape[1], cols).T
        >= 0.5
    )


def mask_iou(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two boolean masks (1.0 when both are empty).

    >>> a = np.zeros((4, 4), bool); a[:2] = True
    >>> b = np.zeros((4, 4), bool); b[:, :2] = True
    >>> mask_iou(a, b)  # 4 shared pixels of 12
    0.3333333333333333
    """
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    if predicted.shape != truth.shape:
        raise ValueError(f"masks must have the same shape; got {predicted.shape} and {truth.shape}")
    union = np.logical_or(predicted, truth).sum()
    return 1.0 if union == 0 else float(np.logical_and(predicted, truth).sum() / union)


@dataclass(frozen=True)
class _Window:
    """One test object's scoring window: the pixel rows and columns that can differ, the matrices
    that paste a box-frame mask into them, and the true mask there."""

    rows: np.ndarray
    cols: np.ndarray
    truth: np.ndarray


def score_windows(data: Dataset, mask_size: int = MASK_SIZE) -> list[_Window]:
    """What ``object_ious`` needs for each object, computed once for every method.

    Both masks are empty outside the proposal and the object's box, so only the smallest
    window of pixels holding both is compared (the same IoU as on the whole image).
    """
    size = data.images.shape[1]
    windows = []
    for box, (_, *true_box), ellipse in zip(data.proposals, data.boxes, data.ellipses, strict=True):
        _, x1, y1, x2, y2 = box
        c0, c1 = int(max(np.floor(min(x1, true_box[0])), 0)), int(min(np.ceil(max(x2, true_box[2])), size))
        r0, r1 = int(max(np.floor(min(y1, true_box[1])), 0)), int(min(np.ceil(max(y2, true_box[3])), size))
        rows, cols = range(r0, r1), range(c0, c1)
        truth = inside_ellipse(ellipse, np.arange(c0, c1)[None, :] + 0.5, np.arange(r0, r1)[:, None] + 0.5)
        windows.append(
            _Window(
                _resample_matrix(y1, y2, mask_size, rows), _resample_matrix(x1, x2, mask_size, cols), truth
            )
        )
    return windows


def object_ious(data: Dataset, predicted: np.ndarray, windows: list[_Window] | None = None) -> np.ndarray:
    """(N,) mask IoU of every object: its prediction pasted into the image (``paste``) against
    its true mask (``true_mask``). ``windows``: ``score_windows(data)``, if already made."""
    if windows is None:
        windows = score_windows(data, np.asarray(predicted).shape[-1])
    return np.array(
        [mask_iou(w.rows @ m @ w.cols.T >= 0.5, w.truth) for m, w in zip(predicted, windows, strict=True)]
    )


def score(ious) -> dict[str, float]:
    """Mean mask IoU and the share of objects with IoU >= 0.5 and >= 0.75, in percent.

    What they are: every test object has exactly one proposal and one predicted mask, so
    "share above 0.5" is the recall at IoU 0.5 and also the precision there. What they are
    not: COCO's AP ranks many scored detections per image, counts duplicates and misses,
    averages precision over recall levels and (for "AP") over thresholds 0.50:0.05:0.95.
    There is no detection or ranking here, so the numbers are comparable with the paper's
    AP50/AP75 in direction and spirit only, never in value.

    >>> score([0.4, 0.6, 0.8, 0.9])
    {'mean_iou': 67.5, 'iou50': 75.0, 'iou75': 50.0}
    """
    ious = np.asarray(ious, np.float64)
    if ious.ndim != 1 or len(ious) == 0:
        raise ValueError(f"ious must be a non-empty 1-D array; got shape {ious.shape}")
    return {
        "mean_iou": round(float(ious.mean() * 100), 4),
        "iou50": round(float((ious >= 0.5).mean() * 100), 4),
        "iou75": round(float((ious >= 0.75).mean() * 100), 4),
    }


# ---------------------------------------------------------------------------
# the whole experiment
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """Sizes of one run. ``FULL`` is the script's, ``QUICK`` the notebook's live run."""

    n_train: int = 500
    n_test: int = 200
    seeds: tuple[int, ...] = (0, 1, 2)
    strides: tuple[int, ...] = STRIDES
    methods: tuple[str, ...] = METHODS
    image_size: int = 128
    ridge: float = 10.0

    def __post_init__(self):
        for name in ("n_train", "n_test", "image_size"):
            ru._check_int(getattr(self, name), name, 1)
        if not self.seeds or not all(isinstance(seed, int) for seed in self.seeds):
            raise ValueError(f"seeds must be a non-empty tuple of ints; got {self.seeds!r}")
        if not self.strides or any(stride not in (2, 4, 8, 16, 32, 64) for stride in self.strides):
            raise ValueError(f"strides must be powers of two from 2 to 64; got {self.strides!r}")
        if not self.methods or any(method not in METHODS for method in self.methods):
            raise ValueError(f"methods must be some of {METHODS}; got {self.methods!r}")
        if not (isinstance(self.ridge, (int, float)) and self.ridge > 0):
            raise ValueError(f"ridge must be a number > 0; got {self.ridge!r}")


FULL = Config()
QUICK = Config(n_train=300, n_test=100, seeds=(0,))


@dataclass(frozen=True)
class Results:
    """Every score of a run: ``scores[(method, stride)]`` is one dict per seed (and
    ``scores[(reference, 0)]`` for the two ``REFERENCES``)."""

    config: Config
    scores: dict = field(default_factory=dict)

    def summary(self, method: str, stride: int, metric: str = "mean_iou") -> tuple[float, float]:
        """(mean over seeds, standard deviation over seeds; 0 for one seed)."""
        values = np.array([s[metric] for s in self.scores[(method, stride)]])
        return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


@dataclass(frozen=True)
class Fitted:
    """One seed's experiment kept whole: the test objects, and for every ``(method, stride)``
    the fitted head, its predicted test masks (box frame) and their IoUs; ``reference_ious``
    holds the IoUs of the two references in ``REFERENCES``; ``keypoint_errors`` (and those of
    the references) the keypoint head's distances in pixels, per test object."""

    config: Config
    seed: int
    test: Dataset
    heads: dict
    predicted: dict
    ious: dict
    reference_ious: dict
    keypoint_errors: dict
    reference_keypoint_errors: dict


def fit_all(config: Config, seed: int, progress: Callable[[str], None] | None = None) -> Fitted:
    """Make one seed's data, then fit and test every method at every stride of ``config``.

    ``progress(message)``, if given, is called after each method and stride.
    """
    data = make_data(config.n_train + config.n_test, seed, config.image_size)
    train, test = data.take(slice(0, config.n_train)), data.take(slice(config.n_train, None))
    targets = mask_targets(train)
    train_maps, test_maps = (
        extract_pyramid(train.images, config.strides),
        extract_pyramid(test.images, config.strides),
    )
    windows = score_windows(test)
    prior = np.broadcast_to(targets.mean(axis=0), (len(test), *targets.shape[1:]))
    reference_ious = {
        "box_only": object_ious(test, prior, windows),
        "ceiling": object_ious(test, mask_targets(test), windows),
    }
    keypoints = keypoint_targets(train)
    reference_keypoint_errors = {
        "box_only": keypoint_errors(test, np.broadcast_to(keypoints.mean(axis=0), (len(test), 2))),
        "ceiling": keypoint_errors(test, keypoint_targets(test)),
    }
    heads, predicted, ious, errors = {}, {}, {}, {}
    for stride in config.strides:
        for method in config.methods:
            key = (method, stride)
            train_x = pool(train_maps[stride], train.proposals, method, stride)
            test_x = pool(test_maps[stride], test.proposals, method, stride)
            heads[key] = fit(train_x, targets, config.ridge)
            predicted[key] = heads[key].predict(test_x)
            ious[key] = object_ious(test, predicted[key], windows)
            errors[key] = keypoint_errors(test, fit(train_x, keypoints, config.ridge).predict(test_x))
            if progress is not None:
                progress(f"seed {seed}: stride {stride}, {METHOD_NAMES[method]}")
    return Fitted(
        config, seed, test, heads, predicted, ious, reference_ious, errors, reference_keypoint_errors
    )


REFERENCES = {
    "box_only": "box only (no features)",
    "ceiling": "ceiling (true 14x14 mask)",
}
"""Two references that bracket every method. ``box_only``: every test object gets the training
masks' mean, so only the proposal box is used (what a head learns from features that carry
nothing). ``ceiling``: the true mask itself, resampled to 14x14 in the proposal and pasted back
as the predictions are (what a perfect head could reach; below 100 because of the 14x14 grid
and the parts of objects the jittered proposal cuts off). For the keypoint, the references are the
training centres' mean position in the proposal, and the true centre (0 pixels)."""


def run_seed(config: Config, seed: int, progress: Callable[[str], None] | None = None) -> dict:
    """One seed: ``{(method, stride): score dict}``, and ``{(reference, 0): score dict}``."""
    fitted = fit_all(config, seed, progress)
    out = {}
    for key, ious in fitted.ious.items():
        out[key] = {**score(ious), "keypoint_px": round(float(fitted.keypoint_errors[key].mean()), 4)}
    for name, ious in fitted.reference_ious.items():
        errors = fitted.reference_keypoint_errors[name]
        out[(name, 0)] = {**score(ious), "keypoint_px": round(float(errors.mean()), 4)}
    return out


def run(config: Config = FULL, progress: Callable[[str], None] | None = None) -> Results:
    """Every method at every stride for every seed of ``config``."""
    scores: dict = {}
    for seed in config.seeds:
        for key, value in run_seed(config, seed, progress).items():
            scores.setdefault(key, []).append(value)
    return Results(config, scores)


def table(results: Results, metrics: Sequence[str] = ("mean_iou", "iou50", "iou75", "keypoint_px")) -> str:
    """The results as a fixed-width text table, the paper's numbers beside them (and, under it,
    ``PAPER_SOURCE``: which table and backbone each paper number is from)."""
    seeds = len(results.config.seeds)
    spread = " ± sd" if seeds > 1 else ""
    header = f"{'method':26s} {'stride':>6s}" + "".join(f" {m + spread:>16s}" for m in metrics)
    header += "   paper AP / AP50 / AP75"
    lines = [header, "-" * len(header)]
    for name, label in REFERENCES.items():
        cells = []
        for metric in metrics:
            mean, sd = results.summary(name, 0, metric)
            cells.append(f" {mean:10.1f} ± {sd:3.1f}" if seeds > 1 else f" {mean:16.1f}")
        lines.append(f"{label:26s} {'any':>6s}" + "".join(cells))
    lines.append("")
    for stride in results.config.strides:
        for method in results.config.methods:
            cells = []
            for metric in metrics:
                mean, sd = results.summary(method, stride, metric)
                cells.append(f" {mean:10.1f} ± {sd:3.1f}" if seeds > 1 else f" {mean:16.1f}")
            paper = PAPER.get((method, stride))
            paper_text = "   " + " / ".join(f"{v:.1f}" for v in paper) if paper else "   -"
            lines.append(f"{METHOD_NAMES[method]:26s} {stride:6d}" + "".join(cells) + paper_text)
        lines.append("")
    return "\n".join(lines) + "\n" + PAPER_SOURCE


# ---------------------------------------------------------------------------
# one test object, for the pictures and the explorer
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """Everything drawn for one test object under one method and stride.

    ``image``, ``truth`` and ``predicted`` are the whole image and the two masks in image
    pixels; ``mask`` the head's raw box-frame output; ``proposal`` and ``region`` are
    ``[x1, y1, x2, y2]`` (the box given to the pooler and the region it actually read, from
    ``read_region``); ``iou`` the object's mask IoU; ``view`` the part of the image worth showing,
    ``(left, right, bottom, top)``: the proposal and the object's box with 8 pixels around.
    """

    method: str
    stride: int
    index: int
    image: np.ndarray
    truth: np.ndarray
    predicted: np.ndarray
    mask: np.ndarray
    proposal: np.ndarray
    region: np.ndarray
    iou: float
    view: tuple[float, float, float, float]


def example(fitted: Fitted, method: str, stride: int, index: int) -> Example:
    """Test object ``index`` of ``fitted`` as ``method`` at ``stride`` saw and predicted it.

    >>> fitted = fit_all(Config(n_train=60, n_test=5, seeds=(0,), strides=(16,)), 0)
    >>> e = example(fitted, "roi_pool", 16, 2)
    >>> e.truth.shape, e.mask.shape, 0 <= e.iou <= 1
    ((128, 128), (14, 14), True)
    """
    key = (method, stride)
    if key not in fitted.predicted:
        raise ValueError(f"(method, stride) must be one of {sorted(fitted.predicted)}; got {key!r}")
    index = ru._check_int(index, "index", 0)
    if index >= len(fitted.test):
        raise ValueError(f"index must be below {len(fitted.test)} (the test objects); got {index}")
    size = fitted.test.images.shape[1]
    proposal = fitted.test.proposals[index]
    mask = fitted.predicted[key][index]
    return Example(
        method=method,
        stride=stride,
        index=index,
        image=fitted.test.images[index],
        truth=true_mask(fitted.test.ellipses[index], size),
        predicted=paste(mask, proposal, size),
        mask=mask,
        proposal=proposal[1:].copy(),
        region=read_region(proposal, method, stride),
        iou=float(fitted.ious[key][index]),
        view=_view(proposal[1:], fitted.test.boxes[index, 1:], size),
    )


def _view(proposal, box, size: int, pad: float = 8.0) -> tuple[float, float, float, float]:
    """``(left, right, bottom, top)`` holding both boxes with ``pad`` pixels around, in the image."""
    left, top = max(min(proposal[0], box[0]) - pad, 0.0), max(min(proposal[1], box[1]) - pad, 0.0)
    right, bottom = min(max(proposal[2], box[2]) + pad, size), min(max(proposal[3], box[3]) + pad, size)
    return float(left), float(right), float(bottom), float(top)


def readings(results: Results) -> dict[int, dict[str, float]]:
    """The differences the chapter reads off a run, per stride, in points of mean IoU.

    ``align_gap``: RoIAlign (aligned=True) minus RoIPool; ``paper_align_gap``: RoIAlign
    (aligned=False, the paper's) minus RoIPool; ``warp_gain``: RoIWarp minus RoIPool;
    ``half_pixel``: aligned=True minus aligned=False; ``pool_share`` and ``align_share``: how much
    of the way from the box-only reference to the ceiling RoIPool and RoIAlign (aligned=True) get,
    in percent.
    """
    low, high = results.summary("box_only", 0)[0], results.summary("ceiling", 0)[0]
    out = {}
    for stride in results.config.strides:
        pool, warp, unaligned, align = (results.summary(m, stride)[0] for m in METHODS)
        out[stride] = {
            "align_gap": round(align - pool, 1),
            "paper_align_gap": round(unaligned - pool, 1),
            "warp_gain": round(warp - pool, 1),
            "half_pixel": round(align - unaligned, 1),
            "pool_share": round((pool - low) / (high - low) * 100, 1),
            "align_share": round((align - low) / (high - low) * 100, 1),
        }
    return out


def readings_table(results: Results) -> str:
    """``readings`` as a text table, one row per stride.

    >>> print(readings_table(run(Config(n_train=40, n_test=10, seeds=(0,), strides=(16,)))).splitlines()[0])
    stride  RoIAlign(True)  RoIAlign(False)  RoIWarp  True - False  RoIPool  RoIAlign(True)
    """
    lines = ["stride  RoIAlign(True)  RoIAlign(False)  RoIWarp  True - False  RoIPool  RoIAlign(True)"]
    for stride, r in readings(results).items():
        lines.append(
            f"{stride:6d}  {r['align_gap']:+14.1f}  {r['paper_align_gap']:+15.1f}  {r['warp_gain']:+7.1f}  "
            f"{r['half_pixel']:+12.1f}  {r['pool_share']:6.0f}%  {r['align_share']:13.0f}%"
        )
    lines.append("columns 2-4: points of mean IoU above RoIPool; True - False: aligned=True minus False;")
    lines.append("last two: how far each gets from the box-only reference (0%) to the ceiling (100%)")
    return "\n".join(lines)
