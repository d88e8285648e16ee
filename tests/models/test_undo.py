"""The undo history in the core: each clerk's change is a named step that undoes and redoes exactly."""

from __future__ import annotations

import dataclasses

import pytest

from importers.job import import_file
from models.errors import CensusError
from tests.builders import make_id, write_community_return, write_street_return


def state(census) -> tuple:
    """Everything a clerk sees: figures, goals, persons with their regions, problems, corrections, rules."""
    persons = sorted((p.id_number, p.name, p.region_path, p.talent) for p in census.people.iter())
    problems = sorted((p.kind, p.row_id or 0, p.reason) for p in census.problems.all())
    regions = sorted(r.path for r in census.regions.all())
    return (census.summary_json(), persons, problems, len(census.problems.corrections()), regions,
            census.settings.rules)


def bad_id(n: int) -> str:
    good = make_id(n)
    return good[:-1] + ("0" if good[-1] != "0" else "1")


@pytest.fixture
def filled(census, tmp_path):
    write_street_return(tmp_path / "s.xlsx", "东区和平街道汇总", [
        ("团结小区", "甲", make_id(1), "初级", None, None, None),  # a misspelling: a new flagged node
        ("团结社区", "乙", make_id(2), "初级", None, None, None),
        ("团结社区", "丙", bad_id(3), "中级", None, None, None),
    ])
    import_file(census, tmp_path / "s.xlsx")
    return census


def undo_redo(census, name: str, change) -> None:
    before = state(census)
    census.undo.run(name, change)
    after = state(census)
    assert after != before
    assert census.undo.next_undo().name == name
    assert census.undo.undo() == name
    assert state(census) == before
    assert census.undo.next_redo().name == name
    assert census.undo.redo() == name
    assert state(census) == after
    assert census.undo.next_redo() is None


def test_undo_and_redo_a_correction(filled):
    row_id = next(p.row_id for p in filled.problems.all() if p.row_id and p.name == "丙")
    undo_redo(filled, "更正身份证号", lambda: filled.problems.correct_id(row_id, make_id(3)))
    assert filled.people.get(make_id(3)).name == "丙"


def test_undo_and_redo_a_reassignment(filled):
    west = filled.regions.by_path("测试市/西区")
    undo_redo(filled, "调整所属区划", lambda: filled.people.reassign(make_id(2), west.id))
    assert filled.people.get(make_id(2)).region_path == "测试市/西区"


def test_undo_and_redo_a_fold(filled):
    wrong = filled.regions.by_path("测试市/东区/和平街道/团结小区")
    right = filled.regions.by_path("测试市/东区/和平街道/团结社区")
    filled.regions.set_goal(wrong.id, "certified", 3)
    undo_redo(filled, "并入其他区划", lambda: filled.regions.fold(wrong.id, right.id))
    assert filled.regions.by_path(wrong.path) is None
    assert filled.people.get(make_id(1)).region_path == right.path


def test_undo_and_redo_a_goal_and_a_rule_change(filled):
    root = filled.regions.by_path("测试市")
    undo_redo(filled, "设置目标", lambda: filled.regions.set_goal(root.id, "certified", 1000))
    rules = dataclasses.replace(filled.settings.rules, certified_min_community=5)
    undo_redo(filled, "修改统计规则", lambda: filled.settings.set_rules(rules))
    assert filled.settings.rules.certified_min_community == 5


def test_steps_undo_newest_first_and_a_new_change_ends_redo(filled):
    root = filled.regions.by_path("测试市")
    filled.undo.run("目标一", lambda: filled.regions.set_goal(root.id, "certified", 10))
    filled.undo.run("目标二", lambda: filled.regions.set_goal(root.id, "certified", 20))
    assert filled.undo.undo() == "目标二"
    assert filled.summary()[0].goals[0].target == 10
    filled.undo.run("目标三", lambda: filled.regions.set_goal(root.id, "degree", 5))
    assert filled.undo.next_redo() is None
    assert [filled.undo.undo(), filled.undo.undo()] == ["目标三", "目标一"]
    assert filled.summary()[0].goals == ()
    with pytest.raises(CensusError):
        filled.undo.undo()


def test_a_failed_change_leaves_no_step(filled):
    with pytest.raises(CensusError):
        filled.undo.run("更正身份证号", lambda: filled.problems.correct_id(1, "123"))
    assert filled.undo.next_undo() is None


def test_history_is_kept_in_the_census_file(filled, tmp_path):
    from models.census import Census

    root = filled.regions.by_path("测试市")
    filled.undo.run("设置目标", lambda: filled.regions.set_goal(root.id, "certified", 7))
    with Census.open(filled.path) as again:
        assert again.undo.undo() == "设置目标"
        assert again.summary()[0].goals == ()


def test_people_sort_by_pinyin_in_pages(census, tmp_path):
    names = ["丁一", "万二", "严三", "安娜", "白雪", "陈晨", "李四", "林五"]
    write_community_return(tmp_path / "r.xlsx", "东区和平街道团结社区",
                           [(n, make_id(40 + i), "初级", None, None, None) for i, n in enumerate(names)])
    import_file(census, tmp_path / "r.xlsx")
    expected = ["安娜", "白雪", "陈晨", "丁一", "李四", "林五", "万二", "严三"]
    assert [p.name for p in census.people.page(order="name")] == expected
    first = census.people.page(order="name", limit=3)
    rest = census.people.page(order="name", limit=10, after=first[-1])  # the index seek keeps the order
    assert [p.name for p in first + rest] == expected
    plan = " ".join(str(r) for r in census.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id_number FROM persons ORDER BY name_key, id_number LIMIT 5"))
    assert "persons_name_key" in plan  # sorted in SQL by the index, not in Python


def test_backups_are_named_with_time_and_the_last_few_kept(filled, tmp_path):
    import time

    from models.backup import backup_census

    folder = tmp_path / "备份"
    made = []
    for _ in range(7):
        made.append(backup_census(filled, folder, "并入前", keep=3))
        time.sleep(0.01)
    left = sorted(folder.iterdir())
    assert len(left) == 3 and set(left) == set(made[-3:])
    assert made[-1].name.startswith(filled.path.stem + "-") and "并入前" in made[-1].name
    from models.census import Census

    with Census.open(made[-1]) as copy:
        assert copy.summary_json()["regions"] == filled.summary_json()["regions"]


def test_undo_of_a_fold_whose_place_an_import_took_says_so(filled, tmp_path):
    wrong = filled.regions.by_path("测试市/东区/和平街道/团结小区")
    right = filled.regions.by_path("测试市/东区/和平街道/团结社区")
    filled.undo.run("并入其他区划", lambda: filled.regions.fold(wrong.id, right.id))
    filled.regions.ensure("测试市/东区/和平街道/新社区", flagged=True)  # may take the folded node's id
    before = state(filled)
    try:
        filled.undo.undo()
    except CensusError as err:
        assert "并入其他区划" in str(err) and filled.undo.next_undo() is None
        assert state(filled) == before
    else:
        assert filled.regions.by_path(wrong.path) is not None


def test_the_core_clears_the_history_when_rows_steps_point_at_go(filled, tmp_path):
    """Undoing an import and replacing a return by its newer version clear the history in the
    store itself, whatever front end asked."""
    row_id = next(p.row_id for p in filled.problems.all() if p.row_id and p.name == "丙")
    filled.undo.run("更正身份证号", lambda: filled.problems.correct_id(row_id, make_id(3)))
    first = write_community_return(tmp_path / "团结社区.xlsx", "东区和平街道团结社区",
                                   [("丁", make_id(4), "初级", None, None, None)])
    import_file(filled, first)
    assert filled.undo.next_undo() is not None  # an import alone leaves the history be
    (tmp_path / "v2").mkdir()
    write_community_return(tmp_path / "v2" / "团结社区.xlsx", "东区和平街道团结社区",
                           [("丁", make_id(4), "中级", None, None, None)])
    replaced = import_file(filled, tmp_path / "v2" / "团结社区.xlsx")
    assert replaced.replaced is not None
    assert filled.undo.steps() == ([], [])
    filled.undo.run("更正身份证号", lambda: None)  # nothing changed: no step
    root = filled.regions.by_path("测试市")
    filled.undo.run("设置目标", lambda: filled.regions.set_goal(root.id, "certified", 9))
    assert [s.name for s in filled.undo.steps()[0]] == ["设置目标"]
    filled.batches.undo(replaced.batch_id)
    assert filled.undo.next_undo() is None
