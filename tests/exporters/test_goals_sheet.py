"""The summary workbook's 其他目标 sheet: every goal, nodes in tree order, against census.summary()."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest

from exporters.summary import GOAL_HEADER, SHEETS, write_summary_workbook
from importers.readers import read_workbook
from models.census import Census

HEADER_ROW = 3  # 1-based: title, subtitle, header


@pytest.fixture
def copy(census_file, tmp_path) -> Path:
    """The shared exporter census copied, so goals set here stay out of the other tests."""
    path = tmp_path / "目标.census"
    with Census.open(census_file) as census:
        target = sqlite3.connect(str(path))
        census.conn.backup(target)
        target.close()
    return path


def goal_rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["其他目标"]
    assert tuple(c.value for c in ws[HEADER_ROW]) == GOAL_HEADER
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=HEADER_ROW + 1)]


def test_goals_listed_in_tree_order_with_the_summary_counts(copy, tmp_path):
    with Census.open(copy) as census:
        by_path = {r.path: r for r in census.regions.all()}
        street = by_path["测试市/东区/和平街道"]
        city = next(r for r in census.regions.all() if r.parent_id is None)
        community = by_path["测试市/东区/和平街道/团结社区"]
        # set out of tree order: the sheet still lists the city first, then the street, then the community
        census.regions.set_goal(community.id, "trained", 2)
        census.regions.set_goal(street.id, "degree", 1, "年底前")
        census.regions.set_goal(city.id, "certified", 1000, "省厅下达：年底持证 1000 人")
        census.regions.set_goal(city.id, "talents", 1)
        summary = census.summary()
        out = write_summary_workbook(census, tmp_path / "汇总.xlsx")

    assert openpyxl.load_workbook(out).sheetnames == list(SHEETS)
    assert SHEETS[0] == "汇总表" and SHEETS[1] == "其他目标"
    expected = [(s.path, g.label, g.target, g.actual, g.shortfall, "是" if g.met else "否", g.note or None)
                for s in summary for g in s.goals]
    rows = goal_rows(out)
    assert rows == expected
    assert [r[0] for r in rows] == [city.path, city.path, street.path, community.path]
    city_goals = {r[1]: r for r in rows if r[0] == city.path}
    assert city_goals["持证社工"][5] == "否" and city_goals["持证社工"][4] == 1000 - city_goals["持证社工"][3]
    assert city_goals["人才总数"][5] == "是" and city_goals["人才总数"][4] == 0
    # numbers are numbers, as on 汇总表
    assert all(isinstance(r[2], int) and isinstance(r[3], int) for r in rows)
    subtitle = openpyxl.load_workbook(out)["其他目标"]["A2"].value
    short = sum(1 for r in rows if r[5] == "否")
    assert f"共 4 项目标，已达成 {4 - short} 项，未达成 {short} 项" in subtitle
    # our own reader (calamine) sees the same sheet
    sheet = next(s for s in read_workbook(out).sheets if s.name == "其他目标")
    assert [str(c) for c in sheet.rows[HEADER_ROW - 1][:len(GOAL_HEADER)]] == list(GOAL_HEADER)


def test_without_goals_the_sheet_says_so(census, tmp_path):
    assert not any(s.goals for s in census.summary())
    out = write_summary_workbook(census, tmp_path / "汇总.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "汇总表" and "其他目标" in wb.sheetnames
    rows = goal_rows(out)
    assert len(rows) == 1 and rows[0][0].startswith("尚未设定其他目标")
