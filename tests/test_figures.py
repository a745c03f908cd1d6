"""The figure script regenerates every PNG in img/ from roi_utils, and every figure is used."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_figures  # noqa: E402
import pytest  # noqa: E402


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


# -- every picture beside a cell shows that cell's case (issue 11, item 8) ------------------------


def figure_modules():
    import importlib

    return {chapter: importlib.import_module(f"figures.{chapter}") for chapter in make_figures.chapters()}


def notebook_cells(notebook: str) -> list[dict]:
    import json

    return json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]


def section_of(cells: list[dict], index: int) -> list[dict]:
    """The cells of the section (from one "## " heading to the next) holding cell ``index``."""

    def heading(cell):
        return cell["cell_type"] == "markdown" and "".join(cell["source"]).lstrip().startswith("## ")

    start = max((k for k in range(index + 1) if heading(cells[k])), default=0)
    end = min((k for k in range(index + 1, len(cells)) if heading(cells[k])), default=len(cells))
    return cells[start:end]


def where_shown(image: str) -> tuple[str, list[dict], int]:
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = notebook_cells(path.name)
        for index, cell in enumerate(cells):
            if f"img/{image}" in "".join(cell["source"]):
                return path.name, cells, index
    raise LookupError(f"no notebook shows img/{image}")


def explorer_figures() -> list[tuple[str, object]]:
    return [
        (name, draw)
        for module in figure_modules().values()
        for name, draw in module.FIGURES.items()
        if "explorer" in name
    ]


@pytest.mark.parametrize("image, draw", explorer_figures(), ids=lambda v: v if isinstance(v, str) else "")
def test_an_explorer_picture_is_its_notebook_cells_explorer(image, draw):
    """The picture is the registered explorer as the cell beside it builds it (the registry's case is
    compared with that cell in test_explorer_contract)."""
    from conftest import explorer_cell

    from roi_widgets import EXPLORERS

    assert hasattr(draw, "explorer"), f"{image} is not drawn by figures.explorer_figure"
    entry = EXPLORERS[draw.explorer]
    notebook, cells, index = where_shown(image)
    assert notebook == entry.notebook
    kind = entry.cell or entry.explorer_class.__name__
    section = "".join("".join(c["source"]) for c in section_of(cells, index))
    assert f"explorer = {kind}(" in section, f"{image} and the {kind} cell are in different sections"
    assert explorer_cell(notebook, kind) == dict(entry.kwargs)


def case_figures() -> list[tuple[str, list, object]]:
    return [
        (image, boxes, module)
        for module in figure_modules().values()
        for image, boxes in getattr(module, "CASES", {}).items()
    ]


def imported_value(cells: list[dict], name: str):
    """The value of ``name`` as the notebook's imports define it (``from module import ..., name``)."""
    import importlib

    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    for module, names in re.findall(r"^from ([\w.]+) import (.+)$", code, flags=re.M):
        if name in [n.strip().split(" as ")[0] for n in names.split(",")]:
            return getattr(importlib.import_module(module), name)
    raise LookupError(f"the notebook never imports {name}")


@pytest.mark.parametrize(
    "image, boxes, module", case_figures(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_figures_boxes_are_its_sections_boxes(image, boxes, module):
    """Each box a figure draws is one the cells show, before the figure or in the section after it
    (chapter 2's figure says the next section explains it): written out, or by the name of a constant
    (a string in CASES) that the notebook imports with the figure's value."""
    _, cells, index = where_shown(image)
    headings = [k for k, c in enumerate(cells) if k > index and "\n## " in "\n" + "".join(c["source"])]
    end = headings[1] if len(headings) > 1 else len(cells)  # up to the end of the next section
    text = "".join("".join(c["source"]) for c in cells[:end])
    for box in boxes:
        if isinstance(box, str):
            assert re.search(rf"\b{box}\b", text), f"{image}'s section never uses {box}"
            assert list(imported_value(cells, box)) == list(getattr(module, box)), box
        else:
            assert str(list(box)) in text, f"{image} draws box {box}, which its section never shows"


def test_every_figure_beside_a_cell_declares_its_case():
    """A figure of explorers or boxes says which (CASES or explorer_figure); only pictures without a
    box (the photo's channels, the paper recipe's table, chapter 6's) may do neither."""
    declared = {image for image, _ in explorer_figures()} | {image for image, _, _ in case_figures()}
    without_a_box = {"ch2_backbone.png", "ch3_paper_recipe.png"}
    for chapter, module in figure_modules().items():
        if chapter not in ("ch1", "ch2", "ch3", "ch4", "ch5"):
            continue  # other chapters' figures belong to their own branches
        for image in module.FIGURES:
            assert image in declared or image in without_a_box, image
