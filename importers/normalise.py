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
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

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
from models.census_batches import SHEET_ROW_COLUMNS
from models.identity import clean_text, id_fields
from models.regions import strip_office

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


def normalise_rows(sheet: Sheet, header: Header, today: dt.date, counts: SheetCounts) -> Iterator[NormalChunk]:
    """The sheet's data rows under `header`, CHUNK at a time; `counts` is up to date at each yield.

    The hot loop of an import (once per row of a 100k-row return): helpers are bound to locals,
    per-cell normalisers are memoised, and only the mapped cells are read as text."""
    col = {name: header.index_of(name) for name in
           ("name", "id_number", "gender", "phone", "level", "education", "major", "hours", "region",
            "cert_date", "unit")}
    rows = sheet.rows
    start = header.data_start
    seq, c_id, c_region = header.index_of("seq"), col["id_number"], col["region"]
    c_level, c_edu, c_hours, c_date = col["level"], col["education"], col["hours"], col["cert_date"]
    c_name, c_gender, c_phone, c_major, c_unit = col["name"], col["gender"], col["phone"], col["major"], col["unit"]
    region_cols = [c for c in (header.index_of("district"), header.index_of("street"), c_region) if c is not None]
    single_region = region_cols == [c_region]
    need = max([i for i in col.values() if i is not None] + region_cols, default=-1) + 1  # cells a row must have

    skipped, reasons, notes_count = counts.skipped, counts.reasons, counts.notes
    level_of, education_of, gender_of, major_of = _level, _education, _gender, _major
    hours_of, date_of, classify_ = _typed_hours, _typed_date, classify
    clean, none_words, clean_name_ = clean_text, NONE_WORDS, clean_name
    total_words = _TOTAL_WORDS
    used = sorted({c for c in (*col.values(), *region_cols) if c is not None})  # the only cells read as text
    blank = [""] * need
    sheet_name, dumps = sheet.name, notes_json
    today_iso = today.isoformat()
    out: list[tuple] = []
    region_keys: list[str] | None = [] if region_cols else None
    for offset, raw_row in enumerate(rows[start:]):
        # A valid ID makes a row a person whatever else it holds (see classify), so the usual
        # row skips classifying; the texts of mapped cells only, never of the others.
        id_raw, number, reason = id_fields(raw_row[c_id] if c_id is not None and c_id < len(raw_row) else None,
                                           today)
        if number is None:
            texts = ["" if c is None else c.strip() if c.__class__ is str else str(c) if c.__class__ is int
                     else text_of(c) for c in raw_row]  # text_of(int) is str(int)
            kind = classify_(texts, raw_row, seq, c_id, c_name)
            if kind != "data":
                skipped[kind] += 1
                continue
            if len(texts) < need:
                texts += [""] * (need - len(texts))
        else:
            texts = blank.copy()
            width = len(raw_row)
            for c in used:
                if c < width:
                    v = raw_row[c]
                    if v is not None:
                        texts[c] = v.strip() if v.__class__ is str else str(v) if v.__class__ is int else text_of(v)
            first = raw_row[seq if seq is not None else 0] if width > (seq or 0) else None
            if _example_line(first.strip() if first.__class__ is str else "",
                            texts[c_name] if c_name is not None else ""):
                skipped["example"] += 1
                continue
        row = raw_row
        if len(row) < need:
            row = row + [None] * (need - len(row))

        region_key: str | None = None
        region_raw: str | None = None
        if region_cols:
            # Each cell is one name there, so its office suffix goes first: 红星镇人民政府 + 团结村村委会.
            if single_region:
                region_key = region_raw = texts[c_region]  # type: ignore[index]  # single_region: c_region is set
            else:
                region_key = "".join(strip_office(texts[c]) for c in region_cols)
                region_raw = "/".join(texts[c] for c in region_cols if texts[c])
        notes: list[str] = []
        level_text = texts[c_level] if c_level is not None else ""
        level = level_of(level_text)
        edu_text = texts[c_edu] if c_edu is not None else ""
        education = education_of(edu_text)
        cell = row[c_hours] if c_hours is not None else None
        hours = hours_of(cell.__class__, cell)  # type: ignore[arg-type]  # cells are hashable values
        if c_date is not None:
            cell = row[c_date]
            read_date = date_of(cell.__class__, cell)  # type: ignore[arg-type]
            cert_date = read_date.value
            if cert_date is not None and cert_date > today_iso:  # "2030" > "2026-12-04"; "2026-12" is not
                notes.append(f"取得证书时间“{texts[c_date]}”晚于今天，未采用（取证年份记为不详），请核实")
                cert_date = None
            elif read_date.note and level.value:  # the exam year and the award need it
                notes.append(f"取得证书时间“{texts[c_date]}”无法识别，取证年份记为不详，请核实")
        else:
            cert_date = None
        if level.note:
            notes.append(level.note)
        if education.note:
            notes.append(education.note)
        if hours.note:
            notes.append(hours.note)
        name = texts[c_name] if c_name is not None else ""
        if not name.isalpha():
            name = clean_name_(name)
        if number is not None and (not name or name in total_words):
            notes.append("姓名为空" if not name else f"姓名为“{name}”，身份证号码有效，已按人员计入，请核实")
        gender = gender_of(texts[c_gender]) if c_gender is not None else ""
        phone = clean(texts[c_phone]) if c_phone is not None else ""
        if phone in none_words:
            phone = ""
        major = major_of(texts[c_major]) if c_major is not None else ""
        if number is not None:
            status = "ok"
            counts.rows_ok += 1
        else:
            status = "pending"
            counts.rows_pending += 1
            reasons[reason] += 1
        for note in notes:
            notes_count[note] += 1
        out.append((
            sheet_name, start + offset + 1, name, id_raw, number, status, reason, gender, phone, level.value,
            level_text, education.value, edu_text, major, hours.value, cert_date,
            texts[c_unit] if c_unit is not None else "", region_raw, dumps(notes) if notes else None))
        if region_keys is not None:
            region_keys.append(region_key)  # type: ignore[arg-type]  # a str: the sheet has region columns
        if len(out) >= CHUNK:
            yield NormalChunk(out, region_keys)
            out, region_keys = [], [] if region_cols else None
    if out:
        yield NormalChunk(out, region_keys)


def notes_json(notes: list[str]) -> str:
    """A row's review notes as source_rows.notes holds them."""
    return json.dumps(notes, ensure_ascii=False)
