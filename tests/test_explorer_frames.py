"""Explorers under ipympl send whole frames, so a frame the browser drops cannot leave stale pixels.

ipympl's browser side replaces a frame that has not finished loading when the next one
arrives; with matplotlib's default diff frames the dropped change would never be painted
(the browser test caught a figure ignoring a slider step this way).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import pytest

from roi_widgets import common


@pytest.fixture
def ipympl_backend():
    pytest.importorskip("ipympl")
    previous = matplotlib.get_backend()
    matplotlib.use("module://ipympl.backend_nbagg")
    yield
    matplotlib.use(previous)


def frame_modes(explorer, steps):
    canvas = explorer.figure.canvas
    modes = []
    for value in steps:
        explorer.x2.value = value
        canvas._png_is_old = True  # as after a draw: the next call encodes a frame
        assert canvas.get_diff_image() is not None
        modes.append(canvas._current_image_mode)
    return modes


def test_every_frame_is_whole(ipympl_backend):
    from roi_widgets.align import AlignExplorer

    explorer = AlignExplorer()
    assert frame_modes(explorer, [3.75, 4.0, 3.75]) == ["full"] * 3


def test_plain_ipympl_canvas_would_send_diffs(ipympl_backend):
    """The default this guards against: the same steps on an untouched canvas send diffs."""
    from roi_widgets.align import AlignExplorer

    original = common.send_full_frames
    common.send_full_frames = lambda canvas: None
    try:
        explorer = AlignExplorer()
    finally:
        common.send_full_frames = original
    assert "diff" in frame_modes(explorer, [3.75, 4.0, 3.75])


def every_explorer():
    """Every registered explorer's class (``roi_widgets.EXPLORERS``)."""
    from roi_widgets import EXPLORERS

    return [entry.explorer_class for entry in EXPLORERS.values()]


@pytest.mark.parametrize("kind", every_explorer(), ids=lambda kind: kind.__name__)
def test_every_explorer_fits_the_output_area(kind):
    import matplotlib.pyplot as plt

    explorer = kind()
    try:
        assert explorer.figure.get_figwidth() <= common.OUTPUT_WIDTH_INCHES
    finally:
        plt.close(explorer.figure)


def test_a_frame_is_the_figure_as_drawn(ipympl_backend):
    import io

    import numpy as np
    from PIL import Image

    from roi_widgets.pool import PoolExplorer

    explorer = PoolExplorer()
    explorer.x2.value = explorer.x2.value - 1
    canvas = explorer.figure.canvas
    canvas._png_is_old = True
    frame = Image.open(io.BytesIO(canvas.get_diff_image()))
    assert np.array_equal(np.asarray(frame), np.asarray(canvas.get_renderer().buffer_rgba()))
    assert canvas.get_diff_image() is None  # nothing new drawn: nothing to send


def test_explorer_timing_script_measures_every_explorer():
    """scripts/bench_browser.py's kernel side runs (speed is reported there, never asserted)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import bench_browser

    previous = matplotlib.get_backend()
    try:
        timings = bench_browser.kernel_side_ms(max_steps=2)
    finally:
        matplotlib.use(previous)
    assert {kind.__name__ for kind in every_explorer()} <= set(timings)
    assert all(ms > 0 for ms in timings.values())


def all_widgets(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from all_widgets(child)


@pytest.mark.parametrize("kind", every_explorer(), ids=lambda kind: kind.__name__)
def test_no_control_label_is_cut(kind):
    """ipywidgets leaves a label about 10 characters (80 px) unless its width is "initial" (a
    checkbox's description is not in that column: it follows the box)."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    explorer = kind()
    try:
        cut = [
            w.description
            for w in all_widgets(explorer.widget)
            if isinstance(w, widgets.widgets.widget_description.DescriptionWidget)
            and not isinstance(w, widgets.Checkbox)
            and len(w.description) > 10
            and w.style.description_width != "initial"
        ]
        assert not cut, f"labels cut short: {cut}"
    finally:
        plt.close(explorer.figure)
