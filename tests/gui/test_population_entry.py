"""Typing a population by hand: only 0-9 count as digits (², ① and ١ are refused, not a crash)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from tests.gui.window_helpers import wait_idle


def _root(win) -> int:
    return next(rid for rid, s in win.tree_model.summaries.items() if "/" not in s.path)


def test_unicode_digits_are_refused_with_a_message(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    win = window
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    root = _root(win)
    before = win.tree_model.summaries[root].population
    for typed in ("²", "①", "١٢٣"):
        monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, typed=typed, **k: (typed, True)))
        win.ask_population_value(root)
        wait_idle(qtbot, win)
        assert msgs.errors[-1] == "户籍人口必须是非负整数。"
    assert win.tree_model.summaries[root].population == before

    for typed, value in (("123，456", 123456), ("１２３４", 1234), ("12 000", 12000), ("5000人", 5000)):
        # full-width digits from a Chinese input method, a space or comma between thousands
        monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, typed=typed, **k: (typed, True)))
        win.ask_population_value(root)
        wait_idle(qtbot, win)
        assert win.tree_model.summaries[root].population == value


def test_the_summary_after_a_change_is_worked_out_by_the_worker(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    """The window shows the summary the writing worker worked out; its own connection (the GUI
    thread) does not work it out again (a province's: 0.6 s of a frozen window)."""
    win = window
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    root = _root(win)
    asked = []
    real = win.census.summary
    monkeypatch.setattr(win.census, "summary", lambda: asked.append(1) or real())
    win.set_population(root, 4321)
    wait_idle(qtbot, win)
    assert win.tree_model.summaries[root].population == 4321 and win.tree_model.summaries[root].target == 5
    assert asked == []


def test_a_node_summing_its_children_is_offered_empty_so_ok_keeps_it_summing(qtbot, window, msgs, tmp_path, returns,
                                                                               monkeypatch):
    """A street without a figure of its own shows its communities' sum; the dialog must not offer
    that sum as the street's figure (确定 would fix it, and a later change of a community would no
    longer reach the street's 应达)."""
    win = window
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    root = _root(win)
    child = next(rid for rid, s in win.tree_model.summaries.items() if s.path.count("/") == 1)
    win.set_population(root, None)
    wait_idle(qtbot, win)
    summed = win.tree_model.summaries[root].population
    assert summed is not None
    offered = {}

    def get_text(_parent, _title, label, text="", **_kw):
        offered.update(label=label, text=text)
        return text, True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    win.ask_population_value(root)
    wait_idle(qtbot, win)
    assert offered["text"] == "" and f"{summed:,}" in offered["label"]
    assert win.census.regions.get(root).population is None
    win.set_population(child, win.tree_model.summaries[child].population + 1000)
    wait_idle(qtbot, win)
    assert win.tree_model.summaries[root].population == summed + 1000
