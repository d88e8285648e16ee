"""What an .xlsx would cost to read, found before any native reader sees it.

calamine builds a dense grid over the bounding box of a sheet's cells and aborts the whole
process (no Python exception) when that allocation fails: one stray cell at XFD1048576 is enough,
and so is a ``uniqueCount`` of ten billion in sharedStrings.xml. Zip entries can also inflate to
gigabytes. So every entry is inflated here first, in pieces, counting the real bytes (declared
sizes are only a first filter), and the cells of every XML part are located; the reader then
chooses calamine (fast, dense) or a sparse reader whose memory follows the cells that exist. A
large sheet parsed in pieces (importers.sheet_pieces) is inflated once, by the pieces, with the
checks made here (inflate_entry): each piece is scanned here (PartScan) before it is parsed, and
anything unexpected checks the whole workbook.

This runs before every .xlsx import, so its cost is held near zlib's own: each inflated piece is
searched once, in place, while it is still in the CPU cache (see ``_FastScan``).
"""

from __future__ import annotations

import functools
import re
import struct
import zipfile
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from models.errors import ReadError

__all__ = ["MAX_CELLS", "MAX_COLUMNS", "MAX_ROWS", "PartScan", "XlsxCost", "check_declared", "column_letters", "inflate_entry", "inspect_xlsx"]

MAX_CELLS = 5_000_000  # rows × columns of a grid; 100,000 rows × 50 columns still fit (an empty grid of this size costs calamine ~370 MB)
MAX_ROWS, MAX_COLUMNS = 1 << 20, 1 << 14  # Excel's last row and column (XFD1048576): no return goes further
MAX_INFLATED = 800_000_000  # bytes of all entries together; a 100k × 40 return is about 200 MB
MAX_RATIO = 100  # inflated / compressed of one large entry; real sheets stay under 20
RATIO_FLOOR = 20_000_000  # entries smaller than this may compress as well as they like
MAX_SHARED_STRINGS = 4_000_000  # calamine reserves uniqueCount strings up front
MAX_TAG = 1 << 20  # a single tag longer than this is not a spreadsheet

MSG_BOMB = "文件解压后过大，疑似异常文件，请让报送单位重新导出"
MSG_CORRUPT = "文件已损坏或不完整，无法读取，请让报送单位重新导出"

_CHUNK = 1 << 20  # most inflated bytes zlib hands back at once
_FEED = 64 << 10  # compressed bytes given to zlib at a time: its pieces stay cache-sized
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")

# The canonical cell every writer produces: <c r="B12" ...>, r first, in double quotes, attributes
# one space apart and none of them another r (calamine takes the last r of a tag).
_ATTRS = rb'(?: (?!r[\s=])[\w:.-]+="[^"<]*")* ?/?>'
_CANONICAL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"' + _ATTRS)
# The attribute lists nearly every cell has, as alternatives re tries in a few steps (a general
# attribute loop per cell costs the search twice as much, optional groups a third more); any other
# list is checked by _CANONICAL. An empty element may end in " />", as Python's ElementTree (and so
# openpyxl) writes it: every styled empty cell of such a return was a stop of the search.
_COMMON_ATTRS = rb'(?:>| t="[^"]*+"(?:>| ?/>)| s="[^"]*+"(?:>| t="[^"]*+"(?:>| ?/>)| ?/>)| ?/>)'
_ODD_CELLS = 32  # inside-box cells with other attribute lists before a part is searched with _ATTRS
_ROUND_ROWS = 3  # rows of up to this many digits are bounded by all nines (fewer patterns to compile)
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
# Anything else is walked tag by tag the way calamine does (prefixes, missing r attributes, and
# attributes with no space between them, which calamine reads too).
_TAG = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])"
    rb"((?:\s*[^\s=/>\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_R_ATTR = re.compile(rb"""(?<![^\s"'])r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_SST = re.compile(rb"<(?:[\w.-]+:)?sst\b([^>]*)>")
_UNIQUE_COUNT = re.compile(rb"""\suniqueCount\s*=\s*["']\s*([0-9]+)""")


@dataclass
class _Extent:
    """Largest 0-based row and column of the cells of one XML part (-1: none)."""

    row: int = -1
    col: int = -1

    @property
    def cells(self) -> int:
        return (self.row + 1) * (self.col + 1)


@dataclass(frozen=True)
class XlsxCost:
    largest_grid: int  # rows × columns of the largest sheet box calamine would build
    sparse: bool  # True: calamine must not read this workbook
    # formulas saved without their results (a file a program wrote and no one opened in Excel):
    # every reader sees those cells empty
    formulas_without_values: bool = False


def column_letters(col: int) -> str:
    """0-based column number → Excel letters (16383 → XFD)."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    """Excel letters → 0-based column (either case, as calamine reads them)."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col - 1


def check_declared(archive: zipfile.ZipFile, file_name: str) -> None:
    """The first filter, on what the archive's directory declares (nothing inflated): no entry
    compressed far past what sheets compress to, and not too much in all. Raises ReadError."""
    infos = archive.infolist()
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(MSG_BOMB, file=file_name)
    if sum(info.file_size for info in infos) > MAX_INFLATED:
        raise ReadError(MSG_BOMB, file=file_name)


def inspect_xlsx(data: bytes, archive: zipfile.ZipFile, file_name: str,
                 scanned_later: Collection[str] = ()) -> XlsxCost:
    """Check every entry of an .xlsx and tell whether calamine may read it.

    `scanned_later`: sheet entries a reader inflates itself, a piece at a time, feeding each to a
    PartScan before anything parses it (importers.sheet_pieces). Only their first FORMULA_LOOK
    bytes are inflated here: a 100k-row sheet was inflated twice, the guard's pass alone taking
    0.15 s before the parse could begin. Raises :class:`ReadError` for an archive that inflates
    too far or is damaged.
    """
    check_declared(archive, file_name)
    budget = MAX_INFLATED
    largest = 0
    sparse = blank_formulas = False
    for info in archive.infolist():
        if info.filename in scanned_later:
            budget -= info.file_size  # the reader's stream stops at the declared size
            blank_formulas = blank_formulas or _blank_formulas_early(data, info, budget, file_name)
            continue
        extent, used, shared, blank = _scan_entry(data, info, budget, file_name)
        budget -= used
        largest = max(largest, extent.cells)
        blank_formulas = blank_formulas or blank
        if shared > MAX_SHARED_STRINGS:
            sparse = True
    return XlsxCost(largest_grid=largest, sparse=sparse or largest > MAX_CELLS, formulas_without_values=blank_formulas)


FORMULA_LOOK = 4 << 20  # a program that writes formulas without results does so from the first rows
# A formula cell whose result is missing or empty (<v/>, as openpyxl writes it).
_BLANK_FORMULA = re.compile(rb"(?:</f>|<f\b[^<>]*/>)(?:<v\s*/>|<v></v>)?</c>")
# An f after < or /, which each of its matches holds: re finds that by the f, a byte XML rarely
# has, where _BLANK_FORMULA stops at every '<' (30 KB of a sheet without formulas: 9 µs, not 37).
_F_AFTER_TAG_START = re.compile(rb"f(?<=[</]f)")


def _blank_formula_in(buf: bytes, start: int, end: int) -> bool:
    """Whether buf[start:end] holds a formula without its result (_BLANK_FORMULA, searched only
    from two bytes before the first f after < or /: no match begins earlier)."""
    first_f = _F_AFTER_TAG_START.search(buf, start, end)
    return first_f is not None and _BLANK_FORMULA.search(buf, max(start, first_f.start() - 2), end) is not None


def _blank_formulas_early(data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str) -> bool:
    """Whether a formula has no saved result in the part's first FORMULA_LOOK bytes."""
    looked = 0
    for buf, start, end in _spans(data, info, budget, file_name):
        if _blank_formula_in(buf, start, end):
            return True
        looked += end - start
        if looked >= FORMULA_LOOK:
            break
    return False


class PartScan:
    """The guard's look at the cells of one sheet entry left to its reader (inspect_xlsx's
    `scanned_later`), fed the entry's text in order in spans that never cut a tag. The reader
    parses a span only after `feed` said True; False means the part is not one the fast scan
    reads (a cell written unusually, a prefixed tag) or its cells' box has grown past MAX_CELLS:
    the reader stops, and the whole workbook is inspected before it is read any other way."""

    def __init__(self) -> None:
        self._scan: _FastScan | None = _FastScan()

    def feed(self, span: bytes) -> bool:
        if self._scan is None or not self._scan.feed(span, 0, len(span)) or self._scan.extent().cells > MAX_CELLS:
            self._scan = None
            return False
        return True


def inflate_entry(data: bytes, info: zipfile.ZipInfo, file_name: str) -> Iterator[bytes]:
    """One entry's real bytes in pieces, checked as every entry the guard inflates is (its declared
    size, the end of its deflate stream) and against its CRC: for a reader that inflates an entry
    left to it (importers.sheet_pieces). zipfile gives an entry shorter than declared, cut at its
    declared size, or whose deflate stream has no end, as it is when its CRC matches what it gave;
    the guard and calamine refuse such an entry. Raises ReadError."""
    crc = 0
    for piece in _inflate(data, info, info.file_size, file_name):
        crc = zlib.crc32(piece, crc)
        yield piece
    if crc != info.CRC:
        raise ReadError(MSG_CORRUPT, file=file_name)


def _scan_entry(data: bytes, info: zipfile.ZipInfo, budget: int,
                file_name: str) -> tuple[_Extent, int, int, bool]:
    """(extent of the cells, real inflated bytes, declared uniqueCount, whether a formula has no
    saved result in its first FORMULA_LOOK bytes) of one entry, in one inflation unless the part
    holds something other than canonical cells."""
    shared = -1 if info.filename.lower().endswith("sharedstrings.xml") else 0
    scan: _FastScan | None = _FastScan()
    blank_formula, looked = False, 0
    for buf, start, end in _spans(data, info, budget, file_name):
        if not blank_formula and looked < FORMULA_LOOK:
            looked += end - start
            blank_formula = _blank_formula_in(buf, start, end)
        if shared < 0 and (sst := _SST.search(buf, start, end)) is not None:
            count = _UNIQUE_COUNT.search(sst.group(1))
            shared = int(count.group(1)) if count else 0
        if scan is not None and not scan.feed(buf, start, end):
            scan = None  # walked again below; read on only to find the <sst> tag
            if shared >= 0:
                break
    if scan is None:
        extent = _slow_extent(data, info, budget, file_name)
    else:
        extent = scan.extent()
        if extent.cells > MAX_CELLS:  # the box is only a bound: a large sheet gets its exact extent
            extent = _exact_extent(data, info, budget, file_name)
    return extent, info.file_size, max(shared, 0), blank_formula


class _FastScan:
    """The extent of a part whose cells are all canonical, found with one search per span.

    The search looks for the first <c tag that is NOT a canonical cell inside a box known to hold
    every cell seen so far; in a normal sheet it runs through the span without stopping. A cell
    found outside grows the box (columns to the first letter followed by Zs, rows to the leading
    digit followed by 9s, any row under 1,000 to 999: a bound from above, under twice the rows
    of a larger sheet) and the search goes on with the pattern of the new box; anything that is
    not a canonical cell, or a prefixed tag, makes ``feed`` return False and the part is walked
    by ``_slow_extent``."""

    def __init__(self) -> None:
        self.col = (1, ord("A"))  # (letters, first letter) of the widest column
        self.row = (1, 9)  # (digits, leading digit) of the furthest row
        self.odd_cells = 0
        self.pattern = _outside(self.col, self.row, False)

    def feed(self, buf: bytes, start: int, end: int) -> bool:
        colon = buf.find(b":", start, end)
        if colon >= 0 and _PREFIXED.search(buf, colon, end):
            return False
        pos = start
        while (found := self.pattern.search(buf, pos, end)) is not None:
            at = found.start()
            cell = _CANONICAL.match(buf, at, end)
            if cell is None:
                return False
            if self._take(cell):
                # a growing sheet: take the last cell of this row and of this span as well, so
                # the box grows once per span rather than once per row
                row_end = buf.find(b"</row>", at, end)
                for probe in (
                    buf.rfind(b'<c r="', at, row_end if row_end >= 0 else end),
                    buf.rfind(b'<c r="', at, end),
                ):
                    if probe > at and (far := _CANONICAL.match(buf, probe, end)) is not None:
                        self._take(far)
            else:
                self.odd_cells += 1
            self.pattern = _outside(self.col, self.row, self.odd_cells > _ODD_CELLS)
            pos = at + 1
        return True

    def _take(self, cell: re.Match[bytes]) -> bool:
        """Grow the box to hold ``cell``; False when it already did."""
        letters, digits = cell.groups()
        digits = digits.lstrip(b"0") or b"0"
        col = (len(letters), letters[0])
        row = (len(digits), 9 if len(digits) <= _ROUND_ROWS else digits[0] - 48)
        if col <= self.col and row <= self.row:
            return False
        self.col, self.row = max(self.col, col), max(self.row, row)
        return True

    def extent(self) -> _Extent:
        letters, first = self.col
        digits, lead = self.row
        return _Extent(
            row=(lead + 1) * 10 ** (digits - 1) - 2,
            col=_column_number(bytes([first]) + b"Z" * (letters - 1)),
        )


@functools.lru_cache(maxsize=256)
def _outside(col: tuple[int, int], row: tuple[int, int], any_attributes: bool) -> re.Pattern[bytes]:
    """A <c tag that is not a canonical cell inside the box. The literal start lets re skip to
    each <c quickly; ``[A-F]?[A-Z]{1,2}+`` is "at most three letters, and three only from A to F",
    ``[0-1]?[0-9]{1,5}+`` the same for six digits, both without alternatives to backtrack into
    (possessive runs: giving back a letter or digit never lets the quote that follows match)."""
    letters, first = col
    columns = b"[A-%c]" % first if letters == 1 else b"[A-%c]?[A-Z]{1,%d}+" % (first, letters - 1)
    digits, lead = row
    rows = b"[0-%d]" % lead if digits == 1 else b"[0-%d]?[0-9]{1,%d}+" % (lead, digits - 1)
    attrs = _ATTRS if any_attributes else _COMMON_ATTRS
    return re.compile(rb'<c(?! r="%s%s"%s)(?=[\s/>])' % (columns, rows, attrs))


def _exact_extent(data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str) -> _Extent:
    """The furthest row and column of a part of canonical cells (one more inflation)."""
    extent = _Extent()
    for buf, start, end in _spans(data, info, budget, file_name):
        columns = set(_COLUMNS.findall(buf, start, end))
        rows = set(_ROWS.findall(buf, start, end))
        if columns:
            extent.col = max(extent.col, max(_column_number(c) for c in columns))
        if rows:
            extent.row = max(extent.row, max(map(int, rows)) - 1)
    return extent


def _slow_extent(data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str) -> _Extent:
    """Follow calamine's position rules: a cell without r is right of the previous one, a row
    without r is below the previous one. Cells without content are counted too (safe side)."""
    extent = _Extent()
    row = col = 0
    for buf, start, end in _spans(data, info, budget, file_name):
        for closing, name, attrs, _empty in _TAG.findall(buf, start, end):
            ref = _R_ATTR.findall(attrs)
            if name == b"c":
                if closing:
                    continue
                if ref:
                    letters, digits = max(ref, key=lambda rd: (len(rd[0]), rd[0]))
                    cell_row = max(int(d or 0) for _, d in ref) - 1 if any(d for _, d in ref) else row
                    col = _column_number(letters) if letters else col
                    row_here = cell_row
                else:
                    row_here = row
                extent.row = max(extent.row, row_here)
                extent.col = max(extent.col, col)
                col += 1
            elif closing:
                row, col = row + 1, 0
            else:
                if ref and any(d for _, d in ref):
                    row = max(int(d or 0) for _, d in ref) - 1
                col = 0
                if _empty:
                    row += 1
    return extent


def _spans(
    data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str
) -> Iterator[tuple[bytes, int, int]]:
    """(buffer, start, end): the entry's text in order, in spans that never cut a tag.

    Each inflated piece is searched in place up to its last '<'; only the tag cut there is
    copied, joined to the next piece up to its first '>' (copying every piece into blocks cost
    as much as a search)."""
    carry = b""
    for piece in _inflate(data, info, budget, file_name):
        start = 0
        if carry:
            close = piece.find(b">") + 1
            if not close:
                carry += piece
                if len(carry) > MAX_TAG:
                    raise ReadError(MSG_CORRUPT, file=file_name)
                continue
            joined = carry + piece[:close]
            yield joined, 0, len(joined)
            start = close
        cut = piece.rfind(b"<", start)
        if cut < 0 or piece.find(b">", cut) >= 0:
            cut = len(piece)
        carry = piece[cut:]
        if len(carry) > MAX_TAG:
            raise ReadError(MSG_CORRUPT, file=file_name)
        if cut > start:
            yield piece, start, cut
    if carry:
        yield carry, 0, len(carry)


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str) -> Iterator[bytes]:
    """The entry's real bytes in pieces, from the raw stream: a lying declared size or more output
    than ``budget`` stop here instead of inside the native reader. zlib checks a deflated stream
    as it inflates and both readers check the CRC as they read, so only a stored entry (which
    nothing else checks) has its CRC computed here."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ReadError(MSG_CORRUPT, file=file_name)
    try:
        header = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    except struct.error:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    if header[0] != b"PK\x03\x04":
        raise ReadError(MSG_CORRUPT, file=file_name)
    start = info.header_offset + _LOCAL_HEADER.size + header[10] + header[11]
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise ReadError(MSG_CORRUPT, file=file_name)
    if info.compress_type == zipfile.ZIP_STORED:
        pieces = _stored_pieces(raw, info.CRC, file_name)
    else:
        pieces = _deflate_pieces(raw, file_name)
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > budget or total > info.file_size:
            raise ReadError(MSG_BOMB if total > budget else MSG_CORRUPT, file=file_name)
        yield piece
    if total != info.file_size:
        raise ReadError(MSG_CORRUPT, file=file_name)


def _stored_pieces(raw: memoryview, crc: int, file_name: str) -> Iterator[bytes]:
    seen = 0
    for i in range(0, len(raw), _CHUNK):
        piece = bytes(raw[i : i + _CHUNK])
        seen = zlib.crc32(piece, seen)
        yield piece
    if seen != crc:
        raise ReadError(MSG_CORRUPT, file=file_name)


def _deflate_pieces(raw: memoryview, file_name: str) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for i in range(0, len(raw), _FEED):
            pending: bytes | memoryview = raw[i : i + _FEED]
            while pending:
                out = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                if out:
                    yield out
        while not inflater.eof:
            out = inflater.decompress(b"", _CHUNK)
            if not out:
                break
            yield out
    except zlib.error:
        raise ReadError(MSG_CORRUPT, file=file_name) from None
    if not inflater.eof:
        raise ReadError(MSG_CORRUPT, file=file_name)
