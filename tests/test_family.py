"""Chapter 8's operators (roi_family): golden cases, geometry, FPN levels and bad input.

Every golden value below is what mxnet 1.9.1 returned for that call (PSROIPooling,
ROIAlign(position_sensitive=True), RROIAlign); each test also shows that a
plausible wrong rule gives another answer, so the case can tell the rules apart.
Where mxnet is installed the same calls are also made live.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import roi_family as rf
import roi_oracle
import roi_utils as ru

RAMP = np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6)  # value = 6 * row + col
SMALL = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)  # value = 4 * row + col
EIGHT = np.arange(8 * 16, dtype=np.float32).reshape(1, 8, 4, 4)


def live_agrees(op, data, rois, want, out_grad=None, **params):
    """With mxnet installed, the golden value is what it gives now (else: skip silently)."""
    if roi_oracle.mxnet_available():
        got = roi_oracle.mxnet_output(op, data, rois, out_grad, **params).value
        np.testing.assert_allclose(got, want, rtol=1e-6)


# ---------------------------------------------------------------------------
# PSROIPooling
# ---------------------------------------------------------------------------


def test_ps_roi_pool_rounds_in_image_pixels_then_scales():
    # round(1.4) * 0.5 = 0.5 .. (round(5.4) + 1) * 0.5 = 3: cells 0..2 of each axis, mean 7
    out = rf.ps_roi_pool(RAMP, [[0, 1.4, 1.4, 5.4, 5.4]], 0.5, 1, 1)
    assert out.item() == 7.0
    live_agrees(
        "ps_roi_pool", RAMP, [[0, 1.4, 1.4, 5.4, 5.4]], out, spatial_scale=0.5, output_dim=1, pooled_size=1
    )
    # scale then round (RoI pooling's order) would start at round(0.7) = 1: cells 1..3, mean 14
    wrong = RAMP[0, 0, 1:4, 1:4].mean()
    assert wrong == 14.0 != out.item()


def test_ps_roi_pool_rounds_halves_away_from_zero():
    out = rf.ps_roi_pool(RAMP, [[0, 2.5, 2.5, 4.5, 4.5]], 1.0, 1, 1)
    assert out.item() == 28.0  # cells 3..5 (C round); banker's rounding would read 2..4, mean 21
    live_agrees("ps_roi_pool", RAMP, [[0, 2.5, 2.5, 4.5, 4.5]], out, output_dim=1, pooled_size=1)
    assert RAMP[0, 0, 2:5, 2:5].mean() == 21.0


def test_ps_roi_pool_averages_where_its_docstring_says_max():
    out = rf.ps_roi_pool(RAMP, [[0, 1.4, 1.4, 5.4, 5.4]], 0.5, 1, 1)
    cells = RAMP[0, 0, 0:3, 0:3]
    assert out.item() == cells.mean() != cells.max()


def test_ps_roi_pool_channel_of_each_bin():
    # output channel c, bin (gh, gw) reads channel (c * G + gh) * G + gw; each bin here covers 2 x 2 cells
    out = rf.ps_roi_pool(EIGHT, [[0, 0, 0, 3, 3]], 1.0, output_dim=2, pooled_size=2)
    want = [[[[2.5, 20.5], [42.5, 60.5]], [[66.5, 84.5], [106.5, 124.5]]]]
    assert out.tolist() == want
    live_agrees("ps_roi_pool", EIGHT, [[0, 0, 0, 3, 3]], out, output_dim=2, pooled_size=2)
    # channel-last grouping, (gh * G + gw) * output_dim + c, would put channel 1 at output (0, 0, 1)
    bins = rf.ps_roi_pool_bins([0, 0, 0, 3, 3], 1.0, 2, 2, map_shape=(4, 4))
    assert bins.channels().tolist() == [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
    assert bins.channel(1, 1, 0) == 6
    wrong_channel = (0 * 2 + 1) * 2 + 0  # (gh*G+gw)*D+c for c=0, bin (0, 1)
    assert EIGHT[0, wrong_channel, 0:2, 2:4].mean() != out[0, 0, 0, 1]


def test_ps_roi_pool_group_smaller_than_pooled_size():
    """group_size 1: every bin reads the same channel; output_dim channels in all."""
    x = np.random.default_rng(3).standard_normal((1, 2, 6, 6)).astype(np.float32)
    out = rf.ps_roi_pool(x, [[0, 0, 0, 5, 5]], 1.0, output_dim=2, pooled_size=3, group_size=1)
    plain = ru.roi_pool(x, [[0, 0, 0, 5, 5]], 3)  # 2 x 2 cells per bin: average, not max
    assert out.shape == plain.shape == (1, 2, 3, 3)
    np.testing.assert_allclose(out[0, 0, 0, 0], x[0, 0, 0:2, 0:2].mean(), rtol=1e-6)


def test_ps_roi_pool_backward_spreads_over_the_bin_in_its_channel():
    g = np.zeros((1, 2, 2, 2), np.float32)
    g[0, 1, 0, 1] = 8.0  # output channel 1, bin (0, 1): input channel (1 * 2 + 0) * 2 + 1 = 5
    grad = rf.ps_roi_pool_backward(g, EIGHT, [[0, 0, 0, 3, 3]], 1.0, 2, 2)
    assert np.flatnonzero(grad.sum(axis=(0, 2, 3))).tolist() == [5]
    assert grad[0, 5].tolist() == [[0, 0, 2, 2], [0, 0, 2, 2], [0, 0, 0, 0], [0, 0, 0, 0]]  # 8 / 4 cells
    live_agrees(
        "ps_roi_pool_backward", EIGHT, [[0, 0, 0, 3, 3]], grad, out_grad=g, output_dim=2, pooled_size=2
    )


def test_ps_roi_pool_empty_bin_is_zero():
    out = rf.ps_roi_pool(RAMP, [[0, 40, 40, 50, 50]], 1.0, 1, 2, group_size=1)
    assert not out.any()


def test_ps_roi_pool_bins_geometry():
    b = rf.ps_roi_pool_bins([0, 0.4, 0.4, 5.6, 5.6], 0.5, 1, 3, map_shape=(8, 8))
    assert (b.roi_start_w, b.roi_end_w) == (0.0, 3.5)
    assert b.hstart.tolist() == [0, 1, 2] and b.hend.tolist() == [2, 3, 4]


# ---------------------------------------------------------------------------
# Position-sensitive RoIAlign
# ---------------------------------------------------------------------------


def test_ps_roi_align_golden():
    out = ru.roi_align(EIGHT, [[0, 0, 0, 3, 3]], 2, 1.0, 2, position_sensitive=True)
    want = [[[[3.75, 21.25], [41.75, 59.25]], [[67.75, 85.25], [105.75, 123.25]]]]
    np.testing.assert_allclose(out, want, rtol=1e-6)
    live_agrees("ps_roi_align", EIGHT, [[0, 0, 0, 3, 3]], out, pooled_size=2, sample_ratio=2)
    plain = ru.roi_align(EIGHT, [[0, 0, 0, 3, 3]], 2, 1.0, 2)
    assert plain.shape == (1, 8, 2, 2)
    # each output (c, ph, pw) is the plain output of channel c * 4 + ph * 2 + pw at that bin
    for c, ph, pw in np.ndindex(2, 2, 2):
        assert out[0, c, ph, pw] == plain[0, c * 4 + ph * 2 + pw, ph, pw]


def test_ps_roi_align_equals_roi_family_and_backward_routes_by_channel():
    x = np.random.default_rng(1).standard_normal((2, 12, 5, 6)).astype(np.float32)
    rois = [[1, 0.5, 0.2, 4.1, 3.3], [0, -1, -1, 2, 7]]
    a = ru.roi_align(x, rois, (2, 3), 1.0, -1, False, position_sensitive=True)
    b = rf.ps_roi_align(x, rois, (2, 3))
    np.testing.assert_array_equal(a, b)
    g = np.zeros((2, 2, 2, 3), np.float32)
    g[0, 1, 1, 2] = 1.0  # only output channel 1, bin (1, 2) of box 0
    grad = ru.roi_align_backward(g, x, rois, (2, 3), position_sensitive=True)
    touched = np.flatnonzero(grad.sum(axis=(0, 2, 3)))
    assert touched.tolist() == [1 * 6 + 1 * 3 + 2]
    np.testing.assert_allclose(grad.sum(), 1.0, rtol=1e-6)


def test_position_sensitive_must_be_a_bool():
    with pytest.raises(TypeError, match="position_sensitive"):
        ru.roi_align(EIGHT, [[0, 0, 0, 3, 3]], 2, position_sensitive="yes")


# ---------------------------------------------------------------------------
# RROIAlign
# ---------------------------------------------------------------------------

BOX = [[0, 1.5, 1.5, 4, 2, 90]]  # 4 wide, 2 tall, centred on (1.5, 1.5)


def test_rotated_angle_is_in_degrees_and_positive_turns_counter_clockwise():
    out = rf.rotated_roi_align(SMALL, BOX, (1, 2), sampling_ratio=1)
    assert out.tolist() == [[[[11.5, 3.5]]]]  # the box's left bin is now below its centre
    live_agrees("rotated_roi_align", SMALL, BOX, out, pooled_size=(1, 2), sampling_ratio=1)
    as_radians = rf.rotated_roi_align(
        SMALL, [[0, 1.5, 1.5, 4, 2, math.degrees(90)]], (1, 2), sampling_ratio=1
    )
    assert not np.allclose(as_radians, out)


def test_rotated_angle_sign():
    turned_back = rf.rotated_roi_align(SMALL, [[0, 1.5, 1.5, 4, 2, -90]], (1, 2), sampling_ratio=1)
    assert turned_back.tolist() == [[[[3.5, 11.5]]]]
    live_agrees(
        "rotated_roi_align",
        SMALL,
        [[0, 1.5, 1.5, 4, 2, -90]],
        turned_back,
        pooled_size=(1, 2),
        sampling_ratio=1,
    )
    s = rf.rotated_roi_align_samples([0, 1.5, 1.5, 4, 2, 30], (1, 2), sampling_ratio=1, map_shape=(4, 4))
    # the right-hand sample (xx = +1) rises on screen (smaller y) for a positive angle
    assert s.y[0, 1, 0, 0] < 1.5 < s.y[0, 0, 0, 0]
    out = rf.rotated_roi_align(SMALL, [[0, 1.5, 1.5, 4, 2, 30]], (1, 2), sampling_ratio=1)
    np.testing.assert_allclose(out[0, 0, 0], [8.633974, 6.366025], rtol=1e-6)  # mxnet's values


def test_rotated_has_no_half_pixel_offset():
    """At angle 0 it is roi_align with aligned=False on the box's corners, not aligned=True."""
    x = np.random.default_rng(2).standard_normal((1, 2, 7, 8)).astype(np.float32)
    cx, cy, w, h = 3.3, 2.6, 4.2, 3.4
    rotated = rf.rotated_roi_align(x, [[0, cx, cy, w, h, 0]], 2, sampling_ratio=2)
    corners = [[0, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]]
    np.testing.assert_allclose(rotated, ru.roi_align(x, corners, 2, sample_ratio=2), rtol=1e-5, atol=1e-6)
    assert not np.allclose(rotated, ru.roi_align(x, corners, 2, sample_ratio=2, aligned=True), atol=1e-3)


def test_rotated_sides_clamped_to_one_cell():
    out = rf.rotated_roi_align(
        SMALL, [[0, 1.2, 1.7, 0.2, 0.3, 0], [0, 1.2, 1.7, 1, 1, 0]], 1, sampling_ratio=2
    )
    assert out[:, 0, 0, 0].tolist() == [8.0, 8.0]  # mxnet: both 8.0


def test_rotated_samples_and_corners_share_the_turn():
    s = rf.rotated_roi_align_samples([0, 3, 2, 4, 2, 30], (2, 2), 1.0, 2, map_shape=(6, 6))
    assert s.x.shape == (2, 2, 2, 2) and s.count == 4
    corners = s.corners()
    centre = corners.mean(axis=0)
    np.testing.assert_allclose(centre, [3, 2], atol=1e-6)
    edge = corners[1] - corners[0]  # the top edge, 4 long, turned by 30 degrees
    np.testing.assert_allclose(np.hypot(*edge), 4, rtol=1e-6)
    np.testing.assert_allclose(math.degrees(math.atan2(-edge[1], edge[0])), 30, atol=1e-4)
    terms = s.neighbours(0, 0, 0, 0)
    assert len(terms) == 4 and math.isclose(sum(w for _, _, w in terms), 1.0, rel_tol=1e-6)


def test_rotated_output_is_the_weighted_sum_of_its_samples():
    x = np.random.default_rng(5).standard_normal((1, 1, 6, 7)).astype(np.float32)
    row = [0, 2.7, 3.1, 3.5, 2.5, 41.0]
    s = rf.rotated_roi_align_samples(row, (2, 2), 1.0, -1, map_shape=(6, 7))
    values = (s.weights * x[0, 0][s.rows, s.cols]).sum(axis=0)  # (PH, PW, gh, gw)
    np.testing.assert_allclose(rf.rotated_roi_align(x, [row], 2)[0, 0], values.mean(axis=(2, 3)), rtol=1e-5)


# ---------------------------------------------------------------------------
# FPN level assignment and multi-scale RoIAlign
# ---------------------------------------------------------------------------


def box(side_w, side_h=None):
    return [0, 10, 10, 10 + side_w, 10 + (side_w if side_h is None else side_h)]


def test_fpn_levels_thresholds_and_returns_k_itself():
    sides = [224, 223.9, 448, 447, 112, 111.9, 56, 1, 0, 5000]
    levels = rf.fpn_levels([box(s) for s in sides], 2, 5)
    assert levels.tolist() == [4, 3, 5, 4, 3, 2, 2, 2, 2, 5]
    assert rf.fpn_thresholds(2, 5).tolist() == [112.0, 224.0, 448.0]
    # torchvision's index k - k_min would be 2 for the 224 box; this returns the level itself
    assert rf.fpn_levels([box(224)], 3, 6).tolist() == [4]


def test_fpn_area_has_no_plus_one():
    """A box from pixel 0 to pixel 223 is 223 wide (box_area), so it goes to P3, not P4."""
    assert rf.fpn_levels([[0, 0, 0, 223, 223]], 2, 5).tolist() == [3]
    plus_one = math.floor(4 + math.log2(224 / 224) + 1e-6)
    assert plus_one == 4


def test_fpn_uses_the_geometric_mean_of_the_sides():
    assert rf.fpn_levels([box(448, 112)], 2, 5).tolist() == [4]  # sqrt(448 * 112) = 224
    assert rf.fpn_levels([box(448, 111)], 2, 5).tolist() == [3]


def test_mmdetection_variant_ties_thresholds_to_the_list_position():
    boxes = [box(s) for s in (100, 150, 224, 300, 500)]
    assert rf.fpn_levels_mmdet(boxes, 2, 5).tolist() == rf.fpn_levels(boxes, 2, 5).tolist()
    assert rf.fpn_levels(boxes, 3, 6).tolist() == [3, 3, 4, 4, 5]
    assert rf.fpn_levels_mmdet(boxes, 3, 6).tolist() == [3, 4, 5, 5, 6]


def test_multi_scale_roi_align_pools_each_box_from_its_level():
    rng = np.random.default_rng(7)
    maps = [rng.standard_normal((2, 3, 64 // 2**i, 64 // 2**i)).astype(np.float32) for i in range(4)]
    scales = [1 / 4, 1 / 8, 1 / 16, 1 / 32]
    rois = np.array(
        [[0, 0, 0, 50, 40], [1, 10, 20, 250, 230], [0, 3, 3, 120, 130], [1, 0, 0, 255, 255]], np.float32
    )
    out = rf.multi_scale_roi_align(maps, rois, (2, 3), scales, sampling_ratio=2)
    levels = rf.fpn_levels(rois, 2, 5)
    for r, k in enumerate(levels):
        want = ru.roi_align(maps[k - 2], rois[r : r + 1], (2, 3), scales[k - 2], 2)
        np.testing.assert_array_equal(out[r : r + 1], want)
    forced = rf.multi_scale_roi_align(maps, rois, (2, 3), scales, 2, levels=np.array([5, 5, 5, 5]))
    np.testing.assert_array_equal(forced, ru.roi_align(maps[3], rois, (2, 3), 1 / 32, 2))


# ---------------------------------------------------------------------------
# Bad input: a clear error naming the argument; inputs never modified
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: rf.rotated_roi_align(SMALL, [[0, 1, 1, 2, 2, np.nan]], 2), ValueError, "angle"),
        (lambda: rf.rotated_roi_align(SMALL, [[0, 1, 1, 2, 2, np.inf]], 2), ValueError, "angle"),
        (lambda: rf.rotated_roi_align(SMALL, [[0, 1, 1, 2, 2]], 2), ValueError, r"\(R, 6\)"),
        (lambda: rf.rotated_roi_align(SMALL, [[-1, 1, 1, 2, 2, 0]], 2), ValueError, "batch index"),
        (lambda: rf.rotated_roi_align(SMALL, [[1, 1, 1, 2, 2, 0]], 2), ValueError, "batch index"),
        (lambda: rf.rotated_roi_align(SMALL * np.nan, [[0, 1, 1, 2, 2, 0]], 2), ValueError, "data"),
        (
            lambda: rf.rotated_roi_align(SMALL, [[0, 1, 1, 2, 2, 0]], 2, sampling_ratio=1.5),
            TypeError,
            "sampling_ratio",
        ),
        (lambda: rf.rotated_roi_align(SMALL, [[0, 1, 1, 1e6, 1e6, 0]], 2), ValueError, "MAX_SAMPLES"),
        (lambda: rf.rotated_roi_align(SMALL, [[0, 1, 1, 2, 2, 0]], 2, 2.0), ValueError, "spatial_scale"),
        (lambda: rf.ps_roi_pool(EIGHT, [[0, 0, 0, 3, 3]], 1.0, 1, 2), ValueError, "output_dim"),
        (lambda: rf.ps_roi_pool(EIGHT, [[0, 0, 0, 3, 3]], 1.0, 3, 2), ValueError, "channels"),
        (lambda: rf.ps_roi_pool(EIGHT, [[0, 0, 0, 3, 3]], 1.0, 2, (2, 2)), TypeError, "pooled_size"),
        (lambda: rf.ps_roi_pool(EIGHT, [[0, 0, 0, 3, 3]], 1.0, 2, 2, -1), ValueError, "group_size"),
        (lambda: rf.ps_roi_pool(EIGHT, [[0, 0, 0, 3, 3]], 1.0, 0, 2), ValueError, "output_dim"),
        (lambda: rf.ps_roi_pool(EIGHT, [[-1, 0, 0, 3, 3]], 1.0, 2, 2), ValueError, "batch index"),
        (lambda: rf.ps_roi_pool(EIGHT, [[0, 0, np.nan, 3, 3]], 1.0, 2, 2), ValueError, "finite"),
        (lambda: rf.ps_roi_align(EIGHT[:, :6], [[0, 0, 0, 3, 3]], 2), ValueError, "multiple"),
        (
            lambda: rf.ps_roi_pool_backward(np.ones((1, 2, 3, 3)), EIGHT, [[0, 0, 0, 3, 3]], 1.0, 2, 2),
            ValueError,
            "out_grad",
        ),
        (
            lambda: rf.ps_roi_pool_backward(np.ones((1, 1, 2, 2)), EIGHT, [[0, 0, 0, 3, 3]], 1.0, 1, 2),
            ValueError,
            "channels",
        ),
        (
            lambda: ru.roi_align(EIGHT[:, :6], [[0, 0, 0, 3, 3]], 2, position_sensitive=True),
            ValueError,
            "multiple",
        ),
        (lambda: rf.fpn_levels([box(10)], 5, 2), ValueError, "k_max"),
        (lambda: rf.fpn_levels([[0, 10, 10, 5, 20]], 2, 5), ValueError, "x2 < x1"),
        (lambda: rf.fpn_levels([box(10)], 2, 5, canonical_scale=0), ValueError, "canonical_scale"),
        (lambda: rf.fpn_levels([box(10)], 2.5, 5), TypeError, "k_min"),
        (
            lambda: rf.multi_scale_roi_align(
                [RAMP, RAMP[..., ::2, ::2]], [box(10)], 2, [1 / 4, 1 / 8], levels=np.array([6])
            ),
            ValueError,
            "levels",
        ),
        (
            lambda: rf.multi_scale_roi_align(
                [RAMP, RAMP[..., ::2, ::2]], [box(10)], 2, [1 / 4, 1 / 8], levels=np.array([1])
            ),
            ValueError,
            "levels",
        ),
        (
            lambda: rf.multi_scale_roi_align(
                [RAMP, RAMP[..., ::2, ::2]], [box(10)], 2, [1 / 4, 1 / 8], levels=[2.0]
            ),
            TypeError,
            "levels",
        ),
        (
            lambda: rf.multi_scale_roi_align([RAMP, RAMP], [box(10)], 2, [1 / 4, 1 / 6]),
            ValueError,
            "spatial_scales",
        ),
        (
            lambda: rf.multi_scale_roi_align([RAMP, EIGHT], [box(10)], 2, [1 / 4, 1 / 8]),
            ValueError,
            "maps\\[1\\]",
        ),
        (lambda: rf.multi_scale_roi_align(RAMP, [box(10)], 2, [1 / 4]), TypeError, "maps"),
        (
            lambda: rf.multi_scale_roi_align([RAMP], [box(10)], 2, [1 / 4, 1 / 8]),
            ValueError,
            "spatial_scales",
        ),
    ],
)
def test_bad_input_is_refused_by_name(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_fpn_levels_ignore_the_batch_index_and_multi_scale_checks_its_arguments():
    assert rf.fpn_levels([[7, 0, 0, 224, 224], [-1, 0, 0, 224, 224]], 2, 5).tolist() == [4, 4]
    maps = [RAMP, RAMP[..., ::2, ::2]]
    with pytest.raises(TypeError, match="sampling_ratio"):
        rf.multi_scale_roi_align(maps, [box(10)], 2, [1 / 4, 1 / 8], sampling_ratio=1.5)
    with pytest.raises(TypeError, match="aligned"):
        rf.multi_scale_roi_align(maps, [box(10)], 2, [1 / 4, 1 / 8], aligned=1)


def test_inputs_are_not_modified():
    x = EIGHT.copy()
    rois = np.array([[0, 0.5, 0.5, 3.5, 3.5]], np.float32)
    rot = np.array([[0, 1.5, 1.5, 2, 2, 30]], np.float32)
    before = (x.copy(), rois.copy(), rot.copy())
    rf.ps_roi_pool(x, rois, 1.0, 2, 2)
    rf.ps_roi_align(x, rois, 2)
    rf.ps_roi_align_backward(np.ones((1, 2, 2, 2)), x, rois, 2)
    rf.ps_roi_pool_backward(np.ones((1, 2, 2, 2)), x, rois, 1.0, 2, 2)
    rf.rotated_roi_align(x, rot, 2)
    rf.fpn_levels(rois, 2, 5)
    for a, b in zip((x, rois, rot), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_roi_utils_reexports_every_family_name():
    import roi_utils

    for name in rf.__all__:
        assert getattr(roi_utils, name) is getattr(rf, name)
        assert name in roi_utils.__all__
    with pytest.raises(AttributeError):
        roi_utils.no_such_function  # noqa: B018
    defined = {
        name
        for name, value in vars(rf).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == rf.__name__
    }
    assert defined == set(rf.__all__)  # the one list (kept in roi_utils) names all of them
