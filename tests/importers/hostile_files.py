"""Hostile workbooks built on the fly (never committed): far corners, zip bombs, forged headers.

Zip bombs are written by hand: one chunk is deflated once with a full flush and its compressed
bytes repeated, so a 1.2 GB entry costs a second to build and a few MB on disk.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
from xlrd.compdoc import CompDoc

DATA = Path(__file__).resolve().parent.parent / "data"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    "</Relationships>"
)


def skeleton(sheet_xml: str | bytes, extra: dict[str, str] | None = None) -> dict[str, bytes]:
    members = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet_xml,
        **(extra or {}),
    }
    return {name: text.encode() if isinstance(text, str) else text for name, text in members.items()}


def write_xlsx(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def write_bomb(
    path: Path, head: bytes, chunk: bytes, repeat: int, tail: bytes, declared: int | None = None
) -> Path:
    """An .xlsx whose sheet is head + chunk × repeat + tail, deflated without ever holding it.

    ``declared`` forges the uncompressed size written in the headers (the CRC stays that of the
    real content, as a careless or hostile writer would leave it).
    """
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflater.compress(head) + deflater.flush(zlib.Z_FULL_FLUSH)
    middle = deflater.compress(chunk) + deflater.flush(zlib.Z_FULL_FLUSH)
    last = deflater.compress(tail) + deflater.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(repeat):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * repeat + len(tail)
    compressed = len(first) + len(middle) * repeat + len(last)

    small = skeleton("")
    del small["xl/worksheets/sheet1.xml"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in small.items():
            archive.writestr(name, data)
        entries = archive.infolist()
    body = buffer.getvalue()
    local_end = min(
        (body.find(b"PK\x01\x02"),),
    )
    central = body[local_end : body.find(b"PK\x05\x06")]
    name = b"xl/worksheets/sheet1.xml"
    stated = size if declared is None else declared
    with open(path, "wb") as out:
        out.write(body[:local_end])
        offset = local_end
        out.write(
            struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, compressed, stated, len(name), 0)
        )
        out.write(name + first)
        for _ in range(repeat):
            out.write(middle)
        out.write(last)
        directory = (
            central
            + struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                compressed,
                stated,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        start = out.tell()
        out.write(directory)
        out.write(
            struct.pack(
                "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries) + 1, len(entries) + 1, len(directory), start, 0
            )
        )
    return path


def far_corner_xlsx(path: Path, far_value: str = " ") -> Path:
    """A real return (merged title, int, date, text with spaces) plus one cell at XFD1048576."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws["A1"] = "社会工作专业人才摸排登记表"
    ws.merge_cells("A1:D1")
    ws.append(["序号", "姓名", "身份证号码", "取得时间"])
    ws.append([1, " 李四 ", "150302198002021234", __import__("datetime").date(2019, 6, 1)])
    ws.append([2, "张三", 150302198001011234, 12.5])
    if far_value is not None:
        ws["XFD1048576"] = far_value
    wb.save(path)
    return path


def patched_xls(path: Path, kind: str) -> Path:
    """tests/data/readers_tiny.xls with one BIFF record rewritten in place (its stream is one run)."""
    data = bytearray((DATA / "readers_tiny.xls").read_bytes())
    stream = CompDoc(bytes(data), logfile=io.StringIO()).get_named_stream("Workbook")
    base = bytes(data).find(stream[:512])
    records = []
    pos = 0
    while pos + 4 <= len(stream):
        record_type, length = struct.unpack_from("<HH", stream, pos)
        records.append((pos, record_type, length))
        pos += 4 + length
    if kind in ("far", "wide"):  # a LABELSST cell of the first sheet moved to the far corner
        pos = [p for p, t, _ in records if t == 0x00FD][3]
        struct.pack_into("<HH", data, base + pos + 4, 65535, 255 if kind == "far" else 65535)
    elif kind == "dimensions":  # a DIMENSIONS record claiming 4 billion rows × 65536 columns
        pos = next(p for p, t, _ in records if t == 0x0200)
        struct.pack_into("<LLHH", data, base + pos + 4, 0, 0xFFFFFFFF, 0, 0xFFFF)
    elif kind.startswith("empty "):  # the first record of a type (hex) said to hold nothing
        pos = next(p for p, t, _ in records if t == int(kind.split()[1], 16))
        struct.pack_into("<H", data, base + pos + 2, 0)
    elif kind == "merged count":  # a MERGEDCELLS record counting 65535 ranges
        pos = next(p for p, t, _ in records if t == 0x00E5)
        struct.pack_into("<H", data, base + pos + 4, 0xFFFF)
    elif kind.startswith("codepage "):  # the CODEPAGE record saying another codepage
        pos = next(p for p, t, _ in records if t == 0x0042)
        struct.pack_into("<H", data, base + pos + 4, int(kind.split()[1]))
    elif kind == "filepass":  # an XOR-obfuscation FILEPASS record among the globals
        pos, _, length = next(
            (p, t, n) for p, t, n in records if n >= 10 and t not in (0x0809, 0x0085, 0x00FC, 0x0042)
        )
        struct.pack_into("<HHHHH", data, base + pos, 0x002F, 6, 0, 0x1234, 0x5678)
        struct.pack_into("<HH", data, base + pos + 10, 0x0000, length - 10)
    path.write_bytes(bytes(data))
    return path
