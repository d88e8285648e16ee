"""The year each certificate level was first held, kept on the person when rows are consolidated
(persons.assistant_year/intermediate_year/senior_year): the exam years and the award read it, and
migration 11 fills it for a census made before, with the same result consolidation gives."""

from __future__ import annotations

import sqlite3

import pytest

from importers.job import import_file
from models.census import Census
from models.rules import Rules
from tests.money_census import build_money_census, make_id, write_return

# n, name, education, major, level, 取得证书时间, hours — three returns about the same people.
EARLY = [
    (91, "甲", "", "", "助理社会工作师", "2018-06-20", None),
    (92, "乙", "", "", "社会工作师", "2021年6月", None),
    (93, "丙", "", "", "助理社会工作师", None, None),
]
LATER = [
    (91, "甲", "", "", "社会工作师", "2021-06-19", None),  # moved up: exam year 2021, assistant stays 2018
    (92, "乙", "", "", "社会工作师", "2020-06-21", None),  # the same level, an earlier date wins
    (93, "丙", "", "", "助理社会工作师", "2019-06-22", None),
]
AGAIN = [(91, "甲", "", "", "社会工作师", "2022-06-18", None)]  # a later return repeats it: no move

COMMUNITY = "测试市/东区/和平街道/团结社区"


def build(folder) -> Census:
    census = Census.open(build_money_census(folder))
    for i, rows in enumerate((EARLY, LATER, AGAIN)):
        import_file(census, write_return(folder / f"years{i}.xlsx", rows), region=COMMUNITY)
    census.settings.set_rules(Rules(award_year=2021))
    return census


@pytest.fixture
def census(tmp_path):
    with build(tmp_path) as c:
        yield c


def years(census: Census, n: int) -> tuple:
    return census.conn.execute("SELECT assistant_year, intermediate_year, senior_year FROM persons"
                               " WHERE id_number = ?", (make_id(n),)).fetchone()


def test_each_level_keeps_the_year_it_was_first_held(census):
    assert years(census, 91) == ("2018", "2021", None)
    assert years(census, 92) == (None, "2020", None)
    assert years(census, 93) == ("2019", None, None)


def test_exam_years_and_award_read_the_kept_years(census):
    node = next(r for r in census.summary_json()["regions"] if r["path"] == COMMUNITY)
    by_year = node["certified_by_year"]
    assert by_year["2021"]["intermediate"] >= 1  # 甲: the highest level's year
    assert sum(sum(levels.values()) for levels in by_year.values()) == node["certified"]
    # Award year 2021: 甲 at intermediate (obtained that year), 乙 not (first held in 2020).
    rates = census.settings.rules.award_once
    assert _obtained_in(census, "2021", 2) >= 1
    assert node["award_once"] == sum(rate * _obtained_in(census, "2021", level)
                                     for level, rate in enumerate(rates, start=1))


def _obtained_in(census: Census, year: str, level: int) -> int:
    """The persons of the community whose highest level obtained in `year` is `level`, from the rows."""
    rows = census.conn.execute(
        "SELECT s.id_number, s.level, substr(MIN(s.cert_date), 1, 4) FROM source_rows s"
        " JOIN persons p ON p.id_number = s.id_number JOIN regions r ON r.id = p.region_id"
        " WHERE r.path = ? AND s.status = 'ok' AND s.level > 0 GROUP BY s.id_number, s.level", (COMMUNITY,))
    best: dict[str, int] = {}
    for id_number, row_level, first in rows:
        if first == year:
            best[id_number] = max(best.get(id_number, 0), row_level)
    return sum(1 for v in best.values() if v == level)


def test_migration_11_fills_the_years_as_consolidation_does(tmp_path):
    with build(tmp_path) as census:
        before = census.conn.execute("SELECT id_number, assistant_year, intermediate_year, senior_year"
                                     " FROM persons ORDER BY id_number").fetchall()
        summary = census.summary_json()
        path = census.path
    conn = sqlite3.connect(path, isolation_level=None)  # as a census of version 10 left it
    conn.execute("DROP INDEX persons_region")  # migration 12 added the years to it
    conn.execute("CREATE INDEX persons_region ON persons(region_id, talent, level, degree, trained)")
    for column in ("assistant_year", "intermediate_year", "senior_year"):
        conn.execute(f"ALTER TABLE persons DROP COLUMN {column}")
    conn.execute("DELETE FROM migrations WHERE version IN (11, 12)")
    conn.close()
    with Census.open(path) as reopened:
        assert reopened.conn.execute("SELECT id_number, assistant_year, intermediate_year, senior_year"
                                     " FROM persons ORDER BY id_number").fetchall() == before
        assert reopened.summary_json() == summary
