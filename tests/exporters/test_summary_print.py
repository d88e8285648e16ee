"""The printed 汇总表 and 明细: the title from the census title, a sign line, every flagged
region named in the note, notes kept on the table's last page, the roster at 8 pt or more."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import openpyxl
import pytest

from exporters.summary import ROSTER_WIDTHS, ROWS_PER_PAGE, SIGN_LINE, _pages_tall, write_summary_workbook
from importers.population import load_population
from models.census import Census
from tests.builders import write_population

FLAGGED = ("测试市/东区/和平街道/新建一社区", "测试市/东区/和平街道/新建二社区", "测试市/西区/新建三社区")


@pytest.fixture
def census(tmp_path):
    with Census.open(tmp_path / "打印.census") as census:
        load_population(census, write_population(tmp_path / "户籍人口.xlsx"))
        for path in FLAGGED:
            census.regions.ensure(path, flagged=True)
        yield census


def summary_cells(path) -> list[str]:
    ws = openpyxl.load_workbook(path)["汇总表"]
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_title_comes_from_the_census_title_or_the_top_region(census, tmp_path):
    out = write_summary_workbook(census, tmp_path / "a.xlsx")
    assert summary_cells(out)[0] == "测试市社会工作专业人才摸排汇总表"  # no title set: the city, not 打印
    census.set_title("测试市社会工作专业人才摸排")
    census.set_as_of("2026-11-30")
    out = write_summary_workbook(census, tmp_path / "b.xlsx")
    assert summary_cells(out)[0] == "测试市社会工作专业人才摸排汇总表（截至2026-11-30）"


def test_note_names_every_flagged_region_and_a_sign_line_ends_the_table(census, tmp_path):
    cells = summary_cells(write_summary_workbook(census, tmp_path / "a.xlsx"))
    (note,) = [c for c in cells if "不在户籍人口表中" in c]
    assert note.startswith("有 3 个区划") and all(path in note for path in FLAGGED)
    assert cells[-1] == SIGN_LINE
    for word in ("填报单位（盖章）", "填表人", "审核人", "日期"):
        assert word in SIGN_LINE


def test_notes_squeeze_onto_the_tables_last_page():
    assert _pages_tall(ROWS_PER_PAGE - 2, ROWS_PER_PAGE + 6) == 1  # would spill 6 lines: fit to one page
    assert _pages_tall(2 * ROWS_PER_PAGE - 5, 2 * ROWS_PER_PAGE + 3) == 2
    assert _pages_tall(ROWS_PER_PAGE - 2, 2 * ROWS_PER_PAGE) == 0  # a long note block may take its own page


def test_roster_prints_at_8_pt_or_more_fit_to_width_only(census, tmp_path):
    out = write_summary_workbook(census, tmp_path / "a.xlsx")
    ws = openpyxl.load_workbook(out)["明细"]
    assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0
    assert ws.page_setup.orientation == "landscape"
    # Fit to width scale = printable width / sheet width (Excel: a width unit is 7 px + 5 px padding).
    sheet_px = sum(w * 7 + 5 for w in ROSTER_WIDTHS)
    printable_px = (297 / 25.4 - 0.8) * 96
    assert 10 * min(1.0, printable_px / sheet_px) >= 8


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None, reason="no LibreOffice")
def test_libreoffice_prints_the_summary_on_one_page_with_its_notes(census, tmp_path):
    out = write_summary_workbook(census, tmp_path / "汇总.xlsx")
    wb = openpyxl.load_workbook(out)
    for name in wb.sheetnames[1:]:
        del wb[name]
    only = tmp_path / "only.xlsx"
    wb.save(only)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(only)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "only.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    pages = [unicodedata.normalize("NFKC", p) for p in pages if p.strip()]
    assert len(pages) == 1 and "审核人" in pages[0] and "新建三社区" in pages[0]
