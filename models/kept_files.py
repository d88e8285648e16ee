"""Each imported file's bytes, kept once per content hash, and a row's cells read back from them.

An import used to store every row's cells as JSON (source_rows.raw): ~0.25 s to encode per 100k
rows and about twice the bytes of the file itself. Now the file's bytes are kept once (table
kept_files, keyed by batches.sha256; migration 13), a new row holds '' in source_rows.raw and is
addressed by sheet and row number. Rows imported before keep their JSON, which is read as before.

Reading the cells back takes the importer's reader: the format sniffed from the first bytes, the
same guards against hostile files as an import, calamine, and merged cells filled down as the
plan filled them. models never imports importers (importers import models; a census opened where
no return is ever read must not pull calamine in), so the reader is handed over instead: the
importers package registers it with `use_reader` when it is first imported (importers/__init__.py),
which every program that imports returns — and so has such rows to show — has done.

The cells of the last two files read are kept: a person's rows come from a few returns, and
parsing a 100k-row return takes about a second.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from models.errors import NotFound
from models.schema import WITHDRAWN_BATCH_OF_SHA


class FileCells(Protocol):
    """The cells of one kept file's data sheets, as the reader gives them."""

    def row(self, sheet: str, row_number: int) -> tuple[object, ...]:
        """The cells of a 1-based row of a sheet, as the import saw them (dates as text)."""
        ...


# (the file's bytes, its file name, the first data row of each data sheet) -> its cells
Reader = Callable[[bytes, str, Mapping[str, int]], FileCells]

_KEEP_PARSED = 2  # files whose parsed cells stay in memory
_reader: list[Reader] = []  # the one registered reader (a list: set once, without a global statement)
_parsed: OrderedDict[tuple, FileCells] = OrderedDict()
_lock = threading.Lock()  # the window reads rows on its own thread; workers may too


def use_reader(reader: Reader) -> None:
    """The reader that gives a kept file's cells back (importers registers it)."""
    _reader[:] = [reader]


def keep(conn: sqlite3.Connection, sha256: str, data: bytes) -> None:
    """Keep a file's bytes, once per content (the import's and the merge's transaction)."""
    conn.execute("INSERT OR IGNORE INTO kept_files (sha256, data) VALUES (?, ?)", (sha256, data))


def forget_unused(conn: sqlite3.Connection, sha256: str) -> None:
    """Drop a file's bytes once no batch and no withdrawn earlier version (models.return_versions,
    which undoing the newer version puts back) has that content any more."""
    conn.execute(
        "DELETE FROM kept_files WHERE sha256 = :sha AND NOT EXISTS (SELECT 1 FROM batches WHERE sha256 = :sha)"
        f" AND NOT EXISTS (SELECT 1 FROM withdrawn WHERE {WITHDRAWN_BATCH_OF_SHA})",
        {"sha": sha256})


def copy_from(src: sqlite3.Connection, conn: sqlite3.Connection, shas: Iterable[str]) -> None:
    """Bring the kept bytes of these contents over from another census (merging census files);
    a source made before migration 13 has none (its rows hold their cells as JSON)."""
    if src.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kept_files'").fetchone() is None:
        return
    for sha in shas:
        row = src.execute("SELECT data FROM kept_files WHERE sha256 = ?", (sha,)).fetchone()
        if row is not None:
            keep(conn, sha, row[0])


def row_cells(conn: sqlite3.Connection, sha256: str, file_name: str, data_starts: Mapping[str, int],
              sheet: str, row_number: int) -> tuple[object, ...]:
    """The cells of a row whose file is kept: parsed once, then served from memory."""
    key = (sha256, file_name, tuple(sorted(data_starts.items())))
    with _lock:
        cells = _parsed.get(key)
        if cells is None:
            cells = _parse(conn, sha256, file_name, data_starts)
            _parsed[key] = cells
            while len(_parsed) > _KEEP_PARSED:
                _parsed.popitem(last=False)
        else:
            _parsed.move_to_end(key)
    return cells.row(sheet, row_number)


def _parse(conn: sqlite3.Connection, sha256: str, file_name: str, data_starts: Mapping[str, int]) -> FileCells:
    if not _reader:
        raise RuntimeError("no reader for kept files: import the importers package first")
    row = conn.execute("SELECT data FROM kept_files WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        raise NotFound("普查文件中没有保存导入时的原文件，无法显示原始行", file=file_name)
    return _reader[0](bytes(row[0]), file_name, data_starts)
