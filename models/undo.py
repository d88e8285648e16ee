"""`census.undo`: the undo history of a census, kept in the census file itself.

Like Anki, which keeps undo in its collection and not in its widgets, a clerk's changes
(an ID corrected, a person reassigned, a region folded, a goal or a rule changed) are recorded as
named steps by the core, and Ctrl+Z in the window, or any other front end, undoes the last one.

How: while a step runs, temporary triggers on the tables a clerk's change can touch write, for
every row changed, the SQL statement that puts it back (only the columns that changed). Undo runs
those statements newest first and records, with the same triggers, the statements that redo
them. `persons` is not logged: it is always derivable from the source rows, reassignments and
rules, so after an undo or redo the persons whose rows were touched (everybody, when a rule
changed) are recounted.

Imports are not steps: an import is taken back from the import history (census.batches.undo). An
undo of an import or a merge deletes or renumbers rows an older step may point at, so those clear
the history (`clear()`), as they say before they run.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from models.errors import CensusError

if TYPE_CHECKING:
    from models.census import Census

T = TypeVar("T")

# Tables a clerk's change may touch; `persons` is derived and recounted instead.
LOGGED_TABLES = ("regions", "batches", "source_rows", "corrections", "person_regions", "region_goals", "region_units",
                 "settings")
# Columns holding an ID number: the persons to recount after an undo or redo.
_ID_COLUMNS = {"source_rows": ("id_number",), "person_regions": ("id_number",)}
EVERYBODY = "*"  # recount all: a rule (settings) or the region tree changed
_RECOUNT_ALL_TABLES = ("settings",)


@dataclass(frozen=True)
class UndoStep:
    id: int
    name: str
    at: str

    @property
    def at_label(self) -> str:
        """When it was done, as a clerk reads a time (2026-12-02 18:54)."""
        return self.at.replace("T", " ")[:16]


class UndoHistory:
    """Named steps that can be undone (newest first) and redone, stored in the census file."""

    KEEP = 100  # older steps are forgotten

    def __init__(self, census: Census):
        self._census = census
        self._recording = False

    @property
    def _conn(self):
        return self._census.conn

    # ---- reading -------------------------------------------------------------------------
    def next_undo(self) -> UndoStep | None:
        """The step Ctrl+Z would undo."""
        return self._step("SELECT id, name, at FROM undo_steps WHERE state = 'done' ORDER BY id DESC LIMIT 1")

    def next_redo(self) -> UndoStep | None:
        """The step Ctrl+Y would redo (the one undone last)."""
        return self._step("SELECT id, name, at FROM undo_steps WHERE state = 'undone' ORDER BY id LIMIT 1")

    def steps(self) -> tuple[list[UndoStep], list[UndoStep]]:
        """The history as a front end lists it: (steps that can be undone, newest first;
        steps that can be redone, next first)."""
        def of(state: str, order: str) -> list[UndoStep]:
            return [UndoStep(*r) for r in self._conn.execute(
                f"SELECT id, name, at FROM undo_steps WHERE state = ? ORDER BY id {order}", (state,))]
        return of("done", "DESC"), of("undone", "ASC")

    def _step(self, sql: str) -> UndoStep | None:
        row = self._conn.execute(sql).fetchone()
        return UndoStep(*row) if row else None

    # ---- recording -----------------------------------------------------------------------
    def run(self, name: str, action: Callable[[], T]) -> T:
        """Run a clerk's change as one undoable step called `name` (e.g. 更正身份证号)."""
        census = self._census
        if self._recording:  # a step inside a step belongs to the outer one
            return action()
        with census.transaction():
            with self._logging() as log:
                result = action()
            self._conn.execute("DELETE FROM undo_log WHERE step_id IN (SELECT id FROM undo_steps WHERE state = 'undone')")
            self._conn.execute("DELETE FROM undo_steps WHERE state = 'undone'")  # a new change ends the redo line
            if log:
                from models.schema import now

                step = self._conn.execute("INSERT INTO undo_steps (name, at, state) VALUES (?, ?, 'done')",
                                          (name, now())).lastrowid
                self._conn.executemany("INSERT INTO undo_log (step_id, sql) VALUES (?, ?)",
                                       [(step, sql) for sql in log])
                self._forget_old()
        return result

    def _forget_old(self) -> None:
        old = "SELECT id FROM undo_steps ORDER BY id DESC LIMIT -1 OFFSET ?"
        self._conn.execute(f"DELETE FROM undo_log WHERE step_id IN ({old})", (self.KEEP,))
        self._conn.execute(f"DELETE FROM undo_steps WHERE id IN ({old})", (self.KEEP,))

    def clear(self) -> None:
        """Forget every step (inside the caller's transaction): rows they point at are about to go."""
        self._conn.execute("DELETE FROM undo_log")
        self._conn.execute("DELETE FROM undo_steps")

    # ---- undoing and redoing ---------------------------------------------------------------
    def undo(self) -> str:
        """Undo the newest step; its name. CensusError when there is nothing to undo."""
        step = self.next_undo()
        if step is None:
            raise CensusError("没有可以撤销的操作")
        self._replay(step, "undone")
        return step.name

    def redo(self) -> str:
        step = self.next_redo()
        if step is None:
            raise CensusError("没有可以重做的操作")
        self._replay(step, "done")
        return step.name

    def _replay(self, step: UndoStep, state: str) -> None:
        """Run a step's statements newest first, keep the statements that reverse them, recount."""
        census = self._census
        statements = [r[0] for r in self._conn.execute(
            "SELECT sql FROM undo_log WHERE step_id = ? ORDER BY id DESC", (step.id,))]
        try:
            self._run_statements(step, state, statements)
        except sqlite3.IntegrityError as err:  # a later import took the place of what comes back
            with census.transaction():
                self.clear()
            raise CensusError(f"无法{'撤销' if state == 'undone' else '重做'}“{step.name}”：之后的导入或合并已改变了"
                              "相关数据。操作记录已清空，数据保持现状。") from err
        census.refresh()

    def _run_statements(self, step: UndoStep, state: str, statements: list[str]) -> None:
        census = self._census
        conn = self._conn
        with census.transaction():
            conn.execute("PRAGMA defer_foreign_keys = ON")  # persons follow at the recount below
            with self._logging() as log:
                for sql in statements:
                    conn.execute(sql)
                touched = {r[0] for r in conn.execute("SELECT id_number FROM temp.undo_ids")}
            conn.execute("DELETE FROM undo_log WHERE step_id = ?", (step.id,))
            conn.executemany("INSERT INTO undo_log (step_id, sql) VALUES (?, ?)", [(step.id, sql) for sql in log])
            conn.execute("UPDATE undo_steps SET state = ? WHERE id = ?", (state, step.id))
            census.refresh()
            if EVERYBODY in touched:
                census.people.recompute()
            elif touched:
                census.people.recompute(touched)

    # ---- the change log ------------------------------------------------------------------
    @contextlib.contextmanager
    def _logging(self) -> Iterator[list[str]]:
        """Temporary triggers write the reversing statements of every change; the list is filled
        when the block ends (the caller's transaction is still open)."""
        conn = self._conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS undo_pending (seq INTEGER PRIMARY KEY, sql TEXT NOT NULL)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS undo_ids (id_number TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM temp.undo_pending")
        conn.execute("DELETE FROM temp.undo_ids")
        recursive = conn.execute("PRAGMA recursive_triggers").fetchone()[0]
        conn.execute("PRAGMA recursive_triggers = ON")  # INSERT OR REPLACE: the replaced row is logged too
        names = []
        log: list[str] = []
        self._recording = True
        try:
            for table in LOGGED_TABLES:
                names += self._create_triggers(table)
            yield log
            log += [r[0] for r in conn.execute("SELECT sql FROM temp.undo_pending ORDER BY seq")]
        finally:
            self._recording = False
            for name in names:
                conn.execute(f"DROP TRIGGER IF EXISTS temp.{name}")
            conn.execute(f"PRAGMA recursive_triggers = {int(recursive)}")

    def _create_triggers(self, table: str) -> list[str]:
        columns = [r[1] for r in self._conn.execute(f"PRAGMA main.table_info({table})")]
        if not columns:
            return []
        ids_new, ids_old = self._touched_ids(table, "NEW"), self._touched_ids(table, "OLD")
        insert_back = (f"'INSERT INTO {table} (rowid, {', '.join(columns)}) VALUES (' || OLD.rowid || ', ' || "
                       + " || ', ' || ".join(f"quote(OLD.{c})" for c in columns) + " || ')'")
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        set_back = " || ".join(f"CASE WHEN OLD.{c} IS NOT NEW.{c} THEN ', {c} = ' || quote(OLD.{c}) ELSE '' END"
                               for c in columns)
        triggers = {
            f"undo_{table}_insert": (f"AFTER INSERT ON main.{table}",
                                     f"'DELETE FROM {table} WHERE rowid = ' || NEW.rowid", ids_new),
            f"undo_{table}_update": (f"AFTER UPDATE ON main.{table} WHEN {changed}",
                                     f"'UPDATE {table} SET ' || substr({set_back}, 3) || ' WHERE rowid = ' || OLD.rowid",
                                     ids_old + ids_new),
            f"undo_{table}_delete": (f"AFTER DELETE ON main.{table}", insert_back, ids_old),
        }
        for name, (event, sql, ids) in triggers.items():
            self._conn.execute(f"CREATE TEMP TRIGGER {name} {event} BEGIN "
                               f"INSERT INTO undo_pending (sql) VALUES ({sql}); {ids} END")
        return list(triggers)

    @staticmethod
    def _touched_ids(table: str, which: str) -> str:
        if table in _RECOUNT_ALL_TABLES:
            return f"INSERT OR IGNORE INTO undo_ids VALUES ('{EVERYBODY}');"
        return "".join(f"INSERT OR IGNORE INTO undo_ids SELECT {which}.{c} WHERE {which}.{c} IS NOT NULL;"
                       for c in _ID_COLUMNS.get(table, ()))
