"""Chapter 4: the RoIAlign explorer draws roi_utils' samples and weights; the exercises check answers."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises.ch4 import MAP, ONE_BIN_BOX, SAMPLE_BOX, exercises  # noqa: E402
from roi_widgets.align import RATIOS, AlignExplorer  # noqa: E402


def check_view(view: AlignExplorer):
    s = view.samples()
    ys, xs = s.points()
    valid = s.y.valid[:, None, :, None] & s.x.valid[None, :, None, :]
    np.testing.assert_allclose(view.points.get_offsets(), np.c_[xs[valid], ys[valid]])
    i, j, a, b = view.bin_row.value, view.bin_col.value, view.iy.value, view.ix.value
    np.testing.assert_allclose(view.chosen.get_offsets(), [[s.x.coord[j, b], s.y.coord[i, a]]])
    weights = [t.get_text() for t in view.weight_texts]
    for (_, _, w), text in zip(s.neighbours(i, j, a, b), weights, strict=True):
        assert text == (f"{w:.2f}" if w > 0 else "")
    out = ru.roi_align(view.data, view.rois(), **view.params())[0, 0]
    shown = [[t.get_text() for t in row[: out.shape[1]]] for row in view.out_panel.texts[: out.shape[0]]]
    assert shown == [[f"{v:.3f}" for v in row] for row in out]
    assert view.call() in view.status.value


def test_default_view():
    check_view(AlignExplorer())


def test_every_sample_choice():
    view = AlignExplorer(sample_ratio=3)
    for i, j in itertools.product(range(2), range(2)):
        for a, b in itertools.product(range(3), range(3)):
            with view.hold():
                view.bin_row.value, view.bin_col.value, view.iy.value, view.ix.value = i, j, a, b
            check_view(view)


def test_zero_size_aligned_box_is_named_not_raised():
    view = AlignExplorer(aligned=True)
    view.x1.value = 2.0
    view.x2.value = 2.0
    assert "aligned=True" in view.status.value and "aborts" in view.status.value
    assert len(view.points.get_offsets()) == 0
    view.x2.value = 4.0
    check_view(view)


def test_samples_outside_the_map_are_reported():
    view = AlignExplorer(box=(-2.0, -2.0, 8.0, 8.0), sample_ratio=4)
    assert "outside" in view.status.value
    assert len(view.outside.get_offsets()) > 0


def test_sweep_all_controls():
    view = AlignExplorer()
    for ratio, aligned in itertools.product(RATIOS, (False, True)):
        view.ratio.value, view.aligned.value = ratio, aligned
        for control in (view.x1, view.y1, view.x2, view.y2, view.ph, view.pw):
            for value in np.arange(
                control.slider.min, control.slider.max + 0.01, 1.25 if control.slider.step < 1 else 1
            ):
                control.value = type(control.value)(value)
        if "aborts" not in view.status.value:
            check_view(view)


@pytest.mark.parametrize(
    "name, right, wrong",
    [
        (
            "one_bin",
            float(ru.roi_align(MAP, [ONE_BIN_BOX], 1, 1.0, 2)[0, 0, 0, 0]),
            float(MAP[0, 0, 1:4, 1:3].mean()),
        ),
        ("adaptive_count", 6, 4),
        ("neighbours", [(1, 2), (1, 3), (2, 2), (2, 3)], [(0, 2), (0, 3), (1, 2), (1, 3)]),
    ],
)
def test_exercises(name, right, wrong, capsys):
    assert exercises.check(name, right)
    assert not exercises.check(name, wrong)
    assert not exercises.check(name, ...).attempted
    assert "Correct" in capsys.readouterr().out


def test_neighbour_answer_comes_from_roi_utils():
    s = ru.roi_align_samples(SAMPLE_BOX, 2, 1.0, 1, False, (5, 5))
    assert sorted((r, c) for r, c, _ in s.neighbours(0, 1, 0, 0)) == [(1, 2), (1, 3), (2, 2), (2, 3)]
