"""exporters.xlsx_rows: rows written in one piece are the very XML xlsxwriter writes cell by cell."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from exporters.xlsx import Styles, exporting
from exporters.xlsx_rows import RowWriter

LONG = "长" * 40_000  # over a cell's 32,767 characters: cut the same way
ROWS = [
    (("张三", 1, None, 2.5, "150302********1234"), None),
    (("a & b < c > d", 0, 1e20, 1 / 3, ""), 28.5),
    ((" leading", "trailing ", "_x0041_ literal", "bell\x07 and tab\t", "new\nline"), 15),
    (("青山省/青山市/东城区/和平街道/和平社区", -7, 123456789012, 0.1 + 0.2, LONG), 15.75),
    (("quote \" and ' apostrophe", 3, None, None, "宋体"), None),
]


def _write(path: Path, fast: bool) -> None:
    with exporting(path) as wb:
        styles = Styles(wb)
        ws = wb.add_worksheet("明细")
        formats = [styles.text, styles.int, styles.center, styles.per_mille, styles.text_wrap]
        ws.write_string(0, 0, "标题", styles.title)
        ws.write_string(1, 0, "表头", styles.header)
        ws.write_string(1, 4, "表头", styles.header)
        writer = RowWriter(ws, formats)
        for n, (values, height) in enumerate(ROWS, start=2):
            own = [styles.bad if n == 3 else f for f in formats]
            if fast:
                writer.write(n, values, own if n == 3 else None, height=height)
                continue
            if height is not None:
                ws.set_row(n, height)
            for col, value in enumerate(values):
                fmt = own[col]
                if value is None:
                    ws.write_blank(n, col, None, fmt)
                elif isinstance(value, str):
                    ws.write_string(n, col, value, fmt)
                else:
                    ws.write_number(n, col, value, fmt)
        ws.write_string(len(ROWS) + 3, 0, "说明", styles.note)
        ws.autofilter(1, 0, len(ROWS) + 1, 4)


def _sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_rows_are_byte_for_byte_what_xlsxwriter_writes(tmp_path):
    _write(tmp_path / "api.xlsx", fast=False)
    _write(tmp_path / "fast.xlsx", fast=True)
    api = _sheet_xml(tmp_path / "api.xlsx")
    assert b"_x005F_x0041_" in api and b"_x0007_" in api and b"&amp;" in api  # the cases are exercised
    assert _sheet_xml(tmp_path / "fast.xlsx") == api
    with zipfile.ZipFile(tmp_path / "api.xlsx") as a, zipfile.ZipFile(tmp_path / "fast.xlsx") as b:
        assert a.read("xl/styles.xml") == b.read("xl/styles.xml")


def test_a_row_already_written_is_refused(tmp_path):
    with exporting(tmp_path / "out.xlsx") as wb:
        ws = wb.add_worksheet()
        writer = RowWriter(ws)
        fmt = Styles(wb).text
        writer.write(3, ["a"], [fmt])
        with pytest.raises(ValueError):
            writer.write(2, ["b"], [fmt])


def test_a_number_that_is_not_finite_is_a_blank_cell(tmp_path):
    """Hours stored as infinity by an older version: <v>INF</v> would make the workbook unreadable."""
    with exporting(tmp_path / "out.xlsx") as wb:
        ws = wb.add_worksheet()
        fmt = Styles(wb).text
        RowWriter(ws).write(0, [float("inf"), float("nan"), 1.5], [fmt, fmt, fmt])
    xml = _sheet_xml(tmp_path / "out.xlsx")
    assert b"INF" not in xml.upper() and b"<v>1.5</v>" in xml
    assert xml.count(b"<v>") == 1
