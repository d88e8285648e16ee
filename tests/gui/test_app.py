"""The crash handler logs to the user data folder and shows a dialog; resource paths; translation."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QMessageBox


def test_excepthook_logs_the_traceback_and_shows_a_dialog(qtbot, monkeypatch):
    from gui import app

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        log = app.setup_logging()
        app.install_excepthook()
        try:
            raise ValueError("boom")
        except ValueError as err:
            sys.excepthook(type(err), err, err.__traceback__)
        for handler in root.handlers:
            handler.flush()
        assert "ValueError: boom" in log.read_text(encoding="utf-8")
        assert shown and "意外错误" in shown[0] and "Traceback" not in shown[0]
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()


def test_resources_and_chinese_translation(qtbot, own_data_dir):
    from gui.app import create_app
    from gui.paths import bundle_root, data_dir, read_resource

    assert "QLabel#cardValue" in read_resource("style.qss")
    assert (bundle_root() / "resources").is_dir()
    assert data_dir() == own_data_dir and data_dir().is_dir()
    app = create_app()
    assert app.translate("QDialogButtonBox", "Cancel") in ("取消", "Cancel")
