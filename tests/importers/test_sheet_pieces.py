"""A large sheet read in pieces on two threads gives exactly the rows and merged ranges of the
whole read; a sheet cut where this does not expect (rows without their number) is read whole."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter

import importers.sheet_pieces as sheet_pieces
from importers.readers import _clean_calamine_rows, _finish, read_workbook
from importers.sheet_pieces import read_in_pieces, sheet_names
from models.errors import ReadError


@pytest.fixture
def whole(monkeypatch):
    """read_workbook as it reads a small sheet: whole."""
    def read(path):
        with monkeypatch.context() as patch:
            patch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 1 << 62)
            return read_workbook(path)
    return read


def _openpyxl_book(path, rows: int = 400):
    """Shared strings, a title merged across, a sub-header, gaps of empty rows, a block that
    starts in column C, numbers, dates and a second sheet before the data."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "填表说明"
    notes["A1"] = "请按要求填写"
    data = wb.create_sheet("人员名单")
    data["A1"] = "测试市社会工作专业人才摸排登记表"
    data.merge_cells("A1:F1")
    data.append(["序号", "姓名", "身份证号码", "持证等级", "学历", "培训学时"])
    for i in range(rows):
        if i % 97 == 13:
            data.append([])
            continue
        data.append([i + 1, f"人员{i}", f"11010119850615{i:04d}", "社会工作师" if i % 3 else "", "本科", i % 50])
    start = data.max_row + 3
    for i in range(30):
        data.cell(start + i, 3, f"另起一块{i}")
        data.cell(start + i, 4, 1.5 * i)
    data.merge_cells(start_row=start, start_column=3, end_row=start + 1, end_column=4)
    wb.save(path)
    return path


def _xlsxwriter_book(path, rows: int = 300, title: bool = True):
    """Every other row empty (each cut follows a gap); without a title the first row is the sixth."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("名单")
    if title:
        sheet.merge_range(0, 0, 0, 4, "标题")
    for i in range(rows):
        sheet.write_row(2 * i + 5, 1, [f"姓名{i}", f"11010119900101{i:04d}", i, "硕士研究生"])
    book.close()
    return path


def _pieces_of(path, index: int):
    with zipfile.ZipFile(path) as archive:
        entry = list(sheet_names(archive))[index]
    return read_in_pieces(path.read_bytes(), entry, index, _clean_calamine_rows)


@pytest.mark.parametrize("pieces", [2, 3, 4, 7])
def test_pieces_give_the_rows_and_merged_ranges_of_the_whole_read(tmp_path, monkeypatch, whole, pieces):
    monkeypatch.setattr(sheet_pieces, "PIECES", pieces)
    for path, index in [(_openpyxl_book(tmp_path / "a.xlsx"), 1), (_xlsxwriter_book(tmp_path / "c.xlsx", title=False), 0),
                        (_xlsxwriter_book(tmp_path / "b.xlsx"), 0)]:
        expected = whole(path).sheets[index]
        got = _pieces_of(path, index)
        assert got is not None, path.name
        rows, merged = got
        assert _finish(expected.name, rows, merged) == expected
    assert expected.rows[5] == [None, "姓名0", "110101199001010000", 0, "硕士研究生"]
    assert whole(tmp_path / "a.xlsx").sheets[1].rows[2][:3] == [1, "人员0", "110101198506150000"]


def test_read_workbook_reads_a_large_sheet_in_pieces(tmp_path, monkeypatch, whole):
    """The wiring: with no size floor, read_workbook parses each sheet as pieces, and the
    workbook is the one the whole read gives."""
    path = _openpyxl_book(tmp_path / "a.xlsx")
    expected = whole(path)
    calls = []
    parse = sheet_pieces._parse
    monkeypatch.setattr(sheet_pieces, "_parse", lambda book, index, clean: calls.append(index) or parse(book, index, clean))
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 0)
    monkeypatch.setattr(sheet_pieces, "PARTS_SHARE_MAX", 0)
    assert read_workbook(path) == expected
    assert calls.count(1) == sheet_pieces.PIECES and calls.count(0) == 1  # the small sheet is one piece


def _without_row_numbers(path):
    """The same workbook with its rows' r attributes removed (calamine counts such rows)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'(<row\b[^>]*?) r="[0-9]+"', rb"\1", data)
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


def test_rows_without_their_number_are_read_whole(tmp_path, whole, monkeypatch):
    path = _without_row_numbers(_xlsxwriter_book(tmp_path / "b.xlsx"))
    assert _pieces_of(path, 0) is None
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 0)
    monkeypatch.setattr(sheet_pieces, "PARTS_SHARE_MAX", 0)
    assert read_workbook(path).sheets[0].rows == whole(path).sheets[0].rows


def test_a_sheet_entry_is_found_through_the_workbook_relationships(tmp_path):
    path = _openpyxl_book(tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert list(sheet_names(archive)) == ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"]


def test_only_a_large_sheet_with_its_text_in_its_cells_is_read_in_pieces(tmp_path, monkeypatch):
    """openpyxl's write-only mode writes text in the cells (as large exports are made); a workbook
    with shared strings would have every piece parse them again, so it is read whole."""
    inline = openpyxl.Workbook(write_only=True)
    sheet = inline.create_sheet("名单")
    for i in range(3000):
        sheet.append([i, f"人员{i}", f"11010119850615{i:04d}"])
    inline.save(tmp_path / "inline.xlsx")
    shared = _xlsxwriter_book(tmp_path / "shared.xlsx", rows=3000)
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 50_000)
    with zipfile.ZipFile(tmp_path / "inline.xlsx") as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()
        assert sheet_pieces.large_entry(archive, list(sheet_names(archive))[0])
        monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 10_000_000)
        assert not sheet_pieces.large_entry(archive, list(sheet_names(archive))[0])  # too small to bother
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 50_000)
    with zipfile.ZipFile(shared) as archive:
        assert archive.getinfo(list(sheet_names(archive))[0]).file_size > 50_000
        assert not sheet_pieces.large_entry(archive, list(sheet_names(archive))[0])


def test_rows_out_of_order_are_read_whole(tmp_path, whole, monkeypatch):
    """A sheet whose rows are not in ascending order (no writer does this, a crafted file may):
    a piece would start above rows an earlier piece holds, so the sheet is read whole."""
    path = _xlsxwriter_book(tmp_path / "b.xlsx", title=False)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = re.findall(rb"<row\b.*?</row>", data, re.S)
                data = data.replace(b"".join(rows), b"".join([rows[-1], *rows[:-1]]))  # the last row first
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    assert _pieces_of(path, 0) is None
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 0)
    monkeypatch.setattr(sheet_pieces, "PARTS_SHARE_MAX", 0)
    assert read_workbook(path).sheets[0].rows == whole(path).sheets[0].rows


def _hand_made(path, rows_xml: list[bytes], extra: dict[str, bytes] | None = None):
    """An openpyxl workbook whose one sheet's XML is replaced: <sheetData> holds `rows_xml`."""
    template = io.BytesIO()
    book = openpyxl.Workbook(write_only=True)
    book.create_sheet("名单").append(["x"])
    book.save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                        + b"".join(rows_xml) + b"</sheetData></worksheet>")
            dst.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


def _row(number: int | None, value: int, attrs: bytes = b"") -> bytes:
    return (b'<row r="%d"%s>' % (number, attrs) if number else b"<row%s>" % attrs) + b"<c><v>%d</v></c></row>" % value


def _same_in_pieces(path, whole, monkeypatch, pieces: int = 2) -> bool:
    monkeypatch.setattr(sheet_pieces, "PIECES", pieces)
    with monkeypatch.context() as patch:
        patch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 0)
        patch.setattr(sheet_pieces, "PARTS_SHARE_MAX", 0)
        got = read_workbook(path)
    return got == whole(path)


def test_a_second_sheet_data_is_left_out_as_the_whole_read_leaves_it(tmp_path, whole, monkeypatch):
    """calamine reads the first <sheetData> only: a piece must not bring back rows after it."""
    rows = [_row(i, i) for i in range(1, 201)] + [b"</sheetData><sheetData>"] + [_row(i, i) for i in range(300, 501)]
    path = _hand_made(tmp_path / "两段.xlsx", rows)
    assert len(whole(path).sheets[0].rows) == 200
    assert _same_in_pieces(path, whole, monkeypatch)


def test_a_row_number_hidden_in_another_attribute_does_not_count(tmp_path, whole, monkeypatch):
    """<row x=' r="1"'> has no number of its own: a piece starting there is not cut."""
    rows = [b'<row r="2000"/>', b"<!--" + b"x" * 200_000 + b"-->",
            *(_row(None, i, b" x=' r=\"1\"'") for i in range(1, 4)), b"<!--" + b"y" * 10_000 + b"-->"]
    path = _hand_made(tmp_path / "藏号.xlsx", rows)
    with zipfile.ZipFile(path) as archive:
        entry = list(sheet_names(archive))[0]
    assert read_in_pieces(path.read_bytes(), entry, 0, _clean_calamine_rows) is None
    assert _same_in_pieces(path, whole, monkeypatch)


def test_a_piece_carries_only_the_parts_calamine_reads(tmp_path, whole, monkeypatch):
    """Pictures (here 8 MB of zeros) and a part with a wrong checksum that calamine never opens are
    not copied into every piece: the read is the whole read's, at the whole read's cost. (Cells
    with their r: a sheet whose cells lack it is read whole, see PartScan.)"""
    rows = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 3001)]
    path = _hand_made(tmp_path / "带图.xlsx", rows, extra={"xl/media/image1.png": b"\0" * (8 << 20)})
    carried = []
    book = sheet_pieces._piece_book
    monkeypatch.setattr(sheet_pieces, "_piece_book", lambda others, *a: carried.append(set(others)) or book(others, *a))
    assert _same_in_pieces(path, whole, monkeypatch)
    assert carried and all("xl/media/image1.png" not in names and "docProps/app.xml" not in names for names in carried)
    assert all("xl/workbook.xml" in names and "xl/styles.xml" in names for names in carried)


def test_large_sheets_are_named_as_calamine_names_them(tmp_path, monkeypatch, whole):
    """Pieces go to a sheet by its name (as calamine gives it: an escaped & is an &), not by a
    position this module and calamine might count differently."""
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    data = wb.create_sheet("名单&\"汇总\"")
    for i in range(300):
        data.append([i, f"人员{i}"])
    wb.save(tmp_path / "名.xlsx")
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 1000)
    monkeypatch.setattr(sheet_pieces, "PARTS_SHARE_MAX", 0)
    with zipfile.ZipFile(tmp_path / "名.xlsx") as archive:
        assert sheet_pieces.large_sheets(archive) == {"名单&\"汇总\"": "xl/worksheets/sheet2.xml"}
    assert read_workbook(tmp_path / "名.xlsx") == whole(tmp_path / "名.xlsx")


def _patched_entry(path, name: str, *, nul: bool = False, crc: bool = False):
    """The workbook at `path` with entry `name` damaged the way zipfile and calamine read apart:
    a NUL byte after its name (zipfile cuts the name there, calamine keeps it), or a wrong CRC in
    the central directory (zipfile refuses the part, calamine reads it)."""
    data = bytearray(path.read_bytes())
    if nul:
        out = io.BytesIO()
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info.filename + ("~" if info.filename == name else ""), src.read(info))
        data = bytearray(out.getvalue().replace(name.encode() + b"~", name.encode() + b"\0"))
    if crc:
        encoded = name.encode()
        central = bytes(data).find(b"PK\x01\x02")
        while data[central + 46 : central + 46 + len(encoded)] != encoded:
            central = bytes(data).find(b"PK\x01\x02", central + 1)
        data[central + 16] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _outcome(read, path):
    try:
        return read(path)
    except ReadError as err:
        return str(err)


@pytest.mark.parametrize("name, damage", [("xl/workbook.xml", "crc"), ("xl/_rels/workbook.xml.rels", "crc"),
                                          ("xl/worksheets/sheet1.xml", "nul"), ("xl/styles.xml", "nul")])
def test_parts_zipfile_and_calamine_read_apart_give_the_whole_read(tmp_path, whole, monkeypatch, name, damage):
    """A large sheet's workbook gave 已损坏 where the whole read gave its rows (zipfile refused
    the workbook part calamine reads), or rows where the whole read refused the file (zipfile
    found a sheet under a name cut at a NUL byte, calamine did not)."""
    path = _patched_entry(_xlsxwriter_book(tmp_path / "b.xlsx", title=False), name,
                          nul=damage == "nul", crc=damage == "crc")
    expected = _outcome(whole, path)
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 0)
    monkeypatch.setattr(sheet_pieces, "PARTS_SHARE_MAX", 0)
    assert _outcome(read_workbook, path) == expected


def _sheet_patched(path, change):
    """The file at `path` with its first sheet's XML passed through `change`."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("far", [True, False])
def test_a_large_sheet_s_cells_pass_the_guard_piece_by_piece(tmp_path, whole, monkeypatch, far):
    """The guard leaves a sheet read in pieces to the pieces' scan (it was inflated twice). A cell
    at XFD1048576 after the last row (calamine would build a grid of 17 billion cells) or a cell
    the fast scan does not read (r not first) stops the pieces before the piece holding it is
    parsed; the workbook is then checked whole and read as the whole read reads it (sparsely for
    the far cell)."""
    if far:
        cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    else:
        cell = b'<row r="9000"><c t="inlineStr" r="B9000"><is><t>x</t></is></c></row>'
    path = _sheet_patched(_xlsxwriter_book(tmp_path / "b.xlsx", title=False),
                          lambda xml: xml.replace(b"</sheetData>", cell + b"</sheetData>"))
    expected = _outcome(whole, path)
    assert expected == "b.xlsx：工作表“名单”声明的范围过大（数据延伸到 XFD1048576），请删除多余的行列后再导入" if far \
        else expected.sheets[0].rows[-1][1] == "x"
    parsed = []
    parse = sheet_pieces._parse
    monkeypatch.setattr(sheet_pieces, "_parse", lambda book, index, clean: parsed.append(book.getvalue())
                        or parse(book, index, clean))
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 0)
    monkeypatch.setattr(sheet_pieces, "PARTS_SHARE_MAX", 0)
    assert _outcome(read_workbook, path) == expected
    assert parsed and not any(b'r="1048576"' in book or b'r="9000"' in book for book in parsed)


def test_sheets_read_in_pieces_come_before_any_sheet_read_whole(tmp_path, whole, monkeypatch):
    """The guard leaves the entry sheet_pieces found for a large sheet to the pieces' scan. Should
    calamine read that entry for another sheet (a crafted workbook's relationships need not agree
    with sheet_pieces' reading of them), that sheet must not be read whole before the scan has
    passed: the sheets read in pieces go first, and a piece that fails sends every part through
    the guard before anything else is read."""
    book = xlsxwriter.Workbook(str(tmp_path / "两表.xlsx"))
    notes = book.add_worksheet("说明")
    notes.write(0, 0, "填表说明")
    names = book.add_worksheet("名单")
    for i in range(300):
        names.write_row(i, 0, [f"姓名{i}", f"11010119900101{i:04d}", i])
    book.close()
    path = tmp_path / "两表.xlsx"
    expected = whole(path)
    import importers.readers as readers

    order = []
    real = readers._calamine_sheet
    monkeypatch.setattr(readers, "_calamine_sheet", lambda book, index, name, data, entry:
                        order.append((name, entry)) or real(book, index, name, data, entry))
    # sheet_pieces reads 名单's entry as 说明's (sheet1.xml): the pieces of sheet1.xml are parsed
    # under 名单's index, which calamine looks for in sheet2.xml, absent from a piece: declined
    monkeypatch.setattr(readers, "large_sheets", lambda archive: {"名单": "xl/worksheets/sheet1.xml"})
    assert read_workbook(path) == expected
    assert order[0] == ("名单", "xl/worksheets/sheet1.xml")  # before 说明 was read whole from sheet1.xml
    assert ("说明", None) in order[1:]


def test_only_a_worksheet_part_is_left_to_the_pieces_scan(tmp_path, monkeypatch):
    """A sheet whose target is xl/sharedStrings.xml (calamine opens that part as the shared strings
    when it opens the workbook, before any piece) is checked by the guard like every other part."""
    import importers.readers as readers

    path = _xlsxwriter_book(tmp_path / "b.xlsx", title=False)
    later = []
    real = readers.inspect_xlsx
    monkeypatch.setattr(readers, "inspect_xlsx", lambda data, archive, name, scanned_later=():
                        later.append(set(scanned_later)) or real(data, archive, name, scanned_later))
    for entry, left in [("xl/worksheets/sheet1.xml", {"xl/worksheets/sheet1.xml"}), ("xl/sharedStrings.xml", set()),
                        ("xl/worksheets/sharedStrings.xml", set()), ("xl/styles.xml", set())]:
        monkeypatch.setattr(readers, "large_sheets", lambda archive, entry=entry: {"名单": entry})
        readers._inspected(path.read_bytes(), path.name, pieces=True)
        assert later.pop() == left, entry


# read_workbook in a fresh python, the size floor for pieces given in argv: a read that aborts
# (calamine given a far cell unchecked) ends that process, not pytest's.
_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
sys.path.insert(0, sys.argv[2])
import importers.sheet_pieces as sheet_pieces
from importers.readers import read_workbook
from models.errors import ReadError
sheet_pieces.PIECE_MIN_BYTES = int(sys.argv[3])
sheet_pieces.PARTS_SHARE_MAX = 0
try:
    print(repr(read_workbook(sys.argv[1]).sheets))
except ReadError as err:
    print(err)
"""


def _read_in_child(path, piece_min_bytes: int) -> str:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(root), str(piece_min_bytes)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize("name", [b"name='\xe5\x90\x8d\xe5\x8d\x95'", b'name="&#21517;&#21333;"', b'name = "\xe5\x90\x8d\xe5\x8d\x95"'])
def test_a_sheet_calamine_names_otherwise_is_not_read_whole_unscanned(tmp_path, name):
    """sheet_pieces reads the sheet names with a pattern, calamine with an XML parser: a name in
    single quotes or written with character references was "" or "&#21517;…" to the first and
    名单 to the second. The pieces were never read (no sheet of that name), and calamine read the
    sheet whole from the entry the guard had left to them: a cell at XFD1048576 aborted the
    process. Now a sheet to be read in pieces that calamine does not name is checked whole."""
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = _hand_made(tmp_path / "名.xlsx", [_row(i, i) for i in range(1, 301)] + [far])
    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace('name="名单"'.encode(), name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry, data in parts.items():
            dst.writestr(entry, data)
    expected = "名.xlsx：工作表“名单”声明的范围过大（数据延伸到 XFD1048576），请删除多余的行列后再导入\n"
    assert _read_in_child(path, 1 << 62) == expected
    assert _read_in_child(path, 0) == expected


def _with_sheet_deflated(path, raw: bytes, size: int, crc: int):
    """The workbook at `path` with its sheet's entry replaced by the deflate stream `raw`, declared
    to inflate to `size` bytes of checksum `crc` (in its local header and the central directory)."""
    import struct

    name = "xl/worksheets/sheet1.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == name:
                stored = zipfile.ZipInfo(name)
                stored.compress_type = zipfile.ZIP_STORED
                dst.writestr(stored, raw)
            else:
                dst.writestr(info, src.read(info))
    data = bytearray(out.getvalue())
    for signature, method, fields, name_at in ((b"PK\x03\x04", 8, 14, 30), (b"PK\x01\x02", 10, 16, 46)):
        at = data.find(signature)
        while data[at + name_at : at + name_at + len(name)] != name.encode():
            at = data.find(signature, at + 1)
        struct.pack_into("<H", data, at + method, zipfile.ZIP_DEFLATED)
        struct.pack_into("<L", data, at + fields, crc)
        struct.pack_into("<L", data, at + fields + 8, size)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("damage", ["longer than declared", "shorter than declared", "stream without its end"])
def test_a_sheet_entry_the_guard_calls_damaged_is_not_read_in_pieces(tmp_path, whole, monkeypatch, damage):
    """zipfile gives an entry as it is when its CRC matches what it gave: cut at a declared size
    shorter than the stream, ended early where the stream ends before its declared size, or when
    its deflate stream has no final block. The guard (and calamine) call such an entry damaged,
    but the guard leaves a large sheet's entry to the pieces, beyond its first FORMULA_LOOK
    bytes; the pieces read it through zipfile and gave rows where the whole read says 已损坏.
    (FORMULA_LOOK here is 1 byte: the guard reads only the first piece it inflates, as it reads
    only the first 4 MB of a sheet larger than 16 MB.)"""
    import zlib

    import importers.xlsx_guard as xlsx_guard

    rows = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 3001)]
    xml = _hand_made(tmp_path / "x.xlsx", rows)
    with zipfile.ZipFile(xml) as archive:
        text = archive.read("xl/worksheets/sheet1.xml")
    text += b"<!--" + b"x" * (1 << 20) + b"-->"  # past the first piece the guard inflates
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = deflate.compress(text) + deflate.flush(zlib.Z_SYNC_FLUSH if damage == "stream without its end" else zlib.Z_FINISH)
    if damage == "longer than declared":  # a stream that goes on past the declared size (checksum of what is declared)
        deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        raw = deflate.compress(text + b"<!--" + b"y" * 5000 + b"-->") + deflate.flush()
    size = len(text) + (1000 if damage == "shorter than declared" else 0)
    path = _with_sheet_deflated(xml, raw, size, zlib.crc32(text))
    expected = _outcome(whole, path)
    assert expected == "x.xlsx：文件已损坏或不完整，无法读取，请让报送单位重新导出"
    monkeypatch.setattr(xlsx_guard, "FORMULA_LOOK", 1)
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 0)
    monkeypatch.setattr(sheet_pieces, "PARTS_SHARE_MAX", 0)
    assert _outcome(read_workbook, path) == expected


@pytest.mark.parametrize("text", ["名单&amp;汇总", "&lt;&gt;&quot;&apos;&amp;", "&amp;lt;", "x&#39;y", "plain", ""])
def test_sheet_names_are_unescaped_as_xml_sax_would(text):
    """sheet_pieces' own unescape (xml.sax.saxutils would bring urllib into the reader process)."""
    from xml.sax.saxutils import unescape

    assert sheet_pieces.unescape(text) == unescape(text, {"&quot;": '"', "&apos;": "'"})
