"""importers.readers: format sniffing, reading every kind of return, and the errors users see."""

from __future__ import annotations

import datetime
import io
import quopri
import random
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from importers.readers import Sheet, Workbook, read_workbook, sniff_format
from models.errors import EncryptedWorkbook, ReadError

DATA = Path(__file__).resolve().parent.parent / "data"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _census_xlsx(path: Path) -> Path:
    """A return like the real ones: title, 填报单位 line, two-row merged header, data, blank line."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员名单"
    ws["A1"] = "社会工作专业人才摸排登记表"
    ws.merge_cells("A1:F1")
    ws["A2"] = "填报单位：海勃湾区新华街道桥东社区"
    for col, text in (("A", "序号"), ("B", "姓名"), ("C", "身份证号码"), ("F", "培训学时")):
        ws[f"{col}3"] = text
        ws.merge_cells(f"{col}3:{col}4")
    ws["D3"] = "学历情况"
    ws.merge_cells("D3:E3")
    ws["D4"], ws["E4"] = "学历", "所学专业"
    ws.append([1, "张三", "150302198001011234", "本科", "社会工作", 120])
    ws.append([])  # a blank line inside the data stays
    ws.append([2, " 李四 ", "150302198002021234", None, None, 12.5])
    ws["H20"].style = "Good"  # formatting only, no value: must not widen or lengthen the sheet
    wb.save(path)
    return path


def _raises(path: Path, exc: type[ReadError] = ReadError) -> ReadError:
    with pytest.raises(exc) as info:
        read_workbook(path)
    assert info.value.file == path.name
    assert path.name in str(info.value)
    return info.value


# --- xlsx -----------------------------------------------------------------------------------------


def test_xlsx_with_merged_two_row_header(tmp_path):
    wb = read_workbook(_census_xlsx(tmp_path / "桥东社区.xlsx"))
    assert isinstance(wb, Workbook)
    assert (wb.format, wb.encoding, wb.path) == ("xlsx", None, str(tmp_path / "桥东社区.xlsx"))
    (sheet,) = wb.sheets
    assert isinstance(sheet, Sheet) and sheet.name == "人员名单"
    assert sheet.merged == (
        (0, 0, 0, 5),
        (2, 0, 3, 0),
        (2, 1, 3, 1),
        (2, 2, 3, 2),
        (2, 3, 2, 4),
        (2, 5, 3, 5),
    )
    assert sheet.rows == [
        ["社会工作专业人才摸排登记表", None, None, None, None, None],
        ["填报单位：海勃湾区新华街道桥东社区", None, None, None, None, None],
        ["序号", "姓名", "身份证号码", "学历情况", None, "培训学时"],
        [None, None, None, "学历", "所学专业", None],
        [1, "张三", "150302198001011234", "本科", "社会工作", 120],
        [None] * 6,
        [2, " 李四 ", "150302198002021234", None, None, 12.5],
    ]


def test_xlsx_numbers_become_int_when_integral(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([1, 2.0, 2.5, -3.0, 150302198001011234, 1.50303199001059e17, 2.0**53, True, False, 0])
    ws.append([datetime.date(2019, 6, 1), datetime.datetime(2019, 6, 1, 8, 30), "0012", "", None, "=1+1"])
    wb.save(tmp_path / "numbers.xlsx")
    rows = read_workbook(tmp_path / "numbers.xlsx").sheets[0].rows
    first, second = rows
    assert first[:4] == [1, 2, 2.5, -3]
    assert [type(v) for v in first[:4]] == [int, int, float, int]
    # an ID typed as a number has lost digits; it must stay visibly a number (not a str)
    assert not isinstance(first[4], str) and not isinstance(first[5], str)
    assert first[5] == pytest.approx(1.50303199001059e17)
    assert first[6] == 2.0**53 and isinstance(first[6], float)  # beyond exact integers: kept as float
    assert first[7:] == [True, False, 0]
    assert type(first[7]) is bool and type(first[9]) is int
    assert second[:3] == [datetime.date(2019, 6, 1), datetime.datetime(2019, 6, 1, 8, 30), "0012"]
    assert second[3:] == [None] * (len(second) - 3)  # "" and a formula without a cached value


def test_xlsx_keeps_absolute_positions_and_trims_trailing_empties(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"] = "姓名"
    ws["D3"] = "身份证号码"
    ws.merge_cells("C2:D2")
    ws["C2"] = "标题"
    ws["C4"] = "张三"
    ws.merge_cells("F10:G12")  # a merge in the empty area is dropped with it
    wb.save(tmp_path / "offset.xlsx")
    sheet = read_workbook(tmp_path / "offset.xlsx").sheets[0]
    assert sheet.rows == [
        [None, None, None, None],
        [None, None, "标题", None],
        [None, None, "姓名", "身份证号码"],
        [None, None, "张三", None],
    ]
    assert sheet.merged == ((1, 2, 1, 3),)


def test_xlsx_hidden_and_empty_sheets_are_kept_in_order(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active["A1"] = "请如实填写"
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "旧数据"
    hidden.sheet_state = "hidden"
    wb.create_sheet("空白")
    wb.create_sheet("人员名单")["A1"] = "姓名"
    wb.save(tmp_path / "sheets.xlsx")
    sheets = read_workbook(tmp_path / "sheets.xlsx").sheets
    assert [(s.name, s.rows) for s in sheets] == [
        ("填表说明", [["请如实填写"]]),
        ("隐藏", [["旧数据"]]),
        ("空白", []),
        ("人员名单", [["姓名"]]),
    ]


def test_xlsx_chart_sheets_are_skipped(tmp_path):
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["社区", 1])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=1))
    wb.create_chartsheet("图表").add_chart(chart)
    wb.save(tmp_path / "chart.xlsx")
    assert [s.name for s in read_workbook(tmp_path / "chart.xlsx").sheets] == ["Sheet"]


def test_xlsx_named_xls_is_read_as_xlsx(tmp_path):
    real = _census_xlsx(tmp_path / "real.xlsx")
    renamed = tmp_path / "报表.xls"
    shutil.copy(real, renamed)
    wb = read_workbook(renamed)
    assert wb.format == "xlsx"
    assert wb.sheets == read_workbook(real).sheets


def test_workbook_without_data(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["B2"].style = "Good"
    wb.create_sheet("Sheet2")
    wb.save(tmp_path / "空表.xlsx")
    assert _raises(tmp_path / "空表.xlsx").message == "工作簿中没有任何数据"


# --- xls ------------------------------------------------------------------------------------------


def test_legacy_xls(tmp_path):
    # tests/data/readers_tiny.xls was written once with xlwt 1.3.0 (BIFF8, Chinese text, a
    # two-row merged header, an ID typed as a number, a date, and a hidden second sheet).
    path = tmp_path / "桥东社区.xls"
    shutil.copy(DATA / "readers_tiny.xls", path)
    wb = read_workbook(path)
    assert wb.format == "xls"
    assert [s.name for s in wb.sheets] == ["人员名单", "说明"]
    sheet = wb.sheets[0]
    assert sheet.merged == ((0, 0, 0, 4), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 1, 3), (1, 4, 2, 4))
    assert sheet.rows[:4] == [
        ["社会工作专业人才摸排登记表", None, None, None, None],
        ["姓名", "身份证号码", "学历情况", None, "培训学时"],
        [None, None, "学历", "所学专业", None],
        ["张三", "150302198001011234", "本科", "社会工作", 120],
    ]
    assert type(sheet.rows[3][4]) is int
    assert sheet.rows[4][0] == "李四" and not isinstance(sheet.rows[4][1], str)
    assert sheet.rows[4][4] == 12.5
    assert sheet.rows[5][2] == datetime.date(2019, 6, 1)
    assert wb.sheets[1].rows == [["隐藏的说明页"]]


def test_wps_et_is_read_as_the_xls_it_holds(tmp_path):
    """WPS saves .et as the same compound file as .xls; one the .xls readers cannot take says to
    save it as .xlsx (not that the unit should export again)."""
    path = tmp_path / "桥东社区.et"
    shutil.copy(DATA / "readers_tiny.xls", path)
    wb = read_workbook(path)
    assert wb.format == "xls" and wb.sheets[0].rows[3][0] == "张三"
    data = (DATA / "readers_tiny.xls").read_bytes()
    renamed = data.replace("Workbook".encode("utf-16-le"), "Wpsbook\0".encode("utf-16-le"))
    assert renamed != data
    (tmp_path / "新格式.et").write_bytes(renamed)
    assert _raises(tmp_path / "新格式.et").message == "无法读取这个 WPS 表格（.et）文件，请在 WPS 中另存为 .xlsx 后再导入"
    (tmp_path / "坏.xls").write_bytes(renamed)
    assert _raises(tmp_path / "坏.xls").message == "文件已损坏或不完整，无法读取，请让报送单位重新导出"


@pytest.mark.parametrize("head, says", [
    (b"Rar!\x1a\x07\x01\x00", "这是 RAR 压缩包，不是 Excel 工作簿；如是报表的压缩包，请先解压，再导入其中的报表"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04", "这是 7z 压缩包，不是 Excel 工作簿；如是报表的压缩包，请先解压，再导入其中的报表"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "这是 PDF 文件，不是 Excel 工作簿，无法读取其中的表格；请向报送单位索取 Excel 原表"),
])
def test_archives_and_pdf_say_what_they_are(tmp_path, head, says):
    """What a unit sends instead of its return, under any name: the line says what to do."""
    path = tmp_path / "社区摸排表.xlsx"
    path.write_bytes(head + bytes(random.Random(1).randrange(256) for _ in range(500)))
    assert _raises(path).message == says


# --- failures -------------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    assert _raises(path).message == "文件是空的"


def test_missing_file(tmp_path):
    err = _raises(tmp_path / "不存在.xlsx")
    assert "不存在" in err.message


def test_truncated_xlsx(tmp_path):
    data = _census_xlsx(tmp_path / "full.xlsx").read_bytes()
    path = tmp_path / "截断.xlsx"
    path.write_bytes(data[:200])
    assert _raises(path).message == "文件已损坏或不完整，无法读取，请让报送单位重新导出"


def test_truncated_xls(tmp_path):
    path = tmp_path / "截断.xls"
    path.write_bytes((DATA / "readers_tiny.xls").read_bytes()[:1500])
    assert _raises(path).message == "文件已损坏或不完整，无法读取，请让报送单位重新导出"


def test_random_bytes(tmp_path):
    path = tmp_path / "乱码.xlsx"
    path.write_bytes(b"\x00\x01" + random.Random(7).randbytes(4096))
    assert _raises(path).message == "不是可识别的电子表格文件（支持 .xlsx、.xls、.et、.ods、.csv，以及网页或 XML 格式的 Excel 表格）"


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_docx_is_not_a_workbook(tmp_path):
    path = _zip(
        tmp_path / "通知.xlsx",
        {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>", "_rels/.rels": "<x/>"},
    )
    err = _raises(path)
    assert "不是 Excel 工作簿" in err.message and "Word" in err.message


def test_plain_zip_is_not_a_workbook(tmp_path):
    path = _zip(tmp_path / "报表.zip", {"东风社区.xlsx": "not really", "readme.txt": "hi"})
    assert "不是 Excel 工作簿" in _raises(path).message


def _encrypted_ole() -> bytes:
    # What Excel writes for a password-protected .xlsx: an OLE file with an EncryptionInfo stream.
    directory_entry = "EncryptionInfo".encode("utf-16-le") + b"\x00" * (128 - 28)
    return OLE_MAGIC + b"\x00" * 504 + b"\x00" * 512 + directory_entry + b"\x00" * 384


def test_encrypted_workbook(tmp_path):
    path = tmp_path / "加密.xlsx"
    path.write_bytes(_encrypted_ole())
    err = _raises(path, EncryptedWorkbook)
    assert err.message == "工作簿设置了打开密码，请取消密码后再导入"
    with pytest.raises(EncryptedWorkbook):
        sniff_format(_encrypted_ole(), "加密.xlsx")


def test_word_97_document_is_not_a_workbook(tmp_path):
    path = tmp_path / "通知.xls"
    path.write_bytes(OLE_MAGIC + b"\x00" * 1016 + "WordDocument".encode("utf-16-le") + b"\x00" * 100)
    assert "不是 Excel 工作簿" in _raises(path).message


# --- csv ------------------------------------------------------------------------------------------

CSV_TEXT = (
    "序号,所属社区,姓名,公民身份号码,培训学时,备注\r\n"
    "1,,杨晓,150302197406085002,124,\r\n"
    '2,胜利社区,董秋,"150302 19821001 9059",120,"说明,含逗号"\r\n'
    ",,,,,\r\n"
    "3,和平社区, 廖琼茗 ,015030219951117808,136,\r\n"
    ",,,,,\r\n"
)
CSV_ROWS = [
    ["序号", "所属社区", "姓名", "公民身份号码", "培训学时", "备注"],
    ["1", None, "杨晓", "150302197406085002", "124", None],
    ["2", "胜利社区", "董秋", "150302 19821001 9059", "120", "说明,含逗号"],
    [None] * 6,
    ["3", "和平社区", " 廖琼茗 ", "015030219951117808", "136", None],
]


def test_gbk_csv(tmp_path):
    path = tmp_path / "新华西街道汇总.csv"
    path.write_bytes(CSV_TEXT.encode("gbk"))
    wb = read_workbook(path)
    assert (wb.format, wb.encoding) == ("csv", "gb18030")
    (sheet,) = wb.sheets
    assert sheet.name == "新华西街道汇总"
    assert sheet.rows == CSV_ROWS  # numbers stay strings: IDs keep every digit and leading zero
    assert sheet.merged == ()


def test_utf8_bom_csv(tmp_path):
    path = tmp_path / "汇总.csv"
    path.write_bytes(CSV_TEXT.encode("utf-8-sig"))
    wb = read_workbook(path)
    assert (wb.format, wb.encoding) == ("csv", "utf-8-sig")
    assert wb.sheets[0].rows == CSV_ROWS
    assert wb.sheets[0].rows[0][0] == "序号"  # no BOM left in the first header


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_csv_delimiter_is_sniffed(tmp_path, delimiter):
    text = "社会工作专业人才摸排登记表\n" + "\n".join(
        delimiter.join(row)
        for row in [["姓名", "身份证号码", "备注"], ["张三", "150302198001011234", "甲,乙"]]
    )
    path = tmp_path / "表.txt"
    path.write_bytes(text.encode("utf-8"))
    assert read_workbook(path).sheets[0].rows == [
        ["社会工作专业人才摸排登记表", None, None],
        ["姓名", "身份证号码", "备注"],
        ["张三", "150302198001011234", "甲,乙"],
    ]


def test_utf16_unicode_text(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("姓名\t身份证号码\r\n张三\t150302198001011234\r\n".encode("utf-16"))
    wb = read_workbook(path)
    assert (wb.format, wb.encoding) == ("csv", "utf-16")
    assert wb.sheets[0].rows == [["姓名", "身份证号码"], ["张三", "150302198001011234"]]


def test_csv_without_data(tmp_path):
    path = tmp_path / "空.csv"
    path.write_bytes(b"\xef\xbb\xbf,,,\r\n,,,\r\n")
    assert _raises(path).message == "工作簿中没有任何数据"


# --- html saved as .xls ---------------------------------------------------------------------------

HTML = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<style>td {{ color: red }}</style></head><body>
<table border=1>
 <tr><td colspan=4>社会工作专业人才摸排登记表</td></tr>
 <tr><th rowspan="2">姓名</th><th rowspan=2>身份证号码</th><th colspan="2">学历情况</th></tr>
 <tr><th>学历</th><th>所学专业</th></tr>
 <tr><td>张三</td><td style="mso-number-format:'\\@'">150302198001011234</td><td>本科</td><td>社会<br>工作</td></tr>
 <tr><td>  李&nbsp;四
     </td><td>150302198002021234</td><td></td><td>{rare}</td>
</table>
<table><tr><td>第二张表</td></tr></table>
<table><tr><td> </td></tr></table>
</body></html>"""


def test_html_table_with_spans(tmp_path):
    path = tmp_path / "旧系统导出.xls"
    path.write_bytes(HTML.format(rare="").encode("gbk"))
    wb = read_workbook(path)
    assert (wb.format, wb.encoding) == ("html", "gb2312")
    assert [s.name for s in wb.sheets] == ["表1", "表2"]  # the empty third table is dropped
    sheet = wb.sheets[0]
    assert sheet.merged == ((0, 0, 0, 3), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 1, 3))
    assert sheet.rows == [
        ["社会工作专业人才摸排登记表", None, None, None],
        ["姓名", "身份证号码", "学历情况", None],
        [None, None, "学历", "所学专业"],
        ["张三", "150302198001011234", "本科", "社会\n工作"],
        ["李\xa0四", "150302198002021234", None, None],
    ]
    assert wb.sheets[1].rows == [["第二张表"]]


def test_html_falls_back_to_gb18030_when_meta_charset_is_too_narrow(tmp_path):
    path = tmp_path / "旧系统导出.xls"
    path.write_bytes(HTML.format(rare="喆").encode("gb18030"))  # 喆 is GBK, not GB2312
    wb = read_workbook(path)
    assert wb.encoding == "gb18030"
    assert wb.sheets[0].rows[4][3] == "喆"


def test_html_utf8_with_bom(tmp_path):
    path = tmp_path / "a.xls"
    path.write_bytes("\r\n  <table><tr><td>姓名</td><td>张三</td></tr></table>".encode("utf-8-sig"))
    wb = read_workbook(path)
    assert (wb.format, wb.encoding) == ("html", "utf-8-sig")
    assert wb.sheets[0].rows == [["姓名", "张三"]]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_html_saved_as_unicode_is_read_as_html(tmp_path, encoding):
    # .NET exports write their HTML tables as UTF-16 (with or without the mark) under an .xls
    # name; Excel opens them. They were read as tab-separated text: "不是电子表格文件"
    path = tmp_path / "系统导出.xls"
    page = '<html><head><meta charset="utf-16"></head><body>\r\n<table><tr><td>姓名</td><td>身份证号码</td></tr>' \
           "<tr><td>张三</td><td>150302198001011234</td></tr></table></body></html>"
    path.write_bytes(page.encode(encoding))
    wb = read_workbook(path)
    assert wb.format == "html"
    assert wb.sheets[0].rows == [["姓名", "身份证号码"], ["张三", "150302198001011234"]]


def _single_file_web_page(html: bytes, charset: str, head: str = "") -> bytes:
    """Excel's 另存为“单个文件网页”: a MIME message, the page quoted-printable in gb2312."""
    return (head + 'MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\n'
            'Content-Type: multipart/related; boundary="----=_NextPart_01DA"\r\n\r\n'
            "此文档为“单个文件网页”，也称为“Web 档案”文件。\r\n\r\n------=_NextPart_01DA\r\n"
            "Content-Location: file:///C:/D3B1/名单.htm\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            f'Content-Type: text/html; charset="{charset}"\r\n\r\n').encode() + quopri.encodestring(html) + (
            b"\r\n\r\n------=_NextPart_01DA\r\nContent-Location: file:///C:/D3B1/filelist.xml\r\n"
            b"Content-Type: text/xml; charset=\"utf-8\"\r\n\r\n<xml></xml>\r\n------=_NextPart_01DA--\r\n")


@pytest.mark.parametrize(("name", "head"), [("名单.xls", ""), ("名单.mht", "From: <由 Windows Internet Explorer 保存>\r\n")])
def test_single_file_web_page_is_read_as_its_html(tmp_path, name, head):
    # systems send Excel's .mht under an .xls name (Excel opens it): it was "不是电子表格文件"
    page = "<html><body><table><tr><td>姓名</td><td>身份证号码</td></tr><tr><td>张三</td><td>150302198001011234</td></tr>"
    path = tmp_path / name
    path.write_bytes(_single_file_web_page((page + "</table></body></html>").encode("gbk"), "gb2312", head))
    wb = read_workbook(path)
    assert (wb.format, wb.encoding) == ("html", "gb2312")
    assert [s.name for s in wb.sheets] == ["表1"]
    assert wb.sheets[0].rows == [["姓名", "身份证号码"], ["张三", "150302198001011234"]]


def test_single_file_web_page_without_a_table_and_an_email_say_what_they_are(tmp_path):
    page = tmp_path / "说明.xls"
    page.write_bytes(_single_file_web_page("<p>请于月底前报送</p>".encode("gbk"), "gb2312"))
    assert "“单个文件网页”（.mht），其中没有可读取的表格" in _raises(page).message
    mail = tmp_path / "报表.eml"
    mail.write_bytes(b'From: a@example.cn\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
                     b'--b\r\nContent-Type: application/vnd.ms-excel; name="a.xls"\r\n'
                     b"Content-Transfer-Encoding: base64\r\n\r\n0M8R4KGxGuE=\r\n--b--\r\n")
    assert _raises(mail).message.startswith("这是邮件文件（.eml），不是 Excel 工作簿；请先把邮件中的附件另存出来")


def test_html_without_tables(tmp_path):
    path = tmp_path / "a.xls"
    path.write_bytes(b"<html><body><p>nothing</p></body></html>")
    assert _raises(path).message == "工作簿中没有任何数据"


# --- sniff_format ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"PK\x03\x04\x14\x00", "xlsx"),
        (OLE_MAGIC + b"\x00" * 100, "xls"),
        (b"<html>", "html"),
        (b"\xef\xbb\xbf \r\n<table>", "html"),
        ("序号,姓名\n1,张三\n".encode("gbk"), "csv"),
        ("序号,姓名\n1,张三\n".encode("utf-8-sig"), "csv"),
        ("姓名\t张三".encode("utf-16"), "csv"),
        ("姓名,张三".encode("gbk")[:-1], "csv"),  # a head cut inside a character is still text
    ],
)
def test_sniff_format(head, expected):
    assert sniff_format(head, "x.xls") == expected


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"\x00\x01\x02\x03garbage",
        b"\x80\xff\xfe\x00",
        b"MZ\x90\x00\x03\x00",
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
)
def test_sniff_format_rejects(head):
    with pytest.raises(ReadError) as info:
        sniff_format(head, "x.xlsx")
    assert info.value.file == "x.xlsx"
    assert not isinstance(info.value, EncryptedWorkbook)


def test_sniff_ignores_extension():
    xlsx_head = io.BytesIO()
    openpyxl.Workbook().save(xlsx_head)
    for name in ("a.csv", "a.xls", "a.txt", "a"):
        assert sniff_format(xlsx_head.getvalue()[:8], name) == "xlsx"
