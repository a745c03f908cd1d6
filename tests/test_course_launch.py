"""The README's first command opens a JupyterLab in which every notebook's pictures load.

``scripts/course.sh`` is started as the README says (its venv setup skipped with
``ROI_COURSE_SETUP=0``, using this environment's ``jupyter``), with token authentication
on. A JupyterLab rooted in ``notebooks/`` would serve the notebooks but not ``../img``, so
every picture would be broken; the server must serve the whole repository.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))  # browser_harness

import browser_harness as bh  # noqa: E402

ROOT = bh.ROOT
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def pictures(notebook_path: Path) -> list[str]:
    """Repository paths of the images the notebook's markdown cells show."""
    notebook = nbformat.read(notebook_path, as_version=4)
    found = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", cell.source):
                found.append((notebook_path.parent / target).resolve().relative_to(ROOT).as_posix())
    return found


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def course_server():
    port, token = bh.free_port(), secrets.token_hex(16)
    bin_dir = str(Path(sys.executable).parent)
    with tempfile.TemporaryDirectory() as home:
        environment = bh.lab_environment(Path(home), {"ROI_COURSE_SETUP": "0"})
        environment["PATH"] = bin_dir + os.pathsep + environment.get("PATH", "")
        command = [
            "bash",
            str(ROOT / "scripts" / "course.sh"),
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
        ]
        with bh.running_server(command, environment, Path(home) / "lab.log", token, port) as base:
            yield base, token


def test_course_script_serves_the_notebooks_and_their_pictures(course_server):
    base, token = course_server
    wanted = [(f"notebooks/{p.name}", p) for p in NOTEBOOKS]
    for relative, path in wanted:
        assert status(f"{base}/api/contents/{relative}?content=0&token={token}") == 200, relative
        for picture in pictures(path):
            assert status(f"{base}/files/{picture}?token={token}") == 200, f"{relative} shows {picture}"
    assert sum(len(pictures(p)) for p in NOTEBOOKS) >= 10


def test_course_script_keeps_token_authentication(course_server):
    base, _ = course_server
    assert status(f"{base}/api/contents/notebooks") in (401, 403)
