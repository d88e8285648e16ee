"""Bytes → sheets of cells.

The format is sniffed from the first bytes, never from the extension: returns arrive as .xlsx,
legacy .xls, CSV saved by Excel in GBK, and HTML tables that old systems save under a .xls name.
Every failure raises a :mod:`models.errors` exception whose message (in Chinese) says what to do.

Cells are ``str | int | float | datetime.datetime | datetime.date | bool | None`` (Excel cells
formatted as a time or duration may also come back as ``datetime.time`` / ``datetime.timedelta``).
Empty cells are ``None``; strings are kept as they are (no stripping), except that HTML cell text
gets HTML whitespace rules (runs of spaces and newlines in the markup collapse, ``<br>`` is a line
break). Every row of a sheet has the same length; trailing empty rows and columns are trimmed.
Row and column indexes are the sheet's own (row 0 is Excel row 1), so they can be reported back.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import islice
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum

from models.errors import EncryptedWorkbook, ReadError

__all__ = ["Sheet", "Workbook", "read_workbook", "sniff_format"]


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[object]]
    # (first_row, first_col, last_row, last_col), 0-based inclusive; empty when unknown
    merged: tuple[tuple[int, int, int, int], ...] = ()


@dataclass(frozen=True)
class Workbook:
    path: str
    format: str  # "xlsx" | "xls" | "csv" | "html"
    sheets: tuple[Sheet, ...]
    encoding: str | None = None  # csv/html: the encoding that worked


# --- messages -------------------------------------------------------------------------------------

MSG_EMPTY = "文件是空的"
MSG_UNKNOWN = "不是可识别的电子表格文件（支持 .xlsx、.xls、.csv）"
MSG_CORRUPT = "文件已损坏或不完整，无法读取，请让报送单位重新导出"
MSG_ENCRYPTED = "工作簿设置了打开密码，请取消密码后再导入"
MSG_NO_DATA = "工作簿中没有任何数据"
MSG_NOT_WORKBOOK = (
    "不是 Excel 工作簿（是一个普通压缩包），请确认选择的是报表文件；如是多个报表的压缩包，请先解压"
)
MSG_ENCODING = "无法识别文件的文字编码，请在 Excel 或 WPS 中另存为 .xlsx 后再导入"

_OTHER_ZIPS = (  # (member that gives it away, message)
    ("word/document.xml", "这是 Word 文档（.docx），不是 Excel 工作簿"),
    ("ppt/presentation.xml", "这是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿"),
    ("xl/workbook.bin", "这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再导入"),
    (
        "content.xml",
        "这是 OpenDocument 文件（如 .ods），不是 Excel 工作簿，请在 Excel 或 WPS 中另存为 .xlsx 后再导入",
    ),
)
_OTHER_OLE = (  # (stream name as UTF-16LE, message)
    ("WordDocument".encode("utf-16-le"), "这是 Word 文档（.doc），不是 Excel 工作簿"),
    ("PowerPoint Document".encode("utf-16-le"), "这是 PowerPoint 演示文稿（.ppt），不是 Excel 工作簿"),
)

# --- sniffing -------------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TEXT_SNIFF_BYTES = 64 * 1024
# C0 controls that never occur in a text table (tab, LF, VT, FF, CR and DOS EOF are allowed)
_BAD_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f]")


def sniff_format(head: bytes, file_name: str) -> str:
    """Tell the format from the first bytes: ``"xlsx"``, ``"xls"``, ``"html"`` or ``"csv"``.

    ``head`` may be the whole file (then an encrypted workbook is recognised wherever its
    directory lies). Raises :class:`EncryptedWorkbook` or :class:`ReadError`.
    """
    if not head:
        raise ReadError(MSG_EMPTY, file=file_name)
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        # An Excel 2007+ workbook with an opening password is an OLE file holding the streams
        # EncryptionInfo and EncryptedPackage (directory entry names are UTF-16LE).
        if _ENCRYPTION_INFO in head:
            raise EncryptedWorkbook(MSG_ENCRYPTED, file=file_name)
        return "xls"
    if head.startswith(_UTF16_BOMS):
        return "csv"  # Excel's "Unicode text": UTF-16 with BOM, tab-separated
    if head.removeprefix(_UTF8_BOM).lstrip().startswith(b"<"):
        return "html"
    if _looks_like_text(head[:_TEXT_SNIFF_BYTES]):
        return "csv"
    raise ReadError(MSG_UNKNOWN, file=file_name)


def _looks_like_text(sample: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # final=False: the sample may end inside a multi-byte character
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return _BAD_CONTROLS.search(text) is None
    return False


# --- entry point ----------------------------------------------------------------------------------


def read_workbook(path: str | Path) -> Workbook:
    """Read a return into sheets of cells. Raises :class:`ReadError` (or a subclass)."""
    p = Path(path)
    name = p.name
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ReadError("文件不存在", file=name) from None
    except IsADirectoryError:
        raise ReadError("这是一个文件夹，不是文件", file=name) from None
    except PermissionError:
        raise ReadError("没有读取权限，或文件正被其他程序占用，请关闭后重试", file=name) from None
    except OSError as err:
        raise ReadError(f"无法读取文件（{err.strerror or err}）", file=name) from None

    fmt = sniff_format(data, name)
    encoding: str | None = None
    if fmt == "xlsx":
        _check_zip(data, name)
        sheets = _read_calamine(data, name)
    elif fmt == "xls":
        for marker, message in _OTHER_OLE:
            if marker in data:
                raise ReadError(message, file=name)
        sheets = _read_calamine(data, name)
    elif fmt == "csv":
        sheet, encoding = _read_csv(data, p.stem, name)
        sheets = [sheet]
    else:
        sheets, encoding = _read_html(data, name)

    if not any(sheet.rows for sheet in sheets):
        raise ReadError(MSG_NO_DATA, file=name)
    return Workbook(path=str(path), format=fmt, sheets=tuple(sheets), encoding=encoding)


# --- shared shaping -------------------------------------------------------------------------------


def _finish(name: str, rows: list[list[object]], merged) -> Sheet:
    """Pad rows to one width, trim trailing empty rows and columns, clip merged ranges."""
    if rows:
        width = max(map(len, rows))
        if any(len(row) != width for row in rows):
            rows = [row + [None] * (width - len(row)) if len(row) < width else row for row in rows]
    while rows and rows[-1].count(None) == len(rows[-1]):
        rows.pop()
    width = len(rows[0]) if rows else 0
    full_width = width
    while width and all(row[width - 1] is None for row in rows):
        width -= 1
    if width < full_width:
        rows = [row[:width] for row in rows]

    ranges = set()
    for r0, c0, r1, c1 in merged or ():
        if r0 >= len(rows) or c0 >= width:
            continue
        r1, c1 = min(r1, len(rows) - 1), min(c1, width - 1)
        if (r1, c1) != (r0, c0):
            ranges.add((r0, c0, r1, c1))
    return Sheet(name=name, rows=rows, merged=tuple(sorted(ranges)))


# --- xlsx / xls -----------------------------------------------------------------------------------


def _check_zip(data: bytes, file_name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {n.lower() for n in archive.namelist()}
            content_types = ""
            if "[content_types].xml" in names:
                info = next(i for i in archive.infolist() if i.filename.lower() == "[content_types].xml")
                content_types = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    if (
        "xl/workbook.xml" in names
        or "spreadsheetml.sheet.main" in content_types
        or ("sheet.macroEnabled.main" in content_types)
    ):
        return
    for marker, message in _OTHER_ZIPS:
        if marker in names:
            raise ReadError(message, file=file_name)
    raise ReadError(MSG_NOT_WORKBOOK, file=file_name)


_SKIPPED_SHEET_TYPES = (SheetTypeEnum.ChartSheet, SheetTypeEnum.Vba)
_MAX_EXACT = 9007199254740992.0  # 2**53: beyond this a float no longer holds every integer


def _read_calamine(data: bytes, file_name: str) -> list[Sheet]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            sheets = []
            for index, meta in enumerate(book.sheets_metadata):
                if meta.typ in _SKIPPED_SHEET_TYPES:
                    continue
                sheet = book.get_sheet_by_index(index)
                raw = sheet.to_python(skip_empty_area=False)  # keep absolute row/column numbers
                merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
                sheets.append(_finish(meta.name, _clean_calamine_rows(raw), merged))
        finally:
            book.close()
    except PasswordError:
        raise EncryptedWorkbook(MSG_ENCRYPTED, file=file_name) from None
    except ReadError:
        raise
    except BaseException as err:  # calamine raises CalamineError, and a Rust panic is a BaseException
        if isinstance(err, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
            raise
        if "password" in str(err).lower():
            raise EncryptedWorkbook(MSG_ENCRYPTED, file=file_name) from None
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    return sheets


def _clean_calamine_rows(raw: list[list[object]]) -> list[list[object]]:
    # calamine gives "" for empty cells and every number as float. One comprehension per row, no
    # call per cell except is_integer on floats: this is the hot loop for 100k-row returns. Rows
    # are replaced in place so calamine's lists are freed as we go (half the peak memory).
    limit = _MAX_EXACT
    for index, row in enumerate(raw):
        raw[index] = [
            None
            if v == ""
            else (int(v) if v.__class__ is float and v.is_integer() and -limit < v < limit else v)
            for v in row
        ]
    return raw


# --- csv ------------------------------------------------------------------------------------------

_DELIMITERS = (",", "\t", ";")


def _decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    if data.startswith(_UTF16_BOMS):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ReadError(MSG_ENCODING, file=file_name)


def _sniff_delimiter(text: str) -> str:
    sample = text[:_TEXT_SNIFF_BYTES]
    cut = sample.rfind("\n")
    if len(text) > len(sample) and cut > 0:  # do not sniff a line cut in half
        sample = sample[:cut]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            widths = Counter(len(row) for row in islice(reader, 200) if row)
        except csv.Error:
            continue
        if not widths:
            continue
        # the most common row width (ties: the wider); a table has one, with more than one column
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        score = (count, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, sheet_name: str, file_name: str) -> tuple[Sheet, str]:
    text, encoding = _decode_text(data, file_name)
    delimiter = _sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [[v if v else None for v in row] for row in reader]
    except csv.Error:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    return _finish(sheet_name, rows, ()), encoding


# --- html -----------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_SPACE = re.compile("[ \t\n\r\f]+")
_SPREADSHEET_ML = "urn:schemas-microsoft-com:office:spreadsheet"
_MAX_COLSPAN = 1000
_MAX_ROWSPAN = 65534


def _read_html(data: bytes, file_name: str) -> tuple[list[Sheet], str]:
    candidates = ["utf-8-sig"]
    match = _META_CHARSET.search(data[:_TEXT_SNIFF_BYTES])
    if match:
        candidates.append(match.group(1).decode("ascii"))
    candidates.append("gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        break
    else:
        raise ReadError(MSG_ENCODING, file=file_name)

    parser = _TableParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # html.parser is lenient; anything it still rejects is a broken file
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    sheets = [sheet for sheet in (table.to_sheet() for table in parser.tables) if sheet.rows]
    if not sheets and _SPREADSHEET_ML in text:
        raise ReadError(
            "这是“XML 电子表格 2003”格式，请在 Excel 或 WPS 中另存为 .xlsx 后再导入", file=file_name
        )
    sheets = [Sheet(f"表{i}", sheet.rows, sheet.merged) for i, sheet in enumerate(sheets, 1)]
    return sheets, encoding


def _span(attrs: list[tuple[str, str | None]], name: str, maximum: int) -> int:
    for key, value in attrs:
        if key == name and value:
            digits = re.match(r"\s*(\d+)", value)
            if digits:
                return min(max(int(digits.group(1)), 1), maximum)  # rowspan="0" counts as 1
    return 1


class _Table:
    """One <table>: cells placed on a grid the way browsers do (rowspan/colspan skip covered slots)."""

    def __init__(self) -> None:
        self.cells: list[tuple[int, int, str | None]] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self.row = -1
        self.col = 0
        self.row_open = False
        self.covered_until: dict[int, int] = {}  # column -> last row a rowspan above covers
        self.segments: list[list[str]] | None = None  # text of the open cell, split at <br>
        self.spans = (1, 1)

    def start_row(self) -> None:
        self.end_cell()
        self.row += 1
        self.col = 0
        self.row_open = True

    def end_row(self) -> None:
        self.end_cell()
        self.row_open = False

    def start_cell(self, attrs: list[tuple[str, str | None]]) -> None:
        self.end_cell()
        if not self.row_open:
            self.start_row()
        self.segments = [[]]
        self.spans = (_span(attrs, "rowspan", _MAX_ROWSPAN), _span(attrs, "colspan", _MAX_COLSPAN))

    def data(self, text: str) -> None:
        if self.segments is not None:
            self.segments[-1].append(text)

    def line_break(self) -> None:
        if self.segments is not None:
            self.segments.append([])

    def end_cell(self) -> None:
        if self.segments is None:
            return
        lines = [_HTML_SPACE.sub(" ", "".join(parts)).strip(" ") for parts in self.segments]
        value = "\n".join(lines).strip("\n") or None
        self.segments = None
        row, col = self.row, self.col
        while self.covered_until.get(col, -1) >= row:
            col += 1
        rowspan, colspan = self.spans
        self.cells.append((row, col, value))
        if rowspan > 1 or colspan > 1:
            self.merged.append((row, col, row + rowspan - 1, col + colspan - 1))
        if rowspan > 1:
            for c in range(col, col + colspan):
                self.covered_until[c] = row + rowspan - 1
        self.col = col + colspan

    def to_sheet(self) -> Sheet:
        self.end_row()
        nrows = self.row + 1
        width = max([c + 1 for _, c, _ in self.cells] + [c1 + 1 for _, _, _, c1 in self.merged] + [0])
        rows: list[list[object]] = [[None] * width for _ in range(nrows)]
        for r, c, value in self.cells:
            rows[r][c] = value
        return _finish("", rows, self.merged)


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []  # in the order they open
        self._open: list[_Table] = []  # nested tables: the innermost is last
        self._hidden = 0  # inside <script>/<style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            table = _Table()
            self.tables.append(table)
            self._open.append(table)
        elif tag in ("script", "style"):
            self._hidden += 1
        elif not self._open:
            return
        elif tag == "tr":
            self._open[-1].start_row()
        elif tag in ("td", "th"):
            self._open[-1].start_cell(attrs)
        elif tag == "br":
            self._open[-1].line_break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # <br/> is one line break, not a start and an end
        if tag != "br":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # browsers read a stray </br> as <br>
            self.handle_starttag(tag, [])
        elif tag == "table":
            if self._open:
                self._open.pop().end_row()
        elif tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif not self._open:
            return
        elif tag in ("td", "th"):
            self._open[-1].end_cell()
        elif tag == "tr":
            self._open[-1].end_row()

    def handle_data(self, data: str) -> None:
        if self._open and not self._hidden:
            self._open[-1].data(data)
