"""Chapter 7's explorer: the model without widgets (its outputs are the frameworks' numbers, live ONNX
Runtime where installed), and the view headless (a control moves, the artists follow)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import roi_frameworks as rf
import roi_oracle
import roi_utils as ru
from roi_widgets.frameworks import FRAMEWORK_NAMES, FrameworksState, frameworks_snapshot


def test_state_validates_and_settles():
    with pytest.raises(ValueError, match="x1"):
        FrameworksState(x1=99.0)
    with pytest.raises(TypeError, match="ph"):
        FrameworksState(ph=1.5)
    with pytest.raises(ValueError, match="sampling_ratio"):
        FrameworksState(sampling_ratio=-1)
    assert FrameworksState(y1=3.0, y2=1.0).settled().y2 == 3.0


@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_every_status_line_reproduces_its_output(framework):
    from roi_widgets.frameworks import FrameworksExplorer

    state = FrameworksState(framework=framework, map_name="arange 6x6", x2=5.25, sampling_ratio=0)
    snap = frameworks_snapshot(state)
    pasted = eval(snap.call, {"ru": ru, "np": np, "explorer": FrameworksExplorer})
    np.testing.assert_array_equal(pasted, snap.result)
    np.testing.assert_array_equal(snap.outputs[FRAMEWORK_NAMES.index(framework)], snap.result)


def test_sample_points_are_the_operators_own():
    state = FrameworksState(sampling_ratio=2)
    snap = frameworks_snapshot(state)
    plain, shifted, crop = snap.points
    assert len(plain) == len(shifted) == 2 * 2 * 2 * 2 and len(crop) == 4
    np.testing.assert_allclose(shifted, plain - 0.5)  # the half-pixel shift, nothing else
    grid = rf.tf_crop_grid(state.tf_box(), (2, 2), (6, 6))
    assert crop[:, 0].min() == grid.in_x[0] and crop[:, 1].max() == grid.in_y[-1]


def test_onnx_outputs_agree_with_onnxruntime():
    state = FrameworksState(map_name="constant -10", sampling_ratio=1, x1=0.5, y1=0.5, x2=2.5, y2=2.5)
    snap = frameworks_snapshot(state)
    try:
        avg = roi_oracle.onnxruntime_output(
            "RoiAlign",
            snap.data,
            [[0.5, 0.5, 2.5, 2.5]],
            [0],
            output_height=2,
            output_width=2,
            sampling_ratio=1,
        )
        peak = roi_oracle.onnxruntime_output(
            "RoiAlign",
            snap.data,
            [[0.5, 0.5, 2.5, 2.5]],
            [0],
            mode="max",
            output_height=2,
            output_width=2,
            sampling_ratio=1,
        )
    except LookupError:
        pytest.skip("onnxruntime is not installed and this call is not recorded")
    np.testing.assert_allclose(snap.outputs[1], avg.value[0, 0], atol=1e-6)
    np.testing.assert_array_equal(snap.outputs[2], peak.value[0, 0])
    assert (snap.outputs[3] == -10).all()  # mmcv: the maximum of interpolated values


def test_problems_name_the_zero_size_box_and_extrapolation():
    flat = frameworks_snapshot(FrameworksState(x1=2.0, x2=2.0, sampling_ratio=0))
    assert any("zero-size" in p and "output 0" in p for p in flat.problems)
    assert (flat.outputs[1] == 0).all()
    off = frameworks_snapshot(FrameworksState(x1=-1.0, y1=-1.0))
    assert any("extrapolation" in p for p in off.problems)
    assert not frameworks_snapshot(FrameworksState()).problems


def test_snapshot_is_pure():
    state = FrameworksState(framework=FRAMEWORK_NAMES[2])
    a, b = frameworks_snapshot(state), frameworks_snapshot(state)
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        assert repr(x) == repr(y), field.name


def test_view_follows_the_controls():
    from roi_widgets import EXPLORERS

    explorer = EXPLORERS["frameworks"].build()
    explorer.x2.value = 5.0
    assert explorer.state.x2 == 5.0
    assert explorer.out_blocks[0].get_text() == explorer.snapshot.output_blocks[0]
    explorer.framework_choice.value = FRAMEWORK_NAMES[4]
    assert explorer.ax_outs[4].title.get_fontweight() == "bold"
    assert explorer.call().startswith("explorer.rf.tf_crop_and_resize(")
    explorer.ph.value = 3
    assert explorer.out_blocks[0].get_text().count("\n") == 2  # three rows of outputs
    assert explorer.snapshot.outputs[0].shape == (3, 2)
    np.testing.assert_array_equal(explorer.point_sets[1].get_offsets(), explorer.snapshot.points[1])
