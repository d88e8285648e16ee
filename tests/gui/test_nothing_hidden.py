"""Nothing hidden: what falls short below a node that meets its target, 差额 past the target,
a flagged region's mark, and no totals left behind by a closed census."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.window_helpers import TUANJIE, XINGFU, import_through_review, wait_idle, write_return


def open_filled(qtbot, win, tmp_path, returns):
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    import_through_review(qtbot, win, [returns["tuanjie"], returns["xingfu"]])
    flagged = write_return(tmp_path / "新村.xlsx", "东区和平街道新建社区", TUANJIE[:1] + XINGFU[:1])
    import_through_review(qtbot, win, [flagged])
    root = win.census.regions.by_path("测试市")
    win.census.regions.set_population(root.id, 100)  # the city meets its target of 1; its districts do not
    win.reload()


def test_a_met_node_names_the_children_and_communities_that_fall_short(qtbot, window, msgs, tmp_path, returns):
    win = window
    open_filled(qtbot, win, tmp_path, returns)
    root = win.census.regions.by_path("测试市")
    win.select_region(root.id)
    summary = win.tree_model.summaries[root.id]
    assert summary.target_met
    card = win.dashboard.cards["shortfall"]
    assert card.value.text() == f"超出 {summary.talents - 1} 人" and card.detail.text() == "已达标"
    links = win.dashboard.shortfalls
    assert not links.isHidden()
    short_children = [s.path for s in win.tree_model.children_of(root.id) if s.target_met is False]
    below = [s.path for s in win.tree_model.descendants_of(root.id) if s.certified_min_met is False]
    assert short_children == ["测试市/东区", "测试市/西区"]
    assert "测试市/东区/和平街道/团结社区" in below and "测试市/东区/和平街道/幸福社区" in below
    assert f"{len(short_children)} 个下级区划未达到目标" in links.text()
    assert f"{len(below)} 个社区/村持证社工少于最低要求" in links.text()
    dialog = links.show_list("minimum")
    listed = [dialog.model.index(r, 0).data() for r in range(dialog.model.rowCount())]
    assert listed == below
    dialog.table.activated.emit(dialog.table.model().index(listed.index(below[0]), 0))
    assert win.selected_region_id() == win.census.regions.by_path(below[0]).id
    east = win.census.regions.by_path("测试市/东区")
    win.select_region(east.id)
    assert win.dashboard.cards["shortfall"].value.text().startswith("还差 ")


def test_flagged_regions_are_marked_in_words_and_a_closed_census_leaves_no_totals(qtbot, window, msgs, tmp_path,
                                                                                   returns):
    win = window
    open_filled(qtbot, win, tmp_path, returns)
    flagged = next(s for s in win.tree_model.order if s.flagged)
    index = win.tree_model.index_of(flagged.region_id)
    assert index.data().endswith("（新增）") and "*" not in index.data()
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "新增区划，待核实" in tip and flagged.path in tip
    assert "人才" in win.status.text()
    win.close_census()
    assert win.status.text() == ""
