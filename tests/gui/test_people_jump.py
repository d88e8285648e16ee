"""A jump far into the people table reads its page off the GUI thread (counting rows from the top
takes most of a second at a million persons); scrolling on from a page on screen stays a seek."""

from __future__ import annotations

import pytest

from demo.samples import write_large_return
from gui.models_qt import PeopleModel
from importers.job import import_file

STREET = "测试市/东区/和平街道"
PERSONS = 300


@pytest.fixture
def model(qtbot, census, tmp_path, monkeypatch):
    import_file(census, write_large_return(tmp_path / "汇总.xlsx", PERSONS, seed=9, region_path=STREET), region=STREET)
    monkeypatch.setattr(PeopleModel, "PAGE", 20)
    people = PeopleModel()
    people.set_query(census, None)
    yield people
    people.close()


def _gui_reads(census, monkeypatch) -> list[int]:
    """Offsets read through the window's own connection (the GUI thread's)."""
    offsets: list[int] = []
    page = census.people.page

    def recording(*args, **kwargs):
        offsets.append(kwargs.get("offset", args[3] if len(args) > 3 else 0))
        return page(*args, **kwargs)

    monkeypatch.setattr(census.people, "page", recording)
    return offsets


def test_a_jump_shows_a_placeholder_then_the_page_read_off_the_gui_thread(qtbot, model, census, monkeypatch):
    reads = _gui_reads(census, monkeypatch)
    row = 250
    with qtbot.waitSignal(model.dataChanged, timeout=20000) as arrived:
        assert model.index(row, 0).data() == "正在读取…" and model.loading(row)
        assert model.index(row, 1).data() is None
    assert reads == []
    assert (arrived.args[0].row(), arrived.args[1].row()) == (240, 259)
    expected = census.people.page(offset=row, limit=1)[0]
    assert model.person(row).id_number == expected.id_number and not model.loading(row)


def test_scrolling_on_from_a_page_on_screen_is_read_in_place(qtbot, model, census, monkeypatch):
    reads = _gui_reads(census, monkeypatch)
    assert model.person(0) is not None and model.person(25) is not None  # page 0, then a seek after it
    assert reads == [0, 20]
    assert [model.person(r).id_number for r in range(40)] == [p.id_number for p in census.people.page(limit=40)]


def test_an_answer_for_an_earlier_order_is_dropped(qtbot, model, census):
    model.person(250)
    model.set_order("id")  # the page asked for under the name order is not wanted any more
    with qtbot.waitSignal(model.dataChanged, timeout=20000):
        model.person(150)
    qtbot.waitUntil(lambda: not model._loading)
    by_id = census.people.page(offset=140, limit=20, order="id")
    assert [model.person(r).id_number for r in range(140, 160)] == [p.id_number for p in by_id]
    assert 12 not in model._pages  # the name-order page of row 250 was dropped
