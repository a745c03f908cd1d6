"""Property-based cross-check of every operator against live mxnet 1.9.1.

Hypothesis hunts the awkward cases (see conftest strategies): boxes off the map,
reversed corners, boxes smaller than the pooled size, several images, scaled
corners on exact halves, many scales, every sample_ratio, aligned on and off,
tied maxima, signed zeros, -inf and NaN (RoI pooling only: RoIAlign refuses
them). ``roi_pool`` and ``spp`` must match bit for bit, the sign of every zero
included; ``roi_align`` to float32 rounding, on every path its cost model can
choose (dense, banded, gathered), and ``roi_loops.roi_align_loop`` (the kernel's
own summation order) bit for bit. Skipped, with the reason, where mxnet is not installed; the
recorded-oracle tests then make the same comparison.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np
import pytest
from conftest import align_cases, assert_same_bits, maps, pool_cases, requires_mxnet
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import roi_loops
import roi_oracle
import roi_utils as ru

pytestmark = [requires_mxnet, pytest.mark.mxnet]

# CI runs the same 400 cases per operator every time (derandomized). For a deeper hunt with
# fresh random cases: ROI_HYPOTHESIS_EXAMPLES=3000 pytest tests/test_mxnet_live.py
DEEPER = os.environ.get("ROI_HYPOTHESIS_EXAMPLES")
EXAMPLES = int(DEEPER) if DEEPER else 400
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not DEEPER,
)


@contextlib.contextmanager
def cost_model(call_cost, gather_cost):
    """roi_align's per-box choice made with other exchange rates, so that small test maps take
    the banded and gathered paths too (with the real rates, few channels always go dense)."""
    saved = ru._CALL_COST, ru._GATHER_COST
    ru._CALL_COST, ru._GATHER_COST = call_cost, gather_cost
    try:
        yield
    finally:
        ru._CALL_COST, ru._GATHER_COST = saved


PATHS = {"as chosen": (ru._CALL_COST, ru._GATHER_COST), "banded or gathered": (0, 0), "banded": (0, 10**9)}


def mxnet(op, data, rois=None, out_grad=None, **params):
    return roi_oracle.mxnet_output(op, data, rois, out_grad, **params).value


def align_or_reject(data, rois, params):
    """Our answer, or reject the example where roi_utils refuses it (mxnet would abort)."""
    try:
        return ru.roi_align(data, rois, **params)
    except ValueError:
        assume(False)


def assert_align_close(ours, theirs, data):
    """Equal to float32 rounding: a few ulps of the largest value a bin can sum."""
    scale = max(1.0, float(np.abs(data).max()))
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=4e-7 * scale)


@SETTINGS
@given(pool_cases())
def test_roi_pool_bit_for_bit(case):
    data, rois, params = case
    expected = mxnet("roi_pool", data, rois, **params)
    assert_same_bits(ru.roi_pool(data, rois, **params), expected)
    values, argmax = ru.roi_pool(data, rois, **params, return_argmax=True)
    assert_same_bits(values, expected)
    loop_values, loop_argmax = roi_loops.roi_pool_loop(data, rois, **params)
    assert_same_bits(loop_values, expected)
    np.testing.assert_array_equal(argmax, loop_argmax)


@SETTINGS
@given(align_cases(), st.sampled_from(sorted(PATHS)))
def test_roi_align(case, path):
    data, rois, params = case
    with cost_model(*PATHS[path]):
        ours = align_or_reject(data, rois, params)
    live = rois[:, 0] >= 0  # mxnet leaves padding boxes' outputs uninitialised
    assume(live.any())
    expected = mxnet("roi_align", data, rois[live], **params)
    assert_align_close(ours[live], expected, data)
    np.testing.assert_array_equal(roi_loops.roi_align_loop(data, rois[live], **params), expected)
    assert not ours[~live].any()


@SETTINGS
@given(pool_cases(), st.integers(0, 2**32 - 1))
def test_roi_pool_backward(case, seed):
    data, rois, params = case
    out_grad = np.random.default_rng(seed).standard_normal(ru.roi_pool(data, rois, **params).shape)
    out_grad = out_grad.astype(np.float32)
    expected = mxnet("roi_pool_backward", data, rois, out_grad, **params)
    ours = ru.roi_pool_backward(out_grad, data, rois, **params)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-6)
    zero = expected == 0
    np.testing.assert_array_equal(np.signbit(ours[zero]), np.signbit(expected[zero]))
    kept = ru.roi_pool(data, rois, **params, return_argmax=True)[1]
    assert_same_bits(ru.roi_pool_backward(out_grad, data, rois, **params, argmax=kept), ours)
    loop = roi_loops.roi_pool_backward_loop(out_grad, data, rois, **params)
    np.testing.assert_array_equal(loop, expected)


@SETTINGS
@given(align_cases(), st.integers(0, 2**32 - 1), st.sampled_from(sorted(PATHS)))
def test_roi_align_backward(case, seed, path):
    data, rois, params = case
    forward = align_or_reject(data, rois, params)
    out_grad = np.random.default_rng(seed).standard_normal(forward.shape).astype(np.float32)
    expected = mxnet("roi_align_backward", data, rois, out_grad, **params)
    with cost_model(*PATHS[path]):
        ours = ru.roi_align_backward(out_grad, data, rois, **params)
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=2e-6)
    loop = roi_loops.roi_align_backward_loop(out_grad, data, rois, **params)
    np.testing.assert_array_equal(loop, expected)


@SETTINGS
@given(
    maps(max_side=14, non_finite=True),
    st.lists(st.sampled_from([1, 2, 3, 4, 5, 6]), min_size=1, max_size=4),
)
def test_spp(data, levels):
    expected = mxnet("spp", data, levels=tuple(levels))
    assert_same_bits(ru.spp(data, levels), expected)
