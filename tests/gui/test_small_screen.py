"""The window fits a 1366×768 screen: the taskbar and title bar leave about 700 px of height."""

from __future__ import annotations

from tests.gui.window_helpers import import_through_review, wait_idle

SCREEN_LEFT = 700  # 768 minus a taskbar and the window's title bar


def test_window_fits_a_1366x768_screen_with_a_census_open(qtbot, window, tmp_path, returns):
    win = window
    assert win.minimumSizeHint().height() <= SCREEN_LEFT  # the start page
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    import_through_review(qtbot, win, [returns["tuanjie"], returns["xingfu"]])
    win.tabs.setCurrentWidget(win.dashboard)
    qtbot.wait(50)
    assert win.minimumSizeHint().height() <= SCREEN_LEFT
    assert win.minimumSizeHint().width() <= 1366
