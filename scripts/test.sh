#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: lint, type check (models, importers, exporters), then pytest (the window tests run offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
