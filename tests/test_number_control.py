"""NumberControl's number box: clean values, and entries it cannot take refused or clamped visibly.

ipywidgets' own number boxes showed float noise (``3.0000000000000004``) and its integer box
dropped characters as they were typed (``1e9`` became ``19``, ``0.3`` became ``03``).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roi_widgets.common import NumberControl, format_number, read_entry


def test_float_noise_from_the_browser_is_rounded_away():
    control = NumberControl("x1", 1.0, -2.0, 8.0, step=0.25, integer=False)
    control.slider.value = 3.0000000000000004  # what a browser's float arithmetic can send
    assert control.value == 3.0 and control.entry.value == "3"
    control.entry.value = "2.5000000000000004"
    assert control.value == 2.5 and control.entry.value == "2.5" and control.note.value == ""


@pytest.mark.parametrize(
    ("typed", "value", "note"),
    [
        ("1e9", 40, "1e9 is above 40: set to 40"),
        ("-3", 0, "-3 is below 0: set to 0"),
        ("0.3", 7, "0.3 is not a whole number"),
        ("abc", 7, "&#x27;abc&#x27; is not a number"),
        ("nan", 7, "nan is not a finite number"),
        (" 12 ", 12, ""),
        ("12.0", 12, ""),
    ],
)
def test_an_integer_box_takes_clamps_or_refuses_what_is_typed(typed, value, note):
    control = NumberControl("x2", 7, 0, 40)
    seen = []
    control.observe(lambda change: seen.append(change["new"]))
    control.entry.value = typed
    assert control.value == value
    assert control.entry.value == str(value)  # the box always shows what the control holds
    assert control.note.value == note
    assert seen == ([] if value == 7 else [value])  # the explorer hears of a change once


def test_a_slider_move_clears_the_note():
    control = NumberControl("x2", 7, 0, 40)
    control.entry.value = "0.3"
    assert control.note.value
    control.slider.value = 8
    assert (control.entry.value, control.note.value) == ("8", "")


def test_disabled_greys_out_both():
    control = NumberControl("bin row", 0, 0, 3)
    control.disabled = True
    assert control.slider.disabled and control.entry.disabled


@given(st.floats(-1e6, 1e6, allow_nan=False), st.booleans())
def test_what_a_box_shows_reads_back_as_the_value(value, integer):
    if integer:
        value = round(value)
    shown = format_number(value, integer)
    read, note = read_entry(shown, -1e6 - 1, 1e6 + 1, integer)
    assert note == "" and read == (int(value) if integer else round(value, 6) + 0.0)
    assert "e" not in shown and not shown.endswith(".")
