"""OpenDocument spreadsheets for tests, shaped as LibreOffice writes them: the mimetype first and
stored, a hidden sheet through a table style, empty cells and rows as repeats, and every sheet
closed by the 1,048,576th row as one repeated empty row."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>{extra}'
    "</manifest:manifest>"
)
Cell = object  # a value, or (value, rows spanned, columns spanned)


def cell_xml(cell: Cell) -> str:
    value, rows, cols = cell if isinstance(cell, tuple) else (cell, 1, 1)
    span = (f' table:number-rows-spanned="{rows}"' if rows > 1 else "") + (
        f' table:number-columns-spanned="{cols}"' if cols > 1 else "")
    if value is None:
        body = f"<table:table-cell{span}/>"
    elif isinstance(value, bool):
        body = (f'<table:table-cell{span} office:value-type="boolean" office:boolean-value="{str(value).lower()}">'
                f"<text:p>{'TRUE' if value else 'FALSE'}</text:p></table:table-cell>")
    elif isinstance(value, int | float):
        body = (f'<table:table-cell{span} office:value-type="float" office:value="{value!r}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    elif isinstance(value, datetime.date):
        body = (f'<table:table-cell{span} office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
    else:
        paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
        body = f'<table:table-cell{span} office:value-type="string">{paragraphs}</table:table-cell>'
    covered = "<table:covered-table-cell/>" * (cols - 1)
    return body + covered


def content_xml(sheets: list[tuple[str, list[list[Cell]]]], hidden: frozenset[str] = frozenset()) -> str:
    tables = []
    for name, rows in sheets:
        style = "ta2" if name in hidden else "ta1"
        lines = [f'<table:table table:name="{escape(name)}" table:style-name="{style}">'
                 '<table:table-column table:number-columns-repeated="16384"/>']
        for row in rows:
            lines.append("<table:table-row>" + "".join(cell_xml(c) for c in row)
                         + '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>')
        lines.append(f'<table:table-row table:number-rows-repeated="{1048576 - len(rows)}">'
                     '<table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>')
        tables.append("".join(lines))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {NAMESPACES}>'
            '<office:automatic-styles>'
            '<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>'
            '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>'
            "</office:automatic-styles><office:body><office:spreadsheet>"
            + "".join(tables) + "</office:spreadsheet></office:body></office:document-content>")


def write_ods(path: Path, sheets: list[tuple[str, list[list[Cell]]]], hidden: frozenset[str] = frozenset(),
              content: str | None = None, manifest_extra: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content if content is not None else content_xml(sheets, hidden))
        archive.writestr("META-INF/manifest.xml", MANIFEST.format(extra=manifest_extra))
    return path
