"""The window at scale: open a census of 1,000,000 persons and scroll its people table.

    .venv/bin/python bench/bench_window.py                  # 1,000,000 persons (builds the census once, ~2 min)
    .venv/bin/python bench/bench_window.py --persons 200000

A script, not a test: it prints figures, asserts nothing. The census is written directly with
executemany (bench_import.synthetic_census) and cached under the temp folder. Each measurement runs
in a fresh process that reports its own peak memory (VmHWM from /proc/self/status), with a
baseline beside it: the bare core opening the same census and computing its summary.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_CORE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[2])
from models.census import Census
t = time.perf_counter()
census = Census.open(sys.argv[1])
census.summary()
census.people.count()
census.people.page(limit=200)
elapsed = time.perf_counter() - t
hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))
print(json.dumps({"open_s": elapsed, "peak_mb": hwm / 1024}))
"""

_WINDOW = r"""
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[2])
from PySide6.QtCore import QStandardPaths
QStandardPaths.setTestModeEnabled(True)
from gui.app import create_app
from gui.main_window import MainWindow
app = create_app()
t = time.perf_counter()
window = MainWindow()
window.resize(1600, 1000)
window.show()
window.open_census(__import__("pathlib").Path(sys.argv[1]))
app.processEvents()
opened = time.perf_counter() - t
# 查找区划: the last leaf of the tree by name (a community of the last county), as a clerk types it
leaf = window.tree_model.order[-1]
t = time.perf_counter()
found = window.find_region(leaf.name)
app.processEvents()
find_s = time.perf_counter() - t
assert found and window.selected_region_id() == leaf.region_id or leaf.name in window.statusBar().currentMessage()
# expanding every node of the tree (the worst a clerk can do: Qt's expandAll)
t = time.perf_counter()
window.tree.expandAll()
app.processEvents()
expand_s = time.perf_counter() - t
window.tabs.setCurrentWidget(window.people)
app.processEvents()
view = window.people.view
model = window.people.model
rows = model.rowCount()
t = time.perf_counter()
for fraction in (0.25, 0.5, 0.75, 1.0):
    row = min(int(rows * fraction), rows - 1)
    view.scrollTo(model.index(row, 0))
    app.processEvents()
    model.data(model.index(row, 1))
scrolled = (time.perf_counter() - t) / 4
hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))
print(json.dumps({"open_s": opened, "rows": rows, "jump_s": scrolled, "peak_mb": hwm / 1024,
                  "find_s": find_s, "expand_s": expand_s, "regions": len(window.tree_model.order)}))
window.close()
"""


def load_bench_import():
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "bench_import.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def build(persons: int) -> Path:
    folder = Path(tempfile.gettempdir()) / "sw-census-bench-window"
    folder.mkdir(exist_ok=True)
    path = folder / f"persons-{persons}.census"
    if path.exists():
        return path
    from demo.samples import demo_regions, write_population

    bench = load_bench_import()
    population = write_population(folder / "population.xlsx", demo_regions())
    partial = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    print(f"building a census of {persons:,} persons (once) …", flush=True)
    bench.synthetic_census(partial, population, persons)
    partial.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    return path


def run(code: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(path), str(ROOT)], capture_output=True, text=True,
                         check=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    path = build(args.persons)
    core = run(_CORE, path)
    window = run(_WINDOW, path)
    print(f"census: {args.persons:,} persons, {path.stat().st_size / 2**20:,.0f} MB on disk")
    print(f"{'':34}{'window':>12}{'bare core (baseline)':>24}")
    print(f"{'open + summary + first page':34}{window['open_s']:>11.2f}s{core['open_s']:>23.2f}s")
    print(f"{'peak memory (VmHWM)':34}{window['peak_mb']:>10.0f}MB{core['peak_mb']:>21.0f}MB")
    print(f"{'people table rows':34}{window['rows']:>12,}")
    print(f"{'jump to 25/50/75/100 % (mean)':34}{window['jump_s']:>11.2f}s")
    print(f"{'查找区划 (the last leaf by name)':34}{window['find_s'] * 1000:>10.0f}ms")
    print(f"{'expand every node of the tree':34}{window['expand_s']:>11.2f}s   ({window['regions']:,} regions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
