"""A slider step repaints only the explorer's front layer, and the picture is the one a whole draw
gives, pixel for pixel (roi_widgets.frames.Layers)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from conftest import registered
from matplotlib.backends.backend_agg import FigureCanvasAgg

from roi_widgets import EXPLORERS
from roi_widgets.common import NumberControl
from roi_widgets.frames import png_bytes

matplotlib.use("Agg")


def pixels(explorer) -> np.ndarray:
    return np.asarray(explorer.figure.canvas.get_renderer().buffer_rgba()).copy()


def whole_draw(explorer) -> np.ndarray:
    FigureCanvasAgg.draw(explorer.figure.canvas)
    return pixels(explorer)


def sweep(control: NumberControl, limit: int = 24):
    value, count = control.slider.min, 0
    while value <= control.slider.max and count < limit:
        yield value
        value += control.slider.step
        count += 1


OTHER_CHANGES = {
    "check": [],
    "pool": [("map_choice", "ties 6x6"), ("coverage", True), ("ph", 3), ("coverage", False)],
    "image": [("channel", "vertical edges"), ("stride", 32), ("stage", "3 rounded")],
    "spp": [("height", 4), ("levels_choice", "(6, 3, 2, 1)")],
    "align": [("ratio", -1), ("aligned", True), ("pw", 3), ("iy", 1)],
    "grad_pool": [("upstream", "one bin"), ("ph", 3), ("upstream", "random")],
    "grad_align": [("upstream", "one bin"), ("ratio", -1), ("aligned", True), ("pw", 3)],
}
"""A few changes per explorer that alter the back layer (explorers not listed: none)."""


def other_changes(name: str) -> list:
    return OTHER_CHANGES.get(name, [])


@pytest.mark.parametrize("name", registered())
def test_every_step_shows_what_a_whole_draw_shows(name):
    import matplotlib.pyplot as plt

    explorer = EXPLORERS[name].build()
    try:
        explorer.update()  # as once shown: later updates go through Layers
        key = explorer.key_control()
        changes = [(None, value) for value in sweep(key)]
        changes += [(control, value) for control, value in other_changes(name)]
        changes += [(None, value) for value in sweep(key, 6)]
        for control_name, value in changes:
            control = key if control_name is None else getattr(explorer, control_name)
            if control.value == value:
                continue
            control.value = value
            drawn = pixels(explorer)
            differ = (drawn != whole_draw(explorer)).any(axis=2)
            assert not differ.any(), (
                f"after {control_name or 'the key slider'} = {value!r}, {int(differ.sum())} pixels differ "
                f"from a whole draw (rows {np.nonzero(differ)[0].min()}-{np.nonzero(differ)[0].max()})"
            )
        assert explorer.layers.whole_draws >= 1 + bool(other_changes(name))
    finally:
        plt.close(explorer.figure)


@pytest.mark.parametrize("name", [name for name in registered() if name != "spp"])
def test_a_key_step_inside_the_map_repaints_only_the_front(name):
    """Steps that leave the layout alone are quick; the SPP explorer's key slider resizes the map,
    so every one of its steps is a whole draw."""
    import matplotlib.pyplot as plt

    explorer = EXPLORERS[name].build()
    try:
        explorer.update()
        key = explorer.key_control()
        start = key.value
        layers = explorer.layers
        whole, quick = layers.whole_draws, layers.quick_draws
        down = start - key.slider.step
        other = down if down >= key.slider.min else start + key.slider.step
        for value in (other, start, other, start):
            key.value = value
        assert (layers.whole_draws - whole, layers.quick_draws - quick) == (0, 4)
        # drawn and marked so: else IPython's post-execute hook has ipympl draw it all again
        assert not explorer.figure.stale
    finally:
        plt.close(explorer.figure)


def test_the_pooling_view_stays_put_over_the_whole_slider_range():
    """Every box the sliders allow fits the fixed view, so no step changes the layout."""
    from roi_widgets.pool import PoolExplorer

    explorer = PoolExplorer(map_name="random 7x7", box=(1, 0, 3, 2))
    explorer.update()
    whole = explorer.layers.whole_draws
    for value in sweep(explorer.x2, limit=100):
        explorer.x2.value = value
    assert explorer.layers.whole_draws == whole


def test_the_align_view_grows_in_steps_not_with_every_step():
    from roi_widgets.align import AlignExplorer

    explorer = AlignExplorer()
    explorer.update()
    whole = explorer.layers.whole_draws
    steps = 0
    while explorer.x2.value < explorer.x2.slider.max:
        explorer.x2.value += explorer.x2.slider.step
        steps += 1
    assert steps >= 15 and explorer.layers.whole_draws - whole <= 2


def test_a_changed_back_layer_is_drawn_again():
    """Changing the map is a change behind the front artists: the next update draws everything."""
    from roi_widgets.pool import PoolExplorer

    explorer = PoolExplorer(map_name="random 7x7")
    explorer.update()
    whole = explorer.layers.whole_draws
    explorer.seed.value = 1
    assert explorer.layers.whole_draws == whole + 1
    assert np.array_equal(pixels(explorer), whole_draw(explorer))


@pytest.mark.parametrize("deflate", ["isal", "zlib"])
def test_png_bytes_is_a_png_of_the_pixels(deflate, monkeypatch):
    """With isal's deflate, or the standard library's where isal has no wheel."""
    import io
    import zlib

    from PIL import Image

    from roi_widgets import frames

    if deflate == "zlib":
        monkeypatch.setattr(frames, "deflate", zlib.compress)
    else:
        assert frames.deflate.__module__.startswith("isal"), "isal is in requirements.txt"
    pixels = np.random.default_rng(1).integers(0, 256, (40, 30, 4), dtype=np.uint8)
    pixels[10:20] = 255  # flat rows, as in a frame
    decoded = np.asarray(Image.open(io.BytesIO(frames.png_bytes(pixels))))
    assert np.array_equal(decoded, pixels)


def test_png_bytes_refuses_what_is_not_rgba():
    with pytest.raises(ValueError, match="pixels must be an"):
        png_bytes(np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(ValueError, match="pixels must be an"):
        png_bytes(np.zeros((2, 3, 4), np.float32))
