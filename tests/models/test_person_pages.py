"""Pages by seeking after the previous page's last person equal pages by offset, in every order."""

from __future__ import annotations

import random

import pytest

from models.census import PERSON_ORDERS, Census
from models.consolidate import PERSON_COLUMNS


@pytest.fixture
def census(tmp_path) -> Census:
    c = Census.open(tmp_path / "p.census")
    root = c.regions.ensure("某市")
    other = c.regions.ensure("某市/某区")
    rng = random.Random(5)
    rows = []
    for i in range(1000):
        hours = rng.choice([None, 0.0, 40.0, 120.0, 160.0])
        level = rng.choice([0, 0, 1, 2, 3])
        rows.append((f"11010119800101{i:04d}", rng.choice("张王李赵") + rng.choice("一二三"), "",
                     rng.choice([root.id, other.id]), level, 0, int((hours or 0) >= 120), 1, hours, 0, "", "", "", 1, 0,
                     None, None, None))
    c.conn.executemany(f"INSERT INTO persons ({', '.join(PERSON_COLUMNS)})"
                       f" VALUES ({', '.join('?' * len(PERSON_COLUMNS))})", rows)
    c.conn.execute("UPDATE persons SET name_key = pinyin_key(name)")  # as the store writes it
    yield c
    c.close()


@pytest.mark.parametrize("order", list(PERSON_ORDERS))
def test_seek_pages_equal_offset_pages(census, order):
    by_offset = [p.id_number for start in range(0, 1000, 64)
                 for p in census.people.page(offset=start, limit=64, order=order)]
    by_seek, after = [], None
    while True:
        page = census.people.page(limit=64, order=order, after=after)
        if not page:
            break
        by_seek += [p.id_number for p in page]
        after = page[-1]
    assert by_seek == by_offset and len(set(by_seek)) == 1000
