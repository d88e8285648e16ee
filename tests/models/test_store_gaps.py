"""What the review found untested: undoing a batch that had a correction, searching people by ID,
opening a census of every earlier schema version and of a newer one, migrations cut by SQLite."""

from __future__ import annotations

import sqlite3

import pytest

from importers.job import import_file
from importers.population import load_population
from models.census import Census
from models.errors import CensusError
from models.schema import LATEST_VERSION, MIGRATIONS, _statements, migrate
from tests.builders import make_id, write_community_return, write_population

TUANJIE = "测试市/东区/和平街道/团结社区"


@pytest.fixture
def census(tmp_path):
    census = Census.open(tmp_path / "gaps.census")
    load_population(census, write_population(tmp_path / "户籍人口.xlsx"))
    yield census
    census.close()


def _snapshot(census: Census) -> tuple:
    return (census.people.total(), census.totals(), [(p.kind, p.reason) for p in census.problems.all()],
            census.problems.corrections(), [r.path for r in census.regions.all()])


def test_undo_of_a_batch_with_a_correction_leaves_the_census_as_before(census, tmp_path):
    write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区", [("甲", make_id(1), "初级", None, None, None)])
    import_file(census, tmp_path / "a.xlsx")
    before = _snapshot(census)
    write_community_return(tmp_path / "b.xlsx", "东区和平街道团结社区", [
        ("乙", make_id(2)[:17], "中级", None, None, None),  # one digit short: pending
        ("甲", make_id(1), None, "本科", "社会工作", None),
    ])
    batch = import_file(census, tmp_path / "b.xlsx").batch_id
    pending = next(p for p in census.problems.all() if p.kind == "pending")
    census.problems.correct_id(pending.row_id, make_id(2))
    assert census.people.get(make_id(2)).level > 0 and len(census.problems.corrections()) == 1

    census.batches.undo(batch)

    assert _snapshot(census) == before
    with pytest.raises(CensusError):
        census.people.get(make_id(2))
    assert census.people.get(make_id(1)).row_count == 1


def test_people_are_found_by_their_id_typed_any_way(census, tmp_path):
    ident = make_id(7)
    write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区", [
        ("张三", ident, "初级", None, None, None), ("李四", make_id(8), None, None, None, None)])
    import_file(census, tmp_path / "a.xlsx")
    tuanjie = census.regions.by_path(TUANJIE).id
    full_width = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    for typed in (ident, ident[-6:], f" {ident[-8:]} ", ident[-5:].translate(full_width)):
        assert census.people.count(search=typed) == 1, typed
        assert [p.name for p in census.people.page(region_id=tuanjie, search=typed)] == ["张三"], typed
    assert census.people.count(search=ident[:10]) == 2  # the same county and birth date: both
    assert census.people.count(search="999999999999") == 0


@pytest.mark.parametrize("version", sorted(n for n, _sql in MIGRATIONS if n < LATEST_VERSION))  # numbers may skip
def test_a_census_of_every_earlier_schema_opens_and_is_brought_up_to_date(tmp_path, version):
    path = tmp_path / f"v{version}.census"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, up_to=version) == version
    conn.execute("INSERT INTO regions (name, path, kind, depth, population) VALUES ('旧市', '旧市', 'city', 0, 5000)")
    conn.close()

    with Census.open(path) as census:
        assert census.conn.execute("SELECT MAX(version) FROM migrations").fetchone()[0] == LATEST_VERSION
        region = census.regions.by_path("旧市")
        assert region is not None and region.population == 5000  # data kept
        census.regions.set_goal(region.id, "certified", 3)  # a table of a later version works
        assert [g.target for g in census.summary()[0].goals] == [3]


def test_a_withdrawn_record_that_is_not_json_does_not_stop_the_census_opening(tmp_path):
    """Migration 19 indexes withdrawn imports by their content hash: a record json_extract cannot
    read (a damaged file) is left out of the index, not a reason to refuse the whole census."""
    path = tmp_path / "v18.census"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, up_to=18)
    conn.execute("INSERT INTO withdrawn (by_batch, tbl, data) VALUES (1, 'batches', 'not json')")
    conn.execute("INSERT INTO withdrawn (by_batch, tbl, data) VALUES (2, 'batches', ?)",
                 ('{"sha256": "ab", "file_name": "旧.xlsx", "imported_at": "2026-01-01T00:00:00"}',))
    conn.close()
    with Census.open(path) as census:
        assert census.versions.withdrawn_by_sha("ab") == ("旧.xlsx", "2026-01-01T00:00:00", 2)
        assert census.versions.withdrawn_by_sha("cd") is None


def test_a_census_of_a_newer_schema_is_refused_without_a_byte_written(tmp_path):
    path = tmp_path / "newer.census"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn)
    conn.execute("INSERT INTO migrations VALUES (?, '2099-01-01')", (LATEST_VERSION + 1,))
    conn.close()
    before = path.read_bytes()
    with pytest.raises(CensusError, match="更新版本"):
        Census.open(path)
    assert path.read_bytes() == before


def test_migrations_are_cut_where_sqlite_ends_a_statement():
    sql = "CREATE TABLE t (a TEXT DEFAULT 'x;y');\nINSERT INTO t VALUES ('1;2');\n"
    assert _statements(sql) == ["CREATE TABLE t (a TEXT DEFAULT 'x;y');", "INSERT INTO t VALUES ('1;2');"]
    assert all(_statements(text) for _, text in MIGRATIONS)
