"""The census store: one SQLite file per census, the object every front end talks to.

Like Anki's ``Collection`` with its ``decks``/``models``/``tags``: a `Census` opens the file, owns
the one connection and the transaction, and reaches the rest through small managers —
``census.settings`` (rules), ``census.regions`` (tree, populations, goals, fold),
``census.people`` (persons, pages, reassignment, recompute), ``census.problems`` (pending rows,
conflicts, ID corrections) and ``census.batches`` (imports, their source rows, undo). The window,
the command line, the importers, the exporters, the tests and the benchmarks call those; none of
them writes SQL of its own. Writes happen inside `transaction()`, so an import, an undo or a
correction is all-or-nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from models import exam_years, rollup
from models.census_batches import Batches
from models.census_people import CATEGORIES, CATEGORY_LABELS, PERSON_ORDERS, People
from models.census_problems import Problems
from models.census_regions import Regions
from models.census_settings import Settings
from models.census_units import Units
from models.errors import (
    DAMAGED,
    NEWER_CENSUS,
    READ_ONLY,
    CensusError,
    CensusNotFound,
    os_error_reason,
    storage_error,
)
from models.kept_figures import KeptFigures
from models.person_groups import PersonGroups
from models.records import COUNT_FIELDS, RegionSummary
from models.return_versions import Versions
from models.returned_lists import ReturnedLists
from models.schema import LATEST_VERSION, migrate, now
from models.undo import UndoHistory

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "PERSON_ORDERS", "Census", "now"]

# Pages of a new census file. An import writes rows by the hundred thousand, and with 4 KiB pages
# (SQLite's default) a third of its time went to splitting and linking pages: 32 KiB made a folder
# of 500 returns 0.3 s faster (of 3.2 s) and a 100k-row return 0.25 s (of 3.9 s). A page read for
# one person or one edit costs a few microseconds more. A census made before keeps its pages.
PAGE_SIZE = 32768

# Binding None: Python's sqlite3 passes int, float and str straight to SQLite, but looks every
# other value up in its adapter registry and then asks it for __adapt__/__conform__ (~230 ns a
# value, nearly all of it failed attribute lookups). Source rows and persons carry three or four
# Nones each, so that was a fifth of storing a 100k-row return. An adapter registered for None
# is found at the first lookup; set().discard takes one argument and returns None without a
# Python frame. None still binds as NULL (the adapted value is None itself).
sqlite3.register_adapter(type(None), set().discard)

log = logging.getLogger(__name__)


class Census:
    """An open census file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, read_only: bool = False):
        self.read_only = read_only  # opened for reading only: every write is refused
        self.conn = conn
        self.path = path
        self._depth = 0
        self._after: list[Callable[[], None]] = []  # after_transaction's callbacks
        self._copy_folder: Path | None = None  # open_unchanged: the temporary up-to-date copy read instead
        self.settings = Settings(self)
        self.regions = Regions(self)
        self.people = People(self)
        self.problems = Problems(self)
        self.batches = Batches(self)
        self.units = Units(self)  # units' types and staff; the money and unit figures of a summary
        self.versions = Versions(self)  # a return sent again replaces the earlier one
        self.returned = ReturnedLists(self)  # correction lists that came back
        self.undo = UndoHistory(self)  # a clerk's changes, undoable and redoable (models/undo.py)
        self._figures = KeptFigures(self.conn)  # the summary and the person groups until the file changes

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, read_only_ok: bool = False) -> Census:
        """Open a census file and bring its schema up to date.

        `create=False` is for commands that only read: a missing file is then an error, not a new
        empty census made from a typo. With `read_only_ok`, a census that cannot be written (a
        read-only file or folder, read-only media) opens for reading and `read_only` is True;
        otherwise that is an error. A census stamped by a newer version is refused before
        anything is written to it: its newer tables would be half-understood and then damaged.
        """
        path = Path(path)
        version = _stored_version(path, create)
        if version is not None and version > LATEST_VERSION:
            raise CensusError(NEWER_CENSUS, file=path.name)
        if not _writable(path):
            if not path.exists() or not path.stat().st_size:  # a census to be made here, not one to read
                raise CensusError("所在文件夹没有写入权限，无法新建普查文件，请换一个文件夹", file=path.name)
            if not read_only_ok:
                raise CensusError(READ_ONLY, file=path.name)
            return cls._open_read_only(path, version)
        conn = None
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=True)
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # takes effect only on a new file, before WAL
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            migrate(conn)
        except sqlite3.DatabaseError as err:
            if conn is not None:
                conn.close()
            mapped = storage_error(err, path.name)
            raise mapped or CensusError(DAMAGED, file=path.name) from err
        return cls(conn, path)

    @classmethod
    def _open_read_only(cls, path: Path, version: int | None) -> Census:
        """A census nobody may write here: read through a connection that cannot write."""
        if version != LATEST_VERSION:  # an older census needs its tables brought up to date first
            raise CensusError("普查文件是只读的，而且由旧版本程序创建、需要更新格式后才能打开："
                              "请复制到可写入的位置后再打开", file=path.name)
        try:
            conn = connect_read_only(path)
        except sqlite3.DatabaseError as err:
            raise CensusError(DAMAGED, file=path.name) from err
        return cls(conn, path, read_only=True)

    @classmethod
    def open_unchanged(cls, path: str | Path) -> Census:
        """Open a census only to read it, its file left exactly as it is: an earlier census compared
        with, a growth goal's base, source rows shown from it. `open` brings an older census's
        tables up to date in the file itself: an archived 2019 census compared once could no longer
        be opened by the program version that made it (此普查文件由更新版本的程序创建), and an older one
        on a read-only share could not be compared at all. An older census is read here through an
        up-to-date copy in a temporary folder, removed on close."""
        path = Path(path)
        version = _stored_version(path, create=False)
        if version is not None and version > LATEST_VERSION:
            raise CensusError(NEWER_CENSUS, file=path.name)
        if version == LATEST_VERSION:
            try:
                return cls(connect_read_only(path), path, read_only=True)
            except sqlite3.DatabaseError as err:
                raise CensusError(DAMAGED, file=path.name) from err
        folder = Path(tempfile.mkdtemp(prefix="census-read-"))
        copy = None
        try:
            source = connect_read_only(path)
            try:
                copy = sqlite3.connect(str(folder / "census"), isolation_level=None, check_same_thread=True)
                source.backup(copy)
            finally:
                source.close()
            migrate(copy)
        except sqlite3.DatabaseError as err:
            if copy is not None:
                copy.close()
            shutil.rmtree(folder, ignore_errors=True)
            raise storage_error(err, path.name) or CensusError(DAMAGED, file=path.name) from err
        census = cls(copy, path, read_only=True)
        census._copy_folder = folder
        return census

    def close(self) -> None:
        self._run_after()
        self.conn.close()
        if self._copy_folder is not None:
            shutil.rmtree(self._copy_folder, ignore_errors=True)
            self._copy_folder = None

    def __enter__(self) -> Census:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing; nested calls become savepoints.

        A full disk makes SQLite roll the whole transaction back by itself; then there is nothing
        left to roll back here, and the clerk is told the disk is full (DiskFull) rather than
        shown "cannot rollback - no transaction is active".
        """
        if self.read_only:
            raise CensusError(READ_ONLY, file=self.path.name)
        depth = self._depth
        try:
            self.conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT sp{depth}")
            self._depth = depth + 1
            try:
                yield
            except BaseException:
                self._depth = depth
                self._roll_back(depth)
                raise
            self._depth = depth
            self._commit(depth)
        except sqlite3.Error as err:
            mapped = storage_error(err, self.path.name)
            if mapped is None:
                raise
            raise mapped from err
        finally:
            if depth == 0:
                self._run_after()

    def after_transaction(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the outermost transaction has ended (committed or rolled back), at
        once when none is open: for what must wait until SQLite lets go of a file — a side file
        attached for one statement of an import that runs inside a folder's group
        (models.persons_aside) can be detached and removed only then."""
        self._after.append(callback)
        if self._depth == 0:
            self._run_after()

    def _run_after(self) -> None:
        after, self._after = self._after, []
        for callback in after:
            try:
                callback()
            except Exception:  # clean-up only: the transaction's own outcome is what the caller hears
                log.exception("after the transaction")

    def _roll_back(self, depth: int) -> None:
        if self.conn.in_transaction:  # not when SQLite has already rolled back (disk full, I/O error)
            with contextlib.suppress(sqlite3.Error):  # the error that brought us here is the one to report
                if depth == 0:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute(f"ROLLBACK TO sp{depth}")
                    self.conn.execute(f"RELEASE sp{depth}")
        self.refresh()

    def _commit(self, depth: int) -> None:
        if depth:
            self.conn.execute(f"RELEASE sp{depth}")
            return
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error:
            self._roll_back(0)
            raise

    def refresh(self) -> None:
        """Forget the cached region tree and rules (after a write that changes them)."""
        self.regions.forget()
        self.settings.forget()
        self._figures.clear()

    def is_empty_of_people(self) -> bool:
        """No import yet and nobody counted (the window's first-steps guide; one query, where listing
        a province's 5,000 imports took 40 ms on every change of the window's state)."""
        return not self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM batches) OR EXISTS (SELECT 1 FROM persons)").fetchone()[0]

    def is_empty(self) -> bool:
        """Nothing stored yet: no region and no import (a census just made)."""
        return not self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM regions) OR EXISTS (SELECT 1 FROM batches)").fetchone()[0]

    # ---- the census's own ------------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.settings.get("title") or self.path.stem

    def set_title(self, title: str) -> None:
        with self.transaction():
            self.settings.set("title", title)

    @property
    def as_of(self) -> str | None:
        """统计截止日期 (ISO date) the census counts up to; None until set."""
        return self.settings.get("as_of") or None

    def set_as_of(self, as_of: str | None) -> None:
        """Set the 统计截止日期 (YYYY-MM-DD; 2021/12/31 and 2021年12月31日 are read too), None to clear."""
        from models.goals import as_of_date

        with self.transaction():
            self.settings.set("as_of", as_of_date(as_of) if as_of else "")

    # ---- figures -------------------------------------------------------------------------
    def summary(self) -> list[RegionSummary]:
        """Every region with its counts (descendants included) against its targets, tree order,
        with its allowance, award, unit target and 社工站 coverage (census.units.attach).

        Kept until the census changes (this connection wrote, or another committed): the window,
        the CLI and the exporters ask for it several times between two changes."""
        return list(self._figures.get("summary", lambda: self.units.attach(self._counts())))

    def person_groups(self) -> PersonGroups:
        """The persons grouped once for every per-person figure (models.person_groups), kept like the summary."""
        return self._figures.get("groups", lambda: PersonGroups.read(self.conn))

    def _counts(self) -> list[RegionSummary]:
        """Every region's counts (descendants included) against its population targets."""
        groups = self.person_groups()
        pending = dict(self.conn.execute(rollup.PENDING_SQL).fetchall())
        regions = self.regions
        by_year = exam_years.rolled_up(regions.tree(), groups.by_year())
        return rollup.rollup(regions.tree(), groups.counts(), pending, regions.with_returns(), self.settings.rules,
                             regions.goals(), by_year)

    def summary_json(self) -> dict:
        rules = self.settings.rules
        return {
            "census": self.title,
            "title": self.title,
            "as_of": self.as_of,
            "rules": {"per_mille": float(rules.per_mille), "min_hours": rules.min_hours,
                      "training_since": rules.training_since, "award_year": self.units.award_year(),
                      "allowance_kinds": list(rules.allowance_kinds)},
            "regions": [s.to_json() for s in self.summary()],
        }

    def totals(self, summary: list[RegionSummary] | None = None) -> dict[str, int]:
        """Whole-census counts (all roots added up), from a summary already at hand if given."""
        roots = [s for s in (summary if summary is not None else self.summary()) if s.depth == 0]
        out = {name: sum(getattr(s, name) for s in roots) for name in COUNT_FIELDS}
        out["pending_rows"] = sum(s.pending_rows for s in roots)
        return out

    def save_copy(self, target: Path) -> None:
        """Copy the census to `target` with SQLite's backup API (whatever was there is replaced).

        Call it while no write is running. CensusError, saying why in the clerk's words, when the
        copy cannot be made (a folder of that name, no right to write there, a full disk, a file
        another program holds); nothing half-written is left at `target`.
        """
        where = f"无法另存为“{target.name}”"
        if target.is_dir():
            raise CensusError(f"{where}：这是一个文件夹，请换一个文件名", file=self.path.name)
        if not target.parent.is_dir():
            raise CensusError(f"{where}：所在文件夹不存在", file=self.path.name)
        try:
            remove_census_file(target)
            copy = sqlite3.connect(str(target))
            try:
                self.conn.backup(copy)
            finally:
                copy.close()
        except OSError as err:
            raise CensusError(f"{where}：{os_error_reason(err)}", file=self.path.name) from err
        except sqlite3.Error as err:
            with contextlib.suppress(OSError):
                remove_census_file(target)
            mapped = storage_error(err, self.path.name)
            reason = mapped.message if mapped is not None else "所在位置不能写入（没有写入权限，或文件正被其他程序使用）"
            raise CensusError(f"{where}：{reason}", file=self.path.name) from err


_SQLITE_HEADER = b"SQLite format 3\x00"
_NOT_CENSUS = "这不是普查文件（.census），无法打开"


def is_sqlite_file(path: Path) -> bool:
    """Whether the file starts with SQLite's magic bytes (OSError when it cannot be read)."""
    with open(path, "rb") as fh:
        return fh.read(16) == _SQLITE_HEADER


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (a link or another spelling included); False when either
    cannot be looked at (a missing file is nobody's twin)."""
    try:
        return Path(a).resolve() == Path(b).resolve() or Path(a).samefile(b)
    except OSError:
        return False


def remove_census_file(path: Path) -> None:
    """Delete a census file and the -wal/-shm files SQLite keeps beside it (missing ones are fine)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _stored_version(path: Path, create: bool) -> int | None:
    """The schema version stamped in the census at `path`, read without writing a byte.

    None when there is nothing there yet (a new census is made only when `create`).
    """
    name = path.name
    if path.is_dir():
        raise CensusError("这是一个文件夹，不是普查文件（.census）", file=name)
    if not path.exists():
        if not create:
            raise CensusNotFound(f"找不到普查文件：{name}")
        if not path.parent.is_dir():
            raise CensusError(f"无法新建普查文件：文件夹“{path.parent}”不存在", file=name)
        return None
    try:
        with open(path, "rb") as fh:
            header = fh.read(16)
    except OSError as err:
        raise CensusError(f"无法读取普查文件：{os_error_reason(err)}", file=name) from None
    if not header:  # an empty file (some save dialogs create one) becomes a new census
        if not create:
            raise CensusError("这是一个空文件，不是普查文件", file=name)
        return None
    if header != _SQLITE_HEADER:
        raise CensusError(_NOT_CENSUS, file=name)
    try:
        conn = connect_read_only(path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                return None
            if "migrations" not in tables:  # another program's SQLite file: never add our tables to it
                raise CensusError(_NOT_CENSUS, file=name)
            return conn.execute("SELECT MAX(version) FROM migrations").fetchone()[0] or 0
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise CensusError(DAMAGED, file=name) from err


def _writable(path: Path) -> bool:
    """Whether SQLite may write the census: the file and its folder (where -wal and -shm live).

    os.access, so a read-only file, a read-only folder and read-only media all count; note that
    root may write anything, which is why tests force the read-only path by replacing this.
    """
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write the census and leaves no file behind.

    Without a -wal file beside it nobody has the census open, so it is read as immutable (no
    -shm/-wal created, works in a read-only folder); with one, read-only mode sees what the
    writer has committed to it.
    """
    wal = Path(f"{path}-wal")
    conn = sqlite3.connect(sqlite_uri(path) + "?mode=ro" + ("" if wal.exists() else "&immutable=1"), uri=True,
                           isolation_level=None, check_same_thread=True)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def sqlite_uri(path: Path) -> str:
    """SQLite's file: URI for a path, also for a Windows share (file:////server/share/…, where
    Path.as_uri() would give file://server/…, an authority SQLite refuses)."""
    text = str(Path(path).resolve()).replace("\\", "/")
    if not text.startswith("/"):
        text = "/" + text  # C:/… → /C:/…
    return "file://" + "".join(f"%{ord(ch):02X}" if ch in "%?#" else ch for ch in text)  # the URI's own characters
