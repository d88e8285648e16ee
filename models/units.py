"""Units against their staff, and 社工站 coverage of the streets and towns.

The district notice sets targets for units relative to their staff (在岗职工数): professional
social-service government and public institutions (and the streets'/towns' own staff) ≥ 1/3
certified, other government and public institutions ≥ 1/5 certified, schools and hospitals 2–3
social-work talents, social-work agencies ≥ 1/3 of full-time staff certified or holding a
social-work bachelor's degree or above. The rules are settings (models.rules.Rules.unit_targets);
this module only applies them. Provinces and cities aim for a 社工站 with social-work talent in
every street and town: a street/town node is covered when a 社工站 unit under it has a talent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from models.errors import CensusError
from models.records import RegionSummary
from models.regions import RegionTree
from models.rules import UNIT_COUNTS, UNIT_TYPES, Rules

STATION = "社工站"
COUNT_LABELS = {"certified": "持证", "talents": "社工人才", "certified_or_sw_degree": "持证或社工本科及以上"}


@dataclass(frozen=True)
class UnitProfile:
    """What a clerk (or the population table) said about a unit: its type and its staff."""

    region_id: int
    unit_type: str | None
    staff: int | None


@dataclass(frozen=True)
class UnitRule:
    """One type's target: what counts, and either a share of the staff or a number of people."""

    unit_type: str
    counts: str
    share: Fraction | None = None  # of 在岗职工数, rounded up
    people: int | None = None

    @classmethod
    def parse(cls, unit_type: str, counts: str, amount: str) -> UnitRule:
        """("医院", "talents", "2") or ("社工机构", "certified_or_sw_degree", "1/3")."""
        if counts not in UNIT_COUNTS:
            raise CensusError(f"单位目标规则“{unit_type}”的计数口径“{counts}”不认识")
        text = str(amount).strip()
        try:
            if "/" in text:
                share = Fraction(text)
                if not 0 < share <= 1:
                    raise ValueError
                return cls(unit_type, counts, share=share)
            people = int(text)
            if people < 0:
                raise ValueError
            return cls(unit_type, counts, people=people)
        except (ValueError, ZeroDivisionError):
            raise CensusError(f"单位目标规则“{unit_type}”的要求“{text}”应为比例（如 1/3）或人数（如 2）") from None

    def target(self, staff: int | None) -> int | None:
        """People required; None when the rule is a share and the staff is not known (0 included:
        the window shows it as 未填, and a share of it would call a unit with nobody 已达到)."""
        if self.people is not None:
            return self.people
        if not staff or self.share is None:
            return None
        return math.ceil(staff * self.share)

    @property
    def description(self) -> str:
        what = COUNT_LABELS[self.counts]
        if self.people is not None:
            return f"{what} ≥ {self.people} 人"
        assert self.share is not None
        return f"{what} ≥ 在岗职工数 × {self.share.numerator}/{self.share.denominator}（向上取整）"


def unit_rules(rules: Rules) -> dict[str, UnitRule]:
    """The unit targets of the settings, by unit type."""
    return {t: UnitRule.parse(t, counts, amount) for t, counts, amount in rules.unit_targets}


def check_unit_type(unit_type: str | None) -> str | None:
    """The type itself ("" or None clear it); anything not in UNIT_TYPES is refused with the choices."""
    if unit_type is None or not unit_type.strip():
        return None
    text = unit_type.strip()
    if text not in UNIT_TYPES:
        raise CensusError(f"单位类型“{text}”不认识（可选：{'、'.join(UNIT_TYPES)}）")
    return text


@dataclass(frozen=True)
class UnitStanding:
    """A typed unit against its target; target None where no rule applies or the staff is unknown."""

    unit_type: str
    staff: int | None
    target: int | None
    actual: int | None
    rule: UnitRule | None

    @property
    def met(self) -> bool | None:
        return None if self.target is None or self.actual is None else self.actual >= self.target


def standings(summaries: dict[int, RegionSummary], profiles: list[UnitProfile], rules: Rules,
              agency_counts: dict[int, int]) -> dict[int, UnitStanding]:
    """Each typed unit's standing. `agency_counts`: persons of the unit (descendants included)
    certified or holding a social-work bachelor's degree or above, for rules counting that."""
    by_type = unit_rules(rules)
    out: dict[int, UnitStanding] = {}
    for profile in profiles:
        s = summaries.get(profile.region_id)
        if s is None or profile.unit_type is None:
            continue
        rule = by_type.get(profile.unit_type)
        actual: int | None = None
        if rule is not None:
            actual = {"certified": s.certified, "talents": s.talents,
                      "certified_or_sw_degree": agency_counts.get(s.region_id, 0)}[rule.counts]
        out[s.region_id] = UnitStanding(profile.unit_type, profile.staff, rule.target(profile.staff) if rule else None,
                                        actual, rule)
    return out


@dataclass(frozen=True)
class Coverage:
    """社工站 coverage: on a street/town node `covered`; on the nodes above, `covered_streets` of `streets`."""

    covered: bool | None = None
    covered_streets: int | None = None
    streets: int | None = None

    @property
    def text(self) -> str | None:
        return None if self.streets is None else f"{self.covered_streets}/{self.streets}"


def coverage(tree: RegionTree, talents: dict[int, int], profiles: list[UnitProfile]) -> dict[int, Coverage]:
    """Which streets/towns have a 社工站 with at least one talent under them, and how many of the
    streets below each higher node do. Nodes that are neither streets nor above one get nothing."""
    stations = [p.region_id for p in profiles if p.unit_type == STATION and talents.get(p.region_id, 0) > 0]
    covered: set[int] = set()
    for station in stations:
        node = tree.by_id.get(station)
        street = next((a for a in tree.ancestors(node) if a.kind == "street"), None) if node else None
        if street is not None:
            covered.add(street.id)
    counts: dict[int, list[int]] = {}
    out: dict[int, Coverage] = {}
    for node in tree.tree_order():
        if node.kind != "street":
            continue
        is_covered = node.id in covered
        out[node.id] = Coverage(covered=is_covered)
        for above in tree.ancestors(node):
            if above.kind == "street":
                continue  # a town inside a town: counted for the nodes above both
            c = counts.setdefault(above.id, [0, 0])
            c[0] += int(is_covered)
            c[1] += 1
    for node_id, (n_covered, n_streets) in counts.items():
        if node_id not in out:
            out[node_id] = Coverage(covered_streets=n_covered, streets=n_streets)
    return out


def unit_target_text(s: RegionSummary) -> str:
    """The target cell of a typed unit, as 汇总表 and the tree show it: "≥10人，差9人"."""
    if s.unit_type is None:
        return ""
    if s.unit_target is None:
        return "未填在岗职工数" if s.unit_actual is not None else "无要求"
    if s.unit_target_met:
        return f"≥{s.unit_target}人，已达到"
    return f"≥{s.unit_target}人，差{s.unit_shortfall}人"


def unit_line(s: RegionSummary) -> str:
    """One line about a unit for the command line and messages."""
    if s.unit_type is None and s.staff is None:
        return f"{s.path}：未设定单位类型（可选：{'、'.join(UNIT_TYPES)}）"
    staff = "在岗职工数未填" if s.staff is None else f"在岗职工 {s.staff} 人"
    head = f"{s.path}：{s.unit_type or '未设定类型'}，{staff}"
    if s.unit_target is None:
        reason = "缺在岗职工数，无法计算目标" if s.unit_actual is not None else "该类型没有目标要求"
        return f"{head}；{reason}"
    state = "已达到" if s.unit_target_met else f"差 {s.unit_shortfall} 人"
    return f"{head}；目标 {s.unit_target} 人，现有 {s.unit_actual} 人，{state}"
