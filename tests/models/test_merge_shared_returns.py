"""models.merge_files and a return both files imported (a street forwarded its community's return
to the district, and both imported it): the batch is not copied again, but what the street did to
its rows since — an ID corrected by a returned list or by hand, a 备注 — comes along onto the
district's same rows (matched by the file's content, sheet and row number), unless the district
fixed the row differently itself."""

from __future__ import annotations

import pytest

from exporters.corrections import write_correction_workbooks
from importers.files import import_files
from importers.job import import_file, run_to_end
from importers.population import load_population
from models.census import Census
from models.merge_files import merge_census_files
from models.returned_lists import Change
from tests.builders import make_id, write_community_return, write_population
from tests.importers.test_returned_list import bad_check, fill  # a list filled as a community does

TUANJIE = "测试市/东区/和平街道/团结社区"



@pytest.fixture
def district_and_street(tmp_path):
    """Two censuses over the same tree that both imported the same 团结社区 return; the district
    imported another return first, so the same lines have other row ids in the two files."""
    population = write_population(tmp_path / "户籍人口.xlsx")
    shared = write_community_return(tmp_path / "团结社区摸排表.xlsx", "和平街道团结社区", [
        ("张三", make_id(1), "助理社会工作师", "本科", "社会工作", 0),
        ("李四", bad_check(2), "社会工作师", "本科", "会计", 0),
        ("王五", bad_check(3), "", "大专", "社会学", 0)])
    district = Census.open(tmp_path / "district.census")
    street = Census.open(tmp_path / "street.census")
    for census in (district, street):
        load_population(census, population)
    import_file(district, write_community_return(tmp_path / "幸福社区摸排表.xlsx", "和平街道幸福社区", [
        ("孙八", make_id(5), "社会工作师", "", "", 0)]))
    for census in (district, street):
        import_file(census, shared)
    yield district, street, tmp_path
    district.close()
    street.close()


def row_of(census: Census, name: str) -> int:
    (row_id,) = [r.id for r in census.returned.rows_of_batch(_shared_batch(census)) if r.name == name]
    return row_id


def _shared_batch(census: Census) -> int:
    (batch,) = [b.id for b in census.batches.all() if b.file_name == "团结社区摸排表.xlsx"]
    return batch


def pending_names(census: Census) -> list[str]:
    return sorted(p.name for p in census.problems.all() if p.kind == "pending")


def seen(census: Census) -> tuple:
    """What a merge may change on the district's side."""
    return (census.summary_json(), sorted((p.id_number, p.name) for p in census.people.iter()),
            census.problems.corrections(), census.returned.remarks(), pending_names(census))


def test_a_correction_by_hand_on_a_return_both_files_hold_comes_along(district_and_street):
    district, street, _ = district_and_street
    assert row_of(district, "李四") != row_of(street, "李四")  # matched by line, not by row id
    street.problems.correct_id(row_of(street, "李四"), make_id(2))
    district.undo.run("设定目标", lambda: district.regions.set_goal(district.regions.by_path(TUANJIE).id, "talents", 4))
    result = merge_census_files(district, street.path)
    assert (result.batches_copied, result.batches_skipped) == (0, 1)
    assert (result.fixes_carried, result.fix_corrections, result.fixes_made_valid, result.fix_conflicts) == (1, 1, 1, 0)
    assert district.people.get(make_id(2)).name == "李四"
    assert pending_names(district) == ["王五"]
    (correction,) = district.problems.corrections()
    assert (correction["row_id"], correction["old_id_raw"], correction["new_id_number"]) == (
        row_of(district, "李四"), bad_check(2), make_id(2))
    text = result.describe()
    assert "没有新内容" not in text and "带入对已有报表的更正 1 处（身份证号 1 处" in text
    assert district.undo.steps() == ([], [])  # a step redone after it would put 李四's row back

    before = seen(district)
    again = merge_census_files(district, street.path)
    assert seen(district) == before
    assert (again.fixes_carried, again.fix_conflicts) == (0, 0)
    assert again.describe().startswith("street.census：没有新内容")


def test_a_returned_list_and_its_remarks_on_a_shared_return_come_along(district_and_street):
    district, street, tmp_path = district_and_street
    (written,) = write_correction_workbooks(street, tmp_path / "lists")
    filled = fill(written, tmp_path / "团结社区更正清单（已填）.xlsx", {"李四": (make_id(2), None),
                                                                 "王五": (None, "已调离本社区")})
    run_to_end(import_files(street, [filled]))
    assert pending_names(street) == ["王五"]
    result = merge_census_files(district, street.path)
    assert (result.fixes_carried, result.fix_corrections, result.fix_conflicts) == (2, 1, 0)
    assert district.people.get(make_id(2)).name == "李四"
    assert district.returned.remarks() == {row_of(district, "王五"): "已调离本社区"}
    assert district.returned.all() == []  # the list and its undo stay the street's
    assert "带入对已有报表的更正 2 处（身份证号 1 处、备注 1 处" in result.describe()
    before = seen(district)
    merge_census_files(district, street.path)
    assert seen(district) == before


def test_a_remark_alone_leaves_the_undo_history(district_and_street):
    district, street, _ = district_and_street
    street.returned.apply(file_name="更正清单.xlsx", sha256="x" * 64, region_path=TUANJIE, lines=1,
                          changes=[Change("remark", row_of(street, "王五"), "本人已退休")], skipped=0)
    district.undo.run("设定目标", lambda: district.regions.set_goal(district.regions.by_path(TUANJIE).id, "talents", 4))
    result = merge_census_files(district, street.path)
    assert (result.fixes_carried, result.fix_corrections) == (1, 0)
    assert district.returned.remarks() == {row_of(district, "王五"): "本人已退休"}
    assert [s.name for s in district.undo.steps()[0]] == ["设定目标"]
    assert "带入对已有报表的更正 1 处（备注 1 处）" in result.describe()


def test_this_files_own_different_fixes_are_kept_and_counted(district_and_street):
    district, street, _ = district_and_street
    street.problems.correct_id(row_of(street, "李四"), make_id(2))
    street.problems.correct_id(row_of(street, "王五"), make_id(3))
    street.returned.apply(file_name="更正清单.xlsx", sha256="x" * 64, region_path=TUANJIE, lines=1,
                          changes=[Change("remark", row_of(street, "张三"), "已调离本社区")], skipped=0)
    district.problems.correct_id(row_of(district, "李四"), make_id(22))  # another fix here: kept
    district.problems.correct_id(row_of(district, "王五"), make_id(3))  # the same fix: no conflict
    district.returned.apply(file_name="更正清单.xlsx", sha256="y" * 64, region_path=TUANJIE, lines=1,
                            changes=[Change("remark", row_of(district, "张三"), "本人已退休")], skipped=0)
    before = seen(district)
    result = merge_census_files(district, street.path)
    assert seen(district) == before
    assert (result.fixes_carried, result.fix_conflicts) == (0, 2)
    assert district.people.get(make_id(22)).name == "李四"
    assert make_id(2) not in {p.id_number for p in district.people.iter()}
    assert district.returned.remarks()[row_of(district, "张三")] == "本人已退休"
    text = result.describe()
    assert text.startswith("street.census：没有新内容") and "2 处与本文件的更正不同，保留本文件的" in text


def test_a_line_read_as_another_person_here_is_not_corrected(district_and_street):
    """The same file imported under another column mapping may read another person from a line:
    the line must also hold the same name and ID as typed, as a returned list's line must."""
    district, street, _ = district_and_street
    street.problems.correct_id(row_of(street, "李四"), make_id(2))
    district.conn.execute("UPDATE source_rows SET name = '李肆' WHERE id = ?", (row_of(district, "李四"),))
    result = merge_census_files(district, street.path)
    assert (result.fixes_carried, result.fix_conflicts) == (0, 0)
    assert district.problems.corrections() == []
