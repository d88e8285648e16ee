"""`census.versions`: a return sent again. The same file name for the same region is a newer
version of an earlier import; by default it replaces it, in the import's own transaction. So is a
file whose name differs only by what a resend adds to it (WeChat's "(1)", Windows' " - 副本", 修改后,
最终版, v2, a date: `return_name`) when it lists most of the earlier import's people.

Replacing withdraws the earlier batch — its batch row, source rows, corrections, remarks, version
record and the regions only it had created — into the `withdrawn` table (one row each, as JSON
keyed by column name, ids kept), so undoing the newer version puts the earlier one back exactly.
Corrections and remarks a clerk made on the earlier rows carry over to the newer version's row
where the same person reappears with the same ID as typed: nobody corrects the same line twice.
`carry_fixes` is that rule (never over a row's own different fix), shared with a merge, which
carries a census file's fixes onto the same lines of a return both files imported.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from models.errors import CensusError
from models.identity import clean_text
from models.schema import WITHDRAWN_BATCH_OF_SHA, now

if TYPE_CHECKING:
    from models.census import Census

T = TypeVar("T")

# Kept aside in this order and put back in it (a row needs its batch, a correction its row).
_TABLES = ("regions", "batches", "source_rows", "corrections", "row_remarks", "batch_versions")

# What a resend adds to the end of a return's file name: a copy's number ("(1)" as WeChat and
# browsers save a second download, " - 副本 (2)" as Windows copies), a version word, a version
# number, a date. Not 补报/补充/增补/追加: those list more people, beside the first return.
_VERSION_WORDS = ("修改后", "修改版", "修改稿", "已修改", "修订版", "修订稿", "更正后", "更正版", "已更正", "更正",
                  "最终版", "最终稿", "终版", "最新版", "最新", "新版", "正式版", "定稿", "副本", "的副本", "复制",
                  "修改", "修订", "重报", "重新报送", "二次报送")
_RESEND_TAIL = re.compile(
    r"(?:[(\[【]\s*(?:\d{1,3}|" + "|".join(_VERSION_WORDS) + r"|v\d+(?:\.\d+)*|第[一二三四五六七八九十\d]+版|"
    r"[\d.\-/年月日]{3,12})\s*[)\]】]"  # a bracketed copy number, version or date
    r"|" + "|".join(_VERSION_WORDS) + r"|v\d+(?:\.\d+)*|第[一二三四五六七八九十\d]+版"
    r"|(?:20\d{2}[.\-/年]?)?\d{1,2}[.\-/月]\d{1,2}日?|20\d{6}|\d{4}"  # a date: 2024年12月5日, 12.5, 20241205, 1205
    r")[\s_\-—–.·]*$")


@dataclass(frozen=True)
class Replaced:
    """What a newer version replaced, for the import result and the history."""

    batch_id: int
    file_name: str
    imported_at: str
    version: int  # the new version's number (2 for the first resend)
    rows: int  # rows of the earlier version withdrawn
    carried: int  # corrections and remarks carried over to the new rows
    # the new version's pending rows those corrections made valid: (reason they had, the ID now)
    fixed: tuple[tuple[str, str], ...] = field(default=())

    def describe(self) -> str:
        when = self.imported_at.replace("T", " ")[:16]
        carried = f"，其中 {self.carried} 处更正/备注已带到新版本的相同行" if self.carried else ""
        if self.fixed:
            carried += f"（新版本中原本待核实的 {len(self.fixed)} 行因此已改正）"
        return (f"第{self.version}版：替换了批次 {self.batch_id}（{when} 导入的“{self.file_name}”），"
                f"旧版本的 {self.rows} 行已撤下{carried}；撤销本次导入即恢复旧版本")


class Versions:
    """Versions of the same return (same file name, same region)."""

    def __init__(self, census: Census):
        self._census = census

    @property
    def _conn(self):
        return self._census.conn

    # ---- reading -------------------------------------------------------------------------
    def earlier(self, file_name: str, region_id: int | None, exclude: int | None = None) -> int | None:
        """The latest import of a file of this name for this region (a resend replaces it)."""
        if region_id is None:
            return None
        row = self._conn.execute(
            "SELECT id FROM batches WHERE file_name = ? AND region_id = ? AND id IS NOT ? ORDER BY id DESC LIMIT 1",
            (file_name, region_id, exclude)).fetchone()
        return row[0] if row else None

    def earlier_renamed(self, file_name: str, region_id: int | None, before: int | None = None) -> int | None:
        """The latest import for this region, under another file name, of the return this file name
        stands for (return_name: 光明社区摸排表.xlsx for 光明社区摸排表(1).xlsx); `before`: only
        imports with a smaller batch id (those of an earlier run: within a run, which file of two is
        the newer one is not known)."""
        if region_id is None:
            return None
        key = return_name(file_name)
        for batch_id, name in self._conn.execute(
                "SELECT id, file_name FROM batches WHERE region_id = ? AND file_name != ? AND id < ? ORDER BY id DESC",
                (region_id, file_name, before if before is not None else 1 << 62)):
            if return_name(name) == key:
                return batch_id
        return None

    def run_twins(self) -> VersionsSeen[tuple[int, str]]:
        """For one run of imports: which of its stored files, (batch id, file name), looks like
        another version of one stored before it in the same run (VersionsSeen)."""
        return VersionsSeen(lambda batch: self.listed_names(batch[0]))

    def listed_names(self, batch_id: int) -> set[str]:
        """The names an import lists."""
        return {name for name, in self._conn.execute(
            "SELECT DISTINCT name FROM source_rows WHERE batch_id = ? AND name != ''", (batch_id,))}

    def lists_most_of(self, batch_id: int, ids: set[str], names: set[str]) -> bool:
        """Whether at least half of a batch's rows list somebody with one of these IDs (valid or
        as typed) or names: a file under another name is a newer version of it only then. A
        corrected return keeps most of its people (its fixed rows by name); a second grid's list
        (光明社区摸排表(2)) shares a person or two at most, and a 补报 of two people few of thirty."""
        rows = matched = 0
        for number, id_raw, name in self._conn.execute(
                "SELECT id_number, id_raw, name FROM source_rows WHERE batch_id = ?", (batch_id,)):
            rows += 1
            if number in ids or (id_raw and clean_text(id_raw) in ids) or (name and name in names):
                matched += 1
        return rows > 0 and 2 * matched >= rows

    def chain(self) -> dict[int, tuple[int, int]]:
        """Batch id → (its version number, the batch it replaced), for versions after the first."""
        return {r[0]: (r[1], r[2]) for r in self._conn.execute("SELECT batch_id, version, replaces_id FROM batch_versions")}

    def first_versions(self) -> dict[int, int]:
        """Batch id of each later version in the census → the id of its first version's import.

        A resend takes its first version's place in the import order: "earliest import wins a
        tie" is about when the return first came, so a community re-sending a corrected return
        does not hand its people over to another community that reported them in between."""
        replaced = dict(self._conn.execute("SELECT batch_id, replaces_id FROM batch_versions"))
        if not replaced:
            return {}
        earlier = dict(replaced)  # versions withdrawn by a later one keep their own record there
        for (data,) in self._conn.execute("SELECT data FROM withdrawn WHERE tbl = 'batch_versions'"):
            record = json.loads(data)
            earlier.setdefault(record["batch_id"], record["replaces_id"])
        first: dict[int, int] = {}
        for batch_id, replaces in replaced.items():
            seen = {batch_id}
            while replaces in earlier and replaces not in seen:
                seen.add(replaces)
                replaces = earlier[replaces]
            first[batch_id] = replaces
        return first

    def withdrawn_by_sha(self, sha256: str) -> tuple[str, str, int] | None:
        """An earlier version with this content: (file name, imported at, the batch that replaced it)."""
        row = self._conn.execute(f"SELECT data, by_batch FROM withdrawn WHERE {WITHDRAWN_BATCH_OF_SHA} LIMIT 1",
                                 {"sha": sha256}).fetchone()
        if row is None:
            return None
        batch = json.loads(row[0])
        return batch["file_name"], batch["imported_at"], row[1]

    def live_batch(self, batch_id: int) -> int:
        """The batch in the census now that stands for `batch_id`: itself, or the newest version
        that replaced it (第3版 replaced 第2版, which had replaced it)."""
        seen = {batch_id}
        while not self._conn.execute("SELECT 1 FROM batches WHERE id = ?", (batch_id,)).fetchone():
            row = self._conn.execute("SELECT by_batch FROM withdrawn WHERE tbl = 'batches'"
                                     " AND json_extract(data, '$.id') = ?", (batch_id,)).fetchone()
            if row is None or row[0] in seen:
                break
            batch_id = row[0]
            seen.add(batch_id)
        return batch_id

    def withdrawn_shas(self) -> set[str]:
        """The content hashes of every earlier version a newer one replaced here."""
        return {json.loads(data)["sha256"] for (data,) in self._conn.execute(
            "SELECT data FROM withdrawn WHERE tbl = 'batches'")}

    def newer_here(self, file_name: str, region_id: int | None, imported_at: str) -> list[int]:
        """This census's imports of that file for that region made after `imported_at`."""
        if region_id is None:
            return []
        return [r[0] for r in self._conn.execute(
            "SELECT id FROM batches WHERE file_name = ? AND region_id = ? AND imported_at > ?",
            (file_name, region_id, imported_at))]

    def same_line(self, batch_id: int, name: str, id_raw: str) -> int | None:
        """The row of a batch where the same person reappears with the same ID as typed."""
        row = self._conn.execute("SELECT id FROM source_rows WHERE batch_id = ? AND name = ? AND id_raw = ?"
                                 " ORDER BY id LIMIT 1", (batch_id, name, id_raw)).fetchone()
        return row[0] if row else None

    def batches_share_people(self, a: int, b: int) -> bool:
        """Whether two imports list anybody in common (by ID, valid or as typed, or by name)."""
        return self.shares_people(a, *listed_people(self._conn, b))

    def shares_people(self, batch_id: int, ids: set[str], names: set[str]) -> bool:
        """Whether a batch lists anybody with one of these IDs (valid or as typed) or names."""
        for number, id_raw, name in self._conn.execute(
                "SELECT id_number, id_raw, name FROM source_rows WHERE batch_id = ?", (batch_id,)):
            if number in ids or (id_raw and clean_text(id_raw) in ids) or (name and name in names):
                return True
        return False

    # ---- writing (inside the import's transaction) ---------------------------------------------
    def settle(self, batch_id: int, keep_both: bool, earlier: int | None) -> tuple[Replaced | None, int | None]:
        """After a file is stored: replace `earlier`, the earlier import of the same file for the
        same region (earlier_version), and return what was replaced, or with `keep_both` leave it
        and return its batch id."""
        if earlier is None:
            return None, None
        if keep_both:
            return None, earlier
        return self.replace(earlier, batch_id), None

    def earlier_version(self, batch_id: int, renamed: int | None = None) -> int | None:
        """The earlier import a newly stored batch is a version of: the latest of the same file
        name for the same region, or `renamed`, the version the plan found under another file name
        (earlier_renamed), if it is still there (not undone or replaced since)."""
        file_name, region_id = self._conn.execute("SELECT file_name, region_id FROM batches WHERE id = ?",
                                                  (batch_id,)).fetchone()
        same_name = self.earlier(file_name, region_id, exclude=batch_id)
        if same_name is not None or renamed is None:
            return same_name
        live = self._conn.execute("SELECT 1 FROM batches WHERE id = ? AND region_id = ?", (renamed, region_id)).fetchone()
        return renamed if live else None

    def replace(self, old: int, new: int) -> Replaced:
        """Withdraw batch `old` in favour of `new` (one transaction; `undo(new)` restores `old`).
        The undo history is cleared: its steps may point at the rows withdrawn."""
        conn, census = self._conn, self._census
        with census.transaction():
            census.undo.clear()
            file_name, imported_at = conn.execute("SELECT file_name, imported_at FROM batches WHERE id = ?",
                                                  (old,)).fetchone()
            before = conn.execute("SELECT version FROM batch_versions WHERE batch_id = ?", (old,)).fetchone()
            version = (before[0] if before else 1) + 1
            carried, fixed, touched = self._carry_over(old, new)
            # the newer version's people too: it now stands where the first version came in the
            # import order (first_versions), which decides a tie between two regions
            touched |= {r[0] for r in conn.execute(
                "SELECT DISTINCT id_number FROM source_rows WHERE batch_id IN (?, ?) AND id_number IS NOT NULL",
                (old, new))}
            rows = conn.execute("SELECT COUNT(*) FROM source_rows WHERE batch_id = ?", (old,)).fetchone()[0]
            of_rows = "SELECT id FROM source_rows WHERE batch_id = :b"
            selections = {
                "regions": "SELECT * FROM regions WHERE created_batch = :b ORDER BY depth",
                "batches": "SELECT * FROM batches WHERE id = :b",
                "source_rows": "SELECT * FROM source_rows WHERE batch_id = :b ORDER BY id",
                "corrections": f"SELECT * FROM corrections WHERE row_id IN ({of_rows}) ORDER BY id",
                "row_remarks": f"SELECT * FROM row_remarks WHERE row_id IN ({of_rows})",
                "batch_versions": "SELECT * FROM batch_versions WHERE batch_id = :b",
            }
            for table in _TABLES:
                cur = conn.execute(selections[table], {"b": old})
                names = [d[0] for d in cur.description]
                conn.executemany("INSERT INTO withdrawn (by_batch, tbl, data) VALUES (?, ?, ?)",
                                 [(new, table, json.dumps(dict(zip(names, r, strict=True)), ensure_ascii=False))
                                  for r in cur.fetchall()])
            created = [r[0] for r in conn.execute("SELECT id FROM regions WHERE created_batch = ?", (old,))]
            conn.execute(f"DELETE FROM corrections WHERE row_id IN ({of_rows})", {"b": old})
            conn.execute(f"DELETE FROM row_remarks WHERE row_id IN ({of_rows})", {"b": old})
            conn.execute("DELETE FROM source_rows WHERE batch_id = ?", (old,))
            conn.execute("DELETE FROM batch_versions WHERE batch_id = ?", (old,))
            conn.execute("DELETE FROM batches WHERE id = ?", (old,))
            # Regions the earlier version created belong to the newer one now (as if it had made
            # them); those it no longer uses go, and come back with the earlier version.
            conn.execute("UPDATE regions SET created_batch = ? WHERE created_batch = ?", (new, old))
            census.regions.drop_unused(new)
            conn.execute("INSERT INTO batch_versions (batch_id, version, replaces_id, regions) VALUES (?, ?, ?, ?)",
                         (new, version, old, json.dumps(created)))
            census.people.recompute(touched)
        return Replaced(old, file_name, imported_at, version, rows, carried, tuple(fixed))

    def _carry_over(self, old: int, new: int) -> tuple[int, list[tuple[str, str]], set[str]]:
        """Corrections and remarks on the earlier version's rows, made again on the newer
        version's row with the same name and the same ID as typed (when it needs them). Returns
        how many were carried, the (reason, ID) of each pending row a correction made valid, and
        the IDs to recount."""
        conn = self._conn
        latest: dict[int, LineFix] = {}  # an earlier row corrected twice: its last correction stands
        for row_id, name, id_raw, number in conn.execute(
                "SELECT s.id, s.name, s.id_raw, c.new_id_number FROM corrections c JOIN source_rows s ON s.id = c.row_id"
                " WHERE s.batch_id = ? ORDER BY c.id", (old,)).fetchall():
            target = self.same_line(new, name, id_raw)
            if target is not None:
                latest[row_id] = LineFix(target, number=number)
        fixes = list(latest.values())
        for name, id_raw, text, returned_id, at in conn.execute(
                "SELECT s.name, s.id_raw, m.text, m.returned_id, m.at FROM row_remarks m"
                " JOIN source_rows s ON s.id = m.row_id WHERE s.batch_id = ?", (old,)).fetchall():
            target = self.same_line(new, name, id_raw)
            if target is not None:
                fixes.append(LineFix(target, remark=text, remark_list=returned_id, remark_at=at))
        done = carry_fixes(self._census, fixes)
        return done.carried, done.fixed, done.touched

    def restore(self, new: int) -> set[str]:
        """Before batch `new` is undone: put back the version it replaced (if any), exactly as it
        was; returns the IDs of its rows, to be recounted with the undo."""
        conn = self._conn
        record = conn.execute("SELECT replaces_id, regions FROM batch_versions WHERE batch_id = ?", (new,)).fetchone()
        if record is None:
            return set()
        old, created = record[0], json.loads(record[1])
        kept: dict[str, list[dict]] = {t: [] for t in _TABLES}
        for table, data in conn.execute("SELECT tbl, data FROM withdrawn WHERE by_batch = ? ORDER BY id", (new,)):
            kept[table].append(json.loads(data))
        conn.execute("DELETE FROM batch_versions WHERE batch_id = ?", (new,))
        region_of: dict[int, int] = {}  # a withdrawn region's id -> its id now
        for row in kept["regions"]:  # parents first (kept by depth)
            region_of[row["id"]] = self._put_back_region(row, region_of)
        for table in _TABLES[1:]:
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            for row in kept[table]:
                if row.get("region_id") in region_of:
                    row["region_id"] = region_of[row["region_id"]]
                renumber = table == "corrections" and conn.execute(  # its id given to a later correction
                    "SELECT 1 FROM corrections WHERE id = ?", (row["id"],)).fetchone() is not None
                names = [n for n in row if n in columns and not (renumber and n == "id")]
                try:
                    cur = conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                                       [row[n] for n in names])
                except sqlite3.IntegrityError as err:
                    raise CensusError("无法恢复被替换的旧版本：普查文件中的记录与它冲突，请先备份普查文件后再试") from err
                if renumber:  # a returned list's record of it follows it
                    conn.execute("UPDATE returned_changes SET correction_id = ? WHERE correction_id = ? AND row_id = ?",
                                 (cur.lastrowid, row["id"], row["row_id"]))
        created = [region_of.get(r, r) for r in created]
        if created:
            conn.execute(f"UPDATE regions SET created_batch = ? WHERE id IN ({', '.join('?' * len(created))})",
                         [old, *created])
        conn.execute("DELETE FROM withdrawn WHERE by_batch = ?", (new,))
        self._census.regions.forget()
        return {r["id_number"] for r in kept["source_rows"] if r.get("id_number")}

    def _put_back_region(self, row: dict, region_of: dict[int, int]) -> int:
        """A region the earlier version had created, put back; returns its id now. Still there
        (kept for another import): that node. Its id given to another region since (ids are
        reused once the largest is deleted) or its path made again under another id: the node of
        that path, or the region under a new id — never the other region, whose people the
        earlier version's rows would join."""
        conn = self._conn
        parent = region_of.get(row["parent_id"], row["parent_id"])
        same_path = conn.execute("SELECT id FROM regions WHERE path = ?", (row["path"],)).fetchone()
        if same_path is not None:
            return same_path[0]
        columns = {r[1] for r in conn.execute("PRAGMA table_info(regions)")}
        taken = conn.execute("SELECT 1 FROM regions WHERE id = ?", (row["id"],)).fetchone() is not None
        values = {**row, "parent_id": parent}
        names = [n for n in values if n in columns and not (taken and n == "id")]
        cur = conn.execute(f"INSERT INTO regions ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                           [values[n] for n in names])
        assert cur.lastrowid is not None
        return cur.lastrowid


@dataclass(frozen=True)
class LineFix:
    """A fix another copy of a line has (an earlier version's row, a merged census's row of the
    same return), addressed to the row here it goes to."""

    row_id: int
    number: str | None = None  # its corrected ID (valid, normalised)
    remark: str | None = None  # its 备注
    remark_list: int | None = None  # the returned list here that wrote the 备注, if any
    remark_at: str = ""


@dataclass
class CarriedFixes:
    """What `carry_fixes` did."""

    corrections: int = 0
    remarks: int = 0
    conflicts: int = 0  # rows with a different fix of their own, kept
    fixed: list[tuple[str, str]] = field(default_factory=list)  # (reason it was pending, the ID now)
    touched: set[str] = field(default_factory=set)  # the IDs corrected to (recounted already)

    @property
    def carried(self) -> int:
        return self.corrections + self.remarks


def carry_fixes(census: Census, fixes: list[LineFix]) -> CarriedFixes:
    """Make other copies' fixes on the rows here they go to, as a clerk here would (corrections
    through census.problems, so the record, the status and the persons are right), never over a
    row's own different fix; one rule for a resent return and for a merged census."""
    done = CarriedFixes()
    for fix in fixes:
        if fix.number is not None:
            carry = census.problems.carry_correction(fix.row_id, fix.number)
            if carry.carried:
                done.corrections += 1
                done.touched.add(fix.number)
                if carry.pending_reason is not None:
                    done.fixed.append((carry.pending_reason, fix.number))
            done.conflicts += carry.conflict
        if fix.remark is not None:
            carry = census.returned.carry_remark(fix.row_id, fix.remark, fix.remark_list, fix.remark_at or now())
            done.remarks += carry.carried
            done.conflicts += carry.conflict
    return done


@functools.lru_cache(maxsize=8192)
def return_name(file_name: str) -> str:
    """The return a file name stands for, without what a resend adds to its end (_RESEND_TAIL)
    and without its extension: 光明社区摸排表(1).xlsx, 光明社区摸排表 - 副本.xlsx and
    光明社区摸排表（修改后）12.5.xls all stand for 光明社区摸排表. Cached: each imported file
    asks it of every earlier import of its region (Versions.earlier_renamed)."""
    stem = unicodedata.normalize("NFKC", file_name).lower()  # （１） is (1)
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = stem.rstrip(" _-—–.·")
    while True:
        shorter = _RESEND_TAIL.sub("", stem).rstrip(" _-—–.·")
        if shorter == stem or not shorter:
            return stem
        stem = shorter


@dataclass
class _Return(Generic[T]):
    """The files seen so far that stand for one return of one region and are no version of one
    another, and who each lists (read once a second file of the return comes)."""

    files: list[tuple[T, str]]  # and each one's file name
    names: list[Set[str]] = field(default_factory=list)
    listing: dict[str, list[int]] = field(default_factory=dict)  # name → indexes into files


class VersionsSeen(Generic[T]):
    """Files of one run (stored, or planned in a review) looked at one after another: which of
    them looks like another version of one seen before it — the same region, different file names
    that stand for one return (return_name) and most names in common (_most_shared). Neither
    replaces the other (which is newer is not known): the review and the results say so.

    Names are read (`names_of`) only for a return of which a second file comes, once per file,
    and compared through who lists each name: a street's hundreds of grid returns whose names
    differ only by a number (柳林村_0009, 柳林村_0033, …: one return_name) cost what their rows
    cost. (Compared pair by pair, each read again, they made a folder's import quadratic.) A file
    found to be another's version is not kept for later ones: a third version points at the first."""

    def __init__(self, names_of: Callable[[T], Set[str]]):
        self._names_of = names_of
        self._returns: dict[tuple[object, str], _Return[T]] = {}

    def see(self, item: T, region: object, file_name: str) -> T | None:
        """The file seen before that `item` looks like another version of; None if none (then
        later files are compared with this one)."""
        key = (region, return_name(file_name))
        known = self._returns.get(key)
        if known is None:
            self._returns[key] = _Return([(item, file_name)])
            return None
        if not known.names:  # the return's first file, read now that a second one came
            self._list(known, self._names_of(known.files[0][0]))
        names = self._names_of(item)
        shared = Counter(i for name in names for i in known.listing.get(name, ()))
        for i in sorted(shared):
            other, other_name = known.files[i]
            if other_name != file_name and _most_shared(shared[i], len(names), len(known.names[i])):
                return other
        known.files.append((item, file_name))
        self._list(known, names)
        return None

    @staticmethod
    def _list(known: _Return, names: Set[str]) -> None:
        index = len(known.names)
        known.names.append(names)
        for name in names:
            known.listing.setdefault(name, []).append(index)


def _most_shared(shared: int, one: int, other: int) -> bool:
    """Whether two lists of one region whose file names stand for one return look like two
    versions of it, given how many names each lists and how many are in both: at least half of
    the shorter list's names are in the other. Names, not IDs: a correction changes IDs, not names."""
    shorter = min(one, other)
    return shorter > 0 and 2 * shared >= shorter


def listed_people(conn: sqlite3.Connection, batch_id: int) -> tuple[set[str], set[str]]:
    """The IDs (valid, and as typed) and names an import lists, on `conn` (this census's, or a
    census file being merged in): what Versions.shares_people compares."""
    ids: set[str] = set()
    names: set[str] = set()
    for number, id_raw, name in conn.execute("SELECT id_number, id_raw, name FROM source_rows WHERE batch_id = ?",
                                             (batch_id,)):
        ids.update(v for v in (number, id_raw and clean_text(id_raw)) if v)
        if name:
            names.add(name)
    return ids, names
