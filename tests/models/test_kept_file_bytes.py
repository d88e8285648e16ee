"""models.kept_files: an imported file's bytes are kept once per content, and a row's raw cells
are read back from them exactly as the per-row JSON gave them before (migration 13)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from importers.job import import_file
from importers.plan import plan_file
from importers.values import text_of
from models.census import Census
from models.merge_files import merge_census_files
from tests.builders import make_id, write_community_return

STREET = "测试市/东区/和平街道"
COMMUNITY = STREET + "/团结社区"
HEADER = ["序号", "所属社区", "姓名", "性别", "身份证号码", "证书等级", "培训学时", "取得证书时间", "备注"]


def _mixed_return(path: Path) -> Path:
    """Dates (a date and a datetime), numbers (int and float), IDs as text, empty cells, a 所属社区
    merged down over two rows, a pending row (bad check digit) and a footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["和平街道社会工作专业人才登记表"])
    ws.append(HEADER)
    ws.append([1, "团结社区", "张三", "女", make_id(1), "助理社会工作师", 120, dt.date(2019, 6, 30), None])
    ws.append([2, None, "李四", None, make_id(2), None, 1.5, dt.datetime(2020, 1, 2, 0, 0), "调入"])
    ws.append([3, "幸福社区", "王五", "男", make_id(3)[:17] + ("0" if make_id(3)[17] != "0" else "1"), "社会工作师",
               None, "2021年5月", None])
    ws.merge_cells("B3:B4")
    ws.append(["填表人：赵六"])
    wb.save(path)
    return path


def _csv_return(path: Path) -> Path:
    """A CSV saved by Excel in GBK: every cell is text, empty cells stay empty."""
    lines = [",".join(HEADER),
             f"1,团结社区,张三,女,{make_id(1)},助理社会工作师,120,2019/6/30,",
             f"2,幸福社区,李四,,{make_id(2)},,,,调入"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def _as_json_did(cell: object) -> object:
    """What the import stored per cell before migration 13 (then read back through JSON)."""
    return text_of(cell) if isinstance(cell, dt.date) else cell


def _stored_rows(census: Census) -> list[tuple[int, str, int]]:
    return census.conn.execute("SELECT id, sheet, row_number FROM source_rows ORDER BY id").fetchall()


def _kept(census: Census) -> set[str]:
    return {r[0] for r in census.conn.execute("SELECT sha256 FROM kept_files")}


def _assert_cells_as_json_gave_them(census: Census, path: Path, region: str) -> None:
    plan = plan_file(census, path, region=region)  # the cells the import saw (merged cells filled down)
    rows = {s.name: s.rows for s in (plan.sheet, *(p.sheet for p in plan.more))}
    stored = _stored_rows(census)
    assert stored
    for row_id, sheet, number in stored:
        expected = tuple(json.loads(json.dumps([_as_json_did(c) for c in rows[sheet][number - 1]],
                                               ensure_ascii=False)))
        assert census.batches.row(row_id).raw == expected


def test_raw_cells_of_an_xlsx_row_are_what_the_json_gave(census, tmp_path):
    path = _mixed_return(tmp_path / "和平街道.xlsx")
    import_file(census, path, region=STREET)
    assert census.conn.execute("SELECT COUNT(*) FROM source_rows WHERE raw != ''").fetchone()[0] == 0
    _assert_cells_as_json_gave_them(census, path, STREET)
    second = census.people.rows(make_id(2))[0]
    assert second.raw == (2, "团结社区", "李四", None, make_id(2), None, 1.5, "2020-01-02", "调入")
    first = census.people.rows(make_id(1))[0]
    assert (first.sheet, first.row_number) == ("名单", 3)
    assert first.raw == (1, "团结社区", "张三", "女", make_id(1), "助理社会工作师", 120, "2019-06-30", None)


def test_raw_cells_of_a_csv_row_are_what_the_json_gave(census, tmp_path):
    path = _csv_return(tmp_path / "和平街道.csv")
    import_file(census, path, region=STREET)
    _assert_cells_as_json_gave_them(census, path, STREET)
    assert census.people.rows(make_id(2))[0].raw == ("2", "幸福社区", "李四", None, make_id(2), None, None, None, "调入")


def _html_return(path: Path) -> Path:
    """An HTML table an old system saved under a .xls name (its sheet is named 表1, not after the file)."""
    cells = "".join(f"<td>{c}</td>" for c in HEADER)
    row = f"<td>1</td><td>团结社区</td><td>张三</td><td>女</td><td>{make_id(1)}</td><td></td><td>8</td><td></td><td></td>"
    path.write_text(f"<html><body><table><tr>{cells}</tr><tr>{row}</tr></table></body></html>", encoding="utf-8")
    return path


@pytest.mark.parametrize("name, write, sheet", [("和平街道.xls", _html_return, "表1"),
                                                ("和平街道.xls", _csv_return, "和平街道"),
                                                ("街道名单.txt", _csv_return, "街道名单")])
def test_other_formats_read_back_under_their_own_name(census, tmp_path, name, write, sheet):
    """The reader sniffs the bytes; the file's name still names a CSV's sheet and decides whether plain
    text under an Excel name is a table: rows are read back under the name they were imported with."""
    path = write(tmp_path / name)
    import_file(census, path, region=STREET)
    _assert_cells_as_json_gave_them(census, path, STREET)
    first = census.people.rows(make_id(1))[0]
    assert first.sheet == sheet and first.raw[1:3] == ("团结社区", "张三")


def test_a_correction_list_needs_no_cells(census, tmp_path):
    import_file(census, _mixed_return(tmp_path / "和平街道.xlsx"), region=STREET)
    pending = census.conn.execute("SELECT id FROM source_rows WHERE status = 'pending'").fetchone()[0]
    row = census.batches.row(pending, cells=False)
    assert (row.raw, row.name, row.row_number) == ((), "王五", 5)


def test_rows_imported_with_json_still_read_from_it(census, tmp_path):
    """A census from before migration 13 holds every row's cells as JSON and no kept file."""
    import_file(census, _mixed_return(tmp_path / "和平街道.xlsx"), region=STREET)
    for row_id, _sheet, _number in _stored_rows(census):
        cells = list(census.batches.row(row_id).raw)
        cells[8] = f"旧行{row_id}"
        census.conn.execute("UPDATE source_rows SET raw = ? WHERE id = ?", (json.dumps(cells, ensure_ascii=False), row_id))
    census.conn.execute("DELETE FROM kept_files")
    path = census.path
    census.close()
    with Census.open(path) as old:
        rows = old.people.rows(make_id(1))
        assert rows[0].raw == (1, "团结社区", "张三", "女", make_id(1), "助理社会工作师", 120, "2019-06-30",
                               f"旧行{rows[0].id}")


def test_merging_copies_the_kept_bytes_once(census, tmp_path, census_template):
    source_path = tmp_path / "source.census"
    shutil.copyfile(census_template, source_path)
    path = _mixed_return(tmp_path / "和平街道.xlsx")
    with Census.open(source_path) as source:
        import_file(source, path, region=STREET)
        expected = [r.raw for r in source.people.rows(make_id(2))]
        shas = _kept(source)
    merge_census_files(census, source_path)
    assert _kept(census) == shas and len(shas) == 1
    assert [r.raw for r in census.people.rows(make_id(2))] == expected
    merge_census_files(census, source_path)  # the batch is skipped: nothing kept twice
    assert census.conn.execute("SELECT COUNT(*) FROM kept_files").fetchone()[0] == 1


def _versions(tmp_path: Path) -> tuple[Path, Path]:
    """Two versions of one community's return (same name, other content)."""
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    first = write_community_return(tmp_path / "v1" / "团结社区.xlsx", None,
                                   [("张三", make_id(1), "助理社会工作师", "本科", "社会工作", 10)])
    second = write_community_return(tmp_path / "v2" / "团结社区.xlsx", None,
                                    [("张三", make_id(1), "社会工作师", "本科", "社会工作", 20)])
    return first, second


def test_undo_drops_the_bytes_unless_a_withdrawn_version_needs_them(census, tmp_path, census_template):
    first, second = _versions(tmp_path)
    v1 = import_file(census, first, region=COMMUNITY)
    v2 = import_file(census, second, region=COMMUNITY)
    assert v2.replaced is not None and v2.replaced.batch_id == v1.batch_id
    sha_first = plan_file(census, first, region=COMMUNITY).sha256
    sha_second = plan_file(census, second, region=COMMUNITY).sha256
    assert _kept(census) == {sha_first, sha_second}  # the withdrawn first version keeps its bytes

    # The first version's content comes back under another name with a merged census file: it is
    # a version this file replaced, so it is not merged (as importing it is skipped); the bytes stay.
    source_path = tmp_path / "source.census"
    shutil.copyfile(census_template, source_path)
    copy = tmp_path / "副本.xlsx"
    shutil.copyfile(first, copy)
    with Census.open(source_path) as source:
        import_file(source, copy, region=COMMUNITY)
    assert merge_census_files(census, source_path).older_versions == 1
    assert census.batches.by_sha(sha_first) is None
    assert _kept(census) == {sha_first, sha_second}

    census.batches.undo(v2.batch_id)  # the first version is back, read from its kept bytes
    assert _kept(census) == {sha_first}
    assert census.people.rows(make_id(1))[0].raw[7] == "助理社会工作师"
    census.batches.undo(v1.batch_id)
    assert _kept(census) == set()


def test_the_census_is_smaller_than_with_json_per_row(census, tmp_path):
    rows = [(f"人员{n}", make_id(n, born=dt.date(1960, 1, 1) + dt.timedelta(days=n)), "助理社会工作师", "本科",
             "社会工作", n % 200) for n in range(3000)]
    import_file(census, write_community_return(tmp_path / "团结社区.xlsx", None, rows), region=COMMUNITY)
    census.conn.execute("VACUUM")
    census.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    kept_size = Path(census.path).stat().st_size
    for row_id, _sheet, _number in _stored_rows(census):  # as every row was stored before migration 13
        cells = census.batches.row(row_id).raw
        census.conn.execute("UPDATE source_rows SET raw = ? WHERE id = ?",
                            (json.dumps(cells, ensure_ascii=False, separators=(",", ":")), row_id))
    census.conn.execute("DELETE FROM kept_files")
    census.conn.execute("VACUUM")
    census.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert kept_size < Path(census.path).stat().st_size
