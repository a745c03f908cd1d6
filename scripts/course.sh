#!/usr/bin/env bash
# Open the course in JupyterLab at the start page: a thin wrapper of scripts/course.py
# (which works on Windows too: py scripts\course.py). Arguments go to jupyter lab.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "$(command -v python3 || command -v python)" scripts/course.py "$@"
