"""A kept return's cells read back from its bytes (models.kept_files asks; the importers package
hands this reader over when it is first imported).

The cells come out as the import stored them when it kept every row as JSON: the same reader and
guards (readers.workbook_from_bytes), merged cells below the header filled down as the plan did
(plan.fill_merged_down, from each data sheet's first data row, which the batch records), and
dates as the text a person reads (values.text_of); numbers stay numbers, empty cells None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from importers.plan import fill_merged_down
from importers.readers import workbook_from_bytes
from importers.values import text_of


class FileCells:
    """The rows of a file's data sheets, each row turned into cells only when asked for."""

    def __init__(self, sheets: dict[str, list[list[object]]]):
        self._sheets = sheets

    def row(self, sheet: str, row_number: int) -> tuple[object, ...]:
        rows = self._sheets.get(sheet, [])
        if not 0 < row_number <= len(rows):
            return ()
        return tuple(text_of(c) if isinstance(c, dt.date) else c for c in rows[row_number - 1])


def file_cells(data: bytes, file_name: str, data_starts: Mapping[str, int]) -> FileCells:
    """The data sheets (name → first data row, 0-based) of a kept file's bytes."""
    sheets = {}
    for sheet in workbook_from_bytes(data, file_name).sheets:
        if sheet.name in data_starts:
            fill_merged_down(sheet, data_starts[sheet.name])
            sheets[sheet.name] = sheet.rows
    return FileCells(sheets)
