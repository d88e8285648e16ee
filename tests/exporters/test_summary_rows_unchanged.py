"""The summary workbook written with exporters.xlsx_rows.RowWriter is the workbook the exporters
wrote cell by cell through xlsxwriter's API before it: same values, formats and row heights (read
back with openpyxl), same sheet XML. Three censuses: the exporter tests' small one, one with
units and certificate years, and one compared with an earlier census (增长对比)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

import exporters.growth
import exporters.summary
from exporters.summary import write_summary_workbook
from models.census import Census
from tests import over_time as ot
from tests.exporters.conftest import build_census
from tests.money_census import build_money_census


class CellByCellWriter:
    """RowWriter's interface, each cell written through the ordinary xlsxwriter calls."""

    def __init__(self, ws, formats=()):
        self.ws, self.formats = ws, list(formats)

    def write(self, row, values, formats=None, height=None, first_col=0):
        if height is not None:
            self.ws.set_row(row, height)
        for col, (value, fmt) in enumerate(zip(values, formats or self.formats, strict=True), start=first_col):
            if value is None:
                self.ws.write_blank(row, col, None, fmt)
            elif isinstance(value, str):
                self.ws.write_string(row, col, value, fmt)
            else:
                self.ws.write_number(row, col, value, fmt)

    def write_cells(self, row, cells, height=None):
        self.write(row, [v for v, _ in cells], [f for _, f in cells], height)


def _export(census_path: Path, out: Path, earlier: Path | None) -> Path:
    with Census.open(census_path) as census:
        return write_summary_workbook(census, out, earlier=earlier)


def _looks(cell) -> tuple:
    return (cell.value, cell.number_format, cell.font.b, cell.font.color and cell.font.color.rgb,
            cell.alignment.horizontal, cell.alignment.indent, cell.alignment.wrap_text, cell.fill.fgColor.rgb,
            cell.border.left.style)


def _sheets(path: Path) -> dict[str, tuple]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: ([[_looks(c) for c in row] for row in ws.iter_rows()],
                       {r: d.height for r, d in ws.row_dimensions.items() if d.height},
                       sorted(str(m) for m in ws.merged_cells.ranges), ws.auto_filter.ref)
            for ws in wb.worksheets}


def _sheet_xml(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}


@pytest.fixture(scope="module")
def censuses(tmp_path_factory) -> list[tuple[Path, Path | None]]:
    small = build_census(tmp_path_factory.mktemp("small"))
    money = build_money_census(tmp_path_factory.mktemp("money"))
    later, earlier, _first, _second = ot.build_both(tmp_path_factory.mktemp("years"))
    return [(small, None), (money, None), (later, earlier)]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_rows_written_whole_match_the_cell_by_cell_workbook(censuses, which, tmp_path, monkeypatch):
    census_path, earlier = censuses[which]
    fast = _export(census_path, tmp_path / "fast.xlsx", earlier)
    monkeypatch.setattr(exporters.summary, "RowWriter", CellByCellWriter)
    monkeypatch.setattr(exporters.growth, "RowWriter", CellByCellWriter)
    reference = _export(census_path, tmp_path / "reference.xlsx", earlier)
    fast_sheets, reference_sheets = _sheets(fast), _sheets(reference)
    assert len(reference_sheets["明细"][0]) > 5 and len(reference_sheets["汇总表"][0]) > 8  # rows were written
    assert fast_sheets == reference_sheets
    assert _sheet_xml(fast) == _sheet_xml(reference)
