"""Chapter 3: the SPP explorer draws roi_utils' bins and length; the exercises check answers."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import roi_utils as ru  # noqa: E402
from roi_exercises.ch3 import exercises  # noqa: E402
from roi_widgets.spp import CHANNELS, LEVEL_CHOICES, SppExplorer  # noqa: E402


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
        assert first.x0 == pytest.approx(bins.wstart[0] - 0.5 + 0.08)
        assert first.y0 == pytest.approx(bins.hstart[0] - 0.5 + 0.08)
        assert view.axes[k].get_visible()
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
    view = SppExplorer(height=7, width=10)
    view.paper.value = True
    paper = view.paper_patches[0].get_paths()
    rows, cols = ru.spp_paper_windows(7, 4), ru.spp_paper_windows(10, 4)
    assert len(paper) == rows.bins * cols.bins
    assert "level 4" in view.status.value and "misses" in view.status.value
    view.paper.value = False
    assert not view.paper_patches[0].get_paths()


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
        ("paper_windows", 4, 3),
        ("paper_missed", 9, 0),
    ],
)
def test_exercises(name, right, wrong, capsys):
    assert exercises.check(name, right)
    assert not exercises.check(name, wrong)
    assert not exercises.check(name, ...).attempted
    assert "Correct" in capsys.readouterr().out


def test_crop_pyramid_equals_roi_pool_levels():
    shared = np.random.default_rng(0).standard_normal((1, 2, 12, 16)).astype(np.float32)
    crop = shared[:, :, 2:9, 3:12]
    levels = [ru.roi_pool(shared, [[0, 3, 2, 11, 8]], n).reshape(1, -1) for n in (4, 2, 1)]
    np.testing.assert_array_equal(ru.spp(crop, (4, 2, 1)), np.concatenate(levels, axis=1))
