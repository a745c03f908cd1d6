"""Seeded awkward cases for chapter 7's recordings (ONNX Runtime, torchvision, TensorFlow).

numpy only, so the recording scripts can import it in any virtual environment. The
boxes hit the rules where frameworks part: corners on exact halves after scaling,
boxes partly or wholly off the map, reversed corners, zero-width and zero-height
boxes (which the half-pixel shift does not rescue), boxes smaller than the output,
several images, every sampling ratio; maps with ties, a constant negative map (ONNX's
max mode), and NaN and -inf cells (MaxRoiPool, roi_pool).
"""

from __future__ import annotations

import numpy as np

SCALES = (1.0, 0.5, 0.25, 0.125, 0.0625, 0.7, 1 / 3)


def _map(rng, n, c, h, w, allow_nan=False):
    kind = rng.choice(["normal", "ties", "constant", "nan"] if allow_nan else ["normal", "ties", "constant"])
    if kind == "ties":
        x = rng.integers(-3, 4, (n, c, h, w)).astype(np.float32)
    elif kind == "constant":
        x = np.full((n, c, h, w), rng.choice([-10.0, -0.5, 3.0]), np.float32)
    else:
        x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    if kind == "nan":
        x[rng.random(x.shape) < 0.2] = np.nan
        x[rng.random(x.shape) < 0.05] = -np.inf
    return x


def _boxes(rng, count, h, w, scale):
    """(count, 4) ``[x1, y1, x2, y2]`` in image pixels: inside, across edges, outside, reversed,
    exact halves, and some of zero width or height."""
    size_x, size_y = w / scale, h / scale
    x1 = rng.uniform(-0.4 * size_x, 1.2 * size_x, count)
    y1 = rng.uniform(-0.4 * size_y, 1.2 * size_y, count)
    x2 = x1 + rng.uniform(-0.3 * size_x, 1.0 * size_x, count)
    y2 = y1 + rng.uniform(-0.3 * size_y, 1.0 * size_y, count)
    boxes = np.stack([x1, y1, x2, y2], 1)
    if rng.random() < 0.5:  # scaled corners on exact halves
        boxes = (np.round(boxes * scale * 2) / 2) / scale
    flat = rng.random(count) < 0.15  # zero width or zero height
    boxes[flat, 2] = boxes[flat, 0]
    flat = rng.random(count) < 0.1
    boxes[flat, 3] = boxes[flat, 1]
    return boxes.astype(np.float32)


def onnx_cases(seed: int = 20261201, per_op: int = 200):
    """Dicts ``op, opset, X, rois, batch_indices, attributes`` for ``roi_oracle.onnxruntime_output``."""
    rng = np.random.default_rng(seed)
    for op in ("RoiAlign", "MaxRoiPool"):
        for _ in range(per_op):
            n, c = int(rng.integers(1, 3)), int(rng.integers(1, 3))
            h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
            scale = float(rng.choice(SCALES))
            count = int(rng.integers(1, 4))
            boxes = _boxes(rng, count, h, w, scale)
            batch = rng.integers(0, n, count)
            pooled = [int(rng.integers(1, 5)), int(rng.integers(1, 5))]
            if op == "MaxRoiPool":
                x = _map(rng, n, c, h, w, allow_nan=True)
                rois = np.concatenate([batch[:, None].astype(np.float32), boxes], 1)
                yield {
                    "op": op,
                    "opset": 16,
                    "X": x,
                    "rois": rois,
                    "batch_indices": None,
                    "attributes": {"pooled_shape": pooled, "spatial_scale": scale},
                }
                continue
            attributes = {
                "mode": str(rng.choice(["avg", "max"])),
                "output_height": pooled[0],
                "output_width": pooled[1],
                "sampling_ratio": int(rng.choice([0, 0, 1, 2, 3])),
                "spatial_scale": scale,
            }
            opset = 10 if rng.random() < 0.1 else 16
            if opset == 16:
                attributes["coordinate_transformation_mode"] = str(
                    rng.choice(["half_pixel", "output_half_pixel"])
                )
            yield {
                "op": op,
                "opset": opset,
                "X": _map(rng, n, c, h, w),
                "rois": boxes,
                "batch_indices": batch.astype(np.int64),
                "attributes": attributes,
            }


def torchvision_cases(seed: int = 20261202, per_op: int = 200):
    """Dicts ``fn, input, boxes, params`` for torchvision.ops.roi_align / roi_pool (boxes (K, 5))."""
    rng = np.random.default_rng(seed)
    for fn in ("roi_align", "roi_pool"):
        for _ in range(per_op):
            n, c = int(rng.integers(1, 3)), int(rng.integers(1, 3))
            h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
            scale = float(rng.choice(SCALES))
            count = int(rng.integers(1, 4))
            boxes = np.concatenate(
                [rng.integers(0, n, count)[:, None].astype(np.float32), _boxes(rng, count, h, w, scale)], 1
            )
            pooled = [int(rng.integers(1, 5)), int(rng.integers(1, 5))]
            params = {"output_size": pooled, "spatial_scale": scale}
            if fn == "roi_align":
                params.update(
                    sampling_ratio=int(rng.choice([-1, 0, 1, 2, 3])), aligned=bool(rng.random() < 0.5)
                )
            x = _map(rng, n, c, h, w, allow_nan=fn == "roi_pool")
            yield {"fn": fn, "input": x, "boxes": boxes.astype(np.float32), "params": params}


def tensorflow_cases(seed: int = 20261203, count: int = 300):
    """Dicts ``fn, image (NHWC), boxes (normalised y1, x1, y2, x2), box_indices, params``."""
    rng = np.random.default_rng(seed)
    for k in range(count):
        n, d = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
        boxes_count = int(rng.integers(1, 4))
        boxes = rng.uniform(-0.4, 1.4, (boxes_count, 4))
        if rng.random() < 0.4:  # ends on whole cells and exact halves of cells
            boxes = np.round(boxes * 2 * max(h - 1, 1)) / (2 * max(h - 1, 1))
        image = _map(rng, n, d, h, w).transpose(0, 2, 3, 1).copy()
        indices = rng.integers(0, n, boxes_count).astype(np.int32)
        if k % 10 == 9:  # the Object Detection API's recipe
            params = {"crop_size": [14, 14], "method": "bilinear", "extrapolation_value": 0.0, "maxpool": 2}
        else:
            params = {
                "crop_size": [int(rng.integers(1, 6)), int(rng.integers(1, 6))],
                "method": str(rng.choice(["bilinear", "nearest"])),
                "extrapolation_value": float(rng.choice([0.0, -1.5])),
            }
        yield {
            "fn": "crop_and_resize",
            "image": image.astype(np.float32),
            "boxes": boxes.astype(np.float32),
            "box_indices": indices,
            "params": params,
        }
