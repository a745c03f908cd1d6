"""How fast do the explorers answer a slider step, in the browser and in the kernel?

    python scripts/bench_browser.py [notebooks/01_roi_pooling.ipynb ...]

Starts JupyterLab (127.0.0.1, token auth) over a throwaway copy of the course, opens each
notebook in headless Chromium, runs it, then presses an arrow key on every explorer's key
slider ``--steps`` times and prints the median milliseconds from the keydown event until the
figure canvas shows new pixels (``browser_harness.key_step``). Before that, in this process under
ipympl's backend, every explorer class in roi_widgets is built with its defaults and its key
slider swept over its whole range: the kernel side of one step is ``last_update_ms``: our code,
matplotlib's render (``roi_widgets.frames.Layers``: often only the front layer), and the frame
ipympl sends (a whole PNG: see ``roi_widgets.frames.send_full_frames``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import browser_harness as bh  # noqa: E402


def kernel_side_ms(max_steps: int | None = None) -> dict[str, float]:
    """Median ms of one step (redraw, render, frame encoding) per explorer class over a sweep of its
    key slider."""
    import importlib
    import pkgutil

    import matplotlib

    matplotlib.use("module://ipympl.backend_nbagg")
    sys.path.insert(0, str(ROOT))
    import roi_widgets
    from roi_widgets.base import Explorer as ContractExplorer
    from roi_widgets.common import Explorer

    results = {}
    for info in pkgutil.iter_modules(roi_widgets.__path__):
        module = importlib.import_module(f"roi_widgets.{info.name}")
        for cls in vars(module).values():
            kinds = (Explorer, ContractExplorer)
            if not (isinstance(cls, type) and issubclass(cls, kinds) and cls not in kinds):
                continue
            if cls.__module__ != module.__name__:
                continue
            explorer = cls()
            # as once a browser shows the canvas: ipympl stops re-encoding a snapshot for the notebook file
            explorer.figure.canvas.syncing_data_url = False
            key = explorer.key_control()
            steps = []
            low, high, step = key.slider.min, key.slider.max, key.slider.step
            value = low
            while value <= high and len(steps) < (max_steps or float("inf")):
                explorer.last_update_ms = None
                key.value = value  # our code, matplotlib's render, and the frame ipympl encodes and sends
                if explorer.last_update_ms is not None:  # else the value was clamped: nothing changed
                    steps.append(explorer.last_update_ms)
                value += step
            results[cls.__name__] = statistics.median(steps)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--steps", type=int, default=15)
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    # first, while no browser or server is winding down on the same cores
    for name, step_ms in kernel_side_ms().items():
        print(
            f"{name}: kernel side of one step (our code, Agg render, PNG frame), median {step_ms:.1f} ms "
            "over a sweep of its key slider"
        )
    with tempfile.TemporaryDirectory() as tmp:
        root = bh.copy_course(Path(tmp) / "course")
        with bh.jupyter_lab(root) as (base, token), bh.chromium_page() as page:
            for path in paths:
                bh.open_notebook(page, base, token, f"notebooks/{Path(path).name}")
                bh.run_all(page)
                explorers = bh.explorers(page)
                for index in range(explorers.count()):
                    explorer = explorers.nth(index)
                    times = [bh.key_step(page, explorer) for _ in range(args.steps)]
                    print(
                        f"{Path(path).name} explorer {index}: key step to new pixels, median "
                        f"{statistics.median(times):.0f} ms (min {min(times):.0f}, "
                        f"max {max(times):.0f}, n={len(times)})"
                    )
                bh.shutdown_kernels(base, token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
