"""models.merge_files and what later schema versions added: what a merge carries (remarks, goals
with deadlines and growth bases, units' types and staff, the title), what it settles (a return in
both files is one return in two versions) and what it deliberately leaves (one file's undo
history, returned lists, withdrawn versions, identity)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from importers.job import ImportJob, import_file
from importers.plan import plan_file
from importers.population import load_population
from models.census import Census
from models.goals import Growth
from models.merge_files import merge_census_files
from models.returned_lists import Change
from models.schema import LATEST_VERSION, MIGRATIONS, migrate
from tests.builders import make_id, write_community_return, write_population

TUANJIE = "测试市/东区/和平街道/团结社区"
XINGFU = "测试市/东区/和平街道/幸福社区"


def goals_by_path(census: Census) -> dict[tuple[str, str], tuple]:
    """(path, category) → (target, note, deadline, multiple, base, base_source)."""
    return {(census.regions.path_of(region_id), goal[0]): tuple(goal[1:])
            for region_id, goals in census.regions.goals().items() for goal in goals}


def _census(path: Path, population: Path, title: str | None = None) -> Census:
    census = Census.open(path)
    load_population(census, population)
    if title:
        census.set_title(title)
    return census


@pytest.fixture
def pair(tmp_path):
    """Target and source censuses over the same tree, each with one return of its own."""
    population = write_population(tmp_path / "户籍人口.xlsx")
    target = _census(tmp_path / "target.census", population)
    source = _census(tmp_path / "source.census", population, title="东区社会工作专业人才摸排")
    import_file(target, write_community_return(tmp_path / "团结.xlsx", "团结社区", [
        ("张一", make_id(1), "助理社会工作师", "", "", None)]), region=TUANJIE)
    import_file(source, write_community_return(tmp_path / "幸福.xlsx", "幸福社区", [
        ("李一", make_id(11), "社会工作师", "", "", None),
        ("李二", "11010119850615123", "", "本科", "社会工作", None)]), region=XINGFU)
    yield target, source, tmp_path
    target.close()
    source.close()


def test_remarks_on_copied_rows_come_along_without_the_list(pair):
    target, source, _ = pair
    (pending,) = [p for p in source.problems.all() if p.kind == "pending"]
    source.returned.apply(file_name="更正清单.xlsx", sha256="x" * 64, region_path=XINGFU, lines=1,
                          changes=[Change("remark", pending.row_id, "本人已调离")], skipped=0)
    result = merge_census_files(target, source.path)
    assert result.remarks_copied == 1
    copied = [p for p in target.problems.all() if p.kind == "pending" and p.name == "李二"]
    assert target.returned.remarks() == {copied[0].row_id: "本人已调离"}
    assert target.returned.all() == []  # the list and its undo belong to the source
    assert "备注 1 条" in result.describe()


def test_dated_and_growth_goals_come_with_their_deadline_and_base(pair):
    target, source, _ = pair
    xingfu, tuanjie = source.regions.by_path(XINGFU), source.regions.by_path(TUANJIE)
    source.regions.set_goal(xingfu.id, "certified", 5, deadline="2021-12-31")
    source.regions.set_goal(tuanjie.id, "talents", None, growth=Growth(6, 2, "2020年摸排"))
    source.regions.set_goal(tuanjie.id, "certified", None, growth=Growth(1.5, 2, "2020年摸排"))
    target.regions.set_goal(target.regions.by_path(TUANJIE).id, "talents", 3)  # this file's own wins
    result = merge_census_files(target, source.path)
    assert result.goals_copied == 2
    assert goals_by_path(target) == {
        (XINGFU, "certified"): (5, "", "2021-12-31", None, None, ""),
        (TUANJIE, "certified"): (3, "", None, 1.5, 2, "2020年摸排"),
        (TUANJIE, "talents"): (3, "", None, None, None, ""),
    }


def test_a_goal_this_file_already_has_another_figure_for_is_named_not_dropped(pair, tmp_path):
    """Two streets' files both set 幸福社区's 持证社工 goal: the first merged stands, the second's is
    named with both figures (it was dropped without a word); the same goal in both is not named."""
    target, source, _ = pair
    other = _census(tmp_path / "other.census", tmp_path / "户籍人口.xlsx")
    try:
        for census, certified in ((source, {}), (other, {"deadline": "2021-12-31"})):
            census.regions.set_goal(census.regions.by_path(TUANJIE).id, "talents", 3)
            census.regions.set_goal(census.regions.by_path(XINGFU).id, "certified", 5 if census is source else 8,
                                    **certified)
        other.regions.set_goal(other.regions.by_path(XINGFU).id, "degree", 2)
        first = merge_census_files(target, source.path)
        assert (first.goals_copied, first.goals_not_taken) == (2, [])
        second = merge_census_files(target, other.path)
        assert second.goals_copied == 1  # 专业学历
        assert second.goals_not_taken == [f"{XINGFU} 持证社工（来源文件 8 人，2021-12-31 前，本文件 5 人）"]
        assert f"未带入来源文件的目标 1 个：本文件对同一区划、同一类别已有不同的目标，保留本文件的（{XINGFU} 持证社工" \
            in second.describe()
        assert goals_by_path(target)[(XINGFU, "certified")] == (5, "", None, None, None, "")
        again = merge_census_files(target, other.path)  # nothing new, and still said
        assert again.describe().startswith("other.census：没有新内容") and "未带入来源文件的目标 1 个" in again.describe()
    finally:
        other.close()


def test_units_types_and_staff_come_by_path_unless_set_here(pair, tmp_path):
    target, source, _ = pair
    hospital = source.regions.ensure("测试市/东区/人民医院")
    school = source.regions.ensure("测试市/东区/第一中学")
    source.units.set(hospital.id, "医院", 320)
    source.units.set(school.id, "学校", 80)
    here = target.regions.ensure("测试市/东区/第一中学")
    target.units.set(here.id, "学校", 95)
    result = merge_census_files(target, source.path)
    assert result.units_copied == 1
    by_path = {target.regions.path_of(u.region_id): (u.unit_type, u.staff) for u in target.units.all()}
    assert by_path == {"测试市/东区/人民医院": ("医院", 320), "测试市/东区/第一中学": ("学校", 95)}
    hospital_row = next(r for r in target.summary_json()["regions"] if r["path"] == "测试市/东区/人民医院")
    assert (hospital_row["unit_type"], hospital_row["staff"], hospital_row["unit_target"]) == ("医院", 320, 2)


def test_a_unit_that_is_a_region_here_is_named_not_taken(pair):
    target, source, _ = pair
    station = source.regions.ensure("测试市/西区/光华街道/光华社工站")
    source.units.set(station.id, "社工站", 3)  # a unit there…
    target.regions.ensure("测试市/西区/光华街道/光华社工站/团结社区")  # …holding a community here
    result = merge_census_files(target, source.path)
    assert result.units_copied == 0
    assert result.units_refused == ["测试市/西区/光华街道/光华社工站"]
    assert "未带入 1 个单位设定" in result.describe()


def test_the_title_is_taken_only_when_this_file_has_none(pair, tmp_path):
    target, source, _ = pair
    result = merge_census_files(target, source.path)
    assert (target.title, result.title_taken) == ("东区社会工作专业人才摸排", "东区社会工作专业人才摸排")
    other = _census(tmp_path / "other.census", tmp_path / "户籍人口.xlsx", title="本区摸排")
    try:
        assert merge_census_files(other, source.path).title_taken is None
        assert other.title == "本区摸排"
    finally:
        other.close()


@pytest.mark.parametrize("name", ["团结.xlsx", "团结(1).xlsx"])  # the street saved the resend from WeChat
def test_a_return_in_both_files_counts_as_its_later_version(pair, name):
    target, source, tmp_path = pair
    # The source holds a later version of the target's 团结.xlsx: 张一 now 社会工作师, 张二 came.
    later = tmp_path / "source_version" / name
    later.parent.mkdir()
    write_community_return(later, "团结社区", [("张一", make_id(1), "社会工作师", "", "", None),
                                               ("张二", make_id(2), "社会工作师", "", "", None)])
    import_file(source, later, region=TUANJIE)
    (old,) = [b for b in target.batches.all() if b.file_name == "团结.xlsx"]
    target.conn.execute("UPDATE batches SET imported_at = '2021-01-01T00:00:00' WHERE id = ?", (old.id,))
    target.undo.run("目标", lambda: target.regions.set_goal(target.regions.by_path(TUANJIE).id, "talents", 4))
    result = merge_census_files(target, source.path)
    assert result.versions_replaced == 1
    ids = {p.id_number for p in target.people.iter()}
    assert make_id(2) in ids and target.people.get(make_id(1)).level == 2  # the earlier 助理 row withdrawn
    assert "其中新增" not in result.describe() and "本文件人员由 1 人变为 3 人" in result.describe()
    assert [b.file_name for b in target.batches.all() if b.file_name.startswith("团结")] == [name]
    assert target.undo.steps() == ([], [])  # the withdrawn rows may be what the history pointed at
    (kept,) = [b for b in target.batches.all() if b.file_name == name]
    target.batches.undo(kept.id)  # undoing the later version brings the earlier back
    assert target.people.get(make_id(1)).level == 1 and make_id(2) not in {p.id_number for p in target.people.iter()}


def test_two_versions_the_source_kept_both_of_stay_both(pair):
    target, source, tmp_path = pair
    for folder, person in (("v1", ("王一", make_id(21))), ("v2", ("王二", make_id(22)))):
        path = tmp_path / folder / "光华.xlsx"
        path.parent.mkdir()
        write_community_return(path, "团结社区", [(*person, "助理社会工作师", "", "", None)])
        plan_region = "测试市/西区/光华街道/团结社区"
        if folder == "v1":
            import_file(source, path, region=plan_region)
        else:
            plan = replace(plan_file(source, path, plan_region), keep_both=True)
            for _ in ImportJob(source, plan).run(None):
                pass
    assert {make_id(21), make_id(22)} <= {p.id_number for p in source.people.iter()}
    result = merge_census_files(target, source.path)
    assert result.versions_replaced == 0
    assert {make_id(21), make_id(22)} <= {p.id_number for p in target.people.iter()}


def test_the_undo_history_and_identity_stay_this_files_own(pair):
    target, source, _ = pair
    source.undo.run("设定目标", lambda: source.regions.set_goal(source.regions.by_path(XINGFU).id, "talents", 9))
    target.undo.run("设定目标", lambda: target.regions.set_goal(target.regions.by_path(TUANJIE).id, "talents", 4))
    own_id = target.settings.census_id
    merge_census_files(target, source.path)
    done, _undone = target.undo.steps()
    assert [s.name for s in done] == ["设定目标"]
    target.undo.undo()  # this file's own step still undoes: the merge did not disturb it
    assert goals_by_path(target) == {(XINGFU, "talents"): (9, "", None, None, None, "")}
    assert target.settings.census_id == own_id


@pytest.mark.parametrize("version", sorted(n for n, _sql in MIGRATIONS if n < LATEST_VERSION))
def test_a_source_of_every_earlier_schema_merges(tmp_path, version):
    """A file made before remarks, goals or units existed brings what it has (a merge never
    migrates the source: it is read-only)."""
    path = tmp_path / f"v{version}.census"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, up_to=version)
    conn.execute("INSERT INTO regions (name, path, kind, depth, population) VALUES ('旧市', '旧市', 'city', 0, 5000)")
    conn.close()
    with Census.open(tmp_path / "target.census") as target:
        result = merge_census_files(target, path)
        assert (result.regions_created, target.regions.by_path("旧市").population) == (1, 5000)


def _newer_here(target, tmp_path):
    """The target's 团结.xlsx sent again (sharing 张一): its second version replaces its first."""
    newer = tmp_path / "v2" / "团结.xlsx"
    newer.parent.mkdir()
    write_community_return(newer, "团结社区", [("张一", make_id(1), "社会工作师", "", "", None),
                                               ("张二", make_id(2), "社会工作师", "", "", None)])
    import_file(target, newer, region=TUANJIE)
    assert [b.version for b in target.batches.all() if b.file_name == "团结.xlsx"] == [2]


@pytest.mark.parametrize("source_has", ["the first version", "an older copy"])
def test_an_earlier_version_of_a_return_this_file_has_a_newer_one_of_is_not_merged(pair, source_has):
    """The target holds 团结.xlsx's second version (which replaced the first); the source holds the
    first, or another copy imported before the second: nothing of it comes in, and the merge says
    so (it failed on SQLite's UNIQUE constraint: a version cannot replace two)."""
    target, source, tmp_path = pair
    if source_has == "the first version":
        import_file(source, tmp_path / "团结.xlsx", region=TUANJIE)
    else:
        older = tmp_path / "older" / "团结.xlsx"
        older.parent.mkdir()
        write_community_return(older, "团结社区", [("张一", make_id(1), "", "本科", "社会工作", None)])
        import_file(source, older, region=TUANJIE)
        source.conn.execute("UPDATE batches SET imported_at = '2021-01-01T00:00:00' WHERE file_name = '团结.xlsx'")
    _newer_here(target, tmp_path)
    before = sorted((p.id_number, p.level, p.degree) for p in target.people.iter())
    result = merge_census_files(target, source.path)
    assert result.older_versions == 1 and result.versions_replaced == 0
    assert "本文件已有其较新版本的旧版本，未并入" in result.describe()
    assert [b.version for b in target.batches.all() if b.file_name == "团结.xlsx"] == [2]
    after = sorted((p.id_number, p.level, p.degree) for p in target.people.iter() if p.id_number != make_id(11))
    assert after == before


def test_a_same_named_return_with_nobody_in_common_is_merged_beside_it(pair, tmp_path):
    """As an import keeps it: two returns under the bureau's template name, not two versions."""
    target, source, _ = pair
    other = tmp_path / "another" / "团结.xlsx"
    other.parent.mkdir()
    write_community_return(other, "团结社区", [("王九", make_id(29), "助理社会工作师", "", "", None)])
    import_file(source, other, region=TUANJIE)
    result = merge_census_files(target, source.path)
    assert result.versions_replaced == 0 and result.older_versions == 0
    assert [b.file_name for b in target.batches.all()].count("团结.xlsx") == 2
    assert {make_id(1), make_id(29)} <= {p.id_number for p in target.people.iter()}
