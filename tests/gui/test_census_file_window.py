"""The window and awkward census files (issue 9, items 10 and 11): a newer version's census, a
folder, a read-only census, a full disk while exporting. One clear message each, never the crash
dialog, and the window stays usable."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import xlsxwriter.worksheet

import models.census
from exporters.xlsx import TEMP_PREFIX
from gui.main_window import READ_ONLY_LINE
from models.errors import NEWER_CENSUS
from models.schema import LATEST_VERSION
from tests.gui.window_helpers import wait_idle


def make_census(qtbot, win, tmp_path: Path, returns) -> Path:
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    path = win.census.path
    win.close_census()
    return path


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_a_newer_census_is_refused_and_left_untouched(qtbot, window, msgs, tmp_path, returns):
    path = make_census(qtbot, window, tmp_path, returns)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO migrations VALUES (?, '2099-01-01')", (LATEST_VERSION + 1,))
    conn.commit()
    conn.close()
    before = snapshot(path)
    assert not window.open_census(path)
    assert NEWER_CENSUS in msgs.errors[-1] and path.name in msgs.errors[-1]
    assert window.census is None and window.stack.currentIndex() == 0
    assert snapshot(path) == before
    assert not Path(f"{path}-wal").exists()


def test_a_folder_is_refused_with_a_line_not_the_crash_dialog(qtbot, window, msgs, tmp_path):
    from gui.app import open_initial

    folder = tmp_path / "文件夹.census"
    folder.mkdir()
    assert not window.open_census(folder)
    assert "文件夹" in msgs.errors[-1]
    open_initial(window, [str(folder)])  # as given on the command line: opened on the worker
    wait_idle(qtbot, window)
    assert len(msgs.errors) == 2 and window.census is None
    assert not window.new_census(folder)
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_a_read_only_census_opens_for_reading_and_says_so(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    path = make_census(qtbot, window, tmp_path, returns)
    # Tests run as root, whom chmod does not stop: make the census look unwritable instead.
    monkeypatch.setattr(models.census, "_writable", lambda p: False)
    before = snapshot(path)
    assert window.open_census(path)
    assert window.read_only and "只读" in window.windowTitle()
    assert window.read_only_banner.isVisibleTo(window)
    assert not window.act_import.isEnabled() and not window.act_population.isEnabled()
    assert window.act_export_summary.isEnabled() and window.act_templates.isEnabled()
    assert window.tree_model.order  # the figures are there to read
    dashboard = window.dashboard  # the 概况 page's buttons that change the census are off too
    assert dashboard.summary is not None
    assert not dashboard.population_button.isEnabled() and not dashboard.goal_button.isEnabled()

    window.set_population(window.tree_model.order[0].region_id, 5)  # a write: refused with a line
    assert msgs.errors[-1] == READ_ONLY_LINE
    assert window.import_paths([returns["tuanjie"]]) is None and msgs.errors[-1] == READ_ONLY_LINE

    out = tmp_path / "汇总.xlsx"
    window.export_summary(out)  # reading is allowed: exports work
    wait_idle(qtbot, window)
    assert msgs.paths[-1] == [out] and out.exists()
    window.close_census()
    assert snapshot(path) == before
    assert not window.read_only_banner.isVisibleTo(window)
    monkeypatch.setattr(models.census, "_writable", lambda p: True)
    assert window.open_census(path) and dashboard.population_button.isEnabled() and dashboard.goal_button.isEnabled()


def test_full_disk_during_an_export_is_a_message_and_leaves_nothing(qtbot, window, msgs, tmp_path, returns,
                                                                    monkeypatch):
    path = make_census(qtbot, window, tmp_path, returns)
    assert window.open_census(path)

    disk = {"full": True}
    real = xlsxwriter.worksheet.Worksheet.write_string

    def write_string(self, *args, **kwargs):
        if disk["full"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "write_string", write_string)
    out = tmp_path / "导出"
    out.mkdir()
    window.export_summary(out / "汇总.xlsx")
    wait_idle(qtbot, window)
    assert "磁盘空间不足" in msgs.errors[-1] and "汇总.xlsx" in msgs.errors[-1]
    assert list(out.iterdir()) == []
    window.write_templates(out)
    wait_idle(qtbot, window)
    assert "磁盘空间不足" in msgs.errors[-1]
    assert not [p for p in out.iterdir() if p.name.startswith(TEMP_PREFIX)]
    disk["full"] = False
    window.export_summary(out / "汇总.xlsx")  # room again: the window carries on
    wait_idle(qtbot, window)
    assert (out / "汇总.xlsx").exists()


def test_full_disk_during_an_import_is_reported_and_the_census_unchanged(qtbot, window, msgs, tmp_path, returns,
                                                                         monkeypatch):
    from models.census import Census
    from tests.gui.window_helpers import import_through_review, make_id, write_return

    path = make_census(qtbot, window, tmp_path, returns)
    rows = [(f"人{i}", "女", make_id(i), "本科", "社会工作", "社会工作师", 20) for i in range(400)]
    big = write_return(tmp_path / "大表.xlsx", "东区和平街道团结社区", rows)
    assert window.open_census(path)
    before = _dump(path)
    real_open = Census.open.__func__

    def tight_open(cls, census_path, **kwargs):  # the census may not grow: SQLITE_FULL, as on a full disk
        census = real_open(cls, census_path, **kwargs)
        census.conn.execute(f"PRAGMA max_page_count = {census.conn.execute('PRAGMA page_count').fetchone()[0]}")
        return census

    monkeypatch.setattr(Census, "open", classmethod(tight_open))
    dialog = import_through_review(qtbot, window, [big])
    assert [o.status for o in dialog.outcomes] == ["failed"]
    assert "磁盘空间不足" in dialog.outcomes[0].message
    dialog.accept()
    assert _dump(path) == before
    assert window.census is not None and window.tree_model.order  # still open and usable


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return list(conn.iterdump())
    finally:
        conn.close()


def test_new_over_a_file_another_program_holds_is_one_line(qtbot, window, msgs, tmp_path, monkeypatch):
    """Windows: a census open in another window (or held by antivirus) cannot be replaced."""
    import gui.main_window

    def held(path):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(gui.main_window, "remove_census_file", held)
    assert not window.new_census(tmp_path / "已有.census")
    assert "无法新建“已有.census”：已有同名文件且无法替换（没有权限，或文件正被其他程序（如 Excel）打开）" in msgs.errors[-1]


def test_a_census_found_damaged_after_opening_is_closed_with_one_message(qtbot, window, msgs, tmp_path, monkeypatch):
    """Pages deep in the file broken: SQLite says so only when they are read (a click on a region)."""
    import sys

    import gui.app
    from models.census import Census

    shown = []

    class Box:
        class Icon:
            Critical = None

        def __init__(self, icon, title, message):
            shown.append(message)

        def setDetailedText(self, text):  # noqa: N802 - Qt name
            pass

        def exec(self):
            return 0

    path = tmp_path / "c.census"
    Census.open(path).close()
    assert window.open_census(path)
    monkeypatch.setattr(gui.app, "QMessageBox", Box)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    gui.app.install_excepthook()
    err = sqlite3.DatabaseError("database disk image is malformed")
    err.sqlite_errorcode = 11  # SQLITE_CORRUPT
    sys.excepthook(sqlite3.DatabaseError, err, None)
    assert shown and shown[0].startswith("普查文件已损坏，无法打开") and "malformed" not in shown[0]
    assert window.census is None
