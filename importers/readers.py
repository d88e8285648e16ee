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
import datetime
import email
import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from itertools import islice
from pathlib import Path
from typing import Any

import xlrd
from python_calamine import (
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
    XmlError,
    ZipError,
)
from xlrd.compdoc import CompDoc

from importers import ods, spreadsheet_ml, xml_sheets
from importers.sheet_pieces import WORKSHEET_PART, large_sheets, read_in_pieces
from importers.xlsx_guard import (
    MAX_CELLS,
    MAX_COLUMNS,
    XlsxCost,
    check_declared,
    column_letters,
    inspect_xlsx,
)
from importers.xlsx_repair import repaired
from importers.xml_sheets import MAX_EXACT
from models.errors import EncryptedWorkbook, ReadError
from models.long_paths import long_path

__all__ = ["Sheet", "Workbook", "file_bytes", "read_workbook", "sniff_format", "workbook_from_bytes"]


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[object]]
    # (first_row, first_col, last_row, last_col), 0-based inclusive; empty when unknown
    merged: tuple[tuple[int, int, int, int], ...] = ()
    hidden: bool = False  # hidden in Excel (or very hidden: a correction list's mark)


@dataclass(frozen=True)
class Workbook:
    path: str
    format: str  # "xlsx" | "xls" | "ods" | "csv" | "html" | "xml" (Excel's XML Spreadsheet 2003)
    sheets: tuple[Sheet, ...]
    data: bytes = field(repr=False, compare=False)  # the file's bytes, kept by the census once imported
    encoding: str | None = None  # csv/html: the encoding that worked
    notes: tuple[str, ...] = ()  # what the reader saw that the review should say (formulas without results)


# --- messages -------------------------------------------------------------------------------------

MSG_EMPTY = "文件是空的"
MSG_UNKNOWN = "不是可识别的电子表格文件（支持 .xlsx、.xls、.et、.ods、.csv，以及网页或 XML 格式的 Excel 表格）"
MSG_CORRUPT = "文件已损坏或不完整，无法读取，请让报送单位重新导出"
MSG_ENCRYPTED = "工作簿设置了打开密码，请取消密码后再导入"
MSG_NO_DATA = "工作簿中没有任何数据"
MSG_OTHER_XML = "这个 XML 文件不是 Excel 的“XML 电子表格 2003”，无法读取；如是报表，请向报送单位索取 Excel 原表"
MSG_NOT_WORKBOOK = (
    "不是 Excel 工作簿（是一个普通压缩包），请确认选择的是报表文件；如是多个报表的压缩包，请先解压"
)
MSG_ENCODING = "无法识别文件的文字编码，请在 Excel 或 WPS 中另存为 .xlsx 后再导入"
MSG_PLAIN_TEXT = "不是电子表格文件（内容是普通文字，不是表格），请确认选择的是报表文件"
MSG_TOO_WIDE = "工作表“{sheet}”声明的范围过大（数据延伸到 {cell}），请删除多余的行列后再导入"
MSG_ET = "无法读取这个 WPS 表格（.et）文件，请在 WPS 中另存为 .xlsx 后再导入"
MSG_MAIL = "这是邮件文件（.eml），不是 Excel 工作簿；请先把邮件中的附件另存出来，再导入附件中的报表"
MSG_MHT_EMPTY = "这是“单个文件网页”（.mht），其中没有可读取的表格，请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入"
_EXCEL_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".et")

_OTHER_ZIPS = (  # (member that gives it away, message)
    ("word/document.xml", "这是 Word 文档（.docx），不是 Excel 工作簿"),
    ("ppt/presentation.xml", "这是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿"),
    ("xl/workbook.bin", "这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再导入"),
    (  # an OpenDocument spreadsheet is read (importers.ods): this is its text or slides, or one
        # whose mimetype does not come first as the standard asks
        "content.xml",
        "这是 OpenDocument 文件（如 .odt），不是可以读取的电子表格，请在 Excel 或 WPS 中另存为 .xlsx 后再导入",
    ),
)
_OTHER_OLE = (  # (stream name as UTF-16LE, message)
    ("WordDocument".encode("utf-16-le"), "这是 Word 文档（.doc），不是 Excel 工作簿"),
    ("PowerPoint Document".encode("utf-16-le"), "这是 PowerPoint 演示文稿（.ppt），不是 Excel 工作簿"),
)

# --- sniffing -------------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OTHER_MAGICS = (  # (first bytes, message) of files a clerk may take for a return
    (b"Rar!\x1a\x07", "这是 RAR 压缩包，不是 Excel 工作簿；如是报表的压缩包，请先解压，再导入其中的报表"),
    (b"7z\xbc\xaf\x27\x1c", "这是 7z 压缩包，不是 Excel 工作簿；如是报表的压缩包，请先解压，再导入其中的报表"),
    (b"%PDF", "这是 PDF 文件，不是 Excel 工作簿，无法读取其中的表格；请向报送单位索取 Excel 原表"),
)
# A MIME message's header lines up to MIME-Version (Internet Explorer writes From: and Subject: first)
_MIME_HEAD = re.compile(rb"(?:[!-9;-~]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*){0,30}MIME-Version:", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TEXT_SNIFF_BYTES = 64 * 1024
# C0 controls that never occur in a text table (tab, LF, VT, FF, CR and DOS EOF are allowed)
_BAD_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f]")


def sniff_format(head: bytes, file_name: str) -> str:
    """Tell the format from the first bytes: ``"xlsx"``, ``"ods"`` (an OpenDocument spreadsheet:
    its mimetype comes first), ``"xls"``, ``"html"`` (a web page or Excel's XML Spreadsheet 2003),
    ``"mht"`` (a web page saved as one file, read as its HTML) or ``"csv"``.

    ``head`` may be the whole file (then an encrypted workbook is recognised wherever its
    directory lies). Raises :class:`EncryptedWorkbook` or :class:`ReadError`.
    """
    if not head:
        raise ReadError(MSG_EMPTY, file=file_name)
    if head.startswith(_ZIP_MAGIC):
        return "ods" if ods.is_ods(head) else "xlsx"
    if head.startswith(_OLE_MAGIC):
        # An Excel 2007+ workbook with an opening password is an OLE file holding the streams
        # EncryptionInfo and EncryptedPackage (directory entry names are UTF-16LE).
        if _ENCRYPTION_INFO in head:
            raise EncryptedWorkbook(MSG_ENCRYPTED, file=file_name)
        return "xls"
    for magic, message in _OTHER_MAGICS:
        if head.startswith(magic):
            raise ReadError(message, file=file_name)
    utf16 = "utf-16" if head.startswith(_UTF16_BOMS) else _utf16_without_bom(head[:_TEXT_SNIFF_BYTES])
    if utf16:  # Excel's "Unicode text" (tab-separated, with BOM as Excel writes it), or a web page
        return "html" if _opens_with_markup(head, utf16) else "csv"
    if head.removeprefix(_UTF8_BOM).lstrip().startswith(b"<"):
        return "html"
    if _MIME_HEAD.match(head[:_TEXT_SNIFF_BYTES]):
        return "mht"  # a web page saved as one file (or an e-mail): read as the HTML it holds
    if _looks_like_text(head[:_TEXT_SNIFF_BYTES]):
        return "csv"
    raise ReadError(MSG_UNKNOWN, file=file_name)


def _utf16_without_bom(sample: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for UTF-16 text written without its byte-order mark (some
    systems' exports): the zero bytes of its digits, tabs and line ends all fall on one side."""
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 16:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    half = len(sample) // 2
    for encoding, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros >= half // 5 and others <= half // 50:
            try:
                text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            except UnicodeDecodeError:
                continue
            if _is_clean_text(text):
                return encoding
    return None


def _opens_with_markup(head: bytes, encoding: str) -> bool:
    """UTF-16 text that opens with a tag: an HTML table saved as Unicode (.NET exports do), not
    the tab-separated text Excel saves as Unicode."""
    start = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head[:1024])
    return start.lstrip("\ufeff \t\r\n").startswith("<")


def _looks_like_text(sample: bytes) -> bool:
    # NUL bytes are dropped (some systems pad exported text with them), as _read_csv does
    sample = sample.replace(b"\x00", b"")
    if not sample:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # final=False: the sample may end inside a multi-byte character
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return _is_clean_text(text)
    cut = sample.rfind(b"\n")  # mixed UTF-8 and GBK lines; the last line may be cut in half
    mixed = _decode_lines(sample[: cut + 1] if cut > 0 else sample)
    if mixed is not None:
        return _is_clean_text(mixed)
    return _is_damaged_text(sample)


def _is_damaged_text(sample: bytes) -> bool:
    """Text but for a few bytes no encoding reads (a character cut in half by a system that cuts
    fields by bytes): reading it then says the encoding is the trouble (MSG_ENCODING), not that
    a .csv is no spreadsheet."""
    text = sample.decode("gb18030", errors="replace")
    return text.count("\ufffd") <= 1 + len(text) // 500 and _is_clean_text(text)


def _is_clean_text(text: str) -> bool:
    # DOS EOF (\x1a) only ends a file; inside one (as in a PNG header) it is binary
    return _BAD_CONTROLS.search(text) is None and "\x1a" not in text.rstrip("\x1a")


def _decode_lines(data: bytes) -> str | None:
    """Each line as UTF-8, else GB18030: a file pasted together from two systems."""
    lines = []
    for line in data.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("gb18030"))
            except UnicodeDecodeError:
                return None
    return "".join(lines).removeprefix("\ufeff")


# --- entry point ----------------------------------------------------------------------------------


def read_workbook(path: str | Path) -> Workbook:
    """Read a return into sheets of cells. Raises :class:`ReadError` (or a subclass)."""
    return workbook_from_bytes(file_bytes(path), path)


def file_bytes(path: str | Path) -> bytes:
    """A return's whole content, read once (its hash, its cells and the copy the census keeps
    all come from these bytes). Raises :class:`ReadError` with the reason in Chinese."""
    p = Path(path)
    name = p.name
    try:
        with open(long_path(p), "rb") as file:
            return file.read()
    except FileNotFoundError:
        raise ReadError("文件不存在", file=name) from None
    except IsADirectoryError:
        raise ReadError("这是一个文件夹，不是文件", file=name) from None
    except PermissionError:
        raise ReadError("没有读取权限，或文件正被其他程序占用，请关闭后重试", file=name) from None
    except OSError as err:
        raise ReadError(f"无法读取文件（{err.strerror or err}）", file=name) from None


def workbook_from_bytes(data: bytes, path: str | Path) -> Workbook:
    """The cells of a file's bytes; `path` gives only its name (messages, a CSV's sheet name, and
    whether plain text came under an Excel name). The same guards as reading the file: a return
    kept in the census is read back through them too (models.kept_files)."""
    p = Path(path)
    name = p.name
    fmt = sniff_format(data, name)
    encoding: str | None = None
    notes: tuple[str, ...] = ()
    if fmt == "xlsx":
        sheets, notes = _read_xlsx(data, name)
    elif fmt == "xls":
        for marker, message in _OTHER_OLE:
            if marker in data:
                raise ReadError(message, file=name)
        try:
            sheets = _read_xls(data, name)
        except ReadError as err:
            # WPS's own .et is the same compound file as .xls (read as one), but may hold what
            # the .xls readers do not know: saving it as .xlsx is what helps, not a new export
            if err.message == MSG_CORRUPT and p.suffix.lower() == ".et":
                raise ReadError(MSG_ET, file=name) from None
            raise
    elif fmt == "ods":
        sheets = _read_ods(data, name)
    elif fmt == "csv":
        sheet, encoding = _read_csv(data, p.stem, name)
        if p.suffix.lower() in _EXCEL_SUFFIXES and not _is_table(sheet):
            raise ReadError(MSG_PLAIN_TEXT, file=name)
        sheets = [sheet]
    elif fmt == "mht":
        sheets, encoding = _read_mht(data, name)
        fmt = "html"
    else:
        sheets, encoding, fmt = _read_markup(data, name)

    if not any(sheet.rows for sheet in sheets):
        raise ReadError(MSG_NO_DATA, file=name)
    return Workbook(path=str(path), format=fmt, sheets=tuple(sheets), data=data, encoding=encoding, notes=notes)


# --- shared shaping -------------------------------------------------------------------------------


def _finish(name: str, rows: list[list[Any]], merged) -> Sheet:
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


MSG_BLANK_FORMULAS = ("文件中有公式没有保存计算结果（多是程序生成、未在 Excel 中打开保存过的文件），这些单元格读作空白："
                      "请在 Excel 或 WPS 中打开、保存后再导入")


def _read_xlsx(data: bytes, file_name: str) -> tuple[list[Sheet], tuple[str, ...]]:
    """Check the archive (kind, sizes, real extent of every sheet) before any reader runs, then
    read with calamine, or sparsely when calamine would build a grid too large to allocate. A
    workbook calamine refuses is read again as Excel's repair would leave it (importers.xlsx_repair),
    the review told what was changed; still refused, or nothing to repair: damaged."""
    try:
        return _read_xlsx_as_is(data, file_name)
    except _CalamineRefused:
        fixed = repaired(data)
        if fixed is None:
            raise ReadError(MSG_CORRUPT, file=file_name) from None
    try:
        sheets, notes = _read_xlsx_as_is(fixed[0], file_name)
    except _CalamineRefused:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    return sheets, (*notes, fixed[1]) if fixed[1] else notes


class _CalamineRefused(ReadError):
    """calamine would not read the workbook (past the guard: the archive itself is sound)."""


def _read_xlsx_as_is(data: bytes, file_name: str) -> tuple[list[Sheet], tuple[str, ...]]:
    cost, large = _inspected(data, file_name, pieces=True)
    notes = (MSG_BLANK_FORMULAS,) if cost.formulas_without_values else ()
    if not cost.sparse:
        try:
            return _read_calamine(data, file_name, large), notes
        except _PiecesDeclined:
            # A sheet left to its pieces' scan is to be read whole after all: every part is
            # checked first, as for any other workbook.
            cost, large = _inspected(data, file_name, pieces=False)
            if not cost.sparse:
                return _read_calamine(data, file_name, large), notes
    return _read_sparse_xlsx(data, file_name), notes


def _inspected(data: bytes, file_name: str, pieces: bool) -> tuple[XlsxCost, dict[str, str]]:
    """The guard's verdict and, with `pieces`, the sheets to parse in pieces (sheet name -> zip
    entry), whose cells the guard leaves to the pieces' scan."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_zip(archive, file_name)
            check_declared(archive, file_name)  # before large_sheets reads the workbook's parts
            large = large_sheets(archive) if pieces else {}
            # Only a worksheet part as writers name it is left to the pieces: a part calamine may
            # also open as something else when it opens the workbook (xl/sharedStrings.xml named
            # as a sheet's target) is checked here before anything reads it.
            later = {entry for entry in large.values() if WORKSHEET_PART.fullmatch(entry)}
            return inspect_xlsx(data, archive, file_name, scanned_later=later), large
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            zlib.error, RuntimeError):  # zipfile: a damaged deflate stream; an entry marked encrypted
        raise ReadError(MSG_CORRUPT, file=file_name) from None


class _PiecesDeclined(Exception):
    """A large sheet was not read in pieces (importers.sheet_pieces met what it does not expect,
    or the guard's scan of a piece did not pass): the guard has not looked at all its cells."""


def _check_zip(archive: zipfile.ZipFile, file_name: str) -> None:
    names = {n.lower() for n in archive.namelist()}
    if "xl/workbook.xml" in names:  # every workbook a writer makes: its content types need not be read
        return
    content_types = ""
    info = next((i for i in archive.infolist() if i.filename.lower() == "[content_types].xml"), None)
    if info is not None and info.file_size < 1 << 20:
        content_types = archive.read(info).decode("utf-8", "replace")
    if "spreadsheetml.sheet.main" in content_types or "sheet.macroEnabled.main" in content_types:
        return
    for marker, message in _OTHER_ZIPS:
        if marker in names:
            raise ReadError(message, file=file_name)
    raise ReadError(MSG_NOT_WORKBOOK, file=file_name)


_SKIPPED_SHEET_TYPES = (SheetTypeEnum.ChartSheet, SheetTypeEnum.Vba)


def _read_calamine(data: bytes, file_name: str, large: Mapping[str, str] | None = None) -> list[Sheet]:
    """Every sheet through calamine; `large`: sheet name -> zip entry of the sheets to parse in
    pieces (importers.sheet_pieces.large_sheets).

    The sheets read in pieces come first: the guard left their entries to the pieces' scan, and
    only once it has passed is an entry known to be safe for a whole read as well — the zip entry
    sheet_pieces finds for a name is not always the one calamine reads for it (a crafted
    workbook's relationships may send another sheet to it). A sheet `large` names that calamine
    does not (sheet_pieces read its name otherwise) declines the pieces before anything is read."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            wanted = [(index, meta) for index, meta in enumerate(book.sheets_metadata)
                      if meta.typ not in _SKIPPED_SHEET_TYPES]
            if not set(large or ()) <= {meta.name for _index, meta in wanted}:
                # sheet_pieces named a sheet calamine does not read under that name (it reads the
                # workbook part apart from calamine: quotes, character references…): that sheet's
                # entry, left to the pieces' scan, would be read whole by calamine unscanned
                raise _PiecesDeclined
            pieces_first = sorted(wanted, key=lambda item: (large or {}).get(item[1].name) is None)
            read = {index: _hidden(_calamine_sheet(book, index, meta.name, data, (large or {}).get(meta.name)),
                                   meta.visible != SheetVisibleEnum.Visible)
                    for index, meta in pieces_first}
            sheets = [read[index] for index, _meta in wanted]
        finally:
            book.close()
    except PasswordError:
        raise EncryptedWorkbook(MSG_ENCRYPTED, file=file_name) from None
    except (ReadError, _PiecesDeclined):
        raise
    except BaseException as err:  # calamine raises CalamineError, and a Rust panic is a BaseException
        if isinstance(err, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
            raise
        if "password" in str(err).lower():
            raise EncryptedWorkbook(MSG_ENCRYPTED, file=file_name) from None
        if isinstance(err, (XmlError, ZipError)):  # not well-formed XML, a damaged archive: no repair mends these
            raise ReadError(MSG_CORRUPT, file=file_name) from None
        raise _CalamineRefused(MSG_CORRUPT, file=file_name) from None
    return sheets


def _calamine_sheet(book: CalamineWorkbook, index: int, name: str, data: bytes, entry: str | None) -> Sheet:
    """One sheet of the workbook `data`: in pieces when it is large (`entry`: its zip entry;
    importers.sheet_pieces, which may decline), else whole."""
    if entry is not None:
        pieces = read_in_pieces(data, entry, index, _clean_calamine_rows)
        if pieces is None:
            raise _PiecesDeclined
        return _finish(name, *pieces)
    sheet = book.get_sheet_by_index(index)
    raw = sheet.to_python(skip_empty_area=False)  # keep absolute row/column numbers
    merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
    return _finish(name, _clean_calamine_rows(raw), merged)


def _hidden(sheet: Sheet, hidden: bool) -> Sheet:
    return replace(sheet, hidden=True) if hidden else sheet


def _clean_calamine_rows(raw: list[list[Any]]) -> list[list[Any]]:
    # calamine gives "" for empty cells and every number as float. One comprehension per row, no
    # call per cell except is_integer on floats: this is the hot loop for 100k-row returns. Rows
    # are replaced in place so calamine's lists are freed as we go (half the peak memory).
    limit = MAX_EXACT
    for index, row in enumerate(raw):
        raw[index] = [
            None
            if v == ""
            else (int(v) if v.__class__ is float and v.is_integer() and -limit < v < limit else v)
            for v in row
        ]
    return raw


def _read_sparse_xlsx(data: bytes, file_name: str) -> list[Sheet]:
    """Every worksheet through openpyxl's streaming parser: memory follows the cells present."""
    import openpyxl  # only for the rare sparse sheet: importing it costs the reader process 0.15 s
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds of errors for a broken archive
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    try:
        return [
            _sparse_sheet(book, ws, file_name) for ws in book.worksheets if isinstance(ws, ReadOnlyWorksheet)
        ]
    except ReadError:
        raise
    except Exception:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    finally:
        book.close()


def _sparse_sheet(book, ws, file_name: str) -> Sheet:
    """One sheet from its non-blank cells; whitespace-only cells (a stray space typed far down)
    are blank. Refused only when the non-blank cells themselves span more than MAX_CELLS."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import WorkSheetParser

    cells: list[tuple[int, int, object]] = []
    last_row = last_col = -1
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for _, row in parser.parse():
            for cell in row:
                value = _sparse_value(cell)
                if value is None:
                    continue
                r, c = cell["row"] - 1, cell["column"] - 1
                cells.append((r, c, value))
                last_row, last_col = max(last_row, r), max(last_col, c)
                if len(cells) > MAX_CELLS:
                    raise ReadError(
                        MSG_TOO_WIDE.format(sheet=ws.title, cell=f"{column_letters(c)}{r + 1}"),
                        file=file_name,
                    )
        merged_cells = parser.merged_cells
    rows = _grid(ws.title, cells, last_row, last_col, file_name)
    merged = []
    for merge in merged_cells.mergeCell if merged_cells else ():
        c0, r0, c1, r1 = range_boundaries(merge.ref)
        merged.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))
    return _hidden(_finish(ws.title, rows, merged), getattr(ws, "sheet_state", "visible") != "visible")


def _grid(sheet: str, cells: list[tuple[int, int, object]], last_row: int, last_col: int,
          file_name: str) -> list[list[object]]:
    """The rows of a sheet read cell by cell (the sparse and the xlrd readers), refused when its
    non-blank cells span more than MAX_CELLS."""
    if (last_row + 1) * (last_col + 1) > MAX_CELLS:
        cell = f"{column_letters(last_col)}{last_row + 1}"
        raise ReadError(MSG_TOO_WIDE.format(sheet=sheet, cell=cell), file=file_name)
    rows: list[list[object]] = [[None] * (last_col + 1) for _ in range(last_row + 1)]
    for r, c, value in cells:
        rows[r][c] = value
    return rows


def _sparse_value(cell: dict) -> object:
    """openpyxl's cell value in the shapes calamine gives (see _clean_calamine_rows)."""
    value = cell["value"]
    if value is None or cell["data_type"] == "e":
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and -MAX_EXACT < value < MAX_EXACT else value
    if isinstance(value, int):
        return value if -MAX_EXACT < value < MAX_EXACT else float(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date()  # calamine: an integral date serial is a date
    return value


# --- xls ------------------------------------------------------------------------------------------

_BIFF_RECORD = struct.Struct("<HH")
_FILEPASS, _BIFF_EOF, _BOF, _BOUNDSHEET, _DIMENSIONS, _MULRK = 0x002F, 0x000A, 0x0809, 0x0085, 0x0200, 0x00BD
_CODEPAGE, _DATEMODE, _MERGEDCELLS = 0x0042, 0x0022, 0x00E5
# Records calamine reads at fixed places without checking their length: the shortest body it can
# take (a shorter one, or a MERGEDCELLS counting more ranges than it holds, is a Rust panic —
# caught, but its message still printed under the command line's one line).
_SHORTEST_BODY = {_BOF: 4, _DATEMODE: 2, _CODEPAGE: 2, _MERGEDCELLS: 2}
# Excel's own .xls (BIFF8) says CODEPAGE 1200, and its text is Unicode whatever the record says.
# python-calamine 0.9.1 decodes that Unicode through any other CODEPAGE, turning every Chinese
# cell into mojibake (1252 is what JExcelAPI, behind many a web system's .xls export, always
# writes; 936 too), and refuses a codepage encoding_rs lacks (a Mac's 32768, an old program's 437
# or 367, a 0) as if the file were damaged. xlrd reads all of these right (Python's codecs, and
# BIFF8's Unicode as Unicode), so it reads every workbook whose CODEPAGE is not 1200.
_UNICODE_CODEPAGE = 1200
# the records calamine turns into cells (number, label, rstring, boolerr, rk, labelsst, formula)
_CELL_RECORDS = frozenset((0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006))


def _read_xls(data: bytes, file_name: str) -> list[Sheet]:
    """calamine when the workbook is what it claims; xlrd (pure Python, sparse rows) when a
    header field, a DIMENSIONS record or a far cell would make calamine allocate too much, or
    when its CODEPAGE is not Excel's 1200 (see _UNICODE_CODEPAGE)."""
    stream = _workbook_stream(data, file_name)
    try:
        calamine = _xls_is_sane(data, stream) and _codepage(stream) == _UNICODE_CODEPAGE
    except _DamagedRecord:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    if calamine:
        return _read_calamine(data, file_name)
    return _read_xlrd(data, file_name)


class _DamagedRecord(Exception):
    """A BIFF record shorter than what it must hold (see _SHORTEST_BODY)."""


def _codepage(stream: bytes) -> int:
    """The CODEPAGE record of the workbook's globals (1200 when there is none: calamine then reads
    the text as Unicode)."""
    for kind, body in _biff_records(stream, 0):
        if kind == _CODEPAGE:  # _biff_records has checked it holds its two bytes
            return struct.unpack_from("<H", body)[0]
    return _UNICODE_CODEPAGE


def _workbook_stream(data: bytes, file_name: str) -> bytes:
    """The BIFF stream; an opening password (FILEPASS among the globals) is refused here, since
    calamine only recognises the RC4 kind and calls the rest damaged, and so is a sheet whose
    BOUNDSHEET does not point at its BOF record: calamine slices the stream there unchecked, and
    its panic, caught, still prints a Rust message under the command line's one line."""
    try:
        doc = CompDoc(data, logfile=io.StringIO())
        stream = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
    except MemoryError:
        raise
    except Exception:
        # xlrd's container reader checks a damaged file with asserts (a byte missing mid-file),
        # divides by a sector size read from the header (0) and walks a directory that may loop
        # (RecursionError), besides its CompDocError, IndexError and struct.error
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    if not stream:
        raise ReadError(MSG_CORRUPT, file=file_name)
    try:
        for kind, body in _biff_records(stream, 0):
            if kind == _FILEPASS:
                raise EncryptedWorkbook(MSG_ENCRYPTED, file=file_name)
            if kind == _BOUNDSHEET and not _starts_a_sheet(stream, body):
                raise ReadError(MSG_CORRUPT, file=file_name)
    except _DamagedRecord:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    return stream


def _starts_a_sheet(stream: bytes, boundsheet: bytes) -> bool:
    """Whether a BOUNDSHEET's offset (its first four bytes) is a BOF record of the stream."""
    if len(boundsheet) < 4:
        return False
    pos = struct.unpack_from("<L", boundsheet)[0]
    return pos + 4 <= len(stream) and _BIFF_RECORD.unpack_from(stream, pos)[0] == _BOF


def _biff_records(stream: bytes, pos: int):
    """(type, body) of the records of one substream, up to its EOF. Raises _DamagedRecord."""
    while pos + 4 <= len(stream):
        kind, length = _BIFF_RECORD.unpack_from(stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if len(body) < _SHORTEST_BODY.get(kind, 0) or (
                kind == _MERGEDCELLS and 2 + 8 * struct.unpack_from("<H", body)[0] > len(body)):
            raise _DamagedRecord
        yield kind, body
        if kind == _BIFF_EOF:
            return


def _xls_is_sane(data: bytes, stream: bytes) -> bool:
    """Would calamine stay small? Its container reader sizes vectors from header counts and each
    sheet reserves DIMENSIONS rows × columns and builds a grid up to its farthest cell."""
    fat_sectors, mini_fat_sectors = (
        struct.unpack_from("<L", data, 44)[0],
        struct.unpack_from("<L", data, 64)[0],
    )
    if fat_sectors * 128 > len(data) or mini_fat_sectors > 64:
        return False
    for kind, body in _biff_records(stream, 0):
        if (
            kind == _BOUNDSHEET
            and len(body) >= 4
            and not _xls_sheet_is_small(stream, struct.unpack_from("<L", body)[0])
        ):
            return False
    return True


def _xls_sheet_is_small(stream: bytes, pos: int) -> bool:
    last_row = last_col = 0
    for kind, body in _biff_records(stream, pos):
        if kind == _DIMENSIONS:
            if len(body) == 14:
                first_row, end_row, first_col, end_col = struct.unpack_from("<LLHH", body)
            elif len(body) == 10:
                first_row, end_row, first_col, end_col = struct.unpack_from("<HHHH", body)
            else:
                continue
            if end_row < first_row or (end_row - first_row + 1) * (end_col + 1) > MAX_CELLS:
                return False
        elif (kind in _CELL_RECORDS or kind == _MULRK) and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            if kind == _MULRK and len(body) >= 6:
                col = max(col, struct.unpack_from("<H", body, len(body) - 2)[0])
            last_row, last_col = max(last_row, row), max(last_col, col)
    return (last_row + 1) * (last_col + 1) <= MAX_CELLS


def _read_xlrd(data: bytes, file_name: str) -> list[Sheet]:
    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, ragged_rows=True, logfile=io.StringIO()
        )
    except xlrd.XLRDError as err:
        if "encrypted" in str(err).lower():
            raise EncryptedWorkbook(MSG_ENCRYPTED, file=file_name) from None
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    except Exception:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    return [_xlrd_sheet(book, sheet, file_name) for sheet in book.sheets()]


def _xlrd_sheet(book, sheet, file_name: str) -> Sheet:
    cells: list[tuple[int, int, object]] = []
    last_row = last_col = -1
    for r in range(sheet.nrows):
        for c, cell in enumerate(sheet.row(r)):
            value = _xlrd_value(book, cell)
            if value is None:
                continue
            cells.append((r, c, value))
            last_row, last_col = max(last_row, r), max(last_col, c)
    rows = _grid(sheet.name, cells, last_row, last_col, file_name)
    merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
    return _hidden(_finish(sheet.name, rows, merged), bool(getattr(sheet, "visibility", 0)))


def _xlrd_value(book, cell) -> object:
    """xlrd's cell in the shapes calamine gives; whitespace-only text is blank."""
    kind, value = cell.ctype, cell.value
    if kind == xlrd.XL_CELL_TEXT:
        return value if value.strip() else None
    if kind == xlrd.XL_CELL_NUMBER:
        return _sparse_value({"value": value, "data_type": "n"})
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate_as_datetime(value, book.datemode)
        except (ValueError, OverflowError):
            return value
        return moment.time() if value < 1 else _sparse_value({"value": moment, "data_type": "d"})
    return None


# --- csv ------------------------------------------------------------------------------------------

_DELIMITERS = (",", "\t", ";")


def _decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ReadError(MSG_ENCODING, file=file_name) from None
    bare = _utf16_without_bom(data[:_TEXT_SNIFF_BYTES])
    if bare is not None:
        try:
            return data.decode(bare), bare
        except UnicodeDecodeError:
            raise ReadError(MSG_ENCODING, file=file_name) from None
    data = data.replace(b"\x00", b"")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    mixed = _decode_lines(data)
    if mixed is not None and any(_is_utf8_text(line) for line in data.splitlines()):
        return mixed, "utf-8+gb18030"  # some lines UTF-8, the others GBK
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise ReadError(MSG_ENCODING, file=file_name) from None


def _is_utf8_text(line: bytes) -> bool:
    """A line that is UTF-8 and not plain ASCII (so it says something about the encoding)."""
    if line.isascii():
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_table(sheet: Sheet) -> bool:
    """Text read as CSV is a table when most of its non-empty lines have more than one cell."""
    widths = [sum(v is not None for v in row) for row in sheet.rows]
    filled = [w for w in widths if w]
    return bool(filled) and sum(w > 1 for w in filled) * 2 >= len(filled)


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


def _text_formula(value: str) -> str:
    """="150302…" is how exports keep an ID as text when Excel opens the CSV (a formula giving
    that text): Excel shows the text, and so do we. Anything else starting with =" stays."""
    if len(value) >= 3 and value[-1] == '"' and '"' not in value[2:-1].replace('""', ""):
        return value[2:-1].replace('""', '"')
    return value


def _read_csv(data: bytes, sheet_name: str, file_name: str) -> tuple[Sheet, str]:
    text, encoding = _decode_text(data, file_name)
    delimiter = _sniff_delimiter(text)
    try:
        rows = _csv_rows(text, delimiter)
    except _TooLarge as far:
        raise ReadError(MSG_TOO_WIDE.format(sheet=sheet_name, cell=far.cell), file=file_name) from None
    except csv.Error:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    return _finish(sheet_name, rows, ()), encoding


def _csv_rows(text: str, delimiter: str) -> list[list[object]]:
    """The rows of a CSV, each without its trailing empty fields (Excel writes a comma for every
    column of the used range), refused (_TooLarge) as soon as the grid up to the farthest field
    holding text would pass MAX_CELLS: _finish pads every row to the widest, so one line of
    100,000 commas under 200,000 rows would ask for 20 billion cells."""
    rows: list[list[object]] = []
    width = 0
    for row in csv.reader(_csv_lines(text, delimiter), delimiter=delimiter):
        cells: list[object] = [(_text_formula(v) if v[:2] == '="' else v) if v else None for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(cells)
        if len(cells) > width:
            width = len(cells)
        if cells and len(rows) * width > MAX_CELLS:
            raise _TooLarge(len(rows) - 1, width - 1)
    return rows


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")  # a line as csv sees it: CR, LF or CRLF end it


def _csv_lines(text: str, delimiter: str) -> Iterator[str]:
    """The text's lines for csv.reader, a line with more fields than a sheet has columns cut to
    its first MAX_COLUMNS when nothing but blanks follows them (else _TooLarge): csv builds the
    list of a line's fields at once, before any is looked at (a single 200 MB line of commas is
    a list of 100 million). Lines are found in the text itself, never copied whole (a StringIO
    holds four bytes a character)."""
    text_after = re.compile(f"[^{re.escape(delimiter)} \r\n]")
    for number, line in enumerate(_LINE.finditer(text)):
        start, end = line.span()
        if end - start <= MAX_COLUMNS or text.count(delimiter, start, end) < MAX_COLUMNS:
            yield line.group()
            continue
        cut = start - 1
        for _ in range(MAX_COLUMNS):
            cut = text.find(delimiter, cut + 1, end)
        if text_after.search(text, cut, end):
            raise _TooLarge(number, MAX_COLUMNS)
        yield text[start:cut] + "\n"


# --- html -----------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_SPACE = re.compile("[ \t\n\r\f]+")
_MAX_COLSPAN = 1000
_MAX_ROWSPAN = 65534


class _TooLarge(Exception):
    """A table whose spans reach further than a return can (row, col: where it went too far)."""

    def __init__(self, row: int, col: int) -> None:
        super().__init__(row, col)
        self.cell = f"{column_letters(col)}{row + 1}"


def _read_markup(data: bytes, file_name: str) -> tuple[list[Sheet], str, str]:
    """A document that opens with a tag: Excel's XML Spreadsheet 2003 ("xml"), else a web page's
    tables ("html"); with the encoding it was read in."""
    text, encoding = _html_text(data, file_name, spreadsheet_ml.declared_encoding(data))
    if spreadsheet_ml.is_workbook(text):
        return _read_spreadsheet_ml(text, file_name), encoding, "xml"
    if file_name.lower().endswith(".xml"):  # a folder's other XML (a system's settings, a Word 2003 XML…)
        raise ReadError(MSG_OTHER_XML, file=file_name)
    sheets = _html_tables(text, file_name, 0)
    if not sheets and spreadsheet_ml.NS in text:  # its namespace, but not as the document's root
        raise ReadError(MSG_CORRUPT, file=file_name)
    return sheets, encoding, "html"


def _read_spreadsheet_ml(text: str, file_name: str) -> list[Sheet]:
    return _xml_sheets(lambda: spreadsheet_ml.read_sheets(text, MAX_CELLS), file_name)


def _read_ods(data: bytes, file_name: str) -> list[Sheet]:
    try:
        return _xml_sheets(lambda: ods.read_sheets(data, file_name, MAX_CELLS), file_name)
    except ods.Encrypted:
        raise EncryptedWorkbook(MSG_ENCRYPTED, file=file_name) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            zlib.error, RuntimeError):
        raise ReadError(MSG_CORRUPT, file=file_name) from None


def _xml_sheets(read: Callable[[], list[xml_sheets.XmlSheet]], file_name: str) -> list[Sheet]:
    """The sheets an XML reader (SpreadsheetML, OpenDocument) found, as every reader gives them."""
    try:
        found = read()
    except xml_sheets.TooMany as far:
        cell = f"{column_letters(far.col)}{far.row + 1}"
        raise ReadError(MSG_TOO_WIDE.format(sheet=far.sheet, cell=cell), file=file_name) from None
    except xml_sheets.Broken:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    return [_hidden(_finish(s.name, _grid(s.name, s.cells, s.last_row, s.last_col, file_name), s.merged), s.hidden)
            for s in found]


def _html_text(data: bytes, file_name: str, charset: str | None = None) -> tuple[str, str]:
    """The page's text: its byte-order mark (UTF-16 as .NET exports write it, with or without the
    mark), UTF-8, the charset its MIME part or <meta> names, else GB18030."""
    candidates = ["utf-16"] if data.startswith(_UTF16_BOMS) else []
    bare = _utf16_without_bom(data[:_TEXT_SNIFF_BYTES])
    candidates += [bare] if bare else []
    candidates.append("utf-8-sig")
    candidates += [charset] if charset else []
    match = _META_CHARSET.search(data[:_TEXT_SNIFF_BYTES])
    if match:
        candidates.append(match.group(1).decode("ascii"))
    candidates.append("gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise ReadError(MSG_ENCODING, file=file_name)


def _html_tables(text: str, file_name: str, before: int) -> list[Sheet]:
    """The tables of a page holding text, named 表N after the `before` tables of earlier pages."""
    parser = _TableParser()
    try:
        parser.feed(text)
        parser.close()
        sheets = [sheet for sheet in (table.to_sheet() for table in parser.tables) if sheet.rows]
    except _TooLarge as far:
        table = f"表{before + len(parser.tables)}"
        raise ReadError(MSG_TOO_WIDE.format(sheet=table, cell=far.cell), file=file_name) from None
    except Exception:  # html.parser is lenient; anything it still rejects is a broken file
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    return [Sheet(f"表{i}", sheet.rows, sheet.merged) for i, sheet in enumerate(sheets, before + 1)]


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
        self.cells: list[tuple[int, int, str]] = []  # the cells holding text
        self.merged: list[tuple[int, int, int, int]] = []
        self.row = -1
        self.col = 0
        self.row_open = False
        self.covered_until: dict[int, int] = {}  # column -> last row a rowspan above covers
        self.segments: list[list[str]] | None = None  # text of the open cell, split at <br>
        self.spans = (1, 1)
        # covered slots stepped over and marked: rowspans and colspans of a few KB of markup can
        # cover billions of slots, and walking them would take minutes (MAX_CELLS steps: ~1 s)
        self.steps = 0
        self.width = 0  # one past the rightmost cell holding text

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
        start = col
        while self.covered_until.get(col, -1) >= row:
            col += 1
        rowspan, colspan = self.spans
        self.steps += col - start
        if col >= MAX_COLUMNS or self.steps > MAX_CELLS:
            raise _TooLarge(row, col)
        if value is not None:
            self._hold(row, col, value)
        if rowspan > 1 or colspan > 1:
            self.merged.append((row, col, row + rowspan - 1, col + colspan - 1))
        if rowspan > 1:
            end = min(col + colspan, MAX_COLUMNS)  # columns further right are refused when reached
            self.steps += end - col
            for c in range(col, end):
                self.covered_until[c] = row + rowspan - 1
        self.col = col + colspan

    def _hold(self, row: int, col: int, value: str) -> None:
        """Keep a cell holding text, refused (_TooLarge) once the grid up to it passes MAX_CELLS:
        to_sheet's own check, made as the table grows, so that 3 million rows of markup are
        stopped at the limit instead of being held first (a GB and more)."""
        self.width = max(self.width, col + 1)
        if (row + 1) * self.width > MAX_CELLS:
            raise _TooLarge(row, col)
        self.cells.append((row, col, value))

    def to_sheet(self) -> Sheet:
        self.end_row()
        # the grid spans the cells that hold text, the only ones kept (_finish would trim the
        # empty rows and columns past them, and clip the merged ranges to them): blank spans do
        # not make it larger, and _hold has checked its size
        nrows = max((r for r, _, _ in self.cells), default=-1) + 1
        rows: list[list[object]] = [[None] * self.width for _ in range(nrows)]
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


# --- mht (单个文件网页) ------------------------------------------------------------------------------


def _read_mht(data: bytes, file_name: str) -> tuple[list[Sheet], str]:
    """Excel's 单个文件网页 (.mht, also sent under an .xls name, which Excel opens): a MIME
    message whose text/html parts hold the sheets' tables, one part a sheet when there are
    several. An e-mail saved as a file is a MIME message too: its attachment is the return."""
    try:
        message = email.message_from_bytes(data)
        if message.get_content_type() not in ("multipart/related", "text/html"):
            raise ReadError(MSG_MAIL, file=file_name)
        parts = [(part.get_payload(decode=True), part.get_content_charset())
                 for part in message.walk() if part.get_content_type() == "text/html"]
    except ReadError:
        raise
    except Exception:  # the email package is lenient; a message it still cannot take is broken
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    sheets: list[Sheet] = []
    encoding = ""
    for body, charset in parts:
        if isinstance(body, bytes):
            text, encoding = _html_text(body, file_name, charset)
            sheets += _html_tables(text, file_name, len(sheets))
    if not sheets:
        raise ReadError(MSG_MHT_EMPTY, file=file_name)
    return sheets, encoding
