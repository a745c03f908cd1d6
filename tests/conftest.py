"""Shared fixtures and hypothesis strategies for the roi_utils tests."""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import strategies as st

import roi_oracle

matplotlib.use("Agg")  # the test process draws headless; notebook kernels choose their own backend


@pytest.fixture(autouse=True)
def _close_figures():
    """Explorers make pyplot figures (ipympl needs them registered); close them after each test."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


# -- shared explorer helpers (the registry, status lines, notebook cells) --------------------------

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def registered() -> list[str]:
    """Every explorer's registry name (``roi_widgets.EXPLORERS``)."""
    from roi_widgets import EXPLORERS

    return list(EXPLORERS)


def status_call(explorer) -> str:
    """The call shown in an explorer's status line, as a learner would copy it."""
    return html.unescape(re.search(r"<code>(.*?)</code>", explorer.status.value).group(1))


def explorer_cell(notebook: str, class_name: str) -> dict:
    """The keyword arguments (as literals) of the notebook's cell ``explorer = class_name(...)`` (any
    variable name); a notebook may show several explorers, each its own cell."""
    cells = json.loads((NOTEBOOKS / notebook).read_text())["cells"]
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(line for line in cell["source"] if not line.lstrip().startswith(("%", "!")))
        for statement in ast.parse(source).body:
            call = getattr(statement, "value", None)
            if (
                isinstance(statement, ast.Assign)
                and isinstance(call, ast.Call)
                and getattr(call.func, "id", getattr(call.func, "attr", None)) == class_name
            ):
                return {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    raise LookupError(f"{notebook} has no cell 'explorer = {class_name}(...)'")


SCALES = (1.0, 0.5, 0.25, 0.125, 0.0625, 0.7, 0.3, 1 / 3, 0.9)

requires_mxnet = pytest.mark.skipif(
    not roi_oracle.mxnet_available(),
    reason="mxnet 1.9.1 is not importable here (it needs x86-64, Python <= 3.11, numpy < 1.24); "
    "the recorded-oracle tests cover the same comparison",
)


@st.composite
def maps(draw, max_batch=3, max_channels=3, max_side=9):
    n = draw(st.integers(1, max_batch))
    c = draw(st.integers(1, max_channels))
    h = draw(st.integers(1, max_side))
    w = draw(st.integers(1, max_side))
    kind = draw(st.sampled_from(["normal", "ties", "ramp"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "normal":
        data = rng.standard_normal((n, c, h, w))
    elif kind == "ties":
        data = rng.integers(-2, 3, (n, c, h, w))
    else:
        data = np.arange(n * c * h * w).reshape(n, c, h, w) % 7
    return data.astype(np.float32)


@st.composite
def coordinate(draw, size, scale):
    """One image-pixel coordinate for a map side of ``size`` cells at ``scale``.

    Mixes whole pixels, values whose scaled form lands exactly on .5 (rounding rules),
    and arbitrary float32 values, from well off the map on both sides.
    """
    how = draw(st.sampled_from(["whole", "half", "free"]))
    cells = draw(st.integers(-size - 2, 2 * size + 2))
    if how == "whole":
        return float(cells) / scale if draw(st.booleans()) else float(round(cells / scale))
    if how == "half":
        return (cells + 0.5) / scale
    low = float(np.float32(-1.5 * size / scale - 2))
    high = float(np.float32(2.5 * size / scale + 2))
    return draw(st.floats(low, high, width=32))


@st.composite
def boxes(draw, data, scale, max_boxes=4, allow_negative_batch=False):
    n, _, h, w = data.shape
    count = draw(st.integers(1, max_boxes))
    rows = []
    for _ in range(count):
        low = -1 if allow_negative_batch and draw(st.integers(0, 9)) == 0 else 0
        b = draw(st.integers(low, n - 1))
        x1, x2 = draw(coordinate(w, scale)), draw(coordinate(w, scale))
        y1, y2 = draw(coordinate(h, scale)), draw(coordinate(h, scale))
        if draw(st.integers(0, 3)) > 0:  # mostly ordered corners, sometimes reversed
            x1, x2 = min(x1, x2), max(x1, x2)
            y1, y2 = min(y1, y2), max(y1, y2)
        rows.append([b, x1, y1, x2, y2])
    return np.array(rows, np.float32)


@st.composite
def pool_cases(draw):
    data = draw(maps())
    scale = draw(st.sampled_from(SCALES))
    rois = draw(boxes(data, scale))
    pooled = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    return data, rois, {"pooled_size": pooled, "spatial_scale": scale}


@st.composite
def align_cases(draw):
    data = draw(maps())
    scale = draw(st.sampled_from(SCALES))
    rois = draw(boxes(data, scale, allow_negative_batch=True))
    pooled = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    params = {
        "pooled_size": pooled,
        "spatial_scale": scale,
        "sample_ratio": draw(st.sampled_from([-1, 0, 1, 2, 3, 4])),
        "aligned": draw(st.booleans()),
    }
    return data, rois, params
