"""The right-hand tabs: people, problems and import history. Layout and signals only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui import conventions
from gui.models_qt import BatchesModel, PeopleModel, ProblemsModel
from gui.worker import TaskRunner
from models.census import CATEGORY_LABELS, Census
from models.records import Batch, Problem


def make_table(model, widths: list[int]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    conventions.tab_leaves(view)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setStretchLastSection(True)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    return view


def arrange(view: QTableView, order: tuple[int, ...]) -> None:
    """Show the model's columns in `order` (what a clerk reads first on a 1366-pixel screen comes
    first; the rest scroll); long texts are cut in the middle, where a path or file name says
    least, and the tooltip has them whole."""
    header = view.horizontalHeader()
    for visual, logical in enumerate(order):
        header.moveSection(header.visualIndex(logical), visual)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)


def selected_row(view: QTableView) -> int:
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    return rows[0].row() if rows else -1


class PeoplePage(QWidget):
    open_person = Signal(object)  # Person

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.census: Census | None = None
        self.region_id: int | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("按姓名或身份证号搜索")
        self.search.setClearButtonEnabled(True)
        self.category = QComboBox()
        self.category.addItem("全部人员", None)
        for key, label in CATEGORY_LABELS.items():
            self.category.addItem(label, key)
        self.count = QLabel("")
        bar.addWidget(QLabel("搜索："))
        bar.addWidget(self.search, 2)
        bar.addWidget(QLabel("类别："))
        bar.addWidget(self.category)
        bar.addStretch(1)
        bar.addWidget(self.count)
        layout.addLayout(bar)
        self.model = PeopleModel(self)
        self.view = make_table(self.model, [76, 150, 40, 230, 100, 100, 110, 70, 130, 110])
        arrange(self.view, (0, 1, 8, 3, 4, 5, 6, 7, 2, 9, 10))  # 姓名 身份证号 类别 所属区划 first
        self.view.activated.connect(lambda index: self._open(index.row()))  # double-click or Enter
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self.model.sort_column(), self.model.sort_direction(self.model.sort_column()))
        header.sectionClicked.connect(self.sort_by_column)
        layout.addWidget(self.view)
        hint = QLabel("双击一行（或按回车）查看该人员的全部来源行。")
        hint.setObjectName("hint")
        layout.addWidget(hint)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.model.counted.connect(self._show_count)
        self.category.currentIndexChanged.connect(lambda _i: self.refresh())

    def sort_by_column(self, column: int) -> None:
        """A header click: sort on the census if it can sort by that column, else keep the order shown."""
        if column in self.model.SORT_KEYS:
            self.view.scrollToTop()
            self.model.sort(column)
        current = self.model.sort_column()
        header = self.view.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(current, self.model.sort_direction(current))
        header.blockSignals(False)

    def set_region(self, census: Census | None, region_id: int | None) -> None:
        self.census, self.region_id = census, region_id
        self.refresh()

    def refresh(self) -> None:
        self._timer.stop()
        self.model.set_query(self.census, self.region_id, self.search.text().strip(), self.category.currentData())
        self._show_count()

    def _show_count(self) -> None:
        found = self.model.found
        if found is None:
            self.count.setText("正在查找…")
        elif found < 0:
            self.count.setText("查找失败，请再试一次（原因已记录到日志）")
        else:
            self.count.setText(f"{self.category.currentText()}：{found:,} 人")

    def _open(self, row: int) -> None:
        person = self.model.person(row)
        if person is not None:
            self.open_person.emit(person)


class ProblemsPage(QWidget):
    correct_requested = Signal(object)  # Problem
    show_row_requested = Signal(object)  # Problem

    KINDS = (("全部问题", None), ("待核实", "pending"), ("姓名不一致", "name_conflict"), ("需复核", "review"),
             ("新增区划", "new_region"))

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._all: list[Problem] = []
        self.writable = True  # False while the window works or the census is read-only
        # the problems to list once shown: read(census), on a connection of the reader's own
        # thread, or on `census` itself when a caller needs them at once (printing)
        self._source: tuple[Census, Callable[[Census], list[Problem]]] | None = None
        self._key: object = None  # which list set_source reads (the census and region)
        self._keep_row = -1  # the row to select again once the same list is read again
        self._generation = 0  # of set_source and set_problems: a read for an earlier one is dropped
        self._reading = False  # the list of this generation is being read off the GUI thread
        self._reader = TaskRunner(self)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.kind = QComboBox()
        for label, key in self.KINDS:
            self.kind.addItem(label, key)
        self.kind.currentIndexChanged.connect(lambda _i: self._filter())
        self.count = QLabel("")
        self.correct_button = QPushButton("更正身份证号…")
        self.row_button = QPushButton("查看源数据行")
        bar.addWidget(QLabel("类型："))
        bar.addWidget(self.kind)
        bar.addWidget(self.count)
        bar.addStretch(1)
        bar.addWidget(self.row_button)
        bar.addWidget(self.correct_button)
        layout.addLayout(bar)
        self._model = ProblemsModel(self)
        self.view = make_table(self._model, [84, 240, 60, 150, 150, 64, 44, 170])
        arrange(self.view, (0, 1, 4, 5, 6, 2, 7, 3))  # reason, file, sheet, row, name, region, then the ID
        self.view.activated.connect(lambda _index: self._emit(self.show_row_requested))  # double-click or Enter
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.view)
        hint = QLabel("待核实的行没有计入人才数；更正身份证号后立即重新统计。双击一行（或按回车）查看原始行。")
        hint.setObjectName("hint")
        layout.addWidget(hint)
        self.correct_button.clicked.connect(lambda: self._emit(self.correct_requested))
        self.row_button.clicked.connect(lambda: self._emit(self.show_row_requested))
        self._update_buttons()

    def set_problems(self, problems: list[Problem]) -> None:
        self._source = None
        self._key = None
        self._generation += 1
        self._reading = False
        self._all = problems
        self._filter()

    def set_source(self, census: Census, read: Callable[[Census], list[Problem]], key: object = None) -> None:
        """The problems to list, read when the page is shown (or asked for): a province's root has
        thousands, which selecting a region on another page need not wait for, and reading them
        (0.14 s for 10,000 pending rows, more with a province's) happens on a thread of its own
        while the rows listed before stay, their buttons off. `key` names the list (census and
        region): the same list read again, after a correction or an undo, keeps the clerk's place,
        the row at the same position selected (after a correction, the next problem), instead of
        no row at all."""
        self._keep_row = selected_row(self.view) if key is not None and key == self._key else -1
        self._key = key
        self._source = (census, read)
        self._generation += 1
        self._reading = False
        if self.isVisible():
            self._read_off_thread()

    @property
    def loading(self) -> bool:
        """Whether the list is being read off the GUI thread."""
        return self._reading

    @property
    def all(self) -> list[Problem]:
        self._loaded()
        return self._all

    @property
    def model(self) -> ProblemsModel:
        self._loaded()
        return self._model

    def set_full(self, full: bool) -> None:
        """Show IDs in full or masked, without reading the list for it."""
        self._model.set_full(full)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._read_off_thread()
        super().showEvent(event)

    def _loaded(self) -> None:
        """The list read now, on this thread, for a caller that needs it at once."""
        if self._source is not None:
            census, read = self._source
            self._show(self._generation, read(census))

    def _read_off_thread(self) -> None:
        if self._source is None or self._reading:
            return
        census, read = self._source
        path, generation = census.path, self._generation
        self._reading = True
        self.count.setText("正在读取问题清单…")
        self._update_buttons()
        self._reader.start(lambda _cancel: _read_problems(path, read),
                           on_done=lambda problems: self._show(generation, problems),
                           on_fail=lambda message: self._failed(generation, message))

    def _show(self, generation: int, problems: list[Problem]) -> None:
        if generation != self._generation or self._source is None:
            return  # another list was asked for meanwhile, or this one was read already
        self._source, self._reading = None, False
        self._all = problems
        self._filter()
        keep, self._keep_row = self._keep_row, -1
        if keep >= 0 and self._model.rowCount():
            self.select_row(min(keep, self._model.rowCount() - 1))

    def _failed(self, generation: int, message: str) -> None:
        """Nothing listed rather than rows that may be stale; showing the page again reads again."""
        if generation == self._generation and self._source is not None:
            self._reading = False
            self._all = []
            self._model.set_items([])
            self.count.setText(f"问题清单读取失败：{message}")
            self._update_buttons()

    def finish_reads(self) -> None:
        """The window closes: let a read under way end (its connection holds the census file open)."""
        self._reader.wait()

    def _filter(self) -> None:
        kind = self.kind.currentData()
        shown = [p for p in self._all if kind is None or p.kind == kind]
        self._model.set_items(shown)
        pending = sum(1 for p in self._all if p.kind == "pending")
        self.count.setText(f"共 {len(self._all)} 条，其中待核实 {pending} 行")
        self._update_buttons()

    def current(self) -> Problem | None:
        # Not self.model: asking whether a row is selected must not read a region's problems
        # before the page is shown (opening a province census read 7,666 of them for nothing).
        return self.item_at(selected_row(self.view))

    def item_at(self, row: int) -> Problem | None:
        """The problem listed at `row`; None while another list is read: the rows shown are then
        the list before, acted on no more (and never the new list's row at that place)."""
        return None if self.loading else self._model.item(row)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def set_writable(self, writable: bool) -> None:
        self.writable = writable
        self._update_buttons()

    def _update_buttons(self) -> None:
        p = self.current()
        self.correct_button.setEnabled(self.writable and p is not None and p.kind == "pending"
                                       and p.row_id is not None)
        self.row_button.setEnabled(p is not None and p.row_id is not None)

    def _emit(self, signal) -> None:
        p = self.current()
        if p is not None and p.row_id is not None:
            signal.emit(p)


def _read_problems(path: Path, read: Callable[[Census], list[Problem]]) -> list[Problem]:
    """On the reader's thread: the list, through a connection of this read's own."""
    with Census.open_unchanged(path) as census:
        return read(census)


class HistoryPage(QWidget):
    undo_requested = Signal(object)  # Batch

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.count = QLabel("")
        self.undo_button = QPushButton("撤销所选导入…")
        bar.addWidget(self.count)
        bar.addStretch(1)
        bar.addWidget(self.undo_button)
        layout.addLayout(bar)
        self.model = BatchesModel(self)
        self.view = make_table(self.model, [50, 240, 140, 270, 90, 60, 60, 60])
        self.view.verticalHeader().hide()
        layout.addWidget(self.view)
        hint = QLabel("撤销一次导入会删除该文件的全部数据行及由此得出的统计，如同从未导入。")
        hint.setObjectName("hint")
        layout.addWidget(hint)
        self.writable = True  # False while the window works or the census is read-only
        self.undo_button.clicked.connect(self._undo)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_button())
        self.undo_button.setEnabled(False)

    def set_batches(self, batches: list[Batch]) -> None:
        self.model.set_items(batches)
        self.count.setText(f"已导入 {len(batches)} 个文件")
        self._update_button()

    def set_writable(self, writable: bool) -> None:
        self.writable = writable
        self._update_button()

    def _update_button(self) -> None:
        self.undo_button.setEnabled(self.writable and self.current() is not None)

    def current(self) -> Batch | None:
        return self.model.item(selected_row(self.view))

    def _undo(self) -> None:
        batch = self.current()
        if batch is not None:
            self.undo_requested.emit(batch)


