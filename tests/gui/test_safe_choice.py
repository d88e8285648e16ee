"""A choice that changes the census is never made by a stray Enter: 更正身份证号 with suggested IDs
answers 取消 to Enter and Esc; other choices keep their first, recommended, answer on Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from gui import messages
from tests.gui.window_helpers import imported_window


def test_a_suggested_id_is_not_taken_by_a_stray_enter(qtbot):
    """更正身份证号 with IDs of same-named persons offered: Enter and Esc mean 取消 (the focus was on
    “采用 …”, and Enter took that ID); other choices keep their first, recommended, answer on Enter."""
    def answer_enter(box):
        def press():
            qtbot.keyClick(QApplication.focusWidget() or box, Qt.Key.Key_Return)
        QTimer.singleShot(100, press)
        box.exec()
        return box.clickedButton()

    box, buttons, cancel = messages.choice_box(None, "已有同名人员……", ["采用 A", "采用 B", "手工输入…"], "更正身份证号",
                                               safe=True)
    qtbot.addWidget(box)
    assert box.defaultButton() is cancel and box.escapeButton() is cancel
    assert answer_enter(box) is cancel
    box, buttons, cancel = messages.choice_box(None, "导出方式", ["打码导出（推荐）", "导出完整号码"], "导出方式")
    qtbot.addWidget(box)
    assert answer_enter(box) is buttons[0]


def test_the_correction_asks_with_the_safe_choice_box(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    asked = []
    monkeypatch.setattr(messages, "ask_choice", lambda *args, **kwargs: asked.append(kwargs) or None)
    win = imported_window(qtbot, window, tmp_path, returns)
    problem = next(p for p in win.census.problems.all(None) if p.kind == "pending")
    monkeypatch.setattr(win.census.problems, "suggest_ids", lambda row_id: ["110101198506150051"])
    win.ask_correct(problem)
    assert asked == [{"title": "更正身份证号", "safe": True}]
