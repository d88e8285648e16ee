"""津贴测算 and the unit/coverage columns of 汇总表, read back and compared with `summary --json`
(issue 14), on the census of tests/money_census.py."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from exporters.allowance_sheet import columns
from exporters.summary import SUMMARY_COLUMNS, write_summary_workbook
from importers.readers import read_workbook
from models.census import Census
from tests.money_census import build_money_census

FIRST_DATA_ROW = 4  # title, subtitle, two header rows
UNIT_COL = len(SUMMARY_COLUMNS) - 4  # 单位类型, 在岗职工数, 单位目标, 社工站覆盖


@pytest.fixture(scope="module")
def money(tmp_path_factory):
    folder = tmp_path_factory.mktemp("money")
    path = build_money_census(folder)
    with Census.open(path) as census:
        out = write_summary_workbook(census, folder / "汇总.xlsx")
        yield out, census.summary_json()


def sheet(path: Path, name: str) -> list[list[object]]:
    return next(s for s in read_workbook(path).sheets if s.name == name).rows


def test_allowance_sheet_rows_are_the_paying_streets_and_totals(money):
    out, data = money
    regions = {r["path"].rsplit("/", 1)[-1]: r for r in data["regions"]}
    rows = sheet(out, "津贴测算")
    assert rows[2][8] == "2021年取证人数"  # the award year (latest 取得证书时间) heads its columns
    lines = [r for r in rows[FIRST_DATA_ROW:] if r and isinstance(r[2], int | float)]
    names = [r[0] for r in lines]
    assert names == ["东区本级（不属街道乡镇）", "和平街道", "红星镇", "东区合计", "光华街道", "西区合计", "测试市合计"]
    for row in lines:
        name = row[0].removesuffix("合计").removesuffix("本级（不属街道乡镇）")
        if row[0].endswith("本级（不属街道乡镇）"):
            assert row[6:8] == [0, 0] and row[11] == 6000  # the hospital: no allowance, its 2021 award
            continue
        want = regions[name]
        assert row[6] == want["allowance_monthly"], name
        assert row[7] == want["allowance_monthly"] * 12
        assert row[11] == want["award_once"], name
        assert row[5] == sum(row[2:5])
    hepin = lines[1]
    assert hepin[1] == "东区" and hepin[2:6] == [2, 2, 1, 5] and hepin[8:11] == [1, 1, 1]
    assert lines[-1][6] == 1900 and lines[-1][11] == 19000


def test_summary_sheet_shows_unit_targets_and_coverage(money):
    out, data = money
    rows = sheet(out, "汇总表")
    header = rows[2]
    assert header[UNIT_COL:UNIT_COL + 4] == ["单位类型", "在岗职工数", "单位目标", "社工站覆盖"]
    body = rows[FIRST_DATA_ROW:FIRST_DATA_ROW + len(data["regions"])]
    for row, want in zip(body, data["regions"], strict=True):
        unit_type, staff, target, cover = row[UNIT_COL:UNIT_COL + 4]
        assert (unit_type or None) == want["unit_type"], want["path"]
        assert (staff if staff != "" else None) == want["staff"]
        if want["unit_target"] is not None:
            assert target.startswith(f"≥{want['unit_target']}人")
            assert ("已达到" in target) == want["unit_target_met"]
        if want["station_covered"] is not None:
            assert cover == ("已覆盖" if want["station_covered"] else "未覆盖")
        else:
            assert (cover or None) == want["station_coverage"]
    notes = [r[0] for r in rows[FIRST_DATA_ROW + len(data["regions"]):] if r and r[0]]
    assert any("未达到单位目标的单位 3 个" in n and "区民政局（≥10人，差9人）" in n for n in notes)
    assert any(n.endswith("红星镇、光华街道") for n in notes)


def test_award_year_without_dates(tmp_path):
    assert columns(None)[8][0] == "当年取证人数"
    with Census.open(tmp_path / "e.census") as census:
        out = write_summary_workbook(census, tmp_path / "e.xlsx")
    assert "未测算" in sheet(out, "津贴测算")[1][0]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_allowance_sheet(money, tmp_path):
    """LibreOffice converts the workbook to PDF (every sheet) without complaint."""
    out, _data = money
    profile = tmp_path / "lo-profile"
    result = subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=180, check=False)
    pdf = tmp_path / (out.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 10_000, result.stderr.decode(errors="replace")
