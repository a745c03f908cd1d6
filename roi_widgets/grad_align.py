"""The RoIAlign gradient explorer: each sample spreads its bin's upstream gradient, divided by the
bin's sample count, over its four neighbours by the bilinear weights (``roi_align_backward``); the
samples, bins and box come from ``roi_align_samples``, ``align_bin_edges``, ``align_box_edges`` and
``align_valid_samples``.

>>> snap = align_grad_snapshot(AlignGradState())
>>> float(snap.result.sum())
4.0
>>> print(snap.call.replace(" explorer.map", chr(10) + "explorer.map"))
ru.roi_align_backward(explorer.out_grad("all ones", (2, 2)),
explorer.map(), [[0, 2.0, 1.0, 4.0, 3.0]], (2, 2), spatial_scale=1, sample_ratio=2, aligned=False)[0, 0]
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

import roi_utils as ru
from roi_chapters.ch5 import SIDE
from roi_widgets.align import roi_align_params
from roi_widgets.base import box_fields, check_bool, check_choice
from roi_widgets.common import labelled_dropdown
from roi_widgets.gradients import (
    FED_FILL,
    MAP,
    GradientView,
    GradSnapshot,
    GradState,
    Look,
    Routes,
    gradient_snapshot,
    no_gradient_snapshot,
)

__all__ = ["ALIGN_LOOK", "AlignGradExplorer", "AlignGradState", "align_grad_snapshot", "align_routes"]

RATIOS = (-1, 1, 2, 3)

ALIGN_LOOK = Look(
    legend=(
        ("box", "box as read"),
        ("bins", "bins (orange, blue)"),
        ("samples", "sample points"),
        ("fill", "cell that gets gradient"),
    ),
    source_marker="s",
    source_scale=0.92,  # white gaps: the cells stay countable
    source_face=FED_FILL,
    source_edge="none",
    map_values=False,  # RoIAlign is linear in the map: its gradient does not depend on the values
    map_alpha=0.2,  # faint: where the map is, not its values
    map_title="map (values hidden: roi_align's gradient\ndepends only on where the samples fall)",
    dead_where="with every sample outside [-1, size]",
    all_dead="every sample lies outside [-1, size]",
)


@dataclass(frozen=True)
class AlignGradState(GradState):
    """The gradient state plus RoIAlign's ``sample_ratio`` and ``aligned``."""

    sample_ratio: int = 2
    aligned: bool = False

    def __post_init__(self):
        super().__post_init__()
        check_choice(self.sample_ratio, "sample_ratio", RATIOS)
        object.__setattr__(self, "aligned", check_bool(self.aligned, "aligned"))

    def params(self) -> dict:
        """``roi_align``'s keyword arguments for this state."""
        return roi_align_params(self)


def align_routes(state: AlignGradState) -> Routes:
    """Where ``roi_align_backward`` sends the upstream gradient of ``state``; raises ``ValueError``
    for an aligned box of zero size.

    >>> int(align_routes(AlignGradState(upstream="one bin")).contributions.max())
    1
    """
    roi = state.roi()
    out_grad = state.out_grad()
    samples = ru.roi_align_samples(roi, map_shape=(SIDE, SIDE), **state.params())
    gradient = ru.roi_align_backward(out_grad, MAP, [roi], **state.params())[0, 0]
    live = out_grad[0, 0] != 0
    rows, cols = samples.y.weight_matrix(SIDE) > 0, samples.x.weight_matrix(SIDE) > 0
    feeds = rows[:, None, :, None] & cols[None, :, None, :]  # (PH, PW, H, W)
    valid = ru.align_valid_samples(samples)  # samples beyond [-1, size] count 0
    ys, xs = samples.points()
    edges = ru.align_bin_edges(samples)
    return Routes(
        gradient=gradient,
        contributions=(feeds & live[:, :, None, None]).sum(axis=(0, 1)),
        bins=tuple((i, j, tuple(edges[i, j])) for i, j in np.ndindex(state.ph, state.pw)),
        box=ru.align_box_edges(samples),
        raw_box=None,  # roi_align does not round: the red box is the box it reads
        samples=np.c_[xs[valid], ys[valid]],
        dead=~valid.any(axis=(2, 3)),
        sample_total=samples.count * state.ph * state.pw,
    )


def align_grad_call(state: AlignGradState) -> str:
    return (
        f"ru.roi_align_backward({state.out_grad_call()}, explorer.map(), [{state.roi()}], "
        f"{(state.ph, state.pw)}, spatial_scale=1, sample_ratio={state.sample_ratio}, "
        f"aligned={state.aligned})[0, 0]"
    )


def align_grad_snapshot(state: AlignGradState) -> GradSnapshot:
    """Everything the RoIAlign gradient explorer draws for ``state``.

    >>> align_grad_snapshot(AlignGradState(x1=6, y1=6, x2=6, y2=6)).problems
    ('every sample lies outside [-1, size]: no bin sends gradient, the input gradient is all 0',)
    """
    call = align_grad_call(state)
    try:
        routes = align_routes(state)
    except ValueError as error:  # an aligned box of zero size
        return no_gradient_snapshot(state, ALIGN_LOOK, call, str(error))
    return gradient_snapshot(state, ALIGN_LOOK, routes, call)


class AlignGradExplorer(GradientView):
    """Box, pooled size, upstream gradient, sample_ratio and aligned; roi_align's input gradient."""

    State = AlignGradState
    make_snapshot = staticmethod(align_grad_snapshot)

    def __init__(
        self,
        box=(2, 1, 4, 3),
        pooled=(2, 2),
        upstream: str = "all ones",
        sample_ratio: int = 2,
        aligned=False,
    ):
        super().__init__(
            AlignGradState(
                **box_fields(box, pooled),
                upstream=upstream,
                sample_ratio=sample_ratio,
                aligned=aligned,
            )
        )

    def operator_controls(self) -> list:
        self.ratio = labelled_dropdown("sample_ratio", RATIOS, self.state.sample_ratio)
        self.aligned = widgets.Checkbox(value=self.state.aligned, description="aligned")
        self.bind("aligned", sample_ratio=self.ratio)
        return [self.ratio, self.aligned]

    def params(self) -> dict:
        return self.state.params()

    def samples(self) -> ru.AlignSamples:
        return ru.roi_align_samples(self.state.roi(), map_shape=(SIDE, SIDE), **self.state.params())

    def contributions(self) -> np.ndarray:
        """(H, W): how many output bins with a non-zero upstream gradient send gradient to each cell."""
        return align_routes(self.state).contributions

    def dead_bins(self) -> np.ndarray:
        """(PH, PW) bool: bins whose samples all lie outside [-1, size]: they send no gradient."""
        return align_routes(self.state).dead
