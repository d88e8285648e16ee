"""Guard against a broken Qt binding: PySide6-Essentials 6.12.0 on Python 3.11 drops a reference
to None on every call that returns nothing, and the app aborts ("deallocating None") after some
80 clicks. The pin in requirements.txt avoids it; this test keeps it from coming back."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_calls_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("测试")
        label.setVisible(False)
    assert sys.getrefcount(None) >= before - 50
