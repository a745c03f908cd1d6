"""One-line setup for every notebook: ``import course``.

Puts the repository root on ``sys.path`` (the notebooks live in ``notebooks/``,
the modules beside it), fixes numpy's print style, and prints where the mxnet
comparisons come from (live mxnet or its recorded outputs).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import roi_oracle  # noqa: E402

np.set_printoptions(precision=4, suppress=True, linewidth=100)
print(roi_oracle.status_line())
