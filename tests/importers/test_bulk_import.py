"""A large import stores its rows without secondary indexes and builds them after (models.bulk_index);
a folder import reads the next file on a thread. Neither may change what ends up in the census."""

from __future__ import annotations

import threading

import pytest

import models.bulk_index
import models.census_people
from importers.job import import_file
from models.census import Census
from tests.builders import make_id, write_community_return
from tests.importers.test_import_folder import _census, _fail_on_call, _folder, _run, _stored


def _indexes(census: Census) -> list[tuple[str, str]]:
    return sorted(census.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('source_rows', 'persons')"))


def _persons(census: Census) -> list[tuple]:
    return list(census.conn.execute("SELECT * FROM persons ORDER BY id_number"))


def test_a_large_import_ends_with_every_index_and_the_same_persons(tmp_path, monkeypatch):
    monkeypatch.setattr(models.bulk_index, "MIN_ROWS", 1)  # every file counts as large
    census = _census(tmp_path)
    before = _indexes(census)
    for path in _folder(tmp_path):
        import_file(census, path)
    assert _indexes(census) == before
    imported = _persons(census)
    census.people.recompute()
    assert _persons(census) == imported and len(imported) == 15
    plan = census.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM source_rows WHERE id_number = ?",
                               (make_id(1),)).fetchall()
    assert "source_rows_id" in str(plan)  # the rebuilt index is the one queries use


def test_persons_consolidated_beside_the_index_build_fail_as_any_step_does(tmp_path, monkeypatch):
    """A large file's new persons are consolidated on a thread while its rows' indexes are built
    (Deferred.built_while): a failure there is the file's, after the build has ended, and the
    census is as before the file (indexes too)."""
    monkeypatch.setattr(models.bulk_index, "MIN_ROWS", 1)
    census = _census(tmp_path)
    path = _folder(tmp_path)[0]
    before = _indexes(census)
    threads = []
    real = models.census_people.BatchPersons.consolidate_new

    def failing(self):
        threads.append(threading.current_thread().name)
        real(self)  # runs off the connection's thread: it must not touch the census
        raise RuntimeError("boom")

    monkeypatch.setattr(models.census_people.BatchPersons, "consolidate_new", failing)
    with pytest.raises(RuntimeError, match="boom"):
        import_file(census, path)
    assert threads and threads[0].startswith("beside-index")
    assert _indexes(census) == before and census.batches.all() == [] and census.people.count() == 0
    monkeypatch.setattr(models.census_people.BatchPersons, "consolidate_new", real)
    assert import_file(census, path).persons == 5 and _indexes(census) == before


def test_a_large_file_failing_in_a_folder_leaves_its_indexes_and_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(models.bulk_index, "MIN_ROWS", 1)
    census = _census(tmp_path)
    before = _indexes(census)
    _fail_on_call(monkeypatch, 2, RuntimeError("boom"))
    outcomes = _run(census, _folder(tmp_path))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert _indexes(census) == before
    census.close()
    batches, persons, _ = _stored(tmp_path / "c.census")
    assert batches == ["1号.xlsx", "3号.xlsx"] and persons == 10


def test_an_unreadable_file_read_ahead_fails_alone(tmp_path):
    census = _census(tmp_path)
    good = _folder(tmp_path)
    broken = tmp_path / "2号坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    outcomes = _run(census, [good[0], broken, good[2]])
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    message = outcomes[1].message
    assert message and "\n" not in message and "Traceback" not in message  # one Chinese line
    census.close()
    assert _stored(tmp_path / "c.census")[0] == ["1号.xlsx", "3号.xlsx"]


def test_plans_and_paths_mixed_keep_their_order(tmp_path):
    from importers.plan import plan_file

    census = _census(tmp_path)
    paths = _folder(tmp_path)
    extra = write_community_return(tmp_path / "4号.xlsx", "东区和平街道团结社区",
                                   [("新人", make_id(90, county="110199"), "", "本科", "社会工作", 0)])
    items = [paths[0], plan_file(census, paths[1]), paths[2], extra]
    outcomes = _run(census, items)
    assert [o.file_name for o in outcomes] == ["1号.xlsx", "2号.xlsx", "3号.xlsx", "4号.xlsx"]
    assert all(o.status == "imported" for o in outcomes)


def test_undoing_a_large_batch_sets_the_indexes_aside_and_leaves_the_census_as_without_it(tmp_path, monkeypatch):
    """Undo deletes a large batch's rows and recounts its persons with the indexes set aside (each
    deleted row's upkeep cost more than building the indexes again): the census ends as if the
    batch had never been imported, every index back."""
    census = _census(tmp_path)
    first, second, third = _folder(tmp_path)
    import_file(census, first)
    import_file(census, third)
    without = (_persons(census), _indexes(census))
    monkeypatch.setattr(models.bulk_index, "MIN_ROWS", 1)  # every batch counts as large
    result = import_file(census, second)
    dropped = []
    real_drop = models.bulk_index._drop
    monkeypatch.setattr(models.bulk_index, "_drop", lambda conn, table: dropped.append(table) or real_drop(conn, table))
    census.batches.undo(result.batch_id)
    assert dropped == ["source_rows", "persons"]
    assert (_persons(census), _indexes(census)) == without
    census.people.recompute()
    assert _persons(census) == without[0]
    census.close()


def test_a_group_keeps_the_batch_index_while_it_sets_the_others_aside(tmp_path):
    """The batch index grows at its end as files come (no scattered pages to keep up) and what a
    group reads of a stored file goes through it (its names for the two-versions note, an earlier
    version's rows): set aside with the others, every such read scanned the whole table."""
    census = _census(tmp_path)
    before = _indexes(census)
    aside = census.batches.indexes_aside()
    with census.transaction():
        aside.consider(10**9)
        left = [name for name, _ in _indexes(census) if name.startswith("source_rows")]
        assert left == ["source_rows_batch", "source_rows_notes", "source_rows_pending"]  # and the partial ones
        aside.restore()
    assert _indexes(census) == before
    census.close()


def test_partial_and_unique_indexes_stay_while_the_others_are_set_aside():
    """A partial index holds the few rows its condition picks: kept up as rows go in, where
    building it again reads the whole table; a unique one enforces its constraint meanwhile."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.executescript("""
        CREATE TABLE t (a INTEGER, b TEXT, flag INTEGER);
        CREATE INDEX t_a ON t(a);
        CREATE UNIQUE INDEX t_b ON t(b);
        CREATE INDEX t_flagged ON t(a) WHERE flag = 1;
        CREATE INDEX t_flagged_spaced ON t (a)
            where flag = 2;
    """)
    statements = models.bulk_index._drop(conn, "t")
    assert statements == ["CREATE INDEX t_a ON t(a)"]
    left = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert left == {"t_b", "t_flagged", "t_flagged_spaced"}


def test_a_group_s_indexes_come_back_while_other_work_runs_beside_them(tmp_path):
    """IndexesAside.restore_while: the work runs on a thread while the indexes are built (the
    group's rows are freed there), its answer comes back, and with nothing set aside it simply runs."""
    census = _census(tmp_path)
    before = _indexes(census)
    aside = census.people.indexes_aside()
    ran_on = []
    with census.transaction():
        assert aside.restore_while(lambda: ran_on.append(threading.current_thread().name) or 1) == 1
        aside.consider(10**9)
        assert _indexes(census) != before
        assert aside.restore_while(lambda: ran_on.append(threading.current_thread().name) or 2) == 2
    assert _indexes(census) == before and not aside.aside
    assert ran_on[0] == threading.current_thread().name and ran_on[1].startswith("beside-index")
    census.close()
