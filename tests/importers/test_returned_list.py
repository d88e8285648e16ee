"""Returned correction lists: written by the app, filled by a community, imported back.

Every test builds its own census (测试市): a 团结社区 return with pending rows and a 幸福社区
return that names one of its people differently (a name conflict), then writes the lists.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from cli import main
from exporters.corrections import write_correction_workbooks
from importers.files import import_files
from importers.job import import_file, run_to_end
from importers.returned_list import MARK_SHEET, STILL_INVALID
from models.census import Census
from models.errors import CensusError
from models.identity import check_id
from tests.builders import make_id, write_community_return

TUANJIE = "测试市/东区/和平街道/团结社区"
XINGFU = "测试市/东区/和平街道/幸福社区"
HEADER_ROW = 4  # 1-based row of the list's header
COL = {"seq": 1, "name": 6, "fix": 9, "remark": 10}


def bad_check(n: int) -> str:
    """make_id(n) with a wrong check digit (what a clerk mistypes)."""
    good = make_id(n)
    return good[:17] + ("0" if good[17] != "0" else "1")


def run(census: Census, *paths: Path, keep_both: bool = False):
    return run_to_end(import_files(census, list(paths), keep_both=keep_both))


def build(census: Census, tmp_path: Path) -> None:
    rows = [("张三", make_id(1), "助理社会工作师", "本科", "社会工作", 0),
            ("李四", bad_check(2), "社会工作师", "本科", "会计", 0),
            ("王五", bad_check(3), "", "大专", "社会学", 0),
            ("赵六", make_id(4)[:17], "助理社会工作师", "", "", 0),
            ("钱七", "", "", "", "", 150),
            ("孙八", make_id(5), "社会工作师", "", "", 0)]
    import_file(census, write_community_return(tmp_path / "团结社区摸排表.xlsx", "和平街道团结社区", rows))
    import_file(census, write_community_return(tmp_path / "幸福社区摸排表.xlsx", "和平街道幸福社区",
                                               [("孙捌", make_id(5), "", "本科", "社会工作", 0)]))


def fill(path: Path, out: Path, answers: dict[str, tuple[str | None, str | None]], title: str | None = None) -> Path:
    """Fill the list as a community does: name → (更正后身份证号, 备注); saved under another name."""
    wb = openpyxl.load_workbook(path)
    ws = wb["更正清单"]
    if title:
        ws["A1"] = title
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        name = ws.cell(r, COL["name"]).value
        if name in answers:
            fix, remark = answers[name]
            if fix is not None:
                ws.cell(r, COL["fix"]).value = fix
            if remark is not None:
                ws.cell(r, COL["remark"]).value = remark
    wb.save(out)
    return out


def state(census: Census) -> dict:
    """What a clerk sees of the census: figures, persons, problems and the corrections made."""
    return {
        "summary": census.summary_json(),
        "persons": [p for p in census.people.iter()],
        "problems": [(p.kind, p.row_id, p.name, p.reason, p.reviewed) for p in census.problems.all()],
        "corrections": [(c["row_id"], c["old_id_raw"], c["new_id_number"]) for c in census.problems.corrections()],
    }


def row_of(census: Census, name: str) -> int:
    return next(p.row_id for p in census.problems.all() if p.name == name and p.row_id is not None)


@pytest.fixture
def lists(census: Census, tmp_path: Path) -> dict[str, Path]:
    build(census, tmp_path)
    written = write_correction_workbooks(census, tmp_path / "lists")
    return {"团结" if "团结" in p.name else "幸福": p for p in written}


ANSWERS = {"李四": (make_id(2), None), "王五": (make_id(3), None), "赵六": ("1101011985", None),
           "钱七": (None, "此人已调离"), "张三": (None, None)}


def test_returned_list_gives_the_census_the_same_correct_calls_give(census, lists, tmp_path):
    twin = tmp_path / "twin.census"
    census.save_copy(twin)
    returned = fill(lists["团结"], tmp_path / "报回的表（重命名）.xlsx", ANSWERS, title="团结社区 改过的标题")
    conflict = fill(lists["幸福"], tmp_path / "幸福回.xlsx", {"孙捌": (None, "同一人，孙捌为曾用名")})
    short_row = row_of(census, "赵六")
    outcomes = run(census, returned, conflict)
    assert [o.status for o in outcomes] == ["corrected", "corrected"]
    assert "更正 2 行" in outcomes[0].describe() and "仍有误 1 行" in outcomes[0].describe()

    with Census.open(twin) as other:
        other.set_title(census.title)  # a copy is titled after its file name
        other.problems.correct_id(row_of(other, "李四"), make_id(2))
        other.problems.correct_id(row_of(other, "王五"), make_id(3))
        want = state(other)
    got = state(census)
    assert got["summary"] == want["summary"]
    assert got["persons"] == want["persons"]
    assert got["corrections"] == want["corrections"]
    assert [p[:3] for p in got["problems"]] == [p[:3] for p in want["problems"]]

    problems = {p.name: p for p in census.problems.all()}
    assert problems["赵六"].row_id == short_row and census.batches.row(short_row).pending
    assert problems["赵六"].reason == STILL_INVALID.format(reason=check_id("1101011985").reason)
    assert problems["钱七"].remark == "此人已调离" and "此人已调离" in problems["钱七"].reason
    assert problems["孙捌"].kind == "name_conflict" and problems["孙捌"].reviewed
    # the next round of lists leaves the answered name conflict out
    again = write_correction_workbooks(census, tmp_path / "again")
    assert [p.name for p in again] == ["测试市_东区_和平街道_团结社区_更正清单.xlsx"]


def test_importing_the_same_list_twice_changes_nothing(census, lists, tmp_path):
    returned = fill(lists["团结"], tmp_path / "回.xlsx", ANSWERS)
    assert run(census, returned)[0].status == "corrected"
    before = state(census)
    assert run(census, returned)[0].status == "duplicate"
    resaved = fill(returned, tmp_path / "回-再存一次.xlsx", {})  # other bytes, same answers
    outcome = run(census, resaved)[0]
    assert outcome.status == "corrected" and outcome.returned.list_id is None
    assert "没有需要更改的内容" in outcome.describe()
    assert state(census) == before
    assert len(census.returned.all()) == 1


def test_a_list_of_another_census_is_refused_and_changes_nothing(census, lists, tmp_path, census_template):
    other_path = tmp_path / "other.census"
    shutil.copyfile(census_template, other_path)
    with Census.open(other_path) as other:
        build(other, tmp_path)
        before = state(other)
        outcome = run(other, fill(lists["团结"], tmp_path / "回.xlsx", ANSWERS))[0]
        assert outcome.status == "failed"
        assert "不属于本普查文件" in outcome.message
        assert state(other) == before


def test_a_list_whose_rows_no_longer_match_is_refused_whole(census, lists, tmp_path):
    returned = fill(lists["团结"], tmp_path / "回.xlsx", ANSWERS)
    wb = openpyxl.load_workbook(returned)
    mark = wb[MARK_SHEET]
    assert mark.sheet_state == "veryHidden"
    last = mark.max_row
    mark.cell(last, 3).value = mark.cell(last, 3).value.replace(mark.cell(last, 3).value[-15:-3], "0" * 12)
    wb.save(returned)
    before = state(census)
    outcome = run(census, returned)[0]
    assert outcome.status == "failed" and "已与生成清单时不同" in outcome.message
    assert state(census) == before


def test_undo_takes_the_whole_list_back(census, lists, tmp_path):
    before = state(census)
    outcome = run(census, fill(lists["团结"], tmp_path / "回.xlsx", ANSWERS))[0]
    assert len(census.problems.corrections()) == 2
    census.returned.undo(outcome.returned.list_id)
    assert state(census) == before
    assert census.returned.all() == []


def test_a_list_whose_import_was_undone_skips_its_lines(census, lists, tmp_path):
    returned = fill(lists["团结"], tmp_path / "回.xlsx", ANSWERS)
    batch = next(b for b in census.batches.all() if b.file_name == "团结社区摸排表.xlsx")
    census.batches.undo(batch.id)
    before = state(census)
    outcome = run(census, returned)[0]
    assert outcome.status == "corrected" and outcome.returned.list_id is None
    assert all(line.outcome in ("skip", "blank") for line in outcome.returned.lines)
    assert "导入已撤销" in outcome.describe()
    assert state(census) == before


def test_a_copied_list_without_the_mark_is_one_clear_line(census, lists, tmp_path):
    src = openpyxl.load_workbook(lists["团结"])["更正清单"]
    wb = openpyxl.Workbook()
    for row in src.iter_rows(values_only=True):
        wb.active.append(list(row))
    wb.save(tmp_path / "抄的.xlsx")
    before = state(census)
    outcome = run(census, tmp_path / "抄的.xlsx")[0]
    assert outcome.status == "failed" and "缺少程序写入的标识" in outcome.message
    assert state(census) == before


def test_a_mark_whose_row_reference_nests_thousands_deep_is_one_clear_line(census, lists, tmp_path):
    # json.loads of "[[[[…]]]]" raised RecursionError out of read_list: an internal error
    wb = openpyxl.load_workbook(lists["团结"])
    mark = wb[MARK_SHEET]
    header = next(r for r in range(1, mark.max_row + 1) if mark.cell(r, 1).value == "序号")
    mark.cell(header + 1, 3).value = "[" * 16_000 + "]" * 16_000
    wb.save(tmp_path / "改过.xlsx")
    before = state(census)
    outcome = run(census, tmp_path / "改过.xlsx")[0]
    assert outcome.status == "failed" and outcome.message.startswith("更正清单的标识不完整"), outcome.message
    assert state(census) == before


def test_cli_imports_a_returned_list_and_undoes_it(census, lists, tmp_path, capsys):
    path = census.path
    census.close()
    returned = fill(lists["团结"], tmp_path / "回.xlsx", ANSWERS)
    assert main(["import", str(path), str(returned)]) == 0
    out = capsys.readouterr().out
    assert "更正清单" in out and "更正 2 行" in out and "赵六" in out
    assert main(["batches", str(path)]) == 0
    assert "更正清单" in capsys.readouterr().out
    assert main(["undo", str(path), "1", "--list"]) == 0
    with Census.open(path) as reopened:
        assert reopened.problems.corrections() == []


def test_a_list_between_two_returns_of_one_folder_gives_what_importing_them_one_by_one_gives(census, lists, tmp_path):
    """One import of [return, returned list, return]: the returns' persons wait to be counted in
    bulk, the list changes rows in between (one of its corrections gives a row the ID a person of
    the first return has): the census ends as when the three come one at a time."""
    first = write_community_return(tmp_path / "补报甲.xlsx", "和平街道团结社区", [
        ("李四", make_id(2), "", "硕士研究生", "社会工作", 0), ("新人", make_id(40), "社会工作师", "", "", 0)])
    second = write_community_return(tmp_path / "补报乙.xlsx", "和平街道幸福社区", [
        ("新人", make_id(40), "", "", "", 130), ("另一人", make_id(41), "助理社会工作师", "", "", 0)])
    returned = fill(lists["团结"], tmp_path / "报回.xlsx", ANSWERS)
    twin = tmp_path / "twin.census"
    census.save_copy(twin)
    outcomes = run(census, first, returned, second)
    assert [o.status for o in outcomes] == ["imported", "corrected", "imported"]
    with Census.open(twin) as other:
        other.set_title(census.title)
        for path in (first, returned, second):
            assert [o.status for o in run(other, path)] in (["imported"], ["corrected"])
        want = state(other)
    got = state(census)
    assert got["persons"] == want["persons"] and got["summary"] == want["summary"]
    assert got["corrections"] == want["corrections"]
    person = next(p for p in got["persons"] if p.id_number == make_id(2))
    assert person.row_count == 2  # the corrected row of the list and the first return's row


def test_a_list_whose_return_was_sent_again_is_undone_after_the_new_version(census, lists, tmp_path):
    """The newer version carried the list's fixes over; taking the list back first would leave
    them on the earlier version once that came back, with no list left to undo them: refused,
    and in the other order the census is exactly as before the list."""
    from models.errors import CensusError

    before = state(census)
    list_id = run(census, fill(lists["团结"], tmp_path / "回.xlsx", ANSWERS))[0].returned.list_id
    rows = [("张三", make_id(1), "助理社会工作师", "本科", "社会工作", 0),
            ("李四", bad_check(2), "社会工作师", "本科", "会计", 0),
            ("王五", bad_check(3), "", "大专", "社会学", 0),
            ("赵六", make_id(4)[:17], "助理社会工作师", "", "", 0),
            ("钱七", "", "", "", "", 150),
            ("孙八", make_id(5), "高级社会工作师", "", "", 0)]  # 孙八 now senior: a new version
    (tmp_path / "v2").mkdir()
    [outcome] = run(census, write_community_return(tmp_path / "v2" / "团结社区摸排表.xlsx", "和平街道团结社区", rows))
    assert outcome.result.replaced is not None and outcome.result.replaced.carried
    with pytest.raises(CensusError, match=f"请先撤销批次 {outcome.result.batch_id}"):
        census.returned.undo(list_id)
    census.batches.undo(outcome.result.batch_id)
    census.returned.undo(list_id)
    after = state(census)
    assert after["summary"] == before["summary"] and after["corrections"] == before["corrections"]


def test_an_id_already_counted_under_another_name_is_not_taken(census, lists, tmp_path):
    """李四's line filled with 张三's number, 王五's and 赵六's with one new number: applying them
    would make 张三 and 李四 one person, and 王五 and 赵六 another — two talents lost. The first
    line to give a number keeps it; the others stay pending, saying why."""
    new = make_id(8)
    returned = fill(lists["团结"], tmp_path / "回.xlsx", {"李四": (make_id(1), None), "王五": (new, None),
                                                          "赵六": (new, None)})
    (outcome,) = run(census, returned)
    text = outcome.describe()
    assert "更正 1 行" in text and "仍有误 2 行" in text
    assert "填写的号码已是“张三”的身份证号" in text and "填写的号码已是“王五”的身份证号" in text
    assert census.people.get(make_id(1)).names == ("张三",)
    assert census.people.get(new).names == ("王五",)
    pending = {p.name: p.reason for p in census.problems.all() if p.kind == "pending"}
    assert pending["李四"] == pending["赵六"] == "报回的更正号码仍有误：该号码已是另一人（姓名不同）的身份证号"
    assert "张三" not in pending["李四"]  # the other person's name stays out of the next list
    census.returned.undo(outcome.returned.list_id)  # taken back whole, reasons included
    assert {p.name for p in census.problems.all() if p.kind == "pending"} >= {"李四", "王五", "赵六"}


def test_a_list_whose_rows_were_corrected_since_is_not_undone_over_those_fixes(census, lists, tmp_path):
    """赵六's line came back still wrong; the clerk then corrected the row by hand. Undoing the list
    would put the row back to pending, lose that fix and leave its person counted from no row: it
    is refused until the later correction is undone, then it undoes exactly."""
    returned = fill(lists["团结"], tmp_path / "回.xlsx", {"赵六": ("1101011985", None)})
    (outcome,) = run(census, returned)
    short = row_of(census, "赵六")
    census.undo.run("更正身份证号", lambda: census.problems.correct_id(short, make_id(4)))
    with pytest.raises(CensusError, match="此后又被更正过"):
        census.returned.undo(outcome.returned.list_id)
    assert census.people.get(make_id(4)).row_count == 1
    census.undo.undo()  # the hand correction first
    census.returned.undo(outcome.returned.list_id)
    assert census.batches.row(short).pending and census.problems.corrections() == []
    assert make_id(4) not in {p.id_number for p in census.people.iter()}


def _edit(path: Path, out: Path, edit) -> Path:
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(out)
    return out


def test_a_list_sorted_and_numbered_again_gives_nobody_another_persons_id(census, lists, tmp_path):
    """The community sorted the lines by name and numbered 序号 again: each line's answer would
    land on the row its new number names. Lines whose 姓名 is not that row's are not applied."""
    filled = fill(lists["团结"], tmp_path / "填.xlsx", ANSWERS)

    def renumber(wb):
        ws = wb["更正清单"]
        rows = [[c.value for c in ws[r]] for r in range(HEADER_ROW + 1, ws.max_row + 1)]
        rows.reverse()
        for r, values in enumerate(rows, start=HEADER_ROW + 1):
            for c, value in enumerate(values, start=1):
                ws.cell(r, c).value = value
            ws.cell(r, COL["seq"]).value = r - HEADER_ROW
    (outcome,) = run(census, _edit(filled, tmp_path / "重排.xlsx", renumber))
    assert "序号是否被重新编过" in outcome.describe()
    given = {census.batches.row(c["row_id"]).name: c["new_id_number"] for c in census.problems.corrections()}
    assert given.items() <= {"李四": make_id(2), "王五": make_id(3)}.items()  # nobody got another's ID
    assert census.returned.remarks() == {} or all(
        census.batches.row(r).name == "钱七" for r in census.returned.remarks())


def test_a_copy_of_the_list_without_its_original_id_column_is_refused(census, lists, tmp_path):
    def drop(wb):
        ws = wb["更正清单"]
        ws.delete_cols(7)  # 身份证号（原填）
        del wb["更正清单标识"]
    copy = _edit(fill(lists["团结"], tmp_path / "填.xlsx", ANSWERS), tmp_path / "拷贝.xlsx", drop)
    before = state(census)
    (outcome,) = run(census, copy)
    assert outcome.status == "failed" and "这是更正清单" in outcome.message
    assert state(census) == before


def test_a_filled_visible_copy_is_read_before_the_hidden_original_and_odd_numbers_are_lines_of_none(
        census, lists, tmp_path):
    def copy_sheet(wb):
        original = wb["更正清单"]
        filled = wb.copy_worksheet(original)
        original.sheet_state = "hidden"
        for r in range(HEADER_ROW + 1, filled.max_row + 1):
            if filled.cell(r, COL["name"]).value == "李四":
                filled.cell(r, COL["fix"]).value = make_id(2)
        filled.cell(filled.max_row + 1, COL["seq"]).value = "③"  # not a number Excel counts
    (outcome,) = run(census, _edit(lists["团结"], tmp_path / "副本.xlsx", copy_sheet))
    assert outcome.status == "corrected" and census.people.get(make_id(2)).name == "李四"


def test_undoing_an_earlier_list_whose_remark_a_later_list_replaced_is_refused(census, lists, tmp_path):
    before = state(census)
    (first,) = run(census, fill(lists["团结"], tmp_path / "一.xlsx", {"钱七": (None, "此人已调离")}))
    (second,) = run(census, fill(lists["团结"], tmp_path / "二.xlsx", {"钱七": (None, "此人已去世")}))
    with pytest.raises(CensusError, match="此后又被更正过"):
        census.returned.undo(first.returned.list_id)
    census.returned.undo(second.returned.list_id)
    census.returned.undo(first.returned.list_id)
    assert state(census) == before


def test_a_list_sent_again_after_its_return_was_undone_and_imported_again_is_applied(census, lists, tmp_path):
    returned = fill(lists["团结"], tmp_path / "回.xlsx", {"李四": (make_id(2), None)})
    run(census, returned)
    (batch,) = [b for b in census.batches.all() if b.file_name == "团结社区摸排表.xlsx"]
    census.batches.undo(batch.id)  # the return and the list's fix on it go
    import_file(census, tmp_path / "团结社区摸排表.xlsx")
    assert "李四" in {p.name for p in census.problems.all() if p.kind == "pending"}
    (again,) = run(census, returned)
    assert again.status == "corrected" and census.people.get(make_id(2)).name == "李四"


def test_a_deleted_line_is_named(census, lists, tmp_path):
    def delete_wang(wb):
        ws = wb["更正清单"]
        for r in range(HEADER_ROW + 1, ws.max_row + 1):
            if ws.cell(r, COL["name"]).value == "王五":
                ws.delete_rows(r)
                break
    (outcome,) = run(census, _edit(fill(lists["团结"], tmp_path / "填.xlsx", ANSWERS), tmp_path / "删.xlsx", delete_wang))
    assert any("王五：跳过。清单中已没有这一行（被删除）" in line for line in outcome.describe().splitlines())


def test_a_first_run_that_stops_half_way_leaves_no_list_that_would_be_refused(census, tmp_path, monkeypatch):
    """The lists written before the failure carry an identity the census never stored: sent out
    and returned they were refused as 不属于本普查文件 (the same title on both sides)."""
    import exporters.corrections as corrections

    build(census, tmp_path)
    assert census.settings.census_id() is None
    real, calls = corrections.write_correction_workbook, []

    def second_fails(*args, **kwargs):  # the disk fills up, or Excel holds the second file open
        calls.append(args)
        if len(calls) == 2:
            raise CensusError("磁盘空间不足，文件没有保存")
        return real(*args, **kwargs)

    monkeypatch.setattr(corrections, "write_correction_workbook", second_fails)
    with pytest.raises(CensusError):
        write_correction_workbooks(census, tmp_path / "lists")
    assert list((tmp_path / "lists").iterdir()) == []
    assert census.settings.census_id() is None

    monkeypatch.setattr(corrections, "write_correction_workbook", real)  # room again
    written = write_correction_workbooks(census, tmp_path / "lists")
    returned = fill(next(p for p in written if "团结" in p.name), tmp_path / "回.xlsx", ANSWERS)
    assert run(census, returned)[0].status == "corrected"


def test_undoing_a_list_whose_import_was_undone_leaves_the_next_import_s_rows_alone(census, lists, tmp_path):
    (outcome,) = run(census, fill(lists["幸福"], tmp_path / "回.xlsx", {"孙捌": (make_id(6), None)}))
    assert outcome.returned.list_id is not None
    (batch,) = [b for b in census.batches.all() if b.file_name == "幸福社区摸排表.xlsx"]
    census.batches.undo(batch.id)  # the newest import: the next one's rows take its row ids
    import_file(census, write_community_return(tmp_path / "光华团结社区.xlsx", "光华街道团结社区",
                                               [("周一", make_id(11), "助理社会工作师", "", "", 0)]))
    before = state(census)
    census.returned.undo(outcome.returned.list_id)
    assert state(census) == before and census.people.get(make_id(11)).name == "周一"


def test_a_list_sent_again_after_the_newest_import_was_undone_and_imported_again_is_applied(census, lists, tmp_path):
    returned = fill(lists["幸福"], tmp_path / "回.xlsx", {"孙捌": (make_id(6), None)})
    run(census, returned)
    (batch,) = [b for b in census.batches.all() if b.file_name == "幸福社区摸排表.xlsx"]
    census.batches.undo(batch.id)  # the newest import: imported again, its rows get the same ids
    import_file(census, tmp_path / "幸福社区摸排表.xlsx")
    (again,) = run(census, returned)
    assert again.status == "corrected" and census.people.get(make_id(6)).name == "孙捌"


def _without_generated_at(wb):
    """A list written before its mark kept 生成时间 (still in the communities' hands)."""
    ws = wb[MARK_SHEET]
    ws.delete_rows(next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "生成时间"))


def test_a_correction_by_hand_before_a_list_is_not_undone_over_the_list(census, lists, tmp_path):
    row = row_of(census, "李四")
    census.undo.run("更正身份证号", lambda: census.problems.correct_id(row, make_id(102)))
    returned = fill(lists["团结"], tmp_path / "回.xlsx", {"李四": (make_id(2), None)})
    (outcome,) = run(census, _edit(returned, tmp_path / "旧清单.xlsx", _without_generated_at))
    assert outcome.returned.list_id is not None
    after = state(census)
    with pytest.raises(CensusError, match="没有可以撤销的操作"):
        census.undo.undo()  # it would make 李四 pending again under the list's correction record
    assert state(census) == after and census.people.get(make_id(2)).name == "李四"


def test_a_list_that_comes_back_late_does_not_replace_a_newer_fix(census, tmp_path, monkeypatch):
    """Round 1's list sat in a mailbox; round 2's, written a week later, came back first with the
    right number. Round 1's wrong number arriving then is not applied over it, and says why; a
    correction by hand after a list was written is kept the same way."""
    import exporters.corrections

    build(census, tmp_path)
    monkeypatch.setattr(exporters.corrections, "now", lambda: "2021-03-01T09:00:00")
    round1 = {p.name: p for p in write_correction_workbooks(census, tmp_path / "一")}
    monkeypatch.setattr(exporters.corrections, "now", lambda: "2021-03-08T09:00:00")
    round2 = {p.name: p for p in write_correction_workbooks(census, tmp_path / "二")}
    tuanjie = next(name for name in round1 if "团结" in name)
    run(census, fill(round2[tuanjie], tmp_path / "二回.xlsx", {"李四": (make_id(2), None), "钱七": (None, "已去世")}))
    wang = row_of(census, "王五")
    census.undo.run("更正身份证号", lambda: census.problems.correct_id(wang, make_id(3)))
    after = state(census)
    (late,) = run(census, fill(round1[tuanjie], tmp_path / "一回.xlsx", {"李四": (make_id(102), None),
                                                                         "王五": (make_id(103), None),
                                                                         "钱七": (None, "已调离")}))
    assert state(census) == after and census.people.get(make_id(2)).name == "李四"
    text = late.describe()
    assert "李四：跳过。清单生成（2021-03-01 09:00）后此行已另行更正为" in text and "王五：跳过" in text
    assert census.problems.all() and {p.name: p.remark for p in census.problems.all()}["钱七"] == "已去世"


def test_a_list_for_a_return_sent_twice_more_is_applied_to_the_newest_version(census, lists, tmp_path):
    returned = fill(lists["团结"], tmp_path / "回.xlsx", {"李四": (make_id(2), None)})
    rows = [("李四", bad_check(2), "社会工作师", "本科", "会计", 0)]
    for n, more in ((2, ("王五", make_id(3), "社会工作师", "", "", 0)), (3, ("赵六", make_id(4), "社会工作师", "", "", 0))):
        (tmp_path / f"v{n}").mkdir()
        import_file(census, write_community_return(tmp_path / f"v{n}" / "团结社区摸排表.xlsx", "和平街道团结社区",
                                                   [*rows, more]))
    (outcome,) = run(census, returned)
    assert "更正 1 行" in outcome.describe() and census.people.get(make_id(2)).name == "李四"


def test_undoing_a_list_whose_return_was_sent_twice_more_names_the_batch_in_the_census(census, lists, tmp_path):
    (outcome,) = run(census, fill(lists["团结"], tmp_path / "回.xlsx", {"李四": (make_id(2), None)}))
    for n in (2, 3):
        (tmp_path / f"v{n}").mkdir()
        import_file(census, write_community_return(tmp_path / f"v{n}" / "团结社区摸排表.xlsx", "和平街道团结社区",
                                                   [("李四", bad_check(2), "社会工作师", "本科", "会计", n)]))
    (live,) = [b.id for b in census.batches.all() if b.file_name == "团结社区摸排表.xlsx"]
    with pytest.raises(CensusError, match=f"请先撤销批次 {live}，"):
        census.returned.undo(outcome.returned.list_id)
