"""Which pending rows are one problem (listed once, fixed together) and which are not: namesakes
without an ID in one return are two people; the same line in another return is one."""

from __future__ import annotations

from importers.job import import_file
from models.census import Census
from tests.builders import make_id, write_community_return, write_street_return

FILLER = "东区和平街道团结社区"  # tests/conftest.py's census holds the test population table


def _pending(census: Census) -> list:
    return [p for p in census.problems.all() if p.kind == "pending"]


def test_namesakes_without_an_id_in_one_return_are_two_problems_fixed_apart(census, tmp_path):
    rows = [("丙一", make_id(301), "无", "本科", "社会工作", None),
            ("丙二", "", "助理社会工作师", "本科", "社会工作", None),  # a woman, certified
            ("丙三", "", "社会工作师", "大专", "社会学", 200),
            ("丙二", "", "无", "高中", "", 300)]  # a man, 300 hours: another 丙二
    import_file(census, write_community_return(tmp_path / "团结社区.xlsx", FILLER, rows))
    pending = _pending(census)
    assert [(p.name, p.also_rows) for p in pending] == [("丙二", ()), ("丙三", ()), ("丙二", ())]
    assert len(pending) == census.totals()["pending_rows"] == 3  # the list and the summary agree
    first, _, second = pending
    census.problems.correct_id(first.row_id, make_id(302))
    assert [p.row_id for p in _pending(census)] == [pending[1].row_id, second.row_id]  # the other 丙二 waits
    census.problems.correct_id(second.row_id, make_id(303))
    assert census.people.get(make_id(302)).hours is None and census.people.get(make_id(303)).hours == 300
    assert census.totals()["talents"] == 3


def test_the_same_line_in_another_return_is_one_problem(census, tmp_path):
    """A street's sheet repeating a community's line without an ID (the same person as read:
    gender, level, education, major, hours), and a wrong ID typed alike in two returns, are one
    problem each; a namesake the street describes otherwise is not."""
    community = [("丁三", "", "助理社会工作师", "本科", "社会工作", None),  # row 1: 女
                 ("丁一", "", "助理社会工作师", "本科", "社会工作", None),  # row 2: 男
                 ("丁二", "11010119850615", "无", "本科", "社会工作", 150)]
    import_file(census, write_community_return(tmp_path / "团结社区.xlsx", FILLER, community))
    street = [("团结社区", "丁一", "", "助理社会工作师", "本科", "社会工作", None),  # street rows are all 男
              ("团结社区", "丁二", "11010119850615", "无", "大专", "社会学", 150),
              ("团结社区", "丁三", "", "助理社会工作师", "本科", "社会工作", None)]
    import_file(census, write_street_return(tmp_path / "和平街道汇总.xlsx", "东区和平街道社会工作专业人才汇总表", street))
    pending = _pending(census)
    lines = {p.name: p for p in pending}
    assert len(lines["丁一"].also_rows) == 1  # the same line, no ID: one problem, fixed together
    assert len(lines["丁二"].also_rows) == 1  # the same wrong ID under the same name: one problem
    assert sorted(p.name for p in pending) == ["丁一", "丁三", "丁三", "丁二"]  # 丁三: 女 here, 男 there
    census.problems.correct_id(lines["丁一"].row_id, make_id(402))
    assert census.people.get(make_id(402)).row_count == 2  # both rows now count as one person
