"""Dated goals and growth goals, and how far a dated goal is on track.

A bureau's notices set goals with a date ("1,000 certified by December 2021") or as growth over
an earlier census ("six times the 2020 census's talents by 2025"). A goal's deadline is stored
with it; a growth goal stores the multiple, the earlier figure and which census it came from, so
the goal stands on its own when the earlier file is no longer at hand.

On track: the pace between two censuses (persons gained per day from the earlier 统计截止日期 to
this one's) is held against the pace the deadline needs (the shortfall over the days left). Both
sides are compared in whole numbers, so a goal exactly on the line is on track.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from models.errors import CensusError

# region_goals columns after region_id, in models.records.Goal's order (the count left out).
GOAL_COLUMNS = "category, target, note, deadline, multiple, base, base_source"

_DAYS_PER_MONTH = Fraction(3652425, 120000)  # 365.2425 / 12: the Gregorian average

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def iso_date(text: str) -> str:
    """A date as the census stores it (YYYY-MM-DD); 2021/12/31, 2021.12.31 and 2021年12月31日 too."""
    match = _DATE.match(str(text).strip())
    try:
        if match is None:
            raise ValueError
        return dt.date(*(int(p) for p in match.groups())).isoformat()
    except ValueError:
        raise CensusError(f"日期“{text}”无法识别，请写成 年-月-日，如 2021-12-31") from None


AS_OF_FIRST = dt.date(2000, 1, 1)  # no census of social-work talent is dated before this


def as_of_date(text: str) -> str:
    """A 统计截止日期 as iso_date gives it, refused when no census can be dated so: before 2000, or
    after the end of next year (a year-end date set in advance is fine; 2099 or 1900 is a typo
    that would put every certificate into the wrong exam year and award)."""
    iso = iso_date(text)
    last = dt.date(dt.date.today().year + 1, 12, 31)
    if not AS_OF_FIRST.isoformat() <= iso <= last.isoformat():
        raise CensusError(f"统计截止日期“{text}”不在合理范围内（{AS_OF_FIRST.isoformat()} 至 {last.isoformat()}），"
                          "请检查年份")
    return iso

@dataclass(frozen=True)
class Growth:
    """A goal as a multiple of the node's figure in an earlier census."""

    multiple: float
    base: int
    source: str  # which census the base came from, e.g. "2020年摸排（截至 2020-12-31）"

    def __post_init__(self) -> None:
        if not (self.multiple > 0 and math.isfinite(self.multiple)):
            raise CensusError("倍数必须是大于 0 的数")

    @property
    def target(self) -> int:
        """multiple × base, rounded up in exact decimal arithmetic (6 × 90 stays 540)."""
        return math.ceil(Decimal(str(self.multiple)) * self.base)


def census_label(title: str, as_of: str | None) -> str:
    """How a census is named where a figure is taken from it."""
    return f"{title}（截至 {as_of}）" if as_of else title


@dataclass(frozen=True)
class GoalProgress:
    """A dated goal measured against two censuses (`compare --json` "goals")."""

    path: str
    category: str
    target: int
    by: str
    now: int | None
    before: int | None
    on_track: bool | None  # None when the pace cannot be known (no earlier figure or no dates)
    per_month_needed: float | None  # from this census's 统计截止日期 to the deadline; None once it has passed
    pace_per_month: float | None  # persons gained per month between the two censuses
    overdue: bool = False  # the deadline is not after this census's 统计截止日期 and the goal is not met
    unknown_why: str = ""  # why on_track is None, in Chinese

    @property
    def verdict(self) -> str:
        """In Chinese, for the window and the exports."""
        if self.now is not None and self.now >= self.target:
            return "已达成"
        if self.overdue:
            return f"已过完成期限，未达成（差 {self.target - (self.now or 0)} 人）"
        if self.on_track is None:
            return f"无法判断（{self.unknown_why or '缺少早前数字或统计截止日期'}）"
        return "按此进度可以按期完成" if self.on_track else "按此进度不能按期完成"

    def to_json(self) -> dict:
        return {"path": self.path, "category": self.category, "target": self.target, "by": self.by,
                "now": self.now, "before": self.before, "on_track": self.on_track,
                "per_month_needed": self.per_month_needed, "pace_per_month": self.pace_per_month}


def months_between(a: str, b: str) -> Fraction:
    """Calendar months from date a to date b, as a clerk counts them: 2021-12-31 to 2023-06-30 is
    18, one month-end to another whole months; other days count as a fraction of an average
    month. Days alone made 12 gained in a year and 18 needed in 18 months two paces of "1 人" a
    month with the verdict 不能按期完成 (546 days against 1.5 × 365)."""
    start, end = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
    whole = (end.year - start.year) * 12 + end.month - start.month
    if _month_end(start) and _month_end(end):
        return Fraction(whole)
    return whole + Fraction(end.day - start.day) / _DAYS_PER_MONTH


def _month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def progress(path: str, category: str, target: int, by: str, now: int | None, before: int | None,
             as_of: str | None, earlier_as_of: str | None) -> GoalProgress:
    """How a dated goal stands: met, on track at the pace between the censuses, or not."""
    months_left = months_between(as_of, by) if as_of else None
    span = months_between(earlier_as_of, as_of) if as_of and earlier_as_of else None
    gained = now - before if now is not None and before is not None else None
    # An earlier census dated on or after this one gives no pace: with the files given the wrong way
    # round, 24 → 26 over "-24 months" read as 每月增加 -0.08.
    pace = round(float(gained / span), 2) if gained is not None and span is not None and span > 0 else None
    shortfall = None if now is None else max(target - now, 0)
    needed: float | None = None
    on_track: bool | None = None
    overdue = False
    if shortfall == 0:
        needed, on_track = 0.0, True
    elif shortfall is not None and months_left is not None and months_left <= 0:
        on_track, overdue = False, True  # the deadline has passed short of the goal
    else:
        if shortfall is not None and months_left is not None:
            needed = round(float(shortfall / months_left), 2)
        if shortfall is not None and months_left is not None and gained is not None and span and span > 0:
            on_track = gained * months_left >= shortfall * span  # exact fractions: the line itself is on track
    why = ""
    if on_track is None:
        why = ("本次普查未设定统计截止日期" if not as_of else "早前普查未设定统计截止日期" if not earlier_as_of
               else "早前普查的统计截止日期不早于本次，请确认两个文件的先后" if span is not None and span <= 0
               else "早前普查中没有该区划" if before is None else "")
    return GoalProgress(path, category, target, by, now, before, on_track, needed, pace, overdue, why)
