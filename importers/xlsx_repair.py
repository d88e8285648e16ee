"""Workbooks that Excel opens, after offering to repair them, and calamine refuses.

Programs that export returns sometimes write a worksheet that breaks the format's rules in a small
way: a merged range written "A8:", a dimension or cell reference without its row number, a cell
type the format does not know, "1,0" or "true" as a number, a shared string that is not there.
Newer Excel itself writes error values calamine 0.9 does not know (#SPILL!, #CALC!…). Excel
repairs such a file when it is opened (it asks first); calamine refuses the whole workbook, and
the clerk was told 文件已损坏 about a file that opens on their own screen.

When calamine refuses a workbook (importers.readers), its worksheets are rewritten here as a
repair would leave them and read again: a reference that cannot be read is dropped (a cell
without one takes the next place in its row, as Excel places it), a value that does not fit its
cell's type is kept as text, an unknown error value is an error cell like any other (blank), a
missing shared string an empty cell. Nothing is guessed beyond that: a part that is not well-formed
XML (calamine's XmlError: Excel gives up on such a part too), or damage outside the worksheets,
still reads as damaged. What was changed is named, so that the review can ask the clerk to check
those cells.

The workbook has passed importers.xlsx_guard before calamine ever ran, and the rewritten one is
inspected again before it is read; a rewrite never adds cells and grows a part by a few bytes per
changed cell at most.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field

from importers.sheet_pieces import WORKSHEET_PART, sheet_names

_SHARED_STRINGS = re.compile(r"xl/sharedstrings\.xml", re.IGNORECASE)
# Every search here runs over whatever a worksheet holds past the point where calamine stopped
# reading it, so none may scan the same bytes again from each of many starts: a tag's attributes
# stop at the next "<" as well as at ">", and nothing backtracks over a run of digits.
# A cell, its attributes and its content; the content stops at the next cell's start, so that a
# "<c " that is no cell (inside CDATA) costs one scan to the next cell, never one to the end.
_CELL = re.compile(rb"<c(?=[\s/>])([^<>]*?)(/>|>((?:[^<]++|<(?!/c>|c[\s/>]))*+)</c>)")
_ATTR = re.compile(rb'\s([\w:.-]+)\s*=\s*"([^"]*)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>|<v\s*/>")
_FORMULA = re.compile(rb"<f[\s/>]")
_ROW_TAG = re.compile(rb"<row(?=[\s/>])[^<>]*>")
_ROW_R = re.compile(rb'\sr\s*=\s*"([^"]*)"')
_DIMENSION = re.compile(rb'<dimension\s+ref\s*=\s*"([^"]*)"\s*/>')
_MERGE = re.compile(rb'<mergeCell\s+ref\s*=\s*"([^"]*)"\s*/>')
# Comments and CDATA sections, each taken whole (to the end of the part when never closed): text
# in them that looks like a cell, a row or a merged range is none, and is kept as it is.
_OPAQUE = re.compile(rb"<!--(?:[^-]++|-(?!->))*+(?:-->)?|<!\[CDATA\[(?:[^\]]++|\](?!\]>))*+(?:\]\]>)?")
_KEPT = re.compile(rb"\0([0-9]+)\0")  # where _masked took one out (NUL is no XML character)
_SST_ITEM = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")  # <x:si> too, as the .NET Open XML SDK writes it
_WORKBOOK_RELS = re.compile(r"xl/_rels/workbook\.xml\.rels", re.IGNORECASE)
_SHARED_STRINGS_TARGET = re.compile(rb"""<(?:[\w.-]+:)?Relationship\b(?=[^<>]*?\bType\s*=\s*["'][^"']*/sharedStrings["'])"""
                                    rb"""[^<>]*?\bTarget\s*=\s*["']/?(?:xl/)?([^"']*)["']""")

_CELL_REF = re.compile(rb"[A-Za-z]{1,3}[0-9]{1,7}")
_RANGE = re.compile(rb"[A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?")
# what calamine (Rust's f64 parser) takes as a number: no spaces, no grouping, inf and nan spelt out
_DECIMAL = rb"[-+]?(?:[0-9]++(?:\.[0-9]*+)?|\.[0-9]++)(?:[eE][-+]?[0-9]++)?"
_NUMBER = re.compile(rb"(?:" + _DECIMAL + rb"|[-+]?(?i:inf|infinity|nan))")
_ODD_TYPE = re.compile(rb'<c\s[^<>]*?\bt\s*=\s*"(?!(?:n|s|str|inlineStr|e|d)")')  # b too: "2" is no logical value
_ODD_REF = re.compile(rb'<c\s[^<>]*?\br\s*=\s*"(?![A-Za-z]{1,3}[0-9]{1,7}")')
_TEXT_VALUE = re.compile(rb"<v>(?!(?:" + _DECIMAL + rb")?</v>)")
_SHARED_INDEX = re.compile(
    rb'<c\s[^<>]*?\bt\s*=\s*"s"[^<>]*>\s*+(?:<f\b[^<>]*/>|<f\b[^<>]*>[^<]*</f>)?\s*+<v>([0-9]+)</v>')
_TYPES = {b"n", b"s", b"str", b"inlineStr", b"b", b"e", b"d"}
_BOOLEANS = {b"0", b"1", b"true", b"false"}
_ERRORS = {b"#DIV/0!", b"#N/A", b"#NAME?", b"#NULL!", b"#NUM!", b"#REF!", b"#VALUE!"}  # those calamine reads

# The repair holds every part and its rewrite in memory: past this much XML (about 400k rows of 12
# columns) a refused workbook stays damaged rather than risk the reader's memory near the guard's limits.
REPAIR_MAX_BYTES = 256 << 20

MSG_REPAIRED = "文件中有不符合 Excel 文件格式的内容（Excel 打开时会提示修复），已按修复后的内容读取：{what}。请核对这些单元格"


def is_repair_note(text: str) -> bool:
    """Whether a review note is the one a repaired workbook carries (the import's result says so too)."""
    return text.startswith(MSG_REPAIRED.split("{what}")[0])


@dataclass
class Repair:
    """What a rewrite changed, counted by kind (Chinese, for the review), with a first example each."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    unsaid: int = 0  # changes that alter no cell the clerk sees (a dimension, an error value newer than calamine)
    sheet: str = ""  # the sheet being rewritten, named in its examples when the workbook has several

    def note(self, kind: str, example: str) -> None:
        if kind:
            self.counts[kind] += 1
            self.examples.setdefault(kind, f"{self.sheet}：{example}" if self.sheet else example)
        else:
            self.unsaid += 1

    @property
    def changed(self) -> bool:
        return bool(self.counts or self.unsaid)

    def text(self) -> str:
        """The review's line ("" when only what the clerk never sees changed)."""
        if not self.counts:
            return ""
        parts = []
        for kind, count in self.counts.most_common():
            parts.append(f"{kind}{count}处（如{self.examples[kind]}）" if count > 1 else f"{kind}（{self.examples[kind]}）")
        return MSG_REPAIRED.format(what="；".join(parts))


def repaired(data: bytes) -> tuple[bytes, str] | None:
    """The workbook with its worksheets rewritten as a repair leaves them, and the review's line
    saying what changed; None when no worksheet needed it (the damage is elsewhere) or the archive
    cannot be rewritten faithfully."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > REPAIR_MAX_BYTES:
                return None
            if len({info.filename for info in infos}) != len(infos):
                return None  # two entries of one name: which one calamine reads is not ours to say
            shared = _shared_count(archive, infos)
            if shared is None:
                return None
            names = sheet_names(archive)
            repair = Repair()
            parts = []
            for info in infos:
                part = archive.read(info)
                if WORKSHEET_PART.fullmatch(info.filename):
                    # "A3" alone would send the clerk to the sheet being imported, which may not be the one
                    repair.sheet = names.get(info.filename, "") if len(names) > 1 else ""
                    part = _worksheet(part, shared, repair)
                parts.append((info, part))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            zlib.error, RuntimeError, KeyError):
        return None
    if not repair.changed:
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for info, part in parts:
            book.writestr(info.filename, part)
    return out.getvalue(), repair.text()


def _shared_count(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> int | None:
    """How many shared strings the workbook holds (the <si> items of xl/sharedStrings.xml, the
    part calamine reads), 0 without that part; None when the workbook keeps its shared strings in
    another part: Excel reads them there, calamine does not, and a repair that took every shared
    string for missing would blank all the text of a file Excel opens as it is."""
    rels = next((i for i in infos if _WORKBOOK_RELS.fullmatch(i.filename)), None)
    if rels is not None:
        for target in _SHARED_STRINGS_TARGET.findall(archive.read(rels)):
            if target.lower() != b"sharedstrings.xml":
                return None
    # the largest count when names differ only in case: an index is taken for missing only when it is
    return max((len(_SST_ITEM.findall(archive.read(i))) for i in infos if _SHARED_STRINGS.fullmatch(i.filename)),
               default=0)


def _worksheet(xml: bytes, shared: int, repair: Repair) -> bytes:
    if b"\0" in xml:
        return xml  # not XML: left as it is, for calamine to refuse again
    kept: list[bytes] = []
    if b"<!" in xml:
        xml = _OPAQUE.sub(lambda m: _masked(m, kept), xml)
    xml = _rewritten(xml, shared, repair)
    return _KEPT.sub(lambda m: kept[int(m[1])], xml) if kept else xml


def _masked(match: re.Match[bytes], kept: list[bytes]) -> bytes:
    kept.append(match[0])
    return b"\0%d\0" % (len(kept) - 1)


def _rewritten(xml: bytes, shared: int, repair: Repair) -> bytes:
    xml = _DIMENSION.sub(lambda m: m[0] if _RANGE.fullmatch(m[1]) else _dropped(repair, "", m[1]), xml)
    xml = _MERGE.sub(lambda m: m[0] if _RANGE.fullmatch(m[1]) else _dropped(repair, "合并单元格范围无效，已忽略", m[1]), xml)
    xml = _ROW_TAG.sub(lambda m: _row(m, repair), xml)
    if not _cells_suspect(xml, shared):
        return xml
    return _CELL.sub(lambda m: _cell(m, shared, repair), xml)


def _cells_suspect(xml: bytes, shared: int) -> bool:
    """Whether any cell may need _cell, told by searches that run in C: looking at each of a
    100k-row sheet's million cells in Python takes seconds, and most sheets repaired here have
    only a bad merged range or dimension."""
    if _ODD_TYPE.search(xml) or _ODD_REF.search(xml) or _TEXT_VALUE.search(xml):
        return True  # a value that is not a plain number: text, logical or error cells, or a bad number
    return any(int(index) >= shared for index in _SHARED_INDEX.findall(xml))


def _dropped(repair: Repair, kind: str, ref: bytes) -> bytes:
    repair.note(kind, f"“{_shown(ref)}”")
    return b""


def _row(match: re.Match[bytes], repair: Repair) -> bytes:
    tag = match[0]
    number = _ROW_R.search(tag)
    if number is None or number[1].isdigit() and number[1].strip(b"0"):
        return tag
    repair.note("行号无效，按所在位置读取", f"“{_shown(number[1])}”")
    return tag[:number.start()] + tag[number.end():]


def _cell(match: re.Match[bytes], shared: int, repair: Repair) -> bytes:
    """One <c> element as a repair leaves it (the same bytes when nothing is wrong with it)."""
    attrs, body = match[1], match[3]
    found = {m[1]: m for m in _ATTR.finditer(attrs)}
    ref = found.get(b"r")
    changed = False
    if ref is not None and not _CELL_REF.fullmatch(ref[2]):
        repair.note("单元格位置无效，按所在位置读取", f"“{_shown(ref[2])}”")
        attrs, ref, changed = _without(attrs, ref), None, True
    where = f"{_shown(ref[2]).upper()} " if ref is not None else ""
    typed = found.get(b"t")
    kind = typed[2] if typed is not None else None  # no type: calamine reads a number, else the text
    value = _VALUE.search(body) if body is not None else None
    text = value[1] if value is not None else None
    fix = _fix(kind, text, shared)
    if fix is None:
        return b"<c" + attrs + match[2] if changed else match[0]
    action, label, shown = fix
    repair.note(label, f"{where}“{_shown(shown)}”" if shown else where.strip() or "位置不详")
    if typed is not None:
        attrs = _without(attrs, typed)
    if action == "empty" and body is not None and _FORMULA.search(body):
        # a formula keeps a result that reads blank: one without any would be taken for a formula
        # no program ever calculated (the review would ask for the file to be saved in Excel)
        action = "error"
    if action == "text" and text is not None:
        attrs += b' t="str"'
    elif action == "error" and value is not None:  # an error calamine knows: its formula keeps a result
        attrs += b' t="e"'
        body = body[:value.start()] + b"<v>#N/A</v>" + body[value.end():]
    elif value is not None:
        body = body[:value.start()] + body[value.end():]
    return b"<c" + attrs + (b"/>" if body is None else b">" + body + b"</c>")


def _fix(kind: bytes | None, text: bytes | None, shared: int) -> tuple[str, str, bytes] | None:
    """How a cell of type `kind` (None: not given) holding `text` (None: no value) is repaired:
    ("text" | "error" | "empty", what to tell the clerk ("" for nothing), what to show of the
    cell); None: it is fine."""
    if kind is None:
        return None
    if kind not in _TYPES:
        return "text", "单元格类型无效，按文本读取", kind
    if not text or b"\0" in text:  # no value, or one in CDATA or beside a comment: calamine reads it as it is
        return None
    if kind == b"n" and not _NUMBER.fullmatch(text):
        return "text", "数值无效，按文本读取", text
    if kind == b"b" and text.strip().lower() not in _BOOLEANS:
        return "text", "逻辑值无效，按文本读取", text
    if kind == b"e" and text not in _ERRORS:
        return "error", "", b""  # an error value newer than calamine (#SPILL!…): blank, as every error cell reads
    if kind == b"s" and not (text.isdigit() and int(text) < shared):
        return "empty", "引用的共享文本不存在，读作空白", b""
    return None


def _without(attrs: bytes, attr: re.Match[bytes]) -> bytes:
    """`attrs` without one attribute (a match of _ATTR in `attrs`)."""
    return attrs.replace(attr[0], b"", 1)


def _shown(raw: bytes) -> str:
    """A short piece of the file for a message."""
    text = raw.decode("utf-8", "replace")
    return text if len(text) <= 16 else text[:15] + "…"
