"""Certified persons by exam year (取证年份), per region with its descendants.

A person's exam year is the year of the 取得证书时间 on the row that gives their highest level
(DOMAIN "Over time"). When several rows give that level, the earliest readable date counts: the
level was first held then, and a later return repeating the certificate does not move it. A
missing or unreadable date (stored as NULL by the importer) is "unknown", never a guess.

Consolidating a person's rows keeps the year each level was first held on the person
(persons.assistant_year, intermediate_year, senior_year: models.consolidate), so the count comes
from the one GROUP BY over persons every summary makes (models.person_groups.PersonGroups.by_year);
the tree walk is the same as the other counts'.
"""

from __future__ import annotations

from models.regions import RegionTree

LEVEL_KEYS = ("assistant", "intermediate", "senior")  # levels 1, 2, 3
UNKNOWN = "unknown"

def rolled_up(tree: RegionTree, direct: dict[int, dict[str, list[int]]]) -> dict[int, dict[str, dict[str, int]]]:
    """Every region's counts by year with its descendants', as `certified_by_year` shows them:
    years ascending, then "unknown" (always present, zeros when every date was readable)."""
    totals: dict[int, dict[str, list[int]]] = {}
    for node in reversed(tree.tree_order()):  # children before parents
        own = totals.setdefault(node.id, {})
        for year, counts in direct.get(node.id, {}).items():
            _add(own, year, counts)
        if node.parent_id is not None:
            parent = totals.setdefault(node.parent_id, {})
            for year, counts in own.items():
                _add(parent, year, counts)
    return {region_id: _shown(years) for region_id, years in totals.items()}


def _add(into: dict[str, list[int]], year: str, counts: list[int]) -> None:
    current = into.setdefault(year, [0, 0, 0])
    for i, n in enumerate(counts):
        current[i] += n


def _shown(years: dict[str, list[int]]) -> dict[str, dict[str, int]]:
    keys = sorted(k for k in years if k != UNKNOWN) + [UNKNOWN]
    return {k: dict(zip(LEVEL_KEYS, years.get(k, [0, 0, 0]), strict=True)) for k in keys}
