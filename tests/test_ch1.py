"""Chapter 1: the RoI pooling explorer draws what roi_utils computes; the exercises check answers."""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises.ch1 import ARANGE, BY_HAND_BOX, RANDOM, disjoint_pool, exercises  # noqa: E402
from roi_widgets.check import RenderCheck  # noqa: E402
from roi_widgets.pool import (  # noqa: E402
    BIN_COLOURS,
    CHOSEN_INSET,
    MAP_NAMES,
    SCALES,
    PoolExplorer,
    PoolState,
    example_map,
    pool_snapshot,
)


def status_call(view) -> str:
    """The call shown in the status line, as a learner would copy it."""
    return html.unescape(re.search(r"<code>(.*?)</code>", view.status.value).group(1))


def pasted_output(view) -> np.ndarray:
    """Evaluate the status line the way a learner pastes it: the explorer is ``explorer``."""
    return eval(status_call(view), {"ru": ru, "np": np, "explorer": view})


def drawn_state(view: PoolExplorer):
    """What the figure shows, read back from the artists."""
    marks = view.max_marks.get_offsets()
    rectangles = [p.get_extents() for p in view.bin_patches.get_paths()]
    texts = [[t.get_text() for t in row] for row in view.out_texts]
    return marks, rectangles, texts


def check_view(view: PoolExplorer):
    data, rois, pooled, scale = view.data, view.rois(), view.pooled_size(), view.spatial_scale
    values, argmax = ru.roi_pool_argmax(data, rois, pooled, scale)
    bins = ru.roi_pool_bins(rois[0], pooled, scale, data.shape[2:])
    marks, rectangles, texts = drawn_state(view)
    w = data.shape[3]
    cells = argmax[0, 0][argmax[0, 0] >= 0]
    np.testing.assert_array_equal(
        np.asarray(marks).reshape(-1, 2), np.c_[cells % w, cells // w].reshape(-1, 2)
    )
    assert len(rectangles) == int((~bins.empty).sum())
    for r, c in np.ndindex(*pooled):
        shown = texts[r][c].split("\n")[0]
        assert float(shown) == values[0, 0, r, c]
    assert status_call(view) == view.call()
    np.testing.assert_array_equal(pasted_output(view), view.output_values())
    xs, ys = view.rounded_box.get_data()
    assert (min(xs), min(ys)) == (bins.roi_start_w - 0.5, bins.roi_start_h - 0.5)
    assert (max(xs), max(ys)) == (bins.roi_end_w + 0.5, bins.roi_end_h + 0.5)
    # the dashed box: inclusive pixel corners, from x1's left edge to x2's right edge, times the scale
    _, x1, y1, x2, y2 = rois[0]
    xs, ys = view.raw_box.get_data()
    assert (min(xs), max(xs)) == ((x1 - 0.5) * scale, (x2 + 0.5) * scale)
    assert (min(ys), max(ys)) == ((y1 - 0.5) * scale, (y2 + 0.5) * scale)
    # both boxes stay in view, on the map or off it
    (left, right), (bottom, top) = view.ax_map.get_xlim(), view.ax_map.get_ylim()
    assert left <= min(xs) and right >= max(xs) and top <= min(ys) and bottom >= max(ys)
    np.testing.assert_array_equal(view.output_values(), values[0, 0])


def test_default_view_is_the_seed_example():
    view = PoolExplorer()
    assert view.output_values().tolist() == [[5, 6], [9, 10]]
    check_view(view)


@pytest.mark.parametrize("map_name", MAP_NAMES)
def test_drawn_artists_match_roi_utils(map_name):
    view = PoolExplorer(map_name=map_name)
    for x1, y1, x2, y2, ph, pw in [
        (0, 0, 3, 3, 2, 2),
        (1, 0, 3, 2, 2, 2),
        (2, 2, 9, 9, 3, 2),
        (0, 1, 4, 5, 3, 4),
    ]:
        with view.hold():
            view.x1.value, view.y1.value = x1, y1
            view.x2.value, view.y2.value = x2, y2
            view.ph.value, view.pw.value = ph, pw
        check_view(view)


def test_coverage_overlay_and_selected_bin():
    view = PoolExplorer(map_name="random 7x7", box=(1, 0, 3, 2))
    view.coverage.value = True
    bins = view.bins()
    np.testing.assert_array_equal(view.coverage_image.get_array().filled(0), bins.coverage())
    assert view.coverage_image.get_visible()
    assert view.map_panel.texts[1][2].get_text() == "4"  # the centre cell, read by all four bins
    assert not view.map_panel.image.get_visible()  # counts on white, not over the map's greys
    view.coverage.value = False
    assert view.map_panel.image.get_visible() and view.map_panel.texts[1][2].get_text() == "81"
    view.bin_row.value, view.bin_col.value = 1, 1
    rows, cols = bins.cells(1, 1)
    chosen = view.selected_cells
    assert (
        chosen.get_x() == cols.start - 0.5 + CHOSEN_INSET
        and chosen.get_y() == rows.start - 0.5 + CHOSEN_INSET
    )
    assert chosen.get_width() == pytest.approx(cols.stop - cols.start - 2 * CHOSEN_INSET)
    # an outline, not a fill that would blend with the orange coverage shading, drawn over the bin outlines
    assert not chosen.get_fill() and chosen.get_zorder() > view.bin_patches.get_zorder()
    assert chosen.get_visible()


def test_an_empty_chosen_bin_draws_no_outline():
    view = PoolExplorer(map_name="arange 4x4", box=(2, 2, 7, 7))
    view.bin_row.value, view.bin_col.value = 1, 1
    assert view.bins().empty[1, 1] and not view.selected_cells.get_visible()


def test_layout_fits_jupyterlab_and_labels_are_legible():
    """JupyterLab's output area is about 968 px wide beside the file browser: 9.4 inches at 100 dpi."""
    view = PoolExplorer()
    assert view.figure.get_size_inches()[0] <= 9.4
    # labels that would be cut off at the default description width
    assert view.scale_choice.style.description_width == "initial"
    assert view.coverage.indent is False and view.coverage.layout.width == "auto"
    labels = view.map_panel.row_labels + view.map_panel.col_labels
    assert min(t.get_fontsize() for t in labels) >= 9 and view.ax_map.title.get_fontsize() >= 9


def test_title_lists_half_open_bin_ranges():
    view = PoolExplorer(map_name="random 7x7", box=(1, 0, 3, 2))
    title = view.ax_map.get_title()
    assert "row bins [0,2) [1,3)" in title and "column bins [1,3) [2,4)" in title


def test_bin_colours_leave_red_to_the_rounded_box_and_maxima():
    from matplotlib.colors import to_rgb

    for colour in BIN_COLOURS:
        r, g, b = to_rgb(colour)
        assert not (r > 0.6 and g < 0.35 and b < 0.35), colour


def test_status_lines_paste_into_a_notebook():
    view = PoolExplorer(map_name="ties 6x6", box=(2, 1, 9, 7), pooled=(3, 2), scale="1/2")
    view.seed.value = 7
    np.testing.assert_array_equal(pasted_output(view), view.output_values())
    check = RenderCheck()  # the start page's check, also named explorer there
    check.x2.value = 3
    np.testing.assert_array_equal(pasted_output(check), check.output_values())
    assert check.output_text.get_text() == f"roi_pool output: {check.output_values().tolist()}"


def test_a_box_off_the_map_is_drawn_and_named():
    view = PoolExplorer(map_name="arange 4x4", box=(5, 5, 5, 5))
    assert "empty bins" in view.status.value
    xs, ys = view.rounded_box.get_data()
    right, bottom = view.ax_map.get_xlim()[1], view.ax_map.get_ylim()[0]
    assert max(xs) <= right and max(ys) <= bottom


def test_degenerate_states_are_named_not_raised():
    view = PoolExplorer(map_name="arange 4x4", box=(2, 2, 7, 7))
    assert "empty bin" in view.status.value and "output 0" in view.status.value
    texts = drawn_state(view)[2]
    assert texts[1][1] == "0\nempty"


def test_x2_never_left_of_x1():
    view = PoolExplorer()
    view.x1.value = 3
    assert view.x2.value >= 3 and view.x2.slider.min == 3


def test_sweep_every_control_over_its_range():
    view = PoolExplorer()
    for map_name, scale in itertools.product(MAP_NAMES, SCALES):
        view.map_choice.value, view.scale_choice.value = map_name, scale
        for control in (view.x1, view.y1, view.x2, view.y2, view.ph, view.pw, view.bin_row, view.bin_col):
            for value in range(control.slider.min, control.slider.max + 1, 3):
                control.value = value
        view.coverage.value = not view.coverage.value
        check_view(view)


def test_example_maps():
    assert example_map("arange 4x4").shape == (1, 1, 4, 4)
    assert not np.array_equal(example_map("random 7x7", 1), example_map("random 7x7", 2))
    with pytest.raises(ValueError, match="map name"):
        example_map("nope")


def test_the_wrong_rule_differs_where_the_chapter_says():
    real = ru.roi_pool(RANDOM, [[0, 1, 0, 3, 2]], 2)[0, 0]
    assert real.tolist() == [[81, 81], [81, 81]]
    assert (disjoint_pool(RANDOM, [0, 1, 0, 3, 2], 2) != real).sum() == 3
    assert (disjoint_pool(RANDOM, [0, 1, 0, 3, 2], 2, larger_first=True) != real).sum() == 3


def test_by_hand_tells_the_three_rules_apart(capsys):
    """On ARANGE the 2 + 1 split gave mxnet's numbers; exercise 1's map and box give three answers."""
    assert (
        disjoint_pool(ARANGE, [0, 1, 0, 3, 2], 2, larger_first=True).tolist()
        == ru.roi_pool(ARANGE, [[0, 1, 0, 3, 2]], 2)[0, 0].tolist()
    )
    real = ru.roi_pool(RANDOM, [BY_HAND_BOX], 2)[0, 0]
    one_two = disjoint_pool(RANDOM, BY_HAND_BOX, 2)
    two_one = disjoint_pool(RANDOM, BY_HAND_BOX, 2, larger_first=True)
    answers = [real.tolist(), one_two.tolist(), two_one.tolist()]
    assert len({str(a) for a in answers}) == 3, answers
    assert exercises.check("by_hand", real)
    for wrong, split in ((one_two, "1 + 2 split"), (two_one, "2 + 1 split")):
        result = exercises.check("by_hand", wrong)
        assert not result and "disjoint-bins picture" in result.message and split in result.message
    printed = capsys.readouterr().out
    assert str(real.astype(int).tolist()) not in printed and str(real.tolist()) not in printed


RIGHT = {
    "by_hand": [[91, 91], [91, 93]],
    "bin_cells": (3, 6, 0, 3),
    "coverage": 4,
    "off_the_map": [[15, 0], [0, 0]],
    "rounding": (3, 7),
}
WRONG = {
    "by_hand": [[26, 30], [64, 93]],  # disjoint bins, 1 + 2
    "bin_cells": (3, 5, 0, 2),  # the ends included
    "coverage": 1,  # disjoint bins
    "off_the_map": [[15, -3.4e38], [-3.4e38, -3.4e38]],  # empty bins as -FLT_MAX
    "rounding": (2, 6),  # numpy's round-half-to-even
}
EXPLAINED = {
    "by_hand": "disjoint-bins picture",
    "bin_cells": "give the ends excluded",
    "coverage": "disjoint-bins picture",
    "rounding": "np.round",
}


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_exercises(name, capsys):
    assert exercises.check(name, RIGHT[name])
    capsys.readouterr()
    assert not exercises.check(name, WRONG[name])
    wrong = capsys.readouterr().out
    assert not exercises.check(name, ...).attempted
    printed = capsys.readouterr().out
    assert "Not attempted" in printed
    if name in EXPLAINED:
        assert EXPLAINED[name] in wrong
    # the expected answer is never printed: not as a whole, and for a count not as any number
    expected = RIGHT[name]
    assert str(expected) not in wrong and str(np.asarray(expected).tolist()) not in wrong
    if isinstance(expected, int):
        assert str(expected) not in re.findall(r"\d+", wrong)


@pytest.mark.parametrize(
    "name, answer, explained",
    [
        ("bin_cells", (2, 5, 0, 3), "counted from the box's first row"),  # the box's start not added
        ("bin_cells", (3, 6, 0, 2), "disjoint split"),  # 2 + 3
        ("bin_cells", (4, 6, 0, 3), "disjoint split"),  # 3 + 2
        ("coverage", 1, "count the row bins"),
    ],
)
def test_more_known_mistakes_are_named(name, answer, explained):
    result = exercises.check(name, answer, quiet=True)
    assert not result and explained in result.message
    assert str(RIGHT[name]) not in result.message


def test_known_mistakes_are_named():
    assert disjoint_pool(RANDOM, BY_HAND_BOX, 2).tolist() == WRONG["by_hand"]
    assert "np.round" in exercises.check("rounding", (2, 6), quiet=True).message
    shifted = exercises.check("by_hand", [[91, 91], [93, 93]], quiet=True)  # no known mistake: plain feedback
    assert not shifted and "disjoint" not in shifted.message
    assert "whole numbers" in exercises.check("rounding", (2.5, 6.5), quiet=True).message


def test_exercises_use_numbers_the_chapter_does_not_print():
    text = Path(__file__).resolve().parent.parent.joinpath("notebooks", "01_roi_pooling.ipynb").read_text()
    assert "[0, 10, 0, 26, 9]" not in text  # the rounding exercise's box appears only in the exercise
    assert "x1 = 10" in text and "x2 = 26" in text
    assert text.count(str(BY_HAND_BOX)) == 1  # exercise 1's box: only in its prompt


def test_hints_hint_rather_than_tell():
    for name in ("bin_cells", "coverage"):
        hint = exercises.exercises[name].hint
        assert str(RIGHT[name]) not in hint
    assert "[3, 6)" not in exercises.exercises["bin_cells"].hint  # row bin 1's range, worked out
    assert "in both" not in exercises.exercises["coverage"].hint  # "row 2 is in both row bins": the answer


def test_right_answers_come_from_roi_utils():
    assert np.array_equal(RIGHT["by_hand"], ru.roi_pool(RANDOM, [BY_HAND_BOX], 2)[0, 0])


# -- the model, without widgets ---------------------------------------------------------------


def pasted_without_widgets(snap) -> np.ndarray:
    """A snapshot's status line evaluated with the explorer's class standing in for ``explorer``:
    its named inputs (``explorer.map``) are static, so no widget is built."""
    return eval(snap.call, {"ru": ru, "np": np, "explorer": PoolExplorer})


def test_model_problems_are_worded_for_the_learner():
    off = pool_snapshot(PoolState(map_name="arange 4x4", x1=5, y1=5, x2=5, y2=5))
    assert off.problems == ("empty bins (0, 0), (0, 1), (1, 0), (1, 1) (off the map): output 0",)
    one = pool_snapshot(PoolState(map_name="arange 4x4", x1=0, y1=0, x2=7, y2=1, ph=1))
    assert one.problems == ("empty bin (0, 1) (off the map): output 0",)
    reversed_box = pool_snapshot(PoolState(map_name="random 7x7", x1=3, y1=0, x2=1, y2=2))  # not settled
    assert reversed_box.problems == ("reversed box: forced to one cell",)
    assert pool_snapshot(PoolState()).problems == ()


def test_model_status_line_names_map_and_seed():
    snap = pool_snapshot(PoolState(map_name="ties 6x6", seed=7, x1=2, y1=1, x2=9, y2=7, ph=3, scale="1/2"))
    assert snap.call == (
        'ru.roi_pool(explorer.map("ties 6x6", seed=7), [[0, 2, 1, 9, 7]], (3, 2), spatial_scale=0.5)[0, 0]'
    )
    np.testing.assert_array_equal(pasted_without_widgets(snap), snap.result)
    np.testing.assert_array_equal(
        snap.result, ru.roi_pool(example_map("ties 6x6", 7), [[0, 2, 1, 9, 7]], (3, 2), 0.5)[0, 0]
    )


def test_model_draws_what_roi_utils_computes():
    state = PoolState(map_name="random 7x7", x1=1, y1=0, x2=3, y2=2, bin_row=1, bin_col=1, coverage=True)
    snap = pool_snapshot(state)
    bins = ru.roi_pool_bins(state.roi(), 2, 1.0, (7, 7))
    assert snap.rounded_outline == ([0.5, 3.5, 3.5, 0.5, 0.5], [-0.5, -0.5, 2.5, 2.5, -0.5])
    assert len(snap.bin_rectangles) == 4 and snap.chosen_visible
    rows, cols = bins.cells(1, 1)
    assert snap.chosen_rectangle[:2] == (cols.start - 0.5 + CHOSEN_INSET, rows.start - 0.5 + CHOSEN_INSET)
    np.testing.assert_array_equal(snap.cell_values, bins.coverage())
    assert not snap.heatmap_visible and snap.coverage_visible
    assert snap.title.splitlines()[1:] == ["row bins [0,2) [1,3)", "column bins [1,3) [2,4)"]
    assert snap.output_texts == (("81", "81"), ("81", "81"))


def test_model_settles_and_validates():
    assert PoolState(x1=3, x2=1).settled().x2 == 3
    assert PoolState(ph=2, bin_row=5).settled().bin_row == 1
    assert PoolState(map_name="arange 4x4", x2=40).settled().x2 == 5  # (4 + 1) / scale 1
    assert PoolState(map_name="arange 4x4", scale="1/4", x2=40).settled().x2 == 20
    with pytest.raises(ValueError, match="map_name must be one of"):
        PoolState(map_name="nope")
    with pytest.raises(TypeError, match="x1 must be a whole number"):
        PoolState(x1=1.5)
    with pytest.raises(TypeError, match="coverage must be True or False"):
        PoolState(coverage="yes")
    with pytest.raises(ValueError, match="scale must be one of"):
        PoolState(scale="1/3")
