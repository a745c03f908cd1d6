"""Interactive explorers for the course notebooks (ipywidgets + ipympl).

Each explorer is one persistent figure updated in place, its controls, and a status line with the
``roi_utils`` call that reproduces the view. Every explorer follows one contract
(``roi_widgets.base``): a model (a validated, frozen ``State`` and one pure function from it to a
frozen ``Snapshot`` of everything drawn, computed by ``roi_utils``, problem messages and status line
included) and a view that builds its controls and artists once and only copies a snapshot onto them.

``EXPLORERS`` names every explorer, how to build it with its notebook's case, its chapter and its
notebook; the tests, the figure scripts and the browser benchmark use it (never a scan of classes):

* ``check``: ``roi_widgets.check.RenderCheck``, the start page's "do widgets work?" check
* ``pool``: ``roi_widgets.pool.PoolExplorer``, RoI pooling bins, maxima, coverage (chapter 1)
* ``image``: ``roi_widgets.image.ImageExplorer``, a box on a photo and on its feature map (chapter 2)
* ``spp``: ``roi_widgets.spp.SppExplorer``, the SPP pyramid for any input size (chapter 3)
* ``align``: ``roi_widgets.align.AlignExplorer``, RoIAlign samples, neighbours and weights (chapter 4)
* ``grad_pool``, ``grad_align``: ``roi_widgets.grad_pool.PoolGradExplorer`` and
  ``roi_widgets.grad_align.AlignGradExplorer``, where each operator's gradient goes (chapter 5;
  ``roi_widgets.grad.GradExplorer`` shows them under one operator choice)
* ``frameworks``: ``roi_widgets.frameworks.FrameworksExplorer``, one box in five frameworks (chapter 7)
* ``fpn``, ``psroi``, ``rotated``: FPN levels, position-sensitive bins, rotated RoIAlign (chapter 8)
* ``experiment``: ``roi_widgets.experiment.ExperimentExplorer``, true and predicted masks of the
  alignment experiment's test objects (chapter 9)

``roi_widgets.frames`` gets each step's picture to the browser fast: only the artists a step
changes are drawn again, and each frame is sent whole, as a quickly written PNG.
"""

from roi_widgets.base import Explorer, ExplorerEntry, Snapshot, State
from roi_widgets.common import EXPLORER_CLASS, KEY_SLIDER_CLASS, MapPanel, NumberControl

EXPLORERS: dict[str, ExplorerEntry] = {
    entry.name: entry
    for entry in (
        # one entry per explorer; kwargs are those of the notebook cell that shows it
        ExplorerEntry("check", "roi_widgets.check:RenderCheck", {}, 0, "00_start_here.ipynb"),
        ExplorerEntry(
            "pool",
            "roi_widgets.pool:PoolExplorer",
            {"map_name": "random 7x7", "box": (1, 0, 3, 2), "pooled": (2, 2)},
            1,
            "01_roi_pooling.ipynb",
        ),
        ExplorerEntry("image", "roi_widgets.image:ImageExplorer", {}, 2, "02_image_to_feature_map.ipynb"),
        ExplorerEntry("spp", "roi_widgets.spp:SppExplorer", {"height": 7, "width": 9}, 3, "03_sppnet.ipynb"),
        ExplorerEntry("align", "roi_widgets.align:AlignExplorer", {}, 4, "04_roi_align.ipynb"),
        ExplorerEntry(
            "grad_pool", "roi_widgets.grad_pool:PoolGradExplorer", {}, 5, "05_gradients.ipynb", "GradExplorer"
        ),
        ExplorerEntry(
            "grad_align",
            "roi_widgets.grad_align:AlignGradExplorer",
            {},
            5,
            "05_gradients.ipynb",
            "GradExplorer",
        ),
        # chapter 7 (frameworks): add its entries below this line
        ExplorerEntry(
            "frameworks", "roi_widgets.frameworks:FrameworksExplorer", {}, 7, "07_frameworks.ipynb"
        ),
        #
        # chapter 8 (the RoI family): add its entries below this line
        ExplorerEntry(
            "fpn",
            "roi_widgets.fpn:FpnExplorer",
            {"side": 224, "aspect": "1:1", "pyramid": "P2-P5", "rule": "torchvision"},
            8,
            "08_beyond_one_box.ipynb",
        ),
        ExplorerEntry(
            "psroi",
            "roi_widgets.psroi:PsExplorer",
            {"box": (1, 1, 6, 6), "pooled": 3, "output_channel": 0},
            8,
            "08_beyond_one_box.ipynb",
        ),
        ExplorerEntry(
            "rotated",
            "roi_widgets.rotated:RotatedExplorer",
            {"angle": 30, "centre": (3.5, 3.0), "size": (5.0, 3.0), "pooled": (2, 2), "sampling_ratio": 2},
            8,
            "08_beyond_one_box.ipynb",
        ),
        #
        # chapter 9 (the alignment experiment): add its entries below this line
        ExplorerEntry(
            "experiment",
            "roi_widgets.experiment:ExperimentExplorer",
            {"method": "roi_pool", "stride": 32, "index": 0},
            9,
            "09_does_alignment_matter.ipynb",
        ),
        #
    )
}
"""Every explorer by name: ``EXPLORERS["pool"].build()`` is the one chapter 1's cell shows."""

__all__ = [
    "EXPLORERS",
    "EXPLORER_CLASS",
    "KEY_SLIDER_CLASS",
    "Explorer",
    "ExplorerEntry",
    "MapPanel",
    "NumberControl",
    "Snapshot",
    "State",
]
