"""编辑 → 撤销/重做 (Ctrl+Z / Ctrl+Y) in the window: named after the step, back to the figures before."""

from __future__ import annotations

import dataclasses

from tests.gui.test_window_flow import setup_census, summary_of
from tests.gui.window_helpers import bad_id, import_through_review, make_id, wait_idle

TUANJIE = "测试市/东区/和平街道/团结社区"


def figures(win):
    return win.census.summary_json()["regions"], [p.reason for p in win.census.problems.all()]


def undo_and_redo(qtbot, win, name: str, before, after) -> None:
    assert win.act_undo.isEnabled() and win.act_undo.text() == f"撤销“{name}”"
    win.act_undo.trigger()
    wait_idle(qtbot, win)
    assert figures(win) == before
    assert win.act_redo.text() == f"重做“{name}”"
    win.act_redo.trigger()
    wait_idle(qtbot, win)
    assert figures(win) == after


def test_undo_and_redo_in_the_window(qtbot, window, msgs, tmp_path, returns):
    win = window
    setup_census(qtbot, win, tmp_path, returns)
    import_through_review(qtbot, win, [returns["tuanjie"]]).accept()
    assert not win.act_undo.isEnabled()  # an import is undone from the import history, not here

    before = figures(win)
    problem = next(p for p in win.census.problems.all() if p.id_raw == bad_id(5))
    win.correct_id(problem.row_id, make_id(5))
    wait_idle(qtbot, win)
    undo_and_redo(qtbot, win, "更正身份证号", before, figures(win))

    before = figures(win)
    west = summary_of(win, "测试市/西区").region_id
    win.reassign(make_id(1), west)
    wait_idle(qtbot, win)
    undo_and_redo(qtbot, win, "调整所属区划", before, figures(win))

    before = figures(win)
    win.set_goal(summary_of(win, TUANJIE).region_id, "certified", 9)
    wait_idle(qtbot, win)
    undo_and_redo(qtbot, win, "设置目标", before, figures(win))

    before = figures(win)
    win.apply_rules(dataclasses.replace(win.census.settings.rules, min_hours=10))
    wait_idle(qtbot, win)
    undo_and_redo(qtbot, win, "修改统计规则", before, figures(win))


def test_fold_is_undoable_and_backed_up_first(qtbot, window, msgs, tmp_path, returns, own_data_dir):
    win = window
    setup_census(qtbot, win, tmp_path, returns)
    import_through_review(qtbot, win, [returns["tuanjie"]], {"团结社区摸排表.xlsx": TUANJIE + "新"}).accept()
    source, target = summary_of(win, TUANJIE + "新").region_id, summary_of(win, TUANJIE).region_id
    before = figures(win)
    from gui import region_picker

    region_picker_choose = region_picker.choose_region
    region_picker.choose_region = lambda *args, **kwargs: target
    try:
        win.ask_fold_region(source)
    finally:
        region_picker.choose_region = region_picker_choose
    wait_idle(qtbot, win)
    after = figures(win)
    assert after != before
    backups = list((own_data_dir / "备份").iterdir())
    assert len(backups) == 1 and "并入前" in backups[0].name
    assert str(backups[0]) in msgs.infos[-1]
    undo_and_redo(qtbot, win, "并入其他区划", before, after)
