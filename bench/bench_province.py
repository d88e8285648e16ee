"""A province on this machine: its region tree, thousands of returns, one 100k-row return. A script,
not a test: nothing here asserts.

    .venv/bin/python bench/bench_province.py            # the full run (about 5 minutes on 2 cores)
    .venv/bin/python bench/bench_province.py --quick    # 200 returns, a 20k-row file

It makes everything in a temporary folder with demo.samples: a province tree (1 省, 12 cities,
90 counties, 1,500 streets/towns, 18,400 communities/villages ≈ 20,000 nodes) and its 5-column
population table, `--returns` community returns over the whole province and one street 汇总 of
`--rows` rows, and prints each figure beside its baseline:

* population load at 2k and 20k nodes — linear means ≈ 10×;
* import of the returns folder and of the big file (importers.files.import_files, as the CLI and the
  window run it) — against the bare python-calamine read of the same files (for the folder, the
  median of `--pairs` bare reads each followed by an import into a copy of the census), against the naive
  pandas script (bench/baselines.py) when pandas is installed (bench/requirements.txt), and for the
  folder against the same import with the helper process normalising every file
  (importers.read_ahead.ReadAhead.helper_chooses off);
* summary, the summary workbook export (against a bare XlsxWriter write of as many rows), templates
  for every community and village of the province (exporters.template.template_files, as the CLI
  and the window run it: a folder per county and street) against bare XlsxWriter writing an
  equivalent empty workbook, undo of the big batch — at the province's size;
* the window opening the province census (tree, dashboard, first people page; offscreen, in a fresh
  process, as bench/bench_window.py drives it) against the bare core opening it and computing the
  same summary and page;
* `problems --per-region` (cli.main, a correction workbook per region with problems; the returns
  carry one bad row in sixty) against the same command on a tenth of the tree and rows (linear
  means ≈ 10×) and against listing the problems;
* merging 90 county census files (each made from its county's population rows and returns) into a
  province census (models.merge_files), against importing the same returns directly.

    .venv/bin/python bench/bench_province.py --keep /tmp/province   # keep the census files to look at
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.startup import compile_sources  # noqa: E402

if __name__ != "__mp_main__":  # not in a reader process (bench/startup.py)
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from bench.baselines import naive_pandas
    from cli import main as cli_main
    from demo.samples import province_regions, write_large_return, write_population, write_province_returns
    from exporters.summary import write_summary_workbook
    from exporters.template import template_files
    from importers.files import import_files
    from importers.job import run_to_end
    from importers.population import load_population
    from models.census import Census
    from models.merge_files import merge_census_files

SMALL_TREE = {"cities": 2, "districts": 9, "streets": 150, "leaves": 1840}  # ≈ 2,000 nodes


def timed(func: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def bare_calamine(paths: list[Path]) -> int:
    rows = 0
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        try:
            rows += sum(len(book.get_sheet_by_index(i).to_python(skip_empty_area=False))
                        for i in range(len(book.sheet_names)))
        finally:
            book.close()
    return rows


def median_pair(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    """The (bare read, import) pair whose ratio is the median (of an even count, the lower one):
    this VM's speed moves within minutes, and the second core more than the first."""
    ordered = sorted(pairs, key=lambda pair: pair[1] / pair[0])
    return ordered[(len(ordered) - 1) // 2]


def bare_xlsxwriter(rows: int, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    row = ("青山省/青山市/东城区/和平街道", 1200, 35, 12, 8, 15, 2.9, 3.0, "未达标")
    for r in range(rows):
        sheet.write_row(r, 0, row)
    book.close()


def bare_template(path: Path) -> None:
    """What a template is to XlsxWriter without our texts, rules and print setup: 500 rows of 14
    bordered empty cells, a second sheet of seven lines."""
    book = xlsxwriter.Workbook(str(path))
    cell = book.add_format({"border": 1, "font_name": "宋体", "num_format": "@"})
    sheet = book.add_worksheet("摸排登记表")
    for row in range(4, 504):
        for col in range(14):
            sheet.write_blank(row, col, None, cell)
    notes = book.add_worksheet("填表说明")
    for row in range(7):
        notes.write_string(row, 0, "填表说明")
    book.close()


def per_region(census_path: Path, outdir: Path) -> int:
    """`problems CENSUS --per-region OUTDIR` as the command line runs it (its list of files not shown)."""
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        code = cli_main(["problems", str(census_path), "--per-region", str(outdir)])
    if code:
        raise SystemExit(f"problems --per-region failed ({code})")
    return len(list(outdir.glob("*.xlsx")))


def helper_does_everything(tmp: Path, population: Path, paths: list[Path]) -> float:
    """The same returns imported into a new census with the helper process preparing (reading and
    normalising) every file, never leaving one only read while the census side is close behind
    (importers.read_ahead.prepare_unless_close): the baseline of that choice's gain."""
    from importers.read_ahead import ReadAhead

    census = Census.open(tmp / "helper-prepares-all.census")
    load_population(census, population)
    ReadAhead.helper_chooses = False
    try:
        seconds, _ = timed(lambda: run_to_end(import_files(census, paths)))
    finally:
        ReadAhead.helper_chooses = True
        census.close()
    return seconds


def small_province_census(tmp: Path, returns: int, rows_each: int) -> Path:
    """A tenth of the province: the 2k-node tree and a tenth of the returns over it. Not timed."""
    regions = province_regions(**SMALL_TREE)
    with Census.open(tmp / "2k-returns.census") as census:
        load_population(census, write_population(tmp / "2k-returns.xlsx", regions))
        paths = [r.path for r in write_province_returns(tmp / "2k-returns", regions, returns, rows_each, seed=3)]
        run_to_end(import_files(census, paths))
    return tmp / "2k-returns.census"


def load_bench(name: str):
    """A sibling benchmark script as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def county_files(tmp: Path, regions, returns_by_county: dict[str, list[Path]]) -> list[Path]:
    """One census file per county, as a county would send it: its population rows (and the nodes
    above it), its returns imported. Not timed."""
    out = []
    for i, (county, paths) in enumerate(sorted(returns_by_county.items())):
        rows = [r for r in regions if county.startswith(r.path + "/") or r.path == county
                or r.path.startswith(county + "/")]
        folder = tmp / "counties" / f"{i:02d}"
        table = write_population(folder / "户籍人口.xlsx", rows)
        with Census.open(folder / "county.census") as census:
            load_population(census, table)
            run_to_end(import_files(census, paths))
        out.append(folder / "county.census")
    return out


def machine() -> str:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--returns", type=int, default=2000)
    parser.add_argument("--rows-each", type=int, default=50)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=3,
                        help="the folder's bare read and import alternated this many times, the median ratio shown")
    parser.add_argument("--keep", metavar="DIR", help="make everything in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    compiled = compile_sources()
    if args.quick:
        args.returns, args.rows = 200, 20_000
    lines: list[tuple[str, str, str]] = []

    def show(label: str, ours: str, baseline: str = "") -> None:
        lines.append((label, ours, baseline))
        print(f"  {label}: {ours}  [{baseline}]", flush=True)

    with (contextlib.nullcontext(args.keep) if args.keep
          else tempfile.TemporaryDirectory(prefix="census-province-")) as name:
        tmp = Path(name)
        tmp.mkdir(parents=True, exist_ok=True)
        print("· population tables …", flush=True)
        small = write_population(tmp / "2k.xlsx", province_regions(**SMALL_TREE))
        regions = province_regions()
        big_table = write_population(tmp / "户籍人口.xlsx", regions)
        with Census.open(tmp / "2k.census") as census:
            small_s, small_r = timed(lambda: load_population(census, small))
        census = Census.open(tmp / "province.census")
        big_s, big_r = timed(lambda: load_population(census, big_table))
        show(f"population load, {big_r.regions_created:,} nodes", f"{big_s:.2f} s",
             f"{small_r.regions_created:,} nodes {small_s:.2f} s → {big_s / small_s:.1f}× for "
             f"{big_r.regions_created / small_r.regions_created:.0f}× the nodes")

        print(f"· {args.returns} returns of {args.rows_each} rows and one of {args.rows:,} rows …", flush=True)
        returns = write_province_returns(tmp / "returns", regions, args.returns, args.rows_each, seed=3)
        street = next(r.path for r in regions if r.path.count("/") == 3)
        large = write_large_return(tmp / "large.xlsx", args.rows, seed=4, region_path=street)

        paths = [r.path for r in returns]
        census.close()  # the census as loaded, copied for every pair but the last, which imports into it
        pairs: list[tuple[float, float]] = []
        for pair in range(max(args.pairs, 1)):
            last = pair >= args.pairs - 1
            target = tmp / ("province.census" if last else f"pair-{pair}.census")
            if not last:
                shutil.copyfile(tmp / "province.census", target)
            bare_s, _ = timed(lambda: bare_calamine(paths))
            census = Census.open(target)
            import_s, outcomes = timed(lambda c=census: run_to_end(import_files(c, paths)))
            pairs.append((bare_s, import_s))
            if not last:
                census.close()
        bare_s, import_s = median_pair(pairs)
        failed = [o for o in outcomes if o.status != "imported"]
        pandas_s, pandas_note = timed(lambda: naive_pandas(paths))
        helper_all_s = helper_does_everything(tmp, big_table, paths)
        show(f"import {len(paths):,} returns ({sum(o.result.rows_total for o in outcomes if o.result):,} rows"
             f"{f', {len(failed)} not imported' if failed else ''})", f"{import_s:.2f} s",
             f"bare calamine {bare_s:.2f} s → {import_s / bare_s:.2f}× (median of {len(pairs)} pairs, bare read then "
             f"import into the census as loaded: {', '.join(f'{i:.2f}/{b:.2f} s = {i / b:.2f}×' for b, i in pairs)}); "
             "naive pandas "
             + (f"{pandas_s:.1f} s ({pandas_note})" if "installed" not in pandas_note else pandas_note)
             + f"; the helper normalising every file (never only reading) {helper_all_s:.2f} s")

        bare_large_s, _ = timed(lambda: bare_calamine([large]))
        large_s, _ = timed(lambda: run_to_end(import_files(census, [large], region=street)))
        pandas_large_s, pandas_large = timed(lambda: naive_pandas([large]))
        show(f"import one {args.rows:,}-row return", f"{large_s:.2f} s",
             f"bare calamine {bare_large_s:.2f} s → {large_s / bare_large_s:.2f}×; naive pandas "
             + (f"{pandas_large_s:.1f} s" if "installed" not in pandas_large else pandas_large))

        summary_s, summary = timed(census.summary)
        show(f"summary ({len(summary):,} regions, {census.people.count():,} persons)", f"{summary_s:.2f} s")
        export_s, _ = timed(lambda: write_summary_workbook(census, tmp / "汇总表.xlsx"))
        xw_s, _ = timed(lambda: bare_xlsxwriter(len(summary) + census.people.count(), tmp / "bare.xlsx"))
        show("export the summary workbook", f"{export_s:.1f} s", f"bare XlsxWriter, as many rows: {xw_s:.1f} s")
        leaves = sum(1 for r in regions if r.path.count("/") == 4)
        templates_s, made = timed(lambda: run_to_end(template_files(census, tmp / "templates")))
        bare_n = 100
        bare_t_s, _ = timed(lambda: [bare_template(tmp / f"bare-{i}.xlsx") for i in range(bare_n)])
        show(f"templates for every community and village ({len(made):,} files, a folder per county and street)",
             f"{templates_s:.1f} s ({templates_s / len(made) * 1000:.1f} ms a file)",
             f"bare XlsxWriter, an equivalent empty workbook: {bare_t_s / bare_n * 1000:.0f} ms a file → "
             f"≈ {bare_t_s / bare_n * leaves / 60:.0f} min for {leaves:,}")
        census.close()  # committed: the command line opens it itself
        with Census.open(tmp / "province.census") as again:
            problems = again.problems.all()
            listed_s, _ = timed(again.problems.all)
            pending = sum(1 for p in problems if p.kind == "pending")
        per_region_s, written = timed(lambda: per_region(tmp / "province.census", tmp / "更正清单"))
        small_census = small_province_census(tmp, max(args.returns // 10, 1), args.rows_each)
        small_s, small_written = timed(lambda: per_region(small_census, tmp / "更正清单-2k"))
        show(f"problems --per-region ({len(problems):,} problems, {pending:,} pending rows; {written:,} workbooks)",
             f"{per_region_s:.1f} s",
             f"2,002 nodes and a tenth of the returns ({small_written:,} workbooks) {small_s:.2f} s → "
             f"{per_region_s / small_s:.1f}× for 10× the tree and rows; listing the problems {listed_s * 1000:.0f} ms")
        window_bench = load_bench("bench_window")
        core = window_bench.run(window_bench._CORE, tmp / "province.census")
        window = window_bench.run(window_bench._WINDOW, tmp / "province.census")
        show("window: open the province census (tree, dashboard, first people page)",
             f"{window['open_s']:.2f} s, peak {window['peak_mb']:.0f} MB",
             f"bare core open + summary + first page {core['open_s']:.2f} s, {core['peak_mb']:.0f} MB")
        show("window: jump to 25/50/75/100 % of the people table (mean)", f"{window['jump_s'] * 1000:.0f} ms")
        show("window: 查找区划, the tree's last leaf by name", f"{window['find_s'] * 1000:.0f} ms",
             f"{window['regions']:,} regions in the tree")
        show("window: expand every node of the tree", f"{window['expand_s']:.2f} s", "Qt's expandAll")
        census = Census.open(tmp / "province.census")
        batch = next(b for b in census.batches.all() if b.file_name == "large.xlsx")
        undo_s, _ = timed(lambda: census.batches.undo(batch.id))
        show(f"undo the {args.rows:,}-row batch", f"{undo_s:.2f} s", f"its import {large_s:.2f} s")

        print("· one census file per county …", flush=True)
        county_of = {b.file_name: "/".join(b.region_path.split("/")[:3]) for b in census.batches.all()}
        census.close()
        by_county: dict[str, list[Path]] = {}
        for path in paths:
            by_county.setdefault(county_of[path.name], []).append(path)
        counties = county_files(tmp, regions, by_county)
        merged = Census.open(tmp / "merged.census")
        load_population(merged, big_table)
        merge_s, results = timed(lambda: [merge_census_files(merged, path) for path in counties])
        show(f"merge {len(counties)} county census files ({sum(r.rows_copied for r in results):,} rows, "
             f"{merged.people.count():,} persons)", f"{merge_s:.1f} s",
             f"importing their {len(paths):,} returns directly {import_s:.1f} s")
        merged.close()

    print("\n| what | ours | baseline |\n|---|---|---|")
    for label, ours, baseline in lines:
        print(f"| {label} | {ours} | {baseline or '—'} |")
    print(f"\nmachine: {machine()}\n{compiled}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
