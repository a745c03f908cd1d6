"""Chapter 5 exercises (gradients).

>>> from roi_exercises.ch5 import exercises
>>> bool(exercises.check("contributions", 2, quiet=True))
True
"""

from __future__ import annotations

import numpy as np

import roi_utils as ru
from roi_chapters.ch5 import grad_map
from roi_exercises.core import Exercise, ExerciseSet, as_number

MAP = grad_map()
BOX = [0, 2, 1, 4, 3]
OUT_GRAD = np.array([[[[0.5, -1.0], [2.0, 0.25]]]], np.float32)
POOL_BOX = [0, 0, 2, 2, 4]
ALIGN_BOX = [0, 1.0, 1.0, 2.0, 2.0]


def _cell_gradient_mistake(answer) -> str | None:
    """Name the usual slips for ``cell_gradient`` without revealing the sum: one winning bin's share
    only, or every bin's gradient.

    >>> _cell_gradient_mistake(0.5).startswith("That is one bin's share")
    True
    """
    value = as_number(answer)
    if value is None:
        return None
    _, argmax = ru.roi_pool_argmax(MAP, [POOL_BOX], 2)
    wins = argmax[0, 0] == 3 * 6 + 1
    shares = OUT_GRAD[0, 0][wins]
    if len(shares) > 1 and np.isclose(shares, value, atol=1e-6).any():
        return (
            "That is one bin's share: the cell at row 3, column 1 is the maximum of more than one bin, "
            "and it receives the sum of those bins' entries of OUT_GRAD."
        )
    if np.isclose(float(OUT_GRAD.sum()), value, atol=1e-6):
        return "That adds every bin's gradient: only the bins whose maximum is this cell send it theirs."
    return None


def _contributions_mistake(answer) -> str | None:
    value = as_number(answer)
    if value is None:
        return None
    covering = int(ru.roi_pool_bins(POOL_BOX, 2, 1.0, MAP.shape[2:]).coverage()[3, 1])
    if value == covering:
        return (
            f"{covering} bins read the cell, but a bin sends its gradient only to its maximum: count the "
            "bins whose maximum (argmax) is this cell."
        )
    return None


def _align_cell_mistake(answer) -> str | None:
    value = as_number(answer)
    if value is None:
        return None
    if np.isclose(value, 1.0):
        return (
            "The whole gradient goes to one cell only in RoI pooling; RoIAlign's sample splits it "
            "among its four neighbours by their bilinear weights."
        )
    if np.isclose(value, 0.5):
        return "That is one axis's weight; a cell's weight is its row weight times its column weight."
    return None


exercises = ExerciseSet(
    Exercise(
        "cell_gradient",
        "RoI pooling of POOL_BOX on MAP (pooled 2x2, scale 1) with upstream gradient OUT_GRAD: the input "
        "gradient at row 3, column 1.",
        expected=lambda: float(ru.roi_pool_backward(OUT_GRAD, MAP, [POOL_BOX], 2)[0, 0, 3, 1]),
        atol=1e-6,
        hint="Each bin sends its entry of OUT_GRAD, whole, to the cell that is its maximum; a cell that "
        "is the maximum of several bins receives the sum.",
        more_hints=(
            "Find which bins' maxima sit at (3, 1) with ru.roi_pool_argmax(MAP, [POOL_BOX], 2) (flat index "
            "row * 6 + column); add those bins' entries of OUT_GRAD.",
        ),
        solution="answer_1 = float(ru.roi_pool_backward(OUT_GRAD, MAP, [POOL_BOX], 2)[0, 0, 3, 1])",
        explain_wrong=_cell_gradient_mistake,
    ),
    Exercise(
        "contributions",
        "Same box, pooled 2x2: how many of the four bins send their gradient to the cell at row 3, column 1?",
        expected=lambda: int((ru.roi_pool_argmax(MAP, [POOL_BOX], 2)[1] == 3 * 6 + 1).sum()),
        hint="Only bins whose maximum is the cell send it anything; a cell can be read by a bin without "
        "winning it.",
        more_hints=("The argmax index of a bin is row * 6 + column on this 6-wide map.",),
        solution="answer_2 = int((ru.roi_pool_argmax(MAP, [POOL_BOX], 2)[1] == 3 * 6 + 1).sum())",
        explain_wrong=_contributions_mistake,
    ),
    Exercise(
        "align_cell",
        "RoIAlign of ALIGN_BOX pooled 1x1 with sample_ratio 1 and upstream gradient 1: "
        "the gradient at row 1, column 1.",
        expected=lambda: float(
            ru.roi_align_backward(np.ones((1, 1, 1, 1)), MAP, [ALIGN_BOX], 1, 1.0, 1)[0, 0, 1, 1]
        ),
        atol=1e-6,
        hint="One sample per bin, at the bin's centre; the gradient 1 is shared among its four "
        "neighbours by their bilinear weights.",
        more_hints=("The sample sits at (y, x) = (1.5, 1.5): halfway between rows 1, 2 and columns 1, 2.",),
        solution="g = np.ones((1, 1, 1, 1))\n"
        "answer_3 = float(ru.roi_align_backward(g, MAP, [ALIGN_BOX], 1, 1.0, 1)[0, 0, 1, 1])",
        explain_wrong=_align_cell_mistake,
    ),
)
