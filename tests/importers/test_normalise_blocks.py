"""importers.normalise works a block of lines at a time, a column at a time: what a block's edges,
short rows and lines left out must not change (row numbers, counts and their order, no empty chunk)."""

from __future__ import annotations

import datetime as dt

import pytest

import importers.normalise
from importers.headers import find_header
from importers.normalise import AT, SheetCounts, normalise_rows
from importers.readers import Sheet
from tests.builders import make_id

TODAY = dt.date(2026, 12, 4)
HEADER = ["序号", "姓名", "公民身份号码", "社工证等级", "累计培训学时", "发证日期", "手机号码"]


def _normalised(rows: list[list]) -> tuple[list[tuple], SheetCounts, list[int]]:
    sheet = Sheet("表", [HEADER, *rows], ())
    header = find_header(sheet)
    assert header is not None
    counts = SheetCounts()
    chunks = list(normalise_rows(sheet, header, TODAY, counts))
    return [row for chunk in chunks for row in chunk.rows], counts, [len(chunk.rows) for chunk in chunks]


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch):
    monkeypatch.setattr(importers.normalise, "CHUNK", 3)  # a handful of lines crosses several blocks


def test_a_block_of_lines_that_are_not_data_gives_no_chunk_and_the_others_keep_their_line_numbers():
    rows = [[1, "张三", make_id(1)], [None] * 3, [None] * 3, [None] * 3, ["合计", None, None], [2, "李四", make_id(2)]]
    stored, counts, sizes = _normalised(rows)
    assert sizes == [1, 1]  # the second block (three blank lines) gives nothing, not an empty chunk
    assert [row[AT["row_number"]] for row in stored] == [2, 7]  # the sheet's own line numbers, header at 1
    assert [row[AT["name"]] for row in stored] == ["张三", "李四"]
    assert (counts.rows_ok, counts.rows_pending) == (2, 0)
    assert counts.skipped == {"blank": 3, "total": 1}


def test_short_rows_read_as_empty_cells_past_their_end():
    rows = [[1, "张三", make_id(1), "社会工作师", 120, dt.date(2019, 6, 1), 13912345678],
            [2, "李四", make_id(2)],  # the row stops after the ID
            [3, "王五"]]  # no ID cell at all: a data row waiting for its ID
    stored, counts, _ = _normalised(rows)
    first, second, third = stored
    assert (first[AT["hours"]], first[AT["cert_date"]], first[AT["phone"]]) == (120, "2019-06-01", "13912345678")
    assert (second[AT["status"]], second[AT["hours"]], second[AT["cert_date"]], second[AT["phone"]]) == (
        "ok", None, None, "")
    assert (third[AT["status"]], third[AT["reason"]]) == ("pending", "身份证号为空")
    assert (counts.rows_ok, counts.rows_pending) == (2, 1)


def test_lines_left_out_are_counted_in_line_order_and_notes_row_by_row():
    rows = [["示例", "张三", make_id(9)],  # a template's example line, ID valid or not
            [1, "", make_id(1), "高级社会工作师", None, "2030-01-01"],
            ["填表人：王", None, None],
            [2, "合计", make_id(2), "火星师"],
            ["合计", None, None]]
    stored, counts, _ = _normalised(rows)
    assert list(counts.skipped) == ["example", "footer", "total"]  # the result lists them in this order
    assert [row[AT["row_number"]] for row in stored] == [3, 5]
    notes = [row[AT["notes"]] for row in stored]
    assert notes[0] == '["取得证书时间“2030-01-01”晚于今天，未采用（取证年份记为不详），请核实", "姓名为空"]'
    assert "姓名为“合计”" in notes[1] and notes[1].index("火星师") < notes[1].index("姓名为")  # level's note first
    assert list(counts.notes)[:2] == ["取得证书时间“2030-01-01”晚于今天，未采用（取证年份记为不详），请核实", "姓名为空"]
