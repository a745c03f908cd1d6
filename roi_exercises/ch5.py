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


exercises = ExerciseSet(
    Exercise(
        "cell_gradient",
        "RoI pooling of POOL_BOX on MAP (pooled 2x2, scale 1) with upstream gradient OUT_GRAD: the input "
        "gradient at row 3, column 1.",
        expected=lambda: float(ru.roi_pool_backward(OUT_GRAD, MAP, [POOL_BOX], 2)[0, 0, 3, 1]),
        atol=1e-6,
        hint="Find which bins' maxima sit at (3, 1) with ru.roi_pool_argmax(MAP, [POOL_BOX], 2); "
        "add those bins' entries of OUT_GRAD.",
        solution="answer_1 = float(ru.roi_pool_backward(OUT_GRAD, MAP, [POOL_BOX], 2)[0, 0, 3, 1])",
        explain_wrong=_cell_gradient_mistake,
    ),
    Exercise(
        "contributions",
        "Same box, pooled 2x2: how many of the four bins send their gradient to the cell at row 3, column 1?",
        expected=lambda: int((ru.roi_pool_argmax(MAP, [POOL_BOX], 2)[1] == 3 * 6 + 1).sum()),
        hint="The argmax index of a bin is row * 6 + column on this 6-wide map.",
        solution="answer_2 = int((ru.roi_pool_argmax(MAP, [POOL_BOX], 2)[1] == 3 * 6 + 1).sum())",
    ),
    Exercise(
        "align_cell",
        "RoIAlign of ALIGN_BOX pooled 1x1 with sample_ratio 1 and upstream gradient 1: "
        "the gradient at row 1, column 1.",
        expected=lambda: float(
            ru.roi_align_backward(np.ones((1, 1, 1, 1)), MAP, [ALIGN_BOX], 1, 1.0, 1)[0, 0, 1, 1]
        ),
        atol=1e-6,
        hint="One sample at the box centre (1.5, 1.5): each of its four neighbours gets weight 0.5 * 0.5.",
        solution="g = np.ones((1, 1, 1, 1))\n"
        "answer_3 = float(ru.roi_align_backward(g, MAP, [ALIGN_BOX], 1, 1.0, 1)[0, 0, 1, 1])",
    ),
)
