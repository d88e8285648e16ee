"""A wait on the worker thread shows within half a second, and one that cannot be cancelled stays
until the work ends (it came after 4 s, and Esc hid it while the window refused every action)."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog

from tests.gui.window_helpers import wait_idle


def shown(win) -> list[QProgressDialog]:
    return [d for d in win.findChildren(QProgressDialog) if d.isVisible()]


def test_a_wait_shows_soon_and_esc_does_not_hide_it(qtbot, window):
    release = threading.Event()
    done = []
    window.run_task(lambda cancel: release.wait(20), done.append, "正在导出汇总…")
    qtbot.waitUntil(lambda: bool(shown(window)), timeout=1500)
    (dialog,) = shown(window)
    assert dialog.labelText() == "正在导出汇总…"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert shown(window) == [dialog] and window.busy
    release.set()
    qtbot.waitUntil(lambda: bool(done), timeout=20000)
    assert shown(window) == []


def test_esc_still_cancels_a_wait_that_can_be_cancelled(qtbot, window):
    release = threading.Event()
    seen = []

    def task(cancel):
        while not cancel() and not release.is_set():
            release.wait(0.05)
        return cancel()

    window.run_task(task, seen.append, "正在生成采集模板…", cancellable=True)
    qtbot.waitUntil(lambda: bool(shown(window)), timeout=1500)
    qtbot.keyClick(shown(window)[0], Qt.Key.Key_Escape)
    wait_idle(qtbot, window, 20000)
    release.set()
    assert seen == [True] and shown(window) == []
