"""Interactive explorers for the course notebooks (ipywidgets + ipympl).

Each explorer is one persistent figure updated in place, its controls, and a
status line with the ``roi_utils`` call that reproduces the view. Every number
and shape drawn comes from ``roi_utils``; nothing here does RoI arithmetic.
"""

from roi_widgets.common import EXPLORER_CLASS, KEY_SLIDER_CLASS, Explorer, NumberControl

__all__ = ["EXPLORER_CLASS", "KEY_SLIDER_CLASS", "Explorer", "NumberControl"]
