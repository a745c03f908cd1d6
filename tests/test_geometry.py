"""roi_utils' geometry for pictures agrees with the operators themselves (hypothesis hunts for a box
where a drawn edge and a computed number part)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import align_cases, pool_cases
from hypothesis import given, settings

import roi_utils as ru


@settings(max_examples=300, deadline=None)
@given(pool_cases())
def test_pool_bin_edges_hold_each_bins_maximum(case):
    data, rois, params = case
    pooled, scale = params["pooled_size"], params["spatial_scale"]
    h, w = data.shape[2:]
    values, argmax = ru.roi_pool_argmax(data, rois, pooled, scale)
    for r, roi in enumerate(rois):
        bins = ru.roi_pool_bins(roi, pooled, scale, (h, w))
        edges = ru.pool_bin_edges(bins)
        left, top, right, bottom = ru.pool_box_edges(bins)
        for i, j in np.ndindex(*pooled):
            x0, y0, x1, y1 = edges[i, j]
            assert (x1 <= x0 or y1 <= y0) == bool(bins.empty[i, j])
            for c in range(data.shape[1]):
                cell = int(argmax[r, c, i, j])
                if cell < 0:
                    continue
                row, col = divmod(cell, w)
                assert x0 < col < x1 and y0 < row < y1  # the winner's centre is inside its bin
                # and inside the rounded box, whose edges lie half a cell outside its end cells
                assert left < col < right and top < row < bottom


@settings(max_examples=300, deadline=None)
@given(align_cases())
def test_valid_samples_are_what_roi_align_averages(case):
    """On a map of ones every sample that reads the map contributes exactly 1 (its bilinear weights
    sum to 1, clamped at the edge too) and every other sample 0, so a bin's output is the share of
    its samples that ``align_valid_samples`` marks."""
    data, rois, params = case
    ones = np.ones_like(data)
    try:
        out = ru.roi_align(ones, rois, **params)
    except ValueError:  # an aligned box of zero size, or too many samples: refused, as mxnet would abort
        return
    for r, roi in enumerate(rois):
        if roi[0] < 0:
            continue
        samples = ru.roi_align_samples(roi, map_shape=data.shape[2:], **params)
        share = ru.align_valid_samples(samples).sum(axis=(2, 3)) / samples.count
        np.testing.assert_allclose(out[r, 0], share, rtol=1e-5, atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(align_cases())
def test_align_edges_hold_every_sample(case):
    data, rois, params = case
    for roi in rois:
        try:
            samples = ru.roi_align_samples(roi, map_shape=data.shape[2:], **params)
        except ValueError:
            continue
        left, top, right, bottom = ru.align_box_edges(samples)
        edges = ru.align_bin_edges(samples)
        ys, xs = samples.points()
        eps = 1e-3 * max(1.0, abs(left), abs(right), abs(top), abs(bottom))
        assert np.all((xs >= edges[:, :, None, None, 0] - eps) & (xs <= edges[:, :, None, None, 2] + eps))
        assert np.all((ys >= edges[:, :, None, None, 1] - eps) & (ys <= edges[:, :, None, None, 3] + eps))
        assert edges[0, 0, 0] == pytest.approx(left) and edges[-1, -1, 3] == pytest.approx(bottom, abs=eps)


def test_geometry_refuses_what_is_not_its_input():
    with pytest.raises(TypeError, match="bins must be a PoolBins"):
        ru.pool_bin_edges([0, 1, 2, 3])
    with pytest.raises(TypeError, match="samples must be an AlignSamples"):
        ru.align_box_edges(ru.roi_pool_bins([0, 0, 0, 1, 1], 1))
    with pytest.raises(ValueError):
        ru.pixel_box_edges([0, 1, 2, 3])
