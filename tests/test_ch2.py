"""Chapter 2: the photo backbone, the image explorer, and the exercises."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import status_call  # noqa: E402

import roi_images as ri  # noqa: E402
import roi_utils as ru  # noqa: E402
from roi_exercises.ch2 import BOX, MAP_SHAPE, exercises  # noqa: E402
from roi_widgets.image import (  # noqa: E402
    BIN_COLOUR,
    BOX_COLOUR,
    ROUNDED_COLOUR,
    STAGES,
    STRIDES,
    VALUES_UP_TO,
    ImageExplorer,
)

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "02_image_to_feature_map.ipynb"


def pasted_output(view) -> np.ndarray:
    """Evaluate the status line the way a learner pastes it: the explorer is ``explorer``."""
    return eval(status_call(view), {"ru": ru, "np": np, "explorer": view})


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


def test_map_shape_is_the_photos_stride_16_map():
    assert ri.feature_map(ri.load_photo(), 16).shape[2:] == MAP_SHAPE


def test_rounding_areas_use_roi_pool_bins():
    for roi in ([0, 40, 40, 200, 120], [0, 8, 8, 23, 23], BOX):
        a = ri.rounding_areas(roi, 1 / 16, MAP_SHAPE)
        b = ru.roi_pool_bins(roi, 1, 1 / 16, MAP_SHAPE)
        assert a["rounded"] == b.roi_width * b.roi_height * 256
        assert a["box"] == (roi[3] - roi[1] + 1) * (roi[4] - roi[2] + 1)
        assert a["box"] - a["lost"] == a["rounded"] - a["gained"] == a["overlap"]


def test_sides_move_as_chapter_2_says():
    """Left/top sides: from 0.5 px inwards to 14.5 px outwards; right/bottom: 0.5 to 15.5 px outwards."""
    left, right = [], []
    for x in range(0, 504):  # pixels 504..511 round to column 32, off the map
        bins = ru.roi_pool_bins([0, x, 0, x, 0], 1, 1 / 16, MAP_SHAPE)
        left.append((x - 0.5) - (bins.roi_start_w - 0.5) * 16)  # > 0: the side moves outwards
        right.append((bins.roi_end_w + 0.5) * 16 - (x + 0.5))
    assert (min(left), max(left), min(right), max(right)) == (-0.5, 14.5, 0.5, 15.5)
    assert left[100] == 11.5  # x1 = 100: cell 6 starts at 88
    for x1 in range(0, 480):
        a = ri.rounding_areas([0, x1, 100, x1 + 20, 120], 1 / 16, MAP_SHAPE)
        assert a["lost"] <= 0.5 * 21 * 2  # at most half-pixel strips, along the left and top sides


def test_rounding_areas_count_only_cells_on_the_map():
    off = ri.rounding_areas([0, 500, 590, 511, 599], 1 / 16, MAP_SHAPE)
    assert off["rounded"] == 0 and off["lost"] == off["box"]
    edge = ri.rounding_areas([0, 100, 560, 300, 599], 1 / 16, MAP_SHAPE)
    bins = ru.roi_pool_bins([0, 100, 560, 300, 599], 1, 1 / 16, MAP_SHAPE)
    assert bins.roi_end_h == MAP_SHAPE[0]  # row 37 of a 37-row map
    assert edge["rounded"] == bins.roi_width * (bins.roi_height - 1) * 256


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
    if bins.empty.all():
        assert "off the map" in view.area_text.get_text() and "off the map" in view.status.value
    else:
        assert f"rounded cells {areas['rounded']:.0f} px²" in view.area_text.get_text()
        assert "as rounding draws the cells" in view.area_text.get_text()
    assert status_call(view) == view.call()
    np.testing.assert_array_equal(pasted_output(view), view.output_values())
    # the printed values are the output's (up to VALUES_UP_TO), or none at all
    ph, pw = view.pooled_size()
    shown = [t for row in view.out_panel.texts for t in row if t.get_visible()]
    if max(ph, pw) <= VALUES_UP_TO:
        assert len(shown) == ph * pw
        for r, c in np.ndindex(ph, pw):
            text = view.out_panel.texts[r][c].get_text()
            assert float(text.split("\n")[0]) == pytest.approx(float(view.output_values()[r, c]), abs=0.005)
    else:
        assert shown == []
    # the rounded box stays in view, even off the map
    (left, right), (bottom, top) = view.ax_map.get_xlim(), view.ax_map.get_ylim()
    assert left <= min(xs) and right >= max(xs) and top <= min(ys) and bottom >= max(ys)


def test_pixels_seen_is_the_backbones_receptive_field():
    """Chapter 2: the box [0, 8, 8, 23, 23] rounds to cell (1, 1), computed from pixels 15..32."""
    roi = [0, 8, 8, 23, 23]
    assert ri.pixels_seen(roi, 16) == (range(15, 33), range(15, 33))
    # the same on the whole photo, uncut: brighten the rows and columns just inside and outside
    photo = ri.load_photo()
    before = ru.roi_pool(ri.feature_map(photo, 16), [roi], 1, 1 / 16)
    for index, inside in ((14, False), (15, True), (32, True), (33, False)):
        for axis in (0, 1):
            brighter = photo.copy()
            if axis == 0:
                brighter[index] += 10
            else:
                brighter[:, index] += 10
            changed = not np.array_equal(ru.roi_pool(ri.feature_map(brighter, 16), [roi], 1, 1 / 16), before)
            assert changed == inside, (index, axis)
    # rounding sends pixels 8..23 to cell 1; the backbone's cell 1 is 16..31 (+ the filters' border)
    assert ru.roi_pool_bins(roi, 1, 1 / 16, MAP_SHAPE).roi_start_w == 1


def test_one_colour_per_meaning_and_a_legend():
    view = ImageExplorer()
    assert view.photo_box.get_color() == view.scaled_box.get_color() == BOX_COLOUR  # the box, both panels
    assert view.rounded_box.get_color() == ROUNDED_COLOUR != BOX_COLOUR
    assert BIN_COLOUR not in (BOX_COLOUR, ROUNDED_COLOUR)
    labels = [t.get_text() for t in view.figure.legends[0].get_texts()]
    assert len(labels) == 3 and "the box" in labels[0] and "RoI pooling reads" in labels[1]


def test_figure_fits_jupyterlab_output_area():
    """About 968 px wide beside JupyterLab's file browser: 9.4 inches at 100 dpi."""
    assert ImageExplorer().figure.get_size_inches()[0] <= 9.4


def test_explorer_draws_roi_utils_results():
    view = ImageExplorer()
    check_view(view)
    view.x2.value = 500
    check_view(view)


@pytest.mark.parametrize("stride", STRIDES)
def test_status_line_reproduces_the_output_at_every_stride(stride):
    view = ImageExplorer(stride=stride, pooled=(3, 2))
    view.channel.value = "blob"
    np.testing.assert_array_equal(pasted_output(view), view.output_values())
    assert f"spatial_scale=1/{stride}" in view.status.value


def test_a_box_off_the_map_is_marked():
    view = ImageExplorer(box=(500, 590, 511, 599))
    assert view.output_values().tolist() == [[0, 0], [0, 0]]
    assert "every bin is empty" in view.status.value
    assert "off the map" in view.area_text.get_text() and "→" not in view.area_text.get_text()
    assert all(t.get_text() == "0\nempty" for row in view.out_panel.texts[:2] for t in row[:2])
    check_view(view)
    with view.hold():
        view.x1.value, view.y1.value, view.y2.value = 100, 400, 599
        view.ph.value = view.pw.value = 7
    bins = ru.roi_pool_bins(view.rois()[0], (7, 7), 1 / 16, MAP_SHAPE)
    assert bins.roi_end_h == 37 and not bins.empty.any() and "off the map" not in view.status.value
    check_view(view)


def test_large_pooled_sizes_hide_values_instead_of_overlapping():
    view = ImageExplorer(pooled=(7, 7))
    assert not any(t.get_visible() for row in view.out_panel.texts for t in row)
    assert "values printed up to" in view.ax_out.get_title()
    view.ph.value = view.pw.value = 4
    assert sum(t.get_visible() for row in view.out_panel.texts for t in row) == 16
    check_view(view)


def test_dark_output_cells_get_white_text():
    """Digits white where the cell's luminance is low (WCAG contrast at least 4.5:1 either way)."""
    from matplotlib.colors import to_rgb

    view = ImageExplorer(pooled=(3, 3))
    image = view.out_panel.image
    colours = set()
    for r, c in np.ndindex(3, 3):
        text = view.out_panel.texts[r][c]
        rgb = np.array(image.cmap(image.norm(view.output_values()[r, c]))[:3])
        linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        cell = linear @ [0.2126, 0.7152, 0.0722]
        digit = 1.0 if text.get_color() == "white" else 0.0
        contrast = (max(cell, digit) + 0.05) / (min(cell, digit) + 0.05)
        assert contrast >= 4.5, (r, c, text.get_color(), to_rgb(tuple(rgb)))
        colours.add(text.get_color())
    assert colours == {"white", "black"}


def test_an_off_map_box_is_drawn_whole_at_every_stride():
    """Item 20: at stride 32 the rounded box of a box in the photo's corner lies past the map; its
    outline stays inside the view with room to spare (not cut by the axes)."""
    view = ImageExplorer(box=(500, 590, 511, 599), stride=32)
    (left, right), (bottom, top) = view.ax_map.get_xlim(), view.ax_map.get_ylim()
    for line in (view.rounded_box, view.scaled_box):
        xs, ys = line.get_data()
        assert left < min(xs) and max(xs) < right and top < min(ys) and max(ys) < bottom
        assert min(right - max(xs), bottom - max(ys)) >= 0.25


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
    "name, right, wrong, explained",
    [
        ("rounded_cells", (5, 13, 17, 22), (4, 12, 16, 22), "np.round"),  # round half to even
        ("rounded_cells", (5, 13, 17, 22), (4, 12, 16, 21), "rounds down"),  # floor
        ("area_change", 4137.0, 4480.0, "inclusive"),  # x2 - x1 for the width
        ("area_change", 4137.0, 0.0, None),
        ("scale_for_stride_32", 1 / 32, 32, "the stride itself"),  # the stride, not one over it
        ("scale_for_stride_32", 1 / 32, 16, "at most 1"),
        ("scale_for_stride_32", 1 / 32, 1 / 16, None),
    ],
)
def test_exercises(name, right, wrong, explained, capsys):
    assert exercises.check(name, right)
    capsys.readouterr()
    assert not exercises.check(name, wrong)
    printed = capsys.readouterr().out
    assert not exercises.check(name, ...).attempted
    if explained:
        assert explained in printed
    expected = exercises.exercises[name].expected()
    for shown in (str(expected), str(np.asarray(expected).tolist()), "1/32", "1 / 32", "0.031"):
        assert shown not in printed  # the expected answer is never printed


def test_exercise_answers_are_not_printed_by_the_chapter():
    """BOX is shown in the exercises' prompt, and nowhere does the chapter compute with it."""
    notebook = json.loads(NOTEBOOK.read_text())
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    prose = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert "BOX" not in code.replace("import BOX", "")
    assert f"BOX = {BOX}" in prose and f"MAP_SHAPE = {MAP_SHAPE}" in prose
    from scripts.figures.ch2 import BOXES

    assert BOX not in BOXES
    assert tuple(exercises.exercises["rounded_cells"].expected()) == (5, 13, 17, 22)  # as the solution says


def test_stage_titles_show_only_what_the_stage_has_reached():
    view = ImageExplorer()
    view.stage.value = STAGES[0]
    assert "rounded" not in view.ax_map.get_title() and "rows x 32 columns" in view.ax_map.get_title()
    view.stage.value = STAGES[2]
    assert "rounded box: columns" in view.ax_map.get_title()


def test_stages_reveal_one_layer_at_a_time():
    view = ImageExplorer()
    layers = [view.scaled_box, view.rounded_box, view.bin_patches, view.ax_out]
    for index, stage in enumerate(STAGES):
        view.stage.value = stage
        shown = [layer.get_visible() for layer in layers]
        assert shown == [index >= 1, index >= 2, index >= 3, index >= 4]
    check_view(view)


def test_model_without_widgets():
    from roi_widgets.image import ImageState, image_snapshot

    some = image_snapshot(ImageState(x1=100, y1=560, x2=300, y2=599, ph=3, pw=3))  # rows 35..37 of 37
    assert some.problems == ("3 of 9 bins empty (off the map): output 0",)
    off = image_snapshot(ImageState(x1=500, y1=590, x2=511, y2=599, stride=32))
    assert off.problems == ("the rounded box is off the map: every bin is empty, output all 0",)
    assert off.output_texts == (("0\nempty", "0\nempty"), ("0\nempty", "0\nempty"))
    staged = image_snapshot(ImageState(stage=STAGES[1], channel="vertical edges", stride=8))
    assert staged.layers_shown == (True, False, False, False, False)
    assert staged.call.endswith('[0, 0]  # channel "vertical edges", shown up to "2 scaled onto the map"')
    pasted = eval(staged.call, {"ru": ru, "np": np, "explorer": ImageExplorer})
    np.testing.assert_array_equal(pasted, staged.result)
    assert "rounded box" not in staged.title and image_snapshot(ImageState()).problems == ()
