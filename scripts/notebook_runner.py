"""Execute course notebooks top to bottom in a fresh kernel (used by tests and scripts).

    python scripts/notebook_runner.py notebooks/01_roi_pooling.ipynb [--hide-mxnet]

Exits non-zero and prints the failing cell if any cell raises or writes to stderr
a traceback. Outputs are not saved: notebooks stay committed without outputs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def execute(path: Path, hide_mxnet: bool = False, timeout: int = 600, extra_env: dict | None = None):
    """Run ``path`` in a fresh python3 kernel started in its own folder; return the executed notebook."""
    notebook = nbformat.read(path, as_version=4)
    env_backup = dict(os.environ)
    os.environ["MPLBACKEND"] = "module://ipympl.backend_nbagg"
    if hide_mxnet:  # and ONNX Runtime, the second oracle: the notebooks then read both recordings
        os.environ["ROI_ORACLE_HIDE_MXNET"] = "1"
        os.environ["ROI_ORACLE_HIDE_ORT"] = "1"
    os.environ.update(extra_env or {})
    try:
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    return notebook


def error_outputs(notebook) -> list[str]:
    """Texts of error outputs and stderr tracebacks in an executed notebook."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
            elif output.get("name") == "stderr" and "Traceback" in output.get("text", ""):
                problems.append(f"cell {index}: traceback on stderr")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--hide-mxnet", action="store_true", help="as if mxnet and ORT were not installed")
    args = parser.parse_args()
    status = 0
    for path in args.notebooks:
        start = time.perf_counter()
        try:
            executed = execute(path.resolve(), hide_mxnet=args.hide_mxnet)
        except Exception as error:  # CellExecutionError carries the cell and traceback
            print(f"FAIL {path}: {error}")
            status = 1
            continue
        problems = error_outputs(executed)
        seconds = time.perf_counter() - start
        print(f"{'FAIL' if problems else 'ok  '} {path} ({seconds:.1f} s)")
        for problem in problems:
            print("   ", problem)
        status |= bool(problems)
    return status


if __name__ == "__main__":
    sys.exit(main())
