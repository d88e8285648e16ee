"""What the two XML readers share (importers.spreadsheet_ml for Excel's XML Spreadsheet 2003,
importers.ods for OpenDocument): the sheets they find, their two ways of failing, the parse loop
that feeds a document in pieces and hands the events over as they come, and values in the shapes
calamine gives (an integral number as int, a midnight moment as a date)."""

from __future__ import annotations

import datetime
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from importers.xlsx_guard import MAX_COLUMNS, MAX_ROWS

__all__ = ["MAX_COLUMNS", "MAX_EXACT", "MAX_ROWS", "Broken", "TooMany", "XmlSheet", "moment", "number", "pull"]

MAX_EXACT = 9007199254740992.0  # 2**53: beyond this a double no longer holds every integer (readers' too)

# (event, element) pairs as XMLPullParser gives them: only "start" and "end" are asked for
Events = Iterator[Any]


class TooMany(Exception):
    """More cells, or a cell further out, than a return can hold (sheet, row, col: where)."""

    def __init__(self, sheet: str, row: int, col: int) -> None:
        super().__init__(sheet, row, col)
        self.sheet, self.row, self.col = sheet, row, col


class Broken(Exception):
    """Not well-formed XML, or not the spreadsheet it claims to be."""


@dataclass
class XmlSheet:
    """One sheet: its non-blank cells (row, col, value; 0-based) and merged ranges."""

    name: str
    cells: list[tuple[int, int, object]] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False
    last_row: int = -1
    last_col: int = -1


def pull(pieces: Iterable[str | bytes], take: Callable[[Events], None]) -> None:
    """Parse a document fed in pieces, `take` given the events of each piece as soon as they are
    there (so a reader can count and drop what it has read). Raises Broken. Entity expansion is
    refused by expat itself, and no external entity is ever fetched."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    try:
        for piece in pieces:
            parser.feed(piece)
            take(parser.read_events())
        parser.close()
        take(parser.read_events())
    except ET.ParseError:
        raise Broken from None


def number(text: str | None) -> int | float | None:
    """A number as Excel holds it (a double; integral ones as int), None when the text is none."""
    try:
        value = float(text or "")
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and -MAX_EXACT < value < MAX_EXACT else value


def moment(text: str | None) -> datetime.date | datetime.datetime | None:
    """An ISO date or date and time (a midnight one as a date), None when the text is none."""
    try:
        value = datetime.datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return value.date() if value.time() == datetime.time() else value
