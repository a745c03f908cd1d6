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
    """Every explorer class of the registry ``roi_widgets.EXPLORERS``."""
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


def test_explorer_timing_script_measures_every_control():
    """scripts/bench_browser.py's kernel side runs over every control of every explorer (speed is
    reported there, never asserted)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import bench_browser

    previous = matplotlib.get_backend()
    try:
        rows = bench_browser.kernel_side(steps=2)
    finally:
        matplotlib.use(previous)
    from roi_widgets import EXPLORERS

    timed = {(row["explorer"], row["control"]) for row in rows}
    assert set(EXPLORERS) <= {name for name, _ in timed}
    assert {("pool", "seed"), ("pool", "pw"), ("spp", "height")} <= timed
    assert all(row["ms"] > 0 for row in rows)


def test_the_scripts_import_nothing_from_tests():
    import re

    scripts = Path(__file__).resolve().parent.parent / "scripts"
    for path in [*scripts.glob("*.py"), *scripts.glob("figures/*.py")]:
        text = path.read_text()
        assert not re.search(r"sys\.path\.\w+\(.*tests", text), f"{path.name} puts tests/ on sys.path"
        assert not re.search(r"^\s*(from|import) tests\b", text, re.M), f"{path.name} imports tests"


@pytest.mark.parametrize("kind", every_explorer(), ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("ratio", [1, 2])
def test_every_figure_is_a_whole_number_of_pixels(kind, ratio):
    """Agg truncates a figure's size in pixels: 9.2 in at 100 dpi would be 919 px in a 920 px box."""
    import matplotlib.pyplot as plt

    explorer = kind()
    try:
        figure = explorer.figure
        width, height = figure.get_size_inches() * figure.dpi * ratio
        assert int(width) == round(width) and int(height) == round(height), (width, height)
    finally:
        plt.close(explorer.figure)


def test_a_pooled_size_step_redraws_only_the_output_panel():
    """Layers draws the one Axes whose back layer changed, and the picture is a whole draw's."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from roi_widgets.pool import PoolExplorer

    explorer = PoolExplorer()
    explorer.update()
    layers = explorer.layers
    for value in (3, 2, 4):
        before = layers.axes_draws
        explorer.pw.value = value
        assert layers.axes_draws == before + 1
        canvas = explorer.figure.canvas
        drawn = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
        FigureCanvasAgg.draw(canvas)
        assert np.array_equal(drawn, np.asarray(canvas.get_renderer().buffer_rgba()))


def test_axes_that_would_overlap_are_drawn_whole():
    """Where one Axes' picture reaches into another's, drawing it alone would be wrong: whole."""
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from roi_widgets.frames import Layers

    figure, (left, right) = plt.subplots(1, 2, figsize=(4, 2))
    try:
        (line,) = left.plot([0, 1], [0, 1])
        label = left.text(1.0, 0.5, "a label running into the next panel", transform=left.transAxes)
        right.plot([0, 1], [1, 0])
        layers = Layers(figure, lambda: [])
        layers.draw()
        line.set_ydata([1, 0])
        label.set_text("another label running into the next panel")
        layers.draw()
        assert (layers.whole_draws, layers.axes_draws) == (2, 0)
        drawn = np.asarray(figure.canvas.get_renderer().buffer_rgba()).copy()
        FigureCanvasAgg.draw(figure.canvas)
        assert np.array_equal(drawn, np.asarray(figure.canvas.get_renderer().buffer_rgba()))
    finally:
        plt.close(figure)


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


def test_a_frame_request_and_a_resize_during_the_first_whole_draw_leave_no_blank_layer(ipympl_backend):
    """The race behind a start page that lost its heatmap for good: while the first whole draw
    renders the back layer (front artists hidden), the browser's messages are handled, here a
    frame request and a change of device pixel ratio (as a HiDPI screen sends when the canvas
    appears). The back layer must never be saved from any renderer but the one just drawn into (a
    dpi change swaps the canvas's renderer for a blank one, which was then saved as the back layer,
    with the new dpi recorded: every later step pasted a blank layer), and no frame may be sent
    while the front artists are hidden."""
    import io

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    from roi_widgets.check import RenderCheck

    explorer = RenderCheck()
    canvas = explorer.figure.canvas
    canvas.syncing_data_url = False
    frames = []
    canvas.send = lambda content, buffers=None: frames.extend(buffers or [])
    explorer.figure.canvas.manager.web_sockets = [canvas]
    interleaved = []

    def browser_messages_arrive(event):
        if not interleaved and explorer.box_line.get_animated():  # inside the back layer's render
            interleaved.append(True)
            canvas._png_is_old = True
            canvas.manager.refresh_all()  # a frame request
            canvas._handle_message(canvas, {"type": "set_device_pixel_ratio", "device_pixel_ratio": 2}, [])

    canvas.mpl_connect("draw_event", browser_messages_arrive)
    explorer.x2.value = 3  # the first step: the first whole draw
    explorer.x2.value = 2
    explorer.x2.value = 3
    assert interleaved
    shown = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    FigureCanvasAgg.draw(canvas)
    whole = np.asarray(canvas.get_renderer().buffer_rgba())
    assert shown.shape == whole.shape and np.array_equal(shown, whole)
    crimson = np.array([220, 20, 60])
    for frame in frames:
        pixels = np.asarray(Image.open(io.BytesIO(bytes(frame))).convert("RGB"))
        assert (np.abs(pixels.astype(int) - crimson).sum(axis=2) < 30).any(), "a frame without the box"
        assert (pixels != 255).any(axis=2).sum() > 0.2 * pixels.shape[0] * pixels.shape[1], "a blank frame"


def test_a_frame_request_on_another_thread_during_the_first_whole_draw(ipympl_backend):
    """The race as seen in JupyterLab (ipykernel 7 handles widget messages on more than one
    thread): the browser's "draw" request makes ipympl draw the figure, and clear the canvas's
    renderer, while a slider step's first whole draw is between rendering the back layer and
    saving it. Without one lock around every render the saved back layer is blank and every later
    step shows only the box and the title."""
    import threading

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from roi_widgets.check import RenderCheck

    explorer = RenderCheck()
    canvas = explorer.figure.canvas
    canvas.syncing_data_url = False
    canvas.send = lambda *args, **kwargs: None
    canvas.manager.web_sockets = [canvas]
    main = threading.current_thread()
    back_rendered, cleared = threading.Event(), threading.Event()
    renderer = canvas.get_renderer()
    clear = renderer.clear

    def clear_and_tell():
        clear()
        if threading.current_thread() is not main:
            cleared.set()

    renderer.clear = clear_and_tell

    def back_layer_rendered(event):  # the step's whole draw, between rendering and saving
        if threading.current_thread() is main and not back_rendered.is_set():
            back_rendered.set()
            cleared.wait(0.5)  # give the browser's draw the chance to clear the renderer now

    canvas.mpl_connect("draw_event", back_layer_rendered)

    def browser_asks_for_a_frame():
        if back_rendered.wait(10):
            canvas._handle_message(canvas, {"type": "draw"}, [])

    browser = threading.Thread(target=browser_asks_for_a_frame)
    browser.start()
    explorer.x2.value = 3  # the first step: the first whole draw
    browser.join()
    explorer.x2.value = 2  # quick steps over the saved back layer
    explorer.x2.value = 3
    layer = explorer.layers._background
    painted = (layer[..., :3] != 255).any(axis=2).sum()
    assert painted > 0.2 * layer.shape[0] * layer.shape[1], f"a blank back layer ({painted} pixels painted)"
    shown = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    FigureCanvasAgg.draw(canvas)
    assert np.array_equal(shown, np.asarray(canvas.get_renderer().buffer_rgba()))


@pytest.mark.parametrize("kind", every_explorer(), ids=lambda kind: kind.__name__)
def test_cached_text_draws_the_same_pixels(kind):
    """frames.cache_text reuses each string's glyph bitmap: the picture must be the one a renderer
    without the cache draws, at ratio 1 and 2, after the cache has seen every string once (under a
    matplotlib series the cache does not mirror it stays off, and both draws are the usual ones)."""
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.backends.backend_agg import RendererAgg

    from roi_widgets.frames import cache_text

    explorer = kind()
    try:
        figure = explorer.figure
        for dpi in (figure.dpi, 2 * figure.dpi):
            figure.set_dpi(dpi)
            width, height = figure.bbox.size
            cached, plain = RendererAgg(width, height, dpi), RendererAgg(width, height, dpi)
            cache_text(cached)
            figure.draw(cached)
            cached.clear()
            figure.draw(cached)  # every string now from the cache
            figure.draw(plain)
            assert np.array_equal(np.asarray(cached.buffer_rgba()), np.asarray(plain.buffer_rgba()))
    finally:
        plt.close(explorer.figure)
