"""Population tables as offices really send them: the figures beside the registered population,
units of 万人, blocks whose street is written once, a table loaded again after returns came in.

Each table is built here, loaded through importers.population, and each node's 户籍人口 and 应达
are written out by hand (ceil(population × 1‰), DOMAIN.md "Regions and targets").
"""

from __future__ import annotations

import pytest

from importers.population import load_population
from models.census import Census
from models.errors import PopulationError
from tests.importers.test_adversarial import xlsx as table  # rows, and merged ranges

LEVELS = ("市", "区县", "街道（乡镇）", "社区（村）")
HEPING = "甲市/东区/和平街道"


def populations(census: Census) -> dict[str, int | None]:
    return {s.path: s.population for s in census.summary()}


def targets(census: Census) -> dict[str, int | None]:
    return {s.path: s.target for s in census.summary()}


def test_the_registered_population_column_is_taken_not_the_resident_or_household_column(tmp_path):
    for other in ("常住人口", "户籍户数", "流动人口"):
        path = table(tmp_path / f"{other}.xlsx", [(*LEVELS, other, "户籍人口（人）"),
                                                  ("甲市", "东区", "和平街道", "团结社区", 3000, 1200)])
        with Census.open(tmp_path / f"{other}.census") as c:
            load_population(c, path)
            assert populations(c)[f"{HEPING}/团结社区"] == 1200, other
            assert targets(c)["甲市"] == 2


def test_a_table_with_only_the_resident_population_is_refused(tmp_path):
    path = table(tmp_path / "p.xlsx", [(*LEVELS, "常住人口"), ("甲市", "东区", "和平街道", "团结社区", 3000)])
    with Census.open(tmp_path / "c.census") as c:
        with pytest.raises(PopulationError, match="户籍人口"):
            load_population(c, path)


def test_a_population_in_ten_thousands_is_turned_into_persons_and_the_clerk_told(tmp_path):
    path = table(tmp_path / "p.xlsx", [("市", "区县", "户籍人口（万人）"), ("甲市", None, 56), ("甲市", "东区", 3.52),
                                       ("甲市", "西区", "1.2")])
    with Census.open(tmp_path / "c.census") as c:
        result = load_population(c, path)
        assert populations(c) == {"甲市": 560000, "甲市/东区": 35200, "甲市/西区": 12000}
        assert targets(c) == {"甲市": 560, "甲市/东区": 36, "甲市/西区": 12}
        assert "万人" in result.describe()


def test_a_unit_line_beside_the_title_is_neither_the_header_nor_ignored(tmp_path):
    rows = [("甲市户籍人口统计表", None, "单位：万人"), ("市", "区县", "户籍人口"), ("甲市", None, 56), ("甲市", "东区", 35)]
    with Census.open(tmp_path / "c.census") as c:
        load_population(c, table(tmp_path / "p.xlsx", rows))
        assert populations(c) == {"甲市": 560000, "甲市/东区": 350000}
    rows = [("甲市户籍人口统计表", None, "单位：人"), ("市", "区县", "户籍人口"), ("甲市", None, "56,000人")]
    with Census.open(tmp_path / "d.census") as c:
        assert load_population(c, table(tmp_path / "q.xlsx", rows)).warnings == ()
        assert populations(c) == {"甲市": 56000}


def test_a_figure_in_ten_thousands_finer_than_one_person_is_refused_naming_the_row(tmp_path):
    path = table(tmp_path / "p.xlsx", [("市", "户籍人口（万人）"), ("甲市", 3.52001)])
    with Census.open(tmp_path / "c.census") as c, pytest.raises(PopulationError, match="第 2 行.*万人"):
        load_population(c, path)


def test_thousands_separators_full_width_digits_and_the_person_suffix(tmp_path):
    path = table(tmp_path / "p.xlsx", [(*LEVELS, "户籍人口"), ("甲市", "东区", "和平街道", "团结社区", "12,345"),
                                       ("甲市", "东区", "和平街道", "幸福社区", "１２３４５"),
                                       ("甲市", "东区", "和平街道", "光明社区", "1 500人")])
    with Census.open(tmp_path / "c.census") as c:
        load_population(c, path)
        assert [populations(c)[f"{HEPING}/{n}"] for n in ("团结社区", "幸福社区", "光明社区")] == [12345, 12345, 1500]
        assert targets(c)[HEPING] == 27  # ceil(26,190 × 1‰)


def _block_rows():
    return [(*LEVELS, "户籍人口"),
            ("甲市", "东区", "和平街道", "团结社区", 1200), ("甲市", "东区", None, "幸福社区", 1800),
            ("甲市", "东区", "红星镇", "团结村", 1500), ("甲市", "东区", None, "光明村", 700),
            ("甲市", "东区", None, "东风", 300)]


EXPECTED_BLOCKS = {"甲市": 5500, "甲市/东区": 5500, HEPING: 3000, f"{HEPING}/团结社区": 1200,
                   f"{HEPING}/幸福社区": 1800, "甲市/东区/红星镇": 2500, "甲市/东区/红星镇/团结村": 1500,
                   "甲市/东区/红星镇/光明村": 700, "甲市/东区/红星镇/东风": 300}


def test_a_street_written_once_for_its_block_holds_every_community_of_the_block(tmp_path):
    # The district is repeated on every row, the street only on the first of its block: 幸福社区 is
    # not a street of 东区, and 和平街道's 应达 is ceil(3,000 × 1‰) = 3, not 2.
    with Census.open(tmp_path / "c.census") as c:
        result = load_population(c, table(tmp_path / "p.xlsx", _block_rows()))
        assert populations(c) == EXPECTED_BLOCKS
        assert targets(c)[HEPING] == 3 and targets(c)["甲市/东区/红星镇"] == 3
        assert "第 3、5、6 行" in result.describe()


def test_a_street_merged_over_its_communities_holds_every_one_of_them(tmp_path):
    path = table(tmp_path / "p.xlsx", _block_rows(), merged=["C2:C3", "C4:C6"])
    with Census.open(tmp_path / "c.census") as c:
        load_population(c, path)
        assert populations(c) == EXPECTED_BLOCKS


def test_a_unit_under_a_district_with_no_street_stays_under_the_district(tmp_path):
    rows = [(*LEVELS, "户籍人口"), ("甲市", "东区", "和平街道", "团结社区", 1200), ("甲市", "东区", None, "区民政局", None),
            ("甲市", None, None, "市民政局", None)]
    with Census.open(tmp_path / "c.census") as c:
        assert load_population(c, table(tmp_path / "p.xlsx", rows)).warnings == ()
        assert {"甲市/东区/区民政局", "甲市/市民政局"} <= set(populations(c))


def test_a_community_listed_twice_with_two_figures_is_named_to_the_clerk(tmp_path):
    rows = [(*LEVELS, "户籍人口"), ("甲市", "东区", "和平街道", "团结社区", 1200), ("甲市", "东区", "和平街道", "团结社区", 1300)]
    with Census.open(tmp_path / "c.census") as c:
        result = load_population(c, table(tmp_path / "p.xlsx", rows))
        assert populations(c)[f"{HEPING}/团结社区"] == 1300
        assert any("第 2 行与第 3 行" in w and "1200 与 1300" in w for w in result.warnings)


def test_a_parent_figure_unlike_the_sum_of_its_children_wins_and_the_clerk_is_told(tmp_path):
    rows = [(*LEVELS, "户籍人口"), ("甲市", "东区", "和平街道", None, 3000), ("甲市", "东区", "和平街道", "团结社区", 1200),
            ("甲市", "东区", "和平街道", "幸福社区", 1800), ("甲市", "东区", "和平街道", "光明社区", 2000)]
    with Census.open(tmp_path / "c.census") as c:
        result = load_population(c, table(tmp_path / "p.xlsx", rows))
        assert targets(c)[HEPING] == 3  # DOMAIN.md: a node with a population: ceil(3,000 × 1‰)
        assert [w for w in result.warnings if HEPING in w and "3000" in w and "5000" in w]
    consistent = [(*LEVELS, "户籍人口"), ("甲市", "东区", "和平街道", None, 3000),
                  ("甲市", "东区", "和平街道", "团结社区", 1200), ("甲市", "东区", "和平街道", "幸福社区", 1800)]
    with Census.open(tmp_path / "d.census") as c:
        assert load_population(c, table(tmp_path / "q.xlsx", consistent)).warnings == ()


def test_a_table_loaded_again_names_the_communities_it_no_longer_lists(tmp_path):
    first = [(*LEVELS, "户籍人口"), ("甲市", "东区", "和平街道", "团结社区", 1200),
             ("甲市", "东区", "和平街道", "幸福社区", 1800), ("甲市", "东区", "和平街道", "老街社区", 900)]
    again = [(*LEVELS, "户籍人口"), ("甲市", "东区", "和平街道", "团结社区", 1250),
             ("甲市", "东区", "和平街道", "新幸福社区", 1800), ("甲市", "东区", "和平街道", "老街社区", None)]
    with Census.open(tmp_path / "c.census") as c:
        load_population(c, table(tmp_path / "a.xlsx", first))
        result = load_population(c, table(tmp_path / "b.xlsx", again))
        text = result.describe()
        # nothing is lost, and the clerk hears of both the community left out and the blank figure
        assert populations(c)[f"{HEPING}/幸福社区"] == 1800 and populations(c)[f"{HEPING}/老街社区"] == 900
        assert f"“{HEPING}/幸福社区”不在本表中" in text and "计入上级合计" in text and "并入" in text
        assert f"“{HEPING}/老街社区”的户籍人口为空，保留原有的 900" in text
    with Census.open(tmp_path / "d.census") as c:  # the same table loaded twice says nothing
        load_population(c, table(tmp_path / "c.xlsx", first))
        assert load_population(c, table(tmp_path / "d.xlsx", first)).warnings == ()


def test_a_streets_own_staff_is_a_unit_and_a_residential_xiaoqu_a_community(tmp_path):
    rows = [(*LEVELS, "户籍人口"), ("甲市", "东区", "和平街道", "和平街道本级", None), ("甲市", "东区", "和平街道", "街道本级", None),
            ("甲市", "东区", "和平街道", "园林小区", 800)]
    with Census.open(tmp_path / "c.census") as c:
        load_population(c, table(tmp_path / "p.xlsx", rows))
        kinds = {s.name: (s.kind, s.certified_min) for s in c.summary()}
        assert kinds["和平街道本级"] == ("unit", None) and kinds["街道本级"] == ("unit", None)
        assert kinds["园林小区"] == ("community", 2)  # DOMAIN.md: ≥2 certified per urban community


def test_a_sum_with_children_left_blank_and_a_zero_figure_are_named_to_the_clerk(tmp_path):
    """A street without its own figure takes its communities' sum: with one community left blank
    the street's 应达 was too low and looked right; a figure of 0 is a target of 0, met by nobody."""
    rows = [(*LEVELS, "户籍人口"), ("甲市", "东区", "和平街道", "团结社区", 1200),
            ("甲市", "东区", "和平街道", "幸福社区", None), ("甲市", "东区", "红星镇", "团结村", 0),
            ("甲市", "东区", "红星镇", "光明村", 900)]
    with Census.open(tmp_path / "c.census") as c:
        result = load_population(c, table(tmp_path / "p.xlsx", rows))
        assert populations(c)[HEPING] == 1200  # the sum of what is there, as before
        (short,) = [w for w in result.warnings if "合计不全" in w]
        assert HEPING in short and "其下 1 个区划也没有填" in short
        assert not [w for w in result.warnings if "合计不全" in w and "红星镇" in w]  # its villages all have one
        assert any("第 4 行的户籍人口为 0" in w for w in result.warnings)
