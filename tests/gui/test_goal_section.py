"""Other goals on the 概况 page: set through the dialog, shown with the node's count, deleted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from gui.models_qt import MET, NOT_MET
from tests.gui.window_helpers import import_through_review, wait_idle


def summary_of(win, path: str):
    return next(s for s in win.tree_model.order if s.path == path)


def census_with_returns(qtbot, win, tmp_path, returns) -> None:
    assert win.new_census(tmp_path / "目标")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    import_through_review(qtbot, win, [returns["tuanjie"], returns["xingfu"]])


def table_rows(win) -> list[list[str]]:
    table = win.dashboard.goal_table
    model = table.model()
    return [[table.text(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]


def colour(win, row: int):
    return win.dashboard.goal_table.model().index(row, 3).data(Qt.ItemDataRole.ForegroundRole).color()


def set_through_dialog(qtbot, win, region_id: int, category: str, target: int, note: str = "") -> None:
    win.dashboard.goal_table.clearSelection()
    qtbot.mouseClick(win.dashboard.goal_button, Qt.MouseButton.LeftButton)
    dialog = win.goal_dialog
    assert dialog is not None and dialog.summary.region_id == region_id
    dialog.set_category(category)
    dialog.target.setValue(target)
    dialog.note.setText(note)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, win)


def test_set_show_and_delete_a_goal(qtbot, window, msgs, tmp_path, returns):
    win = window
    census_with_returns(qtbot, win, tmp_path, returns)
    city = summary_of(win, "测试市")
    win.select_region(city.region_id)
    dash = win.dashboard
    # empty: a one-line hint, no table; 删除 needs a selected goal
    assert dash.goal_table.isHidden() and "未设定" in dash.goal_hint.text()
    assert dash.goal_button.isEnabled() and not dash.goal_delete_button.isEnabled()

    set_through_dialog(qtbot, win, city.region_id, "certified", 1000, "年底前")
    assert win.goal_dialog is None and not msgs.errors
    city = summary_of(win, "测试市")
    assert city.certified > 0
    assert [(g.category, g.target, g.actual, g.note) for g in win.census.summary()[0].goals] == [
        ("certified", 1000, city.certified, "年底前")]
    assert not dash.goal_table.isHidden()
    assert table_rows(win) == [["持证社工", "1,000", str(city.certified), f"✗ 差 {1000 - city.certified} 人", "年底前"]]
    assert colour(win, 0) == NOT_MET
    assert "共 1 项，1 项未达成" in dash.goal_hint.text()
    table = dash.goal_table  # as tall as its rows, not a big empty box
    assert table.height() <= table.horizontalHeader().sizeHint().height() + table.rowHeight(0) + 2 * table.frameWidth()
    assert "其他目标 1 项未达成" in dash.status.text()

    # a second, met goal; the window kept the node selected
    set_through_dialog(qtbot, win, city.region_id, "talents", 1)
    city = summary_of(win, "测试市")
    assert win.selected_region_id() == city.region_id
    rows = table_rows(win)
    assert [r[0] for r in rows] == ["持证社工", "人才总数"]
    assert rows[1][1:4] == ["1", str(city.talents), "✓ 达成"]
    assert colour(win, 1) == MET

    # goals belong to their node: a community shows none
    community = summary_of(win, "测试市/东区/和平街道/团结社区")
    win.select_region(community.region_id)
    assert dash.goal_table.isHidden() and "未设定" in dash.goal_hint.text()
    win.select_region(city.region_id)

    # delete the selected goal after a confirmation
    dash.goal_table.selectRow(0)
    assert dash.goal_delete_button.isEnabled()
    msgs.answer = False
    qtbot.mouseClick(dash.goal_delete_button, Qt.MouseButton.LeftButton)
    assert "持证社工 1,000 人" in msgs.questions[-1]
    assert len(win.census.summary()[0].goals) == 2
    msgs.answer = True
    qtbot.mouseClick(dash.goal_delete_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, win)
    assert [g.category for g in win.census.summary()[0].goals] == ["talents"]
    assert [r[0] for r in table_rows(win)] == ["人才总数"]
    assert not dash.goal_delete_button.isEnabled()  # nothing selected after the reload


def test_dialog_edits_the_selected_goal_and_needs_a_target(qtbot, window, msgs, tmp_path, returns):
    win = window
    census_with_returns(qtbot, win, tmp_path, returns)
    city = summary_of(win, "测试市")
    win.select_region(city.region_id)
    win.set_goal(city.region_id, "degree", 50, "省厅下达")  # the window's write path, as the dialog uses
    wait_idle(qtbot, win)
    dash = win.dashboard
    dash.goal_table.selectRow(0)
    qtbot.mouseClick(dash.goal_button, Qt.MouseButton.LeftButton)
    dialog = win.goal_dialog
    assert dialog.category.currentData() == "degree"
    assert dialog.target.value() == 50 and dialog.note.text() == "省厅下达"
    assert not dialog.replacing.isHidden()
    assert f"现有 {summary_of(win, '测试市').degree:,} 人" == dialog.actual.text()
    dialog.set_category("certified_senior")  # a category without a goal: empty, 确定 off until a target
    assert dialog.target.value() == 0 and not dialog.ok_button.isEnabled() and dialog.replacing.isHidden()
    dialog.target.setValue(3)
    assert dialog.ok_button.isEnabled()
    dialog.set_category("degree")
    dialog.target.setValue(80)
    dialog.accept()
    wait_idle(qtbot, win)
    goals = win.census.summary()[0].goals
    assert [(g.category, g.target, g.note) for g in goals] == [("degree", 80, "省厅下达")]

    # cancelling writes nothing
    qtbot.mouseClick(dash.goal_button, Qt.MouseButton.LeftButton)
    win.goal_dialog.target.setValue(5)
    win.goal_dialog.reject()
    wait_idle(qtbot, win)
    assert [g.target for g in win.census.summary()[0].goals] == [80]
