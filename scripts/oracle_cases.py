"""Seeded awkward cases for the recorded mxnet comparison (see record_oracle.py).

Each case is a dict ``op, data, rois, out_grad, params`` in ``roi_oracle`` terms.
The boxes are built to hit the rules that plausible re-implementations get wrong:
corners on exact halves after scaling (C rounding vs banker's), boxes partly or
wholly off the map, reversed corners, boxes smaller than the pooled size, several
images per batch, many scales, every sample_ratio, aligned on and off, and maps
with tied maxima.
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru

SCALES = (1.0, 0.5, 0.25, 0.125, 0.0625, 0.7, 0.3, 1 / 3)
RATIOS = (-1, 0, 1, 2, 3, 4)


def _map(rng, n, c, h, w):
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    if rng.random() < 0.3:  # ties: small integers repeat
        x = rng.integers(-3, 4, (n, c, h, w)).astype(np.float32)
    return x


def _boxes(rng, count, n, h, w, scale):
    """Boxes in image pixels; a mix of inside, overlapping edges, outside, reversed, halves."""
    size_x, size_y = w / scale, h / scale
    x1 = rng.uniform(-0.4 * size_x, 1.2 * size_x, count)
    y1 = rng.uniform(-0.4 * size_y, 1.2 * size_y, count)
    x2 = x1 + rng.uniform(-0.3 * size_x, 1.0 * size_x, count)
    y2 = y1 + rng.uniform(-0.3 * size_y, 1.0 * size_y, count)
    boxes = np.stack([rng.integers(0, n, count), x1, y1, x2, y2], 1)
    if rng.random() < 0.5:  # land scaled corners on exact halves
        boxes[:, 1:] = (np.round(boxes[:, 1:] * scale * 2) / 2) / scale
    return boxes.astype(np.float32)


def generate(seed: int = 20261124, per_op: int = 120):
    rng = np.random.default_rng(seed)
    for op in ru_ops():
        made = 0
        while made < per_op:
            n, c = int(rng.integers(1, 4)), int(rng.integers(1, 4))
            h, w = int(rng.integers(1, 11)), int(rng.integers(1, 11))
            data = _map(rng, n, c, h, w)
            pooled = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
            scale = float(rng.choice(SCALES))
            if op == "spp":
                levels = tuple(int(v) for v in rng.choice([1, 2, 3, 4, 6], int(rng.integers(1, 4)), False))
                yield {"op": op, "data": data, "rois": None, "out_grad": None, "params": {"levels": levels}}
                made += 1
                continue
            rois = _boxes(rng, int(rng.integers(1, 5)), n, h, w, scale)
            params = {"pooled_size": pooled, "spatial_scale": scale}
            if op.startswith("roi_align"):
                params.update(sample_ratio=int(rng.choice(RATIOS)), aligned=bool(rng.random() < 0.5))
            try:  # mxnet aborts the process on boxes roi_utils refuses; never send those
                forward = ru.roi_align if op.startswith("roi_align") else ru.roi_pool
                out = forward(data, rois, **params)
            except ValueError:
                continue
            out_grad = None
            if op.endswith("backward"):
                out_grad = rng.standard_normal(out.shape).astype(np.float32)
            yield {"op": op, "data": data, "rois": rois, "out_grad": out_grad, "params": params}
            made += 1


def ru_ops():
    return ("roi_pool", "roi_align", "roi_pool_backward", "roi_align_backward", "spp")


# ---------------------------------------------------------------------------
# Chapter 8 (roi_family): PSROIPooling, position-sensitive ROIAlign (+ backward), RROIAlign
# ---------------------------------------------------------------------------

FAMILY_OPS = (
    "ps_roi_pool",
    "ps_roi_pool_backward",
    "ps_roi_align",
    "ps_roi_align_backward",
    "rotated_roi_align",
)
ANGLES = (0.0, 30.0, 45.0, 90.0, -90.0, 180.0, -180.0, 135.0, 270.0, 360.0, 720.0, -45.0, 1e-3)


def _pixel_boxes(rng, count, n, h, w, scale):
    """Boxes for PSROIPooling: corners on exact image-pixel halves half the time (C rounding)."""
    boxes = _boxes(rng, count, n, h, w, scale)
    if rng.random() < 0.5:
        boxes[:, 1:] = np.floor(boxes[:, 1:]) + 0.5
    return boxes


def _rotated_boxes(rng, count, n, h, w, scale):
    """[batch, cx, cy, w, h, angle]: centres on and off the map, sides below 1 cell, angles in degrees."""
    cx = rng.uniform(-0.3 * w, 1.3 * w, count) / scale
    cy = rng.uniform(-0.3 * h, 1.3 * h, count) / scale
    bw = rng.uniform(-0.5, 1.2 * w, count) / scale
    bh = rng.uniform(-0.5, 1.2 * h, count) / scale
    angle = rng.uniform(-400, 400, count)
    special = rng.random(count) < 0.5
    angle[special] = rng.choice(ANGLES, int(special.sum()))
    return np.stack([rng.integers(0, n, count), cx, cy, bw, bh, angle], 1).astype(np.float32)


def generate_family(seed: int = 20261201, per_op: int = 120):
    """Seeded cases for the chapter-8 operators, in ``roi_oracle`` terms (params as roi_oracle names them)."""
    import roi_family as rf

    rng = np.random.default_rng(seed)
    for op in FAMILY_OPS:
        made = 0
        while made < per_op:
            n = int(rng.integers(1, 3))
            h, w = int(rng.integers(1, 11)), int(rng.integers(1, 11))
            scale = float(rng.choice(SCALES))
            count = int(rng.integers(1, 5))
            out_grad = None
            if op.startswith("ps_roi_pool"):
                k = int(rng.integers(1, 5))
                group = int(rng.choice([0, 0, 1, 2, 3, k + 1]))
                dim = int(rng.integers(1, 3))
                data = _map(rng, n, dim * (group or k) ** 2, h, w)
                rois = _pixel_boxes(rng, count, n, h, w, scale)
                params = {"spatial_scale": scale, "output_dim": dim, "pooled_size": k, "group_size": group}
                out = rf.ps_roi_pool(data, rois, **params)
                if op.endswith("backward"):
                    out_grad = rng.standard_normal(out.shape).astype(np.float32)
            elif op == "rotated_roi_align":
                pooled = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
                data = _map(rng, n, int(rng.integers(1, 4)), h, w)
                rois = _rotated_boxes(rng, count, n, h, w, scale)
                ratio = int(rng.choice(RATIOS))
                params = {"pooled_size": pooled, "spatial_scale": scale, "sampling_ratio": ratio}
                rf.rotated_roi_align(data, rois, **params)
            else:
                pooled = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
                data = _map(rng, n, int(rng.integers(1, 3)) * pooled[0] * pooled[1], h, w)
                rois = _boxes(rng, count, n, h, w, scale)
                params = {
                    "pooled_size": pooled,
                    "spatial_scale": scale,
                    "sample_ratio": int(rng.choice(RATIOS)),
                    "aligned": bool(rng.random() < 0.5),
                }
                try:  # mxnet aborts the process on aligned boxes roi_utils refuses; never send those
                    out = rf.ps_roi_align(data, rois, **params)
                except ValueError:
                    continue
                if op.endswith("backward"):
                    out_grad = rng.standard_normal(out.shape).astype(np.float32)
            yield {"op": op, "data": data, "rois": rois, "out_grad": out_grad, "params": params}
            made += 1
