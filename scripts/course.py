"""Open the course in JupyterLab at its start page (Linux, macOS and Windows).

    python3 scripts/course.py [extra jupyter lab arguments, e.g. --no-browser]
    py scripts\\course.py                      (Windows)

Finds a suitable Python, sets up its virtual environment from requirements.txt (pip runs only
when the requirements changed since the last time; see scripts/course_env.py), says in one line
which Python it uses and what that means (live mxnet or recorded outputs), then starts JupyterLab
serving the whole repository (so the notebooks' pictures in img/ load, as on Binder) with
the start page as its default URL: the link Jupyter prints (with its token) opens
notebooks/00_start_here.ipynb. Token authentication stays on.

--setup-only sets up the environment and stops (for VS Code, which runs the notebooks itself).
ROI_PYTHON=/path/to/python chooses the interpreter (and its own .venv-X.Y).
ROI_COURSE_SETUP=0 skips the setup and runs JupyterLab of the running Python (the tests do this).
"""

from __future__ import annotations

import os
import subprocess
import sys

import course_env


def lab_command(python: str, extra: list[str]) -> list[str]:
    """The ``jupyter lab`` command line for the course."""
    command = [
        python,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={course_env.ROOT}",
        f"--LabApp.default_url=/lab/tree/{course_env.START_PAGE}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # Jupyter refuses root otherwise (containers, CI boxes)
    return command + extra


def lab_environment(environ: dict) -> dict:
    """``environ`` with the course's Jupyter config directory first on JUPYTER_CONFIG_PATH."""
    paths = [str(course_env.JUPYTER_CONFIG)]
    if environ.get("JUPYTER_CONFIG_PATH"):
        paths.append(environ["JUPYTER_CONFIG_PATH"])
    return {**environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(paths)}


def main(argv: list[str]) -> int:
    python = course_env.setup_or_exit(["requirements.txt"])
    if argv == ["--setup-only"]:
        print(f"course: ready: {python}")
        return 0
    command = lab_command(python, argv)
    environment = lab_environment(dict(os.environ))
    print(
        f"course: starting JupyterLab; open the link below that ends in {course_env.START_PAGE}?token=...",
        flush=True,
    )
    os.chdir(course_env.ROOT)
    if os.name == "posix":
        os.execve(command[0], command, environment)  # Ctrl+C and signals go straight to Jupyter
    process = subprocess.Popen(command, env=environment)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue  # Jupyter got it too and asks whether to shut down


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
