"""Merging another census file into this one (a district bringing its streets' files together).

Everything the source knows comes across: its region tree (joined by path; a node the target
lacks is created with its kind and flag, and the source's population fills a node that has none
here), its batches with every source row exactly as imported (file name, sheet, row number, raw
cells, the file's kept bytes), its ID corrections, the remarks communities wrote on their rows, its clerks' region
reassignments, goals (dated and growth goals included) and units' types and staff (joined by path;
this file's own goal, population or unit setting for a node wins). Persons are never copied: the
IDs the merge touched are recomputed from all their rows, so a person who is in both files is
counted once with the qualifications of both. The latest 统计截止日期 of the two is taken, and the
source's title when this file has none.

A copied return that is another version of one already here (same file name, same region, other
content) is a resend: the later import replaces the earlier, as importing it would (the earlier is
withdrawn, and undoing the later batch here brings it back).

Deliberately not copied, being one file's own history: the undo steps, the correction lists that
came back (and their undo records), the withdrawn earlier versions and the census's identity
(correction lists written from the source are recognised by the source only).

A batch whose file content (sha256) is already in the target is skipped, as importing the same
file again would be; merging the same census twice therefore changes nothing. What the source did
to such a return's rows still comes: its ID corrections and 备注 are made on the target's same rows
(matched by the file's sha256, sheet and row number, as a returned list names a line, with the name
and ID as typed), as a fix by hand here would make them, where the target's row has no different
one of its own (that one is kept, and counted as a conflict). The whole merge is one transaction:
a failure leaves the target exactly as it was.

The source is read through a second connection that cannot write (query_only, or opened
read-only on read-only media); it is never changed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from models import kept_files
from models.bulk_gc import fewer_collections
from models.census import Census, connect_read_only, is_sqlite_file, same_file, sqlite_uri
from models.errors import NEWER_CENSUS, CensusError
from models.goals import GOAL_COLUMNS
from models.records import GOAL_LABELS
from models.return_versions import LineFix, carry_fixes, listed_people
from models.rules import Rules
from models.schema import BATCH_COLUMNS, LATEST_VERSION, SOURCE_ROW_COLUMNS

_REQUIRED_TABLES = frozenset({
    "migrations", "regions", "batches", "source_rows", "persons", "person_regions", "corrections", "settings",
})
_NOT_CENSUS = "不是普查文件（.census），无法合并"

_ROW_CHUNK = 5000


@dataclass
class MergeResult:
    """What one merged census file brought, for the CLI and the window."""

    file_name: str
    batches_copied: int = 0
    batches_skipped: int = 0
    skipped_files: list[str] = field(default_factory=list)
    rows_copied: int = 0
    rows_pending: int = 0
    regions_created: int = 0
    populations_taken: int = 0
    corrections_copied: int = 0
    remarks_copied: int = 0
    # fixes the source made on returns both files hold (skipped batches), made here too
    fixes_carried: int = 0
    fix_corrections: int = 0  # of them, ID corrections (the rest are 备注)
    fixes_made_valid: int = 0  # pending rows here those corrections made valid
    fix_conflicts: int = 0  # rows here with a different fix of their own, kept
    versions_replaced: int = 0  # a copied return and one already here that are versions of each other
    older_versions: int = 0  # the source's earlier versions of returns this file holds a newer version of
    overrides_copied: int = 0
    goals_copied: int = 0
    goals_not_taken: list[str] = field(default_factory=list)  # the source's goals that differ from this file's
    units_copied: int = 0
    units_refused: list[str] = field(default_factory=list)  # typed units that are regions here
    title_taken: str | None = None
    persons_touched: int = 0  # distinct valid IDs in the copied rows (and copied reassignments)
    persons_before: int = 0
    persons_after: int = 0
    rules_differ: bool = False
    source_as_of: str | None = None  # the source's 统计截止日期
    as_of_taken: str | None = None  # set when the source's was later than this file's and became this file's

    @property
    def persons_added(self) -> int:
        return self.persons_after - self.persons_before

    def describe(self) -> str:
        """One paragraph in Chinese."""
        if not self.batches_copied and not self.regions_created and not self.populations_taken \
                and not self.overrides_copied and not self.goals_copied and not self.units_copied \
                and not self.fixes_carried:
            older = f"，{self.older_versions} 个是本文件已有其较新版本的旧版本" if self.older_versions else ""
            head = (f"{self.file_name}：没有新内容（{self.batches_skipped} 个导入批次已在本普查文件中{older}），"
                    "没有人被重复计数")
            # what was not taken is still said: a clerk must know which of the two figures stands
            lines = [head, *self._fix_lines(), *self._goal_lines()]
            return "\n".join(lines + [self._as_of_line()] if self.source_as_of else lines)
        lines = [
            f"{self.file_name}：合并导入批次 {self.batches_copied} 个，源数据行 {self.rows_copied} 行"
            f"（待核实 {self.rows_pending} 行）；涉及人员 {self.persons_touched} 人，"
            + (f"其中新增 {self.persons_added} 人，其余与本文件已有人员按身份证号合并" if not self.versions_replaced
               else "与本文件已有人员按身份证号合并"),
        ]
        if self.batches_skipped:
            shown = "、".join(self.skipped_files[:5]) + ("等" if len(self.skipped_files) > 5 else "")
            lines.append(f"  跳过 {self.batches_skipped} 个已导入过的批次（{shown}），没有人被重复计数")
        if self.regions_created:
            lines.append(f"  新建区划 {self.regions_created} 个")
        if self.populations_taken:
            lines.append(f"  采用来源文件的户籍人口 {self.populations_taken} 个（本文件原来没有）")
        if self.corrections_copied:
            lines.append(f"  带入身份证号更正记录 {self.corrections_copied} 条")
        lines += self._fix_lines()
        if self.remarks_copied:
            lines.append(f"  带入社区填写的备注 {self.remarks_copied} 条")
        if self.versions_replaced:
            lines.append(f"  {self.versions_replaced} 个同名同区划的摸排表按导入时间以较新的版本为准（旧版本已撤下；"
                         f"本文件人员由 {self.persons_before} 人变为 {self.persons_after} 人）")
        if self.older_versions:
            lines.append(f"  {self.older_versions} 个摸排表是本文件已有其较新版本的旧版本，未并入，没有人被重复计数")
        if self.overrides_copied:
            lines.append(f"  带入人员所属区划的手工调整 {self.overrides_copied} 条")
        if self.goals_copied:
            lines.append(f"  带入目标 {self.goals_copied} 个（本文件已有的目标不变）")
        lines += self._goal_lines()
        if self.units_copied:
            lines.append(f"  带入单位类型和在岗职工数 {self.units_copied} 个（本文件已设定的不变）")
        if self.units_refused:
            lines.append(f"  未带入 {len(self.units_refused)} 个单位设定：在本文件中是辖有下级的区划"
                         f"（{'、'.join(self.units_refused[:3])}{'等' if len(self.units_refused) > 3 else ''}）")
        if self.title_taken:
            lines.append(f"  本文件未设定标题，采用来源文件的标题“{self.title_taken}”")
        if self.rules_differ:
            lines.append("  注意：来源文件的统计口径与本文件不同，合并后按本文件的口径计算")
        lines.append(self._as_of_line())
        return "\n".join(lines)

    def _fix_lines(self) -> list[str]:
        """The source's fixes on returns both files hold: how many came, how many met one of this
        file's own (kept)."""
        conflicts = (f"{self.fix_conflicts} 处与本文件的更正不同，保留本文件的" if self.fix_conflicts else "")
        if not self.fixes_carried:
            return [f"  来源文件对已有报表的更正中，{conflicts}"] if conflicts else []
        remarks = self.fixes_carried - self.fix_corrections
        kinds = "、".join(part for part in (
            f"身份证号 {self.fix_corrections} 处" if self.fix_corrections else "",
            f"备注 {remarks} 处" if remarks else "") if part)
        valid = f"，原待核实的 {self.fixes_made_valid} 行因此已改正" if self.fixes_made_valid else ""
        line = f"  带入对已有报表的更正 {self.fixes_carried} 处（{kinds}{valid}）"
        return [line + (f"；{conflicts}" if conflicts else "")]

    def _goal_lines(self) -> list[str]:
        """The source's goals this file already had another goal for (its own, or an earlier
        source's in the same merge), named: the clerk decides which figure is right."""
        if not self.goals_not_taken:
            return []
        shown = "；".join(self.goals_not_taken[:5]) + ("等" if len(self.goals_not_taken) > 5 else "")
        return [f"  未带入来源文件的目标 {len(self.goals_not_taken)} 个：本文件对同一区划、同一类别已有不同的目标，"
                f"保留本文件的（{shown}）"]

    def _as_of_line(self) -> str:
        if self.as_of_taken:
            return f"  统计截止日期改为 {self.as_of_taken}（合并后的普查文件取各来源中最晚的截止日期）"
        if self.source_as_of:
            return f"  来源文件统计截止日期 {self.source_as_of}，不晚于本文件的，本文件的截止日期不变"
        return "  来源文件未设定统计截止日期，本文件的截止日期不变"


def _open_source(source: Path, target: Census) -> sqlite3.Connection:
    """A read-only connection to a file that really is a census; CensusError otherwise."""
    name = source.name
    if not source.exists():
        raise CensusError("文件不存在，无法合并", file=name)
    if source.is_dir():
        raise CensusError("这是一个文件夹，请选择普查文件（.census）", file=name)
    if same_file(source, target.path):
        raise CensusError("不能把普查文件合并到它自己", file=name)
    if not is_sqlite_file(source):
        raise CensusError(_NOT_CENSUS, file=name)
    conn = _connect_read_only(source)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not _REQUIRED_TABLES <= tables:
            raise CensusError(_NOT_CENSUS, file=name)
        version = conn.execute("SELECT MAX(version) FROM migrations").fetchone()[0] or 0
        if version > LATEST_VERSION:
            raise CensusError(NEWER_CENSUS, file=name)
    except sqlite3.DatabaseError as err:
        conn.close()
        raise CensusError(f"{_NOT_CENSUS}（{err}）", file=name) from err
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_read_only(source: Path) -> sqlite3.Connection:
    """A connection that cannot write to the source.

    Preferably a normal connection switched to query_only, so that closing it tidies the source's
    -wal/-shm files away as usual; in a read-only file or folder, one that cannot write at all.
    """
    uri = sqlite_uri(source)
    try:
        conn = sqlite3.connect(uri + "?mode=rw", uri=True)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.Error:
        pass
    try:
        return connect_read_only(source)
    except sqlite3.Error as err:
        raise CensusError(f"无法打开：{err}", file=source.name) from err


def merge_census_files(census: Census, source: Path) -> MergeResult:
    """Bring another census file into `census` (see the module docstring); one transaction."""
    source = Path(source)
    src = _open_source(source, census)
    result = MergeResult(source.name)
    try:
        with census.transaction(), fewer_collections():  # a row map of every source row
            _merge(census, src, result)
    except sqlite3.DatabaseError as err:
        raise CensusError(f"合并失败，本普查文件未作任何改动：{err}", file=source.name) from err
    finally:
        src.close()
    return result


def _merge(census: Census, src: sqlite3.Connection, result: MergeResult) -> None:
    conn = census.conn
    result.persons_before = census.people.total()
    src_rules = src.execute("SELECT value FROM settings WHERE key = 'rules'").fetchone()
    try:
        result.rules_differ = Rules.from_json(src_rules[0] if src_rules else None) != census.settings.rules
    except (ValueError, TypeError):
        result.rules_differ = True

    region_map, created = _merge_regions(census, src, result)
    shared: dict[int, int] = {}  # source batch id -> this file's batch of the same content
    batch_map = _merge_batches(census, src, region_map, shared, result)
    # the bytes of the copied batches' files, which their rows' cells are read from (models.kept_files)
    kept_files.copy_from(src, conn, [sha for batch_id, sha in src.execute("SELECT id, sha256 FROM batches")
                                     if batch_id in batch_map])

    # Regions the source created from one of its returns belong to that batch here too, so
    # undoing the batch removes them again; regions of skipped batches belong to no batch.
    for src_region_id, src_batch in src.execute("SELECT id, created_batch FROM regions"
                                                 " WHERE created_batch IS NOT NULL"):
        if src_region_id in created and src_batch in batch_map:
            conn.execute("UPDATE regions SET created_batch = ? WHERE id = ?",
                         (batch_map[src_batch], region_map[src_region_id]))

    ids: set[str] = set()
    row_map = _copy_rows(census, src, batch_map, region_map, ids, result)
    _copy_corrections(census, src, row_map, result)
    _copy_remarks(census, src, row_map, result)
    _carry_fixes_to_shared(census, src, shared, ids, result)
    _copy_overrides(census, src, region_map, ids, result)
    _copy_goals(census, src, region_map, result)
    _copy_units(census, src, region_map, result)
    _take_latest_as_of(census, src, result)
    _take_title(census, src, result)

    # The region tree is rebuilt only when regions changed: merging 90 county files into a
    # province of 20,000 nodes rebuilt it 90 times (0.3 s each, most of a small county's merge).
    census.settings.forget()
    if result.regions_created or result.populations_taken:
        census.regions.forget()
    result.persons_touched = len(ids)
    census.people.recompute(ids)
    _settle_versions(census, batch_map, result)
    result.persons_after = census.people.total()


def _merge_regions(census: Census, src: sqlite3.Connection,
                   result: MergeResult) -> tuple[dict[int, int], set[int]]:
    """Source region id → target region id, creating missing nodes (parents first)."""
    conn = census.conn
    existing = {path: (rid, pop) for rid, path, pop in conn.execute("SELECT id, path, population FROM regions")}
    region_map: dict[int, int] = {}
    created: set[int] = set()
    rows = src.execute("SELECT id, parent_id, name, path, kind, depth, population, flagged, note FROM regions"
                       " ORDER BY depth, id").fetchall()
    for rid, parent_id, name, path, kind, depth, population, flagged, note in rows:
        if path in existing:
            target_id, target_pop = existing[path]
            if target_pop is None and population is not None:
                conn.execute("UPDATE regions SET population = ? WHERE id = ?", (population, target_id))
                result.populations_taken += 1
            region_map[rid] = target_id
            continue
        parent = region_map.get(parent_id) if parent_id is not None else None
        if parent_id is not None and parent is None:
            raise CensusError(f"区划“{path}”的上级区划缺失，文件可能已损坏")
        cur = conn.execute(
            "INSERT INTO regions (parent_id, name, path, kind, depth, population, flagged, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (parent, name, path, kind, depth, population, flagged, note or ""))
        new_id = cur.lastrowid
        assert new_id is not None
        region_map[rid] = new_id
        existing[path] = (new_id, population)
        created.add(rid)
        result.regions_created += 1
    if result.regions_created or result.populations_taken:
        census.regions.forget()
    return region_map, created


def _merge_batches(census: Census, src: sqlite3.Connection, region_map: dict[int, int], shared: dict[int, int],
                   result: MergeResult) -> dict[int, int]:
    """Source batch id → new target batch id, for the batches whose content is new here; those
    whose content is here already go into `shared` (source batch id → the batch here)."""
    conn = census.conn
    known = {sha: batch_id for batch_id, sha in conn.execute("SELECT id, sha256 FROM batches")}
    replaced_here = census.versions.withdrawn_shas()
    batch_map: dict[int, int] = {}
    insert = (f"INSERT INTO batches ({', '.join(BATCH_COLUMNS)}, origin)"
              f" VALUES ({', '.join('?' * (len(BATCH_COLUMNS) + 1))})")
    for row in src.execute(f"SELECT {', '.join(BATCH_COLUMNS)} FROM batches ORDER BY id").fetchall():
        values = dict(zip(BATCH_COLUMNS, row, strict=True))
        if values["sha256"] in known:
            shared[values["id"]] = known[values["sha256"]]
            result.batches_skipped += 1
            result.skipped_files.append(values["file_name"])
            continue
        if values["region_id"] is not None:
            values["region_id"] = region_map[values["region_id"]]
        if values["sha256"] in replaced_here or _older_version(census, src, values):
            # an earlier version of a return this file holds a newer version of: it would only be
            # withdrawn again (and a version cannot replace two)
            result.older_versions += 1
            continue
        new_id = census.batches.next_id()
        conn.execute(insert, [new_id] + [values[c] for c in BATCH_COLUMNS[1:]] + [result.file_name])
        batch_map[values["id"]] = new_id
        known[values["sha256"]] = new_id
        result.batches_copied += 1
    return batch_map


def _older_version(census: Census, src: sqlite3.Connection, batch: dict) -> bool:
    """Whether this file holds a later import of the same return as the source's `batch` (same
    name and region, and somebody in common: else they are two returns under one name)."""
    newer = census.versions.newer_here(batch["file_name"], batch["region_id"], batch["imported_at"])
    if not newer:
        return False
    ids, names = listed_people(src, batch["id"])
    return any(census.versions.shares_people(other, ids, names) for other in newer)


def _copy_rows(census: Census, src: sqlite3.Connection, batch_map: dict[int, int], region_map: dict[int, int],
               ids: set[str], result: MergeResult) -> dict[int, int]:
    """Copy the source rows of the copied batches; source row id → target row id."""
    conn = census.conn
    row_map: dict[int, int] = {}
    insert = (f"INSERT INTO source_rows ({', '.join(SOURCE_ROW_COLUMNS)})"
              f" VALUES ({', '.join('?' * len(SOURCE_ROW_COLUMNS))})")
    next_id = (conn.execute("SELECT MAX(id) FROM source_rows").fetchone()[0] or 0) + 1
    i_batch, i_id_number = SOURCE_ROW_COLUMNS.index("batch_id"), SOURCE_ROW_COLUMNS.index("id_number")
    i_status, i_region = SOURCE_ROW_COLUMNS.index("status"), SOURCE_ROW_COLUMNS.index("region_id")
    for src_batch, new_batch in batch_map.items():
        cursor = src.execute(f"SELECT {', '.join(SOURCE_ROW_COLUMNS)} FROM source_rows WHERE batch_id = ? ORDER BY id",
                             (src_batch,))
        while chunk := cursor.fetchmany(_ROW_CHUNK):
            out = []
            for row in chunk:
                values = list(row)
                row_map[values[0]] = next_id
                values[0] = next_id
                next_id += 1
                values[i_batch] = new_batch
                if values[i_region] is not None:
                    values[i_region] = region_map[values[i_region]]
                if values[i_status] == "ok" and values[i_id_number]:
                    ids.add(values[i_id_number])
                else:
                    result.rows_pending += 1
                out.append(values)
            conn.executemany(insert, out)
            result.rows_copied += len(out)
    return row_map


def _copy_corrections(census: Census, src: sqlite3.Connection, row_map: dict[int, int],
                      result: MergeResult) -> None:
    for _id, row_id, old_raw, old_status, old_reason, new_id, at in src.execute(
            "SELECT id, row_id, old_id_raw, old_status, old_reason, new_id_number, at FROM corrections ORDER BY id"):
        if row_id not in row_map:
            continue  # the row came with a skipped batch: the target has its own history of it
        census.conn.execute(
            "INSERT INTO corrections (row_id, old_id_raw, old_status, old_reason, new_id_number, at)"
            " VALUES (?, ?, ?, ?, ?, ?)", (row_map[row_id], old_raw, old_status, old_reason, new_id, at))
        result.corrections_copied += 1


def _carry_fixes_to_shared(census: Census, src: sqlite3.Connection, shared: dict[int, int], ids: set[str],
                           result: MergeResult) -> None:
    """A return both files imported is skipped, but what the source's clerks did to its rows is
    not in it: the ID corrections and 备注 (by a returned list or by hand) are made on this file's
    same rows — the line a list names, by the file's content, sheet and row number — unless a row
    has a different fix of its own (kept, counted). The undo history is cleared when an ID
    changed: a step undone or redone after it would put the row back over the carried fix."""
    fixes: list[LineFix] = []
    for batch, lines in _source_fixes(src, shared).items():
        rows = _rows_by_line(census, shared[batch])
        fixes += [LineFix(rows[line], number=fix.number, remark=fix.remark, remark_at=fix.remark_at)
                  for line, fix in lines.items() if line in rows]
    if not fixes:
        return
    done = carry_fixes(census, fixes)
    if done.corrections:
        census.undo.clear()
    ids |= done.touched
    result.fixes_carried += done.carried
    result.fix_corrections += done.corrections
    result.fixes_made_valid += len(done.fixed)
    result.fix_conflicts += done.conflicts


# A line of a return, whatever row id each file gave it: (sheet, row number) as a returned list names
# it, with the name and the ID as typed, so that a file imported under another column mapping
# (another person read from the same line) is never corrected by the other's fix.
_Line = tuple[str, int, str, str]


def _line(sheet: str | None, row_number: int, name: str | None, id_raw: str | None) -> _Line:
    return sheet or "", row_number, name or "", id_raw or ""


@dataclass
class _SourceFix:
    """What the source did to one line of a shared return."""

    number: str | None = None  # its latest corrected ID
    remark: str | None = None
    remark_at: str = ""


def _source_fixes(src: sqlite3.Connection, shared: dict[int, int]) -> dict[int, dict[_Line, _SourceFix]]:
    """Source batch id → line → what the source did to it, for the lines of the shared batches
    that were fixed there. One pass over each table, not a look-up per row (corrections has no
    index by row)."""
    out: dict[int, dict[_Line, _SourceFix]] = {}
    if not shared:
        return out
    line_of = "s.batch_id, s.sheet, s.row_number, s.name, s.id_raw"
    for batch, sheet, row_number, name, id_raw, number in src.execute(
            f"SELECT {line_of}, c.new_id_number FROM corrections c JOIN source_rows s ON s.id = c.row_id ORDER BY c.id"):
        if batch in shared:  # a row corrected twice: its latest correction stands
            out.setdefault(batch, {}).setdefault(_line(sheet, row_number, name, id_raw), _SourceFix()).number = number
    if not _has_table(src, "row_remarks"):
        return out
    for batch, sheet, row_number, name, id_raw, text, at in src.execute(
            f"SELECT {line_of}, m.text, m.at FROM row_remarks m JOIN source_rows s ON s.id = m.row_id"):
        if batch in shared:
            fix = out.setdefault(batch, {}).setdefault(_line(sheet, row_number, name, id_raw), _SourceFix())
            fix.remark, fix.remark_at = text, at or ""
    return out


def _rows_by_line(census: Census, batch_id: int) -> dict[_Line, int]:
    """Line → row id, for a batch of this file."""
    return {_line(sheet, row_number, name, id_raw): row_id for row_id, sheet, row_number, name, id_raw
            in census.conn.execute("SELECT id, sheet, row_number, name, id_raw FROM source_rows WHERE batch_id = ?",
                                   (batch_id,))}


def _has_table(src: sqlite3.Connection, name: str) -> bool:
    """Whether the source has a table (an older census lacks the later migrations' tables)."""
    return src.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _copy_remarks(census: Census, src: sqlite3.Connection, row_map: dict[int, int], result: MergeResult) -> None:
    """What a community wrote in 备注 on a copied row stays with it; the correction list that
    brought it is the source's history, not this file's (returned_id is left empty)."""
    if not _has_table(src, "row_remarks"):
        return
    for row_id, text, at in src.execute("SELECT row_id, text, at FROM row_remarks ORDER BY row_id"):
        if row_id in row_map:
            census.conn.execute("INSERT INTO row_remarks (row_id, text, at) VALUES (?, ?, ?)",
                                (row_map[row_id], text, at))
            result.remarks_copied += 1


def _copy_units(census: Census, src: sqlite3.Connection, region_map: dict[int, int], result: MergeResult) -> None:
    """A unit's type and staff set in the source apply here unless this file has its own for it;
    a node that is a region with nodes below it here cannot be a unit and is named instead."""
    if not _has_table(src, "region_units"):
        return
    have = {profile.region_id for profile in census.units.all()}
    for region_id, unit_type, staff in src.execute("SELECT region_id, unit_type, staff FROM region_units"):
        target = region_map.get(region_id)
        if target is None or target in have:
            continue
        try:
            census.units.record(target, unit_type, staff)
        except CensusError:
            result.units_refused.append(census.regions.path_of(target))
            continue
        result.units_copied += 1


def _settle_versions(census: Census, batch_map: dict[int, int], result: MergeResult) -> None:
    """A copied return and one here with the same file name and region (or a name that differs only
    by a resend's marks, listing most of the earlier one's people) are versions of one return:
    the later import replaces the earlier (census.versions.replace, which recounts their persons
    and clears the undo history) — unless they list nobody in common, which makes them two returns
    under one name, kept both as an import keeps them. Two copied versions the source's clerk kept
    both of stay both."""
    copied = sorted(batch_map.values())
    for new in copied:
        file_name, region_id, at = census.conn.execute(
            "SELECT file_name, region_id, imported_at FROM batches WHERE id = ?", (new,)).fetchone()
        old = census.versions.earlier(file_name, region_id, exclude=new)
        renamed = old is None  # or the same return under another name (光明社区摸排表(1).xlsx), as an import finds it
        if renamed:
            old = census.versions.earlier_renamed(file_name, region_id, before=copied[0])
        if old is None or old >= copied[0]:
            continue
        old_at = census.conn.execute("SELECT imported_at FROM batches WHERE id = ?", (old,)).fetchone()[0]
        earlier, later = (old, new) if old_at <= at else (new, old)
        if not (census.versions.lists_most_of(earlier, *listed_people(census.conn, later)) if renamed
                else census.versions.batches_share_people(old, new)):
            continue
        census.versions.replace(earlier, later)
        result.versions_replaced += 1


def _copy_goals(census: Census, src: sqlite3.Connection, region_map: dict[int, int], result: MergeResult) -> None:
    """Goals set in the source for a node apply here unless this file has its own for that node
    and category (set here, or by a source merged before: of two districts' files, the first's
    stands); a different goal left out is named in the result, not dropped without a word."""
    if not _has_table(src, "region_goals"):
        return  # a source made before goals existed
    have = {row[1] for row in src.execute("PRAGMA table_info(region_goals)")}
    columns = [c if c in have else "NULL" for c in GOAL_COLUMNS.split(", ")]  # a source before dated goals
    columns[-1] = "COALESCE(base_source, '')" if "base_source" in have else "''"
    here = {(region_id, goal[0]): tuple(goal) for region_id, goals in census.regions.goals().items() for goal in goals}
    for region_id, *goal in src.execute(f"SELECT region_id, {', '.join(columns)} FROM region_goals"):
        if region_id not in region_map:
            continue
        ours = here.get((region_map[region_id], goal[0]))
        if ours is None:
            census.conn.execute(f"INSERT INTO region_goals (region_id, {GOAL_COLUMNS})"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (region_map[region_id], *goal))
            here[(region_map[region_id], goal[0])] = tuple(goal)
            result.goals_copied += 1
        elif ours != tuple(goal):
            result.goals_not_taken.append(_goal_not_taken(census.regions.path_of(region_map[region_id]), goal, ours))


def _goal_not_taken(path: str, theirs: list, ours: tuple) -> str:
    """'测试市/东区 持证社工（来源文件 8 人，本文件 5 人）': which goal, and the two figures."""
    label = GOAL_LABELS.get(theirs[0], theirs[0])
    mine, other = _goal_figure(ours), _goal_figure(theirs)
    if mine == other:
        return f"{path} {label}（均为 {mine}，说明或增长倍数、基数不同）"
    return f"{path} {label}（来源文件 {other}，本文件 {mine}）"


def _goal_figure(goal: list | tuple) -> str:
    """A goal's number and deadline as a clerk reads them."""
    _category, target, _note, deadline, *_growth = goal
    return f"{target} 人" + (f"，{deadline} 前" if deadline else "")


def _take_latest_as_of(census: Census, src: sqlite3.Connection, result: MergeResult) -> None:
    """A merged census counts up to the latest 统计截止日期 of the files in it (and says so)."""
    row = src.execute("SELECT value FROM settings WHERE key = 'as_of'").fetchone()
    theirs, ours = (row[0] if row else "") or "", census.as_of or ""
    result.source_as_of = theirs or None
    if theirs > ours:
        census.settings.set("as_of", theirs)
        result.as_of_taken = theirs


def _take_title(census: Census, src: sqlite3.Connection, result: MergeResult) -> None:
    """A file without a title of its own takes the source's (a district merging its streets' files
    into a new census keeps the name the census goes by)."""
    row = src.execute("SELECT value FROM settings WHERE key = 'title'").fetchone()
    theirs = (row[0] if row else "") or ""
    if theirs and not census.settings.get("title"):
        census.settings.set("title", theirs)
        result.title_taken = theirs


def _copy_overrides(census: Census, src: sqlite3.Connection, region_map: dict[int, int], ids: set[str],
                    result: MergeResult) -> None:
    """A clerk's reassignment in the source applies here unless this file already has one."""
    conn = census.conn
    have = {r[0] for r in conn.execute("SELECT id_number FROM person_regions")}
    for id_number, region_id, at in src.execute("SELECT id_number, region_id, at FROM person_regions"):
        if id_number in have or region_id not in region_map:
            continue
        conn.execute("INSERT INTO person_regions VALUES (?, ?, ?)", (id_number, region_map[region_id], at))
        ids.add(id_number)
        result.overrides_copied += 1
