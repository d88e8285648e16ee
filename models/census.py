"""The census store: one SQLite file per census, the object every front end talks to.

Like Anki's ``Collection``: the window, the command line, the exporters, the tests and the
benchmarks all open a `Census` and call its methods; none of them writes SQL of its own. One
connection per thread; writes happen inside `transaction()` so an import, an undo or a
correction is all-or-nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlite_utils

from models import rollup
from models.errors import NEWER_CENSUS, READ_ONLY, CensusError, CensusNotFound, NotFound, storage_error
from models.identity import check_id, clean_text, excel_rounded, number_digits
from models.merge import PERSON_COLUMNS, RowFacts, merge_person
from models.records import COUNT_FIELDS, GOAL_LABELS, Batch, Person, Problem, RegionSummary, SourceRow
from models.regions import Region, RegionTree, kind_for
from models.rules import Rules
from models.schema import LATEST_VERSION, migrate

CATEGORIES = {
    "talent": "talent = 1",
    "certified": "talent = 1 AND level > 0",
    "degree": "talent = 1 AND degree = 1",
    "trained": "talent = 1 AND trained = 1",
    "trained_only": "talent = 1 AND trained = 1 AND degree = 0 AND level = 0",
    "not_talent": "talent = 0",
}
# `persons(order=...)`: the people table's sortable columns (ties broken so pages never overlap).
PERSON_ORDERS = {
    "name": "name, id_number", "id": "id_number", "region": "region_id, name, id_number",
    "hours": "hours DESC, name, id_number", "level": "level DESC, name, id_number",
}
CATEGORY_LABELS = {
    "talent": "人才", "certified": "持证", "degree": "专业学历", "trained": "培训达标",
    "trained_only": "仅培训", "not_talent": "未达标人员",
}

_ROW_FACTS_COLUMNS = """
SELECT id_number, batch_id, id, name, level, education, COALESCE(major, ''), hours, region_id,
       COALESCE(gender, ''), COALESCE(phone, '')
"""
# Everybody: one pass over the table.
_ALL_ROW_FACTS_SQL = _ROW_FACTS_COLUMNS + "FROM source_rows WHERE status = 'ok' ORDER BY id_number"
# Some IDs: "+status" keeps SQLite from choosing the (status, region_id) index, which would scan
# every ok row once per chunk of IDs (quadratic: 13 s of a 100k-row import) instead of looking
# the IDs up in source_rows_id.
_ROW_FACTS_SQL = _ROW_FACTS_COLUMNS + "FROM source_rows WHERE +status = 'ok' AND id_number IN ({marks})" \
    " ORDER BY id_number"


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class Census:
    """An open census file."""

    def __init__(self, db: sqlite_utils.Database, path: Path, read_only: bool = False):
        self.db = db
        self.read_only = read_only  # opened for reading only: every write is refused
        self.conn: sqlite3.Connection = db.conn
        self.path = path
        self._tree: RegionTree | None = None
        self._rules: Rules | None = None
        self._depth = 0

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
            if not read_only_ok:
                raise CensusError(READ_ONLY, file=path.name)
            return cls._open_read_only(path, version)
        conn = None
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            migrate(conn)
        except sqlite3.DatabaseError as err:
            if conn is not None:
                conn.close()
            mapped = storage_error(err, path.name)
            raise mapped or CensusError(f"普查文件已损坏或无法写入：{err}", file=path.name) from err
        return cls(sqlite_utils.Database(conn), path)

    @classmethod
    def _open_read_only(cls, path: Path, version: int | None) -> Census:
        """A census nobody may write here: read through a connection that cannot write."""
        if version != LATEST_VERSION:  # an older census needs its tables brought up to date first
            raise CensusError("普查文件是只读的，而且由旧版本程序创建、需要更新格式后才能打开："
                              "请复制到可写入的位置后再打开", file=path.name)
        try:
            conn = connect_read_only(path)
        except sqlite3.DatabaseError as err:
            raise CensusError(f"无法以只读方式打开普查文件：{err}", file=path.name) from err
        return cls(sqlite_utils.Database(conn), path, read_only=True)

    def close(self) -> None:
        self.conn.close()

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

    def _roll_back(self, depth: int) -> None:
        if self.conn.in_transaction:  # not when SQLite has already rolled back (disk full, I/O error)
            with contextlib.suppress(sqlite3.Error):  # the error that brought us here is the one to report
                if depth == 0:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute(f"ROLLBACK TO sp{depth}")
                    self.conn.execute(f"RELEASE sp{depth}")
        self._invalidate()

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
        """Forget cached regions and rules (after writing them with SQL of one's own)."""
        self._tree = None
        self._rules = None

    _invalidate = refresh

    # ---- settings ------------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    @property
    def title(self) -> str:
        return self.get_setting("title") or self.path.stem

    def set_title(self, title: str) -> None:
        with self.transaction():
            self.set_setting("title", title)

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            self._rules = Rules.from_json(self.get_setting("rules"))
        return self._rules

    def set_rules(self, rules: Rules) -> None:
        """Store new rules and recount everybody under them."""
        with self.transaction():
            self.set_setting("rules", rules.to_json())
            self._rules = rules
            self.recompute()

    # ---- regions -------------------------------------------------------------------------
    def tree(self) -> RegionTree:
        if self._tree is None:
            rows = self.conn.execute(
                "SELECT id, parent_id, name, path, kind, depth, population, flagged, note FROM regions ORDER BY id"
            ).fetchall()
            self._tree = RegionTree([Region(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8]) for r in rows])
        return self._tree

    def regions(self) -> list[Region]:
        return self.tree().tree_order()

    def region(self, region_id: int) -> Region:
        try:
            return self.tree().by_id[region_id]
        except KeyError:
            raise NotFound(f"区划 {region_id} 不存在") from None

    def region_by_path(self, path: str) -> Region | None:
        return self.tree().by_path.get(path.strip("/"))

    def ensure_region(self, path: str, *, kind: str | None = None, flagged: bool = False, note: str = "",
                      batch_id: int | None = None, by_depth: bool = False) -> Region:
        """The node at `path`, creating it and any missing ancestors."""
        names = [n.strip() for n in path.strip("/").split("/") if n.strip()]
        if not names:
            raise CensusError("区划路径为空")
        parent: Region | None = None
        for depth, name in enumerate(names):
            node_path = "/".join(names[: depth + 1])
            node = self.tree().by_path.get(node_path)
            if node is None:
                last = depth == len(names) - 1
                node_kind = kind if (kind and last) else kind_for(name, depth if by_depth else None)
                if not by_depth and node_kind == "unit" and depth == 0:
                    node_kind = "city"
                self.conn.execute(
                    "INSERT INTO regions (parent_id, name, path, kind, depth, flagged, note, created_batch)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (parent.id if parent else None, name, node_path, node_kind, depth, int(flagged),
                     note if last else "", batch_id),
                )
                self._tree = None
                node = self.tree().by_path[node_path]
            parent = node
        assert parent is not None
        return parent

    def set_population(self, region_id: int, population: int | None) -> None:
        if population is not None and population < 0:
            raise CensusError("户籍人口不能为负数")
        with self.transaction():
            self.conn.execute("UPDATE regions SET population = ? WHERE id = ?", (population, region_id))
            self._tree = None

    def set_goal(self, region_id: int, category: str, target: int | None, note: str = "") -> None:
        """Set (or with None, remove) an absolute goal for a node, e.g. 1,000 certified by year end."""
        if category not in GOAL_LABELS:
            raise CensusError(f"未知的目标类别：{category}（可选：{'、'.join(GOAL_LABELS.values())}）")
        if target is not None and target < 0:
            raise CensusError("目标人数不能为负数")
        self.region(region_id)
        with self.transaction():
            if target is None:
                self.conn.execute("DELETE FROM region_goals WHERE region_id = ? AND category = ?", (region_id, category))
            else:
                self.conn.execute("INSERT OR REPLACE INTO region_goals VALUES (?, ?, ?, ?)",
                                  (region_id, category, target, note))

    # ---- figures -------------------------------------------------------------------------
    def summary(self) -> list[RegionSummary]:
        """Every region with its counts (descendants included) against its targets, tree order."""
        direct = rollup.direct_counts(self.conn)
        pending = dict(self.conn.execute(rollup.PENDING_SQL).fetchall())
        # Index seeks per region (thousands), not a scan of every source row (millions).
        with_returns = {row[0] for row in self.conn.execute(
            "SELECT id FROM regions r WHERE EXISTS (SELECT 1 FROM persons WHERE region_id = r.id)"
            " OR EXISTS (SELECT 1 FROM source_rows WHERE status = 'pending' AND region_id = r.id)")}
        with_returns |= {row[0] for row in self.conn.execute("SELECT DISTINCT region_id FROM batches")}
        goals: dict[int, list[tuple[str, int, str]]] = {}
        for region_id, category, target, note in self.conn.execute(
                "SELECT region_id, category, target, note FROM region_goals ORDER BY region_id, rowid"):
            goals.setdefault(region_id, []).append((category, target, note))
        return rollup.rollup(self.tree(), direct, pending, with_returns, self.rules, goals)

    def summary_json(self) -> dict:
        rules = self.rules
        return {
            "census": self.title,
            "rules": {"per_mille": float(rules.per_mille), "min_hours": rules.min_hours,
                      "training_since": rules.training_since},
            "regions": [s.to_json() for s in self.summary()],
        }

    def totals(self, summary: list[RegionSummary] | None = None) -> dict[str, int]:
        """Whole-census counts (all roots added up), from a summary already at hand if given."""
        roots = [s for s in (summary if summary is not None else self.summary()) if s.depth == 0]
        out = {name: sum(getattr(s, name) for s in roots) for name in COUNT_FIELDS}
        out["pending_rows"] = sum(s.pending_rows for s in roots)
        return out

    # ---- people --------------------------------------------------------------------------
    def _person_filter(self, region_id: int | None, search: str, category: str | None) -> tuple[str, list]:
        clauses, params = [], []
        if region_id is not None:
            region = self.region(region_id)
            clauses.append("region_id IN (SELECT id FROM regions WHERE path = ? OR path LIKE ?)")
            params += [region.path, region.path + "/%"]
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

    def count_persons(self, region_id: int | None = None, search: str = "", category: str | None = None) -> int:
        where, params = self._person_filter(region_id, search, category)
        return self.conn.execute(f"SELECT COUNT(*) FROM persons WHERE {where}", params).fetchone()[0]

    def persons(self, region_id: int | None = None, search: str = "", category: str | None = None,
                offset: int = 0, limit: int = 200, order: str = "name", after: Person | None = None) -> list[Person]:
        """A page of persons; the window's table asks for pages as it scrolls.

        With `after` (the last person of the previous page) the page starts right after that
        person by an index seek instead of counting `offset` rows from the top, so scrolling on
        through a million persons costs the same on every page.
        """
        where, params = self._person_filter(region_id, search, category)
        order_sql = PERSON_ORDERS.get(order, "rowid")
        if after is not None and order in PERSON_ORDERS:
            seek, seek_params = _seek_after(order, after)
            where, params, offset = f"({where}) AND ({seek})", [*params, *seek_params], 0
        rows = self.conn.execute(
            f"SELECT {', '.join(PERSON_COLUMNS)} FROM persons WHERE {where} ORDER BY {order_sql} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [self._person(r) for r in rows]

    def iter_persons(self, region_id: int | None = None, category: str | None = None) -> Iterator[Person]:
        """Every person (in region, name order), streamed for exports."""
        where, params = self._person_filter(region_id, "", category)
        cursor = self.conn.execute(
            f"SELECT {', '.join(PERSON_COLUMNS)} FROM persons WHERE {where} ORDER BY region_id, name, id_number",
            params)
        for row in cursor:
            yield self._person(row)

    def person(self, id_number: str) -> Person:
        row = self.conn.execute(f"SELECT {', '.join(PERSON_COLUMNS)} FROM persons WHERE id_number = ?",
                                (id_number,)).fetchone()
        if row is None:
            raise NotFound(f"没有身份证号为 {id_number} 的人员")
        return self._person(row)

    def _person(self, row: tuple) -> Person:
        values = dict(zip(PERSON_COLUMNS, row, strict=True))
        region = self.tree().by_id.get(values["region_id"])
        return Person(
            id_number=values["id_number"], name=values["name"], region_id=values["region_id"],
            region_path=region.path if region else "", level=values["level"], degree=bool(values["degree"]),
            trained=bool(values["trained"]), talent=bool(values["talent"]), hours=values["hours"],
            education=values["education"], major=values["major"] or "", gender=values["gender"] or "",
            phone=values["phone"] or "", row_count=values["row_count"], name_conflict=bool(values["name_conflict"]),
            names=tuple(n for n in (values["names"] or "").split("、") if n),
        )

    def person_files(self, id_number: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT b.file_name FROM source_rows s JOIN batches b ON b.id = s.batch_id"
            " WHERE s.id_number = ? ORDER BY b.id", (id_number,))]

    def manual_region(self, id_number: str) -> int | None:
        """The region a clerk reassigned this person to, None when attributed by the rule."""
        row = self.conn.execute("SELECT region_id FROM person_regions WHERE id_number = ?", (id_number,)).fetchone()
        return row[0] if row else None

    def reassign(self, id_number: str, region_id: int | None) -> None:
        """Attribute a person to a region of the clerk's choosing (None: back to the rule)."""
        with self.transaction():
            if region_id is None:
                self.conn.execute("DELETE FROM person_regions WHERE id_number = ?", (id_number,))
            else:
                self.region(region_id)
                self.conn.execute("INSERT OR REPLACE INTO person_regions VALUES (?, ?, ?)",
                                  (id_number, region_id, now()))
            self.recompute([id_number])

    def merge_region(self, source_id: int, target_id: int) -> None:
        """Fold a region into another (e.g. a node a return created from a misspelt name): its
        rows, imports, reassignments and goals move to the target, its children too, and the
        emptied node is removed. Everyone touched is recounted."""
        source, target = self.region(source_id), self.region(target_id)
        tree = self.tree()
        if source.id == target.id or tree.is_within(target, source):
            raise CensusError(f"不能把“{source.path}”并入它自己或它的下级“{target.path}”")
        with self.transaction():
            ids = [r[0] for r in self.conn.execute(
                "SELECT DISTINCT id_number FROM source_rows WHERE region_id = ? AND id_number IS NOT NULL", (source.id,))]
            ids += [r[0] for r in self.conn.execute(
                "SELECT id_number FROM persons WHERE region_id = ?", (source.id,))]
            for table in ("source_rows", "batches", "person_regions"):
                self.conn.execute(f"UPDATE {table} SET region_id = ? WHERE region_id = ?", (target.id, source.id))
            self.conn.execute("INSERT OR IGNORE INTO region_goals SELECT ?, category, target, note FROM region_goals"
                              " WHERE region_id = ?", (target.id, source.id))
            self.conn.execute("DELETE FROM region_goals WHERE region_id = ?", (source.id,))
            for child in tree.children.get(source.id, []):
                self._move_subtree(child, target)
            self.recompute(ids)
            self.conn.execute("DELETE FROM regions WHERE id = ?", (source.id,))
            self.refresh()

    def _move_subtree(self, node: Region, new_parent: Region) -> None:
        """Hang a node (and its descendants' paths) under another parent, joining a same-named node."""
        existing = self.tree().by_path.get(f"{new_parent.path}/{node.name}")
        if existing is not None:
            self.merge_region(node.id, existing.id)
            return
        old_prefix, new_path = node.path, f"{new_parent.path}/{node.name}"
        depth_shift = new_parent.depth + 1 - node.depth
        self.conn.execute("UPDATE regions SET parent_id = ? WHERE id = ?", (new_parent.id, node.id))
        self.conn.execute(
            "UPDATE regions SET path = ? || substr(path, ?), depth = depth + ? WHERE path = ? OR path LIKE ?",
            (new_path, len(old_prefix) + 1, depth_shift, old_prefix, old_prefix + "/%"))
        self.refresh()

    # ---- source rows ---------------------------------------------------------------------
    _ROW_SQL = """
        SELECT s.id, s.batch_id, b.file_name, s.sheet, s.row_number, s.raw, s.name, s.id_raw, s.id_number,
               s.status, s.reason, s.level, s.education, COALESCE(s.major, ''), s.hours, s.region_id,
               s.notes, b.mapping
        FROM source_rows s JOIN batches b ON b.id = s.batch_id
    """

    def _source_row(self, r: tuple) -> SourceRow:
        region = self.tree().by_id.get(r[15]) if r[15] is not None else None
        mapping = json.loads(r[17] or "{}")
        return SourceRow(
            id=r[0], batch_id=r[1], file_name=r[2], sheet=r[3] or "", row_number=r[4],
            raw=tuple(json.loads(r[5])), name=r[6], id_raw=r[7], id_number=r[8], status=r[9], reason=r[10],
            level=r[11], education=r[12], major=r[13], hours=r[14], region_id=r[15],
            region_path=region.path if region else "", notes=tuple(json.loads(r[16] or "[]")),
            header=tuple(mapping.get("labels", [])),
        )

    def person_rows(self, id_number: str) -> list[SourceRow]:
        """Every source row that contributed to a person (pending rows since corrected included)."""
        rows = self.conn.execute(self._ROW_SQL + " WHERE s.id_number = ? ORDER BY s.batch_id, s.row_number",
                                 (id_number,)).fetchall()
        return [self._source_row(r) for r in rows]

    def source_row(self, row_id: int) -> SourceRow:
        row = self.conn.execute(self._ROW_SQL + " WHERE s.id = ?", (row_id,)).fetchone()
        if row is None:
            raise NotFound(f"源数据行 {row_id} 不存在")
        return self._source_row(row)

    def batch_rows(self, batch_id: int) -> list[SourceRow]:
        rows = self.conn.execute(self._ROW_SQL + " WHERE s.batch_id = ? ORDER BY s.row_number", (batch_id,))
        return [self._source_row(r) for r in rows]

    def suggest_ids(self, row_id: int) -> list[str]:
        """Known IDs a pending row most likely means: same name, and an ID that matches what is
        left of the typed one (the first 15 digits of a number that lost its tail, one digit
        missing, a wrong check digit, one or two digits mistyped). Never applied by itself."""
        row = self.conn.execute("SELECT name, id_raw, status FROM source_rows WHERE id = ?", (row_id,)).fetchone()
        if row is None or row[2] != "pending" or not row[0]:
            return []
        typed = clean_text(row[1] or "")
        if not typed:
            return []
        # Same-named persons through the name index (and the few with several names): a lookup,
        # not a scan, since the problem list asks this for every pending row.
        candidates = [r[0] for r in self.conn.execute(
            "SELECT id_number FROM persons WHERE name = :name UNION SELECT id_number FROM persons"
            " WHERE name_conflict = 1 AND instr('、' || names || '、', '、' || :name || '、') > 0", {"name": row[0]})]
        # A number Excel kept: compare with what Excel would keep of each candidate (rounded to 15
        # significant digits); _id_close still catches the truncated form and the typos.
        digits = number_digits(typed)
        stored = len(digits) == 18 and digits.isascii() and digits.isdigit()
        return [c for c in candidates if _id_close(typed, c) or (stored and excel_rounded(c) == digits)]

    def correct_id(self, row_id: int, new_id: str) -> str:
        """Fix a row's ID by hand: the row stops being pending and its person is recounted now.

        Returns the normalised ID. The old value stays in `corrections`, so the fix is traceable.
        """
        check = check_id(new_id)
        if not check.valid:
            raise CensusError(f"新的身份证号无效：{check.reason}")
        row = self.conn.execute("SELECT id_raw, id_number, status, reason FROM source_rows WHERE id = ?",
                                (row_id,)).fetchone()
        if row is None:
            raise NotFound(f"源数据行 {row_id} 不存在")
        with self.transaction():
            self.conn.execute(
                "INSERT INTO corrections (row_id, old_id_raw, old_status, old_reason, new_id_number, at)"
                " VALUES (?, ?, ?, ?, ?, ?)", (row_id, row[0], row[2], row[3], check.number, now()))
            self.conn.execute("UPDATE source_rows SET id_number = ?, status = 'ok', reason = NULL WHERE id = ?",
                              (check.number, row_id))
            self.recompute([i for i in (row[1], check.number) if i])
        return check.number  # type: ignore[return-value]

    def corrections(self) -> list[dict]:
        cur = self.conn.execute(
            "SELECT c.id, c.row_id, b.file_name, s.sheet, s.row_number, c.old_id_raw, c.new_id_number, c.at"
            " FROM corrections c JOIN source_rows s ON s.id = c.row_id JOIN batches b ON b.id = s.batch_id"
            " ORDER BY c.id")
        keys = ("id", "row_id", "file_name", "sheet", "row_number", "old_id_raw", "new_id_number", "at")
        return [dict(zip(keys, r, strict=True)) for r in cur]

    # ---- problems ------------------------------------------------------------------------
    def problems(self, region_id: int | None = None) -> list[Problem]:
        """Pending rows, name conflicts, values we could not read, regions created from returns."""
        tree = self.tree()
        region_filter = ""
        params: list = []
        if region_id is not None:
            region = self.region(region_id)
            region_filter = " AND s.region_id IN (SELECT id FROM regions WHERE path = ? OR path LIKE ?)"
            params = [region.path, region.path + "/%"]
        out: list[Problem] = []
        for r in self.conn.execute(
            "SELECT s.id, s.batch_id, b.file_name, s.sheet, s.row_number, s.name, s.id_raw, s.reason, s.region_id"
            " FROM source_rows s JOIN batches b ON b.id = s.batch_id WHERE s.status = 'pending'" + region_filter +
            " ORDER BY s.batch_id, s.row_number", params):
            out.append(Problem("pending", r[7] or "", r[2], r[3] or "", r[4], r[0], r[1], r[5], r[6], None,
                               _path(tree, r[8])))
        out += self._conflicts(region_filter, params)
        for r in self.conn.execute(
            "SELECT s.id, s.batch_id, b.file_name, s.sheet, s.row_number, s.name, s.id_raw, s.notes, s.region_id,"
            " s.id_number FROM source_rows s JOIN batches b ON b.id = s.batch_id"
            " WHERE s.notes IS NOT NULL" + region_filter + " ORDER BY s.batch_id, s.row_number",
                params):
            for note in json.loads(r[7]):
                out.append(Problem("review", note, r[2], r[3] or "", r[4], r[0], r[1], r[5], r[6], r[9],
                                   _path(tree, r[8])))
        for node in tree.tree_order():
            if node.flagged and (region_id is None or tree.is_within(node, self.region(region_id))):
                out.append(Problem("new_region", node.note or f"“{node.name}”不在户籍人口表中，已新建，请核实",
                                   region_path=node.path))
        return out

    def _conflicts(self, region_filter: str, params: list) -> list[Problem]:
        tree = self.tree()
        out = []
        sql = (
            "SELECT s.id, s.batch_id, b.file_name, s.sheet, s.row_number, s.name, s.id_raw, s.id_number, p.name,"
            " p.names, s.region_id FROM persons p CROSS JOIN source_rows s ON s.id_number = p.id_number AND s.status = 'ok'"
            " JOIN batches b ON b.id = s.batch_id WHERE p.name_conflict = 1 AND s.name != p.name" + region_filter +
            " ORDER BY s.batch_id, s.row_number")
        for r in self.conn.execute(sql, params):
            reason = f"同一身份证号姓名不一致：本行为“{r[5]}”，其他表中为“{r[8]}”（已按同一人合并，请核实）"
            out.append(Problem("name_conflict", reason, r[2], r[3] or "", r[4], r[0], r[1], r[5], r[6], r[7],
                               _path(tree, r[10])))
        return out

    # ---- batches -------------------------------------------------------------------------
    _BATCH_SQL = ("SELECT id, file_name, file_path, sha256, format, sheet, region_id, region_source, imported_at,"
                  " rows_total, rows_ok, rows_pending, mapping FROM batches")

    def batches(self) -> list[Batch]:
        tree = self.tree()
        return [_batch(tree, r) for r in self.conn.execute(self._BATCH_SQL + " ORDER BY id")]

    def batch_by_sha(self, sha256: str) -> Batch | None:
        # One indexed lookup (batches_sha is unique): reading every batch here made importing
        # the 500th file of a folder 500 times slower than the first.
        row = self.conn.execute(self._BATCH_SQL + " WHERE sha256 = ?", (sha256,)).fetchone()
        return _batch(self.tree(), row) if row else None

    def undo_batch(self, batch_id: int) -> None:
        """Remove an import and everything derived from it; the census is as if it never came."""
        if not self.conn.execute("SELECT 1 FROM batches WHERE id = ?", (batch_id,)).fetchone():
            raise NotFound(f"导入批次 {batch_id} 不存在")
        with self.transaction():
            ids = [r[0] for r in self.conn.execute(
                "SELECT DISTINCT id_number FROM source_rows WHERE batch_id = ? AND id_number IS NOT NULL", (batch_id,))]
            self.conn.execute("DELETE FROM corrections WHERE row_id IN (SELECT id FROM source_rows WHERE batch_id = ?)",
                              (batch_id,))
            self.conn.execute("DELETE FROM source_rows WHERE batch_id = ?", (batch_id,))
            self.conn.execute("DELETE FROM batches WHERE id = ?", (batch_id,))
            self.recompute(ids)
            self._drop_unused_regions(batch_id)

    def _drop_unused_regions(self, batch_id: int) -> None:
        """Regions this batch created, deepest first, unless something else now uses them."""
        created = self.conn.execute(
            "SELECT id FROM regions WHERE created_batch = ? ORDER BY depth DESC", (batch_id,)).fetchall()
        for (region_id,) in created:
            used = self.conn.execute(
                "SELECT 1 WHERE EXISTS (SELECT 1 FROM source_rows WHERE region_id = :r)"
                " OR EXISTS (SELECT 1 FROM batches WHERE region_id = :r)"
                " OR EXISTS (SELECT 1 FROM regions WHERE parent_id = :r)"
                " OR EXISTS (SELECT 1 FROM person_regions WHERE region_id = :r)"
                " OR EXISTS (SELECT 1 FROM region_goals WHERE region_id = :r)", {"r": region_id}).fetchone()
            if not used:
                self.conn.execute("DELETE FROM regions WHERE id = ?", (region_id,))
        self._tree = None

    # ---- merging -------------------------------------------------------------------------
    def recompute(self, ids: Iterable[str] | None = None) -> None:
        """Rebuild the persons of the given IDs (all when None) from their source rows."""
        rules = self.rules
        depth_of = {r.id: r.depth for r in self.tree().regions}
        overrides = dict(self.conn.execute("SELECT id_number, region_id FROM person_regions"))
        with self.transaction():
            if ids is None:
                self.conn.execute("DELETE FROM persons")
                cursor = self.conn.execute(_ALL_ROW_FACTS_SQL)
                self._write_persons(_grouped(cursor), rules, depth_of, overrides)
                return
            id_list = sorted(set(ids))
            for start in range(0, len(id_list), 900):
                chunk = id_list[start:start + 900]
                marks = ",".join("?" * len(chunk))
                self.conn.execute(f"DELETE FROM persons WHERE id_number IN ({marks})", chunk)
                cursor = self.conn.execute(_ROW_FACTS_SQL.format(marks=marks), chunk)
                self._write_persons(_grouped(cursor), rules, depth_of, overrides)

    def recompute_batch(self, batch_id: int, rows_of: dict[str, list[RowFacts]]) -> None:
        """recompute(rows_of) after importing batch `batch_id`, given that batch's own ok rows per ID
        (import order; row_id need only keep that order). An ID without a person yet has no ok row
        in any other batch (persons is derived from those rows), so it is merged from the rows
        given; the others are read back from source_rows as recompute() reads them. The same
        persons in the same order as recompute(rows_of), without reading 100k new rows back."""
        rules = self.rules
        depth_of = {r.id: r.depth for r in self.tree().regions}
        overrides = dict(self.conn.execute("SELECT id_number, region_id FROM person_regions"))
        sql = f"INSERT INTO persons ({', '.join(PERSON_COLUMNS)}) VALUES ({', '.join('?' * len(PERSON_COLUMNS))})"
        with self.transaction():
            id_list = sorted(rows_of)
            for start in range(0, len(id_list), 900):
                chunk = id_list[start:start + 900]
                marks = ",".join("?" * len(chunk))
                elsewhere = [r[0] for r in self.conn.execute(
                    f"SELECT id_number FROM persons WHERE id_number IN ({marks})", chunk)]
                self.conn.execute(f"DELETE FROM persons WHERE id_number IN ({marks})", chunk)
                stored: dict[str, list[RowFacts]] = {}
                if elsewhere:
                    cursor = self.conn.execute(_ROW_FACTS_SQL.format(marks=",".join("?" * len(elsewhere))), elsewhere)
                    stored = {rows[0].id_number: rows for rows in _grouped(cursor)}
                self.conn.executemany(sql, [
                    merge_person(stored.get(id_number) or rows_of[id_number], rules, depth_of, overrides.get(id_number))
                    for id_number in chunk])

    def _write_persons(self, groups: Iterator[list[RowFacts]], rules: Rules, depth_of: dict[int, int],
                       overrides: dict[str, int]) -> None:
        sql = f"INSERT INTO persons ({', '.join(PERSON_COLUMNS)}) VALUES ({', '.join('?' * len(PERSON_COLUMNS))})"
        batch: list[tuple] = []
        for rows in groups:
            batch.append(merge_person(rows, rules, depth_of, overrides.get(rows[0].id_number)))
            if len(batch) >= 5000:
                self.conn.executemany(sql, batch)
                batch.clear()
        if batch:
            self.conn.executemany(sql, batch)


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


def _batch(tree: RegionTree, r: tuple) -> Batch:
    return Batch(r[0], r[1], r[2] or "", r[3], r[4] or "", r[5] or "", _path(tree, r[6]), r[7] or "", r[8],
                 r[9], r[10], r[11], json.loads(r[12] or "{}"))


def _seek_after(order: str, p: Person) -> tuple[str, list]:
    """The WHERE clause for "after this person" in one of PERSON_ORDERS (NULL hours sort last)."""
    tail = "(name, id_number) > (?, ?)"
    if order == "id":
        return "id_number > ?", [p.id_number]
    if order == "name":
        return tail, [p.name, p.id_number]
    if order == "region":
        return "(region_id, name, id_number) > (?, ?, ?)", [p.region_id, p.name, p.id_number]
    if order == "level":
        return f"level < ? OR (level = ? AND {tail})", [p.level, p.level, p.name, p.id_number]
    if p.hours is None:  # "hours": NULLs come last in descending order
        return f"hours IS NULL AND {tail}", [p.name, p.id_number]
    return f"hours < ? OR hours IS NULL OR (hours = ? AND {tail})", [p.hours, p.hours, p.name, p.id_number]


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


def _path(tree: RegionTree, region_id: int | None) -> str:
    node = tree.by_id.get(region_id) if region_id is not None else None
    return node.path if node else ""


_SQLITE_HEADER = b"SQLite format 3\x00"
_NOT_CENSUS = "这不是普查文件（.census），无法打开"


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
        raise CensusError(f"无法读取普查文件：{err.strerror or err}", file=name) from None
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
        raise CensusError(f"普查文件已损坏，无法打开：{err}", file=name) from err


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
