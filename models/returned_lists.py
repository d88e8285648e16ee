"""`census.returned`: correction lists that came back from the communities — the rows their lines
name, applying a list's changes in one transaction (traceable in 更正记录, undone as one step) and
the remarks (备注) a community wrote.

What a line means is decided in importers/returned_list.py; here are only the reads and writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.errors import CensusError, NotFound
from models.records import Carry
from models.schema import now

if TYPE_CHECKING:
    from models.census import Census


@dataclass(frozen=True)
class RowState:
    """A source row as a returned line finds it now."""

    id: int
    name: str
    id_raw: str
    id_number: str | None
    status: str
    reason: str | None
    remark: str
    # Its latest ID correction and its remark: when, and when the list that made it was written
    # (None: by hand, carried over to a newer version, or by a list written before that was kept).
    corrected_at: str | None = None
    corrected_by_list_of: str | None = None
    remark_at: str | None = None
    remark_by_list_of: str | None = None


@dataclass(frozen=True)
class Change:
    """One write a returned list makes: "correct" (value: the valid, normalised ID), "invalid"
    (value: the row's new pending reason) or "remark" (value: the 备注 text)."""

    kind: str
    row_id: int
    value: str


@dataclass(frozen=True)
class ReturnedRecord:
    """A returned correction list that was applied (the import history's entry for it)."""

    id: int
    file_name: str
    sha256: str
    region_path: str
    imported_at: str
    lines: int
    corrected: int
    still_invalid: int
    remarks: int
    skipped: int

    @property
    def imported_label(self) -> str:
        return self.imported_at.replace("T", " ")[:16]


_ROW_STATE = ("SELECT s.id, s.name, s.id_raw, s.id_number, s.status, s.reason, COALESCE(m.text, ''),"
              " (SELECT k.at FROM corrections k WHERE k.row_id = s.id ORDER BY k.id DESC LIMIT 1),"
              " (SELECT l.generated_at FROM corrections k JOIN returned_changes c ON c.correction_id = k.id"
              "  JOIN returned_lists l ON l.id = c.returned_id WHERE k.row_id = s.id ORDER BY k.id DESC LIMIT 1),"
              " m.at, (SELECT l.generated_at FROM returned_lists l WHERE l.id = m.returned_id)"
              " FROM source_rows s LEFT JOIN row_remarks m ON m.row_id = s.id")
_RECORD = ("SELECT id, file_name, sha256, region_path, imported_at, lines, corrected, still_invalid, remarks, skipped"
           " FROM returned_lists")


# Rows a list changed that something changed since: a later list (the same kind of change: an ID,
# or a remark), or, for an ID, a correction by hand after the list's own (or after the list came,
# when it only noted a number still wrong).
_CHANGED_SINCE = """
SELECT s.name FROM returned_changes c JOIN source_rows s ON s.id = c.row_id
WHERE c.returned_id = :list AND (
    EXISTS (SELECT 1 FROM returned_changes d WHERE d.row_id = c.row_id AND d.returned_id > :list
            AND (d.kind = 'remark') = (c.kind = 'remark'))
    OR (c.kind != 'remark' AND EXISTS (SELECT 1 FROM corrections k WHERE k.row_id = c.row_id AND (
        k.id > c.correction_id
        OR (c.correction_id IS NULL AND k.at >= (SELECT imported_at FROM returned_lists WHERE id = :list))))))
ORDER BY c.id
"""


class ReturnedLists:
    """Returned correction lists of one census."""

    def __init__(self, census: Census):
        self._census = census

    @property
    def _conn(self):
        return self._census.conn

    # ---- reading -------------------------------------------------------------------------
    def remarks(self) -> dict[int, str]:
        """Row id → the 备注 a community wrote for it (the problems list shows them)."""
        return dict(self._conn.execute("SELECT row_id, text FROM row_remarks"))

    def all(self) -> list[ReturnedRecord]:
        return [ReturnedRecord(*r) for r in self._conn.execute(_RECORD + " ORDER BY id")]

    def by_sha(self, sha256: str) -> ReturnedRecord | None:
        """The list of this content applied before — while any row it changed is still here: once
        every one went with an undone import, the same list sent again is applied again (it was
        called a duplicate while its fixes were gone)."""
        row = self._conn.execute(
            _RECORD + " WHERE sha256 = ? AND EXISTS (SELECT 1 FROM returned_changes c JOIN source_rows s"
            " ON s.id = c.row_id WHERE c.returned_id = returned_lists.id) ORDER BY id LIMIT 1", (sha256,)).fetchone()
        return ReturnedRecord(*row) if row else None

    def row_by_ref(self, batch_sha: str, sheet: str, row_number: int) -> RowState | None:
        """The live row a list line names: the file's content (SHA-256), sheet and row number,
        which stay the same whatever row ids a merge or a rebuild gives."""
        row = self._conn.execute(
            _ROW_STATE + " JOIN batches b ON b.id = s.batch_id WHERE b.sha256 = ? AND s.sheet IS ? AND s.row_number = ?",
            (batch_sha, sheet or None, row_number)).fetchone()
        if row is None and sheet == "":
            row = self._conn.execute(
                _ROW_STATE + " JOIN batches b ON b.id = s.batch_id WHERE b.sha256 = ? AND s.sheet = '' AND"
                " s.row_number = ?", (batch_sha, row_number)).fetchone()
        return RowState(*row) if row else None

    def batch_known(self, batch_sha: str) -> bool:
        return self._conn.execute("SELECT 1 FROM batches WHERE sha256 = ?", (batch_sha,)).fetchone() is not None

    def rows_of_batch(self, batch_id: int) -> list[RowState]:
        """A batch's rows (a line written for an earlier version looks for its row in the newer one)."""
        return [RowState(*r) for r in self._conn.execute(_ROW_STATE + " WHERE s.batch_id = ? ORDER BY s.id", (batch_id,))]

    def row(self, row_id: int) -> RowState | None:
        row = self._conn.execute(_ROW_STATE + " WHERE s.id = ?", (row_id,)).fetchone()
        return RowState(*row) if row else None

    # ---- writing -------------------------------------------------------------------------
    def apply(self, *, file_name: str, sha256: str, region_path: str, lines: int, changes: list[Change],
              skipped: int, generated_at: str = "") -> int:
        """Apply a returned list's changes in one transaction, each as `correct` would for an ID;
        every change is remembered with what it replaced, so `undo` takes the whole list back.
        The undo history is cleared: an earlier step (a correction by hand) undone or redone
        after it would put its row back over the list's change, the list still standing as applied."""
        problems = self._census.problems
        counts = {"correct": 0, "invalid": 0, "remark": 0}
        with self._census.transaction():
            self._census.undo.clear()
            cur = self._conn.execute(
                "INSERT INTO returned_lists (file_name, sha256, region_path, imported_at, lines, skipped, generated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)", (file_name, sha256, region_path, now(), lines, skipped, generated_at or None))
            list_id = cur.lastrowid
            for change in changes:
                state = self.row(change.row_id)
                if state is None:
                    raise NotFound(f"源数据行 {change.row_id} 不存在")
                correction_id = None
                if change.kind == "correct":
                    correction_id = problems.apply_correction(change.row_id, change.value)
                elif change.kind == "invalid":
                    self._conn.execute("UPDATE source_rows SET reason = ? WHERE id = ?", (change.value, change.row_id))
                else:
                    self._conn.execute("INSERT OR REPLACE INTO row_remarks (row_id, text, returned_id, at)"
                                       " VALUES (?, ?, ?, ?)", (change.row_id, change.value, list_id, now()))
                self._conn.execute(
                    "INSERT INTO returned_changes (returned_id, row_id, kind, correction_id, old_id_number,"
                    " old_status, old_reason, old_remark) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (list_id, change.row_id, change.kind, correction_id, state.id_number, state.status, state.reason,
                     state.remark or None))
                counts[change.kind] += 1
            self._conn.execute("UPDATE returned_lists SET corrected = ?, still_invalid = ?, remarks = ? WHERE id = ?",
                               (counts["correct"], counts["invalid"], counts["remark"], list_id))
        assert list_id is not None
        return list_id

    def carry_remark(self, row_id: int, text: str, returned_id: int | None, at: str) -> Carry:
        """Put another copy's 备注 of the same line on this row, unless it has one: the same text
        is "same" (carrying twice changes nothing), another text is the row's own, kept ("conflict").
        `returned_id`: the list here that wrote it, or None when that list is another file's history."""
        row = self._conn.execute("SELECT text FROM row_remarks WHERE row_id = ?", (row_id,)).fetchone()
        if row is not None:
            return Carry("same" if row[0] == text else "conflict")
        self._conn.execute("INSERT INTO row_remarks (row_id, text, returned_id, at) VALUES (?, ?, ?, ?)",
                           (row_id, text, returned_id, at))
        return Carry("carried")

    def undo(self, list_id: int) -> None:
        """Take a returned list back out: every row it changed is as before, in one step (rows since
        removed with their return's import are gone with it). Refused while a newer version of a
        return it changed is in the census: that version carried the fixes over. The undo history
        is cleared: a later step may have changed the same rows."""
        conn = self._conn
        if not conn.execute("SELECT 1 FROM returned_lists WHERE id = ?", (list_id,)).fetchone():
            raise NotFound(f"更正清单 {list_id} 不存在")
        newer = conn.execute(
            "SELECT MIN(w.by_batch) FROM withdrawn w JOIN returned_changes c ON c.returned_id = ?"
            " AND json_extract(w.data, '$.id') = c.row_id WHERE w.tbl = 'source_rows'", (list_id,)).fetchone()[0]
        if newer is not None:
            newer = self._census.versions.live_batch(newer)  # 第2版 may itself be replaced by 第3版
            # Its rows are withdrawn by a newer version of their return, which carried the fixes
            # over: undone now, the fixes would come back with the earlier version, with no list
            # left to take them back.
            raise CensusError(f"更正清单 {list_id} 改过的报表已有新版本（批次 {newer}，已带上这些更正），"
                              f"请先撤销批次 {newer}，再撤销这份更正清单")
        later = [r[0] for r in conn.execute(_CHANGED_SINCE, {"list": list_id})]
        if later:
            # Put back as they were before the list, these rows would lose a fix made after it
            # (by hand, or by a later list) and leave its person counted from no row.
            names = "、".join(later[:3]) + ("等" if len(later) > 3 else "")
            raise CensusError(f"更正清单 {list_id} 改过的 {len(later)} 行（{names}）此后又被更正过；撤销这份清单会丢掉"
                              "那些更正：请先撤销后来的更正（编辑 → 撤销，或后来的更正清单），再撤销这份清单")
        with self._census.transaction():
            self._census.undo.clear()
            touched: set[str] = set()
            for row_id, kind, correction_id, old_number, old_status, old_reason, old_remark in conn.execute(
                    "SELECT row_id, kind, correction_id, old_id_number, old_status, old_reason, old_remark"
                    " FROM returned_changes WHERE returned_id = ? ORDER BY id DESC", (list_id,)).fetchall():
                state = self.row(row_id)
                if state is None:
                    continue
                if kind == "remark":
                    conn.execute("DELETE FROM row_remarks WHERE row_id = ?", (row_id,))
                    if old_remark:
                        conn.execute("INSERT INTO row_remarks (row_id, text, at) VALUES (?, ?, ?)",
                                     (row_id, old_remark, now()))
                    continue
                if kind == "correct":
                    conn.execute("DELETE FROM corrections WHERE id = ?", (correction_id,))
                touched.update(i for i in (state.id_number, old_number) if i)
                conn.execute("UPDATE source_rows SET id_number = ?, status = ?, reason = ? WHERE id = ?",
                             (old_number, old_status, old_reason, row_id))
            conn.execute("UPDATE row_remarks SET returned_id = NULL WHERE returned_id = ?", (list_id,))
            conn.execute("DELETE FROM returned_changes WHERE returned_id = ?", (list_id,))
            conn.execute("DELETE FROM returned_lists WHERE id = ?", (list_id,))
            self._census.people.recompute(touched)

    def forget_rows(self, batch_id: int) -> None:
        """Before a batch's rows go (undo): their remarks go with them, and so do the records of
        what returned lists changed on them. A row id is given again to the next import's rows
        (SQLite takes the largest id + 1): kept, those records made undoing the list write its
        'before' values into another return's rows, and the list sent again a duplicate."""
        of_rows = "SELECT id FROM source_rows WHERE batch_id = ?"
        self._conn.execute(f"DELETE FROM row_remarks WHERE row_id IN ({of_rows})", (batch_id,))
        self._conn.execute(f"DELETE FROM returned_changes WHERE row_id IN ({of_rows})", (batch_id,))

