#!/usr/bin/env bash
# Build the one-folder bundle into dist/<name>/ with the pinned PyInstaller, then smoke-test it.
#     bash scripts/build.sh            build + smoke test
#     bash scripts/build.sh --no-smoke build only
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! .venv/bin/python -c "import PyInstaller" 2>/dev/null; then
  .venv/bin/python -m pip install -q "$(grep -i '^pyinstaller==' requirements-dev.txt)"
fi
name=$(.venv/bin/python -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['name'])")
start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
echo "built dist/$name in $(( $(date +%s) - start )) s, $(du -sh "dist/$name" | cut -f1)"
if [ "${1:-}" != "--no-smoke" ]; then
  bash scripts/smoke_frozen.sh
fi
