"""Headers and lines an office really writes: post grades beside the certificate level, 职务 beside the
unit, and a person whose name cell reads 合计.

The positive list is DOMAIN.md's own (copied here, so the test does not need /work/shared); the
negative list is the columns real returns carry that are not ours. Files are imported through
plan_file + ImportJob.
"""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from importers.headers import OTHER_POST_NOTE, field_for_label, find_header
from importers.job import ImportJob, import_file
from importers.plan import plan_file
from importers.readers import Sheet
from tests.builders import make_id

TUANJIE = "测试市/东区/和平街道/团结社区"

# DOMAIN.md, "What returns look like": every header it lists, with the field it names.
DOMAIN_HEADERS = {
    "name": ("姓名", "姓 名"),
    "id_number": ("身份证号码", "公民身份号码", "证件号码", "身份证"),
    "level": ("证书等级", "社工证等级", "资格等级", "职业资格", "持证情况"),
    "education": ("学历", "文化程度", "最高学历", "学历层次"),
    "major": ("专业", "所学专业", "毕业专业"),
    "hours": ("培训学时", "培训时长", "学时"),
    "region": ("所属社区", "社区（村）"),
    "phone": ("联系电话", "手机号码", "电话"),
    "cert_date": ("取得证书时间",),  # "Over time": the exam year comes from 取得证书时间
}

# Columns about a post, grade or title: never the certificate level, never the unit.
OTHER_POSTS = ("岗位等级", "职务等级", "技术等级", "职称等级", "技能等级", "工资等级", "薪级", "行政级别", "职务", "职级",
               "现任职务", "岗位", "工作岗位", "专业技术职务", "专业技术职称", "职称", "岗位（职务）")


@pytest.mark.parametrize(("label", "field"), [(label, f) for f, labels in DOMAIN_HEADERS.items() for label in labels])
def test_every_header_domain_lists_maps_to_its_field(label, field):
    assert field_for_label(label) == field


@pytest.mark.parametrize("label", OTHER_POSTS)
def test_post_grade_and_title_columns_stay_unmapped(label):
    assert field_for_label(label) is None


@pytest.mark.parametrize(("label", "field"), [
    ("工作单位及职务", "unit"), ("工作单位", "unit"), ("所在单位", "unit"), ("等级", "level"), ("证书", "level"),
    ("社会工作者职业水平证书", "level"), ("职业资格等级", "level"), ("证书类别", "level"), ("其他证书", None),
    ("教师资格证书", None), ("级别", None), ("单位性质（岗位）", None),
])
def test_specific_labels_still_map_and_general_words_only_alone(label, field):
    assert field_for_label(label) == field


def test_grade_under_a_certificate_group_is_the_level_under_a_post_group_is_not():
    rows = [["序号", "姓名", "身份证号码", "社会工作者职业水平证书", None, "岗位情况", None],
            [None, None, None, "等级", "取得时间", "等级", "职务"],
            [1, "张三", make_id(1), "初级", "2019.06", "T2", "主任"]]
    merged = ((0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 4), (0, 5, 0, 6))
    header = find_header(Sheet("s", rows, merged))
    by_index = {c.index: c for c in header.columns}
    assert header.index_of("level") == 3 and header.index_of("cert_date") == 4
    assert (by_index[5].field, by_index[5].note) == (None, OTHER_POST_NOTE)
    assert (by_index[6].field, by_index[6].note) == (None, OTHER_POST_NOTE)
    assert not header.warnings


def xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def test_post_grade_column_raises_no_review_and_is_shown_unmapped(census, tmp_path):
    # Issue 9 item 6: 岗位等级 (T2) took the level field, so every row became a review item, and
    # 职务 was stored as the unit.
    a, b = make_id(1), make_id(2)
    path = xlsx(tmp_path / "团结社区.xlsx", [
        ("填报单位：东区和平街道团结社区",),
        ("序号", "姓名", "身份证号码", "岗位等级", "职务", "工作单位", "社工证等级", "学历", "所学专业"),
        (1, "张三", a, "T2", "主任", "团结社区居委会", "中级", "本科", "社会工作"),
        (2, "李四", b, "T5", "网格员", "团结社区居委会", None, "高中", None),
    ])
    plan = plan_file(census, path)
    columns = {c.label: c for c in plan.columns}
    for label in ("岗位等级", "职务"):
        assert columns[label].field is None and columns[label].note == OTHER_POST_NOTE
    assert plan.mapping()["level"] == 6 and plan.mapping()["unit"] == 5
    job = ImportJob(census, plan)
    for _ in job.run():
        pass
    assert job.result.persons == 2 and not job.result.notes
    assert [p for p in census.problems.all() if p.kind == "review"] == []
    assert census.people.get(a).level == 2 and census.people.get(b).level == 0
    units = {r[0] for r in census.conn.execute("SELECT unit FROM source_rows")}
    assert units == {"团结社区居委会"}


def test_a_post_grade_is_never_read_as_the_level_even_without_a_level_column(census, tmp_path):
    a = make_id(1)
    path = xlsx(tmp_path / "团结社区.xlsx", [
        ("填报单位：东区和平街道团结社区",),
        ("序号", "姓名", "身份证号码", "职务等级", "技术等级", "学历"),
        (1, "张三", a, "中级", "高级", "本科"),
    ])
    plan = plan_file(census, path)
    assert "level" not in plan.mapping()
    result = import_file(census, path)
    assert result.persons == 1 and census.people.get(a).level == 0


# ---- lines that look like totals ---------------------------------------------------------------

def test_a_person_whose_name_cell_reads_total_is_kept(census, tmp_path):
    # Issue 9 item 8: 合计 in the name column with a valid ID and a certificate vanished as a total line.
    a, b, c = make_id(1), make_id(2), make_id(3)
    path = xlsx(tmp_path / "团结社区.xlsx", [
        ("填报单位：东区和平街道团结社区",),
        ("序号", "姓名", "身份证号码", "证书等级", "学历", "所学专业", "培训学时"),
        (1, "张三", a, "初级", None, None, None),
        (2, "合计", b, "中级", "本科", "社会工作", None),
        ("小计", "王五", c, None, None, None, 150),
        ("合计", "3人", None, "2", None, None, "150"),
        ("合计", None, "12345678901234567", None, None, None, None),  # an ID-like sum, not a valid ID
    ])
    result = import_file(census, path)
    assert (result.rows_total, result.rows_ok, result.persons) == (3, 3, 3)
    assert result.skipped["total"] == 2
    assert census.people.count() == 3
    assert census.people.get(b).level == 2 and census.people.get(b).degree
    assert census.people.get(c).trained
    summary = {s.path: s for s in census.summary()}
    assert summary[TUANJIE].talents == 3
    reviews = [p for p in census.problems.all() if p.kind == "review"]
    assert [(p.row_number, p.name) for p in reviews] == [(4, "合计")]
    assert "合计" in reviews[0].reason and "请核实" in reviews[0].reason
