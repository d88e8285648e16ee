"""The import's review and results on a small screen: every column in sight, long paths cut in
the middle."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.test_review_region import new_census


def in_sight(table, wide: tuple[int, ...]) -> bool:
    """Every column ends inside the table (no scrolling sideways), the `wide` ones with room to read."""
    last = table.columnCount() - 1
    return (table.columnViewportPosition(last) + table.columnWidth(last) <= table.viewport().width()
            and all(table.columnWidth(c) >= 120 for c in wide))


def test_the_last_columns_are_in_sight_at_1024_pixels(qtbot, window, tmp_path, returns):
    new_census(qtbot, window, tmp_path, returns)
    dialog = window.import_paths([returns["tuanjie"], returns["xingfu"]])
    dialog.resize(1000, 680)  # what a 1024×768 screen leaves
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    files = dialog.files
    assert files.horizontalHeaderItem(files.columnCount() - 1).text() == "同名旧版本"
    assert in_sight(files, wide=(1, 5))  # 文件, 区划
    assert dialog.start_import()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    table = dialog.results
    assert table.horizontalHeaderItem(table.columnCount() - 1).text() == "说明"
    assert in_sight(table, wide=(0, 2, 7))  # 文件, 所属区划, 说明
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert table.item(0, 2).toolTip() == table.item(0, 2).text()  # the whole path on hover
    dialog.accept()

