"""Interactive explorers for the course notebooks (ipywidgets + ipympl).

Each explorer is one persistent figure updated in place, its controls, and a
status line with the ``roi_utils`` call that reproduces the view. Every number
and shape drawn comes from ``roi_utils``; nothing here does RoI arithmetic.

* ``roi_widgets.pool.PoolExplorer``: RoI pooling bins, maxima, coverage (chapter 1)
* ``roi_widgets.image.ImageExplorer``: a box on a photo and on its feature map (chapter 2)
* ``roi_widgets.spp.SppExplorer``: the SPP pyramid for any input size (chapter 3)
* ``roi_widgets.align.AlignExplorer``: RoIAlign samples, neighbours and weights (chapter 4)
* ``roi_widgets.grad.GradExplorer``: where the gradients go (chapter 5)
* ``roi_widgets.check.RenderCheck``: the start page's "do widgets work?" check

``roi_widgets.frames`` gets each step's picture to the browser fast: only the artists a step
changes are drawn again, and each frame is sent whole, as a quickly written PNG.
"""

from roi_widgets.common import EXPLORER_CLASS, KEY_SLIDER_CLASS, Explorer, MapPanel, NumberControl

__all__ = ["EXPLORER_CLASS", "KEY_SLIDER_CLASS", "Explorer", "MapPanel", "NumberControl"]
