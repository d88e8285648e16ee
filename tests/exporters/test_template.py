"""exporters.template: a template per community/village that, filled in, imports without questions."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from exporters.template import (
    BLANK_ROWS,
    COL,
    FIRST_DATA,
    MIN_PRINTED,
    SPARE_ROWS,
    build_template,
    persons_within,
    printed_rows,
    region_texts,
    template_regions,
    write_templates,
)
from importers.job import import_file
from importers.plan import plan_file
from importers.population import load_population
from models.census import Census
from models.errors import NotFound
from models.identity import REASON_NUMBER
from tests.builders import make_id, write_community_return, write_population


@pytest.fixture
def fresh(tmp_path) -> Census:
    """A census with the population table only."""
    census = Census.open(tmp_path / "fresh.census")
    load_population(census, write_population(tmp_path / "户籍人口.xlsx"))
    yield census
    census.close()


def test_one_template_per_community_and_village(fresh, tmp_path):
    paths = write_templates(fresh, tmp_path / "out")
    assert [p.name for p in paths] == [
        "测试市_东区_和平街道_团结社区_摸排登记表.xlsx", "测试市_东区_和平街道_幸福社区_摸排登记表.xlsx",
        "测试市_东区_红星镇_团结村_摸排登记表.xlsx", "测试市_西区_光华街道_团结社区_摸排登记表.xlsx"]
    for path in paths:  # both 团结社区 are told apart by their 填报单位 line
        plan = plan_file(fresh, path)
        assert plan.uncertain == []
        assert plan.region.source == "filler"
        assert path.name.startswith(plan.region.path.replace("/", "_"))


def test_one_template_for_a_chosen_region(fresh, tmp_path):
    (path,) = write_templates(fresh, tmp_path, region="测试市/西区/光华街道")
    assert plan_file(fresh, path).region.path == "测试市/西区/光华街道"
    with pytest.raises(NotFound):
        write_templates(fresh, tmp_path, region="测试市/北区")


def test_layout_formats_and_validations(fresh, tmp_path):
    (path,) = write_templates(fresh, tmp_path, region="测试市/西区/光华街道/团结社区")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["摸排登记表", "填表说明"]
    ws = wb["摸排登记表"]
    assert ws["A1"].value == "测试市社会工作专业人才摸排登记表"
    assert ws["A2"].value == "填报单位：西区光华街道团结社区"
    assert [ws.cell(3, c).value for c in (1, 2, 3, 4, 5, 6, 7, 10, 13, 14)] == [
        "序号", "姓名", "性别", "身份证号码", "联系电话", "工作单位及职务", "学历情况", "社会工作职业水平证书",
        "2015年以来参加社会工作培训学时", "备注"]
    assert [ws.cell(4, c).value for c in range(7, 13)] == ["学历", "所学专业", "毕业院校", "证书等级", "证书编号", "取得时间"]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A3:A4", "D3:D4", "G3:I3", "J3:L3", "M3:M4"} <= merged
    first, last = FIRST_DATA + 1, FIRST_DATA + BLANK_ROWS
    for row in (first, last):
        assert ws.cell(row, COL["id"] + 1).number_format == "@"
        assert ws.cell(row, COL["phone"] + 1).number_format == "@"
    assert ws.column_dimensions["D"].number_format == "@"  # rows typed below the 500 stay text too

    rules = {}
    for dv in ws.data_validations.dataValidation:
        rules[str(dv.sqref).split(":")[0]] = dv
    gender, edu, level = rules[f"C{first}"], rules[f"G{first}"], rules[f"J{first}"]
    assert gender.type == edu.type == level.type == "list"
    assert gender.formula1 == '"男,女"'
    assert edu.formula1 == '"初中,高中,中专,大专,本科,硕士研究生,博士研究生"'
    assert level.formula1 == '"无,助理社会工作师,社会工作师,高级社会工作师"'
    assert str(gender.sqref) == f"C{first}:C{last}"
    ident, hours = rules[f"D{first}"], rules[f"M{first}"]
    assert "18位，请勿输入为数字" in ident.prompt
    assert hours.type == "whole"
    assert "累计学时取最大值不要相加" in hours.prompt
    assert ws.freeze_panes == "C5"
    assert ws.print_title_rows == "$3:$4"
    assert ws.page_setup.orientation == "landscape"


def fill(path: Path, rows: list[tuple]) -> Path:
    """Type rows into a template with openpyxl: (name, id, gender, education, major, level, hours)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["摸排登记表"]
    for offset, (name, ident, gender, education, major, level, hours) in enumerate(rows):
        r = FIRST_DATA + 1 + offset
        ws.cell(r, COL["name"] + 1, name)
        ws.cell(r, COL["gender"] + 1, gender)
        ws.cell(r, COL["id"] + 1, ident)
        ws.cell(r, COL["phone"] + 1, "13800001111")
        ws.cell(r, COL["education"] + 1, education)
        ws.cell(r, COL["major"] + 1, major)
        ws.cell(r, COL["level"] + 1, level)
        ws.cell(r, COL["hours"] + 1, hours)
    wb.save(path)
    return path


def id_with_x() -> str:
    return next(i for i in (make_id(n, born=dt.date(1990, 1, 2)) for n in range(200)) if i.endswith("X"))


def test_filled_template_round_trip(fresh, tmp_path):
    (path,) = write_templates(fresh, tmp_path, region="测试市/东区/红星镇/团结村")
    x_id = id_with_x()
    fill(path, [
        ("甲", make_id(101), "男", "本科", "社会工作", "助理社会工作师", 40),
        ("乙", make_id(102), "女", "高中", "", "持证", 0),  # a level nobody can read
        ("丙", " " + x_id.lower(), "女", "中专", "", "社会工作师", None),  # typed as text, lower-case x
        ("丁", int(make_id(104)), "男", "本科", "社会学", "高级社会工作师", 200),  # typed as a number
        ("戊", make_id(105), "男", "大专", "会计", "无", 150),
    ])
    plan = plan_file(fresh, path)
    assert plan.uncertain == []
    assert plan.region.path == "测试市/东区/红星镇/团结村"
    result = import_file(fresh, path)
    assert (result.rows_total, result.rows_ok, result.rows_pending, result.persons) == (5, 4, 1, 4)
    assert result.skipped.get("footer", 0) == 0  # the sign line is the page footer, not a row
    assert result.new_regions == []

    persons = {p.name: p for p in fresh.people.iter()}
    assert set(persons) == {"甲", "乙", "丙", "戊"}
    assert persons["丙"].id_number == x_id
    assert {p.name for p in fresh.people.iter(category="talent")} == {"甲", "丙", "戊"}
    village = next(s for s in fresh.summary() if s.path == "测试市/东区/红星镇/团结村")
    assert (village.talents, village.certified, village.certified_assistant, village.certified_intermediate,
            village.degree, village.trained_only, village.pending_rows) == (3, 2, 1, 1, 1, 1, 1)

    problems = fresh.problems.all()
    assert [(p.kind, p.name) for p in problems] == [("pending", "丁"), ("review", "乙")]
    assert problems[0].reason == REASON_NUMBER
    assert "持证" in problems[1].reason


def test_cli_template(fresh, tmp_path, capsys):
    from cli import main as cli_main

    fresh.close()
    assert cli_main(["template", str(tmp_path / "fresh.census"), str(tmp_path / "t")]) == 0
    assert len(list((tmp_path / "t").glob("*_摸排登记表.xlsx"))) == 4
    assert cli_main(["template", str(tmp_path / "fresh.census"), str(tmp_path / "one"),
                     "--region", "测试市/东区/红星镇/团结村"]) == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["测试市_东区_红星镇_团结村_摸排登记表.xlsx"]


def parts(path: Path) -> dict[str, bytes]:
    """A workbook's zip parts, the creation time stamp blanked (it says when the file was made)."""
    with zipfile.ZipFile(path) as zf:
        out = {info.filename: zf.read(info) for info in zf.infolist()}
    out["docProps/core.xml"] = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"", out["docProps/core.xml"])
    return out


def cells(path: Path) -> dict:
    """Everything a clerk sees of a template, as openpyxl reads it."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"description": wb.properties.description}
    for ws in wb.worksheets:
        out[ws.title] = (
            [[c.value for c in row] for row in ws.iter_rows()],
            sorted(str(m) for m in ws.merged_cells.ranges),
            [(str(dv.sqref), dv.type, dv.formula1, dv.prompt, dv.error) for dv in ws.data_validations.dataValidation],
            {r: d.height for r, d in ws.row_dimensions.items() if d.height},
            ws.print_area, ws.freeze_panes,
        )
    return out


def test_every_template_holds_what_xlsxwriter_writes_for_its_region(fresh, tmp_path):
    # Persons in one community: its template numbers more rows, so two kinds of template are made.
    returned = write_community_return(tmp_path / "r.xlsx", "东区和平街道幸福社区",
                                      [(f"人{n}", make_id(n), "无", "本科", "会计", 0) for n in range(1, 16)])
    import_file(fresh, returned)
    fresh.regions.ensure("测试市/东区/和平街道/A&B<C>社区", kind="community")  # escaped in the XML
    fresh.regions.ensure("测试市/东区/和平街道/_x0041_社区", kind="community")  # XlsxWriter escapes this itself
    paths = write_templates(fresh, tmp_path / "out")
    tree = fresh.regions.tree()
    known = persons_within(fresh, tree)
    assert {r.id: fresh.people.count(region_id=r.id) for r in tree.regions} == {r.id: known.get(r.id, 0)
                                                                                  for r in tree.regions}
    rules = fresh.settings.rules
    nodes = template_regions(tree)
    assert len(paths) == len(nodes) == 6
    printed = set()
    for node, path in zip(nodes, paths, strict=True):
        printed.add(printed_rows(known.get(node.id, 0)))
        whole = build_template(tmp_path / "whole" / path.name, region_texts(tree, node), rules.training_since[:4],
                               rules.min_hours, printed_rows(known.get(node.id, 0)))
        assert parts(path) == parts(whole), node.path
        assert cells(path) == cells(whole)
    assert printed == {MIN_PRINTED, 15 + SPARE_ROWS}
    looked = cells(next(p for p in paths if "A&B" in p.name))
    assert looked["摸排登记表"][0][1][0] == "填报单位：东区和平街道A&B<C>社区"
    assert looked["description"] == "测试市/东区/和平街道/A&B<C>社区"
    assert not list((tmp_path / "out").glob(".*"))  # no temporary folder left behind


def test_a_units_template_comes_back_to_the_unit_whose_name_holds_a_noise_word(fresh, tmp_path):
    fresh.regions.ensure("测试市/东区/统计局", kind="unit")  # 统计 is a word titles are cleaned of
    (path,) = write_templates(fresh, tmp_path, region="测试市/东区/统计局")
    fill(path, [("甲", make_id(101), "男", "本科", "社会工作", "助理社会工作师", 40)])
    assert plan_file(fresh, path).region.path == "测试市/东区/统计局"  # was the district, silently


def test_a_city_units_template_comes_back_beside_a_districts_unit_of_the_same_name(fresh, tmp_path):
    for path in ("测试市/东区/民政局", "测试市/民政局"):
        fresh.regions.ensure(path, kind="unit")
    for n, path in enumerate(("测试市/东区/民政局", "测试市/民政局")):
        (template,) = write_templates(fresh, tmp_path / str(n), region=path)
        fill(template, [("甲", make_id(101 + n), "男", "本科", "社会工作", "助理社会工作师", 40)])
        plan = plan_file(fresh, template)
        assert plan.region.path == path and plan.uncertain == []  # the city's was the district's, silently
    tree = fresh.regions.tree()
    assert region_texts(tree, tree.by_path["测试市/民政局"]).unit_line == "填报单位：测试市民政局"
    assert region_texts(tree, tree.by_path["测试市/东区/民政局"]).unit_line == "填报单位：东区民政局"


def test_an_old_city_unit_template_naming_the_unit_alone_still_comes_back(fresh, tmp_path):
    for path in ("测试市/东区/民政局", "测试市/民政局"):
        fresh.regions.ensure(path, kind="unit")
    person = [("张三", make_id(7), "初级", "本科", "社会工作", 130)]
    # Templates before this wrote the names below the city only; the title names the city.
    old = write_community_return(tmp_path / "测试市_民政局_摸排登记表.xlsx", "民政局", person)
    assert plan_file(fresh, old).region.path == "测试市/民政局"
    # Nothing but "民政局" anywhere: two candidates, the clerk chooses (was the district's unit).
    bare = write_community_return(tmp_path / "汇总.xlsx", "民政局", person, title="社会工作专业人才摸排登记表")
    region = plan_file(fresh, bare).region
    assert region.path is None and set(region.candidates) == {"测试市/东区/民政局", "测试市/民政局"}


def test_templates_of_regions_named_with_symbols_come_back_to_their_own_nodes(tmp_path):
    hostile = ["+1社区", "-1社区", "a<b>c社区", 'q"u|o社区', "光明社区...", "光明社区", "[括号]社区", "nul.社区"]
    rows = [("测试市", None, None, None, 100000), ("测试市", "东区", None, None, 60000),
            ("测试市", "东区", "和平街道", None, 30000)]
    rows += [("测试市", "东区", "和平街道", name, 1000) for name in hostile]
    rows += [("测试市", "西区.", "光华街道", "团结村", 1000), ("测试市", "西区", "光华街道", "团结村", 1000)]
    with Census.open(tmp_path / "h.census") as census:
        load_population(census, write_population(tmp_path / "户籍人口.xlsx", rows))
        paths = write_templates(census, tmp_path / "out")
        expected = {}
        for n, path in enumerate(paths, start=1):
            fill(path, [(f"人{n}", make_id(n), "男", "本科", "社会工作", "助理社会工作师", 40)])
            expected[make_id(n)] = openpyxl.load_workbook(path).properties.description
        assert len(expected) == len(hostile) + 2
        for path in paths:  # were new regions 1社区, abc社区, q"uo社区; or refused as ambiguous
            result = import_file(census, path)
            assert result.new_regions == []
        assert {p.id_number: p.region_path for p in census.people.iter()} == expected
