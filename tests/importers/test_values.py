import datetime as dt

import pytest

from importers.values import (
    Parsed,
    clean_name,
    normalise_major,
    parse_date,
    parse_education,
    parse_gender,
    parse_hours,
    parse_level,
)
from models.rules import (
    EDU_BACHELOR,
    EDU_COLLEGE,
    EDU_DOCTOR,
    EDU_JUNIOR_HIGH,
    EDU_MASTER,
    EDU_NONE,
    EDU_SECONDARY,
    LEVEL_ASSISTANT,
    LEVEL_INTERMEDIATE,
    LEVEL_NONE,
    LEVEL_SENIOR,
    Rules,
)


@pytest.mark.parametrize("text, level", [
    ("助理社会工作师", LEVEL_ASSISTANT), ("初级", LEVEL_ASSISTANT), ("助理社工师", LEVEL_ASSISTANT),
    ("初级（助理社会工作师）", LEVEL_ASSISTANT), ("初级(助理社会工作师)", LEVEL_ASSISTANT),
    ("社会工作师", LEVEL_INTERMEDIATE), ("中级", LEVEL_INTERMEDIATE), ("中级社工师", LEVEL_INTERMEDIATE),
    ("社会工作师（中级）", LEVEL_INTERMEDIATE), (" 社会工作师 ", LEVEL_INTERMEDIATE),
    ("高级社会工作师", LEVEL_SENIOR), ("高级", LEVEL_SENIOR),
    (None, LEVEL_NONE), ("", LEVEL_NONE), ("无", LEVEL_NONE), ("/", LEVEL_NONE), ("／", LEVEL_NONE),
])
def test_levels(text, level):
    parsed = parse_level(text)
    assert parsed.value == level and parsed.note is None


@pytest.mark.parametrize("text, level", [
    ("助理社会工作师证", LEVEL_ASSISTANT), ("助理社工证", LEVEL_ASSISTANT), ("初级社工证", LEVEL_ASSISTANT),
    ("社工证（初级）", LEVEL_ASSISTANT), ("助理社会工作师资格证", LEVEL_ASSISTANT),
    ("社会工作师证", LEVEL_INTERMEDIATE), ("中级社工证", LEVEL_INTERMEDIATE), ("社会工作师资格证书", LEVEL_INTERMEDIATE),
    ("高级社工证", LEVEL_SENIOR), ("高级社会工作师证", LEVEL_SENIOR),
])
def test_a_level_written_with_its_certificate_counts(text, level):
    """证 is the certificate, as 证书 is: "助理社会工作师证" is how many sheets list the assistant level."""
    parsed = parse_level(text)
    assert parsed.value == level and parsed.note is None


@pytest.mark.parametrize("text", ["社工证", "持证", "证", "中级会计师证", "教师资格证"])
def test_a_certificate_without_a_social_work_level_is_still_reviewed(text):
    parsed = parse_level(text)
    assert parsed.value == LEVEL_NONE and parsed.note


def test_several_levels_count_at_the_highest():
    assert parse_level("助理社会工作师、社会工作师").value == LEVEL_INTERMEDIATE


@pytest.mark.parametrize("text, level", [
    ("助理社会工作师\n社会工作师", LEVEL_INTERMEDIATE), ("初级\r\n高级", LEVEL_SENIOR),
    ("初级 中级", LEVEL_INTERMEDIATE), ("助理社会工作师　社会工作师", LEVEL_INTERMEDIATE),
    ("助 理 社 会 工 作 师", LEVEL_ASSISTANT), ("初级社会工作师", LEVEL_ASSISTANT),
    ("初级（助理社会工作师）", LEVEL_ASSISTANT), ("中级社会工作者", LEVEL_INTERMEDIATE),
])
def test_levels_on_two_lines_count_at_the_highest(text, level):
    """Two certificates on two lines of one cell (Alt+Enter) or apart by a space are several
    levels, as with 、: the highest counts. They used to run together and the first word won."""
    parsed = parse_level(text)
    assert parsed.value == level and parsed.note is None


@pytest.mark.parametrize("text", ["初级中级", "助理社会工作师社会工作师", "助理社会工作师（中级）"])
def test_two_levels_run_together_are_reviewed(text):
    parsed = parse_level(text)
    assert parsed.value == LEVEL_NONE and parsed.note


@pytest.mark.parametrize("text", ["持证", "有", "心理咨询师", "社工", "中级会计师", "高级教师", "初级经济师"])
def test_unknown_level_is_a_problem_never_a_guess(text):
    parsed = parse_level(text)
    assert parsed.value == LEVEL_NONE
    assert parsed.note and text in parsed.note


@pytest.mark.parametrize("text, rank", [
    ("大专", EDU_COLLEGE), ("专科", EDU_COLLEGE), ("高职", EDU_COLLEGE), ("大学专科", EDU_COLLEGE),
    ("本科", EDU_BACHELOR), ("大学本科", EDU_BACHELOR), ("大学", EDU_BACHELOR),
    ("硕士研究生", EDU_MASTER), ("研究生", EDU_MASTER), ("硕士", EDU_MASTER), ("博士", EDU_DOCTOR),
    ("中专", EDU_SECONDARY), ("高中", EDU_SECONDARY), ("职高", EDU_SECONDARY), ("初中", EDU_JUNIOR_HIGH),
    (None, EDU_NONE), ("无", EDU_NONE),
])
def test_education(text, rank):
    assert parse_education(text).value == rank


def test_unknown_education_is_noted():
    parsed = parse_education("在读")
    assert parsed.value == EDU_NONE and parsed.note


@pytest.mark.parametrize("major, related", [
    ("社会工作", True), ("社会工作与管理", True), ("应用心理学", True), ("社会学", True), ("社会保障", True),
    ("老年服务与管理", True), ("会计学", False), ("法学", False), ("", False), (None, False),
])
def test_related_majors_by_keyword(major, related):
    assert Rules().major_related(normalise_major(major)) is related


def test_related_majors_are_a_setting():
    rules = Rules(related_majors=("法学",))
    assert rules.major_related("法学") and not rules.major_related("社会工作")


@pytest.mark.parametrize("cell, hours", [
    (120, 120.0), (119.5, 119.5), ("120", 120.0), ("120学时", 120.0), ("96 小时", 96.0), (None, None), ("", None),
    ("无", None),
])
def test_hours(cell, hours):
    parsed = parse_hours(cell)
    assert parsed.value == hours and parsed.note is None


@pytest.mark.parametrize("cell", ["很多", "120-160", -5, dt.date(2020, 1, 1), "1" * 30000, float("inf"), float("nan"),
                                  10 ** 400, 10_001, "20000学时"])
def test_bad_hours_are_noted(cell):
    parsed = parse_hours(cell)
    assert parsed.value is None and parsed.note and len(parsed.note) < 80  # a 30,000-digit cell is not repeated


def test_hours_up_to_the_limit_count():
    assert parse_hours(10_000).value == 10_000.0 and parse_hours("10000学时").note is None


@pytest.mark.parametrize("cell, iso", [
    (dt.datetime(2019, 6, 12), "2019-06-12"), (dt.date(2019, 6, 12), "2019-06-12"), ("2019.06", "2019-06"),
    ("2019年6月", "2019-06"), ("2019-06-12", "2019-06-12"), ("2019/6/1", "2019-06-01"), ("2019年6月3日", "2019-06-03"),
    ("201906", "2019-06"), (None, None),
])
def test_dates(cell, iso):
    assert parse_date(cell).value == iso


def test_impossible_date_is_noted():
    assert parse_date("2019.13").note
    assert parse_date(2019.13).note and parse_date(1234.5).note


@pytest.mark.parametrize("cell, iso", [
    (2021.06, "2021"), (2021.1, "2021"), (2019.12, "2019"), (2020.5, "2020"),  # typed 2021.06 / 2021.10, kept as numbers
    ("2020-12-31 00:00:00", "2020-12-31"), ("2020/12/31 8:30", "2020-12-31"),  # a date with its time, as text
])
def test_dates_whose_year_is_certain(cell, iso):
    """A date Excel kept as a number (2021.10 became 2021.1) was unreadable: the exam year became
    不详 and the one-off award left the person out, though the year is not in doubt."""
    assert parse_date(cell) == Parsed(iso)


def test_gender_and_names():
    assert parse_gender("女") == "女" and parse_gender("男性") == "男" and parse_gender("") == ""
    assert clean_name("张 三") == "张三" and clean_name("李\u3000四 ") == "李四"
