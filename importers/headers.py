"""Finding the header of a return and mapping its columns to fields by keywords.

Returns arrive with a title row, a 填报单位 line, one- or two-row headers with merged cells,
an instructions sheet first. We never match exact strings: a column is the field whose keywords
its label contains, the more specific rules first (证书编号 before 证书, 毕业院校 before 学历).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from importers.readers import Sheet
from importers.values import compact

# Field names used in code, and how the review step shows them.
FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号码",
    "gender": "性别",
    "phone": "联系电话",
    "level": "证书等级",
    "education": "学历",
    "major": "专业",
    "hours": "培训学时",
    "region": "所属社区（村）",
    "district": "所属区县",
    "street": "所属街道（乡镇）",
    "unit": "工作单位",
    "school": "毕业院校",
    "cert_no": "证书编号",
    "cert_date": "取证时间",
    "seq": "序号",
    "remark": "备注",
}

# (field, keywords) in priority order; a label takes the first field one of whose keywords it
# contains. Labels are compared in compact form (no spaces, half-width, upper-case).
_RULES: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    ("id_number", ("身份证", "公民身份号码", "证件号码", "身份号码", "证件号")),
    ("cert_no", ("证书编号", "证书号码", "证书号", "证号")),
    ("seq", ("序号", "NO.", "编号")),
    ("cert_date", ("取得时间", "发证日期", "发证时间", "取证时间", "取得日期", "获证时间", "考取时间", "取证日期",
                   "证书时间", "证书日期", "持证时间")),
    ("hours", ("学时", "培训时长", "培训小时", "课时", "培训时间（小时）")),
    ("name", ("姓名", "名字")),
    ("gender", ("性别",)),
    ("phone", ("联系电话", "手机", "电话", "联系方式")),
    ("school", ("毕业院校", "毕业学校", "院校", "学校")),
    ("unit", ("工作单位", "所在单位", "单位名称", "任职单位", "服务单位")),  # 工作单位及职务 is the unit
    (None, ("职称", "职务", "职级", "岗位", "技术等级", "技能等级", "工资", "薪级", "行政级别")),  # see _OTHER_POST
    ("major", ("所学专业", "毕业专业", "专业名称", "专业")),
    ("education", ("最高学历", "文化程度", "学历层次", "学历", "学位")),
    ("level", ("证书等级", "证书级别", "社工证", "社工资格", "社会工作者证", "社会工作师证", "资格等级", "职业资格",
               "持证", "职业水平", "水平等级")),
    ("district", ("所属区县", "区（县）", "区(县)", "县（区）", "县(区)", "所属区（县）", "区县")),
    ("street", ("所属街道", "街道（乡镇）", "街道(乡镇)", "乡镇（街道）", "乡镇(街道)", "所属乡镇", "街道/乡镇", "乡镇/街道",
                "街道名称", "乡镇名称")),
    ("region", ("所属社区", "社区（村）", "社区(村)", "所属村", "村（社区）", "村(社区)", "所在社区", "所属村居",
                "所属网格", "社区/村", "村/社区", "村（居）", "居（村）")),
    ("unit", ("单位",)),
    ("remark", ("备注", "说明")),
)
# Words too general to be keywords: they name a field only as the whole label ("等级" alone, or
# under a group label such as 社会工作职业水平证书), never inside another one (岗位等级, 其他证书).
_EXACT: dict[str, str] = {word: "level" for word in ("等级", "证书", "证书名称", "证书类别", "证书类型", "证书种类",
                                                     "资格证书", "证书情况", "持有证书", "取得证书")}
# 岗位等级 (T2), 职务, 职称 and the like describe a post, not a social-work certificate or a unit:
# they stay unmapped, with this note in the review.
OTHER_POST_NOTE = "岗位、职务或职称信息，不是社工证书等级，未导入"

# Labels are compacted before matching, so keywords must be too: "培训时间（小时）" → "培训时间(小时)".
_RULES = tuple((name, tuple(dict.fromkeys(compact(k) for k in keywords))) for name, keywords in _RULES)


def _starting_characters() -> re.Pattern[str]:
    """Every character a label's text may hold for one of its keywords (or exact words) to begin
    there once compacted: the words' first characters, their lower case and full-width forms.
    A text holding none of them is no label; this is exact, not a guess (tests/importers)."""
    firsts = {word[0] for _, keywords in _RULES for word in keywords} | {word[0] for word in _EXACT}
    raw = firsts | {c.lower() for c in firsts}
    raw |= {chr(code + 0xFEE0) for code in map(ord, raw) if 0x21 <= code <= 0x7E}
    return _any_of(raw)


def _any_of(chars: Iterable[str]) -> re.Pattern[str]:
    """A search for any one of these characters."""
    return re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]")


_MAY_BE_LABEL = _starting_characters()
_OTHER_POST = next(keywords for name, keywords in _RULES if name is None)

# Fields that make a row a header; a header needs a name or ID column and two more fields.
_KEY_FIELDS = ("name", "id_number")


def _key_characters(chars: str) -> re.Pattern[str]:
    """A search for `chars`, one of which every keyword of a key field holds. A label is compared
    in compact form, which folds full-width ASCII, drops spaces and quotes and upper-cases: none of
    that makes or changes a Chinese character, so a label naming a key field holds one of them as
    written, and a line whose texts hold none has no name or ID column (a header scan reads a
    sheet's first data lines too: 30 lines of a return cost ~2.6 µs each, the search ~0.3)."""
    for name, keywords in _RULES:
        for word in keywords if name in _KEY_FIELDS else ():
            if not any(ch in word for ch in chars):
                raise ValueError(f"key-field keyword {word!r} holds none of {chars!r}")
    return _any_of(chars)


_KEY_CHAR = _key_characters("身证名")
MAX_HEADER_SCAN = 30


def field_for_label(label: str) -> str | None:
    """The field a header label stands for, or None."""
    if label.__class__ is str:
        # A header scan meets a sheet's first data rows too, names and dates each new to the
        # memo: one search turns them away (2,000 returns of 50 rows: ~0.1 ms a file).
        return _field_for_text(label) if _MAY_BE_LABEL.search(label) else None
    return _field_for(label)


@lru_cache(maxsize=8192)
def _field_for_text(label: str) -> str | None:
    # Memoised: every file's header scan asks about the same few dozen labels again.
    return _field_for(label)


# Any keyword at all: one search turns away the names, numbers and dates a header scan meets.
_ANY_KEYWORD = re.compile("|".join(re.escape(k) for _, keywords in _RULES for k in keywords))


def _field_for(label: object) -> str | None:
    text = compact(label)
    if text in _EXACT:
        return _EXACT[text]
    if not text or len(text) > 40 or _ANY_KEYWORD.search(text) is None:
        return None
    for name, keywords in _RULES:
        if any(k in text for k in keywords):
            return name
    return None


def is_other_post(label: str) -> bool:
    """A label about a post, grade or title (岗位等级, 职务, 职称), which no field takes."""
    text = compact(label)
    return bool(text) and field_for_label(text) is None and any(k in text for k in _OTHER_POST)


@dataclass(frozen=True)
class Column:
    """One column of the data sheet: its label as shown, the field it maps to, and doubt."""

    index: int
    label: str
    field: str | None
    uncertain: bool = False
    note: str = ""


@dataclass(frozen=True)
class Header:
    """Where the header sits (0-based row indexes, inclusive) and the column mapping."""

    sheet: str
    first_row: int
    last_row: int
    columns: tuple[Column, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def index_of(self, name: str) -> int | None:
        for col in self.columns:
            if col.field == name:
                return col.index
        return None

    @property
    def data_start(self) -> int:
        return self.last_row + 1


def _row_fields(texts: list[str]) -> set[str]:
    return {f for f in map(field_for_label, texts) if f}


def _score(row: list[object]) -> int:
    texts = [cell for cell in row if isinstance(cell, str)]
    if _KEY_CHAR.search("".join(texts)) is None:  # no name or ID label: a data line (_key_characters)
        return 0
    found = _row_fields(texts)
    if not any(k in found for k in _KEY_FIELDS) or len(found) < 3:
        return 0
    return len(found)


def find_header(sheet: Sheet) -> Header | None:
    """The first row within the top of the sheet that reads as a header, plus its sub-row."""
    rows = sheet.rows
    for r in range(min(len(rows), MAX_HEADER_SCAN)):
        if _score(rows[r]):
            top, below = tuple(rows[r]), tuple(rows[r + 1]) if r + 1 < len(rows) else None
            merged = tuple((0, c0, r1 - r0, c1) for r0, c0, r1, c1 in sheet.merged if r0 == r)  # as if r were 0
            try:  # the types are part of the key: 1, 1.0 and True are equal, and read differently
                found = _header_at(top, tuple(map(type, top)), below, below and tuple(map(type, below)), merged)
            except TypeError:  # a cell that cannot be a key (no reader makes one): worked out here
                found = _header_at.__wrapped__(top, (), below, (), merged)
            last_offset, columns, warnings = found
            return Header(sheet.name, r, r + last_offset, columns, warnings)
    return None


@lru_cache(maxsize=256)
def _header_at(top: tuple, _top_types: tuple, below: tuple | None, _below_types: tuple | None,
               merged: tuple) -> tuple[int, tuple[Column, ...], tuple[str, ...]]:
    """The header found on a row `top`, with the row `below` it and the merged ranges starting on
    it (its row numbered 0): whether `below` is its sub-row (0 or 1 more row), its columns and
    warnings. Memoised: a folder's returns come from one template, and so have the same header
    (mapping it took 0.1 ms a file)."""
    rows = [list(top)] if below is None else [list(top), list(below)]
    last = 1 if _is_subheader(rows, 0, merged) else 0
    columns, warnings = _map_columns(rows, 0, last, merged)
    return last, columns, tuple(warnings)


def header_score(sheet: Sheet) -> int:
    """How convincingly a sheet holds a return: its best header score (0 when none)."""
    return max((_score(row) for row in sheet.rows[:MAX_HEADER_SCAN]), default=0)


def _is_subheader(rows: list[list[object]], r: int, merged: tuple) -> bool:
    """A second header row: labels under a merged group (学历情况 over 学历/所学专业/毕业院校)."""
    if r + 1 >= len(rows):
        return False
    below = rows[r + 1]
    if any(_looks_like_data(c) for c in below):
        return False
    labels = [c for c in below if isinstance(c, str) and c.strip()]
    if not labels:
        return False
    vertical = any(m[0] == r and m[2] >= r + 1 for m in merged)
    horizontal = any(m[0] == r and m[2] == r and m[3] > m[1] for m in merged)
    matched = sum(1 for c in labels if field_for_label(c))
    return vertical or horizontal or matched >= 2


def _looks_like_data(cell: object) -> bool:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return True
    text = compact(cell) if cell is not None else ""
    return bool(re.fullmatch(r"[0-9]{6,}[0-9X]*", text))


def _group_labels(top: list[object], r: int, merged: tuple, width: int) -> list[str]:
    """The top header row with merged group labels spread over every column they cover."""
    labels = [compact_label(top[c]) if c < len(top) else "" for c in range(width)]
    for r0, c0, _r1, c1 in merged:
        if r0 == r and c1 > c0 and labels[c0]:
            for c in range(c0 + 1, min(c1 + 1, width)):
                labels[c] = labels[c] or labels[c0]
    # Without merge information (CSV, some writers): a blank top cell over a sub-label belongs
    # to the nearest group label on its left.
    return labels


def compact_label(cell: object) -> str:
    if cell is None:
        return ""
    return re.sub(r"\s+", "", str(cell))


def _map_columns(rows, first: int, last: int, merged: tuple) -> tuple[tuple[Column, ...], list[str]]:
    width = max(len(rows[first]), len(rows[last]))
    top = _group_labels(rows[first], first, merged, width)
    sub = [compact_label(rows[last][c]) if last != first and c < len(rows[last]) else "" for c in range(width)]
    if last != first:  # blank group cells without merge info take the label on their left
        for c in range(1, width):
            if not top[c] and sub[c] and top[c - 1] and sub[c - 1]:
                top[c] = top[c - 1]
    columns: list[Column] = []
    taken: dict[str, int] = {}
    warnings: list[str] = []
    for c in range(width):
        label = f"{top[c]}/{sub[c]}" if sub[c] and top[c] and sub[c] != top[c] else (sub[c] or top[c])
        f = field_for_label(sub[c]) if sub[c] else None
        if f is not None and compact(sub[c]) in _EXACT and is_other_post(top[c]):
            f = None  # 等级 under 岗位情况 is the post's grade
        if f is None:
            f = field_for_label(top[c])
        if f is None and not label:
            continue
        uncertain, note = False, ""
        if f is None and is_other_post(label):
            note = OTHER_POST_NOTE
        elif f and f in taken:
            uncertain, note = True, f"与第{taken[f] + 1}列同为“{FIELD_LABELS[f]}”，本列未使用"
            warnings.append(f"“{label}”列{note}")
            f = None
        elif f:
            taken[f] = c
        columns.append(Column(c, label, f, uncertain, note))
    warnings += missing_field_warnings(columns)
    return tuple(columns), warnings


def missing_field_warnings(columns) -> list[str]:
    """Warnings for the fields a return should have but this mapping lacks."""
    mapped = {c.field for c in columns}
    return [f"没有找到“{FIELD_LABELS[key]}”列" for key in ("id_number", "name") if key not in mapped]


_ID_LIKE = re.compile(r"^[0-9]{15}([0-9]{2}[0-9X])?$|^[0-9]{17}$")


def _id_like(cell: object) -> bool:
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float):
        return cell > 1e13  # an ID that went through Excel as a number
    return isinstance(cell, str) and bool(_ID_LIKE.match(compact(cell)))


def infer_id_column(sheet: Sheet, header: Header, sample: int = 50) -> Header:
    """A header without an ID label ("证件", a blank cell) but a column full of ID numbers: map
    that column by its content, marked uncertain so the review step asks the user to confirm."""
    if header.index_of("id_number") is not None:
        return header
    rows = sheet.rows[header.data_start: header.data_start + sample]
    mapped = {c.index for c in header.columns if c.field}
    best: tuple[int, int] | None = None
    for c in range(max((len(r) for r in rows), default=0)):
        if c in mapped:
            continue
        values = [r[c] for r in rows if c < len(r) and r[c] is not None and str(r[c]).strip()]
        hits = sum(1 for v in values if _id_like(v))
        if len(values) >= 2 and hits / len(values) >= 0.6 and (best is None or hits > best[1]):
            best = (c, hits)
    if best is None:
        return header
    note = "按内容识别为身份证号码列，请确认"
    columns = [c for c in header.columns if c.index != best[0]]
    label = next((c.label for c in header.columns if c.index == best[0]), "")
    columns.append(Column(best[0], label, "id_number", True, note))
    columns.sort(key=lambda c: c.index)
    warnings = [w for w in header.warnings if "身份证号码" not in w]
    warnings.append(f"第{best[0] + 1}列{note}")
    return Header(header.sheet, header.first_row, header.last_row, tuple(columns), tuple(warnings))
