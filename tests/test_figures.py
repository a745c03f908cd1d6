"""The figure script regenerates every PNG in img/ from roi_utils, and every figure is used."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_figures  # noqa: E402


def test_every_chapter_figure_is_made_and_committed(tmp_path):
    made = make_figures.make(out_dir=tmp_path)
    names = {p.name for p in made}
    assert names, "no figures were made"
    for path in made:
        assert path.stat().st_size > 2000, f"{path.name} looks empty"
    committed = {p.name for p in (ROOT / "img").glob("*.png")}
    assert names == committed, f"regenerate img/: python scripts/make_figures.py ({names ^ committed})"


def test_every_figure_is_referenced_from_a_notebook():
    text = "".join(p.read_text() for p in (ROOT / "notebooks").glob("*.ipynb"))
    text += (ROOT / "README.md").read_text()
    referenced = set(re.findall(r"img/([\w.-]+\.png)", text))
    committed = {p.name for p in (ROOT / "img").glob("*.png")}
    assert committed <= referenced, f"figures nobody shows: {committed - referenced}"
