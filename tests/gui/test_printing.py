"""Ctrl+P prints what the clerk looks at after a preview: the summary table, the problem list, a
person. The documents are rendered to PDF here (the preview dialog is never shown)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

from gui import printing
from tests.gui.window_helpers import import_through_review, wait_idle


def filled(qtbot, win, tmp_path, returns):
    assert win.new_census(tmp_path / "打印")
    win.census.set_title("测试市社会工作专业人才摸排")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    import_through_review(qtbot, win, [returns["tuanjie"], returns["xingfu"]]).accept()
    wait_idle(qtbot, win)
    win.select_region(win.census.regions.by_path("测试市/东区").id)


def pdf_of(title, document, path) -> str:
    """Print the document to a PDF file as the preview would; its text when pdftotext is there, else ''."""
    printer = printing.printer_for(title)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    document.print_(printer)
    assert path.read_bytes().startswith(b"%PDF") and path.stat().st_size > 1000
    if shutil.which("pdftotext") is None:
        return ""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", text)  # pdftotext reads some glyphs as Kangxi radicals (⼯ for 工)


def test_print_action_has_ctrl_p_and_opens_a_preview(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    win = window
    action = win.act_print
    assert action.shortcut() == QKeySequence(QKeySequence.StandardKey.Print) == QKeySequence("Ctrl+P")
    assert action in win.file_menu.actions() and not action.isEnabled()  # nothing open: nothing to print
    filled(qtbot, win, tmp_path, returns)
    assert action.isEnabled()
    shown: list[str] = []
    monkeypatch.setattr(QPrintPreviewDialog, "exec", lambda self: shown.append(self.windowTitle()) or 0)
    action.trigger()
    assert shown == ["打印预览 - 测试市社会工作专业人才摸排 汇总表：东区"]


def test_summary_problems_and_person_print_to_pdf(qtbot, window, msgs, tmp_path, returns):
    win = window
    filled(qtbot, win, tmp_path, returns)
    title, document = printing.document_for(win)
    assert title.endswith("汇总表：东区")
    text = pdf_of(title, document, tmp_path / "summary.pdf")
    if text:
        assert "和平街道" in text and "西区" not in text  # 东区 and its children only

    win.tabs.setCurrentWidget(win.problems)
    title, document = printing.document_for(win)
    assert title.endswith("问题清单")
    text = pdf_of(title, document, tmp_path / "problems.pdf")
    if text:
        assert "钱七" in text and "团结社区摸排表.xlsx" in text

    win.tabs.setCurrentWidget(win.people)
    row = next(r for r in range(win.people.model.rowCount()) if win.people.model.person(r).name == "张三")
    win.people.view.selectRow(row)
    title, document = printing.document_for(win)
    assert title.startswith("人员：张三")
    text = pdf_of(title, document, tmp_path / "person.pdf")
    if text:
        assert "幸福社区摸排表.xlsx" in text and "团结社区摸排表.xlsx" in text  # both source rows
        assert "*" in text  # the ID masked as on screen


@pytest.mark.parametrize("page", ["people", "dashboard"])
def test_nothing_to_print_says_so(qtbot, window, msgs, tmp_path, page):
    win = window
    assert win.new_census(tmp_path / "空")
    win.tabs.setCurrentWidget(getattr(win, page))
    assert printing.document_for(win) is None
    printing.preview(win)
    assert "没有可打印的内容" in win.statusBar().currentMessage()
