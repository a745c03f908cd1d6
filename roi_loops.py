"""Loop-by-loop mirrors of mxnet's CPU kernels, for teaching and for testing.

These functions walk boxes, channels, bins and cells in the same order as
``src/operator/roi_pooling.cc`` and ``src/operator/contrib/roi_align.cc`` in
mxnet 1.9.1, doing every step in float32. They are slow (pure Python) and
exact: ``roi_align_loop`` reproduces mxnet's summation order, so it agrees with
``mxnet.nd.contrib.ROIAlign`` bit for bit, where the fast ``roi_utils.roi_align``
agrees to float32 rounding. Inputs are validated by ``roi_utils``.
"""

from __future__ import annotations

import math

import numpy as np

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
    x = ru._check_data(data)
    ph_count, pw_count = ru._check_pooled_size(pooled_size)
    scale = ru._check_scale(spatial_scale)
    rows, batch = ru._check_rois(rois, x.shape[0], scale)
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
    x = ru._check_data(data)
    _, argmax = roi_pool_loop(x, rois, pooled_size, spatial_scale)
    grad = ru._check_out_grad(out_grad, argmax.shape)
    _, batch = ru._check_rois(rois, x.shape[0], ru._check_scale(spatial_scale))
    result = np.zeros(x.shape, _F32)
    width = x.shape[3]
    for index in np.ndindex(argmax.shape):
        cell = argmax[index]
        if cell >= 0:
            n, c = index[0], index[1]
            result[batch[n], c, cell // width, cell % width] += grad[index]
    return result


def _plan(data, rois, pooled_size, spatial_scale, sample_ratio, aligned):
    """Validated inputs and each box's samples (None for a skipped, negative-batch box)."""
    plan = ru._align_plan(data, rois, pooled_size, spatial_scale, sample_ratio, aligned)
    boxes = [plan.box(r) for r in range(len(plan.batch))]
    return plan.data, plan.pooled, plan.batch, boxes


def _bilinear_terms(box: ru.AlignSamples, ph: int, pw: int):
    """The kernel's pre_calc entries for one bin: (pos1..4, w1..4) per sample."""
    for iy in range(box.y.grid):
        for ix in range(box.x.grid):
            yield box.neighbours(ph, pw, iy, ix)


def roi_align_loop(data, rois, pooled_size, spatial_scale=1.0, sample_ratio=-1, aligned=False):
    """``roi_utils.roi_align`` with the kernel's loops and float32 summation order.

    ``output_val += w1*v1 + w2*v2 + w3*v3 + w4*v4`` per sample, then ``/= count``.

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> roi_align_loop(x, [[0, 0, 1, 3, 3]], 2, sample_ratio=2)[0, 0].tolist()
    [[6.75, 8.25], [10.75, 12.25]]
    """
    x, (ph_count, pw_count), batch, boxes = _plan(
        data, rois, pooled_size, spatial_scale, sample_ratio, aligned
    )
    channels = x.shape[1]
    out = np.zeros((len(boxes), channels, ph_count, pw_count), _F32)
    for n, box in enumerate(boxes):
        if box is None:
            continue
        count = _F32(box.count)
        for c in range(channels):
            plane = x[batch[n], c]
            for ph in range(ph_count):
                for pw in range(pw_count):
                    total = _F32(0)
                    for terms in _bilinear_terms(box, ph, pw):
                        (r1, c1, w1), (r2, c2, w2), (r3, c3, w3), (r4, c4, w4) = terms
                        total += (
                            _F32(w1) * plane[r1, c1]
                            + _F32(w2) * plane[r2, c2]
                            + _F32(w3) * plane[r3, c3]
                            + _F32(w4) * plane[r4, c4]
                        )
                    out[n, c, ph, pw] = total / count
    return out


def roi_align_backward_loop(
    out_grad, data, rois, pooled_size, spatial_scale=1.0, sample_ratio=-1, aligned=False
):
    """The kernel's backward: each sample adds ``g * w_k / count`` to its four cells."""
    x, (ph_count, pw_count), batch, boxes = _plan(
        data, rois, pooled_size, spatial_scale, sample_ratio, aligned
    )
    channels = x.shape[1]
    grad = ru._check_out_grad(out_grad, (len(boxes), channels, ph_count, pw_count))
    result = np.zeros(x.shape, _F32)
    for n, box in enumerate(boxes):
        if box is None:
            continue
        count = _F32(box.count)
        for c in range(channels):
            plane = result[batch[n], c]
            for ph in range(ph_count):
                for pw in range(pw_count):
                    g = grad[n, c, ph, pw]
                    for iy in range(box.y.grid):
                        for ix in range(box.x.grid):
                            if not (box.y.valid[ph, iy] and box.x.valid[pw, ix]):
                                continue
                            for row, col, weight in box.neighbours(ph, pw, iy, ix):
                                plane[row, col] += g * _F32(weight) / count
    return result
