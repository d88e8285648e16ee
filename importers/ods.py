"""OpenDocument spreadsheets (.ods): what LibreOffice, and the office suites of the 信创 PCs built
on it, save by default.

Read here rather than by calamine: an .ods says how often a row or a cell repeats
(table:number-rows-repeated="1048553" closes every sheet LibreOffice writes), so a few bytes can
stand for billions of cells, and only a reader that counts them as it goes stays small. The
archive passes the guard's checks first (declared sizes, then content.xml inflated with its real
size and CRC checked, importers.xlsx_guard), the XML is parsed as it inflates (expat refuses
entity expansion), each row's elements are dropped once read, and filled cells are counted
against readers' MAX_CELLS, a repeated one as often as it repeats. Values come in calamine's
shapes, as importers.spreadsheet_ml gives them: an integral number as int, a midnight date as a
date, blank text as None.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable

from importers.xlsx_guard import check_declared, inflate_entry
from importers.xml_sheets import MAX_COLUMNS, MAX_ROWS, Broken, TooMany, XmlSheet, moment, number, pull

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_T_TABLE, _T_ROW, _T_CELL, _T_COVERED = (f"{{{_TABLE}}}{t}" for t in ("table", "table-row", "table-cell",
                                                                        "covered-table-cell"))
_ROW_GROUPS = frozenset(f"{{{_TABLE}}}{t}" for t in ("table", "table-row-group", "table-header-rows", "table-rows"))
_NAME, _STYLE_NAME = f"{{{_TABLE}}}name", f"{{{_TABLE}}}style-name"
_ROWS_REPEATED, _COLS_REPEATED = f"{{{_TABLE}}}number-rows-repeated", f"{{{_TABLE}}}number-columns-repeated"
_ROWS_SPANNED, _COLS_SPANNED = f"{{{_TABLE}}}number-rows-spanned", f"{{{_TABLE}}}number-columns-spanned"
_DISPLAY = f"{{{_TABLE}}}display"
_VALUE_TYPE, _VALUE = f"{{{_OFFICE}}}value-type", f"{{{_OFFICE}}}value"
_DATE_VALUE, _BOOLEAN_VALUE = f"{{{_OFFICE}}}date-value", f"{{{_OFFICE}}}boolean-value"
_P, _SPACES, _TAB, _BREAK = (f"{{{_TEXT}}}{t}" for t in ("p", "s", "tab", "line-break"))
_COUNT = f"{{{_TEXT}}}c"
_STYLE_STYLE, _STYLE_NAME_ATTR = f"{{{_STYLE}}}style", f"{{{_STYLE}}}name"
_TABLE_PROPERTIES = f"{{{_STYLE}}}table-properties"
_NUMBERS = frozenset({"float", "percentage", "currency"})


class Encrypted(Exception):
    """The document has an opening password (its content.xml is encrypted)."""


def is_ods(data: bytes) -> bool:
    """Whether a zip is an OpenDocument spreadsheet: its first entry, stored, is the mimetype (as
    the standard asks and every writer does)."""
    return data[30:38] == b"mimetype" and data[38:38 + len(MIMETYPE)] == MIMETYPE


def read_sheets(data: bytes, file_name: str, max_cells: int) -> list[XmlSheet]:
    """Every sheet of the document. Raises readers' ReadError for what the guard refuses,
    Encrypted, TooMany or Broken."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        check_declared(archive, file_name)
        names = {info.filename: info for info in archive.infolist()}
        manifest = names.get("META-INF/manifest.xml")
        if manifest is not None and b"encryption-data" in b"".join(inflate_entry(data, manifest, file_name)):
            raise Encrypted
        content = names.get("content.xml")
        if content is None:
            raise Broken
        return _parse(inflate_entry(data, content, file_name), max_cells)


def _parse(chunks: Iterable[bytes], max_cells: int) -> list[XmlSheet]:
    reader = _Reader(max_cells)
    pull(chunks, reader.take)
    return reader.sheets


class _Reader:
    def __init__(self, max_cells: int) -> None:
        self.sheets: list[XmlSheet] = []
        self.hidden_styles: set[str] = set()  # table styles with table:display="false"
        self.max_cells = max_cells
        self.count = 0
        self.groups: list[ET.Element] = []  # the open table, row groups: their read rows are dropped
        self.row = 0
        self.col = 0
        self.cells: list[tuple[int, object]] = []  # the open row's filled cells (column, value)
        self.merged: list[tuple[int, int, int]] = []  # the open row's merges (column, rows, columns)

    def take(self, events) -> None:
        for event, elem in events:
            tag = elem.tag
            if event == "start":
                if tag in _ROW_GROUPS:
                    self.groups.append(elem)
                    if tag == _T_TABLE:
                        self.sheets.append(XmlSheet(elem.get(_NAME) or f"Sheet{len(self.sheets) + 1}",
                                                    hidden=elem.get(_STYLE_NAME) in self.hidden_styles))
                        self.row = 0
                elif tag == _T_ROW:
                    self.col, self.cells, self.merged = 0, [], []
            elif tag == _T_CELL or tag == _T_COVERED:
                self._cell(elem)
            elif tag == _T_ROW:
                self._row(elem)
            elif tag in _ROW_GROUPS:
                self.groups.pop()
            elif tag == _STYLE_STYLE:
                properties = elem.find(_TABLE_PROPERTIES)
                if properties is not None and properties.get(_DISPLAY) == "false":
                    self.hidden_styles.add(elem.get(_STYLE_NAME_ATTR) or "")

    def _cell(self, elem: ET.Element) -> None:
        repeat = _count(elem.get(_COLS_REPEATED))
        if elem.tag == _T_CELL:
            rows, cols = _count(elem.get(_ROWS_SPANNED)), _count(elem.get(_COLS_SPANNED))
            if rows > 1 or cols > 1:
                self.merged.append((self.col, rows, cols))
        value = _value(elem)
        elem.clear()
        if value is not None:
            last = self.col + repeat - 1
            if last >= MAX_COLUMNS:
                raise TooMany(self._sheet().name, self.row, last)
            self._add(repeat)
            self.cells.extend((c, value) for c in range(self.col, self.col + repeat))
        self.col += repeat

    def _row(self, elem: ET.Element) -> None:
        repeat = _count(elem.get(_ROWS_REPEATED))
        sheet = self._sheet()
        if self.cells:  # a row of empty cells (merged or not) only moves the rows below it
            last = self.row + repeat - 1
            if last >= MAX_ROWS:
                raise TooMany(sheet.name, last, self.cells[0][0])
            # its cells were counted once already; each merge counts as a cell
            self._add(len(self.cells) * (repeat - 1) + len(self.merged) * repeat)
            for r in range(self.row, self.row + repeat):
                sheet.cells.extend((r, c, value) for c, value in self.cells)
                sheet.merged.extend((r, c, r + rows - 1, c + cols - 1) for c, rows, cols in self.merged)
            sheet.last_row = max(sheet.last_row, last)
            sheet.last_col = max(sheet.last_col, self.cells[-1][0])
        self.row += repeat
        elem.clear()
        group = self.groups[-1] if self.groups else None
        if group is not None and len(group) > 1024:
            del group[:]  # read rows: the events still to come hold their own elements

    def _add(self, cells: int) -> None:
        self.count += cells
        if self.count > self.max_cells:
            raise TooMany(self._sheet().name, self.row, self.col)

    def _sheet(self) -> XmlSheet:
        if not self.sheets:
            raise Broken  # a row outside any table
        return self.sheets[-1]


def _count(given: str | None) -> int:
    """A repeat or span attribute (1 when absent or not a positive number)."""
    if not given:
        return 1
    try:
        return max(int(given), 1)
    except ValueError:
        return 1


def _value(cell: ET.Element) -> object:
    """A cell's value as calamine would give it."""
    kind = cell.get(_VALUE_TYPE)
    if kind in _NUMBERS:
        return _number(cell.get(_VALUE), cell)
    if kind == "date":
        return _date(cell.get(_DATE_VALUE), cell)
    if kind == "boolean":
        return cell.get(_BOOLEAN_VALUE) == "true"
    return _text_or_none(cell)


def _number(given: str | None, cell: ET.Element) -> object:
    value = number(given)
    return value if value is not None else _text_or_none(cell)


def _date(given: str | None, cell: ET.Element) -> object:
    value = moment(given)
    return value if value is not None else _text_or_none(cell)


def _text_or_none(cell: ET.Element) -> str | None:
    text = "\n".join(_text(p) for p in cell.iter(_P))
    return text if text.strip() else None


def _text(elem: ET.Element) -> str:
    """A paragraph's text: <text:s text:c="3"/> is three spaces, <text:tab/> a tab, spans read through."""
    parts = [elem.text or ""]
    for child in elem:
        if child.tag == _SPACES:
            parts.append(" " * _count(child.get(_COUNT)))
        elif child.tag == _TAB:
            parts.append("\t")
        elif child.tag == _BREAK:
            parts.append("\n")
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
