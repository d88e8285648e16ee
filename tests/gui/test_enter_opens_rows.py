"""Keyboard only: Enter on a row does what a double-click does — a person's source rows, a
problem's source row, a region of a shortfall list chosen (Enter did nothing; only the mouse could)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui.person_dialog import SourceRowsDialog
from tests.gui.test_nothing_hidden import open_filled
from tests.gui.window_helpers import imported_window


def test_enter_on_a_person_or_a_problem_opens_its_rows(qtbot, window, msgs, tmp_path, returns):
    win = imported_window(qtbot, window, tmp_path, returns)
    win.tabs.setCurrentWidget(win.people)
    win.people.view.setFocus()
    win.people.view.selectRow(1)
    chosen = win.people.model.person(1)
    qtbot.keyClick(win.people.view, Qt.Key.Key_Return)
    assert win.person_dialog is not None and win.person_dialog.person.id_number == chosen.id_number
    win.person_dialog.close()

    win.tabs.setCurrentWidget(win.problems)
    win.problems.view.setFocus()
    win.problems.select_row(0)
    problem = win.problems.current()
    qtbot.keyClick(win.problems.view, Qt.Key.Key_Enter)
    shown = [d for d in win.findChildren(SourceRowsDialog) if d.isVisible()]
    assert len(shown) == 1 and shown[0].windowTitle().startswith(f"源数据行：{problem.file_name} 第 {problem.row_number} 行")
    shown[0].close()


def test_enter_in_a_shortfall_list_selects_the_region(qtbot, window, msgs, tmp_path, returns):
    win = window
    open_filled(qtbot, win, tmp_path, returns)
    win.select_region(win.census.regions.by_path("测试市").id)
    dialog = win.dashboard.shortfalls.show_list("minimum")
    dialog.table.setFocus()
    dialog.table.selectRow(1)
    wanted = dialog.model.index(1, 0).data()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert win.selected_region_id() == win.census.regions.by_path(wanted).id


def test_enter_in_a_persons_dialog_closes_it(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    """Opened with Enter, closed with Enter: the rows have the focus and 关闭 is the default (Enter
    opened 调整所属区划, the dialog's first button, and a second Enter there would pick a region)."""
    from gui import region_picker

    picked = []
    monkeypatch.setattr(region_picker, "choose_region", lambda *args: picked.append(args))
    win = imported_window(qtbot, window, tmp_path, returns)
    win.tabs.setCurrentWidget(win.people)
    win.people.view.setFocus()
    win.people.view.selectRow(0)
    qtbot.keyClick(win.people.view, Qt.Key.Key_Return)
    dialog = win.person_dialog
    assert dialog is not None and dialog.focusWidget() is dialog.tree
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)
    assert picked == [] and win.person_dialog is None and not dialog.isVisible()
