"""Time roi_utils against mxnet, side by side in one process, and print the ratios.

    python scripts/benchmark.py                 # both workloads, median of 9 alternating runs
    python scripts/benchmark.py --runs 3 --quick

Workloads (roi_speed.WORKLOADS; Faster R-CNN heads, 7x7 output, spatial_scale 1/16):
  vgg16  : one 512-channel 38x50 map (an 800x600 image), 300 proposals
  batch2 : two 256-channel 50x68 maps (1088x800 images), 512 proposals
Proposals are seeded, log-uniform in size (16 to 512 pixels), partly off the image.
Runs alternate ours/mxnet so background load hits both alike. The last column is the
floor no implementation can beat: the bytes the operator must read and write at this
machine's measured read bandwidth for an array the size of the map.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import roi_oracle  # noqa: E402
import roi_speed as rs  # noqa: E402
import roi_utils as ru  # noqa: E402

QUICK = {"quick": dict(batch=1, channels=16, height=12, width=16, boxes=20)}
KW = dict(pooled_size=7, spatial_scale=1 / 16)


def mxnet_calls(mx, data, rois, g_pool, g_align):
    x, boxes = mx.nd.array(data), mx.nd.array(rois)
    align = mx.nd.contrib.ROIAlign
    mx_kw = dict(pooled_size=(7, 7), spatial_scale=1 / 16)

    def forward(op, **kw):
        return lambda: op(x, boxes, **mx_kw, **kw).wait_to_read()

    def backward(op, out_grad, **kw):
        g = mx.nd.array(out_grad)

        def run():
            xg = x.copy()
            xg.attach_grad()
            with mx.autograd.record():
                y = op(xg, boxes, **mx_kw, **kw)
            y.backward(g)
            xg.grad.wait_to_read()

        return run

    return {
        "roi_pool": forward(mx.nd.ROIPooling),
        "roi_align sr=2": forward(align, sample_ratio=2),
        "roi_align sr=-1": forward(align, sample_ratio=-1),
        "roi_pool_backward": backward(mx.nd.ROIPooling, g_pool),
        "roi_align_backward sr=2": backward(align, g_align, sample_ratio=2),
    }


def our_calls(data, rois, g_pool, g_align):
    return {
        "roi_pool": lambda: ru.roi_pool(data, rois, **KW),
        "roi_align sr=2": lambda: ru.roi_align(data, rois, sample_ratio=2, **KW),
        "roi_align sr=-1": lambda: ru.roi_align(data, rois, sample_ratio=-1, **KW),
        "roi_pool_backward": lambda: ru.roi_pool_backward(g_pool, data, rois, **KW),
        "roi_align_backward sr=2": lambda: ru.roi_align_backward(g_align, data, rois, sample_ratio=2, **KW),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="a tiny workload (for the test suite)")
    args = parser.parse_args()
    mx = roi_oracle.mxnet_module()
    print(roi_oracle.status_line())
    if mx is None:
        print("(mxnet missing: only our times are printed)")
    for name, spec in (QUICK if args.quick else rs.WORKLOADS).items():
        data, rois = rs.workload(**spec)
        rng = np.random.default_rng(1)
        shape = (len(rois), spec["channels"], 7, 7)
        g_pool, g_align = (rng.standard_normal(shape).astype(np.float32) for _ in range(2))
        cache = rs.read_bandwidth(data.nbytes)
        print(
            f"\n{name}: data {data.shape}, {len(rois)} boxes, 7x7, scale 1/16; reading a "
            f"{data.nbytes / 2**20:.1f} MB array runs at {cache:.1f} GB/s"
        )
        print(f"  {'operator':26s} {'ours ms':>9s} {'mxnet ms':>9s} {'speed-up':>9s} {'floor ms':>9s}")
        ours = our_calls(data, rois, g_pool, g_align)
        theirs = mxnet_calls(mx, data, rois, g_pool, g_align) if mx else {}
        for op, fn in ours.items():
            if op in theirs:
                our_ms, their_ms = rs.paired_median_ms(fn, theirs[op], args.runs)
            else:
                our_ms, their_ms = rs.median_ms(fn, args.runs), float("nan")
            floor = rs.bytes_read(data, rois, op) / (cache * 1e9) * 1000
            print(f"  {op:26s} {our_ms:9.1f} {their_ms:9.1f} {their_ms / our_ms:8.1f}x {floor:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
