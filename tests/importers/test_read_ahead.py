"""A folder's files are read and normalised in a helper process while the census stores the
previous one: the census ends up exactly as when each file is imported on its own, a reader that
dies on a file fails that file only, and without a helper process files are read on a thread."""

from __future__ import annotations

import datetime as dt

import pytest

import importers.files
import importers.read_ahead
from importers.files import import_files
from importers.job import import_file, run_to_end
from importers.population import load_population
from importers.read_ahead import CLOSE_BEHIND, MSG_READER_DIED, ReadAhead, prepare_unless_close
from importers.reader_process import ReaderProcess
from models.census import Census
from tests.builders import make_id, write_community_return, write_population
from tests.importers.reader_crash import only_read_2号, prepare_or_die, read_all_but_2号

FILLERS = ("东区和平街道团结社区", "东区和平街道幸福社区", "东区和平街道新建社区")

_ROWS = "SELECT sheet, row_number, name, id_raw, id_number, status, reason, gender, phone, level, level_raw," \
        " education, education_raw, major, hours, cert_date, unit, region_id, region_raw, notes FROM source_rows" \
        " ORDER BY batch_id, row_number"


def _returns(folder, names=("1号", "2号", "3号")):
    folder.mkdir()
    paths = []
    for f, (name, filler) in enumerate(zip(names, FILLERS, strict=False)):
        rows = [(f"人{f}{i}", make_id(i + 10 * f, county="110110"), "助理社会工作师", "本科", "社会工作", 20)
                for i in range(6)]
        rows += [(f"缺号{f}", "", "", "", "", ""), ("共同", make_id(99, county="110110"), "", "硕士研究生", "社会工作", 150)]
        paths.append(write_community_return(folder / f"{name}.xlsx", filler, rows))
    return paths


def _census(path, population) -> Census:
    census = Census.open(path)
    load_population(census, population)
    return census


def _state(census) -> tuple[list, list]:
    return (census.conn.execute(_ROWS).fetchall(),
            census.conn.execute("SELECT * FROM persons ORDER BY id_number").fetchall())


def test_a_folder_read_in_the_helper_process_stores_what_importing_each_file_stores(tmp_path):
    population = write_population(tmp_path / "户籍人口.xlsx")
    paths = _returns(tmp_path / "returns")
    one_by_one = _census(tmp_path / "a.census", population)
    for path in paths:
        import_file(one_by_one, path)
    folder = _census(tmp_path / "b.census", population)
    outcomes = run_to_end(import_files(folder, paths))
    assert [o.status for o in outcomes] == ["imported"] * 3
    assert outcomes[0].result.describe() == import_file(_census(tmp_path / "c.census", population), paths[0]).describe()
    assert _state(folder) == _state(one_by_one)
    assert folder.people.count() == 19  # 6 per file and the one person in every file


def test_a_reader_that_dies_on_a_file_fails_that_file_and_the_next_ones_are_read(tmp_path, monkeypatch):
    population = write_population(tmp_path / "户籍人口.xlsx")
    paths = _returns(tmp_path / "returns", names=("1号", "坏2号", "3号"))
    census = _census(tmp_path / "a.census", population)
    monkeypatch.setattr(importers.files, "ReadAhead", lambda items: ReadAhead(items, work=prepare_or_die))
    outcomes = run_to_end(import_files(census, paths))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert outcomes[1].message == MSG_READER_DIED
    assert [b.file_name for b in census.batches.all()] == ["1号.xlsx", "3号.xlsx"]


def test_without_a_helper_process_files_are_read_on_a_thread(tmp_path, monkeypatch):
    def no_process(*_args, **_kwargs):
        raise RuntimeError("An attempt has been made to start a new process before bootstrapping")

    monkeypatch.setattr(ReaderProcess, "__init__", no_process)
    population = write_population(tmp_path / "户籍人口.xlsx")
    paths = _returns(tmp_path / "returns")
    census = _census(tmp_path / "a.census", population)
    outcomes = run_to_end(import_files(census, paths))
    assert [o.status for o in outcomes] == ["imported"] * 3
    assert census.people.count() == 19


def test_a_helper_that_ends_before_reading_anything_leaves_the_files_to_a_thread(tmp_path, monkeypatch):
    """A helper process that cannot run here (it ends before its first request: a bundle that
    cannot start itself) is not blamed on the file it was given: every file is read on a thread."""
    monkeypatch.setattr(ReaderProcess, "started_any", property(lambda self: False))
    population = write_population(tmp_path / "户籍人口.xlsx")
    paths = _returns(tmp_path / "returns", names=("坏1号", "2号", "3号"))
    census = _census(tmp_path / "a.census", population)
    monkeypatch.setattr(importers.files, "ReadAhead", lambda items: ReadAhead(items, work=prepare_or_die))
    outcomes = run_to_end(import_files(census, paths))
    assert [o.status for o in outcomes] == ["imported"] * 3


@pytest.mark.parametrize("ahead_bytes", [1, 1 << 30])
def test_files_read_ahead_come_back_in_order_whatever_the_look_ahead(tmp_path, monkeypatch, ahead_bytes):
    monkeypatch.setattr(importers.read_ahead, "AHEAD_BYTES", ahead_bytes)
    population = write_population(tmp_path / "户籍人口.xlsx")
    paths = _returns(tmp_path / "returns")
    census = _census(tmp_path / "a.census", population)
    outcomes = run_to_end(import_files(census, paths))
    assert [o.file_name for o in outcomes] == [p.name for p in paths]
    assert [b.file_name for b in census.batches.all()] == [p.name for p in paths]


@pytest.mark.parametrize("work", [only_read_2号, read_all_but_2号])
def test_files_the_helper_only_read_are_normalised_by_the_storing_side_to_the_same_census(
        tmp_path, monkeypatch, work):
    """The helper hands some files over only read (cells, no chosen sheet, no normalised rows):
    a folder of both kinds stores what importing each file stores."""
    population = write_population(tmp_path / "户籍人口.xlsx")
    paths = _returns(tmp_path / "returns")
    one_by_one = _census(tmp_path / "a.census", population)
    for path in paths:
        import_file(one_by_one, path)
    taken = []
    take = ReadAhead.take
    monkeypatch.setattr(ReadAhead, "take", lambda self, i: taken.append(take(self, i)) or taken[-1])
    monkeypatch.setattr(importers.files, "ReadAhead", lambda items: ReadAhead(items, work=work))
    folder = _census(tmp_path / "b.census", population)
    outcomes = run_to_end(import_files(folder, paths))
    assert [o.status for o in outcomes] == ["imported"] * 3
    only_read = [p.name.startswith("2号") == (work is only_read_2号) for p in paths]
    assert [p.chosen is None for p in taken] == only_read  # the helper did what it was asked
    assert _state(folder) == _state(one_by_one)


def test_the_helper_prepares_a_file_unless_the_storing_side_is_close_behind(tmp_path):
    """prepare_unless_close, in the helper: only read while the census side has taken the
    answer to a request fewer than CLOSE_BEHIND before this one (it would soon wait for it)."""
    path = _returns(tmp_path / "returns", names=("1号",))[0]
    today = dt.date.today()
    reader = ReaderProcess()
    try:
        close = reader.submit(prepare_unless_close, path, today)  # nothing taken: the next it wants
        assert close.result().chosen is None and close.result().normal == ()
        close.taking()
        reader.submit_many([(pow, (2, 2))] * CLOSE_BEHIND)
        far = reader.submit(prepare_unless_close, path, today)  # CLOSE_BEHIND requests between them
        assert far.result().chosen is not None and len(far.result().normal) == 1
    finally:
        reader.stop(wait=True)
    assert prepare_unless_close(path, today).chosen is not None  # not in a helper: all of it


def test_small_files_go_to_the_helper_in_batches_and_a_death_in_one_fails_only_its_file(tmp_path, monkeypatch):
    """Small files are handed over BATCH_FILES at a time, each answered on its own; a helper
    that dies on a file of a batch (here the 2nd and the 5th of six) fails that file only: the
    helper says which file it was on, and a new one reads the files after it (and those whose
    answers were lost with it), never that file again."""
    population = write_population(tmp_path / "户籍人口.xlsx")
    folder = tmp_path / "returns"
    folder.mkdir()
    paths = []
    for f, name in enumerate(("1号", "坏2号", "3号", "4号", "坏5号", "6号")):
        rows = [(f"人{f}{i}", make_id(i + 10 * f, county="110110"), "助理社会工作师", "本科", "社会工作", 20)
                for i in range(3)]
        paths.append(write_community_return(folder / f"{name}.xlsx", FILLERS[f % 3], rows))
    batches, started = [], []
    submit_many, start = ReaderProcess.submit_many, ReaderProcess.__init__

    def counting_submit(self, calls):
        if len(calls) > 1:
            batches.append([args[1].name for _fn, args in calls])
        return submit_many(self, calls)

    def counting_start(self):
        started.append(self)
        start(self)

    monkeypatch.setattr(ReaderProcess, "__init__", counting_start)

    monkeypatch.setattr(ReaderProcess, "submit_many", counting_submit)
    monkeypatch.setattr(importers.files, "ReadAhead", lambda items: ReadAhead(items, work=prepare_or_die))
    census = _census(tmp_path / "a.census", population)
    outcomes = run_to_end(import_files(census, paths))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported", "imported", "failed", "imported"]
    assert outcomes[1].message == outcomes[4].message == MSG_READER_DIED
    assert [b.file_name for b in census.batches.all()] == ["1号.xlsx", "3号.xlsx", "4号.xlsx", "6号.xlsx"]
    assert batches[0] == ["1号.xlsx", "坏2号.xlsx", "3号.xlsx", "4号.xlsx"]
    assert any("坏5号.xlsx" in batch and len(batch) > 1 for batch in batches)  # the second death in a batch too
    # one helper, and one more per death: a file a helper died on is not given to the next one
    # (answers lost with it are read again, never blamed)
    assert len(started) == 3


def test_an_error_in_a_batch_is_its_file_s_own(tmp_path):
    """A file the reader refuses (here not a workbook at all) fails with its own message; the
    files read in the same batch are imported."""
    population = write_population(tmp_path / "户籍人口.xlsx")
    paths = _returns(tmp_path / "returns")
    bad = paths[1].with_name("2号.xlsx")
    paths[1].rename(bad)
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    paths[1] = bad
    census = _census(tmp_path / "a.census", population)
    outcomes = run_to_end(import_files(census, paths))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert outcomes[1].message != MSG_READER_DIED and "损坏" in outcomes[1].message


def test_a_file_saved_again_after_the_helper_read_it_is_not_imported(tmp_path, monkeypatch):
    """A batch's answers come without the files' bytes, which the storing side reads again: a
    file whose bytes are no longer those the helper read (saved again in Excel meanwhile) is
    refused with one line; the others are imported with their bytes kept."""
    from importers.read_ahead import MSG_CHANGED

    population = write_population(tmp_path / "户籍人口.xlsx")
    paths = _returns(tmp_path / "returns")
    real = importers.read_ahead.file_bytes
    monkeypatch.setattr(importers.read_ahead, "file_bytes",
                        lambda path: real(path) + (b" " if path.name == "2号.xlsx" else b""))
    census = _census(tmp_path / "a.census", population)
    outcomes = run_to_end(import_files(census, paths))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert outcomes[1].message == MSG_CHANGED
    kept = census.conn.execute("SELECT sha256, length(data) FROM kept_files ORDER BY sha256").fetchall()
    assert sorted(kept) == sorted((b.sha256, p.stat().st_size) for b, p in
                                  zip(census.batches.all(), [paths[0], paths[2]], strict=True))
