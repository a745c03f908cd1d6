"""Chapter 3: the SPP explorer draws roi_utils' bins and length; the exercises check answers."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import status_call  # noqa: E402
from solutions import run_solution  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises.ch3 import BIN_MAP, PAPER_LEVEL, PAPER_SIDE, exercises  # noqa: E402
from roi_widgets.spp import (  # noqa: E402
    BASE_INSET,
    BIN_COLOURS,
    CHANNELS,
    LEVEL_CHOICES,
    SppExplorer,
    edge_strip,
    pyramid_map,
)

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03_sppnet.ipynb"


def check_view(view: SppExplorer):
    x = view.data
    h, w = x.shape[2:]
    levels = view.levels
    assert str(ru.spp(x, levels).shape[1]) in view.length_text.get_text()
    assert view.vector().shape == (1, CHANNELS * sum(n * n for n in levels))
    for k, n in enumerate(levels):
        bins = ru.roi_pool_bins(ru.whole_map_roi(0, (h, w)), n, 1.0, (h, w))
        drawn = [p.get_extents() for p in view.bin_patches[k].get_paths()]
        assert len(drawn) == n * n
        first = drawn[0]
        assert first.x0 == pytest.approx(bins.wstart[0] - 0.5 + BASE_INSET)
        assert first.y0 == pytest.approx(bins.hstart[0] - 0.5 + BASE_INSET)
        # every bin keeps an outline of its own, even where bins read the same cells
        assert len({(e.x0, e.y0, e.x1, e.y1) for e in drawn}) == n * n
        assert view.axes[k].get_visible()
        title = view.axes[k].get_title()
        assert "..." not in title
        assert ("bins share cells" in title) == (h < n or w < n)
        shown = [t.get_text().split() for t in view.values[k].texts if t.get_visible()]
        assert shown == ([[str(int(v)) for v in row] for row in x[0, 0]] if max(h, w) <= 9 else [])
        rows, cols = ru.spp_paper_windows(h, n), ru.spp_paper_windows(w, n)
        bars = view.paper_bars[k].get_segments()
        bands = view.paper_missed[k].get_paths()
        if view.paper.value:
            assert len(bars) == rows.bins + cols.bins
            assert len(bands) == len(rows.missed) + len(cols.missed)
            assert "paper: " in title
        else:
            assert not bars and not bands and "paper" not in title
        # the map fills its panel but for the strip that holds the paper's bars
        assert view.axes[k].get_xlim() == pytest.approx((-0.5 - edge_strip((h, w)), w - 0.5))
    for k in range(len(levels), len(view.axes)):
        assert not view.axes[k].get_visible()
    assert status_call(view) == view.call()
    pasted = eval(view.call(), {"ru": ru, "np": np, "explorer": view})
    np.testing.assert_array_equal(pasted, view.vector())
    np.testing.assert_array_equal(pasted, ru.spp(pyramid_map(h, w), levels))


def test_model_without_widgets():
    from roi_widgets.spp import SppState, spp_snapshot

    snap = spp_snapshot(SppState(height=7, width=3, levels="(6, 3, 2, 1)", paper=True))
    assert snap.call == "ru.spp(explorer.map(7, 3), levels=(6, 3, 2, 1))  # length 150"
    assert [level.n for level in snap.levels] == [6, 3, 2, 1]
    assert snap.levels[0].title.splitlines()[1] == "6 per row on 3 cols: bins share cells"
    # stride floor(3 / 6) = 0
    assert snap.problems[0] == "level 6: paper: stride 0 (width < 6), so no windows are placed"
    assert len(snap.levels[0].bins) == 36 and len(snap.levels[3].bins) == 1
    np.testing.assert_array_equal(eval(snap.call, {"ru": ru, "np": np, "explorer": SppExplorer}), snap.result)


def test_cells_are_square_whatever_the_input_shape():
    view = SppExplorer(height=10, width=3)
    view.figure.canvas.draw()
    ax = view.axes[0]
    transform = ax.transData
    (x0, y0), (x1, y1) = transform.transform((0, 0)), transform.transform((1, 1))
    assert abs(x1 - x0) == pytest.approx(abs(y1 - y0))


def test_length_is_fixed_while_the_size_changes():
    view = SppExplorer()
    lengths = set()
    for width in range(1, 17):
        view.width.value = width
        lengths.add(view.vector().shape[1])
        check_view(view)
    assert lengths == {CHANNELS * 21}


def test_paper_recipe_drawn_and_flagged():
    view = SppExplorer(height=15, width=10)
    view.paper.value = True
    rows, cols = ru.spp_paper_windows(15, 4), ru.spp_paper_windows(10, 4)
    assert (rows.bins, cols.bins) == (4, 4) and (rows.missed, cols.missed) == ((13, 14), (9,))
    # one bar per window along each axis: columns' windows above the map, rows' to its left
    bars = view.paper_bars[0].get_segments()
    above = sorted((b[0][0], b[1][0]) for b in bars if b[0][1] == b[1][1])
    left = sorted((b[0][1], b[1][1]) for b in bars if b[0][0] == b[1][0])
    assert len(above) == cols.bins and len(left) == rows.bins
    assert all(b[:, 1].max() < -0.5 for b in bars if b[0][1] == b[1][1])
    assert all(b[:, 0].max() < -0.5 for b in bars if b[0][0] == b[1][0])
    for (x0, x1), s, e in zip(above, cols.starts, cols.ends, strict=True):
        assert s - 0.5 < x0 < x1 < e - 0.5
    for (y0, y1), s, e in zip(left, rows.starts, rows.ends, strict=True):
        assert s - 0.5 < y0 < y1 < e - 0.5
    # the unread rows 13, 14 and column 9 are shaded bands across the map
    bands = sorted(tuple(np.round(p.get_extents().bounds, 6)) for p in view.paper_missed[0].get_paths())
    assert bands == [(-0.5, 12.5, 10.0, 1.0), (-0.5, 13.5, 10.0, 1.0), (8.5, -0.5, 1.0, 15.0)]
    assert "level 4: paper: 4x4 windows, misses rows 13, 14; col 9 (shaded)" in view.status.value
    assert "misses rows 13, 14; col 9" in view.axes[0].get_title()
    view.paper.value = False
    assert not view.paper_bars[0].get_segments() and not view.paper_missed[0].get_paths()
    assert "paper" not in view.axes[0].get_title()


def test_overlapping_paper_windows_alternate_lanes_so_they_can_be_counted():
    view = SppExplorer(height=7, width=9)
    view.paper.value = True
    rows = ru.spp_paper_windows(7, 4)
    assert (rows.window, rows.stride, rows.bins) == (2, 1, 6)  # each window overlaps the next
    left = sorted((b[0][1], b[0][0]) for b in view.paper_bars[0].get_segments() if b[0][0] == b[1][0])
    lanes = [x for _, x in left]
    assert len(lanes) == 6 and all(a != b for a, b in zip(lanes, lanes[1:], strict=False))
    assert "paper: 6x4 windows, not 4x4" in view.axes[0].get_title()
    assert "level 4: paper: 6x4 windows, not 4x4" in view.status.value


def test_paper_recipe_that_works_says_so_and_is_not_a_problem():
    view = SppExplorer(height=13, width=13, levels="(6, 3, 2, 1)")
    view.paper.value = True
    for ax, n in zip(view.axes, (6, 3, 2, 1), strict=True):
        assert f"paper: {n}x{n} window{'s' * (n > 1)}, every cell read" in ax.get_title()
    assert not view.paper_missed[0].get_paths()
    assert "paper" not in view.status.value


def test_paper_checkbox_label_is_not_cut():
    view = SppExplorer()
    # ipywidgets gives a checkbox a fixed 300 px with an 80 px indent and clips its label
    assert view.paper.indent is False and view.paper.layout.width == "auto"


def test_panels_share_the_width_among_the_levels_shown():
    view = SppExplorer(levels="(6, 3, 2, 1)")

    def slots():  # the room each panel is given (before the map's aspect shrinks it)
        return [ax.get_position(original=True) for ax in view.axes if ax.get_visible()]

    four = slots()
    view.levels_choice.value = "(3, 2, 1)"
    three = slots()
    assert len(four) == 4 and len(three) == 3
    assert four[0].width < three[0].width
    assert three[0].x0 == pytest.approx(0.02) and three[-1].x1 == pytest.approx(0.98)
    view.levels_choice.value = "(1,)"
    assert slots()[0].width == pytest.approx(0.96)


def test_bins_sharing_cells_are_named_and_outlined_apart():
    view = SppExplorer(height=1, width=1)
    assert "4 per side on 1x1 cells: bins share cells" in view.axes[0].get_title()
    view = SppExplorer(height=7, width=3)
    assert "4 per row on 3 cols: bins share cells" in view.axes[0].get_title()
    drawn = [p.get_extents() for p in view.bin_patches[0].get_paths()]
    assert len({(round(e.x0, 6), round(e.x1, 6)) for e in drawn}) == 4  # 4 bins per row, 4 outlines


def test_bin_colours_differ_from_neighbours_and_from_the_papers_crimson():
    assert all(c.lower() not in ("#d62728", "crimson", "red") for c in BIN_COLOURS)
    for n in {n for levels in LEVEL_CHOICES.values() for n in levels}:
        colour = [[BIN_COLOURS[(r * n + c) % len(BIN_COLOURS)] for c in range(n)] for r in range(n)]
        for r, c in itertools.product(range(n), range(n)):
            assert c + 1 == n or colour[r][c] != colour[r][c + 1]
            assert r + 1 == n or colour[r][c] != colour[r + 1][c]
    view = SppExplorer()
    assert len(view.bin_patches[0].get_edgecolor()) == 16


def test_sweep_all_controls():
    view = SppExplorer()
    for levels, paper in itertools.product(LEVEL_CHOICES, (False, True)):
        view.levels_choice.value, view.paper.value = levels, paper
        for height, width in itertools.product((1, 2, 5, 13, 16), (1, 3, 8, 16)):
            with view.hold():
                view.height.value, view.width.value = height, width
            check_view(view)


@pytest.mark.parametrize(
    "name, right, wrong",
    [
        ("length", 12800, 50),
        ("level_bin", (3, 7, 0, 3), (4, 7, 0, 2)),
        ("paper_windows", 7, 6),
        ("paper_missed", (22,), (21, 22)),
        ("paper_missed", [22], [0]),
        ("paper_missed", {22}, ()),
    ],
)
def test_exercises(name, right, wrong, capsys):
    assert exercises.check(name, right)
    assert not exercises.check(name, wrong)
    assert not exercises.check(name, ...).attempted
    assert "Correct" in capsys.readouterr().out


def test_paper_exercises_use_a_side_and_level_the_notebook_does_not_print():
    assert PAPER_SIDE > 20  # the figure and cell 13 cover sides 1..20
    assert ru.spp_paper_windows(PAPER_SIDE, PAPER_LEVEL).missed == (22,)


@pytest.mark.parametrize(
    "name, answer, says",
    [
        ("level_bin", (0, 3, 3, 7), "columns first"),
        ("level_bin", (0, 4, 2, 5), "bin (0, 1)"),
        ("level_bin", (3, 6, 0, 2), "Ends are excluded"),
        ("length", 50, "every one of the 256 channels"),
        ("length", 256 * 12, "n x n bins, not n"),
        ("paper_windows", 6, "meant to give"),
        ("paper_missed", 22, "tuple or list"),
        ("paper_missed", (21, 22), "some window reads cell 21"),
        ("paper_missed", (22, 0), "some window reads cell 0"),
        ("paper_missed", (), "at least one cell is never read"),
        ("paper_missed", (23,), "outside the side of 23 cells"),
        ("paper_missed", (21.5,), "whole numbers"),
    ],
)
def test_wrong_answers_are_explained(name, answer, says, capsys):
    result = exercises.check(name, answer)
    assert not result and says in result.message
    assert says in capsys.readouterr().out


@pytest.mark.parametrize("answer", [22, (21, 22), (), [0, 1], (22, 21, 20), (23,)])
def test_missed_cells_check_never_gives_away_how_many(answer):
    """The checker's generic messages ('Expected 1 numbers', 'a sequence of 1 whole numbers')
    would tell how many cells are unread, which is most of the answer."""
    message = exercises.check("paper_missed", answer, quiet=True).message
    allowed = {str(v) for v in np.atleast_1d(answer)} | {"0", str(PAPER_SIDE)}
    assert set(re.findall(r"\d+", message)) <= allowed, message


def test_missed_cells_in_any_order_and_container():
    for answer in [(22,), [22], {22}, (22, 22), np.array([22])]:
        assert exercises.check("paper_missed", answer, quiet=True)
    assert not exercises.check("paper_missed", ..., quiet=True).attempted


def notebook_markdown() -> str:
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def test_notebook_exercise_text_matches_the_module():
    text = " ".join(notebook_markdown().split())
    assert "A 256-channel map with levels (6, 3, 2, 1)" in text
    assert f"On a {BIN_MAP[0]}×{BIN_MAP[1]} map (height {BIN_MAP[0]}, width {BIN_MAP[1]})" in text
    assert "bin (1, 0)" in text and "`(row_start, row_end, col_start, col_end)`, ends excluded" in text
    assert f"a side of {PAPER_SIDE} cells at level {PAPER_LEVEL}" in text
    assert "in any order" in text and "none at all is `()`" in text
    assert "in any order" in exercises.exercises["paper_missed"].prompt


def test_notebook_numbers_match_the_code():
    text = " ".join(notebook_markdown().split())
    assert f"`C = {CHANNELS}` channels, so `{CHANNELS} · 21 = {CHANNELS * 21}`" in text
    assert ru.spp(pyramid_map(7, 9), (4, 2, 1)).shape == (1, CHANNELS * 21)
    # the paper's own conv5 size: the recipe works for every level the paper uses
    assert all(ru.spp_paper_windows(13, n).works for n in (6, 4, 3, 2, 1))
    # "level 4's columns equally wide, none read twice": exactly the multiples of 4
    even = [
        w
        for w in range(4, 17)
        if (ru.roi_pool_bins(ru.whole_map_roi(0, (1, w)), (1, 4), 1.0, (1, w)).coverage() == 1).all()
    ]
    assert even == [4, 8, 12, 16]


@pytest.mark.parametrize("name", sorted(exercises.exercises))
def test_pasting_the_solution_passes(name):
    answer = run_solution(exercises.exercises[name].solution, {"ru": ru, "np": np})
    assert exercises.check(name, answer, quiet=True)


def test_crop_pyramid_equals_roi_pool_levels():
    shared = np.random.default_rng(0).standard_normal((1, 2, 12, 16)).astype(np.float32)
    crop = shared[:, :, 2:9, 3:12]
    levels = [ru.roi_pool(shared, [[0, 3, 2, 11, 8]], n).reshape(1, -1) for n in (4, 2, 1)]
    np.testing.assert_array_equal(ru.spp(crop, (4, 2, 1)), np.concatenate(levels, axis=1))
