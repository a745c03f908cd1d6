"""Chapter 5: the gradient explorer draws roi_utils' backward passes; the exercises check answers."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises import ch5  # noqa: E402
from roi_exercises.ch5 import exercises  # noqa: E402
from roi_widgets.grad import UPSTREAM, GradExplorer  # noqa: E402


def check_view(view: GradExplorer):
    backward = ru.roi_pool_backward if view.operator.value == "roi_pool" else ru.roi_align_backward
    expected = backward(view.out_grad(), view.data, view.rois(), **view.params())[0, 0]
    np.testing.assert_array_equal(view.input_gradient(), expected)
    np.testing.assert_array_equal(np.asarray(view.grad_panel.image.get_array()), expected)
    counts = view.contributions()
    # every cell that receives anything is fed; a fed cell may still sum to 0 (random upstream)
    assert np.all(counts[expected != 0] > 0)
    fed = np.argwhere(counts > 0)[:, ::-1]
    assert sorted(map(tuple, view.sources.get_offsets().tolist())) == sorted(map(tuple, fed.tolist()))
    assert sorted(shared_cells(view)) == sorted(map(tuple, np.argwhere(counts > 1).tolist()))
    for (r, c), text in np.ndenumerate(np.array(view.grad_panel.texts, dtype=object)):
        assert (text.get_text() != "") == bool(counts[r, c] > 0)
    assert view.call() in view.status.value


def shared_cells(view: GradExplorer) -> list[tuple[int, int]]:
    """(row, col) of each square drawn around a cell fed by more than one bin."""
    return [
        tuple(int(round(v)) for v in np.mean(seg[:4], axis=0)[::-1]) for seg in view.shared.get_segments()
    ]


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


def test_zero_size_aligned_box_is_named_and_clears_the_figure():
    view = GradExplorer(operator="roi_align")
    view.aligned.value = True
    view.x2.value = view.x1.value
    assert "aligned=True" in view.status.value
    assert "no gradient" in view.ax_grad.get_title()
    assert not view.grad_panel.image.get_visible()
    assert len(view.sources.get_offsets()) == 0 and view.shared.get_segments() == []
    assert view.bin_lines.get_segments() == [] and len(view.box_line.get_xdata()) == 0
    assert not any(t.get_visible() for row in view.grad_panel.texts for t in row)
    view.x2.value = view.x1.value + 2  # and everything comes back
    assert view.grad_panel.image.get_visible() and "no gradient" not in view.ax_grad.get_title()
    check_view(view)


@pytest.mark.parametrize("operator", ["roi_pool", "roi_align"])
def test_one_bin_upstream_counts_only_that_bin(operator):
    view = GradExplorer(operator=operator, box=(1, 1, 5, 5))
    view.upstream.value = "one bin"
    for row, col in itertools.product(range(2), range(2)):
        with view.hold():
            view.bin_row.value, view.bin_col.value = row, col
        assert view.contributions().max() == 1 and view.shared.get_segments() == []
        check_view(view)


def test_random_upstream_circles_cells_that_cancel():
    view = GradExplorer(operator="roi_align", box=(1, 1, 5, 5))
    view.upstream.value = "random"
    cancelled = (view.contributions() > 0) & (view.input_gradient() == 0)
    assert cancelled.any()  # this view has cells whose contributions sum to exactly 0
    r, c = np.argwhere(cancelled)[0]
    assert view.grad_panel.texts[r][c].get_text() == "0"
    check_view(view)


def test_bins_are_drawn_from_roi_utils():
    view = GradExplorer(box=(1, 1, 5, 5))
    bins = ru.roi_pool_bins(view.rois()[0], 2, 1.0, (6, 6))
    assert len(view.bin_lines.get_segments()) == 4
    # the two bin rows share row 3, the two bin columns column 3: their outlines overlap there
    assert bins.hend[0] - 1 == bins.hstart[1] == 3 and bins.wend[0] - 1 == bins.wstart[1] == 3
    view.operator.value = "roi_align"
    s = ru.roi_align_samples(view.rois()[0], 2, 1.0, 2, False, (6, 6))
    tops = sorted({round(min(y for _, y in seg), 6) for seg in view.bin_lines.get_segments()})
    assert np.allclose(tops, [s.y.start + 0.1, s.y.start + s.y.bin_size + 0.1])
    assert len(view.sample_dots.get_offsets()) == 16


def test_align_only_controls_are_disabled_for_pooling():
    view = GradExplorer()
    assert view.ratio.disabled and view.aligned.disabled
    view.operator.value = "roi_align"
    assert not view.ratio.disabled and not view.aligned.disabled


@pytest.mark.parametrize(
    "name, right, wrong",
    [
        ("cell_gradient", 2.5, 0.5),  # wrong: only one of the two bins it wins
        ("contributions", 2, 4),  # wrong: every bin
        ("align_cell", 0.25, 1.0),  # wrong: the whole gradient, not its bilinear share
    ],
)
def test_exercises(name, right, wrong, capsys):
    assert exercises.check(name, right)
    assert not exercises.check(name, wrong)
    assert not exercises.check(name, ...).attempted
    assert not exercises.check(name, str(right))  # text is refused, not read as a number
    printed = capsys.readouterr().out
    assert "Correct" in printed and "not text" in printed


def test_the_exercise_cells_do_not_give_the_answers_away():
    """The prose shows BOX's shared winner (4 bins); the exercises ask about another box and cell."""
    assert ch5.POOL_BOX != ch5.BOX
    assert exercises.exercises["contributions"].expected() not in (0, 4)


@pytest.mark.parametrize("number, name", list(enumerate(["cell_gradient", "contributions", "align_cell"], 1)))
def test_solutions_pasted_into_the_notebook_pass(number, name, capsys):
    namespace = {
        "np": np,
        "ru": ru,
        **{k: getattr(ch5, k) for k in ("MAP", "BOX", "OUT_GRAD", "POOL_BOX", "ALIGN_BOX")},
    }
    exec(exercises.exercises[name].solution, namespace)
    assert exercises.check(name, namespace[f"answer_{number}"])
