"""Chapter 5's gradient explorers under one operator choice: ``GradExplorer``.

The two explorers are separate (``grad_pool.PoolGradExplorer``, ``grad_align.AlignGradExplorer``,
sharing ``gradients``); this only shows one of them at a time, under an operator dropdown, and
carries the box, pooled size and upstream gradient over when the operator changes. Everything else
(``state``, ``call()``, ``out_grad()``, ``data``, ...) is the explorer on screen's.

>>> import matplotlib; matplotlib.use("Agg")
>>> view = GradExplorer()
>>> float(view.input_gradient().sum())
4.0
>>> view.operator.value = "roi_align"
>>> type(view.current).__name__, view.current.state.x2
('AlignGradExplorer', 4.0)
"""

from __future__ import annotations

import ipywidgets as widgets

from roi_chapters.ch5 import UPSTREAM, grad_map
from roi_widgets.base import Explorer, check_choice
from roi_widgets.grad_align import AlignGradExplorer
from roi_widgets.grad_pool import PoolGradExplorer
from roi_widgets.gradients import short_number

__all__ = ["UPSTREAM", "GradExplorer", "grad_map", "short_number"]

OPERATORS: dict[str, type[Explorer]] = {"roi_pool": PoolGradExplorer, "roi_align": AlignGradExplorer}
"""Each operator's gradient explorer."""

CARRIED = ("x1", "y1", "x2", "y2", "ph", "pw", "upstream", "bin_row", "bin_col")
"""The fields both explorers have: kept when the operator changes."""


class GradExplorer:
    """An operator dropdown over the gradient explorer of the chosen operator.

    Parameters
    ----------
    operator : str
        ``"roi_pool"`` or ``"roi_align"``: the explorer shown first.
    box, pooled
        As for either explorer.
    """

    def __init__(self, operator: str = "roi_pool", box=(2, 1, 4, 3), pooled=(2, 2)):
        check_choice(operator, "operator", OPERATORS)
        self._first = dict(box=box, pooled=pooled)
        self.explorers: dict[str, Explorer] = {}
        self.operator = widgets.Dropdown(options=tuple(OPERATORS), value=operator, description="operator")
        self.widget = widgets.VBox([self.operator, self._explorer(operator).widget])
        self.operator.observe(self._switch, names="value")

    def _explorer(self, operator: str) -> Explorer:
        """The operator's explorer, built the first time it is shown."""
        if operator not in self.explorers:
            self.explorers[operator] = OPERATORS[operator](**self._first)
        return self.explorers[operator]

    @property
    def current(self) -> Explorer:
        """The explorer on screen."""
        return self._explorer(self.operator.value)

    def _switch(self, change) -> None:
        before, after = self._explorer(change["old"]), self._explorer(change["new"])
        after.set(**{name: getattr(before.state, name) for name in CARRIED})
        self.widget.children = [self.operator, after.widget]

    def __getattr__(self, name: str):
        if name.startswith("_") or name in ("explorers", "operator", "widget"):
            raise AttributeError(name)
        return getattr(self.current, name)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
