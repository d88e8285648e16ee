"""Right-click menus of the tree, the people, problems and history tables: each entry does what
its button or dialog does."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from gui import context_menus
from gui.person_dialog import SourceRowsDialog
from tests.gui.window_helpers import import_through_review, wait_idle


def filled(qtbot, win, tmp_path, returns):
    assert win.new_census(tmp_path / "菜单")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    import_through_review(qtbot, win, [returns["tuanjie"], returns["xingfu"]]).accept()
    wait_idle(qtbot, win)
    win.select_region(win.census.regions.by_path("测试市").id)


def entry(menu, text: str):
    """The menu's action named `text` (submenus included)."""
    for action in menu.actions():
        if action.text() == text:
            return action
        if action.menu() is not None and (found := entry(action.menu(), text)) is not None:
            return found
    return None


def names(menu) -> list[str]:
    return [a.text() for a in menu.actions() if a.text()]


def test_every_table_opens_its_menu_on_right_click(window):
    for view in (window.people.view, window.problems.view, window.history.view, window.tree):
        assert view.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu


def test_people_menu_shows_copies_and_reassigns(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    from gui import region_picker

    win = window
    filled(qtbot, win, tmp_path, returns)
    model = win.people.model
    row = next(r for r in range(model.rowCount()) if model.person(r).name == "李四")
    win.people.view.selectRow(row)
    menu = context_menus.people_menu(win, row)
    assert names(menu) == ["查看详情…", "复制", "调整所属区划…"]

    entry(menu, "查看详情…").trigger()
    assert win.person_dialog is not None and win.person_dialog.person.name == "李四"
    win.person_dialog.close()

    QGuiApplication.clipboard().clear()
    entry(menu, "复制").trigger()
    assert QGuiApplication.clipboard().text().split("\t")[0] == "李四"

    xingfu = win.census.regions.by_path("测试市/东区/和平街道/幸福社区")
    monkeypatch.setattr(region_picker, "choose_region", lambda *a, **k: xingfu.id)
    entry(menu, "调整所属区划…").trigger()
    wait_idle(qtbot, win)
    moved = next(p for p in win.census.people.iter() if p.name == "李四")
    assert moved.region_path == xingfu.path
    assert win.census.undo.next_undo().name == "调整所属区划"


def test_problems_menu_shows_the_row_and_corrects_the_id(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from tests.gui.window_helpers import make_id

    win = window
    filled(qtbot, win, tmp_path, returns)
    model = win.problems.model
    row = next(r for r in range(model.rowCount()) if model.item(r).name == "钱七")
    win.problems.view.selectRow(row)
    menu = context_menus.problems_menu(win, row)
    assert names(menu) == ["查看源数据行…", "更正身份证号…", "复制"]
    assert entry(menu, "更正身份证号…").isEnabled()

    QGuiApplication.clipboard().clear()
    entry(menu, "复制").trigger()
    assert "钱七" in QGuiApplication.clipboard().text().split("\t")

    entry(menu, "查看源数据行…").trigger()
    (shown,) = [d for d in win.findChildren(SourceRowsDialog) if d.isVisible()]
    assert "第 8 行" in shown.windowTitle()  # title, filler, header, then 钱七 the fifth of rows 4–8
    shown.close()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (make_id(5), True))
    msgs.choice = None
    entry(menu, "更正身份证号…").trigger()
    wait_idle(qtbot, win)
    assert any(p.name == "钱七" for p in win.census.people.iter())


def test_history_menu_undoes_and_opens_the_folder(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    from gui import messages

    win = window
    filled(qtbot, win, tmp_path, returns)
    opened: list[Path] = []
    monkeypatch.setattr(messages, "open_folder", lambda path: opened.append(path))
    model = win.history.model
    row = next(r for r in range(model.rowCount()) if model.item(r).file_name == returns["xingfu"].name)
    menu = context_menus.history_menu(win, row)
    assert names(menu) == ["撤销导入…", "打开原文件所在文件夹"]
    entry(menu, "打开原文件所在文件夹").trigger()
    assert [p.parent for p in opened] == [returns["xingfu"].parent]

    msgs.answer = True
    entry(menu, "撤销导入…").trigger()
    wait_idle(qtbot, win)
    assert [b.file_name for b in win.census.batches.all()] == [returns["tuanjie"].name]


def test_history_menu_says_when_the_folder_has_gone(qtbot, window, msgs, tmp_path):
    assert not context_menus.open_source_folder(window, tmp_path / "已删除" / "团结社区.xlsx")
    assert msgs.errors and "团结社区.xlsx" in msgs.errors[-1] and "已不存在" in msgs.errors[-1]


def test_tree_menu_shows_pages_sets_population_and_exports(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    win = window
    filled(qtbot, win, tmp_path, returns)
    tuanjie = win.census.regions.by_path("测试市/东区/和平街道/团结社区")
    menu = context_menus.tree_menu(win, tuanjie.id)
    assert names(menu)[:3] == ["查看人员", "查看问题", "导出本区划"]
    for text in ("设置户籍人口…", "并入其他区划…"):
        assert entry(menu, text) is not None and entry(menu, text).isEnabled()
    unit = entry(menu, "单位类型和在岗职工数…")  # a community is no unit: said before the dialog, not after
    assert not unit.isEnabled() and "是社区，不是单位" in unit.toolTip()
    bureau = win.census.regions.ensure("测试市/东区/区民政局")
    assert entry(context_menus.tree_menu(win, bureau.id), "单位类型和在岗职工数…").isEnabled()

    entry(menu, "查看人员").trigger()
    assert win.tabs.currentWidget() is win.people and win.selected_region_id() == tuanjie.id
    assert win.people.model.rowCount() == 4  # 团结社区's valid persons only
    win.select_region(win.census.regions.by_path("测试市").id)
    entry(menu, "查看问题").trigger()
    assert win.tabs.currentWidget() is win.problems and win.selected_region_id() == tuanjie.id
    assert {win.problems.model.item(r).name for r in range(win.problems.model.rowCount())} == {"钱七"}

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("15000", True))
    entry(menu, "设置户籍人口…").trigger()
    wait_idle(qtbot, win)
    assert win.census.regions.get(tuanjie.id).population == 15000

    context_menus.export_region(win, tuanjie.path, tmp_path / "lists", "corrections")
    wait_idle(qtbot, win)
    (written,) = msgs.paths[-1]
    assert "团结社区" in Path(written).name
    sheet = load_workbook(written).worksheets[0]
    assert any("钱七" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    context_menus.export_region(win, win.census.regions.by_path("测试市/西区").path, tmp_path / "none", "corrections")
    wait_idle(qtbot, win)
    assert msgs.paths[-1] == []  # no problem below 西区: nothing written
