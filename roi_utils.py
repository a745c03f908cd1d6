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

import contextlib
import functools
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

# Argument checking lives in roi_checks (documented, public names); the private names stay as aliases.
from roi_checks import MAX_SCALED_COORDINATE
from roi_checks import check_bool as _check_bool
from roi_checks import check_data as _check_data
from roi_checks import check_int as _check_int
from roi_checks import check_map_shape as _check_map_shape
from roi_checks import check_out_grad as _check_out_grad
from roi_checks import check_pooled_size as _check_pooled_size
from roi_checks import check_roi_row as _check_roi_row
from roi_checks import check_rois as _check_rois
from roi_checks import check_scale as _check_scale
from roi_checks import numeric_array as _numeric_array  # noqa: F401 (kept for callers elsewhere)

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

_F32 = np.float32


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
       ``ceil((pw + 1) * bin_size_w)`` (each product rounded to float32 before floor
       and ceil, as in the kernel), shifted by ``roi_start_w`` and clipped to
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


_TABLE_EXTENT = 15
"""Boxes whose bins are all at most this many cells tall and wide are pooled all at once,
by lookup in window tables; boxes with a larger bin one by one, separably."""

_TABLE_BYTES = 2**28
"""The most memory one channel's window tables may take; past it, every box goes one by one."""

_CHUNK_ELEMENTS = 2**17
"""Table lookups are done in chunks of about this many values, so that they stay in cache."""

_BLOCK_BYTES = 2**23
"""The window tables are built for a block of channels at a time, about this many bytes of
them, so that they stay in cache (and need no fresh memory from the system each call)."""


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_THREADS = min(4, _usable_cpus())
"""Channel blocks are pooled on this many threads (numpy releases the GIL inside each
call; blocks write disjoint parts of the output, so the result does not depend on it)."""


@functools.lru_cache(maxsize=4)
def _thread_pool(threads: int, pid: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(threads, thread_name_prefix="roi_utils")


def _pool_of(threads: int) -> ThreadPoolExecutor:
    """A pool of ``threads`` workers of this process (a forked child has none of its
    parent's threads, so it gets a pool of its own)."""
    return _thread_pool(threads, os.getpid())


def _each_block(blocks: list[slice], work) -> None:
    """``work(block)`` for every block, on ``_THREADS`` threads when there are several blocks."""
    if _THREADS <= 1 or len(blocks) <= 1:
        for block in blocks:
            work(block)
        return
    for done in [_pool_of(_THREADS).submit(work, block) for block in blocks]:
        done.result()


def _levels(extent: np.ndarray) -> np.ndarray:
    """``floor(log2(extent))`` of whole numbers >= 1 (0 for anything smaller)."""
    return np.frexp(np.maximum(extent, 1))[1] - 1


def _window_tables(x: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    """Window maxima of an (N, H, W, C) map, for windows of ``a`` rows by ``2**k`` columns.

    Returns (len(pairs), N, H, W, C): entry ``i`` at ``(n, h, w)`` is the maximum over rows
    ``h .. h + a - 1`` and columns ``w .. w + 2**k - 1`` for ``pairs[i] = (a, k)``, where
    that window fits in the map (the rest is never written or read). A window one row
    taller is one ``np.maximum`` of the shorter one with the map's next row; one twice as
    wide, one ``np.maximum`` of the narrower one with itself shifted by its width (a
    doubling table). The map holds no NaN (float maps are floored at -FLT_MAX first; keys
    are integers), so ``np.maximum`` is the kernel's maximum.
    """
    n, height, width, c = x.shape
    tables = np.empty((len(pairs), *x.shape), x.dtype)
    slot = {pair: i for i, pair in enumerate(pairs)}
    spares = [np.empty_like(x) for _ in range(3)]

    def place(pair, *busy):  # where to grow a window: its table, or a spare buffer not in use
        if pair in slot:
            return tables[slot[pair]]
        return next(s for s in spares if all(s is not b for b in busy))

    rows = x
    for a in range(1, max(a for a, _ in pairs) + 1):
        fit = height - a + 1  # window tops that fit
        widest = max((k for b, k in pairs if b == a), default=-1)
        if a > 1:
            grown = place((a, 0), rows)
            np.maximum(rows[:, :fit], x[:, a - 1 : a - 1 + fit], out=grown[:, :fit])
            rows = grown
        elif (1, 0) in slot:
            tables[slot[1, 0]] = x
        cols = rows
        for k in range(1, widest + 1):
            step, span = 1 << (k - 1), width - (1 << k) + 1
            target = place((a, k), cols, rows)  # rows: the next height grows from it
            np.maximum(cols[:, :fit, :span], cols[:, :fit, step : step + span], out=target[:, :fit, :span])
            cols = target
    return tables


@dataclass(frozen=True)
class _TableLookup:
    """Where each bin of some boxes finds its maximum in the window tables.

    A bin of ``a`` rows from ``hs`` and ``b`` columns from ``ws`` is covered by two
    windows of ``a x 2**k`` cells (``k = floor(log2 b)``) at ``(hs, ws)`` and
    ``(hs, we - 2**k)``: they overlap, which a maximum does not mind, and together
    cover exactly the bin. ``corners`` (2, B, PH, PW) are the windows' rows in the
    stacked tables reshaped to (P * N * H * W, C).
    """

    boxes: np.ndarray
    pairs: list
    corners: np.ndarray
    map_shape: tuple[int, int, int, int]  # (N, C, H, W)

    @classmethod
    def plan(cls, plan: _PoolPlan, itemsize: int) -> _TableLookup | None:
        """The lookup of every box whose bins fit ``_TABLE_EXTENT``, with tables of ``itemsize``
        bytes a value (None when no box qualifies or one channel's tables pass ``_TABLE_BYTES``)."""
        n, _, height, width = plan.data.shape
        tall, wide = plan.he - plan.hs, plan.we - plan.ws
        fits = (tall.max(axis=1, initial=0) <= _TABLE_EXTENT) & (wide.max(axis=1, initial=0) <= _TABLE_EXTENT)
        boxes = np.flatnonzero(fits)
        used = ~plan.empty[boxes]
        if not used.any():
            return None
        tall, level = np.maximum(tall[boxes], 1), _levels(wide[boxes])
        code = tall[:, :, None] * 64 + level[:, None, :]  # (B, PH, PW); level < 64
        codes = np.unique(code[used])
        if len(codes) * n * height * width * itemsize > _TABLE_BYTES:  # even one channel's tables
            return None
        which = np.minimum(np.searchsorted(codes, code), len(codes) - 1)  # empty bins: any table
        base = (which * n + plan.batch[boxes][:, None, None]) * (height * width)
        top = (np.clip(plan.hs[boxes], 0, height - 1) * width)[:, :, None]
        left = np.clip(plan.ws[boxes], 0, width - 1)[:, None, :]
        right = np.clip(plan.we[boxes] - (1 << level), 0, width - 1)[:, None, :]
        corners = np.stack([base + top + left, base + top + right])
        return cls(boxes, [(int(v) // 64, int(v) % 64) for v in codes], corners, plan.data.shape)

    def channel_blocks(self) -> list[slice]:
        """Blocks of channels whose float32 tables take about ``_BLOCK_BYTES`` (int64 keys twice that)."""
        n, channels, height, width = self.map_shape
        step = max(1, min(channels, _BLOCK_BYTES // (len(self.pairs) * n * height * width * 4)))
        return [slice(k, k + step) for k in range(0, channels, step)]

    def chunks(self, channels: int) -> list[slice]:
        """Slices of ``boxes`` small enough that a chunk's lookups stay in cache."""
        step = max(1, _CHUNK_ELEMENTS // (self.corners[0, 0].size * channels))
        return [slice(k, k + step) for k in range(0, len(self.boxes), step)]

    def maxima(self, tables: np.ndarray, part: slice) -> np.ndarray:
        """(b, PH, PW, C): the maximum of each bin's two windows, for boxes ``boxes[part]``."""
        flat = tables.reshape(-1, tables.shape[-1])
        first, second = self.corners[:, part]
        best = np.take(flat, first.ravel(), axis=0)
        np.maximum(best, np.take(flat, second.ravel(), axis=0), out=best)
        return best.reshape(*first.shape, -1)


def _pool_box_values(channels_last: np.ndarray, hs, he, ws, we) -> np.ndarray:
    """Max of every bin of one box, (PH, PW, C). ``fmax`` skips NaN as the kernel's
    strict ``>`` does, the kernel's starting value -FLT_MAX is applied last, and empty
    bins output 0. (A bin whose maximum is a zero may come out with either sign:
    ``_roi_pool_values`` sends maps holding a ``-0.0`` through ``_roi_pool_core``.)"""
    values = _bin_max(channels_last, hs, he, ws, we, np.fmax)
    np.fmax(values, -FLT_MAX, out=values)
    values[he <= hs] = 0
    values[:, we <= ws] = 0
    return values


_ORDERED_FLT_MAX = int(np.array(-np.finfo(np.float32).max, np.float32).view(np.int32) ^ 0x7FFFFFFF)
_NO_WINNER = np.int64((_ORDERED_FLT_MAX << 32) + (1 << 32) - 1)
"""The key of every cell that can never win (NaN, -inf, -FLT_MAX): it decodes to value
-FLT_MAX and cell -1, and every cell that can win has a larger key."""

_HIGH, _LOW = (1, 0) if sys.byteorder == "little" else (0, 1)
"""Which int32 half of an int64 key holds its value part, and which its cell part."""


def _ordered(bits: np.ndarray) -> np.ndarray:
    """float32 bit patterns as int32 in the floats' order (and back: the map is its own inverse)."""
    return bits ^ ((bits >> 31) & np.int32(0x7FFFFFFF))


def _winner_keys(channels_last: np.ndarray) -> np.ndarray:
    """int64 keys whose maximum over a bin is the cell the kernel picks.

    The kernel keeps the first cell, in row-major order, strictly above the running
    maximum, which starts at -FLT_MAX. So the winner has the largest value and, among
    equal values, the smallest flat index ``h * W + w``. Key = (value as an
    order-preserving int32) * 2**32 + (2**32 - 2 - flat index): comparing keys compares
    values first, then prefers earlier cells. -0.0 is keyed as +0.0 (they compare equal
    in C); NaN, -inf and -FLT_MAX, which never win, all get ``_NO_WINNER``.
    """
    _, height, width, _ = channels_last.shape
    values = channels_last + _F32(0)
    cells = np.arange(height * width, dtype=np.int64).reshape(1, height, width, 1)
    keys = (_ordered(values.view(np.int32)).astype(np.int64) << 32) + ((1 << 32) - 2 - cells)
    return np.where(values > -FLT_MAX, keys, _NO_WINNER)


def _key_values(best: np.ndarray) -> np.ndarray:
    """The float32 values of ``_winner_keys`` keys (``_NO_WINNER``: -FLT_MAX). A winning
    -0.0 comes back as +0.0 (its key is +0.0's): the caller reads those from the map."""
    high = np.ascontiguousarray(best.view(np.int32)[..., _HIGH::2])
    return _ordered(high).view(_F32)


def _key_cells(best: np.ndarray, out: np.ndarray) -> None:
    """Write the cells ``h * W + w`` of ``_winner_keys`` keys into ``out`` (``_NO_WINNER``: -1)."""
    np.subtract((1 << 32) - 2, best & ((1 << 32) - 1), out=out)


def _pool_box_keys(keys: np.ndarray, hs, he, ws, we) -> np.ndarray:
    """The best ``_winner_keys`` key of every bin of one box, (PH, PW, C), separably."""
    return _bin_max(keys, hs, he, ws, we, np.maximum)


@dataclass(frozen=True)
class _PoolPlan:
    """Validated inputs of a pooling call and the bins of every box."""

    data: np.ndarray
    batch: np.ndarray
    hs: np.ndarray
    he: np.ndarray
    ws: np.ndarray
    we: np.ndarray

    def channels_last(self, channels=slice(None)) -> np.ndarray:
        """(N, H, W, C) copy of the map (of some of its channels): always a copy, never a view
        of the caller's array (with one channel the transposed map is already contiguous),
        so that it may be changed in place."""
        return np.array(self.data[:, channels].transpose(0, 2, 3, 1), order="C", copy=True)

    def output(self, dtype=_F32) -> np.ndarray:
        """An unset (R, C, PH, PW) array, for the caller to fill every entry of."""
        r, c = len(self.batch), self.data.shape[1]
        return np.empty((r, c, self.hs.shape[1], self.ws.shape[1]), dtype)

    @functools.cached_property
    def has_negative_zero(self) -> bool:
        """Whether the map holds a -0.0 (the one value a maximum cannot place: equal to +0.0)."""
        return bool(np.any(self.data.view(np.int32) == np.int32(-(2**31))))

    @functools.cached_property
    def empty(self) -> np.ndarray:
        """(R, PH, PW) bool: bins that read no cell."""
        return (self.he <= self.hs)[:, :, None] | (self.we <= self.ws)[:, None, :]


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


def _put_boxes(out: np.ndarray, boxes: np.ndarray, channels_last_values: np.ndarray, channels=slice(None)):
    """``out[boxes, channels] = values`` moved from (B, PH, PW, C) to (B, C, PH, PW); a
    plain copy when ``boxes`` are consecutive (faster than a fancy-indexed one)."""
    nchw = channels_last_values.transpose(0, 3, 1, 2)
    if len(boxes) and boxes[-1] - boxes[0] + 1 == len(boxes):
        out[boxes[0] : boxes[-1] + 1, channels] = nchw
    else:
        out[boxes, channels] = nchw


def _by_table_and_the_rest(plan: _PoolPlan, itemsize: int):
    """(the window-table lookup of the boxes it serves or None, the other boxes as ints)."""
    lookup = _TableLookup.plan(plan, itemsize)
    boxes = np.arange(len(plan.batch))
    if lookup is None:
        return None, boxes.tolist()
    return lookup, np.setdiff1d(boxes, lookup.boxes).tolist()


def _roi_pool_core(plan: _PoolPlan):
    """NCHW (R, C, PH, PW) values and int64 argmax cells of every box.

    Each cell's ``_winner_keys`` key orders cells as the kernel's strict ``>`` does; a
    bin's best key names its winner. Boxes whose bins are at most ``_TABLE_EXTENT``
    cells a side: two lookups per bin in window tables of keys, all boxes at once;
    larger boxes one by one, separably. Empty bins: value 0, cell -1; bins without a
    winner (only NaN, -inf, -FLT_MAX): ``-FLT_MAX``, cell -1.
    """
    n, c, h, w = plan.data.shape
    values, argmax = plan.output(), plan.output(np.int64)

    def put(boxes, best, channels=slice(None)):
        _put_boxes(values, boxes, _key_values(best), channels)
        cells = np.empty(best.shape, np.int64)
        _key_cells(best, cells)
        _put_boxes(argmax, boxes, cells, channels)

    lookup, rest = _by_table_and_the_rest(plan, 8)
    if lookup is not None:

        def pool_block(block):
            tables = _window_tables(_winner_keys(plan.channels_last(block)), lookup.pairs)
            for part in lookup.chunks(tables.shape[-1]):
                put(lookup.boxes[part], lookup.maxima(tables, part), block)

        _each_block(lookup.channel_blocks(), pool_block)
    if rest:
        keys = _winner_keys(plan.channels_last())
        for r in rest:
            best = _pool_box_keys(keys[plan.batch[r]], plan.hs[r], plan.he[r], plan.ws[r], plan.we[r])
            put(np.array([r]), best[None])
    box, i, j = np.nonzero(plan.empty)
    values[box, :, i, j], argmax[box, :, i, j] = 0, -1
    if plan.has_negative_zero:  # keys cannot tell -0.0 from +0.0: read zero winners from the map
        r, ch, i, j = np.nonzero((values == 0) & (argmax >= 0))
        values[r, ch, i, j] = plan.data.reshape(n, c, h * w)[plan.batch[r], ch, argmax[r, ch, i, j]]
    return values, argmax


def _roi_pool_values(plan: _PoolPlan) -> np.ndarray:
    """``roi_pool``'s (R, C, PH, PW) output.

    The map is first raised to the kernel's start value -FLT_MAX by ``fmax`` (which also
    turns NaN, never picked by the kernel's strict ``>``, into -FLT_MAX). Then boxes
    whose bins are at most ``_TABLE_EXTENT`` cells a side all at once, by two lookups
    per bin in window tables of maxima; larger boxes separably one by one; 0 for empty
    bins. A maximum may return either of two equal zeros, where the kernel keeps the
    first in row-major order; so a map holding a -0.0 goes through ``_roi_pool_core``,
    which finds each winning cell.
    """
    if plan.has_negative_zero:
        return _roi_pool_core(plan)[0]
    out = plan.output()
    lookup, rest = _by_table_and_the_rest(plan, 4)
    if lookup is not None:
        empty = plan.empty

        def pool_block(block):
            x = plan.channels_last(block)
            tables = _window_tables(np.fmax(x, -FLT_MAX, out=x), lookup.pairs)
            for part in lookup.chunks(tables.shape[-1]):
                boxes = lookup.boxes[part]
                best = lookup.maxima(tables, part)
                best[empty[boxes]] = 0
                _put_boxes(out, boxes, best, block)

        _each_block(lookup.channel_blocks(), pool_block)
    if rest:
        x = plan.channels_last()
        for r in rest:
            box_values = _pool_box_values(x[plan.batch[r]], plan.hs[r], plan.he[r], plan.ws[r], plan.we[r])
            out[r] = box_values.transpose(2, 0, 1)
    return out


def _valid_argmax(argmax, expected: tuple[int, ...]) -> np.ndarray:
    """A kept ``argmax`` (from ``roi_pool(..., return_argmax=True)``) checked for type and shape
    (``_scatter_to_argmax`` checks the range, a block at a time)."""
    array = np.asarray(argmax)
    if array.dtype.kind not in "iu":
        raise TypeError(f"argmax must hold integers (cell indices h * W + w); got dtype {array.dtype}")
    if array.shape != expected:
        raise ValueError(f"argmax must have the forward output's shape {expected}; got {array.shape}")
    return array.astype(np.int64, copy=False)


def _check_cells(cells: np.ndarray, count: int) -> None:
    if cells.size and (cells.min() < -1 or cells.max() >= count):
        raise ValueError(f"argmax entries must be -1 (no cell) or a cell index 0..{count - 1}")


_SCATTER_ELEMENTS = 2**19
"""The backward scatters about this many gradients per ``bincount``, so that its sums stay in cache."""


def _scatter_to_argmax(grad: np.ndarray, argmax: np.ndarray, batch: np.ndarray, shape, kept: bool):
    """(N, C, H, W): each ``grad[r, c, ph, pw]`` added to the cell ``argmax[r, c, ph, pw]`` of
    image ``batch[r]``, channel ``c`` (float64 sums, rounded to float32 once).

    Each (image, channel) plane gets one spare slot in front, where the -1 of a bin
    without a winner lands, so one addition makes every target. A block of channels at a
    time, so that the sums stay in cache, on ``_THREADS`` threads. A ``kept`` argmax (the
    caller's) has each block's cells checked to be -1 or on the map first (ValueError
    otherwise); one just computed from the map needs no check.
    """
    n, c, h, w = shape
    slots = h * w + 1
    out = np.empty((n, c, h * w), _F32)

    def scatter_block(block):
        width = block.stop - block.start
        if kept:
            _check_cells(argmax[:, block], h * w)
        plane = (batch[:, None] * width + np.arange(width)) * slots + 1  # (R, block): each plane's cell 0
        target = argmax[:, block] + plane[:, :, None, None]
        weight = grad[:, block].astype(np.float64, order="C")
        total = np.bincount(target.ravel(), weight.ravel(), n * width * slots)
        out[:, block] = total.reshape(n, width, slots)[:, :, 1:]

    step = max(1, _SCATTER_ELEMENTS // max(1, argmax[:, :1].size))
    _each_block([slice(k, min(c, k + step)) for k in range(0, c, step)], scatter_block)
    return out.reshape(shape)


def roi_pool(data, rois, pooled_size, spatial_scale: float = 1.0, return_argmax: bool = False):
    """RoI max pooling, bit for bit equal to ``mxnet.nd.ROIPooling``.

    Each box is cut into ``PH x PW`` bins as ``roi_pool_bins`` describes (C-style
    rounding of the scaled corners, inclusive corners, bins from ``floor`` to
    ``ceil`` so neighbours may overlap) and each bin outputs the maximum of the
    cells it reads. An empty bin (outside the map) outputs 0. As in the kernel the
    running maximum starts at ``-FLT_MAX`` and a cell replaces it only when
    strictly greater: NaN cells are skipped, a bin of only ``-inf``/NaN cells
    outputs ``-FLT_MAX``, and of equal cells the first in row-major order wins
    (which decides the sign when a bin's maximum is ``0.0`` and ``-0.0``).

    There is no loop over boxes: a bin is the maximum of two overlapping windows
    (its own rows, a power of two of its columns), looked up in maps of window
    maxima built once per call, a block of channels at a time on up to ``_THREADS``
    threads. Boxes with a bin of more than ``_TABLE_EXTENT`` cells a side are pooled
    separably, one by one. Every path gives the same bits.

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
    return_argmax : bool
        Also return, for every output, the cell it came from (as
        ``roi_pool_argmax`` does), to keep for ``roi_pool_backward(..., argmax=...)``
        as mxnet keeps it for its backward pass.

    Returns
    -------
    ndarray (R, C, PH, PW), float32
        Or ``(values, argmax)`` with ``return_argmax=True``.

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
    >>> signed = np.array([0.0, -0.0], np.float32).reshape(1, 1, 1, 2)
    >>> np.signbit(roi_pool(signed, [[0, 0, 0, 1, 0]], 1)).item()  # the first zero wins: +0.0
    False
    >>> values, argmax = roi_pool(x, [[0, 0, 0, 2, 2]], 1, return_argmax=True)
    >>> values.item(), argmax.item()   # 10 is cell 2 * 4 + 2
    (10.0, 10)
    """
    plan = _pool_plan(data, rois, pooled_size, spatial_scale)
    if _check_bool(return_argmax, "return_argmax"):
        return _roi_pool_core(plan)
    return _roi_pool_values(plan)


def roi_pool_argmax(data, rois, pooled_size, spatial_scale: float = 1.0):
    """``roi_pool`` plus, for every output, the flat index ``h * W + w`` of the cell it came from.

    The index is -1 for an empty bin (and for a bin whose cells are all NaN or
    ``-inf``). Ties go to the first cell in row-major order, as in the kernel.
    The same as ``roi_pool(..., return_argmax=True)``.

    Returns
    -------
    (values, argmax) : float32 and int64 arrays of shape (R, C, PH, PW)

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 3), np.float32)
    >>> roi_pool_argmax(x, [[0, 0, 0, 2, 2]], 1)[1].ravel().tolist()  # all equal: first cell
    [0]
    """
    return roi_pool(data, rois, pooled_size, spatial_scale, return_argmax=True)


def roi_pool_backward(
    out_grad, data, rois, pooled_size, spatial_scale: float = 1.0, argmax=None
) -> np.ndarray:
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
    argmax : int array (R, C, PH, PW), optional
        The cells kept from the forward pass (``roi_pool(..., return_argmax=True)``),
        as mxnet keeps them: then the forward is not computed again and only the
        gradients are scattered. Entries must be -1 or ``0 .. H * W - 1``; they are
        trusted to come from the same ``data`` and ``rois``.

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

    Training keeps the argmax from the forward pass:

    >>> values, kept = roi_pool(x, [[0, 0, 0, 2, 2]], 2, return_argmax=True)
    >>> float(roi_pool_backward(np.ones((1, 1, 2, 2)), x, [[0, 0, 0, 2, 2]], 2, argmax=kept)[0, 0, 1, 1])
    4.0
    """
    plan = _pool_plan(data, rois, pooled_size, spatial_scale)
    n, c, h, w = plan.data.shape
    expected = (len(plan.batch), c, plan.hs.shape[1], plan.ws.shape[1])
    grad = _check_out_grad(out_grad, expected)
    kept = argmax is not None
    argmax = _valid_argmax(argmax, expected) if kept else _roi_pool_core(plan)[1]
    return _scatter_to_argmax(grad, argmax, plan.batch, plan.data.shape, kept)


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
       ``aligned`` (the box keeps ``roi_start_w`` and grows to the right; with
       ``aligned`` it must be > 0); ``bin_size_w = roi_width / PW``;
    3. ``grid_w = sample_ratio`` if it is > 0, else ``ceil(roi_width / PW)``
       (adaptive: about one sample per cell);
    4. sample ``ix`` of bin ``pw`` is at
       ``x = roi_start_w + pw * bin_size_w + (ix + 0.5) * bin_size_w / grid_w``;
    5. the box is never clipped: a sample beyond ``[-1, W]`` adds 0 to its bin, whose
       sum is still divided by ``grid_h * grid_w``; otherwise ``x`` is clamped to
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
# RoIAlign's per-box plan: the cheapest way to do each box's two products
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _openblas_thread_calls():
    """(get, set) for the thread count of the OpenBLAS bundled with numpy, or None.

    numpy's wheels bundle OpenBLAS (in ``numpy.libs``); its threads help big products,
    but RoIAlign's are many small ones, for which two threads on a busy machine are
    slower than one. Other OpenBLAS copies in the process (mxnet brings its own) are
    left alone; where numpy's cannot be found (other builds, other systems), None.
    """
    import ctypes
    import os

    numpy_home = os.path.dirname(os.path.dirname(os.path.abspath(np.__file__)))
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:  # not Linux: leave the threads alone
        return None
    for path in sorted(paths):
        if not os.path.abspath(path).startswith(os.path.join(numpy_home, "numpy")):
            continue
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for suffix in ("64_", ""):
            get = getattr(library, f"openblas_get_num_threads{suffix}", None)
            set_ = getattr(library, f"openblas_set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                set_.argtypes = [ctypes.c_int]
                return get, set_
    return None


@contextlib.contextmanager
def _one_blas_thread():
    """Run the block with OpenBLAS on one thread (restored afterwards); a no-op elsewhere."""
    calls = _openblas_thread_calls()
    before = calls[0]() if calls else 1
    if before != 1:
        calls[1](1)
    try:
        yield
    finally:
        if before != 1:
            calls[1](before)


_CALL_COST = 60000
"""One numpy call costs about as much as this many multiply-adds (divided by the channel
count, it is in cells): the cost model's exchange rate between calls and arithmetic."""

_GATHER_COST = 2
"""Copying one cell of a gathered block costs about this many multiply-adds of one cell."""


def _bands(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``weights`` (..., P, size), the range [lo, hi) of its nonzero entries (0, 0 if none)."""
    nonzero = weights != 0
    anything = nonzero.any(axis=-1)
    lo = np.where(anything, nonzero.argmax(axis=-1), 0)
    hi = np.where(anything, weights.shape[-1] - nonzero[..., ::-1].argmax(axis=-1), 0)
    return lo, hi


@dataclass(frozen=True)
class _BoxWork:
    """How ``roi_align`` (and its backward) does one box's two products.

    The box's map block is either its span (rows ``a:b``, columns ``d:e``, a view)
    or, when that is cheaper, only the rows and columns its samples touch, gathered
    (at most ``2 * PH * grid_h`` rows and ``2 * PW * grid_w`` columns, whatever the
    box's size). Along each axis the product is either one dense matrix product
    over the block or, where ``row_bands`` (``col_bands``) is given, one product per
    bin over that bin's band ``[lo, hi)`` of the block's rows (columns).
    """

    box: int
    image: int
    rows: slice | np.ndarray
    cols: slice | np.ndarray
    row_bands: list | None
    col_bands: list | None

    @property
    def gathered(self) -> bool:
        return not isinstance(self.rows, slice)


def _align_work(plan: _AlignPlan, ry: np.ndarray, cx: np.ndarray, channels: int) -> list[_BoxWork]:
    """The cheapest ``_BoxWork`` of every live box, by a cost model in multiply-adds of one cell.

    With ``h x w`` block cells, ``PH x PW`` bins, band heights ``bh`` and widths ``bw``:
    the row product costs ``PH * h * w`` dense or ``sum(bh) * w`` banded (PH calls),
    the column product ``PH * PW * w`` dense or ``PH * sum(bw)`` banded (PW calls), a
    gathered block ``_GATHER_COST * h * w`` more; each call ``_CALL_COST / C``. The dense
    span's cost grows with the box; the gathered block's does not.
    """
    live = plan.live_boxes()
    if not live:
        return []
    ph, pw = plan.pooled
    call = _CALL_COST / channels
    index = np.array([box for box, *_ in live])
    span_h = np.array([b - a for _, _, a, b, _, _ in live])
    span_w = np.array([e - d for _, _, _, _, d, e in live])
    y_lo, y_hi = _bands(ry[index])
    x_lo, x_hi = _bands(cx[index])
    row_used, col_used = (ry[index] != 0).any(axis=1), (cx[index] != 0).any(axis=1)

    def touched(used, lo, hi):  # cells with a nonzero weight inside each band
        before = np.concatenate([np.zeros((len(used), 1), np.int64), np.cumsum(used, axis=1)], axis=1)
        return np.take_along_axis(before, hi, 1) - np.take_along_axis(before, lo, 1)

    def cost(h, w, band_h, band_w):
        rows_dense, rows_banded = ph * h * w + call, band_h.sum(1) * w + call * ph
        cols_dense, cols_banded = ph * pw * w + call, ph * band_w.sum(1) + call * pw
        total = np.minimum(rows_dense, rows_banded) + np.minimum(cols_dense, cols_banded)
        return total, rows_banded < rows_dense, cols_banded < cols_dense

    dense, dense_rows, dense_cols = cost(span_h, span_w, y_hi - y_lo, x_hi - x_lo)
    kr, kc = row_used.sum(1), col_used.sum(1)
    gathered, gathered_rows, gathered_cols = cost(
        kr, kc, touched(row_used, y_lo, y_hi), touched(col_used, x_lo, x_hi)
    )
    gather = gathered + _GATHER_COST * kr * kc + call < dense
    starts = np.array([[a, d] for _, _, a, _, d, _ in live])
    y_rel = np.maximum(np.stack([y_lo, y_hi], -1) - starts[:, :1, None], 0).tolist()  # (boxes, PH, 2)
    x_rel = np.maximum(np.stack([x_lo, x_hi], -1) - starts[:, 1:, None], 0).tolist()
    flags = np.stack([gather, dense_rows, dense_cols, gathered_rows, gathered_cols], 1).tolist()
    work = []
    for k, (box, image, a, b, d, e) in enumerate(live):
        use_gather, d_rows, d_cols, g_rows, g_cols = flags[k]
        if use_gather:  # bands re-measured in the gathered block's own rows and columns
            rows, cols = np.flatnonzero(row_used[k]), np.flatnonzero(col_used[k])
            y_band = _band_list(*_bands(ry[box][:, rows])) if g_rows else None
            x_band = _band_list(*_bands(cx[box][:, cols])) if g_cols else None
        else:
            rows, cols = slice(a, b), slice(d, e)
            y_band = y_rel[k] if d_rows else None
            x_band = x_rel[k] if d_cols else None
        work.append(_BoxWork(box, image, rows, cols, y_band, x_band))
    return work


def _band_list(lo: np.ndarray, hi: np.ndarray) -> list[tuple[int, int]]:
    """(lo, hi) arrays as a list of plain-int pairs, cheap to slice with."""
    return list(zip(lo.tolist(), hi.tolist(), strict=True))


def _block(channels_last_image: np.ndarray, work: _BoxWork) -> np.ndarray:
    """The (h, w, C) map block of one box: a view of its span, or its touched cells gathered."""
    if work.gathered:
        return channels_last_image[work.rows[:, None], work.cols]
    return channels_last_image[work.rows, work.cols]


def _align_box_forward(block: np.ndarray, wy: np.ndarray, wx: np.ndarray, work: _BoxWork, out_box) -> None:
    """``out_box`` (C, PH, PW) = ``wy @ block @ wx.T`` for every channel, as ``work`` says."""
    h, w, c = block.shape
    ph = wy.shape[0]
    flat = block.reshape(h, w * c)
    if work.row_bands is not None:
        rows = np.empty((ph, w * c), _F32)
        for i, (lo, hi) in enumerate(work.row_bands):
            if hi > lo:
                np.dot(wy[i, lo:hi], flat[lo:hi], out=rows[i])
            else:
                rows[i] = 0
    else:
        rows = wy @ flat
    rows = rows.reshape(ph, w, c)
    if work.col_bands is not None:
        for j, (lo, hi) in enumerate(work.col_bands):
            if hi > lo:
                out_box[:, :, j] = np.matmul(wx[j, lo:hi], rows[:, lo:hi]).T
    else:
        np.matmul(rows.transpose(0, 2, 1), wx.T, out=out_box.transpose(1, 0, 2))


def _align_box_backward(grad_box: np.ndarray, wy: np.ndarray, wx: np.ndarray, work: _BoxWork) -> np.ndarray:
    """The (h, w, C) block gradient ``wy.T @ g @ wx`` of one box's (C, PH, PW) ``grad_box``."""
    ph = wy.shape[0]
    h, w, c = wy.shape[1], wx.shape[1], grad_box.shape[0]
    g = grad_box.transpose(1, 2, 0)  # (PH, PW, C)
    if work.col_bands is not None:
        cols = np.zeros((ph, w, c), _F32)
        for j, (lo, hi) in enumerate(work.col_bands):
            if hi > lo:
                cols[:, lo:hi] += wx[j, lo:hi, None] * g[:, j, None, :]
    else:
        cols = np.matmul(wx.T, g)  # (PH, w, C)
    cols = cols.reshape(ph, w * c)
    if work.row_bands is not None:
        cells = np.zeros((h, w * c), _F32)
        for i, (lo, hi) in enumerate(work.row_bands):
            if hi > lo:
                cells[lo:hi] += np.outer(wy[i, lo:hi], cols[i])
    else:
        cells = wy.T @ cols
    return cells.reshape(h, w, c)


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
    position_sensitive: bool = False,
) -> np.ndarray:
    """RoIAlign, equal to ``mxnet.nd.contrib.ROIAlign`` to float32 rounding.

    Each bin is the average of ``grid_h x grid_w`` bilinear samples placed as
    ``roi_align_samples`` describes (no rounding of the box; samples at
    ``(i + 0.5) / grid`` of each bin; ``aligned=True`` shifts the box by half a
    cell so that pixel corners, not centres, line up with whole coordinates).

    Because the bilinear weight of a sample is a row weight times a column weight,
    a bin's value is ``Ry @ map @ Cx.T / count`` with small per-box weight
    matrices. Per box, the two products are done the cheapest of three ways (by a
    cost model of multiply-adds and numpy calls): dense over the box's span of
    cells, one product per bin over its own band of rows and columns, or the same
    on only the rows and columns the samples touch, gathered (a bounded cost,
    whatever the box's size); BLAS runs on one thread meanwhile. This sums in a
    different order from the kernel, so results can differ from mxnet in the last
    float32 bits (``roi_loops.roi_align_loop`` follows the kernel's order and
    matches exactly).

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
    position_sensitive : bool
        R-FCN's channel rule (mxnet's ``position_sensitive=True``): see ``roi_family.ps_roi_align``.

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
    if _check_bool(position_sensitive, "position_sensitive"):  # R-FCN's channel rule: roi_family
        return __getattr__("ps_roi_align")(data, rois, pooled_size, spatial_scale, sample_ratio, aligned)
    plan = _align_plan(data, rois, pooled_size, spatial_scale, sample_ratio, aligned)
    n, c, h, w = plan.data.shape
    ph, pw = plan.pooled
    channels_last = np.ascontiguousarray(plan.data.transpose(0, 2, 3, 1))
    ry, cx = plan.weights()
    out = np.zeros((len(plan.batch), c, ph, pw), _F32)
    with _one_blas_thread():
        for work in _align_work(plan, ry, cx, c):
            r = work.box
            block = _block(channels_last[work.image], work)
            _align_box_forward(block, ry[r][:, work.rows], cx[r][:, work.cols], work, out[r])
    return out


def roi_align_backward(
    out_grad,
    data,
    rois,
    pooled_size,
    spatial_scale: float = 1.0,
    sample_ratio: int = -1,
    aligned: bool = False,
    position_sensitive: bool = False,
) -> np.ndarray:
    """Gradient of ``roi_align`` with respect to ``data``, as ``mxnet.autograd`` gives it.

    Each output's gradient is shared among the four neighbours of each of its
    samples, in proportion to their bilinear weights, divided by the number of
    samples: cell ``(h, w)`` receives ``g * Ry[ph, h] * Cx[pw, w] / count`` summed
    over bins. Samples outside the map and padding boxes (negative batch index)
    send nothing.
    Computed per box as ``Ry.T @ g @ Cx``, chosen the same three ways as ``roi_align``.

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
    if _check_bool(position_sensitive, "position_sensitive"):  # R-FCN's channel rule: roi_family
        backward = __getattr__("ps_roi_align_backward")
        return backward(out_grad, data, rois, pooled_size, spatial_scale, sample_ratio, aligned)
    plan = _align_plan(data, rois, pooled_size, spatial_scale, sample_ratio, aligned)
    n, c, h, w = plan.data.shape
    ph, pw = plan.pooled
    grad = _check_out_grad(out_grad, (len(plan.batch), c, ph, pw))
    ry, cx = plan.weights()
    result = np.zeros((n, h, w, c), _F32)
    with _one_blas_thread():
        for work in _align_work(plan, ry, cx, c):
            r = work.box
            cells = _align_box_backward(grad[r], ry[r][:, work.rows], cx[r][:, work.cols], work)
            if work.gathered:
                result[work.image, work.rows[:, None], work.cols] += cells  # rows, cols distinct
            else:
                result[work.image, work.rows, work.cols] += cells
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
    cells ``roi_start .. roi_start + roi_width - 1`` of ``bins`` (from ``roi_pool_bins``), which is
    ``roi_start .. roi_end`` for an ordered box and one cell for a reversed one (``roi_width`` is
    forced to at least 1); not clipped to the map (a box off the map is drawn where it is).

    Examples
    --------
    >>> pool_box_edges(roi_pool_bins([0, 1, 0, 3, 2], 2, 1.0, (7, 7)))
    (0.5, -0.5, 3.5, 2.5)
    >>> pool_box_edges(roi_pool_bins([0, 3, 0, 1, 2], 2, 1.0, (7, 7)))  # reversed: cell 3 alone
    (2.5, -0.5, 3.5, 2.5)
    """
    if not isinstance(bins, PoolBins):
        raise TypeError(f"bins must be a PoolBins (from roi_pool_bins); got {type(bins).__name__}")
    return (
        bins.roi_start_w - 0.5,
        bins.roi_start_h - 0.5,
        bins.roi_start_w + bins.roi_width - 0.5,
        bins.roi_start_h + bins.roi_height - 0.5,
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


__all__ += ["align_box_edges", "align_bin_edges", "align_valid_samples"]


def align_box_edges(samples: AlignSamples) -> tuple[float, float, float, float]:
    """``(left, top, right, bottom)`` of the box RoIAlign samples, in map coordinates (cell centres at
    whole numbers): from ``roi_start`` to ``roi_start + pooled * bin_size`` on each axis, so a side
    raised to one cell (``aligned=False``) is drawn raised, anchored at ``x1, y1``. Never clipped.

    Examples
    --------
    >>> align_box_edges(roi_align_samples([0, 0.5, 0.5, 3.5, 3.0], 2, 1.0, 2, False, (6, 6)))
    (0.5, 0.5, 3.5, 3.0)
    >>> align_box_edges(roi_align_samples([0, 2, 1, 2.25, 4], 2, 1.0, 2, False, (6, 6)))  # 1 cell wide
    (2.0, 1.0, 3.0, 4.0)
    """
    if not isinstance(samples, AlignSamples):
        raise TypeError(
            f"samples must be an AlignSamples (from roi_align_samples); got {type(samples).__name__}"
        )
    y, x = samples.y, samples.x
    return (
        x.start,
        y.start,
        x.start + x.bin_size * x.coord.shape[0],
        y.start + y.bin_size * y.coord.shape[0],
    )


def align_bin_edges(samples: AlignSamples) -> np.ndarray:
    """(PH, PW, 4): ``[left, top, right, bottom]`` of each RoIAlign bin, in map coordinates: bin
    ``(i, j)`` runs from ``roi_start + i * bin_size`` to ``roi_start + (i + 1) * bin_size``.

    Examples
    --------
    >>> align_bin_edges(roi_align_samples([0, 0, 0, 2, 3], (1, 2), 1.0, 2, False, (4, 4)))[0].tolist()
    [[0.0, 0.0, 1.0, 3.0], [1.0, 0.0, 2.0, 3.0]]
    """
    if not isinstance(samples, AlignSamples):
        raise TypeError(
            f"samples must be an AlignSamples (from roi_align_samples); got {type(samples).__name__}"
        )
    y, x = samples.y, samples.x
    ph, pw = y.coord.shape[0], x.coord.shape[0]
    rows, cols = np.arange(ph)[:, None], np.arange(pw)[None, :]
    edges = np.empty((ph, pw, 4))
    edges[..., 0] = x.start + cols * x.bin_size
    edges[..., 1] = y.start + rows * y.bin_size
    edges[..., 2] = x.start + (cols + 1) * x.bin_size
    edges[..., 3] = y.start + (rows + 1) * y.bin_size
    return edges


def align_valid_samples(samples: AlignSamples) -> np.ndarray:
    """(PH, PW, grid_h, grid_w) bool: the samples inside ``[-1, size]`` on both axes, which read the
    map; the others count as 0 inside their bin's average (they still count in ``grid_h * grid_w``).
    Index it like ``samples.points()``.

    Examples
    --------
    >>> s = roi_align_samples([0, -3, 0, 1, 1], (1, 2), 1.0, 2, False, (4, 4))
    >>> s.x.coord.tolist(), align_valid_samples(s)[0, :, 0].tolist()
    ([[-2.5, -1.5], [-0.5, 0.5]], [[False, False], [True, True]])
    """
    if not isinstance(samples, AlignSamples):
        raise TypeError(
            f"samples must be an AlignSamples (from roi_align_samples); got {type(samples).__name__}"
        )
    return samples.y.valid[:, None, :, None] & samples.x.valid[None, :, None, :]
# Chapter 8's operators (FPN levels, position-sensitive and rotated pooling) live in roi_family,
# which imports this module; they are served from here on first use, so either import order works.
# This is the one list of them: roi_family's __all__ is this tuple.
_FAMILY_NAMES = (
    "PsBins",
    "RotatedSamples",
    "fpn_levels",
    "fpn_levels_mmdet",
    "fpn_thresholds",
    "multi_scale_roi_align",
    "ps_channels",
    "ps_roi_pool",
    "ps_roi_pool_bins",
    "ps_roi_pool_backward",
    "ps_roi_align",
    "ps_roi_align_backward",
    "rotated_roi_align",
    "rotated_roi_align_samples",
)
__all__ += _FAMILY_NAMES


def __getattr__(name: str):
    if name in _FAMILY_NAMES:
        import roi_family

        return getattr(roi_family, name)
    raise AttributeError(f"module 'roi_utils' has no attribute {name!r}")
