"""Chapter 3: the SPP explorer draws roi_utils' bins and length; the exercises check answers."""

from __future__ import annotations

import ast
import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises.ch3 import exercises  # noqa: E402
from roi_widgets.spp import BASE_INSET, BIN_COLOURS, CHANNELS, LEVEL_CHOICES, SppExplorer  # noqa: E402


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
    for k in range(len(levels), len(view.axes)):
        assert not view.axes[k].get_visible()
    assert view.call() in view.status.value


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
    paper = view.paper_patches[0].get_paths()
    rows, cols = ru.spp_paper_windows(15, 4), ru.spp_paper_windows(10, 4)
    assert len(paper) == rows.bins * cols.bins
    assert (rows.missed, cols.missed) == ((13, 14), (9,))
    assert "level 4: paper: 4x4 windows, misses rows 13, 14; col 9" in view.status.value
    assert "misses rows 13, 14; col 9" in view.axes[0].get_title()
    view.paper.value = False
    assert not view.paper_patches[0].get_paths()
    assert "paper" not in view.axes[0].get_title()


def test_paper_recipe_without_windows_says_so():
    view = SppExplorer(height=7, width=3)
    view.paper.value = True
    assert ru.spp_paper_windows(3, 4).bins == 0
    assert "no window fits (width < 4)" in view.axes[0].get_title()
    view.height.value = 1
    assert "no window fits (height and width < 4)" in view.axes[0].get_title()
    assert "no window fits (height < 2)" in view.axes[1].get_title()
    assert "misses" not in view.status.value


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
    ],
)
def test_exercises(name, right, wrong, capsys):
    assert exercises.check(name, right)
    assert not exercises.check(name, wrong)
    assert not exercises.check(name, ...).attempted
    assert "Correct" in capsys.readouterr().out


def test_paper_exercises_use_a_side_and_level_the_notebook_does_not_print():
    from roi_exercises.ch3 import PAPER_LEVEL, PAPER_SIDE

    assert PAPER_SIDE > 20  # the figure and cell 13 cover sides 1..20
    assert ru.spp_paper_windows(PAPER_SIDE, PAPER_LEVEL).missed == (22,)


@pytest.mark.parametrize(
    "answer, says",
    [
        ((0, 3, 3, 7), "columns first"),
        ((0, 4, 2, 5), "bin (0, 1)"),
        ((3, 6, 0, 2), "Ends are excluded"),
        (22, "tuple or list"),
    ],
)
def test_wrong_answers_are_explained(answer, says, capsys):
    name = "paper_missed" if answer == 22 else "level_bin"
    result = exercises.check(name, answer)
    assert not result and says in result.message
    assert says in capsys.readouterr().out


def run_solution(text: str, namespace: dict):
    """Execute a solution's text as a learner would paste it; return its last expression's value."""
    tree = ast.parse(text)
    last = tree.body.pop()
    assert isinstance(last, ast.Expr), "a solution ends with the answer"
    exec(compile(tree, "<solution>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<solution>", "eval"), namespace)


@pytest.mark.parametrize("name", sorted(exercises.exercises))
def test_pasting_the_solution_passes(name):
    answer = run_solution(exercises.exercises[name].solution, {"ru": ru, "np": np})
    assert exercises.check(name, answer, quiet=True)


def test_crop_pyramid_equals_roi_pool_levels():
    shared = np.random.default_rng(0).standard_normal((1, 2, 12, 16)).astype(np.float32)
    crop = shared[:, :, 2:9, 3:12]
    levels = [ru.roi_pool(shared, [[0, 3, 2, 11, 8]], n).reshape(1, -1) for n in (4, 2, 1)]
    np.testing.assert_array_equal(ru.spp(crop, (4, 2, 1)), np.concatenate(levels, axis=1))
