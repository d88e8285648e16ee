"""At 1366×768, the smallest office screen, the 问题 page shows reason, file, sheet, row, name
and region and the 人员 page name, ID, 类别 and region without scrolling sideways; Ctrl+C copies
the columns in the order on screen."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt

from gui.conventions import selected_rows_tsv
from tests.gui.window_helpers import import_through_review, wait_idle


def fully_visible(view, headers: list[str]) -> dict[str, bool]:
    model, header = view.model(), view.horizontalHeader()
    width = view.viewport().width()
    by_name = {model.headerData(c, Qt.Orientation.Horizontal): c for c in range(model.columnCount())}
    return {name: 0 <= header.sectionViewportPosition(by_name[name])
            and header.sectionViewportPosition(by_name[name]) + header.sectionSize(by_name[name]) <= width
            for name in headers}


def test_problem_and_people_columns_fit_1366(qtbot, window, msgs, tmp_path, returns):
    win = window
    win.resize(1366, 768)
    assert win.new_census(tmp_path / "窄屏")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    import_through_review(qtbot, win, [returns["tuanjie"], returns["xingfu"]]).accept()
    wait_idle(qtbot, win)
    win.select_region(win.census.regions.by_path("测试市").id)
    qtbot.waitUntil(lambda: win.width() <= 1366)

    win.tabs.setCurrentWidget(win.problems)
    qtbot.waitUntil(lambda: win.problems.view.viewport().width() > 0 and not win.problems.loading)
    shown = fully_visible(win.problems.view, ["原因", "文件", "工作表", "行号", "姓名", "所属区划"])
    assert all(shown.values()), shown
    win.tabs.setCurrentWidget(win.people)
    shown = fully_visible(win.people.view, ["姓名", "身份证号", "类别", "所属区划"])
    assert all(shown.values()), shown

    view = win.problems.view
    view.selectionModel().select(view.model().index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                 | QItemSelectionModel.SelectionFlag.Rows)
    problem = win.problems.model.item(0)
    cells = selected_rows_tsv(view).split("\t")
    assert cells[:6] == [problem.kind_label, problem.reason, problem.file_name, problem.sheet,
                         str(problem.row_number), problem.name]
