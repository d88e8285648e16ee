"""`census.problems`: pending rows, name conflicts, notes to review, regions made from returns —
and correcting a pending row's ID (with suggestions, never applied by themselves)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from models.errors import CensusError, NotFound
from models.identity import check_id, clean_text, excel_rounded, id_fields, mask_id, number_digits
from models.pinyin import pinyin_key
from models.records import Carry, Problem
from models.schema import now

if TYPE_CHECKING:
    from models.census import Census


REASON_CUT_TWIN = ("身份证号末三位为“000”，与同名人员 {twin} 的前15位相同，像是被 Excel 存为数字后丢失了末三位："
                   "请核实（确是同一人则更正为其身份证号）")


def _first_15(number: str) -> tuple[str, str]:
    """Bounds of the IDs sharing a number's first 15 digits, for "> low AND < high" on an ID index
    (':' follows '9', and the 16th character is always a digit)."""
    return number[:15], number[:15] + ":"


class Problems:
    """What a clerk must look at, and the fixes made by hand."""

    def __init__(self, census: Census):
        self._census = census

    @property
    def _conn(self):
        return self._census.conn

    def all(self, region_id: int | None = None) -> list[Problem]:
        """Pending rows, name conflicts, values we could not read, regions created from returns."""
        regions = self._census.regions
        tree = regions.tree()
        region_filter = ""
        params: list = []
        if region_id is not None:
            clause, params = regions.within_clause(region_id, "s.region_id")
            region_filter = " AND " + clause
        path = regions.path_of
        out: list[Problem] = []
        pending = self._conn.execute(_PENDING_SQL + region_filter + " ORDER BY s.batch_id, s.row_number", params).fetchall()
        for r in pending:
            out.append(Problem("pending", r[7] or "", r[2], r[3] or "", r[4], r[0], r[1], r[5], r[6], None, path(r[8])))
        lines = _same_lines(pending)
        out += self._conflicts(region_filter, params)
        for r in self._conn.execute(
            "SELECT s.id, s.batch_id, b.file_name, s.sheet, s.row_number, s.name, s.id_raw, s.notes, s.region_id,"
            " s.id_number FROM source_rows s JOIN batches b ON b.id = s.batch_id"
            " WHERE s.notes IS NOT NULL" + region_filter + " ORDER BY s.batch_id, s.row_number",
                params):
            for note in json.loads(r[7]):
                out.append(Problem("review", note, r[2], r[3] or "", r[4], r[0], r[1], r[5], r[6], r[9], path(r[8])))
        out = _listed_once(out, lines, self._census.returned.remarks())
        for node in tree.tree_order():
            if node.flagged and (region_id is None or tree.is_within(node, regions.get(region_id))):
                out.append(Problem("new_region", node.note or f"“{node.name}”不在户籍人口表中，已新建，请核实",
                                   region_path=node.path))
        return out

    def _conflicts(self, region_filter: str, params: list) -> list[Problem]:
        path = self._census.regions.path_of
        out = []
        sql = (
            "SELECT s.id, s.batch_id, b.file_name, s.sheet, s.row_number, s.name, s.id_raw, s.id_number, p.name,"
            " p.names, s.region_id FROM persons p CROSS JOIN source_rows s ON s.id_number = p.id_number AND s.status = 'ok'"
            " JOIN batches b ON b.id = s.batch_id WHERE p.name_conflict = 1 AND s.name != p.name" + region_filter +
            " ORDER BY s.batch_id, s.row_number")
        for r in self._conn.execute(sql, params):
            reason = f"同一身份证号姓名不一致：本行为“{r[5]}”，其他表中为“{r[8]}”（已按同一人合并，请核实）"
            out.append(Problem("name_conflict", reason, r[2], r[3] or "", r[4], r[0], r[1], r[5], r[6], r[7],
                               path(r[10])))
        return out

    def suggest_ids(self, row_id: int) -> list[str]:
        """Known IDs a pending row most likely means: same name, and an ID that matches what is
        left of the typed one (the first 15 digits of a number that lost its tail, one digit
        missing, a wrong check digit, one or two digits mistyped). Never applied by itself."""
        row = self._conn.execute("SELECT name, id_raw, status FROM source_rows WHERE id = ?", (row_id,)).fetchone()
        if row is None or row[2] != "pending" or not row[0]:
            return []
        typed = clean_text(row[1] or "")
        if not typed:
            return []
        # Same-named persons through the pinyin index (a name's key is made of the name alone,
        # models.pinyin) and the few with several names: a lookup, not a scan, since the problem
        # list asks this for every pending row.
        candidates = [r[0] for r in self._conn.execute(
            "SELECT id_number FROM persons WHERE name_key = :key AND name = :name UNION SELECT id_number FROM persons"
            " WHERE name_conflict = 1 AND instr('、' || names || '、', '、' || :name || '、') > 0",
            {"name": row[0], "key": pinyin_key(row[0])})]
        # A number Excel kept: compare with what Excel would keep of each candidate (rounded to 15
        # significant digits); _id_close still catches the truncated form and the typos.
        digits = number_digits(typed)
        stored = len(digits) == 18 and digits.isascii() and digits.isdigit()
        return [c for c in candidates if _id_close(typed, c) or (stored and excel_rounded(c) == digits)]

    def correct_id(self, row_id: int, new_id: str) -> str:
        """Fix a row's ID by hand: the row stops being pending and its person is recounted now.
        The same pending problem on other rows (see `twins`) is fixed with it: it was listed once.

        Returns the normalised ID. The old value stays in `corrections`, so the fix is traceable.
        """
        check = check_id(new_id)
        if not check.valid or check.number is None:
            raise CensusError(f"新的身份证号无效：{check.reason}")
        row = self._conn.execute("SELECT status FROM source_rows WHERE id = ?", (row_id,)).fetchone()
        if row is None:
            raise NotFound(f"源数据行 {row_id} 不存在")
        if row[0] != "pending":  # a mistyped row number must not move a counted person to another ID
            raise CensusError(f"源数据行 {row_id} 不是待核实的行（其身份证号有效，已计入），没有更正；"
                              "此行可能已被更正，请刷新后核对（窗口的“问题”页、命令行的 problems 列出待核实的行）")
        with self._census.transaction():
            for rid in (row_id, *self.twins(row_id)):
                self.apply_correction(rid, check.number)
        return check.number

    def apply_correction(self, row_id: int, number: str) -> int:
        """Write one row's correction to a valid, normalised ID and recount the persons it touches
        (inside the caller's transaction: `correct_id`, a returned correction list, a resent
        return carrying a correction over). Returns the correction's id."""
        old_raw, old_number, old_status, old_reason = self._conn.execute(
            "SELECT id_raw, id_number, status, reason FROM source_rows WHERE id = ?", (row_id,)).fetchone()
        with self._census.transaction():
            cur = self._conn.execute(
                "INSERT INTO corrections (row_id, old_id_raw, old_status, old_reason, new_id_number, at)"
                " VALUES (?, ?, ?, ?, ?, ?)", (row_id, old_raw, old_status, old_reason, number, now()))
            self._conn.execute("UPDATE source_rows SET id_number = ?, status = 'ok', reason = NULL WHERE id = ?",
                               (number, row_id))
            self._census.people.recompute([i for i in (old_number, number) if i])
        assert cur.lastrowid is not None
        return cur.lastrowid

    def carry_correction(self, row_id: int, number: str) -> Carry:
        """Make another copy's correction of the same line (to the valid ID `number`) on this row,
        through `apply_correction`, so the record, the status and the persons are as a fix here
        makes them. A row already at that ID is left ("same": carrying twice changes nothing); a
        row with a different correction of its own keeps it ("conflict")."""
        current, status, reason = self._conn.execute(
            "SELECT id_number, status, reason FROM source_rows WHERE id = ?", (row_id,)).fetchone()
        if current == number:
            return Carry("same")
        if self._conn.execute("SELECT 1 FROM corrections WHERE row_id = ? LIMIT 1", (row_id,)).fetchone():
            return Carry("conflict")
        self.apply_correction(row_id, number)
        return Carry("carried", (reason or "") if status == "pending" else None)

    def catch_cut_ids(self) -> list[tuple[int, str]]:
        """Make pending the rows whose ID is another same-named person's with the last three
        digits turned to 000 — what Excel keeps of an ID it held as a number, typed on as text.
        About one such ID in eleven passes the check digit, and the person was counted twice.

        Run after persons are counted (an import, a folder's group of files). A clerk who
        corrected a row to such an ID has confirmed it: it is left alone. Returns (batch id,
        reason) of each row made pending."""
        conn = self._conn
        confirmed = {r[0] for r in conn.execute(
            "SELECT new_id_number FROM corrections WHERE substr(new_id_number, 16) = '000'")}
        made: list[tuple[int, str]] = []
        touched: list[str] = []
        for number, names in conn.execute(
                "SELECT id_number, names FROM persons WHERE substr(id_number, 16) = '000'").fetchall():
            if number in confirmed:
                continue
            mine = set((names or "").split("、")) - {""}
            for twin, twin_names in conn.execute(
                    "SELECT id_number, names FROM persons WHERE id_number > ? AND id_number < ? AND id_number != ?",
                    (*_first_15(number), number)).fetchall():
                shared = sorted(mine & set((twin_names or "").split("、")))
                if shared:
                    reason = REASON_CUT_TWIN.format(twin=mask_id(twin))
                    made += conn.execute(
                        f"UPDATE source_rows SET status = 'pending', id_number = NULL, reason = ?"
                        f" WHERE id_number = ? AND status = 'ok' AND name IN ({','.join('?' * len(shared))})"
                        " RETURNING batch_id, reason", (reason, number, *shared)).fetchall()
                    touched.append(number)
                    break
        for batch_id, _reason in made:  # the import history counts them as pending too
            self._count_moved(batch_id, -1)
        if touched:
            self._census.people.recompute(touched)
        return made

    def release_cut_ids(self) -> None:
        """After an import is undone: rows catch_cut_ids made pending whose same-named twin is gone
        count again under the ID as typed (it passed the check, or they would not have been valid)."""
        conn = self._conn
        rows = conn.execute("SELECT id, batch_id, name, id_raw FROM source_rows WHERE status = 'pending'"
                            " AND reason LIKE ?", (REASON_CUT_TWIN.split("{")[0] + "%",)).fetchall()
        back: list[str] = []
        for row_id, batch_id, name, id_raw in rows:
            number = id_fields(id_raw)[1]
            if number is None:
                continue
            twin = conn.execute("SELECT 1 FROM source_rows WHERE id_number > ? AND id_number < ? AND id_number != ?"
                                " AND +status = 'ok' AND name = ? LIMIT 1", (*_first_15(number), number, name)).fetchone()
            if twin is None:
                conn.execute("UPDATE source_rows SET status = 'ok', id_number = ?, reason = NULL WHERE id = ?",
                             (number, row_id))
                self._count_moved(batch_id, +1)
                back.append(number)
        if back:
            self._census.people.recompute(back)

    def _count_moved(self, batch_id: int, ok: int) -> None:
        """A row of the batch counted again (`ok` +1) or made pending (-1): its import history too."""
        self._conn.execute("UPDATE batches SET rows_ok = rows_ok + ?, rows_pending = rows_pending - ? WHERE id = ?",
                           (ok, ok, batch_id))

    def twins(self, row_id: int) -> list[int]:
        """Other pending rows that are the same problem as this pending row (what `all` lists
        once: see _same_lines)."""
        alike = self._conn.execute(
            _PENDING_SQL + " AND EXISTS (SELECT 1 FROM source_rows t WHERE t.id = ? AND t.status = 'pending'"
            " AND t.id_raw = s.id_raw AND t.name = s.name AND t.region_id IS s.region_id AND t.reason IS s.reason)"
            " ORDER BY s.batch_id, s.row_number", (row_id,)).fetchall()
        lines = _same_lines(alike)
        if row_id not in lines:
            return []
        return sorted(r for r, line in lines.items() if line == lines[row_id] and r != row_id)

    def row_places(self, row_ids: list[int]) -> dict[int, tuple[str, str, int, str, str]]:
        """Where each row is and what it held: (its return's sha256, sheet, row number, name, ID as
        typed) by row id — what a correction list's mark records of each line. One query for a
        list's rows, whatever the number of returns in the census."""
        return {r[0]: (r[1], r[2] or "", r[3], r[4], r[5]) for r in self._conn.execute(
            "SELECT s.id, b.sha256, s.sheet, s.row_number, s.name, s.id_raw FROM source_rows s"
            " JOIN batches b ON b.id = s.batch_id WHERE s.id IN (SELECT value FROM json_each(?))",
            (json.dumps(row_ids),))}

    def corrections(self) -> list[dict]:
        """Every ID fixed by hand, with the row it was made on."""
        cur = self._conn.execute(
            "SELECT c.id, c.row_id, b.file_name, s.sheet, s.row_number, c.old_id_raw, c.new_id_number, c.at"
            " FROM corrections c JOIN source_rows s ON s.id = c.row_id JOIN batches b ON b.id = s.batch_id"
            " ORDER BY c.id")
        keys = ("id", "row_id", "file_name", "sheet", "row_number", "old_id_raw", "new_id_number", "at")
        return [dict(zip(keys, r, strict=True)) for r in cur]


# A pending row with what identifies its line: the columns _same_lines reads, and — when no
# digit of an ID was typed (empty, 待补充) — what the row says of the person as read (gender,
# level, education, major, hours: not the phone or the dates, which a street's sheet may write
# otherwise), since a name alone does not tell two namesakes apart.
_PENDING_SQL = (
    "SELECT s.id, s.batch_id, b.file_name, s.sheet, s.row_number, s.name, s.id_raw, s.reason, s.region_id,"
    " CASE WHEN s.id_raw GLOB '*[0-9]*' THEN NULL ELSE json_array(s.gender, s.level, s.education, s.major, s.hours) END"
    " FROM source_rows s JOIN batches b ON b.id = s.batch_id WHERE s.status = 'pending'")


def _same_lines(rows: list[tuple]) -> dict[int, tuple]:
    """Row id -> the pending line it is (rows of _PENDING_SQL, in batch and row order).

    The same line is the same region, name, ID as typed and reason — and, when the ID holds no
    digit, the same person's details — found in another sheet or return: a street's sheet
    repeating a community's line, a resent return kept beside the first. Two rows of one sheet
    are two lines (namesakes without an ID, listed and fixed apart); the n-th such row of a sheet
    is the same line as the n-th of another."""
    seen: dict[tuple, int] = {}
    out: dict[int, tuple] = {}
    for row in rows:
        line = (row[8], row[5], row[6], row[7], row[9])
        place = (line, row[1], row[3])
        nth = seen.get(place, 0)
        seen[place] = nth + 1
        out[row[0]] = (*line, nth)
    return out


def _listed_once(problems: list[Problem], lines: dict[int, tuple], remarks: dict[int, str]) -> list[Problem]:
    """Each problem once: the same pending line (`lines`: _same_lines), the same name under the
    same ID, the same note on the same person, found on several rows, is one problem, its other
    rows in `also_rows`. A community's 备注 on any of its rows is shown with it, and answers a
    name conflict (reviewed)."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        if p.kind == "pending":
            key: tuple = (p.kind, lines[p.row_id])  # type: ignore[index]  # pending problems have their row
        else:
            key = (p.kind, p.id_number or p.id_raw, p.name, p.reason if p.kind == "review" else "")
        groups.setdefault(key, []).append(p)
    out = []
    for group in groups.values():
        first = group[0]
        rows = [p.row_id for p in group if p.row_id is not None]
        remark = next((remarks[r] for r in rows if r in remarks), "")
        reviewed = bool(remark) and first.kind == "name_conflict"
        reason = first.reason
        if remark:
            reason += f"；{'已复核，' if reviewed else ''}报回备注：{remark}"
        out.append(replace(first, reason=reason, also_rows=tuple(rows[1:]), remark=remark, reviewed=reviewed))
    return out


def _id_close(typed: str, known: str) -> bool:
    """Could `typed` be a damaged spelling of the valid ID `known`?"""
    if typed.isdigit() and len(typed) == 18 and typed.endswith("000") and typed[:15] == known[:15]:
        return True  # went through Excel as a number: 15 significant digits survive
    if len(typed) == 17:
        return any(known[:i] + known[i + 1:] == typed for i in range(18))  # one digit left out
    if len(typed) == 19:
        return any(typed[:i] + typed[i + 1:] == known for i in range(19))  # one digit too many
    if len(typed) == 18:
        return sum(a != b for a, b in zip(typed, known, strict=True)) <= 2
    return False
