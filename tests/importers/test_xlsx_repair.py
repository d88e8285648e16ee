"""Workbooks Excel opens after repairing them, which calamine refuses: read as the repair leaves
them, the review told what changed; what no repair can mend stays 已损坏."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

import importers.sheet_pieces as sheet_pieces
from importers.job import import_file
from importers.plan import plan_file
from importers.readers import MSG_CORRUPT, read_workbook
from models.errors import ReadError
from tests.builders import make_id

SHEET = "xl/worksheets/sheet1.xml"


def _return(path, rows: int = 3, merged: str | None = "A8:D8"):
    """A community return of `rows` people (as openpyxl writes it: numbers as numbers, a merged
    range under the rows)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "摸排表"
    ws.append(["填报单位：东区和平街道团结社区"])
    ws.append(["序号", "姓名", "身份证号码", "证书等级"])
    for i in range(rows):
        ws.append([i + 1, f"人员{i}", make_id(i + 1), "初级"])
    if merged:
        ws.merge_cells(merged)
    wb.save(path)
    return path


def _edited(path, edit):
    """The workbook with its sheet's XML passed through `edit` (bytes → bytes)."""
    return _parts_edited(path, {SHEET: edit})


def _rows(path):
    return read_workbook(path).sheets[0].rows


def test_an_open_merged_range_is_dropped_and_named(tmp_path):
    path = _edited(_return(tmp_path / "合并.xlsx"), lambda x: x.replace(b'ref="A8:D8"', b'ref="A8:"'))
    workbook = read_workbook(path)
    assert [row[1] for row in workbook.sheets[0].rows[2:]] == ["人员0", "人员1", "人员2"]
    assert workbook.sheets[0].rows[2][2] == make_id(1)
    assert len(workbook.notes) == 1
    assert "合并单元格范围无效，已忽略（“A8:”）" in workbook.notes[0] and "Excel 打开时会提示修复" in workbook.notes[0]


def test_a_dimension_without_its_row_is_mended_without_a_word(tmp_path):
    path = _edited(_return(tmp_path / "范围.xlsx"), lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:"', x))
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows[4][1] == "人员2"
    assert workbook.notes == ()  # nothing the clerk sees has changed


@pytest.mark.parametrize(("value", "kind", "read", "said"), [
    ("1,0", ' t="n"', "1,0", "数值无效，按文本读取（A4 “1,0”）"),
    ("true", ' t="n"', "true", "数值无效，按文本读取（A4 “true”）"),
    ("2", ' t="b"', "2", "逻辑值无效，按文本读取（A4 “2”）"),
    ("1", ' t="q"', "1", "单元格类型无效，按文本读取（A4 “q”）"),
    ("999", ' t="s"', None, "引用的共享文本不存在，读作空白（A4）"),
])
def test_a_value_that_does_not_fit_its_cell_is_kept_as_text(tmp_path, value, kind, read, said):
    def edit(xml):
        return re.sub(rb'<c r="A4"[^>]*><v>2</v></c>', f'<c r="A4"{kind}><v>{value}</v></c>'.encode(), xml)

    path = _edited(_return(tmp_path / "单元格.xlsx"), edit)
    workbook = read_workbook(path)
    rows = workbook.sheets[0].rows
    assert rows[3][0] == read and rows[3][1] == "人员1" and rows[4][0] == 3
    assert said in workbook.notes[0]


@pytest.mark.parametrize("error", ["#SPILL!", "#CALC!", "#GETTING_DATA", "#BLOCKED!"])
def test_error_values_of_newer_excel_read_as_every_error_cell_does(tmp_path, error):
    """Excel 365 writes #SPILL! and #CALC! (calamine 0.9 knows the seven classic ones only): a
    return with such a formula result was refused as damaged."""
    def edit(xml):
        return re.sub(rb'<c r="D3"[^>]*>.*?</c>', f'<c r="D3" t="e"><f>A1#</f><v>{error}</v></c>'.encode(), xml)

    path = _edited(_return(tmp_path / "错误值.xlsx"), edit)
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows[2][3] is None and workbook.sheets[0].rows[3][3] == "初级"
    assert workbook.notes == ()


def test_cells_and_rows_without_a_readable_place_take_the_next_one(tmp_path):
    def edit(xml):
        xml = xml.replace(b'<c r="B3"', b'<c r="B"', 1)
        return xml.replace(b'<row r="4"', b'<row r="x"', 1)

    path = _edited(_return(tmp_path / "位置.xlsx"), edit)
    workbook = read_workbook(path)
    assert _rows(path)[2][:3] == [1, "人员0", make_id(1)]
    assert _rows(path)[3][1] == "人员1"
    assert "单元格位置无效，按所在位置读取（“B”）" in workbook.notes[0]
    assert "行号无效，按所在位置读取（“x”）" in workbook.notes[0]


def test_many_repairs_are_counted_with_one_example(tmp_path):
    path = _edited(_return(tmp_path / "多处.xlsx", rows=5),
                   lambda x: re.sub(rb'(<c r="A[3-7]")[^>]*><v>([0-9])</v>', rb'\1 t="n"><v>\2,0</v>', x))
    note = read_workbook(path).notes[0]
    assert "数值无效，按文本读取5处（如A3 “1,0”）" in note


@pytest.mark.parametrize("edit", [
    lambda x: x.replace(b"</sheetData>", b"</sheetDat>"),  # not XML
    lambda x: x.replace(b"<v>1</v>", b"<v>1&</v>", 1),  # a bare &
])
def test_what_no_repair_mends_is_still_damaged(tmp_path, edit):
    path = _edited(_return(tmp_path / "坏.xlsx"), edit)
    with pytest.raises(ReadError) as err:
        read_workbook(path)
    assert err.value.message == MSG_CORRUPT


def test_a_repaired_return_imports_and_its_rows_read_back(census, tmp_path):
    """The review names the repair; the import stores the file's own bytes, and a row read back
    from them (查看原始行) goes through the same repair."""
    path = _edited(_return(tmp_path / "东区和平街道团结社区.xlsx"), lambda x: x.replace(b'ref="A8:D8"', b'ref="A8:"'))
    plan = plan_file(census, path)
    assert any("合并单元格范围无效" in w for w in plan.uncertain)
    result = import_file(census, path)
    assert result.rows_ok == 3
    assert census.people.count() == 3
    row_id = census.conn.execute("SELECT id FROM source_rows ORDER BY id LIMIT 1").fetchone()[0]
    assert census.batches.row(row_id).raw[:3] == (1, "人员0", make_id(1))


def test_a_large_sheet_read_in_pieces_is_repaired_too(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_pieces, "PIECE_MIN_BYTES", 0)
    monkeypatch.setattr(sheet_pieces, "PARTS_SHARE_MAX", 0)
    path = _return(tmp_path / "大表.xlsx", rows=400, merged="A500:D500")
    expected = _rows(path)
    _edited(path, lambda x: x.replace(b'ref="A500:D500"', b'ref="A500:"'))
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows == expected
    assert "合并单元格范围无效" in workbook.notes[0]


def test_text_calamine_never_reached_is_searched_once(tmp_path):
    """calamine stops at the first thing it refuses, so the repair searches bytes no parser has
    checked: many "<c " before any ">", or a number of many digits that is no number, each cost
    one scan (the searches started over from every "<c " or every digit, and such a file hung)."""
    def edit(xml):
        xml = xml.replace(b'ref="A8:D8"', b'ref="A8:"')
        xml = xml.replace(b"<sheetData>", b"<sheetData><!-- " + b"<c " * 100_000 + b"-->")
        return re.sub(rb'<c r="A5"[^>]*><v>3</v>', b'<c r="A5" t="n"><v>' + b"1" * 50_000 + b"x</v>", xml)

    path = _edited(_return(tmp_path / "长.xlsx"), edit)
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows[4][:2] == ["1" * 50_000 + "x", "人员2"]
    assert "合并单元格范围无效" in workbook.notes[0] and "数值无效，按文本读取（A5 “111111111111111…”）" in workbook.notes[0]


def _shared_return(path):
    """A return as XlsxWriter writes it: its text in xl/sharedStrings.xml, a merged range under
    the rows (A10:D10), and a formula with a text result (B6)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("摸排表")
    sheet.write_row(0, 0, ["填报单位：东区和平街道团结社区"])
    sheet.write_row(1, 0, ["序号", "姓名", "身份证号码", "证书等级"])
    for i in range(3):
        sheet.write_row(i + 2, 0, [i + 1, f"人员{i}", make_id(i + 1), "初级"])
    sheet.write_formula(5, 1, "=B3", None, "人员0")
    sheet.merge_range(9, 0, 9, 3, "合并")
    book.close()
    return path


def _parts_edited(path, edits):
    """The workbook with the parts named in `edits` passed through their edit (bytes → bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edits[info.filename](data) if info.filename in edits else data)
    path.write_bytes(out.getvalue())
    return path


def _open_merge(xml):
    return xml.replace(b'ref="A10:D10"', b'ref="A10:"')


def test_shared_strings_written_with_a_prefix_are_counted(tmp_path):
    """The .NET Open XML SDK writes <x:sst><x:si>…; calamine reads those strings, and a repair
    that counted none of them took every text cell for a missing string and blanked it."""
    def prefixed(xml):
        xml = xml.replace(b"<sst xmlns=", b"<x:sst xmlns:x=").replace(b"</sst>", b"</x:sst>")
        return re.sub(rb"<(/?)(si|t)\b", rb"<\1x:\2", xml)

    path = _shared_return(tmp_path / "前缀.xlsx")
    expected = _rows(path)
    _parts_edited(path, {SHEET: _open_merge, "xl/sharedStrings.xml": prefixed})
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows == expected
    assert len(workbook.notes) == 1 and "共享文本" not in workbook.notes[0]


def test_shared_strings_kept_in_another_part_are_not_taken_for_missing(tmp_path):
    """Excel finds the shared strings through the workbook's relationships, calamine only at
    xl/sharedStrings.xml: blanking every text cell would not be what Excel shows."""
    path = _shared_return(tmp_path / "别处.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data, name = src.read(info), info.filename
            if name == "xl/sharedStrings.xml":
                name = "xl/strings.xml"
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b'Target="sharedStrings.xml"', b'Target="strings.xml"')
            dst.writestr(name, data)
    path.write_bytes(out.getvalue())
    with pytest.raises(ReadError) as err:
        read_workbook(path)
    assert err.value.message == MSG_CORRUPT


def test_a_formula_whose_shared_string_is_missing_keeps_a_result(tmp_path):
    """Its value dropped, the formula looked like one never calculated, and the review asked for
    the file to be saved in Excel first (a note about something the repair did)."""
    def edit(xml):
        return re.sub(rb'<c r="B6" t="str"><f>B3</f><v>[^<]*</v>', b'<c r="B6" t="s"><f>B3</f><v>99</v>', _open_merge(xml))

    path = _parts_edited(_shared_return(tmp_path / "公式.xlsx"), {SHEET: edit})
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows[5][1] is None and workbook.sheets[0].rows[4][1] == "人员2"
    assert len(workbook.notes) == 1
    assert "引用的共享文本不存在，读作空白（B6）" in workbook.notes[0]


def test_in_a_workbook_of_several_sheets_the_note_names_the_sheet(tmp_path):
    """Only the second sheet is broken: "B1" alone would send the clerk to the return's own B1."""
    path = _return(tmp_path / "两表.xlsx")
    book = load_workbook(path)
    book.create_sheet("说明").append(["说明", 1])
    book.save(path)
    expected = _rows(path)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(rb'<c r="B1"[^>]*><v>1</v>', b'<c r="B1" t="n"><v>1,5</v>', data)
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows == expected and workbook.sheets[1].rows[0] == ["说明", "1,5"]
    assert "数值无效，按文本读取（说明：B1 “1,5”）" in workbook.notes[0]


def test_text_in_cdata_or_a_comment_that_looks_like_a_cell_is_left_alone(tmp_path):
    """A cell's text in CDATA is the clerk's text, whatever it looks like; a comment is no cell."""
    looks_like = '<c r="Z1" t="q"><v>1,0</v></c><mergeCell ref="B2:"/>'

    def edit(xml):
        xml = xml.replace(b'ref="A8:D8"', b'ref="A8:"')
        cdata = f'<c r="B3" t="inlineStr"><is><t><![CDATA[{looks_like}]]></t></is></c>'.encode()
        xml = re.sub(rb'<c r="B3"[^>]*><is><t>[^<]*</t></is></c>', cdata, xml)
        return xml.replace(b"<sheetData>", b'<sheetData><!-- <c r="Y1" t="q"><v>1</v></c> -->')

    path = _edited(_return(tmp_path / "注释.xlsx"), edit)
    workbook = read_workbook(path)
    assert workbook.sheets[0].rows[2][:3] == [1, looks_like, make_id(1)]
    assert "合并单元格范围无效，已忽略（“A8:”）。" in workbook.notes[0]
    assert "Y1" not in workbook.notes[0] and "Z1" not in workbook.notes[0] and "B2" not in workbook.notes[0]


def test_a_workbook_too_large_to_rewrite_in_memory_stays_damaged(tmp_path, monkeypatch):
    """The repair holds every part and its rewrite in memory; past REPAIR_MAX_BYTES it declines."""
    import importers.xlsx_repair as xlsx_repair

    path = _edited(_return(tmp_path / "合并.xlsx"), lambda x: x.replace(b'ref="A8:D8"', b'ref="A8:"'))
    monkeypatch.setattr(xlsx_repair, "REPAIR_MAX_BYTES", 1000)
    with pytest.raises(ReadError) as err:
        read_workbook(path)
    assert err.value.message == MSG_CORRUPT
