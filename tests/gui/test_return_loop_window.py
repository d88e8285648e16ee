"""The window closes the loop: a return sent again is shown with 替换旧版本 preselected (同时保留
the choice), and a returned correction list shows what it will change before it is applied."""

from __future__ import annotations

import openpyxl

from exporters.corrections import write_correction_workbooks
from importers.plan import ImportPlan
from importers.returned_list import ReturnedListPlan
from tests.gui.test_review_region import new_census
from tests.gui.window_helpers import TUANJIE, import_through_review, make_id, wait_idle, write_return

FIXED = [row if row[0] != "钱七" else ("钱七", "男", make_id(5), "大专", "社会学", "", 0) for row in TUANJIE]


def open_review(qtbot, win, paths):
    dialog = win.import_paths(paths)
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    return dialog


def finish(qtbot, win, dialog):
    assert dialog.start_import()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=300000)
    wait_idle(qtbot, win)
    return dialog.outcomes


def test_a_resent_return_replaces_by_default_or_is_kept_beside(qtbot, window, msgs, tmp_path, returns):
    new_census(qtbot, window, tmp_path, returns)
    import_through_review(qtbot, window, [returns["tuanjie"]]).accept()
    assert window.census.totals()["pending_rows"] == 1
    (tmp_path / "v2").mkdir()
    v2 = write_return(tmp_path / "v2" / "团结社区摸排表.xlsx", "东区和平街道团结社区", FIXED)
    dialog = open_review(qtbot, window, [v2])
    plan = dialog.entries[0].plan
    assert isinstance(plan, ImportPlan) and plan.earlier is not None
    combo = dialog.files.cellWidget(0, dialog.VERSION_COLUMN)
    assert combo.currentText() == "替换旧版本" and combo.itemText(1) == "同时保留"
    assert dialog.files.columnWidth(dialog.VERSION_COLUMN) >= combo.sizeHint().width()  # the choice reads whole
    assert dialog.files.item(0, 2).text() == "新版本"
    assert "将替换旧版本" in dialog.summary.text()
    dialog.grab().save(str(tmp_path / "resent_review.png"))
    (outcome,) = finish(qtbot, window, dialog)
    assert "第2版" in outcome.describe()
    assert dialog.results.item(0, 7).text() == "第2版，替换了批次 1（撤销本次导入即恢复）"  # was 全部有效
    dialog.accept()
    batches = window.census.batches.all()
    assert [(b.version, b.replaces) for b in batches] == [(2, 1)]
    assert window.census.totals()["pending_rows"] == 0

    (tmp_path / "v3").mkdir()
    v3 = write_return(tmp_path / "v3" / "团结社区摸排表.xlsx", "东区和平街道团结社区", FIXED[:3])
    dialog = open_review(qtbot, window, [v3])
    dialog.files.cellWidget(0, dialog.VERSION_COLUMN).setCurrentIndex(1)
    qtbot.waitUntil(lambda: dialog.entries[0].plan.keep_both)
    finish(qtbot, window, dialog)
    assert dialog.results.item(0, 7).text() == "与批次 2 同名，两份都保留"
    dialog.accept()
    assert len(window.census.batches.all()) == 2


def test_a_resend_saved_under_name_1_is_offered_as_the_newer_version(qtbot, window, msgs, tmp_path, returns):
    new_census(qtbot, window, tmp_path, returns)
    import_through_review(qtbot, window, [returns["tuanjie"]]).accept()
    (tmp_path / "wechat").mkdir()
    v2 = write_return(tmp_path / "wechat" / "团结社区摸排表(1).xlsx", "东区和平街道团结社区", FIXED)
    dialog = open_review(qtbot, window, [v2])
    combo = dialog.files.cellWidget(0, dialog.VERSION_COLUMN)
    assert combo.currentText() == "替换旧版本" and dialog.files.item(0, 2).text() == "新版本"
    assert combo.toolTip().startswith("像是“团结社区摸排表.xlsx”")
    (outcome,) = finish(qtbot, window, dialog)
    assert dialog.results.item(0, 7).text() == "第2版，替换了批次 1（撤销本次导入即恢复）"
    dialog.accept()
    assert window.census.totals()["pending_rows"] == 0


def test_two_versions_in_one_review_are_pointed_out(qtbot, window, msgs, tmp_path, returns):
    new_census(qtbot, window, tmp_path, returns)
    (tmp_path / "wechat").mkdir()
    v2 = write_return(tmp_path / "wechat" / "团结社区摸排表(1).xlsx", "东区和平街道团结社区", FIXED)
    dialog = open_review(qtbot, window, [returns["tuanjie"], v2, returns["xingfu"]])
    assert "“团结社区摸排表.xlsx”与“团结社区摸排表(1).xlsx”像是同一报表的两个版本" in dialog.summary.text()
    assert "幸福社区" not in dialog.summary.text().split("像是同一报表")[0]
    dialog.reject()


def test_a_returned_list_shows_its_changes_before_it_is_applied(qtbot, window, msgs, tmp_path, returns):
    new_census(qtbot, window, tmp_path, returns)
    import_through_review(qtbot, window, [returns["tuanjie"]]).accept()
    (written,) = write_correction_workbooks(window.census, tmp_path / "lists")
    wb = openpyxl.load_workbook(written)
    ws = wb["更正清单"]
    ws["I5"], ws["J5"] = make_id(5), "号码已与本人核对"
    wb.save(tmp_path / "社区报回.xlsx")

    dialog = open_review(qtbot, window, [tmp_path / "社区报回.xlsx"])
    plan = dialog.entries[0].plan
    assert isinstance(plan, ReturnedListPlan)
    dialog.files.selectRow(0)
    assert dialog.changes.isVisibleTo(dialog) and not dialog.columns.isVisibleTo(dialog)
    assert [dialog.changes.item(0, c).text() for c in (2, 5)] == ["钱七", "更正"]
    assert dialog.changes.item(0, 4).text().endswith(make_id(5)[-4:])
    assert dialog.files.item(0, 2).text() == "更正清单"
    assert "应用报回的更正清单 1 份" in dialog.summary.text()
    assert window.census.totals()["pending_rows"] == 1  # nothing applied yet
    dialog.grab().save(str(tmp_path / "returned_review.png"))
    (outcome,) = finish(qtbot, window, dialog)
    assert outcome.status == "corrected"
    assert dialog.results.item(0, 1).text() == "已按更正清单更正"
    dialog.accept()
    assert window.census.totals()["pending_rows"] == 0
    assert window.census.people.get(make_id(5)).name == "钱七"


def test_two_same_named_returns_in_one_review_follow_the_resend_rule(qtbot, window, msgs, tmp_path, returns):
    """Two folders' 团结社区摸排表.xlsx chosen together: the later was stored as a new version and
    withdrew the earlier even with nobody in common (a 补报 on the bureau's template), so people
    vanished from the count unasked; now it is kept beside it, as when imported one after the
    other, and the review says so before 开始导入."""
    new_census(qtbot, window, tmp_path, returns)
    others = [("孙八", "女", make_id(61), "本科", "社会工作", "", 0)]
    folders = [tmp_path / "第一批", tmp_path / "第二批"]
    for folder in folders:
        folder.mkdir()
    write_return(folders[0] / "团结社区摸排表.xlsx", "东区和平街道团结社区", TUANJIE)
    write_return(folders[1] / "团结社区摸排表.xlsx", "东区和平街道团结社区", others)
    dialog = open_review(qtbot, window, [tmp_path / "第一批", tmp_path / "第二批"])
    assert "与本次另一文件同名、同区划（团结社区摸排表.xlsx）" in dialog.summary.text()
    outcomes = finish(qtbot, window, dialog)
    assert [o.status for o in outcomes] == ["imported", "imported"]
    assert "视为另一份报表，两份都保留" in outcomes[1].describe()
    dialog.accept()
    assert len(window.census.batches.all()) == 2
    assert window.census.people.count() == 5  # 张三…赵六 and 孙八 (钱七's ID is pending)


def test_the_results_write_large_counts_as_every_other_page(qtbot, window, msgs, tmp_path, returns):
    """A 30,000-row return's counts were shown 30000 (the other pages write 30,000)."""
    from importers.files import Outcome
    from importers.job import ImportResult

    new_census(qtbot, window, tmp_path, returns)
    dialog = open_review(qtbot, window, [returns["tuanjie"]])
    result = ImportResult("大表.xlsx", region_path="东区", rows_total=30_000, rows_ok=29_990, rows_pending=10,
                          persons=29_001)
    dialog._show_results([Outcome("大表.xlsx", "imported", result)])
    assert [dialog.results.item(0, c).text() for c in range(3, 7)] == ["30,000", "29,990", "29,001", "10"]
    dialog.reject()


def test_a_repaired_return_says_so_in_the_results_as_well(qtbot, window, msgs, tmp_path, returns):
    """A return read as Excel's repair leaves it was named in the review only: the results said
    全部有效, and their details lacked the notes the command line prints under 注意."""
    import io
    import zipfile

    new_census(qtbot, window, tmp_path, returns)
    path = returns["tuanjie"]
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A40:"/></mergeCells>')
            dst.writestr(info, data)
    repaired = tmp_path / path.name
    repaired.write_bytes(out.getvalue())
    dialog = open_review(qtbot, window, [repaired])
    (outcome,) = finish(qtbot, window, dialog)
    assert outcome.status == "imported"
    assert dialog.results.item(0, 7).text().startswith("按 Excel 修复后的内容读取，请核对")
    assert "注意：文件中有不符合 Excel 文件格式的内容" in dialog.details.toPlainText()
    assert "（“A40:”）" in dialog.details.toPlainText()
    dialog.accept()
