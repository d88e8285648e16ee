"""Ctrl+P (文件 → 打印…): what the clerk is looking at, on paper, after a preview — the summary
table of the selected node and its children (概况 and the other pages), the problem list as the
问题 page filters it, or a person (the open person's window, or the selected row of 人员) with
every source row. IDs and phones are masked as on screen.

The document is HTML in a QTextDocument: Qt lays it out on any printer's page, and the same
document renders to PDF in the tests.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence, QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

from gui.dashboard import shortfall_text
from gui.models_qt import number_text, per_mille_text
from gui.pages import selected_row
from models.identity import mask_id
from models.records import Person, Problem, RegionSummary, SourceRow

if TYPE_CHECKING:
    from gui.main_window import MainWindow

PERSON = "人员："  # a person's page is portrait, the tables landscape
STYLE = """<style>
body { font-size: 10pt; }
h2 { font-size: 14pt; text-align: center; }
table { border-collapse: collapse; }
th { background: #eeeeee; white-space: nowrap; }
td.n { text-align: right; white-space: nowrap; }
p.small { font-size: 9pt; }
</style>"""


def install(window: MainWindow) -> QAction:
    action = QAction("打印…", window)
    action.setShortcut(QKeySequence.StandardKey.Print)
    action.triggered.connect(lambda _checked=False: preview(window))
    window.file_menu.insertAction(window.act_quit, action)
    window.file_menu.insertSeparator(window.act_quit)
    window.census_actions.append(action)  # on while a census is open (read-only ones too)
    return action


def preview(window: MainWindow) -> None:
    found = document_for(window)
    if found is None:
        window.statusBar().showMessage("没有可打印的内容：请先选择区划、问题或人员", 5000)
        return
    title, document = found
    printer = printer_for(title)
    dialog = QPrintPreviewDialog(printer, window)
    dialog.setWindowTitle(f"打印预览 - {title}")
    dialog.paintRequested.connect(document.print_)
    dialog.resize(1000, 760)
    dialog.exec()
    dialog.deleteLater()


def printer_for(title: str) -> QPrinter:
    """A4, a person's page upright, the wide tables across."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait if title.startswith(PERSON)
                               else QPageLayout.Orientation.Landscape)
    return printer


def document_for(window: MainWindow) -> tuple[str, QTextDocument] | None:
    """(title, document) of what the window shows now; None when nothing is there to print."""
    census = window.census
    if census is None:
        return None
    dialog = window.person_dialog
    if dialog is not None and dialog.isVisible() and dialog.person is not None:
        person = dialog.person
    elif window.tabs.currentWidget() is window.people:
        person = window.people.model.person(selected_row(window.people.view))
    else:
        person = None
    if person is not None:
        title = f"{PERSON}{person.name}（{census.title}）"
        return title, _document(person_html(title, person, census.people.rows(person.id_number, cells=False), window.full_ids))
    if window.tabs.currentWidget() is window.problems:
        title = f"{census.title} 问题清单"
        return title, _document(problems_html(title, window.problems.model.items, window.full_ids))
    region_id = window.selected_region_id()
    summary = window.tree_model.summaries.get(region_id) if region_id is not None else None
    if summary is None:
        return None
    title = f"{census.title} 汇总表：{summary.name}"
    rows = [summary, *window.tree_model.children_of(summary.region_id)]
    return title, _document(summary_html(title, census.as_of, rows))


def _document(html: str) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(html)
    return document


def _table(header: tuple[str, ...], rows: list[list[str]], numeric: frozenset[int] | set[int] = frozenset()) -> str:
    """A ruled table: headers and figures never wrap (户籍人/口), the text columns take the rest."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td class=n>{escape(c)}</td>" if i in numeric else f"<td>{escape(c)}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<table border="1" cellpadding="3" cellspacing="0" width="100%"><tr>{head}</tr>{body}</table>'


SUMMARY_HEADER = ("区划", "户籍人口", "应达人数", "人才总数", "持证", "专业学历", "仅培训", "差额", "每千人", "是否达标",
                  "持证(社区/村)")


def summary_html(title: str, as_of: str | None, rows: list[RegionSummary]) -> str:
    def line(s: RegionSummary, own: bool) -> list[str]:
        met = "—" if s.target_met is None else ("是" if s.target_met else "否")
        minimum = "" if s.certified_min is None else f"{s.certified}/≥{s.certified_min}"
        return [s.path if own else "　" + s.name, number_text(s.population), number_text(s.target), f"{s.talents:,}",
                f"{s.certified:,}", f"{s.degree:,}", f"{s.trained_only:,}", shortfall_text(s)[0],
                per_mille_text(s.per_mille), met, minimum]

    table = _table(SUMMARY_HEADER, [line(s, i == 0) for i, s in enumerate(rows)], set(range(1, 9)))
    dated = f"统计截止日期：{escape(as_of)}　" if as_of else ""
    return (f"<html><head>{STYLE}</head><body><h2>{escape(title)}</h2>"
            f"<p class=small>{dated}第一行为本级（含下级），以下为各下级区划。</p>{table}</body></html>")


PROBLEM_HEADER = ("类型", "原因", "文件", "工作表", "行号", "姓名", "所属区划", "身份证号（原样）")


def problems_html(title: str, problems: list[Problem], full: bool) -> str:
    rows = [[p.kind_label, p.reason, p.file_name, p.sheet, "" if p.row_number is None else str(p.row_number),
             p.name, p.region_path, mask_id(p.id_raw, full)] for p in problems]
    return (f"<html><head>{STYLE}</head><body><h2>{escape(title)}</h2>"
            f"<p class=small>共 {len(problems)} 条。</p>{_table(PROBLEM_HEADER, rows, {4})}</body></html>")


ROW_HEADER = ("文件", "工作表", "行号", "状态", "所学专业、培训学时")


def person_html(title: str, person: Person, rows: list[SourceRow], full: bool) -> str:
    facts = [("姓名", person.name), ("身份证号", person.shown_id(full)), ("性别", person.gender),
             ("所属区划", person.region_path), ("证书等级", person.level_name), ("学历", person.education_name),
             ("所学专业", person.major), ("培训学时", "" if person.hours is None else f"{person.hours:g}"),
             ("类别", "、".join(person.categories) or "未达标"), ("联系电话", person.shown_phone(full))]
    card = "".join(f"<tr><th align=left width=20%>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    sources = [[r.file_name, r.sheet, str(r.row_number), "待核实：" + (r.reason or "") if r.pending else "已计入",
                "　".join(v for v in (r.major, "" if r.hours is None else f"{r.hours:g} 学时") if v)] for r in rows]
    return (f"<html><head>{STYLE}</head><body><h2>{escape(title)}</h2>"
            f'<table border="1" cellpadding="3" cellspacing="0" width="100%">{card}</table>'
            f"<p>来源行（共 {len(rows)} 行）：</p>{_table(ROW_HEADER, sources, {2})}</body></html>")
