"""The review never loses work: Enter applies a field, 开始导入 is the default only when every file
is decided, closing after decisions asks, the summary says what 开始导入 will do, and the files
that need the clerk can be filtered and jumped to."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from gui import messages
from tests.gui.test_review_region import bureau_return, new_census
from tests.gui.window_helpers import import_through_review


def open_review(qtbot, win, paths):
    dialog = win.import_paths(paths)
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    return dialog


def row_of(dialog, name: str) -> int:
    return next(i for i, e in enumerate(dialog.entries) if e.file_name == name)


def test_enter_in_every_line_edit_keeps_the_dialog_and_the_review(qtbot, window, msgs, tmp_path, returns):
    new_census(qtbot, window, tmp_path, returns)
    dialog = open_review(qtbot, window, [bureau_return(tmp_path), returns["tuanjie"]])
    row = row_of(dialog, "摸排表.xlsx")
    dialog.files.selectRow(row)
    assert not dialog.start_button.isEnabled() and not dialog.start_button.isDefault()
    edits = [e for e in dialog.findChildren(QLineEdit) if e.isVisibleTo(dialog)]
    assert dialog.region.lineEdit() in edits
    for edit in edits:
        edit.setFocus()
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert dialog.isVisible() and dialog.pages.currentIndex() == 0 and dialog.outcomes is None
    dialog.region.lineEdit().setFocus()
    dialog.region.setEditText("测试市/东区")
    qtbot.keyClick(dialog.region.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.outcomes is None
    assert dialog.entries[row].plan.region.path == "测试市/东区"  # Enter applied the field
    assert dialog.start_button.isEnabled() and dialog.start_button.isDefault()  # every file decided now
    assert not any(b.autoDefault() for b in (dialog.cancel_review, dialog.next_attention))

    msgs.answer = False  # closing after a decision asks; “继续检查” keeps the review
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and "关闭后这些选择都会丢失" in msgs.questions[-1]
    msgs.answer = True
    dialog.reject()
    assert dialog.closed


def test_summary_says_what_start_will_do_and_attention_filter(qtbot, window, msgs, tmp_path, returns):
    new_census(qtbot, window, tmp_path, returns)
    import_through_review(qtbot, window, [returns["tuanjie"]]).accept()
    dialog = open_review(qtbot, window, [returns["tuanjie"], returns["xingfu"], bureau_return(tmp_path)])
    text = dialog.summary.text()
    assert "开始导入将导入 1 个" in text and "已导入过、将跳过 1 个" in text and "需选择区划 1 个" in text
    assert not dialog.start_button.isEnabled()

    undecided = row_of(dialog, "摸排表.xlsx")
    dialog.files.selectRow(row_of(dialog, "团结社区摸排表.xlsx"))
    dialog.show_filter.setCurrentIndex(1)
    shown = [r for r in range(dialog.files.rowCount()) if not dialog.files.isRowHidden(r)]
    assert shown == [undecided]
    assert "（1 个）" in dialog.show_filter.itemText(1)
    assert dialog.current_row() == undecided  # the panel below shows a file the list shows
    assert dialog.region_note.text() == dialog.entries[undecided].plan.region.message
    dialog.show_filter.setCurrentIndex(0)
    dialog.files.selectRow(row_of(dialog, "幸福社区摸排表.xlsx"))
    assert dialog.jump_to_attention() == undecided and dialog.current_row() == undecided

    item = dialog.files.item(undecided, 0)
    item.setCheckState(Qt.CheckState.Unchecked)  # leaving the undecided file out makes the rest ready
    assert "未勾选、不导入 1 个" in dialog.summary.text()
    assert dialog.start_button.isEnabled() and dialog.start_button.isDefault()
    assert dialog.start_import()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    assert sorted(o.status for o in dialog.outcomes) == ["duplicate", "imported"]
    assert dialog.result_summary.text().endswith("；未勾选、未导入 1 个。")  # every file accounted for
    dialog.accept()


def test_confirmations_default_to_the_safe_button(qtbot):
    box = messages.question_box(None, "撤销导入“甲.xlsx”？", "撤销导入", "撤销导入", "取消")
    qtbot.addWidget(box)
    assert box.defaultButton().text() == "取消"
    assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole


def test_tab_reaches_every_control_of_the_review(qtbot, window, msgs, tmp_path, returns):
    """Keyboard only: Tab leaves the files table for the region box, the columns' fields and the
    buttons (it used to walk the table's cells for ever, the region out of reach)."""
    from PySide6.QtWidgets import QApplication

    new_census(qtbot, window, tmp_path, returns)
    dialog = open_review(qtbot, window, [bureau_return(tmp_path), returns["tuanjie"]])
    dialog.activateWindow()
    dialog.files.setFocus()
    reached = []
    for _ in range(40):
        focus = QApplication.focusWidget()
        reached.append(focus)
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    assert dialog.region in reached and dialog.cancel_review in reached and dialog.show_filter in reached
    assert dialog.columns.cellWidget(0, 2) in reached  # a column's field
    dialog.reject()


def test_tab_follows_reading_order_and_ends_on_start(qtbot, window, msgs, tmp_path, returns):
    """Tab goes down the page as it reads: the files, 所属区划, every 识别为 field in column order,
    then 取消 and 开始导入 (the fields came after 开始导入, made after the buttons); Enter there imports."""
    from PySide6.QtWidgets import QApplication

    new_census(qtbot, window, tmp_path, returns)
    dialog = open_review(qtbot, window, [returns["tuanjie"], returns["xingfu"]])
    dialog.files.selectRow(1)  # the fields are made anew for the file chosen
    dialog.activateWindow()
    dialog.files.setFocus()
    reached = []
    for _ in range(dialog.columns.rowCount() + 4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    fields = [dialog.columns.cellWidget(r, 2) for r in range(dialog.columns.rowCount())]
    assert reached == [dialog.region, dialog.columns, *fields, dialog.cancel_review, dialog.start_button]
    assert dialog.start_button.isDefault()
    qtbot.keyClick(dialog.start_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    assert [o.status for o in dialog.outcomes] == ["imported", "imported"]
    dialog.accept()


def test_review_opens_on_the_files_and_enter_imports_then_closes(qtbot, window, msgs, tmp_path, returns):
    """Keyboard only: the review starts with the focus on the files (it was on 显示, where Enter did
    nothing though 开始导入 was drawn as the default); Enter imports, and Enter on the results closes them."""
    new_census(qtbot, window, tmp_path, returns)
    dialog = open_review(qtbot, window, [returns["tuanjie"], returns["xingfu"]])
    assert dialog.focusWidget() is dialog.files and dialog.start_button.isDefault()
    qtbot.keyClick(dialog.files, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    assert [o.status for o in dialog.outcomes] == ["imported", "imported"]
    assert dialog.close_results.isDefault()
    qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    assert dialog.closed and not dialog.isVisible()


def test_arrow_keys_on_a_field_keep_the_focus_there(qtbot, window, msgs, tmp_path, returns):
    """识别为 with the arrows: each key changes the field and the focus stays on it (the panel is
    made anew with each change, and the focus went to a button after the first key)."""
    new_census(qtbot, window, tmp_path, returns)
    dialog = open_review(qtbot, window, [returns["tuanjie"]])
    row = 5
    dialog.columns.cellWidget(row, 2).setFocus()
    fields = [dialog.columns.cellWidget(row, 2).currentData()]
    for _ in range(2):
        combo = dialog.focusWidget()
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        qtbot.waitUntil(lambda c=combo: dialog.columns.cellWidget(row, 2) is not c)  # the panel made anew
        assert dialog.focusWidget() is dialog.columns.cellWidget(row, 2)
        fields.append(dialog.columns.cellWidget(row, 2).currentData())
    assert len(set(fields)) == 3  # two keys, two changes
    assert dialog.entries[0].plan.columns[row].field == fields[-1]
    dialog.reject()
