"""The README's first command opens JupyterLab at the start page, serving every notebook's pictures,
and saving a chapter leaves it as committed.

``scripts/course.py`` is started as the README says, in a throwaway copy of the course, with its
venv setup skipped (``ROI_COURSE_SETUP=0``: this environment's JupyterLab) and token
authentication on. A JupyterLab rooted in ``notebooks/`` would serve the notebooks but not
``../img``, so every picture would be broken; the server must serve the whole repository.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import browser_harness as bh  # noqa: E402
import clean_notebooks  # noqa: E402

ROOT = bh.ROOT
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
START_PAGE = "notebooks/00_start_here.ipynb"


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


def used_by_a_session(notebook: dict) -> dict:
    """``notebook`` as JupyterLab saves it after a run: outputs, counts, widget views, kernel details."""
    notebook = copy.deepcopy(notebook)
    notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    notebook["metadata"]["language_info"] = {
        "name": "python",
        "version": "3.13.0",
        "mimetype": "text/x-python",
    }
    for number, cell in enumerate(c for c in notebook["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = number + 1
        cell["outputs"] = [
            {"output_type": "stream", "name": "stdout", "text": "made in a session\n"},
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {
                    "application/vnd.jupyter.widget-view+json": {"model_id": "f00d", "version_major": 2}
                },
            },
        ]
        cell["metadata"]["execution"] = {"iopub.status.idle": "2026-12-01T09:00:00Z"}
    return notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_cleaning_a_used_notebook_gives_back_the_committed_file(path):
    committed = path.read_text(encoding="utf-8")
    used = used_by_a_session(json.loads(committed))
    assert nbformat.writes(nbformat.from_dict(used)) + "\n" != committed
    assert nbformat.writes(nbformat.from_dict(clean_notebooks.clean(used))) + "\n" == committed
    assert clean_notebooks.is_chapter(path) == (path.name[:2].isdigit())


@pytest.fixture(scope="module")
def course_server():
    port, token = bh.free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as tmp:
        root = bh.copy_course(Path(tmp) / "course")
        home = Path(tmp) / "home"
        environment = bh.lab_environment(home, {"ROI_COURSE_SETUP": "0"})
        command = [
            sys.executable,
            str(root / "scripts" / "course.py"),
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
        ]
        with bh.running_server(command, environment, home / "lab.log", token, port) as base:
            yield base, token, root, home / "lab.log"


def test_course_script_serves_the_notebooks_and_their_pictures(course_server):
    base, token, _, _ = course_server
    wanted = [(f"notebooks/{p.name}", p) for p in NOTEBOOKS]
    for relative, path in wanted:
        assert status(f"{base}/api/contents/{relative}?content=0&token={token}") == 200, relative
        for picture in pictures(path):
            assert status(f"{base}/files/{picture}?token={token}") == 200, f"{relative} shows {picture}"
    assert sum(len(pictures(p)) for p in NOTEBOOKS) >= 10


def test_course_script_keeps_token_authentication(course_server):
    base, _, _, _ = course_server
    assert status(f"{base}/api/contents/notebooks") in (401, 403)


def test_course_script_prints_the_start_page_url(course_server):
    base, token, _, log = course_server
    start_page = f"{base}/lab/tree/{START_PAGE}?token={token}"
    printed = log.read_text()
    # Jupyter shows a token given on its command line as "...", one it made itself in full.
    assert f"{base}/lab/tree/{START_PAGE}?token=..." in printed, printed
    assert f"{base}/lab?token=" not in printed, "a /lab link opens the Launcher, not the start page"
    assert "Traceback" not in printed and "pre_save_hook" not in printed, "the course's config loads quietly"
    with urllib.request.urlopen(start_page, timeout=10) as response:
        assert response.status == 200
    with urllib.request.urlopen(f"{base}/?token={token}", timeout=10) as response:
        assert response.url == start_page, "the server's own start URL is the start page too"


def save(base: str, token: str, relative: str, notebook: dict) -> None:
    body = json.dumps({"type": "notebook", "format": "json", "content": notebook}).encode()
    request = urllib.request.Request(
        f"{base}/api/contents/{relative}?token={token}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=30).close()


def test_saving_a_chapter_keeps_it_as_committed(course_server):
    """What autosave does after a run: the file stays byte for byte as committed (no outputs, so
    no "model not found" on reopening, and git sees no change); a learner's edit is kept."""
    base, token, root, _ = course_server
    committed = (ROOT / START_PAGE).read_text(encoding="utf-8")
    used = used_by_a_session(json.loads(committed))
    save(base, token, START_PAGE, used)
    assert (root / START_PAGE).read_text(encoding="utf-8") == committed
    used["cells"][-1]["source"] = "my own note"
    save(base, token, START_PAGE, used)
    saved = json.loads((root / START_PAGE).read_text(encoding="utf-8"))
    assert "".join(saved["cells"][-1]["source"]) == "my own note"
    assert all(c.get("outputs", []) == [] for c in saved["cells"]) and "widgets" not in saved["metadata"]


def test_saving_another_notebook_keeps_its_outputs(course_server):
    base, token, root, _ = course_server
    used = used_by_a_session(json.loads((ROOT / START_PAGE).read_text(encoding="utf-8")))
    save(base, token, "notebooks/my_notes.ipynb", used)
    saved = json.loads((root / "notebooks" / "my_notes.ipynb").read_text(encoding="utf-8"))
    assert saved["cells"][2]["outputs"] and "widgets" in saved["metadata"]
