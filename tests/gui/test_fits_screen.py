"""Windows open no larger than the screen leaves them: on a 1366×768 laptop (the taskbar takes its
share) the review's 1280×780 put 取消 and 开始导入 below the screen's bottom edge."""

from __future__ import annotations

from tests.gui.window_helpers import wait_idle


def fits(widget) -> bool:
    room = widget.screen().availableGeometry()
    return widget.width() < room.width() and widget.height() < room.height()  # its title bar and frame too


def test_window_and_review_open_within_the_screen(qtbot, window, msgs, tmp_path, returns):
    win = window  # a fresh user data folder: no size remembered, the default one is used
    assert fits(win)
    assert win.new_census(tmp_path / "小屏幕")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    dialog = win.import_paths([returns["tuanjie"], returns["xingfu"]])
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    assert fits(dialog)
    bottom = dialog.start_button.mapTo(dialog, dialog.start_button.rect().bottomLeft()).y()
    assert bottom <= dialog.height()  # the buttons are inside the dialog, not cut by its shrinking
    dialog.reject()
