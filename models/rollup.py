"""Rolling counts up the region tree and measuring them against targets.

The database does the per-person work (one GROUP BY over an index: models.person_groups); Python
only walks the region tree, which has thousands of nodes even for a province, never millions.
"""

from __future__ import annotations

import math
from decimal import Decimal

from models.records import COUNT_FIELDS, Goal, RegionSummary
from models.regions import Region, RegionTree
from models.rules import Rules

PENDING_SQL = "SELECT region_id, COUNT(*) FROM source_rows WHERE status = 'pending' GROUP BY region_id"


def target_for(population: int | None, rules: Rules) -> int | None:
    """ceil(population × ratio), in exact decimal arithmetic (1000 × 0.001 must stay 1)."""
    if population is None:
        return None
    return math.ceil(Decimal(population) * rules.per_mille / Decimal(1000))


def certified_min_for(kind: str, rules: Rules) -> int | None:
    if kind == "community":
        return rules.certified_min_community
    if kind == "village":
        return rules.certified_min_village
    return None


def rollup(tree: RegionTree, direct: dict[int, tuple[int, ...]], pending: dict[int, int],
           with_returns: set[int], rules: Rules,
           goals: dict[int, list[tuple]] | None = None,
           by_year: dict[int, dict[str, dict[str, int]]] | None = None) -> list[RegionSummary]:
    """Summaries for every node in tree order; totals include all descendants (`by_year`: each
    node's certified persons by exam year, already rolled up, models.exam_years)."""
    order = tree.tree_order()
    totals: dict[int, list[int]] = {r.id: list(direct.get(r.id, (0,) * len(COUNT_FIELDS))) for r in order}
    pend = {r.id: pending.get(r.id, 0) for r in order}
    returns = {r.id: r.id in with_returns for r in order}
    population: dict[int, int | None] = {r.id: r.population for r in order}
    children_pop: dict[int, int | None] = {}
    for node in reversed(order):  # children before parents
        if node.population is None and children_pop.get(node.id) is not None:
            population[node.id] = children_pop[node.id]
        parent = node.parent_id
        if parent is None:
            continue
        totals[parent] = [a + b for a, b in zip(totals[parent], totals[node.id], strict=True)]
        pend[parent] += pend[node.id]
        returns[parent] = returns[parent] or returns[node.id]
        own = population[node.id]
        if own is not None:
            children_pop[parent] = (children_pop.get(parent) or 0) + own
    goals, by_year = goals or {}, by_year or {}
    return [_summary(node, totals[node.id], pend[node.id], population[node.id], returns[node.id], rules,
                     goals.get(node.id, ()), by_year.get(node.id, {})) for node in order]


def _summary(node: Region, counts: list[int], pending: int, population: int | None, has_returns: bool,
             rules: Rules, goals=(), by_year: dict[str, dict[str, int]] | None = None) -> RegionSummary:
    values: dict = dict(zip(COUNT_FIELDS, counts, strict=True))  # the counts; RegionSummary has other fields too
    node_goals = tuple(Goal(category, target, values[category], *rest) for category, target, *rest in goals)
    target = target_for(population, rules)
    per_mille = values["talents"] / population * 1000 if population else None
    minimum = certified_min_for(node.kind, rules)
    return RegionSummary(
        region_id=node.id, path=node.path, name=node.name, kind=node.kind, depth=node.depth,
        population=population, pending_rows=pending, target=target, per_mille=per_mille,
        target_met=None if target is None else values["talents"] >= target,
        certified_min=minimum,
        certified_min_met=None if minimum is None else values["certified"] >= minimum,
        flagged=node.flagged, has_returns=has_returns, goals=node_goals, certified_by_year=by_year or {}, **values,
    )


def unreported(tree: RegionTree, summary: list[RegionSummary]) -> list[RegionSummary]:
    """The deepest regions of the population table from which no return has come.

    A node without returns has none below it either, so the deepest such nodes are those without
    children of their own from the population table (regions created from returns do not count).
    """
    has_children = {r.parent_id for r in tree.regions if not r.flagged}
    return [s for s in summary if not s.flagged and not s.has_returns and s.region_id not in has_children]

