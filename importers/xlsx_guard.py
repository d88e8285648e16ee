"""What an .xlsx would cost to read, found before any native reader sees it.

calamine builds a dense grid over the bounding box of a sheet's cells and aborts the whole
process (no Python exception) when that allocation fails: one stray cell at XFD1048576 is enough,
and so is a ``uniqueCount`` of ten billion in sharedStrings.xml. Zip entries can also inflate to
gigabytes. So every entry is inflated here first, in chunks, counting the real bytes (declared
sizes are only a first filter), and the cells of every XML part are located; the reader then
chooses calamine (fast, dense) or a sparse reader whose memory follows the cells that exist.
"""

from __future__ import annotations

import functools
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from models.errors import ReadError

__all__ = ["MAX_CELLS", "XlsxCost", "column_letters", "inspect_xlsx"]

MAX_CELLS = 5_000_000  # rows × columns of a grid; 100,000 rows × 50 columns still fit (an empty grid of this size costs calamine ~370 MB)
MAX_INFLATED = 800_000_000  # bytes of all entries together; a 100k × 40 return is about 200 MB
MAX_RATIO = 100  # inflated / compressed of one large entry; real sheets stay under 20
RATIO_FLOOR = 20_000_000  # entries smaller than this may compress as well as they like
MAX_SHARED_STRINGS = 4_000_000  # calamine reserves uniqueCount strings up front
MAX_TAG = 1 << 20  # a single tag longer than this is not a spreadsheet

MSG_BOMB = "文件解压后过大，疑似异常文件，请让报送单位重新导出"
MSG_CORRUPT = "文件已损坏或不完整，无法读取，请让报送单位重新导出"

_CHUNK = 1 << 20
_BLOCK = 8 << 20
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")

# The canonical cell every writer produces: <c r="B12" ...>. The fast scan is one search per
# block for the first cell that is NOT canonical-and-inside-a-known-box (or a prefixed tag): in a
# normal sheet that search runs through the block without stopping, and the box grows a few dozen
# times (rows in steps of the leading digit, columns by letter), each growth one compiled pattern.
_ATTRS = rb'"(?: (?!r[\s=])[\w:.-]+="[^"<]*")* ?/?>'
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_CANONICAL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})' + _ATTRS)
_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
# Anything else is walked tag by tag the way calamine does (prefixes, missing r attributes).
_TAG = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])"
    rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_UNIQUE_COUNT = re.compile(rb"""<(?:[\w.-]+:)?sst\b[^>]*?\suniqueCount\s*=\s*["']\s*([0-9]+)""")


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
    inflated: int  # real bytes of all entries
    largest_grid: int  # rows × columns of the largest sheet box calamine would build
    sparse: bool  # True: calamine must not read this workbook


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


def inspect_xlsx(data: bytes, archive: zipfile.ZipFile, file_name: str) -> XlsxCost:
    """Check every entry of an .xlsx and tell whether calamine may read it.

    Raises :class:`ReadError` for an archive that inflates too far or is damaged.
    """
    infos = archive.infolist()
    declared = sum(info.file_size for info in infos)
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(MSG_BOMB, file=file_name)
    if declared > MAX_INFLATED:
        raise ReadError(MSG_BOMB, file=file_name)

    budget = MAX_INFLATED
    largest = 0
    sparse = False
    for info in infos:
        extent, used, shared = _scan_entry(data, info, budget, file_name)
        budget -= used
        largest = max(largest, extent.cells)
        if shared > MAX_SHARED_STRINGS:
            sparse = True
    return XlsxCost(
        inflated=MAX_INFLATED - budget, largest_grid=largest, sparse=sparse or largest > MAX_CELLS
    )


def _scan_entry(data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str) -> tuple[_Extent, int, int]:
    """(extent of the cells, real inflated bytes, declared uniqueCount) of one entry."""
    extent = _Extent()
    if not _fast_scan(data, info, budget, file_name, extent):
        extent = _Extent()
        _slow_scan(data, info, budget, file_name, extent)
    shared = 0
    if info.filename.lower().endswith("sharedstrings.xml"):
        head = b"".join(_blocks(data, info, budget, file_name, limit_blocks=1))
        match = _UNIQUE_COUNT.search(head[:_BLOCK])
        shared = int(match.group(1)) if match else 0
    return extent, info.file_size, shared


def _fast_scan(data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str, extent: _Extent) -> bool:
    """Extent from canonical cells; False as soon as a block holds anything else.

    One search pass per block finds the cells outside a box that grows as they are found (the
    box bounds the extent from above, at most twice the rows and 26 columns too many); when that
    box exceeds MAX_CELLS the exact extent is counted cell by cell, so a normal return costs one
    pass and a large one at worst the exact count as well."""
    letters, digits = b"A", b"1"  # the furthest column letters and row digits seen
    for block in _blocks(data, info, budget, file_name):
        if _PREFIXED.search(block):
            return False
        pos = 0
        while (found := _outside(letters, digits).search(block, pos)) is not None:
            cell = _CANONICAL.match(block, found.start())
            if cell is None:  # an unusual tag: walk the part the way calamine does
                return False
            col, row = cell.groups()
            if (len(col), col) > (len(letters), letters):
                letters = col
            if int(row) > int(digits):
                digits = row.lstrip(b"0") or b"0"
            pos = found.start() + 1
    high_col, high_row = _column_bound(letters), _row_bound(digits)
    if (high_row + 1) * (high_col + 1) <= MAX_CELLS:
        extent.row, extent.col = high_row, high_col
        return True
    for block in _blocks(data, info, budget, file_name):  # a large sheet: its exact extent
        columns = set(_COLUMNS.findall(block))
        if columns:
            extent.col = max(extent.col, max(_column_number(c) for c in columns))
            extent.row = max(extent.row, max(map(int, set(_ROWS.findall(block)))) - 1)
    return True


def _column_bound(letters: bytes) -> int:
    """The 0-based column the box reaches: one letter exactly, else every letter after the first is Z."""
    return _column_number(letters[:1] + b"Z" * (len(letters) - 1))


def _row_bound(digits: bytes) -> int:
    """The 0-based row the box reaches: the leading digit rounded up (12,345 → 19,999)."""
    return (int(digits[:1]) + 1) * 10 ** (len(digits) - 1) - 2


@functools.lru_cache(maxsize=256)
def _outside(letters: bytes, digits: bytes) -> re.Pattern[bytes]:
    """A <c tag that is not a canonical cell inside the box (with a literal start, which re skips to fast)."""
    first = chr(letters[0]).encode()
    columns = rb"[A-Z]{1,%d}" % (len(letters) - 1) if len(letters) > 1 else b"(?!)"
    columns += rb"|[A-%s]%s" % (first, rb"[A-Z]" * (len(letters) - 1))
    lead, rest = int(digits[:1]), len(digits) - 1
    rows = rb"[0-%d][0-9]{%d}" % (lead, rest)
    if rest:
        rows += rb"|[0-9]{1,%d}" % rest
    inside = rb' r="(?:%s)(?:%s)' % (columns, rows) + _ATTRS
    return re.compile(rb"<c(?=[\s/>])(?!%s)" % inside)


def _slow_scan(data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str, extent: _Extent) -> None:
    """Follow calamine's position rules: a cell without r is right of the previous one, a row
    without r is below the previous one. Cells without content are counted too (safe side)."""
    row = col = 0
    for block in _blocks(data, info, budget, file_name):
        for closing, name, attrs, _empty in _TAG.findall(block):
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


def _blocks(data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str, limit_blocks: int = 0):
    """Inflate one entry into blocks that end between tags, checking the real size as it goes."""
    carry = b""
    parts: list[bytes] = []
    size = 0
    count = 0
    for chunk in _inflate(data, info, budget, file_name):
        parts.append(chunk)
        size += len(chunk)
        if size < _BLOCK:
            continue
        block = carry + b"".join(parts)
        parts, size = [], 0
        cut = block.rfind(b"<")
        if cut < 0 or block.find(b">", cut) >= 0:
            cut = len(block)
        block, carry = block[:cut], block[cut:]
        if len(carry) > MAX_TAG:
            raise ReadError(MSG_CORRUPT, file=file_name)
        yield block
        count += 1
        if limit_blocks and count >= limit_blocks:
            return
    block = carry + b"".join(parts)
    if block:
        yield block


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int, file_name: str):
    """The entry's real bytes in chunks, from the raw stream: a lying declared size, a bad CRC or
    more output than ``budget`` stop here instead of inside the native reader."""
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
    total = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        pieces = (bytes(raw[i : i + _CHUNK]) for i in range(0, len(raw), _CHUNK))
    else:
        pieces = _deflate_pieces(raw, file_name)
    for piece in pieces:
        total += len(piece)
        if total > budget or total > info.file_size:
            raise ReadError(MSG_BOMB if total > budget else MSG_CORRUPT, file=file_name)
        crc = zlib.crc32(piece, crc)
        yield piece
    if total != info.file_size or crc != info.CRC:
        raise ReadError(MSG_CORRUPT, file=file_name)


def _deflate_pieces(raw: memoryview, file_name: str):
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for i in range(0, len(raw), 64 * 1024):
            pending = bytes(raw[i : i + 64 * 1024])
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
