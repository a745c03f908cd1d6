"""Chapter 5: the gradient explorer draws roi_utils' backward passes; the exercises check answers."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises.ch5 import exercises  # noqa: E402
from roi_widgets.grad import UPSTREAM, GradExplorer  # noqa: E402


def check_view(view: GradExplorer):
    backward = ru.roi_pool_backward if view.operator.value == "roi_pool" else ru.roi_align_backward
    expected = backward(view.out_grad(), view.data, view.rois(), **view.params())[0, 0]
    np.testing.assert_array_equal(view.input_gradient(), expected)
    np.testing.assert_array_equal(np.asarray(view.grad_panel.image.get_array()), expected)
    receivers = np.argwhere(expected != 0)[:, ::-1]
    assert sorted(map(tuple, view.sources.get_offsets().tolist())) == sorted(map(tuple, receivers.tolist()))
    shared = np.argwhere(view.contributions() > 1)[:, ::-1]
    assert sorted(map(tuple, view.shared.get_offsets().tolist())) == sorted(map(tuple, shared.tolist()))
    assert view.call() in view.status.value


def test_shared_winner_gets_four():
    view = GradExplorer()
    assert view.input_gradient()[2, 3] == 4
    assert view.contributions()[2, 3] == 4
    check_view(view)


def test_pool_contributions_count_bins():
    view = GradExplorer(box=(0, 0, 4, 4))
    _, argmax = ru.roi_pool_argmax(view.data, view.rois(), 2, 1.0)
    cells = argmax[0, 0].ravel()
    for cell in set(cells.tolist()):
        assert view.contributions().ravel()[cell] == (cells == cell).sum()


def test_sweep_all_controls():
    view = GradExplorer()
    for operator, upstream in itertools.product(("roi_pool", "roi_align"), UPSTREAM):
        view.operator.value, view.upstream.value = operator, upstream
        for control in (view.x1, view.y1, view.x2, view.y2, view.ph, view.pw, view.bin_row, view.bin_col):
            step = 1.5 if control.slider.step < 1 else 1
            for value in np.arange(control.slider.min, control.slider.max + 0.01, step):
                control.value = type(control.value)(value)
        check_view(view)


def test_zero_size_aligned_box_is_named():
    view = GradExplorer(operator="roi_align")
    view.aligned.value = True
    view.x2.value = view.x1.value
    assert "aligned=True" in view.status.value


@pytest.mark.parametrize(
    "name, right, wrong", [("cell_gradient", 1.75, 0.5), ("contributions", 4, 1), ("align_cell", 0.25, 1.0)]
)
def test_exercises(name, right, wrong, capsys):
    assert exercises.check(name, right)
    assert not exercises.check(name, wrong)
    assert not exercises.check(name, ...).attempted
    assert "Correct" in capsys.readouterr().out
