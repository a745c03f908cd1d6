"""Chapter 9 figures: the experiment's table as a plot, and test objects with their masks.

``ch9_results.png`` is drawn from ``rx.run(rx.FULL)``, the run that
``scripts/alignment_experiment.py`` prints; ``ch9_examples.png`` from the notebook's live run
(``rx.fit_all(rx.QUICK, 0)``, as the explorer shows it) at stride 32. The drawing functions live in
``roi_widgets.experiment`` so that the notebook draws its own run with the same code.
"""

from __future__ import annotations

from functools import lru_cache

import roi_experiment as rx
from roi_widgets import experiment as view

EXAMPLES = (0, 1, 2)
"""The test objects shown: simply the first three (not picked to flatter any method)."""


@lru_cache(maxsize=1)
def _full() -> rx.Results:
    return rx.run(rx.FULL)


def draw_results(results: rx.Results, path) -> None:
    view.results_figure(results).savefig(path, dpi=100)


def results(path) -> None:
    draw_results(_full(), path)


def examples(path) -> None:
    view.examples_figure(view.fitted(0), 32, EXAMPLES).savefig(path, dpi=100)


FIGURES = {"ch9_results.png": results, "ch9_examples.png": examples}
