"""Absolute goals per node and category (DOMAIN: 1,000 certified by year end, …)."""

from __future__ import annotations

import pytest

from cli import main
from importers.job import import_file
from importers.population import load_population
from models.census import Census
from models.errors import CensusError
from tests.builders import make_id, write_community_return, write_population


@pytest.fixture
def census(tmp_path) -> Census:
    c = Census.open(tmp_path / "t.census")
    load_population(c, write_population(tmp_path / "pop.xlsx"))
    rows = [("甲", make_id(1), "初级", None, None, None), ("乙", make_id(2), "中级", "本科", "社会学", None)]
    import_file(c, write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", rows))
    yield c
    c.close()


def test_goal_is_measured_against_the_nodes_count(census):
    city = census.regions.by_path("测试市")
    census.regions.set_goal(city.id, "certified", 1000, "年底")
    census.regions.set_goal(city.id, "degree", 1)
    summary = census.summary()[0]
    goals = {g.category: g for g in summary.goals}
    assert goals["certified"].actual == 2 and not goals["certified"].met and goals["certified"].shortfall == 998
    assert goals["degree"].met and goals["certified"].note == "年底"
    assert summary.to_json()["goals"][0]["category"] == "certified"
    census.regions.set_goal(city.id, "certified", None)
    assert [g.category for g in census.summary()[0].goals] == ["degree"]


def test_unknown_category_or_negative_goal_is_refused(census):
    city = census.regions.by_path("测试市")
    with pytest.raises(CensusError):
        census.regions.set_goal(city.id, "volunteers", 10)
    with pytest.raises(CensusError):
        census.regions.set_goal(city.id, "certified", -1)


def test_goal_command(census, capsys):
    path = str(census.path)
    census.close()
    assert main(["goal", path, "测试市", "certified", "5"]) == 0
    assert "差 3 人" in capsys.readouterr().out
    assert main(["goal", path, "测试市/北区", "certified", "5"]) == 1


def test_goal_command_without_a_number_keeps_the_target(census, capsys):
    """Adding a deadline to a goal already set (`goal … certified --by 2025-12-31`) replaced the
    1,000-person goal with a goal of 0 people, 已达成; with no goal set, a number is asked for."""
    path = str(census.path)
    census.close()
    assert main(["goal", path, "测试市", "certified", "1000", "--note", "年底"]) == 0
    assert main(["goal", path, "测试市", "certified", "--by", "2025-12-31"]) == 0
    assert "持证社工 目标 1000，现有 2，差 998 人（期限 2025-12-31；年底）" in capsys.readouterr().out
    assert main(["goal", path, "测试市", "degree"]) == 1
    assert "请给出目标人数" in capsys.readouterr().err
    assert main(["goal", path, "测试市", "持证社工", "1200"]) == 0  # the category as the error lists it
    assert "持证社工 目标 1200，现有 2，差 1198 人（期限 2025-12-31；年底）" in capsys.readouterr().out  # kept
    assert main(["goal", path, "测试市", "certified", "1200", "--by", ""]) == 0  # a deadline dropped on purpose
    assert "持证社工 目标 1200，现有 2，差 1198 人（年底）" in capsys.readouterr().out
    with Census.open(path) as again:
        (goal,) = again.summary()[0].goals
    assert (goal.category, goal.target) == ("certified", 1200)
    assert main(["goal", path, "测试市", "volunteers", "5"]) == 1
    assert "certified（持证社工）" in capsys.readouterr().err


def test_paces_are_counted_in_calendar_months():
    """12 gained in a year and 18 needed in the 18 months to 2023-06-30 is on the line: by days
    (546 against 1.5 × 365) it printed 每月增加 1 人，今后每月需增加 1 人；不能按期完成."""
    from models.goals import months_between, progress

    assert months_between("2021-12-31", "2023-06-30") == 18 and months_between("2020-12-31", "2021-12-31") == 12
    assert months_between("2021-01-15", "2021-03-15") == 2
    goal = progress("测试市", "talents", 118, "2023-06-30", 100, 88, "2021-12-31", "2020-12-31")
    assert (goal.pace_per_month, goal.per_month_needed, goal.on_track) == (1.0, 1.0, True)
    assert progress("测试市", "talents", 119, "2023-06-30", 100, 88, "2021-12-31", "2020-12-31").on_track is False


def test_no_pace_from_censuses_given_the_wrong_way_round_or_on_the_same_date():
    """The earlier census dated after this one: 24 → 26 over "-24 months" showed 每月增加 -0.08 人,
    and the verdict blamed a missing figure or date that was not missing."""
    from models.goals import progress

    reversed_ = progress("测试市", "certified", 40, "2023-12-31", 26, 24, "2019-12-31", "2021-12-31")
    assert reversed_.pace_per_month is None and reversed_.on_track is None
    assert "不早于本次" in reversed_.verdict and "缺少" not in reversed_.verdict
    same = progress("测试市", "certified", 40, "2023-12-31", 26, 24, "2021-12-31", "2021-12-31")
    assert same.pace_per_month is None and "不早于本次" in same.verdict
    assert "早前普查未设定" in progress("测试市", "certified", 40, "2023-12-31", 26, 24, "2021-12-31", None).verdict
    assert "本次普查未设定" in progress("测试市", "certified", 40, "2023-12-31", 26, 24, None, "2020-12-31").verdict
    assert "没有该区划" in progress("测试市", "certified", 40, "2023-12-31", 26, None, "2021-12-31", "2020-12-31").verdict


def test_a_deadline_out_of_range_and_a_later_census_as_base_are_refused(census, tmp_path, capsys):
    """goal --by 2199-01-01 was taken (a typo of a year), and --times --of a census dated after
    this one made a growth goal that counted backwards."""
    import shutil

    path = str(census.path)
    census.set_as_of("2020-12-31")
    census.close()
    assert main(["goal", path, "测试市", "certified", "10", "--by", "2199-01-01"]) == 1
    assert "完成期限 2199-01-01 不在合理范围内" in capsys.readouterr().err
    later = tmp_path / "later.census"
    shutil.copy(path, later)
    assert main(["info", str(later), "--as-of", "2021-12-31"]) == 0
    capsys.readouterr()
    assert main(["goal", path, "测试市", "certified", "--times", "2", "--of", str(later)]) == 1
    assert "晚于本次的 2020-12-31，不是早前的普查" in capsys.readouterr().err
