"""The .npz store the recording scripts share (numpy only; no framework is imported here).

``record_oracle.py`` (mxnet), ``record_onnx.py`` (ONNX Runtime) and ``record_frameworks.py``
(torchvision, TensorFlow) each read a log of calls or build their entries, run them on the real
framework and merge the answers into one ``data/*.npz`` file. Reading the log, loading what is
stored and writing the new file atomically (readers never see half a file) live here once.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np


def read_log(log: Path) -> dict[str, dict]:
    """The JSON-lines log of calls, one entry per key (a key logged twice keeps its last entry)."""
    entries = {}
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        entries[entry["key"]] = entry
    return entries


def load_store(path: Path, keep=lambda name: True) -> dict[str, np.ndarray]:
    """Every array stored in ``path`` whose name ``keep`` accepts (none if there is no file yet)."""
    if not path.exists():
        return {}
    with np.load(path) as old:
        return {name: old[name] for name in old.files if keep(name)}


def write_store(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` (compressed, world-readable) through a temporary file in the
    same folder, renamed over the old file in one step."""
    path.parent.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
        np.savez_compressed(tmp, **arrays)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, path)
