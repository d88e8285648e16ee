"""The first steps ① 导入户籍人口表 ② 导入摸排表 ③ 查看与导出 on the start page and in an empty census."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from tests.gui.window_helpers import wait_idle


def step_texts(steps) -> list[str]:
    return [b.text() for b in steps.buttons]


def test_start_page_steps_create_the_census_then_run_the_step(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    win = window
    assert step_texts(win.start_page.steps) == ["① 导入户籍人口表", "② 导入摸排表", "③ 查看与导出"]
    assert win.start_page.steps.isVisible()
    census_file = tmp_path / "第一次.census"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(census_file), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(returns["population"]), ""))
    win.start_page.steps.buttons[0].click()
    wait_idle(qtbot, win)
    assert win.census is not None and Path(win.census.path) == census_file
    assert win.census.regions.by_path("测试市/东区/和平街道/团结社区") is not None

    # No return yet: the guide, not an empty tree; ① is ticked, ③ leaves it for the tree.
    guide = win.guide.empty
    assert guide.isVisible() and not win.splitter.isVisible()
    assert step_texts(guide.steps)[0] == "① 导入户籍人口表 ✓"
    assert "已导入 6 个区划" in guide.steps.notes[0].text()
    opened: list[bool] = []
    monkeypatch.setattr(win, "ask_import_files", lambda: opened.append(True))
    guide.steps.buttons[1].click()
    assert opened == [True]
    guide.steps.buttons[2].click()
    assert not guide.isVisible() and win.splitter.isVisible() and win.tabs.currentWidget() is win.dashboard


def test_an_empty_census_guides_and_a_return_ends_the_guide(qtbot, window, msgs, tmp_path, returns):
    from tests.gui.window_helpers import import_through_review

    win = window
    assert win.new_census(tmp_path / "空")
    guide = win.guide.empty
    assert guide.isVisible() and not win.splitter.isVisible()
    assert step_texts(guide.steps) == ["① 导入户籍人口表", "② 导入摸排表", "③ 查看与导出"]
    assert not guide.steps.buttons[2].isEnabled()  # nothing to look at yet
    import_through_review(qtbot, win, [returns["tuanjie"]], {returns["tuanjie"].name: "测试市/东区/和平街道/团结社区"})
    assert not guide.isVisible() and win.splitter.isVisible()
    win.close_census()
    assert win.start_page.steps.isVisible()
