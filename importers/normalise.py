"""A data sheet's rows as the census stores them, computed from the cells alone (no census).

This is the per-row half of an import: which lines are data, and for each data row its ID check,
name, level, education, hours, dates and notes. It needs nothing but the sheet and its header,
so a folder import runs it in the reader process (importers.read_ahead) while the previous file
is being stored; ImportJob runs it in-process for a plan the clerk reviewed. What needs the
census — the row's region, the batch, persons — is done by ImportJob when it stores the rows.

Every row under the header ends up as a stored row (a person row or a pending row) or is counted
as a blank line, a 合计 line, a footer line or a repeated header: nothing is dropped unaccounted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from operator import attrgetter, itemgetter

from importers.headers import Header, field_for_label
from importers.readers import Sheet
from importers.values import (
    NONE_WORDS,
    clean_name,
    normalise_major,
    parse_date,
    parse_education,
    parse_gender,
    parse_hours,
    parse_level,
    text_of,
)
from models.identity import clean_text, id_fields
from models.regions import strip_office
from models.sheet_rows import SHEET_ROW_COLUMNS

CHUNK = 2000  # rows handed on at once (one executemany when stored)

_TOTAL = re.compile(r"^(合计|小计|总计|共计|总人数|合\s*计)")
_FOOTER = re.compile(r"^(填表人|审核人|制表人|填报人|负责人|单位负责人|联系人|联系电话|分管领导|主要领导|注[:：]|说明[:：]|"
                     r"备注[:：]|（盖章）|\(盖章\)|盖章|填表日期|填报日期|报送日期|审核日期|制表日期)")
_ID_DIGITS = re.compile(r"[0-9]{14,}")
_TOTAL_ANYWHERE = re.compile(r"(合\s*计|小\s*计|总\s*计|共\s*计)")
_TOTAL_WORDS = frozenset({"合计", "小计", "总计", "共计", "总人数"})  # a name cell reading like a total line
_LABEL = re.compile(r"^[^：:]{1,12}[：:]")  # "审核人：", "单位盖章：", "注："
# Lines that close a form rather than list a person: a place to stamp or sign ("单位（盖章）",
# "负责人（签字）"), and the marks of the end of the entries ("以下空白", "（此页无正文）").
_SIGN_OR_END = re.compile(r"盖章|签字|签章|签名|^[（(]?(以下(空白|无内容|无数据|无正文|无)|此页无正文|本页(完|结束))[）)。.]*$")

# A template's example line: its first filled cell (序号, or the name) says so — 示例, 例, 样例,
# 填写示例, 示例：张三, 张三（示例）.
_EXAMPLE = re.compile(r"(?:(?:填写|填表|填报)?(?:示例|样例|范例|举例)|例)\s*(?:[:：\d]|$)")
_EXAMPLE_NAME = re.compile(r"[（(](?:示例|样例|范例)[）)]$")


def _example_line(first: str, name: str) -> bool:
    """A template's example line, by its first filled cell (or the 序号 cell) or its name (示例,
    张三（示例）): no person, valid ID or not — every community fills the same template, and its
    张三 would be counted once."""
    return _EXAMPLE.match(first) is not None or ("例" in name and (
        _EXAMPLE.match(name) is not None or _EXAMPLE_NAME.search(name) is not None))


@dataclass
class NormalChunk:
    """Up to CHUNK data rows of a sheet, in the shape the store writes them (one executemany):
    built where the sheet is read (a folder's reader process), so the storing process passes
    them on instead of rebuilding every row."""

    # models.census_batches.SHEET_ROW_COLUMNS order: row_number 1-based in the reader's rows of the
    # sheet, status "ok" (a valid ID) or "pending" (reason says why), notes as JSON or None
    rows: list[tuple]
    region_keys: list[str] | None  # each row's own region text (所属区县 + 所属街道 + 所属社区 read as one
    # path-like text) for the store to resolve; None when the sheet has no region column: every row
    # is in the file's region


# Where ImportJob finds a row's values in NormalChunk.rows.
AT = {name: i for i, name in enumerate(SHEET_ROW_COLUMNS)}


@dataclass
class SheetCounts:
    """What a sheet's non-data lines and pending reasons add up to (ImportResult's counters)."""

    rows_ok: int = 0
    rows_pending: int = 0
    skipped: Counter = field(default_factory=Counter)  # non-data lines by kind
    reasons: Counter = field(default_factory=Counter)  # pending reasons
    notes: Counter = field(default_factory=Counter)  # review notes other than the region's


@dataclass
class NormalSheet:
    """A sheet's rows normalised under one header (what the reader process hands over: plain
    tuples and strings, which pickle several times faster than named tuples or objects)."""

    sheet: str
    header: Header
    chunks: list[NormalChunk]
    counts: SheetCounts


def normalise_sheet(sheet: Sheet, header: Header, today: dt.date) -> NormalSheet:
    """All of a sheet's data rows at once (the reader process)."""
    counts = SheetCounts()
    return NormalSheet(sheet.name, header, list(normalise_rows(sheet, header, today, counts)), counts)


def classify(texts: list[str], row: list[object], seq: int | None, id_col: int | None,
             name_col: int | None = None) -> str:
    """"data", or why the row is not data: "blank", "total", "footer", "header", "example"."""
    filled = [i for i, t in enumerate(texts) if t]
    name = texts[name_col] if name_col is not None and name_col < len(texts) else ""
    if filled and _example_line(texts[filled[0]], name):
        return "example"  # ID or not: see _example_line
    id_text = texts[id_col] if id_col is not None and id_col < len(texts) else ""
    if id_text and _ID_DIGITS.search(clean_text(id_text)):
        # The usual data row: not blank, not a footer or header (those have no ID); only a 合计
        # line in the first three filled cells would make it something else — and only when its
        # ID is not valid: a row with a valid ID is a person, whatever its name cell says.
        for i in filled[:3]:
            if _TOTAL.match(texts[i]):
                return "data" if id_fields(row[id_col])[1] is not None else "total"  # type: ignore[index]
        return "data"
    if not filled or (seq is not None and filled == [seq] and texts[seq].replace(".", "").isascii() and texts[seq].replace(".", "").isdigit()):
        return "blank"  # a pre-numbered template line counts as blank
    # No ID-like value from here on: a 合计 line ("本页合计" too), a footer, a repeated header, or a
    # data row whose ID is missing (which must stay, as a pending row).
    first = texts[filled[0]]
    if any(_TOTAL_ANYWHERE.search(texts[i]) for i in filled[:3]):
        return "total"
    if _FOOTER.match(first) or _SIGN_OR_END.search(first) or _SIGN_OR_END.search(name):
        return "footer"
    if (not name or _LABEL.match(name)) and any(_LABEL.match(texts[i]) for i in filled):
        return "footer"  # "单位盖章：  日期：" and the like, with no person in the name column
    if sum(1 for i in filled if field_for_label(texts[i])) >= 3:
        return "header"
    return "data"


@lru_cache(maxsize=4096)
def _level(text: str):
    return parse_level(text)


@lru_cache(maxsize=4096)
def _education(text: str):
    return parse_education(text)


# The other per-cell normalisers depend only on the cell's text (or, for hours and dates, on the
# cell itself), and columns such as gender, major or hours repeat a handful of values: memoised.
# Cells are keyed with their type, so 1, 1.0 and True never share an entry.
@lru_cache(maxsize=4096)
def _gender(text: str) -> str:
    return parse_gender(text)


@lru_cache(maxsize=4096)
def _major(text: str) -> str:
    return normalise_major(text)


@lru_cache(maxsize=4096)
def _typed_hours(_kind: type, cell: object):
    return parse_hours(cell)


@lru_cache(maxsize=4096)
def _typed_date(_kind: type, cell: object):
    return parse_date(cell)


@dataclass(frozen=True)
class _Layout:
    """Where a header's fields are (column numbers, None when not mapped), worked out once per sheet."""

    seq: int | None
    id: int | None
    name: int | None
    gender: int | None
    phone: int | None
    level: int | None
    education: int | None
    major: int | None
    hours: int | None
    cert_date: int | None
    unit: int | None
    region: int | None
    region_cols: tuple[int, ...]  # 所属区县, 所属街道, 所属社区 as mapped, in that order
    used: tuple[int, ...]  # the only columns read as text

    @classmethod
    def of(cls, header: Header) -> _Layout:
        at = {name: header.index_of(name) for name in (
            "seq", "id_number", "name", "gender", "phone", "level", "education", "major", "hours", "cert_date",
            "unit", "region")}
        region_cols = tuple(c for c in (header.index_of("district"), header.index_of("street"), at["region"])
                            if c is not None)
        fields = [c for name, c in at.items() if name != "seq"]
        used = tuple(sorted({c for c in (*fields, *region_cols) if c is not None}))
        return cls(at["seq"], at["id_number"], at["name"], at["gender"], at["phone"], at["level"],
                   at["education"], at["major"], at["hours"], at["cert_date"], at["unit"], at["region"],
                   region_cols, used)


def normalise_rows(sheet: Sheet, header: Header, today: dt.date, counts: SheetCounts) -> Iterator[NormalChunk]:
    """The sheet's data rows under `header`, from CHUNK lines at a time (a chunk holds the data
    rows among them, and is not given when there are none); `counts` is up to date at each yield.

    The hot loop of an import (a 100k-row return). A block of lines is handled a column at a time:
    each mapped column's cells turned into text once, the per-cell normalisers (memoised) mapped
    over the column, the rows' tuples zipped from the columns: C-level maps and zips where a loop
    body per row was (0.47 → 0.36 s for 100k rows). The lines that need a closer look — an ID that
    is not valid, an example line's mark — are judged one at a time, in line order."""
    layout = _Layout.of(header)
    rows = sheet.rows
    for begin in range(header.data_start, len(rows), CHUNK):
        chunk = _block(layout, sheet.name, rows[begin:begin + CHUNK], begin, today, counts)
        if chunk is not None:
            yield chunk


def _block(lay: _Layout, sheet_name: str, block: list, begin: int, today: dt.date,
           counts: SheetCounts) -> NormalChunk | None:
    """A block of lines (the first is the sheet's line `begin`, 0-based) as stored rows."""
    n = len(block)
    width = min(map(len, block))

    def cells(c: int) -> list:
        """Column c's cells (None past a row's end)."""
        if c < width:
            return list(map(itemgetter(c), block))
        return [row[c] if c < len(row) else None for row in block]

    raw = {c: cells(c) for c in lay.used}
    text = {c: _texts(cells) for c, cells in raw.items()}
    id_raws, numbers, reasons = (list(column) for column in zip(*[id_fields(v, today) for v in (
        raw[lay.id] if lay.id is not None else [None] * n)], strict=True))
    skip = _skipped(lay, block, numbers, text[lay.name] if lay.name is not None else [""] * n, counts.skipped)
    row_numbers: Iterable[int] = range(begin + 1, begin + 1 + n)
    if skip:  # the lines left out leave every column once, here
        keep = [i for i in range(n) if i not in skip]
        if not keep:
            return None

        def pick(column: list) -> list:
            return list(map(column.__getitem__, keep))
        raw, text = {c: pick(v) for c, v in raw.items()}, {c: pick(v) for c, v in text.items()}
        id_raws, numbers, reasons = pick(id_raws), pick(numbers), pick(reasons)
        row_numbers = [begin + 1 + i for i in keep]
    m = len(numbers)
    blank = [""] * m

    def texts(c: int | None) -> list[str]:
        return text[c] if c is not None else blank

    level_texts, edu_texts = texts(lay.level), texts(lay.education)
    levels = list(map(_level, level_texts))
    educations = list(map(_education, edu_texts))
    hour_cells = raw[lay.hours] if lay.hours is not None else [None] * m
    hours = list(map(_typed_hours, map(type, hour_cells), hour_cells))
    cert_dates, date_notes = _cert_dates(lay, raw, text, levels, m, today)
    names = [name if name.isalpha() else clean_name(name) for name in texts(lay.name)]
    name_notes = None
    if "" in names or not _TOTAL_WORDS.isdisjoint(names):
        name_notes = [("姓名为空" if not name else f"姓名为“{name}”，身份证号码有效，已按人员计入，请核实")
                      if number is not None and (not name or name in _TOTAL_WORDS) else None
                      for name, number in zip(names, numbers, strict=True)]
    notes = _notes(counts.notes, [date_notes, *(_notes_of(parsed) for parsed in (levels, educations, hours)),
                                  name_notes])

    pending = numbers.count(None)
    counts.rows_ok += m - pending
    counts.rows_pending += pending
    if pending:
        counts.reasons.update(reason for reason, number in zip(reasons, numbers, strict=True) if number is None)
    statuses = ["pending" if number is None else "ok" for number in numbers] if pending else repeat("ok")
    phones = [("" if phone in NONE_WORDS else phone) if phone.isascii() and phone.isdigit() else
              ("" if (cleaned := clean_text(phone)) in NONE_WORDS else cleaned) for phone in texts(lay.phone)]
    region_raws, region_keys = _regions(lay, texts)
    value = attrgetter("value")
    genders = map(_gender, texts(lay.gender)) if lay.gender is not None else repeat("")
    majors = map(_major, texts(lay.major)) if lay.major is not None else repeat("")
    rows = list(zip(  # SHEET_ROW_COLUMNS' order
        repeat(sheet_name), row_numbers, names, id_raws, numbers, statuses, reasons, genders, phones,
        map(value, levels), level_texts, map(value, educations), edu_texts, majors, map(value, hours), cert_dates,
        texts(lay.unit), region_raws, notes))
    return NormalChunk(rows, region_keys)


def _texts(cells: list) -> list[str]:
    """Cells (a column's, or a row's) as text: stripped, '' for an empty cell, integers and
    integral floats without '.0' (values.text_of; text_of(int) is str(int)). A column of texts
    only (most of them) in one C-level map."""
    if set(map(type, cells)) == {str}:
        return list(map(str.strip, cells))
    return ["" if c is None else c.strip() if c.__class__ is str else str(c) if c.__class__ is int else text_of(c)
            for c in cells]


def _skipped(lay: _Layout, block: list, numbers: list, names: list[str], skipped: Counter) -> set[int]:
    """The lines of the block that are not data (counted in `skipped` by kind, in line order):
    among those whose ID is not valid, what classify says; among the others, example lines (see
    _example_line: their first cell, or the 序号 cell, or the name says so)."""
    first_col = lay.seq if lay.seq is not None else 0
    firsts = [row[first_col] if len(row) > first_col else None for row in block]
    look = {i for i, number in enumerate(numbers) if number is None}
    look.update(i for i, first in enumerate(firsts) if first.__class__ is str)
    if "例" in "".join(names):
        look.update(i for i, name in enumerate(names) if "例" in name)
    skip: set[int] = set()
    for i in sorted(look):
        row = block[i]
        if numbers[i] is None:
            kind = classify(_texts(row), row, lay.seq, lay.id, lay.name)
        else:
            first = firsts[i]
            kind = "example" if _example_line(first.strip() if first.__class__ is str else "", names[i]) else "data"
        if kind != "data":
            skipped[kind] += 1
            skip.add(i)
    return skip


def _cert_dates(lay: _Layout, raw: dict, text: dict, levels: list, m: int, today: dt.date) -> tuple[list, list | None]:
    """Each row's 取得证书时间 (ISO, or None) and the note about it (None when no row has one):
    a date after today is not taken; one not understood is noted when the row holds a level (the
    exam year and the award need it)."""
    if lay.cert_date is None:
        return [None] * m, None
    cells = raw[lay.cert_date]
    read = list(map(_typed_date, map(type, cells), cells))
    values = [parsed.value for parsed in read]
    today_iso = today.isoformat()
    dates = [None if value is not None and value > today_iso else value for value in values]  # "2030" > "2026-12-04"
    if dates == values and not any(parsed.note for parsed in read):
        return dates, None
    notes: list[str | None] = []
    for value, parsed, level, shown in zip(values, read, levels, text[lay.cert_date], strict=True):
        if value is not None and value > today_iso:
            notes.append(f"取得证书时间“{shown}”晚于今天，未采用（取证年份记为不详），请核实")
        elif parsed.note and level.value:
            notes.append(f"取得证书时间“{shown}”无法识别，取证年份记为不详，请核实")
        else:
            notes.append(None)
    return dates, notes


def _notes_of(parsed: list) -> list | None:
    """The notes of a column of parsed values, None when none has one."""
    notes = list(map(attrgetter("note"), parsed))
    return notes if any(notes) else None


def _notes(count: Counter, columns: list[list | None]) -> Iterable[str | None]:
    """Each row's notes as JSON (None: none), from columns of notes in the order a row lists them;
    `count` counts every note, row by row."""
    present = [column for column in columns if column is not None]
    if not present:
        return repeat(None)
    per_row = [[note for note in row if note] for row in zip(*present, strict=True)]
    count.update(chain.from_iterable(per_row))
    return [notes_json(notes) if notes else None for notes in per_row]


def _regions(lay: _Layout, texts: Callable[[int | None], list[str]]) -> tuple[Iterable[str | None], list[str] | None]:
    """Each row's region text as read (所属区县/所属街道/所属社区 joined by '/'), and the key the
    store resolves it by; (None…, None) when the sheet has no region column."""
    if not lay.region_cols:
        return repeat(None), None
    if lay.region_cols == (lay.region,):
        column = texts(lay.region)
        return column, column
    # Each cell is one name there, so its office suffix goes first: 红星镇人民政府 + 团结村村委会.
    parts = list(zip(*(texts(c) for c in lay.region_cols), strict=True))
    return (["/".join(part for part in row if part) for row in parts],
            ["".join(map(strip_office, row)) for row in parts])


def notes_json(notes: list[str]) -> str:
    """A row's review notes as source_rows.notes holds them."""
    return json.dumps(notes, ensure_ascii=False)
