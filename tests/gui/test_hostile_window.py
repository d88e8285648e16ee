"""Hostile workbooks through the import review: the window reports them and stays usable."""

from __future__ import annotations

import openpyxl

from tests.gui.window_helpers import TUANJIE, XINGFU, import_through_review, wait_idle, write_return
from tests.importers.hostile_files import MAIN_NS, write_bomb

BOMB = "文件解压后过大，疑似异常文件，请让报送单位重新导出"


def summary_of(win, path: str):
    return next(s for s in win.tree_model.order if s.path == path)


def _far_corner_return(path, filler: str, rows, far_value: str):
    write_return(path, filler, rows)
    wb = openpyxl.load_workbook(path)
    wb.active["XFD1048576"] = far_value
    wb.save(path)
    return path


def test_far_corner_and_zip_bomb_through_the_review(qtbot, window, msgs, tmp_path, returns):
    win = window
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)

    stray = _far_corner_return(tmp_path / "团结社区远角.xlsx", "东区和平街道团结社区", TUANJIE, " ")
    far = _far_corner_return(tmp_path / "幸福社区远角.xlsx", "东区和平街道幸福社区", XINGFU, "x")
    head = f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    bomb = write_bomb(
        tmp_path / "炸弹.xlsx", head, b"<row><c><v>1</v></c></row>" * 4000, 12000, b"</sheetData></worksheet>"
    )

    dialog = import_through_review(qtbot, win, [stray, far, bomb])
    errors = {e.file_name: e.error for e in dialog.entries if e.plan is None}
    assert errors == {
        "幸福社区远角.xlsx": "工作表“人员名单”声明的范围过大（数据延伸到 XFD1048576），请删除多余的行列后再导入",
        "炸弹.xlsx": BOMB,
    }, errors
    assert [o.file_name for o in dialog.outcomes] == ["团结社区远角.xlsx"]
    assert "；不能导入 2 个（原因见下表）" in dialog.result_summary.text()  # every file accounted for
    dialog.accept()
    assert summary_of(win, "测试市/东区/和平街道/团结社区").talents == 3  # the same as the clean return

    # the window is alive and a normal import still works
    again = import_through_review(qtbot, win, [returns["xingfu"]])
    assert [o.status for o in again.outcomes] == ["imported"]
    again.accept()
    assert summary_of(win, "测试市/东区/和平街道/幸福社区").talents == 2
    assert win.isVisible() and not win.busy


def test_a_population_table_is_read_in_a_helper_process_and_a_reader_crash_leaves_the_window(
        qtbot, window, msgs, tmp_path, returns, monkeypatch):
    """The population table is read where the returns are: a reader that dies on it (a native abort
    nobody foresaw) is one Chinese line; the window and the census are as before."""
    import shutil

    import gui.main_window
    from importers.read_ahead import MSG_READER_DIED_ONE
    from tests.importers.reader_crash import read_cells_or_die

    monkeypatch.setattr(gui.main_window, "READ_POPULATION", read_cells_or_die)
    win = window
    assert win.new_census(tmp_path / "测试")
    bad = shutil.copy(returns["population"], tmp_path / "坏户籍人口.xlsx")
    before = len(win.census.regions.tree().regions)
    win.load_population(bad)
    wait_idle(qtbot, win)
    assert msgs.errors and MSG_READER_DIED_ONE in msgs.errors[-1], msgs.errors
    assert len(win.census.regions.tree().regions) == before
    assert win.isVisible() and not win.busy

    win.load_population(returns["population"])  # read by the same helper's successor
    wait_idle(qtbot, win)
    assert summary_of(win, "测试市/东区/和平街道/团结社区").population > 0
