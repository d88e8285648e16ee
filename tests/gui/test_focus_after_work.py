"""After work on the worker thread the focus goes back where the clerk left it: the button that
started the work is disabled while it runs and gave its focus away (设定目标… left it on the chart)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.window_helpers import imported_window, wait_idle


def test_focus_goes_back_to_the_button_after_the_work(qtbot, window, msgs, tmp_path, returns):
    win = imported_window(qtbot, window, tmp_path, returns)
    win.tabs.setCurrentWidget(win.dashboard)
    button = win.dashboard.goal_button
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    dialog = win.goal_dialog
    dialog.target.setValue(50)
    dialog.accept()
    assert win.busy and not button.isEnabled()
    wait_idle(qtbot, win)
    assert win.dashboard.goal_table.model().rowCount() == 1
    assert button.isEnabled() and win.focusWidget() is button


def test_opening_a_census_puts_the_focus_on_the_region_tree(qtbot, window, msgs, tmp_path, returns):
    # the start page's button had the focus; Qt handed it to 查找区划, where the arrows move nothing
    win = imported_window(qtbot, window, tmp_path, returns)
    path = win.census.path
    win.close_census()
    assert win.stack.currentIndex() == 0
    assert win.open_census(path)
    wait_idle(qtbot, win)
    assert win.focusWidget() is win.tree
    qtbot.keyClick(win.tree, Qt.Key.Key_Down)  # the arrows go through the regions at once
    assert win.focusWidget() is win.tree
