"""Recounting everybody after a rule change reports progress and can be cancelled; a cancel leaves
the old rules and every count exactly as they were (one transaction)."""

from __future__ import annotations

import dataclasses

import pytest

import models.bulk_index
import models.census_people
from demo.samples import write_large_return
from importers.job import import_file
from models.census import Census
from models.errors import RecountCancelled

PERSONS = 1_200  # three chunks of 500: the recount asks about cancel between them


@pytest.fixture
def filled(census, tmp_path, monkeypatch) -> Census:
    monkeypatch.setattr(models.census_people, "RECOUNT_CHUNK", 500)
    monkeypatch.setattr(models.bulk_index, "MIN_ROWS", 1)  # the recount sets the persons indexes aside
    street = "测试市/东区/和平街道"
    import_file(census, write_large_return(tmp_path / "汇总.xlsx", PERSONS, seed=5, region_path=street), region=street)
    return census


def _state(census: Census) -> tuple:
    return (census.settings.rules, census.summary_json(), census.people.page(limit=50, order="name"),
            list(census.conn.execute("SELECT * FROM persons ORDER BY id_number")),
            sorted(census.conn.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'persons'")))


def test_a_cancelled_recount_leaves_rules_and_counts_as_before(filled, tmp_path):
    before = _state(filled)
    stricter = dataclasses.replace(filled.settings.rules, min_hours=500)
    heard: list[tuple[int, int]] = []
    with pytest.raises(RecountCancelled) as caught:
        filled.settings.set_rules(stricter, progress=lambda done, total: heard.append((done, total)),
                                  cancel=lambda: bool(heard))
    assert "保持原样" in caught.value.message
    assert heard == [(500, PERSONS)]  # cancelled at the first chance, after the first chunk
    assert _state(filled) == before
    with Census.open(tmp_path / "t.census") as again:  # what another connection sees
        assert _state(again) == before


def test_a_recount_reports_progress_to_the_end_and_applies_the_rules(filled):
    before = _state(filled)
    stricter = dataclasses.replace(filled.settings.rules, min_hours=500)
    heard: list[tuple[int, int]] = []
    filled.settings.set_rules(stricter, progress=lambda done, total: heard.append((done, total)), cancel=lambda: False)
    assert heard[-1] == (PERSONS, PERSONS) and [d for d, _ in heard] == sorted(d for d, _ in heard)
    after = _state(filled)
    assert after[0] == stricter and after[1] != before[1]
    assert after[4] == before[4]  # the persons indexes set aside for the recount are all back
    filled.people.recompute([r[0] for r in after[3][:100]])  # a recount by ID agrees with the full one
    assert _state(filled)[3] == after[3]
