"""The RoI pooling gradient explorer: each bin sends its upstream gradient to the cell its maximum
came from (``roi_pool_backward``); the winners come from ``roi_pool_argmax``, the bins and boxes
from ``roi_pool_bins``, ``pool_bin_edges``, ``pool_box_edges`` and ``pixel_box_edges``.

>>> snap = pool_grad_snapshot(PoolGradState())
>>> float(snap.result.sum()), int(snap.result[2, 3])
(4.0, 4)
>>> print(snap.call.replace(" explorer.map", chr(10) + "explorer.map"))
ru.roi_pool_backward(explorer.out_grad("all ones", (2, 2)),
explorer.map(), [[0, 2.0, 1.0, 4.0, 3.0]], (2, 2), spatial_scale=1)[0, 0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import roi_utils as ru
from roi_chapters.ch5 import SIDE
from roi_widgets.base import box_fields
from roi_widgets.gradients import MAP, GradientView, GradSnapshot, GradState, Look, Routes, gradient_snapshot

__all__ = ["POOL_LOOK", "PoolGradExplorer", "PoolGradState", "pool_grad_snapshot", "pool_routes"]

POOL_LOOK = Look(
    legend=(
        ("box", "box as read (rounded)"),
        ("raw", "box as given, before rounding"),
        ("bins", "bins (orange, blue)"),
        ("ring", "cell that gets gradient"),
    ),
    source_marker="o",
    source_scale=0.8,
    source_face="none",
    source_edge="crimson",
    map_values=True,
    map_alpha=1.0,
    map_title="map: roi_pool's gradient goes to each bin's maximum",
    dead_where="empty (off the map)",
    all_dead="the rounded box is off the map",
)


@dataclass(frozen=True)
class PoolGradState(GradState):
    """The box, pooled size and upstream gradient of the RoI pooling gradient explorer."""


def pool_routes(state: GradState) -> Routes:
    """Where ``roi_pool_backward`` sends the upstream gradient of ``state``.

    >>> int(pool_routes(PoolGradState(x1=0, y1=0, x2=4, y2=4)).contributions.sum())
    4
    """
    roi, pooled = state.roi(), (state.ph, state.pw)
    out_grad = state.out_grad()
    bins = ru.roi_pool_bins(roi, pooled, 1.0, (SIDE, SIDE))
    _, argmax = ru.roi_pool_argmax(MAP, [roi], pooled, 1.0)
    winners = argmax[0, 0]
    live = out_grad[0, 0] != 0
    cells = winners[(winners >= 0) & live]
    edges = ru.pool_bin_edges(bins)
    return Routes(
        gradient=ru.roi_pool_backward(out_grad, MAP, [roi], pooled, 1.0)[0, 0],
        contributions=np.bincount(cells, minlength=SIDE * SIDE).reshape(SIDE, SIDE),
        bins=tuple(
            (int(i), int(j), tuple(edges[i, j])) for i, j in zip(*np.nonzero(~bins.empty), strict=True)
        ),
        box=ru.pool_box_edges(bins),
        raw_box=ru.pixel_box_edges(roi),  # the corners as given, as inclusive pixels (chapter 1)
        samples=np.empty((0, 2)),
        dead=bins.empty,
        sample_total=None,
    )


def pool_grad_call(state: GradState) -> str:
    return (
        f"ru.roi_pool_backward({state.out_grad_call()}, explorer.map(), [{state.roi()}], "
        f"{(state.ph, state.pw)}, spatial_scale=1)[0, 0]"
    )


def pool_grad_snapshot(state: PoolGradState) -> GradSnapshot:
    """Everything the RoI pooling gradient explorer draws for ``state``.

    >>> pool_grad_snapshot(PoolGradState(x1=5.5, y1=5.5, x2=6, y2=6, ph=1, pw=1)).problems
    ('the rounded box is off the map: no bin sends gradient, the input gradient is all 0',)
    """
    return gradient_snapshot(state, POOL_LOOK, pool_routes(state), pool_grad_call(state))


class PoolGradExplorer(GradientView):
    """Box, pooled size and upstream gradient as controls; roi_pool's input gradient drawn."""

    State = PoolGradState
    make_snapshot = staticmethod(pool_grad_snapshot)

    def __init__(self, box=(2, 1, 4, 3), pooled=(2, 2), upstream: str = "all ones"):
        super().__init__(PoolGradState(**box_fields(box, pooled), upstream=upstream))

    def contributions(self) -> np.ndarray:
        """(H, W): how many output bins with a non-zero upstream gradient send gradient to each cell."""
        return pool_routes(self.state).contributions

    def dead_bins(self) -> np.ndarray:
        """(PH, PW) bool: the empty bins (off the map), which send no gradient."""
        return pool_routes(self.state).dead
