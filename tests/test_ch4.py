"""Chapter 4: the RoIAlign explorer draws roi_utils' samples and weights; the exercises check answers."""

from __future__ import annotations

import ast
import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises.ch4 import BIG_BOX, MAP, ONE_BIN_BOX, SAMPLE_BOX, exercises  # noqa: E402
from roi_widgets.align import CORNER, RATIOS, AlignExplorer  # noqa: E402


def check_view(view: AlignExplorer):
    s = view.samples()
    ys, xs = s.points()
    valid = s.y.valid[:, None, :, None] & s.x.valid[None, :, None, :]
    np.testing.assert_allclose(view.points.get_offsets(), np.c_[xs[valid], ys[valid]])
    i, j, a, b = view.bin_row.value, view.bin_col.value, view.iy.value, view.ix.value
    np.testing.assert_allclose(view.chosen.get_offsets(), [[s.x.coord[j, b], s.y.coord[i, a]]])
    for k, ((r, c, w), text) in enumerate(zip(s.neighbours(i, j, a, b), view.weight_texts, strict=True)):
        assert text.get_text() == (f"{w:.2f}" if w > 0 else "")
        # in the corner of its cell away from the sample: low neighbours up/left, high ones down/right
        sign_y, sign_x = (1 if k >= 2 else -1), (1 if k % 2 else -1)
        assert text.get_position() == pytest.approx((c + sign_x * CORNER, r + sign_y * CORNER))
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
    # the output panel is cleared too, not left showing the previous box's values
    assert not any(t.get_visible() for row in view.out_panel.texts for t in row)
    assert np.ma.getmaskarray(view.out_panel.image.get_array()).all()  # NaN: nothing drawn
    assert "none" in view.ax_out.get_title()
    view.x2.value = 4.0
    check_view(view)
    assert view.ax_out.get_title() == "roi_align output"


@pytest.mark.parametrize(
    "box, says",
    [
        ((2.0, 0.5, 2.0, 3.0), "1 cell wide:"),
        ((0.5, 1.0, 3.0, 1.5), "1 cell tall:"),
        ((1, 1, 1.5, 1), "wide and tall"),
    ],
)
def test_box_forced_to_one_cell_is_named(box, says):
    view = AlignExplorer(box=box)
    assert says in view.status.value and "max(x2 - x1, 1)" in view.status.value
    check_view(view)
    view.aligned.value = True
    assert "forced" not in view.status.value


def test_default_box_is_not_forced():
    assert "forced" not in AlignExplorer().status.value


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
        ("adaptive_count", 8, 6),
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
    # no sample on a whole number: all four neighbours have weight > 0, as the explorer shades them
    assert all(w > 0 for _, _, w in s.neighbours(0, 1, 0, 0))
    ys, xs = s.points()
    assert not np.any(ys == np.round(ys)) and not np.any(xs == np.round(xs))


def test_big_box_is_not_one_the_notebook_counts():
    assert BIG_BOX[3:] not in ([6, 4], [20, 12], [60, 33])
    assert ru.roi_align_samples(BIG_BOX, 7, 1.0, -1, False, (32, 24)).count == 8


@pytest.mark.parametrize(
    "name, answer, says",
    [
        ("neighbours", [(1, 3), (1, 2), (2, 2), (2, 3)], "Order matters"),
        ("neighbours", [(2, 1), (3, 1), (2, 2), (3, 2)], "(row, col)"),
        ("adaptive_count", 12, "without RoI pooling's + 1"),
    ],
)
def test_wrong_answers_are_explained(name, answer, says):
    result = exercises.check(name, answer, quiet=True)
    assert not result and says in result.message


def run_solution(text: str, namespace: dict):
    """Execute a solution's text as a learner would paste it; return its last expression's value."""
    tree = ast.parse(text)
    last = tree.body.pop()
    assert isinstance(last, ast.Expr), "a solution ends with the answer"
    exec(compile(tree, "<solution>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<solution>", "eval"), namespace)


@pytest.mark.parametrize("name", sorted(exercises.exercises))
def test_pasting_the_solution_passes(name):
    namespace = {"ru": ru, "np": np, "MAP": MAP, "ONE_BIN_BOX": ONE_BIN_BOX, "BIG_BOX": BIG_BOX}
    namespace["SAMPLE_BOX"] = SAMPLE_BOX
    answer = run_solution(exercises.exercises[name].solution, namespace)
    assert exercises.check(name, answer, quiet=True)
