"""A return sent again: the same file name for the same region replaces the earlier import (one
transaction, undoable back to the earlier version exactly), or with --keep-both stays beside it;
a problem is listed once either way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli import main
from exporters.corrections import write_correction_workbooks
from importers.files import import_files
from importers.job import run_to_end
from importers.plan import plan_file
from models.census import Census
from tests.builders import make_id, write_community_return
from tests.importers.test_returned_list import bad_check, fill

NAME = "团结社区摸排表.xlsx"
FILLER = "和平街道团结社区"

V1 = [("张三", make_id(1), "助理社会工作师", "本科", "社会工作", 0),
      ("李四", bad_check(2), "社会工作师", "", "", 0),
      ("王五", bad_check(3), "", "大专", "社会学", 0),
      ("赵六", make_id(4)[:17], "助理社会工作师", "", "", 0),
      ("孙八", make_id(5), "社会工作师", "", "", 0)]
# Two fixed (李四, 王五), one still short (赵六), 孙八 gone, 周九 new.
V2 = [("张三", make_id(1), "助理社会工作师", "本科", "社会工作", 0),
      ("李四", make_id(2), "社会工作师", "", "", 0),
      ("王五", make_id(3), "", "大专", "社会学", 0),
      ("赵六", make_id(4)[:17], "助理社会工作师", "", "", 0),
      ("周九", make_id(9), "", "", "", 130)]


def version(tmp_path: Path, rows, n: int) -> Path:
    folder = tmp_path / f"v{n}"
    folder.mkdir(exist_ok=True)
    return write_community_return(folder / NAME, FILLER, rows)


def run(census: Census, *paths: Path, keep_both: bool = False):
    return run_to_end(import_files(census, list(paths), keep_both=keep_both))


def state(census: Census) -> dict:
    """The census as a clerk sees it, independent of row ids (two censuses are compared)."""
    summary = census.summary_json()
    for key in ("census", "title"):  # named after the census file
        summary.pop(key, None)
    return {
        "summary": summary,
        "persons": list(census.people.iter()),
        "problems": [(p.kind, p.file_name, p.sheet, p.row_number, p.name, p.id_raw, p.reason)
                     for p in census.problems.all()],
        "regions": [(r.path, r.flagged, r.note) for r in census.regions.all()],
    }


def exact(census: Census) -> dict:
    """Everything, row ids, batches and corrections included (undo must give back exactly this)."""
    out = state(census)
    out["problems_ids"] = [(p.row_id, p.batch_id) for p in census.problems.all()]
    out["batches"] = census.batches.all()
    out["corrections"] = census.problems.corrections()
    out["rows"] = [census.batches.row(p.row_id) for p in census.problems.all() if p.row_id]
    return out


@pytest.fixture
def other(tmp_path, census_template):
    path = tmp_path / "v2-only.census"
    shutil.copyfile(census_template, path)
    with Census.open(path) as c:
        yield c


def test_v2_replaces_v1_and_leaves_the_census_v2_alone_gives(census, other, tmp_path):
    v1, v2 = version(tmp_path, V1, 1), version(tmp_path, V2, 2)
    run(census, v1)
    assert census.totals()["pending_rows"] == 3
    plan = plan_file(census, v2)
    assert plan.earlier is not None and "这是新版本" in plan.version_note
    outcome = run(census, v2)[0]
    assert outcome.status == "imported"
    assert outcome.result.replaced is not None and outcome.result.replaced.version == 2
    assert "第2版：替换了批次 1" in outcome.describe()

    run(other, v2)
    assert state(census) == state(other)
    assert census.totals()["pending_rows"] == 1
    (batch,) = census.batches.all()
    assert (batch.version, batch.replaces, batch.version_label) == (2, 1, "第2版（替换批次 1）")


def test_undo_of_v2_brings_v1_back_exactly(census, tmp_path):
    run(census, version(tmp_path, V1, 1))
    census.problems.correct_id(next(p.row_id for p in census.problems.all() if p.name == "李四"), make_id(2))
    before = exact(census)
    outcome = run(census, version(tmp_path, V2, 2))[0]
    census.batches.undo(outcome.result.batch_id)
    assert exact(census) == before


def test_a_correction_made_on_v1_carries_over_to_the_same_line_of_v2(census, tmp_path):
    run(census, version(tmp_path, V1, 1))
    short = next(p.row_id for p in census.problems.all() if p.name == "赵六")
    census.problems.correct_id(short, make_id(4))
    outcome = run(census, version(tmp_path, V2, 2))[0]
    assert outcome.result.replaced.carried == 1
    assert [p.name for p in census.problems.all() if p.kind == "pending"] == []
    # the import's own line counts the carried fix as the summary does, not as a pending row
    result = outcome.result
    assert (result.rows_total, result.rows_ok, result.rows_pending, result.persons) == (5, 5, 0, 5)
    assert not result.reasons and "待核实 0 行" in result.describe() and "原本待核实的 1 行因此已改正" in result.describe()
    (batch,) = census.batches.all()
    assert (batch.rows_ok, batch.rows_pending) == (5, 0)
    (fix,) = census.problems.corrections()
    assert fix["new_id_number"] == make_id(4) and fix["row_id"] != short
    assert census.people.get(make_id(4)).name == "赵六"


def test_keep_both_keeps_both_and_lists_each_problem_once(census, tmp_path):
    run(census, version(tmp_path, V1, 1))
    outcome = run(census, version(tmp_path, V2, 2), keep_both=True)[0]
    assert outcome.result.replaced is None and outcome.result.kept_with == 1
    assert len(census.batches.all()) == 2
    pending = [p for p in census.problems.all() if p.kind == "pending"]
    assert sorted(p.name for p in pending) == ["李四", "王五", "赵六"]  # 赵六 once, on both rows
    (short,) = [p for p in pending if p.name == "赵六"]
    assert len(short.also_rows) == 1
    lists = write_correction_workbooks(census, tmp_path / "lists")
    returned = fill(lists[0], tmp_path / "回.xlsx", {"赵六": (make_id(4), None)})
    run(census, returned)
    assert [p.name for p in census.problems.all() if p.kind == "pending"] == ["李四", "王五"]
    assert census.people.get(make_id(4)).row_count == 2


def test_a_list_written_for_v1_applies_to_the_same_line_of_v2(census, tmp_path):
    run(census, version(tmp_path, V1, 1))
    lists = write_correction_workbooks(census, tmp_path / "lists")
    run(census, version(tmp_path, V2, 2))
    outcome = run(census, fill(lists[0], tmp_path / "回.xlsx", {"赵六": (make_id(4), None),
                                                               "李四": (make_id(2), None)}))[0]
    assert outcome.status == "corrected"
    by_name = {line.name: line for line in outcome.returned.lines}
    assert by_name["赵六"].outcome == "correct"
    assert by_name["李四"].outcome == "skip"  # fixed in v2 itself: that row of v1 is not in v2
    assert census.totals()["pending_rows"] == 0


def test_the_same_file_again_is_still_a_duplicate(census, tmp_path):
    v1, v2 = version(tmp_path, V1, 1), version(tmp_path, V2, 2)
    run(census, v1)
    first_again = run(census, v1)[0]
    assert first_again.status == "duplicate" and "内容完全相同，已跳过" in first_again.message  # after the fact
    described = first_again.describe()  # the results' details: the note once, then what it means
    assert described.startswith(f"{v1.name}：与 ") and described.endswith("内容完全相同，已跳过，没有人被重复计数")
    assert described.count("已跳过") == 1
    run(census, v2)
    asked: list[str] = []
    census.conn.set_trace_callback(asked.append)
    again = run(census, v1)[0]  # the old version sent once more does not replace the new one
    census.conn.set_trace_callback(None)
    assert again.status == "duplicate" and "撤销批次 2" in again.message
    assert [b.version for b in census.batches.all()] == [2]
    # found through its index (every file planned asks), not by reading every withdrawn import
    lookup = next(sql for sql in asked if "FROM withdrawn" in sql and "sha256" in sql)
    assert "withdrawn_batch_sha" in str(census.conn.execute(f"EXPLAIN QUERY PLAN {lookup}").fetchall())


def test_cli_replaces_by_default_and_keeps_both_when_asked(census, tmp_path, capsys):
    path = census.path
    census.close()
    v1, v2 = version(tmp_path, V1, 1), version(tmp_path, V2, 2)
    assert main(["import", str(path), str(v1)]) == 0
    assert main(["import", str(path), str(v2)]) == 0
    out = capsys.readouterr().out
    assert "第2版：替换了批次 1" in out and "撤销本次导入即恢复旧版本" in out
    assert main(["batches", str(path)]) == 0
    assert "第2版（替换批次 1）" in capsys.readouterr().out
    assert main(["undo", str(path), "2"]) == 0
    v3 = write_community_return(tmp_path / "v2" / NAME, FILLER, V2 + [("吴十", make_id(10), "", "", "", 0)])
    assert main(["import", str(path), str(v3), "--keep-both"]) == 0
    assert "同时保留两份" in capsys.readouterr().out
    with Census.open(path) as reopened:
        assert [b.file_name for b in reopened.batches.all()] == [NAME, NAME]
    with pytest.raises(SystemExit):
        main(["import", str(path), str(v3), "--keep-both", "--replace"])


SUPPLEMENT = [("吴十", make_id(10), "助理社会工作师", "", "", 0), ("郑一", make_id(11), "社会工作师", "", "", 0)]


def test_a_same_named_return_with_nobody_in_common_is_kept_beside_the_first(census, tmp_path):
    """The bureau's template comes back under one name: a second file for the same region that
    lists none of the first's people is another return (a 补报), not a new version of it."""
    v1, extra = version(tmp_path, V1, 1), version(tmp_path, SUPPLEMENT, 2)
    run(census, v1)
    plan = plan_file(census, extra)
    assert plan.keep_both and plan.other_return and "两份没有相同的人员" in plan.version_note
    outcome = run(census, extra)[0]
    assert outcome.result.replaced is None and outcome.result.kept_with == 1
    assert "视为另一份报表，两份都保留" in outcome.describe()
    assert len(census.batches.all()) == 2 and census.people.get(make_id(10)) and census.people.get(make_id(1))


def test_replace_still_replaces_a_same_named_return_with_nobody_in_common(census, tmp_path, capsys):
    v1, extra = version(tmp_path, V1, 1), version(tmp_path, SUPPLEMENT, 2)
    run(census, v1)
    census.close()
    assert main(["import", str(census.path), str(extra), "--replace"]) == 0
    assert "第2版：替换了批次 1" in capsys.readouterr().out
    with Census.open(census.path) as again:
        assert len(again.batches.all()) == 1


def test_one_folder_with_both_keeps_both(census, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    first = write_community_return(a / NAME, FILLER, V1)
    second = write_community_return(b / NAME, FILLER, SUPPLEMENT)
    outcomes = run(census, first, second)
    assert [o.status for o in outcomes] == ["imported", "imported"] and outcomes[1].result.kept_with is not None
    assert census.totals()["talents"] >= 4


def test_undoing_v2_puts_v1s_new_community_back_even_when_its_id_went_to_another(census, tmp_path):
    """第1版 named a community the tree lacked (made, flagged); 第2版 fixed the name, so that node
    went with 第1版; a later return made another new node, which took the freed id. Undoing 第2版
    put 第1版's people into that other node (another street's village)."""
    from tests.builders import write_street_return

    street = tmp_path / "和平街道汇总.xlsx"
    write_street_return(street, "和平街道社会工作专业人才摸排表",
                        [("团结社区", "张三", make_id(1), "社会工作师", "", "", 0),
                         ("新建社区", "李四", make_id(2), "社会工作师", "", "", 0)])
    run(census, street)
    write_street_return(street, "和平街道社会工作专业人才摸排表",
                        [("团结社区", "张三", make_id(1), "社会工作师", "", "", 0),
                         ("幸福社区", "李四", make_id(2), "社会工作师", "", "", 0)])
    v2 = run(census, street)[0].result.batch_id
    run(census, write_street_return(tmp_path / "红星镇汇总.xlsx", "红星镇社会工作专业人才摸排表",
                                    [("光荣村", "周一", make_id(11), "社会工作师", "", "", 0)]))
    census.batches.undo(v2)
    path_of = census.regions.path_of
    assert path_of(census.people.get(make_id(2)).region_id) == "测试市/东区/和平街道/新建社区"
    assert path_of(census.people.get(make_id(11)).region_id) == "测试市/东区/红星镇/光荣村"
    assert {r.path for r in census.regions.all() if r.flagged} == {
        "测试市/东区/和平街道/新建社区", "测试市/东区/红星镇/光荣村"}


def test_undoing_v2_puts_v1s_correction_back_even_when_its_id_went_to_another(census, tmp_path):
    """第1版's correction went with it (第2版 typed the ID otherwise: nothing to carry over) and the
    next correction took its id: undoing 第2版 failed with SQLite's English UNIQUE error."""
    run(census, version(tmp_path, [("李四", bad_check(2), "社会工作师", "本科", "会计", 0)], 1))
    (listed,) = write_correction_workbooks(census, tmp_path / "lists")
    run(census, fill(listed, tmp_path / "回.xlsx", {"李四": (make_id(2), None)}))
    spaced = bad_check(2)[:6] + " " + bad_check(2)[6:]
    v2 = run(census, version(tmp_path, [("李四", spaced, "社会工作师", "本科", "会计", 0),
                                        ("王五", bad_check(3), "", "大专", "社会学", 0)], 2))[0].result.batch_id
    census.problems.correct_id(next(p.row_id for p in census.problems.all() if p.name == "王五"), make_id(3))
    census.batches.undo(v2)
    assert {p.id_number: p.name for p in census.people.iter()} == {make_id(2): "李四"}
    (fix,) = census.problems.corrections()
    assert fix["new_id_number"] == make_id(2)
    (returned,) = census.returned.all()
    census.returned.undo(returned.id)  # the list's record followed its correction to its new id
    assert [p.name for p in census.problems.all() if p.kind == "pending"] == ["李四"]


def test_a_resent_return_keeps_its_place_in_the_import_order(census, tmp_path):
    """潘 is listed by 团结社区 (imported first) and 幸福社区 (second): the earliest import wins the
    tie. 团结社区 re-sending its return with an unrelated fix must not hand 潘 over to 幸福社区 (and
    leave 团结社区 one certified short); undoing the resend, or a full recount, agrees."""
    pan, qiao = make_id(61), make_id(62)
    first = [("潘", pan, "社会工作师", "", "", 0), ("乔", qiao, "助理社会工作师", "", "", 0)]
    fixed = [("潘", pan, "社会工作师", "", "", 0), ("乔", qiao, "助理社会工作师", "本科", "社会工作", 0)]
    other = tmp_path / "幸福"
    other.mkdir()
    run(census, version(tmp_path, first, 1))
    run(census, write_community_return(other / "幸福社区摸排表.xlsx", "和平街道幸福社区", [("潘", pan, "", "", "", 200)]))
    tuanjie = census.regions.by_path("测试市/东区/和平街道/团结社区").id
    assert census.people.get(pan).region_id == tuanjie

    run(census, version(tmp_path, fixed, 2))
    assert census.people.get(qiao).degree  # the resend is in
    assert census.people.get(pan).region_id == tuanjie
    census.settings.set_rules(census.settings.rules)  # a full recount
    assert census.people.get(pan).region_id == tuanjie
    run(census, version(tmp_path, [*fixed[:1], ("乔", qiao, "助理社会工作师", "本科", "社会工作", 10)], 3))
    assert census.people.get(pan).region_id == tuanjie
    census.batches.undo(max(b.id for b in census.batches.all()))
    assert census.people.get(pan).region_id == tuanjie


# --- sent again under another name --------------------------------------------------------------


@pytest.mark.parametrize(("name", "stands_for"), [
    ("团结社区摸排表(1).xlsx", "团结社区摸排表"), ("团结社区摸排表（２）.xlsx", "团结社区摸排表"),
    ("团结社区摸排表 - 副本 (2).xlsx", "团结社区摸排表"), ("团结社区摸排表（修改后）.xls", "团结社区摸排表"),
    ("团结社区摸排表-最终版v2.xlsx", "团结社区摸排表"), ("团结社区摸排表12.5.xlsx", "团结社区摸排表"),
    ("团结社区摸排表2024年12月5日.xlsx", "团结社区摸排表"), ("团结社区摸排表【更正】20241205.xlsx", "团结社区摸排表"),
    ("团结社区摸排表（补报）.xlsx", "团结社区摸排表（补报）"), ("团结社区摸排表补充.xlsx", "团结社区摸排表补充"),
    ("东城区_和平街道_团结社区.xlsx", "东城区_和平街道_团结社区"), ("网格2组.xlsx", "网格2组"),
])
def test_what_a_resend_adds_to_a_file_name(name, stands_for):
    from models.return_versions import return_name

    assert return_name(name) == return_name(stands_for + ".xlsx") == stands_for.lower().replace("（", "(").replace("）", ")")


def renamed(tmp_path: Path, rows, name: str) -> Path:
    folder = tmp_path / "wechat"
    folder.mkdir(exist_ok=True)
    return write_community_return(folder / name, FILLER, rows)


def test_a_resend_saved_as_name_1_replaces_the_first(census, other, tmp_path):
    """WeChat saves the corrected return as 团结社区摸排表(1).xlsx: the same return, a newer version."""
    run(census, version(tmp_path, V1, 1))
    v2 = renamed(tmp_path, V2, "团结社区摸排表(1).xlsx")
    plan = plan_file(census, v2)
    assert plan.renamed and not plan.keep_both and plan.earlier.file_name == NAME
    assert plan.version_note.startswith(f"像是“{NAME}”") and "导入后替换它" in plan.version_note
    outcome = run(census, v2)[0]
    assert outcome.result.replaced is not None and "第2版：替换了批次 1" in outcome.describe()
    run(other, v2)
    assert state(census) == state(other)  # as if only the corrected return had come
    assert census.totals()["pending_rows"] == 1


def test_undo_of_a_renamed_resend_brings_the_first_back_exactly(census, tmp_path):
    run(census, version(tmp_path, V1, 1))
    before = exact(census)
    outcome = run(census, renamed(tmp_path, V2, "团结社区摸排表 - 副本.xlsx"))[0]
    census.batches.undo(outcome.result.batch_id)
    assert exact(census) == before


def test_a_renamed_file_listing_few_of_the_first_ones_people_is_kept_beside(census, tmp_path):
    """光明社区摸排表(2) may be a second grid's list: one person in common is no new version."""
    run(census, version(tmp_path, V1, 1))
    grid = [V1[0], *SUPPLEMENT]
    outcome = run(census, renamed(tmp_path, grid, "团结社区摸排表(2).xlsx"))[0]
    assert outcome.result.replaced is None and outcome.result.kept_with is None
    assert len(census.batches.all()) == 2 and census.people.get(make_id(5))  # 孙八 of the first stays


def test_a_renamed_resend_can_be_kept_beside(census, tmp_path, capsys):
    run(census, version(tmp_path, V1, 1))
    census.close()
    assert main(["import", str(census.path), str(renamed(tmp_path, V2, "团结社区摸排表(1).xlsx")), "--keep-both"]) == 0
    assert f"同一报表的旧版本“{NAME}”已于批次 1 导入过，按要求同时保留两份" in capsys.readouterr().out
    with Census.open(census.path) as again:
        assert len(again.batches.all()) == 2


def test_within_one_run_neither_replaces_the_other(census, tmp_path):
    """Both files in one folder: which is newer is not known (名称(1) sorts first), so both stay."""
    first = version(tmp_path, V1, 1)
    outcomes = run(census, renamed(tmp_path, V2, "团结社区摸排表(1).xlsx"), first)
    assert [o.status for o in outcomes] == ["imported", "imported"]
    assert all(o.result.replaced is None for o in outcomes) and len(census.batches.all()) == 2
    assert outcomes[1].warnings == ["与本次导入的“团结社区摸排表(1).xlsx”（批次 1）像是同一报表的两个版本，两份都已导入；"
                                    "如只要较新的一份，请撤销另一份"]  # the command line and the results say so


def test_a_review_pairs_two_versions_but_not_two_grids(census, tmp_path):
    from importers.plan import versions_in_run

    first = plan_file(census, version(tmp_path, V1, 1))
    resent = plan_file(census, renamed(tmp_path, V2, "团结社区摸排表(1).xlsx"))
    grid = plan_file(census, renamed(tmp_path, SUPPLEMENT, "团结社区摸排表(2).xlsx"))
    assert [(a.file_name, b.file_name) for a, b in versions_in_run([first, resent, grid])] == [
        (NAME, "团结社区摸排表(1).xlsx")]


def test_a_run_reads_each_files_names_once_and_a_third_version_points_at_the_first():
    """VersionsSeen (the results' and the review's two-versions note): a street's grid returns
    under names that stand for one return (柳林村_0009, 柳林村_0033, …) with nobody in common are
    each read once, not once for every pair; a file sharing most names with one seen earlier is
    its version, a third version points at the first; a file of the same name is not a version here."""
    from models.return_versions import VersionsSeen

    reads: list[str] = []
    lists = {f"柳林村_{i:04d}.xlsx": {f"甲{i}", f"乙{i}"} for i in range(1, 301)}
    lists |= {"柳林村_1205.xlsx": {"甲1", "乙1", "丙"}, "柳林村(1).xlsx": {"甲1", "乙1"}, "柳林村_0001 - 副本.xlsx": {"甲1"}}
    seen: VersionsSeen[str] = VersionsSeen(lambda name: reads.append(name) or lists[name])
    twins = {name: seen.see(name, "东湖镇/柳林村", name) for name in lists}
    assert len(reads) == len(lists) == len(set(reads))
    assert {name: twin for name, twin in twins.items() if twin} == {
        "柳林村_1205.xlsx": "柳林村_0001.xlsx", "柳林村(1).xlsx": "柳林村_0001.xlsx", "柳林村_0001 - 副本.xlsx": "柳林村_0001.xlsx"}
    lists |= {"again": lists["柳林村_0002.xlsx"], "elsewhere": lists["柳林村_0003.xlsx"]}
    assert seen.see("again", "东湖镇/柳林村", "柳林村_0002.xlsx") is None  # the same name: the replace rule's
    assert seen.see("elsewhere", "东湖镇/河湾村", "柳林村_0003.xlsx") is None  # another region


def test_the_review_reads_a_plans_names_once_however_often_it_asks(census, tmp_path, monkeypatch):
    """The review works its summary out again at every change the clerk makes: each plan's names
    were read from its rows every time (75–150 ms for 500 returns on the window's thread)."""
    import importers.plan as plan_module
    from importers.plan import versions_in_run

    plans = [plan_file(census, version(tmp_path, V1, 1)), plan_file(census, renamed(tmp_path, V2, "团结社区摸排表(1).xlsx"))]
    reads = []
    real = plan_module._people
    monkeypatch.setattr(plan_module, "_people", lambda plan: reads.append(plan.file_name) or real(plan))
    for _ in range(3):
        assert [(a.file_name, b.file_name) for a, b in versions_in_run(plans)] == [(NAME, "团结社区摸排表(1).xlsx")]
    assert sorted(reads) == sorted(p.file_name for p in plans)
