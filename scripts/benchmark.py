"""Time roi_utils against mxnet, side by side in one process, and print the ratios.

    python scripts/benchmark.py            # both workloads, median of 9 alternating runs each
    python scripts/benchmark.py --runs 3 --quick

Workloads (Faster R-CNN heads, 7x7 output, spatial_scale 1/16):
  vgg16  : one 512-channel 38x50 map (an 800x600 image), 300 proposals
  batch2 : two 256-channel 50x68 maps (1088x800 images), 512 proposals
Proposals are seeded, log-uniform in size (16 to 512 pixels), partly off the image.
Runs alternate ours/mxnet so background load hits both alike. Also prints the bytes
each operator must at least read, and what that costs at this machine's measured
memory and cache bandwidth: the floor no implementation can go below.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import roi_oracle  # noqa: E402
import roi_utils as ru  # noqa: E402

WORKLOADS = {
    "vgg16": dict(batch=1, channels=512, height=38, width=50, boxes=300),
    "batch2": dict(batch=2, channels=256, height=50, width=68, boxes=512),
}
QUICK = {"quick": dict(batch=1, channels=16, height=12, width=16, boxes=20)}


def proposals(rng, batch, height, width, boxes, stride=16):
    size = np.exp(rng.uniform(np.log(16), np.log(512), (boxes, 2)))
    centre = rng.uniform([-32, -32], [width * stride + 32, height * stride + 32], (boxes, 2))
    corners = np.concatenate([centre - size / 2, centre + size / 2], 1)
    return np.concatenate([rng.integers(0, batch, (boxes, 1)), corners], 1).astype(np.float32)


def workload(spec, seed=0):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((spec["batch"], spec["channels"], spec["height"], spec["width"]))
    rois = proposals(rng, spec["batch"], spec["height"], spec["width"], spec["boxes"])
    return data.astype(np.float32), rois


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_ms(fn, runs):
    fn()  # warm up
    return statistics.median(_seconds(fn) for _ in range(runs)) * 1000


def paired_median_ms(ours, theirs, runs):
    """Medians of alternating runs, so drifting background load hits both sides alike."""
    ours()
    if theirs is not None:
        theirs()
    mine, other = [], []
    for _ in range(runs):
        mine.append(_seconds(ours))
        if theirs is not None:
            other.append(_seconds(theirs))
    ms = statistics.median(mine) * 1000
    return ms, (statistics.median(other) * 1000 if other else float("nan"))


def mxnet_calls(data, rois, out_grad_pool, out_grad_align):
    mx = roi_oracle.mxnet_module()
    if mx is None:
        return {}
    x, boxes = mx.nd.array(data), mx.nd.array(rois)

    def forward(op, **kw):
        return lambda: op(x, boxes, pooled_size=(7, 7), spatial_scale=1 / 16, **kw).wait_to_read()

    def backward(op, out_grad, **kw):
        g = mx.nd.array(out_grad)

        def run():
            xg = x.copy()
            xg.attach_grad()
            with mx.autograd.record():
                y = op(xg, boxes, pooled_size=(7, 7), spatial_scale=1 / 16, **kw)
            y.backward(g)
            xg.grad.wait_to_read()

        return run

    align = mx.nd.contrib.ROIAlign
    return {
        "roi_pool": forward(mx.nd.ROIPooling),
        "roi_align sr=2": forward(align, sample_ratio=2),
        "roi_align sr=-1": forward(align, sample_ratio=-1),
        "roi_pool_backward": backward(mx.nd.ROIPooling, out_grad_pool),
        "roi_align_backward sr=2": backward(align, out_grad_align, sample_ratio=2),
    }


def our_calls(data, rois, out_grad_pool, out_grad_align):
    kw = dict(pooled_size=7, spatial_scale=1 / 16)
    return {
        "roi_pool": lambda: ru.roi_pool(data, rois, **kw),
        "roi_align sr=2": lambda: ru.roi_align(data, rois, sample_ratio=2, **kw),
        "roi_align sr=-1": lambda: ru.roi_align(data, rois, sample_ratio=-1, **kw),
        "roi_pool_backward": lambda: ru.roi_pool_backward(out_grad_pool, data, rois, **kw),
        "roi_align_backward sr=2": lambda: ru.roi_align_backward(out_grad_align, data, rois, sample_ratio=2, **kw),
    }


def bytes_read(data, rois, op):
    """Bytes an exact implementation must read at least: every map cell a box's bins (or
    samples) touch, once per channel, plus the output it writes."""
    _, c, h, w = data.shape
    total = 0
    for row in rois:
        if op.startswith("roi_pool"):
            bins = ru.roi_pool_bins(row, 7, 1 / 16, (h, w))
            rows = max(0, int(bins.hend.max() - bins.hstart.min()))
            cols = max(0, int(bins.wend.max() - bins.wstart.min()))
        else:
            samples = ru.roi_align_samples(row, 7, 1 / 16, 2, False, (h, w))
            rows = len(np.unique(np.r_[samples.y.low[samples.y.valid], samples.y.high[samples.y.valid]]))
            cols = len(np.unique(np.r_[samples.x.low[samples.x.valid], samples.x.high[samples.x.valid]]))
        total += rows * cols * c * 4
    return total + len(rois) * c * 49 * 4


def bandwidth(size_bytes, runs=5):
    """Read bandwidth in GB/s for summing an array of ``size_bytes`` (cache-sized or not)."""
    a = np.ones(size_bytes // 4, np.float32)
    seconds = median_ms(lambda: a.sum(), runs) / 1000
    return size_bytes / seconds / 1e9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="a tiny workload (for the test suite)")
    args = parser.parse_args()
    specs = QUICK if args.quick else WORKLOADS
    print(f"mxnet: {roi_oracle.status_line()}")
    dram = bandwidth(512 * 2**20 if not args.quick else 8 * 2**20, 3)
    for name, spec in specs.items():
        data, rois = workload(spec)
        r = len(rois)
        rng = np.random.default_rng(1)
        g_pool = rng.standard_normal((r, spec["channels"], 7, 7)).astype(np.float32)
        g_align = rng.standard_normal((r, spec["channels"], 7, 7)).astype(np.float32)
        cache = bandwidth(data.nbytes, 5)
        print(f"\n{name}: data {data.shape}, {r} boxes, 7x7, scale 1/16")
        print(f"  memory read bandwidth {dram:.1f} GB/s; on a map-sized ({data.nbytes / 2**20:.1f} MB) array "
              f"{cache:.1f} GB/s")
        print(f"  {'operator':26s} {'ours ms':>9s} {'mxnet ms':>9s} {'speed-up':>9s} {'floor ms':>9s}")
        ours, theirs = our_calls(data, rois, g_pool, g_align), mxnet_calls(data, rois, g_pool, g_align)
        for op, fn in ours.items():
            our_ms, their_ms = paired_median_ms(fn, theirs.get(op), args.runs)
            floor = bytes_read(data, rois, op) / (cache * 1e9) * 1000
            print(f"  {op:26s} {our_ms:9.1f} {their_ms:9.1f} {their_ms / our_ms:8.1f}x {floor:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
