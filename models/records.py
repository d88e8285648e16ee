"""Records the store hands out: frozen dataclasses, no behaviour beyond presentation helpers."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from models.identity import mask_id, mask_phone
from models.rules import EDU_NAMES, LEVEL_NAMES

# The breakdown every summary shows, in DOMAIN.md's names and order.
COUNT_FIELDS = (
    "talents", "certified", "certified_assistant", "certified_intermediate", "certified_senior",
    "degree", "degree_and_certified", "trained", "trained_only",
)


# Categories a bureau may set an absolute goal for (e.g. 1,000 certified by year end).
GOAL_LABELS = {
    "talents": "人才总数", "certified": "持证社工", "certified_assistant": "助理社会工作师",
    "certified_intermediate": "社会工作师", "certified_senior": "高级社会工作师", "degree": "专业学历",
    "trained": "培训达标",
}


@dataclass(frozen=True)
class Goal:
    """A goal set for a node and a category, against the node's count.

    A goal may carry a deadline (`deadline`, ISO date: "1,000 certified by 2021-12-31") and may
    be a growth goal: `multiple` × `base`, the node's figure in an earlier census (`base_source`
    names it), rounded up into `target` when it was set.
    """

    category: str
    target: int
    actual: int
    note: str = ""
    deadline: str | None = None
    multiple: float | None = None
    base: int | None = None
    base_source: str = ""

    @property
    def label(self) -> str:
        return GOAL_LABELS.get(self.category, self.category)

    @property
    def met(self) -> bool:
        return self.actual >= self.target

    @property
    def shortfall(self) -> int:
        return max(self.target - self.actual, 0)

    @property
    def description(self) -> str:
        """Deadline, growth basis and note in one line, as the window and the exports show them."""
        parts = []
        if self.deadline:
            parts.append(f"期限 {self.deadline}")
        if self.multiple is not None:
            parts.append(f"{self.base_source or '早前普查'}的 {self.multiple:g} 倍（基数 {self.base}）")
        if self.note:
            parts.append(self.note)
        return "；".join(parts)

    def to_json(self) -> dict:
        return {"category": self.category, "target": self.target, "actual": self.actual, "met": self.met,
                "note": self.note, "by": self.deadline, "multiple": self.multiple, "base": self.base,
                "base_source": self.base_source}


@dataclass(frozen=True)
class RegionSummary:
    """One node's figures, its descendants included."""

    region_id: int
    path: str
    name: str
    kind: str
    depth: int
    population: int | None
    talents: int = 0
    certified: int = 0
    certified_assistant: int = 0
    certified_intermediate: int = 0
    certified_senior: int = 0
    degree: int = 0
    degree_and_certified: int = 0
    trained: int = 0
    trained_only: int = 0
    pending_rows: int = 0
    target: int | None = None
    per_mille: float | None = None
    target_met: bool | None = None
    certified_min: int | None = None
    certified_min_met: bool | None = None
    # Money and units (models.allowance, models.units, census.units.attach): the monthly allowance
    # and the award year's one-off award of the eligible persons below the node, in yuan; a typed
    # unit's type, staff and target (None where no rule applies or the staff is unknown) with the
    # persons counted for it; 社工站 coverage on street/town nodes, and covered/all streets above.
    allowance_monthly: int = 0
    award_once: int = 0
    unit_type: str | None = None
    staff: int | None = None
    unit_target: int | None = None
    unit_actual: int | None = None
    unit_target_met: bool | None = None
    station_covered: bool | None = None
    stations_covered: int | None = None
    station_streets: int | None = None
    flagged: bool = False
    has_returns: bool = False  # any row (own or below) came from a return
    goals: tuple[Goal, ...] = ()  # absolute goals a user set for this node
    # Certified persons by exam year: {"2019": {"assistant": n, "intermediate": n, "senior": n}, …,
    # "unknown": {…}}, years ascending, "unknown" last; adds up to `certified` (models.exam_years).
    certified_by_year: dict[str, dict[str, int]] = field(default_factory=dict, compare=False)

    @property
    def station_coverage(self) -> str | None:
        """Streets/towns below with a talented 社工站, of all of them ("12/15"); None on other nodes."""
        return None if self.station_streets is None else f"{self.stations_covered}/{self.station_streets}"

    @property
    def unit_shortfall(self) -> int | None:
        """How many more persons a typed unit needs for its target (0 when met)."""
        if self.unit_target is None or self.unit_actual is None:
            return None
        return max(self.unit_target - self.unit_actual, 0)

    @property
    def shortfall(self) -> int | None:
        """How many more talents are needed to reach the target (0 when met)."""
        return None if self.target is None else max(self.target - self.talents, 0)

    def to_json(self) -> dict:
        data: dict[str, object] = {"path": self.path, "kind": self.kind, "population": self.population}
        data.update({name: getattr(self, name) for name in COUNT_FIELDS})
        data.update({
            "pending_rows": self.pending_rows,
            "target": self.target,
            "per_mille": None if self.per_mille is None else round(self.per_mille, 4),
            "target_met": self.target_met,
            "certified_min": self.certified_min,
            "certified_min_met": self.certified_min_met,
            "allowance_monthly": self.allowance_monthly,
            "award_once": self.award_once,
            "unit_type": self.unit_type,
            "staff": self.staff,
            "unit_target": self.unit_target,
            "unit_actual": self.unit_actual,
            "unit_target_met": self.unit_target_met,
            "station_covered": self.station_covered,
            "station_coverage": self.station_coverage,
            "goals": [g.to_json() for g in self.goals],
            "certified_by_year": self.certified_by_year,
        })
        return data


@dataclass(frozen=True)
class Person:
    """One person, qualifications merged over all their rows."""

    id_number: str
    name: str
    region_id: int
    region_path: str
    level: int
    degree: bool
    trained: bool
    talent: bool
    hours: float | None
    education: int
    major: str
    gender: str
    phone: str
    row_count: int
    name_conflict: bool
    names: tuple[str, ...] = ()

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def education_name(self) -> str:
        return EDU_NAMES.get(self.education, "")

    @property
    def categories(self) -> list[str]:
        """The categories in Chinese, in the order of the summary."""
        out = []
        if self.level:
            out.append("持证")
        if self.degree:
            out.append("专业学历")
        if self.trained:
            out.append("培训")
        return out

    def shown_id(self, full: bool = False) -> str:
        return mask_id(self.id_number, full)

    def shown_phone(self, full: bool = False) -> str:
        return self.phone if full else mask_phone(self.phone)


@dataclass(frozen=True)
class SourceRow:
    """A data row as it came from a return, with what we understood of it."""

    id: int
    batch_id: int
    file_name: str
    sheet: str
    row_number: int  # 1-based, as Excel shows it
    raw: tuple[object, ...]  # the cells as read: text, numbers, None for empty (dates as text)
    name: str
    id_raw: str
    id_number: str | None
    status: str  # "ok" | "pending"
    reason: str | None
    level: int
    education: int
    major: str
    hours: float | None
    region_id: int | None
    region_path: str
    notes: tuple[str, ...] = ()
    header: tuple[str, ...] = ()

    @property
    def pending(self) -> bool:
        return self.status == "pending"


@dataclass(frozen=True)
class Problem:
    """A row or person that needs a clerk: pending IDs, name conflicts, unreadable values."""

    kind: str  # "pending" | "name_conflict" | "review" | "new_region"
    reason: str
    file_name: str = ""
    sheet: str = ""
    row_number: int | None = None
    row_id: int | None = None
    batch_id: int | None = None
    name: str = ""
    id_raw: str = ""
    id_number: str | None = None
    region_path: str = ""
    # The same problem on other rows (a resent return kept beside the first, a street's sheet and
    # the community's return with the same bad line): listed once, fixed together.
    also_rows: tuple[int, ...] = ()
    remark: str = ""  # what the community wrote in a returned correction list's 备注
    reviewed: bool = False  # a name conflict the community answered in 备注: nothing left to send back

    KIND_LABELS = {"pending": "待核实", "name_conflict": "姓名不一致", "review": "需复核", "new_region": "新增区划"}

    def shown_id(self, full: bool = False) -> str:
        """The ID as typed, masked unless asked for in full."""
        return mask_id(self.id_raw, full)

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)

    def to_json(self, full_ids: bool = False) -> dict:
        return {
            "kind": self.kind,
            "row_id": self.row_id,
            "file": self.file_name,
            "sheet": self.sheet,
            "row": self.row_number,
            "name": self.name,
            "id": self.shown_id(full_ids),
            "region": self.region_path,
            "reason": self.reason,
            "remark": self.remark,
            "reviewed": self.reviewed,
        }


@dataclass(frozen=True)
class Batch:
    """One imported file."""

    id: int
    file_name: str
    file_path: str
    sha256: str
    format: str
    sheet: str
    region_path: str
    region_source: str
    imported_at: str
    rows_total: int
    rows_ok: int
    rows_pending: int
    mapping: dict = field(default_factory=dict)
    version: int = 1  # a return sent again is version 2, 3… of the same file for the same region
    replaces: int | None = None  # the batch that version replaced (withdrawn; undo brings it back)

    @property
    def version_label(self) -> str:
        """第2版（替换批次 3）, or nothing for a first version."""
        return f"第{self.version}版（替换批次 {self.replaces}）" if self.replaces is not None else ""

    @property
    def imported_label(self) -> str:
        """When it was imported, as a clerk reads a time (2026-12-02 18:54), not ISO 8601."""
        return self.imported_at.replace("T", " ")[:16]


@dataclass(frozen=True)
class Carry:
    """What became of a fix (an ID correction or a 备注) brought from another copy of the same line
    (a resent return's earlier version, a census file merged in): the row's own fix is never
    overwritten, since a clerk here decided it; the caller counts what differs."""

    outcome: Literal["carried", "same", "conflict"]  # made here; the row has it already; its own kept
    pending_reason: str | None = None  # carried onto a pending row: why it was pending

    @property
    def carried(self) -> bool:
        return self.outcome == "carried"

    @property
    def conflict(self) -> bool:
        return self.outcome == "conflict"


def display_width(text: str) -> int:
    """Columns a text takes in a terminal or a spreadsheet cell: CJK characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
