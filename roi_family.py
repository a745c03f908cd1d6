"""Chapter 8's operators: FPN levels, position-sensitive pooling and rotated RoIAlign.

numpy only, float32, mxnet 1.9.1's argument names and rules, checked against
``mx.nd.contrib.PSROIPooling``, ``mx.nd.contrib.ROIAlign(position_sensitive=True)``
and ``mx.nd.contrib.RROIAlign`` (``tests/test_family_mxnet.py``). ``roi_utils``
re-exports every public name here, so ``ru.ps_roi_pool`` works as well as
``roi_family.ps_roi_pool``.

* ``fpn_levels`` / ``fpn_levels_mmdet`` / ``fpn_thresholds`` and
  ``multi_scale_roi_align``: Feature Pyramid Networks pool each box from one of
  several maps, chosen by the box's size (torchvision's ``MultiScaleRoIAlign``).
* ``ps_roi_pool`` (R-FCN) and ``ps_roi_align``: each bin of output channel ``c``
  reads its own input channel, so a ``k x k`` grid of bins reads ``k * k``
  different score maps.
* ``rotated_roi_align``: RoIAlign of a box turned by an angle; its sample grid
  turns with it.

The geometry the pictures draw (``ps_roi_pool_bins``, ``ps_channels``,
``rotated_roi_align_samples``) is what the operators compute with.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import numbers
from dataclasses import dataclass

import numpy as np

import roi_utils as ru

__all__ = list(ru._FAMILY_NAMES)
"""The one list of this module's public names is kept in roi_utils, which serves them on first use."""

_F32 = np.float32


# ---------------------------------------------------------------------------
# Small checks of this module's own arguments (the shared ones are ru._check_*)
# ---------------------------------------------------------------------------


def _real(value, name: str, positive: bool = False) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0; got {value!r}")
    return value


def _finite_data(data, op: str) -> np.ndarray:
    x = ru._check_data(data)
    if not np.isfinite(x).all():
        raise ValueError(f"data contains NaN or infinity; {op} needs finite values")
    return x


def _square_pooled_size(pooled_size) -> int:
    """PSROIPooling's ``pooled_size`` is one int (its bins are always k x k)."""
    if isinstance(pooled_size, (tuple, list, np.ndarray)):
        raise TypeError(
            f"pooled_size must be one integer k (PSROIPooling pools k x k bins); got {pooled_size!r}"
        )
    return ru._check_int(pooled_size, "pooled_size", 1)


# ---------------------------------------------------------------------------
# FPN: which level of the pyramid pools a box
# ---------------------------------------------------------------------------


def _boxes(rois) -> np.ndarray:
    """(R, 5) rows as float32, finite, with x2 >= x1 and y2 >= y1 (areas are not negative)."""
    rows, _ = ru._check_rois(rois, 2**62, _F32(1), allow_negative_batch=True)  # batch index unused
    backwards = (rows[:, 3] < rows[:, 1]) | (rows[:, 4] < rows[:, 2])
    if backwards.any():
        i = int(np.argmax(backwards))
        raise ValueError(
            f"rois[{i}] = {rows[i].tolist()} has x2 < x1 or y2 < y1; a box's area "
            "(x2 - x1) * (y2 - y1) needs corners in order"
        )
    return rows


def _check_level_range(k_min, k_max) -> tuple[int, int]:
    k_min = ru._check_int(k_min, "k_min")
    k_max = ru._check_int(k_max, "k_max")
    if k_max < k_min:
        raise ValueError(f"k_max must be at least k_min; got k_min={k_min}, k_max={k_max}")
    return k_min, k_max


def fpn_levels(rois, k_min: int, k_max: int, canonical_scale=224, canonical_level: int = 4, eps=1e-6):
    """The pyramid level ``k`` each box is pooled from (FPN paper, eq. 1, as torchvision).

    ``k = floor(canonical_level + log2(sqrt(area) / canonical_scale) + eps)``,
    clamped to ``[k_min, k_max]``, computed in float32 as torchvision's
    ``LevelMapper`` does with float32 boxes. ``area = (x2 - x1) * (y2 - y1)`` is
    torchvision's ``box_area``: the box in input-image pixels, corners as
    continuous coordinates (no ``+ 1``). Level ``k`` is the map of stride
    ``2**k`` (P2 has stride 4, P5 stride 32), so a 224 x 224 box goes to P4 and
    every halving of the box's side moves it one level finer.

    This returns the level ``k`` itself, not torchvision's index ``k - k_min``
    into its list of maps. Detectron2 puts a tiny ``1e-8`` inside the log
    (``log2(size / 224 + 1e-8)``) and maskrcnn-benchmark its ``eps`` there too;
    mmdetection indexes its list of maps directly, ``floor(log2(size / 56 + 1e-6))``
    (see ``fpn_levels_mmdet``); Mask R-CNN's Keras port (matterport) rounds
    instead of flooring, which moves every threshold by half an octave.

    Parameters
    ----------
    rois : array (R, 5)
        Rows ``[batch_index, x1, y1, x2, y2]`` in image pixels, ``x2 >= x1``, ``y2 >= y1``.
    k_min, k_max : int
        The finest and coarsest levels there are maps for (torchvision: 2 and 5).
    canonical_scale : float
        The box side (``sqrt(area)``) that goes to ``canonical_level``: 224, ImageNet's crop.
    canonical_level : int
    eps : float
        Added after the log (torchvision's 1e-6), so a box exactly on a threshold
        is not pushed down by float rounding.

    Returns
    -------
    ndarray (R,), int64, values in ``k_min..k_max``

    Examples
    --------
    >>> fpn_levels([[0, 0, 0, 224, 224], [0, 0, 0, 223, 223], [0, 0, 0, 112, 112],
    ...             [0, 0, 0, 10, 10], [0, 0, 0, 2000, 900]], 2, 5).tolist()
    [4, 3, 3, 2, 5]
    """
    rows = _boxes(rois)
    k_min, k_max = _check_level_range(k_min, k_max)
    scale = _real(canonical_scale, "canonical_scale", positive=True)
    level = ru._check_int(canonical_level, "canonical_level")
    eps = _real(eps, "eps")
    area = (rows[:, 3] - rows[:, 1]) * (rows[:, 4] - rows[:, 2])
    with np.errstate(divide="ignore"):  # a box of zero area: log2(0) = -inf, clamped to k_min
        k = np.floor(_F32(level) + np.log2(np.sqrt(area) / _F32(scale)) + _F32(eps))
    return np.clip(k, k_min, k_max).astype(np.int64)


def fpn_levels_mmdet(rois, k_min: int, k_max: int, finest_scale=56):
    """The level mmdetection's ``SingleRoIExtractor.map_roi_levels`` picks, as a level ``k``.

    mmdetection numbers its maps from 0 (the finest it is given) and uses
    ``index = floor(log2(sqrt(area) / finest_scale + 1e-6))`` clamped to
    ``0 .. number of maps - 1``, with ``area = (x2 - x1) * (y2 - y1)``. Here
    ``k = k_min + index``. For maps P2..P5 and ``finest_scale=56`` this gives the
    same thresholds as ``fpn_levels`` (112, 224, 448 pixels); but the thresholds
    are tied to the position in the list, not to the stride: give it P3..P6 and
    a 224-pixel box goes to P5, where ``fpn_levels`` keeps it on P4. (mmdetection
    1.x added 1 to each side, ``(x2 - x1 + 1) * (y2 - y1 + 1)``.)

    Examples
    --------
    >>> boxes = [[0, 0, 0, 224, 224], [0, 0, 0, 100, 100]]
    >>> fpn_levels_mmdet(boxes, 2, 5).tolist(), fpn_levels(boxes, 2, 5).tolist()
    ([4, 2], [4, 2])
    >>> fpn_levels_mmdet(boxes, 3, 6).tolist(), fpn_levels(boxes, 3, 6).tolist()
    ([5, 3], [4, 3])
    """
    rows = _boxes(rois)
    k_min, k_max = _check_level_range(k_min, k_max)
    finest = _real(finest_scale, "finest_scale", positive=True)
    side = np.sqrt((rows[:, 3] - rows[:, 1]) * (rows[:, 4] - rows[:, 2]))
    with np.errstate(divide="ignore"):
        index = np.floor(np.log2(side / _F32(finest) + _F32(1e-6)))
    return (k_min + np.clip(index, 0, k_max - k_min)).astype(np.int64)


def fpn_thresholds(k_min: int, k_max: int, canonical_scale=224, canonical_level: int = 4) -> np.ndarray:
    """The box sides ``sqrt(area)`` at which ``fpn_levels`` moves up a level (before ``eps``).

    A box with ``thresholds[i] <= sqrt(area) < thresholds[i + 1]`` goes to level
    ``k_min + i + 1``: ``canonical_scale * 2**(k - canonical_level)`` for
    ``k = k_min + 1 .. k_max``. ``eps`` moves each one down by a factor
    ``2**-eps`` (0.00007 % for 1e-6).

    Examples
    --------
    >>> fpn_thresholds(2, 5).tolist()
    [112.0, 224.0, 448.0]
    """
    k_min, k_max = _check_level_range(k_min, k_max)
    scale = _real(canonical_scale, "canonical_scale", positive=True)
    level = ru._check_int(canonical_level, "canonical_level")
    return np.array([scale * 2.0 ** (k - level) for k in range(k_min + 1, k_max + 1)])


def _pyramid_levels(spatial_scales) -> tuple[np.ndarray, int]:
    """The scales as float32 and the level of the first, checking they are 2**-k, 2**-(k+1), ..."""
    if isinstance(spatial_scales, (str, bytes)) or not isinstance(spatial_scales, (list, tuple, np.ndarray)):
        raise TypeError(f"spatial_scales must be a sequence of scales, one per map; got {spatial_scales!r}")
    scales = [ru._check_scale(s) for s in spatial_scales]
    if not scales:
        raise ValueError("spatial_scales must name at least one map's scale")
    k_min = -math.log2(float(scales[0]))
    for i, s in enumerate(scales):
        if -math.log2(float(s)) != k_min + i:
            raise ValueError(
                f"spatial_scales must be 1/2**k for consecutive levels, finest first "
                f"(e.g. [1/4, 1/8, 1/16, 1/32]); got {list(spatial_scales)!r}"
            )
    return np.array(scales, _F32), int(k_min)


def multi_scale_roi_align(
    maps, rois, pooled_size, spatial_scales, sampling_ratio: int = -1, aligned: bool = False, levels=None
) -> np.ndarray:
    """Pool every box from its pyramid level with ``roi_align`` (torchvision's ``MultiScaleRoIAlign``).

    Box ``r`` is pooled from ``maps[levels[r] - k_min]`` at that map's scale, where
    ``k_min = -log2(spatial_scales[0])``; ``levels`` defaults to
    ``fpn_levels(rois, k_min, k_max)`` (canonical box 224 on level 4). The pooling
    is ``roi_utils.roi_align`` (mxnet's ``contrib.ROIAlign``, which torchvision's
    ``roi_align`` equals for boxes of positive size). torchvision measures each
    map's scale from its size; here they are given.

    Parameters
    ----------
    maps : sequence of arrays (N, C, H_k, W_k)
        One map per level, finest first; all with the same N and C.
    rois : array (R, 5)
        ``[batch_index, x1, y1, x2, y2]`` in image pixels.
    pooled_size : int or (int, int)
    spatial_scales : sequence of float
        ``1 / stride`` of each map: ``[1/4, 1/8, 1/16, 1/32]`` for P2..P5.
    sampling_ratio : int
        ``roi_align``'s ``sample_ratio`` (torchvision's Faster R-CNN uses 2).
    aligned : bool
    levels : None or array (R,) of int
        Each box's level ``k`` (as ``fpn_levels`` returns); each must be one there is a map for.

    Returns
    -------
    ndarray (R, C, PH, PW), float32

    Examples
    --------
    >>> p2, p3 = np.ones((1, 1, 64, 64), np.float32), np.full((1, 1, 32, 32), 2, np.float32)
    >>> boxes = [[0, 0, 0, 50, 50], [0, 0, 0, 120, 120]]
    >>> fpn_levels(boxes, 2, 3).tolist()
    [2, 3]
    >>> multi_scale_roi_align([p2, p3], boxes, 1, [1 / 4, 1 / 8])[:, 0, 0, 0].round(5).tolist()
    [1.0, 2.0]
    """
    if isinstance(maps, np.ndarray) or not isinstance(maps, (list, tuple)):
        raise TypeError("maps must be a list of NCHW arrays, one per pyramid level, finest first")
    arrays = [ru._check_data(m, f"maps[{i}]") for i, m in enumerate(maps)]
    scales, k_min = _pyramid_levels(spatial_scales)
    if len(scales) != len(arrays):
        raise ValueError(f"spatial_scales has {len(scales)} entries but there are {len(arrays)} maps")
    for i, a in enumerate(arrays):
        if a.shape[:2] != arrays[0].shape[:2]:
            raise ValueError(
                f"maps[{i}] has batch and channels {a.shape[:2]}, maps[0] has {arrays[0].shape[:2]}; "
                "every level must have the same"
            )
    k_max = k_min + len(arrays) - 1
    rows, _ = ru._check_rois(rois, arrays[0].shape[0], _F32(1))
    if levels is None:
        assigned = fpn_levels(rows, k_min, k_max)
    else:
        assigned = np.asarray(levels)
        if assigned.shape != (len(rows),) or assigned.dtype.kind not in "iu":
            raise TypeError(f"levels must be {len(rows)} integers, one per box; got {levels!r}")
        outside = (assigned < k_min) | (assigned > k_max)
        if outside.any():
            i = int(np.argmax(outside))
            raise ValueError(
                f"levels[{i}] is {int(assigned[i])}, but the maps are levels {k_min}..{k_max} "
                f"(spatial_scales {[float(s) for s in scales]})"
            )
    pooled = ru._check_pooled_size(pooled_size)
    ru._check_int(sampling_ratio, "sampling_ratio")
    ru._check_bool(aligned, "aligned")
    out = np.zeros((len(rows), arrays[0].shape[1], *pooled), _F32)
    for i, (level_map, scale) in enumerate(zip(arrays, scales, strict=True)):
        chosen = np.flatnonzero(assigned == k_min + i)
        if len(chosen):
            out[chosen] = ru.roi_align(level_map, rows[chosen], pooled, scale, sampling_ratio, aligned)
    return out


# ---------------------------------------------------------------------------
# Position-sensitive RoI pooling (R-FCN): mxnet contrib.PSROIPooling
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PsBins:
    """Where ``ps_roi_pool`` pools one box, and which channel each bin reads.

    Bin ``(ph, pw)`` averages cells ``hstart[ph] <= row < hend[ph]``,
    ``wstart[pw] <= col < wend[pw]`` (empty if either range is; its output is 0)
    of input channel ``channel(c, ph, pw) = (c * G + group_h[ph]) * G + group_w[pw]``.
    ``roi_start_w``... are the box in map cells after rounding in image pixels.
    """

    roi_start_w: float
    roi_start_h: float
    roi_end_w: float
    roi_end_h: float
    hstart: np.ndarray
    hend: np.ndarray
    wstart: np.ndarray
    wend: np.ndarray
    group_h: np.ndarray
    group_w: np.ndarray
    group_size: int
    output_dim: int

    def channel(self, c: int, ph: int, pw: int) -> int:
        g = self.group_size
        return int((c * g + self.group_h[ph]) * g + self.group_w[pw])

    def channels(self) -> np.ndarray:
        """(output_dim, PH, PW) int: the input channel every output reads."""
        g = self.group_size
        c = np.arange(self.output_dim)[:, None, None]
        return (c * g + self.group_h[None, :, None]) * g + self.group_w[None, None, :]


def _ps_bins(row, scale: np.float32, pooled: int, group: int, output_dim: int, shape) -> PsBins:
    height, width = shape
    x1, y1, x2, y2 = (ru.c_round(v) for v in row[1:])
    # round in image pixels first, then scale: round(x1) * scale, (round(x2) + 1) * scale
    start_w, start_h = _F32(x1) * scale, _F32(y1) * scale
    end_w, end_h = _F32(x2 + 1) * scale, _F32(y2 + 1) * scale
    roi_w = max(end_w - start_w, _F32(0.1))  # the kernel's "avoid 0"
    roi_h = max(end_h - start_h, _F32(0.1))
    bin_h, bin_w = roi_h / _F32(pooled), roi_w / _F32(pooled)
    p = np.arange(pooled).astype(_F32)
    hstart = np.floor(p * bin_h + start_h)
    hend = np.ceil((p + 1) * bin_h + start_h)
    wstart = np.floor(p * bin_w + start_w)
    wend = np.ceil((p + 1) * bin_w + start_w)
    groups = np.clip((np.arange(pooled) * group) // pooled, 0, group - 1)
    return PsBins(
        roi_start_w=float(start_w),
        roi_start_h=float(start_h),
        roi_end_w=float(end_w),
        roi_end_h=float(end_h),
        hstart=np.clip(hstart, 0, height).astype(np.int64),
        hend=np.clip(hend, 0, height).astype(np.int64),
        wstart=np.clip(wstart, 0, width).astype(np.int64),
        wend=np.clip(wend, 0, width).astype(np.int64),
        group_h=groups,
        group_w=groups.copy(),
        group_size=group,
        output_dim=output_dim,
    )


def _ps_params(spatial_scale, output_dim, pooled_size, group_size):
    scale = ru._check_scale(spatial_scale)
    output_dim = ru._check_int(output_dim, "output_dim", 1)
    pooled = _square_pooled_size(pooled_size)
    group = ru._check_int(group_size, "group_size", 0) or pooled  # 0 means pooled_size, as mxnet
    return scale, output_dim, pooled, group


def _check_ps_channels(x: np.ndarray, output_dim: int, group: int) -> None:
    need = output_dim * group * group
    if x.shape[1] != need:
        raise ValueError(
            f"data has {x.shape[1]} channels, but output_dim * group_size**2 = {output_dim} * {group}**2 "
            f"= {need}: PSROIPooling reads one channel per (output channel, group) pair"
        )


def ps_roi_pool_bins(
    roi, spatial_scale: float, output_dim: int, pooled_size: int, group_size: int = 0, map_shape=(1, 1)
) -> PsBins:
    """The bins and channels ``ps_roi_pool`` uses for one box ``[batch_index, x1, y1, x2, y2]``.

    Examples
    --------
    >>> b = ps_roi_pool_bins([0, 0.4, 0.4, 5.6, 5.6], 0.5, 1, 3, map_shape=(8, 8))
    >>> b.roi_start_w, b.roi_end_w   # round(0.4) * 0.5, (round(5.6) + 1) * 0.5
    (0.0, 3.5)
    >>> b.wstart.tolist(), b.wend.tolist()
    ([0, 1, 2], [2, 3, 4])
    >>> b.channels()[0].tolist()   # bin (ph, pw) reads channel ph * 3 + pw
    [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    """
    row = ru._check_roi_row(roi)
    scale, output_dim, pooled, group = _ps_params(spatial_scale, output_dim, pooled_size, group_size)
    shape = ru._check_map_shape(map_shape)
    row[0] = 0
    rows, _ = ru._check_rois(row[None, :], 1, scale)
    return _ps_bins(rows[0], scale, pooled, group, output_dim, shape)


def ps_roi_pool(data, rois, spatial_scale, output_dim, pooled_size, group_size=0) -> np.ndarray:
    """Position-sensitive RoI pooling (R-FCN), equal to ``mx.nd.contrib.PSROIPooling`` bit for bit.

    The rule of mxnet's CPU kernel, in float32:

    1. round the box *in image pixels*, then scale: ``roi_start_w = round(x1) * spatial_scale``,
       ``roi_end_w = (round(x2) + 1) * spatial_scale`` (C rounding, half away from
       zero); ``roi_width = max(roi_end_w - roi_start_w, 0.1)``;
    2. ``bin_size_w = roi_width / k``; bin ``pw`` covers cells
       ``floor(pw * bin_size_w + roi_start_w)`` up to ``ceil((pw + 1) * bin_size_w + roi_start_w)``
       (exclusive), clipped to the map;
    3. bin ``(ph, pw)`` of output channel ``c`` reads input channel
       ``(c * G + gh) * G + gw`` with ``gh = floor(ph * G / k)``, ``gw = floor(pw * G / k)``;
    4. it is the **average** of those cells (mxnet's docstring says max; the
       kernel sums and divides by the cell count), 0 for an empty bin.

    Parameters
    ----------
    data : array (N, C, H, W)
        ``C`` must be ``output_dim * group_size**2`` (mxnet reads channels past
        the end otherwise).
    rois : array (R, 5)
        ``[batch_index, x1, y1, x2, y2]`` in image pixels; batch indices in ``0..N-1``.
    spatial_scale : float
        In ``(0, 1]``.
    output_dim : int
        Output channels (in R-FCN: classes + 1).
    pooled_size : int
        ``k``: ``k x k`` bins.
    group_size : int
        ``G``, the side of the grid of channel groups; 0 means ``pooled_size``.

    Returns
    -------
    ndarray (R, output_dim, k, k), float32

    Examples
    --------
    Nine channels, each holding its own index; the 3 x 3 bins of one box read
    channels 0..8 in turn:

    >>> x = np.broadcast_to(np.arange(9, dtype=np.float32)[:, None, None], (9, 6, 6))[None]
    >>> ps_roi_pool(x, [[0, 0, 0, 5, 5]], 1.0, output_dim=1, pooled_size=3)[0, 0].tolist()
    [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
    """
    x = ru._check_data(data)
    scale, output_dim, pooled, group = _ps_params(spatial_scale, output_dim, pooled_size, group_size)
    _check_ps_channels(x, output_dim, group)
    rows, batch = ru._check_rois(rois, x.shape[0], scale)
    out = np.zeros((len(rows), output_dim, pooled, pooled), _F32)
    walk = _ps_nonempty_bins(rows, scale, pooled, group, output_dim, x.shape)
    for r, ph, pw, channels, (hs, he, ws, we) in walk:
        cells = x[batch[r], channels, hs:he, ws:we].reshape(output_dim, -1)
        total = np.add.accumulate(cells, axis=1)[:, -1] + _F32(0)  # the kernel's order
        out[r, :, ph, pw] = total / _F32((he - hs) * (we - ws))
    return out


def _ps_nonempty_bins(rows, scale, pooled: int, group: int, output_dim: int, data_shape):
    """Every non-empty bin of every box, in the kernel's order (box, bin row, bin column):
    ``(r, ph, pw, channels read, (hs, he, ws, we))``; the forward and the backward walk the same."""
    for r, row in enumerate(rows):
        bins = _ps_bins(row, scale, pooled, group, output_dim, data_shape[2:])
        channels = bins.channels()
        for ph in range(pooled):
            hs, he = bins.hstart[ph], bins.hend[ph]
            for pw in range(pooled):
                ws, we = bins.wstart[pw], bins.wend[pw]
                if he > hs and we > ws:
                    yield r, ph, pw, channels[:, ph, pw], (hs, he, ws, we)


def ps_roi_pool_backward(out_grad, data, rois, spatial_scale, output_dim, pooled_size, group_size=0):
    """Gradient of ``ps_roi_pool`` with respect to ``data``, as ``mxnet.autograd`` gives it (bit for bit).

    Each output's gradient is divided by its bin's cell count and added to every
    cell of the bin, in the channel the bin read; an empty bin sends nothing. The
    sums run box by box, bin by bin, as mxnet's loop adds them.

    Parameters
    ----------
    out_grad : array (R, output_dim, k, k)
    data, rois, spatial_scale, output_dim, pooled_size, group_size
        As for ``ps_roi_pool`` (``data`` only gives the shape).

    Returns
    -------
    ndarray (N, C, H, W), float32

    Examples
    --------
    One bin of four cells: each gets a quarter of its gradient, in the bin's own channel.

    >>> x = np.zeros((1, 4, 2, 2), np.float32)
    >>> g = ps_roi_pool_backward([[[[1, 0], [0, 8]]]], x, [[0, 0, 0, 3, 3]], 0.5, 1, 2)
    >>> g[0, 0].tolist(), g[0, 3].tolist()
    ([[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 8.0]])
    """
    x = ru._check_data(data)
    scale, output_dim, pooled, group = _ps_params(spatial_scale, output_dim, pooled_size, group_size)
    _check_ps_channels(x, output_dim, group)
    rows, batch = ru._check_rois(rois, x.shape[0], scale)
    grad = ru._check_out_grad(out_grad, (len(rows), output_dim, pooled, pooled))
    result = np.zeros(x.shape, _F32)
    walk = _ps_nonempty_bins(rows, scale, pooled, group, output_dim, x.shape)
    for r, ph, pw, channels, (hs, he, ws, we) in walk:
        share = grad[r, :, ph, pw] / _F32((he - hs) * (we - ws))  # one per output channel
        result[batch[r], channels, hs:he, ws:we] += share[:, None, None]
    return result


# ---------------------------------------------------------------------------
# Position-sensitive RoIAlign: mxnet contrib.ROIAlign(position_sensitive=True)
# ---------------------------------------------------------------------------


def ps_channels(output_dim: int, pooled_size) -> np.ndarray:
    """(output_dim, PH, PW): the input channel position-sensitive RoIAlign reads for each output.

    ``c * PH * PW + ph * PW + pw`` (mxnet's ``c_unpooled``): channel block ``c``
    holds one score map per bin, in row-major bin order.

    Examples
    --------
    >>> ps_channels(2, 2).tolist()
    [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
    """
    output_dim = ru._check_int(output_dim, "output_dim", 1)
    ph, pw = ru._check_pooled_size(pooled_size)
    return np.arange(output_dim * ph * pw).reshape(output_dim, ph, pw)


def _ps_align_channels(data, pooled_size) -> tuple[np.ndarray, np.ndarray]:
    x = ru._check_data(data)
    ph, pw = ru._check_pooled_size(pooled_size)
    if x.shape[1] % (ph * pw):
        raise ValueError(
            f"data has {x.shape[1]} channels; position-sensitive roi_align needs a multiple of "
            f"PH * PW = {ph * pw} (one score map per bin for every output channel)"
        )
    return x, ps_channels(x.shape[1] // (ph * pw), (ph, pw))


def ps_roi_align(data, rois, pooled_size, spatial_scale=1.0, sample_ratio=-1, aligned=False) -> np.ndarray:
    """``roi_align(..., position_sensitive=True)``: mxnet's ``contrib.ROIAlign`` with R-FCN's channel rule.

    Every sample is placed and weighted exactly as in ``roi_utils.roi_align``;
    the only change is the channel: bin ``(ph, pw)`` of output channel ``c``
    reads input channel ``ps_channels(...)[c, ph, pw] = c * PH * PW + ph * PW + pw``.
    ``data`` has ``C = output_dim * PH * PW`` channels and the output ``output_dim``.
    (This is ``roi_align`` on all ``C`` channels with each bin then picking its
    channel, so it agrees with mxnet to the same float32 rounding.)

    Examples
    --------
    >>> x = np.broadcast_to(np.arange(8, dtype=np.float32)[:, None, None], (8, 4, 4))[None]
    >>> ps_roi_align(x, [[0, 0, 0, 4, 4]], 2, sample_ratio=1)[0].tolist()
    [[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]
    """
    x, channels = _ps_align_channels(data, pooled_size)
    full = ru.roi_align(x, rois, pooled_size, spatial_scale, sample_ratio, aligned)
    d, ph, pw = channels.shape
    rows = np.arange(ph)[None, :, None]
    cols = np.arange(pw)[None, None, :]
    return np.ascontiguousarray(full[:, channels, rows, cols])


def ps_roi_align_backward(
    out_grad, data, rois, pooled_size, spatial_scale=1.0, sample_ratio=-1, aligned=False
) -> np.ndarray:
    """Gradient of ``ps_roi_align`` with respect to ``data`` (mxnet's ``_backward_ROIAlign``).

    Output ``(c, ph, pw)`` sends its gradient, through the bilinear weights of its
    samples, only into its own input channel ``c * PH * PW + ph * PW + pw``.

    Examples
    --------
    One output channel, 2 x 2 bins, so four input channels; only bin (1, 1) gets a gradient:

    >>> x = np.zeros((1, 4, 2, 2), np.float32)
    >>> g = ps_roi_align_backward([[[[0, 0], [0, 1]]]], x, [[0, 0, 0, 2, 2]], 2, sample_ratio=1)
    >>> g.sum(axis=(2, 3)).tolist()   # all of it lands in channel 3 = 0 * 4 + 1 * 2 + 1
    [[0.0, 0.0, 0.0, 1.0]]
    """
    x, channels = _ps_align_channels(data, pooled_size)
    d, ph, pw = channels.shape
    rows = ru._check_rois(rois, x.shape[0], ru._check_scale(spatial_scale), allow_negative_batch=True)[0]
    grad = ru._check_out_grad(out_grad, (len(rows), d, ph, pw))
    full = np.zeros((len(rows), x.shape[1], ph, pw), _F32)
    full[:, channels, np.arange(ph)[None, :, None], np.arange(pw)[None, None, :]] = grad
    return ru.roi_align_backward(full, x, rows, pooled_size, spatial_scale, sample_ratio, aligned)


# ---------------------------------------------------------------------------
# Rotated RoIAlign: mxnet contrib.RROIAlign
# ---------------------------------------------------------------------------


def _check_rotated_rois(rois, batch_size: int, scale: np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``[batch_index, cx, cy, w, h, angle]`` as float32 plus whole batch indices."""
    try:
        array = np.asarray(rois)
    except Exception as error:
        raise TypeError(f"rois must be an array of real numbers; {error}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"rois must hold real numbers (int or float); got dtype {array.dtype}")
    if array.ndim != 2 or array.shape[1] != 6:
        raise ValueError(
            "rois must be 2-D of shape (R, 6), rows [batch_index, cx, cy, w, h, angle in degrees]; "
            f"got shape {array.shape}"
        )
    rows = array.astype(_F32)
    bad = ~np.isfinite(rows)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        what = ("batch index", "cx", "cy", "w", "h", "angle (degrees)")[j]
        raise ValueError(f"rois[{i}, {j}] ({what}) is {array[i, j]!r}; every entry must be finite in float32")
    batch = rows[:, 0]
    wrong = (batch != np.floor(batch)) | (batch < 0) | (batch >= batch_size)
    if wrong.any():
        i = int(np.argmax(wrong))
        raise ValueError(
            f"rois[{i}, 0] (batch index) is {batch[i]!r}; it must be a whole number in 0..{batch_size - 1} "
            "(RRoIAlign has no 'skip this box' index: mxnet would read outside the data)"
        )
    far = np.abs(rows[:, 1:5] * scale) >= ru.MAX_SCALED_COORDINATE
    if far.any():
        i, j = np.argwhere(far)[0]
        raise ValueError(
            f"rois[{i}, {j + 1}] times spatial_scale is {rows[i, j + 1] * scale:g}; it must stay "
            f"within +-{ru.MAX_SCALED_COORDINATE:g} map cells"
        )
    return rows, batch.astype(np.int64)


@dataclass(frozen=True)
class RotatedSamples:
    """Where ``rotated_roi_align`` samples one box, and with what weights.

    Arrays are ``(PH, PW, grid_h, grid_w)``. ``x``/``y`` are the sample positions
    in map cells (cell centres at whole numbers), after turning the box's own
    grid by ``theta`` about its centre: a point ``(xx, yy)`` relative to the
    centre lands at ``x = xx * cos + yy * sin + cx``, ``y = yy * cos - xx * sin + cy``.
    With ``y`` pointing down the map, a positive angle turns the box
    counter-clockwise on screen. ``valid`` is False beyond ``[-1, size]`` (weight 0).
    ``rows``/``cols``/``weights`` are ``(4, PH, PW, grid_h, grid_w)``: the four
    neighbours in the kernel's order (low-low, low-high, high-low, high-high).
    """

    cx: float
    cy: float
    width: float
    height: float
    theta: float
    grid: tuple[int, int]
    x: np.ndarray
    y: np.ndarray
    valid: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray

    @property
    def count(self) -> int:
        return self.grid[0] * self.grid[1]

    def corners(self) -> np.ndarray:
        """(4, 2) ``(x, y)`` of the box's corners in map cells, by the same turn as the samples."""
        half_w, half_h = _F32(self.width / 2), _F32(self.height / 2)
        xx = np.array([-half_w, half_w, half_w, -half_w], _F32)
        yy = np.array([-half_h, -half_h, half_h, half_h], _F32)
        cos, sin = _cos_sin(_F32(self.theta))
        return np.stack([xx * cos + yy * sin + _F32(self.cx), yy * cos - xx * sin + _F32(self.cy)], 1)

    def bin_corners(self) -> np.ndarray:
        """(PH, PW, 4, 2) ``(x, y)`` corners of every bin in map cells, turned as the samples are."""
        ph, pw = self.x.shape[:2]
        bin_w, bin_h = _F32(self.width) / _F32(pw), _F32(self.height) / _F32(ph)
        left = -_F32(self.width / 2) + np.arange(pw + 1).astype(_F32) * bin_w
        top = -_F32(self.height / 2) + np.arange(ph + 1).astype(_F32) * bin_h
        xx = np.stack([left[:-1], left[1:], left[1:], left[:-1]], -1)[None, :, :]  # (1, PW, 4)
        yy = np.stack([top[:-1], top[:-1], top[1:], top[1:]], -1)[:, None, :]  # (PH, 1, 4)
        xx, yy = np.broadcast_to(xx, (ph, pw, 4)), np.broadcast_to(yy, (ph, pw, 4))
        cos, sin = _cos_sin(_F32(self.theta))
        return np.stack([xx * cos + yy * sin + _F32(self.cx), yy * cos - xx * sin + _F32(self.cy)], -1)

    def neighbours(self, ph: int, pw: int, iy: int, ix: int) -> list[tuple[int, int, float]]:
        """The four ``(row, col, weight)`` terms of one sample (weights 0 if it is outside)."""
        k = (slice(None), ph, pw, iy, ix)
        return [
            (int(r), int(c), float(w))
            for r, c, w in zip(self.rows[k], self.cols[k], self.weights[k], strict=True)
        ]


def _libm_float_trig():
    """The C library's ``cosf``/``sinf``, which mxnet's kernel calls on its float32 angle.

    glibc's float versions are not correctly rounded: for about 1 % of angles they
    differ from ``float32(math.cos(theta))`` in the last bit, and so does mxnet. Where no
    C library can be loaded, the correctly rounded values are used instead.
    """
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        cosf, sinf = libm.cosf, libm.sinf
    except (OSError, AttributeError):
        return None
    for f in (cosf, sinf):
        f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
    return cosf, sinf


_FLOAT_TRIG = _libm_float_trig()


def _cos_sin(theta: np.float32) -> tuple[np.float32, np.float32]:
    """cos and sin of the float32 angle, in float32, as the kernel computes them."""
    if _FLOAT_TRIG is not None:
        cosf, sinf = _FLOAT_TRIG
        return _F32(cosf(float(theta))), _F32(sinf(float(theta)))
    return _F32(math.cos(float(theta))), _F32(math.sin(float(theta)))


def _rotated_box(row, pooled, scale, ratio, shape):
    """One box's samples: the kernel's pre_calc_for_bilinear_interpolate, vectorised."""
    ph_count, pw_count = pooled
    height, width = shape
    cx, cy = row[1] * scale, row[2] * scale
    roi_w = max(row[3] * scale, _F32(1))  # malformed boxes forced to at least 1 x 1
    roi_h = max(row[4] * scale, _F32(1))
    theta = _F32(float(row[5]) * math.pi / 180.0)  # degrees, converted in double
    start_h, start_w = -roi_h / _F32(2), -roi_w / _F32(2)
    bin_h, bin_w = roi_h / _F32(ph_count), roi_w / _F32(pw_count)
    grid_h = ratio if ratio > 0 else int(math.ceil(bin_h))
    grid_w = ratio if ratio > 0 else int(math.ceil(bin_w))
    total = ph_count * pw_count * grid_h * grid_w
    if total > ru.MAX_SAMPLES_PER_BOX:
        raise ValueError(
            f"the box needs {grid_h} x {grid_w} samples in each of {ph_count} x {pw_count} bins "
            f"({total} in all), more than MAX_SAMPLES_PER_BOX = {ru.MAX_SAMPLES_PER_BOX}; "
            "use a smaller box or a fixed sampling_ratio"
        )
    p_h = np.arange(ph_count).astype(_F32)[:, None, None, None]
    p_w = np.arange(pw_count).astype(_F32)[None, :, None, None]
    i_y = np.arange(grid_h).astype(_F32)[None, None, :, None]
    i_x = np.arange(grid_w).astype(_F32)[None, None, None, :]
    half = _F32(0.5)
    yy = (start_h + p_h * bin_h) + (i_y + half) * bin_h / _F32(grid_h)
    xx = (start_w + p_w * bin_w) + (i_x + half) * bin_w / _F32(grid_w)
    shape4 = (ph_count, pw_count, grid_h, grid_w)
    yy, xx = np.broadcast_to(yy, shape4), np.broadcast_to(xx, shape4)
    cos, sin = _cos_sin(theta)
    x = (xx * cos + yy * sin) + cx
    y = (yy * cos - xx * sin) + cy
    valid = ~((y < -1) | (y > height) | (x < -1) | (x > width))
    yc, xc = np.maximum(y, _F32(0)), np.maximum(x, _F32(0))
    y_low, x_low = yc.astype(np.int64), xc.astype(np.int64)
    y_edge, x_edge = y_low >= height - 1, x_low >= width - 1
    y_low = np.where(y_edge, height - 1, y_low)
    x_low = np.where(x_edge, width - 1, x_low)
    y_high = np.where(y_edge, height - 1, y_low + 1)
    x_high = np.where(x_edge, width - 1, x_low + 1)
    yc = np.where(y_edge, y_low.astype(_F32), yc)
    xc = np.where(x_edge, x_low.astype(_F32), xc)
    ly, lx = yc - y_low.astype(_F32), xc - x_low.astype(_F32)
    hy, hx = _F32(1) - ly, _F32(1) - lx
    zero = _F32(0)
    weights = np.stack([hy * hx, hy * lx, ly * hx, ly * lx])
    weights = np.where(valid, weights, zero).astype(_F32)
    rows = np.where(valid, np.stack([y_low, y_low, y_high, y_high]), 0)
    cols = np.where(valid, np.stack([x_low, x_high, x_low, x_high]), 0)
    return RotatedSamples(
        cx=float(cx),
        cy=float(cy),
        width=float(roi_w),
        height=float(roi_h),
        theta=float(theta),
        grid=(grid_h, grid_w),
        x=x,
        y=y,
        valid=valid,
        rows=rows,
        cols=cols,
        weights=weights,
    )


def _rotated_params(pooled_size, spatial_scale, sampling_ratio):
    return (
        ru._check_pooled_size(pooled_size),
        ru._check_scale(spatial_scale),
        ru._check_int(sampling_ratio, "sampling_ratio"),
    )


def rotated_roi_align_samples(
    roi, pooled_size, spatial_scale: float = 1.0, sampling_ratio: int = -1, map_shape=(1, 1)
) -> RotatedSamples:
    """The turned sample grid and bilinear weights ``rotated_roi_align`` uses for one box.

    ``roi`` is ``[batch_index, cx, cy, w, h, angle]`` (the batch index is not used).

    Examples
    --------
    A 2 x 2 box centred on (2, 2), one bin, one sample per half-bin:

    >>> s = rotated_roi_align_samples([0, 2, 2, 2, 2, 0], 1, sampling_ratio=2, map_shape=(5, 5))
    >>> s.x[0, 0].tolist(), s.y[0, 0].tolist()
    ([[1.5, 2.5], [1.5, 2.5]], [[1.5, 1.5], [2.5, 2.5]])
    >>> t = rotated_roi_align_samples([0, 2, 2, 2, 2, 90], 1, sampling_ratio=2, map_shape=(5, 5))
    >>> np.round(t.x[0, 0], 4).tolist(), np.round(t.y[0, 0], 4).tolist()   # turned a quarter
    ([[1.5, 1.5], [2.5, 2.5]], [[2.5, 1.5], [2.5, 1.5]])
    """
    array = np.asarray(roi)
    if array.shape != (6,):
        raise ValueError(f"roi must be one row [batch_index, cx, cy, w, h, angle]; got shape {array.shape}")
    pooled, scale, ratio = _rotated_params(pooled_size, spatial_scale, sampling_ratio)
    shape = ru._check_map_shape(map_shape)
    rows, _ = _check_rotated_rois(np.concatenate([[0], array[1:]])[None, :], 1, scale)
    return _rotated_box(rows[0], pooled, scale, ratio, shape)


def rotated_roi_align(data, rois, pooled_size, spatial_scale=1.0, sampling_ratio=-1) -> np.ndarray:
    """Rotated RoIAlign, equal to ``mx.nd.contrib.RROIAlign`` bit for bit.

    The rule of mxnet's CPU kernel, in float32 (RoIAlign's, with a turn):

    1. a row is ``[batch_index, cx, cy, w, h, angle]``: the box's centre and size
       in image pixels and its angle in **degrees** (``theta = angle * pi / 180``,
       computed in double, stored as float32);
    2. centre and size are scaled; ``w`` and ``h`` are forced to at least 1 cell;
       there is no half-pixel offset (unlike ``roi_align(aligned=True)``);
    3. the box's own grid is RoIAlign's: ``PH x PW`` bins of ``h / PH`` by ``w / PW``,
       ``grid = sampling_ratio`` or ``ceil(bin size)`` samples per bin along each
       axis, sample ``(iy, ix)`` at ``(iy + 0.5) / grid`` of its bin, measured from
       the box's top-left corner ``(-w / 2, -h / 2)`` relative to the centre;
    4. each sample ``(xx, yy)`` is turned about the centre:
       ``x = xx * cos(theta) + yy * sin(theta) + cx``,
       ``y = yy * cos(theta) - xx * sin(theta) + cy``
       (positive angles turn the box counter-clockwise on a map drawn with y down);
    5. bilinear interpolation and the ``[-1, size]`` cut-off are RoIAlign's; each
       bin is the average of its samples. mxnet has no backward for this operator.

    Parameters
    ----------
    data : array (N, C, H, W)
        Must be finite.
    rois : array (R, 6)
        ``[batch_index, cx, cy, w, h, angle_degrees]``, batch indices in ``0..N-1``.
    pooled_size : int or (int, int)
    spatial_scale : float
    sampling_ratio : int
        Samples per bin along each axis; <= 0 means adaptive.

    Returns
    -------
    ndarray (R, C, PH, PW), float32

    Examples
    --------
    A 4 x 2 box centred on (1.5, 1.5), two bins side by side, one sample each:
    at angle 0 they sit at x = 0.5 and 2.5; at 90 degrees the box stands up and
    its left bin is now the lower one (y = 2.5), its right bin the upper (y = 0.5).

    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)   # value = 4 * row + col
    >>> rotated_roi_align(x, [[0, 1.5, 1.5, 4, 2, 0]], (1, 2), sampling_ratio=1)[0, 0].tolist()
    [[6.5, 8.5]]
    >>> rotated_roi_align(x, [[0, 1.5, 1.5, 4, 2, 90]], (1, 2), sampling_ratio=1)[0, 0].tolist()
    [[11.5, 3.5]]
    """
    x = _finite_data(data, "rotated_roi_align")
    pooled, scale, ratio = _rotated_params(pooled_size, spatial_scale, sampling_ratio)
    rows, batch = _check_rotated_rois(rois, x.shape[0], scale)
    n, c, h, w = x.shape
    out = np.zeros((len(rows), c, *pooled), _F32)
    flat = x.reshape(n, c, h * w)
    for r, row in enumerate(rows):
        s = _rotated_box(row, pooled, scale, ratio, (h, w))
        positions = (s.rows * w + s.cols).reshape(4, -1)
        weights = s.weights.reshape(4, -1)
        bins = pooled[0] * pooled[1]
        step = max(1, (1 << 22) // max(1, positions.shape[1]))  # bounded memory per chunk of channels
        for c0 in range(0, c, step):
            plane = flat[batch[r], c0 : c0 + step]
            v = [plane[:, positions[k]] for k in range(4)]
            terms = ((weights[0] * v[0] + weights[1] * v[1]) + weights[2] * v[2]) + weights[3] * v[3]
            terms = terms.reshape(len(plane), bins, s.count)
            total = np.add.accumulate(terms, axis=2)[:, :, -1] + _F32(0)  # output_val += ..., in order
            out[r, c0 : c0 + step] = (total / _F32(s.count)).reshape(len(plane), *pooled)
    return out
