"""The export menu end to end with the real exporters: file dialogs answered, workbooks read back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog

from exporters.template import COL, FIRST_DATA
from importers.job import import_file
from importers.plan import plan_file
from importers.population import load_population
from models.census import Census
from models.identity import mask_id
from tests.builders import make_id, write_community_return, write_population
from tests.gui.window_helpers import wait_idle

COUNTS = ("talents", "certified", "certified_assistant", "certified_intermediate", "certified_senior", "degree",
          "degree_and_certified", "trained_only")
FIRST_DATA_ROW = 5  # 1-based: title, subtitle, two header rows
BAD_ID = make_id(9)[:-1] + ("0" if make_id(9)[-1] != "0" else "1")


@pytest.fixture
def census_path(tmp_path) -> Path:
    path = tmp_path / "导出测试.census"
    with Census.open(path) as census:
        load_population(census, write_population(tmp_path / "户籍人口.xlsx"))
        write_community_return(tmp_path / "团结社区.xlsx", "东区和平街道团结社区", [
            ("张三", make_id(1), "助理社会工作师", "高中", "", 0),
            ("李四", make_id(2), "", "本科", "社会工作", 10),
            ("王五", make_id(3), "社会工作师", "本科", "社会学", 130),
            ("钱七", BAD_ID, "", "大专", "社会学", 0),
        ])
        write_community_return(tmp_path / "团结村.xlsx", "东区红星镇团结村", [
            ("孙八", make_id(4), "", "高中", "", 150),
            ("张三", make_id(1), "", "本科", "社会工作", 0),
        ])
        for name in ("团结社区.xlsx", "团结村.xlsx"):
            import_file(census, tmp_path / name)
    return path


@pytest.fixture
def win(qtbot, window, msgs, census_path):
    assert window.open_census(census_path)
    return window


def answer_save(monkeypatch, path: Path) -> list[tuple]:
    asked: list[tuple] = []

    def get_save(*args, **kwargs):
        asked.append(args)
        return str(path), "Excel 工作簿 (*.xlsx)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save)
    return asked


def answer_folder(monkeypatch, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(folder))


def test_summary_export_through_the_menu(qtbot, win, msgs, tmp_path, monkeypatch):
    out = tmp_path / "out" / "汇总.xlsx"
    out.parent.mkdir()
    asked = answer_save(monkeypatch, out)
    msgs.choice = 0  # masked, as recommended
    win.act_export_summary.trigger()
    wait_idle(qtbot, win)
    assert not msgs.errors, msgs.errors
    assert asked and "默认打码" in msgs.questions[-1]
    assert msgs.paths[-1] == [out] and out.exists()

    wb = openpyxl.load_workbook(out, read_only=True)
    rows = [list(r) for r in wb["汇总表"].iter_rows(values_only=True)]
    summary = win.census.summary()
    root = summary[0]
    root_row = rows[FIRST_DATA_ROW - 1]
    assert root_row[0].strip() == root.name == "测试市"
    assert [root_row[c] for c in range(4, 12)] == [getattr(root, k) for k in COUNTS]
    assert root.talents == 4 and root_row[16] == root.pending_rows == 1
    by_name = {str(r[0]).strip(): r for r in rows[FIRST_DATA_ROW - 1:] if r[0]}
    assert by_name["团结村"][4] == next(s for s in summary if s.name == "团结村").talents == 1
    roster = [list(r) for r in wb["明细"].iter_rows(min_row=4, values_only=True) if r[0] is not None]
    assert len(roster) == win.census.people.count()
    cells = {str(c) for r in roster for c in r if c is not None}
    assert mask_id(make_id(1)) in cells and make_id(1) not in cells
    wb.close()


def test_templates_through_the_menu_import_cleanly(qtbot, win, msgs, tmp_path, monkeypatch):
    folder = tmp_path / "模板"
    answer_folder(monkeypatch, folder)
    win.select_region(win.tree_model.order[0].region_id)  # the root: templates for every region, no question
    asked = len(msgs.questions)
    win.act_templates.trigger()
    wait_idle(qtbot, win)
    assert not msgs.errors, msgs.errors
    assert len(msgs.questions) == asked
    paths = msgs.paths[-1]
    grassroots = [s.path for s in win.tree_model.order if s.kind in ("community", "village")]
    assert len(paths) == len(grassroots) == 4
    assert all(p.exists() and p.parent == folder for p in paths)

    village = next(p for p in paths if "团结村" in p.name)
    wb = openpyxl.load_workbook(village)
    ws = wb["摸排登记表"]
    r = FIRST_DATA + 1
    for field, value in (("name", "周九"), ("gender", "男"), ("id", make_id(20)), ("phone", "13800001111"),
                         ("education", "本科"), ("major", "社会工作"), ("level", "助理社会工作师"), ("hours", 40)):
        ws.cell(r, COL[field] + 1, value)
    wb.save(village)

    fresh_path = tmp_path / "fresh.census"
    with Census.open(fresh_path) as fresh:
        load_population(fresh, write_population(tmp_path / "户籍人口2.xlsx"))
        plan = plan_file(fresh, village)
        assert plan.uncertain == [] and plan.region.path == "测试市/东区/红星镇/团结村"
        result = import_file(fresh, village)
        assert (result.rows_total, result.rows_ok, result.rows_pending, result.persons) == (1, 1, 0, 1)
        assert fresh.problems.all() == []
        assert fresh.people.get(make_id(20)).region_path == "测试市/东区/红星镇/团结村"


def test_corrections_through_the_menu(qtbot, win, msgs, tmp_path, monkeypatch):
    folder = tmp_path / "更正"
    answer_folder(monkeypatch, folder)
    msgs.choice = 0
    win.act_export_corrections.trigger()
    wait_idle(qtbot, win)
    assert not msgs.errors, msgs.errors
    (path,) = msgs.paths[-1]
    assert path.exists() and path.name == "测试市_东区_和平街道_团结社区_更正清单.xlsx"
    wb = openpyxl.load_workbook(path, read_only=True)
    cells = [str(c) for r in wb.active.iter_rows(values_only=True) for c in r if c is not None]
    assert "钱七" in cells and mask_id(BAD_ID) in cells and BAD_ID not in cells
    wb.close()

    msgs.choice = None  # closing the masking question exports nothing
    before = list(folder.iterdir())
    win.act_export_corrections.trigger()
    wait_idle(qtbot, win)
    assert list(folder.iterdir()) == before and len(msgs.paths) == 1
