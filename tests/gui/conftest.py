"""Window tests run offscreen, each with a user data folder (settings, logs, backups) of its own,
and message boxes recorded, not shown."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QStandardPaths  # noqa: E402

from tests.gui.window_helpers import TUANJIE, XINGFU, Messages, write_population, write_return  # noqa: E402

QStandardPaths.setTestModeEnabled(True)  # a window made outside the fixtures still stays out of the user's folders


@pytest.fixture
def returns(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "returns"
    folder.mkdir()
    return {
        "population": write_population(tmp_path / "户籍人口.xlsx"),
        "tuanjie": write_return(folder / "团结社区摸排表.xlsx", "东区和平街道团结社区", TUANJIE),
        "xingfu": write_return(folder / "幸福社区摸排表.xlsx", "东区和平街道幸福社区", XINGFU),
    }


@pytest.fixture
def msgs(monkeypatch) -> Messages:
    from gui import messages

    record = Messages()
    monkeypatch.setattr(messages, "show_error", lambda parent, message, title="": record.errors.append(message))
    monkeypatch.setattr(messages, "show_info", lambda parent, message, title="": record.infos.append(message))

    def ask(parent, message, title="", yes="", no=""):
        record.questions.append(message)
        return record.answer

    def ask_choice(parent, message, choices, title="", safe=False):
        record.questions.append(message)
        return record.choice

    monkeypatch.setattr(messages, "ask", ask)
    monkeypatch.setattr(messages, "ask_choice", ask_choice)
    monkeypatch.setattr(messages, "show_paths", lambda parent, title, text, paths: record.paths.append(paths))
    return record


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path_factory, monkeypatch) -> Path:
    """Settings and user data of this test only: never the user's, never another test's."""
    from gui.paths import DATA_DIR_ENV

    folder = tmp_path_factory.mktemp("user_data")
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def window(qtbot, msgs):
    from gui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    yield win
    win.runner.cancel_all()
    win.runner.wait(30000)
    qtbot.waitUntil(lambda: not win.busy, timeout=30000)
    win._close_connection()
