#!/usr/bin/env bash
# Set up (if needed) and open the app on a demo census made from sample returns it generates.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python main.py --demo "$@"
