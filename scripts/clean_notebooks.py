"""Keep the course's notebooks as committed: no outputs, no execution counts, no widget state.

JupyterLab's autosave writes a notebook back with its outputs, its widget views (which show "Error
displaying widget: model not found" when the notebook is reopened without their kernel) and the
kernel's version details, so a tracked chapter shows as modified although nobody edited it.

* ``pre_save_hook``: a Jupyter server pre-save hook, set by ``scripts/jupyter_config/`` (which
  ``scripts/course.py`` puts on ``JUPYTER_CONFIG_PATH``). It cleans the numbered chapters in this
  course's ``notebooks/`` as they are saved; what you type in their cells is kept, outputs are not
  (run the cells again after reopening). Other notebooks are saved as they are.
* ``python scripts/clean_notebooks.py [FILE ...]``: clean files in place (default: every chapter);
  ``--check`` only lists the ones that are not clean and exits 1 if there are any.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CHAPTER = re.compile(r"^\d\d_[^/\\]*\.ipynb$")
RUNTIME_CELL_METADATA = ("execution", "scrolled", "collapsed", "jupyter", "trusted")
"""Cell metadata that records what happened in a session (timings, output scrolling and folding)."""


def clean(notebook: dict) -> dict:
    """Strip outputs, execution counts, widget state and session-only metadata, in place.

    Examples
    --------
    >>> notebook = {"metadata": {"widgets": {}, "language_info": {"name": "python", "version": "3.13.0"}},
    ...             "cells": [{"cell_type": "code", "source": "1 + 1", "metadata": {"scrolled": True},
    ...                        "execution_count": 3, "outputs": [{"output_type": "execute_result"}]}]}
    >>> clean(notebook) == {"metadata": {"language_info": {"name": "python"}},
    ...     "cells": [{"cell_type": "code", "source": "1 + 1", "metadata": {}, "execution_count": None,
    ...                "outputs": []}]}
    True
    """
    metadata = notebook.setdefault("metadata", {})
    metadata.pop("widgets", None)
    if "language_info" in metadata:
        metadata["language_info"] = {"name": metadata["language_info"].get("name", "python")}
    for cell in notebook.get("cells", []):
        for key in RUNTIME_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return notebook


def is_chapter(path: Path) -> bool:
    """Is ``path`` one of this course's numbered notebooks (``notebooks/NN_*.ipynb``)?"""
    path = Path(path).resolve()
    return path.parent == NOTEBOOKS.resolve() and CHAPTER.match(path.name) is not None


def pre_save_hook(model: dict, path: str, contents_manager, **kwargs) -> None:
    """Jupyter server pre-save hook: clean a chapter's notebook model before it is written."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    if is_chapter(Path(contents_manager.root_dir) / path):
        clean(model["content"])


def clean_file(path: Path, check: bool = False) -> bool:
    """Clean one notebook file (unless ``check``); True if it was not clean."""
    import nbformat

    text = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    cleaned = nbformat.writes(clean(notebook)) + "\n"
    if cleaned == text:
        return False
    if not check:
        path.write_text(cleaned, encoding="utf-8", newline="\n")
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="notebooks (default: every chapter)")
    parser.add_argument("--check", action="store_true", help="only list notebooks that are not clean")
    args = parser.parse_args(argv)
    files = args.files or sorted(p for p in NOTEBOOKS.glob("*.ipynb") if is_chapter(p))
    changed = [path for path in files if clean_file(path, check=args.check)]
    for path in changed:
        print(("not clean: " if args.check else "cleaned: ") + str(path))
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
