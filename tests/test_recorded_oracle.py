"""The same comparison as test_mxnet_live, against mxnet outputs recorded in the repo.

``data/mxnet_recorded.npz`` is written by ``scripts/record_oracle.py`` (which calls
mxnet): seeded awkward cases for all five operators plus every call the notebooks
make. These tests never import mxnet, so they run on any machine.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

import roi_loops
import roi_oracle
import roi_utils as ru

CALLS = {  # chapter 8's operators are checked in test_family_recorded.py
    k: c for k, c in roi_oracle.recorded_calls().items() if c["op"] not in roi_oracle.FAMILY_OPERATORS
}
FORWARD = {"roi_pool": ru.roi_pool, "roi_align": ru.roi_align, "spp": ru.spp}
BACKWARD = {"roi_pool_backward": ru.roi_pool_backward, "roi_align_backward": ru.roi_align_backward}


def ours(call):
    params = dict(call["params"])
    if call["op"] == "spp":
        return ru.spp(call["data"], tuple(params["levels"]))
    params["pooled_size"] = tuple(params["pooled_size"])
    if call["op"] in BACKWARD:
        return BACKWARD[call["op"]](call["out_grad"], call["data"], call["rois"], **params)
    return FORWARD[call["op"]](call["data"], call["rois"], **params)


def test_recording_covers_every_operator():
    counts = Counter(call["op"] for call in CALLS.values())
    assert set(counts) == set(roi_oracle.OPERATORS) - set(roi_oracle.FAMILY_OPERATORS), counts
    assert min(counts.values()) >= 100, counts


def test_recorded_keys_match_their_inputs():
    """A stored call's key is the hash of its stored inputs, so lookups find the right output."""
    for key, call in list(CALLS.items())[:50]:
        params = call["params"]
        assert roi_oracle.call_key(call["op"], call["data"], call["rois"], call["out_grad"], **params) == key


@pytest.mark.parametrize("key", sorted(CALLS))
def test_matches_recorded_mxnet(key):
    call = CALLS[key]
    got, want = ours(call), call["out"]
    op = call["op"]
    if op in ("roi_pool", "spp"):
        np.testing.assert_array_equal(got, want)
    elif op == "roi_pool_backward":
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    elif op == "roi_align":
        live = call["rois"][:, 0] >= 0
        scale = max(1.0, float(np.abs(call["data"]).max()))
        np.testing.assert_allclose(got[live], want[live], rtol=2e-6, atol=4e-7 * scale)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("op", ["roi_align", "roi_align_backward"])
def test_kernel_order_loops_match_recorded_bit_for_bit(op):
    """roi_loops sums in the kernel's order, so it equals mxnet exactly (checked on 40 cases)."""
    cases = [c for c in CALLS.values() if c["op"] == op and c["data"].size <= 300][:40]
    assert cases
    for call in cases:
        params = {**call["params"], "pooled_size": tuple(call["params"]["pooled_size"])}
        if op == "roi_align":
            live = call["rois"][:, 0] >= 0
            got = roi_loops.roi_align_loop(call["data"], call["rois"][live], **params)
            np.testing.assert_array_equal(got, call["out"][live])
        else:
            got = roi_loops.roi_align_backward_loop(call["out_grad"], call["data"], call["rois"], **params)
            np.testing.assert_array_equal(got, call["out"])


def test_oracle_falls_back_to_the_recording(monkeypatch):
    """With mxnet hidden, mxnet_output answers from the recording and says so."""
    monkeypatch.setenv(roi_oracle.HIDE_ENV, "1")
    roi_oracle.mxnet_module.cache_clear()
    try:
        key, call = next((k, c) for k, c in CALLS.items() if c["op"] == "roi_pool")
        answer = roi_oracle.mxnet_output("roi_pool", call["data"], call["rois"], **call["params"])
        assert not answer.live and "recorded" in answer.source
        np.testing.assert_array_equal(answer.value, call["out"])
        with pytest.raises(LookupError, match="record_oracle.py"):
            roi_oracle.mxnet_output("roi_pool", call["data"] + 1, call["rois"], **call["params"])
        assert "not installed" in roi_oracle.status_line()
    finally:
        monkeypatch.delenv(roi_oracle.HIDE_ENV)
        roi_oracle.mxnet_module.cache_clear()


def test_params_are_stored_as_json():
    call = next(iter(CALLS.values()))
    assert json.loads(json.dumps(call["params"])) == call["params"]


def test_module_examples_run_from_the_recording(monkeypatch):
    """roi_oracle's docstring examples pass where mxnet is missing (they read the recording)."""
    import doctest

    monkeypatch.setattr(roi_oracle, "mxnet_module", lambda: None)
    result = doctest.testmod(roi_oracle, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
