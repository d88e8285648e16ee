"""Region names an office really writes: every office suffix, doubled kind words, "/" inside names.

Each file is built here and imported through the real path (plan_file + ImportJob, or the CLI);
the expected regions are written out by hand. No node may ever be named by a bare kind word or
office suffix, and no name may add levels to the tree.
"""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from cli import main
from importers.job import import_file
from importers.plan import plan_file
from importers.population import load_population
from models.census import Census
from models.errors import CensusError
from tests.builders import TREE, make_id, write_community_return, write_population, write_street_return

HEPING = "测试市/东区/和平街道"
TUANJIE = "测试市/东区/和平街道/团结社区"
XINGFU = "测试市/东区/和平街道/幸福社区"
HONGXING = "测试市/东区/红星镇"
TUANJIE_CUN = "测试市/东区/红星镇/团结村"
SUMU = "测试市/西区/巴音苏木"
GACHA = "测试市/西区/巴音苏木/巴彦塔拉嘎查"
QINGSHAN = "测试市/西区/青山乡"

STEPPE = [*TREE, ("测试市", "西区", "巴音苏木", None, 2000), ("测试市", "西区", "巴音苏木", "巴彦塔拉嘎查", 800),
          ("测试市", "西区", "青山乡", None, 3000)]

# Names that say only what kind of region or office: none may ever be a node.
SUFFIX_ONLY = {"嘎查", "社区", "村", "街道", "镇", "乡", "苏木", "居委会", "居民委员会", "村委会", "村民委员会", "委员会",
               "嘎查委员会", "社区居委会", "办事处", "人民政府", "街道办", "居民", "人民", "委会", "村民", ".", ".."}


@pytest.fixture
def steppe(tmp_path) -> Census:
    """The test city plus a 苏木 with a 嘎查 and a 乡, as in Inner Mongolia's returns."""
    c = Census.open(tmp_path / "steppe.census")
    load_population(c, write_population(tmp_path / "pop.xlsx", STEPPE))
    yield c
    c.close()


def names(census: Census) -> set[str]:
    return {r.name for r in census.regions.tree().regions}


def assert_no_suffix_nodes(census: Census) -> None:
    bad = [r.path for r in census.regions.tree().regions if r.name in SUFFIX_ONLY or "/" in r.name]
    assert bad == []


def one_person(path, filler, n=1):
    return write_community_return(path, filler, [("张三", make_id(n), "初级", "本科", "社会工作", 130)])


@pytest.mark.parametrize(("filler", "expected"), [
    ("西区巴音苏木巴彦塔拉嘎查嘎查委员会", GACHA),
    ("西区巴音苏木巴彦塔拉嘎查嘎查村民委员会", GACHA),
    ("西区巴音苏木巴彦塔拉嘎查委员会", GACHA),
    ("西区巴音苏木巴彦塔拉嘎查村民委员会", GACHA),
    ("西区巴音苏木巴彦塔拉嘎查村委会", GACHA),
    ("东区和平街道团结社区居委会", TUANJIE),
    ("东区和平街道团结社区居民委员会", TUANJIE),
    ("东区和平街道团结社区社区居委会", TUANJIE),
    ("东区和平街道团结社区社区居民委员会", TUANJIE),
    ("东区和平街道团结居委会", TUANJIE),
    ("东区和平街道幸福居民委员会", XINGFU),
    ("东区红星镇团结村委会", TUANJIE_CUN),
    ("东区红星镇团结村村委会", TUANJIE_CUN),
    ("东区红星镇团结村民委员会", TUANJIE_CUN),
    ("东区红星镇团结村村民委员会", TUANJIE_CUN),
    ("东区和平街道办事处", HEPING),
    ("东区和平街道街道办事处", HEPING),
    ("东区和平街道办", HEPING),
    ("东区红星镇人民政府", HONGXING),
    ("东区红星镇镇人民政府", HONGXING),
    ("西区青山乡人民政府", QINGSHAN),
    ("西区巴音苏木人民政府", SUMU),
])
def test_every_office_suffix_in_the_filler_line_resolves_to_its_node(steppe, tmp_path, filler, expected):
    before = names(steppe)
    result = import_file(steppe, one_person(tmp_path / "return.xlsx", filler))
    assert result.region_path == expected
    assert result.new_regions == [] and names(steppe) == before
    assert result.persons == 1 and steppe.people.count() == 1
    assert steppe.regions.get(steppe.people.get(make_id(1)).region_id).path == expected


def test_gacha_office_with_doubled_kind_word_holds_the_gachas_talents(steppe, tmp_path):
    # Issue 9 item 5: this line made a flagged village "…/巴彦塔拉嘎查/嘎查" holding the talents.
    rows = [(f"人{i}", make_id(i), "初级", None, None, None) for i in range(1, 4)]
    path = write_community_return(tmp_path / "巴彦塔拉.xlsx", "西区巴音苏木巴彦塔拉嘎查嘎查委员会", rows)
    result = import_file(steppe, path)
    assert (result.region_path, result.persons, result.new_regions) == (GACHA, 3, [])
    summary = {s.path: s for s in steppe.summary()}
    assert summary[GACHA].talents == 3
    assert f"{GACHA}/嘎查" not in summary
    assert_no_suffix_nodes(steppe)


def test_unknown_gacha_with_doubled_suffix_is_one_new_node_named_properly(steppe, tmp_path):
    result = import_file(steppe, one_person(tmp_path / "x.xlsx", "西区巴音苏木新宝力格嘎查嘎查委员会"))
    assert result.region_path == f"{SUMU}/新宝力格嘎查"
    assert result.new_regions == [f"{SUMU}/新宝力格嘎查"]
    assert_no_suffix_nodes(steppe)


@pytest.mark.parametrize(("file_name", "title"), [
    ("西区_巴音苏木_巴彦塔拉嘎查嘎查委员会.xlsx", "社会工作专业人才摸排表"),
    ("摸排表.xlsx", "西区巴音苏木巴彦塔拉嘎查嘎查委员会社会工作专业人才摸排表"),
])
def test_office_suffix_in_the_title_or_file_name(steppe, tmp_path, file_name, title):
    path = write_community_return(tmp_path / file_name, None, [("张三", make_id(1), "初级", None, None, None)],
                                  title=title)
    result = import_file(steppe, path)
    assert (result.region_path, result.new_regions) == (GACHA, [])


def test_row_region_cells_with_office_suffixes_and_bare_kind_words(census, tmp_path):
    cells = ["团结社区社区居委会", "幸福社区居民委员会", "幸福居委会", "社区", "社区居委会", "嘎查", "../x", "光明/新村"]
    rows = [(cell, f"人{i}", make_id(i), "初级", None, None, None) for i, cell in enumerate(cells, start=1)]
    path = write_street_return(tmp_path / "和平街道汇总.xlsx", "东区和平街道社会工作专业人才汇总表", rows)
    before = names(census)
    result = import_file(census, path)
    assert result.region_path == HEPING and result.persons == len(cells)
    assert result.new_regions == [] and names(census) == before
    where = [census.regions.get(census.people.get(make_id(i)).region_id).path for i in range(1, len(cells) + 1)]
    assert where == [TUANJIE, XINGFU, XINGFU] + [HEPING] * 5
    # The rows that name no region stay at the street, each with a note naming its cell.
    notes = sorted(p.reason for p in census.problems.all() if p.kind == "review")
    assert len(notes) == 5
    for cell in ("社区", "社区居委会", "嘎查", "../x", "光明/新村"):
        assert any(f"所属区划“{cell}”" in n and f"已计入“{HEPING}”" in n for n in notes)
    assert_no_suffix_nodes(census)


def test_bare_office_cell_in_a_villages_own_return_is_the_village(steppe, tmp_path):
    path = write_street_return(tmp_path / "巴彦塔拉嘎查.xlsx", "西区巴音苏木巴彦塔拉嘎查社会工作专业人才摸排表",
                               [("嘎查委员会", "甲", make_id(1), "初级", None, None, None),
                                ("嘎查", "乙", make_id(2), "初级", None, None, None)])
    result = import_file(steppe, path)
    assert (result.region_path, result.persons, result.new_regions) == (GACHA, 2, [])
    assert {steppe.regions.get(steppe.people.get(make_id(i)).region_id).path for i in (1, 2)} == {GACHA}
    assert [p for p in steppe.problems.all() if p.kind == "review"] == []


def test_region_option_that_names_no_node_is_refused(census, tmp_path):
    path = one_person(tmp_path / "x.xlsx", None)
    for bad in ("测试市/东区/..", "测试市/东区/和平街道/社区", "测试市//东区"):
        with pytest.raises(CensusError) as err:
            plan_file(census, path, region=bad)
        assert "区划" in str(err.value) and "x.xlsx" in str(err.value)
    assert plan_file(census, path, region=TUANJIE).region.path == TUANJIE


def test_cli_region_with_dots_exits_1_and_creates_nothing(tmp_path, capsys):
    census = tmp_path / "c.census"
    assert main(["population", str(census), str(write_population(tmp_path / "p.xlsx"))]) == 0
    path = one_person(tmp_path / "x.xlsx", None)
    capsys.readouterr()
    assert main(["import", str(census), str(path), "--region", "测试市/../x"]) == 1
    err = capsys.readouterr().err
    assert "x.xlsx" in err and "“..”" in err and "Traceback" not in err
    with Census.open(census) as c:
        assert c.people.count() == 0 and ".." not in names(c) and "x" not in names(c)


# ---- the population table ---------------------------------------------------------------------

def population_xlsx(path, header, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


LEVELS = ("市", "区县", "街道（乡镇）", "社区（村）", "户籍人口")


def test_population_office_names_become_the_nodes_they_stand_for(tmp_path):
    path = population_xlsx(tmp_path / "pop.xlsx", LEVELS, [
        ("测试市", None, None, None, 1000),
        ("测试市", "西区", None, None, 1000),
        ("测试市", "西区", "巴音苏木人民政府", None, 600),
        ("测试市", "西区", "巴音苏木", "巴彦塔拉嘎查嘎查委员会", 300),
        ("测试市", "西区", "巴音苏木", "乌兰嘎查嘎查村民委员会", 300),
        ("测试市", "西区", "和平街道街道办事处", None, 400),
        ("测试市", "西区", "和平街道", "团结社区社区居委会", 400),
    ])
    with Census.open(tmp_path / "c.census") as c:
        result = load_population(c, path)
        assert result.warnings == ()
        paths = {r.path for r in c.regions.tree().regions}
        assert paths == {"测试市", "测试市/西区", SUMU, GACHA, f"{SUMU}/乌兰嘎查", "测试市/西区/和平街道",
                         "测试市/西区/和平街道/团结社区"}
        assert c.regions.by_path(GACHA).population == 300


def test_population_names_with_slash_or_bare_kind_are_warnings_naming_the_row(tmp_path):
    # Rows 4, 5 and 6 (sheet rows, header = row 1) name no single region: each is left out with a
    # warning naming its row, the rest of the table is imported, and no phantom node appears.
    path = population_xlsx(tmp_path / "pop.xlsx", LEVELS, [
        ("测试市", None, None, None, 1000),
        ("测试市", "东区", None, None, 1000),
        ("测试市", "东区", "和平街道", "a/b", 100),
        ("测试市", "东区", "和平街道", "../x", 100),
        ("测试市", "东区", "和平街道", "社区", 100),
        ("测试市", "东区", "和平街道", "/", 500),  # "/" alone: no community, the street's own figure
        ("测试市", "东区", "和平街道", "团结社区", 300),
    ])
    with Census.open(tmp_path / "c.census") as c:
        result = load_population(c, path)
        # (the inconsistent figures of this table are warned about after the rows left out)
        assert [w.split("：")[0] for w in result.warnings if "未导入" in w] == ["第 4 行未导入", "第 5 行未导入", "第 6 行未导入"]
        assert "“a/b”" in result.warnings[0] and "“../x”" in result.warnings[1] and "“社区”" in result.warnings[2]
        assert all(w in result.describe() for w in result.warnings)
        assert {r.path for r in c.regions.tree().regions} == {"测试市", "测试市/东区", HEPING, TUANJIE}
        assert c.regions.by_path(HEPING).population == 500


def test_population_path_column_with_dot_segments(tmp_path):
    path = population_xlsx(tmp_path / "pop.xlsx", ("区划路径", "户籍人口"), [
        ("测试市", 1000), ("测试市/东区", 600), ("测试市/东区/../西区", 400), ("测试市/./东区", 1),
    ])
    with Census.open(tmp_path / "c.census") as c:
        result = load_population(c, path)
        assert [w.split("：")[0] for w in result.warnings if "未导入" in w] == ["第 4 行未导入", "第 5 行未导入"]
        assert {r.path for r in c.regions.tree().regions} == {"测试市", "测试市/东区"}


def test_population_cli_prints_the_row_warnings(tmp_path, capsys):
    path = population_xlsx(tmp_path / "pop.xlsx", LEVELS, [
        ("测试市", None, None, None, 1000), ("测试市", "东区", "和平街道", "a/b", 100)])
    assert main(["population", str(tmp_path / "c.census"), str(path)]) == 0
    out = capsys.readouterr().out
    assert "第 3 行未导入" in out and "“a/b”" in out


def test_a_row_region_note_comes_before_the_rows_own_notes(census, tmp_path):
    """The row's region is resolved when it is stored, after its other notes were made from its
    cells (in the reader process for a folder): the region's note still comes first."""
    rows = [("嘎查", "", make_id(1), "初级", None, None, None), ("团结社区", "张三", make_id(2), "初级", None, None, None)]
    path = write_street_return(tmp_path / "和平街道汇总.xlsx", "东区和平街道社会工作专业人才汇总表", rows)
    result = import_file(census, path)
    stored = census.conn.execute("SELECT name, notes FROM source_rows ORDER BY row_number").fetchall()
    region_note = "所属区划“嘎查”："
    assert json.loads(stored[0][1])[0].startswith(region_note) and json.loads(stored[0][1])[1:] == ["姓名为空"]
    assert stored[1][1] is None
    assert result.notes["姓名为空"] == 1 and sum(n.startswith(region_note) for n in result.notes) == 1
