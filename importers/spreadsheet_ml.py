"""Excel's "XML 电子表格 2003" (SpreadsheetML): one XML document holding every sheet.

Web systems written in Java or .NET often export their "Excel" this way, under an .xls name, and
Excel saves it as 另存为 → XML 电子表格 2003 (.xml). Excel and WPS open it like a workbook, so
a return sent in it is read here, in the shapes calamine gives (see readers._clean_calamine_rows):
numbers as Excel holds them (a double: an 18-digit ID written as a Number has lost its tail, as
in Excel), an integral one as int, a midnight DateTime as a date, blank text as None.

Hostile input is bounded as elsewhere: the text is parsed as it is fed (expat's own limits stop
entity expansion; no external entity is fetched), each row's elements are dropped once read, and
the cells are counted against readers' MAX_CELLS as they come, so a crafted ss:Index or a flood
of cells is refused before a grid is made.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from importers.xml_sheets import MAX_COLUMNS, MAX_ROWS, Broken, TooMany, XmlSheet, moment, number, pull

NS = "urn:schemas-microsoft-com:office:spreadsheet"
_X_NS = "urn:schemas-microsoft-com:office:excel"
_WORKSHEET, _TABLE, _ROW, _CELL, _DATA = (f"{{{NS}}}{tag}" for tag in ("Worksheet", "Table", "Row", "Cell", "Data"))
_NAME, _INDEX, _TYPE = (f"{{{NS}}}{attr}" for attr in ("Name", "Index", "Type"))
_ACROSS, _DOWN = f"{{{NS}}}MergeAcross", f"{{{NS}}}MergeDown"
_VISIBLE = f"{{{_X_NS}}}Visible"
_HIDDEN = frozenset({"SheetHidden", "SheetVeryHidden"})
# The root element, past the XML declaration, processing instructions (<?mso-application …?>) and comments.
_ROOT = re.compile(r"\A\ufeff?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<(?:\w+:)?Workbook\b[^>]*" + re.escape(NS), re.DOTALL)
_DECLARED = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)")
_FEED = 1 << 20  # characters handed to the parser at once
_MAX_MERGE = 65535


def is_workbook(text: str) -> bool:
    """Whether a document's root is SpreadsheetML's <Workbook> (an HTML page Excel saved names
    another namespace, urn:…:office:excel)."""
    return _ROOT.match(text[:65536]) is not None


def declared_encoding(data: bytes) -> str | None:
    """The encoding an XML declaration names (a Chinese system's export may say gb2312)."""
    match = _DECLARED.match(data[:1024])
    return match.group(1).decode("ascii") if match else None


def read_sheets(text: str, max_cells: int) -> list[XmlSheet]:
    """Every worksheet of the document. Raises TooMany or Broken."""
    reader = _Reader(max_cells)
    pull((text[start:start + _FEED] for start in range(0, len(text), _FEED)), reader.take)
    return reader.sheets


class _Reader:
    """Places cells as Excel does: a <Row> or <Cell> without ss:Index follows the one before (a
    merged cell's MergeAcross included)."""

    def __init__(self, max_cells: int) -> None:
        self.sheets: list[XmlSheet] = []
        self.max_cells = max_cells
        self.count = 0
        self.sheet: XmlSheet | None = None
        self.table: ET.Element | None = None
        self.row = -1
        self.col = -1

    def take(self, events) -> None:
        for event, elem in events:
            tag = elem.tag
            if event == "start":
                if tag == _WORKSHEET:
                    self.sheet = XmlSheet(elem.get(_NAME) or f"Sheet{len(self.sheets) + 1}")
                    self.sheets.append(self.sheet)
                    self.row = -1
                elif tag == _TABLE:
                    self.table = elem
                elif tag == _ROW:
                    self.row = _index(elem, self.row)
                    self.col = -1
                    if self.row >= MAX_ROWS:
                        raise TooMany(self.sheet.name if self.sheet else "", self.row, 0)
            elif tag == _CELL:
                self._cell(elem)
            elif tag == _ROW:
                elem.clear()  # its cells are read: the tree keeps no rows (the events
                if self.table is not None and len(self.table) > 1024:  # still to come hold theirs)
                    del self.table[:]
            elif tag == _VISIBLE and self.sheet is not None and (elem.text or "").strip() in _HIDDEN:
                self.sheet.hidden = True

    def _cell(self, elem: ET.Element) -> None:
        sheet = self.sheet
        if sheet is None or self.row < 0:
            raise Broken  # a cell outside a worksheet's row
        col = _index(elem, self.col)
        if col >= MAX_COLUMNS:
            raise TooMany(sheet.name, self.row, col)
        across, down = _span(elem.get(_ACROSS)), _span(elem.get(_DOWN))
        self.col = col + across
        if across or down:
            sheet.merged.append((self.row, col, self.row + down, col + across))
        data = elem.find(_DATA)
        value = None if data is None else _value(data)
        elem.clear()
        if value is None:
            return
        self.count += 1
        if self.count > self.max_cells:
            raise TooMany(sheet.name, self.row, col)
        sheet.cells.append((self.row, col, value))
        sheet.last_row = max(sheet.last_row, self.row)
        sheet.last_col = max(sheet.last_col, col)


def _index(elem: ET.Element, before: int) -> int:
    """A row's or cell's 0-based place: its ss:Index (1-based), else the one after `before`."""
    given = elem.get(_INDEX)
    if given is None:
        return before + 1
    try:
        place = int(given) - 1
    except ValueError:
        raise Broken from None
    if place <= before:  # Excel refuses an index that goes back
        raise Broken
    return place


def _span(given: str | None) -> int:
    if not given:
        return 0
    try:
        return min(max(int(given), 0), _MAX_MERGE)
    except ValueError:
        return 0


def _value(data: ET.Element) -> object:
    """A <Data> element's value as calamine would give the cell Excel makes of it."""
    text = "".join(data.itertext())  # rich text (<Font>, <B> inside ss:Data) is read as its text
    kind = data.get(_TYPE, "String")
    if kind == "Number":
        return _number(text)
    if kind == "DateTime":
        return _moment(text)
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if kind == "Error":
        return None
    return text if text.strip() else None


def _number(text: str) -> object:
    value = number(text)
    if value is None:  # Excel would not open it; keep what it says
        return text.strip() or None
    return value


def _moment(text: str) -> object:
    value = moment(text)
    return value if value is not None else (text if text.strip() else None)
