"""Working down the 问题 page: after a correction the list is read again with the clerk's place
kept (the row at the same position, now the next problem, is selected and 更正身份证号… is ready),
instead of no row selected and the keyboard back at the top."""

from __future__ import annotations

from models.identity import check_digit
from tests.gui.window_helpers import bad_id, import_through_review, wait_idle, write_return


def test_the_next_problem_is_selected_after_a_correction(qtbot, window, msgs, tmp_path, returns):
    win = window
    assert win.new_census(tmp_path / "逐条更正")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    rows = [(name, "女", bad_id(n), "本科", "社会工作", "", 0) for n, name in ((21, "甲一"), (22, "乙二"), (23, "丙三"))]
    path = write_return(tmp_path / "团结社区摸排表.xlsx", "东区和平街道团结社区", rows)
    import_through_review(qtbot, win, [path]).accept()
    wait_idle(qtbot, win)
    win.tabs.setCurrentWidget(win.problems)
    page = win.problems
    names = [page.model.item(r).name for r in range(page.model.rowCount())]
    assert names == ["甲一", "乙二", "丙三"]

    page.select_row(1)
    problem = page.current()
    assert problem is not None and problem.name == "乙二"
    win.correct_id(problem.row_id, problem.id_raw[:17] + check_digit(problem.id_raw[:17]))
    wait_idle(qtbot, win)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.current() is not None and page.current().name == "丙三"
    assert page.view.currentIndex().row() == 1  # the keyboard goes on from here
    assert page.correct_button.isEnabled()

    last = page.current()
    win.correct_id(last.row_id, last.id_raw[:17] + check_digit(last.id_raw[:17]))
    wait_idle(qtbot, win)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.current() is not None and page.current().name == "甲一"  # the last row went: the one above

    win.select_region(win.census.regions.by_path("测试市/东区").id)  # another list: no place carried over
    assert page.current() is None
