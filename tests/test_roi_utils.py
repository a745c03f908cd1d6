"""Golden cases, documented rules, bad input and input immutability for roi_utils.

Each golden case is chosen so that a plausible wrong rule gives a different
answer; the comment says which rule it separates. Expected numbers were
checked against mxnet 1.9.1 (test_mxnet_live and the recorded oracle hold
roi_utils to mxnet on hundreds of generated cases).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

import roi_loops
import roi_utils as ru

ARANGE = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)


# --- golden cases -----------------------------------------------------------


def test_seed_example():
    out = ru.roi_pool(ARANGE, [[0, 0, 0, 2, 2], [0, 0, 1, 3, 3]], (2, 2), 1.0)
    assert out.dtype == np.float32 and out.shape == (2, 1, 2, 2)
    assert out[0, 0].tolist() == [[5, 6], [9, 10]]
    assert out[1, 0].tolist() == [[9, 11], [13, 15]]


def test_overlapping_bins_not_disjoint():
    # A 3x3 box in 2x2 bins: the middle row and column belong to two bins each.
    # Disjoint bins (1+2 or 2+1 cells) would put the single maximum in one bin only.
    x = np.zeros((1, 1, 3, 3), np.float32)
    x[0, 0, 1, 1] = 9
    assert ru.roi_pool(x, [[0, 0, 0, 2, 2]], 2).ravel().tolist() == [9, 9, 9, 9]
    bins = ru.roi_pool_bins([0, 0, 0, 2, 2], 2, 1.0, (3, 3))
    assert bins.hstart.tolist() == [0, 1] and bins.hend.tolist() == [2, 3]
    assert bins.coverage().tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]


def test_corners_are_inclusive():
    # Exclusive corners would pool only cell (0, 0) = 0.
    assert ru.roi_pool(ARANGE, [[0, 0, 0, 1, 1]], 1).item() == 5


def test_scaled_corners_round_half_away_from_zero():
    # x1 * 0.5 = 2.5: C's round gives 3, numpy's banker's rounding would give 2.
    bins = ru.roi_pool_bins([0, 5, 5, 7, 7], 1, 0.5, (4, 4))
    assert (bins.roi_start_w, bins.roi_end_w) == (3, 4)
    x = np.zeros((1, 1, 4, 4), np.float32)
    x[0, 0, 2, 2] = 7  # read only if the box started at cell 2
    assert ru.roi_pool(x, [[0, 5, 5, 7, 7]], 1, 0.5).item() == 0
    assert ru.c_round(-2.5) == -3 and np.round(-2.5) == -2


def test_batch_column_selects_the_image():
    x = np.stack([ARANGE[0], -ARANGE[0]])
    assert ru.roi_pool(x, [[1, 0, 0, 3, 3]], 1).item() == 0  # max of -arange is -0
    assert ru.roi_pool(x, [[0, 0, 0, 3, 3]], 1).item() == 15


def test_empty_bins_output_zero_even_over_negative_maps():
    x = -np.ones((1, 1, 4, 4), np.float32)
    out = ru.roi_pool(x, [[0, 0, 0, 7, 3]], 2)  # the right-hand bins are off the map
    assert out[0, 0].tolist() == [[-1, 0], [-1, 0]]
    bins = ru.roi_pool_bins([0, 0, 0, 7, 3], 2, 1.0, (4, 4))
    assert bins.empty.tolist() == [[False, True], [False, True]]
    assert ru.roi_pool(x, [[0, 10, 10, 12, 12]], 2).tolist() == np.zeros((1, 1, 2, 2)).tolist()


def test_reversed_box_is_forced_to_one_cell():
    assert ru.roi_pool(ARANGE, [[0, 3, 3, 1, 1]], 2).ravel().tolist() == [15] * 4


def test_running_max_starts_at_minus_flt_max_and_skips_nan():
    x = np.full((1, 1, 2, 2), -np.inf, np.float32)
    values, argmax = ru.roi_pool_argmax(x, [[0, 0, 0, 1, 1]], 1)
    assert values.item() == -ru.FLT_MAX and argmax.item() == -1
    x[0, 0, 1, 1] = np.nan
    x[0, 0, 0, 1] = 2
    values, argmax = ru.roi_pool_argmax(x, [[0, 0, 0, 1, 1]], 1)
    assert values.item() == 2 and argmax.item() == 1


def test_ties_go_to_first_cell_in_row_major_order():
    x = np.zeros((1, 1, 3, 3), np.float32)
    x[0, 0, 2, 0] = x[0, 0, 1, 2] = 5  # (1, 2) comes first row-major
    assert ru.roi_pool_argmax(x, [[0, 0, 0, 2, 2]], 1)[1].item() == 1 * 3 + 2


def test_of_equal_zeros_the_first_wins_bit_for_bit():
    # mxnet's strict `value > max` keeps the first of 0.0 and -0.0; fmax would not say which.
    first_plus = np.array([0.0, -0.0], np.float32).reshape(1, 1, 1, 2)
    first_minus = first_plus[..., ::-1].copy()
    box = [[0, 0, 0, 1, 0]]
    assert not np.signbit(ru.roi_pool(first_plus, box, 1)).item()
    assert np.signbit(ru.roi_pool(first_minus, box, 1)).item()
    assert np.signbit(ru.spp(first_minus, (1,))).item() and not np.signbit(ru.spp(first_plus, (1,))).item()
    values, argmax = ru.roi_pool(first_minus, box, 1, return_argmax=True)
    assert np.signbit(values).item() and argmax.item() == 0
    # the same on a box too big for the lookup path (bins of 4 x 4 cells)
    big = np.zeros((1, 1, 8, 8), np.float32)
    big[0, 0, 0, 0] = -0.0
    assert np.signbit(ru.roi_pool(big, [[0, 0, 0, 7, 7]], 2))[0, 0].tolist() == [
        [True, False],
        [False, False],
    ]


def test_kept_argmax_backward_equals_the_recomputed_one():
    rng = np.random.default_rng(5)
    data = rng.integers(-2, 3, (2, 3, 9, 11)).astype(np.float32)  # many ties
    rois = np.array([[0, 0, 0, 10, 8], [1, 2, 1, 5, 4], [0, -3, -3, 2, 2], [1, 20, 20, 30, 30]], np.float32)
    values, argmax = ru.roi_pool(data, rois, (3, 4), return_argmax=True)
    again, expected = ru.roi_pool_argmax(data, rois, (3, 4))
    np.testing.assert_array_equal(argmax, expected)
    assert argmax.dtype == np.int64 and values.tobytes() == again.tobytes()
    grad = rng.standard_normal(values.shape).astype(np.float32)
    kept = ru.roi_pool_backward(grad, data, rois, (3, 4), argmax=argmax)
    np.testing.assert_array_equal(kept, ru.roi_pool_backward(grad, data, rois, (3, 4)))
    np.testing.assert_array_equal(kept, roi_loops.roi_pool_backward_loop(grad, data, rois, (3, 4)))


@pytest.mark.parametrize("seed", range(6))
def test_table_and_separable_pooling_agree_with_the_loops(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    cells = np.array([0.0, -0.0, 1.0, -1.0, -np.inf, np.inf, np.nan], np.float32)
    data = rng.choice(cells, (2, 3, 10, 12)) if seed % 2 else rng.standard_normal((2, 3, 10, 12))
    corners = rng.uniform(-4, 16, (12, 4))
    rois = np.concatenate([rng.integers(0, 2, (12, 1)), corners], 1).astype(np.float32)
    loop_values, loop_argmax = roi_loops.roi_pool_loop(data, rois, (4, 3))
    loop_grad = roi_loops.roi_pool_backward_loop(np.ones(loop_values.shape), data, rois, (4, 3))
    # extent 0: every box separably, 99: every box by table lookup; tiny blocks and chunks:
    # one channel and one box at a time; a tiny table budget: every box separably again
    settings = [(extent, 2**23, 2**17, 2**28, 2) for extent in (0, 1, 3, 99)]
    settings += [(99, 1, 1, 2**28, 1), (99, 1, 1, 2**28, 3), (99, 2**23, 2**17, 1, 2)]
    for extent, block_bytes, chunk, budget, threads in settings:
        monkeypatch.setattr(ru, "_TABLE_EXTENT", extent)
        monkeypatch.setattr(ru, "_BLOCK_BYTES", block_bytes)
        monkeypatch.setattr(ru, "_CHUNK_ELEMENTS", chunk)
        monkeypatch.setattr(ru, "_TABLE_BYTES", budget)
        monkeypatch.setattr(ru, "_THREADS", threads)
        monkeypatch.setattr(ru, "_SCATTER_ELEMENTS", chunk)
        assert ru.roi_pool(data, rois, (4, 3)).tobytes() == loop_values.tobytes()
        values, argmax = ru.roi_pool(data, rois, (4, 3), return_argmax=True)
        assert values.tobytes() == loop_values.tobytes()
        np.testing.assert_array_equal(argmax, loop_argmax)
        assert argmax.dtype == np.int64 and argmax.flags.c_contiguous and values.flags.c_contiguous
        grad = ru.roi_pool_backward(np.ones(values.shape), data, rois, (4, 3), argmax=argmax)
        np.testing.assert_array_equal(grad, loop_grad)


@pytest.mark.parametrize("call_cost, gather_cost", [(0, 0), (0, 10**9), (10**9, 0)])
def test_every_roi_align_path_agrees_with_the_loops(call_cost, gather_cost, monkeypatch):
    monkeypatch.setattr(ru, "_CALL_COST", call_cost)
    monkeypatch.setattr(ru, "_GATHER_COST", gather_cost)
    rng = np.random.default_rng(11)
    data = rng.standard_normal((2, 3, 40, 45)).astype(np.float32)
    rois = np.array(
        [
            [0, 0, 0, 44, 39],
            [1, 3.3, 2.1, 9.7, 30.2],
            [0, -5, -5, 3, 3],
            [1, 10, 12, 11, 13],
            [-1, 0, 0, 5, 5],
        ],
        np.float32,
    )
    plan = ru._align_plan(data, rois, (3, 4), 1.0, 2, False)
    work = ru._align_work(plan, *plan.weights(), 3)
    kinds = {(w.gathered, w.row_bands is not None, w.col_bands is not None) for w in work}
    if call_cost == 0 and gather_cost == 0:  # the 44 x 39 box touches only a few of its rows: gathered
        assert (True, True, True) in kinds
    elif call_cost == 0:
        assert not any(gathered for gathered, _, _ in kinds) and (False, True, True) in kinds
    else:  # calls cost everything: two dense products per box
        assert kinds == {(False, False, False)}
    for ratio in (2, -1):
        ours = ru.roi_align(data, rois, (3, 4), 1.0, ratio)
        np.testing.assert_allclose(ours, roi_loops.roi_align_loop(data, rois, (3, 4), 1.0, ratio), atol=2e-6)
        grad = rng.standard_normal(ours.shape).astype(np.float32)
        np.testing.assert_allclose(
            ru.roi_align_backward(grad, data, rois, (3, 4), 1.0, ratio),
            roi_loops.roi_align_backward_loop(grad, data, rois, (3, 4), 1.0, ratio),
            atol=2e-6,
        )


def test_roi_align_leaves_the_blas_thread_count_as_it_was():
    calls = ru._openblas_thread_calls()
    if calls is None:
        pytest.skip("numpy's BLAS here is not an OpenBLAS this module can reach")
    before = calls[0]()
    ru.roi_align(ARANGE, GOOD_ROIS, 2)
    assert calls[0]() == before


def test_roi_align_seed_values():
    out = ru.roi_align(ARANGE, [[0, 0, 0, 2, 2], [0, 0, 1, 3, 3]], 2, sample_ratio=2)
    assert out[0, 0].tolist() == [[2.5, 3.5], [6.5, 7.5]]
    assert out[1, 0].tolist() == [[6.75, 8.25], [10.75, 12.25]]


def test_roi_align_aligned_shifts_by_half_a_cell():
    plain = ru.roi_align_samples([0, 0, 0, 2, 2], 1, 1.0, 1, False, (4, 4))
    shifted = ru.roi_align_samples([0, 0, 0, 2, 2], 1, 1.0, 1, True, (4, 4))
    assert plain.x.coord.item() == 1.0 and shifted.x.coord.item() == 0.5


def test_adaptive_sampling_grows_with_the_box():
    s = ru.roi_align_samples([0, 0, 0, 9, 4.5], (2, 2), 1.0, -1, False, (10, 10))
    assert (s.y.grid, s.x.grid, s.count) == (3, 5, 15)  # ceil(4.5 / 2), ceil(9 / 2)


def test_roi_align_negative_batch_gives_zeros_and_no_gradient():
    rois = [[-1, 0, 0, 2, 2], [0, 0, 0, 2, 2]]
    out = ru.roi_align(ARANGE, rois, 2, sample_ratio=2)
    assert not out[0].any() and out[1].any()
    grad = ru.roi_align_backward(np.ones((1, 1, 2, 2)), ARANGE, [[-1, 0, 0, 2, 2]], 2)
    assert not grad.any()


def test_align_neighbour_weights_sum_to_one():
    s = ru.roi_align_samples([0, 0.3, 0.7, 2.9, 3.1], 2, 1.0, 2, False, (4, 4))
    for ph, pw, iy, ix in np.ndindex(s.shape):
        assert sum(w for _, _, w in s.neighbours(ph, pw, iy, ix)) == pytest.approx(1.0)


def test_spp_levels_are_roi_pool_of_the_whole_map():
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 5)).astype(np.float32)
    vector = ru.spp(x, (3, 1))
    assert vector.shape == (2, 3 * (9 + 1))
    boxes = [ru.whole_map_roi(b, (7, 5)) for b in range(2)]
    level3 = ru.roi_pool(x, boxes, 3).reshape(2, -1)
    np.testing.assert_array_equal(vector[:, :27], level3)
    np.testing.assert_array_equal(vector[:, 27:], x.max(axis=(2, 3)))


@pytest.mark.parametrize(
    "size, n, window, stride, bins, missed",
    [
        (13, 4, 4, 3, 4, ()),
        (13, 6, 3, 2, 6, ()),
        (11, 3, 4, 3, 3, (10,)),
        (5, 3, 2, 1, 4, ()),
        (7, 4, 2, 1, 6, ()),
        (10, 4, 3, 2, 4, (9,)),
        (3, 4, 1, 0, 0, (0, 1, 2)),
    ],
)
def test_spp_paper_recipe(size, n, window, stride, bins, missed):
    w = ru.spp_paper_windows(size, n)
    assert (w.window, w.stride, w.bins, w.missed) == (window, stride, bins, missed)
    assert w.gives_n_bins == (bins == n)


def test_backward_examples():
    x = np.zeros((1, 1, 3, 3), np.float32)
    x[0, 0, 1, 1] = 9
    g = ru.roi_pool_backward(np.ones((1, 1, 2, 2)), x, [[0, 0, 0, 2, 2]], 2)
    assert g[0, 0, 1, 1] == 4 and g.sum() == 4
    g = ru.roi_align_backward(
        np.ones((1, 1, 1, 1)), np.zeros((1, 1, 2, 2)), [[0, 0, 0, 1, 1]], 1, sample_ratio=1
    )
    assert g[0, 0].tolist() == [[0.25, 0.25], [0.25, 0.25]]


# --- fast version against the kernel-order loops -----------------------------


def test_fast_matches_loops_on_a_detection_like_case():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 4, 12, 15)).astype(np.float32)
    xy = rng.uniform(-20, 200, (6, 2))
    rois = np.concatenate([rng.integers(0, 2, (6, 1)), xy, xy + rng.uniform(1, 120, (6, 2))], 1)
    np.testing.assert_array_equal(
        ru.roi_pool(x, rois, 3, 1 / 16), roi_loops.roi_pool_loop(x, rois, 3, 1 / 16)[0]
    )
    for ratio in (-1, 2):
        fast = ru.roi_align(x, rois, 3, 1 / 16, ratio, True)
        np.testing.assert_allclose(
            fast, roi_loops.roi_align_loop(x, rois, 3, 1 / 16, ratio, True), rtol=1e-5, atol=1e-6
        )


# --- bad input ----------------------------------------------------------------

GOOD_ROIS = [[0, 0, 0, 2, 2]]
BAD_CALLS = [
    # (call, exception, words the message must contain)
    (lambda: ru.roi_pool(np.zeros((4, 4)), GOOD_ROIS, 2), ValueError, ["data", "4-D", "(4, 4)"]),
    (lambda: ru.roi_pool(np.zeros((1, 1, 0, 4)), GOOD_ROIS, 2), ValueError, ["data", "empty"]),
    (lambda: ru.roi_pool([["a"]], GOOD_ROIS, 2), TypeError, ["data", "real numbers"]),
    (lambda: ru.roi_pool(np.zeros((1, 1, 4, 4), bool), GOOD_ROIS, 2), TypeError, ["data", "bool"]),
    (lambda: ru.roi_pool(ARANGE, [0, 0, 0, 2, 2], 2), ValueError, ["rois", "(R, 5)", "[[b, x1"]),
    (lambda: ru.roi_pool(ARANGE, [[0, 0, 0, 2]], 2), ValueError, ["rois", "(1, 4)"]),
    (lambda: ru.roi_pool(ARANGE, [[0, "x", 0, 2, 2]], 2), TypeError, ["rois"]),
    (lambda: ru.roi_pool(ARANGE, [[0.5, 0, 0, 2, 2]], 2), ValueError, ["rois[0, 0]", "whole number"]),
    (
        lambda: ru.roi_pool(ARANGE, [[0, 0, 0, 2, 2], [1, 0, 0, 2, 2]], 2),
        ValueError,
        ["rois[1, 0]", "1 image"],
    ),
    (lambda: ru.roi_pool(ARANGE, [[-1, 0, 0, 2, 2]], 2), ValueError, ["rois[0, 0]", "-1"]),
    (lambda: ru.roi_pool(ARANGE, [[0, 0, np.nan, 2, 2]], 2), ValueError, ["rois[0, 2]", "finite"]),
    (lambda: ru.roi_pool(ARANGE, [[0, 0, 0, np.inf, 2]], 2), ValueError, ["rois[0, 3]", "finite"]),
    (lambda: ru.roi_pool(ARANGE, [[0, 0, 0, 1e300, 2]], 2), ValueError, ["rois[0, 3]", "finite"]),
    (lambda: ru.roi_pool(ARANGE, [[0, 0, 0, 1e30, 2]], 2), ValueError, ["rois[0, 3]", "spatial_scale"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, 0), ValueError, ["pooled_size", "at least 1"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, (2, -1)), ValueError, ["pooled_size[1]"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, 2.5), TypeError, ["pooled_size", "integer"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, (1, 2, 3)), ValueError, ["pooled_size", "pair"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, True), TypeError, ["pooled_size"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, 2, 0), ValueError, ["spatial_scale", "> 0"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, 2, -0.5), ValueError, ["spatial_scale"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, 2, float("nan")), ValueError, ["spatial_scale", "finite"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, 2, 2.0), ValueError, ["spatial_scale", "at most 1"]),
    (lambda: ru.roi_pool(ARANGE, GOOD_ROIS, 2, "1/16"), TypeError, ["spatial_scale", "real number"]),
    (lambda: ru.roi_align(ARANGE, GOOD_ROIS, 2, sample_ratio=1.5), TypeError, ["sample_ratio", "integer"]),
    (lambda: ru.roi_align(ARANGE, GOOD_ROIS, 2, aligned=1), TypeError, ["aligned", "True or False"]),
    (
        lambda: ru.roi_align(ARANGE, [[0, 1, 1, 1, 3]], 2, aligned=True),
        ValueError,
        ["rois[0]", "aligned=True", "aborts"],
    ),
    (lambda: ru.roi_align(ARANGE, [[0, 3, 1, 1, 3]], 2, aligned=True), ValueError, ["rois[0]", "width -2"]),
    (lambda: ru.roi_align(ARANGE, [[0, 0, 0, 1e6, 1e6]], 2), ValueError, ["rois[0]", "MAX_SAMPLES_PER_BOX"]),
    (
        lambda: ru.roi_align(ARANGE, [[0, 0, 0, 2, 2]], 2, sample_ratio=10**4),
        ValueError,
        ["MAX_SAMPLES_PER_BOX"],
    ),
    (lambda: ru.roi_align(ARANGE, [[2, 0, 0, 2, 2]], 2), ValueError, ["rois[0, 0]", "negative, to skip"]),
    (lambda: ru.roi_align(ARANGE * np.nan, GOOD_ROIS, 2), ValueError, ["data", "NaN"]),
    (
        lambda: ru.roi_pool_backward(np.ones((1, 1, 3, 3)), ARANGE, GOOD_ROIS, 2),
        ValueError,
        ["out_grad", "(1, 1, 2, 2)"],
    ),
    (lambda: ru.roi_align_backward("g", ARANGE, GOOD_ROIS, 2), TypeError, ["out_grad"]),
    (
        lambda: ru.roi_pool(ARANGE, GOOD_ROIS, 2, return_argmax=1),
        TypeError,
        ["return_argmax", "True or False"],
    ),
    (
        lambda: ru.roi_pool_backward(
            np.ones((1, 1, 2, 2)), ARANGE, GOOD_ROIS, 2, argmax=np.zeros((1, 1, 2, 2))
        ),
        TypeError,
        ["argmax", "integers"],
    ),
    (
        lambda: ru.roi_pool_backward(
            np.ones((1, 1, 2, 2)), ARANGE, GOOD_ROIS, 2, argmax=np.zeros((1, 2), int)
        ),
        ValueError,
        ["argmax", "(1, 1, 2, 2)"],
    ),
    (
        lambda: ru.roi_pool_backward(
            np.ones((1, 1, 2, 2)), ARANGE, GOOD_ROIS, 2, argmax=np.full((1, 1, 2, 2), 16)
        ),
        ValueError,
        ["argmax", "0..15"],
    ),
    (
        lambda: ru.roi_pool_backward(
            np.ones((1, 1, 2, 2)), ARANGE, GOOD_ROIS, 2, argmax=np.full((1, 1, 2, 2), -2)
        ),
        ValueError,
        ["argmax", "-1 (no cell)"],
    ),
    (lambda: ru.spp(ARANGE, ()), ValueError, ["levels", "at least one"]),
    (lambda: ru.spp(ARANGE, (4, 0)), ValueError, ["levels[1]", "at least 1"]),
    (lambda: ru.spp(ARANGE, 4), TypeError, ["levels", "sequence"]),
    (lambda: ru.spp(ARANGE, "421"), TypeError, ["levels"]),
    (lambda: ru.spp(ARANGE[0], (1,)), ValueError, ["data", "4-D"]),
    (lambda: ru.roi_pool_bins([0, 0, 0, 2], 2, 1.0, (4, 4)), ValueError, ["roi", "one row"]),
    (lambda: ru.roi_pool_bins([0, 0, 0, 2, 2], 2, 1.0, (4,)), TypeError, ["map_shape"]),
    (lambda: ru.roi_pool_bins([0, 0, 0, 2, 2], 2, 1.0, (0, 4)), ValueError, ["map_shape[0]"]),
    (lambda: ru.roi_align_samples([0, 0, 0, np.nan, 2], 2, map_shape=(4, 4)), ValueError, ["roi", "finite"]),
    (lambda: ru.spp_paper_windows(0, 2), ValueError, ["size"]),
    (lambda: ru.spp_paper_windows(5, 0.5), TypeError, ["n", "integer"]),
    (lambda: ru.whole_map_roi(0, (3, -1)), ValueError, ["map_shape[1]"]),
]


@pytest.mark.parametrize("call, error, words", BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_bad_input_is_a_clear_error(call, error, words):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_huge_adaptive_box_fails_fast():
    start = time.perf_counter()
    with pytest.raises(ValueError):
        ru.roi_align(np.zeros((1, 1, 64, 64)), [[0, 0, 0, 16e6, 16e6]], 7, 1.0)
    assert time.perf_counter() - start < 5  # a hang would take minutes; this is not a speed test


OPERATIONS = [
    lambda d, r: ru.roi_pool(d, r, 2, 0.5),
    lambda d, r: ru.roi_pool_argmax(d, r, 2, 0.5),
    lambda d, r: ru.roi_align(d, r, 2, 0.5, 2, True),
    lambda d, r: ru.roi_pool_backward(np.ones((2, 2, 2, 2)), d, r, 2, 0.5),
    lambda d, r: ru.roi_pool(d, r, 2, 0.5, return_argmax=True),
    lambda d, r: ru.roi_pool_backward(
        np.ones((2, 2, 2, 2)), d, r, 2, 0.5, argmax=np.zeros((2, 2, 2, 2), int)
    ),
    lambda d, r: ru.roi_align_backward(np.ones((2, 2, 2, 2)), d, r, 2, 0.5, -1, False),
    lambda d, r: ru.spp(d, (2, 1)),
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=range(len(OPERATIONS)))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_inputs_are_never_modified(operation, dtype):
    data = (np.arange(2 * 2 * 6 * 6) % 11).reshape(2, 2, 6, 6).astype(dtype)
    rois = np.array([[0, 1, 1, 9, 7], [1, 0, 2, 11, 11]], dtype)
    data_before, rois_before = data.copy(), rois.copy()
    data.flags.writeable = rois.flags.writeable = False  # any write would raise
    operation(data, rois)
    np.testing.assert_array_equal(data, data_before)
    np.testing.assert_array_equal(rois, rois_before)


@pytest.mark.parametrize("writeable", [True, False])
def test_a_one_channel_map_is_never_modified(writeable):
    """With one channel the channels-last map is the input's own memory: it must still be copied
    before the -FLT_MAX floor (which would turn the caller's -inf and NaN into -FLT_MAX)."""
    data = (np.arange(36, dtype=np.float32) % 5).reshape(1, 1, 6, 6)
    data[0, 0, 0, :3] = [-np.inf, np.nan, -np.inf]
    before = data.copy()
    data.flags.writeable = writeable
    rois = [[0, 0, 0, 5, 5]]
    out = ru.roi_pool(data, rois, 2)
    values, argmax = ru.roi_pool(data, rois, 2, return_argmax=True)
    ru.roi_pool_backward(np.ones(out.shape), data, rois, 2, argmax=argmax)
    assert data.tobytes() == before.tobytes()
    assert out.tobytes() == values.tobytes() == roi_loops.roi_pool_loop(before, rois, 2)[0].tobytes()


def test_lists_and_float64_are_accepted():
    as_list = ru.roi_pool(ARANGE.tolist(), GOOD_ROIS, 2)
    np.testing.assert_array_equal(
        as_list, ru.roi_pool(ARANGE.astype(np.float64), np.array(GOOD_ROIS, np.float64), 2)
    )


def test_zero_boxes_give_empty_outputs():
    empty = np.zeros((0, 5))
    assert ru.roi_pool(ARANGE, empty, 2).shape == (0, 1, 2, 2)
    assert ru.roi_align(ARANGE, empty, 2).shape == (0, 1, 2, 2)
    assert ru.roi_pool_backward(np.zeros((0, 1, 2, 2)), ARANGE, empty, 2).shape == ARANGE.shape


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_pooling_threads_work_in_a_forked_child(monkeypatch):
    """A forked child has none of its parent's worker threads: it must not wait on them."""
    rng = np.random.default_rng(3)
    data = rng.standard_normal((1, 64, 12, 12)).astype(np.float32)
    rois = np.array([[0, 0, 0, 11, 11], [0, 2, 3, 7, 9]], np.float32)
    monkeypatch.setattr(ru, "_BLOCK_BYTES", 1)  # one channel per block: several blocks...
    monkeypatch.setattr(ru, "_THREADS", 2)  # ...on worker threads
    expected = ru.roi_pool(data, rois, 3)  # the parent's worker threads exist from here on
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if pooling finishes and agrees
        os._exit(0 if np.array_equal(ru.roi_pool(data, rois, 3), expected) else 1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError("roi_pool hung in a forked child")
