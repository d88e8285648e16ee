"""The optional 单位类型 / 在岗职工数 columns of the population table.

A bureau that lists its units in the population table (市民政局, 第一中学, 红星镇社工站…) can give
each its type and staff there instead of one by one in the window; census.units checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from importers.values import text_of
from models.errors import CensusError, PopulationError
from models.regions import Region

if TYPE_CHECKING:  # annotations only: the reader process imports this module without the census
    from models.census import Census

_TYPE_WORDS = ("单位类型", "单位性质", "机构类型")
_STAFF_WORDS = ("在岗职工数", "在岗职工", "职工人数", "职工数", "在职人数", "员工人数", "工作人员数")


@dataclass(frozen=True)
class UnitColumns:
    type_col: int | None
    staff_col: int | None


def find_unit_columns(header: list[object]) -> UnitColumns | None:
    """The columns of the header naming a unit's type and staff; None when there are neither."""
    labels = [text_of(c).replace(" ", "") for c in header]
    type_col = next((i for i, t in enumerate(labels) if any(w in t for w in _TYPE_WORDS)), None)
    staff_col = next((i for i, t in enumerate(labels) if any(w in t for w in _STAFF_WORDS)), None)
    return None if type_col is None and staff_col is None else UnitColumns(type_col, staff_col)


def record_unit(census: Census, node: Region, row: list[object], cols: UnitColumns, file_name: str,
                row_number: int) -> bool:
    """Store the row's type and staff for its node (inside the loader's transaction); False when
    the row gives neither. A bad value stops the table with the row named."""
    kind = text_of(row[cols.type_col]) if cols.type_col is not None and cols.type_col < len(row) else ""
    staff_cell = row[cols.staff_col] if cols.staff_col is not None and cols.staff_col < len(row) else None
    staff_text = text_of(staff_cell).replace(",", "").replace("人", "")
    if not kind and not staff_text:
        return False
    staff = None
    if staff_text:
        try:
            value = float(staff_text)
        except ValueError:
            value = -1.0
        if value < 0 or not value.is_integer():
            raise PopulationError(f"第 {row_number} 行的在岗职工数“{text_of(staff_cell)}”不是非负整数", file=file_name)
        staff = int(value)
    try:
        census.units.record(node.id, kind or census.units.get(node.id).unit_type, staff)
    except CensusError as err:
        raise PopulationError(f"第 {row_number} 行：{err.message}", file=file_name) from None
    return True
