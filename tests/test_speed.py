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
    for op in (
        "roi_pool",
        "roi_align sr=2",
        "roi_align sr=-1",
        "roi_pool_backward",
        "roi_align_backward sr=2",
    ):
        assert op in result.stdout
