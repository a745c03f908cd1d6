"""Chapter 5: the gradient explorer draws roi_utils' backward passes; the exercises check answers."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import status_call  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises import ch5  # noqa: E402
from roi_exercises.ch5 import exercises  # noqa: E402
from roi_widgets.grad import UPSTREAM, GradExplorer, short_number  # noqa: E402
from roi_widgets.grad_align import AlignGradExplorer  # noqa: E402
from roi_widgets.grad_pool import PoolGradExplorer  # noqa: E402


def expected_gradient(view) -> np.ndarray:
    """The input gradient of the explorer on screen, from roi_utils directly."""
    shown = view.current if isinstance(view, GradExplorer) else view
    state = shown.state
    if isinstance(shown, PoolGradExplorer):
        return ru.roi_pool_backward(shown.out_grad(), shown.data, shown.rois(), (state.ph, state.pw))[0, 0]
    return ru.roi_align_backward(shown.out_grad(), shown.data, shown.rois(), **shown.params())[0, 0]


def check_view(view: GradExplorer):
    expected = expected_gradient(view)
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
    assert status_call(view) == view.call()
    # the status line's call, pasted where the explorer is `explorer`, gives the middle panel
    np.testing.assert_array_equal(eval(view.call(), {"ru": ru, "np": np, "explorer": view}), expected)
    # the upstream panel diverges around 0 like the gradient panel: a negative value is not white
    low, high = view.up_panel.image.get_clim()
    assert low == -high and view.up_panel.image.get_cmap().name == "RdBu_r"
    # every outline stays in view (a box ending on row or column 6 too)
    x_low, x_high = view.ax_map.get_xlim()
    y_high, y_low = view.ax_map.get_ylim()
    for line in (view.box_line, view.raw_line):
        xs, ys = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        assert np.all((xs >= x_low) & (xs <= x_high)) and np.all((ys >= y_low) & (ys <= y_high))
    pooling = view.operator.value == "roi_pool"
    assert (len(view.raw_line.get_xdata()) > 0) == pooling  # the box before rounding: roi_pool only
    # roi_align's gradient does not depend on the map's values: they are hidden, not drawn under marks
    assert any(t.get_visible() for row in view.map_panel.texts for t in row) == pooling
    one_bin = view.upstream.value == "one bin"
    assert all(c.slider.disabled == c.entry.disabled == (not one_bin) for c in (view.bin_row, view.bin_col))


def status_problem(view: GradExplorer) -> str:
    """The red part of the status line ('' when there is none)."""
    value = view.status.value
    return value.split('color:#b00020">', 1)[1] if 'color:#b00020">' in value else ""


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


@pytest.mark.parametrize(
    "operator, box, pooled, words",
    [
        ("roi_pool", (5.5, 5.5, 6, 6), (1, 1), "the rounded box is off the map"),
        ("roi_pool", (5, 5, 6, 6), (4, 4), "12 of 16 bins empty (off the map)"),
        ("roi_pool", (0, 0, 6, 6), (2, 2), ""),  # clipped bins that still read cells: no problem
        ("roi_align", (6, 6, 6, 6), (2, 2), "every sample lies outside [-1, size]"),
        ("roi_align", (5.5, 5.5, 6, 6), (2, 2), "samples lie outside [-1, size]"),
    ],
)
def test_bins_that_send_nothing_are_named_and_marked(operator, box, pooled, words):
    view = GradExplorer(operator=operator, box=box, pooled=pooled)
    check_view(view)
    dead = view.dead_bins()
    problem = status_problem(view)
    if words:
        assert words in problem
    else:
        assert problem == "" and not dead.any()
    marked = sorted(map(tuple, view.dead_fade.get_offsets().tolist()))
    assert marked == sorted((float(c), float(r)) for r, c in np.argwhere(dead))
    if dead.all():
        assert not view.input_gradient().any() and "all 0" in view.ax_grad.get_title()
        assert view.ax_grad.title.get_color() == "#b00020"


def test_choosing_a_bin_that_sends_nothing_says_so():
    view = GradExplorer(box=(5, 5, 6, 6), pooled=(4, 4))
    view.upstream.value = "one bin"
    with view.hold():
        view.bin_row.value, view.bin_col.value = 3, 3
    assert view.dead_bins()[3, 3] and not view.input_gradient().any()
    assert "the chosen bin is one of them" in status_problem(view)
    with view.hold():
        view.bin_row.value, view.bin_col.value = 0, 0
    assert view.input_gradient().sum() == 1 and "chosen" not in status_problem(view)


def test_bin_choice_is_live_only_for_one_bin():
    view = GradExplorer()
    for upstream in UPSTREAM:
        view.upstream.value = upstream
        assert view.bin_row.slider.disabled == (upstream != "one bin")
        assert view.bin_col.entry.disabled == (upstream != "one bin")


def test_status_call_reproduces_the_middle_panel_for_every_setting():
    view = GradExplorer(operator="roi_align", box=(0.5, 1, 5, 4.5), pooled=(3, 4))
    for upstream, aligned, ratio in itertools.product(UPSTREAM, (False, True), (-1, 3)):
        with view.hold():
            view.upstream.value, view.aligned.value, view.ratio.value = upstream, aligned, ratio
        shown = np.asarray(view.grad_panel.image.get_array())
        np.testing.assert_array_equal(eval(view.call(), {"ru": ru, "explorer": view}), shown)


@pytest.mark.parametrize("value", [0.125, -0.0125, 0.140625, -0.00625, 12.5, -0.1171875, 3e-4])
def test_gradient_numbers_are_exact_or_three_digits_and_short(value):
    text = short_number(value)
    assert len(text) <= 7
    digits = 3 if abs(value) >= 0.01 else 2  # fewer below 0.01, so that "-0.0063" fits its cell
    assert text == "~0" or abs(float(text) - value) <= 0.5 * 10.0 ** (1 - digits) * abs(value)


@pytest.mark.parametrize("operator", ["roi_pool", "roi_align"])
def test_gradient_numbers_fit_their_cells(operator):
    """The longest numbers (negative, small, from the random upstream) stay inside their cells."""
    view = GradExplorer(operator=operator, box=(0, 0.5, 5.5, 5), pooled=(4, 4))
    with view.hold():
        view.upstream.value = "random"
        if operator == "roi_align":
            view.ratio.value = 3
    view.figure.canvas.draw()
    renderer = view.figure.canvas.get_renderer()
    transform = view.ax_grad.transData
    cell = transform.transform((1, 0))[0] - transform.transform((0, 0))[0]
    widths = [
        t.get_window_extent(renderer).width for row in view.grad_panel.texts for t in row if t.get_text()
    ]
    assert widths and max(widths) < 0.9 * cell


def test_the_map_marks_are_named_beside_the_map():
    view = GradExplorer()
    assert "box as given, before rounding" in view.legend_text.get_text()
    assert view.legend_marks["raw"].get_visible() and not view.legend_marks["samples"].get_visible()
    view.operator.value = "roi_align"
    assert "sample points" in view.legend_text.get_text() and not view.legend_marks["raw"].get_visible()
    renderer = view.figure.canvas.get_renderer()
    figure_box = view.figure.bbox
    for artist in (view.legend_text, view.ax_up.title, view.ax_map.title, view.ax_grad.title):
        box = artist.get_window_extent(renderer)
        assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1 and box.y1 <= figure_box.y1


def test_each_operator_has_only_its_own_controls():
    view = GradExplorer()
    assert "sample_ratio" not in view.controls and not hasattr(view.current, "ratio")
    view.operator.value = "roi_align"
    assert {"sample_ratio", "aligned"} <= set(view.controls) and view.widget.children[
        1
    ] is view.current.widget


def test_the_operator_choice_keeps_the_box_and_upstream():
    view = GradExplorer(box=(1, 1, 5, 4.5), pooled=(3, 2))
    with view.hold():
        view.upstream.value, view.bin_row.value = "one bin", 2
    view.operator.value = "roi_align"
    assert isinstance(view.current, AlignGradExplorer)
    state = view.current.state
    assert (state.x1, state.y2, state.ph, state.pw, state.upstream, state.bin_row) == (
        1,
        4.5,
        3,
        2,
        "one bin",
        2,
    )
    check_view(view)
    view.operator.value = "roi_pool"
    assert view.current.state.bin_row == 2
    check_view(view)


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


@pytest.mark.parametrize("share", [0.5, 2.0])
def test_one_bins_share_is_named_without_the_sum(share, capsys):
    """The cell at (3, 1) wins two bins (0.5 and 2.0 upstream): either share alone gets its own message."""
    assert not exercises.check("cell_gradient", share)
    printed = capsys.readouterr().out
    assert "one bin's share" in printed
    expected = exercises.exercises["cell_gradient"].expected()
    assert f"{expected:g}" not in printed and str(expected) not in printed


def test_every_bins_gradient_is_named(capsys):
    assert not exercises.check("cell_gradient", float(ch5.OUT_GRAD.sum()))
    assert "every bin's gradient" in capsys.readouterr().out


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


# -- the models, without widgets ----------------------------------------------------------------


from roi_widgets.grad_align import AlignGradState, align_grad_snapshot  # noqa: E402
from roi_widgets.grad_pool import PoolGradState, pool_grad_snapshot  # noqa: E402


class Pasted:
    """What a status line needs of ``explorer``, without building one: its named inputs."""

    map = staticmethod(PoolGradExplorer.map)

    @staticmethod
    def out_grad(kind, pooled_size, bin=(0, 0)):  # noqa: A002
        from roi_chapters.ch5 import upstream_gradient

        return upstream_gradient(kind, pooled_size, bin)


@pytest.mark.parametrize(
    "snapshot, state, words",
    [
        (
            pool_grad_snapshot,
            PoolGradState(x1=5.5, y1=5.5, x2=6, y2=6, ph=1, pw=1),
            ("the rounded box is off the map: no bin sends gradient, the input gradient is all 0",),
        ),
        (
            pool_grad_snapshot,
            PoolGradState(x1=5, y1=5, x2=6, y2=6, ph=4, pw=4),
            ("12 of 16 bins empty (off the map): no gradient from them (x on the upstream panel)",),
        ),
        (
            pool_grad_snapshot,
            PoolGradState(x1=5, y1=0, x2=6, y2=3, ph=1, pw=4, upstream="one bin", bin_col=3),
            (
                "bins (0, 2), (0, 3) empty (off the map): no gradient from them (x on the upstream panel)",
                "the chosen bin is one of them",
            ),
        ),
        (
            align_grad_snapshot,
            AlignGradState(x1=6, y1=6, x2=6, y2=6),
            ("every sample lies outside [-1, size]: no bin sends gradient, the input gradient is all 0",),
        ),
        (
            align_grad_snapshot,
            AlignGradState(x1=5.5, y1=5.5, x2=6, y2=6),
            (
                "bins (0, 1), (1, 0), (1, 1) with every sample outside [-1, size]: no gradient from them "
                "(x on the upstream panel)",
                "12 of 16 samples lie outside [-1, size]: they send nothing",
            ),
        ),
        (pool_grad_snapshot, PoolGradState(), ()),
        (align_grad_snapshot, AlignGradState(), ()),
    ],
)
def test_model_problem_wording(snapshot, state, words):
    snap = snapshot(state)
    assert snap.problems == words
    pasted = eval(snap.call, {"ru": ru, "np": np, "explorer": Pasted})
    np.testing.assert_array_equal(pasted, snap.result)


def test_model_zero_size_aligned_box():
    snap = align_grad_snapshot(AlignGradState(x2=2.0, aligned=True))
    assert snap.result is None and not snap.gradient_visible
    assert "aligned=True" in snap.problems[0] and snap.gradient_title == "no gradient: see the line below"
    assert snap.bin_segments == () and snap.sources.shape == (0, 2)


def test_model_status_line_names_the_upstream_choice():
    one = pool_grad_snapshot(PoolGradState(upstream="one bin", bin_row=1, bin_col=0))
    assert 'explorer.out_grad("one bin", (2, 2), bin=(1, 0))' in one.call
    rand = align_grad_snapshot(AlignGradState(upstream="random", ph=3, sample_ratio=-1, aligned=True))
    assert rand.call.startswith('ru.roi_align_backward(explorer.out_grad("random", (3, 2)), explorer.map(),')
    assert rand.call.endswith("sample_ratio=-1, aligned=True)[0, 0]")


def test_model_legend_and_marks_are_the_operators():
    pool, align = pool_grad_snapshot(PoolGradState()), align_grad_snapshot(AlignGradState())
    assert [mark for mark, _ in pool.legend] == ["box", "raw", "bins", "ring"]
    assert [mark for mark, _ in align.legend] == ["box", "bins", "samples", "fill"]
    assert pool.map_values is not None and align.map_values is None
    assert len(pool.raw_outline[0]) == 5 and align.raw_outline == ([], [])
    assert len(align.samples) == 16 and len(pool.samples) == 0
