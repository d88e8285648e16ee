"""The main window: region tree on the left, the selected node's dashboard, people, problems, history.

Every change to the census runs through `self.runner` (one worker thread, its own connection);
the window keeps a read connection of its own and reopens it after each change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gui import context_menus, conventions, first_steps, messages, printing, region_picker
from gui.counted import Counted, counted
from gui.dashboard import Dashboard
from gui.models_qt import RegionTreeModel
from gui.over_time_window import OverTime
from gui.pages import HistoryPage, PeoplePage, ProblemsPage
from gui.paths import APP_TITLE, CENSUS_SUFFIX, backups_dir, data_dir, demo_census_path, settings
from gui.person_dialog import SourceRowsDialog
from gui.row_cells import CellsReader
from gui.start_page import StartPage
from gui.worker import Control, TaskRunner, Worker
from importers.files import READ_SUFFIXES, expand_paths, left_out, left_out_line
from importers.read_ahead import read_cells, read_isolated
from models.census import Census, remove_census_file, same_file
from models.errors import CensusError, os_error_reason
from models.identity import clean_text, mask_id
from models.records import Batch, Person, Problem

MAX_RECENT = 8
CENSUS_FILTER = f"普查文件 (*{CENSUS_SUFFIX})"
RETURNS_FILTER = f"摸排表 ({' '.join('*' + suffix for suffix in READ_SUFFIXES)});;所有文件 (*)"  # every kind a return is read from
READ_POPULATION = read_cells  # what the helper process does with a population table (tests hand one that dies)


READ_ONLY_LINE = ("此普查文件是只读的，只能查看和导出，不能导入或修改。"
                  "要修改，请用“文件 → 另存为…”保存一份可写入的副本。")


def census_task(path: Path, action: Callable[[Census], Any],
                read_only_ok: bool = False) -> Callable[[Callable[[], bool]], Any]:
    """A worker function that runs `action` on its own connection to the census file
    (`read_only_ok` for actions that only read, such as exports)."""
    def task(cancel: Callable[[], bool]) -> Any:
        with Census.open(path, read_only_ok=read_only_ok) as census:
            return action(census)
    return task


def changed_and_counted(action: Callable[[Census], Any]) -> Callable[[Census], tuple[Any, Counted]]:
    """`action`, then what the window shows after it (gui/counted.py), on the worker's connection:
    the window shows it without working it out on the GUI thread (a province's: 0.6–0.8 s)."""
    def run(census: Census) -> tuple[Any, Counted]:
        return action(census), counted(census)
    return run


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.census: Census | None = None
        self.full_ids = False
        self.runner = TaskRunner(self, default_fail=self.show_error)
        self.runner.busy_changed.connect(self._busy_changed)
        self.cells_reader = CellsReader(self)  # dialogs' raw cells, off the GUI thread (gui/row_cells.py)
        self.import_dialog = None
        self.goal_dialog = None
        self.person_dialog: SourceRowsDialog | None = None
        self._focus_before_work: QWidget | None = None  # where the focus was when the worker started
        self.setAcceptDrops(True)
        self._build_actions()
        self._build_menus()
        self._build_central()
        self.over_time = OverTime(self)  # the 对比 page and 普查信息 (gui/over_time_window.py)
        self.statusBar().addPermanentWidget(self._status_label())
        self._restore_geometry()
        conventions.install(self)  # Ctrl+C/F, F5, 帮助 → 关于, remembered splitter and column widths
        context_menus.install(self)  # right-click menus of the tables (the tree's: _tree_menu)
        self.guide = first_steps.Guide(self)  # ① ② ③ on the start page and in a census with no return
        self.act_print = printing.install(self)  # Ctrl+P with a preview
        self._update_state()

    # ---- building ------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_actions(self) -> None:
        self.act_new = self._action("新建普查文件…", self.ask_new, QKeySequence.StandardKey.New)
        self.act_open = self._action("打开普查文件…", self.ask_open, QKeySequence.StandardKey.Open)
        self.act_save_as = self._action("另存为…", self.ask_save_as, QKeySequence.StandardKey.SaveAs)
        self.act_demo = self._action("打开示例", self.open_demo)
        self.act_close = self._action("关闭普查文件", self.close_census)
        self.act_quit = self._action("退出", self.close, QKeySequence.StandardKey.Quit)
        self.act_import = self._action("导入摸排表…", self.ask_import_files, "Ctrl+I")
        self.act_import_dir = self._action("导入文件夹…", self.ask_import_folder)
        self.act_population = self._action("导入户籍人口表…", self.ask_population)
        self.act_rules = self._action("统计规则…", self.ask_rules)
        self.act_export_summary = self._action("导出汇总…", self.ask_export_summary)
        self.act_export_corrections = self._action("导出更正清单…", self.ask_export_corrections)
        self.act_templates = self._action("生成采集模板…", self.ask_templates)
        self.act_merge = self._action("合并普查文件…", self.ask_merge)
        self.act_undo = self._action("撤销", self.undo_step, QKeySequence.StandardKey.Undo)
        self.act_redo = self._action("重做", self.redo_step, QKeySequence.StandardKey.Redo)
        self.act_full_ids = QAction("显示完整证件号", self)
        self.act_full_ids.setCheckable(True)
        self.act_full_ids.toggled.connect(self._toggle_full_ids)
        self.census_actions = [self.act_save_as, self.act_close, self.act_import, self.act_import_dir,
                               self.act_population, self.act_rules, self.act_export_summary,
                               self.act_export_corrections, self.act_templates, self.act_merge]
        # Off while the open census is read-only.
        self.write_actions = [self.act_import, self.act_import_dir, self.act_population, self.act_rules, self.act_merge]

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = file_menu = bar.addMenu("文件(&F)")
        for action in (self.act_new, self.act_open):
            file_menu.addAction(action)
        self.recent_menu = QMenu("最近打开", self)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.act_save_as)
        file_menu.addSeparator()
        file_menu.addAction(self.act_demo)
        file_menu.addAction(self.act_close)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        self.edit_menu = edit_menu = bar.addMenu("编辑(&E)")
        edit_menu.addAction(self.act_undo)
        edit_menu.addAction(self.act_redo)
        data_menu = bar.addMenu("导入(&I)")
        for action in (self.act_import, self.act_import_dir, self.act_population):
            data_menu.addAction(action)
        data_menu.addSeparator()
        data_menu.addAction(self.act_merge)  # merging brings other census files in
        export_menu = bar.addMenu("导出(&X)")
        for action in (self.act_export_summary, self.act_export_corrections, self.act_templates):
            export_menu.addAction(action)
        settings_menu = bar.addMenu("设置(&S)")
        settings_menu.addAction(self.act_rules)
        settings_menu.addAction(self.act_full_ids)
        toolbar = self.addToolBar("常用")
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.act_import, self.act_population, self.act_export_summary, self.act_rules):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.act_full_ids)
        self._refresh_recent_menu()

    def _build_central(self) -> None:
        self.stack = QStackedWidget()
        self.start_page = StartPage()
        self.start_page.new_requested.connect(self.ask_new)
        self.start_page.open_requested.connect(self.ask_open)
        self.start_page.demo_requested.connect(self.open_demo)
        self.start_page.recent_requested.connect(lambda path: self.open_in_background(Path(path)))
        self.stack.addWidget(self.start_page)

        self.tree_model = RegionTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)  # names never cut; numbers scroll
        for column, width in ((1, 90), (2, 72), (3, 100), (4, 80)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.tree.setColumnWidth(column, width)
        self.tree.selectionModel().currentRowChanged.connect(lambda *_: self._region_selected())
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)

        self.dashboard = Dashboard()
        self.dashboard.edit_population.connect(self.ask_population_value)
        self.dashboard.edit_goal.connect(self.ask_goal)
        self.dashboard.delete_goal.connect(self.ask_delete_goal)
        self.dashboard.shortfalls.region_chosen.connect(self.select_region)
        self.people = PeoplePage()
        self.people.open_person.connect(self.show_person)
        self.problems = ProblemsPage()
        self.problems.correct_requested.connect(self.ask_correct)
        self.problems.show_row_requested.connect(self.show_source_row)
        self.history = HistoryPage()
        self.history.undo_requested.connect(self.ask_undo)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.dashboard, "概况")
        self.tabs.addTab(self.people, "人员")
        self.tabs.addTab(self.problems, "问题")
        self.tabs.addTab(self.history, "导入记录")

        self.region_search = QLineEdit()
        self.region_search.setPlaceholderText("查找区划：输入名称，如 光明社区，回车跳转")
        self.region_search.setClearButtonEnabled(True)
        self.region_search.returnPressed.connect(lambda: self.find_region(self.region_search.text()))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        left_layout.addWidget(self.region_search)
        left_layout.addWidget(self.tree)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([420, 1040])
        self.read_only_banner = QLabel(READ_ONLY_LINE)
        self.read_only_banner.setObjectName("readOnlyBanner")
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setStyleSheet("QLabel#readOnlyBanner { background: #FFF2CC; padding: 6px; }")
        self.read_only_banner.hide()
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.read_only_banner)
        page_layout.addWidget(self.splitter)
        self.stack.addWidget(page)
        self.setCentralWidget(self.stack)

    def _status_label(self) -> QLabel:
        self.status = QLabel("")
        return self.status

    # ---- state -----------------------------------------------------------------------------
    def _update_state(self) -> None:
        has = self.census is not None
        busy = self.runner.busy
        read_only = self.read_only
        for action in self.census_actions:
            action.setEnabled(has and not busy and not (read_only and action in self.write_actions))
        self.read_only_banner.setVisible(read_only)
        writable = has and not busy and not read_only
        self.dashboard.set_writable(writable)
        self.problems.set_writable(writable)  # 更正身份证号 and 撤销所选导入 would only be refused or queued twice
        self.history.set_writable(writable)
        if self.person_dialog is not None:
            self.person_dialog.set_writable(writable)
        for action in (self.act_new, self.act_open, self.act_demo):
            action.setEnabled(not busy)
        self.recent_menu.setEnabled(not busy)
        self._update_undo_actions()
        opened = has and self.stack.currentIndex() == 0
        self.stack.setCurrentIndex(1 if has else 0)
        if opened:  # the start page's button had it: Qt gave it to 查找区划, where arrows move nothing
            self.tree.setFocus()
        self.guide.refresh()
        if has:
            assert self.census is not None
            state = "（只读）" if read_only else ""
            self.setWindowTitle(f"{self.census.title}{state} — {self.census.path} - {APP_TITLE}")
        else:
            self.setWindowTitle(APP_TITLE)
            self.status.setText("")  # a closed census's totals must not stay behind
            self.start_page.set_recent(self.recent_files())

    def _update_undo_actions(self) -> None:
        """编辑 → 撤销/重做 name the step they would take back or bring back."""
        can_write = self.census is not None and not self.runner.busy and not self.read_only
        undo = self.census.undo.next_undo() if can_write and self.census is not None else None
        redo = self.census.undo.next_redo() if can_write and self.census is not None else None
        self.act_undo.setText(f"撤销“{undo.name}”" if undo else "撤销")
        self.act_redo.setText(f"重做“{redo.name}”" if redo else "重做")
        self.act_undo.setEnabled(undo is not None)
        self.act_redo.setEnabled(redo is not None)

    def _busy_changed(self, busy: bool) -> None:
        if busy:  # the button that started the work is disabled while it runs and gives its focus away
            self._focus_before_work = self.focusWidget()
        self._update_state()
        if busy:
            self.statusBar().showMessage("正在处理，请稍候…")
        else:
            self.statusBar().clearMessage()
            self._focus_back()

    def _focus_back(self) -> None:
        """After the work, the focus goes back where the clerk left it (设定目标…, 更正身份证号… for the
        next problem) if that is usable again; it stayed wherever Qt had moved it, e.g. on the chart."""
        widget, self._focus_before_work = self._focus_before_work, None
        try:
            usable = widget is not None and widget.isVisible() and widget.isEnabled()
        except RuntimeError:  # deleted meanwhile (a dialog's, a page rebuilt)
            return
        if usable and self.focusWidget() is not widget:
            widget.setFocus()  # type: ignore[union-attr]

    @property
    def busy(self) -> bool:
        return self.runner.busy

    @property
    def read_only(self) -> bool:
        """The open census cannot be written here (read-only file, folder or media)."""
        return self.census is not None and self.census.read_only

    def refuse_if_read_only(self) -> bool:
        """Say why nothing can be changed in a read-only census; True when that is the case."""
        if self.read_only:
            self.show_error(READ_ONLY_LINE)
        return self.read_only

    def show_error(self, message: str) -> None:
        messages.show_error(self, message)

    # ---- recent files (QSettings, gui only) -------------------------------------------------
    def recent_files(self) -> list[str]:
        value = settings().value("recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [p for p in items if p and Path(p).exists()]

    def _remember(self, path: Path) -> None:
        text = str(path.resolve())
        items = [text] + [p for p in self.recent_files() if p != text]
        store = settings()
        store.setValue("recent", items[:MAX_RECENT])
        store.setValue("last", text)
        store.sync()
        self._refresh_recent_menu()

    def last_file(self) -> Path | None:
        value = settings().value("last", "")
        return Path(value) if value and Path(value).exists() else None

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        for path in files:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_in_background(Path(p)))
        self.recent_menu.setEnabled(bool(files))

    # ---- opening ---------------------------------------------------------------------------
    def open_in_background(self, path: Path, create: bool = False) -> None:
        """Open a census as a clerk does (最近打开, 打开, a dropped file, the last one at start): the
        file is opened, brought up to date (an older census's migration may rewrite its tables) and
        counted on the worker thread; the window then takes it over with that summary. A missing
        file is an error unless `create` (a path named on the command line)."""
        if self.runner.busy:
            self.show_error("请等待当前操作完成后再打开其他普查文件。")
            return

        def opened(cancel: Callable[[], bool]) -> Counted:
            with Census.open(path, create=create, read_only_ok=True) as census:
                return counted(census)

        self.run_task(opened, lambda view: self.open_census(path, view), f"正在打开 {path.name} …")

    def open_census(self, path: Path, view: Counted | None = None) -> bool:
        """Open a census here and now (a new one; the tests); `view`: worked out already by
        open_in_background's worker."""
        if self.runner.busy:
            self.show_error("请等待当前操作完成后再打开其他普查文件。")
            return False
        try:
            census = Census.open(path, read_only_ok=True)
        except CensusError as err:
            self.show_error(str(err))
            return False
        self._close_connection()
        self.census = census
        self._remember(path)
        self.reload(select_root=True, view=view)
        if str(path).startswith(("\\\\", "//")):
            messages.show_info(self, "这个普查文件在网络共享文件夹上。多人同时通过网络打开同一个普查文件可能损坏数据，"
                                     "建议复制到本机磁盘后再使用，用完再复制回去。", "网络位置")
        return True

    def _close_connection(self) -> None:
        if self.census is not None:
            self.census.close()
            self.census = None

    def close_census(self) -> None:
        if self.runner.busy:
            return
        self._close_connection()
        settings().setValue("last", "")
        self.tree_model.load([])
        self.people.set_region(None, None)
        self.problems.set_problems([])  # nothing left to read from the closed census
        self._update_state()

    def new_census(self, path: Path) -> bool:
        path = path if path.suffix == CENSUS_SUFFIX else path.with_name(path.name + CENSUS_SUFFIX)
        if path.is_dir():
            self.show_error(f"{path.name}：这是一个文件夹，请换一个文件名。")
            return False
        if self.census is not None and same_file(self.census.path, path):
            self.show_error("不能覆盖当前打开的普查文件，请换一个文件名。")
            return False
        try:
            remove_census_file(path)
        except OSError as err:  # another program holds it (WPS, a second window, antivirus)
            self.show_error(f"无法新建“{path.name}”：已有同名文件且无法替换（{os_error_reason(err)}），请换一个文件名。")
            return False
        return self.open_census(path)

    def ask_new(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "新建普查文件", str(data_dir() / f"新普查{CENSUS_SUFFIX}"),
                                              CENSUS_FILTER)
        if name:
            self.new_census(Path(name))

    def ask_open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "打开普查文件", str(data_dir()), CENSUS_FILTER)
        if name:
            self.open_in_background(Path(name))

    def ask_save_as(self) -> None:
        if self.census is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "另存为", str(self.census.path.with_name(
            self.census.path.stem + "-副本" + CENSUS_SUFFIX)), CENSUS_FILTER)
        if name:
            self.save_as(Path(name))

    def save_as(self, target: Path) -> bool:
        """Copy the open census with SQLite's backup API (no write is running) and switch to the copy."""
        if self.census is None:
            return False
        if self.runner.busy:
            self.show_error("请等待当前操作完成后再另存。")
            return False
        target = target if target.suffix == CENSUS_SUFFIX else target.with_name(target.name + CENSUS_SUFFIX)
        if same_file(target, self.census.path):
            return True
        try:
            self.census.save_copy(target)
        except CensusError as err:
            self.show_error(str(err))
            return False
        self.open_in_background(target)  # counted on the worker: a province's copy is as large
        return True

    def open_demo(self) -> None:
        path = demo_census_path()
        if path.exists():
            self.open_in_background(path)
            return

        def build(cancel):
            try:
                from demo.build import build_demo_census
            except ImportError:
                raise CensusError("本版本没有附带示例数据") from None
            try:
                return build_demo_census(path, cancel.report)
            except BaseException:
                remove_census_file(path)
                raise

        self.run_task(build, lambda result: self.open_in_background(Path(result or path)),
                      "正在生成示例普查文件（约需几秒钟）…")

    # ---- background work -----------------------------------------------------------------
    def run_task(self, fn, on_done: Callable[[Any], None], label: str, cancellable: bool = False,
                 on_fail: Callable[[str], None] | None = None) -> Worker:
        """Run `fn(cancel)` on the worker thread with a progress dialog; errors become dialogs
        (or go to `on_fail`)."""
        dialog = messages.WaitDialog(self, label, cancellable)

        def progress(done: int, total: int, message: str) -> None:
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)
            if message:
                dialog.setLabelText(message)

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            dialog.reset()
            dialog.close()
            dialog.deleteLater()
            callback(value)

        worker = self.runner.start(fn, lambda value: finish(on_done, value),
                                   lambda message: finish(on_fail or self.show_error, message), progress)
        if cancellable:
            dialog.canceled.connect(worker.cancel)
        return worker

    def write(self, action: Callable[[Census], Any], label: str, on_done: Callable[[Any], None] | None = None) -> None:
        """A change to the census on the worker thread, then a fresh view (its summary worked out
        on the worker thread too)."""
        if self.census is None or self.refuse_if_read_only():
            return
        path = self.census.path

        def done(result: tuple[Any, Counted]) -> None:
            value, view = result
            self.reload(view=view)
            if on_done:
                on_done(value)

        self.run_task(census_task(path, changed_and_counted(action)), done, label)

    def write_step(self, name: str, action: Callable[[Census], Any], label: str,
                   on_done: Callable[[Any], None] | None = None) -> None:
        """A clerk's change recorded in the census's undo history as one step called `name`."""
        self.write(lambda census: census.undo.run(name, lambda: action(census)), label, on_done)

    def undo_step(self) -> None:
        """Ctrl+Z: take back the last recorded change (编辑 → 撤销)."""
        if self.census is None or self.census.undo.next_undo() is None:
            return
        self.write(lambda census: census.undo.undo(), "正在撤销…",
                   lambda name: self.statusBar().showMessage(f"已撤销“{name}”，已重新统计", 5000))

    def redo_step(self) -> None:
        if self.census is None or self.census.undo.next_redo() is None:
            return
        self.write(lambda census: census.undo.redo(), "正在重做…",
                   lambda name: self.statusBar().showMessage(f"已重做“{name}”，已重新统计", 5000))

    def backed_up(self, reason: str, action: Callable[[Census], Any]) -> Callable[[Census], tuple[Path, Any]]:
        """`action` preceded by a backup copy of the census in the user data folder (备份)."""
        def run(census: Census) -> tuple[Path, Any]:
            from models.backup import backup_census

            return backup_census(census, backups_dir(), reason), action(census)
        return run

    # ---- refreshing ----------------------------------------------------------------------
    def refresh_in_background(self) -> None:
        """刷新 (F5): the census counted again on the worker (another program or window may have
        written it), then the views — a province's summary is 0.7 s the GUI thread would spend."""
        if self.census is None or self.runner.busy:
            return
        self.run_task(census_task(self.census.path, counted, read_only_ok=True),
                      lambda view: self.reload(view=view), "正在刷新…")

    def reload(self, select_root: bool = False, view: Counted | None = None) -> None:
        """Reopen the read connection (other threads wrote) and refresh every view, keeping the
        selection. `view`: worked out already, by the worker that just wrote (gui/counted.py)."""
        if self.census is None:
            self._update_state()
            return
        path = self.census.path
        selected = None if select_root else self.selected_region_id()
        self.census.refresh()
        summary = view.summary if view is not None else self.census.summary()
        self.tree_model.load(summary)
        self.tree.expandToDepth(1)
        index = self.tree_model.index_of(selected) if selected is not None else QModelIndex()
        if not index.isValid():
            index = self.tree_model.index(0, 0)
        if index == self.tree.currentIndex():
            self._region_selected()  # same row: no currentRowChanged, refresh the pages ourselves
        else:
            self.tree.setCurrentIndex(index)  # currentRowChanged refreshes the pages once
        self.history.set_batches(view.batches if view is not None else self.census.batches.all())
        self.over_time.refresh()
        totals = self.census.totals(summary)
        self.status.setText(f"人才 {totals['talents']:,} 人 · 待核实 {totals['pending_rows']:,} 行 · {path}")
        self._update_state()

    def _tree_menu(self, pos) -> None:
        index = self.tree.indexAt(pos)
        if self.census is None or not index.isValid():
            return
        menu = context_menus.tree_menu(self, self.tree_model.region_id_of(index))
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def ask_fold_region(self, region_id: int) -> None:
        """Fold a node (typically one a return created from a misspelt name) into the right one."""
        if self.census is None:
            return
        source = self.census.regions.get(region_id)
        target_id = region_picker.choose_region(
            self, self.census.regions.all(), None,
            f"把“{source.path}”并入哪个区划？它的数据行、导入记录和下级区划都会移过去，然后删除“{source.name}”。")
        if target_id is None:
            return
        target = self.census.regions.get(target_id)
        if not messages.ask(self, f"确定把“{source.path}”并入“{target.path}”吗？", "并入其他区划"):
            return
        self.write(self.backed_up("并入前", lambda census: census.undo.run(
            "并入其他区划", lambda: census.regions.fold(region_id, target_id))), "正在备份并并入区划…",
                   lambda result: messages.show_info(
                       self, f"已并入“{target.path}”（可用 编辑 → 撤销 或 Ctrl+Z 撤销）。\n\n"
                             f"并入前的普查文件已备份到：\n{result[0]}", "已并入"))

    def find_region(self, text: str) -> bool:
        """Select the next region whose name (or path) contains the text, after the current one."""
        text = text.strip()
        if self.census is None or not text:
            return False
        order = self.tree_model.order
        hits = [s.region_id for s in order if text in s.name] or [s.region_id for s in order if text in s.path]
        if not hits:
            self.statusBar().showMessage(f"没有找到“{text}”", 4000)
            return False
        current = self.selected_region_id()
        following = hits[(hits.index(current) + 1) % len(hits)] if current in hits else hits[0]
        self.select_region(following)
        self.tree.scrollTo(self.tree.currentIndex())
        if len(hits) > 1:
            self.statusBar().showMessage(f"共 {len(hits)} 个区划含“{text}”，再按回车跳到下一个", 4000)
        return True

    def selected_region_id(self) -> int | None:
        index = self.tree.currentIndex()
        return self.tree_model.region_id_of(index)

    def focus_find(self) -> None:
        """Ctrl+F: the people search on the 人员 page, the region search elsewhere."""
        box = self.people.search if self.tabs.currentWidget() is self.people else self.region_search
        box.setFocus()
        box.selectAll()

    def select_region(self, region_id: int) -> None:
        self.tree.setCurrentIndex(self.tree_model.index_of(region_id))

    def _region_selected(self) -> None:
        if self.census is None:
            return
        region_id = self.selected_region_id()
        summary = self.tree_model.summaries.get(region_id) if region_id is not None else None
        self.dashboard.show_summary(summary, self.tree_model.children_of(region_id) if region_id else [],
                                    self.tree_model.descendants_of(region_id) if region_id else [])
        self.people.set_region(self.census, region_id)
        self.over_time.show_region(summary.path if summary is not None else None)
        census = self.census
        self.problems.set_source(census, lambda reader: reader.problems.all(region_id), (census.path, region_id))

    # ---- masking ---------------------------------------------------------------------------
    def _toggle_full_ids(self, on: bool) -> None:
        if on and not messages.ask(self, "身份证号和电话号码属于个人信息。显示完整号码后请注意屏幕不被他人看到，"
                                         "不要截图外传。\n\n确定要显示完整的身份证号和电话号码吗？",
                                   "显示完整证件号", yes="显示完整号码"):
            self.act_full_ids.blockSignals(True)
            self.act_full_ids.setChecked(False)
            self.act_full_ids.blockSignals(False)
            return
        self.set_full_ids(on)

    def set_full_ids(self, on: bool) -> None:
        self.full_ids = on
        self.act_full_ids.blockSignals(True)
        self.act_full_ids.setChecked(on)
        self.act_full_ids.blockSignals(False)
        self.people.model.set_full(on)
        self.over_time.set_full(on)
        self.problems.set_full(on)

    # ---- people and problems -------------------------------------------------------------
    def show_person(self, person: Person) -> SourceRowsDialog | None:
        if self.census is None:
            return None
        rows = self.census.people.rows(person.id_number, cells=False)
        dialog = SourceRowsDialog(self, f"人员：{person.name}", rows, self.full_ids, person,
                                  manual=self.census.people.manual_region(person.id_number) is not None,
                                  regions=self.census.regions.all)
        dialog.reassign_requested.connect(self.reassign)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._forget_person_dialog(dialog))
        self.person_dialog = dialog
        dialog.set_writable(not self.busy and not self.read_only)
        dialog.open()
        self.cells_reader.read_for(dialog, self.census.path)
        return dialog

    def _forget_person_dialog(self, dialog: SourceRowsDialog) -> None:
        if self.person_dialog is dialog:
            self.person_dialog = None

    def reassign(self, id_number: str, region_id: int | None) -> None:
        """Count a person under a region of the clerk's choosing (None: back to the automatic rule)."""
        def done(_value: Any) -> None:
            if self.census is None:
                return
            dialog = self.person_dialog
            if dialog is not None and dialog.person is not None and dialog.person.id_number == id_number:
                try:
                    person = self.census.people.get(id_number)
                except CensusError:  # gone meanwhile (e.g. an undone import): nothing left to show
                    dialog.close()
                else:
                    dialog.set_person(person, self.census.people.manual_region(id_number) is not None)
            self.statusBar().showMessage("已调整所属区划，已重新统计" if region_id is not None
                                         else "已恢复自动归属，已重新统计", 5000)

        self.write_step("调整所属区划" if region_id is not None else "恢复自动归属",
                        lambda census: census.people.reassign(id_number, region_id), "正在调整所属区划并重新统计…", done)

    def show_source_row(self, problem: Problem) -> SourceRowsDialog | None:
        if self.census is None or problem.row_id is None:
            return None
        try:
            row = self.census.batches.row(problem.row_id, cells=False)
        except CensusError as err:
            self.show_error(str(err))
            return None
        dialog = SourceRowsDialog(self, f"源数据行：{row.file_name} 第 {row.row_number} 行", [row], self.full_ids)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.cells_reader.read_for(dialog, self.census.path)
        return dialog

    def ask_correct(self, problem: Problem) -> None:
        if self.census is not None and problem.row_id is not None:
            known = self.census.problems.suggest_ids(problem.row_id)
            if known:
                shown = [mask_id(n, self.full_ids) for n in known]
                choice = messages.ask_choice(
                    self, f"{problem.file_name} / {problem.sheet} / 第 {problem.row_number} 行　{problem.name}\n"
                          f"原因：{problem.reason}\n\n已有同名人员的身份证号与此相近，可能是同一人：\n"
                          + "\n".join(shown) + "\n\n请核实后选择：",
                    [f"采用 {s}" for s in shown] + ["手工输入…"], title="更正身份证号", safe=True)
                if choice is None:
                    return
                if choice < len(known):
                    self.correct_id(problem.row_id, known[choice])
                    return
        current = problem.id_raw if self.full_ids else ""
        text, ok = QInputDialog.getText(
            self, "更正身份证号",
            f"{problem.file_name} / {problem.sheet} / 第 {problem.row_number} 行　{problem.name}\n"
            f"原因：{problem.reason}\n\n请输入正确的 18 位身份证号：", text=current)
        if ok and text.strip():
            self.correct_id(problem.row_id, text.strip())  # type: ignore[arg-type]

    def correct_id(self, row_id: int, new_id: str) -> None:
        self.write_step("更正身份证号", lambda census: census.problems.correct_id(row_id, new_id), "正在更正并重新统计…",
                   lambda _number: self.statusBar().showMessage("身份证号已更正，已重新统计", 5000))

    def ask_undo(self, batch: Batch) -> None:
        if messages.ask(self, f"撤销导入“{batch.file_name}”（{batch.imported_label}，"
                              f"{batch.rows_total} 行）？\n\n该文件的全部数据行、对这些行做过的更正以及由此得出的统计都会删除。",
                        "撤销导入", yes="撤销导入"):
            self.undo_batch(batch.id)

    def undo_batch(self, batch_id: int) -> None:
        self.write(self.backed_up("撤销导入前", lambda census: census.batches.undo(batch_id)), "正在备份并撤销导入…",
                   lambda result: messages.show_info(self, f"已撤销该次导入。\n\n撤销前的普查文件已备份到：\n{result[0]}",
                                                     "已撤销导入"))

    # ---- population and rules ------------------------------------------------------------
    def ask_population_value(self, region_id: int) -> None:
        summary = self.tree_model.summaries.get(region_id)
        if summary is None:
            return
        # The node's own figure, not the shown one: a street without a figure shows its communities'
        # sum, and pressing 确定 on that sum must not turn it into a fixed figure of the street.
        own = self.census.regions.get(region_id).population if self.census is not None else summary.population
        summed = f"\n目前未填写，按下级区划合计为 {summary.population:,} 人。" if own is None and summary.population is not None else ""
        text, ok = QInputDialog.getText(
            self, "修改户籍人口", f"{summary.path}{summed}\n\n户籍人口（留空表示按下级区划合计）：",
            text="" if own is None else str(own))
        if not ok:
            return
        # full-width digits typed with a Chinese input method, spaces and commas between thousands
        text = clean_text(text).replace(",", "").replace("，", "").removesuffix("人")
        if text and not (text.isascii() and text.isdigit()):  # "²".isdigit() is true, int("²") fails
            self.show_error("户籍人口必须是非负整数。")
            return
        self.set_population(region_id, int(text) if text else None)

    def set_population(self, region_id: int, value: int | None) -> None:
        self.write_step("修改户籍人口", lambda census: census.regions.set_population(region_id, value), "正在保存户籍人口…")

    # ---- other goals ---------------------------------------------------------------------
    def ask_goal(self, region_id: int, category: str = ""):
        """Open the goal dialog for a node (at `category` when given); 确定 saves through the worker."""
        summary = self.tree_model.summaries.get(region_id)
        if summary is None:
            return None
        from gui.goal_dialog import GoalDialog

        dialog = GoalDialog(self, summary, category or None, self.census.as_of if self.census else None)
        dialog.accepted.connect(lambda: self.set_goal(region_id, *dialog.goal()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: setattr(self, "goal_dialog", None))
        self.goal_dialog = dialog
        dialog.open()
        return dialog

    def set_goal(self, region_id: int, category: str, target: int | None, note: str = "",
                 deadline: str | None = None, growth=None) -> None:
        def done(_value: Any) -> None:
            self.statusBar().showMessage("目标已删除" if target is None else "目标已保存", 5000)

        self.write_step("删除目标" if target is None else "设置目标",
                        lambda census: census.regions.set_goal(region_id, category, target, note, deadline, growth),
                   "正在删除目标…" if target is None else "正在保存目标…", done)

    def ask_delete_goal(self, region_id: int, category: str) -> None:
        summary = self.tree_model.summaries.get(region_id)
        goal = next((g for g in summary.goals if g.category == category), None) if summary else None
        if summary is None or goal is None:
            return
        if messages.ask(self, f"删除“{summary.path}”的目标“{goal.label} {goal.target:,} 人”？", "删除目标", yes="删除"):
            self.set_goal(region_id, category, None)

    def ask_population(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "导入户籍人口表", "", RETURNS_FILTER)
        if name:
            self.load_population(Path(name))

    def load_population(self, path: Path) -> None:
        from importers.population import load_population

        # read in a helper process, as the returns are: a reader that aborts fails the file, not the window
        self.write(lambda census: load_population(census, path, read_isolated(path, READ_POPULATION).workbook),
                   "正在导入户籍人口表…",
                   lambda result: messages.show_info(self, result.describe(), "户籍人口已导入"))

    def ask_rules(self) -> None:
        if self.census is None:
            return
        from gui.rules_dialog import RulesDialog

        dialog = RulesDialog(self, self.census.settings.rules)
        dialog.accepted.connect(lambda: self.apply_rules(dialog.rules()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def apply_rules(self, rules) -> None:
        """New rules and the recount of everybody, with progress and 取消 (a cancel keeps the old
        rules and counts: one transaction); one step of the undo history."""
        if self.census is None or self.refuse_if_read_only():
            return
        path = self.census.path

        def task(control: Control) -> Counted:
            def progress(done: int, total: int) -> None:
                control.report(done, total, f"正在按新规则重新统计全部人员…（{done:,} / {total:,} 人）")

            with Census.open(path) as census:
                census.undo.run("修改统计规则",
                                lambda: census.settings.set_rules(rules, progress=progress, cancel=control))
                return counted(census)  # here, not on the GUI thread

        def done(view: Counted) -> None:
            self.reload(view=view)
            self.statusBar().showMessage("统计规则已更新，已重新统计", 5000)

        self.run_task(task, done, "正在按新规则重新统计全部人员…", cancellable=True)

    # ---- import ----------------------------------------------------------------------------
    def ask_import_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "选择摸排表（可多选）", "", RETURNS_FILTER)
        if names:
            self.import_paths([Path(n) for n in names])

    def ask_import_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "选择包含摸排表的文件夹")
        if name:
            self.import_paths([Path(name)])

    @Slot(object)
    def _imported(self, view: Counted | None) -> None:
        """An import from the review ended: the fresh view, as its worker worked it out."""
        self.reload(view=view)

    def import_paths(self, paths: list[Path]):
        """Open the review step for these files (folders stand for the spreadsheets inside)."""
        if self.census is None:
            self.show_error("请先新建或打开一个普查文件，再导入摸排表。")
            return None
        if self.refuse_if_read_only():
            return None
        if self.runner.busy:
            self.show_error("请等待当前操作完成。")
            return None
        files = expand_paths(paths)
        others = left_out_line(left_out(paths))
        if not files:
            self.show_error("所选位置没有可导入的摸排表（.xlsx、.xls、.et、.ods、.csv 等）。" + (f"\n{others}" if others else ""))
            return None
        from gui.import_dialog import ImportDialog

        # the regions as the tree shows them (not the census's tree, 0.1 s to build at a province's size)
        dialog = ImportDialog(self, self.census.path, files, self.runner,
                              [s.path for s in self.tree_model.order], others)
        dialog.imported.connect(self._imported)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt name
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt name
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        censuses = [p for p in paths if p.suffix == CENSUS_SUFFIX]
        if censuses and len(paths) == 1:
            self.open_in_background(censuses[0])
        elif paths:
            self.import_paths(paths)

    # ---- export ----------------------------------------------------------------------------
    def ask_export_summary(self) -> None:
        if self.census is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "导出汇总", str(Path.home() / f"{self.census.title}-汇总.xlsx"),
                                              "Excel 工作簿 (*.xlsx)")
        if not name:
            return
        full = self._ask_full_export()
        if full is not None:
            self.export_summary(Path(name), full)

    def _ask_full_export(self) -> bool | None:
        choice = messages.ask_choice(
            self, "身份证号和电话号码属于个人信息，导出文件可能被转发，因此默认打码（如 150302********1234）。\n"
                  "只有在需要据此核对或报送完整信息时才导出完整号码，并妥善保管文件。",
            ["打码导出（推荐）", "导出完整号码"], "导出方式")
        return None if choice is None else choice == 1

    def export_summary(self, out: Path, full_ids: bool = False) -> None:
        earlier = self.over_time.earlier  # the 对比 page's earlier census: the 增长对比 sheet
        if earlier is not None and not earlier.is_file():  # moved or deleted since it was compared
            self.over_time.forget_earlier("文件已不存在，可能已移动或删除")
            earlier = None

        unreadable: list[str] = []  # why the earlier census could not be read, when it could not

        def action(census):
            from exporters.summary import write_summary_workbook
            from models.compare import EarlierUnreadable
            try:
                return [write_summary_workbook(census, out, full_ids=full_ids, earlier=earlier)]
            except EarlierUnreadable as err:  # damaged or replaced since it was compared: export without it
                unreadable.append(err.message)
                return [write_summary_workbook(census, out, full_ids=full_ids)]

        def first() -> None:
            if unreadable:
                self.over_time.forget_earlier(unreadable[0])
        self._export(action, "正在导出汇总…", "汇总已导出", before_shown=first)

    def ask_export_corrections(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择保存更正清单的文件夹", str(Path.home()))
        if folder:
            full = self._ask_full_export()
            if full is not None:
                self.export_corrections(Path(folder), full)

    def export_corrections(self, outdir: Path, full_ids: bool = False, region: str | None = None) -> None:
        def action(census):
            from exporters.corrections import write_correction_workbooks
            return write_correction_workbooks(census, outdir, full_ids=full_ids, region=region)
        self._export(action, "正在生成更正清单…", "更正清单已生成")

    def ask_templates(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择保存采集模板的文件夹", str(Path.home()))
        if not folder:
            return
        region = None
        region_id = self.selected_region_id()
        summary = self.tree_model.summaries.get(region_id) if region_id is not None else None
        if summary is not None and summary.depth > 0:
            choice = messages.ask_choice(self, "为哪些区划生成采集模板？", ["全部区划", f"仅“{summary.path}”"],
                                         "生成采集模板")
            if choice is None:
                return
            region = summary.path if choice == 1 else None
        self.write_templates(Path(folder), region)

    def write_templates(self, outdir: Path, region: str | None = None) -> None:
        """Templates with progress and 取消 (a province has 18,000 communities and villages)."""
        if self.census is None:
            return
        path = self.census.path

        def task(control: Control):
            from exporters.template import template_files

            with Census.open(path, read_only_ok=True) as census:
                return (yield from template_files(census, outdir, region=region, cancel=control))

        def done(paths) -> None:
            messages.show_paths(self, "采集模板已生成", f"共生成 {len(paths)} 个文件：", [Path(p) for p in paths])

        self.run_task(task, done, "正在生成采集模板…", cancellable=True)

    def _export(self, action: Callable[[Census], list[Path]], label: str, title: str,
                before_shown: Callable[[], None] | None = None) -> None:
        if self.census is None:
            return

        def done(paths) -> None:
            if before_shown is not None:
                before_shown()
            paths = [Path(p) for p in paths or []]
            messages.show_paths(self, title, f"共生成 {len(paths)} 个文件：", paths)

        self.run_task(census_task(self.census.path, action, read_only_ok=True), done, label)

    def ask_merge(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择要合并进来的普查文件", str(data_dir()), CENSUS_FILTER)
        if name:
            self.merge(Path(name))

    def merge(self, source: Path) -> None:
        if self.census is not None and same_file(source, self.census.path):
            self.show_error("不能把普查文件合并到它自己。")
            return

        def action(census):
            from models.merge_files import merge_census_files
            return merge_census_files(census, source)
        self.write(self.backed_up("合并前", action), "正在备份并合并普查文件…", lambda result: messages.show_info(
            self, f"{result[1].describe()}\n\n合并前的备份：{result[0]}", "合并完成"))

    # ---- window ----------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = settings().value("geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(geometry)
        else:
            conventions.fit_screen(self, 1440, 900)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        if self.runner.busy:
            if not messages.ask(self, "还有操作正在进行。现在退出会取消它（未完成的文件不会写入）。确定退出吗？",
                                "退出", yes="退出"):
                event.ignore()
                return
            self.runner.cancel_all()
            self.runner.wait(30000)
        store = settings()
        store.setValue("geometry", self.saveGeometry())
        conventions.save_layout(self)
        store.sync()
        self._close_connection()
        self.people.model.close()
        self.problems.finish_reads()
        self.cells_reader.close()
        event.accept()

