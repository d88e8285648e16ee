"""Workbooks built to hurt the reader: every one ends in its data or one clear message, in a
process that stays alive and under 500 MB (each read runs in a child python that reports its
own peak memory, so a native abort or a memory blow-up fails the test instead of the suite)."""

from __future__ import annotations

import datetime
import io
import json
import os
import random
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from xlrd.compdoc import CompDoc

from importers.readers import _TableParser, _TooLarge, read_workbook
from importers.xlsx_guard import MAX_CELLS, MAX_INFLATED
from models.errors import EncryptedWorkbook, ReadError
from tests.importers.hostile_files import (
    CONTENT_TYPES,
    DATA,
    MAIN_NS,
    WORKBOOK_RELS,
    far_corner_xlsx,
    patched_xls,
    skeleton,
    write_bomb,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parents[2]
PEAK_MB = 500
BOMB = "文件解压后过大，疑似异常文件，请让报送单位重新导出"
CORRUPT = "文件已损坏或不完整，无法读取，请让报送单位重新导出"

# The child's own peak: VmHWM belongs to its address space and starts afresh at exec. ru_maxrss does
# not: Linux carries the parent's peak over fork and exec, so a child of a large pytest process
# would report the parent's memory (a full run read 504 MB for a file that costs 57 MB).
_CHILD = """
import json, resource, sys
sys.path.insert(0, sys.argv[2])

def peak_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

from importers.readers import _TableParser, _TooLarge, read_workbook
from models.errors import ReadError
try:
    book = read_workbook(sys.argv[1])
    out = {"sheets": [[s.name, len(s.rows), len(s.rows[0]) if s.rows else 0, repr(s.rows[:6])] for s in book.sheets]}
except ReadError as err:
    out = {"error": str(err), "kind": type(err).__name__}
out["peak_mb"] = peak_mb()
print(json.dumps(out, ensure_ascii=False))
"""


def read_in_child(path: Path) -> dict:
    """read_workbook in a fresh python; asserts it exits normally under the memory bound."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(ROOT)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    result["stderr"] = done.stderr
    assert result["peak_mb"] < PEAK_MB, result
    return result


# --- far corner -----------------------------------------------------------------------------------


def test_stray_space_at_xfd1048576_reads_the_real_data(tmp_path):
    hostile = read_in_child(far_corner_xlsx(tmp_path / "远角.xlsx"))
    assert "error" not in hostile, hostile
    assert hostile["sheets"][0][:3] == ["名单", 4, 4]

    sparse = read_workbook(tmp_path / "远角.xlsx").sheets[0]
    clean = read_workbook(far_corner_xlsx(tmp_path / "正常.xlsx", far_value=None)).sheets[0]
    assert sparse == clean  # same cells, same types, same merged ranges as the calamine path
    assert sparse.rows[2] == [1, " 李四 ", "150302198002021234", datetime.date(2019, 6, 1)]
    assert type(sparse.rows[3][2]) is float and sparse.rows[3][3] == 12.5  # beyond 2**53, as calamine
    assert sparse.merged == ((0, 0, 0, 3),)


def test_data_at_xfd1048576_is_refused_with_the_far_cell(tmp_path):
    result = read_in_child(far_corner_xlsx(tmp_path / "远角.xlsx", far_value="x"))
    assert result["error"] == (
        "远角.xlsx：工作表“名单”声明的范围过大（数据延伸到 XFD1048576），请删除多余的行列后再导入"
    )


def test_cells_without_r_and_with_a_prefix_are_located(tmp_path):
    # <x:c> without r attributes: positions follow the previous cell and the <x:row r> numbers
    sheet = (
        f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>'
        '<x:row r="1"><x:c t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:t>身份证号码</x:t></x:is></x:c></x:row>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>张三</x:t></x:is></x:c><x:c><x:v>7</x:v></x:c></x:row>'
        '<x:row r="1048576">' + '<x:c t="inlineStr"><x:is><x:t> </x:t></x:is></x:c>' * 3 + "</x:row>"
        "</x:sheetData></x:worksheet>"
    )
    path = write_xlsx(tmp_path / "前缀.xlsx", skeleton(sheet))
    result = read_in_child(path)
    assert result["sheets"][0][:3] == ["名单", 2, 2]
    assert read_workbook(path).sheets[0].rows == [["姓名", "身份证号码"], ["张三", 7]]


def test_attributes_run_together_do_not_hide_a_far_cell(tmp_path):
    # not well-formed XML, yet calamine reads t="n"r="..." and takes the last r: XFD1048576
    sheet = (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
        '<c r="B1" t="n"r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    result = read_in_child(write_xlsx(tmp_path / "连写.xlsx", skeleton(sheet)))
    assert result["error"] == f"连写.xlsx：{CORRUPT}"


def test_shared_strings_claiming_ten_billion_entries(tmp_path):
    # calamine reserves uniqueCount strings before reading one: the read must not reach it
    sheet = (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
        '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row></sheetData></worksheet>'
    )
    strings = f'<sst xmlns="{MAIN_NS}" count="2" uniqueCount="10000000000"><si><t>姓名</t></si><si><t>张三</t></si></sst>'
    rels = WORKBOOK_RELS.replace(
        "</Relationships>",
        '<Relationship Id="rId2" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    types = CONTENT_TYPES.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    extra = {
        "xl/sharedStrings.xml": strings,
        "xl/_rels/workbook.xml.rels": rels,
        "[Content_Types].xml": types,
    }
    path = write_xlsx(tmp_path / "共享串.xlsx", skeleton(sheet, extra))
    result = read_in_child(path)
    assert "error" not in result, result
    assert read_workbook(path).sheets[0].rows == [["姓名", "张三"]]


# --- zip bombs ------------------------------------------------------------------------------------


def _sheet_bomb(path: Path, chunk: bytes, repeat: int, declared: int | None = None) -> Path:
    head = f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    return write_bomb(path, head, chunk, repeat, b"</sheetData></worksheet>", declared)


def test_sheet_inflating_to_1_2_gb_is_refused(tmp_path):
    path = _sheet_bomb(tmp_path / "炸弹.xlsx", b"<row><c><v>1</v></c></row>" * 4000, 12000)
    assert path.stat().st_size < 5_000_000
    result = read_in_child(path)
    assert result["error"] == f"炸弹.xlsx：{BOMB}"


def test_1_5_gb_of_whitespace_is_refused(tmp_path):
    path = _sheet_bomb(tmp_path / "空白.xlsx", b" " * 100_000, 15_000)
    assert path.stat().st_size < 2_000_000
    assert read_in_child(path)["error"] == f"空白.xlsx：{BOMB}"


def test_a_forged_small_size_does_not_hide_a_bomb(tmp_path):
    # the headers claim 1 KB; the stream really inflates to 1.2 GB
    path = _sheet_bomb(tmp_path / "伪造.xlsx", b"<row><c><v>1</v></c></row>" * 4000, 12000, declared=1000)
    assert read_in_child(path)["error"] in (f"伪造.xlsx：{BOMB}", f"伪造.xlsx：{CORRUPT}")


def test_forged_sizes_within_limits_are_caught_by_the_real_count(tmp_path):
    # 30 MB real, 25 MB declared: no ratio or total limit applies, the streamed count does
    noise = random.Random(1).randbytes(50_000).hex().encode()  # compresses only about 2:1
    path = _sheet_bomb(tmp_path / "伪造.xlsx", b"<row></row>" + noise, 300, declared=25_000_000)
    assert read_in_child(path)["error"] == f"伪造.xlsx：{CORRUPT}"


def test_a_wrong_crc_is_still_a_damaged_file(tmp_path):
    # the guard leaves a deflated entry's CRC to the reader, which checks it as it reads
    path = write_xlsx(
        tmp_path / "校验.xlsx", skeleton(f'<worksheet xmlns="{MAIN_NS}"><sheetData/></worksheet>')
    )
    data = bytearray(path.read_bytes())
    crc = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").CRC.to_bytes(4, "little")
    assert data.count(crc) == 2  # local header and central directory
    path.write_bytes(bytes(data).replace(crc, bytes(b ^ 0xFF for b in crc)))
    assert _message(path) == f"校验.xlsx：{CORRUPT}"


def _damaged_content_types(path: Path, kind: str) -> Path:
    """An openpyxl workbook whose [Content_Types].xml (the part read first) is damaged in place."""
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "张三"])
    wb.save(path)
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("[Content_Types].xml")
    if kind == "deflate stream":  # 0xFF…: a deflate block of the reserved type
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        data[start : start + info.compress_size] = b"\xff" * info.compress_size
    else:  # the general-purpose flag's "encrypted" bit, in the local header and the directory
        data[info.header_offset + 6] |= 1
        name = info.filename.encode()
        central = bytes(data).find(b"PK\x01\x02")
        while data[central + 46 : central + 46 + len(name)] != name:
            central = bytes(data).find(b"PK\x01\x02", central + 1)
        data[central + 8] |= 1
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("kind", ["deflate stream", "encrypted flag"])
def test_damaged_content_types_is_a_damaged_file(tmp_path, kind):
    # zipfile raised zlib.error / RuntimeError reading it, outside the errors _read_xlsx caught
    path = _damaged_content_types(tmp_path / "损坏.xlsx", kind)
    assert _message(path) == f"损坏.xlsx：{CORRUPT}"


def test_limits_admit_a_large_genuine_return():
    assert MAX_CELLS >= 100_000 * 40
    assert MAX_INFLATED >= 3 * 200_000_000  # 100k × 40 cells of inline strings is about 200 MB


# --- xls ------------------------------------------------------------------------------------------


def test_xls_cell_at_iv65536_is_refused_not_a_1_gb_grid(tmp_path):
    result = read_in_child(patched_xls(tmp_path / "远角.xls", "far"))
    assert result["error"] == (
        "远角.xls：工作表“人员名单”声明的范围过大（数据延伸到 IV65536），请删除多余的行列后再导入"
    )


def test_xls_column_65535_does_not_abort(tmp_path):
    result = read_in_child(patched_xls(tmp_path / "超宽.xls", "wide"))
    assert result["kind"] == "ReadError" and result["error"].startswith("超宽.xls：")


def test_xls_dimensions_claiming_billions_of_cells_reads_the_data(tmp_path):
    path = patched_xls(tmp_path / "尺寸.xls", "dimensions")
    assert "error" not in read_in_child(path)
    sheet = read_workbook(path).sheets[0]
    assert sheet.rows[3] == ["张三", "150302198001011234", "本科", "社会工作", 120]
    assert sheet.merged == ((0, 0, 0, 4), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 1, 3), (1, 4, 2, 4))
    assert sheet.rows[5][2] == datetime.date(2019, 6, 1)


@pytest.mark.parametrize("codepage", [1252, 936, 0, 367, 437, 850, 10008, 32768])
def test_xls_from_a_writer_with_another_codepage_reads_as_excel_shows_it(tmp_path, codepage):
    # calamine decodes a BIFF8 workbook's Unicode text through its CODEPAGE (JExcelAPI's 1252 made
    # 人员名单 ºNXT\rTUS) and refuses one it cannot decode (a Mac's 32768, an old program's 437 or
    # 367) as if the file were damaged; Excel shows every one of these as the original
    path = patched_xls(tmp_path / f"代码页{codepage}.xls", f"codepage {codepage}")
    original = read_workbook(DATA / "readers_tiny.xls")
    assert [(s.name, s.rows, s.merged) for s in read_workbook(path).sheets] == [
        (s.name, s.rows, s.merged) for s in original.sheets]


@pytest.mark.parametrize("kind", ["empty 0809", "empty 0022", "empty 0042", "empty 00e5", "merged count"])
def test_xls_record_too_short_for_what_it_holds_is_damaged_without_a_panic(tmp_path, kind):
    # calamine reads these records at fixed places unchecked: its panic was caught, but the Rust
    # message still printed under the command line's one line
    result = read_in_child(patched_xls(tmp_path / "短记录.xls", kind))
    assert result["error"] == f"短记录.xls：{CORRUPT}"
    assert "panicked" not in result["stderr"]


def test_password_protected_xls_says_so(tmp_path):
    path = patched_xls(tmp_path / "加密.xls", "filepass")
    with pytest.raises(EncryptedWorkbook) as info:
        read_workbook(path)
    assert str(info.value) == "加密.xls：工作簿设置了打开密码，请取消密码后再导入"


def _damaged_xls(kind: str) -> bytes:
    """tests/data/readers_tiny.xls with its compound-file container damaged."""
    data = bytearray((DATA / "readers_tiny.xls").read_bytes())
    if kind == "byte missing":  # one byte gone from the header sector: every sector after it moves
        del data[97]
    elif kind == "sector size 0":  # the header's sector shift (2 ** shift bytes a sector)
        struct.pack_into("<H", data, 30, 0)
    elif kind == "directory loop":  # the root's child names itself as its left sibling
        base = (struct.unpack_from("<l", data, 48)[0] + 1) * 512
        child = struct.unpack_from("<l", data, base + 76)[0]
        struct.pack_into("<l", data, base + 128 * child + 68, child)
    return bytes(data)


@pytest.mark.parametrize("kind", ["byte missing", "sector size 0", "directory loop"])
def test_a_damaged_xls_container_is_a_damaged_file(tmp_path, kind):
    # xlrd's container reader raised AssertionError, ZeroDivisionError and RecursionError here
    path = tmp_path / "损坏.xls"
    path.write_bytes(_damaged_xls(kind))
    assert _message(path) == f"损坏.xls：{CORRUPT}"


@pytest.mark.parametrize("offset", [4106, 0xFFFFFFFF, 1])
def test_a_sheet_offset_off_its_bof_is_a_damaged_file_without_a_rust_panic(tmp_path, offset):
    # calamine sliced the stream at the offset unchecked: the panic was caught, but Rust printed
    # "thread … panicked at …xls.rs" under the command line's one line
    data = bytearray((DATA / "readers_tiny.xls").read_bytes())
    stream = CompDoc(bytes(data), logfile=io.StringIO()).get_named_stream("Workbook")
    pos = 0
    while struct.unpack_from("<H", stream, pos)[0] != 0x0085:  # the first BOUNDSHEET record
        pos += 4 + struct.unpack_from("<H", stream, pos + 2)[0]
    struct.pack_into("<L", data, bytes(data).find(stream[:512]) + pos + 4, offset)
    path = tmp_path / "损坏.xls"
    path.write_bytes(bytes(data))
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(ROOT)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert json.loads(done.stdout)["error"] == f"损坏.xls：{CORRUPT}"
    assert "panicked" not in done.stderr, done.stderr


# --- messages -------------------------------------------------------------------------------------


def _message(path: Path) -> str:
    with pytest.raises(ReadError) as info:
        read_workbook(path)
    return str(info.value)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_text_renamed_as_excel_is_not_a_spreadsheet(tmp_path, suffix):
    prose = tmp_path / f"通知{suffix}"
    prose.write_text(
        "关于开展社会工作专业人才摸排的通知\n各街道、社区：\n请于月底前报送。\n", encoding="utf-8"
    )
    assert (
        _message(prose)
        == f"通知{suffix}：不是电子表格文件（内容是普通文字，不是表格），请确认选择的是报表文件"
    )
    column = tmp_path / f"名单{suffix}"
    column.write_text("姓名\n张三\n李四\n王五\n", encoding="gbk")
    assert "不是电子表格文件" in _message(column)


def test_tab_separated_text_named_xls_still_reads(tmp_path):
    path = tmp_path / "导出.xls"
    path.write_text("姓名\t身份证号码\n张三\t150302198001011234\n", encoding="gbk")
    assert read_workbook(path).sheets[0].rows == [["姓名", "身份证号码"], ["张三", "150302198001011234"]]


def test_csv_with_utf8_and_gbk_lines_reads_each_line(tmp_path):
    path = tmp_path / "拼接.csv"
    path.write_bytes("姓名,社区\n张三,桥东社区\n".encode() + "李四,胜利社区\n".encode("gbk"))
    book = read_workbook(path)
    assert book.sheets[0].rows == [["姓名", "社区"], ["张三", "桥东社区"], ["李四", "胜利社区"]]
    assert book.encoding == "utf-8+gb18030"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_unicode_text_without_its_byte_order_mark_reads(tmp_path, encoding):
    """Excel's 'Unicode text' (UTF-16, tabs) as some systems write it: without the BOM."""
    text = "序号\t姓名\t身份证号码\r\n1\t张三\t110101198001010011\r\n2\t李四\t11010119800101003X\r\n"
    path = tmp_path / "名单.txt"
    path.write_bytes(text.encode(encoding))
    book = read_workbook(path)
    assert book.encoding == encoding
    assert book.sheets[0].rows[1:] == [["1", "张三", "110101198001010011"], ["2", "李四", "11010119800101003X"]]


def test_gbk_csv_with_a_character_cut_in_half_says_the_encoding_is_the_trouble(tmp_path):
    # a system that cuts fields by bytes leaves half a character before the comma: the .csv was
    # "不是可识别的电子表格文件（支持 …、.csv）"
    path = tmp_path / "导出.csv"
    path.write_bytes("姓名,单位,身份证号码\r\n张三,".encode("gbk") + "和平街道".encode("gbk")[:-1]
                     + ",150302198001011234\r\n".encode("gbk"))
    assert _message(path) == "导出.csv：无法识别文件的文字编码，请在 Excel 或 WPS 中另存为 .xlsx 后再导入"


def test_csv_with_nul_bytes_reads(tmp_path):
    path = tmp_path / "补零.csv"
    path.write_bytes("姓名,社区\r\n张三,桥东\x00社区\r\n".encode("gbk") + b"\x00" * 300)
    assert read_workbook(path).sheets[0].rows == [["姓名", "社区"], ["张三", "桥东社区"]]


def test_csv_line_of_100_million_commas_is_refused_in_bounded_memory(tmp_path):
    # 200 MB on one line: csv builds the list of its fields at once (a MemoryError before)
    path = tmp_path / "一行.csv"
    path.write_bytes(b"a," * (100 * 1024 * 1024))
    result = read_in_child(path)
    assert result["error"] == "一行.csv：工作表“一行”声明的范围过大（数据延伸到 XFE1），请删除多余的行列后再导入", result


def test_csv_wide_line_below_many_rows_is_refused_not_padded(tmp_path):
    # 200,000 rows, then one line reaching column 100,001: padding every row to it asked for
    # 20 billion cells (a MemoryError before)
    path = tmp_path / "名单.csv"
    rows = "姓名,身份证号码\n" + "张三,110101198506150011\n" * 200_000
    path.write_text(rows + "," * 100_000 + "x\n", encoding="gbk")
    result = read_in_child(path)
    assert result["kind"] == "ReadError" and "声明的范围过大（数据延伸到 XFE200002）" in result["error"], result


def test_csv_trailing_empty_fields_do_not_widen_the_grid(tmp_path):
    # Excel writes a comma for every column of the used range: blank fields far right are no data
    path = tmp_path / "名单.csv"
    path.write_text("姓名,身份证号码" + "," * 100_000 + "\n张三,110101198506150011,,\n", encoding="gbk")
    assert read_workbook(path).sheets[0].rows == [["姓名", "身份证号码"], ["张三", "110101198506150011"]]


def test_csv_grid_beyond_the_cell_limit_is_refused(tmp_path):
    path = tmp_path / "大表.csv"
    path.write_text("1,2,3,4,5,6,7,8\n" * (MAX_CELLS // 8 + 1), encoding="ascii")
    assert "声明的范围过大（数据延伸到 H625001）" in _message(path)


def test_ordinary_xlsx_still_reads_through_calamine(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", 1.0, " 李四 "])
    wb.save(tmp_path / "普通.xlsx")
    assert read_workbook(tmp_path / "普通.xlsx").sheets[0].rows == [["姓名", 1, " 李四 "]]


# --- html -----------------------------------------------------------------------------------------


def test_html_spans_covering_a_billion_cells_are_refused_in_a_moment(tmp_path):
    # a 1 MB "xls" saved as HTML: 16 blank cells spanning 65534 rows × 1000 columns each push
    # every later row's cell 16,000 columns right (the grid was 60,001 × 16,001: a minute, GBs)
    path = tmp_path / "网页.xls"
    path.write_bytes(
        b"<table><tr>" + b'<td rowspan="65534" colspan="1000"></td>' * 16 + b"</tr>"
        + b"<tr><td>x</td></tr>" * 60000 + b"</table>"
    )
    result = read_in_child(path)
    assert result["kind"] == "ReadError" and "声明的范围过大" in result["error"], result


def test_html_table_past_the_cell_limit_is_refused_as_it_grows():
    # checked only once the table was whole, every cell was held first: a 56 MB page of 300,000
    # rows × 20 cells took 1 GB before it was refused (each 10 MB more: 180 MB more)
    parser = _TableParser()
    wide = MAX_CELLS // 500
    parser.feed("<table><tr>" + "<td>x</td>" * wide + "</tr>" + "<tr><td>x</td><td></td></tr>" * 499)
    with pytest.raises(_TooLarge) as far:
        parser.feed("<tr><td>x</td></tr>")
    assert far.value.cell == "A501"
    assert len(parser.tables[0].cells) == wide + 499  # blank cells are not held


def test_html_blank_spans_far_right_do_not_widen_the_grid(tmp_path):
    # blank cells spanning 16,000 columns above 100,000 rows of two cells: the rows are read
    path = tmp_path / "网页.xls"
    path.write_bytes(
        b"<table><tr>" + b'<td colspan="1000"></td>' * 16 + b"</tr>"
        + "<tr><td>姓名</td><td>张三</td></tr>".encode() * 100000 + b"</table>"
    )
    result = read_in_child(path)
    assert result["sheets"][0][:3] == ["表1", 100001, 2], result
