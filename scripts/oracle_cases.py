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
