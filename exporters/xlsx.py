"""What every Excel export shares: opening a streaming workbook, cell formats, print setup.

We write with xlsxwriter in ``constant_memory`` mode: each row goes to disk as soon as the next
one starts, so a 100k-person roster costs a few megabytes of memory, and it measured about twice
as fast as openpyxl's ``write_only`` mode for the same rows (see bench/bench_export.py). The price
is that rows of a sheet must be written top to bottom, which every exporter here does.

ID and phone numbers are always written with ``write_string``: an 18-digit ID stored as a number
loses its last digits in Excel, which is the very problem the census fights.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from models.errors import CensusError
from models.identity import mask_id

Progress = Callable[[int, int], None] | None

FONT = "宋体"
A4 = 9  # xlsxwriter paper code

# Characters XML 1.0 does not allow; a stray one in a return would make Excel "repair" the file.
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def open_workbook(path: Path, constant_memory: bool = True) -> xlsxwriter.Workbook:
    """A workbook that never turns text into formulas, links or numbers."""
    return xlsxwriter.Workbook(str(path), {
        "constant_memory": constant_memory,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "tmpdir": str(path.parent),
    })


def temp_path(out_path: Path) -> Path:
    return out_path.with_name(f".~{out_path.stem}.{os.getpid()}.tmp.xlsx")


def finish(workbook: xlsxwriter.Workbook, tmp: Path, out_path: Path) -> Path:
    """Close the workbook and move it into place, so a failed export never leaves half a file."""
    try:
        workbook.close()
        os.replace(tmp, out_path)
    except PermissionError:
        tmp.unlink(missing_ok=True)
        raise CensusError("无法写入文件：它可能正在 Excel 或 WPS 中打开，请关闭后重试",
                          file=out_path.name) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _remove_row_files(workbook)
    return out_path


def abandon(workbook: xlsxwriter.Workbook, tmp: Path) -> None:
    """After an error: close what is open and remove every temporary file."""
    try:
        workbook.close()
    except Exception:  # already failing: the first error is the one to report
        pass
    finally:
        _remove_row_files(workbook)
        tmp.unlink(missing_ok=True)


def _remove_row_files(workbook: xlsxwriter.Workbook) -> None:
    # constant_memory keeps each sheet's rows in a temporary file; xlsxwriter leaves it behind
    # for a sheet that never got a cell (it happens when an export fails half-way).
    for ws in workbook.worksheets():
        name = getattr(ws, "row_data_filename", None)
        if name:
            with contextlib.suppress(OSError):
                os.unlink(name)


def prepare_out(out_path: Path) -> Path:
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        out_path = out_path.with_name(out_path.name + ".xlsx")
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CensusError(f"无法创建文件夹：{err}", file=str(out_path.parent)) from None
    return out_path


def text(value: object) -> str:
    """A cell's text with characters XML cannot hold removed."""
    if value is None:
        return ""
    return _BAD_XML.sub("", str(value))


def file_safe(name: str) -> str:
    """A region path as part of a file name: 乌海市/海勃湾区 → 乌海市_海勃湾区."""
    return _BAD_FILE_CHARS.sub("_", name.strip("/")).strip("_.") or "未命名"


def shown_raw_id(raw: str | None, full: bool) -> str:
    """An ID cell as typed (possibly wrong), masked unless asked for in full.

    Stricter than the valid-ID rule: anything of eight characters or more is masked, because a
    17-digit typo still tells who the person is.
    """
    raw = text(raw)
    if full or len(raw) < 8:
        return raw
    return mask_id(raw)


def display_width(value: str) -> int:
    """Width in Excel's character units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def wrapped_height(cells: Iterable[tuple[str, float]], line: float = 13.5) -> float | None:
    """Row height for wrapped cells (text, column width); None when one line is enough.

    Excel does not grow rows when it opens a file, so a long reason would be cut off in print.
    """
    lines = max((math.ceil(display_width(t) / max(w - 1, 1)) for t, w in cells if t), default=1)
    return line * lines + 2 if lines > 1 else None


def heading(census_title: str, what: str) -> str:
    """"乌海市社会工作专业人才摸排 汇总表"; a bare title gets the census's subject added."""
    title = census_title.strip()
    if "摸排" not in title and "摸底" not in title:
        title = f"{title} 社会工作专业人才摸排"
    return f"{title} {what}"


def today() -> str:
    return dt.date.today().isoformat()


class Styles:
    """The formats of one workbook, created once (xlsxwriter formats belong to a workbook)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.wb = workbook
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self._base, self._cell = base, cell
        self.title = workbook.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.subtitle = workbook.add_format({**base, "align": "left"})
        self.note = workbook.add_format({**base, "align": "left", "text_wrap": True, "font_color": "#444444"})
        self.header = workbook.add_format({**cell, "bold": True, "align": "center", "text_wrap": True,
                                           "bg_color": "#DDEBF7"})
        self.text = workbook.add_format({**cell, "num_format": "@"})
        self.text_wrap = workbook.add_format({**cell, "num_format": "@", "text_wrap": True})
        self.center = workbook.add_format({**cell, "align": "center"})
        self.int = workbook.add_format({**cell, "num_format": "0"})
        self.thousands = workbook.add_format({**cell, "num_format": "#,##0"})
        self.per_mille = workbook.add_format({**cell, "num_format": "0.00"})
        self.hours = workbook.add_format({**cell, "num_format": "0.##"})
        self.yuan = workbook.add_format({**cell, "num_format": "#,##0"})
        self.bad = workbook.add_format({**cell, "align": "center", "font_color": "#C00000", "bold": True})
        self.bad_left = workbook.add_format({**cell, "font_color": "#C00000", "bold": True})
        self.good = workbook.add_format({**cell, "align": "center", "font_color": "#006100"})
        self.total_text = workbook.add_format({**cell, "bold": True, "bg_color": "#F2F2F2"})
        self.total_int = workbook.add_format({**cell, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0"})
        self.total_per_mille = workbook.add_format({**cell, "bold": True, "bg_color": "#F2F2F2",
                                                    "num_format": "0.00"})
        self.blank_text = workbook.add_format({**cell, "num_format": "@", "bg_color": "#FFF2CC"})
        self._indent: dict[tuple[int, bool], object] = {}

    def indented(self, depth: int, bold: bool = False):
        """A name cell indented by its depth in the region tree."""
        key = (min(depth, 15), bold)
        if key not in self._indent:
            self._indent[key] = self.wb.add_format({**self._cell, "num_format": "@", "indent": key[0],
                                                    "bold": bold})
        return self._indent[key]


def write_header(ws: Worksheet, row: int, labels: Sequence[str], fmt) -> None:
    for col, label in enumerate(labels):
        ws.write_string(row, col, label, fmt)


def write_grouped_header(ws: Worksheet, row: int, columns: Sequence[tuple], fmt, sub_height: float = 28) -> None:
    """A two-row header: group labels merged over their sub-labels, single columns over both rows.

    ``columns`` holds (top label or None, sub label or None, …): a top label covers the columns
    after it whose top is None. Cells are written strictly row by row (constant_memory drops a
    cell written to a row already flushed), and the merged ranges are registered afterwards:
    ``merge_range`` would write the second row before the first is done.
    """
    merges: list[tuple[int, int, int, int]] = []
    for col, (top, sub, *_rest) in enumerate(columns):
        if top is None:
            ws.write_blank(row, col, None, fmt)
            continue
        ws.write_string(row, col, top, fmt)
        span = 1
        while col + span < len(columns) and columns[col + span][0] is None:
            span += 1
        if sub is None:
            merges.append((row, col, row + 1, col))
        elif span > 1:
            merges.append((row, col, row, col + span - 1))
    ws.set_row(row + 1, sub_height)
    for col, (_top, sub, *_rest) in enumerate(columns):
        if sub is None:
            ws.write_blank(row + 1, col, None, fmt)
        else:
            ws.write_string(row + 1, col, sub, fmt)
    add_merges(ws, merges)


def add_merges(ws: Worksheet, ranges: Iterable[tuple[int, int, int, int]]) -> None:
    """Register merged ranges whose cells are already written (xlsxwriter keeps them in ``merge``)."""
    for first_row, first_col, last_row, last_col in ranges:
        ws.merge.append([first_row, first_col, last_row, last_col])


def write_title(ws: Worksheet, styles: Styles, title: str, subtitle: str, width: int,
                subtitle_width: float | None = None) -> int:
    """A merged title row and a subtitle row (wrapped when longer than `subtitle_width`); returns
    the next free row."""
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, width - 1, text(title), styles.title)
    height = wrapped_height([(subtitle, subtitle_width)]) if subtitle_width else None
    if height:
        ws.set_row(1, height)
    ws.merge_range(1, 0, 1, width - 1, text(subtitle), styles.note if height else styles.subtitle)
    return 2


def print_setup(ws: Worksheet, header_first: int, header_last: int, freeze_col: int = 0,
                landscape: bool = True, footer: str = "") -> None:
    """A4, one page wide, header rows repeated on every page, page numbers, frozen header."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_first, header_last)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer(f"&L{_footer_text(footer)}&C第 &P 页，共 &N 页")
    ws.freeze_panes(header_last + 1, freeze_col)


def _footer_text(value: str) -> str:
    return value.replace("&", "&&")[:100]


def set_widths(ws: Worksheet, widths: Iterable[float]) -> None:
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def report(progress: Progress, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
