"""Correcting a pending row offers the ID of a same-named person whose ID is close to the typed one."""

from __future__ import annotations

from tests.gui.window_helpers import import_through_review, make_id, wait_idle, write_return


def test_suggested_id_is_offered_and_applied_on_choice(qtbot, window, msgs, tmp_path, returns):
    win = window
    assert win.new_census(tmp_path / "建议")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    known = write_return(tmp_path / "团结社区摸排表.xlsx", "东区和平街道团结社区",
                         [("张三", "男", make_id(1), "高中", "", "助理社会工作师", 0)])
    typo = write_return(tmp_path / "幸福社区摸排表.xlsx", "东区和平街道幸福社区",
                        [("张三", "男", make_id(1)[:17], "本科", "社会工作", "", 0)])
    import_through_review(qtbot, win, [known, typo]).accept()
    wait_idle(qtbot, win)
    pending = next(p for p in win.census.problems.all() if p.kind == "pending")

    msgs.choice = None  # closing the choice changes nothing
    win.ask_correct(pending)
    wait_idle(qtbot, win)
    assert not win.census.people.get(make_id(1)).degree
    assert "********" in msgs.questions[-1]  # the suggestion is shown masked

    msgs.choice = 0  # 采用 the suggested ID
    win.ask_correct(pending)
    wait_idle(qtbot, win)
    assert win.census.people.get(make_id(1)).degree
    assert not [p for p in win.census.problems.all() if p.kind == "pending"]
