"""A folder of returns is stored as groups of files, one commit per group and a savepoint per file:
a file that fails in the middle is absent and the files around it are imported; a full disk rolls
its group back and says so for each file; a cancel keeps what was stored before it."""

from __future__ import annotations

import zipfile

import pytest

import importers.files
import importers.read_ahead
import models.bulk_index
from importers.files import import_files
from importers.job import import_file, run_to_end
from importers.population import load_population
from models.census import Census
from models.errors import DiskFull
from models.return_versions import Versions
from tests.builders import make_id, write_community_return, write_population
from tests.importers.ods_files import write_ods

FILLERS = ("东区和平街道团结社区", "东区和平街道新建社区", "东区和平街道幸福社区")  # 新建社区 is not in the tree


def _folder(tmp_path):
    paths = []
    for f, filler in enumerate(FILLERS):
        rows = [(f"人{f}{i}", make_id(i, county=f"1101{f + 10:02d}"), "助理社会工作师", "本科", "社会工作", 20)
                for i in range(5)]
        paths.append(write_community_return(tmp_path / f"{f + 1}号.xlsx", filler, rows))
    return paths


def _census(tmp_path) -> Census:
    census = Census.open(tmp_path / "c.census")
    load_population(census, write_population(tmp_path / "户籍人口.xlsx"))
    return census


def _run(census, paths, cancel=None):
    return run_to_end(import_files(census, paths, cancel))


def _fail_on_call(monkeypatch, call: int, error: BaseException) -> None:
    """The `call`-th file fails at its very end, after its batch, rows and regions are written."""
    real = Versions.settle
    calls = []

    def failing(self, batch_id, keep_both, earlier):
        calls.append(1)
        if len(calls) == call:
            raise error
        return real(self, batch_id, keep_both, earlier)

    monkeypatch.setattr(Versions, "settle", failing)


def _stored(path):
    """What another connection sees: committed batches, rows, persons and regions."""
    with Census.open(path) as census:
        return ([b.file_name for b in census.batches.all()], census.people.count(),
                sorted(r.path for r in census.regions.all()))


@pytest.mark.parametrize("group_files", [1, 2, 100])
def test_a_file_failing_in_the_middle_is_absent_and_the_others_imported(tmp_path, monkeypatch, group_files):
    monkeypatch.setattr(importers.files, "GROUP_FILES", group_files)
    census = _census(tmp_path)
    regions_before = sorted(r.path for r in census.regions.all())
    _fail_on_call(monkeypatch, 2, RuntimeError("boom"))
    outcomes = _run(census, _folder(tmp_path))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert "内部错误" in outcomes[1].message
    census.close()
    batches, persons, regions = _stored(tmp_path / "c.census")
    assert batches == ["1号.xlsx", "3号.xlsx"] and persons == 10
    assert regions == regions_before  # the region the failed file created is gone with it


def test_a_full_disk_rolls_its_group_back_and_stops(tmp_path, monkeypatch):
    census = _census(tmp_path)
    before = _stored(tmp_path / "c.census")
    _fail_on_call(monkeypatch, 2, DiskFull("磁盘空间不足，本次写入已撤销", file="2号.xlsx"))
    outcomes = _run(census, _folder(tmp_path))
    assert [o.status for o in outcomes] == ["failed", "failed", "not_run"]
    assert all("磁盘空间不足" in o.message for o in outcomes)
    census.close()
    assert _stored(tmp_path / "c.census") == before


def test_cancel_keeps_the_files_stored_before_it(tmp_path, monkeypatch):
    census = _census(tmp_path)
    cancelled: list[bool] = []
    real = Versions.settle

    def clerk_cancels_during_the_second_file(self, batch_id, keep_both, earlier):
        if self._census.batches.all()[-1].file_name == "2号.xlsx":
            cancelled.append(True)
        return real(self, batch_id, keep_both, earlier)

    monkeypatch.setattr(Versions, "settle", clerk_cancels_during_the_second_file)
    outcomes = _run(census, _folder(tmp_path), cancel=lambda: bool(cancelled))
    assert [o.status for o in outcomes] == ["imported", "cancelled", "not_run"]
    census.close()
    batches, persons, _ = _stored(tmp_path / "c.census")
    assert batches == ["1号.xlsx"] and persons == 5


def _persons(census) -> list[tuple]:
    return census.conn.execute("SELECT * FROM persons ORDER BY id_number").fetchall()


def _indexes(census) -> list[str]:
    return sorted(r[0] for r in census.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))


@pytest.mark.parametrize("count_while_waiting", [False, True])
@pytest.mark.parametrize("group_files", [1, 2, 1000])
def test_a_group_counts_its_persons_as_a_recount_from_scratch_would(tmp_path, monkeypatch, group_files,
                                                                      count_while_waiting):
    """Persons are counted in bulk per group of files (and, while the next file is being read,
    those first seen in the group): an ID in several files of the group, a resend replacing a file
    of the same group and the indexes set aside meanwhile give the same persons as counting every
    person again from the stored rows."""
    monkeypatch.setattr(importers.files, "GROUP_FILES", group_files)
    if count_while_waiting:  # as if the reader were always behind: count after every file
        monkeypatch.setattr(importers.read_ahead.ReadAhead, "ready", lambda self, index: False)
        monkeypatch.setattr(importers.files._Group, "COUNT_WHILE_WAITING", 1)
    monkeypatch.setattr(models.bulk_index, "GROUP_MIN_ROWS", 1)  # set the indexes aside after the first file
    census = _census(tmp_path)
    indexes_before = _indexes(census)
    shared = [(f"共{i}", make_id(100 + i, county="110110"), "", "硕士研究生", "社会工作", 130) for i in range(3)]
    first, again = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    again.mkdir()
    paths = [
        write_community_return(first / "1号.xlsx", FILLERS[0], [
            (f"甲{i}", make_id(i, county="110110"), "助理社会工作师", "本科", "社会工作", 20) for i in range(4)] + shared),
        write_community_return(first / "2号.xlsx", FILLERS[2], [  # the same three people, another community
            (name, number, "社会工作师", "", "", 50) for name, number, *_ in shared]),
        # 1号 sent again for the same community: replaces the first one inside the same group
        write_community_return(again / "1号.xlsx", FILLERS[0], [
            (f"甲{i}", make_id(i, county="110110"), "", "大专", "会计", 10) for i in range(2)] + shared),
    ]
    outcomes = _run(census, paths)
    assert [o.status for o in outcomes] == ["imported", "imported", "imported"]
    assert outcomes[2].result.replaced is not None
    counted = _persons(census)
    assert _indexes(census) == indexes_before
    census.people.recompute()
    assert counted == _persons(census)
    assert len(counted) == 5  # 甲0, 甲1 and the three shared people (甲2, 甲3 left with the first version)
    census.close()


def test_imports_leave_no_row_without_its_batch_or_region_and_turn_the_checks_back_on(tmp_path, monkeypatch):
    """Foreign keys are not checked while rows go in (bulk_writes): afterwards every reference
    holds, a failed file included, and the checks are on again."""
    census = _census(tmp_path)
    _fail_on_call(monkeypatch, 2, RuntimeError("boom"))
    outcomes = _run(census, _folder(tmp_path))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert census.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert census.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    census.close()


@pytest.mark.parametrize("count_while_waiting", [False, True])
def test_persons_counted_before_the_group_take_the_groups_rows_too(tmp_path, monkeypatch, count_while_waiting):
    """People already in the census (an earlier import) who come again in a folder are counted
    from all their rows, also when the group counts from memory while it waits for the reader:
    there only the people first seen in the group may be counted, the others at its end."""
    if count_while_waiting:
        monkeypatch.setattr(importers.read_ahead.ReadAhead, "ready", lambda self, index: False)
        monkeypatch.setattr(importers.files._Group, "COUNT_WHILE_WAITING", 1)
    census = _census(tmp_path)
    earlier = [(f"早{i}", make_id(200 + i, county="110110"), "", "本科", "社会工作", 20) for i in range(3)]
    import_file(census, write_community_return(tmp_path / "早.xlsx", FILLERS[1], earlier))
    folder = tmp_path / "folder"
    folder.mkdir()
    paths = [
        write_community_return(folder / "1号.xlsx", FILLERS[0], [  # two of them again, now certified
            (name, number, "中级社会工作师", "", "", 150) for name, number, *_ in earlier[:2]]
            + [(f"新{i}", make_id(300 + i, county="110110"), "", "硕士研究生", "社会工作", 0) for i in range(3)]),
        write_community_return(folder / "2号.xlsx", FILLERS[2], [
            (f"新{i}", make_id(300 + i, county="110110"), "助理社会工作师", "", "", 40) for i in range(2)]),
    ]
    outcomes = _run(census, paths)
    assert [o.status for o in outcomes] == ["imported", "imported"]
    counted = _persons(census)
    census.people.recompute()
    assert counted == _persons(census)
    assert census.people.get(make_id(200, county="110110")).level == 2 and census.people.count() == 6
    census.close()


def test_a_folder_stands_for_every_spreadsheet_and_says_what_it_cannot_read(tmp_path):
    """WPS's .et, Excel's 单个文件网页 (.mht) and LibreOffice's .ods are read; an .xlsb in the folder fails with a line saying
    to save it as .xlsx, an archive with one saying to unpack it, instead of being left out without a word;
    Word files, pictures, Excel's lock files and hidden files are not returns."""
    from importers.files import expand_paths

    folder = tmp_path / "报表"
    folder.mkdir()
    write_community_return(folder / "团结社区.xlsx", FILLERS[0], [("甲", make_id(1), "初级", None, None, None)])
    write_ods(folder / "幸福社区.ods", [("人员名单", [["姓名", "身份证号码", "证书等级", "学历"], ["乙", make_id(2), "初级", "本科"]])])
    with zipfile.ZipFile(folder / "光荣社区.xlsb", "w") as xlsb:
        xlsb.writestr("xl/workbook.bin", "x")
    with zipfile.ZipFile(folder / "新建社区.zip", "w") as archive:
        archive.writestr("新建社区.xlsx", "x")
    for name in ("桃园社区.et", "光明社区.mht", "通知.docx", "~$团结社区.xlsx", ".隐藏.xlsx", "盖章.jpg", "盖章版.pdf"):
        (folder / name).write_bytes(b"x")
    assert [p.name for p in expand_paths([folder])] == sorted(["幸福社区.ods", "光荣社区.xlsb", "桃园社区.et", "光明社区.mht",
                                                               "团结社区.xlsx", "新建社区.zip"])
    (folder / "桃园社区.et").unlink()
    (folder / "光明社区.mht").unlink()
    census = _census(tmp_path)
    outcomes = {o.file_name: o for o in _run(census, expand_paths([folder]))}
    assert outcomes["团结社区.xlsx"].status == "imported"
    assert outcomes["幸福社区.ods"].status == "imported" and outcomes["幸福社区.ods"].result.rows_ok == 1
    assert outcomes["光荣社区.xlsb"].status == "failed" and "另存为 .xlsx" in outcomes["光荣社区.xlsb"].message
    assert outcomes["新建社区.zip"].status == "failed" and "请先解压" in outcomes["新建社区.zip"].message


def test_subfolders_are_searched_and_the_files_left_out_are_named(tmp_path, capsys):
    """Returns kept one folder per street are all imported; a .txt or a Word file in the folder
    is named in one line, not dropped without a word."""
    from cli import main
    from importers.files import expand_paths, left_out, left_out_line

    folder = tmp_path / "报表"
    (folder / "和平街道").mkdir(parents=True)
    (folder / ".git").mkdir()
    write_community_return(folder / "团结社区.xlsx", FILLERS[0], [("甲", make_id(1), "初级", None, None, None)])
    write_community_return(folder / "和平街道" / "幸福社区.xlsx", FILLERS[1], [("乙", make_id(2), "初级", None, None, None)])
    (folder / "和平街道" / "桃园社区.txt").write_text("序号\t姓名\n", encoding="utf-16")
    (folder / ".git" / "x.xlsx").write_bytes(b"x")
    (folder / "通知.docx").write_bytes(b"x")
    assert [p.relative_to(folder).as_posix() for p in expand_paths([folder])] == ["团结社区.xlsx", "和平街道/幸福社区.xlsx"]
    assert [p.name for p in left_out([folder])] == ["通知.docx", "桃园社区.txt"]
    assert left_out_line(left_out([folder])).startswith("文件夹中另有 2 个文件不是摸排表的格式，未导入：通知.docx、桃园社区.txt")
    assert expand_paths([folder, folder / "团结社区.xlsx"]) == expand_paths([folder])  # each file once

    census = _census(tmp_path)
    census.close()
    assert main(["import", str(census.path), str(folder)]) == 0
    out = capsys.readouterr().out
    assert "未导入：通知.docx、桃园社区.txt" in out and "团结社区.xlsx →" in out and "幸福社区.xlsx →" in out


def test_the_population_table_among_the_returns_is_named_for_what_it_is(tmp_path):
    """A clerk drops the whole folder, 户籍人口.xlsx included: that file fails saying it is the
    population table and how to load it, not that it lacks a 姓名 column."""
    census = _census(tmp_path)
    outcomes = _run(census, [tmp_path / "户籍人口.xlsx"])
    assert outcomes[0].status == "failed"
    assert outcomes[0].message == "这是户籍人口表，不是摸排表：请用“导入户籍人口表”导入（命令行：population）"


def test_a_return_with_nothing_under_its_header_says_so(tmp_path):
    """An empty template sent back by mistake imports (nothing to count) with a line saying so."""
    census = _census(tmp_path)
    path = write_community_return(tmp_path / "团结社区.xlsx", FILLERS[0], [], footer=False)
    result = import_file(census, path)
    assert result.rows_total == 0 and "表头以下没有任何数据行（是否发来了空表？）" in result.describe()
