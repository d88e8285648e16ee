"""The buttons on the pages and in a person's dialog that change the census (更正身份证号…,
撤销所选导入…, 调整所属区划…) follow the menus: off in a read-only census and while a worker runs.
They used to stay on: in a read-only census the clerk typed an ID or confirmed an undo and was only
then refused; clicked again while the first undo ran, a second backup was made and 导入批次 1 不存在
was shown."""

from __future__ import annotations

import models.census
from tests.gui.window_helpers import imported_window, wait_idle


def test_page_buttons_are_off_while_busy_and_in_a_read_only_census(qtbot, window, msgs, tmp_path, returns,
                                                                  monkeypatch):
    win = imported_window(qtbot, window, tmp_path, returns)
    win.tabs.setCurrentWidget(win.problems)
    win.problems.select_row(0)
    assert win.problems.current().kind == "pending" and win.problems.correct_button.isEnabled()
    win.tabs.setCurrentWidget(win.history)
    win.history.view.selectRow(next(row for row in range(win.history.model.rowCount())
                                    if win.history.model.item(row).file_name.startswith("幸福")))
    assert win.history.undo_button.isEnabled()
    person = win.people.model.person(0)
    dialog = win.show_person(person)
    assert dialog.reassign_button.isEnabled()
    dialog.close()

    win.history.undo_button.click()  # 撤销所选导入, confirmed: runs on the worker
    assert win.busy
    assert not win.history.undo_button.isEnabled() and not win.problems.correct_button.isEnabled()
    wait_idle(qtbot, win)
    assert not msgs.errors and len(win.census.batches.all()) == 1

    path = win.census.path
    win.close_census()
    monkeypatch.setattr(models.census, "_writable", lambda p: False)
    assert win.open_census(path) and win.read_only
    win.tabs.setCurrentWidget(win.problems)
    win.problems.select_row(0)
    assert win.problems.current() is not None and not win.problems.correct_button.isEnabled()
    win.tabs.setCurrentWidget(win.history)
    win.history.view.selectRow(0)
    assert win.history.current() is not None and not win.history.undo_button.isEnabled()
    dialog = win.show_person(win.people.model.person(0))
    assert not dialog.reassign_button.isEnabled() and not dialog.auto_button.isEnabled()
    dialog.close()
    assert not msgs.errors


def test_the_problems_are_read_when_their_page_is_shown_not_when_its_buttons_are_set(qtbot, window, msgs,
                                                                                     tmp_path, returns):
    """Setting the page's buttons asked for the selected problem through the model, which read
    every problem of the region on each open and change (7,666 at a province's root)."""
    win = imported_window(qtbot, window, tmp_path, returns)
    win.tabs.setCurrentWidget(win.people)
    win.select_region(win.census.regions.by_path("测试市").id)
    wait_idle(qtbot, win)
    assert win.problems._source is not None  # not read yet
    win.tabs.setCurrentWidget(win.problems)
    qtbot.waitUntil(lambda: not win.problems.loading)
    assert win.problems._source is None and win.problems.model.rowCount() > 0
