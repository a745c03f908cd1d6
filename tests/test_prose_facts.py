"""The numbers chapters 1-5 state in prose for the rules of issue 11 (items 1-7, 9): each is
recomputed here from roi_utils, checked against mxnet's recorded output (so the test runs without
mxnet too), and found in the notebook's text; the three-readings figure draws the notebook's cases."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

import roi_images as ri
import roi_oracle
import roi_utils as ru
from roi_exercises.ch1 import ARANGE
from roi_exercises.ch5 import MAP as GRAD_MAP
from roi_widgets.align import align_map

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def text(name: str, kind: str = "markdown") -> str:
    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return "\n".join(c.source for c in notebook.cells if c.cell_type == kind)


def mxnet(op, data, rois, out_grad=None, **params):
    return roi_oracle.mxnet_output(op, data, rois, out_grad, prefer_recorded=True, **params).value


def test_ch1_the_float32_product_decides_an_edge():
    tall = [0, 0, 0, 0, 3]
    bins = ru.roi_pool_bins(tall, (6, 1), 1.0, (4, 4))
    size = np.float32(bins.bin_size_h)
    assert (bins.hstart[2], bins.hend[2]) == (1, 2)
    assert np.ceil(np.float32(3) * size) == 2 and np.ceil(3 * np.float64(size)) == 3
    ours = ru.roi_pool(ARANGE, [tall], (6, 1))
    assert np.array_equal(ours, mxnet("roi_pool", ARANGE, [tall], pooled_size=(6, 1)))
    exact = ARANGE[0, 0, 1:3, 0].max()  # bin 2 read with the exact product, [1, 3)
    prose = text("01_roi_pooling")
    assert ours[0, 0, 2, 0] == 4 and exact == 8
    assert "Bin 2 is `[1, 2)`: it reads row 1 alone and outputs 4" in prose and "output 8" in prose


def test_ch1_c_round_example_is_clipped_at_the_map_edge():
    bins = ru.roi_pool_bins([0, 5, 5, 7, 7], 1, 0.5, (4, 4))
    assert (bins.roi_start_w, bins.roi_end_w) == (3, 4) and bins.cells(0, 0)[1] == slice(3, 4)
    assert "rounds to 4, a row and column the\n4 × 4 map does not have" in text("01_roi_pooling")


def test_ch1_prompt_answers():
    shared = {}
    for width, across in [(5, 2), (4, 3)]:
        bins = ru.roi_pool_bins([0, 0, 0, width - 1, 0], (1, across), 1.0, (7, 7))
        shared[width] = np.flatnonzero(bins.coverage()[0] > 1).tolist()
    assert shared == {5: [2], 4: [1, 2]}
    starts = [ru.roi_pool_bins([0, x1, 0, 13, 0], 1, 0.5, (7, 7)).roi_start_w for x1 in range(8)]
    assert starts == [0, 1, 1, 2, 2, 3, 3, 4]  # jumps at every odd x1


def test_ch2_side_shifts_and_stride_areas():
    pixel = np.arange(504)
    cell = ru.c_round(pixel / 16)
    left = (pixel - 0.5) - (16 * cell - 8)
    right = (16 * cell + 8) - (pixel + 0.5)
    assert (left.min(), left.max(), right.min(), right.max()) == (-0.5, 14.5, 0.5, 15.5)
    prose = text("02_image_to_feature_map")
    assert "between half a pixel\ninwards and 14.5 pixels outwards" in prose and "0.5 and 15.5" in prose
    photo = ri.load_photo()
    stated = {8: 2000, 16: 3500, 32: 9300}  # "about" in the prose
    for stride, about in stated.items():
        shape = ri.feature_map(photo, stride=stride).shape[2:]
        gained = ri.rounding_areas([0, 170, 120, 330, 290], 1 / stride, shape)["gained"]
        assert abs(gained - about) < 50, (stride, gained)


def test_ch3_recipe_counts_and_even_widths():
    for a, n, count in [(13, 4, 4), (7, 4, 6), (10, 4, 4)]:
        w = ru.spp_paper_windows(a, n)
        assert w.bins == count == (a - w.window) // w.stride + 1
    small = ru.spp_paper_windows(3, 4)
    assert (small.window, small.stride, small.bins) == (1, 0, 0)
    even = [w for w in range(4, 17)
            if (ru.roi_pool_bins(ru.whole_map_roi(0, (7, w)), 4, 1.0, (7, w)).coverage()[0] == 1).all()]
    assert even == [4, 8, 12, 16] and "4, 8, 12 and 16" in text("03_sppnet")


def test_ch4_samples_off_the_map_count_in_the_average():
    x = align_map()
    box = [0, -3, 0, 1, 2]
    ours = ru.roi_align(x, [box], 1, 1.0, 2)
    assert ours.item() == 3.875 == mxnet("roi_align", x, [box], pooled_size=1, sample_ratio=2).item()
    assert "`(8 + 7.5 + 0 + 0) / 4 = 3.875`, not their average 7.75" in text("04_roi_align")


def test_ch4_a_thin_box_grows_from_its_top_left_corner():
    x = align_map()
    thin = [0, 2, 1, 2.25, 1.25]
    s = ru.roi_align_samples(thin, 1, 1.0, 2, False, (6, 6))
    assert (s.x.start, s.x.bin_size, s.y.start, s.y.bin_size) == (2, 1, 1, 1)
    assert np.allclose(ru.roi_align(x, [thin], 1, 1.0, 2), mxnet("roi_align", x, [thin], pooled_size=1,
                                                                sample_ratio=2), atol=1e-6)
    assert "is read as `[2, 3] × [1, 2]`" in text("04_roi_align")


def test_ch4_aligned_moves_half_a_cell_at_scale_one_sixteenth():
    s = {a: ru.roi_align_samples([0, 0, 0, 32, 32], 1, 1 / 16, 2, a, (6, 6)) for a in (False, True)}
    assert s[False].x.start - s[True].x.start == 0.5  # cells: 8 image pixels at stride 16
    assert "8 pixels on a stride-16 map" in text("04_roi_align")
    assert "half a pixel" not in text("04_roi_align").replace("half a pixel only at scale 1", "").replace(
        "half a pixel at scale 1", "")


def test_ch4_three_readings_match_the_figure_script():
    from figures.ch4_readings import READINGS, readings

    code = text("04_roi_align", "code")
    line = next(ln for ln in code.splitlines() if ln.startswith("for scale, box in "))
    assert tuple(ast.literal_eval(line.split(" in ", 1)[1].rstrip(":"))) == READINGS
    x = align_map()
    widths = {}
    for scale, box in READINGS:
        spans = readings(box, scale)
        widths[scale] = {name: hi - lo for name, (lo, hi) in ((n, r["x"]) for n, r in spans.items())}
        assert np.array_equal(ru.roi_pool(x, [box], 1, scale),
                              mxnet("roi_pool", x, [box], pooled_size=1, spatial_scale=scale))
    assert widths[1.0] == {"RoI pooling": 3, "RoIAlign, aligned=False": 2, "RoIAlign, aligned=True": 2}
    assert readings(*READINGS[1][::-1])["RoIAlign, aligned=True"]["x"] == (1.0, 3.0)


def test_ch4_dragging_off_the_top_left():
    x = align_map()
    shifted = [[0, 0.5 - d, 0.5 - d, 3.5 - d, 3.0 - d] for d in range(5)]
    out = ru.roi_align(x, shifted, 2, 1.0, 2)
    assert np.allclose(out, mxnet("roi_align", x, shifted, pooled_size=2, sample_ratio=2), atol=1e-6)
    zero_bins = [(o == 0).sum() for o in out[:, 0]]
    assert zero_bins == [0, 0, 0, 3, 4]
    assert "three\n  bins when the box has moved 3 cells, all four at 4" in text("04_roi_align")


@pytest.mark.parametrize("ratio", [0, -5])
def test_ch4_any_sample_ratio_below_one_is_adaptive(ratio):
    s = ru.roi_align_samples([0, 0, 0, 20, 12], 7, 1.0, ratio, False, (40, 64))
    assert (s.y.grid, s.x.grid) == (2, 3)


def test_ch5_the_winner_of_two_bins():
    ones = np.ones((1, 1, 2, 2), np.float32)
    grad = ru.roi_pool_backward(ones, GRAD_MAP, [[0, 1, 1, 5, 5]], 2)
    assert grad[0, 0, 2, 3] == 2 == mxnet("roi_pool_backward", GRAD_MAP, [[0, 1, 1, 5, 5]], ones,
                                          pooled_size=2)[0, 0, 2, 3]
    assert int((~ru.roi_pool_bins([0, 5, 5, 6, 6], 4, 1.0, (6, 6)).empty).sum()) == 4
    prose = text("05_gradients")
    assert "The legend under\nthe upstream panel" in prose and "legend beside" not in prose


def test_ch1_the_scaled_corner_is_a_float32_product():
    columns = (100 - np.arange(40, dtype=np.float32)).reshape(1, 1, 1, 40)
    box = [0, 45, 0, 46, 0]
    assert 45 * 0.7 < 31.5 == np.float32(45) * np.float32(0.7)
    assert ru.roi_pool_bins(box, 1, 0.7, (1, 40)).roi_start_w == 32
    ours = ru.roi_pool(columns, [box], 1, spatial_scale=0.7)
    assert ours.item() == 68 == mxnet("roi_pool", columns, [box], pooled_size=1, spatial_scale=0.7).item()
    assert "gives exactly 31.5 in float32" in text("01_roi_pooling")


def test_ch1_six_bins_over_four_rows_read_every_row_twice():
    bins = ru.roi_pool_bins([0, 0, 0, 0, 3], (6, 1), 1.0, (4, 4))
    assert bins.coverage()[:, 0].tolist() == [2, 2, 2, 2]
    assert "every row is\nread by exactly two bins" in text("01_roi_pooling")


def test_ch2_the_last_16_rows_start_off_the_map():
    from roi_exercises.ch2 import MAP_SHAPE

    starts = {y1: ru.roi_pool_bins([0, 170, y1, 330, 599], 2, 1 / 16, MAP_SHAPE).roi_start_h
              for y1 in (583, 584)}
    assert starts == {583: 36, 584: 37} and MAP_SHAPE[0] == 37
    fmap = ri.feature_map(ri.load_photo(), stride=16)
    bottom = [0, 170, 584, 330, 599]
    theirs = mxnet("roi_pool", fmap, [bottom], pooled_size=2, spatial_scale=1 / 16)
    assert np.array_equal(ru.roi_pool(fmap, [bottom], 2, spatial_scale=1 / 16), theirs) and not theirs.any()
    prose = text("02_image_to_feature_map")
    assert "row is 584 or more (the photo's last 16 rows) starts at row 37" in prose and "592" not in prose


def test_ch2_an_aligned_box_loses_two_half_pixel_strips():
    from roi_exercises.ch2 import MAP_SHAPE

    areas = ri.rounding_areas([0, 8, 8, 23, 23], 1 / 16, MAP_SHAPE)
    assert areas["lost"] == areas["gained"] == 8 + 7.75 and areas["box"] == areas["rounded"] == 256
    assert "8 + 7.75 = 15.75 px²" in text("02_image_to_feature_map")


def test_ch4_a_reversed_box_grows_from_x1():
    x = align_map()
    reversed_box = [0, 4, 3, 3, 2]
    s = ru.roi_align_samples(reversed_box, 1, 1.0, 2, False, (6, 6))
    assert (s.x.start, s.x.bin_size, s.y.start, s.y.bin_size) == (4, 1, 3, 1)
    ours = ru.roi_align(x, [reversed_box], 1, 1.0, 2)
    assert ours.item() == 5.5 == x[0, 0, 3:5, 4:6].mean()
    assert np.allclose(ours, mxnet("roi_align", x, [reversed_box], pooled_size=1, sample_ratio=2), atol=1e-6)
    with pytest.raises(ValueError, match="aligned=True"):
        ru.roi_align(x, [reversed_box], 1, 1.0, 2, True)
    adaptive = ru.roi_align_samples(reversed_box, 1, 1.0, -1, False, (6, 6))
    assert (adaptive.y.grid, adaptive.x.grid) == (1, 1)  # from the raised sides, never negative
    assert "The reversed box is read as `[4, 5] × [3, 4]`" in text("04_roi_align")
