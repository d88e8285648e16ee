"""The extent check before calamine: a far cell is found wherever and however it is written.

A normal sheet is searched once for cells outside a box that grows as it goes; these tests put one
far cell into the middle of a large canonical sheet, in every shape calamine still reads, and at
the seams where the inflated text is cut into pieces."""

from __future__ import annotations

import io
import zipfile

import pytest

from importers.xlsx_guard import MAX_CELLS, XlsxCost, inspect_xlsx
from tests.importers.hostile_files import MAIN_NS, skeleton

ROWS = 30_000  # × 5 columns: canonical, ordered, and far below MAX_CELLS
MIDDLE = 15_000
PIECE = 1 << 20  # a stored entry reaches the scan in pieces of this size


def _row(n: int, extra: str = "") -> str:
    cells = "".join(f'<c r="{col}{n}" t="n"><v>{n}</v></c>' for col in "ABCDE")
    return f'<row r="{n}" spans="1:5">{cells}{extra}</row>'


def _sheet(extra: dict[int, str] | None = None, first: str = "") -> str:
    extra = extra or {}
    rows = "".join(_row(n, extra.get(n, "")) for n in range(1, ROWS + 1))
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData>{first}{rows}</sheetData></worksheet>'


def _cost(sheet: str | bytes, stored: bool = False, extra: dict[str, str] | None = None) -> XlsxCost:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in skeleton(sheet, extra).items():
            archive.writestr(name, data, method)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return inspect_xlsx(data, archive, "名单.xlsx")


def test_a_canonical_sheet_is_bounded_close_to_its_cells():
    cost = _cost(_sheet())
    assert not cost.sparse
    assert ROWS * 5 <= cost.largest_grid <= 4 * ROWS * 5


FAR_CELLS = {
    "far column mid-sheet": {MIDDLE: '<c r="XFD15000" t="n"><v>1</v></c>'},
    "row 3 holds a cell of row 900000": {3: '<c r="AA900000" t="n"><v>1</v></c>'},
    "row 3 holds a far row in a known column": {3: '<c r="E1048576" t="n"><v>1</v></c>'},
    "empty far cell": {MIDDLE: '<c r="XFD15000" s="1"/>'},
    "empty far cell as ElementTree writes it": {MIDDLE: '<c r="XFD15000" s="1" t="n" />'},
    "empty far cell without style": {MIDDLE: '<c r="XFD15000" />'},
    "typed empty far cell": {MIDDLE: '<c r="XFD15000" t="n" />'},
    "second r attribute": {MIDDLE: '<c r="F15000" t="n" r="XFD15000"><v>1</v></c>'},
    "attributes without a space": {MIDDLE: '<c r="F15000" t="n"r="XFD15000"><v>1</v></c>'},
    "r not first": {MIDDLE: '<c t="n" r="XFD15000"><v>1</v></c>'},
    "single quotes": {MIDDLE: "<c r='XFD15000' t='n'><v>1</v></c>"},
    "lower case": {MIDDLE: '<c r="xfd15000" t="n"><v>1</v></c>'},
    "spaces around =": {MIDDLE: '<c r = "XFD15000"><v>1</v></c>'},
    "prefixed cell": {MIDDLE: f'<x:c xmlns:x="{MAIN_NS}" r="XFD15000"><x:v>1</x:v></x:c>'},
    "cells without r run to the right": {MIDDLE: "<c><v>1</v></c>" * 16_380},
    "unusual attributes, then a far cell": {
        **{n: f'<c r="F{n}" s="2" t="n" cm="1"><v>1</v></c>' for n in range(100, 160)},
        MIDDLE: '<c r="XFD15000" s="2" t="n" cm="1"><v>1</v></c>',
    },
}


@pytest.mark.parametrize("extra", FAR_CELLS.values(), ids=FAR_CELLS.keys())
def test_a_far_cell_anywhere_is_found(extra):
    assert _cost(_sheet(extra)).sparse


def test_a_far_row_before_the_others_is_found():
    assert _cost(_sheet(first='<row r="1048576"><c r="E1048576"><v>1</v></c></row>')).sparse


def test_empty_cells_ending_in_a_space_and_slash_keep_the_box():
    extra = {n: f'<c r="F{n}" s="2" t="n" /><c r="G{n}" /><c r="H{n}" t="s" />' for n in range(1, ROWS, 7)}
    cost = _cost(_sheet(extra))
    assert not cost.sparse and ROWS * 8 <= cost.largest_grid <= 4 * ROWS * 8


def test_unusual_attributes_alone_keep_the_box():
    extra = {n: f'<c r="F{n}" s="2" t="n" cm="1"><v>1</v></c>' for n in range(100, 160)}
    cost = _cost(_sheet(extra))
    assert not cost.sparse and cost.largest_grid >= ROWS * 6


@pytest.mark.parametrize("before", [1, 4, 9, 17])
def test_a_far_cell_cut_between_two_pieces_is_found(before):
    # stored, so the pieces are exactly PIECE bytes: the far cell's tag starts `before` bytes
    # ahead of the seam and ends after it
    head = f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'.encode()
    cell = b'<c r="A1" t="n"><v>1</v></c>'
    filler = cell * ((PIECE - len(head)) // len(cell))
    pad = b" " * (PIECE - before - len(head) - len(filler))
    far = b'<c r="XFD1048576" t="n"><v>1</v></c>'
    sheet = head + filler + pad + far + b"</row></sheetData></worksheet>"
    assert sheet.index(far) == PIECE - before
    assert _cost(sheet, stored=True).sparse
    assert not _cost(sheet.replace(far, cell), stored=True).sparse


def test_the_box_of_a_large_sheet_is_counted_exactly():
    # 110,000 rows × 40 columns (AN): the box (rows to 199,999 × columns to AZ) passes MAX_CELLS,
    # the cells do not
    rows = "".join(f'<row r="{n}"><c r="AN{n}"><v>1</v></c></row>' for n in range(1, 110_001, 1000))
    last = '<row r="110000"><c r="AN110000"/></row>'
    assert 199_999 * 52 > MAX_CELLS >= 110_000 * 40
    cost = _cost(f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}{last}</sheetData></worksheet>')
    assert cost.largest_grid == 110_000 * 40 and not cost.sparse


def test_shared_strings_count_is_found_after_a_long_odd_prologue():
    # a comment longer than a piece, holding prefixed tags, before <sst uniqueCount=ten billion>
    comment = "<!--" + '<x:c r="A1"/>' * (PIECE // 10) + "-->"
    strings = f'{comment}<sst xmlns="{MAIN_NS}" uniqueCount="10000000000"><si><t>姓名</t></si></sst>'
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData/></worksheet>'
    assert _cost(sheet, stored=True, extra={"xl/sharedStrings.xml": strings}).sparse


def test_the_quick_look_for_formulas_finds_what_the_full_search_finds():
    """_blank_formula_in searches only from the first f after < or /: never a different answer."""
    import random

    from importers.xlsx_guard import _BLANK_FORMULA, _blank_formula_in

    pieces = [b"<c r=\"A1\"><f>SUM(B1:B2)</f></c>", b"<c r=\"A1\"><f>1+1</f><v>2</v></c>", b"<c r=\"B2\"><f/></c>",
              b"<c r=\"C3\"><f t=\"shared\" si=\"0\"/><v></v></c>", b"<c r=\"D4\"><f>x</f><v/></c>", b"<row r=\"1\">",
              b"</row>", b"<c r=\"E5\" t=\"s\"><v>3</v></c>", b"<dimension ref=\"A1:F9\"/>", b"<sheetFormatPr/>", b"f>",
              b"</f></c>", b"/f", b"<f", b"<x:f>1</x:f></c>"]
    rng = random.Random(7)
    for _ in range(3000):
        buf = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        start = rng.randint(0, len(buf))
        end = rng.randint(start, len(buf))
        assert _blank_formula_in(buf, start, end) == (_BLANK_FORMULA.search(buf, start, end) is not None), (buf, start, end)
