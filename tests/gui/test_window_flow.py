"""The main flows through the window: create, import via review, figures, correct, undo, mask."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from gui.models_qt import RegionTreeModel
from tests.gui.window_helpers import import_through_review, make_id, wait_idle


def summary_of(win, path: str):
    return next(s for s in win.tree_model.order if s.path == path)


def tree_text(win, path: str, column: int) -> str:
    s = summary_of(win, path)
    index = win.tree_model.index_of(s.region_id)
    return win.tree_model.index(index.row(), column, index.parent()).data()


def setup_census(qtbot, win, tmp_path, returns) -> None:
    assert win.new_census(tmp_path / "测试")
    assert win.census.path.name == "测试.census"
    assert "测试" in win.windowTitle()
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    assert summary_of(win, "测试市/东区/和平街道/团结社区").population == 12000


def test_create_import_review_and_figures(qtbot, window, msgs, tmp_path, returns):
    win = window
    assert win.stack.currentIndex() == 0  # start page
    setup_census(qtbot, win, tmp_path, returns)
    dialog = win.import_paths([returns["tuanjie"].parent])  # a folder stands for its spreadsheets
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    names = sorted(e.file_name for e in dialog.entries)
    assert names == ["团结社区摸排表.xlsx", "幸福社区摸排表.xlsx"]
    for entry in dialog.entries:
        assert entry.plan is not None
        assert entry.plan.sheet.name == "人员名单"
        assert entry.plan.header.first_row == 2
        assert entry.plan.region.path.endswith(entry.file_name.replace("摸排表.xlsx", ""))
    # the review shows a row per file with its region
    assert dialog.files.rowCount() == 2
    assert "测试市/东区/和平街道/" in dialog.files.item(0, 5).text()
    assert dialog.start_import()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    wait_idle(qtbot, win)
    assert [o.status for o in dialog.outcomes] == ["imported", "imported"]
    by_name = {o.file_name: o.result for o in dialog.outcomes}
    tuanjie = by_name["团结社区摸排表.xlsx"]
    assert (tuanjie.rows_total, tuanjie.rows_ok, tuanjie.rows_pending, tuanjie.persons) == (5, 4, 1, 4)
    assert any("校验" in reason for reason in tuanjie.reasons)
    assert dialog.results.item(0, 1).text() == "已导入"
    assert dialog.pages.currentIndex() == 2
    dialog.accept()

    # tree and dashboard
    assert summary_of(win, "测试市/东区/和平街道/团结社区").talents == 3
    assert summary_of(win, "测试市/东区/和平街道/幸福社区").talents == 2
    assert tree_text(win, "测试市/东区", 1) == "5/60"
    assert tree_text(win, "测试市/东区/和平街道/团结社区", 3) == "1/≥2 ✗"
    east = summary_of(win, "测试市/东区")
    win.select_region(east.region_id)
    cards = win.dashboard.cards
    assert cards["talents"].value.text() == "5"
    assert cards["target"].value.text() == "60"
    assert cards["shortfall"].value.text() == "还差 55 人"
    assert cards["per_mille"].value.text() == "0.08‰"
    assert cards["population"].value.text() == "60,000"
    assert "助理 1 / 中级 1 / 高级 0" == cards["certified"].detail.text()
    assert [b.label for b in win.dashboard.chart.bars] == ["和平街道"]
    assert win.history.model.rowCount() == 2

    # importing the same files again is reported as skipped
    again = import_through_review(qtbot, win, [returns["tuanjie"]])
    assert [o.status for o in again.outcomes] == ["duplicate"]
    assert again.results.item(0, 1).text() == "已跳过"
    again.accept()


def test_correct_pending_id_undo_and_mask(qtbot, window, msgs, tmp_path, returns):
    win = window
    setup_census(qtbot, win, tmp_path, returns)
    import_through_review(qtbot, win, [returns["tuanjie"], returns["xingfu"]]).accept()
    community = summary_of(win, "测试市/东区/和平街道/团结社区")
    win.select_region(community.region_id)
    assert win.dashboard.cards["talents"].value.text() == "3"

    # people: masked IDs, search, category
    people = win.people
    assert people.model.rowCount() == 4  # 张三 李四 王五 赵六 (张三 attributed to the earlier import)
    ids = [people.model.index(r, 1).data() for r in range(4)]
    assert all("********" in text for text in ids)
    people.search.setText("李四")
    people.refresh()
    # a search is counted and its first page read off the GUI thread (0.2–0.3 s at a province's size)
    assert people.count.text() == "正在查找…"
    qtbot.waitUntil(lambda: people.model.rowCount() == 1, timeout=10000)
    assert people.count.text() == "全部人员：1 人"
    qtbot.waitUntil(lambda: people.model.index(0, 0).data() == "李四", timeout=10000)
    people.search.setText("")
    people.category.setCurrentIndex(people.category.findData("not_talent"))
    assert people.model.rowCount() == 1 and people.model.index(0, 0).data() == "赵六"
    people.category.setCurrentIndex(0)

    # turning masking off asks first; declining keeps it on
    msgs.answer = False
    win.act_full_ids.setChecked(True)
    assert not win.full_ids and not win.act_full_ids.isChecked()
    msgs.answer = True
    win.act_full_ids.setChecked(True)
    assert win.full_ids
    assert make_id(1) in [people.model.index(r, 1).data() for r in range(people.model.rowCount())]
    win.act_full_ids.setChecked(False)
    assert all("****" in people.model.index(r, 1).data() for r in range(people.model.rowCount()))

    # a person's source rows
    row = next(r for r in range(people.model.rowCount()) if people.model.index(r, 0).data() == "张三")
    dialog = win.show_person(people.model.person(row))
    assert dialog.tree.topLevelItemCount() == 2
    dialog.close()

    # problems: the pending row, an invalid correction, then a valid one
    problems = win.problems
    pending = [p for p in problems.all if p.kind == "pending"]
    assert len(pending) == 1 and pending[0].name == "钱七"
    row_dialog = win.show_source_row(pending[0])
    assert row_dialog.tree.topLevelItem(0).text(0) == "团结社区摸排表.xlsx / 人员名单 / 第 8 行"  # title, filler, header
    row_dialog.close()
    win.correct_id(pending[0].row_id, "123")
    wait_idle(qtbot, win)
    assert msgs.errors and "身份证号无效" in msgs.errors[-1]
    assert win.dashboard.cards["talents"].value.text() == "3"
    win.correct_id(pending[0].row_id, make_id(5))
    wait_idle(qtbot, win)
    assert win.selected_region_id() == community.region_id
    assert win.dashboard.cards["talents"].value.text() == "4"
    assert not [p for p in win.problems.all if p.kind == "pending"]
    assert win.census.problems.corrections()

    # undo the second import (confirmed)
    assert summary_of(win, "测试市/东区/和平街道/幸福社区").talents == 2
    batch = next(b for b in win.census.batches.all() if b.file_name.startswith("幸福"))
    msgs.answer = False
    win.ask_undo(batch)
    wait_idle(qtbot, win)
    assert len(win.census.batches.all()) == 2
    msgs.answer = True
    win.ask_undo(batch)
    wait_idle(qtbot, win)
    assert [b.file_name for b in win.census.batches.all()] == ["团结社区摸排表.xlsx"]
    assert summary_of(win, "测试市/东区/和平街道/幸福社区").talents == 0
    assert summary_of(win, "测试市/东区").talents == 4
    assert win.history.model.rowCount() == 1


def test_region_and_field_overrides_in_review(qtbot, window, msgs, tmp_path, returns):
    win = window
    setup_census(qtbot, win, tmp_path, returns)
    dialog = win.import_paths([returns["xingfu"]])
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    plan = dialog.entries[0].plan
    hours = next(c.index for c in plan.columns if c.field == "hours")
    assert dialog.set_field(0, hours, None)  # ignore the hours column: 周九 no longer counts
    assert dialog.entries[0].plan.header.index_of("hours") is None
    assert dialog.set_region(0, "测试市/西区/新建街道")  # a typed new path
    assert dialog.files.item(0, 5).text() == "测试市/西区/新建街道"
    assert "将新建" in dialog.files.item(0, 6).text()
    assert dialog.start_import()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    wait_idle(qtbot, win)
    dialog.accept()
    assert summary_of(win, "测试市/西区/新建街道").talents == 2  # 孙八 + 张三 (degree)
    assert summary_of(win, "测试市/西区").talents == 2


def test_unreadable_file_is_listed_not_imported(qtbot, window, msgs, tmp_path, returns):
    win = window
    setup_census(qtbot, win, tmp_path, returns)
    junk = tmp_path / "坏文件.xlsx"
    junk.write_bytes(b"not a spreadsheet at all")
    dialog = import_through_review(qtbot, win, [junk, returns["tuanjie"]])
    failed = next(e for e in dialog.entries if e.file_name == "坏文件.xlsx")
    assert failed.plan is None and failed.error
    assert [o.file_name for o in dialog.outcomes] == ["团结社区摸排表.xlsx"]
    texts = [dialog.results.item(r, 1).text() for r in range(dialog.results.rowCount())]
    assert texts == ["已导入", "未导入"]
    dialog.accept()


def test_a_folders_subfolders_are_imported_and_its_other_files_named(qtbot, window, msgs, tmp_path, returns):
    import shutil

    win = window
    setup_census(qtbot, win, tmp_path, returns)
    folder = tmp_path / "报表"
    (folder / "和平街道").mkdir(parents=True)
    shutil.copy(returns["tuanjie"], folder / "和平街道")
    (folder / "说明.txt").write_text("请于月底前报送", encoding="utf-8")
    dialog = win.import_paths([folder])
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    assert [e.file_name for e in dialog.entries] == ["团结社区摸排表.xlsx"]
    assert "未导入：说明.txt" in dialog.summary.text()
    dialog.reject()
    (folder / "和平街道" / "团结社区摸排表.xlsx").unlink()
    assert win.import_paths([folder]) is None
    assert "说明.txt" in msgs.errors[-1]


def test_population_edit_rules_and_recent_files(qtbot, window, msgs, tmp_path, returns):
    from decimal import Decimal

    from models.rules import Rules

    win = window
    setup_census(qtbot, win, tmp_path, returns)
    import_through_review(qtbot, win, [returns["tuanjie"]]).accept()
    community = summary_of(win, "测试市/东区/和平街道/团结社区")
    win.select_region(community.region_id)
    win.set_population(community.region_id, 2000)
    wait_idle(qtbot, win)
    assert summary_of(win, community.path).target == 2
    assert win.dashboard.cards["per_mille"].value.text() == "1.50‰"
    win.set_population(community.region_id, None)
    wait_idle(qtbot, win)
    assert summary_of(win, community.path).population is None

    from gui.rules_dialog import RulesDialog

    dialog = RulesDialog(win, win.census.settings.rules)
    qtbot.addWidget(dialog)
    for absurd in ("5000", "1e400", "0", "-1"):  # more than everybody, or a number the chart cannot draw
        dialog.per_mille.setText(absurd)
        with pytest.raises(ValueError, match="不超过 1000"):
            dialog.rules()
    dialog.per_mille.setText("2")
    dialog.min_hours.setValue(160)
    rules = dialog.rules()
    assert rules.per_mille == Decimal("2") and rules.min_hours == 160
    dialog.reset("min_hours")
    assert dialog.rules().min_hours == 120
    win.apply_rules(dialog.rules())
    wait_idle(qtbot, win)
    assert win.census.settings.rules.per_mille == Decimal("2")
    assert summary_of(win, "测试市/东区").target == 120
    dialog.load(Rules())
    assert dialog.rules() == Rules()

    # save as: a copy, then the window shows the copy; the recent list remembers both
    copy = tmp_path / "副本.census"
    assert win.save_as(copy)
    wait_idle(qtbot, win)  # the copy is opened and counted on the worker
    assert win.census.path == copy and copy.exists()
    assert summary_of(win, "测试市/东区").talents == 3
    recent = win.recent_files()
    assert recent[0] == str(copy.resolve()) and str((tmp_path / "测试.census").resolve()) in recent
    assert win.last_file() == copy.resolve()


def test_opens_a_census_given_on_the_command_line(qtbot, window, msgs, tmp_path):
    from gui.app import open_initial

    open_initial(window, [str(tmp_path / "新文件")])
    wait_idle(qtbot, window)
    assert window.census is not None and window.census.path == Path(tmp_path / "新文件.census")
    assert window.stack.currentIndex() == 1
    bad = tmp_path / "not.census"
    bad.write_text("hello")
    assert not window.open_census(bad)
    assert msgs.errors and "不是普查文件" in msgs.errors[-1]


def test_opening_a_census_counts_it_on_the_worker(qtbot, window, msgs, tmp_path, monkeypatch):
    """打开 / 最近打开 / a dropped file: migrating and counting (0.6 s at a province's size) are
    not done on the GUI thread; a file gone since is one line, not a new empty census."""
    import threading

    from models.census import Census

    path = tmp_path / "已有.census"
    with Census.open(path) as census:
        census.set_title("已有的普查")
    counted_on = []
    real = Census.summary

    def summary(self, *args, **kwargs):
        counted_on.append(threading.current_thread() is threading.main_thread())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Census, "summary", summary)
    window.open_in_background(path)
    assert window.census is None  # not yet: the worker opens it
    wait_idle(qtbot, window)
    assert window.census is not None and window.census.title == "已有的普查"
    assert counted_on and not any(counted_on)
    assert window.last_file() == path.resolve()

    gone = tmp_path / "已删除.census"
    window.open_in_background(gone)
    wait_idle(qtbot, window)
    assert msgs.errors and not gone.exists() and window.census.path == path


def test_refresh_counts_on_the_worker_and_sees_what_another_program_wrote(qtbot, window, msgs, tmp_path, monkeypatch):
    """刷新 (F5): another window or the command line wrote the census; the window counts it again
    off the GUI thread."""
    import threading

    from models.census import Census

    path = tmp_path / "c.census"
    with Census.open(path) as census:
        census.set_title("旧标题")
    assert window.open_census(path)
    with Census.open(path) as other:  # written elsewhere meanwhile
        other.set_title("新标题")
    counted_on = []
    real = Census.summary
    monkeypatch.setattr(Census, "summary", lambda self, *a, **k: counted_on.append(
        threading.current_thread() is threading.main_thread()) or real(self, *a, **k))
    window.refresh_in_background()
    wait_idle(qtbot, window)
    assert counted_on and not any(counted_on)
    assert "新标题" in window.windowTitle()


def test_the_problems_of_a_region_are_read_when_their_page_is_shown(qtbot, window, msgs, tmp_path, returns,
                                                                   monkeypatch):
    """Selecting a region on another page does not wait for its problems (thousands at a
    province's root); the 问题 page reads them when shown, on a thread of its own (0.14 s for
    10,000 pending rows), the buttons off until the list is there."""
    win = window
    setup_census(qtbot, win, tmp_path, returns)
    import_through_review(qtbot, win, [returns["tuanjie"]]).accept()
    asked = []
    real = type(win.census.problems).all
    monkeypatch.setattr(type(win.census.problems), "all",
                        lambda self, *a: asked.append(threading.current_thread()) or real(self, *a))
    win.tabs.setCurrentWidget(win.dashboard)
    win.select_region(win.census.regions.by_path("测试市/东区").id)
    assert asked == []
    win.tabs.setCurrentWidget(win.problems)
    assert win.problems.loading and win.problems.count.text() == "正在读取问题清单…"
    assert not win.problems.correct_button.isEnabled()
    qtbot.waitUntil(lambda: not win.problems.loading)
    assert asked and asked[0] is not threading.main_thread() and win.problems.model.rowCount() > 0
    assert len(asked) == 1 and win.problems.count.text().startswith("共 ")
    win.close_census()
    win.tabs.setCurrentWidget(win.dashboard)
    assert win.problems.all == []


def test_a_chart_that_cannot_paint_stays_blank_instead_of_ending_the_program(qtbot, caplog):
    """PySide6 ends the program on an exception inside paintEvent: the charts log it instead."""
    from gui.chart import Bar, TargetChart

    chart = TargetChart()
    qtbot.addWidget(chart)
    chart.set_bars([Bar("甲", 3, 10 ** 400, False)])  # a target no float can hold
    chart.resize(400, 200)
    chart.grab()  # paints
    assert "painting TargetChart failed" in caplog.text


def test_tree_model_builds_nested_rows(qtbot):
    from PySide6.QtTest import QAbstractItemModelTester

    from models.records import RegionSummary

    model = RegionTreeModel()
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)  # Qt's own checks
    model.load([RegionSummary(1, "市", "市", "city", 0, 1000, talents=2, target=1, per_mille=2.0, target_met=True),
                RegionSummary(2, "市/甲社区", "甲社区", "community", 1, None, talents=0, certified_min=2,
                              certified_min_met=False)])
    assert model.rowCount() == 1 and model.rowCount(model.index(0, 0)) == 1
    assert model.rowCount(model.index(0, 1)) == 0 and not model.index(0, 0, model.index(0, 1)).isValid()  # first column only
    assert [c.name for c in model.children_of(1)] == ["甲社区"]
    assert [c.name for c in model.descendants_of(1)] == ["甲社区"] and model.descendants_of(2) == []
    child = model.index(0, 0, model.index(0, 0))
    assert child.parent() == model.index(0, 0) and not model.index(0, 0).parent().isValid()
    assert child.data() == "甲社区" and model.index(0, 1).data() == "2/1"
    assert model.index(0, 1).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#1b7f3b"  # met: green
    assert child.siblingAtColumn(3).data() == "0/≥2 ✗" and "最低要求 2 人" in child.siblingAtColumn(3).data(
        Qt.ItemDataRole.ToolTipRole)
    assert not model.index(1, 0).isValid() and not model.index(0, 5).isValid()
    # a click on any cell of a row is that row's region (the id sits on the name cell only)
    assert [model.region_id_of(child.siblingAtColumn(c)) for c in range(model.columnCount())] == [2] * 5
    assert model.index_of(2) == child
    assert model.region_id_of(QModelIndex()) is None
    model.load([])
    assert model.rowCount() == 0 and not model.index_of(2).isValid() and model.children_of(1) == []
    assert not child.parent().isValid()  # an index kept from before (a view must not, but one may)
    del tester


def test_column_combo_changes_the_plan(qtbot, window, msgs, tmp_path, returns):
    win = window
    setup_census(qtbot, win, tmp_path, returns)
    dialog = win.import_paths([returns["xingfu"]])
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    dialog.files.selectRow(0)
    plan = dialog.entries[0].plan
    row = next(r for r, c in enumerate(plan.columns) if c.field == "hours")
    id_row = next(r for r, c in enumerate(plan.columns) if c.field == "id_number")
    assert dialog.columns.horizontalHeaderItem(3).text() == "示例（前几行）"
    assert "********" in dialog.columns.item(id_row, 3).text()  # masked on screen
    dialog.resize(1280, 720)
    dialog.grab().save(str(tmp_path / "review.png"))  # a look at the review with its samples: tmp_path of this test
    combo = dialog.columns.cellWidget(row, 2)
    combo.setCurrentIndex(combo.findData(None))
    qtbot.waitUntil(lambda: dialog.entries[0].plan.header.index_of("hours") is None, timeout=5000)
    assert dialog.columns.cellWidget(row, 2).currentData() is None
    dialog.region.setEditText("测试市/东区/和平街道/团结社区")
    dialog._apply_region()
    assert dialog.entries[0].plan.region.path == "测试市/东区/和平街道/团结社区"
    assert dialog.entries[0].plan.region.source == "user"
    dialog.reject()


def test_a_row_of_the_list_before_is_not_acted_on_while_the_next_is_read(qtbot, window, msgs, tmp_path, returns):
    """Right-clicking a row while the 问题 list is read again offers nothing, rather than the
    actions of whatever problem the new list has at that place."""
    from gui import context_menus

    win = window
    setup_census(qtbot, win, tmp_path, returns)
    import_through_review(qtbot, win, [returns["tuanjie"]]).accept()
    win.tabs.setCurrentWidget(win.problems)
    qtbot.waitUntil(lambda: not win.problems.loading)
    assert context_menus.problems_menu(win, 0).actions()  # the list is there: its row's actions
    release = threading.Event()

    def slow(census):
        release.wait(10)
        return census.problems.all(None)

    win.problems.set_source(win.census, slow, "another list")
    assert win.problems.loading and win.problems.view.model().rowCount() > 0  # the rows before, still shown
    assert context_menus.problems_menu(win, 0).actions() == [] and win.problems.loading
    release.set()
    qtbot.waitUntil(lambda: not win.problems.loading)
    assert context_menus.problems_menu(win, 0).actions()
