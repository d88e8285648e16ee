"""Folding a misspelt region into the right one from the tree's context action."""

from __future__ import annotations

from tests.gui.window_helpers import import_through_review, make_id, wait_idle, write_return


def test_fold_a_created_region_into_the_right_one(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    from gui import region_picker

    win = window
    assert win.new_census(tmp_path / "并入")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    typo = write_return(tmp_path / "团结小区.xlsx", "东区和平街道团结小区",
                        [("张三", "男", make_id(1), "高中", "", "助理社会工作师", 0)])
    import_through_review(qtbot, win, [typo]).accept()
    wait_idle(qtbot, win)
    wrong = win.census.regions.by_path("测试市/东区/和平街道/团结小区")
    right = win.census.regions.by_path("测试市/东区/和平街道/团结社区")
    assert wrong is not None and wrong.flagged

    monkeypatch.setattr(region_picker, "choose_region", lambda *a, **k: right.id)
    msgs.answer = True
    win.ask_fold_region(wrong.id)
    wait_idle(qtbot, win)
    assert win.census.regions.by_path("测试市/东区/和平街道/团结小区") is None
    assert win.tree_model.summaries[right.id].certified == 1


def test_find_region_cycles_through_same_named_nodes(qtbot, window, msgs, tmp_path, returns):
    win = window
    assert win.new_census(tmp_path / "查找")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    same = [s.region_id for s in win.tree_model.order if s.name == "团结社区"]
    assert len(same) >= 1
    assert win.find_region("团结社区")
    first = win.selected_region_id()
    assert first == same[0]
    win.find_region("团结社区")
    assert win.selected_region_id() == (same[1] if len(same) > 1 else same[0])
    assert not win.find_region("不存在的社区")
