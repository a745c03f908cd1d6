"""Every notebook in JupyterLab in headless Chromium: runs clean, every explorer responds.

JupyterLab is started by the test on 127.0.0.1 (token auth on) over a throwaway copy
of the course; Debian's Chromium is driven by Python Playwright through
``executable_path`` (no browser download). For each notebook: run all cells (with
mxnet live where installed; test_notebooks runs them without), check that no cell
shows an error and no widget failed to render, then in every explorer press an arrow
key on its key slider and drag it, and check the figure's pixels change each time.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import browser_harness as bh  # noqa: E402

NOTEBOOKS = sorted(p.name for p in (bh.ROOT / "notebooks").glob("*.ipynb"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(bh.CHROMIUM).exists(), reason=f"{bh.CHROMIUM} missing: apt-get install chromium"
    ),
]


@pytest.fixture(scope="module")
def lab():
    with tempfile.TemporaryDirectory() as tmp:
        root = bh.copy_course(Path(tmp) / "course")
        with bh.jupyter_lab(root) as (base, token), bh.chromium_page() as page:
            yield page, base, token


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_explorers_respond(lab, name, record_property):
    page, base, token = lab
    bh.open_notebook(page, base, token, f"notebooks/{name}")
    try:
        bh.run_all(page)
        assert bh.errors_on_page(page) == []
        explorers = bh.explorers(page)
        timings = []
        for index in range(explorers.count()):
            explorer = explorers.nth(index)
            assert explorer.locator(".roi-key-slider").count() == 1, f"explorer {index} needs one key slider"
            timings += [bh.key_step(page, explorer) for _ in range(3)]
            bh.drag(page, explorer, -40)
        if timings:
            record_property("key_step_median_ms", statistics.median(timings))
        assert bh.errors_on_page(page) == []
    finally:
        bh.shutdown_kernels(base, token)


def test_the_latency_benchmark_times_every_control(lab):
    """scripts/bench_browser.py's browser side in its quick mode (one step per control) on the
    start page: every slider and number box gets a time (speed is reported there, never asserted)."""
    page, base, token = lab
    import bench_browser

    bh.open_notebook(page, base, token, "notebooks/00_start_here.ipynb")
    try:
        bh.run_all(page)
        results: dict = {}
        bench_browser.time_notebook(page, "00_start_here.ipynb", 1, 1, results)
    finally:
        bh.shutdown_kernels(base, token)
    kinds = {kind for (_, _, _, kind) in results}
    assert kinds == {"slider", "number box"}
    assert all(isinstance(by_ratio[1], list) and by_ratio[1] for by_ratio in results.values())
    bench_browser.print_browser_table(results, [1], 1)
