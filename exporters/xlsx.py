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
import errno
import functools
import math
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.worksheet import Worksheet

from models.errors import CensusError, DiskFull, is_disk_full, os_error_reason
from models.records import display_width

Progress = Callable[[int, int], None] | None

FONT = "宋体"
A4 = 9  # xlsxwriter paper code

# Characters XML 1.0 does not allow; a stray one in a return would make Excel "repair" the file.
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+')


TEMP_PREFIX = ".sw-census-export-"  # a killed export's folder: TEMP_PREFIX<pid>-<random>
STALE_SECONDS = 24 * 3600  # no export runs this long: an older temp folder is a leftover whatever its pid says
_active: set[Path] = set()  # this process's exports under way (their folders are not leftovers)


ROW_FILE_CHUNK = 1 << 20  # text a constant_memory sheet's row file gathers before it is written out


class _Workbook(xlsxwriter.Workbook):
    """Each constant_memory sheet's row file written a megabyte at a time, not every 8 KB.

    Every write to disk lets go of Python's lock and takes it straight back; a thread waiting
    for the lock (the window's) only forces a switch after 5 ms without one, so an export
    writing that often kept the window from running for up to 0.2-0.6 s at a time (measured on a
    100k-person province census: a 5 ms timer's worst gap 181 ms with 8 KB writes, under 30 ms
    with 1 MB ones; the export's time the same)."""

    def add_worksheet(self, *args, **kwargs):
        worksheet = super().add_worksheet(*args, **kwargs)
        row_file = getattr(worksheet, "row_data_fh", None)
        if row_file is not None:
            row_file._CHUNK_SIZE = ROW_FILE_CHUNK
        return worksheet


def open_workbook(path: Path, constant_memory: bool = True) -> xlsxwriter.Workbook:
    """A workbook that never turns text into formulas, links or numbers; its temporary files go
    in the folder of `path` (see `exporting`)."""
    return _Workbook(str(path), {
        "constant_memory": constant_memory,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "tmpdir": str(path.parent),
    })


@contextlib.contextmanager
def exporting(out_path: Path, constant_memory: bool = True) -> Iterator[xlsxwriter.Workbook]:
    """A workbook built in a private temporary folder beside `out_path` and moved into place whole.

    Everything xlsxwriter writes on the way (a 100k-person roster's row files run to tens of MB)
    goes in that folder, and the folder goes when the export ends, however it ends: a failed
    export leaves neither half a file nor temporary files. A killed export leaves the folder,
    recognisable by TEMP_PREFIX, and the next export to the same folder removes it. Disk full, a
    file open in Excel and the like become one clear line (CensusError) naming the file.
    """
    remove_leftovers(out_path.parent)
    try:
        work = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=out_path.parent))
    except OSError as err:
        raise export_error(err, out_path, "无法在该文件夹中保存文件") from None
    _active.add(work)
    tmp = work / "export.xlsx"
    workbook = open_workbook(tmp, constant_memory)
    try:
        yield workbook
        workbook.close()
        os.replace(tmp, out_path)
    except (OSError, xlsxwriter.exceptions.FileCreateError) as err:
        raise export_error(err, out_path) from None
    finally:
        _close_row_files(workbook)
        shutil.rmtree(work, ignore_errors=True)
        _active.discard(work)


def export_error(err: BaseException, out_path: Path, lead: str | None = None) -> CensusError:
    """The clerk's line for an export the machine would not let us write; `lead` names the step
    when it was not the saving of the file itself (creating its folder)."""
    if isinstance(err, xlsxwriter.exceptions.FileCreateError) and err.args and isinstance(err.args[0], OSError):
        err = err.args[0]  # xlsxwriter wraps the OSError of its final write
    name = out_path.name
    if is_disk_full(err):
        return DiskFull("磁盘空间不足，文件没有保存，写了一半的临时文件已删除（请清理磁盘后重试）", file=name)
    if isinstance(err, PermissionError):  # saving over a file Excel holds open, on Windows
        return CensusError(f"{lead}：没有写入权限，请换一个文件夹" if lead else "文件正被其他程序打开（如 Excel），请关闭后重试",
                           file=name)
    if isinstance(err, IsADirectoryError):
        return CensusError(IS_FOLDER, file=name)
    if isinstance(err, OSError) and err.errno in (errno.ENAMETOOLONG, errno.EROFS):
        return CensusError(os_error_reason(err), file=name)  # what to do, whichever step it was
    reason = os_error_reason(err) if isinstance(err, OSError) else str(err)
    return CensusError(f"{lead or '无法保存文件'}：{reason}", file=name)


def remove_leftovers(folder: Path) -> None:
    """Remove the temporary folders of exports that were killed (their process is gone)."""
    try:
        entries = [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX) and p.is_dir()]
    except OSError:
        return
    for path in entries:
        if path not in _active and _abandoned(path):
            shutil.rmtree(path, ignore_errors=True)


def _abandoned(path: Path) -> bool:
    pid_text = path.name[len(TEMP_PREFIX):].split("-", 1)[0]
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return False
    if not pid_text.isdigit() or age > STALE_SECONDS:
        return True
    pid = int(pid_text)
    return pid == os.getpid() or not _process_alive(pid)  # ours and not under way: an earlier failure


def _process_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (OSError, OverflowError):
        return False
    return True


def _close_row_files(workbook: xlsxwriter.Workbook) -> None:
    # constant_memory keeps each sheet's rows in an open temporary file until the workbook is
    # closed; after a failure they must be closed before their folder can go (Windows).
    for ws in workbook.worksheets():
        fh = getattr(ws, "row_data_fh", None)
        if fh is not None:
            with contextlib.suppress(OSError):
                fh.close()


IS_FOLDER = "这是一个文件夹，请给出要保存的文件名，如 汇总.xlsx"


def prepare_out(out_path: Path) -> Path:
    """The .xlsx path an export writes to, its folder created; a folder given as the file is an error."""
    out_path = Path(out_path)
    if out_path.is_dir():
        raise CensusError(IS_FOLDER, file=out_path.name)
    if out_path.suffix.lower() != ".xlsx":
        out_path = out_path.with_name(out_path.name + ".xlsx")
        if out_path.is_dir():
            raise CensusError(IS_FOLDER, file=out_path.name)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise CensusError("无法创建文件夹：同名的文件已存在", file=str(out_path.parent)) from None
    except OSError as err:
        raise export_error(err, out_path.parent, "无法创建文件夹") from None
    return out_path


def text(value: object) -> str:
    """A cell's text with characters XML cannot hold removed."""
    if value is None:
        return ""
    return _BAD_XML.sub("", str(value))


def file_safe(name: str) -> str:
    """A region path as part of a file name: 乌海市/海勃湾区 → 乌海市_海勃湾区."""
    return _BAD_FILE_CHARS.sub("_", name.strip("/")).strip("_. ") or "未命名"


NAME_MAX_BYTES = 200  # a file name in UTF-8 (most file systems stop at 255 bytes; a Chinese character takes 3)
PATH_MAX_CHARS = 240  # a whole path: Windows stops at 260 characters unless long paths are enabled
_MIN_STEM = 12


def output_names(labels: Sequence[str], tail: str, folder: Path) -> list[str]:
    """One distinct file name per label (a region path), for exports that write a file per region.

    Labels become names with file_safe, are cut short to fit the limits above, and a name that
    comes out like an earlier one (光明:社区 and 光明?社区 both give 光明_社区; Windows also
    ignores case) gets _2, _3… so every region keeps its own file.
    """
    try:
        room = PATH_MAX_CHARS - len(str(Path(folder).resolve())) - 1
    except OSError:
        room = PATH_MAX_CHARS
    taken: set[str] = set()
    names = []
    for label in labels:
        stem, number = file_safe(label), 1
        while True:
            name = _capped(stem, ("" if number == 1 else f"_{number}") + tail, room)
            key = unicodedata.normalize("NFC", name).casefold()
            if key not in taken:
                break
            number += 1
        taken.add(key)
        names.append(name)
    return names


def folder_name(label: str) -> str:
    """A region's name as a folder name (file_safe), cut in the middle to fit NAME_MAX_BYTES."""
    return _capped(file_safe(label), "", PATH_MAX_CHARS)


def _capped(stem: str, end: str, room: int) -> str:
    """stem + end, the stem cut in the middle (…) until the name fits; the deepest names, at the end
    of a region path, are kept longest."""
    def fits(name: str) -> bool:
        return len(name.encode("utf-8")) <= NAME_MAX_BYTES and len(name) <= room

    keep = len(stem)
    name = stem + end
    while not fits(name) and keep > _MIN_STEM:
        keep -= 1
        head = keep // 3
        name = f"{stem[:head]}…{stem[len(stem) - (keep - head - 1):]}{end}"
    return name


def wrapped_height(cells: Iterable[tuple[str, float]], line: float = 13.5) -> float | None:
    """Row height for wrapped cells (text, column width); None when one line is enough.

    Excel does not grow rows when it opens a file, so a long reason would be cut off in print.
    """
    lines = max((_line_count(t, w) for t, w in cells if t), default=1)
    return line * lines + 2 if lines > 1 else None


def _line_count(value: str, width: float) -> int:
    return math.ceil(display_width(value) / max(width - 1, 1))


class LineCounter:
    """`wrapped_height` for a long sheet whose texts recur (region paths, file lists, majors):
    each text's line count in its column is worked out once."""

    def __init__(self, line: float = 13.5):
        self.line = line
        self._lines: dict[tuple[str, float], int] = {}

    def height(self, *cells: tuple[str, float]) -> float | None:
        lines = 1
        for value, width in cells:
            if value:
                n = self._lines.get((value, width))
                if n is None:
                    n = self._lines[(value, width)] = _line_count(value, width)
                lines = max(lines, n)
        return self.line * lines + 2 if lines > 1 else None


@functools.lru_cache(maxsize=1 << 16)
def repeated_text(value: str) -> str:
    """`text` of a value that recurs down a long sheet (a region path, a file list): cleaned once."""
    return text(value)


def heading(census_title: str, what: str, as_of: str | None = None) -> str:
    """"乌海市社会工作专业人才摸排 汇总表（截至2021-12-31）"; a bare title gets the census's subject
    added, and the 统计截止日期 follows when the census has one."""
    title = census_title.strip()
    if "摸排" not in title and "摸底" not in title:
        title = f"{title} 社会工作专业人才摸排"
    return f"{title} {what}" + (f"（截至{as_of}）" if as_of else "")


def today() -> str:
    return dt.date.today().isoformat()


class Styles:
    """The formats of one workbook, created once (xlsxwriter formats belong to a workbook)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.wb = workbook
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self._cell = cell  # the indented formats are made on first use from it
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
