"""exporters.corrections: one correction list per region with problems, ready to send back."""

from __future__ import annotations

import openpyxl
import pytest

from exporters.corrections import FIX_COL, HEADER, problems_by_region, write_correction_workbooks
from importers.readers import read_workbook
from models.census import Census
from models.identity import mask_id
from tests.builders import make_id
from tests.exporters.conftest import SHORT_ID

HEADER_ROW = 3  # 0-based: title, subtitle, explanation


@pytest.fixture(scope="module")
def written(census_file, tmp_path_factory):
    with Census.open(census_file) as census:
        return write_correction_workbooks(census, tmp_path_factory.mktemp("fix"))


def test_one_workbook_per_region_with_problems(written, census):
    assert [p.name for p in written] == [
        "测试市_东区_和平街道_团结社区_更正清单.xlsx",
        "测试市_东区_和平街道_幸福社区_更正清单.xlsx",
        "测试市_西区_光华街道_团结社区_更正清单.xlsx",
    ]
    row_problems = [p for p in census.problems.all() if p.row_id is not None]
    total = 0
    for path in written:
        rows = read_workbook(path).sheets[0].rows
        assert rows[HEADER_ROW] == list(HEADER)
        total += len([r for r in rows[HEADER_ROW + 1:] if isinstance(r[0], int)])
    assert total == len(row_problems)


def test_rows_carry_file_sheet_row_name_masked_id_and_reason(written, census):
    groups = problems_by_region(census)
    path = written[0]
    problems = groups["测试市/东区/和平街道/团结社区"]
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws["A1"].value == "东区和平街道团结社区 社会工作专业人才摸排更正清单"
    assert "更正后身份证号" in ws["A3"].value
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 2, max_row=HEADER_ROW + 1 + len(problems), values_only=True))
    got = [(r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows]
    want = [(p.file_name, p.sheet, p.row_number, p.name, mask_id(p.id_raw), p.reason) for p in problems]
    assert got == want
    assert ("团结社区.xlsx", "Sheet", 8, "钱七", mask_id(SHORT_ID)) == got[0][:5]
    assert all(SHORT_ID not in str(c) for r in rows for c in r)
    for r in range(HEADER_ROW + 2, HEADER_ROW + 2 + len(problems)):
        cell = ws.cell(r, FIX_COL + 1)
        assert cell.value is None and cell.number_format == "@"
    assert ws.column_dimensions["I"].number_format == "@"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape"


def test_number_id_row_goes_to_the_community_of_the_street_sheet(written):
    rows = read_workbook(written[2]).sheets[0].rows
    data = [r for r in rows[HEADER_ROW + 1:] if isinstance(r[0], int)]
    assert [(r[2], r[5]) for r in data] == [("光华街道.xlsx", "冯二")]
    assert "数字" in data[0][7]


def test_full_ids(census, tmp_path):
    written = write_correction_workbooks(census, tmp_path, full_ids=True)
    rows = read_workbook(written[0]).sheets[0].rows
    assert SHORT_ID in [r[6] for r in rows]
    rows = read_workbook(written[1]).sheets[0].rows
    assert make_id(1) in [r[6] for r in rows]  # the name conflict row of 幸福社区


def test_no_problems_no_files(tmp_path):
    with Census.open(tmp_path / "empty.census") as census:
        assert write_correction_workbooks(census, tmp_path / "out") == []


def test_cli_problems_per_region(census_file, tmp_path, capsys):
    from cli import main as cli_main

    assert cli_main(["problems", str(census_file), "--per-region", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*_更正清单.xlsx"))) == 3
    assert "3 个更正清单" in capsys.readouterr().out
