"""The same box in other frameworks: ONNX Runtime, torchvision, Detectron2, mmcv, TensorFlow.

numpy only (no framework is imported). Each function mirrors its framework's call
and argument names, so a learner can map a call one to one, and computes what that
framework computes, reusing ``roi_utils``' geometry and argument checking wherever
the rules are mxnet's:

* ``onnx_roi_align``, ``onnx_max_roi_pool``: ONNX ``RoiAlign`` (opset 16) and
  ``MaxRoiPool`` as ONNX Runtime 1.32 computes them (checked live, see
  ``roi_oracle.onnxruntime_output``);
* ``torchvision_roi_align``, ``torchvision_roi_pool``, ``detectron2_roi_align``:
  torchvision 0.29's CPU kernels (checked against outputs recorded from torchvision
  by ``scripts/record_frameworks.py``) and Detectron2's ``ROIAlign`` module, which
  calls torchvision's (rule from ``detectron2/layers/roi_align.py``, not run here);
* ``mmcv_roi_align``: mmcv's ``RoIAlign`` (rule from
  ``mmcv/ops/csrc/pytorch/cpu/roi_align.cpp``, not run here);
* ``tf_crop_and_resize``: TensorFlow's ``tf.image.crop_and_resize`` (rule from
  ``tensorflow/core/kernels/image/crop_and_resize_op.cc``, checked against outputs
  recorded from TensorFlow 2.21) and ``tf_object_detection_crop``, the Object
  Detection API's 14x14 crop followed by a 2x2 max pool.

Where a framework's rule is mxnet's, the function calls ``roi_utils``; where it is
not (ONNX's ``max`` mode, zero-size boxes with the half-pixel shift, NaN in
``MaxRoiPool``, mmcv's ``max`` mode, TensorFlow's corner-aligned grid) the rule is
written out here and named in the docstring.

Conventions: maps are NCHW (TensorFlow's are NHWC), float32 in and out; bad input
raises ``TypeError``/``ValueError`` naming the argument, as in ``roi_utils``. Like
``roi_utils``, every function refuses a ``spatial_scale`` above 1 or non-positive,
NaN or infinity in a RoIAlign map, a fractional batch index and a negative one
(where ONNX Runtime accepts the first three with its own answers and rejects the last).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

import roi_utils as ru

__all__ = [
    "FRAMEWORKS",
    "MMCV_MAX_START",
    "CropGrid",
    "FrameworkRow",
    "detectron2_roi_align",
    "mmcv_roi_align",
    "onnx_max_roi_pool",
    "onnx_roi_align",
    "onnx_roi_align_samples",
    "roi_align_crop_boxes",
    "same_box",
    "same_pool_box",
    "table",
    "tf_crop_and_resize",
    "tf_crop_grid",
    "tf_object_detection_crop",
    "torchvision_roi_align",
    "torchvision_roi_pool",
]

_F32 = np.float32
ONNX_MODES = ("avg", "max")
ONNX_COORDINATE_MODES = ("half_pixel", "output_half_pixel")
TF_METHODS = ("bilinear", "nearest")
MMCV_MAX_START = _F32(-10000)
"""mmcv's ``max`` mode starts each bin at -10000: a bin whose samples are all lower outputs -10000."""


# ---------------------------------------------------------------------------
# Argument checking (roi_utils' checks, plus the few shapes other frameworks use)
# ---------------------------------------------------------------------------


def _choice(value, name: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {options}; got {value!r}")
    if value not in options:
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def _check_boxes4(rois, name: str = "rois") -> np.ndarray:
    """``(R, 4)`` finite float32 boxes (a fresh array)."""
    array = ru._numeric_array(rois, name)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f"{name} must be 2-D of shape (R, 4); got shape {array.shape}")
    boxes = array.astype(_F32)
    bad = ~np.isfinite(boxes)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{name}[{i}, {j}] is {array[i, j]!r}; every entry must be finite in float32")
    return boxes


def _check_indices(indices, count: int, batch: int, name: str) -> np.ndarray:
    """``(count,)`` whole numbers in ``0..batch-1`` (int64)."""
    array = np.asarray(indices)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must hold integers (the frameworks take int64/int32); got dtype {array.dtype}"
        )
    if array.shape != (count,):
        raise ValueError(f"{name} must have shape ({count},), one index per box; got shape {array.shape}")
    bad = (array < 0) | (array >= batch)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name}[{i}] is {int(array[i])}, but the input has {batch} image(s) (0..{batch - 1})"
        )
    return array.astype(np.int64)


def _finite_map(data, name: str) -> np.ndarray:
    x = ru._check_data(data, name)
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinity; RoIAlign here needs finite values")
    return x


def _rows5(boxes4: np.ndarray, batch: np.ndarray) -> np.ndarray:
    return np.concatenate([batch.astype(_F32)[:, None], boxes4], axis=1)


# ---------------------------------------------------------------------------
# RoIAlign samples under each framework's rules
# ---------------------------------------------------------------------------


def _degenerate_axis(start, end, pooled: int, grid: int, size: int) -> ru.AlignAxis:
    """One axis of a half-pixel box of zero or negative size (roi_utils refuses these).

    roi_utils' own per-axis sample builder (the float32 formulas of ``roi_align_samples``),
    given a size that is not forced to one cell: ``bin = (end - start) / pooled`` may be 0 or
    negative, and ``grid`` may be 0.
    """
    bin_size = _F32((_F32(end) - _F32(start)) / _F32(pooled))
    samples = ru._AxisSamples.build(
        np.array([start], _F32), np.array([bin_size], _F32), np.array([grid]), pooled, size
    )
    return samples.axis(0)


def _align_samples(row4, pooled, scale, sampling_ratio: int, half_pixel: bool, map_shape) -> ru.AlignSamples:
    """Samples of one ``[x1, y1, x2, y2]`` box under the Caffe2 rule (ONNX Runtime, torchvision).

    A box of positive size (or any box without the half-pixel shift) is exactly
    ``roi_utils.roi_align_samples``; a half-pixel box of zero or negative size keeps
    its size: adaptive sampling gives ``ceil(size / pooled) <= 0`` samples (output 0),
    a fixed ``sampling_ratio`` puts every sample of a zero-size axis on one point.
    """
    ph, pw = pooled
    offset = _F32(0.5) if half_pixel else _F32(0)
    start_w, start_h = row4[0] * scale - offset, row4[1] * scale - offset
    end_w, end_h = row4[2] * scale - offset, row4[3] * scale - offset
    if not half_pixel or (end_w - start_w > 0 and end_h - start_h > 0):
        roi = [0, *(float(v) for v in row4)]
        return ru.roi_align_samples(roi, pooled, float(scale), sampling_ratio or -1, half_pixel, map_shape)

    def grid(start, end, count):
        if sampling_ratio > 0:
            return sampling_ratio
        return int(np.ceil(_F32((_F32(end) - _F32(start)) / _F32(count))))

    gy, gx = grid(start_h, end_h, ph), grid(start_w, end_w, pw)
    if gy * gx < 0:
        raise ValueError(
            f"this box is reversed along one axis only: adaptive sampling gives a {gy} x {gx} grid, "
            "and both fail on its negative size (ONNX Runtime: integer overflow; torchvision: a vector "
            "length error)"
        )
    gy, gx = max(gy, 0), max(gx, 0)
    y = _degenerate_axis(start_h, end_h, ph, gy, map_shape[0])
    x = _degenerate_axis(start_w, end_w, pw, gx, map_shape[1])
    return ru.AlignSamples(y=y, x=x, count=gy * gx)


def _corner_terms(plane: np.ndarray, s: ru.AlignSamples):
    """The four bilinear weights ``(4, PH, PW, gy, gx)`` of every sample and the values
    ``(C, 4, PH, PW, gy, gx)`` they multiply (a (C, H, W) map), in the kernel's order
    top-left, top-right, bottom-left, bottom-right."""
    y, x = s.y, s.x
    ylow, yhigh = y.low[:, None, :, None], y.high[:, None, :, None]
    xlow, xhigh = x.low[None, :, None, :], x.high[None, :, None, :]
    hy, ly = y.w_low[:, None, :, None], y.w_high[:, None, :, None]
    hx, lx = x.w_low[None, :, None, :], x.w_high[None, :, None, :]
    weights = np.stack(np.broadcast_arrays(hy * hx, hy * lx, ly * hx, ly * lx)).astype(_F32)
    values = np.stack(
        [plane[:, ylow, xlow], plane[:, ylow, xhigh], plane[:, yhigh, xlow], plane[:, yhigh, xhigh]], axis=1
    )
    values = np.broadcast_to(values, (plane.shape[0], *weights.shape))
    return weights, values


def _bilinear_values(weights, values) -> np.ndarray:
    """``w1*v1 + w2*v2 + w3*v3 + w4*v4`` left to right in float32: (C, PH, PW, gy, gx)."""
    terms = weights[None] * values
    return ((terms[:, 0] + terms[:, 1]) + terms[:, 2]) + terms[:, 3]


def onnx_roi_align_samples(
    roi,
    *,
    output_height: int = 1,
    output_width: int = 1,
    sampling_ratio: int = 0,
    spatial_scale: float = 1.0,
    coordinate_transformation_mode: str = "half_pixel",
    map_shape=(1, 1),
) -> ru.AlignSamples:
    """Where ONNX ``RoiAlign`` samples one box ``[x1, y1, x2, y2]`` (the picture of ``onnx_roi_align``).

    ``half_pixel`` is ``roi_utils``' ``aligned=True``, ``output_half_pixel`` is
    ``aligned=False`` and ``sampling_ratio=0`` is its adaptive ``-1``. One rule differs:
    with ``half_pixel`` a box of zero or negative size is sampled as it is (roi_utils
    refuses it, as mxnet aborts on it): adaptive sampling then takes no samples, a
    fixed ``sampling_ratio`` puts all samples of a zero-width axis on one line.

    Examples
    --------
    >>> s = onnx_roi_align_samples([0, 0, 2, 2], output_height=2, output_width=2, map_shape=(4, 4))
    >>> s.x.coord.tolist()   # half_pixel: the box starts at -0.5
    [[0.0], [1.0]]
    >>> s = onnx_roi_align_samples([1, 1, 1, 2], sampling_ratio=1, map_shape=(4, 4))
    >>> s.x.coord.tolist(), s.y.coord.tolist()   # zero width: the sample sits on x = 0.5
    ([[0.5]], [[1.0]])
    """
    pooled = ru._check_pooled_size((output_height, output_width))
    ratio = ru._check_int(sampling_ratio, "sampling_ratio", 0)
    scale = ru._check_scale(spatial_scale)
    mode = _choice(coordinate_transformation_mode, "coordinate_transformation_mode", ONNX_COORDINATE_MODES)
    shape = ru._check_map_shape(map_shape)
    row = _check_boxes4(np.asarray(roi)[None, :] if np.ndim(roi) == 1 else roi, "roi")
    if row.shape[0] != 1:
        raise ValueError(f"roi must be one box [x1, y1, x2, y2]; got shape {np.shape(roi)}")
    ru._check_rois(_rows5(row, np.zeros(1)), 1, scale)
    return _align_samples(row[0], pooled, scale, ratio, mode == "half_pixel", shape)


# ---------------------------------------------------------------------------
# ONNX: RoiAlign and MaxRoiPool
# ---------------------------------------------------------------------------


def onnx_roi_align(
    X,
    rois,
    batch_indices,
    *,
    mode: str = "avg",
    output_height: int = 1,
    output_width: int = 1,
    sampling_ratio: int = 0,
    spatial_scale: float = 1.0,
    coordinate_transformation_mode: str = "half_pixel",
) -> np.ndarray:
    """ONNX ``RoiAlign`` (opset 16) as ONNX Runtime 1.32 computes it.

    The attributes are ONNX's, with ONNX's defaults (``half_pixel`` since opset 16;
    opsets 10-15 have no such attribute and always compute ``output_half_pixel``).

    * ``mode="avg"`` is ``roi_utils.roi_align(data, [[b, x1, y1, x2, y2]], (output_height,
      output_width), spatial_scale, sample_ratio, aligned)`` with ``aligned =
      (coordinate_transformation_mode == "half_pixel")`` and ``sample_ratio = sampling_ratio``
      (0 is adaptive, mxnet's -1). Only zero-size and reversed ``half_pixel`` boxes differ:
      see ``onnx_roi_align_samples``.
    * ``mode="max"`` is not a maximum of interpolated values: for each sample it takes the
      largest of the four *weighted corner values* ``w1*v1, w2*v2, w3*v3, w4*v4``, and each
      bin outputs the largest of those over its samples (0 when it has none). On a constant
      map of -10 a sample midway between four cells gives -2.5, one on a cell centre gives -0.
      ONNX Runtime warns at load time that this "will be fixed"; 1.32 still computes it.

    Parameters
    ----------
    X : array (N, C, H, W)
        Finite values.
    rois : array (R, 4)
        Boxes ``[x1, y1, x2, y2]`` in input-image pixels (no batch column).
    batch_indices : int array (R,)
        Which image each box is on, ``0..N-1`` (ONNX Runtime rejects others, -1 included).
    mode : {"avg", "max"}
    output_height, output_width : int >= 1
    sampling_ratio : int >= 0
        Samples per bin along each axis; 0 is adaptive, ``ceil(roi_size / output_size)``.
    spatial_scale : float in (0, 1]
    coordinate_transformation_mode : {"half_pixel", "output_half_pixel"}

    Returns
    -------
    ndarray (R, C, output_height, output_width), float32

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> onnx_roi_align(x, [[0, 0, 2, 2]], [0], output_height=2, output_width=2, sampling_ratio=2,
    ...                coordinate_transformation_mode="output_half_pixel")[0, 0].tolist()
    [[2.5, 3.5], [6.5, 7.5]]
    >>> onnx_roi_align(x, [[1, 1, 1, 2]], [0], sampling_ratio=1).ravel().tolist()  # zero width
    [4.5]
    >>> onnx_roi_align(np.full((1, 1, 4, 4), -10.0), [[0.5, 0.5, 1.5, 1.5]], [0], mode="max",
    ...                sampling_ratio=1).ravel().tolist()   # a sample midway between four cells
    [-2.5]
    """
    x = _finite_map(X, "X")
    boxes = _check_boxes4(rois)
    batch = _check_indices(batch_indices, len(boxes), x.shape[0], "batch_indices")
    pooled = ru._check_pooled_size((output_height, output_width))
    ratio = ru._check_int(sampling_ratio, "sampling_ratio", 0)
    scale = ru._check_scale(spatial_scale)
    mode = _choice(mode, "mode", ONNX_MODES)
    ctm = _choice(coordinate_transformation_mode, "coordinate_transformation_mode", ONNX_COORDINATE_MODES)
    half_pixel = ctm == "half_pixel"
    rows = _rows5(boxes, batch)
    ru._check_rois(rows, x.shape[0], scale)
    out = np.zeros((len(boxes), x.shape[1], *pooled), _F32)
    offset = _F32(0.5) if half_pixel else _F32(0)
    scaled = boxes * scale - offset
    regular = (scaled[:, 2] > scaled[:, 0]) & (scaled[:, 3] > scaled[:, 1]) | (not half_pixel)
    if mode == "avg" and regular.any():
        out[regular] = ru.roi_align(x, rows[regular], pooled, float(scale), ratio or -1, half_pixel)
    todo = np.flatnonzero(~regular) if mode == "avg" else range(len(boxes))
    for r in todo:
        samples = _align_samples(boxes[r], pooled, scale, ratio, half_pixel, x.shape[2:])
        if samples.count <= 0:
            continue  # no samples: the bin keeps 0
        weights, values = _corner_terms(x[batch[r]], samples)
        if mode == "max":
            out[r] = (weights[None] * values).max(axis=(1, 4, 5))
        else:
            out[r] = _bilinear_values(weights, values).sum(axis=(3, 4), dtype=_F32) / _F32(samples.count)
    return out


def _nan_aware_bin(cells: np.ndarray) -> np.ndarray:
    """ONNX Runtime's running ``y = std::max(cell, y)`` from ``-FLT_MAX`` over (C, K) cells.

    ``std::max(a, b)`` returns ``a`` unless ``a < b``: a NaN cell always replaces the
    running value and the next cell always replaces a NaN. So a bin outputs NaN only
    when its last cell is NaN, otherwise the maximum of the cells after its last NaN.
    """
    nan = np.isnan(cells)
    count = cells.shape[1]
    last_nan = np.where(nan.any(axis=1), count - 1 - np.argmax(nan[:, ::-1], axis=1), -1)
    after = np.arange(count)[None, :] > last_nan[:, None]
    best = np.where(after, cells, -np.inf).max(axis=1)
    best = np.where(last_nan < 0, np.maximum(best, -ru.FLT_MAX), best)
    return np.where(last_nan == count - 1, np.nan, best).astype(_F32)


def onnx_max_roi_pool(X, rois, *, pooled_shape, spatial_scale: float = 1.0) -> np.ndarray:
    """ONNX ``MaxRoiPool`` as ONNX Runtime 1.32 computes it.

    Its bins are mxnet's (``roi_utils.roi_pool_bins``: C rounding of the scaled
    corners, inclusive corners, floor/ceil bins, empty bins 0), so without NaN the
    output is ``roi_utils.roi_pool(X, rois, pooled_shape, spatial_scale)`` bit for bit.
    NaN is where they part: mxnet skips a NaN cell, ONNX Runtime keeps it only when it
    is the bin's last cell (row-major) and otherwise restarts the maximum after it.

    Parameters
    ----------
    X : array (N, C, H, W)
    rois : array (R, 5)
        Rows ``[batch_index, x1, y1, x2, y2]``, as mxnet's (the batch index must be whole;
        ONNX Runtime truncates a fractional one).
    pooled_shape : int or (int, int)
    spatial_scale : float in (0, 1]

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> onnx_max_roi_pool(x, [[0, 0, 0, 2, 2]], pooled_shape=(2, 2))[0, 0].tolist()
    [[5.0, 6.0], [9.0, 10.0]]
    >>> x[0, 0, 1, 1] = np.nan   # the last cell of bin (0, 0)
    >>> onnx_max_roi_pool(x, [[0, 0, 0, 2, 2]], pooled_shape=(2, 2))[0, 0].tolist()
    [[nan, 6.0], [9.0, 10.0]]
    """
    x = ru._check_data(X, "X")
    if not np.isnan(x).any():
        return ru.roi_pool(x, rois, pooled_shape, spatial_scale)
    pooled = ru._check_pooled_size(pooled_shape)
    scale = ru._check_scale(spatial_scale)
    rows, batch = ru._check_rois(rois, x.shape[0], scale)
    out = np.zeros((len(rows), x.shape[1], *pooled), _F32)
    for r, row in enumerate(rows):
        bins = ru.roi_pool_bins(row, pooled, float(scale), x.shape[2:])
        for ph in range(pooled[0]):
            for pw in range(pooled[1]):
                ys, xs = bins.cells(ph, pw)
                cells = x[batch[r], :, ys, xs].reshape(x.shape[1], -1)
                if cells.shape[1]:
                    out[r, :, ph, pw] = _nan_aware_bin(cells)
    return out


# ---------------------------------------------------------------------------
# torchvision, Detectron2, mmcv
# ---------------------------------------------------------------------------


def _split_rows(input, boxes, name: str = "boxes"):
    x = _finite_map(input, "input")
    array = ru._numeric_array(boxes, name)
    if array.ndim != 2 or array.shape[1] != 5:
        raise ValueError(
            f"{name} must be 2-D of shape (K, 5), rows [batch_index, x1, y1, x2, y2]; got shape {array.shape}"
        )
    rows, batch = ru._check_rois(array, x.shape[0], _F32(1))
    return x, rows[:, 1:], batch


def torchvision_roi_align(
    input, boxes, output_size, spatial_scale: float = 1.0, sampling_ratio: int = -1, aligned: bool = False
) -> np.ndarray:
    """``torchvision.ops.roi_align`` (torchvision 0.29, CPU kernel ``ops/cpu/roi_align_kernel.cpp``).

    The same Caffe2 kernel as ONNX Runtime's avg mode: ``roi_utils.roi_align`` with the
    same arguments (``aligned`` is the half-pixel shift, ``sampling_ratio <= 0`` adaptive),
    except that with ``aligned=True`` a zero-size or reversed box is computed, not
    refused (adaptive sampling gives 0 for it). ``boxes`` is ``(K, 5)``
    ``[batch_index, x1, y1, x2, y2]`` (torchvision also takes a list of ``(L, 4)`` tensors).

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> torchvision_roi_align(x, [[0, 1, 1, 1, 3]], 1, aligned=True).ravel().tolist()  # zero width
    [0.0]
    """
    x, boxes4, batch = _split_rows(input, boxes)
    ph, pw = ru._check_pooled_size(output_size)
    ratio = ru._check_int(sampling_ratio, "sampling_ratio")
    return onnx_roi_align(
        x,
        boxes4,
        batch,
        output_height=ph,
        output_width=pw,
        sampling_ratio=max(ratio, 0),
        spatial_scale=spatial_scale,
        coordinate_transformation_mode="half_pixel"
        if ru._check_bool(aligned, "aligned")
        else "output_half_pixel",
    )


def torchvision_roi_pool(input, boxes, output_size, spatial_scale: float = 1.0) -> np.ndarray:
    """``torchvision.ops.roi_pool`` (CPU kernel ``ops/cpu/roi_pool_kernel.cpp``): mxnet's rule exactly.

    ``roi_utils.roi_pool(input, boxes, output_size, spatial_scale)``: C rounding, inclusive
    corners, floor/ceil bins, strict ``>`` from ``-FLT_MAX`` (NaN skipped), empty bins 0.

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> torchvision_roi_pool(x, [[0, 0, 0, 2, 2]], 2)[0, 0].tolist()
    [[5.0, 6.0], [9.0, 10.0]]
    """
    return ru.roi_pool(input, boxes, output_size, spatial_scale)


def detectron2_roi_align(
    input, rois, output_size, spatial_scale: float, sampling_ratio: int, aligned: bool = True
) -> np.ndarray:
    """Detectron2's ``ROIAlign(output_size, spatial_scale, sampling_ratio, aligned=True)(input, rois)``.

    ``detectron2/layers/roi_align.py`` calls ``torchvision.ops.roi_align`` with the same
    arguments (torchvision >= 0.7): so this is ``torchvision_roi_align``, but with
    ``aligned=True`` by default (torchvision's default is False). Detectron2's box head defaults
    (``detectron2/config/defaults.py``) are ``POOLER_SAMPLING_RATIO = 0`` (adaptive) and
    ``POOLER_TYPE = "ROIAlignV2"`` (``aligned=True``).

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> detectron2_roi_align(x, [[0, 0, 0, 2, 2]], (1, 1), 1.0, 0).ravel().tolist()
    [2.5]
    """
    return torchvision_roi_align(input, rois, output_size, spatial_scale, sampling_ratio, aligned)


def mmcv_roi_align(
    input,
    rois,
    output_size,
    spatial_scale: float = 1.0,
    sampling_ratio: int = 0,
    pool_mode: str = "avg",
    aligned: bool = True,
) -> np.ndarray:
    """mmcv's ``RoIAlign(output_size, spatial_scale, sampling_ratio, pool_mode, aligned)(input, rois)``.

    Rule from ``mmcv/ops/csrc/pytorch/cpu/roi_align.cpp`` (not run here):

    * ``pool_mode="avg"`` is ``torchvision_roi_align`` (the same Caffe2 samples); with
      ``aligned=True`` mmcv allows a zero-size box but asserts on a reversed one
      (a ``ValueError`` here);
    * ``pool_mode="max"`` is the maximum of the *interpolated* sample values
      ``w1*v1 + w2*v2 + w3*v3 + w4*v4`` (unlike ONNX's maximum of weighted corners),
      starting from ``MMCV_MAX_START = -10000``, so a bin with no samples or only
      samples below -10000 outputs -10000.

    Examples
    --------
    >>> x = np.full((1, 1, 4, 4), -10.0, np.float32)
    >>> mmcv_roi_align(x, [[0, 0.5, 0.5, 1.5, 1.5]], 1, sampling_ratio=1, pool_mode="max").ravel().tolist()
    [-10.0]
    """
    x, boxes4, batch = _split_rows(input, rois, "rois")
    pooled = ru._check_pooled_size(output_size)
    ratio = max(ru._check_int(sampling_ratio, "sampling_ratio"), 0)
    scale = ru._check_scale(spatial_scale)
    mode = _choice(pool_mode, "pool_mode", ("avg", "max"))
    aligned = ru._check_bool(aligned, "aligned")
    if aligned:
        scaled = boxes4 * scale - _F32(0.5)
        reversed_ = (scaled[:, 2] < scaled[:, 0]) | (scaled[:, 3] < scaled[:, 1])
        if reversed_.any():
            r = int(np.argmax(reversed_))
            raise ValueError(
                f"rois[{r}] is reversed (x2 < x1 or y2 < y1); mmcv's aligned RoIAlign "
                "asserts that a box has non-negative size"
            )
    if mode == "avg":
        return torchvision_roi_align(x, _rows5(boxes4, batch), pooled, float(scale), ratio, aligned)
    out = np.full((len(boxes4), x.shape[1], *pooled), MMCV_MAX_START, _F32)
    for r in range(len(boxes4)):
        samples = _align_samples(boxes4[r], pooled, scale, ratio, aligned, x.shape[2:])
        if samples.count <= 0:
            continue
        values = _bilinear_values(*_corner_terms(x[batch[r]], samples))
        out[r] = np.maximum(values.max(axis=(3, 4)), MMCV_MAX_START)
    return out


# ---------------------------------------------------------------------------
# TensorFlow: crop_and_resize and the Object Detection API's crop + max pool
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CropGrid:
    """Where ``tf_crop_and_resize`` reads one box: ``in_y`` (crop_height,) and ``in_x``
    (crop_width,) in image cells (cell centres at whole numbers), and whether each lies
    inside ``[0, size - 1]`` (outside: the output is ``extrapolation_value``)."""

    in_y: np.ndarray
    in_x: np.ndarray
    valid_y: np.ndarray
    valid_x: np.ndarray


def _tf_axis(lo, hi, crop: int, size: int):
    """TensorFlow's float32 positions along one axis for (R,) normalised ends ``lo``, ``hi``."""
    last = _F32(size - 1)
    if crop > 1:
        step = ((hi - lo) * last / _F32(crop - 1)).astype(_F32)
        pos = lo[:, None] * last + np.arange(crop, dtype=_F32)[None, :] * step[:, None]
    else:  # 0.5 * (y1 + y2) * (height - 1) is evaluated in double, then stored as float
        pos = (0.5 * (lo + hi).astype(np.float64) * (size - 1))[:, None]
    pos = pos.astype(_F32)
    return pos, (pos >= 0) & (pos <= last)


def _check_crop(image, boxes, box_indices, crop_size):
    img = ru._numeric_array(image, "image")
    if img.ndim != 4 or 0 in img.shape:
        raise ValueError(
            f"image must be 4-D (batch, height, width, depth), none empty; got shape {img.shape}"
        )
    boxes4 = _check_boxes4(boxes, "boxes")
    batch = _check_indices(box_indices, len(boxes4), img.shape[0], "box_indices")
    if not isinstance(crop_size, (tuple, list, np.ndarray)) or len(crop_size) != 2:
        raise TypeError(f"crop_size must be a pair (crop_height, crop_width); got {crop_size!r}")
    crop = (ru._check_int(crop_size[0], "crop_size[0]", 1), ru._check_int(crop_size[1], "crop_size[1]", 1))
    return img.astype(_F32), boxes4, batch, crop


def tf_crop_grid(box, crop_size, image_shape) -> CropGrid:
    """The positions ``tf_crop_and_resize`` samples for one normalised box ``[y1, x1, y2, x2]``.

    ``in_y = y1 * (H - 1) + i * (y2 - y1) * (H - 1) / (crop_height - 1)`` for
    ``i = 0 .. crop_height - 1`` (and ``0.5 * (y1 + y2) * (H - 1)`` when crop_height is 1):
    normalised 0 and 1 are the centres of the first and last cells, both ends included.

    Examples
    --------
    >>> g = tf_crop_grid([0, 0, 1, 0.5], (3, 2), (4, 5))
    >>> g.in_y.tolist(), g.in_x.tolist()
    ([0.0, 1.5, 3.0], [0.0, 2.0])
    """
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2:
        raise TypeError(f"image_shape must be a pair (height, width); got {image_shape!r}")
    h, w = ru._check_map_shape(tuple(image_shape))
    _, boxes4, _, crop = _check_crop(np.zeros((1, h, w, 1)), np.asarray(box)[None], [0], crop_size)
    in_y, valid_y = _tf_axis(boxes4[:, 0], boxes4[:, 2], crop[0], h)
    in_x, valid_x = _tf_axis(boxes4[:, 1], boxes4[:, 3], crop[1], w)
    return CropGrid(in_y=in_y[0], in_x=in_x[0], valid_y=valid_y[0], valid_x=valid_x[0])


def tf_crop_and_resize(
    image, boxes, box_indices, crop_size, method: str = "bilinear", extrapolation_value: float = 0.0
) -> np.ndarray:
    """``tf.image.crop_and_resize`` (rule from ``tensorflow/core/kernels/image/crop_and_resize_op.cc``).

    ``image`` is NHWC; each box is ``[y1, x1, y2, x2]`` in *normalised* coordinates,
    mapped onto the image by ``y * (H - 1)``: corner-aligned, the two ends of the box are
    sampled (``tf_crop_grid``), one sample per output cell, no averaging. A position
    outside ``[0, H - 1]`` gives ``extrapolation_value``. ``bilinear``: with
    ``top = floor(in_y)``, ``bottom = ceil(in_y)``, ``y_lerp = in_y - top`` (likewise x),
    ``top_row = tl + (tr - tl) * x_lerp``, ``bottom_row = bl + (br - bl) * x_lerp``,
    ``out = top_row + (bottom_row - top_row) * y_lerp``, in float32. ``nearest``: the cell at
    ``(round(in_y), round(in_x))``, rounding halves away from zero.

    Returns
    -------
    ndarray (R, crop_height, crop_width, depth), float32

    Examples
    --------
    >>> img = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    >>> tf_crop_and_resize(img, [[0, 0, 1, 1]], [0], (2, 2))[0, :, :, 0].tolist()   # the 4 corners
    [[0.0, 3.0], [12.0, 15.0]]
    >>> tf_crop_and_resize(img, [[0, 0, 0.5, 0.5]], [0], (2, 2))[0, :, :, 0].tolist()
    [[0.0, 1.5], [6.0, 7.5]]
    """
    img, boxes4, batch, (ch, cw) = _check_crop(image, boxes, box_indices, crop_size)
    method = _choice(method, "method", TF_METHODS)
    if isinstance(extrapolation_value, (bool, np.bool_)) or not isinstance(extrapolation_value, numbers.Real):
        raise TypeError(f"extrapolation_value must be a real number; got {extrapolation_value!r}")
    _, h, w, depth = img.shape
    in_y, valid_y = _tf_axis(boxes4[:, 0], boxes4[:, 2], ch, h)
    in_x, valid_x = _tf_axis(boxes4[:, 1], boxes4[:, 3], cw, w)
    out = np.full((len(boxes4), ch, cw, depth), _F32(extrapolation_value), _F32)
    for r in range(len(boxes4)):
        plane = img[batch[r]]
        ys, xs = np.clip(in_y[r], 0, h - 1), np.clip(in_x[r], 0, w - 1)
        if method == "nearest":
            rows = ru.c_round(ys).astype(np.int64)
            cols = ru.c_round(xs).astype(np.int64)
            values = plane[rows[:, None], cols[None, :]]
        else:
            top, bottom = np.floor(ys).astype(np.int64), np.ceil(ys).astype(np.int64)
            left, right = np.floor(xs).astype(np.int64), np.ceil(xs).astype(np.int64)
            y_lerp = (ys - top.astype(_F32)).astype(_F32)[:, None, None]
            x_lerp = (xs - left.astype(_F32)).astype(_F32)[None, :, None]
            tl, tr = plane[top[:, None], left[None, :]], plane[top[:, None], right[None, :]]
            bl, br = plane[bottom[:, None], left[None, :]], plane[bottom[:, None], right[None, :]]
            upper = tl + (tr - tl) * x_lerp
            lower = bl + (br - bl) * x_lerp
            values = upper + (lower - upper) * y_lerp
        inside = valid_y[r][:, None] & valid_x[r][None, :]
        out[r][inside] = values[inside]
    return out


def tf_object_detection_crop(
    features,
    boxes,
    box_indices,
    initial_crop_size: int = 14,
    maxpool_kernel_size: int = 2,
    maxpool_stride: int = 2,
) -> np.ndarray:
    """The TensorFlow Object Detection API's RoI features: a 14x14 ``crop_and_resize``, then a
    2x2 max pool with stride 2 (``VALID``), giving 7x7 per box.

    From ``research/object_detection/meta_architectures/faster_rcnn_meta_arch.py`` in
    tensorflow/models (``initial_crop_size``, ``maxpool_kernel_size``, ``maxpool_stride`` in
    its configs). ``features`` is NHWC, ``boxes`` normalised ``[y1, x1, y2, x2]``.

    Examples
    --------
    >>> f = np.arange(64, dtype=np.float32).reshape(1, 8, 8, 1)
    >>> tf_object_detection_crop(f, [[0, 0, 1, 1]], [0], 4).shape
    (1, 2, 2, 1)
    """
    size = ru._check_int(initial_crop_size, "initial_crop_size", 1)
    k = ru._check_int(maxpool_kernel_size, "maxpool_kernel_size", 1)
    stride = ru._check_int(maxpool_stride, "maxpool_stride", 1)
    if k > size:
        raise ValueError(f"maxpool_kernel_size ({k}) must not exceed initial_crop_size ({size})")
    crops = tf_crop_and_resize(features, boxes, box_indices, (size, size))
    starts = range(0, size - k + 1, stride)
    rows = np.stack([crops[:, s : s + k].max(axis=1) for s in starts], axis=1)
    return np.stack([rows[:, :, s : s + k].max(axis=2) for s in starts], axis=2)


def roi_align_crop_boxes(rois, pooled_size, spatial_scale: float, map_shape, sample_ratio: int = 1):
    """Normalised ``crop_and_resize`` boxes that sample exactly where ``roi_align`` does.

    ``roi_align(..., aligned=True, sample_ratio=g)`` samples each axis on the uniform grid
    ``start + (k + 0.5) * bin / g``, ``k = 0 .. P*g - 1``. ``crop_and_resize`` with
    ``crop_size = P*g`` samples a uniform grid from ``y1 * (H - 1)`` to ``y2 * (H - 1)``
    inclusive, so the boxes whose ends are the first and last of those samples, divided by
    ``H - 1``, give the same positions (up to float32 rounding); averaging each g x g block
    of the crop is then RoIAlign, except near the border: a sample within one cell outside the
    map, in ``[-1, 0)`` or ``(H - 1, H]``, reads the edge cell in RoIAlign and gives
    ``extrapolation_value`` in TensorFlow. A map side of 1 cell has no such box.

    Returns
    -------
    (boxes (R, 4) float32 ``[y1, x1, y2, x2]``, crop_size (P_h*g, P_w*g))

    Examples
    --------
    >>> boxes, crop = roi_align_crop_boxes([[0, 0, 0, 4, 4]], 2, 1.0, (5, 5))
    >>> (boxes * 4).tolist(), crop   # bin centres 0.5 and 2.5 after the half-pixel shift
    ([[0.5, 0.5, 2.5, 2.5]], (2, 2))
    """
    ph, pw = ru._check_pooled_size(pooled_size)
    g = ru._check_int(sample_ratio, "sample_ratio", 1)
    scale = ru._check_scale(spatial_scale)
    height, width = ru._check_map_shape(tuple(map_shape) if isinstance(map_shape, list) else map_shape)
    if height < 2 or width < 2:
        raise ValueError(f"map_shape must be at least 2 x 2 for a corner-aligned box; got {map_shape!r}")
    rows, _ = ru._check_rois(rois, 1 + int(np.max(np.asarray(rois)[:, 0], initial=0)), scale)
    start = rows[:, 1:3] * scale - _F32(0.5)
    size = rows[:, 3:5] * scale - _F32(0.5) - start
    pooled = np.array([pw, ph], _F32)
    step = size / (pooled * g)
    first = start + _F32(0.5) * step
    last = start + (pooled * g - _F32(0.5)) * step
    denominator = np.array([width - 1, height - 1], _F32)
    first, last = first / denominator, last / denominator
    boxes = np.stack([first[:, 1], first[:, 0], last[:, 1], last[:, 0]], axis=1).astype(_F32)
    return boxes, (ph * g, pw * g)


# ---------------------------------------------------------------------------
# The table: one box, many frameworks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkRow:
    """One line of chapter 7's table: a framework's call and its numbers for the same box."""

    framework: str
    call: str
    setting: str
    checked: str
    values: np.ndarray


FRAMEWORKS = (
    ("mxnet 1.9.1", "live (tests/test_mxnet_live.py)"),
    ("ONNX Runtime 1.32", "live (tests/test_onnxruntime_live.py)"),
    ("torchvision 0.29", "recorded from torchvision (data/frameworks_recorded.npz)"),
    ("Detectron2", "source: detectron2/layers/roi_align.py (calls torchvision)"),
    ("mmcv", "source: mmcv/ops/csrc/pytorch/cpu/roi_align.cpp"),
    ("TensorFlow 2.21", "recorded from TensorFlow (data/frameworks_recorded.npz)"),
)
"""Each framework and how the rules here were checked."""


def same_box(
    data, roi, pooled_size, spatial_scale: float = 1.0, sample_ratio: int = -1, aligned: bool = False
) -> list[FrameworkRow]:
    """mxnet's ``contrib.ROIAlign`` call and, for each framework, the call that gives the same
    numbers (and TensorFlow's nearest recipe), each computed by this module.

    ``data`` is NCHW, ``roi`` one mxnet row ``[batch_index, x1, y1, x2, y2]``. The values are
    channel 0 of each output (TensorFlow's is RoIAlign's grid via ``roi_align_crop_boxes``,
    averaged over each ``g x g`` block, so it differs only at the map's border).

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> rows = same_box(x, [0, 0, 0, 2, 2], 2, sample_ratio=2)
    >>> [r.framework for r in rows][:3], rows[1].values.tolist()
    (['mxnet 1.9.1', 'ONNX Runtime 1.32', 'torchvision 0.29'], [[2.5, 3.5], [6.5, 7.5]])
    """
    x = _finite_map(data, "data")
    row = ru._check_roi_row(roi)
    ph, pw = ru._check_pooled_size(pooled_size)
    ratio = ru._check_int(sample_ratio, "sample_ratio")
    aligned = ru._check_bool(aligned, "aligned")
    b = int(row[0])
    box = [float(v) for v in row[1:]]
    mx = ru.roi_align(x, [row], (ph, pw), spatial_scale, ratio, aligned)[0, 0]
    ctm = "half_pixel" if aligned else "output_half_pixel"
    onnx = onnx_roi_align(
        x,
        [box],
        [b],
        output_height=ph,
        output_width=pw,
        sampling_ratio=max(ratio, 0),
        spatial_scale=spatial_scale,
        coordinate_transformation_mode=ctm,
    )[0, 0]
    tv = torchvision_roi_align(x, [row], (ph, pw), spatial_scale, ratio, aligned)[0, 0]
    d2 = detectron2_roi_align(x, [row], (ph, pw), spatial_scale, ratio, aligned)[0, 0]
    mm = mmcv_roi_align(x, [row], (ph, pw), spatial_scale, max(ratio, 0), "avg", aligned)[0, 0]
    rows = [
        FrameworkRow(
            "mxnet 1.9.1",
            f"mx.nd.contrib.ROIAlign(data, rois, pooled_size=({ph}, {pw}), "
            f"spatial_scale={spatial_scale:g}, sample_ratio={ratio}, aligned={aligned})",
            "(the reference)",
            FRAMEWORKS[0][1],
            mx,
        ),
        FrameworkRow(
            "ONNX Runtime 1.32",
            f"RoiAlign(opset 16, output_height={ph}, output_width={pw}, "
            f"sampling_ratio={max(ratio, 0)}, spatial_scale={spatial_scale:g}, "
            f"coordinate_transformation_mode='{ctm}')",
            f"coordinate_transformation_mode='{ctm}'" + (", sampling_ratio=0 for -1" if ratio <= 0 else ""),
            FRAMEWORKS[1][1],
            onnx,
        ),
        FrameworkRow(
            "torchvision 0.29",
            f"torchvision.ops.roi_align(x, rois, ({ph}, {pw}), {spatial_scale:g}, "
            f"{ratio}, aligned={aligned})",
            "the same arguments",
            FRAMEWORKS[2][1],
            tv,
        ),
        FrameworkRow(
            "Detectron2",
            f"ROIAlign(({ph}, {pw}), {spatial_scale:g}, {ratio}, aligned={aligned})",
            "the default aligned=True" if aligned else "aligned=False must be given: its default is True",
            FRAMEWORKS[3][1],
            d2,
        ),
        FrameworkRow(
            "mmcv",
            f"RoIAlign(({ph}, {pw}), {spatial_scale:g}, {max(ratio, 0)}, 'avg', aligned={aligned})",
            "pool_mode='avg' (the default); "
            + ("the default aligned=True" if aligned else "aligned=False must be given: its default is True"),
            FRAMEWORKS[4][1],
            mm,
        ),
    ]
    if x.shape[2] >= 2 and x.shape[3] >= 2 and aligned and ratio > 0:
        boxes, crop = roi_align_crop_boxes([[0, *box]], (ph, pw), spatial_scale, x.shape[2:], ratio)
        crops = tf_crop_and_resize(x[b : b + 1].transpose(0, 2, 3, 1), boxes, [0], crop)[0, :, :, 0]
        tf = crops.reshape(ph, ratio, pw, ratio).mean(axis=(1, 3), dtype=_F32)
        rows.append(
            FrameworkRow(
                "TensorFlow 2.21",
                f"tf.image.crop_and_resize(x_nhwc, boxes, [0], ({ph * ratio}, {pw * ratio})) "
                f"then a {ratio}x{ratio} average",
                "boxes from roi_align_crop_boxes (normalised, corner-aligned)",
                FRAMEWORKS[5][1],
                tf,
            )
        )
    return rows


def same_pool_box(data, roi, pooled_size, spatial_scale: float = 1.0) -> list[FrameworkRow]:
    """mxnet's ``ROIPooling`` call and the calls that give its numbers in ONNX, torchvision and Detectron2.

    All four share one rule (C rounding, inclusive corners, floor/ceil bins): ONNX ``MaxRoiPool``
    takes mxnet's ``(R, 5)`` rows as they are (``onnx_max_roi_pool``; it parts from mxnet only on
    NaN), torchvision's ``roi_pool`` the same arguments, and Detectron2's ``POOLER_TYPE = "ROIPool"``
    is torchvision's ``RoIPool`` (``detectron2/modeling/poolers.py``).

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> [r.values.tolist() for r in same_pool_box(x, [0, 0, 0, 2, 2], 1)]
    [[[10.0]], [[10.0]], [[10.0]], [[10.0]]]
    """
    x = ru._check_data(data)
    row = ru._check_roi_row(roi)
    ph, pw = ru._check_pooled_size(pooled_size)
    mx = ru.roi_pool(x, [row], (ph, pw), spatial_scale)[0, 0]
    onnx = onnx_max_roi_pool(x, [row], pooled_shape=(ph, pw), spatial_scale=spatial_scale)[0, 0]
    tv = torchvision_roi_pool(x, [row], (ph, pw), spatial_scale)[0, 0]
    scale = f"{spatial_scale:g}"
    return [
        FrameworkRow(
            "mxnet 1.9.1",
            f"mx.nd.ROIPooling(data, rois, pooled_size=({ph}, {pw}), spatial_scale={scale})",
            "(the reference)",
            FRAMEWORKS[0][1],
            mx,
        ),
        FrameworkRow(
            "ONNX Runtime 1.32",
            f"MaxRoiPool(opset 16, pooled_shape=[{ph}, {pw}], spatial_scale={scale})",
            "rois exactly as mxnet's (R, 5) rows",
            FRAMEWORKS[1][1],
            onnx,
        ),
        FrameworkRow(
            "torchvision 0.29",
            f"torchvision.ops.roi_pool(x, rois, ({ph}, {pw}), {scale})",
            "the same arguments",
            FRAMEWORKS[2][1],
            tv,
        ),
        FrameworkRow(
            "Detectron2",
            f"ROIPooler(({ph}, {pw}), ({scale},), 0, 'ROIPool')",
            "POOLER_TYPE 'ROIPool' is torchvision's RoIPool",
            "source: detectron2/modeling/poolers.py (calls torchvision)",
            tv,
        ),
    ]


def table(rows: list[FrameworkRow], digits: int = 4) -> str:
    """``same_box``'s rows as text: framework, the setting that gives mxnet's numbers, the call,
    the numbers (rounded to ``digits``) and how the rule was checked.

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> table(same_box(x, [0, 0, 0, 2, 2], 1, sample_ratio=1)).splitlines()[0]
    'mxnet 1.9.1        (the reference)'
    """
    lines = []
    for row in rows:
        values = np.round(row.values.astype(np.float64), digits).tolist()
        lines.append(f"{row.framework:18} {row.setting}")
        lines.append(f"{'':18} {row.call}")
        lines.append(f"{'':18} {values}   [{row.checked}]")
    return "\n".join(lines)
