"""The people table at 200,000 persons: counted once, fetched a page at a time, wherever the user scrolls."""

from __future__ import annotations

import random

import pytest

from models.census import Census
from models.consolidate import PERSON_COLUMNS
from tests.gui.window_helpers import wait_idle

N = 200_000
DISTRICTS, STREETS, COMMUNITIES = 4, 5, 5


def fill(path) -> None:
    """Regions and persons written straight into the tables (no returns: this is about paging)."""
    rng = random.Random(7)
    census = Census.open(path)
    regions = [(1, None, "大市", "大市", "city", 0)]
    leaves = []
    next_id = 2
    for d in range(DISTRICTS):
        district = next_id
        regions.append((district, 1, f"第{d}区", f"大市/第{d}区", "district", 1))
        next_id += 1
        for s in range(STREETS):
            street = next_id
            regions.append((street, district, f"街道{s}", f"大市/第{d}区/街道{s}", "street", 2))
            next_id += 1
            for c in range(COMMUNITIES):
                regions.append((next_id, street, f"社区{c}", f"大市/第{d}区/街道{s}/社区{c}", "community", 3))
                leaves.append(next_id)
                next_id += 1
    surnames = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
    persons = []
    for i in range(N):
        level = rng.choice((0, 0, 0, 1, 2, 3))
        hours = rng.choice((None, 0, 40, 120, 200))
        trained = int(hours is not None and hours >= 120)
        persons.append((f"1101011985{i:08d}", f"{rng.choice(surnames)}某{i:06d}", None, leaves[i % len(leaves)],
                        level, 0, trained, int(level > 0 or trained), hours, 3, "", "男", "", 1, 0,
                        None, None, None))
    with census.transaction():
        census.conn.executemany("INSERT INTO regions (id, parent_id, name, path, kind, depth) VALUES (?, ?, ?, ?, ?, ?)",
                                regions)
        census.conn.executemany(f"INSERT INTO persons ({', '.join(PERSON_COLUMNS)})"
                                f" VALUES ({', '.join('?' * len(PERSON_COLUMNS))})", persons)
    census.close()


@pytest.fixture(scope="module")
def big_census(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "大市.census"
    fill(path)
    return path


def test_two_hundred_thousand_people_scroll_a_page_at_a_time(qtbot, window, msgs, big_census, monkeypatch):
    win = window
    assert win.open_census(big_census)
    wait_idle(qtbot, win)
    assert win.tree_model.order[0].talents == win.census.people.count(category="talent")
    win.tabs.setCurrentWidget(win.people)
    page, model = win.people, win.people.model
    qtbot.waitUntil(lambda: page.view.isVisible())

    calls: list[tuple[int, int, str]] = []
    persons = win.census.people.page

    def counting(region_id=None, search="", category=None, offset=0, limit=200, order="name", after=None):
        calls.append((offset, limit, order))
        return persons(region_id, search, category, offset, limit, order, after)

    monkeypatch.setattr(win.census.people, "page", counting)
    model.refresh()
    assert model.rowCount() == N  # one COUNT, no rows read yet
    assert page.count.text() == f"全部人员：{N:,} 人"
    assert calls == [] and not model.canFetchMore(model.index(0, 0).parent())
    page.view.viewport().repaint()  # the view paints the first screen: the first page only
    assert set(model._pages) <= {0} and all(offset == 0 for offset, _, _ in calls)

    # far down: only that page is read, off the GUI thread (counting 190,000 rows would freeze
    # the window); the row reads 正在读取… until the page arrives and the view is told
    calls.clear()
    row = 190_000
    with qtbot.waitSignal(model.dataChanged, timeout=30000) as arrived:
        assert model.index(row, 0).data() == "正在读取…" and model.person(row) is None
    assert calls == []  # nothing read on the GUI thread
    assert arrived.args[0].row() == row // model.PAGE * model.PAGE and arrived.args[1].row() == arrived.args[0].row() + 199
    assert row // model.PAGE in model._pages and len(model._pages) <= 2
    name = model.index(row, 0).data()
    expected = persons(offset=row, limit=1)[0]
    assert name == expected.name and model.person(row).id_number == expected.id_number
    page.view.scrollTo(model.index(row, 0))
    page.view.viewport().repaint()
    qtbot.waitUntil(lambda: not model._loading)
    here = row // model.PAGE  # the screen around the row: that page and at most its neighbours
    assert set(model._pages) <= {0, here - 1, here, here + 1}
    assert {offset // model.PAGE for offset, _, _ in calls} <= {here + 1}  # scrolling on: a seek, in place
    model.index(N - 1, 0).data()
    qtbot.waitUntil(lambda: (N - 1) // model.PAGE in model._pages)
    assert model.index(N - 1, 0).data() == persons(offset=N - 1, limit=1)[0].name

    # the cache is bounded however far the user jumps around (a small bound: deep pages cost time)
    monkeypatch.setattr(model, "MAX_PAGES", 4)
    for p in range(0, N // model.PAGE, N // model.PAGE // 8):
        model.person(p * model.PAGE)
    qtbot.waitUntil(lambda: not model._loading)
    assert len(model._pages) == 4 and (N // model.PAGE // 8 * 7) in model._pages

    # sorting starts again from the top, still a page at a time
    calls.clear()
    page.sort_by_column(7)
    assert model.order == "hours" and model._pages == {} and model.rowCount() == N
    page.view.viewport().repaint()
    assert calls and all(order == "hours" and offset == 0 for offset, _, order in calls)
    assert model.index(0, 7).data() == "200"

    # a district: its own count, its own pages
    district = win.census.regions.by_path("大市/第0区")
    win.select_region(district.id)
    assert model.rowCount() == N // DISTRICTS == win.census.people.count(district.id)
    assert len(model._pages) <= 1


def test_a_search_is_counted_off_the_gui_thread(qtbot, window, msgs, big_census, monkeypatch):
    """LIKE '%…%' reads every person (0.1–0.2 s at a million): typing a search must not wait for it."""
    win = window
    assert win.open_census(big_census)
    wait_idle(qtbot, win)
    win.tabs.setCurrentWidget(win.people)
    page, model = win.people, win.people.model
    on_gui_thread: list[tuple] = []
    count = win.census.people.count
    monkeypatch.setattr(win.census.people, "count", lambda *args: on_gui_thread.append(args) or count(*args))

    page.search.setText("某00001")  # 某000010 … 某000019
    page.refresh()
    assert page.count.text() == "正在查找…" and model.rowCount() == 0 and model.found is None
    page.search.setText("某0000")  # typed on before the first count came back: only this one is shown
    page.refresh()
    qtbot.waitUntil(lambda: model.found is not None, timeout=30000)
    assert on_gui_thread == []
    assert model.rowCount() == model.found == count(None, "某0000", None) == 100
    assert page.count.text() == "全部人员：100 人"
    qtbot.waitUntil(lambda: (model.index(0, 0).data() or "").startswith(tuple("赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨")),
                    timeout=30000)
    assert all("某0000" in model.index(r, 0).data() for r in range(3))

    page.search.setText("")  # no search: the count is one index walk, read at once
    page.refresh()
    assert model.rowCount() == N and page.count.text() == f"全部人员：{N:,} 人" and on_gui_thread == [(None, "", None)]
