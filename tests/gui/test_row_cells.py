"""A row's raw cells are read off the GUI thread: the person dialog and 查看源数据行 open with what was
understood of each row, show 正在读取原始行… and then the cells; a dialog closed first breaks nothing."""

from __future__ import annotations

import threading
from collections import OrderedDict

import pytest

from gui import printing
from gui.person_dialog import CANNOT_READ, READING
from models import kept_files
from models.errors import NotFound
from models.identity import mask_id
from tests.gui.window_helpers import imported_window, make_id


class ParseRecorder:
    """The kept-file parse, recording the thread it runs on and held until `gate` is set."""

    def __init__(self, monkeypatch):
        self.threads: list[threading.Thread] = []
        self.gate = threading.Event()
        self.gate.set()
        (self._parse,) = kept_files._reader
        monkeypatch.setattr(kept_files, "_reader", [self])
        self.forget(monkeypatch)

    def forget(self, monkeypatch) -> None:
        """No file parsed yet (earlier tests may have left theirs in the cache)."""
        monkeypatch.setattr(kept_files, "_parsed", OrderedDict())

    def __call__(self, data, file_name, data_starts):
        self.threads.append(threading.current_thread())
        assert self.gate.wait(30)
        return self._parse(data, file_name, data_starts)


@pytest.fixture
def imported(qtbot, window, tmp_path, returns):
    return imported_window(qtbot, window, tmp_path, returns)


def lines(top) -> list[tuple[str, str]]:
    return [(top.child(i).text(0), top.child(i).text(1)) for i in range(top.childCount())]


def wait_for_cells(qtbot, win, dialog) -> None:
    qtbot.waitUntil(lambda: not dialog.reading_cells(), timeout=30000)
    qtbot.waitUntil(lambda: not win.cells_reader.busy, timeout=30000)


def test_person_dialog_shows_the_rows_first_then_their_cells(qtbot, imported, monkeypatch):
    win = imported
    parses = ParseRecorder(monkeypatch)
    parses.gate.clear()
    lisi = win.census.people.get(make_id(2))
    dialog = win.show_person(lisi)
    assert dialog.isVisible() and dialog.name_label.text() == "李四"
    top = dialog.tree.topLevelItem(0)
    assert top.text(0) == "团结社区摸排表.xlsx / 人员名单 / 第 5 行"  # title, filler, header, 张三, 李四
    understood = dict(lines(top))["识别为"]
    assert understood.startswith(f"李四　{mask_id(make_id(2))}") and "本科（社会工作）" in understood
    assert ("原始行", READING) in lines(top) and dialog.reading_cells()
    assert not dict(lines(top)).get("姓名")  # no cell shown before the file is read

    parses.gate.set()
    wait_for_cells(qtbot, win, dialog)
    shown = dict(lines(top))
    assert shown["姓名"] == "李四" and shown["所学专业"] == "社会工作" and shown["培训学时"] == "10"
    assert shown["身份证号码"] == mask_id(make_id(2)) and "原始行" not in shown
    assert parses.threads and threading.main_thread() not in parses.threads
    dialog.close()


def test_no_window_path_parses_a_kept_file_on_the_gui_thread(qtbot, imported, monkeypatch):
    win = imported
    parses = ParseRecorder(monkeypatch)
    zhangsan = win.census.people.get(make_id(1))  # rows in both returns
    dialog = win.show_person(zhangsan)
    assert printing.document_for(win) is not None  # Ctrl+P on the open person dialog
    wait_for_cells(qtbot, win, dialog)
    assert [dict(lines(dialog.tree.topLevelItem(i)))["姓名"] for i in range(2)] == ["张三", "张三"]
    dialog.close()

    parses.forget(monkeypatch)
    (pending,) = [p for p in win.problems.all if p.kind == "pending"]
    row_dialog = win.show_source_row(pending)
    wait_for_cells(qtbot, win, row_dialog)
    assert dict(lines(row_dialog.tree.topLevelItem(0)))["姓名"] == "钱七"
    row_dialog.close()

    assert len(parses.threads) == 3  # two returns for 张三, then 团结社区's again for 钱七
    assert threading.main_thread() not in parses.threads


def test_a_dialog_closed_before_its_cells_arrive(qtbot, imported, monkeypatch):
    win = imported
    parses = ParseRecorder(monkeypatch)
    parses.gate.clear()
    dialog = win.show_person(win.census.people.get(make_id(2)))
    qtbot.waitUntil(lambda: bool(parses.threads), timeout=30000)
    dialog.close()  # deleted on close: the cells have nowhere to go
    qtbot.waitUntil(lambda: win.person_dialog is None, timeout=5000)
    parses.gate.set()
    qtbot.waitUntil(lambda: not win.cells_reader.busy, timeout=30000)
    again = win.show_person(win.census.people.get(make_id(2)))  # the window still answers; the file is cached
    wait_for_cells(qtbot, win, again)
    assert dict(lines(again.tree.topLevelItem(0)))["姓名"] == "李四" and len(parses.threads) == 1
    again.close()


def test_a_row_whose_file_cannot_be_read_says_so_in_the_dialog(qtbot, imported, monkeypatch, msgs):
    win = imported
    ParseRecorder(monkeypatch)

    def missing(data, file_name, data_starts):
        raise NotFound("普查文件中没有保存导入时的原文件，无法显示原始行", file=file_name)

    monkeypatch.setattr(kept_files, "_reader", [missing])
    dialog = win.show_person(win.census.people.get(make_id(2)))
    wait_for_cells(qtbot, win, dialog)
    (reason,) = [text for label, text in lines(dialog.tree.topLevelItem(0)) if label == "原始行"]
    assert reason.startswith(CANNOT_READ) and "团结社区摸排表.xlsx" in reason and "没有保存" in reason
    assert dict(lines(dialog.tree.topLevelItem(0)))["识别为"].startswith("李四")
    assert not msgs.errors  # said in the dialog, not as a message box over it
    dialog.close()
