"""Chapter 9's experiment: does alignment matter? A seeded miniature of Mask R-CNN's ablation.

    python scripts/alignment_experiment.py            # the full table and img/ch9_results.png
    python scripts/alignment_experiment.py --quick    # the notebook's smaller live run
    python scripts/alignment_experiment.py --no-figure

Prints, for every pooling method at strides 8, 16 and 32, the mean mask IoU of the test
objects, the share of them above IoU 0.5 and 0.75, and the keypoint head's error (the object's
centre, in pixels), as mean ± standard deviation over the seeds, with the paper's COCO mask
AP / AP50 / AP75 beside them for reference (a different metric on a different task: see
roi_experiment.score). The table goes to stdout and is the same on every run; the time taken
goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import roi_experiment as rx  # noqa: E402


def describe(config: rx.Config) -> str:
    seeds = ", ".join(str(s) for s in config.seeds)
    return (
        f"{config.n_train} training and {config.n_test} test objects per seed, seeds {seeds}; "
        f"{config.image_size} x {config.image_size} images, {rx.POOLED} x {rx.POOLED} pooled features "
        f"from chapter 2's backbone ({len(rx.CHANNELS)} channels), a {rx.MASK_SIZE} x {rx.MASK_SIZE} "
        f"mask from a ridge regression (ridge {config.ridge:g})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the notebook's smaller configuration")
    parser.add_argument("--no-figure", action="store_true", help="do not write img/ch9_results.png")
    args = parser.parse_args(argv)
    config = rx.QUICK if args.quick else rx.FULL
    start = time.perf_counter()
    results = rx.run(config)
    elapsed = time.perf_counter() - start
    print(describe(config))
    print("mean_iou: mean mask IoU (%); iou50, iou75: share of test objects with IoU >= 0.5, >= 0.75 (%);")
    print("keypoint_px: mean distance in pixels from the predicted object centre to the true one")
    print()
    print(rx.table(results))  # ends with rx.PAPER_SOURCE: the paper's tables and backbones
    print(f"experiment took {elapsed:.1f} s", file=sys.stderr)
    if not args.no_figure and not args.quick:
        import matplotlib

        matplotlib.use("Agg")
        from figures import ch9

        path = ROOT / "img" / "ch9_results.png"
        ch9.draw_results(results, path)
        print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
