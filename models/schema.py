"""The census file's tables and their migrations.

Migrations are recorded in a table (as sqlite-utils does), so a census file made by an older
version opens in a newer one. Never edit a shipped migration: append a new one.
A census stamped with a newer version than LATEST_VERSION is refused before anything is written
(models.census). tests/models/test_store_gaps.py opens a census of every earlier version.

No ON DELETE CASCADE: SQLite cannot alter a foreign key, so adding one means a migration that
rebuilds source_rows (every row of every return, raw cells included) on the first open of each
existing census — minutes and twice the file's size on disk, with foreign_keys off meanwhile,
which cannot be switched inside the migration's transaction. Undo deletes corrections, rows and
the batch in that order in one place instead (census_batches.Batches.undo).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from models import pinyin

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
    CREATE TABLE regions (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER REFERENCES regions(id),
        name TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        depth INTEGER NOT NULL,
        population INTEGER,
        flagged INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT '',
        created_batch INTEGER
    );
    CREATE INDEX regions_parent ON regions(parent_id);

    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        file_name TEXT NOT NULL,
        file_path TEXT,
        sha256 TEXT NOT NULL,
        size INTEGER,
        format TEXT,
        sheet TEXT,
        header_first INTEGER,
        header_last INTEGER,
        region_id INTEGER REFERENCES regions(id),
        region_source TEXT,
        mapping TEXT,
        imported_at TEXT NOT NULL,
        rows_total INTEGER NOT NULL DEFAULT 0,
        rows_ok INTEGER NOT NULL DEFAULT 0,
        rows_pending INTEGER NOT NULL DEFAULT 0,
        origin TEXT
    );
    CREATE UNIQUE INDEX batches_sha ON batches(sha256);

    CREATE TABLE source_rows (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        sheet TEXT,
        row_number INTEGER NOT NULL,
        raw TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        id_raw TEXT NOT NULL DEFAULT '',
        id_number TEXT,
        status TEXT NOT NULL,
        reason TEXT,
        gender TEXT,
        phone TEXT,
        level INTEGER NOT NULL DEFAULT 0,
        level_raw TEXT,
        education INTEGER NOT NULL DEFAULT 0,
        education_raw TEXT,
        major TEXT,
        hours REAL,
        cert_date TEXT,
        unit TEXT,
        region_id INTEGER REFERENCES regions(id),
        region_raw TEXT,
        notes TEXT
    );
    CREATE INDEX source_rows_id ON source_rows(id_number);
    CREATE INDEX source_rows_batch ON source_rows(batch_id);
    CREATE INDEX source_rows_status ON source_rows(status, region_id);

    CREATE TABLE persons (
        id_number TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        names TEXT,
        region_id INTEGER NOT NULL REFERENCES regions(id),
        level INTEGER NOT NULL,
        degree INTEGER NOT NULL,
        trained INTEGER NOT NULL,
        talent INTEGER NOT NULL,
        hours REAL,
        education INTEGER NOT NULL,
        major TEXT,
        gender TEXT,
        phone TEXT,
        row_count INTEGER NOT NULL,
        name_conflict INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX persons_region ON persons(region_id, talent, level, degree, trained);
    CREATE INDEX persons_name ON persons(name);

    CREATE TABLE person_regions (
        id_number TEXT PRIMARY KEY,
        region_id INTEGER NOT NULL REFERENCES regions(id),
        at TEXT NOT NULL
    );

    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        row_id INTEGER NOT NULL REFERENCES source_rows(id),
        old_id_raw TEXT,
        old_status TEXT,
        old_reason TEXT,
        new_id_number TEXT NOT NULL,
        at TEXT NOT NULL
    );

    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
    """),
    (2, """
    CREATE INDEX persons_conflict ON persons(id_number) WHERE name_conflict = 1;
    CREATE INDEX source_rows_notes ON source_rows(batch_id, row_number) WHERE notes IS NOT NULL;
    """),
    (3, """
    CREATE TABLE region_goals (
        region_id INTEGER NOT NULL REFERENCES regions(id),
        category TEXT NOT NULL,
        target INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (region_id, category)
    );
    """),
    # 4: closing the loop with the communities. Correction lists that come back (returned_lists,
    # each applied line in returned_changes so the list undoes as one step; what a community wrote
    # in 备注 in row_remarks) and resent returns: a newer version of a batch withdraws the earlier
    # one — its batch, rows, corrections, remarks and the regions only it used — into `withdrawn`,
    # one row each as JSON keyed by column name (so a column added later comes back too), with
    # the same ids, so undoing the newer version puts the earlier one back exactly;
    # batch_versions keeps the chain.
    (4, """
    CREATE TABLE returned_lists (
        id INTEGER PRIMARY KEY,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        region_path TEXT NOT NULL DEFAULT '',
        imported_at TEXT NOT NULL,
        lines INTEGER NOT NULL DEFAULT 0,
        corrected INTEGER NOT NULL DEFAULT 0,
        still_invalid INTEGER NOT NULL DEFAULT 0,
        remarks INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX returned_lists_sha ON returned_lists(sha256);

    CREATE TABLE row_remarks (
        row_id INTEGER PRIMARY KEY REFERENCES source_rows(id),
        text TEXT NOT NULL,
        returned_id INTEGER REFERENCES returned_lists(id),
        at TEXT NOT NULL
    );

    CREATE TABLE returned_changes (
        id INTEGER PRIMARY KEY,
        returned_id INTEGER NOT NULL REFERENCES returned_lists(id),
        row_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        correction_id INTEGER,
        old_id_number TEXT,
        old_status TEXT,
        old_reason TEXT,
        old_remark TEXT
    );
    CREATE INDEX returned_changes_list ON returned_changes(returned_id);

    CREATE TABLE batch_versions (
        batch_id INTEGER PRIMARY KEY REFERENCES batches(id),
        version INTEGER NOT NULL,
        replaces_id INTEGER NOT NULL,
        regions TEXT NOT NULL DEFAULT '[]'
    );

    CREATE TABLE withdrawn (
        id INTEGER PRIMARY KEY,
        by_batch INTEGER NOT NULL,
        tbl TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX withdrawn_by ON withdrawn(by_batch);
    """),
    # 6: dated goals (a deadline, ISO date) and growth goals (a multiple of an earlier census's
    # figure for the node: the multiple, that figure and which census it came from, kept here
    # so the goal stands without the earlier file).
    (6, """
    ALTER TABLE region_goals ADD COLUMN deadline TEXT;
    ALTER TABLE region_goals ADD COLUMN multiple REAL;
    ALTER TABLE region_goals ADD COLUMN base INTEGER;
    ALTER TABLE region_goals ADD COLUMN base_source TEXT NOT NULL DEFAULT '';
    """),
    # 8: a unit's type (models.rules.UNIT_TYPES: 医院, 社工站…) and its staff (在岗职工数), which
    # set its target (models.units); one row per typed unit, set by a clerk or the population table.
    (8, """
    CREATE TABLE region_units (
        region_id INTEGER PRIMARY KEY REFERENCES regions(id),
        unit_type TEXT,
        staff INTEGER
    );
    """),
    # 5: the undo history a clerk's changes leave (models/undo.py: named steps, and per step the
    # statements that take it back or, once undone, redo it), and the pinyin sort key of a
    # person's name (models/pinyin.py, filled when a person is written) with its index, so the
    # people table sorts by pinyin in SQL.
    (5, """
    CREATE TABLE undo_steps (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        at TEXT NOT NULL,
        state TEXT NOT NULL
    );
    CREATE TABLE undo_log (
        id INTEGER PRIMARY KEY,
        step_id INTEGER NOT NULL REFERENCES undo_steps(id),
        sql TEXT NOT NULL
    );
    CREATE INDEX undo_log_step ON undo_log(step_id);
    ALTER TABLE persons ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
    UPDATE persons SET name_key = pinyin_key(name);
    CREATE INDEX persons_name_key ON persons(name_key, id_number);
    """),
    # 11: the year each certificate level was first held (the earliest 取得证书时间 among a person's
    # rows giving it), kept on the person when rows are consolidated (models.consolidate), so the
    # exam years and the award are GROUP BYs over persons, not a join with source_rows per summary.
    (11, """
    ALTER TABLE persons ADD COLUMN assistant_year TEXT;
    ALTER TABLE persons ADD COLUMN intermediate_year TEXT;
    ALTER TABLE persons ADD COLUMN senior_year TEXT;
    UPDATE persons SET
        assistant_year = (SELECT substr(MIN(s.cert_date), 1, 4) FROM source_rows s
                          WHERE s.id_number = persons.id_number AND +s.status = 'ok' AND s.level = 1),
        intermediate_year = (SELECT substr(MIN(s.cert_date), 1, 4) FROM source_rows s
                             WHERE s.id_number = persons.id_number AND +s.status = 'ok' AND s.level = 2),
        senior_year = (SELECT substr(MIN(s.cert_date), 1, 4) FROM source_rows s
                       WHERE s.id_number = persons.id_number AND +s.status = 'ok' AND s.level = 3)
    WHERE level > 0;
    """),
    # 14: the earlier version of a return is looked up by file name and region for every file
    # imported (models.return_versions.earlier): without an index that is a scan of every batch per
    # file, quadratic over a province's thousands of returns.
    (14, """
    CREATE INDEX batches_file ON batches(file_name, region_id);
    """),
    # 12: persons_region holds the exam years too, so every per-person figure of a summary (counts,
    # exam years, allowance levels, the award, the latest year) is one GROUP BY in the index's own
    # order: no sort and no table lookups (models.person_groups). Needs migration 11's columns.
    (12, """
    DROP INDEX persons_region;
    CREATE INDEX persons_region ON persons(region_id, talent, level, degree, trained, assistant_year,
                                           intermediate_year, senior_year);
    """),
    # 13: each imported file's bytes, once per content hash (batches.sha256; a withdrawn earlier
    # version keeps its own), instead of every row's cells as JSON: a new import writes '' into
    # source_rows.raw and a row's cells are read back from these bytes by sheet and row number
    # (models.kept_files). Rows imported before keep their JSON.
    (13, """
    CREATE TABLE kept_files (
        sha256 TEXT PRIMARY KEY,
        data BLOB NOT NULL
    );
    """),
    # 15: when an applied correction list was written (its mark's 生成时间; NULL for lists written
    # before): a list that comes back late does not replace what a list written after it changed
    # (importers/returned_list.py).
    (15, """
    ALTER TABLE returned_lists ADD COLUMN generated_at TEXT;
    """),
    # 16: a return sent again under another name (光明社区摸排表(1).xlsx) is looked for among the
    # imports for its region (models.return_versions.earlier_renamed), for every file imported.
    (16, """
    CREATE INDEX batches_region ON batches(region_id);
    """),
    # 17: the rows by status and region were read for the pending ones only (the problems, the
    # regions with something to show): an index of the pending rows alone, a sixtieth of the rows,
    # is what those reads use, and building it after a 100,000-row return takes 0.01 s, not 0.07 s.
    # Reading every valid row in ID order (a recount) goes through source_rows_id, with no sort.
    (17, """
    DROP INDEX source_rows_status;
    CREATE INDEX source_rows_pending ON source_rows(region_id) WHERE status = 'pending';
    """),
    # 18: persons by name were looked up only for an ID's suggestions, which find them through
    # persons_name_key (a name's pinyin key is made of the name alone); the name index cost every
    # person written (0.07 s to build after a 100,000-row return).
    (18, """
    DROP INDEX persons_name;
    """),
    # 19: an earlier version a newer one replaced, found by its content hash: every file planned
    # asked, and read every withdrawn import to answer (a census where 1,000 returns had been
    # resent: 1,000 JSON records read for each file of a folder). Only well-formed records are
    # indexed: json_extract fails on any other, and the migration with it.
    (19, """
    CREATE INDEX withdrawn_batch_sha ON withdrawn(json_extract(data, '$.sha256'))
        WHERE tbl = 'batches' AND json_valid(data);
    """),
)


# A withdrawn import's record whose content hash is the parameter :sha — the condition of the
# index migration 19 made (withdrawn_batch_sha), which a query must repeat to go through it.
WITHDRAWN_BATCH_OF_SHA = "tbl = 'batches' AND json_valid(data) AND json_extract(data, '$.sha256') = :sha"


# Column lists shared by the importer (census.batches) and merging census files (merge_files).
BATCH_COLUMNS = (
    "id", "file_name", "file_path", "sha256", "size", "format", "sheet", "header_first", "header_last",
    "region_id", "region_source", "mapping", "imported_at", "rows_total", "rows_ok", "rows_pending",
)
SOURCE_ROW_COLUMNS = (
    "id", "batch_id", "sheet", "row_number", "raw", "name", "id_raw", "id_number", "status", "reason", "gender",
    "phone", "level", "level_raw", "education", "education_raw", "major", "hours", "cert_date", "unit",
    "region_id", "region_raw", "notes",
)


def now() -> str:
    """A timestamp as the census stores them (imports, corrections, reassignments)."""
    return dt.datetime.now().isoformat(timespec="seconds")


def migrate(conn: sqlite3.Connection, up_to: int | None = None) -> int:
    """Bring a census file up to the latest schema (or to version `up_to`, for tests that build an
    older census); returns the version it is now at."""
    pinyin.register(conn)  # migration 5 fills persons.name_key; the store keeps filling it
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT version FROM migrations")}
    version = max(done, default=0)
    for number, sql in sorted(MIGRATIONS):  # numbers are handed out ahead: apply them in order
        if number in done or (up_to is not None and number > up_to):
            continue
        conn.execute("BEGIN")
        try:
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO migrations VALUES (?, ?)", (number, dt.datetime.now().isoformat()))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite rolls back by itself on a full disk
                conn.execute("ROLLBACK")
            raise
        version = number
    return version


def _statements(sql: str) -> list[str]:
    """A migration's statements, cut where SQLite itself says a statement is complete (a ';' in a
    string literal or inside a trigger body does not end one), each run inside the migration's
    transaction — executescript() would commit on its own."""
    out: list[str] = []
    current = ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    if current.strip():
        out.append(current.strip())
    return out


LATEST_VERSION = max(number for number, _sql in MIGRATIONS)
