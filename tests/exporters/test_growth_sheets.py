"""The summary workbook's 增长对比 and 取证年份 sheets, read back from the file, against two censuses
built from generated returns (tests/over_time.py)."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from cli import main
from exporters.growth import GOAL_PROGRESS_HEADER, YEAR_HEADER
from exporters.summary import SHEETS
from tests import over_time as ot


@pytest.fixture(scope="module")
def years(tmp_path_factory):
    return ot.build_both(tmp_path_factory.mktemp("growth_sheets"))


def rows(ws) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_growth_sheet_against_the_earlier_census(years, tmp_path):
    shared, earlier, first, second = years
    later = tmp_path / shared.name  # a goal is set here: a copy of this test's own
    shutil.copyfile(shared, later)
    out = tmp_path / "汇总.xlsx"
    assert main(["goal", str(later), ot.HEPING, "certified", "40", "--by", "2023-12-31"]) == 0
    assert main(["export", str(later), str(out), "--earlier", str(earlier)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(SHEETS) and {"增长对比", "取证年份"} <= set(SHEETS)
    for ws in wb.worksheets:  # every sheet's heading carries the title and the 统计截止日期
        assert "测试市2021年社会工作专业人才摸排" in ws["A1"].value and "截至2021-12-31" in ws["A1"].value, ws.title
    table = rows(wb["增长对比"])
    assert "2020-12-31" in table[1][0] and "2020.census" in table[1][0]
    expected = ot.expected_comparison(first, second)
    by_name = {}
    for row in table[4:]:
        if row[0] is None or row[0].startswith(("注意", "有期限")):
            break
        by_name.setdefault(row[0], row)
    for path in (ot.CITY, ot.HEPING, ot.NEW_COMMUNITY, ot.VILLAGE):
        e = expected[path]
        want = (e["talents"], e["talents_before"], e["growth"], e["certified"], e["certified_before"])
        got = by_name[path.rpartition("/")[2]][1:6]
        assert tuple(None if v == "—" else v for v in got) == want, path
        assert tuple(None if v == "—" else v for v in by_name[path.rpartition("/")[2]][-5:]) == \
            (e["new_persons"], e["gone_persons"], e["moved_in"], e["moved_out"], e["upgraded"])
    goals_at = next(i for i, row in enumerate(table) if row[:len(GOAL_PROGRESS_HEADER)] == GOAL_PROGRESS_HEADER)
    goal = table[goals_at + 1]
    now = ot.counts(second, ot.HEPING)["certified"]
    assert goal[:6] == (ot.HEPING, "持证社工", 40, "2023-12-31", now, ot.counts(first, ot.HEPING)["certified"])
    assert goal[8].startswith("按此进度")


def test_years_sheet_adds_up_to_each_regions_certified(years, tmp_path):
    later, _earlier, _first, second = years
    out = tmp_path / "汇总.xlsx"
    assert main(["export", str(later), str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert "没有对比" in rows(wb["增长对比"])[2][0]
    table = rows(wb["取证年份"])
    assert table[2] == YEAR_HEADER
    for path in (ot.CITY, ot.TUANJIE, ot.NEW_COMMUNITY):
        mine = [r for r in table[3:] if r[0] == path]
        expected = ot.by_year(second, path)
        years_shown = {("unknown" if r[1] == "不详" else r[1]): r[2:5] for r in mine if r[1] != "小计"}
        assert years_shown == {y: tuple(v.values()) for y, v in expected.items() if sum(v.values())}, path
        subtotal = next(r for r in mine if r[1] == "小计")
        assert subtotal[5] == ot.counts(second, path)["certified"] == sum(r[5] for r in mine if r[1] != "小计")
