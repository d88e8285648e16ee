"""The window over time: 普查信息 (title, 统计截止日期), the 对比 page against an earlier census (chart,
lists with masked IDs and their source rows, dated goals), the goal dialog's 完成期限 and 按倍数, the
dashboard's exam-year chart, and the export's 增长对比 sheet from the page's earlier file."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests import over_time as ot
from tests.gui.window_helpers import wait_idle


@pytest.fixture(scope="module")
def years(tmp_path_factory):
    return ot.build_both(tmp_path_factory.mktemp("compare_window"))


@pytest.fixture
def opened(qtbot, window, years, tmp_path):
    """The window on a copy of the year-2 census, compared with the year-1 census through the page."""
    shared, earlier, first, second = years
    later = tmp_path / shared.name
    shutil.copyfile(shared, later)
    assert window.open_census(later)
    window.select_region(summary_of(window, ot.HEPING).region_id)
    window.tabs.setCurrentWidget(window.over_time.page)
    window.over_time.page.earlier_requested.emit(earlier)
    wait_idle(qtbot, window)
    return window, earlier, first, second


def summary_of(win, path: str):
    return next(s for s in win.tree_model.order if s.path == path)


def test_compare_page_shows_the_node_its_children_and_the_lists(qtbot, opened, msgs):
    win, earlier, first, second = opened
    page = win.over_time.page
    assert not msgs.errors and page.comparison is not None and page.earlier_path == earlier
    assert "2020-12-31" in page.source.text() and "2021-12-31" in page.source.text()
    expected = ot.expected_comparison(first, second)
    street = expected[ot.HEPING]
    assert f"人才 {street['talents_before']} → {street['talents']}" in page.figures.text()
    assert [(p.label, p.before, p.now) for p in page.chart.pairs] == [
        (path.rpartition("/")[2], expected[path]["talents_before"], expected[path]["talents"])
        for path in (ot.TUANJIE, ot.XINGFU, ot.NEW_COMMUNITY)]
    new = page.person_models["new"]
    assert new.rowCount() == street["new_persons"] and page.person_tabs.tabText(0) == f"新增（{street['new_persons']}）"
    ids = [new.index(r, 1).data() for r in range(new.rowCount())]
    assert all("*" in i for i in ids)
    win.set_full_ids(True)
    assert ot.make_id(101) in [new.index(r, 1).data() for r in range(new.rowCount())]
    win.set_full_ids(False)
    moved = page.person_models["moved"]
    assert moved.rowCount() == 1 and moved.index(0, 2).data() == f"{ot.TUANJIE} → {ot.XINGFU}"
    # the village is gone: its people are listed under the town, their rows read from the earlier census
    win.select_region(summary_of(win, ot.EAST).region_id)
    gone = page.person_models["gone"]
    village = [r for r in range(gone.rowCount()) if gone.items[r].path == ot.VILLAGE]
    assert len(village) == expected[ot.VILLAGE]["gone_persons"]
    dialog = win.over_time.show_person(gone.items[village[0]])
    assert dialog is not None and "早前普查" in dialog.windowTitle() and dialog.tree.topLevelItemCount() >= 1
    assert gone.items[village[0]].name in dialog.windowTitle()
    qtbot.waitUntil(lambda: not dialog.reading_cells(), timeout=30000)  # cells read from the earlier census
    top = dialog.tree.topLevelItem(0)
    assert gone.items[village[0]].name in [top.child(i).text(1) for i in range(top.childCount())
                                           if top.child(i).text(0) == "姓名"]
    dialog.close()


def test_info_dialog_and_dashboard_years(qtbot, opened, msgs):
    win = opened[0]
    second = opened[3]
    assert "2021-12-31" in win.dashboard.census_line.text()
    dialog = win.over_time.ask_info()
    dialog.title.setText("乌海市社会工作专业人才摸排")
    dialog.as_of.setDate(dialog.as_of.date().addDays(-30))  # 2021-12-01
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, win)
    assert (win.census.title, win.census.as_of) == ("乌海市社会工作专业人才摸排", "2021-12-01")
    assert "乌海市" in win.dashboard.census_line.text() and "2021-12-01" in win.dashboard.census_line.text()
    assert "乌海市" in win.windowTitle()
    win.select_region(summary_of(win, ot.CITY).region_id)
    shown = {year: counts for year, counts in win.dashboard.years_chart.years}
    expected = ot.by_year(second, ot.CITY)
    assert shown == {("不详" if y == "unknown" else y): tuple(v.values()) for y, v in expected.items()
                     if sum(v.values())}


def test_dated_and_growth_goals_through_the_dialog(qtbot, opened, msgs, tmp_path):
    win, earlier, first, second = opened
    street = summary_of(win, ot.HEPING)
    dialog = win.ask_goal(street.region_id)
    dialog.set_category("talents")
    assert dialog.use_earlier(earlier)
    dialog.multiple.setValue(1.5)
    base = ot.counts(first, ot.HEPING)["talents"]
    assert dialog.target.value() == -(-base * 3 // 2) and dialog.target.isReadOnly()
    dialog.has_deadline.setChecked(True)
    dialog.deadline.setDate(dialog.deadline.date().fromString("2022-12-31", "yyyy-MM-dd"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, win)
    goal = win.census.summary()[[s.path for s in win.census.summary()].index(ot.HEPING)].goals[0]
    assert (goal.deadline, goal.multiple, goal.base) == ("2022-12-31", 1.5, base) and not msgs.errors
    assert "期限 2022-12-31" in win.dashboard.goal_table.text(0, 4)
    wait_idle(qtbot, win)  # the comparison is computed again after the change
    goals = win.over_time.page.goal_model.items
    assert [(g.path, g.target, g.by) for g in goals] == [(ot.HEPING, goal.target, "2022-12-31")]
    assert win.over_time.page.goal_model.index(0, 8).data().startswith(("按此进度", "已达成"))
    out = tmp_path / "汇总.xlsx"
    win.export_summary(out)
    wait_idle(qtbot, win)
    table = [[c.value for c in row] for row in openpyxl.load_workbook(out)["增长对比"].iter_rows()]
    assert "2020.census" in table[1][0]
    assert any(row[0] == ot.HEPING and row[3] == "2022-12-31" for row in table)


def test_the_goal_dialog_takes_no_multiple_of_an_earlier_zero(qtbot, opened, msgs):
    """Any multiple of 0 is a goal of 0, met from the start: the dialog asks for a number, as
    the command line does (models.compare.growth_of)."""
    from dataclasses import replace

    win, earlier, _first, _second = opened
    dialog = win.ask_goal(summary_of(win, ot.HEPING).region_id)
    dialog.set_category("talents")
    assert dialog.use_earlier(earlier)
    summary, label = dialog.earlier_node
    dialog.earlier_node = (replace(summary, talents=0), label)  # nobody counted there then
    dialog.multiple.setValue(3)
    assert dialog.growth() is None and not dialog.target.isReadOnly()
    assert "为 0" in dialog.growth_label.text()
    dialog.reject()


def test_an_earlier_census_deleted_meanwhile_clears_the_page_once_and_the_export_still_works(
        qtbot, opened, msgs, tmp_path):
    """The earlier file moved or deleted after it was compared: a change made later is saved and
    the page says once that the comparison is gone (it used to fail after every change), and 导出汇总
    writes the workbook without 增长对比 (it used to fail with 找不到普查文件)."""
    win, earlier, copy = _compared_with_a_copy(qtbot, opened, msgs, tmp_path)
    copy.unlink()

    root = win.tree_model.order[0]
    win.set_population(root.region_id, 123_456)
    wait_idle(qtbot, win)
    assert win.tree_model.summaries[root.region_id].population == 123_456  # the change itself is kept
    assert len(msgs.errors) == 1 and "早前副本.census" in msgs.errors[0] and "对比" in msgs.errors[0]
    assert win.over_time.earlier is None and win.over_time.page.comparison is None
    win.set_population(root.region_id, 123_457)
    wait_idle(qtbot, win)
    assert len(msgs.errors) == 1  # said once

    win.over_time.page.earlier_requested.emit(earlier)
    wait_idle(qtbot, win)
    shutil.copyfile(earlier, copy)
    win.over_time.page.earlier_requested.emit(copy)
    wait_idle(qtbot, win)
    copy.unlink()
    out = tmp_path / "汇总.xlsx"
    win.export_summary(out)
    wait_idle(qtbot, win)
    assert out.exists() and msgs.paths[-1] == [out]
    growth = [[c.value for c in row] for row in openpyxl.load_workbook(out)["增长对比"].iter_rows()]
    assert "早前副本.census" not in str(growth)  # no comparison in it
    assert "早前副本.census" in msgs.errors[-1] and win.over_time.earlier is None


def test_the_before_after_chart_has_room_for_a_provinces_figures(qtbot):
    """5- to 7-digit figures were cut at the chart's right edge (the room was that of 00000（+0000）)."""
    from PySide6.QtGui import QFontMetrics

    from gui.over_time_charts import BeforeAfterChart, Pair

    chart = BeforeAfterChart()
    qtbot.addWidget(chart)
    chart.resize(900, 200)
    chart.set_pairs([Pair("广州市", 12345, 15678), Pair("全省", 1234567, 2345678), Pair("撤销", 54321, None)])
    metrics = QFontMetrics(chart.font())
    assert chart.value_text(chart.pairs[0]) == "12,345→15,678（+3,333）"
    assert all(chart.value_width(metrics) >= metrics.horizontalAdvance(chart.value_text(p)) for p in chart.pairs)
    chart.set_pairs([Pair("团结社区", 3, 4)])
    assert chart.value_width(metrics) == metrics.horizontalAdvance(chart.VALUE_SAMPLE) + 12  # small figures: as before


def test_an_earlier_census_damaged_meanwhile_does_not_stop_the_summary_export(qtbot, opened, msgs, tmp_path):
    """The earlier file overwritten by a broken copy after it was compared: 导出汇总 failed with
    普查文件已损坏 every time, and the page has no way to drop the comparison. The workbook is written
    without 增长对比 and the page is cleared, said once."""
    win, earlier, copy = _compared_with_a_copy(qtbot, opened, msgs, tmp_path)
    copy.write_bytes(earlier.read_bytes()[:5000])
    out = _summary_exported(qtbot, win, msgs, tmp_path)
    assert len(msgs.errors) == 1 and "早前副本.census" in msgs.errors[0] and "已损坏" in msgs.errors[0]
    assert win.over_time.earlier is None and win.over_time.page.comparison is None
    assert "没有对比" in str([[c.value for c in row] for row in openpyxl.load_workbook(out)["增长对比"].iter_rows()])


def _summary_exported(qtbot, win, msgs, tmp_path):
    """导出汇总 into the test's folder, written and announced; its path."""
    out = tmp_path / "汇总.xlsx"
    win.export_summary(out)
    wait_idle(qtbot, win)
    assert out.exists() and msgs.paths[-1] == [out]
    return out


def _compared_with_a_copy(qtbot, opened, msgs, tmp_path):
    """The window comparing with a copy of the earlier census (which the test then spoils)."""
    win, earlier, _first, _second = opened
    copy = tmp_path / "早前副本.census"
    shutil.copyfile(earlier, copy)
    win.over_time.page.earlier_requested.emit(copy)
    wait_idle(qtbot, win)
    assert win.over_time.earlier == copy and not msgs.errors
    return win, earlier, copy


def test_a_later_census_is_refused_on_the_page_and_dropped_when_this_one_moves_before_it(
        qtbot, opened, msgs, tmp_path):
    """Choosing a later file gives one line and leaves the page as it was; moving this census's
    统计截止日期 before the earlier file's clears the page once, and 导出汇总 goes on without it."""
    win, earlier, _first, _second = opened
    later_copy = tmp_path / "较新.census"
    shutil.copyfile(win.census.path, later_copy)
    win.census.set_as_of("2019-12-31")  # this window's census now precedes both files
    win.over_time.page.earlier_requested.emit(later_copy)
    wait_idle(qtbot, win)
    assert len(msgs.errors) == 1 and "晚于本次的 2019-12-31" in msgs.errors[0]
    assert win.over_time.page.earlier_path == earlier  # the comparison chosen before is not replaced

    _summary_exported(qtbot, win, msgs, tmp_path)
    assert len(msgs.errors) == 2 and "不能用于对比" in msgs.errors[1] and "晚于本次" in msgs.errors[1]
    assert win.over_time.earlier is None and win.over_time.page.comparison is None
