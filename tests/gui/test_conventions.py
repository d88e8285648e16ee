"""The conventions clerks bring: Ctrl+C copies selected rows as tab-separated text, Ctrl+F finds,
F5 refreshes, 帮助 → 关于 names the version, splitter and column widths are remembered."""

from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence

from tests.gui.window_helpers import import_through_review, wait_idle


def filled(qtbot, win, tmp_path, returns):
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    import_through_review(qtbot, win, [returns["tuanjie"], returns["xingfu"]])
    win.select_region(win.census.regions.by_path("测试市").id)


def test_ctrl_c_copies_two_rows_as_tab_separated_text(qtbot, window, msgs, tmp_path, returns):
    win = window
    filled(qtbot, win, tmp_path, returns)
    win.tabs.setCurrentWidget(win.people)
    view = win.people.view
    qtbot.waitUntil(lambda: view.model().rowCount() >= 2)
    selection = view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.clearSelection()
    for row in (0, 1):
        selection.select(view.model().index(row, 0), flags)
    view.setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().split("\n")
    assert len(lines) == 2
    model = view.model()
    for row, line in enumerate(lines):
        cells = line.split("\t")
        assert len(cells) == model.columnCount()
        assert cells[0] == model.index(row, 0).data()  # as shown: the name in its column
        assert len(cells[1]) == 18 and "*" in cells[1]  # IDs stay masked as on screen


def test_ctrl_f_finds_people_or_regions_and_f5_refreshes(qtbot, window, msgs, tmp_path, returns):
    win = window
    filled(qtbot, win, tmp_path, returns)
    win.tabs.setCurrentWidget(win.people)
    win.focus_find()
    assert win.focusWidget() is win.people.search
    win.tabs.setCurrentWidget(win.dashboard)
    win.focus_find()
    assert win.focusWidget() is win.region_search
    root = win.census.regions.by_path("测试市")
    win.census.regions.set_population(root.id, 100)  # written elsewhere: F5 shows it
    refresh = next(a for a in win.actions() if a.shortcut() == QKeySequence("F5"))
    refresh.trigger()
    wait_idle(qtbot, win)
    assert win.tree_model.summaries[root.id].population == 100


def test_about_names_the_version_of_pyproject(qtbot, window):
    from gui.conventions import about_text, version_and_build

    with open(Path(__file__).resolve().parents[2] / "pyproject.toml", "rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    assert version_and_build()[0] == version and f"版本：{version}" in about_text()
    assert any(a.text() == "帮助(&H)" for a in window.menuBar().actions())


def test_splitter_and_column_widths_are_remembered(qtbot, msgs):
    from gui.main_window import MainWindow

    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.splitter.setSizes([300, 900])
    first.people.view.horizontalHeader().resizeSection(1, 233)
    sizes = first.splitter.sizes()
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    assert second.splitter.sizes() == sizes
    assert second.people.view.horizontalHeader().sectionSize(1) == 233
