"""Backward passes against finite differences (the definition of a gradient).

RoIAlign is linear in ``data``, so central differences recover its gradient
exactly up to rounding. RoI pooling is piecewise linear: away from ties a small
step never changes which cell wins, so the difference quotient is 0 or 1 per
output and matches the argmax routing.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import roi_utils as ru


def numerical_gradient(forward, data, out_grad, step):
    """d(sum(out_grad * forward(data))) / d(data) by central differences, in float64."""
    grad = np.zeros(data.shape)
    for index in np.ndindex(data.shape):
        bumped = data.astype(np.float64)
        bumped[index] += step
        up = float((forward(bumped).astype(np.float64) * out_grad).sum())
        bumped[index] -= 2 * step
        down = float((forward(bumped).astype(np.float64) * out_grad).sum())
        grad[index] = (up - down) / (2 * step)
    return grad


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 10**6), st.sampled_from([-1, 1, 2]), st.booleans())
def test_roi_align_backward_is_the_derivative(seed, ratio, aligned):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((2, 2, 5, 6)).astype(np.float32)
    xy = rng.uniform(-1, 5, (3, 2))
    rois = np.concatenate([rng.integers(0, 2, (3, 1)), xy, xy + rng.uniform(0.5, 4, (3, 2))], 1)
    out_grad = rng.standard_normal((3, 2, 2, 3)).astype(np.float32)
    params = dict(pooled_size=(2, 3), spatial_scale=1.0, sample_ratio=ratio, aligned=aligned)
    analytic = ru.roi_align_backward(out_grad, data, rois, **params)
    numeric = numerical_gradient(lambda d: ru.roi_align(d, rois, **params), data, out_grad, 0.25)
    np.testing.assert_allclose(analytic, numeric, atol=2e-5)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 10**6))
def test_roi_pool_backward_is_the_derivative_away_from_ties(seed):
    rng = np.random.default_rng(seed)
    data = rng.permutation(2 * 2 * 5 * 6).reshape(2, 2, 5, 6).astype(np.float32)  # no ties
    xy = rng.uniform(-1, 5, (3, 2))
    rois = np.concatenate([rng.integers(0, 2, (3, 1)), xy, xy + rng.uniform(0, 5, (3, 2))], 1)
    out_grad = rng.standard_normal((3, 2, 3, 2)).astype(np.float32)
    analytic = ru.roi_pool_backward(out_grad, data, rois, (3, 2), 1.0)
    # values are whole numbers at least 1 apart: a 0.25 step never changes a winner
    numeric = numerical_gradient(lambda d: ru.roi_pool(d, rois, (3, 2), 1.0), data, out_grad, 0.25)
    np.testing.assert_allclose(analytic, numeric, atol=1e-5)
