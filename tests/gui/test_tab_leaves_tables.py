"""Keyboard only: Tab leaves a table for the next control and Shift+Tab for the one before (the
tables walked Tab from cell to cell for ever, so 更正身份证号… and 撤销所选导入… were out of reach)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.gui.test_nothing_hidden import open_filled
from tests.gui.window_helpers import imported_window


def test_tab_leaves_the_pages_tables(qtbot, window, msgs, tmp_path, returns):
    win = imported_window(qtbot, window, tmp_path, returns)
    win.activateWindow()
    for page, before in ((win.people, win.people.category), (win.problems, win.problems.correct_button),
                         (win.history, win.history.undo_button)):
        win.tabs.setCurrentWidget(page)
        qtbot.waitUntil(lambda: not win.problems.loading)  # the 问题 list is read off the GUI thread
        page.view.setFocus()
        page.view.selectRow(0)
        qtbot.keyClick(page.view, Qt.Key.Key_Backtab)
        assert win.focusWidget() is before
        page.view.setFocus()
        qtbot.keyClick(page.view, Qt.Key.Key_Tab)
        assert win.focusWidget() is not page.view
    win.tabs.setCurrentWidget(win.dashboard)
    goals = win.dashboard.goal_table
    goals.setFocus()
    qtbot.keyClick(goals, Qt.Key.Key_Tab)
    assert win.focusWidget() is not goals


def test_tab_leaves_a_shortfall_list_for_close(qtbot, window, msgs, tmp_path, returns):
    win = window
    open_filled(qtbot, win, tmp_path, returns)
    win.select_region(win.census.regions.by_path("测试市").id)
    dialog = win.dashboard.shortfalls.show_list("minimum")
    dialog.activateWindow()
    dialog.table.setFocus()
    dialog.table.selectRow(0)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    assert dialog.focusWidget() is close
    dialog.reject()
