"""Money and units in the window (issue 14): the tree's 单位/社工站 column, the dashboard's
allowance and coverage line, the unit dialog and the list of shortfalls."""

from __future__ import annotations

from gui import unit_dialog
from tests.gui.window_helpers import wait_idle
from tests.money_census import build_money_census


def test_units_in_the_tree_dashboard_dialog_and_list(qtbot, window, tmp_path):
    win = window
    assert win.open_census(build_money_census(tmp_path))
    model = win.tree_model
    hospital = win.census.regions.by_path("测试市/东区/人民医院")
    bureau = win.census.regions.by_path("测试市/西区/区民政局")
    east = win.census.regions.by_path("测试市/东区")
    assert model.HEADERS[4] == "单位/社工站"
    assert model.index_of(hospital.id).siblingAtColumn(4).data() == "2/≥2 ✓"
    assert model.index_of(bureau.id).siblingAtColumn(4).data() == "1/≥10 ✗"
    assert model.index_of(east.id).siblingAtColumn(4).data() == "站 1/2"

    win.select_region(east.id)
    heading = win.dashboard.heading  # a long unit's path wraps (it was cut off at the window's edge)
    assert heading.wordWrap() and heading.toolTip() == "测试市/东区"
    text = win.dashboard.money.text()
    assert "月津贴 1,700 元/月" in text and "一次性奖励 19,000 元" in text and "未覆盖：红星镇" in text

    dialog = unit_dialog.ask_unit(win, bureau.id)
    assert dialog is not None and dialog.type_box.currentText() == "社会服务机关事业单位"
    dialog.staff.setValue(3)
    dialog.accept()
    wait_idle(qtbot, win)
    assert win.tree_model.summaries[bureau.id].unit_target_met is True
    assert win.census.undo.next_undo().name == "修改单位信息"  # a step of 编辑 → 撤销, like the others
    win.undo_step()
    wait_idle(qtbot, win)
    assert win.tree_model.summaries[bureau.id].unit_target_met is False
    assert win.census.units.get(bureau.id).staff != 3
    win.redo_step()
    wait_idle(qtbot, win)
    assert win.census.units.get(bureau.id).staff == 3

    shortfalls = unit_dialog.show_shortfalls(win)
    rows = [shortfalls.list.item(i).text().strip() for i in range(shortfalls.list.count())]
    assert rows == ["未达单位目标的单位（2）", "测试市/东区/第一中学：学校 ≥2人，差1人",
                    "测试市/西区/阳光社工服务中心：社工机构 ≥3人，差1人", "未覆盖社工站的街道（乡镇）（2）",
                    "测试市/东区/红星镇", "测试市/西区/光华街道"]
    shortfalls.list.itemActivated.emit(shortfalls.list.item(4))
    assert win.selected_region_id() == win.census.regions.by_path("测试市/东区/红星镇").id
