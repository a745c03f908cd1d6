"""Set up the test environment and run ruff and the whole test suite (Linux, macOS and Windows).

    python3 scripts/test.py [extra pytest arguments, e.g. -m "not browser and not slow"]
    py scripts\\test.py                        (Windows)

Finds a suitable Python and sets up its virtual environment from requirements-dev.txt, as
scripts/course.py does (same interpreter choice, same ROI_PYTHON, pip only when the requirements
changed). The browser tests drive JupyterLab in Debian's Chromium (/usr/bin/chromium); as root on a
Debian/Ubuntu machine without it, this script installs it with apt-get; elsewhere those tests are
skipped with a message saying so. ``--setup-only`` sets everything up and stops (CI uses it to
prepare one leg's environment while the other leg runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import course_env

CHROMIUM = Path("/usr/bin/chromium")


def install_chromium() -> None:
    """apt-get install chromium, when that is possible without asking (root on Debian/Ubuntu)."""
    if CHROMIUM.exists() or not (hasattr(os, "geteuid") and os.geteuid() == 0) or not shutil.which("apt-get"):
        return
    print("course: installing Debian's chromium for the browser tests (apt-get)", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium"],
        check=True,
        env=environment,
        stdout=subprocess.DEVNULL,
    )


def main(argv: list[str]) -> int:
    python = course_env.setup_or_exit(["requirements.txt", "requirements-dev.txt"], install_chromium)
    if argv == ["--setup-only"]:
        print(f"course: ready: {python}")
        return 0
    os.chdir(course_env.ROOT)
    ruff = subprocess.run([python, "-m", "ruff", "check", "."])
    if ruff.returncode != 0:
        return ruff.returncode
    return subprocess.run([python, "-m", "pytest", *argv]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
