"""A region's path without building the whole tree (the people table names each person's region)."""

from __future__ import annotations

import pytest

from models.census import Census
from models.errors import NotFound


def test_a_path_is_read_without_the_tree_and_follows_changes(tmp_path):
    with Census.open(tmp_path / "c.census") as census:
        node = census.regions.ensure("测试市/东区/和平街道")
        census.regions.forget()
        assert census.regions.path_of(node.id) == "测试市/东区/和平街道"
        assert census.regions._tree is None  # one query of the ids' paths, not 20,000 nodes built
        assert census.regions.path_of(None) == "" and census.regions.path_of(99_999) == ""
        added = census.regions.ensure("测试市/西区")  # builds the tree and grows it: the paths follow
        assert census.regions.path_of(added.id) == "测试市/西区"
        census.regions.forget()
        assert census.regions.path_of(added.id) == "测试市/西区"


def test_a_region_is_filtered_by_its_path_and_counted_without_the_tree(tmp_path):
    with Census.open(tmp_path / "c.census") as census:
        street = census.regions.ensure("测试市/东区/和平街道")
        census.regions.forget()
        clause, params = census.regions.within_clause(street.id)
        assert params == ["测试市/东区/和平街道", "测试市/东区/和平街道/%"] and census.regions._tree is None
        assert census.regions.count() == 3 and census.regions._tree is None
        with pytest.raises(NotFound):
            census.regions.within_clause(99_999)
