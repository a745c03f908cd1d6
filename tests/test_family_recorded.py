"""Chapter 8's operators against mxnet outputs recorded in the repo (no mxnet needed).

``scripts/record_oracle.py`` stores mxnet 1.9.1's answers for the seeded cases of
``scripts/oracle_cases.generate_family`` (and every call chapter 8's notebook
makes) in ``data/mxnet_recorded.npz``. PSROIPooling must match bit for bit.
RROIAlign matches bit for bit where the C library's ``cosf``/``sinf`` are the ones
mxnet was run with (glibc here); elsewhere to a few float32 ulps.
"""

from __future__ import annotations

import doctest
from collections import Counter

import numpy as np
import pytest

import roi_family as rf
import roi_oracle

CALLS = {k: c for k, c in roi_oracle.recorded_calls().items() if c["op"] in roi_oracle.FAMILY_OPERATORS}


def params_of(call):
    params = dict(call["params"])
    if "pooled_size" in params and isinstance(params["pooled_size"], list):
        params["pooled_size"] = tuple(params["pooled_size"])
    return params


def ours(call):
    op, params = call["op"], params_of(call)
    if op == "ps_roi_pool":
        return rf.ps_roi_pool(call["data"], call["rois"], **params)
    if op == "ps_roi_pool_backward":
        return rf.ps_roi_pool_backward(call["out_grad"], call["data"], call["rois"], **params)
    if op == "ps_roi_align":
        return rf.ps_roi_align(call["data"], call["rois"], **params)
    if op == "ps_roi_align_backward":
        return rf.ps_roi_align_backward(call["out_grad"], call["data"], call["rois"], **params)
    return rf.rotated_roi_align(call["data"], call["rois"], **params)


def test_recording_covers_every_family_operator():
    counts = Counter(call["op"] for call in CALLS.values())
    assert set(counts) == set(roi_oracle.FAMILY_OPERATORS), counts
    assert min(counts.values()) >= 100, counts


@pytest.mark.parametrize("key", sorted(CALLS))
def test_matches_recorded_mxnet(key):
    call = CALLS[key]
    got, want = ours(call), call["out"]
    if call["op"] in ("ps_roi_pool", "ps_roi_pool_backward"):
        np.testing.assert_array_equal(got, want)
    elif call["op"] == "rotated_roi_align":
        if rf._FLOAT_TRIG is not None:
            np.testing.assert_array_equal(got, want)
        else:
            scale = max(1.0, float(np.abs(call["data"]).max()))
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * scale)
    elif call["op"] == "ps_roi_align":
        scale = max(1.0, float(np.abs(call["data"]).max()))
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=4e-7 * scale)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6)


def test_recorded_params_use_mxnet_names():
    ops = {c["op"]: set(c["params"]) for c in CALLS.values()}
    assert ops["ps_roi_pool"] == {"spatial_scale", "output_dim", "pooled_size", "group_size"}
    assert ops["rotated_roi_align"] == {"pooled_size", "spatial_scale", "sampling_ratio"}


def test_oracle_answers_family_ops_from_the_recording(monkeypatch):
    monkeypatch.setattr(roi_oracle, "mxnet_module", lambda: None)
    call = next(c for c in CALLS.values() if c["op"] == "rotated_roi_align")
    answer = roi_oracle.mxnet_output("rotated_roi_align", call["data"], call["rois"], **params_of(call))
    assert not answer.live
    np.testing.assert_array_equal(answer.value, call["out"])


def test_module_examples():
    """roi_family's docstring examples (pytest's doctest collection does not list roi_family.py)."""
    result = doctest.testmod(rf)
    assert result.attempted >= 15 and result.failed == 0
