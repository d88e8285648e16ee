"""How long the window stops answering: its longest pause per action, on a province and a million persons.

    .venv/bin/python bench/bench_pauses.py            # 20,003 regions, 500 returns; 1,000,000 persons (~5 min)
    .venv/bin/python bench/bench_pauses.py --quick    # 2,000 regions, 100 returns; 200,000 persons

A script, not a test: it prints figures and asserts nothing. A timer on the GUI thread ticks every
5 ms; the longest gap between two ticks while an action runs, and until the work it started on a
thread has ended, is how long a clerk could not type, scroll or watch the progress. The baseline
beside it is the same timer with the window idle, on this machine, in the same run. Work done on a
thread still pauses the window when it holds Python's lock for long (a full garbage collection, a
large unpickling), which is why every action is measured end to end.

Each census is driven in a fresh offscreen process (as bench/bench_window.py does): the province
(bench/bench_province.py's tree, returns over the whole province imported by the command line's
loop), the same tree without returns for the import review and import through the window, and
bench_window's census of a million persons.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench_window  # noqa: E402 - a sibling script: its folder is on sys.path when this one runs

from demo.samples import province_regions, write_population, write_province_returns  # noqa: E402
from importers.files import import_files  # noqa: E402
from importers.job import run_to_end  # noqa: E402
from importers.population import load_population  # noqa: E402
from models.census import Census  # noqa: E402
from models.records import display_width  # noqa: E402

QUICK_TREE = {"cities": 2, "districts": 9, "streets": 150, "leaves": 1840}  # ≈ 2,000 nodes, as bench_province

# The window's side, run as `python -c _WINDOW <census> <root> <returns folder or ""> <returns to review>`.
_WINDOW = r"""
import json, os, sys, time
from pathlib import Path
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[2])


def main():
    from PySide6.QtCore import QElapsedTimer, QStandardPaths, QTimer
    QStandardPaths.setTestModeEnabled(True)
    from gui import messages
    from gui.app import create_app
    from gui.main_window import MainWindow

    app = create_app()
    messages.show_info = messages.show_error = messages.show_paths = lambda *a, **k: None
    messages.ask = lambda *a, **k: True
    clock = QElapsedTimer()
    clock.start()
    beat = {"last": 0, "worst": 0}

    def tick():
        now = clock.elapsed()
        beat["worst"] = max(beat["worst"], now - beat["last"])
        beat["last"] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    win = MainWindow()
    win.resize(1366, 768)
    win.show()
    pauses = {}

    def settle(done=lambda: True, quiet_ms=300):
        end = time.perf_counter() + 600
        while time.perf_counter() < end and (win.busy or win.problems.loading or not done()):
            app.processEvents()
            time.sleep(0.001)
        until = time.perf_counter() + quiet_ms / 1000
        while time.perf_counter() < until:
            app.processEvents()
            time.sleep(0.001)

    def measure(label, action, done=lambda: True):
        settle()
        beat["last"], beat["worst"] = clock.elapsed(), 0
        action()
        settle(done)
        pauses[label] = beat["worst"]

    settle()
    beat["last"], beat["worst"] = clock.elapsed(), 0
    settle(quiet_ms=1000)
    pauses["idle for a second (baseline)"] = beat["worst"]
    measure("open the census", lambda: win.open_in_background(Path(sys.argv[1])), lambda: win.census is not None)
    if sys.argv[3]:  # the tree only: its import review and import, nothing else to see yet
        files = sorted(Path(sys.argv[3]).rglob("*.xlsx"))[:int(sys.argv[4])]
        holder = {}
        measure(f"review {len(files)} returns", lambda: holder.update(d=win.import_paths(files)),
                lambda: not holder["d"].planning and bool(holder["d"].entries))
        measure("import them", holder["d"].start_import, lambda: holder["d"].outcomes is not None)
        print(json.dumps(pauses))
        return
    for i in range(win.tabs.count()):
        measure(f"show the {win.tabs.tabText(i)} page", lambda i=i: win.tabs.setCurrentIndex(i))
    order = win.tree_model.order
    measure("select a community", lambda: win.select_region(order[-1].region_id))
    measure("select the top region", lambda: win.select_region(order[0].region_id))
    measure("查找区划 (the last community by name)", lambda: win.find_region(order[-1].name))
    win.select_region(order[0].region_id)
    win.tabs.setCurrentWidget(win.problems)
    settle()
    measure("问题 page, top region", lambda: win.select_region(order[0].region_id))
    win.tabs.setCurrentWidget(win.people)
    people = win.people
    measure("人员: search a name", lambda: (people.search.setText("王"), people.refresh()),
            lambda: people.model.found is not None)
    measure("人员: clear the search", lambda: (people.search.setText(""), people.refresh()))
    rows = people.model.rowCount()
    measure("人员: jump to the last row", lambda: people.view.scrollTo(people.model.index(rows - 1, 0)),
            lambda: not people.model._loading)
    measure("刷新 (F5)", win.refresh_in_background)
    print(json.dumps(pauses))
    win.close()


if __name__ == "__main__":
    main()
"""


def run_window(census: Path, returns: Path | None = None, review: int = 0) -> dict[str, int]:
    out = subprocess.run([sys.executable, "-c", _WINDOW, str(census), str(ROOT), str(returns or ""), str(review)],
                         capture_output=True, text=True, check=True, timeout=1800)
    return json.loads(out.stdout.strip().splitlines()[-1])


def province(tmp: Path, returns: int, quick: bool) -> tuple[Path, Path, Path]:
    """(the province census with its returns imported, the same tree without returns, the returns' folder)."""
    regions = province_regions(**QUICK_TREE) if quick else province_regions()
    table = write_population(tmp / "户籍人口.xlsx", regions)
    folder = tmp / "returns"
    paths = [r.path for r in write_province_returns(folder, regions, returns, 50, seed=3)]
    full, empty = tmp / "province.census", tmp / "tree-only.census"
    with Census.open(empty) as census:
        load_population(census, table)
    with Census.open(full) as census:
        load_population(census, table)
        run_to_end(import_files(census, paths))
    return full, empty, folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--returns", type=int, default=500)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="make the province in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    if args.quick:
        args.returns, args.persons = 100, 200_000
    with (contextlib.nullcontext(args.keep) if args.keep
          else tempfile.TemporaryDirectory(prefix="census-pauses-")) as name:
        tmp = Path(name)
        tmp.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        print("· a province and its returns …", flush=True)
        full, empty, folder = province(tmp, args.returns, args.quick)
        print("· a census of a million persons (bench_window's, built once) …", flush=True)
        million = bench_window.build(args.persons)
        columns = {
            "province": run_window(full),
            "review + import": run_window(empty, folder, args.returns),
            f"{args.persons:,} persons": run_window(million),
        }
    labels = list(dict.fromkeys(label for figures in columns.values() for label in figures))
    print(f"\nlongest pause of the window, ms (a tick every 5 ms; {time.perf_counter() - started:.0f} s in all)")
    print(_pad("", 40) + "".join(_pad(name, 18, right=True) for name in columns))
    for label in labels:
        print(_pad(label, 40) + "".join(_pad(str(columns[name].get(label, "")), 18, right=True) for name in columns))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    return 0


def _pad(text: str, width: int, right: bool = False) -> str:
    """`text` padded to `width` columns of a terminal (a Chinese character takes two)."""
    room = " " * max(width - display_width(text), 0)
    return room + text if right else text + room


if __name__ == "__main__":
    sys.exit(main())
