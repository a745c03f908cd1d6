#!/usr/bin/env bash
# Set up the course in ./.venv (Python 3.11) and open it in JupyterLab at the start page.
#   bash scripts/course.sh [extra jupyter lab arguments, e.g. --no-browser]
# Jupyter keeps its token authentication: open the link it prints.
# JupyterLab serves the whole repository (not just notebooks/), so the notebooks' pictures
# in ../img and the modules beside them are reachable, as on Binder.
# ROI_COURSE_SETUP=0 skips the venv setup and uses the `jupyter` on PATH (the tests do this).
set -euo pipefail
cd "$(dirname "$0")/.."
jupyter=jupyter
if [ "${ROI_COURSE_SETUP:-1}" != 0 ]; then
  PYTHON=${PYTHON:-python3.11}
  command -v "$PYTHON" >/dev/null || PYTHON=python3
  "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is needed (mxnet 1.9.1 and numpy 1.23.5 stop there); this is {sys.version.split()[0]}"'
  [ -d .venv ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  jupyter=.venv/bin/jupyter
fi
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)  # Jupyter refuses root otherwise (containers, CI boxes)
exec "$jupyter" lab --ServerApp.root_dir="$PWD" notebooks/00_start_here.ipynb "${extra[@]}" "$@"
