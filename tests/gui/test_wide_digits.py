"""Numbers typed with a Chinese input method in full-width mode (１０００, １２，０００) are taken by
the goal, unit and rules dialogs, as the 户籍人口 entry takes them; they used to be refused key
by key, leaving 请填写 and a grey 确定."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from tests.gui.window_helpers import imported_window, wait_idle


def type_text(widget, text: str) -> None:
    """Characters as an input method sends them (QTest.keyClicks takes ASCII only)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def test_full_width_digits_in_the_goal_unit_and_rules_dialogs(qtbot, window, msgs, tmp_path, returns):
    from gui import unit_dialog
    from gui.rules_dialog import RulesDialog

    win = imported_window(qtbot, window, tmp_path, returns)
    root = win.tree_model.order[0]
    dialog = win.ask_goal(root.region_id)
    dialog.target.lineEdit().selectAll()
    type_text(dialog.target.lineEdit(), "１，０００")
    assert dialog.target.value() == 1000 and dialog.ok_button.isEnabled()
    dialog.accept()
    wait_idle(qtbot, win)
    assert [(g.category, g.target) for g in win.tree_model.summaries[root.region_id].goals] == [("talents", 1000)]

    box = unit_dialog.UnitDialog(win, win.tree_model.summaries[root.region_id])  # the box only, not saved
    box.staff.lineEdit().selectAll()
    type_text(box.staff.lineEdit(), "３２０")
    assert box.staff.value() == 320
    box.reject()

    rules = RulesDialog(win, win.census.settings.rules)
    rules.min_hours.lineEdit().selectAll()
    type_text(rules.min_hours.lineEdit(), "９０")
    assert rules.min_hours.value() == 90
    rules.reject()
    assert not msgs.errors
