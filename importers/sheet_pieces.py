"""A large worksheet parsed in pieces, two at a time.

python-calamine parses a sheet on one core, and lets go of Python's lock while it parses. A
100k-row return's sheet is ~55 MB of XML, and its parse is most of reading the file. So a sheet
that large, with its text in its cells (see large_entry), is cut where numbered rows begin into
PIECES small workbooks (the sheet's XML holding only some of its rows, with the few parts calamine
reads to open it, stored uncompressed) which two threads parse as the sheet inflates; the rows
are put back at their own row and column numbers. bench/bench_import.py shows the read beside
the bare whole-file read.

Anything this does not expect reads the sheet whole, as before: a row without its number (its
place would be counted from the piece's start), tags with a namespace prefix, no <sheetData> or a
second one, rows out of order, a piece calamine cannot parse. The file has passed
importers.xlsx_guard before any of this runs, except the cells of the sheet read in pieces: those
are inflated once, here, by the guard's own inflater (inflate_entry: an entry it would call
damaged stops the pieces), and each piece passes the guard's scan (PartScan) before it is parsed.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from python_calamine import CalamineWorkbook

from importers.xlsx_guard import PartScan, inflate_entry

PIECE_MIN_BYTES = 16 << 20  # a sheet's XML from this size on is parsed in pieces (~30k rows of 20 columns)
# Measured on a 100k-row sheet of inline strings (read_workbook, whole 1.05-1.35 s): 4 pieces
# 0.89 s and 335 MB at most, 8 0.84 s and 250 MB, 12 0.89 s and 205 MB (the whole read: 206 MB).
PIECES = 8
PARTS_SHARE_MAX = 20  # what every piece carries beside its rows (shared strings, styles…): at most 1/20 of the sheet
# The parts calamine reads to open a workbook and one sheet; a piece carries these and its sheet only.
_PARTS_READ = ("[content_types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_PARTS_READ_ENDING = ("sharedstrings.xml", "styles.xml")
THREADS = 2
_LOOK = 4096  # bytes past a cut inflated already: the row tag there is whole
_HEAD_MAX = 4 << 20  # <sheetData> further in than this: not a sheet as writers make them
_TAIL = b"</sheetData></worksheet>"

_SHEET_TAG = re.compile(rb'<sheet\b[^>]*>')
_RID_ATTR = re.compile(rb'\s\w+:id="([^"]*)"')  # r:id, whatever the prefix
_NAME_ATTR = re.compile(rb'\sname="([^"]*)"')
# XML's five entities, &amp; last (xml.sax.saxutils.unescape's order, which would bring urllib
# and ssl into the reader process: 14 ms of its start)
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))
_REL_TAG = re.compile(rb'<Relationship\b[^>]*>')
_ID_ATTR = re.compile(rb'\bId="([^"]*)"')
_TARGET_ATTR = re.compile(rb'\bTarget="([^"]*)"')
# A row tag whose attributes, each in double quotes, include its number (an attribute in single
# quotes could hide r="…" inside its value, so such a tag does not count as numbered).
_ROW_NUMBER = re.compile(rb'<row(?:\s+(?!r=)[\w:.-]+="[^"<]*")*\s+r="([0-9]+)"')
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:row|c|sheetData)[\s/>]")

Rows = list[list[Any]]
Merged = list[tuple[int, int, int, int]]


# A worksheet part as writers name it (not a shared-strings part a crafted workbook put beside them).
WORKSHEET_PART = re.compile(r"xl/worksheets/(?!.*sharedstrings\.xml$)[^/]+\.xml", re.IGNORECASE)


def sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Zip entry -> name of the workbook's sheets, in the workbook's order (those whose entry can be told)."""
    return {entry: name for name, entry in _sheets(archive) if entry is not None}


def unescape(text: str) -> str:
    """An attribute's text with XML's named entities replaced (character references stay, as
    xml.sax.saxutils.unescape leaves them)."""
    if "&" in text:
        for entity, char in _ENTITIES:
            text = text.replace(entity, char)
    return text


def _sheets(archive: zipfile.ZipFile) -> list[tuple[str, str | None]]:
    """(name, zip entry) of each sheet, in the workbook's order."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, zlib.error, RuntimeError, OSError, EOFError, ValueError,
            NotImplementedError):
        # a part zipfile will not give (a wrong CRC, a local header naming another file) which
        # calamine may still read: the sheets are read whole, as calamine reads them
        return []
    targets = {}
    for tag in _REL_TAG.findall(rels):
        rid, target = _ID_ATTR.search(tag), _TARGET_ATTR.search(tag)
        if rid and target:
            path = target.group(1).decode("utf-8", "replace")
            path = path[1:] if path.startswith("/") else posixpath.normpath(posixpath.join("xl", path))
            targets[rid.group(1)] = path
    sheets: list[tuple[str, str | None]] = []
    for tag in _SHEET_TAG.findall(workbook):
        rid, name = _RID_ATTR.search(tag), _NAME_ATTR.search(tag)
        sheets.append((unescape(name.group(1).decode("utf-8", "replace")) if name else "",
                       targets.get(rid.group(1)) if rid else None))
    return sheets


def large_sheets(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip entry of the sheets worth parsing in pieces (large_entry); nothing is
    read when no entry is that large (most returns). By name, so that a workbook part this module
    reads differently from calamine cannot send one sheet's pieces to another."""
    if all(info.file_size < PIECE_MIN_BYTES for info in archive.infolist()):
        return {}
    if any(info.orig_filename != info.filename for info in archive.infolist()):
        # zipfile cuts a name at a NUL byte, calamine does not: the two would read other parts
        return {}
    return {name: entry for name, entry in _sheets(archive) if entry is not None and large_entry(archive, entry)}


def large_entry(archive: zipfile.ZipFile, entry: str | None) -> bool:
    """Whether a sheet is worth parsing in pieces: its XML is large, and its text is in its cells
    (as openpyxl's write-only mode, POI's streaming workbooks and XlsxWriter's constant-memory
    mode write large exports), not in a large shared-strings part that every piece would parse
    again (a 100k-row workbook saved by Excel or WPS: no faster in pieces, and more memory).
    Whatever every piece carries besides its rows is at most 1/PARTS_SHARE_MAX of the sheet."""
    if entry is None:
        return False
    try:
        size = archive.getinfo(entry).file_size
    except KeyError:
        return False
    carried = sum(info.file_size for info in _parts_read(archive, entry))
    return size >= PIECE_MIN_BYTES and carried * PARTS_SHARE_MAX <= size


def _parts_read(archive: zipfile.ZipFile, entry: str) -> list[zipfile.ZipInfo]:
    """The parts besides the sheet that calamine reads to give its cells: a piece carries only
    these (not pictures, other sheets or a damaged part calamine would never open)."""
    return [info for info in archive.infolist() if info.filename != entry
            and (info.filename.lower() in _PARTS_READ or info.filename.lower().endswith(_PARTS_READ_ENDING))]


def read_in_pieces(data: bytes, entry: str, index: int, clean: Callable[[Rows], Rows]) -> tuple[Rows, Merged] | None:
    """Sheet `index` of the workbook `data` (stored in `entry`): its rows (each at its row and
    column number from A1, cleaned by `clean`) and merged ranges, as a whole read with
    skip_empty_area=False gives them; None: read it whole. Each piece is parsed as soon as it is
    inflated and has passed the guard's scan of this entry (importers.xlsx_guard.inspect_xlsx
    leaves it to the pieces); None as soon as a piece does not."""
    with ThreadPoolExecutor(THREADS, thread_name_prefix="sheet-piece") as pool:
        futures: list[Future] = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                others = {info.filename: archive.read(info) for info in _parts_read(archive, entry)}
                info = archive.getinfo(entry)
            for piece in _pieces(data, info, PartScan()):
                if len(futures) >= THREADS:  # no more pieces held than are parsed at once
                    futures[-THREADS].result()
                futures.append(pool.submit(_parse, _piece_book(others, entry, piece), index, clean))
            parsed = [future.result() for future in futures]
        except BaseException as err:  # calamine raises CalamineError, and a Rust panic is a BaseException
            for future in futures:
                future.cancel()
            if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            return None
    rows = _joined(parsed)
    return None if rows is None else (rows, parsed[-1][2])  # the merged ranges follow the rows: in the last piece


class _Unexpected(Exception):
    """The sheet's XML is not cut as this module expects: read it whole."""


def _pieces(data: bytes, info: zipfile.ZipInfo, scan: PartScan) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(head, rows, tail) of each piece, inflating as it goes: the part before the rows, about
    1/PIECES of <sheetData>'s content cut where a numbered row begins, and the end: the sheet's
    own (merged ranges…) for the last piece, the closing tags alone for the others. Every byte of
    the entry is fed to `scan` before the piece holding it is given (cuts fall between tags). The
    entry is inflated by the guard's inflate_entry: one the guard would call damaged (its size,
    its deflate stream or its CRC not as declared) stops the pieces as it stops a whole read."""
    passed = scan.feed
    step = info.file_size // PIECES
    buf = bytearray()
    head = b""
    begin = -1  # where the rows not yet given away begin in buf
    for chunk in inflate_entry(data, info, info.filename):
        buf += chunk
        if begin < 0:
            opened = buf.find(b"<sheetData>")
            if opened < 0:
                if len(buf) > _HEAD_MAX:
                    raise _Unexpected
                continue
            begin = opened + len(b"<sheetData>")
            head = bytes(buf[:begin])
            if _PREFIXED.search(head) or not passed(head):
                raise _Unexpected
        while len(buf) - begin > step + _LOOK:
            at = buf.find(b"<row", begin + step, len(buf) - _LOOK)
            if at < 0:
                break
            _check_row(buf, at)
            if buf.find(b"</sheetData", begin, at) >= 0:  # a second <sheetData> after it: calamine reads the first only
                raise _Unexpected
            rows = bytes(buf[begin:at])
            if not passed(rows):
                raise _Unexpected
            yield head, rows, _TAIL
            del buf[:at]  # the rows given away
            begin = 0
    closed = buf.find(b"</sheetData>", max(begin, 0))
    if begin < 0 or closed < begin:
        raise _Unexpected
    first = buf.find(b"<row", begin, closed)
    if first >= 0:
        _check_row(buf, first)
    rows, tail = bytes(buf[begin:closed]), bytes(buf[closed:])
    if not (passed(rows) and passed(tail)):
        raise _Unexpected
    yield head, rows, tail



def _check_row(buf: bytearray, at: int) -> None:
    if _ROW_NUMBER.match(buf, at) is None:  # a row without its number: calamine counts it from the piece's start
        raise _Unexpected


def _piece_book(others: dict[str, bytes], entry: str, sheet_xml: tuple[bytes, bytes, bytes]) -> io.BytesIO:
    """A workbook of the same parts whose sheet holds only this piece's rows, uncompressed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as book:
        for name, data in others.items():
            book.writestr(name, data)
        with book.open(entry, "w") as sheet:
            for part in sheet_xml:
                sheet.write(part)
    buf.seek(0)
    return buf


def _parse(book: io.BytesIO, index: int, clean: Callable[[Rows], Rows]) -> tuple[tuple[int, int] | None, Rows, Merged]:
    """A piece's start, cleaned rows and merged ranges. Cleaned here, on the parsing thread: the
    other thread's parse (which lets go of Python's lock) goes on meanwhile, where cleaning every
    piece after the last one was parsed had the main thread do it alone (0.1 s of a 100k-row read)."""
    workbook = CalamineWorkbook.from_filelike(book)
    try:
        sheet = workbook.get_sheet_by_index(index)
        merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
        return sheet.start, clean(sheet.to_python(skip_empty_area=True)), merged
    finally:
        workbook.close()


def _joined(parsed: list[tuple[tuple[int, int] | None, Rows, Merged]]) -> Rows | None:
    """The pieces' rows at their places: empty rows for the gaps, empty cells left of a piece
    whose first column is not A (_finish pads the right). None when a piece starts at or above a
    row an earlier piece holds (rows out of order, or one row number twice: calamine puts such
    cells together when it reads the sheet whole)."""
    rows: Rows = []
    for start, piece_rows, _merged in parsed:
        if start is None or not piece_rows:
            continue
        first_row, first_col = start
        if first_row < len(rows):
            return None
        rows.extend([] for _ in range(first_row - len(rows)))
        if first_col:
            pad = [None] * first_col
            piece_rows = [pad + row for row in piece_rows]
        rows.extend(piece_rows)
    return rows
