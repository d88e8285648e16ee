"""How fast is Excel out? A script, not a test: nothing here asserts.

    .venv/bin/python bench/bench_export.py            # 100,000 persons (first run builds the census: ~1 min)
    .venv/bin/python bench/bench_export.py --quick    # 10,000 persons
    .venv/bin/python bench/bench_export.py --rebuild  # throw the cached census away first
    .venv/bin/python bench/bench_export.py --province # a province census as bench_province builds it (~2 min first)

The census is built once from demo.samples (a population table and one street 汇总 of N
generated rows, imported through importers.job.import_file) and cached in the temp folder.
Printed figures:

(a) the whole summary workbook (every sheet, 明细 holding every person) against two baselines: a
    bare xlsxwriter constant_memory write of as many 15-column rows as persons, and of as many
    cells as the workbook holds (counted in its sheets' XML), no formats, no census queries;
(b) the writer choice for the 明细 sheet: the same roster rows (read once from the census) written
    with openpyxl write_only and with xlsxwriter constant_memory — the reason exporters use the latter;
(c) peak memory (ru_maxrss) of a fresh process that opens the census and exports it;
(d) correction lists and templates for the same census.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import xlsxwriter  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from demo.samples import (  # noqa: E402
    DEFAULT_STREET,
    demo_regions,
    province_regions,
    write_demo_returns,
    write_large_return,
    write_population,
    write_province_returns,
)
from exporters.corrections import write_correction_workbooks  # noqa: E402
from exporters.summary import ROSTER_HEADER, write_summary_workbook  # noqa: E402
from exporters.template import write_templates  # noqa: E402
from importers.files import import_files  # noqa: E402
from importers.job import import_file  # noqa: E402
from importers.population import load_population  # noqa: E402
from models.census import Census  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "sw-census-bench-export"


def timed(func: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def build(persons: int, rebuild: bool) -> Path:
    """A census of `persons` people (plus the demo returns with their bad rows), cached by size."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"export-v2-{persons}.census"
    if path.exists() and not rebuild:
        return path
    for stale in CACHE.glob(f"export-v2-{persons}.census*"):
        stale.unlink()
    print(f"building a census of {persons:,} persons in {path} …", flush=True)
    regions = demo_regions()
    population = write_population(CACHE / "population.xlsx", regions)
    street = write_large_return(CACHE / f"street-{persons}.xlsx", persons, seed=1, region_path=DEFAULT_STREET)
    with Census.open(path) as census:
        census.set_title("青山市社会工作专业人才摸排（基准测试）")
        load_population(census, population)
        seconds, result = timed(lambda: import_file(census, street))
        print(f"  imported {result.rows_ok:,} rows in {seconds:.1f} s", flush=True)
        for ret in write_demo_returns(CACHE / "demo", regions, seed=7):  # bad rows, conflicts, every layout
            import_file(census, ret.path, region=ret.region)
    return path


def build_province(rebuild: bool) -> Path:
    """The census bench_province.py ends its imports with (20,003 nodes, 2,000 returns of 50 rows
    and one of 100,000 rows, same seeds), cached."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / "province-v1.census"
    if path.exists() and not rebuild:
        return path
    for stale in CACHE.glob("province-v1.census*"):
        stale.unlink()
    print(f"building a province census in {path} …", flush=True)
    folder = CACHE / "province"
    regions = province_regions()
    table = write_population(folder / "户籍人口.xlsx", regions)
    returns = write_province_returns(folder / "returns", regions, 2000, 50, seed=3)
    street = next(r.path for r in regions if r.path.count("/") == 3)
    large = write_large_return(folder / "large.xlsx", 100_000, seed=4, region_path=street)
    with Census.open(path) as census:
        load_population(census, table)
        for _ in import_files(census, [r.path for r in returns]):
            pass
        for _ in import_files(census, [large], region=street):
            pass
    return path


def cells_in(path: Path) -> int:
    """Cells written in a workbook: the <c> elements of its sheets."""
    with zipfile.ZipFile(path) as z:
        return sum(z.read(name).count(b"<c ") for name in z.namelist() if name.startswith("xl/worksheets/sheet"))


def roster_rows(census: Census) -> list[tuple]:
    """The 明细 rows as the exporter writes them, read once, so (b) times only the writers."""
    files = census.people.files()
    rows = []
    for n, p in enumerate(census.people.iter(), start=1):
        rows.append((n, p.name, p.gender, p.shown_id(), p.shown_phone(), "是" if p.talent else "否",
                     "、".join(p.categories), p.level_name, p.education_name, p.major,
                     p.hours, p.region_path, files.get(p.id_number, ""), p.row_count, ""))
    return rows


def write_openpyxl(rows: list[tuple], path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("明细")
    ws.append(ROSTER_HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)


def write_xlsxwriter(rows: list[tuple], path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    ws = wb.add_worksheet("明细")
    ws.write_row(0, 0, ROSTER_HEADER)
    write_string, write_number = ws.write_string, ws.write_number
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                write_string(r, c, value)
            elif value is not None:
                write_number(r, c, value)
    wb.close()


BARE_ROW = (1, "张三", "女", "150302********1234", "138****5678", "是", "持证、专业学历", "助理社会工作师", "本科",
            "社会工作", 120, "青山市/东城区/和平街道/和平社区", "和平街道汇总.xlsx", 1, "")


def bare_baseline(count: int, path: Path) -> None:
    """xlsxwriter constant_memory, `count` rows of 15 fixed cells: the floor for (a)."""
    write_xlsxwriter([BARE_ROW] * count, path)


def bare_cells(cells: int, path: Path) -> None:
    """xlsxwriter constant_memory, `cells` cells in rows of 15 (the last one shorter)."""
    rows = [BARE_ROW] * (cells // len(BARE_ROW))
    if cells % len(BARE_ROW):
        rows.append(BARE_ROW[:cells % len(BARE_ROW)])
    write_xlsxwriter(rows, path)


def compare_writers(census: Census, tmp: Path) -> tuple[float, float, float]:
    """(read the roster, openpyxl write_only, xlsxwriter constant_memory), seconds."""
    read_s, rows = timed(lambda: roster_rows(census))
    op_s, _ = timed(lambda: write_openpyxl(rows, tmp / "op.xlsx"))
    xw_s, _ = timed(lambda: write_xlsxwriter(rows, tmp / "xw.xlsx"))
    return read_s, op_s, xw_s


def peak_memory(census_path: Path, out: Path) -> float:
    """MB. VmHWM, not ru_maxrss: Linux carries the parent's ru_maxrss over fork and exec."""
    code = (
        f"import resource, sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from pathlib import Path\nfrom models.census import Census\n"
        "from exporters.summary import write_summary_workbook\n"
        f"with Census.open({str(census_path)!r}) as c: write_summary_workbook(c, Path({str(out)!r}))\n"
        "import re, pathlib\n"
        "status = pathlib.Path('/proc/self/status')\n"
        "hwm = re.search(r'VmHWM:\\s*(\\d+)', status.read_text()) if status.exists() else None\n"
        "print(hwm.group(1) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def correction_lists_and_templates(census: Census, tmp: Path, figures: dict[str, float | int]) -> None:
    fix_s, fixed = timed(lambda: write_correction_workbooks(census, tmp / "fix"))
    tpl_s, tpls = timed(lambda: write_templates(census, tmp / "tpl"))
    figures.update(corrections_s=fix_s, corrections=len(fixed), templates_s=tpl_s, templates=len(tpls))
    print(f"(d) {len(fixed)} correction lists: {fix_s:.2f} s;  {len(tpls)} templates: {tpl_s:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 persons instead of 100,000")
    parser.add_argument("--persons", type=int, help="census size (default 100,000)")
    parser.add_argument("--province", action="store_true", help="the province census of bench_province.py")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached census")
    parser.add_argument("--json", metavar="FILE", help="also save the figures as JSON")
    args = parser.parse_args()
    persons = args.persons or (10_000 if args.quick else 100_000)
    census_path = build_province(args.rebuild) if args.province else build(persons, args.rebuild)
    figures: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with Census.open(census_path) as census:
            n = census.people.count()
            problems = len(census.problems.all())
            figures.update(persons=n, regions=len(census.regions.all()), problems=problems)
            print(f"\ncensus: {n:,} persons, {figures['regions']} regions, {problems} problems")

            seconds, _ = timed(lambda: write_summary_workbook(census, tmp / "summary.xlsx"))
            base, _ = timed(lambda: bare_baseline(n, tmp / "bare.xlsx"))
            cells = cells_in(tmp / "summary.xlsx")
            base_cells, _ = timed(lambda: bare_cells(cells, tmp / "bare-cells.xlsx"))
            figures.update(summary_s=seconds, bare_s=base, cells=cells, bare_cells_s=base_cells)
            size = (tmp / "summary.xlsx").stat().st_size / 1e6
            print(f"(a) summary workbook:        {seconds:6.2f} s  ({n / seconds:,.0f} persons/s, {size:.1f} MB)"
                  f"   baseline bare xlsxwriter {n:,} rows: {base:6.2f} s   ratio {seconds / base:.2f}"
                  f";  as many cells ({cells:,}): {base_cells:6.2f} s   ratio {seconds / base_cells:.2f}")

            read_s, op_s, xw_s = compare_writers(census, tmp)
            figures.update(roster_read_s=read_s, openpyxl_write_only_s=op_s, xlsxwriter_constant_memory_s=xw_s)
            print(f"(b) 明细 {n:,} rows: read from census {read_s:.2f} s; "
                  f"openpyxl write_only {op_s:.2f} s, xlsxwriter constant_memory {xw_s:.2f} s "
                  f"(openpyxl / xlsxwriter = {op_s / xw_s:.2f})")

            if args.province:  # a template per community of the province: bench_province times 100 of them
                print("(d) skipped for the province")
            else:
                correction_lists_and_templates(census, tmp, figures)
        mem = peak_memory(census_path, tmp / "mem.xlsx")
        figures["peak_mb"] = mem
        print(f"(c) peak memory of a fresh process exporting the summary: {mem:.0f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
