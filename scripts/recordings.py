"""The .npz store the recording scripts share (numpy only; no framework is imported here).

``record_oracle.py`` (mxnet), ``record_onnx.py`` (ONNX Runtime) and ``record_frameworks.py``
(torchvision, TensorFlow) each read a log of calls or build their entries, run them on the real
framework and merge the answers into one ``data/*.npz`` file. Reading the log, loading what is
stored and writing the new file atomically (readers never see half a file) live here once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np


def parse_arguments(description: str, default_notebooks: str) -> argparse.Namespace:
    """``--cases`` and ``--notebooks [PATH ...]``, as every recording script takes them (neither: both)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", action="store_true", help="record the seeded cases (and the examples)")
    parser.add_argument(
        "--notebooks", nargs="*", type=Path, help=f"notebooks to run (default: {default_notebooks})"
    )
    return parser.parse_args()


@contextlib.contextmanager
def call_log(environment_variable: str):
    """A fresh, empty JSON-lines log of calls, named in ``environment_variable`` for this process
    (and the notebooks it runs) while the block runs."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "calls.jsonl"
        log.touch()
        os.environ[environment_variable] = str(log)
        try:
            yield log
        finally:
            os.environ.pop(environment_variable, None)


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
