"""exporters.summary: the six-sheet workbook, read back with our reader, openpyxl and LibreOffice."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from exporters.summary import SHEETS, write_summary_workbook
from importers.readers import read_workbook
from models.census import Census
from models.identity import mask_id
from tests.builders import make_id

FIRST_DATA_ROW = 4  # 0-based: title, subtitle, two header rows
COUNTS = ("talents", "certified", "certified_assistant", "certified_intermediate", "certified_senior", "degree",
          "degree_and_certified", "trained_only")


@pytest.fixture(scope="module")
def exported(census_file, tmp_path_factory) -> Path:
    with Census.open(census_file) as census:
        return write_summary_workbook(census, tmp_path_factory.mktemp("out") / "汇总.xlsx")


def sheet_rows(path: Path, name: str) -> list[list[object]]:
    return next(s for s in read_workbook(path).sheets if s.name == name).rows


def test_sheets_in_order_with_summary_first(exported):
    assert [s.name for s in read_workbook(exported).sheets] == list(SHEETS)
    assert openpyxl.load_workbook(exported).sheetnames == list(SHEETS)


def check_summary_rows(rows: list[list[object]], census: Census, as_text: bool = False) -> None:
    """Every region of summary_json, in tree order, with the same figures."""
    expected = census.summary_json()["regions"]
    summary = census.summary()
    data = rows[FIRST_DATA_ROW:FIRST_DATA_ROW + len(summary)]
    assert len(data) == len(expected)

    def num(value) -> float | None:
        if value in (None, "", "—"):
            return None
        return float(str(value).replace(",", ""))

    for row, want, s in zip(data, expected, summary, strict=True):
        assert str(row[0]).strip() == s.name
        assert num(row[2]) == want["population"]
        assert num(row[3]) == want["target"]
        for col, key in enumerate(COUNTS, start=4):
            assert num(row[col]) == want[key], (s.path, key)
        assert num(row[12]) == s.shortfall
        if want["per_mille"] is None:
            assert num(row[13]) is None
        elif as_text:
            assert row[13] == f"{want['per_mille']:.2f}"
        else:
            assert num(row[13]) == pytest.approx(want["per_mille"], abs=5e-5)
        assert row[14] == {None: "—", True: "是", False: "否"}[want["target_met"]]
        assert (num(row[16]) or 0) == want["pending_rows"]
        if want["certified_min_met"] is False:
            assert "差" in row[15]


def test_summary_sheet_matches_summary_json_with_our_reader(exported, census):
    check_summary_rows(sheet_rows(exported, "汇总表"), census)


def test_summary_sheet_matches_summary_json_with_openpyxl(exported, census):
    ws = openpyxl.load_workbook(exported)["汇总表"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    check_summary_rows(rows, census)
    assert census.title in rows[0][0]
    first = FIRST_DATA_ROW + 1
    assert ws.cell(first, 14).number_format == "0.00"
    assert ws.freeze_panes == "B5"
    assert ws.print_title_rows == "$3:$4"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert ws.page_setup.fitToHeight in (None, 1)  # a short table: one page tall, its notes on it too
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A3:A4", "F3:I3", "J3:K3"} <= merged


def test_roster_has_every_person_once_with_masked_ids_as_text(exported, census):
    ws = openpyxl.load_workbook(exported)["明细"]
    header = [c.value for c in ws[3]]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == census.people.count()
    ids = header.index("身份证号码")
    persons = {p.shown_id(): p for p in census.people.iter()}
    assert {r[ids] for r in rows} == set(persons)
    for cell in ws.iter_rows(min_row=4, min_col=ids + 1, max_col=ids + 1):
        assert cell[0].data_type == "s"
        assert "*" in cell[0].value
    by_id = {r[ids]: dict(zip(header, r, strict=True)) for r in rows}
    zhang = by_id[mask_id(make_id(1))]
    assert zhang["姓名"] == "张三"
    assert zhang["来源文件"] == "团结社区.xlsx、幸福社区.xlsx"
    assert zhang["人才类别"] == "持证、专业学历、培训"
    assert zhang["最高证书等级"] == "助理社会工作师"
    assert zhang["培训学时"] == 130
    assert zhang["所属区划"] == "测试市/东区/和平街道/团结社区"
    assert "张三丰" in zhang["备注"]
    assert by_id[mask_id(make_id(4))]["计入人才"] == "否"
    assert "*" in by_id[mask_id(make_id(6))]["联系电话"]
    # the same with our reader: no ID came back as a number
    rows2 = sheet_rows(exported, "明细")[3:]
    assert all(isinstance(r[ids], str) for r in rows2)


def test_full_ids_writes_complete_ids_as_text(census, tmp_path):
    path = write_summary_workbook(census, tmp_path / "full.xlsx", full_ids=True)
    ws = openpyxl.load_workbook(path)["明细"]
    ids = [c.value for c in next(ws.iter_cols(min_col=4, max_col=4, min_row=4))]
    assert set(ids) == {p.id_number for p in census.people.iter()}
    assert all(isinstance(i, str) and len(i) == 18 for i in ids)
    problems = sheet_rows(path, "问题清单")[3:]
    assert str(make_id(90)[:17]) in {r[7] for r in problems}


def test_problem_sheet_lists_every_problem(exported, census):
    problems = census.problems.all()
    rows = sheet_rows(exported, "问题清单")[3:]
    assert len(rows) == len(problems)
    for row, p in zip(rows, problems, strict=True):
        assert (row[1], row[3], row[4], row[6], row[8]) == (p.kind_label, p.file_name, p.sheet, p.name, p.reason)
        assert row[5] == p.row_number
        assert row[7] == (mask_id(p.id_raw) if p.id_raw else "")
    assert any("位数不对" in r[8] for r in rows)
    assert any("数字" in r[8] for r in rows)


def test_unreported_lists_the_deepest_silent_regions(exported):
    rows = sheet_rows(exported, "未报送")[3:]
    assert [(r[1], r[2], r[3]) for r in rows] == [("东区", "红星镇", "团结村")]


def test_progress_reaches_the_end(census, tmp_path):
    seen: list[tuple[int, int]] = []
    write_summary_workbook(census, tmp_path / "p.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen[0][0] == 0
    assert seen[-1][0] == seen[-1][1] > 0
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))


def test_failed_export_leaves_no_file(census, tmp_path, monkeypatch):
    import exporters.summary as mod

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mod, "_problem_sheet", boom)
    with pytest.raises(RuntimeError):
        write_summary_workbook(census, tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_empty_census_exports(tmp_path):
    with Census.open(tmp_path / "empty.census") as census:
        path = write_summary_workbook(census, tmp_path / "empty.xlsx")
    sheets = {s.name: s for s in read_workbook(path).sheets}
    assert next(iter(sheets)) == "汇总表"
    cells = {name: {c for row in sheets[name].rows for c in row if isinstance(c, str)} for name in ("明细", "问题清单")}
    assert any(c.startswith("尚无人员") for c in cells["明细"])  # not a header alone, like a failed export
    assert "没有待核实或需复核的问题。" in cells["问题清单"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_reads_the_same_totals(exported, census, tmp_path):
    """A real office suite opens the file and shows the same figures (CSV holds the first sheet)."""
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(exported)],
        capture_output=True, timeout=120, check=False)
    out = tmp_path / (exported.stem + ".csv")
    assert out.exists(), result.stderr.decode(errors="replace")
    with open(out, encoding="utf-8", newline="") as fh:
        rows = [row + [""] * (20 - len(row)) for row in csv.reader(fh)]
    check_summary_rows(rows, census, as_text=True)


def test_cli_export(census_file, tmp_path, capsys):
    from cli import main as cli_main

    assert cli_main(["export", str(census_file), str(tmp_path / "汇总")]) == 0
    assert (tmp_path / "汇总.xlsx").exists()
    assert "汇总.xlsx" in capsys.readouterr().out


def test_cli_export_says_where_it_wrote_and_names_a_folder_it_made(census_file, tmp_path, capsys):
    """A mistyped folder was made silently: the workbook then sat where the clerk did not look."""
    from cli import main as cli_main

    assert cli_main(["export", str(census_file), str(tmp_path / "新文件夹" / "汇总.xlsx")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"已导出：{(tmp_path / '新文件夹' / '汇总.xlsx').resolve()}",
                     f"（文件夹 {(tmp_path / '新文件夹').resolve()} 原先不存在，已新建）"]
    assert cli_main(["export", str(census_file), str(tmp_path / "新文件夹" / "汇总2.xlsx")]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_an_export_leaves_the_window_its_turns(census, tmp_path, monkeypatch):
    """An export runs on a worker beside the window. Its sheets' row files are written a megabyte
    at a time (each write to disk gave up Python's lock and took it straight back, and the window's
    thread waited up to 0.2-0.6 s for a turn), and it runs with bulk work's rare collections (a
    full collection walked the window's objects too)."""
    import gc

    import exporters.summary as summary_module
    from exporters.xlsx import ROW_FILE_CHUNK, open_workbook
    from models.bulk_gc import BULK_THRESHOLDS

    book = open_workbook(tmp_path / "a.xlsx")
    assert book.add_worksheet("表").row_data_fh._CHUNK_SIZE == ROW_FILE_CHUNK
    book.close()
    seen = []
    real = summary_module._summary_sheet
    monkeypatch.setattr(summary_module, "_summary_sheet", lambda *a: seen.append(gc.get_threshold()) or real(*a))
    summary_module.write_summary_workbook(census, tmp_path / "汇总.xlsx")
    assert seen == [BULK_THRESHOLDS] and gc.get_threshold() != BULK_THRESHOLDS
