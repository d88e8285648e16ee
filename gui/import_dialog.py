"""Import: review every file (sheet, header rows, region, column mapping), then import, then results.

Nothing is stored until 开始导入; planning and importing run on the worker thread, each with its
own census connection. The user can change a file's region (from the tree or typed as a new
path) and any column's field; anything uncertain is highlighted. A return sent again (same file
name, same region) shows 替换旧版本, preselected, or 同时保留; a returned correction list shows,
line by line, what it will change before anything is applied.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import conventions, messages
from gui.import_ops import ImportRun, PlanEntry, plan_paths, run_imports
from gui.paths import APP_TITLE
from gui.worker import TaskRunner, Worker
from importers.files import Outcome
from importers.headers import FIELD_LABELS
from importers.job import NO_DATA_ROWS
from importers.plan import ImportPlan, same_name_later, versions_in_run
from importers.returned_list import ReturnedListPlan
from importers.xlsx_repair import is_repair_note
from models.bulk_gc import fewer_collections
from models.errors import CensusError
from models.regions import missing_parent

WARN_BG = QColor("#fff1c2")
ERROR_BG = QColor("#fbd9d3")
OK_FG = QColor("#1b7f3b")
ERROR_FG = QColor("#b03a2e")


def _item(text: str, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tip:
        item.setToolTip(tip)
    return item


def _fit_columns(table: QTableWidget, stretched: tuple[int, ...], widest: int = 200) -> None:
    """Every column in sight on a 1024-pixel screen (fixed widths pushed the last ones off the
    side): the `stretched` columns share the table's width, whatever the window's; the others are
    as wide as they read (at most `widest`). Long texts are cut in the middle, as on the other
    pages; the tooltip has them whole."""
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setResizeContentsPrecision(200)  # 2,000 files: the first rows tell
    for column in range(table.columnCount()):
        if column in stretched:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        else:
            table.resizeColumnToContents(column)  # texts only: a choice box in a cell counts below
            boxes = [w.sizeHint().width() for r in range(min(table.rowCount(), 200))
                     if (w := table.cellWidget(r, column)) is not None]
            table.setColumnWidth(column, min(max([table.columnWidth(column), *boxes]), widest))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    conventions.tab_leaves(table)
    return table


class ImportDialog(QDialog):
    imported = Signal(object)  # gui.counted.Counted worked out after the import, or None (the window works it out)

    FILE_HEADERS = ["导入", "文件", "状态", "工作表", "表头行", "区划", "区划依据", "同名旧版本"]
    VERSION_CHOICES = ("替换旧版本", "同时保留")  # a return sent again: replace (default) or keep both
    VERSION_COLUMN = 7

    def __init__(self, parent: QWidget | None, census_path: Path, paths: list[Path], runner: TaskRunner,
                 region_paths: list[str], left_out: str = ""):
        """`region_paths`: the census's regions in tree order, offered for each file; `left_out`: a
        line naming the files of the chosen folders that are not returns (shown under the review's
        summary)."""
        super().__init__(parent)
        self.setWindowTitle(f"导入摸排表 - {APP_TITLE}")
        self.census_path = census_path
        self.paths = paths
        self.left_out = left_out
        self.runner = runner
        self.region_paths = list(region_paths)
        self.known_paths = frozenset(self.region_paths)
        self.entries: list[PlanEntry] = []
        self.include: list[bool] = []
        self.outcomes: list[Outcome] | None = None
        self.worker: Worker | None = None
        self.planning = self.running = False
        self._loading = False
        self.closed = False
        self._region_row = -1  # the file whose region the editor shows
        self.decided: set[int] = set()  # files whose region, columns or tick the clerk changed
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._review_page())
        self.pages.addWidget(self._progress_page())
        self.pages.addWidget(self._result_page())
        layout.addWidget(self.pages)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter in a field never presses a button that happens to have focus
        conventions.fit_screen(self, 1280, 780)
        # The review holds every cell of every file: collections at the usual pace, once planning
        # has ended, walked them all on the window's thread (500 returns: 40 + 84 ms, as the list
        # was filled). While the dialog is open they run once per million new objects; its plans
        # are freed as it closes (no cycles), so the first collection after it walks far less.
        collections = self._collections = contextlib.ExitStack()
        collections.enter_context(fewer_collections())
        self.finished.connect(collections.close)
        self.destroyed.connect(lambda: collections.close())  # closed with its window, never finished
        self._plan()

    def _example_path(self) -> str:
        """A new unit under this census's own top region (乌海市/市民政局 in a census without one)."""
        top = next((path for path in self.region_paths if "/" not in path), "乌海市")
        return f"{top}/市民政局"

    # ---- pages -----------------------------------------------------------------------------
    def _review_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.summary = QLabel("正在读取文件…")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.plan_bar = QProgressBar()
        layout.addWidget(self.plan_bar)
        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel("显示："))
        self.show_filter = QComboBox()
        self.show_filter.addItems(["全部文件", "只看需要处理的文件"])
        self.show_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        filter_row.addWidget(self.show_filter)
        self.next_attention = QPushButton("下一个需要处理的文件")
        self.next_attention.setToolTip("跳到下一个需要选择区划、需要确认或无法读取的文件")
        self.next_attention.clicked.connect(self.jump_to_attention)
        filter_row.addWidget(self.next_attention)
        filter_row.addStretch(1)
        layout.addLayout(filter_row)
        split = QSplitter(Qt.Orientation.Vertical)
        self.files = _table(self.FILE_HEADERS)
        self.files.itemSelectionChanged.connect(self._show_selected)
        self.files.itemChanged.connect(self._include_changed)
        split.addWidget(self.files)
        detail = QGroupBox("所选文件")
        dl = QVBoxLayout(detail)
        row = QHBoxLayout()
        row.addWidget(QLabel("所属区划："))
        self.region = QComboBox()
        self.region.setEditable(True)
        self.region.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.region.addItems(self.region_paths)
        self.region.setMinimumWidth(420)
        # Its width from the placeholder's length, not from measuring every path, and its list laid
        # out as rows of one height, not row by row: with the window's style sheet a province's
        # 20,000 paths made the dialog take 0.6 s to build (every widget added restyled the list).
        self.region.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.region.setMinimumContentsLength(30)
        self.region.view().setUniformItemSizes(True)
        completer = QCompleter(self.region_paths, self.region)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.region.setCompleter(completer)
        self.region.lineEdit().setPlaceholderText(f"从区划树选择，或输入新路径，如 {self._example_path()}")
        self.region.activated.connect(lambda _i: self._apply_region())
        self.region.lineEdit().editingFinished.connect(self._apply_region)
        row.addWidget(self.region, 1)
        self.region_note = QLabel("")
        self.region_note.setWordWrap(True)
        row.addWidget(self.region_note, 1)
        dl.addLayout(row)
        self.warnings = QLabel("")
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        dl.addWidget(self.warnings)
        self.sheet_box = QWidget()  # a workbook with several data sheets: which of them to import
        self.sheet_row = QHBoxLayout(self.sheet_box)
        self.sheet_row.setContentsMargins(0, 0, 0, 0)
        self.sheet_row.addWidget(QLabel("导入的工作表："))
        self.sheet_checks: list[QCheckBox] = []
        self.sheet_row.addStretch(1)
        self.sheet_box.hide()
        dl.addWidget(self.sheet_box)
        self.columns = _table(["列", "表头", "识别为", "示例（前几行）", "说明"])
        for column, width in enumerate((50, 220, 170, 230)):
            self.columns.setColumnWidth(column, width)
        self.columns.verticalHeader().setDefaultSectionSize(30)
        dl.addWidget(self.columns)
        self.changes = _table(["序号", "原始行", "姓名", "原号码", "更正为", "结果", "说明"])
        for column, width in enumerate((50, 200, 90, 170, 170, 80)):
            self.changes.setColumnWidth(column, width)
        self.changes.hide()  # shown instead of the columns for a returned correction list
        dl.addWidget(self.changes)
        split.addWidget(detail)
        split.setSizes([300, 420])
        layout.addWidget(split, 1)
        buttons = QHBoxLayout()
        hint = QLabel("黄色为需要确认的内容。确认无误后点击“开始导入”；导入前不会写入任何数据。")
        hint.setObjectName("hint")
        buttons.addWidget(hint, 1)
        self.cancel_review = QPushButton("取消")
        self.cancel_review.clicked.connect(self.reject)
        self.start_button = QPushButton("开始导入")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_import)
        buttons.addWidget(self.cancel_review)
        buttons.addWidget(self.start_button)
        layout.addLayout(buttons)
        return page

    def _progress_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.progress_label = QLabel("正在导入…")
        layout.addWidget(self.progress_label)
        self.progress = QProgressBar()
        layout.addWidget(self.progress)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        note = QLabel("取消时正在导入的文件会整体撤回，已完成的文件保留。")
        note.setObjectName("hint")
        layout.addWidget(note)
        layout.addStretch(2)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.result_summary = QLabel("")
        self.result_summary.setWordWrap(True)
        layout.addWidget(self.result_summary)
        self.results = _table(["文件", "结果", "所属区划", "数据行", "成为人员（行）", "人数", "待核实（行）", "说明"])
        layout.addWidget(self.results, 2)
        layout.addWidget(QLabel("详细说明："))
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        layout.addWidget(self.details, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.close_results = QPushButton("关闭")
        self.close_results.clicked.connect(self.accept)
        row.addWidget(self.close_results)
        layout.addLayout(row)
        return page

    # ---- planning --------------------------------------------------------------------------
    def _plan(self) -> None:
        self.planning = True
        paths = list(self.paths)
        self.plan_bar.setRange(0, len(paths))
        self.worker = self.runner.start(
            lambda cancel: plan_paths(self.census_path, paths, cancel), self._planned, self._plan_failed,
            self._plan_progress)

    def _plan_progress(self, done: int, _total: int, message: str) -> None:
        if self.closed:  # closed while reading: its widgets are gone (a report still on its way)
            return
        self.plan_bar.setValue(done)
        self.summary.setText(message)

    def _plan_failed(self, message: str) -> None:
        if self.closed:
            return
        self.planning = False
        self.plan_bar.hide()
        self.summary.setText(message)
        messages.show_error(self, message)

    def _planned(self, entries: list[PlanEntry]) -> None:
        if self.closed:
            return
        self.planning = False
        self.plan_bar.hide()
        self.entries = entries
        self.include = [e.plan is not None for e in entries]
        self._fill_files()
        if entries:
            self.files.selectRow(next((i for i, e in enumerate(entries) if e.plan is not None), 0))
        self.files.setFocus()  # where the page starts: arrows go through the files, Enter imports when ready

    def _fill_files(self) -> None:
        self._loading = True
        self.files.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            self._fill_file_row(row, entry)
        self._loading = False
        _fit_columns(self.files, (1, 5))  # 文件, 区划
        self._update_summary()

    def _fill_file_row(self, row: int, entry: PlanEntry) -> None:
        loading, self._loading = self._loading, True
        check = QTableWidgetItem()
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if entry.plan is not None:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        check.setFlags(flags)
        check.setCheckState(Qt.CheckState.Checked if self.include[row] else Qt.CheckState.Unchecked)
        self.files.setItem(row, 0, check)
        self.files.setItem(row, 1, _item(entry.file_name, str(entry.path)))
        plan = entry.plan
        self._fill_version_cell(row, plan)
        if isinstance(plan, ReturnedListPlan):
            cells = _list_cells(plan)
        elif plan is None:
            status = _item("无法导入", entry.error)
            cells = [status, _item(""), _item(""), _item(entry.error, entry.error), _item("")]
            for cell in cells:
                cell.setBackground(QBrush(ERROR_BG))
            status.setForeground(QBrush(ERROR_FG))
        else:
            warnings = plan.uncertain
            missing = self._missing_parent(plan.region.path)
            if plan.duplicate_of is not None:
                status = _item("已导入过", plan.duplicate_note)
            elif plan.region.path is None:
                status = _item("需选择区划", "\n".join(warnings))
            elif missing:
                status = _item("区划有误", f"上级区划“{missing}”不存在，导入时此文件会失败")
            elif warnings:
                status = _item("需确认", "\n".join(warnings))
            elif plan.earlier is not None:
                status = _item("新版本", plan.version_note)
                status.setBackground(QBrush(WARN_BG))
            else:
                status = _item("可导入")
                status.setForeground(QBrush(OK_FG))
            if plan.region.path is None or missing:
                status.setBackground(QBrush(ERROR_BG))
            elif warnings:
                status.setBackground(QBrush(WARN_BG))
            header = f"第 {plan.header.first_row + 1} 行" if plan.header.first_row == plan.header.last_row else \
                f"第 {plan.header.first_row + 1}–{plan.header.last_row + 1} 行"
            region = _item(plan.region.path or "（未确定）", plan.region.message)
            source = _item(plan.region.source_label + ("，上级区划不存在" if missing else
                                                       "，将新建" if self._is_new(plan.region.path) else ""))
            if plan.region.path is None or missing:
                region.setBackground(QBrush(ERROR_BG))
            elif plan.region.uncertain or self._is_new(plan.region.path):
                region.setBackground(QBrush(WARN_BG))
                source.setBackground(QBrush(WARN_BG))
            cells = [status, _item(plan.sheet_label), _item(header), region, source]
        for column, cell in enumerate(cells, start=2):
            self.files.setItem(row, column, cell)
        self._loading = loading

    def _fill_version_cell(self, row: int, plan: ImportPlan | ReturnedListPlan | None) -> None:
        """The review row of a return sent again: 替换旧版本 preselected, 同时保留 the choice."""
        self.files.removeCellWidget(row, self.VERSION_COLUMN)
        self.files.setItem(row, self.VERSION_COLUMN, _item(""))
        if not isinstance(plan, ImportPlan) or plan.earlier is None or plan.duplicate_of is not None:
            return
        combo = QComboBox()
        combo.addItems(self.VERSION_CHOICES)
        combo.setCurrentIndex(1 if plan.keep_both else 0)
        combo.setToolTip(plan.version_note)
        combo.currentIndexChanged.connect(
            lambda index, file_row=row: QTimer.singleShot(0, lambda: self.set_keep_both(file_row, index == 1)))
        self.files.setCellWidget(row, self.VERSION_COLUMN, combo)

    def set_keep_both(self, row: int, keep_both: bool) -> bool:
        """同时保留 (True) or 替换旧版本 (False) for a return sent again."""
        return self._change_plan(row, lambda plan: replace(plan, keep_both=keep_both))

    def _is_new(self, path: str | None) -> bool:
        return bool(path) and path not in self.known_paths  # a set: the list was 20,000 regions long

    def _missing_parent(self, path: str | None) -> str:
        """The parent of a new path when it is not in the tree either (the import would refuse the file)."""
        return missing_parent(path, self.known_paths) or ""

    def needs_attention(self, row: int) -> bool:
        """A file the clerk must look at: unreadable, region undecided or wrong, or something uncertain."""
        entry = self.entries[row]
        plan = entry.plan
        if plan is None:
            return True
        if isinstance(plan, ReturnedListPlan):
            return bool(plan.decision.refusal)
        if plan.duplicate_of is not None:
            return False
        return plan.region.path is None or bool(self._missing_parent(plan.region.path)) or bool(plan.uncertain)

    def _update_summary(self) -> None:
        """Say exactly what 开始导入 will do with the ticked files, and enable it only when it can run."""
        chosen = [e.plan for i, e in enumerate(self.entries) if e.plan is not None and self.include[i]]
        ticked = [p for p in chosen if isinstance(p, ImportPlan)]
        lists = [p for p in chosen if isinstance(p, ReturnedListPlan)]
        usable_lists = [p for p in lists if not p.decision.refusal and not p.duplicate_note]
        unreadable = sum(1 for e in self.entries if e.plan is None)
        unticked = sum(1 for i, e in enumerate(self.entries) if e.plan is not None and not self.include[i])
        skipped = [p for p in ticked if p.duplicate_of is not None]
        undecided = [p for p in ticked if p.duplicate_of is None and p.region.path is None]
        failing = [p for p in ticked if p.duplicate_of is None and p.region.path and self._missing_parent(p.region.path)]
        to_import = [p for p in ticked if p not in skipped and p not in undecided and p not in failing]
        uncertain = sum(1 for p in to_import if p.uncertain)
        rows = sum(p.data_rows for p in to_import)
        parts = [f"共 {len(self.entries)} 个文件。开始导入将导入 {len(to_import)} 个（表头以下约 {rows:,} 行）"
                 + (f"，其中 {uncertain} 个有需确认的内容（黄色）" if uncertain else "")]
        if lists and not ticked:  # only correction lists: nothing to import as a return
            parts = [f"共 {len(self.entries)} 个文件，均为报回的更正清单"]
        if usable_lists:
            changes = sum(p.decision.counts["correct"] + p.decision.counts["invalid"] + p.decision.counts["remark"]
                          for p in usable_lists)
            parts.append(f"应用报回的更正清单 {len(usable_lists)} 份（改动 {changes} 行，明细见所选文件）")
        if len(lists) > len(usable_lists):
            parts.append(f"更正清单不能应用或已导入过 {len(lists) - len(usable_lists)} 份")
        replacing = [p for p in to_import if p.earlier is not None and not p.keep_both]
        if replacing:
            parts.append(f"其中 {len(replacing)} 个是再次报来的新版本，将替换旧版本（可撤销）")
        twins = same_name_later(to_import)
        if twins:
            parts.append(f"其中 {len(twins)} 个与本次另一文件同名、同区划（{'、'.join(p.file_name for p in twins)}）："
                         "有相同人员的作为新版本替换前一份，没有相同人员的两份都保留")
        versions = versions_in_run(to_import)
        if versions:
            pairs = "、".join(f"“{a.file_name}”与“{b.file_name}”" for a, b in versions[:3]) + (" 等" if len(versions) > 3 else "")
            parts.append(f"{pairs}像是同一报表的两个版本（同一区划，人员大多相同）：两份都会导入，"
                         "如只要新版本，请取消勾选旧的一份")
        if skipped:
            parts.append(f"已导入过、将跳过 {len(skipped)} 个")
        if failing:
            parts.append(f"上级区划不存在、将失败 {len(failing)} 个")
        if undecided:
            parts.append(f"需选择区划 {len(undecided)} 个")
        if unticked:
            parts.append(f"未勾选、不导入 {unticked} 个")
        if unreadable:
            parts.append(f"无法读取、不导入 {unreadable} 个")
        text = "；".join(parts) + "。"
        if self.left_out:
            text += self.left_out + "。"
        if undecided:
            text += "请为红色的文件选择所属区划（或取消勾选）后再开始导入。"
        elif not chosen:
            text += "没有勾选要导入的文件。"
        self.summary.setText(text)
        ready = bool(chosen) and not undecided and not self.planning
        self.start_button.setEnabled(ready)
        self.start_button.setDefault(ready)
        attention = sum(1 for row in range(len(self.entries)) if self.needs_attention(row))
        self.show_filter.setItemText(1, f"只看需要处理的文件（{attention} 个）")
        self.next_attention.setEnabled(attention > 0)
        self._apply_filter()
        self._reading_order()  # a 同名旧版本 combo may have come or gone

    def _apply_filter(self) -> None:
        """Show every file, or only those that need the clerk; a selected file the filter hides
        gives way to the first one shown (the panel below never describes a file out of sight)."""
        only_attention = self.show_filter.currentIndex() == 1
        for row in range(self.files.rowCount()):
            self.files.setRowHidden(row, only_attention and not self.needs_attention(row))
        current = self.current_row()
        if current >= 0 and self.files.isRowHidden(current):
            shown = next((r for r in range(self.files.rowCount()) if not self.files.isRowHidden(r)), None)
            if shown is None:
                self.files.clearSelection()
            else:
                self.files.selectRow(shown)

    def jump_to_attention(self) -> int:
        """Select the next file that needs the clerk (after the selected one, wrapping); its row or -1."""
        count = len(self.entries)
        start = self.current_row()
        for step in range(1, count + 1):
            row = (start + step) % count
            if self.needs_attention(row):
                self.files.selectRow(row)
                self.files.scrollToItem(self.files.item(row, 1))
                return row
        return -1

    def _include_changed(self, item: QTableWidgetItem) -> None:
        if self._loading or item.column() != 0:
            return
        self.include[item.row()] = item.checkState() == Qt.CheckState.Checked
        self.decided.add(item.row())
        self._update_summary()

    # ---- the selected file ---------------------------------------------------------------
    def current_row(self) -> int:
        rows = self.files.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _show_selected(self) -> None:
        self._show_entry()
        self._reading_order()

    def _reading_order(self) -> None:
        """Tab follows the page as it reads, top to bottom and left to right, ending on 取消 and
        开始导入: the combos in table cells and the sheet ticks are made after the buttons, so
        without this Tab reached 识别为 only after 开始导入."""
        chain: list[QWidget] = [self.show_filter, self.next_attention, self.files]
        chain += [w for r in range(self.files.rowCount()) if (w := self.files.cellWidget(r, self.VERSION_COLUMN))]
        chain += [self.region, *self.sheet_checks, self.columns]
        chain += [w for r in range(self.columns.rowCount()) if (w := self.columns.cellWidget(r, 2))]
        chain += [self.changes, self.cancel_review, self.start_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _show_entry(self) -> None:
        row = self.current_row()
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        plan = entry.plan if entry else None
        self.region.setEnabled(isinstance(plan, ImportPlan))
        self.columns.setRowCount(0)
        self.sheet_box.hide()
        self._region_row = row if isinstance(plan, ImportPlan) else -1
        self.columns.setVisible(not isinstance(plan, ReturnedListPlan))
        self.changes.setVisible(isinstance(plan, ReturnedListPlan))
        if entry is None:
            self.region.setEditText("")
            self.region_note.setText("")
            self.warnings.setText("")
            return
        if isinstance(plan, ReturnedListPlan):
            self._show_list(plan)
            return
        if plan is None:
            self.region.setEditText("")
            self.region_note.setText("")
            self.warnings.setText(f"无法导入：{entry.error}")
            return
        self.region.blockSignals(True)
        self.region.setEditText(plan.region.path or "")
        self.region.blockSignals(False)
        if plan.region.path is None:
            note = plan.region.message or "未能确定所属区划，请选择或输入"  # the core's words, as they are
        else:
            note = f"依据：{plan.region.source_label}"
        if plan.region.candidates:
            note += "；可能是：" + "、".join(plan.region.candidates)
        missing = self._missing_parent(plan.region.path)
        if missing:
            note += f"；上级区划“{missing}”不存在，导入时此文件会失败，请从列表中选择或改正路径"
        elif self._is_new(plan.region.path):
            note += "；该区划不在区划树中，导入时将新建并标记待核实"
        self.region_note.setText(note)
        warnings = plan.uncertain + ([plan.version_note] if plan.earlier is not None else [])
        self.warnings.setText("需要确认：\n· " + "\n· ".join(warnings) if warnings else "未发现需要确认的问题。")
        self.warnings.setProperty("state", "warn" if warnings else "ok")
        self.warnings.style().unpolish(self.warnings)
        self.warnings.style().polish(self.warnings)
        self._fill_sheets(row, plan)
        self._fill_columns(row)

    def _fill_sheets(self, row: int, plan: ImportPlan) -> None:
        """One tick per data sheet of a workbook with several (none for a single sheet)."""
        for check in self.sheet_checks:
            self.sheet_row.removeWidget(check)
            check.deleteLater()
        self.sheet_checks = []
        sheets = plan.data_sheets
        self.sheet_box.setVisible(len(sheets) > 1)
        if len(sheets) < 2:
            return
        for position, (name, included) in enumerate(sheets, start=1):
            check = QCheckBox(name)
            check.setChecked(included)
            check.toggled.connect(lambda on, file_row=row, sheet=name: QTimer.singleShot(
                0, lambda: self.set_sheet(file_row, sheet, on)))
            self.sheet_row.insertWidget(position, check)
            self.sheet_checks.append(check)

    def _show_list(self, plan: ReturnedListPlan) -> None:
        """A returned correction list: what each line will do (row, name, old → new, still wrong,
        skipped), before anything is applied."""
        self.region.setEditText(plan.region_path)
        self.region_note.setText("报回的更正清单（凭清单中的程序标识识别，与文件名无关）")
        refused = bool(plan.decision.refusal)
        self.warnings.setText(("不能应用：" if refused else "") + plan.summary())
        self.warnings.setProperty("state", "warn" if refused or plan.duplicate_note else "ok")
        self.warnings.style().unpolish(self.warnings)
        self.warnings.style().polish(self.warnings)
        lines = plan.decision.lines
        self.changes.setRowCount(len(lines))
        for r, line in enumerate(lines):
            values = [str(line.seq), line.where, line.name, line.old, line.new, line.outcome_label, line.message]
            for column, value in enumerate(values):
                cell = _item(value, value)
                if line.outcome == "invalid":
                    cell.setBackground(QBrush(WARN_BG))
                elif line.outcome == "correct" and column == 5:
                    cell.setForeground(QBrush(OK_FG))
                elif line.outcome in ("skip", "blank"):
                    cell.setForeground(QBrush(QColor("#777777")))
                self.changes.setItem(r, column, cell)

    def _fill_columns(self, row: int) -> None:
        plan = self.entries[row].plan
        assert isinstance(plan, ImportPlan)
        self.columns.setRowCount(len(plan.columns))
        for r, col in enumerate(plan.columns):
            self.columns.setItem(r, 0, _item(_column_letter(col.index)))
            self.columns.setItem(r, 1, _item(col.label))
            combo = QComboBox()
            combo.addItem("（不导入此列）", None)
            for key, label in FIELD_LABELS.items():
                combo.addItem(label, key)
            combo.setCurrentIndex(max(combo.findData(col.field), 0))
            combo.currentIndexChanged.connect(
                lambda _i, c=combo, index=col.index, file_row=row: QTimer.singleShot(
                    0, lambda: self.set_field(file_row, index, c.currentData())))
            self.columns.setCellWidget(r, 2, combo)
            samples = plan.samples(col.index)
            self.columns.setItem(r, 3, _item(samples, samples.replace("、", "\n")))
            note = _item(col.note or ("需确认" if col.uncertain else ""))
            self.columns.setItem(r, 4, note)
            if col.uncertain:
                for c in (0, 1, 3, 4):
                    self.columns.item(r, c).setBackground(QBrush(WARN_BG))

    def _apply_region(self) -> None:
        row = self._region_row
        if not 0 <= row < len(self.entries) or not isinstance(self.entries[row].plan, ImportPlan):
            return
        text = self.region.currentText().strip().strip("/")
        if text and text != (self.entries[row].plan.region.path or ""):  # type: ignore[union-attr]
            self.set_region(row, text)

    def set_region(self, row: int, path: str) -> bool:
        return self._change_plan(row, lambda plan: plan.with_region(path))

    def set_sheet(self, row: int, sheet: str, include: bool) -> bool:
        """Import a data sheet of the file, or leave it out; a refusal (the last sheet) puts the tick back."""
        if self._change_plan(row, lambda plan: plan.with_sheet(sheet, include)):
            return True
        if row == self.current_row():
            self._show_selected()
        return False

    def set_field(self, row: int, column_index: int, field: str | None) -> bool:
        return self._change_plan(row, lambda plan: plan.with_field(column_index, field))

    def _change_plan(self, row: int, change) -> bool:
        """Apply the user's change to a file's plan and show it; a refused change is a dialog."""
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        if entry is None or entry.plan is None:
            return False
        try:
            entry.plan = change(entry.plan)
        except CensusError as err:
            messages.show_error(self, str(err))
            return False
        self.decided.add(row)
        focus_again = self._focus_keeper(row)
        self._fill_file_row(row, entry)
        self._update_summary()
        if row == self.current_row():
            self._show_selected()
        focus_again()
        return True

    def _focus_keeper(self, row: int) -> Callable[[], None]:
        """The field with the focus among those a change makes anew (a 识别为 field, a sheet tick, the
        同名旧版本 choice), as a function that puts the focus on its successor: after one arrow key
        on 识别为 the focus went to a button and the next arrow key did nothing."""
        focus = self.focusWidget()
        if focus is None:
            return lambda: None
        if focus is self.files.cellWidget(row, self.VERSION_COLUMN):
            return lambda: _set_focus(self.files.cellWidget(row, self.VERSION_COLUMN))
        for r in range(self.columns.rowCount()):
            if focus is self.columns.cellWidget(r, 2):
                return lambda: _set_focus(self.columns.cellWidget(r, 2))
        for i, check in enumerate(self.sheet_checks):
            if focus is check:
                return lambda: _set_focus(self.sheet_checks[i] if i < len(self.sheet_checks) else None)
        return lambda: None

    # ---- importing -------------------------------------------------------------------------
    def selected_plans(self):
        return [e.plan for i, e in enumerate(self.entries) if e.plan is not None and self.include[i]]

    def start_import(self) -> bool:
        plans = self.selected_plans()
        if not plans or self.planning or self.running:
            return False
        undecided = [p.file_name for p in plans if isinstance(p, ImportPlan) and p.region.path is None]
        if undecided:
            messages.show_error(self, "以下文件还没有确定所属区划，请选中文件后在“所属区划”中选择或输入：\n"
                                + "\n".join(undecided))
            return False
        self.running = True
        self.pages.setCurrentIndex(1)
        self.progress.setRange(0, 0)

        def progress(done: int, total: int, message: str) -> None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            self.progress_label.setText(message)

        self.worker = self.runner.start(lambda cancel: run_imports(self.census_path, plans, cancel),
                                        self._imported, self._import_failed, progress)
        return True

    def cancel(self) -> None:
        if self.worker is not None and not self.worker.done:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("正在取消，正在撤回当前文件…")

    def _import_failed(self, message: str) -> None:
        self.running = False
        self.outcomes = []
        self._show_results([], message)
        self.imported.emit(None)

    def _imported(self, run: ImportRun) -> None:
        self.running = False
        self.outcomes = run.outcomes
        self._show_results(run.outcomes)
        self.imported.emit(run.view)

    def _show_results(self, outcomes: list[Outcome], error: str = "") -> None:
        self.pages.setCurrentIndex(2)
        self.close_results.setDefault(True)  # Enter closes the results (keyPressEvent)
        counts = {k: sum(1 for o in outcomes if o.status == k) for k in Outcome.STATUS_LABELS}
        text = (f"已导入 {counts['imported']} 个文件，跳过 {counts['duplicate']} 个（此前已导入），"
                f"失败 {counts['failed']} 个")
        if counts["corrected"]:
            text += f"，应用更正清单 {counts['corrected']} 份"
        if counts["cancelled"] or counts["not_run"]:
            text += f"，因取消未导入 {counts['cancelled'] + counts['not_run']} 个"
        skipped = [e for e in self.entries if e.plan is None]
        if skipped:
            text += f"；不能导入 {len(skipped)} 个（原因见下表）"  # unreadable, a population table, a list of another census…
        unticked = sum(1 for i, e in enumerate(self.entries) if e.plan is not None and not self.include[i])
        if unticked:  # every file of the review is accounted for
            text += f"；未勾选、未导入 {unticked} 个"
        self.result_summary.setText((error + "\n" if error else "") + text + "。")
        self.results.setRowCount(len(outcomes) + len(skipped))
        lines = []
        for row, o in enumerate(outcomes):
            r = o.result if o.status == "imported" else None
            # 30,000 as every other page writes it
            counts = [f"{n:,}" for n in (r.rows_total, r.rows_ok, r.persons, r.rows_pending)] if r else [""] * 4
            values = [o.file_name, o.status_label, r.region_path if r else "", *counts, self._reason(o)]
            for column, value in enumerate(values):
                item = _item(value, value)
                if column == 1:
                    item.setForeground(QBrush(OK_FG if o.status in ("imported", "corrected") else ERROR_FG
                                              if o.status == "failed" else QColor("#7a5b00")))
                if column == 6 and r and r.rows_pending:
                    item.setBackground(QBrush(WARN_BG))
                self.results.setItem(row, column, item)
            lines.append("\n".join([o.describe(), *(f"注意：{w}" for w in o.warnings)]))  # as the command line says it
        for row, entry in enumerate(skipped, start=len(outcomes)):
            for column, value in enumerate([entry.file_name, "未导入", "", "", "", "", "", entry.error]):
                self.results.setItem(row, column, _item(value, value))
            lines.append(f"{entry.file_name}：无法读取，未导入。{entry.error}")
        self.details.setPlainText("\n\n".join(lines))
        _fit_columns(self.results, (0, 2, 7))  # 文件, 所属区划, 说明

    @staticmethod
    def _reason(o: Outcome) -> str:
        if o.status == "corrected" and o.returned is not None:
            return o.returned.describe().splitlines()[0]
        if o.status != "imported" or o.result is None:
            return o.message or ("内容与已导入的文件相同，没有人被重复计数" if o.status == "duplicate" else "")
        r = o.result
        if not r.rows_total:
            return NO_DATA_ROWS
        parts = []
        if any(is_repair_note(w) for w in o.warnings):
            parts.append("按 Excel 修复后的内容读取，请核对（见下方详细说明）")
        if r.replaced is not None:  # the version it replaced, as the details say it
            parts.append(f"第{r.replaced.version}版，替换了批次 {r.replaced.batch_id}（撤销本次导入即恢复）")
        elif r.kept_with is not None and r.kept_name:
            parts.append(f"与批次 {r.kept_with}（{r.kept_name}）两份都保留")
        elif r.kept_with is not None:
            parts.append(f"与批次 {r.kept_with} 同名，两份都保留" + ("（没有相同的人员）" if r.other_return else ""))
        if r.cut_elsewhere:
            parts.append(f"此前导入的表中 {r.cut_elsewhere} 行末三位被 Excel 丢失，已改为待核实")
        parts += [f"{reason} {n} 行" for reason, n in r.reasons.most_common()]
        parts += [f"需复核：{note} {n} 行" for note, n in r.notes.most_common()]
        if r.new_regions:
            parts.append("新建区划：" + "、".join(r.new_regions))
        return "；".join(parts) or "全部有效"

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        """Enter applies the field it was typed in (its editingFinished already did) and keeps the
        review; it presses a button only when the button itself has focus, or 开始导入 when every
        file is decided and the focus is not in a field; on the results it closes them."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if isinstance(focus, QAbstractButton):
                focus.click()
            elif isinstance(focus, QTableWidget) and self.pages.currentIndex() == 0 and self.start_button.isEnabled():
                self.start_button.click()
            elif self.pages.currentIndex() == 2:
                self.accept()
            event.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.running:
            self.cancel()
            return
        if self.pages.currentIndex() == 0 and self.decided and not messages.ask(
                self, f"您已为 {len(self.decided)} 个文件做了选择（区划、列或是否导入）。关闭后这些选择都会丢失，"
                      "文件也不会导入。\n\n确定关闭吗？", "关闭导入", yes="关闭，放弃选择", no="继续检查"):
            return
        if self.planning and self.worker is not None:
            self.worker.cancel()
        self.closed = True
        super().reject()

    def accept(self) -> None:
        self.closed = True
        super().accept()


def _list_cells(plan: ReturnedListPlan) -> list[QTableWidgetItem]:
    """The review row of a returned correction list: 状态, 工作表, 表头行, 区划, 依据."""
    if plan.decision.refusal:
        status = _item("不能应用", plan.decision.refusal)
        status.setBackground(QBrush(ERROR_BG))
        status.setForeground(QBrush(ERROR_FG))
    elif plan.duplicate_note:
        status = _item("已导入过", plan.duplicate_note)
    else:
        status = _item("更正清单", plan.summary())
        status.setForeground(QBrush(OK_FG))
    return [status, _item("更正清单"), _item(""), _item(plan.region_path), _item("更正清单中的程序标识")]


def _set_focus(widget: QWidget | None) -> None:
    if widget is not None:
        widget.setFocus()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
