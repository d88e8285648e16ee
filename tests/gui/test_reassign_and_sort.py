"""Reassigning a person from the person dialog; sorting the people table on the census."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from models.pinyin import pinyin_key
from tests.gui.window_helpers import imported_window, make_id, wait_idle

TUANJIE_PATH = "测试市/东区/和平街道/团结社区"
XINGFU_PATH = "测试市/东区/和平街道/幸福社区"


def summary_of(win, path: str):
    return next(s for s in win.tree_model.order if s.path == path)


def test_reassign_from_the_person_dialog_and_back(qtbot, window, msgs, tmp_path, returns, monkeypatch):
    from gui import region_picker

    win = imported_window(qtbot, window, tmp_path, returns)
    assert (summary_of(win, TUANJIE_PATH).talents, summary_of(win, XINGFU_PATH).talents) == (3, 2)
    lisi = win.census.people.get(make_id(2))  # 李四: 团结社区 only, a degree holder
    assert lisi.region_path == TUANJIE_PATH
    dialog = win.show_person(lisi)
    assert dialog.region_label.text() == TUANJIE_PATH
    assert dialog.attribution.text().startswith("自动归属")
    assert dialog.reassign_button.isVisible() and not dialog.auto_button.isEnabled()

    xingfu = win.census.regions.by_path(XINGFU_PATH)
    offered = []

    def choose(parent, regions, current, text=""):
        offered.append(([r.path for r in regions], current, text))
        return xingfu.id

    monkeypatch.setattr(region_picker, "choose_region", choose)
    dialog.reassign_button.click()
    wait_idle(qtbot, win)
    assert not msgs.errors, msgs.errors
    paths, current, text = offered[0]
    assert paths[0] == "测试市" and XINGFU_PATH in paths and current == lisi.region_id and "李四" in text
    # the census, the dialog, the tree, the dashboard and the people table all moved
    assert win.census.people.manual_region(lisi.id_number) == xingfu.id
    assert dialog.region_label.text() == XINGFU_PATH
    assert dialog.attribution.text().startswith("手动指定") and dialog.auto_button.isEnabled()
    assert (summary_of(win, TUANJIE_PATH).talents, summary_of(win, XINGFU_PATH).talents) == (2, 3)
    win.select_region(xingfu.id)
    assert win.dashboard.summary.talents == 3
    names = [win.people.model.index(r, 0).data() for r in range(win.people.model.rowCount())]
    assert "李四" in names

    dialog.auto_button.click()
    wait_idle(qtbot, win)
    assert win.census.people.manual_region(lisi.id_number) is None
    assert dialog.region_label.text() == TUANJIE_PATH and dialog.attribution.text().startswith("自动归属")
    assert not dialog.auto_button.isEnabled()
    assert (summary_of(win, TUANJIE_PATH).talents, summary_of(win, XINGFU_PATH).talents) == (3, 2)

    monkeypatch.setattr(region_picker, "choose_region", lambda *a, **k: None)  # cancelled: nothing written
    dialog.reassign_button.click()
    assert not win.busy and win.census.people.manual_region(lisi.id_number) is None
    dialog.close()


def test_region_picker_filters_and_returns_the_chosen_node(qtbot, tmp_path, returns):
    from gui.region_picker import RegionPicker
    from importers.population import load_population
    from models.census import Census

    with Census.open(tmp_path / "p.census") as census:
        load_population(census, returns["population"])
        regions = census.regions.all()
    picker = RegionPicker(None, regions, regions[1].id)
    qtbot.addWidget(picker)
    assert picker.region_id() == regions[1].id
    picker.filter.setText("幸福")
    visible = []

    def walk(item):
        if not item.isHidden():
            visible.append(item.toolTip(0))
        for i in range(item.childCount()):
            walk(item.child(i))

    walk(picker.tree.topLevelItem(0))
    assert visible == ["测试市", "测试市/东区", "测试市/东区/和平街道", XINGFU_PATH]
    xingfu = next(r for r in regions if r.path == XINGFU_PATH)
    assert picker.select(xingfu.id) and picker.region_id() == xingfu.id
    picker.filter.setText("西区")
    assert picker.region_id() is None  # the chosen node is filtered out: nothing to accept
    assert not picker.buttons.button(picker.buttons.StandardButton.Ok).isEnabled()


def click_header(qtbot, view, column: int) -> None:
    header = view.horizontalHeader()
    view.scrollTo(view.model().index(0, column))
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_header_clicks_sort_on_the_census(qtbot, window, msgs, tmp_path, returns):
    win = imported_window(qtbot, window, tmp_path, returns)
    win.tabs.setCurrentWidget(win.people)
    page, model = win.people, win.people.model
    header = page.view.horizontalHeader()

    def column(c: int) -> list[str]:
        return [model.index(r, c).data() for r in range(model.rowCount())]

    def ids() -> list[str]:
        return [model.person(r).id_number for r in range(model.rowCount())]

    assert model.order == "name" and header.sortIndicatorSection() == 0
    assert column(0) == sorted(column(0), key=pinyin_key)  # pinyin order, as WPS sorts names
    click_header(qtbot, page.view, 1)
    assert model.order == "id" and header.sortIndicatorSection() == 1
    assert ids() == sorted(ids())
    click_header(qtbot, page.view, 7)
    assert model.order == "hours" and header.sortIndicatorSection() == 7
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    hours = [float(h) if h else -1 for h in column(7)]
    assert hours == sorted(hours, reverse=True)
    click_header(qtbot, page.view, 4)
    assert model.order == "level" and column(4)[0] == "社会工作师"
    click_header(qtbot, page.view, 3)
    assert model.order == "region"
    assert column(3) == sorted(column(3), key=[  # regions in the tree's order
        "东区/和平街道/团结社区", "东区/和平街道/幸福社区"].index)
    click_header(qtbot, page.view, 2)  # 性别: the census does not sort by it; nothing changes
    assert model.order == "region" and header.sortIndicatorSection() == 3
    # the order survives a change of region, search and category, and the table stays lazy
    win.select_region(win.census.regions.by_path("测试市/东区/和平街道").id)
    assert model.order == "region" and model.rowCount() == 6
    click_header(qtbot, page.view, 0)
    page.category.setCurrentIndex(page.category.findData("talent"))
    assert model.order == "name" and column(0) == sorted(column(0), key=pinyin_key)
    assert len(model._pages) <= 1
