"""Returns written the way real ones arrive, one DOMAIN.md variation per test.

Every file is made here (openpyxl, CSV in GBK); the expected figures are worked out by hand from
DOMAIN.md's rules, not read back from the code.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from openpyxl import Workbook

from importers.headers import field_for_label
from importers.job import import_file
from importers.plan import plan_file
from models.errors import RegionUndecided
from models.identity import REASON_BIRTH, REASON_CHECK, REASON_MISSING, REASON_NUMBER, check_digit
from tests.builders import make_id

CITY = "测试市"
HEPING = "测试市/东区/和平街道"
TUANJIE = "测试市/东区/和平街道/团结社区"
XINGFU = "测试市/东区/和平街道/幸福社区"
GUANGHUA_TUANJIE = "测试市/西区/光华街道/团结社区"
TUANJIE_CUN = "测试市/东区/红星镇/团结村"

HEADER = ("序号", "姓名", "身份证号码", "证书等级", "学历", "所学专业", "培训学时")


def xlsx(path, rows, merged=()):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for cells in merged:
        ws.merge_cells(cells)
    wb.save(path)
    return path


def gbk_csv(path, rows):
    with open(path, "w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def one_row(ident, level="初级"):
    """A header and one certified person: enough to see which region a file lands in."""
    return [HEADER, (1, "张三", ident, level, None, None, None)]


def summary(census) -> dict:
    return {s.path: s for s in census.summary()}


def breakdown(census, path) -> tuple:
    s = summary(census)[path]
    assert s.talents == s.certified + s.degree - s.degree_and_certified + s.trained_only
    return s.talents, s.certified, s.degree, s.degree_and_certified, s.trained, s.trained_only


def region_of(census, ident) -> str:
    return census.regions.get(census.people.get(ident).region_id).path


# ---- headers -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "field"), [
    ("姓名", "name"), ("姓 名", "name"), ("姓　名", "name"),
    ("身份证号码", "id_number"), ("公民身份号码", "id_number"), ("证件号码", "id_number"), ("身份证", "id_number"),
    ("证书等级", "level"), ("社工证等级", "level"), ("资格等级", "level"), ("职业资格", "level"),
    ("持证情况", "level"),
    ("学历", "education"), ("文化程度", "education"), ("最高学历", "education"), ("学历层次", "education"),
    ("专业", "major"), ("所学专业", "major"), ("毕业专业", "major"),
    ("培训学时", "hours"), ("培训时长", "hours"), ("学时", "hours"),
    ("所属社区", "region"), ("社区（村）", "region"), ("社区(村)", "region"),
    ("联系电话", "phone"), ("手机号码", "phone"), ("电话", "phone"),
])
def test_domain_header_synonyms_map_to_their_field(label, field):
    assert field_for_label(label) == field


def test_keyword_with_full_width_brackets_matches_its_label():
    # Labels are compared with full-width brackets folded; a keyword written with （） must be too.
    assert field_for_label("培训时间（小时）") == "hours"
    assert field_for_label("村（居）") == "region"


def test_professional_title_column_is_not_the_major(census, tmp_path):
    # 专业技术职称 before 所学专业 took the "major" field, so the real major was never read.
    a = make_id(1)
    path = xlsx(tmp_path / "团结社区.xlsx", [
        ("填报单位：东区和平街道团结社区居委会",),
        ("序号", "姓名", "身份证号码", "专业技术职称", "所学专业", "学历", "证书等级"),
        (1, "张三", a, "中级经济师", "社会工作", "本科", None),
    ])
    plan = plan_file(census, path)
    assert plan.mapping()["major"] == 4
    import_file(census, path)
    assert census.people.get(a).degree and census.people.get(a).level == 0
    assert breakdown(census, TUANJIE) == (1, 0, 1, 0, 0, 0)


def test_certificate_date_column_is_not_the_level():
    assert field_for_label("取得证书时间") == "cert_date"
    assert field_for_label("获得证书时间") == "cert_date"


# ---- layout ------------------------------------------------------------------------------------

def test_instructions_sheet_title_filler_and_two_row_merged_header(census, tmp_path):
    ids = [make_id(i) for i in range(1, 5)]
    wb = Workbook()
    info = wb.active
    info.title = "填表说明"
    info.append(["填表说明：身份证号码请设置为文本格式"])
    info.append(["姓名", "身份证号码", "证书等级", "学历"])
    info.append(["示例", make_id(99), "初级", "本科"])
    ws = wb.create_sheet("Sheet1")
    ws.append(["测试市社会工作专业人才摸排登记表"])
    ws.append(["填报单位：和平街道幸福社区居委会", None, None, None, None, None, None, None, "填报日期：2021年3月"])
    ws.append(["序号", "姓名", "身份证号码", "学历情况", None, None, "职业资格证书", None, "培训情况"])
    ws.append([None, None, None, "学历", "所学专业", "毕业院校", "等级", "取得时间", "学时"])
    for cells in ("A3:A4", "B3:B4", "C3:C4", "D3:F3", "G3:H3"):
        ws.merge_cells(cells)
    ws.append([1, "甲", ids[0], "大学本科", "社会工作", "某大学", "助理", dt.datetime(2019, 6, 1), "120学时"])
    ws.append([2, "乙", ids[1], "专科", "应用心理学", "某学院", None, "2019.06", 100])
    ws.append([3, "丙", ids[2], "研究生", "行政管理", None, "中级", "2019年6月", "80小时"])
    ws.append([4, "丁", ids[3], "高中", "社会工作", None, "/", "201906", None])
    wb.save(tmp_path / "x.xlsx")
    plan = plan_file(census, tmp_path / "x.xlsx")
    assert plan.sheet.name == "Sheet1" and (plan.header.first_row, plan.header.last_row) == (2, 3)
    assert plan.region.path == XINGFU
    assert {k: plan.mapping()[k] for k in ("education", "major", "level", "cert_date", "hours")} == \
        {"education": 3, "major": 4, "level": 6, "cert_date": 7, "hours": 8}
    result = import_file(census, tmp_path / "x.xlsx")
    assert result.rows_total == 4 and result.rows_pending == 0
    dates = dict(census.conn.execute("SELECT name, cert_date FROM source_rows").fetchall())
    assert dates == {"甲": "2019-06-01", "乙": "2019-06", "丙": "2019-06", "丁": "2019-06"}
    # 甲 certified+degree+trained, 乙 degree, 丙 certified, 丁 高中 never a degree.
    assert breakdown(census, XINGFU) == (3, 2, 2, 1, 1, 0)
    assert census.people.count() == 4  # not the example row on the instructions sheet


def test_blank_lines_subtotals_and_footers_are_not_data(census, tmp_path):
    a, b = make_id(1), make_id(2)
    path = xlsx(tmp_path / "团结社区.xlsx", [
        ("测试市和平街道团结社区社会工作专业人才摸排表",),
        HEADER,
        (1, "张三", a, "初级", None, None, None),
        (),
        (2, None, None, None, None, None, None),  # a pre-numbered empty template line
        (3, "李四", b, None, None, None, 130),
        ("小计", "2人"),
        ("合计", None, None, "1", None, None, "130"),
        (4, "王五", None, "中级", None, None, None),  # a person without an ID: pending, not dropped
        ("填表人：赵某", None, "审核人：钱某", None, "联系电话：0473-1234567"),
        ("单位负责人", "孙某"),
    ])
    result = import_file(census, path)
    assert result.region_path == TUANJIE
    assert (result.rows_total, result.rows_ok, result.rows_pending) == (3, 2, 1)
    assert result.skipped == {"blank": 2, "total": 2, "footer": 2}
    assert [p.reason for p in census.problems.all() if p.kind == "pending"] == [REASON_MISSING]
    s = summary(census)[TUANJIE]
    assert (s.talents, s.pending_rows) == (2, 1)


# ---- values ------------------------------------------------------------------------------------

def test_every_listed_level_spelling_and_unknown_ones(census, tmp_path):
    spellings = [("助理社会工作师", 1), ("初级", 1), ("助理社工师", 1), ("社会工作师", 2), ("中级", 2),
                 ("中级社工师", 2), ("高级社会工作师", 3), ("高级", 3), (None, 0), ("无", 0), ("/", 0),
                 ("社工证", 0), ("有", 0), ("心理咨询师", 0), ("社会工作者", 0), ("中级社会工作者", 2)]
    ids = [make_id(i) for i in range(1, len(spellings) + 1)]
    path = xlsx(tmp_path / "团结社区.xlsx", [("填报单位：和平街道团结社区",), HEADER] + [
        (i, f"人{i}", ident, text, None, None, None) for i, (ident, (text, _)) in enumerate(zip(ids, spellings, strict=True), 1)])
    import_file(census, path)
    assert [census.people.get(i).level for i in ids] == [lv for _, lv in spellings]
    review = sorted(p.reason for p in census.problems.all() if p.kind == "review")
    assert review == sorted(f"证书等级无法识别：“{t}”，未计入持证" for t in ("社工证", "有", "心理咨询师", "社会工作者"))
    s = summary(census)[TUANJIE]
    assert (s.certified, s.certified_assistant, s.certified_intermediate, s.certified_senior) == (9, 3, 4, 2)
    assert s.talents == 9


def test_degree_is_college_or_above_in_a_related_major(census, tmp_path):
    rows = [("大专", "社会工作"), ("专科", "社会学"), ("高职", "老年服务与管理"), ("本科", "应用心理学"),
            ("硕士", "社会保障"), ("博士", "人类学"), ("中专", "社会工作"), ("高中", "社会工作"),
            ("初中", "社会工作"), ("本科", "会计"), ("本科", "无")]
    ids = [make_id(i) for i in range(1, len(rows) + 1)]
    path = xlsx(tmp_path / "团结社区.xlsx", [("填报单位：和平街道团结社区",), HEADER] + [
        (i, f"人{i}", ident, None, edu, major, None) for i, (ident, (edu, major)) in enumerate(zip(ids, rows, strict=True), 1)])
    import_file(census, path)
    assert [bool(census.people.get(i).degree) for i in ids] == [True] * 6 + [False] * 5
    assert breakdown(census, TUANJIE) == (6, 0, 6, 0, 0, 0)


def test_id_spellings_of_one_person_and_every_pending_reason(census, tmp_path):
    a = make_id(1, born=dt.date(1975, 3, 4))
    old15 = a[:6] + a[8:17]
    b = make_id(2)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in b)
    x = next(i for i in (make_id(n, county="150302") for n in range(100)) if i.endswith("X"))
    bad_check = b[:17] + ("0" if b[17] != "0" else "1")
    bad_date = "11010119851332123"
    bad_date += check_digit(bad_date)
    path = xlsx(tmp_path / "团结社区.xlsx", [("填报单位：和平街道团结社区",), HEADER] + [
        (1, "甲", f" {a[:6]} {a[6:]} ", "初级", None, None, None),
        (2, "甲", old15, None, None, None, None),
        (3, "甲", int(old15), None, None, None, None),
        (4, "乙", full_width, None, None, None, 50),
        (5, "乙", f"'{b}", None, None, None, 130),
        (6, "乙", f"“{b}”", None, None, None, None),
        (7, "丙", x.lower(), "中级", None, None, None),
        (8, "丁", int(b[:15] + "000"), "中级", None, None, None),
        (9, "戊", bad_check, "中级", None, None, None),
        (10, "己", bad_date, "中级", None, None, None),
        (11, "庚", b[:16], "中级", None, None, None),
    ])
    result = import_file(census, path)
    assert (result.rows_ok, result.persons, result.rows_pending) == (7, 3, 4)
    assert census.people.get(a).row_count == 3 and census.people.get(x).level == 2
    assert census.people.get(b).hours == 130  # the largest of 50 and 130, never 180
    reasons = [p.reason for p in census.problems.all() if p.kind == "pending"]
    assert reasons[:3] == [REASON_NUMBER, REASON_CHECK, REASON_BIRTH] and reasons[3].startswith("身份证号位数不对")
    s = summary(census)[TUANJIE]
    assert (s.talents, s.certified, s.trained_only, s.pending_rows) == (3, 2, 1, 4)


# ---- regions -----------------------------------------------------------------------------------

def test_street_csv_in_gbk_with_row_regions_meaning_the_file_itself(census, tmp_path):
    ids = [make_id(i) for i in range(1, 8)]
    path = gbk_csv(tmp_path / "光华街道汇总.csv", [
        ["西区光华街道社会工作专业人才汇总表"], ["填报单位：光华街道办事处"],
        ["序号", "所属社区", "姓名", "身份证号码", "证书等级", "学历", "专业", "培训学时", "联系电话"],
        ["1", "团结社区", "甲", ids[0], "初级", "", "", "", ""],
        ["2", "", "乙", ids[1], "初级", "", "", "", ""],
        ["3", "本级", "丙", ids[2], "初级", "", "", "", ""],
        ["4", "光华街道办事处", "丁", ids[3], "初级", "", "", "", ""],
        ["5", "团结社区居民委员会", "戊", ids[4], "初级", "", "", "", ""],
        ["6", "街道办", "己", ids[5], "初级", "", "", "", ""],
        ["", "", "", "", "", "", "", "", ""],
        ["合计", "6人"],
        ["填表人：某", "", "审核人：某", "", "联系电话：0473-1"],
    ])
    result = import_file(census, path)
    assert result.region_path == "测试市/西区/光华街道" and result.rows_ok == 6 and not result.new_regions
    assert [region_of(census, i) for i in ids[:6]] == [GUANGHUA_TUANJIE] + ["测试市/西区/光华街道"] * 3 + \
        [GUANGHUA_TUANJIE, "测试市/西区/光华街道"]
    assert summary(census)[TUANJIE].talents == 0  # the other street's 团结社区


@pytest.mark.parametrize(("file_name", "top", "expected"), [
    ("东区_和平街道_团结社区.xlsx", [], TUANJIE),
    ("光华街道_团结社区.xlsx", [], GUANGHUA_TUANJIE),
    ("幸福社区摸排表.xlsx", [], XINGFU),
    ("东区-和平街道-幸福社区 (1).xlsx", [], XINGFU),
    ("幸福社区 摸排表 v2.xlsx", [], XINGFU),  # a version mark is no region under 幸福社区
    ("幸福社区摸排表第2版.xlsx", [], XINGFU),
    ("😀幸福社区（修改后）🎉.xlsx", [], XINGFU),
    ("x.xlsx", [("西区光华街道团结社区社会工作专业人才摸排登记表",)], GUANGHUA_TUANJIE),
    ("团结社区摸排表.xlsx", [("测试市社会工作专业人才摸排表",), ("填报单位：光华街道团结社区",)], GUANGHUA_TUANJIE),
])
def test_region_from_filler_title_or_file_name(census, tmp_path, file_name, top, expected):
    path = xlsx(tmp_path / file_name, top + one_row(make_id(1)))
    assert import_file(census, path).region_path == expected and not census.regions.tree().by_path[expected].flagged


@pytest.mark.parametrize(("file_name", "note"), [
    ("幸福社区-张三.xlsx", "张三"),  # the sender's name
    ("幸福社区 最终 小王.xlsx", "最终小王"),
])
def test_a_file_names_leftover_that_is_no_region_or_unit_is_not_a_new_node(census, tmp_path, file_name, note):
    path = xlsx(tmp_path / file_name, one_row(make_id(1)))
    plan = plan_file(census, path)
    assert (plan.region.path, plan.region.uncertain, plan.region.new_node) == (XINGFU, True, False)
    assert f"“{note}”不像区划或单位名称" in plan.region.message
    result = import_file(census, path)
    assert result.region_path == XINGFU and result.new_regions == []


@pytest.mark.parametrize(("file_name", "new"), [
    ("和平街道社会工作服务站.xlsx", HEPING + "/社会工作服务站"),
    ("和平街道-新建社区.xlsx", HEPING + "/新建社区"),
])
def test_a_file_names_unknown_unit_or_community_is_still_a_new_node(census, tmp_path, file_name, new):
    plan = plan_file(census, xlsx(tmp_path / file_name, one_row(make_id(1))))
    assert (plan.region.path, plan.region.new_node) == (new, True)


@pytest.mark.parametrize(("filler", "new"), [
    ("东区统计局", "测试市/东区/统计局"),  # 统计 is a title's noise word: the leftover was "局", silently 东区
    ("东区信息中心", "测试市/东区/信息中心"),
    ("东区民政局", "测试市/东区/民政局"),
])
def test_an_unknown_unit_whose_name_holds_a_noise_word_is_a_new_unit(census, tmp_path, filler, new):
    path = xlsx(tmp_path / "x.xlsx", [("测试市社会工作专业人才摸排统计表",), (f"填报单位：{filler}",)] + one_row(make_id(1)))
    plan = plan_file(census, path)
    assert (plan.region.path, plan.region.new_node, plan.region.uncertain) == (new, True, True)
    result = import_file(census, path)
    assert result.region_path == new and result.new_regions == [new]


def test_a_units_ending_left_alone_is_never_silently_the_region(census, tmp_path):
    path = xlsx(tmp_path / "x.xlsx", [("填报单位：东区局",)] + one_row(make_id(1)))
    plan = plan_file(census, path)
    assert (plan.region.path, plan.region.uncertain) == ("测试市/东区", True)
    assert "“局”不是完整的单位名称" in plan.region.message


@pytest.mark.parametrize(("folder", "file_name", "expected"), [
    ("西区/光华街道/团结社区", "摸排表.xlsx", GUANGHUA_TUANJIE),  # one folder per street and community
    ("光华街道", "团结社区摸排表.xlsx", GUANGHUA_TUANJIE),  # two 团结社区: the folder tells which
    ("收到的表/东区", "摸排表.xlsx", "测试市/东区"),
])
def test_region_from_the_folders_when_the_file_does_not_say(census, tmp_path, folder, file_name, expected):
    (tmp_path / folder).mkdir(parents=True)
    plan = plan_file(census, xlsx(tmp_path / folder / file_name, one_row(make_id(1))))
    assert plan.region.path == expected
    if file_name == "摸排表.xlsx":  # the folder alone said it: the clerk is asked to confirm
        assert plan.region.source_label == "所在文件夹名" and plan.region.uncertain
    assert import_file(census, tmp_path / folder / file_name).region_path == expected
    assert not census.regions.tree().by_path[expected].flagged


def test_a_folder_name_never_makes_a_region(census, tmp_path):
    (tmp_path / "新村社区").mkdir()
    plan = plan_file(census, xlsx(tmp_path / "新村社区" / "摸排表.xlsx", one_row(make_id(1))))
    assert plan.region.path is None


@pytest.mark.parametrize(("file_name", "top", "expected"), [
    ("团结社区.xlsx", [("填报单位：光华街道团结社区居民委员会",)], GUANGHUA_TUANJIE),
    ("团结村委会.xlsx", [], TUANJIE_CUN),
    ("y.xlsx", [("填报单位：", "红星镇人民政府")], "测试市/东区/红星镇"),
    ("z.xlsx", [("填报单位：东区和平街道幸福社区村民委员会",)], XINGFU),
])
def test_office_suffix_is_not_a_new_region(census, tmp_path, file_name, top, expected):
    # "居民委员会" and "人民政府" were cut to "居民"/"人民", and 团结村委会 left "委会": new flagged nodes.
    path = xlsx(tmp_path / file_name, top + one_row(make_id(1)))
    result = import_file(census, path)
    assert result.region_path == expected and result.new_regions == []


def test_same_community_name_alone_stops_the_import(census, tmp_path):
    path = xlsx(tmp_path / "团结社区摸排表.xlsx", [("填报单位：团结社区",)] + one_row(make_id(1)))
    with pytest.raises(RegionUndecided) as err:
        import_file(census, path)
    assert set(err.value.candidates) == {TUANJIE, GUANGHUA_TUANJIE}
    assert import_file(census, path, region=GUANGHUA_TUANJIE).region_path == GUANGHUA_TUANJIE


def test_unit_with_region_option(census, tmp_path):
    a = make_id(1)
    path = xlsx(tmp_path / "民政局.xlsx", [("测试市社会工作专业人才摸排登记表",)] + one_row(a))
    result = import_file(census, path, region="测试市/东区/东区民政局")
    assert result.region_path == "测试市/东区/东区民政局"
    assert summary(census)["测试市/东区"].certified == 1 and summary(census)[CITY].talents == 1


def test_district_sheet_with_office_names_in_street_and_community_columns(census, tmp_path):
    ids = [make_id(i) for i in range(1, 4)]
    path = gbk_csv(tmp_path / "东区汇总.csv", [
        ["序号", "所属街道", "所属社区", "姓名", "身份证号码", "证书等级"],
        ["1", "红星镇人民政府", "团结村村委会", "甲", ids[0], "中级"],
        ["2", "和平街道办事处", "团结社区居委会", "乙", ids[1], "中级"],
        ["3", "和平街道办事处", "", "丙", ids[2], "中级"],
    ])
    result = import_file(census, path)
    assert result.region_path == "测试市/东区" and result.new_regions == []
    assert [region_of(census, i) for i in ids] == [TUANJIE_CUN, TUANJIE, HEPING]


def test_a_community_return_naming_another_community_puts_the_row_beside_it(census, tmp_path):
    """团结社区's own return with a row saying 幸福社区 (its street's) or a community the tree lacks:
    the sibling, or a new community under the street, flagged — never one inside 团结社区."""
    a, b, c = make_id(1), make_id(2), make_id(3)
    path = xlsx(tmp_path / "团结社区摸排表.xlsx", [("填报单位：东区和平街道团结社区",),
                                                   ("序号", "所属社区", "姓名", "身份证号码", "证书等级"),
                                                   (1, "幸福社区", "甲", a, "初级"), (2, "新建社区", "乙", b, "初级"),
                                                   (3, "团结社区", "丙", c, "初级")])
    result = import_file(census, path)
    assert region_of(census, a) == XINGFU and region_of(census, c) == TUANJIE
    assert region_of(census, b) == HEPING + "/新建社区" and result.new_regions == [HEPING + "/新建社区"]
    assert any("不是本表的“团结社区”，已计入“" + XINGFU in n for n in result.notes)
    assert not [r.path for r in census.regions.all() if r.path.startswith(TUANJIE + "/")]


def test_row_naming_an_unknown_street_is_not_put_under_a_community(census, tmp_path):
    # 团结社区 is unique within 东区, but the row names a street 东区 does not have: it must not
    # become a street under 和平街道/团结社区 (that would count the person in 和平街道).
    a = make_id(1)
    path = gbk_csv(tmp_path / "东区汇总.csv", [
        ["序号", "所属街道", "所属社区", "姓名", "身份证号码", "证书等级"],
        ["1", "新城街道", "团结社区", "甲", a, "中级"],
    ])
    result = import_file(census, path)
    assert region_of(census, a).startswith("测试市/东区/") and not region_of(census, a).startswith(HEPING)
    assert summary(census)[HEPING].talents == 0 and summary(census)["测试市/东区"].talents == 1
    assert len(result.new_regions) == 1


# ---- one person, many rows -----------------------------------------------------------------------

def test_certificate_in_one_file_and_degree_in_another_make_one_person(census, tmp_path):
    a = make_id(1)
    xlsx(tmp_path / "东区_和平街道_团结社区.xlsx", [HEADER, (1, "张三", a, "助理社工师", "中专", "社会工作", 60)])
    gbk_csv(tmp_path / "和平街道汇总.csv", [
        ["所属社区", "姓名", "公民身份号码", "社工证等级", "最高学历", "毕业专业", "培训时长"],
        ["团结社区", "张三", a.lower(), "无", "本科", "社会学", "100"],
    ])
    import_file(census, tmp_path / "东区_和平街道_团结社区.xlsx")
    import_file(census, tmp_path / "和平街道汇总.csv")
    person = census.people.get(a)
    assert (person.level, bool(person.degree), person.hours, person.row_count) == (1, True, 100, 2)
    assert breakdown(census, HEPING) == (1, 1, 1, 1, 0, 0)


def test_deepest_region_wins_and_ties_go_to_the_earliest_import(census, tmp_path):
    a, b = make_id(1), make_id(2)
    hdr = ("所属社区", "姓名", "身份证号码", "证书等级")
    xlsx(tmp_path / "s.xlsx", [("和平街道汇总表",), hdr, ("街道本级", "甲", a, "初级"), ("街道办", "乙", b, "初级")])
    xlsx(tmp_path / "和平街道_幸福社区.xlsx", [hdr, (None, "乙", b, None), (None, "甲", a, None)])
    xlsx(tmp_path / "东区_和平街道_团结社区.xlsx", [hdr, (None, "乙", b, None)])
    for name in ("s.xlsx", "和平街道_幸福社区.xlsx", "东区_和平街道_团结社区.xlsx"):
        import_file(census, tmp_path / name)
    assert region_of(census, a) == XINGFU  # the community beats the street's sheet
    assert region_of(census, b) == XINGFU  # two communities: the earlier import
    assert summary(census)[XINGFU].talents == 2 and summary(census)[TUANJIE].talents == 0
    assert summary(census)[HEPING].talents == 2
