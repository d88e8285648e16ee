"""At 1024×700 (an old office screen, or a window beside Excel) the 概况 page fits beside the
region tree without a sideways scroll bar: the 其他目标 hint wraps instead of setting the page's
width (unwrapped, it pushed 修改户籍人口…, the fourth column of cards and 删除 past the right edge)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QScrollArea

from gui.app import install_font
from gui.paths import read_resource
from tests.gui.window_helpers import imported_window, wait_idle


@pytest.fixture
def clerk_look(qapp):
    """The app's own CJK font and style sheet (widths are measured as a clerk sees them), put back after."""
    font, sheet = QApplication.font(), qapp.styleSheet()
    install_font(qapp)
    qapp.setStyleSheet(read_resource("style.qss"))
    yield
    qapp.setStyleSheet(sheet)
    QApplication.setFont(font)


def test_dashboard_needs_no_sideways_scrolling_at_1024(clerk_look, qtbot, window, msgs, tmp_path, returns):
    win = window
    win.resize(1024, 700)
    imported_window(qtbot, win, tmp_path, returns)
    wait_idle(qtbot, win)
    win.select_region(win.census.regions.by_path("测试市").id)
    win.tabs.setCurrentWidget(win.dashboard)
    qtbot.waitUntil(lambda: win.width() <= 1024)
    page = win.dashboard.findChild(QScrollArea, "dashboardPage")
    qtbot.waitUntil(lambda: page.viewport().width() > 0)
    assert "未设定" in win.dashboard.goal_hint.text()  # no goal yet: the hint line says how to set one
    assert page.widget().minimumSizeHint().width() <= page.viewport().width()
    assert page.horizontalScrollBar().maximum() == 0
    for button in (win.dashboard.goal_delete_button, win.dashboard.population_button):
        assert button.mapTo(page.viewport(), QPoint(button.width(), 0)).x() <= page.viewport().width()
