"""The summary is kept between changes and never outlives one: a write on the same connection, a
commit from another connection (the window's worker) or a refresh give fresh figures."""

from __future__ import annotations

from dataclasses import replace

import pytest

from models.census import Census
from tests.money_census import build_money_census


@pytest.fixture(scope="module")
def money_path(tmp_path_factory):
    return build_money_census(tmp_path_factory.mktemp("kept"))


@pytest.fixture
def path(money_path, tmp_path):
    copy = tmp_path / "copy.census"
    with Census.open(money_path) as source:
        source.save_copy(copy)
    return copy


def _by_path(census: Census) -> dict:
    return {s.path: s for s in census.summary()}


def test_a_write_on_this_connection_gives_fresh_figures(path):
    with Census.open(path) as census:
        first = census.summary()
        first.clear()  # a caller's list is its own: the kept summary is not emptied
        node = next(s for s in census.summary() if s.depth == 1)
        census.regions.set_population(node.region_id, 123_456)
        after = _by_path(census)[node.path]
        assert after.population == 123_456 and after.target != node.target
        with Census.open(path) as fresh:  # the same figures as a census opened afresh
            assert _by_path(fresh)[node.path] == after


def test_a_commit_from_another_connection_gives_fresh_figures(path):
    with Census.open(path) as reader:
        before = reader.summary()
        award_before = reader.units.award_year()
        with Census.open(path) as writer:
            rules = writer.settings.rules
            writer.settings.set_rules(replace(rules, allowance_monthly=tuple(r * 2 for r in rules.allowance_monthly),
                                              award_year=(award_before or 2020) - 1))
        reader.refresh()  # the rules are kept on the census object until refreshed, as the window does
        after = reader.summary()
        assert reader.units.award_year() == (award_before or 2020) - 1
        paid = [(b, a) for b, a in zip(before, after, strict=True) if b.allowance_monthly]
        assert paid and all(a.allowance_monthly == 2 * b.allowance_monthly for b, a in paid)


def test_undo_of_an_import_on_another_connection_is_seen_without_refresh(path):
    with Census.open(path) as reader:
        talents = reader.totals()["talents"]
        with Census.open(path) as writer:
            batch = writer.batches.all()[-1]
            writer.batches.undo(batch.id)
            expected = writer.totals()["talents"]
        assert expected < talents
        assert reader.totals()["talents"] == expected
