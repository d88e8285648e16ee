"""The review dialog's region: the core's message shown as is; a new path under a missing parent."""

from __future__ import annotations

from openpyxl import load_workbook

from tests.builders import make_id, write_community_return
from tests.gui.window_helpers import wait_idle


def new_census(qtbot, win, tmp_path, returns):
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)


def bureau_return(tmp_path):
    """A return whose only clue is “填报单位（盖章）：市民政局” (not in the tree)."""
    path = write_community_return(tmp_path / "摸排表.xlsx", None, [("吴一", make_id(31), "初级", None, None, None)],
                                  title="社会工作专业人才摸排登记表")
    wb = load_workbook(path)
    ws = wb.active
    ws.insert_rows(2)
    ws.cell(2, 1, "填报单位（盖章）：市民政局")
    wb.save(path)
    return path


def test_undecided_region_shows_the_core_message_as_is(qtbot, window, msgs, tmp_path, returns):
    win = window
    new_census(qtbot, win, tmp_path, returns)
    dialog = win.import_paths([bureau_return(tmp_path)])
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    plan = dialog.entries[0].plan
    assert plan.region.path is None
    message = plan.region.message
    assert message.startswith("无法确定“市民政局”属于哪个区划")
    dialog.files.selectRow(0)
    assert dialog.region_note.text() == message
    assert message in dialog.warnings.text()
    assert dialog.files.item(0, 2).text() == "需选择区划"
    assert dialog.files.item(0, 5).text() == "（未确定）" and dialog.files.item(0, 5).toolTip() == message
    assert not dialog.start_import() and "还没有确定所属区划" in msgs.errors[-1]
    assert dialog.region.lineEdit().placeholderText().endswith("如 测试市/市民政局")  # this census's top region
    dialog.reject()


def test_new_path_under_a_missing_parent_fails_that_file_only(qtbot, window, msgs, tmp_path, returns):
    win = window
    new_census(qtbot, win, tmp_path, returns)
    dialog = win.import_paths([bureau_return(tmp_path), returns["tuanjie"]])
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    row = next(i for i, e in enumerate(dialog.entries) if e.file_name == "摸排表.xlsx")
    dialog.files.selectRow(row)
    dialog.region.setEditText("测试市/北区/新华街道")  # typed: 北区 is not in the tree
    dialog.region.lineEdit().editingFinished.emit()
    assert dialog.entries[row].plan.region.path == "测试市/北区/新华街道"
    assert dialog.files.item(row, 2).text() == "区划有误"
    assert "上级区划“测试市/北区”不存在" in dialog.region_note.text()

    assert dialog.start_import()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    wait_idle(qtbot, win)
    assert not msgs.errors, msgs.errors
    outcomes = {o.file_name: o for o in dialog.outcomes}
    failed = outcomes["摸排表.xlsx"]
    assert failed.status == "failed"
    assert failed.message.startswith("上级区划“测试市/北区”不存在")
    assert outcomes["团结社区摸排表.xlsx"].status == "imported"
    assert dialog.pages.currentIndex() == 2
    shown = {dialog.results.item(r, 0).text(): r for r in range(dialog.results.rowCount())}
    r = shown["摸排表.xlsx"]
    assert dialog.results.item(r, 1).text() == "失败"
    assert dialog.results.item(r, 7).text() == failed.message
    assert failed.message in dialog.details.toPlainText()
    assert "失败 1 个" in dialog.result_summary.text()
    dialog.accept()
    assert [b.file_name for b in win.census.batches.all()] == ["团结社区摸排表.xlsx"]
    assert win.census.regions.by_path("测试市/北区") is None


def test_a_data_sheet_can_be_left_out_in_the_review(qtbot, window, msgs, tmp_path, returns):
    """Last year's list kept visible beside this year's: the review ticks every data sheet, the
    clerk unticks 2020年 and only 2021年 is imported; the last ticked sheet cannot be unticked."""
    from openpyxl import Workbook

    new_census(qtbot, window, tmp_path, returns)
    wb = Workbook()
    for n, (name, person) in enumerate((("2021年", "甲"), ("2020年", "乙"))):
        ws = wb.active if n == 0 else wb.create_sheet(name)
        ws.title = name
        ws.append(["填报单位：东区和平街道团结社区"])
        ws.append(["序号", "姓名", "身份证号码", "证书等级"])
        ws.append([1, person, make_id(400 + n), "初级"])
    wb.save(tmp_path / "团结社区.xlsx")
    dialog = window.import_paths([tmp_path / "团结社区.xlsx"])
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    dialog.files.selectRow(0)
    assert [(c.text(), c.isChecked()) for c in dialog.sheet_checks] == [("2021年", True), ("2020年", True)]
    dialog.sheet_checks[1].setChecked(False)
    qtbot.waitUntil(lambda: dialog.files.item(0, 3).text() == "2021年")
    dialog.sheet_checks[0].setChecked(False)
    qtbot.waitUntil(lambda: bool(msgs.errors))
    assert "至少要导入一个工作表" in msgs.errors[-1]
    qtbot.waitUntil(lambda: dialog.sheet_checks[0].isChecked())
    assert dialog.start_import()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    wait_idle(qtbot, window)
    dialog.accept()
    assert window.census.people.count() == 1
    assert window.census.conn.execute("SELECT name, sheet FROM source_rows").fetchall() == [("甲", "2021年")]
