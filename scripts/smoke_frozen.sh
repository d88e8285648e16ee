#!/usr/bin/env bash
# Smoke-test the frozen bundle in dist/: the command line (demo census, summary --json), importing a
# generated .xlsx with the frozen binary, and the window opened offscreen and closed. Any failure
# fails the build. Prints the bundle size and cold start times.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$(.venv/bin/python -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['name'])")
app="dist/$name/$name"
[ -x "$app" ] || { echo "no bundle at $app: run scripts/build.sh first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
mkdir -p "$HOME"
export QT_QPA_PLATFORM=offscreen
fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# 1. the command line: demo census, then its summary as JSON
"$app" demo "$work/demo.census" > "$work/demo.txt" || fail "demo exited $?"
t0=$(now)
"$app" summary "$work/demo.census" --json > "$work/summary.json" || fail "summary exited $?"
t1=$(now)
.venv/bin/python - "$work/summary.json" <<'PY' || fail "summary --json is not a summary"
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
root = [r for r in data["regions"] if "/" not in r["path"]]
assert root and root[0]["talents"] > 0, data
print(f"  summary --json: {len(data['regions'])} regions, {root[0]['talents']} talents at {root[0]['path']}")
PY

# 2. importing a spreadsheet with the frozen binary (a bundle that cannot read .xlsx is broken)
.venv/bin/python - "$work" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, ".")
from demo.samples import demo_regions, write_large_return, write_population
work = Path(sys.argv[1])
write_population(work / "population.xlsx", demo_regions())
write_large_return(work / "street.xlsx", 300, seed=11)
from demo.samples import write_many_returns
write_many_returns(work / "folder", 3, 40, seed=12)
write_large_return(work / "large.xlsx", 30000, seed=13)
PY
"$app" population "$work/new.census" "$work/population.xlsx" > /dev/null || fail "population exited $?"
"$app" import "$work/new.census" "$work/street.xlsx" > "$work/import.txt" || fail "import exited $?"
grep -q "数据行 300" "$work/import.txt" || { cat "$work/import.txt"; fail "import did not store 300 rows"; }
# a folder: its files are read by a helper process, which the bundle must be able to start
"$app" import "$work/new.census" "$work/folder" > "$work/folder.txt" 2>&1 || { cat "$work/folder.txt"; fail "folder import exited $?"; }
[ "$(grep -c "数据行 40" "$work/folder.txt")" = 3 ] || { cat "$work/folder.txt"; fail "folder import did not store 3 files"; }
# a large return: its persons are consolidated by a second helper process (models/persons_aside.py),
# which says on stderr when it could not be used (the import is then right all the same, only slower)
"$app" import "$work/new.census" "$work/large.xlsx" > "$work/large.txt" 2> "$work/large.err" \
  || { cat "$work/large.txt" "$work/large.err"; fail "large import exited $?"; }
grep -q "数据行 30000" "$work/large.txt" || { cat "$work/large.txt"; fail "large import did not store 30000 rows"; }
if grep -q "persons aside" "$work/large.err"; then cat "$work/large.err"; fail "the persons helper did not work in the bundle"; fi
"$app" summary "$work/new.census" --json > "$work/new.json" || fail "summary of the import exited $?"
.venv/bin/python - "$work/new.json" <<'PY' || fail "imported people are not counted"
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
root = [r for r in data["regions"] if "/" not in r["path"]][0]
assert root["talents"] > 0, root
print(f"  import: 300 rows → {root['talents']} talents")
PY

# 3. the window, offscreen: opens, shows its main window, closes after about a second
t2=$(now)
"$app" --smoke > "$work/smoke.txt" 2>&1 || { cat "$work/smoke.txt"; fail "the window did not open (exit $?)"; }
t3=$(now)
grep -q "standard buttons: 取消" "$work/smoke.txt" || { cat "$work/smoke.txt"; fail "the Chinese Qt translation (qtbase_zh_CN) is missing"; }

echo "smoke test passed: $app"
echo "  bundle size: $(du -sh "dist/$name" | cut -f1)"
echo "  cold start, summary --json on the demo census: $(secs "$t0" "$t1") s"
echo "  window smoke (start, show, ~1.2 s wait, quit): $(secs "$t2" "$t3") s"
