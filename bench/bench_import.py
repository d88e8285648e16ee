"""How fast is the census engine on this machine? A script, not a test: nothing here asserts.

    .venv/bin/python bench/bench_import.py              # the full run (about 5 minutes on 2 cores)
    .venv/bin/python bench/bench_import.py --quick      # smaller sizes, for a smoke check
    .venv/bin/python bench/bench_import.py --profile    # also profile the big import (cProfile)
    .venv/bin/python bench/bench_import.py --save bench/baseline.json   # keep figures to compare with

It makes all its data in a temporary folder (demo.samples: the same synthetic returns the
demo and the tests use) and prints:

(a) one street 汇总 of 100,000 rows: our import as the CLI and the window run it (import_files:
    plan + store + recompute; best of two, each into a new census, as each reader figure is the
    best of two reads; beside it the library's import_file) against the bare
    reader on the same file — python_calamine load + to_python, and importers.readers.read_workbook
    (beside it, read_workbook with every sheet parsed whole: importers.sheet_pieces off) — as a
    ratio, plus rows per second;
(b) 500 community returns of 200 rows imported as a folder (importers.files.import_files, as the CLI
    and the window run it): the same ratio over all files;
    for both, beside the bare reads, the naive pandas script a clerk's analyst could write
    (bench/baselines.py: read_excel every file, concat, count ID-like cells; needs
    `pip install -r bench/requirements.txt`), which our import aims to beat while doing the whole job;
(c) `summary` at 100,000 persons and at 1,000,000 persons. The 1M census is NOT made from xlsx (that
    alone would take most of an hour): its batches, source rows and persons are written directly
    with executemany, in the shapes the importer writes, then persons are derived by
    Census.people.recompute() exactly as after an import (that recompute is timed too);
(d) peak memory (ru_maxrss, in a fresh process) of opening the 1M census and paging persons
    the way the window's table does.

With --baseline FILE (default bench/baseline.json when it exists) each figure is printed beside
the one recorded there; the reader figures are the baseline of the import figures in any case.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.startup import compile_sources  # noqa: E402

if __name__ != "__mp_main__":  # not in a reader process (bench/startup.py)
    from python_calamine import CalamineWorkbook

    from bench.baselines import naive_pandas
    from importers.files import import_files
    from importers.job import import_file, run_to_end
    from importers.population import load_population
    from importers.readers import read_workbook
    from models.census import Census
    from models.identity import check_digit

DEFAULT_BASELINE = ROOT / "bench" / "baseline.json"
BIRTH_0 = dt.date(1950, 1, 2)


# --------------------------------------------------------------------------- helpers

def timed(func: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Best wall time of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def bare_calamine(path: Path) -> int:
    """The floor: calamine opens the workbook and converts every sheet to Python lists."""
    book = CalamineWorkbook.from_path(str(path))
    try:
        return sum(len(book.get_sheet_by_index(i).to_python(skip_empty_area=False))
                   for i in range(len(book.sheet_names)))
    finally:
        book.close()


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def new_census(path: Path, population: Path) -> Census:
    census = Census.open(path)
    load_population(census, population)
    return census


# --------------------------------------------------------------------------- (a) and (b)

def bench_large(tmp: Path, population: Path, rows: int, profile: bool) -> dict:
    print(f"· generating one return of {rows:,} rows …", flush=True)
    from demo.samples import write_large_return  # here, not at the top: see main()

    t, path = timed(lambda: write_large_return(tmp / "large.xlsx", rows, seed=1))
    print(f"  written in {t:.1f} s ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
    calamine_s, _ = timed(lambda: bare_calamine(path), repeat=2)
    reader_s, _ = timed(lambda: read_workbook(path), repeat=2)
    whole_s, _ = timed(lambda: _read_whole(path), repeat=2)
    pandas_s, pandas_note = timed(lambda: naive_pandas([path]))
    # Best of two, as the readers above: each try into a census of its own, made before the clock
    # starts. As the CLI and the window import it (import_files, one file); beside it the library's
    # one-file call (import_file), which the tests and scripts use.
    import_s, result = float("inf"), None
    for attempt in range(2):
        census_path = tmp / ("large.census" if attempt else "large-first.census")
        census = new_census(census_path, population)
        start = time.perf_counter()
        result = run_to_end(import_files(census, [path]))[0].result
        import_s = min(import_s, time.perf_counter() - start)
        persons = census.people.count()
        census.close()  # the last connection: the WAL is checkpointed into the file
    one_file_s = float("inf")
    for attempt in range(2):
        census = new_census(tmp / f"large-one-{attempt}.census", population)
        start = time.perf_counter()
        import_file(census, path)
        one_file_s = min(one_file_s, time.perf_counter() - start)
        census.close()
    out = {"rows": result.rows_total, "persons": persons, "calamine_s": calamine_s, "reader_s": reader_s,
           "reader_whole_s": whole_s,
           # every row's cells are kept as the file's own bytes, once (models.kept_files)
           "census_mb": (tmp / "large.census").stat().st_size / 1e6, "kept_mb": path.stat().st_size / 1e6,
           "import_s": import_s, "import_file_s": one_file_s, "rows_per_s": result.rows_total / import_s,
           **_against_pandas(import_s, pandas_s, pandas_note),
           "ratio_calamine": import_s / calamine_s, "ratio_reader": import_s / reader_s}
    if profile:  # a second import into a fresh census, so the profiler does not slow the timed one
        with new_census(tmp / "profiled.census", population) as census:
            profiler = cProfile.Profile()
            profiler.runcall(import_file, census, path)
        out["profile"] = _profile_text(profiler)
    return out


def _against_pandas(import_s: float, pandas_s: float, note: str) -> dict:
    """The naive pandas script's time and our import's ratio to it (None without pandas)."""
    ran = "installed" not in note
    return {"pandas_s": pandas_s if ran else None, "ratio_pandas": import_s / pandas_s if ran else None,
            "pandas_note": note}


def _read_whole(path: Path):
    """read_workbook with every sheet parsed whole (importers.sheet_pieces off): the baseline of
    the pieces' gain."""
    import importers.sheet_pieces as sheet_pieces

    floor, sheet_pieces.PIECE_MIN_BYTES = sheet_pieces.PIECE_MIN_BYTES, 1 << 62
    try:
        return read_workbook(path)
    finally:
        sheet_pieces.PIECE_MIN_BYTES = floor


def bench_many(tmp: Path, population: Path, count: int, rows_each: int) -> dict:
    print(f"· generating {count} returns of {rows_each} rows …", flush=True)
    from demo.samples import write_many_returns

    t, returns = timed(lambda: write_many_returns(tmp / "many", count, rows_each, seed=2))
    print(f"  written in {t:.1f} s", flush=True)
    calamine_s, _ = timed(lambda: [bare_calamine(r.path) for r in returns])
    reader_s, _ = timed(lambda: [read_workbook(r.path) for r in returns])
    census = new_census(tmp / "many.census", population)

    pandas_s, pandas_note = timed(lambda: naive_pandas([r.path for r in returns]))
    # as the CLI and the window import a folder: files in groups, the next ones read ahead
    import_s, outcomes = timed(lambda: run_to_end(import_files(census, [r.path for r in returns])))
    rows = sum(o.result.rows_total for o in outcomes if o.result)
    census.close()
    return {"files": count, "rows": rows, "calamine_s": calamine_s, "reader_s": reader_s, "import_s": import_s,
            "rows_per_s": rows / import_s, "files_per_s": count / import_s,
            "ratio_calamine": import_s / calamine_s, "ratio_reader": import_s / reader_s,
            **_against_pandas(import_s, pandas_s, pandas_note)}


# --------------------------------------------------------------------------- (c) and (d)

def synthetic_census(path: Path, population: Path, persons: int, seed: int = 3) -> float:
    """A census of `persons` people, one source row each plus 10% second rows and 1% pending rows,
    written through census.batches (no xlsx); persons derived by recompute(). Returns recompute seconds."""
    rng = random.Random(seed)
    census = new_census(path, population)
    parents = {r.parent_id for r in census.regions.all()}
    leaves = [r for r in census.regions.all() if r.id not in parents]
    streets = [r for r in census.regions.all() if r.depth == 2]
    majors = ("社会工作", "法学", "心理学", "汉语言文学", "", "会计")
    files = max(persons // 2000, 1)
    with census.transaction():
        for f in range(files):
            region = leaves[f % len(leaves)]
            batch_id = census.batches.add(
                file_name=f"synthetic_{f:05d}.xlsx", file_path="", sha256=f"{f:064x}", size=None, format="xlsx",
                sheet="汇总", header_first=1, header_last=2, region_source="synthetic", mapping={})
            census.batches.set_region(batch_id, region.id)
            rows = []
            per_file = persons // files + (1 if f < persons % files else 0)
            for i in range(per_file):
                n = f * (persons // files + 1) + i
                born = BIRTH_0 + dt.timedelta(days=7 * (n // 1000 % 4000))
                first17 = f"3699{n // 4_000_000 % 100:02d}{born:%Y%m%d}{n % 1000:03d}"  # unique per n
                number = first17 + check_digit(first17)
                level = rng.choice((0, 0, 0, 1, 1, 2, 3))
                edu = rng.choice((0, 2, 3, 4, 4, 5))
                hours = rng.choice((None, 40.0, 120.0, 200.0))
                # SHEET_ROW_COLUMNS order, each row's region id appended
                rows.append(("汇总", i + 3, f"人员{n}", number, number, "ok", None, "女", "13800000000", level, "",
                             edu, "", rng.choice(majors), hours, None, None, None, None, region.id))
                if n % 10 == 0:  # a second row in a street's sheet with other qualifications
                    street = streets[n % len(streets)]
                    rows.append(("汇总", i + 100000, f"人员{n}", number, number, "ok", None, "", "", 0, "", 4, "",
                                 "社会工作", None, None, None, None, None, street.id))
                if n % 100 == 0:
                    rows.append(("汇总", i + 200000, f"待核{n}", number[:17], None, "pending",
                                 "身份证号位数不对（应为18位）：现为17位", "", "", 0, "", 0, "", "", None, None, None,
                                 None, None, region.id))
            census.batches.insert_sheet_rows(batch_id, None, rows)
        start = time.perf_counter()
        census.people.recompute()
        recompute_s = time.perf_counter() - start
    census.close()
    return recompute_s


def bench_summary(path: Path, repeat: int = 3) -> dict:
    """Time `summary` as the CLI does it: open the census cold, then summary(); best of `repeat`."""
    def once():
        with Census.open(path) as census:
            return len(census.summary())

    cold_s, _ = timed(once, repeat=1)
    best_s, _ = timed(once, repeat=repeat)
    with Census.open(path) as census:
        persons = census.people.count()
    return {"persons": persons, "summary_s": best_s, "summary_first_s": cold_s}


def bench_rule_change(path: Path, scratch_s: float) -> dict:
    """A rule change as the window runs it (settings.set_rules with progress and a cancel check),
    against building every person from scratch (the synthetic census's first recompute)."""
    reports = []
    with Census.open(path) as census:
        rules = census.settings.rules
        start = time.perf_counter()
        census.settings.set_rules(dataclasses.replace(rules, min_hours=rules.min_hours + 1),
                                  progress=lambda done, total: reports.append(done), cancel=lambda: False)
        change_s = time.perf_counter() - start
    return {"rule_change_s": change_s, "rule_change_ratio": change_s / scratch_s, "rule_change_reports": len(reports)}


_PAGING = r"""
import resource, sys, time
sys.path.insert(0, sys.argv[2])
from models.census import Census
start = time.perf_counter()
census = Census.open(sys.argv[1])
total = census.people.count()
for offset in (0, 200, 400, total // 2, max(total - 200, 0)):
    census.people.page(offset=offset, limit=200)
census.people.page(search="人员12", limit=200)
census.people.page(category="certified", offset=1000, limit=200)
region = [r for r in census.regions.all() if r.depth == 1][0]
census.people.count(region_id=region.id)
census.people.page(region_id=region.id, offset=0, limit=200)
census.summary()
elapsed = time.perf_counter() - start
hwm = next((line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")), "0")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, elapsed, hwm)
"""
# On Linux a child's ru_maxrss starts from its parent's (fork/exec keep it), and this process holds
# hundreds of MB by now: a small launcher process starts the measured one, so it starts clean.
_LAUNCH = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def bench_memory(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _LAUNCH, sys.executable, "-c", _PAGING, str(path), str(ROOT)],
                         capture_output=True, text=True, check=True).stdout.split()
    return {"peak_rss_mb": int(out[0]) / 1024, "paging_s": float(out[1]), "vm_hwm_mb": int(out[2]) / 1024}


# --------------------------------------------------------------------------- output

def _profile_text(profiler: cProfile.Profile, lines: int = 25) -> str:
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("tottime").print_stats(lines)
    return buf.getvalue()


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"
    if unit == "x":
        return f"{value:.2f}×"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return str(value)


ROWS = (  # (label, section, key, unit, what it is compared with)
    ("(a) bare calamine load+to_python", "large", "calamine_s", "s", ""),
    ("(a) importers.readers.read_workbook", "large", "reader_s", "s", "whole"),
    ("(a) import 1 file (plan+store+merge)", "large", "import_s", "s", "reader"),
    ("(a) the same through import_file", "large", "import_file_s", "s", "the library's one-file call"),
    ("(a) census file after the import", "large", "census_mb", "MB", "kept"),
    ("(a) import ÷ bare calamine", "large", "ratio_calamine", "x", "aim ≤ 2.5×"),
    ("(a) import ÷ read_workbook", "large", "ratio_reader", "x", ""),
    ("(a) naive pandas script", "large", "pandas_s", "s", "pandas"),
    ("(a) import ÷ naive pandas", "large", "ratio_pandas", "x", "the whole job against read_excel + concat + ID-like cells"),
    ("(a) rows per second", "large", "rows_per_s", "/s", ""),
    ("(b) bare calamine, all files", "many", "calamine_s", "s", ""),
    ("(b) read_workbook, all files", "many", "reader_s", "s", ""),
    ("(b) import all files", "many", "import_s", "s", "reader"),
    ("(b) import ÷ bare calamine", "many", "ratio_calamine", "x", "aim ≤ 3.5×"),
    ("(b) import ÷ read_workbook", "many", "ratio_reader", "x", ""),
    ("(b) naive pandas script", "many", "pandas_s", "s", "pandas"),
    ("(b) import ÷ naive pandas", "many", "ratio_pandas", "x", "the whole job against read_excel + concat + ID-like cells"),
    ("(b) rows per second", "many", "rows_per_s", "/s", ""),
    ("(c) summary, 100k persons", "summary_100k", "summary_s", "s", "aim < 1 s"),
    ("(c) summary, 1M persons (synthetic)", "summary_1m", "summary_s", "s", "aim < 1 s"),
    ("(c) summary, 1M, first call", "summary_1m", "summary_first_s", "s", ""),
    ("(c) build every person, 1M (from scratch)", "summary_1m", "recompute_s", "s", ""),
    ("(c) rule change: recount 1M (progress, 取消)", "summary_1m", "rule_change_s", "s", ""),
    ("(c) rule change ÷ from scratch", "summary_1m", "rule_change_ratio", "x", "aim ≤ 2×"),
    ("(d) peak RSS, open+page 1M", "memory_1m", "peak_rss_mb", "MB", "ru_maxrss, fresh process"),
    ("(d) open+page+summary, 1M", "memory_1m", "paging_s", "s", ""),
)


def print_table(figures: dict, baseline: dict | None) -> None:
    head = f"{'figure':<40}{'now':>14}{'baseline':>14}  note"
    print()
    print(head)
    print("-" * len(head))
    for label, section, key, unit, note in ROWS:
        if section not in figures:
            continue
        value = figures[section].get(key)
        base = (baseline or {}).get(section, {}).get(key)
        if note == "kept":
            note = f"of which the return's own bytes {figures[section]['kept_mb']:.1f} MB (every row's cells, traceable)"
        if note == "whole":
            whole = figures[section].get("reader_whole_s")
            note = f"with every sheet parsed whole (no pieces): {_fmt(whole, 's')}" if whole else ""
        if note == "pandas":
            note = figures[section].get("pandas_note", "")
        if note == "reader":
            note = f"reader {_fmt(figures[section]['reader_s'], 's')}, calamine {_fmt(figures[section]['calamine_s'], 's')}"
        print(f"{label:<40}{_fmt(value, unit):>14}{_fmt(base, unit):>14}  {note}")
    m = figures["machine"]
    print(f"\nmachine: {m.get('cpu', '?')}, {m['cpus']} CPUs, {m.get('memory_gb', '?')} GB, Python {m['python']}")
    if figures.get("compiled"):
        print(figures["compiled"])
    if baseline:
        bm = baseline.get("machine", {})
        print(f"baseline: {baseline.get('label', '')} ({bm.get('cpus', '?')} CPUs, {bm.get('cpu', '?')})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k rows, 50 files, 100k persons")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--rows-each", type=int, default=200)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--profile", action="store_true", help="profile the big import and print the top")
    parser.add_argument("--only", choices=("import", "summary"), help="run one half only")
    parser.add_argument("--baseline", type=Path, help="figures to print beside (default bench/baseline.json)")
    parser.add_argument("--save", type=Path, help="write the figures as JSON")
    parser.add_argument("--label", default="", help="a label stored with --save")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.files, args.persons = 10_000, 50, 100_000
    baseline_path = args.baseline or (DEFAULT_BASELINE if DEFAULT_BASELINE.exists() else None)
    baseline = json.loads(baseline_path.read_text(encoding="utf-8")) if baseline_path else None

    figures: dict = {"machine": machine(), "label": args.label, "compiled": compile_sources()}
    with tempfile.TemporaryDirectory(prefix="census-bench-") as name:
        tmp = Path(name)
        from demo.samples import demo_regions, write_population

        population = write_population(tmp / "户籍人口.xlsx", demo_regions())
        if args.only != "summary":
            figures["large"] = bench_large(tmp, population, args.rows, args.profile)
            figures["many"] = bench_many(tmp, population, args.files, args.rows_each)
            figures["summary_100k"] = bench_summary(tmp / "large.census")
        if args.only != "import":
            print(f"· writing a synthetic census of {args.persons:,} persons (executemany, no xlsx) …", flush=True)
            t0 = time.perf_counter()
            recompute_s = synthetic_census(tmp / "big.census", population, args.persons)
            print(f"  written in {time.perf_counter() - t0:.1f} s", flush=True)
            figures["summary_1m"] = {**bench_summary(tmp / "big.census"), "recompute_s": recompute_s,
                                     **bench_rule_change(tmp / "big.census", recompute_s)}
            figures["memory_1m"] = bench_memory(tmp / "big.census")
    profile = figures.get("large", {}).pop("profile", None)
    if profile:
        print("\ncProfile of the big import (sorted by own time):")
        print(profile)
    print_table(figures, baseline)
    if args.save:
        args.save.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nsaved to {args.save}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
