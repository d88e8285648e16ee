"""Targets and rollups: ratio of population, per-community minimum, sums of children."""

from __future__ import annotations

from decimal import Decimal

import pytest

from importers.job import import_file
from importers.population import load_population
from models.census import Census
from models.errors import PopulationError
from models.rollup import target_for
from models.rules import Rules
from tests.builders import make_id, write_community_return, write_population


def test_target_is_the_ceiling_of_population_times_ratio_in_exact_arithmetic():
    rules = Rules()
    assert target_for(437652, rules) == 438
    assert target_for(1000, rules) == 1  # 1000 × 0.001 must not become 1.0000000000000002 → 2
    assert target_for(154, rules) == 1
    assert target_for(0, rules) == 0
    assert target_for(None, rules) is None
    assert target_for(1000, Rules(per_mille=Decimal("1.5"))) == 2


def test_population_table_builds_the_tree_with_kinds(census):
    kinds = {r.path: r.kind for r in census.regions.all()}
    assert kinds["测试市"] == "city" and kinds["测试市/东区"] == "district"
    assert kinds["测试市/东区/红星镇"] == "street" and kinds["测试市/东区/红星镇/团结村"] == "village"
    assert kinds["测试市/西区/光华街道/团结社区"] == "community"


def test_node_without_figure_takes_the_sum_of_its_children(census):
    s = {x.path: x for x in census.summary()}
    assert s["测试市/西区/光华街道"].population == 9000
    assert s["测试市/西区/光华街道"].target == 9


def test_counts_roll_up_and_minimums_apply(census, tmp_path):
    rows = [("甲", make_id(1), "初级", None, None, None), ("乙", make_id(2), None, "本科", "社会工作", None),
            ("丙", make_id(3), None, None, None, 150), ("丁", make_id(4), None, "中专", "社会工作", 100)]
    import_file(census, write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", rows))
    s = {x.path: x for x in census.summary()}
    community = s["测试市/东区/和平街道/团结社区"]
    assert (community.talents, community.certified, community.degree, community.trained_only) == (3, 1, 1, 1)
    assert community.certified_min == 2 and community.certified_min_met is False
    assert community.target == 12 and community.target_met is False
    assert community.per_mille == pytest.approx(3 / 12000 * 1000)
    assert s["测试市"].talents == 3 and s["测试市/东区"].talents == 3
    assert s["测试市/东区/红星镇/团结村"].certified_min == 1
    assert s["测试市/东区"].certified_min is None
    total = s["测试市"]
    assert total.talents == total.certified + total.degree - total.degree_and_certified + total.trained_only
    j = census.summary_json()["regions"][0]
    assert set(j) >= {"path", "kind", "population", "talents", "certified_assistant", "trained_only", "pending_rows",
                      "target", "per_mille", "target_met", "certified_min", "certified_min_met"}


def test_changing_rules_recounts_everybody(census, tmp_path):
    rows = [("甲", make_id(1), None, None, None, 100)]
    import_file(census, write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", rows))
    assert census.totals()["talents"] == 0
    census.settings.set_rules(Rules(min_hours=100))
    assert census.totals()["trained_only"] == 1
    reopened = Census.open(census.path)
    assert reopened.settings.rules.min_hours == 100
    reopened.close()


def test_population_can_be_edited_and_reloaded(census, tmp_path):
    node = census.regions.by_path("测试市/东区/和平街道/团结社区")
    census.regions.set_population(node.id, 5000)
    assert {x.path: x for x in census.summary()}[node.path].target == 5
    load_population(census, write_population(tmp_path / "pop2.xlsx"))
    assert census.regions.by_path(node.path).population == 12000


def test_population_table_with_path_column(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["区划路径", "户籍人口"])
    wb.active.append(["某市/某区", 5000])
    wb.active.append(["某市/某区/某街道/某社区", 1200])
    wb.save(tmp_path / "p.xlsx")
    with Census.open(tmp_path / "x.census") as c:
        load_population(c, tmp_path / "p.xlsx")
        assert c.regions.by_path("某市/某区/某街道/某社区").population == 1200
        assert c.regions.by_path("某市/某区/某街道").kind == "street"


def test_bad_population_table_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["名称", "人数"])
    wb.save(tmp_path / "p.xlsx")
    with Census.open(tmp_path / "x.census") as c, pytest.raises(PopulationError) as err:
        load_population(c, tmp_path / "p.xlsx")
    assert "p.xlsx" in str(err.value)


def test_census_file_reopens_and_a_non_census_file_is_refused(tmp_path):
    (tmp_path / "x.census").write_text("not sqlite")
    from models.errors import CensusError

    with pytest.raises(CensusError):
        Census.open(tmp_path / "x.census")


def test_population_table_with_codes_and_a_total_row(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "区划代码", "市", "区县", "街道（乡镇）", "社区（村）", "户籍人口（人）", "备注"])
    ws.append([None, None, "合计", None, None, None, 5000, None])
    ws.append([1, "150300", "某市", None, None, None, 5000, None])
    ws.append([2, "150302", "某市", "某区", None, None, 5000, "城区"])
    ws.append([3, "150302001", "某市", "某区", "某街道", "某社区", 1200, None])
    wb.save(tmp_path / "p.xlsx")
    with Census.open(tmp_path / "x.census") as c:
        load_population(c, tmp_path / "p.xlsx")
        assert [r.path for r in c.regions.all()] == ["某市", "某市/某区", "某市/某区/某街道", "某市/某区/某街道/某社区"]
        assert c.regions.by_path("某市/某区/某街道/某社区").population == 1200


def test_office_names_in_the_population_table_are_regions(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["市", "区县", "街道（乡镇）", "社区（村）", "户籍人口"])
    ws.append(["某市", "某区", "某街道办事处", "友谊社区居委会", 1200])
    ws.append(["某市", "某区", "某镇人民政府", "新村村委会", 800])
    wb.save(tmp_path / "p.xlsx")
    with Census.open(tmp_path / "x.census") as c:
        load_population(c, tmp_path / "p.xlsx")
        assert c.regions.by_path("某市/某区/某街道/友谊社区").kind == "community"
        assert c.regions.by_path("某市/某区/某镇/新村").kind == "village"


def test_pending_rows_are_counted_through_an_index_of_the_pending_rows_alone(census, tmp_path):
    """Migration 17: the rows' status index held every row, but only the pending ones are ever
    looked up by it (the problems, each region's pending count)."""
    path = write_community_return(tmp_path / "r.xlsx", "东区和平街道团结社区",
                                  [("张三", make_id(1), "", "本科", "社会工作", 0), ("李四", "12345", "", "", "", 0)])
    import_file(census, path)
    conn = census.conn
    indexed = conn.execute("SELECT COUNT(*) FROM source_rows INDEXED BY source_rows_pending"
                           " WHERE status = 'pending'").fetchone()[0]
    assert indexed == 1 == census.summary()[0].pending_rows
    plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN SELECT region_id, COUNT(*) FROM source_rows"
                                               " WHERE status = 'pending' GROUP BY region_id"))
    assert "source_rows_pending" in plan
