#!/usr/bin/env bash
# Set up ./.venv (Python 3.11) with the pinned test requirements and run the whole test suite.
#   bash scripts/test.sh [extra pytest arguments]
# Browser tests need Debian's chromium at /usr/bin/chromium; as root this script installs it
# (apt-get), otherwise install it yourself (sudo apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is needed (mxnet 1.9.1 and numpy 1.23.5 stop there); this is {sys.version.split()[0]}"'
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
[ -d .venv ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
.venv/bin/python -m ruff check .
exec .venv/bin/python -m pytest "$@"
