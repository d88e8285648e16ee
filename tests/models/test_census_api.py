"""Census methods the window calls: manual attribution and the people table's sort orders."""

from __future__ import annotations

import pytest

import models.census
from importers.job import import_file
from importers.population import load_population
from models.census import PERSON_ORDERS, Census
from tests.builders import make_id, write_community_return, write_population

TUANJIE = "测试市/东区/和平街道/团结社区"
XINGFU = "测试市/东区/和平街道/幸福社区"


@pytest.fixture
def census(tmp_path) -> Census:
    census = Census.open(tmp_path / "api.census")
    load_population(census, write_population(tmp_path / "户籍人口.xlsx"))
    write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区", [
        ("乙", make_id(1), "初级", "本科", "社会工作", 40),
        ("甲", make_id(2), "高级", None, None, 200),
        ("丙", make_id(3), None, "高中", None, None),
    ])
    write_community_return(tmp_path / "b.xlsx", "东区和平街道幸福社区", [
        ("丁", make_id(4), "中级", None, None, 150),
        ("戊", make_id(5), None, None, None, 120),
    ])
    import_file(census, tmp_path / "a.xlsx")
    import_file(census, tmp_path / "b.xlsx")
    yield census
    census.close()


def test_manual_region_follows_reassign(census):
    ident = make_id(1)
    assert census.people.manual_region(ident) is None
    happy = census.regions.by_path(XINGFU)
    census.people.reassign(ident, happy.id)
    assert census.people.manual_region(ident) == happy.id
    assert census.people.get(ident).region_path == XINGFU
    census.people.reassign(ident, None)
    assert census.people.manual_region(ident) is None
    assert census.people.get(ident).region_path == TUANJIE
    assert census.people.manual_region("not an id") is None


def test_person_orders(census):
    def names(order: str, **kw) -> list[str]:
        return [p.name for p in census.people.page(order=order, **kw)]

    assert set(PERSON_ORDERS) >= {"name", "id", "region", "hours", "level"}
    assert [p.id_number for p in census.people.page(order="id")] == sorted(make_id(n) for n in range(1, 6))
    assert names("hours") == ["甲", "丁", "戊", "乙", "丙"]  # most hours first, none last
    assert names("level") == ["甲", "丁", "乙", "丙", "戊"]  # senior first, then by name
    assert names("region")[:3] == sorted(["乙", "甲", "丙"])  # 团结社区 was created first
    # pages of a sorted order neither overlap nor skip anybody
    for order in PERSON_ORDERS:
        paged = [p.id_number for off in range(0, 5, 2) for p in census.people.page(order=order, offset=off, limit=2)]
        assert paged == [p.id_number for p in census.people.page(order=order)]


def test_a_new_census_gets_large_pages_and_an_older_one_keeps_its_own(tmp_path, monkeypatch):
    """Large pages make imports faster; a census made with SQLite's default pages opens and grows
    as it is (changing the page size would rewrite the whole file)."""
    new = Census.open(tmp_path / "new.census")
    assert new.conn.execute("PRAGMA page_size").fetchone()[0] == models.census.PAGE_SIZE == 32768
    new.close()
    monkeypatch.setattr(models.census, "PAGE_SIZE", 4096)
    older = Census.open(tmp_path / "older.census")
    load_population(older, write_population(tmp_path / "户籍人口.xlsx"))
    older.close()
    monkeypatch.undo()
    older = Census.open(tmp_path / "older.census")
    write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区", [("乙", make_id(1), "初级", "本科", "社会工作", 40)])
    import_file(older, tmp_path / "a.xlsx")
    assert older.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert older.people.count() == 1 and older.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    older.close()
