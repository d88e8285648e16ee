"""Consolidating all rows that share an ID into one person.

Three words, three things: a person's rows are *consolidated* (here), census files are *merged*
(`merge_files`, CLI `merge`, 合并普查文件), a region is *folded* into another (`census.regions.fold`,
CLI `fold`, 并入其他区划).

A certificate in a community's sheet and a degree in the street's sheet make one person with
both; hours are cumulative figures, so the largest counts, never the sum; the person belongs
to the deepest region any row names (the community beats the street's consolidated sheet), the
earliest import winning a tie, unless a clerk reassigned them.
"""

from __future__ import annotations

from typing import NamedTuple

from models.pinyin import pinyin_key
from models.rules import Rules


class RowFacts(NamedTuple):
    """What one valid source row says about a person (the columns consolidating needs, import order).

    A NamedTuple rather than a frozen dataclass: a full recompute builds one per source row, and
    a tuple is several times cheaper to make.
    """

    id_number: str
    batch_id: int
    row_id: int
    name: str
    level: int
    education: int
    major: str
    hours: float | None
    region_id: int
    gender: str
    phone: str
    cert_date: str | None  # 取得证书时间, ISO; None when missing or unreadable


PERSON_COLUMNS = (
    "id_number", "name", "names", "region_id", "level", "degree", "trained", "talent", "hours",
    "education", "major", "gender", "phone", "row_count", "name_conflict",
    "assistant_year", "intermediate_year", "senior_year",  # first year each level was held (exam_years)
)


def consolidate(rows: list[RowFacts], rules: Rules, depth_of: dict[int, int],
                 override_region: int | None = None, first_version: dict[int, int] | None = None) -> tuple:
    """The persons-table tuple for one ID's rows, in import order: PERSON_COLUMNS, then the
    shown name's pinyin sort key (persons.name_key). `first_version` maps a resent return's
    batch to its first version's (census.versions.first_versions): it stands in that place."""
    if len(rows) == 1:  # most people: the same result without sorting and scanning
        return _consolidate_one(rows[0], rules, override_region)
    return _consolidate_many(rows, rules, depth_of, override_region, first_version)


_NO_YEARS = (None, None, None)


def _consolidate_one(r: RowFacts, rules: Rules, override_region: int | None) -> tuple:
    # Unpacked once: a NamedTuple's fields are read through descriptors, and this runs per person
    # of a 100k-row return (a third faster than reading r.name & co. fifteen times).
    number, _batch, _row, name, level, education, major, hours, region_id, gender, phone, cert_date = r
    degree = education >= rules.min_degree and rules.major_related(major)
    trained = hours is not None and hours >= rules.min_hours
    name = name or ""
    return (
        number, name, name, region_id if override_region is None else override_region,
        level, int(degree), int(trained), int(bool(level) or degree or trained), hours, education,
        major or "", gender or "", phone or "", 1, 0,
        *(_level_years([r]) if level and cert_date else _NO_YEARS), pinyin_key(name),
    )


def _level_years(rows: list[RowFacts]) -> tuple[str | None, str | None, str | None]:
    """The year each certificate level was first held: the earliest 取得证书时间 among the rows
    giving that level (None: not held, or no readable date). The exam year of models.exam_years
    and the award year of models.allowance are read from these, not from the rows."""
    first: list[str | None] = [None, None, None]
    for r in rows:
        if r.level and r.cert_date:
            current = first[r.level - 1]
            if current is None or r.cert_date < current:
                first[r.level - 1] = r.cert_date
    return (first[0] and first[0][:4], first[1] and first[1][:4], first[2] and first[2][:4])


def _consolidate_many(rows: list[RowFacts], rules: Rules, depth_of: dict[int, int],
                override_region: int | None = None, first_version: dict[int, int] | None = None) -> tuple:
    if first_version:
        rows = sorted(rows, key=lambda r: (first_version.get(r.batch_id, r.batch_id), r.batch_id, r.row_id))
    else:
        rows = sorted(rows, key=lambda r: (r.batch_id, r.row_id))
    first = rows[0]
    names = list(dict.fromkeys(r.name for r in rows if r.name))
    level = max(r.level for r in rows)
    degree_rows = [r for r in rows if r.education >= rules.min_degree and rules.major_related(r.major)]
    degree = bool(degree_rows)
    hours_known = [r.hours for r in rows if r.hours is not None]
    hours = max(hours_known) if hours_known else None
    trained = hours is not None and hours >= rules.min_hours
    talent = bool(level) or degree or trained
    best_edu = max(rows, key=lambda r: r.education)
    shown = degree_rows[0] if degree_rows else best_edu
    if override_region is not None:
        region_id = override_region
    else:
        # max() keeps the first of equals, and rows are in import order (a resent return in
        # its first version's place): earliest wins a tie.
        region_id = max(rows, key=lambda r: depth_of.get(r.region_id, -1)).region_id
    gender = next((r.gender for r in rows if r.gender), "")
    phone = next((r.phone for r in rows if r.phone), "")
    name = names[0] if names else ""
    return (
        first.id_number, name, "、".join(names), region_id, level, int(degree),
        int(trained), int(talent), hours, shown.education, shown.major or "", gender, phone, len(rows),
        int(len(names) > 1), *_level_years(rows), pinyin_key(name),
    )
