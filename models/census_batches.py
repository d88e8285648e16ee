"""`census.batches`: imported files and their source rows — storing them (the import's hot path),
listing them, and undoing one."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from models import kept_files
from models.bulk_index import Deferred, IndexesAside, deferred_indexes
from models.census_people import SOURCE_ROW_SQL
from models.errors import NotFound
from models.records import Batch, SourceRow, dumps
from models.schema import now
from models.sheet_rows import SHEET_ROW_COLUMNS

if TYPE_CHECKING:
    from models.census import Census

_BATCH_SQL = ("SELECT id, file_name, file_path, sha256, format, sheet, region_id, region_source, imported_at,"
              " rows_total, rows_ok, rows_pending, mapping FROM batches")
_SHEET_ROWS_HEAD = f"INSERT INTO source_rows ({', '.join(SHEET_ROW_COLUMNS)}, batch_id, raw, region_id) VALUES" \
                   f" ({', '.join('?' * len(SHEET_ROW_COLUMNS))}, "
UNDO_INDEX_WEIGHT = 3  # a row deleted costs its indexes' upkeep thrice a rebuild's row (measured)
IMPORT_WAL_PAGES = 10000  # PRAGMA wal_autocheckpoint while a file is stored
IMPORT_CACHE_KB = 131072  # PRAGMA cache_size (in KiB, as a negative number) of a connection that imports


_UNDONE_KEY = "largest_undone_batch"  # settings: the largest batch id an undo freed


class Batches:
    """One batch per imported file, with every data row it held."""

    def __init__(self, census: Census):
        self._census = census
        self._bulk = False  # inside bulk_writes

    @property
    def _conn(self):
        return self._census.conn

    # ---- reading -------------------------------------------------------------------------
    def all(self) -> list[Batch]:
        path = self._census.regions.path_of
        chain = self._census.versions.chain()
        return [_versioned(_batch(path, r), chain) for r in self._conn.execute(_BATCH_SQL + " ORDER BY id")]

    def by_sha(self, sha256: str) -> Batch | None:
        # One indexed lookup (batches_sha is unique): reading every batch here made importing
        # the 500th file of a folder 500 times slower than the first.
        row = self._conn.execute(_BATCH_SQL + " WHERE sha256 = ?", (sha256,)).fetchone()
        return _batch(self._census.regions.path_of, row) if row else None

    def get(self, batch_id: int) -> Batch:
        row = self._conn.execute(_BATCH_SQL + " WHERE id = ?", (batch_id,)).fetchone()
        if row is None:
            raise NotFound(f"导入批次 {batch_id} 不存在")
        return _versioned(_batch(self._census.regions.path_of, row), self._census.versions.chain())

    def row(self, row_id: int, cells: bool = True) -> SourceRow:
        """One source row with its file (the problems table's 查看原始行); without `cells` its raw
        cells are left empty (a correction list needs only where the row is: no file is parsed)."""
        row = self._conn.execute(SOURCE_ROW_SQL + " WHERE s.id = ?", (row_id,)).fetchone()
        if row is None:
            raise NotFound(f"源数据行 {row_id} 不存在")
        return self.source_row_of(row, cells)

    def source_row_of(self, r: tuple, cells: bool = True) -> SourceRow:
        """A SourceRow from a SOURCE_ROW_SQL result."""
        mapping = json.loads(r[17] or "{}")
        return SourceRow(
            id=r[0], batch_id=r[1], file_name=r[2], sheet=r[3] or "", row_number=r[4],
            raw=self._raw_cells(r, mapping) if cells else (), name=r[6], id_raw=r[7], id_number=r[8],
            status=r[9], reason=r[10],
            level=r[11], education=r[12], major=r[13], hours=r[14], region_id=r[15],
            region_path=self._census.regions.path_of(r[15]), notes=tuple(json.loads(r[16] or "[]")),
            header=tuple(mapping.get("labels", [])),
        )

    def _raw_cells(self, r: tuple, mapping: dict) -> tuple[object, ...]:
        """A row's cells: its JSON when imported before the file's bytes were kept (migration 13),
        else read from the kept file by sheet and row number (models.kept_files)."""
        if r[5]:
            return tuple(json.loads(r[5]))
        return kept_files.row_cells(self._conn, r[18], r[2], mapping.get("data_start", {}), r[3] or "", r[4])

    # ---- storing an import (inside the importer's transaction) --------------------------------
    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """While a file is stored: checkpoint the WAL every ~40 MB instead of every 4 MB, and keep
        up to 128 MB of pages in memory.

        A file's rows land on index pages all over the file (IDs are random: ~500 pages for 200
        rows at 100k persons), so a folder of returns rewrites the same pages far less often.
        Nested (each file of a folder inside the folder's): the outer one holds.
        """
        if self._bulk:
            yield
            return
        self._bulk = True
        # Foreign keys are not checked while rows go in: every row's batch and region are written
        # by the same import just before (the job makes a missing parent region an error of its
        # own), and checking them was a sixth of the time spent inserting rows and persons.
        # (SQLite ignores this PRAGMA inside a transaction: there the checks simply stay on.)
        keys = self._conn.execute("PRAGMA foreign_keys").fetchone()[0]
        self._conn.execute("PRAGMA foreign_keys = OFF")
        before = self._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        self._conn.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_WAL_PAGES}")
        # The index pages a folder's files touch stay in memory between files (SQLite's default
        # 2 MB cache spilled them: 500 returns of 200 rows 8.7 s → 7.0 s). A folder import holds
        # bulk_writes around all its files, so the cache is not emptied between two of them.
        cache = int(self._conn.execute("PRAGMA cache_size").fetchone()[0])
        if -cache < IMPORT_CACHE_KB:
            self._conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KB}")
        try:
            yield
        finally:
            self._bulk = False
            self._conn.execute(f"PRAGMA foreign_keys = {int(keys)}")
            self._conn.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
            if -cache < IMPORT_CACHE_KB:
                self._conn.execute(f"PRAGMA cache_size = {cache}")

    def deferred_indexes(self, rows: int) -> contextlib.AbstractContextManager[Deferred]:
        """Around storing `rows` source rows: a large batch goes in without secondary indexes,
        which are built once afterwards (models.bulk_index; Deferred.built_while builds them
        while the caller's Python work runs)."""
        return deferred_indexes(self._conn, "source_rows", rows)

    def indexes_aside(self) -> IndexesAside:
        """For a group of files stored in one transaction: source_rows' secondary indexes set
        aside once the group has brought enough rows (models.bulk_index.IndexesAside), but for
        the batch index: it grows at its end as files come, and what the group reads of a stored
        file (its names, an earlier version's rows) goes through it."""
        return IndexesAside(self._conn, "source_rows", keep=("source_rows_batch",))

    def add(self, *, file_name: str, file_path: str, sha256: str, size: int | None, format: str, sheet: str,
            header_first: int, header_last: int, region_source: str, mapping: dict) -> int:
        """A new batch (its region and counts follow when known); returns its id."""
        batch_id = self.next_id()
        self._conn.execute(
            "INSERT INTO batches (id, file_name, file_path, sha256, size, format, sheet, header_first, header_last,"
            " region_source, mapping, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (batch_id, file_name, file_path, sha256, size, format, sheet, header_first, header_last, region_source,
             dumps(mapping), now()))
        return batch_id

    def next_id(self) -> int:
        """The id a new batch takes: never one an undone import had (SQLite gives the largest id
        + 1, so undoing the newest import handed its number to the next: 批次 5 in a clerk's notes,
        a returned list's message or a region's maker would then be another file)."""
        largest = self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM batches").fetchone()[0]
        return max(largest, int(self._census.settings.get(_UNDONE_KEY) or 0)) + 1

    def keep_file(self, sha256: str, data: bytes) -> None:
        """Keep the imported file's bytes (once per content): its rows' cells are read from them."""
        kept_files.keep(self._conn, sha256, data)

    def set_region(self, batch_id: int, region_id: int) -> None:
        self._conn.execute("UPDATE batches SET region_id = ? WHERE id = ?", (region_id, batch_id))

    def set_counts(self, batch_id: int, total: int, ok: int, pending: int) -> None:
        self._conn.execute("UPDATE batches SET rows_total = ?, rows_ok = ?, rows_pending = ? WHERE id = ?",
                           (total, ok, pending, batch_id))

    def persons_given(self, batch_id: int) -> int:
        """How many persons a batch's valid rows give (distinct IDs)."""
        return self._conn.execute("SELECT COUNT(DISTINCT id_number) FROM source_rows WHERE batch_id = ?"
                                  " AND status = 'ok'", (batch_id,)).fetchone()[0]

    def insert_sheet_rows(self, batch_id: int, region_id: int | None, rows: Sequence[tuple]) -> None:
        """Store a chunk of a sheet's rows (SHEET_ROW_COLUMNS order) for `batch_id`, all in
        `region_id`, or each in the region id appended to its tuple when None. The rows go to
        executemany as the reader made them: rebuilding 100k tuples here to add the two ids was
        a tenth of storing a folder."""
        tail = "?)" if region_id is None else f"{int(region_id)})"
        self._conn.executemany(f"{_SHEET_ROWS_HEAD}{int(batch_id)}, '', {tail}", rows)

    # ---- undo ----------------------------------------------------------------------------
    def undo(self, batch_id: int) -> None:
        """Remove an import and everything derived from it; the census is as if it never came."""
        conn = self._conn
        found = conn.execute("SELECT sha256 FROM batches WHERE id = ?", (batch_id,)).fetchone()
        if not found:
            raise NotFound(f"导入批次 {batch_id} 不存在")
        with self._census.transaction():
            self._census.undo.clear()
            ids = [r[0] for r in conn.execute(
                "SELECT DISTINCT id_number FROM source_rows WHERE batch_id = ? AND id_number IS NOT NULL", (batch_id,))]
            ids += self._census.versions.restore(batch_id)  # a newer version brings the one it replaced back
            # Corrections, then rows, then the batch: the foreign keys have no ON DELETE CASCADE
            # (see models/schema.py for why no migration rebuilds those tables to add it).
            conn.execute("DELETE FROM corrections WHERE row_id IN (SELECT id FROM source_rows WHERE batch_id = ?)",
                         (batch_id,))
            self._census.returned.forget_rows(batch_id)
            rows = conn.execute("SELECT COUNT(*) FROM source_rows WHERE batch_id = ?", (batch_id,)).fetchone()[0]
            # A large batch leaves faster with the indexes set aside and built again over what is
            # left (100k of 200k rows: 0.8 s -> 0.3 s); recounting below reads rows by ID through them.
            with deferred_indexes(conn, "source_rows", rows, weight=UNDO_INDEX_WEIGHT):
                conn.execute("DELETE FROM source_rows WHERE batch_id = ?", (batch_id,))
            conn.execute("DELETE FROM batches WHERE id = ?", (batch_id,))
            undone = int(self._census.settings.get(_UNDONE_KEY) or 0)
            self._census.settings.set(_UNDONE_KEY, str(max(undone, batch_id)))  # next_id() passes it
            kept_files.forget_unused(conn, found[0])
            self._census.people.recompute(ids)
            self._census.problems.release_cut_ids()  # rows this import's IDs had made pending
            self._census.regions.drop_unused(batch_id)


def _versioned(batch: Batch, chain: dict[int, tuple[int, int]]) -> Batch:
    version = chain.get(batch.id)
    return replace(batch, version=version[0], replaces=version[1]) if version else batch


def _batch(path_of, r: tuple) -> Batch:
    return Batch(r[0], r[1], r[2] or "", r[3], r[4] or "", r[5] or "", path_of(r[6]), r[7] or "", r[8],
                 r[9], r[10], r[11], json.loads(r[12] or "{}"))
