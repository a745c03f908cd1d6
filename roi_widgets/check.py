"""A tiny explorer for the start page: proves widgets and ipympl render and respond.

>>> import matplotlib; matplotlib.use("Agg")
>>> check = RenderCheck()
>>> check.x2.value = 3
>>> check.output_text.get_text()
'roi_pool output: [[5.0, 7.0], [9.0, 11.0]]'
>>> check.call()
'ru.roi_pool(explorer.data, [[0, 0, 0, 3, 2]], (2, 2))[0, 0]'
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru
from roi_widgets.common import (
    Explorer,
    NumberControl,
    box_outline,
    fixed_title,
    new_figure,
    rounded_edges,
    set_status,
    status_line,
)

SEED_MAP = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)


class RenderCheck(Explorer):
    """The seed's 4x4 map with box ``[0, 0, 0, x2, 2]``; the slider moves x2 and the output follows."""

    def __init__(self):
        self._data = SEED_MAP
        self.figure = new_figure(4.2, 3.0)
        ax = self.figure.add_subplot()
        ax.imshow(SEED_MAP[0, 0], cmap="Blues")
        for (row, col), value in np.ndenumerate(SEED_MAP[0, 0]):
            ax.text(col, row, f"{value:g}", ha="center", va="center", zorder=0.5)  # under the box
        (self.box_line,) = ax.plot([], [], color="crimson", linewidth=3, zorder=3)  # over the frame
        self.output_text = fixed_title(ax)
        ax.set_xticks(range(4))
        ax.set_yticks(range(4))
        self.x2 = NumberControl("box x2", 2, 0, 3).mark_key()
        self.status = status_line()
        self.x2.observe(self._on_change)
        self._assemble([self.x2.box])
        self.update()

    def rois(self) -> list[list[int]]:
        return [[0, 0, 0, self.x2.value, 2]]

    def output_values(self) -> np.ndarray:
        return ru.roi_pool(SEED_MAP, self.rois(), (2, 2))[0, 0]

    def call(self) -> str:
        """The call that reproduces the title, for a notebook where the explorer is ``explorer``."""
        return f"ru.roi_pool(explorer.data, {self.rois()}, (2, 2))[0, 0]"

    def _front_artists(self) -> list:
        return [self.box_line, self.output_text]

    def _redraw(self) -> None:
        bins = ru.roi_pool_bins(self.rois()[0], (2, 2), 1.0, (4, 4))
        self.box_line.set_data(*box_outline(*rounded_edges(bins)))
        self.output_text.set_text(f"roi_pool output: {self.output_values().tolist()}")
        set_status(self.status, self.call())
