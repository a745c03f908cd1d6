"""Regenerate the PNGs in img/ from roi_utils results.

    python scripts/make_figures.py          # every figure
    python scripts/make_figures.py ch1 ch3  # only these chapters

Each chapter's figures live in scripts/figures/chN.py as ``FIGURES = {"name.png": draw}``,
where ``draw(path)`` saves one PNG. Drawing is seeded and uses the Agg backend, so the
same code gives the same pictures.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "img"
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]


def chapters() -> list[str]:
    return sorted(p.stem for p in (ROOT / "scripts" / "figures").glob("ch*.py"))


def make(selected: list[str] | None = None, out_dir: Path = IMG) -> list[Path]:
    import matplotlib.pyplot as plt

    out_dir.mkdir(exist_ok=True)
    made = []
    for chapter in selected or chapters():
        module = importlib.import_module(f"figures.{chapter}")
        for name, draw in module.FIGURES.items():
            path = out_dir / name
            draw(path)
            plt.close("all")
            made.append(path)
    return made


if __name__ == "__main__":
    for path in make(sys.argv[1:] or None):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
