"""Allowances and awards as the notices pay them, grouped by who pays.

One city pays certified community workers 200 / 300 / 500 yuan a month; a district pays its
城乡社区工作者 50 / 100 / 200 a month "由街镇财力解决", from the street's or town's budget; elsewhere
one-off awards of 2,000 / 3,000 / 6,000 go to people who *obtain* a certificate. So the monthly
budget counts only persons attributed to the eligible node kinds (community and village by
default: a hospital's or bureau's certified staff are not paid), grouped by the paying street or
town; the award counts certificates obtained in one year (取得证书时间), a person at most once, at
the level obtained that year. The rates, kinds and year are settings (models.rules.Rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.person_groups import PersonGroups
from models.regions import Region, RegionTree
from models.rules import Rules

Levels = tuple[int, int, int]  # persons: assistant, intermediate, senior
NONE: Levels = (0, 0, 0)

@dataclass(frozen=True)
class Budget:
    """The eligible persons by level and what they cost: monthly allowance and the year's award."""

    monthly_levels: Levels = NONE
    award_levels: Levels = NONE
    monthly: int = 0  # yuan per month
    award: int = 0  # yuan, once

    @property
    def yearly(self) -> int:
        return self.monthly * 12

    @property
    def monthly_persons(self) -> int:
        return sum(self.monthly_levels)


def award_year(groups: PersonGroups, rules: Rules, until: int | None = None) -> int | None:
    """The award year of the settings, or the latest year a certificate was obtained in the census,
    not after `until` (the census's 统计截止日期's year; this year when it has none)."""
    if rules.award_year is not None:
        return rules.award_year
    return groups.latest_year(until if until is not None else dt.date.today().year)


def direct_levels(rows: list[tuple[int, int, int]], tree: RegionTree, kinds: tuple[str, ...]) -> dict[int, Levels]:
    """{region_id: persons by level} of (region_id, level, persons) rows, for regions of the eligible kinds only."""
    out: dict[int, list[int]] = {}
    for region_id, level, n in rows:
        node = tree.by_id.get(region_id)
        if node is not None and node.kind in kinds and 1 <= level <= 3:
            out.setdefault(region_id, [0, 0, 0])[level - 1] += n
    return {region_id: (c[0], c[1], c[2]) for region_id, c in out.items()}


def _cost(levels: Levels, rates: tuple[int, ...]) -> int:
    return sum(n * rate for n, rate in zip(levels, rates, strict=True))


def _add(a: Levels, b: Levels) -> Levels:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def budget_of(monthly_levels: Levels, award_levels: Levels, rules: Rules) -> Budget:
    return Budget(monthly_levels, award_levels, _cost(monthly_levels, rules.allowance_monthly),
                  _cost(award_levels, rules.award_once))


@dataclass(frozen=True)
class Budgets:
    """Every node's budget (its descendants included), the direct figures they came from, the year."""

    year: int | None
    by_node: dict[int, Budget]  # nodes without eligible persons left out: Budget() is theirs
    direct_monthly: dict[int, Levels]
    direct_award: dict[int, Levels]


def budgets(groups: PersonGroups, tree: RegionTree, rules: Rules, until: int | None = None) -> Budgets:
    """The budget of every node of the tree under the settings' rates, kinds and award year
    (`until`: see award_year)."""
    year = award_year(groups, rules, until)
    monthly = direct_levels(groups.levels(), tree, rules.allowance_kinds)
    award = direct_levels(groups.obtained_in(f"{year:04d}"), tree, rules.award_kinds) if year else {}
    totals_m: dict[int, Levels] = {}
    totals_a: dict[int, Levels] = {}
    for node in reversed(tree.tree_order()):  # children before parents
        m = _add(totals_m.get(node.id, NONE), monthly.get(node.id, NONE))
        a = _add(totals_a.get(node.id, NONE), award.get(node.id, NONE))
        totals_m[node.id], totals_a[node.id] = m, a
        if node.parent_id is not None:
            totals_m[node.parent_id] = _add(totals_m.get(node.parent_id, NONE), m)
            totals_a[node.parent_id] = _add(totals_a.get(node.parent_id, NONE), a)
    # Only nodes with someone eligible: a province has 20,000 nodes, most of them paying nobody.
    by_node = {node_id: budget_of(m, totals_a[node_id], rules) for node_id, m in totals_m.items()
               if m != NONE or totals_a[node_id] != NONE}
    return Budgets(year, by_node, monthly, award)


def payer_of(tree: RegionTree, node: Region) -> Region:
    """Who pays a node's persons: the street or town it lies in (itself when it is one), else the
    node above it (a community hung directly under a district is paid by the district)."""
    if node.kind == "street":
        return node
    street = next((a for a in tree.ancestors(node) if a.kind == "street"), None)
    if street is not None:
        return street
    return tree.by_id[node.parent_id] if node.parent_id is not None else node


@dataclass(frozen=True)
class PayerLine:
    """One line of 津贴测算: a paying street/town with its persons and budget, or a total."""

    region: Region
    budget: Budget
    total: bool = False  # a district's, city's or province's total of the lines above
    own: bool = False  # a district or city paying persons not in any street (its own line)


TOTAL_KINDS = ("district", "city", "province")


def payer_lines(tree: RegionTree, b: Budgets, rules: Rules) -> list[PayerLine]:
    """Every street/town (and any other paying node) with its budget, in tree order, each district,
    city and province followed by its total (equal to its figures in the summary)."""
    paid_m: dict[int, Levels] = {}
    paid_a: dict[int, Levels] = {}
    for direct, paid in ((b.direct_monthly, paid_m), (b.direct_award, paid_a)):
        for region_id, levels in direct.items():
            payer = payer_of(tree, tree.by_id[region_id])
            paid[payer.id] = _add(paid.get(payer.id, NONE), levels)
    lines: list[PayerLine] = []
    open_totals: list[Region] = []

    def close_until(node: Region | None) -> None:
        while open_totals and (node is None or not tree.is_within(node, open_totals[-1])):
            done = open_totals.pop()
            lines.append(PayerLine(done, b.by_node.get(done.id, Budget()), total=True))

    for node in tree.tree_order():
        close_until(node)
        if node.kind == "street":
            lines.append(PayerLine(node, budget_of(paid_m.get(node.id, NONE), paid_a.get(node.id, NONE), rules)))
        elif node.id in paid_m or node.id in paid_a:
            lines.append(PayerLine(node, budget_of(paid_m.get(node.id, NONE), paid_a.get(node.id, NONE), rules),
                                   own=True))
        if node.kind in TOTAL_KINDS or node.parent_id is None:
            open_totals.append(node)
    close_until(None)
    return lines
