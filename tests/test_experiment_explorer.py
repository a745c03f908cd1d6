"""Chapter 9's explorer: the model without widgets, then the view built headless (Agg)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import roi_experiment as rx  # noqa: E402
import roi_utils as ru  # noqa: E402
from roi_widgets import EXPLORERS  # noqa: E402
from roi_widgets.experiment import (  # noqa: E402
    COLOURS,
    CONFIG,
    ExperimentExplorer,
    ExperimentState,
    experiment_snapshot,
    fitted,
)

# -- the model, without widgets ---------------------------------------------------------------


def pasted_without_widgets(snap) -> np.ndarray:
    """The status line evaluated with the class standing in for ``explorer`` (its input is static)."""
    return eval(snap.call, {"ru": ru, "np": np, "explorer": ExperimentExplorer})


def test_the_explorer_shows_the_notebooks_live_run():
    assert CONFIG == rx.QUICK
    run = fitted(0)
    assert run.config == rx.QUICK and fitted(0) is run  # computed once, kept
    reference = rx.fit_all(rx.QUICK, 0)
    np.testing.assert_array_equal(run.ious[("roi_pool", 32)], reference.ious[("roi_pool", 32)])


@pytest.mark.parametrize("method", rx.METHODS)
@pytest.mark.parametrize("stride", rx.STRIDES)
def test_model_draws_what_roi_experiment_computes(method, stride):
    state = ExperimentState(method=method, stride=stride, index=3)
    snap = experiment_snapshot(state)
    shown = rx.example(fitted(0), method, stride, 3)
    np.testing.assert_array_equal(snap.result, shown.predicted)
    np.testing.assert_array_equal(pasted_without_widgets(snap), snap.result)
    np.testing.assert_array_equal(snap.mask, fitted(0).predicted[(method, stride)][3])
    x1, y1, x2, y2 = rx.read_region(fitted(0).test.proposals[3], method, stride)
    assert snap.region == (x1, y1, x2 - x1, y2 - y1)
    assert f"mask IoU {shown.iou:.3f}" in snap.image_title
    assert f"▶ {rx.METHOD_NAMES[method]}" in snap.scores


def test_the_overlay_colours_agree_with_the_masks():
    snap = experiment_snapshot(ExperimentState(method="roi_pool", stride=32, index=0))
    shown = rx.example(fitted(0), "roi_pool", 32, 0)
    missed = shown.truth & ~shown.predicted
    extra = shown.predicted & ~shown.truth
    assert missed.any() and extra.any()  # this object shows both kinds of error
    green = snap.overlay[..., 1] > snap.overlay[..., 0] + 0.2
    magenta = snap.overlay[..., 0] > snap.overlay[..., 1] + 0.2
    np.testing.assert_array_equal(green, missed)
    np.testing.assert_array_equal(magenta, extra)
    assert set(COLOURS) == {"both", "truth only", "predicted only"}


def test_model_problems_are_worded_for_the_learner():
    ious = fitted(0).ious[("roi_pool", 32)]
    poor = int(np.argmin(ious))
    assert ious[poor] < 0.5
    snap = experiment_snapshot(ExperimentState(method="roi_pool", stride=32, index=poor))
    assert any(p.startswith(f"IoU {ious[poor]:.2f} < 0.5") for p in snap.problems)
    good = int(np.argmax(fitted(0).ious[("roi_align_aligned", 8)]))
    best = ExperimentState(method="roi_align_aligned", stride=8, index=good)
    assert experiment_snapshot(best).problems == ()


def test_model_validates_every_field_by_name():
    with pytest.raises(ValueError, match="method must be one of"):
        ExperimentState(method="roi_max")
    with pytest.raises(ValueError, match="stride must be one of"):
        ExperimentState(stride=12)
    with pytest.raises(ValueError, match="index must be in"):
        ExperimentState(index=CONFIG.n_test)
    with pytest.raises(TypeError, match="index must be a whole number"):
        ExperimentState(index=1.5)
    with pytest.raises(ValueError, match="seed must be in"):
        ExperimentState(seed=-1)


# -- the view, headless -----------------------------------------------------------------------


def test_the_view_copies_the_snapshot_and_the_status_line_reproduces_it():
    explorer = EXPLORERS["experiment"].build()
    assert isinstance(explorer, ExperimentExplorer)
    explorer.index.value = 7
    explorer.method.value = "roi_align"
    explorer.stride.value = 16
    assert explorer.state == ExperimentState(method="roi_align", stride=16, index=7)
    np.testing.assert_array_equal(explorer.image.get_array(), explorer.snapshot.overlay)
    assert explorer.region_box.get_bbox().bounds == pytest.approx(explorer.snapshot.region)
    pasted = eval(explorer.call(), {"ru": ru, "np": np, "explorer": explorer})
    np.testing.assert_array_equal(pasted, explorer.snapshot.result)
    assert explorer.key_control() is explorer.index


def test_a_key_step_repaints_only_the_front():
    explorer = ExperimentExplorer()
    whole = explorer.layers.whole_draws
    for index in range(1, 4):
        explorer.index.value = index
    assert explorer.layers.whole_draws == whole + 1  # the first step saves the back layer
    assert explorer.layers.quick_draws >= 2


def test_every_step_shows_what_a_whole_draw_shows():
    """The layered redraw (front artists over a saved back layer) gives a whole draw's pixels."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from roi_widgets import common

    def pixels() -> np.ndarray:
        return np.asarray(explorer.figure.canvas.get_renderer().buffer_rgba()).copy()

    explorer = ExperimentExplorer()
    try:
        assert explorer.figure.get_figwidth() <= common.OUTPUT_WIDTH_INCHES
        explorer.update()
        changes = [("index", i) for i in range(1, 6)]
        changes += [("method", "roi_align_aligned"), ("stride", 8), ("index", 40), ("seed", 1), ("index", 2)]
        for name, value in changes:
            getattr(explorer, name).value = value
            drawn = pixels()
            FigureCanvasAgg.draw(explorer.figure.canvas)
            assert (drawn == pixels()).all(), f"after {name} = {value!r}: not what a whole draw shows"
        assert explorer.layers.quick_draws >= 5
    finally:
        plt.close(explorer.figure)
