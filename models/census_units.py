"""`census.units`: units' types and staff (在岗职工数), and the figures they and the allowance rules
add to every summary node (allowance, award, unit target, 社工站 coverage)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from models import allowance, units
from models.errors import CensusError, check_people
from models.records import RegionSummary
from models.regions import KIND_LABELS, kind_for
from models.units import UnitProfile, check_unit_type

if TYPE_CHECKING:
    from models.census import Census

# Persons of each region certified, or holding a bachelor's degree or above (on one row) in social
# work itself: the agency rule. The majors' condition is built from the settings' keywords.
_AGENCY_SQL = """
SELECT p.region_id, COUNT(*) FROM persons p
WHERE p.region_id IN (SELECT value FROM json_each(?)) AND (p.level > 0 OR EXISTS (
    SELECT 1 FROM source_rows s WHERE s.id_number = p.id_number AND +s.status = 'ok' AND s.education >= ?
    AND ({majors})))
GROUP BY p.region_id
"""


class Units:
    """The typed units of one census."""

    def __init__(self, census: Census):
        self._census = census

    @property
    def _conn(self):
        return self._census.conn

    def all(self) -> list[UnitProfile]:
        """Every unit with a type or a staff count."""
        return [UnitProfile(*row) for row in self._conn.execute(
            "SELECT region_id, unit_type, staff FROM region_units ORDER BY region_id")]

    def get(self, region_id: int) -> UnitProfile:
        row = self._conn.execute("SELECT region_id, unit_type, staff FROM region_units WHERE region_id = ?",
                                 (region_id,)).fetchone()
        return UnitProfile(*row) if row else UnitProfile(region_id, None, None)

    def set(self, region_id: int, unit_type: str | None, staff: int | None) -> None:
        """Set a node's unit type and staff (None clears each); a node holding streets, communities
        or villages is a region, not a unit, and is refused."""
        with self._census.transaction():
            self.record(region_id, unit_type, staff)

    def record(self, region_id: int, unit_type: str | None, staff: int | None) -> None:
        """`set` inside the caller's transaction (the population table sets many at once). A node
        given a type that was taken for a street or community by its depth (第一中学 in a column
        of towns) and has nothing below it becomes a unit."""
        node = self._census.regions.get(region_id)
        unit_type = check_unit_type(unit_type)
        check_people(staff, f"“{node.path}”的在岗职工数")
        if unit_type is None and staff is None:
            self._conn.execute("DELETE FROM region_units WHERE region_id = ?", (region_id,))
            return
        refused = self.not_a_unit(region_id)
        if refused:
            raise CensusError(refused)
        if node.kind != "unit":
            self._conn.execute("UPDATE regions SET kind = 'unit' WHERE id = ?", (region_id,))
            self._census.regions.forget()
        self._conn.execute("INSERT OR REPLACE INTO region_units (region_id, unit_type, staff) VALUES (?, ?, ?)",
                           (region_id, unit_type, staff))

    def not_a_unit(self, region_id: int) -> str | None:
        """Why a node cannot take a unit type and staff (in Chinese), or None when it can: the
        window's menu offers 单位类型和在岗职工数 only where it may be set."""
        node = self._census.regions.get(region_id)
        below = self._census.regions.tree().children.get(node.id, [])
        if node.kind in ("province", "city", "district") or (node.kind != "unit" and below) or any(
                not self._is_unit_subtree(child) for child in below):
            return (f"“{node.path}”是辖有下级的区划，不是单位：单位类型和在岗职工数只能设在单位上"
                    "（街道、乡镇本级可在其下建一个单位，如“XX街道本级”）")
        if node.kind != "unit" and kind_for(node.name) != "unit":
            # 幸福社区 or 团结村 by its own name, not by its depth: typing it would drop its workers
            # from the allowance and its certified minimum, and nothing would turn it back.
            return (f"“{node.path}”是{KIND_LABELS.get(node.kind, node.kind)}，不是单位：单位类型和在岗职工数"
                    "只能设在单位上（社工站请在街道、乡镇下单独建一个，如“XX街道社工站”）")
        return None

    def _is_unit_subtree(self, node) -> bool:
        """A unit with only units below it (a hospital's departments), never a street or community."""
        children = self._census.regions.tree().children
        stack = [node]
        while stack:
            current = stack.pop()
            if current.kind != "unit":
                return False
            stack.extend(children.get(current.id, []))
        return True

    def agency_counts(self, region_ids: list[int]) -> dict[int, int]:
        """{region: persons certified or with a social-work bachelor's degree or above} for the
        given regions, each with its descendants."""
        rules = self._census.settings.rules
        if not region_ids or not rules.sw_majors:
            return {}
        tree = self._census.regions.tree()
        owner: dict[int, list[int]] = {}  # region → the requested regions it lies within
        for region_id in region_ids:
            node = tree.by_id[region_id]
            for inside in (node, *tree.descendants(node)):
                owner.setdefault(inside.id, []).append(region_id)
        majors = " OR ".join("instr(s.major, ?) > 0" for _ in rules.sw_majors)
        sql = _AGENCY_SQL.format(majors=majors)
        out: dict[int, int] = {}
        for region_id, n in self._conn.execute(sql, (json.dumps(list(owner)), rules.sw_degree_min, *rules.sw_majors)):
            for requested in owner.get(region_id, ()):
                out[requested] = out.get(requested, 0) + n
        return out

    def attach(self, summaries: list[RegionSummary]) -> list[RegionSummary]:
        """The summaries with each node's allowance and award, its unit target and its 社工站
        coverage filled in (only the nodes that have any are copied)."""
        census = self._census
        tree = census.regions.tree()
        rules = census.settings.rules
        budgets = self.budgets()  # the award year up to the 统计截止日期, as 津贴测算 and "rules" give it
        profiles = self.all()
        by_id = {s.region_id: s for s in summaries}
        agencies = [p.region_id for p in profiles if p.unit_type in
                    {t for t, counts, _ in rules.unit_targets if counts == "certified_or_sw_degree"}]
        standing = units.standings(by_id, profiles, rules, self.agency_counts(agencies))
        cover = units.coverage(tree, {s.region_id: s.talents for s in summaries}, profiles)
        staff = {p.region_id: p.staff for p in profiles}
        out = []
        for s in summaries:
            changes: dict[str, Any] = {}
            budget = budgets.by_node.get(s.region_id)
            if budget is not None and (budget.monthly or budget.award):
                changes.update(allowance_monthly=budget.monthly, award_once=budget.award)
            if s.region_id in staff:
                changes["staff"] = staff[s.region_id]
            st = standing.get(s.region_id)
            if st is not None:
                changes.update(unit_type=st.unit_type, unit_target=st.target, unit_actual=st.actual,
                               unit_target_met=st.met)
            c = cover.get(s.region_id)
            if c is not None:
                changes.update(station_covered=c.covered, stations_covered=c.covered_streets,
                               station_streets=c.streets)
            out.append(replace(s, **changes) if changes else s)
        return out

    def award_year(self) -> int | None:
        """The year whose certificates the one-off award pays (settings, else the latest in the
        census up to its 统计截止日期's year)."""
        return allowance.award_year(self._census.person_groups(), self._census.settings.rules, self._until())

    def budgets(self) -> allowance.Budgets:
        return allowance.budgets(self._census.person_groups(), self._census.regions.tree(),
                                 self._census.settings.rules, self._until())

    def _until(self) -> int | None:
        """The last year a certificate can have been obtained in: the 统计截止日期's (None: this year)."""
        as_of = self._census.as_of
        return int(as_of[:4]) if as_of else None
