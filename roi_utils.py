"""Exact RoI pooling, SPP and RoIAlign in numpy, matching mxnet 1.9.1.

Every operator here reproduces mxnet's CPU kernels (``mx.nd.ROIPooling`` and
``mx.nd.contrib.ROIAlign``) rule for rule, in float32, so the numbers a learner
computes with this module are the numbers the framework computes. mxnet is never
imported: it is only the oracle the tests compare against.

Conventions (the same as mxnet's):

* ``data`` is an NCHW array ``(batch, channels, height, width)``; it is read as
  float32 and never modified.
* ``rois`` is an ``(R, 5)`` array of rows ``[batch_index, x1, y1, x2, y2]`` in
  input-image pixels; ``x`` runs along the width (array columns), ``y`` along the
  height (array rows). The rows are rounded to float32 first, as mxnet stores them.
* ``spatial_scale`` maps image pixels to feature-map cells (1/stride).
* Results are float32 arrays ``(R, C, PH, PW)``.

The geometry the course draws (``roi_pool_bins``, ``roi_align_samples``,
``spp_paper_windows``) is what the operators themselves use, so a picture can
never disagree with a number.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FLT_MAX",
    "MAX_SAMPLES_PER_BOX",
    "MAX_SCALED_COORDINATE",
    "PoolBins",
    "AlignAxis",
    "AlignSamples",
    "SppWindows",
    "c_round",
    "roi_pool",
    "roi_pool_argmax",
    "roi_pool_backward",
    "roi_pool_bins",
    "roi_align",
    "roi_align_backward",
    "roi_align_samples",
    "spp",
    "spp_paper_windows",
    "whole_map_roi",
]

FLT_MAX = np.float32(np.finfo(np.float32).max)
"""mxnet starts every RoI-pooling maximum at ``-FLT_MAX``; cells not above it never win."""

MAX_SAMPLES_PER_BOX = 2**24
"""RoIAlign refuses a box needing more bilinear samples than this (PH*PW*grid_h*grid_w).

With ``sample_ratio=-1`` the grid grows with the box, so a box millions of cells
wide would make mxnet allocate and loop for minutes; ``roi_align`` raises a
``ValueError`` instead."""

MAX_SCALED_COORDINATE = 2.0**24
"""Box corners times ``spatial_scale`` must stay below this in magnitude.

Past 2**24 float32 can no longer hold whole numbers exactly and mxnet's int
conversions overflow; such a box is refused with a ``ValueError``."""

_F32 = np.float32


# ---------------------------------------------------------------------------
# Argument checking: every public function funnels its inputs through these.
# ---------------------------------------------------------------------------


def _numeric_array(value, name: str) -> np.ndarray:
    """``value`` as an ndarray of real numbers, or a TypeError naming ``name``."""
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged nested lists and the like
        raise TypeError(f"{name} must be an array of real numbers; {error}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (int or float); got dtype {array.dtype}")
    return array


def _check_data(data, name: str = "data") -> np.ndarray:
    """The NCHW map as a float32 array (a new array when a conversion happens)."""
    array = _numeric_array(data, name)
    if array.ndim != 4:
        raise ValueError(f"{name} must be 4-D (batch, channels, height, width); got shape {array.shape}")
    if 0 in array.shape:
        raise ValueError(f"{name} must have no empty dimension; got shape {array.shape}")
    return array.astype(_F32, copy=False)


def _check_int(value, name: str, minimum: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}")
    return value


def _check_pooled_size(pooled_size) -> tuple[int, int]:
    """``n`` or ``(PH, PW)``, each a whole number >= 1."""
    if isinstance(pooled_size, (tuple, list, np.ndarray)):
        if len(pooled_size) != 2:
            raise ValueError(f"pooled_size must be an int or a pair (PH, PW); got {pooled_size!r}")
        ph, pw = pooled_size
        return (
            _check_int(ph, "pooled_size[0]", 1),
            _check_int(pw, "pooled_size[1]", 1),
        )
    n = _check_int(pooled_size, "pooled_size", 1)
    return n, n


def _check_scale(spatial_scale) -> np.float32:
    if isinstance(spatial_scale, (bool, np.bool_)) or not isinstance(spatial_scale, numbers.Real):
        raise TypeError(f"spatial_scale must be a real number; got {spatial_scale!r}")
    scale = _F32(spatial_scale)
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"spatial_scale must be a finite number > 0 (as float32); got {spatial_scale!r}")
    if scale > 1:  # mxnet declares both operators' spatial_scale in [0, 1]
        raise ValueError(
            f"spatial_scale must be at most 1 (a map is never finer than the image); got {spatial_scale!r}"
        )
    return scale


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def _check_rois(
    rois, batch_size: int, scale: np.float32, allow_negative_batch: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``rois``; return (float32 rows, int batch indices).

    A negative whole batch index is allowed only where ``allow_negative_batch``
    (RoIAlign's "ignore this box" convention).
    """
    array = _numeric_array(rois, "rois")
    if array.ndim != 2 or array.shape[1] != 5:
        raise ValueError(
            "rois must be 2-D of shape (R, 5), rows [batch_index, x1, y1, x2, y2]; "
            f"got shape {array.shape} (for one box write [[b, x1, y1, x2, y2]])"
        )
    rows = array.astype(_F32)  # always a fresh array: mxnet stores boxes as float32
    bad = ~np.isfinite(rows)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"rois[{i}, {j}] is {array[i, j]!r}; every entry must be finite in float32")
    batch = rows[:, 0]
    fractional = batch != np.floor(batch)
    if fractional.any():
        i = int(np.argmax(fractional))
        raise ValueError(f"rois[{i}, 0] (batch index) is {batch[i]!r}, not a whole number")
    too_big = batch >= batch_size
    too_small = batch < 0 if not allow_negative_batch else np.zeros_like(too_big)
    out_of_range = too_big | too_small
    if out_of_range.any():
        i = int(np.argmax(out_of_range))
        allowed = "" if not allow_negative_batch else " (or negative, to skip the box)"
        raise ValueError(
            f"rois[{i}, 0] (batch index) is {int(batch[i])}, but data has {batch_size} "
            f"image(s) (0..{batch_size - 1}){allowed}"
        )
    scaled = np.abs(rows[:, 1:] * scale)
    far = scaled >= MAX_SCALED_COORDINATE
    if far.any():
        i, j = np.argwhere(far)[0]
        raise ValueError(
            f"rois[{i}, {j + 1}] times spatial_scale is {scaled[i, j]:g}; corners must stay "
            f"within +-{MAX_SCALED_COORDINATE:g} map cells"
        )
    return rows, batch.astype(np.int64)


def _check_roi_row(roi) -> np.ndarray:
    """One box ``[batch_index, x1, y1, x2, y2]`` as float32 (batch index unchecked)."""
    array = _numeric_array(roi, "roi")
    if array.shape != (5,):
        raise ValueError(f"roi must be one row [batch_index, x1, y1, x2, y2]; got shape {array.shape}")
    row = array.astype(_F32)
    if not np.isfinite(row).all():
        raise ValueError(f"roi must be finite in float32; got {array.tolist()}")
    return row


def _check_map_shape(map_shape) -> tuple[int, int]:
    if not isinstance(map_shape, (tuple, list)) or len(map_shape) != 2:
        raise TypeError(f"map_shape must be a pair (height, width); got {map_shape!r}")
    return (
        _check_int(map_shape[0], "map_shape[0] (height)", 1),
        _check_int(map_shape[1], "map_shape[1] (width)", 1),
    )


def _check_out_grad(out_grad, expected: tuple[int, ...]) -> np.ndarray:
    array = _numeric_array(out_grad, "out_grad")
    if array.shape != expected:
        raise ValueError(f"out_grad must have the forward output's shape {expected}; got {array.shape}")
    return array.astype(_F32, copy=False)


# ---------------------------------------------------------------------------
# RoI pooling geometry
# ---------------------------------------------------------------------------


def c_round(x) -> np.ndarray:
    """Round half away from zero, as C's ``round`` does (numpy's ``round`` goes to even).

    Examples
    --------
    >>> c_round([0.5, 1.5, 2.5, -0.5]).tolist()
    [1.0, 2.0, 3.0, -1.0]
    >>> np.round([0.5, 1.5, 2.5, -0.5]).tolist()  # banker's rounding: not what the kernel does
    [0.0, 2.0, 2.0, -0.0]
    """
    x = np.asarray(x, dtype=np.float64)  # float32 + 0.5 is exact in float64
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _pool_axis(start, end, pooled: int, size: int):
    """Bins along one axis for many boxes: arrays (R, pooled) of clipped [start, end).

    ``start`` and ``end`` are the rounded box corners (int arrays, end inclusive).
    """
    length = np.maximum(end - start + 1, 1)  # malformed boxes become 1 cell
    bin_size = length.astype(_F32) / _F32(pooled)
    p = np.arange(pooled, dtype=_F32)
    lo = np.floor(p * bin_size[:, None]).astype(np.int64) + start[:, None]
    hi = np.ceil((p + _F32(1)) * bin_size[:, None]).astype(np.int64) + start[:, None]
    return np.clip(lo, 0, size), np.clip(hi, 0, size), bin_size


@dataclass(frozen=True)
class PoolBins:
    """The bins of one box in ``roi_pool``, exactly as the kernel forms them.

    Bin ``(ph, pw)`` reads rows ``hstart[ph] <= h < hend[ph]`` and columns
    ``wstart[pw] <= w < wend[pw]``; it is empty (output 0) when either range is.
    """

    roi_start_w: int
    roi_start_h: int
    roi_end_w: int
    roi_end_h: int
    roi_width: int
    roi_height: int
    bin_size_w: float
    bin_size_h: float
    hstart: np.ndarray
    hend: np.ndarray
    wstart: np.ndarray
    wend: np.ndarray
    map_shape: tuple[int, int]

    @property
    def pooled_size(self) -> tuple[int, int]:
        return len(self.hstart), len(self.wstart)

    @property
    def empty(self) -> np.ndarray:
        """(PH, PW) bool: bins that read no cell and output 0."""
        return (self.hend <= self.hstart)[:, None] | (self.wend <= self.wstart)[None, :]

    def coverage(self) -> np.ndarray:
        """(H, W) int: how many bins read each cell (overlapping bins count twice)."""
        h, w = self.map_shape
        rows = np.arange(h)
        cols = np.arange(w)
        row_count = ((rows >= self.hstart[:, None]) & (rows < self.hend[:, None])).sum(0)
        col_count = ((cols >= self.wstart[:, None]) & (cols < self.wend[:, None])).sum(0)
        return np.outer(row_count, col_count)

    def cells(self, ph: int, pw: int) -> tuple[slice, slice]:
        """The (rows, cols) slices bin ``(ph, pw)`` reads."""
        return (
            slice(int(self.hstart[ph]), int(self.hend[ph])),
            slice(int(self.wstart[pw]), int(self.wend[pw])),
        )


def _rounded_corners(rows: np.ndarray, scale: np.float32) -> np.ndarray:
    """(R, 4) int64: round(x1*s), round(y1*s), round(x2*s), round(y2*s) as in C."""
    return c_round(rows[:, 1:] * scale).astype(np.int64)


def roi_pool_bins(roi, pooled_size, spatial_scale: float = 1.0, map_shape=(1, 1)) -> PoolBins:
    """The bins ``roi_pool`` uses for one box on a map of ``map_shape = (H, W)``.

    The rule (mxnet ``ROIPooling``, from Fast R-CNN):

    1. scale each corner and round half away from zero:
       ``roi_start_w = round(x1 * spatial_scale)`` and so on;
    2. the box is inclusive: ``roi_width = max(roi_end_w - roi_start_w + 1, 1)``
       (a reversed or empty box is forced to one cell);
    3. ``bin_size_w = roi_width / PW`` in float32;
    4. bin ``pw`` covers columns ``floor(pw * bin_size_w)`` up to but excluding
       ``ceil((pw + 1) * bin_size_w)``, shifted by ``roi_start_w`` and clipped to
       ``[0, W]``. Neighbouring bins overlap whenever ``bin_size_w`` is not whole.

    Parameters
    ----------
    roi : sequence of 5 numbers
        ``[batch_index, x1, y1, x2, y2]`` in image pixels (the batch index is not used).
    pooled_size : int or (int, int)
        ``(PH, PW)``.
    spatial_scale : float
        Image pixels to map cells.
    map_shape : (int, int)
        ``(H, W)`` of the feature map, for clipping.

    Returns
    -------
    PoolBins

    Raises
    ------
    ValueError, TypeError
        For a malformed box, pooled size, scale or map shape.

    Examples
    --------
    A 3-cell-wide box split in 2 bins: the middle column belongs to both.

    >>> bins = roi_pool_bins([0, 0, 0, 2, 2], 2, 1.0, (4, 4))
    >>> bins.wstart.tolist(), bins.wend.tolist()
    ([0, 1], [2, 3])
    >>> bins.coverage()[:3, :3].tolist()
    [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    """
    row = _check_roi_row(roi)[None, :]
    ph, pw = _check_pooled_size(pooled_size)
    scale = _check_scale(spatial_scale)
    height, width = _check_map_shape(map_shape)
    _check_rois(np.concatenate([[[0]], row[:, 1:]], axis=1), 1, scale)
    x1, y1, x2, y2 = _rounded_corners(row, scale)[0]
    hstart, hend, bin_h = _pool_axis(np.array([y1]), np.array([y2]), ph, height)
    wstart, wend, bin_w = _pool_axis(np.array([x1]), np.array([x2]), pw, width)
    return PoolBins(
        roi_start_w=int(x1),
        roi_start_h=int(y1),
        roi_end_w=int(x2),
        roi_end_h=int(y2),
        roi_width=max(int(x2 - x1 + 1), 1),
        roi_height=max(int(y2 - y1 + 1), 1),
        bin_size_w=float(bin_w[0]),
        bin_size_h=float(bin_h[0]),
        hstart=hstart[0],
        hend=hend[0],
        wstart=wstart[0],
        wend=wend[0],
        map_shape=(height, width),
    )


# ---------------------------------------------------------------------------
# RoI pooling
# ---------------------------------------------------------------------------


def _bin_max(channels_last: np.ndarray, hs, he, ws, we, maximum) -> np.ndarray:
    """``maximum`` over the cells of every bin of one box on one (H, W, C) map: (PH, PW, C).

    Separable: first over each bin's rows (for the box's columns), then over each
    bin's columns. Bins that read nothing hold 0; the caller decides what they output.
    """
    dtype, channels = channels_last.dtype, channels_last.shape[2]
    out = np.zeros((len(hs), len(ws), channels), dtype)
    hs, he, ws, we = hs.tolist(), he.tolist(), ws.tolist(), we.tolist()  # plain ints slice faster
    rows = [i for i, (a, b) in enumerate(zip(hs, he, strict=True)) if b > a]
    cols = [j for j, (a, b) in enumerate(zip(ws, we, strict=True)) if b > a]
    if not rows or not cols:
        return out
    c0 = min(ws[j] for j in cols)
    c1 = max(we[j] for j in cols)
    row_max = np.zeros((len(hs), c1 - c0, channels), dtype)
    for i in rows:
        maximum.reduce(channels_last[hs[i] : he[i], c0:c1], axis=0, out=row_max[i])
    for j in cols:
        maximum.reduce(row_max[:, ws[j] - c0 : we[j] - c0], axis=1, out=out[:, j])
    return out


def _pool_box_values(channels_last: np.ndarray, hs, he, ws, we) -> np.ndarray:
    """Max of every bin of one box, (PH, PW, C). ``fmax`` skips NaN as the kernel's
    strict ``>`` does, the kernel's starting value -FLT_MAX is applied last, and empty
    bins output 0."""
    values = _bin_max(channels_last, hs, he, ws, we, np.fmax)
    np.fmax(values, -FLT_MAX, out=values)
    values[he <= hs] = 0
    values[:, we <= ws] = 0
    return values


_CELL_BITS = 31
_NO_WINNER = np.int64(
    (int(np.array(-np.finfo(np.float32).max, np.float32).view(np.int32) ^ 0x7FFFFFFF) << 31) + (2**31 - 1)
)
"""The key of -FLT_MAX at the earliest cell: a bin whose best key is not above it has no winner."""


def _winner_keys(channels_last: np.ndarray) -> np.ndarray:
    """int64 keys whose maximum over a bin is the cell the kernel picks.

    The kernel keeps the first cell, in row-major order, strictly above the running
    maximum. So the winner has the largest value and, among equal values, the
    smallest flat index ``h * W + w``. Key = (value as an order-preserving int32)
    * 2**31 + (2**31 - 1 - flat index): comparing keys compares values first, then
    prefers earlier cells. NaN gets the lowest key (the kernel never picks it); -0.0
    is keyed as +0.0 (they compare equal in C).
    """
    _, height, width, _ = channels_last.shape
    values = np.where(np.isnan(channels_last), _F32(-np.inf), channels_last + _F32(0))
    bits = values.view(np.int32)
    ordered = np.where(bits < 0, bits ^ np.int32(0x7FFFFFFF), bits).astype(np.int64)
    cells = np.arange(height * width, dtype=np.int64).reshape(1, height, width, 1)
    return (ordered << _CELL_BITS) + ((1 << _CELL_BITS) - 1 - cells)


def _disjoint_groups(start: np.ndarray, end: np.ndarray) -> list[np.ndarray]:
    """Even and odd bins of one axis, if neither group has two bins sharing a cell.

    floor/ceil bins overlap only their neighbours when a bin spans at least one
    cell. For a box smaller than the pooled size that fails: return [].
    """
    order = np.arange(len(start))
    if np.all(end[:-2] <= start[2:]):
        return [order[0::2], order[1::2]]
    return []


def _pool_box_argmax(keys: np.ndarray, flat_map: np.ndarray, hs, he, ws, we):
    """Values and winning cells (flat ``h * W + w``, -1 for none) of one box's bins."""
    best = _bin_max(keys, hs, he, ws, we, np.maximum)
    cells = (1 << _CELL_BITS) - 1 - (best & ((1 << _CELL_BITS) - 1))
    cells = np.clip(cells, 0, flat_map.shape[0] - 1)
    values = flat_map[cells, np.arange(flat_map.shape[1])]
    won = values > -FLT_MAX  # False for NaN, -inf and -FLT_MAX: they never win
    empty = (he <= hs)[:, None, None] | (we <= ws)[None, :, None]
    return (
        np.where(empty, _F32(0), np.where(won, values, -FLT_MAX)),
        np.where(won & ~empty, cells, -1),
    )


@dataclass(frozen=True)
class _PoolPlan:
    """Validated inputs of a pooling call and the bins of every box."""

    data: np.ndarray
    batch: np.ndarray
    hs: np.ndarray
    he: np.ndarray
    ws: np.ndarray
    we: np.ndarray

    def channels_last(self) -> np.ndarray:
        return np.ascontiguousarray(self.data.transpose(0, 2, 3, 1))

    def output(self, dtype=_F32, fill=0) -> np.ndarray:
        r, c = len(self.batch), self.data.shape[1]
        return np.full((r, c, self.hs.shape[1], self.ws.shape[1]), fill, dtype)


def _pool_plan(data, rois, pooled_size, spatial_scale) -> _PoolPlan:
    x = _check_data(data)
    ph, pw = _check_pooled_size(pooled_size)
    scale = _check_scale(spatial_scale)
    rows, batch = _check_rois(rois, x.shape[0], scale)
    _, _, h, w = x.shape
    corners = _rounded_corners(rows, scale)
    hs, he, _ = _pool_axis(corners[:, 1], corners[:, 3], ph, h)
    ws, we, _ = _pool_axis(corners[:, 0], corners[:, 2], pw, w)
    return _PoolPlan(x, batch, hs, he, ws, we)


def _roi_pool_core(plan: _PoolPlan):
    """Channels-last (R, PH, PW, C) values and argmax cells of every box."""
    channels_last = plan.channels_last()
    keys = _winner_keys(channels_last)
    n, h, w, c = channels_last.shape
    flat = channels_last.reshape(n, h * w, c)
    shape = (len(plan.batch), plan.hs.shape[1], plan.ws.shape[1], c)
    values, argmax = np.empty(shape, _F32), np.empty(shape, np.int64)
    for r, b in enumerate(plan.batch):
        values[r], argmax[r] = _pool_box_argmax(
            keys[b], flat[b], plan.hs[r], plan.he[r], plan.ws[r], plan.we[r]
        )
    return values, argmax


def roi_pool(data, rois, pooled_size, spatial_scale: float = 1.0) -> np.ndarray:
    """RoI max pooling, bit for bit equal to ``mxnet.nd.ROIPooling``.

    Each box is cut into ``PH x PW`` bins as ``roi_pool_bins`` describes (C-style
    rounding of the scaled corners, inclusive corners, bins from ``floor`` to
    ``ceil`` so neighbours may overlap) and each bin outputs the maximum of the
    cells it reads. An empty bin (outside the map) outputs 0. As in the kernel the
    running maximum starts at ``-FLT_MAX``: NaN cells are skipped and a bin of only
    ``-inf``/NaN cells outputs ``-FLT_MAX``.

    Parameters
    ----------
    data : array (N, C, H, W)
        Feature maps.
    rois : array (R, 5)
        Rows ``[batch_index, x1, y1, x2, y2]`` in image pixels. The batch index
        must be a whole number in ``0..N-1`` (mxnet reads stray memory otherwise).
    pooled_size : int or (int, int)
        ``(PH, PW)``, each >= 1.
    spatial_scale : float
        Image pixels to map cells, e.g. 1/16 for a stride-16 backbone.

    Returns
    -------
    ndarray (R, C, PH, PW), float32

    Raises
    ------
    TypeError
        Non-numeric arrays or parameters of the wrong type.
    ValueError
        Wrong shapes, a batch index that is fractional or out of range, non-finite
        or far-out coordinates, a pooled size below 1, a scale that is not > 0.

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> roi_pool(x, [[0, 0, 0, 2, 2], [0, 0, 1, 3, 3]], (2, 2))[:, 0].tolist()
    [[[5.0, 6.0], [9.0, 10.0]], [[9.0, 11.0], [13.0, 15.0]]]
    """
    plan = _pool_plan(data, rois, pooled_size, spatial_scale)
    channels_last = plan.channels_last()
    out = plan.output()
    for r, b in enumerate(plan.batch):
        box = _pool_box_values(channels_last[b], plan.hs[r], plan.he[r], plan.ws[r], plan.we[r])
        out[r] = box.transpose(2, 0, 1)
    return out


def roi_pool_argmax(data, rois, pooled_size, spatial_scale: float = 1.0):
    """``roi_pool`` plus, for every output, the flat index ``h * W + w`` of the cell it came from.

    The index is -1 for an empty bin (and for a bin whose cells are all NaN or
    ``-inf``). Ties go to the first cell in row-major order, as in the kernel.

    Returns
    -------
    (values, argmax) : float32 and int64 arrays of shape (R, C, PH, PW)

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 3), np.float32)
    >>> roi_pool_argmax(x, [[0, 0, 0, 2, 2]], 1)[1].ravel().tolist()  # all equal: first cell
    [0]
    """
    values, argmax = _roi_pool_core(_pool_plan(data, rois, pooled_size, spatial_scale))
    return (
        np.ascontiguousarray(values.transpose(0, 3, 1, 2)),
        np.ascontiguousarray(argmax.transpose(0, 3, 1, 2)),
    )


def roi_pool_backward(out_grad, data, rois, pooled_size, spatial_scale: float = 1.0) -> np.ndarray:
    """Gradient of ``roi_pool`` with respect to ``data``, as ``mxnet.autograd`` gives it.

    Each output's gradient goes, whole, to the cell its maximum came from (see
    ``roi_pool_argmax``). Bins overlap, and several boxes may share a map, so one
    cell can receive several contributions: they add up. Empty bins send nothing.

    Parameters
    ----------
    out_grad : array (R, C, PH, PW)
        Upstream gradient, the shape of ``roi_pool``'s output.
    data, rois, pooled_size, spatial_scale
        As for ``roi_pool``.

    Returns
    -------
    ndarray (N, C, H, W), float32

    Examples
    --------
    Two bins of a 3x3 box share the centre cell when it holds the maximum:

    >>> x = np.zeros((1, 1, 3, 3), np.float32); x[0, 0, 1, 1] = 9
    >>> g = roi_pool_backward(np.ones((1, 1, 2, 2)), x, [[0, 0, 0, 2, 2]], 2)
    >>> g[0, 0].tolist()
    [[0.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 0.0]]
    """
    plan = _pool_plan(data, rois, pooled_size, spatial_scale)
    n, c, h, w = plan.data.shape
    r_count, ph, pw = len(plan.batch), plan.hs.shape[1], plan.ws.shape[1]
    grad = _check_out_grad(out_grad, (r_count, c, ph, pw))
    keys = _winner_keys(plan.channels_last())
    total = np.zeros(n * h * w * c)
    channel = np.arange(c)
    for chunk in np.array_split(np.arange(r_count), max(1, r_count // 32)):  # bounded memory
        if not len(chunk):
            continue
        best = np.empty((len(chunk), ph, pw, c), np.int64)
        for k, r in enumerate(chunk.tolist()):
            best[k] = _bin_max(
                keys[plan.batch[r]], plan.hs[r], plan.he[r], plan.ws[r], plan.we[r], np.maximum
            )
        has_cells = (plan.he[chunk] > plan.hs[chunk])[:, :, None, None] & (plan.we[chunk] > plan.ws[chunk])[
            :, None, :, None
        ]
        won = (best > _NO_WINNER) & has_cells
        cells = (1 << _CELL_BITS) - 1 - (best & ((1 << _CELL_BITS) - 1))
        target = (plan.batch[chunk][:, None, None, None] * (h * w) + cells) * c + channel
        upstream = grad[chunk].transpose(0, 2, 3, 1)
        total += np.bincount(target[won], upstream[won].astype(np.float64), len(total))
    return np.ascontiguousarray(total.astype(_F32).reshape(n, h, w, c).transpose(0, 3, 1, 2))


# ---------------------------------------------------------------------------
# RoIAlign geometry
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AlignAxis:
    """RoIAlign's sample positions along one axis (rows for y, columns for x).

    Every array is (P, G): P bins along this axis, G samples per bin.
    ``coord`` is the sample position in map cells (cell centres at whole numbers);
    ``low``/``high`` are the two neighbouring cells and ``w_low``/``w_high`` their
    1-D weights (``hy``/``ly`` in the kernel). ``valid`` is False for samples
    beyond ``[-1, size]``, whose weights are 0.
    """

    start: float
    bin_size: float
    grid: int
    coord: np.ndarray
    low: np.ndarray
    high: np.ndarray
    w_low: np.ndarray
    w_high: np.ndarray
    valid: np.ndarray

    def weight_matrix(self, size: int) -> np.ndarray:
        """(P, size) float32: the summed 1-D weights each bin puts on each cell."""
        pooled = self.coord.shape[0]
        bins = np.repeat(np.arange(pooled), self.grid)
        return _summed_weights(bins, self.low, self.high, self.w_low, self.w_high, pooled, size)


def _summed_weights(rows, low, high, w_low, w_high, n_rows: int, size: int) -> np.ndarray:
    """(n_rows, size) float32: each sample adds ``w_low`` at ``low`` and ``w_high`` at
    ``high`` in row ``rows`` (flat arrays, one entry per sample)."""
    flat = rows * size
    length = n_rows * size
    total = np.bincount(flat + low.ravel(), w_low.ravel(), length)
    total += np.bincount(flat + high.ravel(), w_high.ravel(), length)
    return total.astype(_F32).reshape(n_rows, size)


@dataclass(frozen=True)
class _AxisSamples:
    """One axis's samples for many boxes at once, flat (box after box, bin after bin).

    The same float32 formulas as the kernel, vectorised over boxes; ``AlignAxis``
    is one box's slice of it, so pictures and outputs come from one computation.
    """

    start: np.ndarray  # (R,) float32
    bin_size: np.ndarray  # (R,) float32
    grid: np.ndarray  # (R,) int, 0 for skipped boxes
    pooled: int
    size: int
    offsets: np.ndarray  # (R + 1,) where each box's samples begin
    box: np.ndarray  # flat: which box
    bin: np.ndarray  # flat: which bin along this axis
    coord: np.ndarray
    low: np.ndarray
    high: np.ndarray
    w_low: np.ndarray
    w_high: np.ndarray
    valid: np.ndarray

    @classmethod
    def build(cls, start, bin_size, grid, pooled: int, size: int) -> _AxisSamples:
        per_box = grid * pooled
        offsets = np.concatenate([[0], np.cumsum(per_box)])
        box = np.repeat(np.arange(len(grid)), per_box)
        k = np.arange(offsets[-1]) - offsets[box]
        g = grid[box]
        p, i = k // g, k % g
        s, b = start[box], bin_size[box]
        # yy = roi_start_h + ph * bin_size_h + (iy + .5f) * bin_size_h / roi_bin_grid_h
        coord = (s + p.astype(_F32) * b) + (i.astype(_F32) + _F32(0.5)) * b / g.astype(_F32)
        valid = (coord >= -1) & (coord <= size)
        clamped = np.maximum(coord, _F32(0))
        low = clamped.astype(np.int64)  # truncation, as static_cast<int>
        at_edge = low >= size - 1
        low = np.where(at_edge, size - 1, low)
        high = np.where(at_edge, size - 1, low + 1)
        clamped = np.where(at_edge, low.astype(_F32), clamped)
        w_high = (clamped - low.astype(_F32)).astype(_F32)
        w_low = (_F32(1) - w_high).astype(_F32)
        zero = _F32(0)
        return cls(
            start=start,
            bin_size=bin_size,
            grid=grid,
            pooled=pooled,
            size=size,
            offsets=offsets,
            box=box,
            bin=p,
            coord=coord,
            low=np.where(valid, low, 0),
            high=np.where(valid, high, 0),
            w_low=np.where(valid, w_low, zero),
            w_high=np.where(valid, w_high, zero),
            valid=valid,
        )

    def axis(self, r: int) -> AlignAxis:
        part = slice(self.offsets[r], self.offsets[r + 1])
        shape = (self.pooled, int(self.grid[r]))

        def cut(values):
            return values[part].reshape(shape)

        return AlignAxis(
            start=float(self.start[r]),
            bin_size=float(self.bin_size[r]),
            grid=int(self.grid[r]),
            coord=cut(self.coord),
            low=cut(self.low),
            high=cut(self.high),
            w_low=cut(self.w_low),
            w_high=cut(self.w_high),
            valid=cut(self.valid),
        )

    def weights(self) -> np.ndarray:
        """(R, P, size) float32: summed 1-D weights of each box's bins on each cell."""
        boxes = len(self.grid)
        rows = self.box * self.pooled + self.bin
        matrix = _summed_weights(
            rows, self.low, self.high, self.w_low, self.w_high, boxes * self.pooled, self.size
        )
        return matrix.reshape(boxes, self.pooled, self.size)

    def spans(self) -> tuple[np.ndarray, np.ndarray]:
        """Per box, the [lo, hi) of cells its valid samples read (lo == hi: none)."""
        boxes = len(self.grid)
        cells = self.box[self.valid] * self.size
        read = np.zeros(boxes * self.size, bool)
        read[cells + self.low[self.valid]] = True
        read[cells + self.high[self.valid]] = True
        read = read.reshape(boxes, self.size)
        anything = read.any(axis=1)
        lo = np.where(anything, np.argmax(read, axis=1), 0)
        hi = np.where(anything, self.size - np.argmax(read[:, ::-1], axis=1), 0)
        return lo, hi


@dataclass(frozen=True)
class AlignSamples:
    """Where ``roi_align`` samples one box, and with what weights.

    Separable: sample ``(iy, ix)`` of bin ``(ph, pw)`` sits at
    ``(y.coord[ph, iy], x.coord[pw, ix])`` and reads the four cells
    ``(y.low, x.low)``, ``(y.low, x.high)``, ``(y.high, x.low)``, ``(y.high, x.high)``
    with weights ``hy*hx, hy*lx, ly*hx, ly*lx`` (float32 products). Each bin is
    the sum over its ``count = grid_h * grid_w`` samples divided by ``count``.
    """

    y: AlignAxis
    x: AlignAxis
    count: int

    def neighbours(self, ph: int, pw: int, iy: int, ix: int) -> list[tuple[int, int, float]]:
        """The four ``(row, col, weight)`` terms of one sample (all weights 0 if it is outside)."""
        y, x = self.y, self.x
        rows = (y.low[ph, iy], y.low[ph, iy], y.high[ph, iy], y.high[ph, iy])
        cols = (x.low[pw, ix], x.high[pw, ix], x.low[pw, ix], x.high[pw, ix])
        wy = (y.w_low[ph, iy], y.w_low[ph, iy], y.w_high[ph, iy], y.w_high[ph, iy])
        wx = (x.w_low[pw, ix], x.w_high[pw, ix], x.w_low[pw, ix], x.w_high[pw, ix])
        terms = zip(rows, cols, wy, wx, strict=True)
        return [(int(r), int(c), float(_F32(a) * _F32(b))) for r, c, a, b in terms]

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """(ys, xs), each (PH, PW, grid_h, grid_w): every sample position in map cells."""
        ys = np.broadcast_to(self.y.coord[:, None, :, None], self.shape)
        xs = np.broadcast_to(self.x.coord[None, :, None, :], self.shape)
        return ys, xs

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return (self.y.coord.shape[0], self.x.coord.shape[0], self.y.grid, self.x.grid)


@dataclass(frozen=True)
class _AlignPlan:
    """Everything ``roi_align`` and its backward need, validated and vectorised."""

    data: np.ndarray  # (N, C, H, W) float32
    pooled: tuple[int, int]
    batch: np.ndarray  # (R,), negative for skipped boxes
    y: _AxisSamples
    x: _AxisSamples

    @property
    def counts(self) -> np.ndarray:
        return self.y.grid * self.x.grid

    def live_boxes(self) -> list[tuple[int, int, int, int, int, int]]:
        """(box, image, row start, row end, column start, column end) of every box whose
        samples read at least one cell; plain ints, cheap to slice with."""
        (y0, y1), (x0, x1) = self.y.spans(), self.x.spans()
        live = np.flatnonzero((self.batch >= 0) & (y1 > y0) & (x1 > x0))
        columns = (live, self.batch[live], y0[live], y1[live], x0[live], x1[live])
        return list(zip(*(np.asarray(v).tolist() for v in columns), strict=True))

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """(Ry / count, Cx): per box, the row weights (already divided by the box's
        sample count, so each bin is a plain weighted sum) and the column weights."""
        inverse = _F32(1) / np.maximum(self.counts, 1).astype(_F32)
        return self.y.weights() * inverse[:, None, None], self.x.weights()

    def box(self, r: int) -> AlignSamples | None:
        if self.batch[r] < 0:
            return None
        return AlignSamples(y=self.y.axis(r), x=self.x.axis(r), count=int(self.counts[r]))


def _check_align_params(pooled_size, spatial_scale, sample_ratio, aligned):
    return (
        _check_pooled_size(pooled_size),
        _check_scale(spatial_scale),
        _check_int(sample_ratio, "sample_ratio"),
        _check_bool(aligned, "aligned"),
    )


def _align_geometry(rows, batch, pooled, scale, sample_ratio, aligned, map_shape):
    """Both axes' samples for every box; raises where mxnet would abort or run away."""
    ph, pw = pooled
    height, width = map_shape
    offset = _F32(0.5) if aligned else _F32(0)
    start_w = rows[:, 1] * scale - offset
    start_h = rows[:, 2] * scale - offset
    roi_w = (rows[:, 3] * scale - offset) - start_w
    roi_h = (rows[:, 4] * scale - offset) - start_h
    used = batch >= 0
    if aligned:
        bad = used & ~((roi_w > 0) & (roi_h > 0))
        if bad.any():
            r = int(np.argmax(bad))
            raise ValueError(
                f"rois[{r}] has width {roi_w[r]:g} and height {roi_h[r]:g} in map cells; with "
                "aligned=True both must be > 0 (mxnet aborts the whole process on such a box)"
            )
    else:  # the kernel forces malformed boxes to at least 1x1
        roi_w = np.maximum(roi_w, _F32(1))
        roi_h = np.maximum(roi_h, _F32(1))
    bin_h = (roi_h / _F32(ph)).astype(_F32)
    bin_w = (roi_w / _F32(pw)).astype(_F32)
    if sample_ratio > 0:
        grid_h = np.full(len(rows), sample_ratio, np.int64)
        grid_w = grid_h.copy()
    else:
        grid_h = np.ceil(bin_h).astype(np.int64)
        grid_w = np.ceil(bin_w).astype(np.int64)
    grid_h, grid_w = np.where(used, grid_h, 0), np.where(used, grid_w, 0)
    samples = ph * pw * grid_h.astype(np.float64) * grid_w
    if (samples > MAX_SAMPLES_PER_BOX).any():
        r = int(np.argmax(samples > MAX_SAMPLES_PER_BOX))
        raise ValueError(
            f"rois[{r}] needs {grid_h[r]} x {grid_w[r]} samples in each of {ph} x {pw} bins "
            f"({samples[r]:.0f} in all), more than MAX_SAMPLES_PER_BOX = {MAX_SAMPLES_PER_BOX}; "
            "use a smaller box or a fixed sample_ratio"
        )
    return (
        _AxisSamples.build(start_h, bin_h, grid_h, ph, height),
        _AxisSamples.build(start_w, bin_w, grid_w, pw, width),
    )


def _align_plan(data, rois, pooled_size, spatial_scale, sample_ratio, aligned) -> _AlignPlan:
    """Validate everything first (so nothing is computed for a bad call)."""
    x = _check_data(data)
    if not np.isfinite(x).all():
        raise ValueError(
            "data contains NaN or infinity; roi_align needs finite values (its separable sums "
            "would spread a non-finite cell further than mxnet's per-sample loop does)"
        )
    pooled, scale, ratio, aligned = _check_align_params(pooled_size, spatial_scale, sample_ratio, aligned)
    rows, batch = _check_rois(rois, x.shape[0], scale, allow_negative_batch=True)
    y, xs = _align_geometry(rows, batch, pooled, scale, ratio, aligned, x.shape[2:])
    return _AlignPlan(data=x, pooled=pooled, batch=batch, y=y, x=xs)


def roi_align_samples(
    roi,
    pooled_size,
    spatial_scale: float = 1.0,
    sample_ratio: int = -1,
    aligned: bool = False,
    map_shape=(1, 1),
) -> AlignSamples:
    """The sample points and bilinear weights ``roi_align`` uses for one box.

    The rule (mxnet ``contrib.ROIAlign``, from Caffe2/Detectron), all in float32:

    1. no rounding: ``roi_start_w = x1 * spatial_scale - offset`` where ``offset``
       is 0.5 when ``aligned`` and 0 otherwise (likewise for the other corners);
    2. ``roi_width = roi_end_w - roi_start_w``, forced to at least 1 when not
       ``aligned`` (with ``aligned`` it must be > 0); ``bin_size_w = roi_width / PW``;
    3. ``grid_w = sample_ratio`` if it is > 0, else ``ceil(roi_width / PW)``
       (adaptive: about one sample per cell);
    4. sample ``ix`` of bin ``pw`` is at
       ``x = roi_start_w + pw * bin_size_w + (ix + 0.5) * bin_size_w / grid_w``;
    5. a sample beyond ``[-1, W]`` counts as 0; otherwise ``x`` is clamped to
       ``>= 0``, ``x_low = int(x)``, ``x_high = x_low + 1`` (both ``W - 1`` at the
       right edge), and the 1-D weights are ``lx = x - x_low``, ``hx = 1 - lx``.

    Parameters
    ----------
    roi : sequence of 5 numbers
        ``[batch_index, x1, y1, x2, y2]`` in image pixels (the batch index is not used).
    pooled_size, spatial_scale, sample_ratio, aligned
        As for ``roi_align``.
    map_shape : (int, int)
        ``(H, W)`` of the feature map.

    Returns
    -------
    AlignSamples

    Examples
    --------
    >>> s = roi_align_samples([0, 0, 0, 2, 2], 2, sample_ratio=2, map_shape=(4, 4))
    >>> s.x.coord.tolist()   # two bins of width 1, two samples each
    [[0.25, 0.75], [1.25, 1.75]]
    >>> s.neighbours(0, 0, 0, 0)   # (row, col, weight) of the top-left sample
    [(0, 0, 0.5625), (0, 1, 0.1875), (1, 0, 0.1875), (1, 1, 0.0625)]
    """
    row = _check_roi_row(roi)
    row[0] = 0
    pooled, scale, ratio, aligned = _check_align_params(pooled_size, spatial_scale, sample_ratio, aligned)
    shape = _check_map_shape(map_shape)
    rows, batch = _check_rois(row[None, :], 1, scale)
    y, x = _align_geometry(rows, batch, pooled, scale, ratio, aligned, shape)
    return AlignSamples(y=y.axis(0), x=x.axis(0), count=int(y.grid[0] * x.grid[0]))


# ---------------------------------------------------------------------------
# RoIAlign
# ---------------------------------------------------------------------------


def roi_align(
    data,
    rois,
    pooled_size,
    spatial_scale: float = 1.0,
    sample_ratio: int = -1,
    aligned: bool = False,
) -> np.ndarray:
    """RoIAlign, equal to ``mxnet.nd.contrib.ROIAlign`` to float32 rounding.

    Each bin is the average of ``grid_h x grid_w`` bilinear samples placed as
    ``roi_align_samples`` describes (no rounding of the box; samples at
    ``(i + 0.5) / grid`` of each bin; ``aligned=True`` shifts the box by half a
    cell so that pixel corners, not centres, line up with whole coordinates).

    Because the bilinear weight of a sample is a row weight times a column weight,
    a bin's value is ``Ry @ map @ Cx.T / count`` with small per-box weight
    matrices (two matrix products per box, on the box's rows and columns only);
    this sums in a different order from the kernel, so results can differ from
    mxnet in the last float32 bits (``roi_loops.roi_align_loop`` follows the
    kernel's order and matches exactly).

    Parameters
    ----------
    data : array (N, C, H, W)
        Must be finite.
    rois : array (R, 5)
        Rows ``[batch_index, x1, y1, x2, y2]`` in image pixels. A negative batch
        index marks a padding box: its output is all zeros (mxnet documents this
        but leaves most of that output uninitialised).
    pooled_size : int or (int, int)
    spatial_scale : float
    sample_ratio : int
        Samples per bin along each axis; <= 0 means adaptive,
        ``ceil(roi_size / pooled_size)``.
    aligned : bool
        Subtract half a cell from the scaled corners (Detectron2's fix).

    Returns
    -------
    ndarray (R, C, PH, PW), float32

    Raises
    ------
    TypeError, ValueError
        As for ``roi_pool``; also for non-finite ``data``, an ``aligned`` box of
        zero or negative size (mxnet aborts the process) and a box needing more
        than ``MAX_SAMPLES_PER_BOX`` samples (mxnet would run for minutes).

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> roi_align(x, [[0, 0, 0, 2, 2]], 2, sample_ratio=2)[0, 0].tolist()
    [[2.5, 3.5], [6.5, 7.5]]
    """
    plan = _align_plan(data, rois, pooled_size, spatial_scale, sample_ratio, aligned)
    n, c, h, w = plan.data.shape
    ph, pw = plan.pooled
    channels_last = np.ascontiguousarray(plan.data.transpose(0, 2, 3, 1))
    ry, cx = plan.weights()
    out = np.zeros((len(plan.batch), c, ph, pw), _F32)
    for r, image, a, b, d, e in plan.live_boxes():
        block = channels_last[image, a:b, d:e].reshape(b - a, -1)  # a view: (w', C) merge
        rows = (ry[r, :, a:b] @ block).reshape(ph, e - d, c)  # every bin row's weighted sum
        # then the columns: PH products (C x w') @ (w' x PW), written straight into (C, PH, PW)
        np.matmul(rows.transpose(0, 2, 1), cx[r, :, d:e].T, out=out[r].transpose(1, 0, 2))
    return out


def roi_align_backward(
    out_grad,
    data,
    rois,
    pooled_size,
    spatial_scale: float = 1.0,
    sample_ratio: int = -1,
    aligned: bool = False,
) -> np.ndarray:
    """Gradient of ``roi_align`` with respect to ``data``, as ``mxnet.autograd`` gives it.

    Each output's gradient is shared among the four neighbours of each of its
    samples, in proportion to their bilinear weights, divided by the number of
    samples: cell ``(h, w)`` receives ``g * Ry[ph, h] * Cx[pw, w] / count`` summed
    over bins. Samples outside the map and padding boxes (negative batch index)
    send nothing.

    Parameters
    ----------
    out_grad : array (R, C, PH, PW)
    data, rois, pooled_size, spatial_scale, sample_ratio, aligned
        As for ``roi_align``.

    Returns
    -------
    ndarray (N, C, H, W), float32

    Examples
    --------
    One sample in the middle of four cells gives each a quarter:

    >>> x = np.zeros((1, 1, 2, 2), np.float32)
    >>> g = roi_align_backward(np.ones((1, 1, 1, 1)), x, [[0, 0, 0, 1, 1]], 1, sample_ratio=1)
    >>> g[0, 0].tolist()
    [[0.25, 0.25], [0.25, 0.25]]
    """
    plan = _align_plan(data, rois, pooled_size, spatial_scale, sample_ratio, aligned)
    n, c, h, w = plan.data.shape
    ph, pw = plan.pooled
    grad = _check_out_grad(out_grad, (len(plan.batch), c, ph, pw))
    ry, cx = plan.weights()
    result = np.zeros((n, h, w, c), _F32)
    for r, image, a, b, d, e in plan.live_boxes():
        g = grad[r].transpose(1, 2, 0)  # (PH, PW, C)
        cols = np.matmul(cx[r, :, d:e].T, g)  # (PH, w', C)
        cells = ry[r, :, a:b].T @ cols.reshape(ph, -1)  # (h', w' * C)
        result[image, a:b, d:e] += cells.reshape(b - a, e - d, c)
    return np.ascontiguousarray(result.transpose(0, 3, 1, 2))


# ---------------------------------------------------------------------------
# Spatial pyramid pooling
# ---------------------------------------------------------------------------


def _check_levels(levels) -> tuple[int, ...]:
    if isinstance(levels, (str, bytes)) or not isinstance(levels, (Sequence, np.ndarray)):
        raise TypeError(f"levels must be a sequence of integers such as (4, 2, 1); got {levels!r}")
    if len(levels) == 0:
        raise ValueError("levels must name at least one pyramid level")
    return tuple(_check_int(n, f"levels[{i}]", 1) for i, n in enumerate(levels))


def whole_map_roi(batch_index: int, map_shape) -> list[float]:
    """The box that covers every cell of an ``(H, W)`` map at scale 1: ``[b, 0, 0, W-1, H-1]``.

    Examples
    --------
    >>> whole_map_roi(0, (5, 7))
    [0.0, 0.0, 0.0, 6.0, 4.0]
    """
    height, width = _check_map_shape(map_shape)
    return [float(batch_index), 0.0, 0.0, float(width - 1), float(height - 1)]


def spp(data, levels=(4, 2, 1)) -> np.ndarray:
    """Spatial pyramid pooling: one fixed-length vector per image, whatever its size.

    Level ``n`` is ``roi_pool`` of the whole map (``whole_map_roi``) into ``n x n``
    bins at scale 1, so its bins follow the floor/ceil rule and always number
    ``n x n`` (when the map is smaller than ``n`` some bins repeat a cell). Each
    level's ``(C, n, n)`` output is flattened channel-major and the levels are
    concatenated in the order given: length ``C * sum(n * n)``.

    Parameters
    ----------
    data : array (N, C, H, W)
    levels : sequence of int
        Bins per side for each level, each >= 1.

    Returns
    -------
    ndarray (N, C * sum(n**2)), float32

    Examples
    --------
    >>> spp(np.zeros((2, 3, 13, 9)), (4, 2, 1)).shape   # 3 * (16 + 4 + 1)
    (2, 63)
    >>> spp(np.zeros((2, 3, 40, 60)), (4, 2, 1)).shape  # same length, bigger map
    (2, 63)
    """
    x = _check_data(data)
    sizes = _check_levels(levels)
    n, c, h, w = x.shape
    boxes = [whole_map_roi(b, (h, w)) for b in range(n)]
    parts = [roi_pool(x, boxes, (level, level)).reshape(n, -1) for level in sizes]
    return np.concatenate(parts, axis=1)


@dataclass(frozen=True)
class SppWindows:
    """The SPP paper's pooling windows along one axis of size ``size`` for level ``n``.

    ``window = ceil(size / n)``, ``stride = floor(size / n)``; window ``k`` covers
    ``[k * stride, k * stride + window)``. ``bins`` is how many windows fit
    (``floor((size - window) / stride) + 1``), which is not always ``n``;
    ``missed`` lists the cells no window reads; ``works`` is True when the recipe
    gives ``n`` windows that read every cell. ``stride == 0`` (``size < n``)
    means the recipe cannot be applied at all: no windows.
    """

    size: int
    n: int
    window: int
    stride: int
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @property
    def bins(self) -> int:
        return len(self.starts)

    @property
    def gives_n_bins(self) -> bool:
        return self.bins == self.n

    @property
    def works(self) -> bool:
        """``n`` windows that together read every cell (what the recipe is meant to give)."""
        return self.gives_n_bins and not self.missed

    @property
    def missed(self) -> tuple[int, ...]:
        read = np.zeros(self.size, bool)
        for a, b in zip(self.starts, self.ends, strict=True):
            read[a:b] = True
        return tuple(int(i) for i in np.flatnonzero(~read))


def spp_paper_windows(size: int, n: int) -> SppWindows:
    """The SPP-net paper's window/stride recipe for one axis (He et al., 2014, sec. 2.3).

    For a map side ``size`` and a level of ``n`` bins the paper pools with
    window ``ceil(size / n)`` and stride ``floor(size / n)``. That yields ``n``
    windows only for some sizes; for others it yields more, or misses the last
    cells. Compare with ``roi_pool_bins(whole_map_roi(...), n)``, which always
    gives ``n`` bins.

    Parameters
    ----------
    size : int
        Map height or width, >= 1.
    n : int
        Bins per side at this level, >= 1.

    Returns
    -------
    SppWindows

    Examples
    --------
    >>> w = spp_paper_windows(13, 4)   # the paper's own conv5 size
    >>> (w.window, w.stride, w.bins, w.missed)
    (4, 3, 4, ())
    >>> w = spp_paper_windows(7, 4)
    >>> (w.window, w.stride, w.bins, w.missed)
    (2, 1, 6, ())
    >>> spp_paper_windows(10, 4).missed   # window 3, stride 2: the last cell is never read
    (9,)
    >>> [a for a in range(1, 13) if spp_paper_windows(a, 4).works]
    [4, 5, 8, 9, 12]
    """
    size = _check_int(size, "size", 1)
    n = _check_int(n, "n", 1)
    window = -(-size // n)
    stride = size // n
    if stride == 0:
        return SppWindows(size, n, window, stride, (), ())
    count = (size - window) // stride + 1
    starts = tuple(k * stride for k in range(count))
    return SppWindows(size, n, window, stride, starts, tuple(s + window for s in starts))


# ---------------------------------------------------------------------------
# Geometry for pictures: the edges of boxes and bins, as the operators form them. Every
# explorer and figure script draws through these, so a picture cannot disagree with a number.
# Map coordinates: cell (r, c) has its centre at (x, y) = (c, r) and spans [c - 0.5, c + 0.5].
# ---------------------------------------------------------------------------

__all__ += ["pixel_box_edges", "pool_box_edges", "pool_bin_edges"]


def pixel_box_edges(roi, spatial_scale: float = 1.0) -> tuple[float, float, float, float]:
    """``(left, top, right, bottom)`` of the area a box's inclusive pixel corners cover, in map
    cells: pixel ``x`` spans ``[x - 0.5, x + 0.5]``, so the box runs from ``x1 - 0.5`` to
    ``x2 + 0.5`` (likewise in y), times ``spatial_scale``. This is the box as ``roi_pool`` reads it
    before rounding (its width ``x2 - x1 + 1``).

    Parameters
    ----------
    roi : sequence of 5 numbers
        ``[batch_index, x1, y1, x2, y2]`` in image pixels (the batch index is not used).
    spatial_scale : float

    Examples
    --------
    >>> pixel_box_edges([0, 1, 0, 3, 2])
    (0.5, -0.5, 3.5, 2.5)
    >>> pixel_box_edges([0, 8, 0, 23, 15], 0.25)
    (1.875, -0.125, 5.875, 3.875)
    """
    row = _check_roi_row(roi)
    scale = float(_check_scale(spatial_scale))
    x1, y1, x2, y2 = (float(v) for v in row[1:])
    return (x1 - 0.5) * scale, (y1 - 0.5) * scale, (x2 + 0.5) * scale, (y2 + 0.5) * scale


def pool_box_edges(bins: PoolBins) -> tuple[float, float, float, float]:
    """``(left, top, right, bottom)`` edges of the cells ``roi_pool`` assigns a box after rounding:
    cells ``roi_start .. roi_end`` of ``bins`` (from ``roi_pool_bins``), both ends included, not
    clipped to the map (a box off the map is drawn where it is).

    Examples
    --------
    >>> pool_box_edges(roi_pool_bins([0, 1, 0, 3, 2], 2, 1.0, (7, 7)))
    (0.5, -0.5, 3.5, 2.5)
    """
    if not isinstance(bins, PoolBins):
        raise TypeError(f"bins must be a PoolBins (from roi_pool_bins); got {type(bins).__name__}")
    return (
        bins.roi_start_w - 0.5,
        bins.roi_start_h - 0.5,
        bins.roi_end_w + 0.5,
        bins.roi_end_h + 0.5,
    )


def pool_bin_edges(bins: PoolBins) -> np.ndarray:
    """(PH, PW, 4) float: ``[left, top, right, bottom]`` edges of the cells each bin reads (the
    half-open ranges ``[wstart, wend)`` and ``[hstart, hend)``, clipped to the map). An empty bin
    (output 0) has ``right <= left`` or ``bottom <= top``: ``bins.empty`` says which.

    Examples
    --------
    Three cells in two bins: the middle row and column belong to both bins.

    >>> pool_bin_edges(roi_pool_bins([0, 1, 0, 3, 2], 2, 1.0, (7, 7)))[0].tolist()
    [[0.5, -0.5, 2.5, 1.5], [1.5, -0.5, 3.5, 1.5]]
    """
    if not isinstance(bins, PoolBins):
        raise TypeError(f"bins must be a PoolBins (from roi_pool_bins); got {type(bins).__name__}")
    ph, pw = bins.pooled_size
    edges = np.empty((ph, pw, 4))
    edges[..., 0] = bins.wstart[None, :] - 0.5
    edges[..., 1] = bins.hstart[:, None] - 0.5
    edges[..., 2] = bins.wend[None, :] - 0.5
    edges[..., 3] = bins.hend[:, None] - 0.5
    return edges
