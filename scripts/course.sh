#!/usr/bin/env bash
# Set up the course in ./.venv (Python 3.11) and open it in JupyterLab.
#   bash scripts/course.sh
# Jupyter keeps its token authentication: open the link it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is needed (mxnet 1.9.1 and numpy 1.23.5 stop there); this is {sys.version.split()[0]}"'
[ -d .venv ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)  # Jupyter refuses root otherwise (containers, CI boxes)
exec .venv/bin/jupyter lab notebooks/00_start_here.ipynb "${extra[@]}" "$@"
