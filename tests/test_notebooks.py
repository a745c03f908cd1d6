"""Every notebook: valid, committed without outputs, linked, and runs top to bottom.

Execution here hides mxnet (``ROI_ORACLE_HIDE_MXNET=1``), so each comparison cell
must fall back to the recorded oracle; the browser test runs the same notebooks
with mxnet live (where installed). Together: both ways, in a fresh kernel each.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from notebook_runner import error_outputs, execute  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert "00_start_here.ipynb" in names and len(names) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_clean(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {index} has saved outputs"
            assert cell.execution_count is None, f"cell {index} has an execution count"
    assert "widgets" not in notebook.metadata, "saved widget state shows 'model not found' when reopened"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_links_and_images_exist(path):
    notebook = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for target in re.findall(r"\]\(([^)\s#]+)", text):
        if target.startswith("http"):
            continue
        assert (path.parent / target).resolve().exists(), f"{path.name} links to missing {target}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_runs_top_to_bottom_without_mxnet(path):
    executed = execute(path, hide_mxnet=True)
    assert error_outputs(executed) == []
