"""Normalising the free text people type into returns: levels, education, majors, hours, dates.

Each normaliser returns the value it understood plus, when it could not understand the cell, a
note in Chinese. A note never becomes a guess: an unknown certificate level counts as no
certificate and is listed for review.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from models.identity import clean_text
from models.rules import (
    EDU_BACHELOR,
    EDU_COLLEGE,
    EDU_DOCTOR,
    EDU_JUNIOR_HIGH,
    EDU_MASTER,
    EDU_NONE,
    EDU_SECONDARY,
    LEVEL_ASSISTANT,
    LEVEL_INTERMEDIATE,
    LEVEL_NONE,
    LEVEL_SENIOR,
)

NONE_WORDS = frozenset({"", "无", "/", "-", "—", "--", "——", "没有", "暂无", "否", "未取得", "未考取", "未持证",
                        "无证", "NULL", "NONE", "N/A", "NA", "0", "空", "\\"})


@dataclass(frozen=True)
class Parsed:
    """A normalised value and, when the cell was not understood, why (Chinese, for the problem list)."""

    value: object
    note: str | None = None


def text_of(cell: object) -> str:
    """The cell as text the way a person reads it: integral floats without '.0', dates as ISO."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


def compact(cell: object) -> str:
    """Text with full-width folded, all spaces removed and letters upper-cased: the form we compare."""
    return clean_text(text_of(cell))


def is_none_word(text: str) -> bool:
    return text in NONE_WORDS


_LEVEL_SPLIT = re.compile(r"[、,，;；和及+]")


def parse_level(cell: object) -> Parsed:
    """助理社会工作师/初级/助理社工师 → assistant; 社会工作师/中级/中级社工师 → intermediate;
    高级社会工作师/高级 → senior; empty, 无 and / → none; several in one cell → the highest."""
    text = compact(cell)
    if is_none_word(text):
        return Parsed(LEVEL_NONE)
    levels = [_one_level(part) for part in _level_parts(text_of(cell)) if part]
    known = [lv for lv in levels if lv is not None]
    if not known or len(known) != len(levels):
        return Parsed(max(known, default=LEVEL_NONE), f"证书等级无法识别：“{text_of(cell)}”，未计入持证")
    return Parsed(max(known))


def _level_parts(text: str) -> list[str]:
    """A level cell's parts, compacted: split at 、，; and at line breaks (Alt+Enter puts two
    certificates on two lines), and at spaces only between whole levels ("初级 中级", never the
    spaces that align "助 理 社 会 工 作 师")."""
    parts: list[str] = []
    for piece in _LEVEL_SPLIT.split(text):
        for line in piece.splitlines():
            words = [clean_text(w) for w in line.split()]
            if len(words) > 1 and all(_one_level(w) for w in words):
                parts += words
            else:
                parts.append(clean_text(line))
    return parts


# Each mention of a level inside one part: a level word with or without the title after it
# (初级社会工作师 is the assistant level, not two), or the bare title (社会工作师 → intermediate).
_LEVEL_MENTION = re.compile(r"(高级|中级|初级|助理)?(?:社会工作师|社工师)|高级|中级|初级|助理")
_MENTION_LEVEL = {"高级": LEVEL_SENIOR, "中级": LEVEL_INTERMEDIATE, "初级": LEVEL_ASSISTANT, "助理": LEVEL_ASSISTANT}


# What a level cell may hold besides its level word; anything left over ("中级会计师", "高级教师")
# is another qualification, and DOMAIN.md wants that reviewed, never guessed. 证 alone is the
# certificate as people write it ("助理社会工作师证", "中级社工证", "社工证（初级）"); "社工证"
# without a level is still not a level.
_LEVEL_WORDS = re.compile(r"高级|中级|初级|助理|社会工作师|社会工作者|社工师|社工|证书|证|职业水平|资格|等级|[（）]")
_NOT_THE_TITLE = re.compile(r"证书|证|职业水平|资格|[（）]")  # around 社会工作师 when it is the whole cell


def _one_level(text: str) -> int | None:
    text = text.replace("(", "（").replace(")", "）")
    if is_none_word(text):
        return LEVEL_NONE
    if _LEVEL_WORDS.sub("", text):
        return None
    # Two different levels run together ("初级中级", "助理社会工作师社会工作师"): which one is
    # not for us to guess; a cell that separates them (、, a line break) counts at the highest.
    if len({_MENTION_LEVEL.get(m[1] or m[0][:2], LEVEL_INTERMEDIATE)
            for m in _LEVEL_MENTION.finditer(text)}) > 1:
        return None
    if "高级" in text:
        return LEVEL_SENIOR
    if "助理" in text or "初级" in text:
        return LEVEL_ASSISTANT
    if "中级" in text:
        return LEVEL_INTERMEDIATE
    bare = _NOT_THE_TITLE.sub("", text)
    # 社会工作者 alone is what everyone on the list is, not a level: a problem to review, never a guess.
    if bare in {"社会工作师", "社工师"}:
        return LEVEL_INTERMEDIATE
    return None


# Order matters: the first pattern that appears in the text decides.
_EDUCATION_PATTERNS: tuple[tuple[str, int], ...] = (
    ("博士", EDU_DOCTOR),
    ("硕士", EDU_MASTER),
    ("研究生", EDU_MASTER),
    ("中等专科", EDU_SECONDARY),
    ("中等职业", EDU_SECONDARY),
    ("专升本", EDU_BACHELOR),
    ("本科", EDU_BACHELOR),
    ("学士", EDU_BACHELOR),
    ("大专", EDU_COLLEGE),
    ("专科", EDU_COLLEGE),
    ("高职", EDU_COLLEGE),
    ("高专", EDU_COLLEGE),
    ("中专", EDU_SECONDARY),
    ("中职", EDU_SECONDARY),
    ("职高", EDU_SECONDARY),
    ("职中", EDU_SECONDARY),
    ("技校", EDU_SECONDARY),
    ("中技", EDU_SECONDARY),
    ("高中", EDU_SECONDARY),
    ("初中", EDU_JUNIOR_HIGH),
    ("小学", EDU_JUNIOR_HIGH),
    ("文盲", EDU_JUNIOR_HIGH),
    ("大学", EDU_BACHELOR),
)


def parse_education(cell: object) -> Parsed:
    """Rank of the education level; 中专/高中/初中 never qualify (ranks below 大专)."""
    text = compact(cell)
    if is_none_word(text):
        return Parsed(EDU_NONE)
    for pattern, rank in _EDUCATION_PATTERNS:
        if pattern in text:
            return Parsed(rank)
    return Parsed(EDU_NONE, f"学历无法识别：“{text_of(cell)}”，未计入专业学历")


def normalise_major(cell: object) -> str:
    """The major as compared against the related-major keywords (half-width, no spaces)."""
    text = compact(cell)
    return "" if is_none_word(text) else text


_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)  # 0-9 only: ١٢٠ or ² is not a number we read


def parse_hours(cell: object) -> Parsed:
    """Cumulative training hours: a number, or text such as "120学时"/"120小时"."""
    if cell is None:
        return Parsed(None)
    if isinstance(cell, bool):
        return Parsed(None, f"培训学时无法识别：“{cell}”")
    if isinstance(cell, int | float):
        if cell < 0:
            return Parsed(None, f"培训学时为负数：“{text_of(cell)}”")
        return _hours(cell, cell)
    if isinstance(cell, dt.date | dt.datetime):
        return Parsed(None, f"培训学时一栏填的是日期：“{text_of(cell)}”")
    text = compact(cell)
    if is_none_word(text):
        return Parsed(None)
    numbers = _NUMBER.findall(text)
    if len(numbers) == 1 and re.fullmatch(r"\d+(?:\.\d+)?(学时|小时|课时|H|个学时|个小时)?", text, re.ASCII):
        return _hours(numbers[0], cell)
    return Parsed(None, f"培训学时无法识别：“{_shortened(text_of(cell))}”，未计入培训")


MAX_HOURS = 10_000  # cumulative training hours beyond any career's: a typo or a crafted cell


def _hours(number: int | float | str, cell: object) -> Parsed:
    """A number of hours, unless it is beyond MAX_HOURS (or no finite number at all: 30,000
    digits read as infinity, which would count as trained and break the exported workbook)."""
    try:
        value = float(number)
    except OverflowError:  # an int too large for a float
        value = math.inf
    if not value <= MAX_HOURS:  # also NaN
        return Parsed(None, f"培训学时过大：“{_shortened(text_of(cell))}”（超过 {MAX_HOURS:,} 学时），未计入培训，请核实")
    return Parsed(value)


def _shortened(text: str, most: int = 20) -> str:
    return text if len(text) <= most else text[:most] + "…"


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", re.ASCII),
    re.compile(r"^(\d{4})[-./年](\d{1,2})月?$", re.ASCII),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII),
    re.compile(r"^(\d{4})(\d{2})$", re.ASCII),
    re.compile(r"^(\d{4})年?$", re.ASCII),
)


def parse_date(cell: object) -> Parsed:
    """A date as ISO text at the precision given: "2019-06-12", "2019-06" or "2019"."""
    if cell is None:
        return Parsed(None)
    if isinstance(cell, dt.datetime):
        return Parsed(cell.date().isoformat())
    if isinstance(cell, dt.date):
        return Parsed(cell.isoformat())
    if isinstance(cell, float) and not cell.is_integer():
        # 2019.06 or 2019.10 typed into a cell Excel keeps as a number (2019.06, 2019.1): the year
        # is certain, the month is not (2019.1 is January or October), so the year is kept alone.
        year, _, fraction = repr(cell).partition(".")
        if 1900 <= cell < 2101 and len(fraction) <= 2 and 1 <= int(fraction) <= 12:
            return Parsed(year)
        return Parsed(None, f"日期无法识别：“{text_of(cell)}”")
    text = compact(cell)
    if is_none_word(text):
        return Parsed(None)
    if isinstance(cell, int | float) and 20000 < cell < 80000:  # an Excel serial number in a CSV
        return Parsed((dt.date(1899, 12, 30) + dt.timedelta(days=int(cell))).isoformat())
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()]
            try:
                dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
            except ValueError:
                break
            return Parsed("-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)))
    return Parsed(None, f"日期无法识别：“{text_of(cell)}”")


def parse_gender(cell: object) -> str:
    text = compact(cell)
    if text.startswith("男") or text == "M":
        return "男"
    if text.startswith("女") or text == "F":
        return "女"
    return ""


def clean_name(cell: object) -> str:
    """A person's name without the spaces people insert to align two-character names."""
    return re.sub(r"\s+", "", text_of(cell).translate({0x3000: None}))
