"""Chapter 6's intermediate steps give roi_utils' answers; the benchmark script runs.

Speed itself is measured by scripts/benchmark.py, never asserted here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import roi_loops
import roi_speed as rs
import roi_utils as ru

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("seed", range(4))
def test_steps_equal_the_fast_operators(seed):
    data, rois = rs.workload(2, 5, 11, 13, 12, seed=seed)
    rois[::3, 1:] *= 0.2  # some boxes smaller than the pooled size
    assert rs.steps_agree(data, rois, (3, 4), 1 / 16) == {
        "pool_per_bin": True,
        "pool_separable": True,
        "align_per_bin": True,
    }
    np.testing.assert_array_equal(
        roi_loops.roi_pool_loop(data, rois, 3, 1 / 16)[0], ru.roi_pool(data, rois, 3, 1 / 16)
    )


def test_workloads_are_detection_heads():
    data, rois = rs.workload(**rs.WORKLOADS["vgg16"])
    assert data.shape == (1, 512, 38, 50) and rois.shape == (300, 5)
    assert rs.bytes_read(data, rois[:5], "roi_pool") > 0 and rs.bytes_read(data, rois[:5], "roi_align") > 0


def test_benchmark_script_runs():
    result = subprocess.run(
        [sys.executable, "scripts/benchmark.py", "--quick", "--runs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for row in (
        "roi_align sr=2",
        "roi_align sr=-1",
        "roi_pool",
        "roi_align sr=2 fwd+bwd",
        "roi_pool fwd+bwd",
        "roi_pool bwd (kept argmax)",
    ):
        assert f"  {row} " in result.stdout
    assert "read bandwidth" in result.stdout and "Issue 16's targets" in result.stdout


@pytest.mark.parametrize("mix", sorted(rs.BOX_MIXES))
def test_box_mixes_have_the_sides_they_name(mix):
    _, rois = rs.workload(1, 2, 38, 50, 400, mix=mix)
    sides = np.concatenate([rois[:, 3] - rois[:, 1], rois[:, 4] - rois[:, 2]])
    low, high = rs.BOX_MIXES[mix]["sides"]
    assert low <= sides.min() and sides.max() <= high
    assert sides.min() < low * 1.2 and sides.max() > high * 0.9  # the whole range is used
    with pytest.raises(ValueError, match="mix"):
        rs.workload(1, 2, 3, 4, 5, mix="huge")


def test_interleaved_medians_time_only_the_run_part():
    import time

    times = rs.interleaved_median_ms(
        {"sleep": lambda: time.sleep(0.002), "setup only": (lambda: time.sleep(0.01), lambda _: None)}, runs=3
    )
    assert times["sleep"] >= 2 and times["setup only"] < 2


def test_nchw_write_back_is_a_transpose():
    boxes = np.random.default_rng(0).standard_normal((3, 2, 4, 5)).astype(np.float32)
    np.testing.assert_array_equal(rs.nchw_write_back(boxes), boxes.transpose(0, 3, 1, 2))


def test_time_parts_names_every_part():
    data, rois = rs.workload(1, 4, 9, 11, 5)
    parts = rs.time_parts(data, rois, runs=1)
    assert set(parts["roi_pool"]) == {"total", "per-box overhead", "NCHW write-back", "reductions"}
    assert set(parts["roi_align"]) == {"total", "per-box overhead", "matrix products"}
    assert all(ms >= 0 for op in parts.values() for ms in op.values())


def test_chapter_6_prose_numbers():
    """Numbers chapter 6 states about its (seeded) workloads, not about the machine."""
    data, rois = rs.workload(batch=1, channels=16, height=38, width=50, boxes=40, seed=0)
    columns = []
    for roi in rois:
        bins = ru.roi_pool_bins(roi, 7, 1 / 16, (38, 50))
        columns.append(max(0, int(bins.wend.max() - bins.wstart.min())))
    assert np.median(columns) == 5  # "5 for the median of these 40 boxes"
    big_data, big_rois = rs.workload(**rs.WORKLOADS["vgg16"])
    rows = []
    for roi in big_rois:
        read = ru.roi_align_samples(roi, 7, 1 / 16, 2, False, (38, 50)).y.weight_matrix(38).any(axis=0)
        if read.any():
            rows.append(np.ptp(np.flatnonzero(read)) + 1)
    assert np.median(rows) == 6  # "6 for the median box of this head"
    output = len(big_rois) * 512 * 49 * 4
    assert round(output / 1e6, 1) == 30.1
    assert round(rs.bytes_read(big_data, big_rois, "roi_pool") / 1e6) == 72
    assert round(rs.bytes_read(big_data, big_rois, "roi_align") / 1e6) == 75


def test_chapter_6_cost_model_numbers():
    """The counts chapter 6's cost-model section states (from rs.align_work, sample_ratio=2, 7x7)."""

    def work(side):
        return rs.align_work([0, 0, 0, side, side], 7, 1.0, 2, (64, 64))

    assert work(4)["dense"] == 7 * 5 * 5 + 49 * 5 == 420
    assert work(6)["dense"] < 784 < work(7)["dense"] == 7 * 8 * 8 + 49 * 8 == 840  # the crossover
    assert work(56)["dense"] == 22260 and round(22260 / 784) == 28
    assert {work(side)["kernel"] for side in (2, 8, 56)} == {4 * 49 * 4}
    gathered = [work(side)["gathered"] for side in (24, 32, 40, 48, 56)]
    assert max(gathered) <= 2 * 28 * 28 + 28 * 28 + 7 * 28  # bounded: copy, rows, columns
