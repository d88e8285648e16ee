"""The fast paths added for speed give exactly what the plain code gives (random inputs, fixed seed)."""

from __future__ import annotations

import random
import re
import sqlite3

from models.consolidate import RowFacts, _consolidate_many, consolidate
from models.identity import CHECK_CHARS, WEIGHTS, check_digit, clean_text
from models.person_groups import GROUPS_SQL, PersonGroups
from models.rules import Rules
from models.schema import migrate


def _clean_text_plain(value: str) -> str:
    text = value.translate({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
    return re.sub(r"[\s'\"‘’“”`\u200b\u3000\ufeff]", "", text).upper()


def test_clean_text_fast_path():
    rng = random.Random(5)
    alphabet = "0123456789xX abc'\"\u3000１２Ｘｘ-.e"
    samples = ["150302198001011234", "15030219800101123x", "13800001111", "", "abc", "ÄB1"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))) for _ in range(3000)]
    for text in samples:
        assert clean_text(text) == _clean_text_plain(text), text


def test_check_digit_matches_the_formula():
    rng = random.Random(6)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
        assert check_digit(first17) == CHECK_CHARS[total % 11]


def _random_row(rng: random.Random, id_number: str, row_id: int) -> RowFacts:
    return RowFacts(
        id_number, rng.randint(1, 3), row_id, rng.choice(["", "张三", "李四"]), rng.randint(0, 3),
        rng.randint(0, 6), rng.choice(["", "社会工作", "法学", "心理学"]), rng.choice([None, 0.0, 119.5, 120.0, 300.0]),
        rng.randint(1, 6), rng.choice(["", "男", "女"]), rng.choice(["", "13800000000"]),
        rng.choice([None, "2016-07-01", "2019-11-30", "2021-06-20"]))


def test_merge_person_single_row_fast_path():
    rng = random.Random(7)
    depth_of = {1: 0, 2: 1, 3: 2, 4: 3, 5: 3, 6: 2}
    for rules in (Rules(), Rules(min_hours=100, min_degree=4, related_majors=("法学",))):
        for i in range(3000):
            row = _random_row(rng, f"id{i}", i)
            override = rng.choice([None, None, 4])
            assert consolidate([row], rules, depth_of, override) == _consolidate_many([row], rules, depth_of, override)


# Each figure as its own plain query: what PersonGroups must add up to from its one pass.
_COUNTS_SQL = """
SELECT region_id, SUM(talent), SUM(level > 0), SUM(level = 1), SUM(level = 2), SUM(level = 3), SUM(degree),
       SUM(degree AND level > 0), SUM(trained), SUM(trained AND NOT degree AND level = 0)
FROM persons WHERE talent = 1 GROUP BY region_id
"""
_BY_YEAR_SQL = """
SELECT region_id, level, CASE level WHEN 1 THEN assistant_year WHEN 2 THEN intermediate_year ELSE senior_year END,
       COUNT(*)
FROM persons WHERE talent = 1 AND level > 0 GROUP BY 1, 2, 3
"""
_LEVELS_SQL = "SELECT region_id, level, COUNT(*) FROM persons WHERE level > 0 GROUP BY region_id, level"
_AWARD_SQL = """
SELECT region_id, CASE ?1 WHEN senior_year THEN 3 WHEN intermediate_year THEN 2 ELSE 1 END, COUNT(*)
FROM persons WHERE level > 0 AND ?1 IN (assistant_year, intermediate_year, senior_year) GROUP BY 1, 2
"""
_LATEST_SQL = """
SELECT MAX(year) FROM (SELECT assistant_year AS year FROM persons UNION ALL SELECT intermediate_year FROM persons
                       UNION ALL SELECT senior_year FROM persons)
WHERE year GLOB '[12][0-9][0-9][0-9]'
"""


def _summed(rows) -> dict:
    out: dict = {}
    for *key, n in rows:
        out[tuple(key)] = out.get(tuple(key), 0) + n
    return out


def test_person_groups_equal_one_query_per_figure():
    rng = random.Random(8)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrate(conn)
    conn.execute("INSERT INTO regions (id, name, path, kind, depth) VALUES (1, 'a', 'a', 'city', 0)")
    conn.execute("INSERT INTO regions (id, parent_id, name, path, kind, depth) VALUES (2, 1, 'b', 'a/b', 'district', 1)")
    years = [None, None, "2016", "2019", "2021", "20xx", "0999"]
    rows = []
    for i in range(5000):
        level, degree, trained = rng.randint(0, 3), rng.randint(0, 1), rng.randint(0, 1)
        talent = int(bool(level or degree or trained)) if rng.random() < 0.95 else 0
        held = [rng.choice(years) if level >= n else None for n in (1, 2, 3)]
        rows.append((f"id{i}", "n", rng.randint(1, 2), level, degree, trained, talent, 0, 1, *held))
    conn.executemany("INSERT INTO persons (id_number, name, region_id, level, degree, trained, talent, education,"
                     " row_count, assistant_year, intermediate_year, senior_year) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                     " ?, ?, ?)", rows)
    groups = PersonGroups.read(conn)
    assert groups.counts() == {row[0]: tuple(int(v or 0) for v in row[1:]) for row in conn.execute(_COUNTS_SQL)}
    by_year: dict = {}
    for region_id, level, year, n in conn.execute(_BY_YEAR_SQL):
        key = year if year and year.isdigit() and len(year) == 4 else "unknown"
        by_year.setdefault(region_id, {}).setdefault(key, [0, 0, 0])[level - 1] += n
    assert groups.by_year() == by_year
    assert _summed(groups.levels()) == _summed(conn.execute(_LEVELS_SQL))
    for year in ("2016", "2019", "2021", "2030"):
        assert _summed(groups.obtained_in(year)) == _summed(conn.execute(_AWARD_SQL, (year,)))
    assert groups.latest_year(9999) == int(conn.execute(_LATEST_SQL).fetchone()[0]) == 2021
    assert len(groups.rows) < len(rows)  # alike persons share a group
    plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + GROUPS_SQL))
    assert "COVERING INDEX persons_region" in plan and "TEMP B-TREE" not in plan  # one pass, no sort


def test_id_fields_equal_check_id():
    import datetime as dt

    from models.identity import check_id, id_fields

    rng = random.Random(9)
    samples: list[object] = [None, True, 1.5, 150302800101123, 1.50302198001011e17, "", " ", "abc", "110101850615001",
                             "150302198001011234", "15030219800101123x", "15030219800101123X", "1503021980010112３4",
                             " 150302198001011234", "150302198013011234", "1.50302198E+17", dt.date(2020, 1, 1)]
    for _ in range(4000):
        first17 = f"{rng.randint(0, 999999):06d}{rng.randint(1890, 2030)}{rng.randint(0, 13):02d}" \
                  f"{rng.randint(0, 32):02d}{rng.randint(0, 999):03d}"
        last = rng.choice([check_digit(first17), *"0123456789Xx"])
        text = first17 + last
        samples.append(rng.choice([text, text.lower(), text[:-1], text + "1", " " + text, text.replace("1", "１")]))
    for value in samples:
        check = check_id(value)
        assert id_fields(value) == (check.raw, check.number, check.reason), value
