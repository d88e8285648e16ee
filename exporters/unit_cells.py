"""The 汇总表 columns for units and 社工站 coverage, and the lines under the table that name the
units below their target and the streets/towns without a talented station."""

from __future__ import annotations

from exporters.xlsx import Styles, text
from models.records import RegionSummary
from models.units import unit_target_text

UNIT_COLUMNS = (("单位类型", None, 19), ("在岗职工数", None, 7), ("单位目标", None, 14), ("社工站覆盖", None, 9))


def coverage_text(s: RegionSummary) -> str:
    """已覆盖 / 未覆盖 on a street or town, "1/3" on the nodes above, "" elsewhere."""
    if s.station_covered is not None:
        return "已覆盖" if s.station_covered else "未覆盖"
    return s.station_coverage or ""


def unit_cells(styles: Styles, s: RegionSummary) -> list[tuple[object, object]]:
    """A region's unit and 社工站 cells as (value, format); None is a blank cell."""
    return [
        (text(s.unit_type or ""), styles.text),
        (s.staff, styles.int),
        (unit_target_text(s), styles.bad_left if s.unit_target_met is False else styles.text),
        (coverage_text(s), styles.bad if s.station_covered is False else styles.center),
    ]


def unit_notes(summary: list[RegionSummary]) -> list[str]:
    """Lines naming the units short of their target and the streets/towns not covered."""
    notes = []
    short = [s for s in summary if s.unit_target_met is False]
    if short:
        notes.append(f"未达到单位目标的单位 {len(short)} 个：" + "、".join(f"{s.name}（{unit_target_text(s)}）" for s in short))
    uncovered = [s.name for s in summary if s.station_covered is False]
    if uncovered:
        notes.append(f"尚无有社工人才的社工站的街道（乡镇）{len(uncovered)} 个：" + "、".join(uncovered))
    return notes
