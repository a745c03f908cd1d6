"""A tiny explorer for the start page: proves widgets and ipympl render and respond.

Model and view (see ``roi_widgets.base``): ``CheckState`` is the box's right edge ``x2``,
``check_snapshot`` the rounded box and the output, ``RenderCheck`` the view.

>>> check_snapshot(CheckState(x2=3)).title
'roi_pool output: [[5.0, 7.0], [9.0, 11.0]]'
>>> check_snapshot(CheckState(x2=3)).call
'ru.roi_pool(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4), [[0, 0, 0, 3, 2]], (2, 2))[0, 0]'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import roi_utils as ru
from roi_chapters.ch1 import ARANGE
from roi_widgets.base import Explorer, Snapshot, State, check_int
from roi_widgets.common import NumberControl, box_outline, digit_colours, fixed_title, new_figure

__all__ = ["SEED_MAP", "CheckSnapshot", "CheckState", "RenderCheck", "check_snapshot"]

SEED_MAP = ARANGE
"""The 4 x 4 map 0..15 (chapter 1's classic)."""
SEED_MAP_CALL = "np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)"
"""``SEED_MAP`` as the status line writes it."""
CMAP = "Blues"


@dataclass(frozen=True)
class CheckState(State):
    """The box ``[0, 0, 0, x2, 2]``'s right corner (0..3).

    >>> CheckState(x2=4)
    Traceback (most recent call last):
    ...
    ValueError: x2 must be in [0, 3]; got 4
    """

    x2: int = 2

    def __post_init__(self):
        object.__setattr__(self, "x2", check_int(self.x2, "x2", 0, 3))

    def roi(self) -> list[int]:
        return [0, 0, 0, self.x2, 2]


@dataclass(frozen=True, kw_only=True)
class CheckSnapshot(Snapshot):
    box_outline: tuple[list, list]
    title: str


def check_snapshot(state: CheckState) -> CheckSnapshot:
    roi = state.roi()
    values = ru.roi_pool(SEED_MAP, [roi], (2, 2))[0, 0]
    bins = ru.roi_pool_bins(roi, (2, 2), 1.0, (4, 4))
    return CheckSnapshot(
        data=SEED_MAP,
        call=f"ru.roi_pool({SEED_MAP_CALL}, [{roi}], (2, 2))[0, 0]",
        result=values,
        box_outline=box_outline(*ru.pool_box_edges(bins)),
        title=f"roi_pool output: {values.tolist()}",
    )


class RenderCheck(Explorer):
    """The seed's 4x4 map with box ``[0, 0, 0, x2, 2]``; the slider moves x2 and the output follows."""

    State = CheckState
    make_snapshot = staticmethod(check_snapshot)
    KEY = "x2"

    def __init__(self, x2: int = 2):
        super().__init__(CheckState(x2=x2))

    def build(self) -> list:
        self.figure = new_figure(4.2, 3.0)
        ax = self.figure.add_subplot()
        plane = SEED_MAP[0, 0]
        image = ax.imshow(plane, cmap=CMAP)
        colours = digit_colours(image.cmap, image.norm(plane))  # white on the dark blues
        for (row, col), value in np.ndenumerate(plane):
            ax.text(
                col, row, f"{value:g}", ha="center", va="center", color=colours[row, col], zorder=0.5
            )  # under the box
        (self.box_line,) = ax.plot([], [], color="crimson", linewidth=3, zorder=3)  # over the frame
        self.output_text = fixed_title(ax)
        ax.set_xticks(range(4))
        ax.set_yticks(range(4))
        self.x2 = NumberControl("box x2", self.state.x2, 0, 3)
        self.bind("x2")
        return [self.x2.box]

    def rois(self) -> list[list[int]]:
        return [self.state.roi()]

    def output_values(self) -> np.ndarray:
        return self.snapshot.result

    def show(self, snap: CheckSnapshot) -> None:
        self.box_line.set_data(*snap.box_outline)
        self.output_text.set_text(snap.title)

    def front_artists(self) -> list:
        return [self.box_line, self.output_text]
