"""Secondary indexes set aside while a large batch of rows goes into a table, built again after.

Inserting 100k rows with random ID numbers touches index pages all over the file; building the
same index once from the finished table is a sort. Measured on a 100k-row return into an empty
census: the import 9.0 s → 6.4 s, rebuilding the indexes 0.5 s. Only worth it when the batch is
large beside what the table already holds (rebuilding costs the whole table), so the caller says
how many rows are coming.

Everything happens inside the caller's transaction: SQLite's DDL is transactional, so a failing
or cancelled file rolls the dropped indexes back with its rows. Unique indexes and the primary
key stay (they enforce constraints as rows go in), and so do partial indexes (WHERE …): they hold
the few rows their condition picks, so keeping them up costs little, where building one again
reads the whole table (the province's 100,000 rows: 23 ms for three, at the end of the import,
with nothing else to do). The index statements are read back from sqlite_master, so an index a
later migration adds is handled without a list here.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

MIN_ROWS = 10_000  # below this, maintaining the indexes row by row is cheaper than any rebuild
# A group of files (importers.files) sets the indexes aside once its rows reach a fifth of what
# the table held: building an index costs ~1.2 µs per row of the whole table, keeping it up to
# date ~8 µs per incoming row (measured: 500 returns of 200 rows, 4 indexes on source_rows).
GROUP_MIN_ROWS = 2_000
GROUP_SHARE = 5
_PARTIAL = re.compile(r"\)\s*WHERE\b", re.IGNORECASE)  # CREATE INDEX … ON t(…) WHERE …


class Deferred:
    """The indexes deferred_indexes set aside (none when it did not), to be built again."""

    def __init__(self, conn: sqlite3.Connection, statements: list[str]):
        self._conn, self._statements = conn, statements

    def build(self) -> None:
        statements, self._statements = self._statements, []
        for sql in statements:
            self._conn.execute(sql)

    def built_while(self, work: Callable[[], T]) -> T:
        """Build the indexes now, while `work` runs on a thread, and return what it returns (a
        100k-row return's persons are consolidated while its rows' indexes are built: 0.1 s)."""
        return _beside(self.build, work) if self._statements else work()


@contextlib.contextmanager
def deferred_indexes(conn: sqlite3.Connection, table: str, incoming: int, weight: int = 1) -> Iterator[Deferred]:
    """Drop `table`'s secondary indexes when `incoming` rows are at least MIN_ROWS and, each
    counted `weight` times, at least as many as the table holds; build them again on the way
    out, unless the caller did (Deferred.built_while). `weight`: what one incoming row's upkeep of
    the indexes costs in rows of a rebuild (a row deleted and written again: 3)."""
    if incoming < MIN_ROWS or incoming * weight < _rows(conn, table):
        yield Deferred(conn, [])
        return
    deferred = Deferred(conn, _drop(conn, table))
    yield deferred
    deferred.build()


class IndexesAside:
    """A table's secondary indexes set aside part-way through a group of batches whose size is
    not known ahead (a folder of returns: each file is read only when its turn comes).

    `consider(rows)` after each batch drops them once the group has brought enough rows to make
    a rebuild cheaper than maintaining them; `restore()` builds them again (inside the group's
    transaction, before anything reads the table through them)."""

    def __init__(self, conn: sqlite3.Connection, table: str, keep: tuple[str, ...] = ()):
        self._conn, self._table, self._keep = conn, table, keep
        self._before = _rows(conn, table)
        self._aside: list[str] | None = None

    @property
    def aside(self) -> bool:
        return self._aside is not None

    def consider(self, incoming: int) -> None:
        """`incoming`: rows the group has stored so far."""
        if self._aside is None and incoming >= GROUP_MIN_ROWS and incoming * GROUP_SHARE >= self._before:
            self._aside = _drop(self._conn, self._table, self._keep)

    def restore(self) -> None:
        for sql in self._aside or ():
            self._conn.execute(sql)
        self._aside = None

    def restore_while(self, work: Callable[[], T]) -> T:
        """restore(), while `work` runs on a thread (see _beside); returns what it returns."""
        return _beside(self.restore, work) if self._aside else work()


def _beside(build: Callable[[], None], work: Callable[[], T]) -> T:
    """Run `build` (index statements) here while `work` runs on a thread, and return what `work`
    returns. SQLite builds an index without holding Python's lock, so pure-Python work shares the
    cores with it. `work` must not touch the connection, which stays on this thread."""
    with ThreadPoolExecutor(1, thread_name_prefix="beside-index") as pool:
        future = pool.submit(work)
        try:
            build()
        finally:
            concurrent.futures.wait([future])  # a failed build waits for the work all the same
        return future.result()


def _drop(conn: sqlite3.Connection, table: str, keep: tuple[str, ...] = ()) -> list[str]:
    """Drop `table`'s secondary indexes (not the unique ones: they enforce constraints as rows go
    in, nor partial ones, nor those named in `keep`); returns the statements that build them again."""
    indexes = [(name, sql) for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
        " AND sql NOT LIKE 'CREATE UNIQUE%'", (table,)) if name not in keep and not _PARTIAL.search(sql)]
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in indexes]


def _rows(conn: sqlite3.Connection, table: str) -> int:
    # The largest rowid: one step down the table's b-tree, where count(*) reads every page.
    return conn.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM "{table}"').fetchone()[0]
