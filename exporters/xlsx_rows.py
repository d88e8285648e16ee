"""Whole rows of a streaming (constant_memory) sheet written as one piece of XML each.

xlsxwriter spends about 5 µs of Python on every cell (a cell tuple stored, then at the next row its
reference, style index, escapes and tag built one attribute at a time); a province's 明细 holds
three million cells. `RowWriter` writes exactly the XML xlsxwriter writes for the same
`write_string` / `write_number` / `write_blank` calls and `set_row` height, byte for byte
(tests/exporters/test_xlsx_rows.py compares the two), with a row's tag and cells built in one
string: style indexes looked up once per format, column letters once per column, and strings
that need no escaping (nearly all) passed through after one regex test.

It works on xlsxwriter's constant_memory internals (the open row file, the row last flushed, the
sheet's dimensions), which is why the version is pinned in requirements.txt and the byte-for-byte
test above guards an upgrade. Rows must come top to bottom, as everywhere in constant_memory;
cells written through the ordinary API before and after (headers, notes) are flushed as usual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from math import isfinite

from xlsxwriter.format import Format
from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# What xlsxwriter would change in an inline string: control characters or an _xHHHH_ look-alike
# (escaped), XML specials (escaped), leading or trailing whitespace (xml:space="preserve").
_NEEDS_CARE = re.compile(r"[\x00-\x08\x0b-\x1f&<>]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_STRING_MAX = 32767  # UTF-16 units in a cell, as xlsxwriter cuts them


class RowWriter:
    """Writes rows of one constant_memory worksheet; `formats` are the columns' usual formats
    (a row may give its own)."""

    def __init__(self, ws: Worksheet, formats: Sequence[Format] = ()):
        if not ws.constant_memory:
            raise ValueError("RowWriter needs a constant_memory worksheet")
        self.ws = ws
        self._styles: dict[int, str] = {}
        self._columns: list[str] = []
        self.formats = [self.style(f) for f in formats]

    def style(self, fmt: Format) -> str:
        """The ` s="N"` attribute of a format (its xf index, assigned on first use as xlsxwriter does)."""
        key = id(fmt)
        attr = self._styles.get(key)
        if attr is None:
            attr = self._styles[key] = f' s="{fmt._get_xf_index()}"'
        return attr

    def write(self, row: int, values: Sequence[object], formats: Sequence[Format] | None = None,
              height: float | None = None, first_col: int = 0) -> None:
        """One row: a str is an inline string, None a blank cell, anything else a number; `height`
        in points as for `set_row`."""
        ws = self.ws
        if row > ws.previous_row:
            ws._write_single_row(row)  # flushes a row written through the API
        elif row < ws.previous_row or ws.table.get(row):
            raise ValueError(f"row {row} is written already (constant_memory goes top to bottom)")
        last_col = first_col + len(values) - 1
        ws._check_dimensions(row, first_col)
        ws._check_dimensions(row, last_col)
        styles = self.formats if formats is None else [self.style(f) for f in formats]
        columns = self._columns
        while len(columns) <= last_col:
            columns.append(xl_col_to_name(len(columns)))
        number = str(row + 1)
        parts = [self._row_tag(number, height)]
        for col, (value, s) in enumerate(zip(values, styles, strict=True), start=first_col):
            ref = columns[col] + number
            if value is None:
                parts.append(f'<c r="{ref}"{s}/>')
            elif isinstance(value, str):
                parts.append(_inline_string(ref, s, value))
            elif value.__class__ is float and not isfinite(value):  # <v>INF</v> makes the file unreadable
                parts.append(f'<c r="{ref}"{s}/>')
            else:
                parts.append(f'<c r="{ref}"{s}><v>{value:.16G}</v></c>')
        parts.append("</row>")
        ws.fh.write("".join(parts))

    def write_cells(self, row: int, cells: Sequence[tuple[object, Format]], height: float | None = None) -> None:
        """One row given as (value, format) cells from column A."""
        self.write(row, [value for value, _ in cells], [fmt for _, fmt in cells], height)

    def _row_tag(self, number: str, height: float | None) -> str:
        if height is None:
            return f'<row r="{number}">'
        pixels = int(height * 4.0 / 3.0 + 0.5)  # as set_row rounds it
        if pixels == self.ws.default_row_height == self.ws.original_row_height:
            return f'<row r="{number}">'
        return f'<row r="{number}" ht="{pixels * 0.75:.16g}" customHeight="1">'


def _inline_string(ref: str, style: str, value: str) -> str:
    if not _NEEDS_CARE.search(value):
        if len(value) <= _STRING_MAX // 2:
            return f'<c r="{ref}"{style} t="inlineStr"><is><t>{value}</t></is></c>'
    if len(value) > _STRING_MAX // 2 and _utf16_len(value) > _STRING_MAX:
        value = _utf16_truncate(value, _STRING_MAX)
    value = Worksheet._escape_control_characters(value)
    preserve = ' xml:space="preserve"' if _preserve_whitespace(value) else ""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{preserve}>{value}</t></is></c>'
