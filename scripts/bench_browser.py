"""How fast does every control of every explorer answer, in the browser and in the kernel?

    python scripts/bench_browser.py [--steps 7] [--ratios 1 2] [notebooks/01_roi_pooling.ipynb ...]
    python scripts/bench_browser.py --quick     # one step per control, the start page only

Kernel side first (this process, ipympl's backend, no browser): every explorer of the registry
``roi_widgets.EXPLORERS`` is built as its notebook builds it, and each of its controls
(``NumberControl``) stepped back and forth; one step's time is ``last_update_ms``: our code,
matplotlib's render (``roi_widgets.frames.Layers``) and the PNG frame ipympl sends. ``--profile``
splits it into redraw (our code), render and PNG.

Then the browser: JupyterLab (127.0.0.1, token auth) over a throwaway copy of the course, and
headless Chromium at each device pixel ratio of ``--ratios``. Each notebook is run, then in every
explorer every slider is stepped with an arrow key and every number box typed into (a value one
unit away, then Enter), ``--steps`` times each; a step's time is from the keydown event to the
first animation frame that shows the figure's new pixels (``browser_harness._WATCH_CANVAS``).

The whole table is printed: one row per control, the median milliseconds at each ratio, and
whether it meets the course's targets (median <= 100 ms at ratio 1, <= 150 ms at ratio 2).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

import browser_harness as bh  # noqa: E402

TARGET_MS = {1: 100.0, 2: 150.0}
"""The course's targets for one step's median, by device pixel ratio."""


def registered() -> dict:
    """Every explorer of the registry ``roi_widgets.EXPLORERS``, by name: a function that builds it
    as its notebook's cell does."""
    from roi_widgets import EXPLORERS

    return {name: entry.build for name, entry in EXPLORERS.items()}


def number_controls(explorer) -> dict:
    """An explorer's ``NumberControl`` controls by name (its ``controls`` under the contract of
    ``roi_widgets.base``; an explorer not yet converted to it: its attributes)."""
    from roi_widgets.common import NumberControl

    controls = getattr(explorer, "controls", None) or vars(explorer)
    return {name: c for name, c in controls.items() if isinstance(c, NumberControl)}


def _step_values(control, steps: int) -> list:
    """Values one step either side of the control's, alternating, within its range."""
    start, step = control.value, control.slider.step
    up = start + step if start + step <= control.slider.max else start - step
    return [up if i % 2 == 0 else start for i in range(steps)]


def kernel_side(steps: int = 6, profile: bool = False) -> list[dict]:
    """One row per control of every explorer: the median ms of a step (``last_update_ms``), and
    with ``profile`` the medians of its parts: ``_redraw`` (our code), the render and the PNG."""
    import matplotlib

    matplotlib.use("module://ipympl.backend_nbagg")
    import matplotlib.pyplot as plt

    rows = []
    for label, build in registered().items():
        explorer = build()
        canvas = explorer.figure.canvas
        # as once a browser shows the canvas: ipympl stops re-encoding a snapshot for the notebook file
        canvas.syncing_data_url = False
        canvas.manager.web_sockets = [canvas]  # frames are encoded as when a browser listens
        canvas.send = lambda *args, **kwargs: None
        explorer.update()  # the first update only asks the browser to draw; later ones draw
        parts = {"redraw": [], "png": []}
        restore = _instrument(explorer, parts) if profile else (lambda: None)
        try:
            for name, control in number_controls(explorer).items():
                if control.slider.min == control.slider.max or control.disabled:
                    continue
                times, whole, partial = [], explorer.layers.whole_draws, explorer.layers.axes_draws
                parts["redraw"].clear(), parts["png"].clear()
                cpu = []
                for value in _step_values(control, steps):
                    explorer.last_update_ms = None
                    start = time.process_time()
                    control.value = value
                    if explorer.last_update_ms is not None:  # else clamped: nothing changed
                        times.append(explorer.last_update_ms)
                        cpu.append((time.process_time() - start) * 1000)
                if times:
                    row = {
                        "explorer": label,
                        "control": name,
                        "ms": statistics.median(times),
                        "cpu": statistics.median(cpu),
                        "whole": explorer.layers.whole_draws - whole,
                        "axes": explorer.layers.axes_draws - partial,
                        "steps": len(times),
                    }
                    if profile and parts["redraw"]:
                        row["redraw"] = statistics.median(parts["redraw"])
                        row["png"] = statistics.median(parts["png"]) if parts["png"] else 0.0
                    rows.append(row)
        finally:
            restore()
            plt.close(explorer.figure)
    return rows


def _instrument(explorer, parts: dict):
    """Time ``explorer._redraw`` and ``frames.png_bytes`` into ``parts``; return an undo."""
    from roi_widgets import frames

    redraw, png_bytes = explorer._redraw, frames.png_bytes

    def timed_redraw():
        start = time.perf_counter()
        redraw()
        parts["redraw"].append((time.perf_counter() - start) * 1000)

    def timed_png(pixels, *args, **kwargs):
        start = time.perf_counter()
        result = png_bytes(pixels, *args, **kwargs)
        parts["png"].append((time.perf_counter() - start) * 1000)
        return result

    explorer._redraw, frames.png_bytes = timed_redraw, timed_png

    def restore():
        frames.png_bytes = png_bytes
        del explorer._redraw

    return restore


def print_kernel_table(rows: list[dict]) -> None:
    print("\nKernel side of one step (our code, Agg render, PNG frame), ratio 1, medians: wall ms, and")
    print("CPU ms of this process (what the step costs when other processes share the cores)")
    print(f"  {'explorer':<16} {'control':<12} {'ms':>6} {'cpu':>6} {'back drawn (some Axes)':>24}  parts")
    for row in rows:
        parts = ""
        if "redraw" in row:
            render = row["ms"] - row["redraw"] - row["png"]
            parts = f"redraw {row['redraw']:.1f}, render {render:.1f}, png {row['png']:.1f}"
        print(
            f"  {row['explorer']:<16} {row['control']:<12} {row['ms']:6.1f} {row['cpu']:6.1f} "
            f"{row['whole']:>10} of {row['steps']:<3} ({row['axes']} only some)      {parts}"
        )


def browser_side(paths: list[Path], ratios: list[float], steps: int) -> dict:
    """``{(notebook, explorer index, control label, kind): {ratio: [ms, ...]}}``; a step whose
    figure did not change within 10 s is recorded as -1."""
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = bh.copy_course(Path(tmp) / "course")
        with bh.jupyter_lab(root) as (base, token):
            for ratio in ratios:
                with bh.chromium_page(device_scale_factor=ratio) as page:
                    for path in paths:
                        name = Path(path).name
                        bh.open_notebook(page, base, token, f"notebooks/{name}")
                        try:
                            bh.run_all(page)
                            time_notebook(page, name, ratio, steps, results)
                        finally:
                            bh.shutdown_kernels(base, token)
    return results


def time_notebook(page, name: str, ratio: float, steps: int, results: dict) -> None:
    """Time every slider and number box of every explorer in the open, run notebook into
    ``results`` (see ``browser_side``)."""
    explorers = bh.explorers(page)
    for index in range(explorers.count()):
        explorer = explorers.nth(index)
        found = bh.controls(explorer)
        if found and not found[0]["disabled"]:  # the first step of all, untimed: the first whole draw
            bh.slider_step(page, explorer, bh.control_handle(explorer, found[0]["index"]))
        for control in found:
            handle = bh.control_handle(explorer, control["index"])
            label = control["label"]
            if control["disabled"]:
                results.setdefault((name, index, label, "slider"), {})[ratio] = "disabled"
                continue
            if handle.get_attribute("aria-valuemin") == handle.get_attribute("aria-valuemax"):
                results.setdefault((name, index, label, "slider"), {})[ratio] = "one value"
                continue
            # back and forth, so the explorer stays near its notebook's case for the next control
            times = [bh.slider_step(page, explorer, handle, 1 if i % 2 == 0 else -1) for i in range(steps)]
            results.setdefault((name, index, label, "slider"), {})[ratio] = times
            _progress(name, index, label, "slider", ratio, times)
            if control["box"] and not control["box_disabled"]:
                box = bh.control_box(explorer, control["index"])
                times = []
                for i in range(steps):
                    value = bh.next_value(handle, 1 if i % 2 == 0 else -1)
                    if value is None:
                        break
                    times.append(bh.number_box_step(page, explorer, box, value))
                results.setdefault((name, index, label, "number box"), {})[ratio] = times
                _progress(name, index, label, "number box", ratio, times)


def _progress(name, index, label, kind, ratio, times) -> None:
    """One line as each control is timed (to stderr: the table at the end is the result)."""
    text, _ = _cell(times, ratio)
    print(f"  ... {name} #{index} {label} {kind} at ratio {ratio:g}: {text}", file=sys.stderr, flush=True)


def _cell(value, ratio) -> tuple[str, bool]:
    """A table cell for one control at one ratio, and whether it meets the target."""
    if isinstance(value, str):
        return value, True
    if not value:
        return "-", True
    done = [t for t in value if t >= 0]
    if not done:
        return "no change", False
    median = statistics.median(done)
    missed = len(value) - len(done)
    text = f"{median:.0f}" + (f" ({missed} lost)" if missed else "")
    return text, median <= TARGET_MS.get(ratio, TARGET_MS[2]) and not missed


def print_browser_table(results: dict, ratios: list[float], steps: int) -> list:
    """Print every control's medians; return the rows that miss a target."""
    print(f"\nBrowser: keydown to the figure's new pixels, median ms of {steps} steps per control")
    header = "".join(f" {'ratio ' + format(r, 'g'):>12}" for r in ratios)
    print(f"  {'notebook':<30} {'#':>2} {'control':<18} {'kind':<10}{header}")
    misses = []
    for (name, index, label, kind), by_ratio in results.items():
        cells = []
        for ratio in ratios:
            text, ok = _cell(by_ratio.get(ratio), ratio)
            cells.append(f" {text + ('' if ok else ' *'):>12}")
            if not ok:
                misses.append((name, index, label, kind, ratio, text))
        print(f"  {name:<30} {index:>2} {label:<18} {kind:<10}{''.join(cells)}")
    targets = ", ".join(f"<= {TARGET_MS.get(r, TARGET_MS[2]):.0f} ms at ratio {r:g}" for r in ratios)
    print(f"\n  targets: {targets}; * marks a miss ({len(misses)} in all)")
    print(f"  load average at the end (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--steps", type=int, default=7, help="steps per control (default 7)")
    parser.add_argument("--ratios", type=float, nargs="+", default=[1, 2], help="device pixel ratios")
    parser.add_argument("--quick", action="store_true", help="one step per control, the start page only")
    parser.add_argument("--profile", action="store_true", help="split the kernel side into its parts")
    parser.add_argument("--kernel-only", action="store_true", help="skip the browser")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps = 1
        args.notebooks = args.notebooks or [ROOT / "notebooks" / "00_start_here.ipynb"]
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"load average at the start (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores (timings stretch with it: compare runs made under the same load)")
    # first, while no browser or server is winding down on the same cores
    print_kernel_table(kernel_side(steps=2 if args.quick else max(args.steps, 4), profile=args.profile))
    if args.kernel_only:
        return 0
    ratios = [int(r) if float(r).is_integer() else r for r in args.ratios]
    print_browser_table(browser_side(paths, ratios, args.steps), ratios, args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
