"""Chapter 2: the photo backbone, the image explorer, and the exercises."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import roi_images as ri  # noqa: E402
import roi_utils as ru  # noqa: E402
from roi_exercises.ch2 import BOX, MAP_SHAPE, exercises  # noqa: E402
from roi_widgets.image import STAGES, STRIDES, ImageExplorer  # noqa: E402


@pytest.mark.parametrize("stride", [8, 16, 32])
def test_feature_map_geometry(stride):
    photo = ri.load_photo()
    fmap = ri.feature_map(photo, stride)
    assert fmap.shape == (1, len(ri.FILTERS), photo.shape[0] // stride, photo.shape[1] // stride)
    assert fmap.dtype == np.float32 and (fmap >= 0).all()  # after ReLU
    np.testing.assert_array_equal(fmap, ri.feature_map(photo, stride))  # deterministic


def test_backbone_pieces():
    plane = np.zeros((5, 5), np.float32)
    plane[:, 3:] = 1
    edges = ri.conv3x3(plane, ri.FILTERS["vertical edges"])
    assert edges[2, 2] > 0 and edges[2, 0] == 0  # a left-to-right brightening
    assert ri.max_pool2(np.arange(25.0).reshape(5, 5)).shape == (2, 2)
    with pytest.raises(ValueError, match="stride"):
        ri.feature_map(ri.load_photo(), 12)
    photo = ri.load_photo()
    photo[:] = 0
    assert ri.load_photo().any()  # the cached photo is never modified


def test_rounding_areas_use_roi_pool_bins():
    for roi in ([0, 40, 40, 200, 120], [0, 8, 8, 23, 23], BOX):
        a = ri.rounding_areas(roi, 1 / 16, MAP_SHAPE)
        b = ru.roi_pool_bins(roi, 1, 1 / 16, MAP_SHAPE)
        assert a["rounded"] == b.roi_width * b.roi_height * 256
        assert a["box"] == (roi[3] - roi[1] + 1) * (roi[4] - roi[2] + 1)
        assert a["box"] - a["lost"] == a["rounded"] - a["gained"] == a["overlap"]


def check_view(view: ImageExplorer):
    fmap = view.feature_map()
    expected = ru.roi_pool(fmap, view.rois(), view.pooled_size(), view.spatial_scale)[0, view.channel_index()]
    np.testing.assert_array_equal(view.output_values(), expected)
    bins = ru.roi_pool_bins(view.rois()[0], view.pooled_size(), view.spatial_scale, fmap.shape[2:])
    xs, ys = view.rounded_box.get_data()
    assert (min(xs), max(xs)) == (bins.roi_start_w - 0.5, bins.roi_end_w + 0.5)
    assert (min(ys), max(ys)) == (bins.roi_start_h - 0.5, bins.roi_end_h + 0.5)
    assert len(view.bin_patches.get_paths()) == int((~bins.empty).sum())
    areas = ri.rounding_areas(view.rois()[0], view.spatial_scale, fmap.shape[2:])
    assert f"{areas['rounded']:.0f}" in view.area_text.get_text()
    assert view.call() in view.status.value


def test_explorer_draws_roi_utils_results():
    view = ImageExplorer()
    check_view(view)
    view.x2.value = 500
    check_view(view)


def test_sweep_all_controls():
    view = ImageExplorer()
    for stride, channel in itertools.product(STRIDES, ("vertical edges", "brightness")):
        view.stride.value, view.channel.value = stride, channel
        for control in (view.x1, view.y1, view.x2, view.y2, view.ph, view.pw):
            for value in range(
                control.slider.min,
                control.slider.max + 1,
                max(1, (control.slider.max - control.slider.min) // 4),
            ):
                control.value = value
        check_view(view)


@pytest.mark.parametrize(
    "name, right, wrong",
    [
        ("rounded_cells", (6, 4, 19, 16), (6, 3, 19, 15)),  # floor instead of round
        ("area_change", 5852.0, 0.0),
        ("scale_for_stride_32", 1 / 32, 32),
    ],
)
def test_exercises(name, right, wrong, capsys):
    assert exercises.check(name, right)
    assert not exercises.check(name, wrong)
    assert not exercises.check(name, ...).attempted
    assert "Correct" in capsys.readouterr().out


def test_stages_reveal_one_layer_at_a_time():
    view = ImageExplorer()
    layers = [view.scaled_box, view.rounded_box, view.bin_patches, view.ax_out]
    for index, stage in enumerate(STAGES):
        view.stage.value = stage
        shown = [layer.get_visible() for layer in layers]
        assert shown == [index >= 1, index >= 2, index >= 3, index >= 4]
    check_view(view)
