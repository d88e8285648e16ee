"""Export menu actions, merge, demo and drag-and-drop, through the window's worker."""

from __future__ import annotations

import sys
import types
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from importers.job import Progress
from tests.gui.window_helpers import import_through_review, wait_idle


def new_window_census(qtbot, win, tmp_path, returns, name="测试"):
    assert win.new_census(tmp_path / name)
    win.load_population(returns["population"])
    wait_idle(qtbot, win)


def fake_module(monkeypatch, name: str, **functions):
    module = types.ModuleType(name)
    for key, value in functions.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)


def test_exports_run_in_the_worker_and_show_paths(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    import threading

    win = window
    new_window_census(qtbot, win, tmp_path, returns)
    calls = []
    main_thread = threading.get_ident()

    def summary(census, out_path, full_ids=False, earlier=None):
        calls.append(("summary", full_ids, threading.get_ident() != main_thread, census.title, earlier))
        out_path.write_text("x")
        return out_path

    def corrections(census, outdir, full_ids=False, region=None):
        calls.append(("corrections", full_ids, region))
        return [outdir / "a.xlsx", outdir / "b.xlsx"]

    def templates(census, outdir, region=None, cancel=None):
        calls.append(("templates", region))
        yield Progress(1, 1, "")
        return [outdir / "t.xlsx"]

    fake_module(monkeypatch, "exporters.summary", write_summary_workbook=summary)
    fake_module(monkeypatch, "exporters.corrections", write_correction_workbooks=corrections)
    fake_module(monkeypatch, "exporters.template", template_files=templates)
    win.export_summary(tmp_path / "汇总.xlsx", full_ids=True)
    wait_idle(qtbot, win)
    assert calls[-1] == ("summary", True, True, "测试", None)  # no earlier census chosen on the 对比 page
    assert msgs.paths[-1] == [tmp_path / "汇总.xlsx"]
    win.export_corrections(tmp_path)
    wait_idle(qtbot, win)
    assert calls[-1] == ("corrections", False, None) and len(msgs.paths[-1]) == 2
    win.write_templates(tmp_path, "测试市/东区")
    wait_idle(qtbot, win)
    assert calls[-1] == ("templates", "测试市/东区")

    def broken(census, out_path, full_ids=False, earlier=None):
        from models.errors import CensusError

        raise CensusError("文件被占用，无法写入", file=out_path.name)

    fake_module(monkeypatch, "exporters.summary", write_summary_workbook=broken)
    win.export_summary(tmp_path / "汇总.xlsx")
    wait_idle(qtbot, win)
    assert msgs.errors[-1] == "汇总.xlsx：文件被占用，无法写入"


def test_full_id_export_choice(qtbot, window, msgs, tmp_path, returns):
    new_window_census(qtbot, window, tmp_path, returns)
    msgs.choice = 0
    assert window._ask_full_export() is False
    assert "默认打码" in msgs.questions[-1]
    msgs.choice = 1
    assert window._ask_full_export() is True
    msgs.choice = None
    assert window._ask_full_export() is None


def test_merge_another_census(qtbot, window, msgs, tmp_path, returns):
    win = window
    new_window_census(qtbot, win, tmp_path, returns, "甲")
    import_through_review(qtbot, win, [returns["xingfu"]]).accept()
    new_window_census(qtbot, win, tmp_path, returns, "乙")
    import_through_review(qtbot, win, [returns["tuanjie"]]).accept()
    east = next(s for s in win.tree_model.order if s.path == "测试市/东区")
    assert east.talents == 3
    win.merge(tmp_path / "甲.census")
    wait_idle(qtbot, win)
    assert not msgs.errors, msgs.errors
    assert msgs.infos
    east = next(s for s in win.tree_model.order if s.path == "测试市/东区")
    assert east.talents == 5
    win.merge(tmp_path / "乙.census")
    assert "自己" in msgs.errors[-1]


def test_drop_files_opens_the_review(qtbot, window, msgs, tmp_path, returns):
    win = window
    new_window_census(qtbot, win, tmp_path, returns)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(returns["tuanjie"]))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    win.dropEvent(event)
    dialog = win.import_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.planning, timeout=60000)
    assert [e.file_name for e in dialog.entries] == ["团结社区摸排表.xlsx"]
    dialog.reject()


def test_demo_census_is_built_in_the_background(qtbot, window, msgs, tmp_path, monkeypatch):
    import gui.main_window as main_window

    demo = tmp_path / "示例.census"
    monkeypatch.setattr(main_window, "demo_census_path", lambda: demo)
    window.open_demo()
    qtbot.waitUntil(lambda: window.census is not None, timeout=120000)
    wait_idle(qtbot, window)
    assert not msgs.errors, msgs.errors
    assert window.census.path == demo and Path(demo).exists()
    assert window.tree_model.order and window.tree_model.order[0].talents > 0
