"""Chapter 8's operators against live mxnet 1.9.1, by hypothesis.

``ps_roi_pool`` (and its backward) and ``rotated_roi_align`` must match ``contrib.PSROIPooling``
and ``contrib.RROIAlign`` bit for bit; ``ps_roi_align`` (and its backward) match
``contrib.ROIAlign(position_sensitive=True)`` to float32 rounding, as
``roi_align`` does. CI runs a fixed set of cases per operator (derandomized);
for a deeper hunt with fresh cases:

    ROI_HYPOTHESIS_EXAMPLES=3000 pytest tests/test_family_mxnet.py

The last tests run mxnet in a subprocess on the inputs ``roi_family`` refuses,
to show why it refuses them: mxnet aborts the process or returns garbage.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import SCALES, boxes, coordinate, requires_mxnet
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import roi_family as rf
import roi_oracle

pytestmark = [requires_mxnet, pytest.mark.mxnet]

DEEPER = os.environ.get("ROI_HYPOTHESIS_EXAMPLES")
EXAMPLES = int(DEEPER) if DEEPER else 300
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not DEEPER,
)


def mxnet(op, data, rois=None, out_grad=None, **params):
    return roi_oracle.mxnet_output(op, data, rois, out_grad, **params).value


@st.composite
def feature_map(draw, channels, max_batch=2, max_side=9):
    n = draw(st.integers(1, max_batch))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["normal", "ties", "ramp"]))
    shape = (n, channels, h, w)
    if kind == "normal":
        data = rng.standard_normal(shape)
    elif kind == "ties":
        data = rng.integers(-2, 3, shape)
    else:
        data = np.arange(np.prod(shape)).reshape(shape) % 7
    return data.astype(np.float32)


@st.composite
def pixel_corner(draw, size, scale):
    """Image-pixel corners, often on exact halves (PSROIPooling rounds in image pixels)."""
    if draw(st.booleans()):
        return draw(st.integers(int(-size / scale) - 3, int(2 * size / scale) + 3)) + 0.5
    return draw(coordinate(size, scale))


@st.composite
def ps_pool_cases(draw):
    k = draw(st.integers(1, 4))
    group = draw(st.sampled_from([0, 1, 2, 3, k, k + 1]))
    dim = draw(st.integers(1, 3))
    scale = draw(st.sampled_from(SCALES))
    data = draw(feature_map(dim * (group or k) ** 2))
    n, _, h, w = data.shape
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        x1, x2 = draw(pixel_corner(w, scale)), draw(pixel_corner(w, scale))
        y1, y2 = draw(pixel_corner(h, scale)), draw(pixel_corner(h, scale))
        rows.append([draw(st.integers(0, n - 1)), x1, y1, x2, y2])
    params = {"spatial_scale": scale, "output_dim": dim, "pooled_size": k, "group_size": group}
    return data, np.array(rows, np.float32), params


@st.composite
def ps_align_cases(draw):
    pooled = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    data = draw(feature_map(draw(st.integers(1, 3)) * pooled[0] * pooled[1]))
    scale = draw(st.sampled_from(SCALES))
    rois = draw(boxes(data, scale))
    params = {
        "pooled_size": pooled,
        "spatial_scale": scale,
        "sample_ratio": draw(st.sampled_from([-1, 0, 1, 2, 3])),
        "aligned": draw(st.booleans()),
    }
    return data, rois, params


ANGLES = st.one_of(
    st.sampled_from([0.0, 30.0, 45.0, 90.0, -90.0, 180.0, -180.0, 270.0, 360.0, -45.0, 1e-3]),
    st.floats(-720, 720, width=32),
)


@st.composite
def rotated_cases(draw):
    data = draw(feature_map(draw(st.integers(1, 3))))
    n, _, h, w = data.shape
    scale = draw(st.sampled_from(SCALES))
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        cx, cy = draw(coordinate(w, scale)), draw(coordinate(h, scale))
        low, high = np.float32(-1 / scale), np.float32(1.5 * max(h, w) / scale)
        side = st.floats(float(low), float(high), width=32)
        rows.append([draw(st.integers(0, n - 1)), cx, cy, draw(side), draw(side), draw(ANGLES)])
    params = {
        "pooled_size": (draw(st.integers(1, 4)), draw(st.integers(1, 4))),
        "spatial_scale": scale,
        "sampling_ratio": draw(st.sampled_from([-1, 0, 1, 2, 3])),
    }
    return data, np.array(rows, np.float32), params


def assert_align_close(ours, theirs, data):
    scale = max(1.0, float(np.abs(data).max()))
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=4e-7 * scale)


@SETTINGS
@given(ps_pool_cases())
def test_ps_roi_pool_bit_for_bit(case):
    data, rois, params = case
    np.testing.assert_array_equal(
        rf.ps_roi_pool(data, rois, **params), mxnet("ps_roi_pool", data, rois, **params)
    )


@SETTINGS
@given(ps_pool_cases(), st.integers(0, 2**32 - 1))
def test_ps_roi_pool_backward_bit_for_bit(case, seed):
    data, rois, params = case
    shape = (len(rois), params["output_dim"], params["pooled_size"], params["pooled_size"])
    out_grad = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    expected = mxnet("ps_roi_pool_backward", data, rois, out_grad, **params)
    np.testing.assert_array_equal(rf.ps_roi_pool_backward(out_grad, data, rois, **params), expected)


def ps_align_or_reject(data, rois, params):
    try:
        return rf.ps_roi_align(data, rois, **params)
    except ValueError:  # an aligned box of no size: mxnet would abort the process
        assume(False)


@SETTINGS
@given(ps_align_cases())
def test_ps_roi_align(case):
    data, rois, params = case
    ours = ps_align_or_reject(data, rois, params)
    assert_align_close(ours, mxnet("ps_roi_align", data, rois, **params), data)


@SETTINGS
@given(ps_align_cases(), st.integers(0, 2**32 - 1))
def test_ps_roi_align_backward(case, seed):
    data, rois, params = case
    forward = ps_align_or_reject(data, rois, params)
    out_grad = np.random.default_rng(seed).standard_normal(forward.shape).astype(np.float32)
    expected = mxnet("ps_roi_align_backward", data, rois, out_grad, **params)
    ours = rf.ps_roi_align_backward(out_grad, data, rois, **params)
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=2e-6)


@SETTINGS
@given(rotated_cases())
def test_rotated_roi_align_bit_for_bit(case):
    data, rois, params = case
    ours = rf.rotated_roi_align(data, rois, **params)
    np.testing.assert_array_equal(ours, mxnet("rotated_roi_align", data, rois, **params))


# ---------------------------------------------------------------------------
# Why roi_family refuses what it refuses: mxnet itself, in a throw-away process
# ---------------------------------------------------------------------------


def run_mxnet(code: str) -> subprocess.CompletedProcess:
    script = "import mxnet as mx, numpy as np\nnd = mx.nd\n" + code
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)


def died(result: subprocess.CompletedProcess) -> bool:
    """The process was killed (abort, segfault) rather than raising a Python exception."""
    return result.returncode not in (0, 1) and "Traceback" not in result.stderr


@pytest.mark.slow
def test_mxnet_aborts_or_reads_garbage_where_roi_family_refuses():
    nan_angle = run_mxnet(
        "nd.contrib.RROIAlign(nd.ones((1, 1, 4, 4)), nd.array([[0, 1, 1, 2, 2, float('nan')]]),"
        " pooled_size=(2, 2), spatial_scale=1.0).wait_to_read()"
    )
    assert died(nan_angle)  # a segfault or an abort, not a Python exception
    with pytest.raises(ValueError, match="angle"):
        rf.rotated_roi_align(np.ones((1, 1, 4, 4)), [[0, 1, 1, 2, 2, np.nan]], 2)
    flat_aligned = run_mxnet(
        "nd.contrib.ROIAlign(nd.ones((1, 4, 4, 4)), nd.array([[0, 1, 1, 1, 1]]), pooled_size=(2, 2),"
        " spatial_scale=1.0, aligned=True, position_sensitive=True).wait_to_read()"
    )
    assert died(flat_aligned)
    no_gradient = run_mxnet(
        "x = nd.ones((1, 1, 4, 4)); x.attach_grad()\n"
        "with mx.autograd.record():\n"
        "    y = nd.contrib.RROIAlign(x, nd.array([[0, 1, 1, 2, 2, 30]]), pooled_size=(2, 2),"
        " spatial_scale=1.0)\n"
        "y.backward()"
    )
    assert no_gradient.returncode == 1 and "non-differentiable" in no_gradient.stderr
    few_channels = run_mxnet(
        "x = nd.ones((1, 4, 4, 4))\n"
        "out = nd.contrib.PSROIPooling(x, nd.array([[0, 0, 0, 3, 3]]), spatial_scale=1.0, output_dim=4,"
        " pooled_size=2).asnumpy()\n"
        "print(out.shape, float(out.sum()))"
    )
    # 4 channels where 4 * 2**2 = 16 are read: mxnet returns an answer anyway (past the end of data)
    assert few_channels.returncode == 0 and "(1, 4, 2, 2)" in few_channels.stdout
