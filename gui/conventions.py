"""The habits clerks bring from Excel/WPS and every Qt program: Ctrl+C copies the selected rows of
any table as tab-separated text (pastes into cells), Ctrl+F finds (people on the 人员 page,
regions elsewhere), F5 refreshes, 帮助 → 关于 names the version and build date; splitter
positions and column widths are remembered between sessions."""

from __future__ import annotations

import json
import tomllib
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMessageBox,
    QSplitter,
    QTableView,
    QTreeView,
    QWidget,
)

from gui.paths import APP_TITLE, bundle_root, resource_path, settings

if TYPE_CHECKING:
    from gui.main_window import MainWindow

BUILD_INFO = "build_info.json"  # written by build.spec into the bundle's resources: version and build date


FRAME_ROOM = (16, 48)  # width and height a window's frame and title bar take beyond its own size


def fit_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize a window to width×height, or less where its screen (less the taskbar) is smaller:
    on a 1366×768 laptop the review's 1280×780 hid 开始导入 and 取消 below the taskbar."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, room.width() - FRAME_ROOM[0])
        height = min(height, room.height() - FRAME_ROOM[1])
    widget.resize(width, height)


def selected_rows_tsv(view: QAbstractItemView) -> str:
    """The selected rows (whole rows, visible columns, as shown) as tab-separated lines; a cell's
    own tabs and line breaks become spaces so one row stays one spreadsheet row."""
    model = view.model()
    selection = view.selectionModel()
    if model is None or selection is None:
        return ""
    rows = sorted({index.row() for index in selection.selectedIndexes()}
                  | {index.row() for index in selection.selectedRows()})
    header = view.header() if isinstance(view, QTreeView) else getattr(view, "horizontalHeader", lambda: None)()
    shown = range(model.columnCount()) if header is None else (header.logicalIndex(v) for v in range(header.count()))
    columns = [c for c in shown if header is None or not header.isSectionHidden(c)]  # in the order on screen
    lines = []
    for row in rows:
        parent = selection.selectedIndexes()[0].parent() if isinstance(view, QTreeView) else view.rootIndex()
        cells = []
        for column in columns:
            value = model.index(row, column, parent).data(Qt.ItemDataRole.DisplayRole)
            cells.append(" ".join(str("" if value is None else value).split()))
        lines.append("\t".join(cells))
    return "\n".join(lines)


def tab_leaves(view: QAbstractItemView) -> None:
    """Tab and Shift+Tab leave a table for the next or previous control; the arrows move inside it
    (Qt's tables walk Tab from cell to cell for ever: the buttons beside them, 更正身份证号… or 关闭,
    were out of a keyboard's reach)."""
    view.setTabKeyNavigation(False)


def copy_selected_rows(view: QAbstractItemView) -> bool:
    text = selected_rows_tsv(view)
    if text:
        QGuiApplication.clipboard().setText(text)
    return bool(text)


class _CopyRows(QObject):
    """Ctrl+C on a table or tree copies its selected rows (an event filter of the view: it works
    whatever window is active, and line edits keep their own Ctrl+C)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.matches(QKeySequence.StandardKey.Copy) and isinstance(watched, QAbstractItemView)):
            return copy_selected_rows(watched)
        return False


def install_copy(view: QAbstractItemView) -> None:
    view.installEventFilter(_CopyRows(view))


def version_and_build() -> tuple[str, str]:
    """(version, build date): from the bundle's build_info.json, else from pyproject.toml (running
    from source) — pyproject.toml is the one place the version is written."""
    info = resource_path(BUILD_INFO)
    if info.exists():
        data = json.loads(info.read_text(encoding="utf-8"))
        return data["version"], data["built"]
    with open(bundle_root() / "pyproject.toml", "rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    return version, "源代码运行（未打包）"


def about_text() -> str:
    version, built = version_and_build()
    return f"{APP_TITLE}\n\n版本：{version}\n构建日期：{built}\n\n离线运行，不联网。"


def install(window: MainWindow) -> None:
    """The shortcuts, 帮助 menu and remembered layout of the main window."""
    for view in window.findChildren(QAbstractItemView):
        if isinstance(view, QTableView | QTreeView):
            install_copy(view)
    find = QAction("查找…", window)
    find.setShortcut(QKeySequence.StandardKey.Find)
    find.triggered.connect(window.focus_find)
    refresh = QAction("刷新", window)
    refresh.setShortcut(QKeySequence.StandardKey.Refresh)
    refresh.triggered.connect(window.refresh_in_background)
    edit_menu = window.edit_menu
    edit_menu.addSeparator()
    edit_menu.addAction(find)
    edit_menu.addAction(refresh)
    window.addActions([find, refresh])
    about = QAction("关于…", window)
    about.triggered.connect(lambda: QMessageBox.about(window, f"关于 - {APP_TITLE}", about_text()))
    window.menuBar().addMenu("帮助(&H)").addAction(about)
    restore_layout(window)


def _layout_key(widget) -> str:
    return f"layout/{widget.objectName()}"


def _name_layout(window: MainWindow) -> None:
    """Names under which the splitter and the tables' column widths are remembered."""
    window.splitter.setObjectName("main_splitter")
    window.tree.header().setObjectName("region_tree_columns")
    for name, page in (("people", window.people), ("problems", window.problems), ("history", window.history)):
        page.view.horizontalHeader().setObjectName(f"{name}_columns_v2")  # v2: columns reordered


def restore_layout(window: MainWindow) -> None:
    _name_layout(window)
    store = settings()
    for splitter in window.findChildren(QSplitter):
        if splitter.objectName() and (state := store.value(_layout_key(splitter))) is not None:
            splitter.restoreState(state)
    for header in window.findChildren(QHeaderView):
        if header.objectName() and (state := store.value(_layout_key(header))) is not None:
            header.restoreState(state)


def save_layout(window: MainWindow) -> None:
    store = settings()
    for widget in [*window.findChildren(QSplitter), *window.findChildren(QHeaderView)]:
        if widget.objectName():
            store.setValue(_layout_key(widget), widget.saveState())
