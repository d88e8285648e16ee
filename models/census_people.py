"""`census.people`: persons (derived from source rows), their pages, rows and reassignment, and
recomputing them when rows or rules change."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from models import persons_aside
from models.bulk_gc import fewer_collections
from models.bulk_index import IndexesAside, deferred_indexes
from models.consolidate import PERSON_COLUMNS, RowFacts, consolidate
from models.errors import CensusError, NotFound, RecountCancelled
from models.identity import clean_text
from models.persons_aside import SideFile
from models.pinyin import pinyin_key
from models.records import Person, SourceRow
from models.rules import Rules

if TYPE_CHECKING:
    from models.census import Census

log = logging.getLogger(__name__)

CATEGORIES = {
    "talent": "talent = 1",
    "certified": "talent = 1 AND level > 0",
    "degree": "talent = 1 AND degree = 1",
    "trained": "talent = 1 AND trained = 1",
    "trained_only": "talent = 1 AND trained = 1 AND degree = 0 AND level = 0",
    "not_talent": "talent = 0",
}
# `page(order=...)`: the people table's sortable columns (ties broken so pages never overlap).
PERSON_ORDERS = {
    "name": "name_key, id_number", "id": "id_number", "region": "region_id, name, id_number",
    "hours": "hours DESC, name, id_number", "level": "level DESC, name, id_number",
}
CATEGORY_LABELS = {
    "talent": "人才", "certified": "持证", "degree": "专业学历", "trained": "培训达标",
    "trained_only": "仅培训", "not_talent": "未达标人员",
}

RECOUNT_INDEX_WEIGHT = 3  # a person recounted costs its indexes' upkeep thrice a rebuild's row (measured)
RECOUNT_CHUNK = 5000  # persons written at once by a full recount; progress and cancel between chunks
_SELECT = f"SELECT {', '.join(PERSON_COLUMNS)} FROM persons"
# name_key: the pinyin sort key of the shown name, the last value of consolidate()'s tuples (models.pinyin).
_INSERT = (f"INSERT INTO persons ({', '.join(PERSON_COLUMNS)}, name_key)"
           f" VALUES ({', '.join('?' * (len(PERSON_COLUMNS) + 1))})")
_INSERT_NEW = _INSERT + " ON CONFLICT(id_number) DO NOTHING"
_ROW_FACTS_COLUMNS = """
SELECT id_number, batch_id, id, name, level, education, COALESCE(major, ''), hours, region_id,
       COALESCE(gender, ''), COALESCE(phone, ''), cert_date
"""
# Everybody: one pass over the table.
_ALL_ROW_FACTS_SQL = _ROW_FACTS_COLUMNS + "FROM source_rows WHERE status = 'ok' ORDER BY id_number"
# Some IDs: "+status" keeps SQLite from choosing the (status, region_id) index, which would scan
# every ok row once per chunk of IDs (quadratic: 13 s of a 100k-row import) instead of looking
# the IDs up in source_rows_id.
_ROW_FACTS_SQL = _ROW_FACTS_COLUMNS + "FROM source_rows WHERE +status = 'ok' AND id_number IN ({marks})" \
    " ORDER BY id_number"
# Source rows with their file, as the person dialog and the problems table show them.
SOURCE_ROW_SQL = """
    SELECT s.id, s.batch_id, b.file_name, s.sheet, s.row_number, s.raw, s.name, s.id_raw, s.id_number,
           s.status, s.reason, s.level, s.education, COALESCE(s.major, ''), s.hours, s.region_id,
           s.notes, b.mapping, b.sha256
    FROM source_rows s JOIN batches b ON b.id = s.batch_id
"""
# Every person's files in one query, not one per person (100k queries at 100k people).
_FILES_SQL = """
SELECT id_number, group_concat(file_name, '、') FROM (
    SELECT DISTINCT s.id_number AS id_number, b.file_name AS file_name, b.id AS batch_id
    FROM source_rows s JOIN batches b ON b.id = s.batch_id
    WHERE s.id_number IS NOT NULL
    ORDER BY s.id_number, b.id)
GROUP BY id_number
"""


class _AsideNotAsSent(Exception):
    """A side file's persons are not the ones the batch should have there."""


@dataclass
class BatchPersons:
    """A batch's persons between People.batch_persons and write_batch: the census is read first,
    so that consolidating the IDs new to it — Python alone, no SQL — can run while SQLite works on
    something else (importers.job: the source rows' indexes built again after a large file)."""

    rows_of: dict[str, list[RowFacts]]  # the batch's ok rows per ID
    id_list: list[str]  # sorted: the order persons are written in
    have: set[str]  # IDs with a person already: consolidated with their rows in other batches
    inputs: tuple[Rules, dict[int, int], dict[str, int], dict[int, int]]  # People._inputs()

    def consolidate_new(self, only: Iterable[str] | None = None) -> dict[str, tuple]:
        """The persons of the IDs new to the census (of `only`, when given), from this batch's rows
        alone. In the rows' own order, the order their facts were made in memory: in ID order
        (random in memory) the 100k persons of a large return took 0.26 s instead of 0.15 s, of
        which writing them in ID order gives back 0.07 s."""
        rules, depth_of, overrides, first_version = self.inputs
        have, rows_of = self.have, self.rows_of
        pairs = rows_of.items() if only is None else ((i, rows_of[i]) for i in only)
        return {i: consolidate(rows, rules, depth_of, overrides.get(i), first_version)
                for i, rows in pairs if i not in have}

    @cached_property
    def apart(self) -> list[str]:
        """The IDs a helper's side file does not stand for (models.persons_aside), in ID order:
        with a person already, reassigned by a clerk, or with more than one row in the batch."""
        have, overrides, rows_of = self.have, self.inputs[2], self.rows_of
        return [i for i in self.id_list if i in have or i in overrides or len(rows_of[i]) > 1]

    def singles(self) -> int:
        """How many IDs have one row in the batch: the persons a helper writes."""
        return sum(1 for rows in self.rows_of.values() if len(rows) == 1)


@dataclass
class PendingPersons:
    """The ok rows per ID of the files a group has stored so far, counted into persons in bulk
    rather than once per file: 500 small returns make a few writes of persons in ID order instead
    of 500 writes into random places of its indexes.

    `rows_of` keeps every row the group brought, so a person first seen in this group can be
    counted again from memory when a later file adds a row (`counted`: the IDs a count wrote
    from these rows alone; `dirty`: IDs with rows not counted yet). Only files whose savepoint
    was released are added, so a failed file leaves nothing here."""

    rows_of: dict[str, list[RowFacts]] = field(default_factory=dict)
    counted: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set)

    def add(self, rows_of: dict[str, list[RowFacts]]) -> None:
        """A stored file's rows per ID (import order is kept: files are added in the order stored)."""
        mine = self.rows_of
        for id_number, rows in rows_of.items():
            have = mine.get(id_number)
            if have is None:
                mine[id_number] = rows
            else:
                have.extend(rows)
        self.dirty.update(rows_of)

    def drop_batch(self, batch_id: int) -> None:
        """Forget a batch's rows: a newer version of the same return withdrew it in this group
        (and recounted its IDs from the stored rows: they are read back from there from now on)."""
        for id_number in [i for i, rows in self.rows_of.items() if any(r.batch_id == batch_id for r in rows)]:
            rows = [r for r in self.rows_of[id_number] if r.batch_id != batch_id]
            self.counted.discard(id_number)
            if rows:
                self.rows_of[id_number] = rows
                self.dirty.add(id_number)
            else:
                del self.rows_of[id_number]
                self.dirty.discard(id_number)


class People:
    """The persons of one census: one per valid ID, always derivable from the source rows."""

    def __init__(self, census: Census):
        self._census = census

    @property
    def _conn(self):
        return self._census.conn

    # ---- reading -------------------------------------------------------------------------
    def _filter(self, region_id: int | None, search: str, category: str | None) -> tuple[str, list]:
        clauses, params = [], []
        if region_id is not None:
            clause, region_params = self._census.regions.within_clause(region_id)
            clauses.append(clause)
            params += region_params
        if category:
            if category not in CATEGORIES:
                raise CensusError(f"未知的人员类别：{category}")
            clauses.append(CATEGORIES[category])
        search = (search or "").strip()
        if search:
            key = clean_text(search)
            clauses.append("(name LIKE ? OR names LIKE ? OR id_number LIKE ?)")
            params += [f"%{search}%", f"%{search}%", f"%{key}%"]
        where = " AND ".join(clauses) or "1"
        return where, params

    def count(self, region_id: int | None = None, search: str = "", category: str | None = None) -> int:
        where, params = self._filter(region_id, search, category)
        return self._conn.execute(f"SELECT COUNT(*) FROM persons WHERE {where}", params).fetchone()[0]

    def total(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM persons").fetchone()[0]

    def page(self, region_id: int | None = None, search: str = "", category: str | None = None,
             offset: int = 0, limit: int = 200, order: str = "name", after: Person | None = None) -> list[Person]:
        """A page of persons; the window's table asks for pages as it scrolls.

        With `after` (the last person of the previous page) the page starts right after that
        person by an index seek instead of counting `offset` rows from the top, so scrolling on
        through a million persons costs the same on every page.
        """
        where, params = self._filter(region_id, search, category)
        order_sql = PERSON_ORDERS.get(order, "rowid")
        if after is not None and order in PERSON_ORDERS:
            seek, seek_params = _seek_after(order, after)
            where, params, offset = f"({where}) AND ({seek})", [*params, *seek_params], 0
        rows = self._conn.execute(f"{_SELECT} WHERE {where} ORDER BY {order_sql} LIMIT ? OFFSET ?",
                                  [*params, limit, offset]).fetchall()
        return [self._person(r) for r in rows]

    def iter(self, region_id: int | None = None, category: str | None = None) -> Iterator[Person]:
        """Every person (in region, name order), streamed for exports."""
        where, params = self._filter(region_id, "", category)
        for row in self._conn.execute(f"{_SELECT} WHERE {where} ORDER BY region_id, name, id_number", params):
            yield self._person(row)

    def listed(self, id_number: str) -> bool:
        """Whether the census counts this ID as a person at all (a talent or not)."""
        return self._conn.execute("SELECT 1 FROM persons WHERE id_number = ?", (id_number,)).fetchone() is not None

    def get(self, id_number: str) -> Person:
        row = self._conn.execute(f"{_SELECT} WHERE id_number = ?", (id_number,)).fetchone()
        if row is None:
            raise NotFound(f"没有身份证号为 {id_number} 的人员")
        return self._person(row)

    def names_of(self, id_number: str) -> tuple[str, ...]:
        """The names this ID is counted under (none: no such person)."""
        row = self._conn.execute("SELECT names FROM persons WHERE id_number = ?", (id_number,)).fetchone()
        return tuple(n for n in (row[0] or "").split("、") if n) if row else ()

    def _person(self, row: tuple) -> Person:
        values = dict(zip(PERSON_COLUMNS, row, strict=True))
        return Person(
            id_number=values["id_number"], name=values["name"], region_id=values["region_id"],
            region_path=self._census.regions.path_of(values["region_id"]), level=values["level"],
            degree=bool(values["degree"]), trained=bool(values["trained"]), talent=bool(values["talent"]),
            hours=values["hours"], education=values["education"], major=values["major"] or "",
            gender=values["gender"] or "", phone=values["phone"] or "", row_count=values["row_count"],
            name_conflict=bool(values["name_conflict"]),
            names=tuple(n for n in (values["names"] or "").split("、") if n),
        )

    def files(self) -> dict[str, str]:
        """Every person's source files (joined with 、), in one query."""
        return dict(self._conn.execute(_FILES_SQL))

    def rows(self, id_number: str, cells: bool = True) -> list[SourceRow]:
        """Every source row that contributed to a person (pending rows since corrected included);
        without `cells` their raw cells are left empty and no kept file is parsed (the window shows
        the rows at once and reads the cells off the GUI thread)."""
        rows = self._conn.execute(SOURCE_ROW_SQL + " WHERE s.id_number = ? ORDER BY s.batch_id, s.row_number",
                                  (id_number,)).fetchall()
        return [self._census.batches.source_row_of(r, cells) for r in rows]

    def manual_region(self, id_number: str) -> int | None:
        """The region a clerk reassigned this person to, None when attributed by the rule."""
        row = self._conn.execute("SELECT region_id FROM person_regions WHERE id_number = ?", (id_number,)).fetchone()
        return row[0] if row else None

    # ---- writing -------------------------------------------------------------------------
    def reassign(self, id_number: str, region_id: int | None) -> None:
        """Attribute a person to a region of the clerk's choosing (None: back to the rule)."""
        from models.census import now

        with self._census.transaction():
            if region_id is None:
                self._conn.execute("DELETE FROM person_regions WHERE id_number = ?", (id_number,))
            else:
                self._census.regions.get(region_id)
                self._conn.execute("INSERT OR REPLACE INTO person_regions VALUES (?, ?, ?)",
                                   (id_number, region_id, now()))
            self.recompute([id_number])

    def _inputs(self) -> tuple[Rules, dict[int, int], dict[str, int], dict[int, int]]:
        depth_of = self._census.regions.tree().depth_of  # kept by the tree: 20k nodes, thousands of files
        overrides = dict(self._conn.execute("SELECT id_number, region_id FROM person_regions"))
        return self._census.settings.rules, depth_of, overrides, self._census.versions.first_versions()

    def recompute(self, ids: Iterable[str] | None = None, progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> None:
        """Rebuild the persons of the given IDs (all when None) from their source rows.

        Everybody (a rule changed): `progress(done, total)` hears of each RECOUNT_CHUNK persons and
        `cancel()` is asked as often; a cancel raises RecountCancelled, and the caller's
        transaction then rolls back with it whatever asked for the recount (the rule itself)."""
        rules, depth_of, overrides, first_version = self._inputs()
        conn = self._conn
        with self._census.transaction(), fewer_collections():
            if ids is None:
                total = self.count()
                with deferred_indexes(conn, "persons", total):  # built once at the end: 1M persons
                    conn.execute("DELETE FROM persons")
                    self._write(_grouped(conn.execute(_ALL_ROW_FACTS_SQL)), rules, depth_of, overrides, first_version,
                                progress and (lambda done: progress(done, total)), cancel)
                return
            id_list = sorted(set(ids))
            # Many IDs (undoing a large import): each is deleted from every index and written
            # again, dearer than building the indexes anew (undo of a 100k-row batch in a
            # 200k-person census 3.3 s -> 1.0 s with 32 KiB pages)
            with deferred_indexes(conn, "persons", len(id_list), weight=RECOUNT_INDEX_WEIGHT):
                for start in range(0, len(id_list), 900):
                    chunk = id_list[start:start + 900]
                    marks = ",".join("?" * len(chunk))
                    conn.execute(f"DELETE FROM persons WHERE id_number IN ({marks})", chunk)
                    cursor = conn.execute(_ROW_FACTS_SQL.format(marks=marks), chunk)
                    self._write(_grouped(cursor), rules, depth_of, overrides, first_version)

    def recompute_batch(self, rows_of: dict[str, list[RowFacts]]) -> None:
        """recompute(rows_of) right after importing a batch, given that batch's own ok rows per ID
        (import order; row_id need only keep that order). An ID without a person yet has no ok row
        in any other batch (persons is derived from those rows), so it is consolidated from the
        rows given; the others are read back from source_rows as recompute() reads them. The same
        persons in the same order as recompute(rows_of), without reading 100k new rows back."""
        batch = self.batch_persons(rows_of)
        self.write_batch(batch, batch.consolidate_new())

    def batch_persons(self, rows_of: dict[str, list[RowFacts]]) -> BatchPersons:
        """recompute_batch's first step: what it needs of the census (the rules, the regions'
        depths, which IDs have a person already — by persons' key alone, not source_rows')."""
        id_list = sorted(rows_of)
        have: set[str] = set()
        if self._conn.execute("SELECT 1 FROM persons LIMIT 1").fetchone() is None:
            return BatchPersons(rows_of, id_list, have, self._inputs())  # a census's first persons
        for start in range(0, len(id_list), 900):
            chunk = id_list[start:start + 900]
            have.update(r[0] for r in self._conn.execute(
                f"SELECT id_number FROM persons WHERE id_number IN ({','.join('?' * len(chunk))})", chunk))
        return BatchPersons(rows_of, id_list, have, self._inputs())

    def write_batch(self, batch: BatchPersons, new: dict[str, tuple], side: SideFile | None = None) -> None:
        """recompute_batch's last step, given `new` = batch.consolidate_new(): the IDs that had a
        person are read back with their other rows and consolidated, and every person written.

        `side`: a helper's side file (models.persons_aside), `new` then holding only batch.apart's
        new IDs: the others are copied from the file in one statement. A file that does not hold
        exactly those persons is not used (`new` is then completed here)."""
        rules, depth_of, overrides, first_version = batch.inputs
        conn, rows_of, have = self._conn, batch.rows_of, batch.have
        with self._census.transaction(), deferred_indexes(conn, "persons", len(rows_of)):
            ids = batch.id_list
            if side is not None:
                apart = batch.apart
                if self._copy_aside(side, expect=len(ids) - len(apart), singles=batch.singles()):
                    ids = apart
                else:
                    new = batch.consolidate_new()
            for start in range(0, len(ids), 900):
                chunk = ids[start:start + 900]
                elsewhere = [i for i in chunk if i in have]
                stored: dict[str, list[RowFacts]] = {}
                if elsewhere:  # only these have a person to replace
                    found = ",".join("?" * len(elsewhere))
                    conn.execute(f"DELETE FROM persons WHERE id_number IN ({found})", elsewhere)
                    cursor = conn.execute(_ROW_FACTS_SQL.format(marks=found), elsewhere)
                    stored = {rows[0].id_number: rows for rows in _grouped(cursor)}
                conn.executemany(_INSERT, [
                    new[i] if i not in have else consolidate(stored.get(i) or rows_of[i], rules, depth_of,
                                                             overrides.get(i), first_version)
                    for i in chunk])

    def _copy_aside(self, side: SideFile, expect: int, singles: int) -> bool:
        """Copy a side file's persons that are new to the census and not reassigned (`expect` of
        them, of the `singles` IDs with one row in the batch: what the helper should have written);
        False, nothing copied, when the file does not hold exactly that."""
        if side.written != singles:
            return False
        conn = self._conn
        try:  # detached once the transaction is over (detach_aside): SQLite holds it until then
            conn.execute(f"ATTACH DATABASE ? AS {side.schema}", (side.path,))
        except sqlite3.Error as err:  # the census is not worse off: its batch is counted here
            log.warning("persons aside: cannot attach the side file (%s)", err)
            return False
        columns = ", ".join(persons_aside.COLUMNS)
        try:
            with self._census.transaction():  # a savepoint: a count that is not right takes the copy back
                copied = conn.execute(
                    f"INSERT INTO persons ({columns}) SELECT {columns} FROM {side.schema}.persons AS a"
                    " WHERE a.id_number NOT IN (SELECT id_number FROM person_regions) ORDER BY a.id_number"
                    " ON CONFLICT(id_number) DO NOTHING").rowcount  # a person already there: counted with its rows
                if copied != expect:
                    raise _AsideNotAsSent(f"{copied} persons copied, {expect} expected")
        except _AsideNotAsSent as err:
            log.warning("persons aside: %s", err)
            return False
        return True

    def detach_aside(self, schema: str) -> None:
        """Let go of a side file a batch copied persons from (once the transaction is over: SQLite
        keeps an attached file in use until then), so that it can be removed."""
        try:
            attached = {row[1] for row in self._conn.execute("PRAGMA database_list")}
            if schema in attached:
                self._conn.execute(f"DETACH DATABASE {schema}")
        except sqlite3.Error as err:  # the file then stays attached until the census closes
            log.warning("persons aside: cannot detach the side file (%s)", err)

    def count_pending(self, pending: PendingPersons) -> None:
        """Write the persons of a group's files still to count (see PendingPersons) and empty it.

        recompute_batch's reasoning holds for the group as a whole: an ID without a person has all
        its ok rows in the group's files (rows stored before the group made persons when they came;
        a version replaced inside the group was dropped from `pending`; a returned list applied
        inside the group counted the pending persons first); an ID with a person is read back
        (through source_rows' index by ID: the caller has put it back)."""
        if pending.dirty:
            self.recompute_batch({i: pending.rows_of[i] for i in pending.dirty})
        pending.rows_of, pending.counted, pending.dirty = {}, set(), set()

    def count_from_memory(self, pending: PendingPersons) -> None:
        """Count, while the group goes on, the pending persons whose every row is in `pending`:
        those first seen in this group (no person yet, or one a previous call wrote). The others,
        with rows stored before the group, wait for count_pending. Reads persons by ID only (its
        primary key), never source_rows, whose indexes may be set aside meanwhile.

        A person not written by an earlier call is written only if none exists (ON CONFLICT DO
        NOTHING): one that does has rows from before the group, and the rows of the persons this
        statement added (after the table's last rowid) say which ones those were. Usually none
        are, and no ID is looked up at all."""
        rules, depth_of, overrides, first_version = self._inputs()
        conn = self._conn
        ready = sorted(pending.dirty)

        def persons(ids: list[str]) -> list[tuple]:
            return [consolidate(pending.rows_of[i], rules, depth_of, overrides.get(i), first_version) for i in ids]

        with self._census.transaction():
            for start in range(0, len(ready), 900):
                chunk = ready[start:start + 900]
                again = [i for i in chunk if i in pending.counted]
                if again:
                    conn.execute(f"DELETE FROM persons WHERE id_number IN ({','.join('?' * len(again))})", again)
                    conn.executemany(_INSERT, persons(again))
                first = [i for i in chunk if i not in pending.counted]
                if first:
                    last_rowid = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM persons").fetchone()[0]
                    changes = conn.total_changes
                    conn.executemany(_INSERT_NEW, persons(first))
                    if conn.total_changes - changes < len(first):
                        added = {r[0] for r in conn.execute("SELECT id_number FROM persons WHERE rowid > ?",
                                                            (last_rowid,))}
                        first = [i for i in first if i in added]
                mine = again + first
                pending.counted.update(mine)
                pending.dirty.difference_update(mine)

    def indexes_aside(self) -> IndexesAside:
        """For a group of files: persons' secondary indexes set aside once it brings enough rows."""
        return IndexesAside(self._conn, "persons")

    def _write(self, groups: Iterator[list[RowFacts]], rules: Rules, depth_of: dict[int, int],
               overrides: dict[str, int], first_version: dict[int, int], progress: Callable[[int], None] | None = None,
               cancel: Callable[[], bool] | None = None) -> None:
        buffered: list[tuple] = []
        done = 0
        for rows in groups:
            buffered.append(consolidate(rows, rules, depth_of, overrides.get(rows[0].id_number), first_version))
            if len(buffered) >= RECOUNT_CHUNK:
                self._conn.executemany(_INSERT, buffered)
                done += len(buffered)
                buffered.clear()
                if cancel and cancel():
                    raise RecountCancelled()
                if progress:
                    progress(done)
        if buffered:
            self._conn.executemany(_INSERT, buffered)
        if progress:
            progress(done + len(buffered))


def _grouped(cursor: Iterable[tuple]) -> Iterator[list[RowFacts]]:
    """Rows ordered by ID → one list per ID."""
    current: list[RowFacts] = []
    for row in cursor:
        facts = RowFacts(*row)
        if current and current[0].id_number != facts.id_number:
            yield current
            current = []
        current.append(facts)
    if current:
        yield current


def _seek_after(order: str, p: Person) -> tuple[str, list]:
    """The WHERE clause for "after this person" in one of PERSON_ORDERS (NULL hours sort last)."""
    tail = "(name, id_number) > (?, ?)"
    if order == "id":
        return "id_number > ?", [p.id_number]
    if order == "name":  # pinyin order (models.pinyin), through the persons_name_key index
        return "(name_key, id_number) > (?, ?)", [pinyin_key(p.name), p.id_number]
    if order == "region":
        return "(region_id, name, id_number) > (?, ?, ?)", [p.region_id, p.name, p.id_number]
    if order == "level":
        return f"level < ? OR (level = ? AND {tail})", [p.level, p.level, p.name, p.id_number]
    if p.hours is None:  # "hours": NULLs come last in descending order
        return f"hours IS NULL AND {tail}", [p.name, p.id_number]
    return f"hours < ? OR hours IS NULL OR (hours = ? AND {tail})", [p.hours, p.hours, p.name, p.id_number]
