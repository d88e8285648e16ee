"""Folding a region into another: rows, persons and imports move; the emptied node goes."""

from __future__ import annotations

import pytest

from importers.job import import_file
from models.errors import CensusError
from tests.builders import make_id, write_street_return


def test_misspelt_node_folds_into_the_real_one(census, tmp_path):
    write_street_return(tmp_path / "s.xlsx", "东区和平街道汇总", [
        ("团结小区", "甲", make_id(1), "初级", None, None, None),  # a misspelling: a new flagged node
        ("团结社区", "乙", make_id(2), "初级", None, None, None),
    ])
    import_file(census, tmp_path / "s.xlsx")
    wrong = census.regions.by_path("测试市/东区/和平街道/团结小区")
    right = census.regions.by_path("测试市/东区/和平街道/团结社区")
    assert wrong.flagged
    census.regions.set_goal(wrong.id, "certified", 3)
    census.regions.fold(wrong.id, right.id)
    assert census.regions.by_path("测试市/东区/和平街道/团结小区") is None
    s = {x.path: x for x in census.summary()}
    assert s[right.path].certified == 2 and s[right.path].goals[0].target == 3
    assert census.people.get(make_id(1)).region_path == right.path
    assert not [p for p in census.problems.all() if p.kind == "new_region"]
    census.batches.undo(census.batches.all()[0].id)  # the import still undoes cleanly
    assert census.summary()[0].talents == 0


def test_a_node_moves_with_its_children(census):
    street = census.regions.ensure("测试市/东区/新街道", flagged=True)
    child = census.regions.ensure("测试市/东区/新街道/新社区", flagged=True)
    target = census.regions.by_path("测试市/西区")
    census.regions.fold(street.id, target.id)
    moved = census.regions.get(child.id)
    assert moved.path == "测试市/西区/新社区" and moved.depth == 2


def test_a_node_cannot_fold_into_itself_or_below(census):
    district = census.regions.by_path("测试市/东区")
    street = census.regions.by_path("测试市/东区/和平街道")
    with pytest.raises(CensusError):
        census.regions.fold(district.id, street.id)
