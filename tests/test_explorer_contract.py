"""The explorer contract (roi_widgets.base) holds for every registered explorer: its notebook cell
builds it as the registry says, its status line is a call that reproduces what it shows, its key
control is declared, and its view only copies snapshots (the models are tested without widgets in
each chapter's tests)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import explorer_cell, registered, status_call

import roi_utils as ru
from roi_widgets import EXPLORERS
from roi_widgets.base import NOT_CELLS, Explorer, Snapshot, State


def contract_explorers() -> list[str]:
    """The registered explorers already written to the contract (the others are being converted)."""
    return [name for name in EXPLORERS if issubclass(EXPLORERS[name].explorer_class, Explorer)]


def test_every_entry_names_its_notebook_and_chapter():
    for name, entry in EXPLORERS.items():
        assert entry.name == name
        assert entry.notebook.startswith(f"{entry.chapter:02d}_"), entry


@pytest.mark.parametrize("name", registered())
def test_the_notebook_cell_builds_the_registered_case(name):
    entry = EXPLORERS[name]
    kwargs = explorer_cell(entry.notebook, entry.cell or entry.explorer_class.__name__)
    assert kwargs == dict(entry.kwargs), f"{entry.notebook}'s cell and EXPLORERS[{name!r}] differ"


@pytest.mark.parametrize("name", contract_explorers())
def test_the_status_line_evaluates_with_only_ru_np_and_explorer(name):
    explorer = EXPLORERS[name].build()
    pasted = eval(status_call(explorer), {"ru": ru, "np": np, "explorer": explorer})
    np.testing.assert_array_equal(pasted, explorer.snapshot.result)
    # the line still reproduces the output after every control has moved away from it
    line, shown = status_call(explorer), explorer.snapshot.result
    for control in explorer.controls.values():
        options = getattr(control, "options", None)
        if options:
            other = next((o for o in options if o != control.value), control.value)
            control.value = other[1] if isinstance(other, tuple) else other
        elif isinstance(control.value, bool):
            control.value = not control.value
        elif hasattr(control, "slider"):
            control.value = control.slider.max if control.value != control.slider.max else control.slider.min
    np.testing.assert_array_equal(eval(line, {"ru": ru, "np": np, "explorer": explorer}), shown)


@pytest.mark.parametrize("name", contract_explorers())
def test_state_and_snapshot_are_frozen_and_the_snapshot_pure(name):
    explorer = EXPLORERS[name].build()
    state, snap = explorer.state, explorer.snapshot
    assert isinstance(state, State) and isinstance(snap, Snapshot)
    assert dataclasses.is_dataclass(state) and state.__dataclass_params__.frozen
    assert snap.__dataclass_params__.frozen
    again = type(explorer).make_snapshot(state)
    for field in dataclasses.fields(snap):
        a, b = getattr(snap, field.name), getattr(again, field.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert repr(a) == repr(b), field.name
    assert all(isinstance(p, str) for p in snap.problems)


@pytest.mark.parametrize("name", contract_explorers())
def test_controls_are_state_fields_and_the_key_is_declared(name):
    from roi_widgets.common import KEY_SLIDER_CLASS, NumberControl

    explorer = EXPLORERS[name].build()
    fields = {f.name for f in dataclasses.fields(explorer.state)}
    assert set(explorer.controls) <= fields
    key = explorer.key_control()
    assert key is explorer.controls[type(explorer).KEY]
    if isinstance(key, NumberControl):
        assert KEY_SLIDER_CLASS in key.slider._dom_classes
    for field, control in explorer.controls.items():
        assert control.value == getattr(explorer.state, field), field


@pytest.mark.parametrize("name", contract_explorers())
def test_a_bad_state_is_refused_naming_the_field(name):
    explorer = EXPLORERS[name].build()
    field = next(iter(explorer.controls))
    with pytest.raises((TypeError, ValueError), match=field):
        explorer.set(**{field: object()})
    assert explorer.state == explorer.state.settled()


def test_the_holding_and_first_shown_flags_are_initialised():
    explorer = EXPLORERS["pool"].build()
    assert explorer._holding is False and explorer._shown_once is True
    whole, quick = explorer.layers.whole_draws, explorer.layers.quick_draws
    with explorer.hold():
        explorer.x2.value = 5
        explorer.x1.value = 2
        assert explorer.state.x1 == 2 and "[0, 1, 0, 3, 2]" in explorer.call()  # held: not yet shown
    assert "[0, 2, 0, 5, 2]" in explorer.call() and "[0, 2, 0, 5, 2]" in status_call(explorer)
    assert explorer.layers.whole_draws + explorer.layers.quick_draws == whole + quick + 1


def test_chapter_data_and_exercises_import_no_widgets():
    """Checking an exercise (or reading a chapter's data) never imports ipywidgets or matplotlib."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, importlib\n"
        "for name in ['roi_chapters.ch1', 'roi_chapters.ch2', 'roi_chapters.ch3', 'roi_chapters.ch4',\n"
        "             'roi_chapters.ch5', 'roi_exercises.ch1', 'roi_exercises.ch2', 'roi_exercises.ch3',\n"
        "             'roi_exercises.ch4', 'roi_exercises.ch5']:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in ('ipywidgets', 'matplotlib', 'roi_widgets') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("name", registered())
def test_cells_are_square_in_every_panel(name):
    """Issue 11 item 16: one map cell is as tall as it is wide on screen, in every panel shown."""
    explorer = EXPLORERS[name].build()
    explorer.figure.canvas.draw()
    for ax in explorer.figure.axes:
        if not ax.get_visible() or ax.get_label() == NOT_CELLS:
            continue
        (x0, y0), (x1, y1) = ax.transData.transform([(0, 0), (1, 1)])
        assert abs(x1 - x0) == pytest.approx(abs(y1 - y0), rel=1e-6), (name, ax.get_title())


@pytest.mark.parametrize("name", contract_explorers())
def test_a_view_only_copies_its_snapshot(name, monkeypatch):
    """``show`` computes nothing: with every roi_utils function made to fail it still draws a
    snapshot (made before), and draws it the same (the snapshot is all it reads)."""
    import roi_utils

    explorer = EXPLORERS[name].build()
    explorer.figure.canvas.draw()
    before = np.asarray(explorer.figure.canvas.buffer_rgba()).copy()
    snapshot = explorer.snapshot

    def refuse(*_args, **_kwargs):
        raise AssertionError("a view called roi_utils")

    for function in roi_utils.__all__:
        if callable(getattr(roi_utils, function)) and not isinstance(getattr(roi_utils, function), type):
            monkeypatch.setattr(roi_utils, function, refuse)
    explorer.show(snapshot)
    explorer.figure.canvas.draw()
    assert np.array_equal(np.asarray(explorer.figure.canvas.buffer_rgba()), before)


def test_a_constructor_box_that_is_not_four_numbers_is_a_clear_error():
    from roi_widgets.base import box_fields

    with pytest.raises(ValueError, match=r"box must be four numbers \(x1, y1, x2, y2\)"):
        box_fields((1, 2, 3))
    with pytest.raises(ValueError, match=r"pooled must be two numbers \(PH, PW\)"):
        box_fields((1, 2, 3, 4), 7)
    assert box_fields([1, 2, 3, 4], (2, 3)) == dict(x1=1, y1=2, x2=3, y2=4, ph=2, pw=3)
