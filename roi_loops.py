"""Loop-by-loop mirrors of mxnet's CPU kernels, for teaching and for testing.

These functions walk boxes, channels, bins and cells in the same order as
``src/operator/roi_pooling.cc`` and ``src/operator/contrib/roi_align.cc`` in
mxnet 1.9.1, doing every step in float32. They are slow (pure Python) and
exact: ``roi_align_loop`` reproduces mxnet's summation order, so it agrees with
``mxnet.nd.contrib.ROIAlign`` bit for bit, where the fast ``roi_utils.roi_align``
agrees to float32 rounding. The RoIAlign loops compute their own geometry (box start, bin size,
sample grid, neighbours and weights) as the C++ does, calling nothing of ``roi_utils`` but its
public constants; inputs are validated by ``roi_checks``.
"""

from __future__ import annotations

import math

import numpy as np

import roi_checks as rc
import roi_utils as ru

_F32 = np.float32


def roi_pool_loop(data, rois, pooled_size, spatial_scale: float = 1.0):
    """``roi_utils.roi_pool`` as the kernel's six nested loops; returns (values, argmax).

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> roi_pool_loop(x, [[0, 0, 1, 3, 3]], 2)[0][0, 0].tolist()
    [[9.0, 11.0], [13.0, 15.0]]
    """
    x = rc.check_data(data)
    ph_count, pw_count = rc.check_pooled_size(pooled_size)
    scale = rc.check_scale(spatial_scale)
    rows, batch = rc.check_rois(rois, x.shape[0], scale)
    _, channels, height, width = x.shape
    out = np.full((len(rows), channels, ph_count, pw_count), -ru.FLT_MAX, _F32)
    argmax = np.full(out.shape, -1, np.int64)
    for n, row in enumerate(rows):
        start_w, start_h, end_w, end_h = (int(v) for v in ru.c_round(row[1:] * scale))
        roi_height = max(end_h - start_h + 1, 1)
        roi_width = max(end_w - start_w + 1, 1)
        bin_h = _F32(roi_height) / _F32(ph_count)
        bin_w = _F32(roi_width) / _F32(pw_count)
        for c in range(channels):
            plane = x[batch[n], c]
            for ph in range(ph_count):
                for pw in range(pw_count):
                    hstart = int(math.floor(_F32(ph) * bin_h))
                    wstart = int(math.floor(_F32(pw) * bin_w))
                    hend = int(math.ceil(_F32(ph + 1) * bin_h))
                    wend = int(math.ceil(_F32(pw + 1) * bin_w))
                    hstart = min(max(hstart + start_h, 0), height)
                    hend = min(max(hend + start_h, 0), height)
                    wstart = min(max(wstart + start_w, 0), width)
                    wend = min(max(wend + start_w, 0), width)
                    if hend <= hstart or wend <= wstart:
                        out[n, c, ph, pw] = 0
                        argmax[n, c, ph, pw] = -1
                    for h in range(hstart, hend):
                        for w in range(wstart, wend):
                            if plane[h, w] > out[n, c, ph, pw]:
                                out[n, c, ph, pw] = plane[h, w]
                                argmax[n, c, ph, pw] = h * width + w
    return out, argmax


def roi_pool_backward_loop(out_grad, data, rois, pooled_size, spatial_scale: float = 1.0):
    """Scatter each output's gradient onto its argmax cell, one output at a time."""
    x = rc.check_data(data)
    _, argmax = roi_pool_loop(x, rois, pooled_size, spatial_scale)
    grad = rc.check_out_grad(out_grad, argmax.shape)
    _, batch = rc.check_rois(rois, x.shape[0], rc.check_scale(spatial_scale))
    result = np.zeros(x.shape, _F32)
    width = x.shape[3]
    for index in np.ndindex(argmax.shape):
        cell = argmax[index]
        if cell >= 0:
            n, c = index[0], index[1]
            result[batch[n], c, cell // width, cell % width] += grad[index]
    return result


def _align_inputs(data, rois, pooled_size, spatial_scale, sample_ratio, aligned):
    """Checked inputs, refused where ``roi_utils.roi_align`` refuses them: a map with NaN or
    infinity (``roi_align`` refuses it; the kernel would spread it through zero weights)."""
    x = rc.check_data(data)
    if not np.isfinite(x).all():
        raise ValueError("data contains NaN or infinity; roi_align needs finite values")
    pooled = rc.check_pooled_size(pooled_size)
    scale = rc.check_scale(spatial_scale)
    ratio = rc.check_int(sample_ratio, "sample_ratio")
    aligned = rc.check_bool(aligned, "aligned")
    rows, batch = rc.check_rois(rois, x.shape[0], scale, allow_negative_batch=True)
    return x, pooled, scale, ratio, aligned, rows, batch


def _box_geometry(n, row, scale, ph_count, pw_count, ratio, aligned):
    """The kernel's per-box set-up, as ``ROIAlignForward`` writes it, all in float32:
    ``(roi_start_h, roi_start_w, bin_size_h, bin_size_w, roi_bin_grid_h, roi_bin_grid_w)``."""
    roi_offset = _F32(0.5) if aligned else _F32(0)
    roi_start_w = row[1] * scale - roi_offset
    roi_start_h = row[2] * scale - roi_offset
    roi_end_w = row[3] * scale - roi_offset
    roi_end_h = row[4] * scale - roi_offset
    roi_width = roi_end_w - roi_start_w
    roi_height = roi_end_h - roi_start_h
    if aligned:  # mxnet: CHECK_GT(roi_width, 0.), which aborts the process
        if not (roi_width > 0 and roi_height > 0):
            raise ValueError(
                f"rois[{n}] has width {roi_width:g} and height {roi_height:g} in map cells; with "
                "aligned=True both must be > 0 (mxnet aborts the whole process on such a box)"
            )
    else:  # "force malformed ROIs to be 1x1"
        roi_width = max(roi_width, _F32(1))
        roi_height = max(roi_height, _F32(1))
    bin_size_h = roi_height / _F32(ph_count)
    bin_size_w = roi_width / _F32(pw_count)
    roi_bin_grid_h = ratio if ratio > 0 else int(math.ceil(roi_height / _F32(ph_count)))
    roi_bin_grid_w = ratio if ratio > 0 else int(math.ceil(roi_width / _F32(pw_count)))
    samples = ph_count * pw_count * roi_bin_grid_h * roi_bin_grid_w
    if samples > ru.MAX_SAMPLES_PER_BOX:
        raise ValueError(
            f"rois[{n}] needs {roi_bin_grid_h} x {roi_bin_grid_w} samples in each of {ph_count} x "
            f"{pw_count} bins ({samples} in all), more than MAX_SAMPLES_PER_BOX = "
            f"{ru.MAX_SAMPLES_PER_BOX}; use a smaller box or a fixed sample_ratio"
        )
    return roi_start_h, roi_start_w, bin_size_h, bin_size_w, roi_bin_grid_h, roi_bin_grid_w


def _bilinear_interpolate(height: int, width: int, y, x):
    """The kernel's ``bilinear_interpolate_gradient`` (and the body of its forward
    ``pre_calc``): ``(w1, w2, w3, w4, x_low, x_high, y_low, y_high)``, float32 weights; a sample
    past the map (``y < -1``, ``y > height``, and the same for x) gets zero weights and cells -1.
    """
    if y < -1.0 or y > height or x < -1.0 or x > width:
        return _F32(0), _F32(0), _F32(0), _F32(0), -1, -1, -1, -1
    if y <= 0:
        y = _F32(0)
    if x <= 0:
        x = _F32(0)
    y_low = int(y)  # static_cast<int>: truncation, y >= 0 here
    x_low = int(x)
    if y_low >= height - 1:
        y_high = y_low = height - 1
        y = _F32(y_low)
    else:
        y_high = y_low + 1
    if x_low >= width - 1:
        x_high = x_low = width - 1
        x = _F32(x_low)
    else:
        x_high = x_low + 1
    ly = y - _F32(y_low)
    lx = x - _F32(x_low)
    hy = _F32(1) - ly
    hx = _F32(1) - lx
    return hy * hx, hy * lx, ly * hx, ly * lx, x_low, x_high, y_low, y_high


def _sample_at(roi_start_h, ph: int, bin_size_h, iy: int, roi_bin_grid_h: int):
    """A sample's y, ``roi_start_h + ph * bin_size_h + (iy + .5f) * bin_size_h / roi_bin_grid_h``,
    evaluated left to right in float32 as the C++ does; called with the w terms, its x."""
    return (roi_start_h + _F32(ph) * bin_size_h) + _F32(iy + 0.5) * bin_size_h / _F32(roi_bin_grid_h)


def roi_align_loop(data, rois, pooled_size, spatial_scale=1.0, sample_ratio=-1, aligned=False):
    """``roi_utils.roi_align`` written off mxnet's ``ROIAlignForward``, loop by loop, in float32.

    Each box's ``roi_start_w``, ``bin_size_h``, ``roi_bin_grid_h`` and so on are computed here,
    then every sample's ``y_low``, ``hy``, ``w1`` .. ``w4`` (``_bilinear_interpolate``), as the
    kernel's ``pre_calc`` does; a sample past the map adds ``0 * data[0, 0]``, as the kernel's
    empty ``pre_calc`` entry does. Per bin, ``output_val += w1*v1 + w2*v2 + w3*v3 + w4*v4`` over
    the samples in order, then ``output_val /= count``. A box with a negative batch index gives
    zeros. Nothing here uses ``roi_utils``' geometry, so agreeing with it tests it.

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> roi_align_loop(x, [[0, 0, 1, 3, 3]], 2, sample_ratio=2)[0, 0].tolist()
    [[6.75, 8.25], [10.75, 12.25]]
    """
    x, (ph_count, pw_count), scale, ratio, aligned, rows, batch = _align_inputs(
        data, rois, pooled_size, spatial_scale, sample_ratio, aligned
    )
    _, channels, height, width = x.shape
    boxes = [
        _box_geometry(n, row, scale, ph_count, pw_count, ratio, aligned) if batch[n] >= 0 else None
        for n, row in enumerate(rows)
    ]
    out = np.zeros((len(rows), channels, ph_count, pw_count), _F32)
    for n, box in enumerate(boxes):
        if box is None:
            continue
        roi_start_h, roi_start_w, bin_size_h, bin_size_w, roi_bin_grid_h, roi_bin_grid_w = box
        count = _F32(roi_bin_grid_h * roi_bin_grid_w)
        pre_calc = []  # (pos1..pos4 as (row, col), w1..w4), in the kernel's ph, pw, iy, ix order
        for ph in range(ph_count):
            for pw in range(pw_count):
                for iy in range(roi_bin_grid_h):
                    yy = _sample_at(roi_start_h, ph, bin_size_h, iy, roi_bin_grid_h)
                    for ix in range(roi_bin_grid_w):
                        xx = _sample_at(roi_start_w, pw, bin_size_w, ix, roi_bin_grid_w)
                        w1, w2, w3, w4, x_low, x_high, y_low, y_high = _bilinear_interpolate(
                            height, width, yy, xx
                        )
                        if y_low < 0:  # the kernel's empty entry: every position 0
                            y_low = y_high = x_low = x_high = 0
                        pos1, pos2 = (y_low, x_low), (y_low, x_high)
                        pos3, pos4 = (y_high, x_low), (y_high, x_high)
                        pre_calc.append((pos1, pos2, pos3, pos4, w1, w2, w3, w4))
        for c in range(channels):
            plane = x[batch[n], c]
            index = 0
            for ph in range(ph_count):
                for pw in range(pw_count):
                    output_val = _F32(0)
                    for _ in range(roi_bin_grid_h * roi_bin_grid_w):
                        pos1, pos2, pos3, pos4, w1, w2, w3, w4 = pre_calc[index]
                        v1, v2, v3, v4 = plane[pos1], plane[pos2], plane[pos3], plane[pos4]
                        output_val += w1 * v1 + w2 * v2 + w3 * v3 + w4 * v4
                        index += 1
                    out[n, c, ph, pw] = output_val / count
    return out


def roi_align_backward_loop(
    out_grad, data, rois, pooled_size, spatial_scale=1.0, sample_ratio=-1, aligned=False
):
    """The gradient of ``roi_align_loop``, written off mxnet's ``ROIAlignBackward``.

    One output at a time, in the kernel's order (box, channel, bin row, bin column), each sample's
    ``g1 = top_diff_this_bin * w1 / count`` .. ``g4`` are added to its four cells, in order, unless
    the sample is past the map. Boxes with a negative batch index add nothing.

    Examples
    --------
    >>> x = np.zeros((1, 1, 3, 3), np.float32)
    >>> roi_align_backward_loop(np.ones((1, 1, 1, 1)), x, [[0, 0, 0, 1, 1]], 1, sample_ratio=1)[0, 0]
    array([[0.25, 0.25, 0.  ],
           [0.25, 0.25, 0.  ],
           [0.  , 0.  , 0.  ]], dtype=float32)
    """
    x, (ph_count, pw_count), scale, ratio, aligned, rows, batch = _align_inputs(
        data, rois, pooled_size, spatial_scale, sample_ratio, aligned
    )
    _, channels, height, width = x.shape
    boxes = [
        _box_geometry(n, row, scale, ph_count, pw_count, ratio, aligned) if batch[n] >= 0 else None
        for n, row in enumerate(rows)
    ]
    top_diff = rc.check_out_grad(out_grad, (len(rows), channels, ph_count, pw_count))
    bottom_diff = np.zeros(x.shape, _F32)
    for n, box in enumerate(boxes):
        if box is None:
            continue
        roi_start_h, roi_start_w, bin_size_h, bin_size_w, roi_bin_grid_h, roi_bin_grid_w = box
        count = _F32(roi_bin_grid_h * roi_bin_grid_w)
        for c in range(channels):
            plane = bottom_diff[batch[n], c]
            for ph in range(ph_count):
                for pw in range(pw_count):
                    top_diff_this_bin = top_diff[n, c, ph, pw]
                    for iy in range(roi_bin_grid_h):
                        y = _sample_at(roi_start_h, ph, bin_size_h, iy, roi_bin_grid_h)
                        for ix in range(roi_bin_grid_w):
                            xx = _sample_at(roi_start_w, pw, bin_size_w, ix, roi_bin_grid_w)
                            w1, w2, w3, w4, x_low, x_high, y_low, y_high = _bilinear_interpolate(
                                height, width, y, xx
                            )
                            g1 = top_diff_this_bin * w1 / count
                            g2 = top_diff_this_bin * w2 / count
                            g3 = top_diff_this_bin * w3 / count
                            g4 = top_diff_this_bin * w4 / count
                            if x_low >= 0 and x_high >= 0 and y_low >= 0 and y_high >= 0:
                                plane[y_low, x_low] += g1
                                plane[y_low, x_high] += g2
                                plane[y_high, x_low] += g3
                                plane[y_high, x_high] += g4
    return bottom_diff
