"""roi_frameworks: golden cases, bad input, and the recorded outputs of ONNX Runtime, torchvision and
TensorFlow (so every comparison also runs where none of them is installed).

``data/onnxruntime_recorded.npz`` is written by ``scripts/record_onnx.py`` (which calls ONNX
Runtime), ``data/frameworks_recorded.npz`` by ``scripts/record_frameworks.py`` run by hand in a
torchvision and a TensorFlow environment. These tests import neither.
"""

from __future__ import annotations

import doctest
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import roi_frameworks as rf
import roi_oracle
import roi_utils as ru

ROOT = Path(__file__).resolve().parent.parent
ARANGE = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
ORT_CALLS = roi_oracle.onnxruntime_recorded_calls()


def test_module_examples():
    result = doctest.testmod(rf)
    assert result.attempted >= 15 and result.failed == 0


# ---------------------------------------------------------------------------
# Golden cases, each checked by hand
# ---------------------------------------------------------------------------


def test_onnx_avg_is_roi_utils_with_the_mapped_settings():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 6, 7)).astype(np.float32)
    rows = np.array([[1, 0.5, 1.25, 5.5, 4.0], [0, 2, 2, 9, 3]], np.float32)
    for ctm, aligned in (("half_pixel", True), ("output_half_pixel", False)):
        for ratio in (0, 1, 2):
            ours = rf.onnx_roi_align(
                x,
                rows[:, 1:],
                rows[:, 0].astype(int),
                output_height=2,
                output_width=3,
                sampling_ratio=ratio,
                spatial_scale=0.5,
                coordinate_transformation_mode=ctm,
            )
            expected = ru.roi_align(x, rows, (2, 3), 0.5, ratio or -1, aligned)
            np.testing.assert_array_equal(ours, expected)


def test_onnx_max_is_the_largest_weighted_corner():
    constant = np.full((1, 1, 4, 4), -10, np.float32)
    # one sample at (1, 1) midway between four cells: each corner weighs 1/4
    midway = rf.onnx_roi_align(constant, [[0.5, 0.5, 1.5, 1.5]], [0], mode="max", sampling_ratio=1)
    assert midway.item() == -2.5
    # a sample on a cell centre: three corners weigh 0, and -0 beats -10
    assert rf.onnx_roi_align(constant, [[1, 1, 2, 2]], [0], mode="max", sampling_ratio=1).item() == 0
    # the maximum of the interpolated values would be -10 (mmcv's max mode)
    assert rf.mmcv_roi_align(constant, [[0, 0, 0, 3, 3]], 1, sampling_ratio=2, pool_mode="max").item() == -10


def test_half_pixel_degenerate_boxes():
    # zero width, fixed ratio: the sample sits at x = 1 - 0.5, y = 1.5 - 0.5 -> value at (1, 0.5) = 4.5
    assert rf.onnx_roi_align(ARANGE, [[1, 1, 1, 2]], [0], sampling_ratio=1).item() == 4.5
    # adaptive sampling takes ceil(0) = 0 samples: 0, where roi_utils (and mxnet) refuse
    assert rf.onnx_roi_align(ARANGE, [[1, 1, 1, 3]], [0]).item() == 0
    with pytest.raises(ValueError, match="aligned=True"):
        ru.roi_align(ARANGE, [[0, 1, 1, 1, 3]], 1, aligned=True)
    # reversed along one axis only, adaptive: a negative grid, which ORT and torchvision fail on
    with pytest.raises(ValueError, match="integer overflow"):
        rf.onnx_roi_align(ARANGE, [[3, 0, 0.5, 3]], [0])
    with pytest.raises(ValueError, match="non-negative size"):
        rf.mmcv_roi_align(ARANGE, [[0, 3, 0, 0.5, 3]], 1)
    assert rf.mmcv_roi_align(ARANGE, [[0, 1, 1, 1, 2]], 1, sampling_ratio=1).item() == 4.5


def test_max_roi_pool_nan_rule():
    x = ARANGE.copy()
    x[0, 0, 0, 0] = np.nan  # first cell of bin (0, 0): the maximum restarts after it
    assert rf.onnx_max_roi_pool(x, [[0, 0, 0, 2, 2]], pooled_shape=2)[0, 0].tolist() == [[5, 6], [9, 10]]
    x[0, 0, 1, 0] = np.nan  # NaN, 1, NaN, 5: only the 5 after the last NaN counts
    assert rf.onnx_max_roi_pool(x, [[0, 0, 0, 1, 1]], pooled_shape=1).item() == 5
    # mxnet (roi_utils) skips NaN: 1 and 5 compete
    assert ru.roi_pool(x, [[0, 0, 0, 1, 1]], 1).item() == 5
    y = np.full((1, 1, 2, 2), -np.inf, np.float32)
    y[0, 0, 0, 0] = np.nan
    assert rf.onnx_max_roi_pool(y, [[0, 0, 0, 1, 1]], pooled_shape=1).item() == -np.inf
    assert ru.roi_pool(y, [[0, 0, 0, 1, 1]], 1).item() == -ru.FLT_MAX


def test_crop_and_resize_rules():
    img = ARANGE.transpose(0, 2, 3, 1)
    crop = rf.tf_crop_and_resize
    assert crop(img, [[0, 0, 1, 1]], [0], (1, 1)).item() == 7.5  # one cell: the box's centre
    assert crop(img, [[1, 0, 0, 1]], [0], (2, 2))[0, :, :, 0].tolist() == [[12, 15], [0, 3]]  # flipped
    assert crop(img, [[-1, 0, 1, 1]], [0], (3, 1), extrapolation_value=-7)[0, :, 0, 0].tolist() == [
        -7,
        1.5,
        13.5,
    ]
    # nearest rounds halves away from zero: 1.5 -> row 2, column 2
    assert crop(img, [[0.5, 0.5, 0.5, 0.5]], [0], (1, 1), method="nearest").item() == 10
    g = rf.tf_crop_grid([0, 0, 1, 1], (14, 14), (4, 4))
    assert g.in_y[0] == 0 and g.in_y[-1] == 3  # both ends are cell centres


def test_crop_boxes_sample_where_roi_align_does():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 9, 11)).astype(np.float32)
    roi = [0, 4, 3, 15, 13]  # well inside the map at scale 1/2
    for ratio in (1, 2, 3):
        boxes, size = rf.roi_align_crop_boxes([roi], (3, 2), 0.5, (9, 11), ratio)
        grid = rf.tf_crop_grid(boxes[0], size, (9, 11))
        samples = ru.roi_align_samples(roi, (3, 2), 0.5, ratio, True, (9, 11))
        np.testing.assert_allclose(grid.in_y, samples.y.coord.ravel(), atol=2e-6)
        np.testing.assert_allclose(grid.in_x, samples.x.coord.ravel(), atol=2e-6)
        crops = rf.tf_crop_and_resize(x.transpose(0, 2, 3, 1), boxes, [0], size)[0]
        averaged = crops.reshape(3, ratio, 2, ratio, 2).mean(axis=(1, 3)).transpose(2, 0, 1)
        np.testing.assert_allclose(averaged, ru.roi_align(x, [roi], (3, 2), 0.5, ratio, True)[0], atol=1e-5)


def test_object_detection_crop_is_crop_then_max_pool():
    f = np.random.default_rng(5).standard_normal((1, 9, 9, 2)).astype(np.float32)
    crops = rf.tf_crop_and_resize(f, [[0.1, 0.2, 0.9, 0.7]], [0], (14, 14))
    expected = crops.reshape(1, 7, 2, 7, 2, 2).max(axis=(2, 4))
    np.testing.assert_array_equal(rf.tf_object_detection_crop(f, [[0.1, 0.2, 0.9, 0.7]], [0]), expected)


def test_same_box_table_agrees_inside_the_map():
    x = np.random.default_rng(1).standard_normal((1, 1, 8, 8)).astype(np.float32)
    rows = rf.same_box(x, [0, 2, 1.5, 11, 9], (2, 2), 0.5, 2, True)
    assert [r.framework for r in rows] == [name for name, _ in rf.FRAMEWORKS]
    for row in rows[1:]:
        np.testing.assert_allclose(row.values, rows[0].values, atol=1e-5, err_msg=row.framework)


def test_torchvision_and_detectron2_defaults_differ():
    box = [[0, 0, 0, 2, 2]]
    plain = rf.torchvision_roi_align(ARANGE, box, 1)
    assert plain.item() == ru.roi_align(ARANGE, box, 1).item()
    assert (
        rf.detectron2_roi_align(ARANGE, box, 1, 1.0, 0).item()
        == ru.roi_align(ARANGE, box, 1, aligned=True).item()
    )


# ---------------------------------------------------------------------------
# Bad input: a clear error naming the argument, inputs untouched
# ---------------------------------------------------------------------------

IMG = ARANGE.transpose(0, 2, 3, 1)
BAD_CALLS = [
    (lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 2, 2]], [1]), ValueError, "batch_indices"),
    (lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 2, 2]], [-1]), ValueError, "batch_indices"),
    (lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 2, 2]], [0.0]), TypeError, "batch_indices"),
    (lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 2, 2]], [0, 0]), ValueError, "batch_indices"),
    (lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 0, 2, 2]], [0]), ValueError, "rois"),
    (lambda: rf.onnx_roi_align(ARANGE, [[0, np.nan, 2, 2]], [0]), ValueError, "rois"),
    (lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 2, 2]], [0], mode="mean"), ValueError, "mode"),
    (lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 2, 2]], [0], sampling_ratio=-1), ValueError, "sampling_ratio"),
    (lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 2, 2]], [0], output_height=0), ValueError, "pooled_size"),
    (
        lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 2, 2]], [0], coordinate_transformation_mode="asymmetric"),
        ValueError,
        "coordinate_transformation_mode",
    ),
    (lambda: rf.onnx_roi_align(ARANGE, [[0, 0, 2, 2]], [0], spatial_scale=0), ValueError, "spatial_scale"),
    (lambda: rf.onnx_roi_align(ARANGE * np.nan, [[0, 0, 2, 2]], [0]), ValueError, "X"),
    (lambda: rf.onnx_roi_align("map", [[0, 0, 2, 2]], [0]), TypeError, "X"),
    (lambda: rf.onnx_max_roi_pool(ARANGE, [[0, 0, 2, 2]], pooled_shape=2), ValueError, "rois"),
    (lambda: rf.onnx_max_roi_pool(ARANGE, [[0.5, 0, 0, 2, 2]], pooled_shape=2), ValueError, "batch index"),
    (lambda: rf.onnx_max_roi_pool(ARANGE, [[0, 0, 0, 2, 2]], pooled_shape=(2, 0)), ValueError, "pooled_size"),
    (lambda: rf.torchvision_roi_align(ARANGE, [[0, 0, 2, 2]], 2), ValueError, "boxes"),
    (lambda: rf.torchvision_roi_align(ARANGE, [[0, 0, 0, 2, 2]], 2, aligned=1), TypeError, "aligned"),
    (lambda: rf.mmcv_roi_align(ARANGE, [[0, 0, 0, 2, 2]], 2, pool_mode="sum"), ValueError, "pool_mode"),
    (lambda: rf.tf_crop_and_resize(ARANGE[0], [[0, 0, 1, 1]], [0], (2, 2)), ValueError, "image"),
    (lambda: rf.tf_crop_and_resize(IMG, [[0, 0, 1, 1]], [0], 2), TypeError, "crop_size"),
    (lambda: rf.tf_crop_and_resize(IMG, [[0, 0, 1, 1]], [0], (2, 0)), ValueError, "crop_size"),
    (lambda: rf.tf_crop_and_resize(IMG, [[0, 0, 1, np.inf]], [0], (2, 2)), ValueError, "boxes"),
    (lambda: rf.tf_crop_and_resize(IMG, [[0, 0, 1, 1]], [3], (2, 2)), ValueError, "box_indices"),
    (lambda: rf.tf_crop_and_resize(IMG, [[0, 0, 1, 1]], [0], (2, 2), method="area"), ValueError, "method"),
    (
        lambda: rf.tf_crop_and_resize(IMG, [[0, 0, 1, 1]], [0], (2, 2), extrapolation_value="0"),
        TypeError,
        "extrapolation_value",
    ),
    (lambda: rf.tf_object_detection_crop(IMG, [[0, 0, 1, 1]], [0], 2, 3), ValueError, "maxpool_kernel_size"),
    (lambda: rf.roi_align_crop_boxes([[0, 0, 0, 2, 2]], 2, 1.0, (1, 4)), ValueError, "map_shape"),
    (lambda: rf.onnx_roi_align_samples([0, 0, 2], map_shape=(4, 4)), ValueError, "roi"),
    (lambda: rf.same_box(ARANGE, [0, 0, 0, 2, 2], 2, sample_ratio=1.5), TypeError, "sample_ratio"),
]


@pytest.mark.parametrize("call, kind, name", BAD_CALLS, ids=[str(i) for i in range(len(BAD_CALLS))])
def test_bad_input_is_named(call, kind, name):
    with pytest.raises(kind, match=name):
        call()


def test_inputs_are_not_modified():
    x = np.random.default_rng(2).standard_normal((1, 2, 5, 5)).astype(np.float32)
    x[0, 0, 2, 2] = np.nan
    rois = np.array([[0, 0, 0, 4, 4]], np.float32)
    kept = x.copy(), rois.copy()
    rf.onnx_max_roi_pool(x, rois, pooled_shape=2)
    finite = np.nan_to_num(x)
    rf.onnx_roi_align(finite, rois[:, 1:], np.array([0]), mode="max", sampling_ratio=2)
    rf.tf_crop_and_resize(finite.transpose(0, 2, 3, 1), [[0, 0, 1, 1]], [0], (3, 3))
    np.testing.assert_array_equal(x, kept[0])
    np.testing.assert_array_equal(rois, kept[1])


# ---------------------------------------------------------------------------
# The recordings
# ---------------------------------------------------------------------------


def ours_for_ort(call):
    attributes = dict(call["params"]["attributes"])
    if call["op"] == "MaxRoiPool":
        return rf.onnx_max_roi_pool(call["X"], call["rois"], **attributes)
    attributes.setdefault("coordinate_transformation_mode", "output_half_pixel")  # opset 10
    return rf.onnx_roi_align(call["X"], call["rois"], call["batch_indices"], **attributes)


def test_onnxruntime_recording_covers_both_operators_and_every_mode():
    seen = Counter()
    for call in ORT_CALLS.values():
        a = call["params"]["attributes"]
        seen[call["op"], a.get("mode"), a.get("coordinate_transformation_mode"), call["params"]["opset"]] += 1
    assert seen["MaxRoiPool", None, None, 16] >= 150
    for mode in ("avg", "max"):
        for ctm in ("half_pixel", "output_half_pixel"):
            assert seen["RoiAlign", mode, ctm, 16] >= 20, seen
        assert seen["RoiAlign", mode, None, 10] >= 3, seen


def test_matches_recorded_onnxruntime():
    """Every recorded ONNX Runtime answer (and refusal), reproduced without ONNX Runtime."""
    failures, compared = [], 0
    for key, call in ORT_CALLS.items():
        try:
            ours = ours_for_ort(call)
        except ValueError as error:
            if "error" not in call:
                failures.append(f"{key}: we refuse ({error}), ORT answered")
            continue
        if "error" in call:
            failures.append(f"{key}: ORT refused ({call['error']}), we answered")
            continue
        compared += 1
        if call["op"] == "MaxRoiPool":
            same = np.array_equal(ours, call["out"], equal_nan=True)
        else:
            scale = max(1.0, float(np.abs(call["X"]).max()))
            same = np.allclose(ours, call["out"], rtol=2e-6, atol=4e-7 * scale)
        if not same:
            failures.append(f"{key}: {call['op']} {call['params']} differs")
    assert compared >= 350 and not failures, failures[:5]


def test_oracle_falls_back_to_the_ort_recording(monkeypatch):
    monkeypatch.setenv(roi_oracle.ORT_HIDE_ENV, "1")
    roi_oracle.onnxruntime_module.cache_clear()
    try:
        assert not roi_oracle.onnxruntime_available()
        assert "not installed" in roi_oracle.onnxruntime_status_line()
        key, call = next((k, c) for k, c in ORT_CALLS.items() if c["op"] == "RoiAlign" and "out" in c)
        opset, attributes = call["params"]["opset"], call["params"]["attributes"]
        answer = roi_oracle.onnxruntime_output(
            "RoiAlign", call["X"], call["rois"], call["batch_indices"], opset=opset, **attributes
        )
        assert not answer.live and "recorded" in answer.source
        np.testing.assert_array_equal(answer.value, call["out"])
        with pytest.raises(LookupError, match="record_onnx.py"):
            roi_oracle.onnxruntime_output(
                "RoiAlign", call["X"] + 1, call["rois"], call["batch_indices"], opset=opset, **attributes
            )
        refused = next(c for c in ORT_CALLS.values() if "error" in c)
        with pytest.raises(roi_oracle.OnnxRuntimeRejected):
            roi_oracle.onnxruntime_output(
                refused["op"],
                refused["X"],
                refused["rois"],
                refused.get("batch_indices"),
                opset=refused["params"]["opset"],
                **refused["params"]["attributes"],
            )
    finally:
        monkeypatch.delenv(roi_oracle.ORT_HIDE_ENV)
        roi_oracle.onnxruntime_module.cache_clear()


def test_ort_call_keys_match_their_inputs():
    for key, call in list(ORT_CALLS.items())[:40]:
        p = call["params"]
        assert (
            roi_oracle.onnxruntime_call_key(
                call["op"],
                call["X"],
                call["rois"],
                call.get("batch_indices"),
                opset=p["opset"],
                **p["attributes"],
            )
            == key
        )


def test_oracle_refuses_unknown_attributes_and_opsets():
    with pytest.raises(TypeError, match="unexpected attributes"):
        roi_oracle.onnxruntime_call_key("RoiAlign", ARANGE, [[0, 0, 1, 1]], [0], aligned=True)
    with pytest.raises(TypeError, match="unexpected attributes"):
        roi_oracle.onnxruntime_call_key(
            "RoiAlign", ARANGE, [[0, 0, 1, 1]], [0], opset=10, coordinate_transformation_mode="half_pixel"
        )
    with pytest.raises(ValueError, match="opset"):
        roi_oracle.onnxruntime_call_key("MaxRoiPool", ARANGE, [[0, 0, 0, 1, 1]], opset=22, pooled_shape=1)


def torchvision_ours(call):
    p = call["params"]
    size = tuple(p["output_size"])
    if call["fn"] == "roi_pool":
        return rf.torchvision_roi_pool(call["input"], call["boxes"], size, p["spatial_scale"])
    return rf.torchvision_roi_align(
        call["input"], call["boxes"], size, p["spatial_scale"], p["sampling_ratio"], p["aligned"]
    )


def tensorflow_ours(call):
    p = call["params"]
    if call["fn"] == "object_detection_crop":
        return rf.tf_object_detection_crop(
            call["image"], call["boxes"], call["box_indices"], p["crop_size"][0], p["maxpool"], p["maxpool"]
        )
    return rf.tf_crop_and_resize(
        call["image"],
        call["boxes"],
        call["box_indices"],
        tuple(p["crop_size"]),
        p["method"],
        p["extrapolation_value"],
    )


@pytest.mark.parametrize(
    "framework, ours, minimum", [("torchvision", torchvision_ours, 390), ("tensorflow", tensorflow_ours, 290)]
)
def test_matches_recorded_framework(framework, ours, minimum):
    """torchvision's roi_align (to float32 rounding) and roi_pool (bit for bit, NaN maps included), and
    TensorFlow's crop_and_resize and crop + max pool (bit for bit), as recorded from the real thing."""
    calls = roi_oracle.framework_recordings(framework)
    failures, compared = [], 0
    for i, call in enumerate(calls):
        try:
            got = ours(call)
        except ValueError as error:
            if "error" not in call:
                failures.append(f"{i}: we refuse ({error}), {framework} answered")
            continue
        if "error" in call:
            failures.append(f"{i}: {framework} refused ({call['error']}), we answered")
            continue
        compared += 1
        want = call["out"]
        if call["fn"] == "roi_align":
            scale = max(1.0, float(np.abs(call["input"]).max()))
            same = np.allclose(got, want, rtol=2e-6, atol=4e-7 * scale)
        else:
            same = np.array_equal(got, want, equal_nan=True)
        if not same:
            failures.append(f"{i}: {call['fn']} {call['params']} differs")
    assert compared >= minimum and not failures, failures[:5]


@pytest.mark.slow
def test_the_notebook_runners_hidden_run_hides_onnxruntime_too(tmp_path):
    """tests/test_notebooks.py runs every notebook with hide_mxnet=True: ORT must be hidden as well."""
    import sys

    import nbformat

    sys.path.insert(0, str(ROOT / "scripts"))
    from notebook_runner import execute

    path = tmp_path / "probe.ipynb"
    cell = nbformat.v4.new_code_cell("import os; print(os.environ.get('ROI_ORACLE_HIDE_ORT'))")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    executed = execute(path, hide_mxnet=True)
    assert executed.cells[0].outputs[0]["text"].strip() == "1"


def test_same_pool_box_rows_agree_with_roi_pool():
    x = np.random.default_rng(4).standard_normal((1, 2, 7, 7)).astype(np.float32)
    rows = rf.same_pool_box(x, [0, 0.5, 1.5, 5.5, 4.5], (2, 3), 1.0)
    expected = ru.roi_pool(x, [[0, 0.5, 1.5, 5.5, 4.5]], (2, 3))[0, 0]
    assert [r.framework for r in rows] == [
        "mxnet 1.9.1",
        "ONNX Runtime 1.32",
        "torchvision 0.29",
        "Detectron2",
    ]
    for row in rows:
        np.testing.assert_array_equal(row.values, expected)
