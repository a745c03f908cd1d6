"""Chapter 8's explorers without widgets: the models (state -> snapshot) and a few view steps."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import roi_utils as ru
from roi_widgets import EXPLORERS
from roi_widgets.fpn import FpnState, fpn_snapshot
from roi_widgets.psroi import PsState, ps_snapshot
from roi_widgets.rotated import RotatedState, rotated_snapshot


def test_fpn_level_steps_at_the_thresholds():
    levels = [fpn_snapshot(FpnState(side=s)).level for s in (111, 112, 223, 224, 447, 448, 900, 8)]
    assert levels == [2, 3, 3, 4, 4, 5, 5, 2]
    snap = fpn_snapshot(FpnState(side=224))
    assert snap.thresholds == (112.0, 224.0, 448.0)
    assert eval(snap.call, {"ru": ru, "np": np}).tolist() == [4]


def test_fpn_aspect_keeps_sqrt_area():
    for aspect in ("2:1", "1:2", "4:1"):
        _, x1, y1, x2, y2 = FpnState(side=224, aspect=aspect).roi()
        assert abs(np.sqrt((x2 - x1) * (y2 - y1)) - 224) < 0.05


def test_fpn_mmdetection_variant_moves_with_the_pyramid():
    tv = fpn_snapshot(FpnState(side=224, pyramid="P3-P6"))
    mm = fpn_snapshot(FpnState(side=224, pyramid="P3-P6", rule="mmdetection"))
    assert (tv.level, tv.other_level, mm.level, mm.other_level) == (4, 5, 5, 4)
    assert mm.thresholds == (112.0, 224.0, 448.0)  # the same numbers, now between P3|P4, P4|P5, P5|P6


def test_fpn_bins_are_drawn_on_the_levels_map():
    snap = fpn_snapshot(FpnState(side=224))
    assert snap.data.shape == (1, 1, 32, 32)  # P4 of a 512 image
    assert len(snap.samples_xy) == 2 * 2 * 2 * 2
    assert "clamped" in fpn_snapshot(FpnState(side=900)).problems[0]


def test_ps_snapshot_channels_and_output():
    snap = ps_snapshot(PsState(channel=1, k=3))
    assert snap.channels.tolist() == [[9, 10, 11], [12, 13, 14], [15, 16, 17]]
    np.testing.assert_array_equal(snap.result, ru.ps_roi_pool(snap.data, [[0, 1, 1, 6, 6]], 1.0, 2, 3)[0, 1])
    shared = ps_snapshot(PsState(k=4, group=2))
    assert shared.channels.tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]
    empty = ps_snapshot(PsState(x1=8, y1=8, x2=9, y2=9, k=2))
    assert any("empty" in p for p in empty.problems)


def test_rotated_snapshot_turns_with_the_angle():
    flat = rotated_snapshot(RotatedState(angle=0))
    turned = rotated_snapshot(RotatedState(angle=90))
    assert not np.allclose(flat.outline, turned.outline)
    np.testing.assert_allclose(flat.outline.mean(axis=0)[:2], turned.outline.mean(axis=0)[:2], atol=0.8)
    assert turned.sample_xy.shape == (2 * 2 * 2 * 2, 2)
    off = rotated_snapshot(RotatedState(cx=-1.0, cy=-1.0))
    assert not off.sample_inside.all() and "beyond" in off.problems[-1]
    assert "forced to 1" in rotated_snapshot(RotatedState(w=0.5)).problems[0]


@pytest.mark.parametrize("name", ["fpn", "psroi", "rotated"])
def test_explorer_steps_and_reproduces_its_status_line(name):
    explorer = EXPLORERS[name].build()
    control = explorer.key_control()
    for value in (control.slider.min, control.slider.max, (control.slider.min + control.slider.max) // 2):
        control.value = value
        pasted = eval(explorer.call(), {"ru": ru, "np": np, "explorer": explorer})
        np.testing.assert_array_equal(pasted, explorer.snapshot.result)
    with pytest.raises((TypeError, ValueError)):
        dataclasses.replace(explorer.state, **{explorer.KEY: "x"})
