#!/usr/bin/env bash
# Run ruff and the whole test suite: a thin wrapper of scripts/test.py (which works on
# Windows too: py scripts\test.py). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "$(command -v python3 || command -v python)" scripts/test.py "$@"
