"""The import's results on a small screen: every column in sight, long paths cut in the middle."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.test_review_region import new_census


def test_the_reason_column_is_in_sight_at_1024_pixels(qtbot, window, tmp_path, returns):
    new_census(qtbot, window, tmp_path, returns)
    dialog = window.import_paths([returns["tuanjie"], returns["xingfu"]])
    dialog.resize(1000, 680)  # what a 1024×768 screen leaves
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    assert dialog.start_import()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    table = dialog.results
    reason = table.columnCount() - 1
    assert table.horizontalHeaderItem(reason).text() == "说明"
    assert table.columnViewportPosition(reason) + 150 <= table.viewport().width()  # 说明 has room
    assert not table.horizontalScrollBar().isVisible() or table.horizontalScrollBar().maximum() == 0
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert table.item(0, 2).toolTip() == table.item(0, 2).text()  # the whole path on hover
    dialog.accept()

