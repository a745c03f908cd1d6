"""Chapter 4: the RoIAlign explorer draws roi_utils' samples and weights; the exercises check answers."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import status_call  # noqa: E402
from solutions import run_solution  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises import ch4  # noqa: E402
from roi_exercises.ch4 import BIG_BOX, BIG_MAP_SHAPE, MAP, ONE_BIN_BOX, SAMPLE_BOX, exercises  # noqa: E402
from roi_widgets.align import CORNER, RATIOS, SIDE, AlignExplorer, align_map  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_roi_align.ipynb"


def notebook_cells(kind: str) -> list[str]:
    return [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == kind]


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
    assert status_call(view) == view.call()


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
            float(MAP[0, 0, 0:3, 0:2].mean()),
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
        ("adaptive_count", 6, "rounds up (ceil)"),
        ("adaptive_count", (4, 2), "Give one number"),
        ("one_bin", 0.0, "sample_ratio=1"),
        ("one_bin", 2.25, "sample_ratio=-1"),
        ("one_bin", 2.75, "aligned=True"),
        ("one_bin", 12.875, "sum of the four samples"),
        ("one_bin", 3.71875, "x and y are swapped"),
        ("one_bin", 9.0, "RoI pooling's maximum"),
        ("one_bin", 4.625, "one sample's value"),
        ("one_bin", 3.22, "do not round"),
    ],
)
def test_wrong_answers_are_explained(name, answer, says):
    result = exercises.check(name, answer, quiet=True)
    assert not result and says in result.message


@pytest.mark.parametrize("name", sorted(exercises.exercises))
def test_pasting_the_solution_passes(name):
    namespace = {"ru": ru, "np": np, "MAP": MAP, "ONE_BIN_BOX": ONE_BIN_BOX, "BIG_BOX": BIG_BOX}
    namespace["SAMPLE_BOX"] = SAMPLE_BOX
    answer = run_solution(exercises.exercises[name].solution, namespace)
    assert exercises.check(name, answer, quiet=True)


def test_one_bin_slips_are_all_told_apart():
    """Every usual slip gives a value of its own, none the right one: so a wrong rule never passes
    (the previous ONE_BIN_BOX gave the right value with aligned=True and with sample_ratio=-1)."""
    right = float(ru.roi_align(MAP, [ONE_BIN_BOX], 1, 1.0, 2)[0, 0, 0, 0])
    values = [value() for value, _ in ch4._one_bin_slips()]
    four_samples = values[:4]
    assert sum(four_samples) / 4 == pytest.approx(right)
    others = values[4:]
    for a, b in itertools.combinations([right, *set(four_samples), *others], 2):
        assert abs(a - b) > 0.05
    # the hint's sample positions are roi_align_samples' own
    s = ru.roi_align_samples(ONE_BIN_BOX, 1, 1.0, 2, False, MAP.shape[2:])
    hint = exercises.exercises["one_bin"].hint
    assert f"x = {s.x.coord[0, 0]:g}, {s.x.coord[0, 1]:g}" in hint
    assert f"y = {s.y.coord[0, 0]:g}, {s.y.coord[0, 1]:g}" in hint


def test_no_explanation_reveals_the_answer():
    right = float(ru.roi_align(MAP, [ONE_BIN_BOX], 1, 1.0, 2)[0, 0, 0, 0])
    for answer in (0.0, 2.25, 3.0, 3.22, 4.625, 9.0):
        assert f"{right:g}" not in exercises.check("one_bin", answer, quiet=True).message
    for answer in (6, 12, (4, 2), 5):
        assert "8" not in exercises.check("adaptive_count", answer, quiet=True).message


def test_explorer_view_fits_map_and_box():
    view = AlignExplorer()
    (x0, x1), (y1, y0) = view.ax_map.get_xlim(), view.ax_map.get_ylim()
    # the default box is on the map: the view is the map and its labels, cells drawn large
    assert x1 - x0 < 8.5 and y1 - y0 < 8.5
    assert x0 <= -1.5 and x1 >= SIDE - 0.5
    view.x1.value, view.y1.value, view.x2.value, view.y2.value = -2.0, -1.0, 8.0, 7.5
    (x0, x1), (y1, y0) = view.ax_map.get_xlim(), view.ax_map.get_ylim()
    assert x0 < -2.0 and x1 > 8.0 and y0 < -1.0 and y1 > 7.5


def test_every_sample_outside_says_the_output_is_zero():
    view = AlignExplorer(box=(6.5, 6.5, 8.0, 8.0))
    assert "all 16 samples" in view.status.value and "every output is 0" in view.status.value
    assert not view.output_values().any()
    view.ph.value, view.pw.value, view.ratio.value = 1, 1, 1
    assert "the only sample" in view.status.value


def test_chosen_sample_outside_is_said():
    view = AlignExplorer(box=(-2.0, -2.0, 8.0, 8.0), sample_ratio=4)
    assert "starred sample is one of them" in view.status.value
    with view.hold():
        view.iy.value, view.ix.value = 2, 2
    assert "starred" not in view.status.value
    check_view(view)


def test_title_counts_samples():
    assert "1 x 1 sample per bin" in AlignExplorer(sample_ratio=1).ax_map.get_title()
    assert "2 x 2 samples per bin" in AlignExplorer().ax_map.get_title()


def test_notebook_prose_numbers_match_roi_utils():
    """The bilinear example's weights and value, and the sample positions, as the prose states them."""
    text = "\n".join(notebook_cells("markdown"))
    x = align_map()
    y0, x0 = 1.3, 2.6
    box = [0, x0 - 0.5, y0 - 0.5, x0 + 0.5, y0 + 0.5]
    terms = ru.roi_align_samples(box, 1, 1.0, 1, False, x.shape[2:]).neighbours(0, 0, 0, 0)
    weights = [f"{w:.2f}" for _, _, w in terms]
    assert weights == ["0.28", "0.42", "0.12", "0.18"]
    for (r, c, _), w, (a, b) in zip(
        terms, weights, [(0.7, 0.4), (0.7, 0.6), (0.3, 0.4), (0.3, 0.6)], strict=True
    ):
        assert f"{a}·{b} = {w}" in text
        assert f"{x[0, 0, r, c]:g}·{w}" in text
    value = float(ru.roi_align(x, [box], 1, 1.0, 1)[0, 0, 0, 0])
    assert f"= {value:.2f}" in text
    coords = ru.roi_align_samples([0, 1, 0, 4, 3], 2, 1.0, 3, False, (6, 6)).x.coord
    assert ", ".join(f"{v:g}" for v in coords[0]) in text
    # the rounding example: "Here the corners move by 3 to 6 pixels"
    bins = ru.roi_pool_bins([0, 37, 53, 211, 170], 7, 1 / 16, (38, 50))
    rounded = np.array([bins.roi_start_w, bins.roi_start_h, bins.roi_end_w, bins.roi_end_h])
    shift = np.abs(rounded - np.array([37, 53, 211, 170]) / 16) * 16
    assert f"move by {shift.min():g} to {shift.max():g} pixels" in text


def test_notebook_exercises_match_the_module():
    code = "\n".join(notebook_cells("code"))
    text = "\n".join(notebook_cells("markdown"))
    for name in re.findall(r"from roi_exercises.ch4 import ([\w, ]+)", code):
        for imported in name.split(","):
            assert hasattr(ch4, imported.strip().split(" as ")[0]), imported
    for name in exercises.exercises:
        assert f'ex.check("{name}", ' in code
    assert f"{BIG_MAP_SHAPE[0]} rows × {BIG_MAP_SHAPE[1]} columns" in text
    assert "ONE_BIN_BOX" in text and "SAMPLE_BOX" in text and "BIG_BOX" in text
    assert "aligned=False" in text


# -- the model, without widgets ---------------------------------------------------------------


from roi_widgets.align import AlignState, align_snapshot  # noqa: E402


def test_model_problem_wording():
    forced = align_snapshot(AlignState(x1=1, y1=1, x2=1.5, y2=1))
    assert forced.problems == (
        "box forced to 1 cell wide and tall: with aligned=False the width is max(x2 - x1, 1) and the "
        "height max(y2 - y1, 1)",
    )
    gone = align_snapshot(AlignState(x1=8, y1=8, x2=8, y2=8, sample_ratio=1, ph=1, pw=1))
    assert gone.problems[0] == (
        "the only sample lies outside [-1, size], where a sample counts as 0: every output is 0"
    )
    some = align_snapshot(AlignState(x1=-2.0, y1=-2.0, x2=8.0, y2=8.0, sample_ratio=4))
    assert some.problems == (
        "39 of 64 samples lie outside [-1, size]: they count as 0 (hollow circles)",
        "the starred sample is one of them: it reads no cell",
    )
    zero = align_snapshot(AlignState(x1=2.0, x2=2.0, aligned=True))
    assert zero.result is None and "aborts" in zero.problems[0] and zero.inside.shape == (0, 2)
    assert align_snapshot(AlignState()).problems == ()


def test_model_status_line_and_geometry():
    from roi_widgets.align import AlignExplorer

    state = AlignState(x1=0.25, y1=0.75, x2=3.0, y2=2.5, sample_ratio=3, aligned=True, pw=3)
    snap = align_snapshot(state)
    pasted = eval(snap.call, {"ru": ru, "np": np, "explorer": AlignExplorer})  # no widget built
    np.testing.assert_array_equal(pasted, snap.result)
    s = state.samples()
    left, top, right, bottom = ru.align_box_edges(s)
    assert snap.box_outline == ([left, right, right, left, left], [top, top, bottom, bottom, top])
    assert len(snap.grid_segments) == (2 - 1) + (3 - 1)
    assert len(snap.inside) == 2 * 3 * 9 and snap.outside.shape == (0, 2)
    weights = [w for _, _, w in s.neighbours(0, 0, 0, 0)]
    assert [label for _, _, label in snap.weight_labels] == [f"{w:.2f}" if w > 0 else "" for w in weights]


def test_model_settles_the_sample_index_to_the_grid():
    assert AlignState(sample_ratio=2, iy=3, ix=3).settled().iy == 1
    assert AlignState(sample_ratio=-1, x1=0, x2=6, pw=1, ix=9).settled().ix == 5  # ceil(6 / 1) samples
    assert AlignState(x1=3.0000000000000004).x1 == 3.0
