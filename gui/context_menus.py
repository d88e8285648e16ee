"""Right-click menus, as in every Excel/WPS and Qt program: the region tree (查看人员, 查看问题,
导出本区划, 设置户籍人口, 并入其他区划, units), the people table (查看详情, 复制, 调整所属区划), the
problems table (查看源数据行, 更正身份证号, 复制) and the import history (撤销导入, 打开原文件所在文件夹).

Each menu is built by a function of the window and the row (the tests trigger its actions); the
entries call the window's own slots, so a menu does nothing a button or a dialog would not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMenu, QTableView, QWidget

from gui import messages, region_picker, unit_dialog
from gui.conventions import copy_selected_rows

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def install(window: MainWindow) -> None:
    """Right-click on the people, problems and history tables opens their menu."""
    for view, build in ((window.people.view, people_menu), (window.problems.view, problems_menu),
                        (window.history.view, history_menu)):
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(_Popup(window, view, build))


class _Popup:
    """The slot of one table: select the row under the pointer, then show its menu there."""

    def __init__(self, window: MainWindow, view: QTableView, build: Callable[[MainWindow, int], QMenu]):
        self.window, self.view, self.build = window, view, build

    def __call__(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        if not self.view.selectionModel().isRowSelected(index.row(), index.parent()):
            self.view.selectRow(index.row())
        menu = self.build(self.window, index.row())
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()


def people_menu(window: MainWindow, row: int) -> QMenu:
    person = window.people.model.person(row)
    menu = QMenu(window.people.view)
    if person is None:
        return menu
    menu.addAction("查看详情…", lambda: window.show_person(person))
    menu.addAction("复制", lambda: copy_selected_rows(window.people.view))
    menu.addSeparator()
    reassign = menu.addAction("调整所属区划…", lambda: ask_reassign(window, person.id_number))
    reassign.setEnabled(not window.read_only and not window.busy)
    return menu


def ask_reassign(window: MainWindow, id_number: str) -> None:
    """Choose the region a person is counted under (the same step as in the person's dialog)."""
    if window.census is None:
        return
    person = window.census.people.get(id_number)
    region_id = region_picker.choose_region(
        window, window.census.regions.all(), person.region_id,
        f"{person.name}（现属“{person.region_path}”）计入哪个区划？")
    if region_id is not None and region_id != person.region_id:
        window.reassign(id_number, region_id)


def problems_menu(window: MainWindow, row: int) -> QMenu:
    problem = window.problems.item_at(row)
    menu = QMenu(window.problems.view)
    if problem is None:
        return menu
    show = menu.addAction("查看源数据行…", lambda: window.show_source_row(problem))
    show.setEnabled(problem.row_id is not None)
    correct = menu.addAction("更正身份证号…", lambda: window.ask_correct(problem))
    correct.setEnabled(problem.kind == "pending" and problem.row_id is not None
                       and not window.read_only and not window.busy)
    menu.addAction("复制", lambda: copy_selected_rows(window.problems.view))
    return menu


def history_menu(window: MainWindow, row: int) -> QMenu:
    batch = window.history.model.item(row)
    menu = QMenu(window.history.view)
    if batch is None:
        return menu
    undo = menu.addAction("撤销导入…", lambda: window.ask_undo(batch))
    undo.setEnabled(not window.read_only and not window.busy)
    menu.addAction("打开原文件所在文件夹", lambda: open_source_folder(window, Path(batch.file_path)))
    return menu


def open_source_folder(window: MainWindow, path: Path) -> bool:
    """Open the folder the return was imported from; say so when it has gone (moved, a USB stick)."""
    folder = path.parent
    if not str(path) or not folder.is_dir():
        messages.show_error(window, f"{path.name}：原文件所在的文件夹已不存在（可能已移动或删除）：{folder}")
        return False
    messages.open_folder(path)
    return True


def tree_menu(window: MainWindow, region_id: int) -> QMenu:
    menu = QMenu(window.tree)
    can_write = not window.read_only and not window.busy
    menu.addAction("查看人员", lambda: show_page(window, region_id, window.people))
    menu.addAction("查看问题", lambda: show_page(window, region_id, window.problems))
    export = menu.addMenu("导出本区划")
    export.addAction("更正清单…", lambda: ask_export_region(window, region_id, "corrections"))
    export.addAction("采集模板…", lambda: ask_export_region(window, region_id, "templates"))
    export.setEnabled(not window.busy)
    menu.addSeparator()
    for text, slot in (("设置户籍人口…", lambda: window.ask_population_value(region_id)),
                       ("并入其他区划…", lambda: window.ask_fold_region(region_id))):
        menu.addAction(text, slot).setEnabled(can_write)
    unit = menu.addAction("单位类型和在岗职工数…", lambda: unit_dialog.ask_unit(window, region_id))
    refused = window.census.units.not_a_unit(region_id) if window.census is not None else None
    unit.setEnabled(can_write and refused is None)
    if refused:  # said before the clerk fills in the dialog, not after
        unit.setToolTip(refused)
        menu.setToolTipsVisible(True)
    menu.addAction("未达单位目标的单位、未覆盖社工站的街道…", lambda: unit_dialog.show_shortfalls(window))
    return menu


def show_page(window: MainWindow, region_id: int, page: QWidget) -> None:
    window.select_region(region_id)
    window.tabs.setCurrentWidget(page)


def ask_export_region(window: MainWindow, region_id: int, what: str) -> None:
    summary = window.tree_model.summaries.get(region_id)
    if summary is None:
        return
    title = "选择保存更正清单的文件夹" if what == "corrections" else "选择保存采集模板的文件夹"
    folder = QFileDialog.getExistingDirectory(window, f"{title}（{summary.name}）", str(Path.home()))
    if folder:
        export_region(window, summary.path, Path(folder), what)


def export_region(window: MainWindow, region_path: str, outdir: Path, what: str) -> None:
    """The correction lists or the collection templates of one node and everything below it."""
    if what == "templates":
        window.write_templates(outdir, region_path)
    else:
        window.export_corrections(outdir, full_ids=False, region=region_path)  # masked: lists travel
