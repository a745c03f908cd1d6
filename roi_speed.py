"""Chapter 6's steps from the kernel's loops to fast numpy, and the timing helpers.

Each ``pool_*`` / ``align_*`` function computes exactly what ``roi_utils`` does
(the tests hold them to it), one idea faster than the previous:

* ``roi_loops.roi_pool_loop``: the kernel, loop by loop (box, channel, bin, cell);
* ``pool_per_bin``: loop over boxes and bins only; all channels at once;
* ``pool_separable``: a bin's max is the max over its columns of the max over its
  rows, so the row maxima are shared by every bin in the same row band;
* ``roi_utils.roi_pool``: channels last, so every reduction reads contiguous memory,
  and no loop over boxes: each bin is the maximum of two overlapping windows looked up
  in maps of window maxima (``window_shapes`` lists the maps a call needs).

* ``roi_loops.roi_align_loop``: the kernel, sample by sample;
* ``align_per_bin``: per bin, the (grid_h x grid_w) samples' four neighbours and
  weights for all channels at once;
* ``align_two_products``: the bilinear weight of a sample is a row weight times a
  column weight, so a bin's sum is ``Ry @ map @ Cx.T``: two small matrix products
  per box, over the box's whole span, so their work grows with the box;
* ``roi_utils.roi_align``: per box the cheapest of those two products, one product
  per bin over the bin's own band of rows and columns, or the same on only the rows
  and columns the samples touch, gathered (bounded, whatever the box's size).

numpy only; mxnet is timed by ``scripts/benchmark.py`` and the notebook, not here.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import roi_utils as ru
from roi_checks import check_pooled_size

WORKLOADS = {
    "vgg16": dict(batch=1, channels=512, height=38, width=50, boxes=300),
    "batch2": dict(batch=2, channels=256, height=50, width=68, boxes=512),
}
"""Faster R-CNN heads (7x7, scale 1/16): VGG16 on an 800x600 image; a batch of two
1088x800 images with a 256-channel backbone and 512 proposals."""


BOX_MIXES = {
    "small": dict(sides=(16, 128), spread="uniform"),
    "log-uniform": dict(sides=(16, 512), spread="log"),
    "large": dict(sides=(200, 600), spread="uniform"),
}
"""Proposal side lengths in image pixels: small boxes only, a region proposal network's
log-uniform spread, and large boxes only (12 to 38 cells at stride 16)."""


def proposals(
    rng, batch: int, height: int, width: int, boxes: int, stride: int = 16, mix: str = "log-uniform"
) -> np.ndarray:
    """Seeded proposal boxes with sides drawn as ``BOX_MIXES[mix]`` says (independently for
    width and height), centres over the image and a little beyond it, as a region proposal
    network produces."""
    if mix not in BOX_MIXES:
        raise ValueError(f"mix must be one of {sorted(BOX_MIXES)}; got {mix!r}")
    low, high = BOX_MIXES[mix]["sides"]
    if BOX_MIXES[mix]["spread"] == "log":
        size = np.exp(rng.uniform(np.log(low), np.log(high), (boxes, 2)))
    else:
        size = rng.uniform(low, high, (boxes, 2))
    centre = rng.uniform([-32, -32], [width * stride + 32, height * stride + 32], (boxes, 2))
    corners = np.concatenate([centre - size / 2, centre + size / 2], 1)
    return np.concatenate([rng.integers(0, batch, (boxes, 1)), corners], 1).astype(np.float32)


def workload(
    batch: int, channels: int, height: int, width: int, boxes: int, seed: int = 0, mix: str = "log-uniform"
):
    """(data, rois) for one benchmark case.

    >>> data, rois = workload(1, 4, 6, 8, 3)
    >>> data.shape, rois.shape
    ((1, 4, 6, 8), (3, 5))
    """
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((batch, channels, height, width)).astype(np.float32)
    return data, proposals(rng, batch, height, width, boxes, mix=mix)


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_ms(fn, runs: int = 5) -> float:
    """Median wall time of ``fn()`` in milliseconds, after one warm-up call."""
    fn()
    return statistics.median(_seconds(fn) for _ in range(runs)) * 1000


def paired_median_ms(ours, theirs, runs: int = 9) -> tuple[float, float]:
    """Medians of alternating runs of two functions (background load hits both alike)."""
    times = interleaved_median_ms({"ours": ours, "theirs": theirs}, runs)
    return times["ours"], times["theirs"]


def interleaved_median_ms(calls: dict, runs: int = 9) -> dict[str, float]:
    """Median ms of each of several calls, run in turn ``runs`` times after one warm-up each.

    A call is a function, or a pair ``(setup, run)``: ``setup()``'s result is passed to
    ``run`` and only ``run`` is timed (mxnet's backward alone needs a recorded forward).

    >>> times = interleaved_median_ms({"a": lambda: None, "b": (lambda: 3, lambda x: x)}, runs=3)
    >>> sorted(times)
    ['a', 'b']
    """

    def timed(call) -> float:
        if callable(call):
            return _seconds(call)
        setup, run = call
        state = setup()
        return _seconds(lambda: run(state))

    for call in calls.values():
        timed(call)
    samples = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            samples[name].append(timed(call))
    return {name: statistics.median(values) * 1000 for name, values in samples.items()}


# ---------------------------------------------------------------------------
# RoI pooling, step by step
# ---------------------------------------------------------------------------


def _first_of_equal_zeros(maxima: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Where a bin's maximum is zero, the zero of its first zero cell (``cells``: (C, n) in
    row-major order): the kernel keeps the first of equal values, and only for 0.0 and -0.0
    does which one show in the bits."""
    zero = maxima == 0
    if not zero.any():
        return maxima
    first = np.argmax(cells == 0, axis=1)
    return np.where(zero, cells[np.arange(len(cells)), first], maxima)


def pool_per_bin(data, rois, pooled_size, spatial_scale=1.0) -> np.ndarray:
    """Step 1: loop over boxes and bins; each bin's max over all channels in one call.

    ``np.fmax.reduce`` gives each channel's largest cell, skipping NaN; then the kernel's
    rules: the running maximum starts at ``-FLT_MAX`` (so a bin of only ``-inf``/NaN gives
    ``-FLT_MAX``), an empty bin gives 0, and of equal zeros the first cell's sign stays.

    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> pool_per_bin(x, [[0, 0, 1, 3, 3]], 2)[0, 0].tolist()
    [[9.0, 11.0], [13.0, 15.0]]
    >>> rules = np.array([[[[-np.inf, -np.inf, 0.0, -0.0]]]], np.float32)
    >>> pool_per_bin(rules, [[0, 0, 0, 5, 0]], (1, 3))[0, 0, 0].tolist()  # bins: cells 0-1, 2-3, none
    [-3.4028234663852886e+38, 0.0, 0.0]
    """
    x = np.asarray(data, np.float32)
    rois = np.asarray(rois, np.float32)
    ph, pw = check_pooled_size(pooled_size)
    out = np.zeros((len(rois), x.shape[1], ph, pw), np.float32)
    for r, roi in enumerate(rois):
        bins = ru.roi_pool_bins(roi, (ph, pw), spatial_scale, x.shape[2:])
        image = x[int(roi[0])]
        for i, j in np.ndindex(ph, pw):
            if not bins.empty[i, j]:
                rows, cols = bins.cells(i, j)
                cells = image[:, rows, cols].reshape(x.shape[1], -1)
                out[r, :, i, j] = _first_of_equal_zeros(np.fmax.reduce(cells, axis=1), cells)
        np.fmax(out[r], -ru.FLT_MAX, out=out[r])  # the kernel's running max starts there
        out[r][:, bins.empty] = 0
    return out


def pool_separable(data, rois, pooled_size, spatial_scale=1.0) -> np.ndarray:
    """Step 2: max over each row band once (for all columns), then over column bands.

    Still channels-first: the reductions run over short, strided rows.

    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> pool_separable(x, [[0, 0, 1, 3, 3]], 2)[0, 0].tolist()
    [[9.0, 11.0], [13.0, 15.0]]
    """
    x = np.asarray(data, np.float32)
    rois = np.asarray(rois, np.float32)
    ph, pw = check_pooled_size(pooled_size)
    out = np.zeros((len(rois), x.shape[1], ph, pw), np.float32)
    for r, roi in enumerate(rois):
        bins = ru.roi_pool_bins(roi, (ph, pw), spatial_scale, x.shape[2:])
        if bins.empty.all():
            continue
        image = x[int(roi[0])]
        band_max = np.full((x.shape[1], ph, x.shape[3]), -np.inf, np.float32)
        for i in np.flatnonzero(bins.hend > bins.hstart):
            band_max[:, i] = np.fmax.reduce(image[:, bins.hstart[i] : bins.hend[i]], axis=1)
        for j in np.flatnonzero(bins.wend > bins.wstart):
            out[r, :, :, j] = np.fmax.reduce(band_max[:, :, bins.wstart[j] : bins.wend[j]], axis=2)
        for i, j in zip(*np.nonzero((out[r] == 0).any(axis=0) & ~bins.empty), strict=True):
            rows, cols = bins.cells(i, j)  # a bin whose maximum is a zero: which zero came first?
            cells = image[:, rows, cols].reshape(x.shape[1], -1)
            out[r, :, i, j] = _first_of_equal_zeros(out[r, :, i, j], cells)
        np.fmax(out[r], -ru.FLT_MAX, out=out[r])
        out[r][:, bins.empty] = 0
    return out


# ---------------------------------------------------------------------------
# RoIAlign, step by step
# ---------------------------------------------------------------------------


def window_shapes(data, rois, pooled_size, spatial_scale=1.0) -> list[tuple[int, int]]:
    """The ``(rows, columns)`` windows whose maxima ``roi_utils.roi_pool`` maps for these boxes.

    A bin ``a`` rows tall and ``b`` columns wide is covered by two windows of ``a`` rows
    and ``2 ** floor(log2 b)`` columns, one starting at its first column and one ending at
    its last; they overlap, which a maximum does not mind. One map of window maxima per
    shape serves every bin of that shape, in every box. (Boxes with a bin of more than 15
    cells a side are pooled separably instead and need no map.)

    >>> x = np.zeros((1, 1, 8, 8), np.float32)
    >>> window_shapes(x, [[0, 0, 0, 5, 2], [0, 0, 0, 1, 7]], 2)  # bins of 2 x 3 and 4 x 1 cells
    [(2, 2), (4, 1)]
    """
    lookup = ru._TableLookup.plan(ru._pool_plan(data, rois, pooled_size, spatial_scale), 4)
    return [] if lookup is None else [(rows, 1 << level) for rows, level in lookup.pairs]


def align_per_bin(data, rois, pooled_size, spatial_scale=1.0, sample_ratio=-1, aligned=False):
    """Step 1: per bin, gather every sample's four neighbours for all channels at once.

    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> align_per_bin(x, [[0, 0, 0, 2, 2]], 2, sample_ratio=2)[0, 0].tolist()
    [[2.5, 3.5], [6.5, 7.5]]
    """
    x = np.asarray(data, np.float32)
    rois = np.asarray(rois, np.float32)
    ph, pw = check_pooled_size(pooled_size)
    out = np.zeros((len(rois), x.shape[1], ph, pw), np.float32)
    for r, roi in enumerate(rois):
        if roi[0] < 0:
            continue
        s = ru.roi_align_samples(roi, (ph, pw), spatial_scale, sample_ratio, aligned, x.shape[2:])
        image = x[int(roi[0])]
        for i, j in np.ndindex(ph, pw):
            rows = np.stack([s.y.low[i], s.y.low[i], s.y.high[i], s.y.high[i]])  # (4, gh)
            cols = np.stack([s.x.low[j], s.x.high[j], s.x.low[j], s.x.high[j]])  # (4, gw)
            wy = np.stack([s.y.w_low[i], s.y.w_low[i], s.y.w_high[i], s.y.w_high[i]])
            wx = np.stack([s.x.w_low[j], s.x.w_high[j], s.x.w_low[j], s.x.w_high[j]])
            weights = wy[:, :, None] * wx[:, None, :]  # (4, gh, gw): hy*hx, hy*lx, ly*hx, ly*lx
            values = image[:, rows[:, :, None], cols[:, None, :]]  # (C, 4, gh, gw)
            out[r, :, i, j] = (values * weights).sum(axis=(1, 2, 3)) / np.float32(s.count)
    return out


def align_two_products(data, rois, pooled_size, spatial_scale=1.0, sample_ratio=-1, aligned=False):
    """Step 2: per box, ``Ry @ block @ Cx.T`` over the box's whole span of cells, two dense
    matrix products (what ``roi_utils.roi_align`` did before it chose per box). Its work,
    ``PH * h * w + PH * PW * w`` multiply-adds per channel for a span of ``h x w`` cells,
    grows with the box.

    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> align_two_products(x, [[0, 0, 0, 2, 2]], 2, sample_ratio=2)[0, 0].tolist()
    [[2.5, 3.5], [6.5, 7.5]]
    """
    plan = ru._align_plan(data, rois, pooled_size, spatial_scale, sample_ratio, aligned)
    _, c, _, _ = plan.data.shape
    ph, pw = plan.pooled
    channels_last = np.ascontiguousarray(plan.data.transpose(0, 2, 3, 1))
    ry, cx = plan.weights()
    out = np.zeros((len(plan.batch), c, ph, pw), np.float32)
    for r, image, a, b, d, e in plan.live_boxes():
        block = channels_last[image, a:b, d:e].reshape(b - a, -1)
        rows = (ry[r, :, a:b] @ block).reshape(ph, e - d, c)
        np.matmul(rows.transpose(0, 2, 1), cx[r, :, d:e].T, out=out[r].transpose(1, 0, 2))
    return out


def align_work(roi, pooled_size, spatial_scale, sample_ratio, map_shape) -> dict[str, int]:
    """Multiply-adds per channel that one box costs each way (the cost model of chapter 6).

    * ``"kernel"``: mxnet's loop, 4 neighbours per sample: ``4 * PH * PW * grid_h * grid_w``,
      whatever the box's size for a fixed ``sample_ratio``;
    * ``"dense"``: ``align_two_products`` over the box's span of ``h x w`` cells,
      ``PH * h * w + PH * PW * w``: grows with the box's area;
    * ``"banded"``: each bin's product over its own band of rows (columns) only,
      ``sum(band heights) * w + PH * sum(band widths)``: grows with the box's side;
    * ``"gathered"``: the same on only the rows and columns the samples touch (at most
      ``2 * PH * grid_h`` by ``2 * PW * grid_w``), plus copying them out: bounded.

    ``roi_utils.roi_align`` takes the cheapest of the last three per box, counting each
    numpy call as well (``roi_utils._CALL_COST / C`` multiply-adds of one cell).

    >>> small = align_work([0, 0, 0, 64, 64], 7, 1 / 16, 2, (64, 64))   # 4 cells a side
    >>> small["dense"] < small["kernel"]
    True
    >>> big = align_work([0, 0, 0, 800, 800], 7, 1 / 16, 2, (64, 64))  # 50 cells a side
    >>> big["dense"] > 10 * big["kernel"] and big["gathered"] < big["kernel"] * 4
    True
    """
    s = ru.roi_align_samples(roi, pooled_size, spatial_scale, sample_ratio, False, map_shape)
    ry, cx = s.y.weight_matrix(map_shape[0]), s.x.weight_matrix(map_shape[1])
    ph, pw = ry.shape[0], cx.shape[0]
    rows_used, cols_used = (ry != 0).any(0), (cx != 0).any(0)
    h = int(np.ptp(np.flatnonzero(rows_used))) + 1 if rows_used.any() else 0
    w = int(np.ptp(np.flatnonzero(cols_used))) + 1 if cols_used.any() else 0

    def band_sizes(weights, used):
        lo, hi = ru._bands(weights)
        touched = np.concatenate([[0], np.cumsum(used)])
        return (hi - lo).sum(), (touched[hi] - touched[lo]).sum()

    band_h, band_h_touched = band_sizes(ry, rows_used)
    band_w, band_w_touched = band_sizes(cx, cols_used)
    kr, kc = int(rows_used.sum()), int(cols_used.sum())
    return {
        "kernel": 4 * s.count * ph * pw,
        "dense": ph * h * w + ph * pw * w,
        "banded": int(band_h * w + ph * band_w),
        "gathered": int(ru._GATHER_COST * kr * kc + band_h_touched * kc + ph * band_w_touched),
    }


def box_size_sweep(
    sides=(2, 4, 8, 16, 32, 56), channels=256, boxes=40, map_side=60, sample_ratio=2, runs=3, mxnet=None
):
    """Time ``align_two_products`` and ``roi_utils.roi_align`` on square boxes of each side
    (in map cells, scale 1, 7x7 bins), placed at random on a ``map_side`` square map;
    also ``mxnet.nd.contrib.ROIAlign`` when the ``mxnet`` module is passed in.

    Returns one dict per side: ``"side"``, the ms of each (medians of interleaved runs)
    and ``align_work``'s counts for one such box. A learner's sweep: seconds, not minutes.

    >>> rows = box_size_sweep(sides=(2, 8), channels=8, boxes=3, runs=1)
    >>> [row["side"] for row in rows], sorted(rows[0])[:3]
    ([2, 8], ['banded', 'dense', 'dense ms'])
    """
    rng = np.random.default_rng(0)
    data = rng.standard_normal((1, channels, map_side, map_side)).astype(np.float32)
    rows = []
    for side in sides:
        corner = rng.uniform(0, map_side - side - 1, (boxes, 2))
        rois = np.concatenate([np.zeros((boxes, 1)), corner, corner + side], 1).astype(np.float32)
        kw = dict(pooled_size=7, spatial_scale=1.0, sample_ratio=sample_ratio)
        calls = {
            "dense ms": lambda rois=rois, kw=kw: align_two_products(data, rois, **kw),
            "roi_align ms": lambda rois=rois, kw=kw: ru.roi_align(data, rois, **kw),
        }
        if mxnet is not None:
            x, boxes_nd = mxnet.nd.array(data), mxnet.nd.array(rois)
            calls["mxnet ms"] = lambda x=x, b=boxes_nd: mxnet.nd.contrib.ROIAlign(
                x, b, (7, 7), 1.0, sample_ratio=sample_ratio
            ).wait_to_read()
        times = interleaved_median_ms(calls, runs)
        work = align_work(rois[0], 7, 1.0, sample_ratio, (map_side, map_side))
        rows.append({"side": side, **times, **work})
    return rows


def steps_agree(data, rois, pooled_size, spatial_scale) -> dict[str, bool]:
    """Do all the steps give ``roi_utils``' answers on this input? RoI pooling's steps
    bit for bit, ``align_per_bin`` to float32 rounding (1e-5 here). The tests run it on
    random inputs; chapter 6 prints each step's difference itself."""
    pool = ru.roi_pool(data, rois, pooled_size, spatial_scale)
    align = ru.roi_align(data, rois, pooled_size, spatial_scale, 2)
    return {
        "pool_per_bin": np.array_equal(pool_per_bin(data, rois, pooled_size, spatial_scale), pool),
        "pool_separable": np.array_equal(pool_separable(data, rois, pooled_size, spatial_scale), pool),
        "align_per_bin": np.allclose(
            align_per_bin(data, rois, pooled_size, spatial_scale, 2), align, rtol=1e-5, atol=1e-5
        ),
    }


# ---------------------------------------------------------------------------
# What bounds the speed
# ---------------------------------------------------------------------------


def nchw_write_back(boxes_last: np.ndarray) -> np.ndarray:
    """``roi_pool``'s last step alone: copy each box's (PH, PW, C) result into an
    (R, C, PH, PW) output, box by box (``roi_utils.roi_pool`` moves a chunk of boxes'
    results in each such copy).

    >>> boxes = np.arange(12, dtype=np.float32).reshape(1, 2, 2, 3)
    >>> nchw_write_back(boxes)[0, 1].tolist()
    [[1.0, 4.0], [7.0, 10.0]]
    """
    r, ph, pw, c = boxes_last.shape
    out = np.empty((r, c, ph, pw), boxes_last.dtype)
    for index, box in enumerate(boxes_last):
        out[index] = box.transpose(2, 0, 1)
    return out


def time_parts(data, rois, pooled_size=7, spatial_scale=1 / 16, sample_ratio=2, runs: int = 5):
    """Where the time of ``roi_utils.roi_pool`` and ``roi_align`` goes, in ms (medians of ``runs``).

    For each operator: ``"total"``; the ``"per-box overhead"``, timed as the same boxes on
    the first channel only (almost no arithmetic is left, so this is an upper bound);
    for ``roi_pool`` the ``"NCHW write-back"`` of every box's (PH, PW, C) result, timed
    alone with ``nchw_write_back``; and the rest, the arithmetic: ``roi_pool``'s
    ``"reductions"``, ``roi_align``'s ``"matrix products"``. The parts are measured
    separately, so they add up to the total only roughly.

    >>> data, rois = workload(1, 4, 6, 8, 3)
    >>> sorted(time_parts(data, rois, runs=1)["roi_pool"])
    ['NCHW write-back', 'per-box overhead', 'reductions', 'total']
    """
    x = np.asarray(data, np.float32)
    one = x[:, :1]
    ph, pw = check_pooled_size(pooled_size)
    pool = dict(pooled_size=pooled_size, spatial_scale=spatial_scale)
    align = dict(sample_ratio=sample_ratio, **pool)
    boxes_last = np.zeros((len(rois), ph, pw, x.shape[1]), np.float32)
    parts = {
        "roi_pool": {
            "total": median_ms(lambda: ru.roi_pool(x, rois, **pool), runs),
            "per-box overhead": median_ms(lambda: ru.roi_pool(one, rois, **pool), runs),
            "NCHW write-back": median_ms(lambda: nchw_write_back(boxes_last), runs),
        },
        "roi_align": {
            "total": median_ms(lambda: ru.roi_align(x, rois, **align), runs),
            "per-box overhead": median_ms(lambda: ru.roi_align(one, rois, **align), runs),
        },
    }
    parts["roi_pool"]["reductions"] = max(
        0.0,
        parts["roi_pool"]["total"]
        - parts["roi_pool"]["per-box overhead"]
        - parts["roi_pool"]["NCHW write-back"],
    )
    parts["roi_align"]["matrix products"] = max(
        0.0, parts["roi_align"]["total"] - parts["roi_align"]["per-box overhead"]
    )
    return parts


def bytes_read(data, rois, op: str, pooled_size=7, spatial_scale=1 / 16, sample_ratio=2) -> int:
    """Bytes any exact implementation must move: every map cell a box's bins (or
    samples) touch, read once per channel, plus the float32 output written."""
    _, c, h, w = np.shape(data)
    ph, pw = check_pooled_size(pooled_size)
    total = 0
    for row in np.asarray(rois, np.float32):
        if op.startswith("roi_pool"):
            bins = ru.roi_pool_bins(row, (ph, pw), spatial_scale, (h, w))
            rows = max(0, int(bins.hend.max() - bins.hstart.min()))
            cols = max(0, int(bins.wend.max() - bins.wstart.min()))
        else:
            s = ru.roi_align_samples(row, (ph, pw), spatial_scale, sample_ratio, False, (h, w))
            rows = len(np.unique(np.r_[s.y.low[s.y.valid], s.y.high[s.y.valid]]))
            cols = len(np.unique(np.r_[s.x.low[s.x.valid], s.x.high[s.x.valid]]))
        total += rows * cols * c * 4
    return total + len(rois) * c * ph * pw * 4


def read_bandwidth(size_bytes: int, runs: int = 5) -> float:
    """GB/s (1e9 bytes per second) for reading (summing) a float32 array of ``size_bytes``."""
    a = np.ones(size_bytes // 4, np.float32)
    return size_bytes / (median_ms(a.sum, runs) / 1000) / 1e9


def backward_bytes(data, rois, op: str, pooled_size=7) -> int:
    """Bytes a backward pass must move at least: the float32 upstream gradient read and the
    map's float32 gradient written, plus for ``roi_pool`` a 4-byte kept argmax per output.

    >>> data, rois = workload(1, 4, 6, 8, 3)
    >>> backward_bytes(data, rois, "roi_pool", 2) == 3 * 4 * 4 * (4 + 4) + data.nbytes
    True
    """
    n, c, h, w = np.shape(data)
    ph, pw = ru._check_pooled_size(pooled_size)
    outputs = len(rois) * c * ph * pw
    per_output = 8 if op.startswith("roi_pool") else 4
    return outputs * per_output + n * c * h * w * 4
