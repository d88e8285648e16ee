"""Every per-person figure of a summary from one pass over the persons.

A summary needs the persons of each region counted five ways: the talent counts, certified persons
by exam year, certified persons by level (the monthly allowance), those who obtained a level in the
award year, and the latest year any certificate was obtained. Asked one query each, that was five
scans of a million persons (1.9 s at 1M, the exam years and the latest year without an index).
The index persons_region holds every column they need (migration 12), so one GROUP BY in the
index's own order — no sort, no table lookups — gives groups of identical persons, and each figure
is added up from the groups in Python: a few thousand groups, never a million persons.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.exam_years import UNKNOWN

# Grouped by every column of the index persons_region, in its order: one pass, no temporary B-tree.
GROUPS_SQL = """
SELECT region_id, talent, level, degree, trained, assistant_year, intermediate_year, senior_year, COUNT(*)
FROM persons
GROUP BY region_id, talent, level, degree, trained, assistant_year, intermediate_year, senior_year
"""

Group = tuple[int, int, int, int, int, str | None, str | None, str | None, int]


def _is_year(text: str) -> bool:
    """A readable four-digit year starting with 1 or 2 (what the importer keeps of a date)."""
    return len(text) == 4 and text.isascii() and text.isdigit() and text[0] in "12"


@dataclass(frozen=True)
class PersonGroups:
    """The groups of persons alike in region, counts and exam years; every figure is a sum over them."""

    rows: list[Group]

    @classmethod
    def read(cls, conn) -> PersonGroups:
        return cls(conn.execute(GROUPS_SQL).fetchall())

    def counts(self) -> dict[int, tuple[int, ...]]:
        """{region_id: counts in COUNT_FIELDS order} of the talents attributed directly to each region."""
        out: dict[int, list[int]] = {}
        for region_id, talent, level, degree, trained, _a, _i, _s, n in self.rows:
            if talent != 1:
                continue
            c = out.get(region_id)
            if c is None:
                c = out[region_id] = [0] * 9
            c[0] += n
            if level > 0:
                c[1] += n
                if 1 <= level <= 3:
                    c[1 + level] += n
                if degree:
                    c[6] += n
            if degree:
                c[5] += n
            if trained:
                c[7] += n
                if not degree and level == 0:
                    c[8] += n
        return {region_id: tuple(c) for region_id, c in out.items()}

    def by_year(self) -> dict[int, dict[str, list[int]]]:
        """{region_id: {year or "unknown": [assistant, intermediate, senior]}}: certified talents by
        the year their highest level was first held (models.exam_years)."""
        out: dict[int, dict[str, list[int]]] = {}
        for region_id, talent, level, _d, _t, a_year, i_year, s_year, n in self.rows:
            if talent != 1 or not 1 <= level <= 3:
                continue
            year = (a_year, i_year, s_year)[level - 1]
            key = year if year and year.isdigit() and len(year) == 4 else UNKNOWN
            out.setdefault(region_id, {}).setdefault(key, [0, 0, 0])[level - 1] += n
        return out

    def levels(self) -> list[tuple[int, int, int]]:
        """(region_id, level, persons) of the certified persons by their highest level."""
        return [(region_id, level, n) for region_id, _t, level, _d, _tr, _a, _i, _s, n in self.rows if level > 0]

    def obtained_in(self, year: str) -> list[tuple[int, int, int]]:
        """(region_id, level, persons) of the certified persons who obtained a level in `year`, each
        once, at the highest level obtained that year (the one-off award)."""
        out = []
        for region_id, _t, level, _d, _tr, a_year, i_year, s_year, n in self.rows:
            if level > 0 and year in (a_year, i_year, s_year):
                out.append((region_id, 3 if s_year == year else 2 if i_year == year else 1, n))
        return out

    def latest_year(self, until: int) -> int | None:
        """The latest year, not after `until`, any certificate was obtained, over every person (a
        date typed in the future — 2030 — must not become the year the awards pay for)."""
        years = [int(y) for row in self.rows for y in (row[5], row[6], row[7]) if y is not None and _is_year(y)]
        return max((y for y in years if y <= until), default=None)
