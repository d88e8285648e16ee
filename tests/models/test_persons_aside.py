"""A large batch's new persons consolidated by a helper process into a side file
(models.persons_aside): the same persons as counting them here, whatever the helper does, and
nothing left behind."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest

import models.census_people
import models.persons_aside
from importers.files import import_files
from importers.job import import_file, run_to_end
from importers.population import load_population
from models.census import Census
from models.errors import ImportCancelled
from models.persons_aside import PersonsAside
from tests.builders import make_id, write_community_return, write_population, write_street_return

FIRST = [(f"甲{i}", make_id(i, county="110110"), "助理社会工作师", "本科", "社会工作", 20) for i in range(3)]


def _street_rows() -> list[tuple]:
    """A street's sheet: new people in two communities, one ID twice, two IDs of an earlier return
    (one of them reassigned by a clerk), and a row whose ID is wrong."""
    rows = [("团结社区" if i % 2 else "幸福社区", f"乙{i}", make_id(i, county="110111"), "社会工作师", "硕士", "社会工作", 40)
            for i in range(40)]
    rows.append(("幸福社区", "乙3", make_id(3, county="110111"), "高级社会工作师", "本科", "社会学", 10))  # again
    rows.append(("团结社区", "甲0", make_id(0, county="110110"), "社会工作师", "本科", "社会工作", 90))
    rows.append(("团结社区", "甲1", make_id(1, county="110110"), "", "大专", "", 200))
    rows.append(("团结社区", "丙", "11011119850615001", "", "本科", "", 0))  # 17 digits: pending
    return rows


def _census(folder: Path) -> Census:
    folder.mkdir()
    census = Census.open(folder / "c.census")
    load_population(census, write_population(folder / "户籍人口.xlsx"))
    import_file(census, write_community_return(folder / "团结社区.xlsx", "东区和平街道团结社区", FIRST))
    census.people.reassign(make_id(1, county="110110"), census.regions.by_path("测试市/东区/和平街道/幸福社区").id)
    return census


def _import_street(tmp_path: Path, name: str) -> list[tuple]:
    census = _census(tmp_path / name)
    street = write_street_return(tmp_path / name / "街道汇总.xlsx", "和平街道社会工作人才汇总", _street_rows())
    import_file(census, street, region="测试市/东区/和平街道")
    persons = census.conn.execute("SELECT * FROM persons ORDER BY id_number").fetchall()
    assert [row[1] for row in census.conn.execute("PRAGMA database_list")] == ["main"]  # the side file let go
    census.close()
    return persons


@pytest.fixture
def side_files(tmp_path, monkeypatch) -> Path:
    """Every batch is large enough for a helper; side files go to a folder of this test's own."""
    monkeypatch.setattr(models.persons_aside, "MIN_ROWS", 1)
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _copies(monkeypatch) -> list[bool]:
    """What each use of a side file gave (True: the persons were copied from it)."""
    seen: list[bool] = []
    real = models.census_people.People._copy_aside

    def spy(self, *args, **kwargs):
        seen.append(real(self, *args, **kwargs))
        return seen[-1]
    monkeypatch.setattr(models.census_people.People, "_copy_aside", spy)
    return seen


def _plain(tmp_path, monkeypatch) -> list[tuple]:
    with monkeypatch.context() as m:
        m.setattr(models.persons_aside, "MIN_ROWS", 10**9)
        return _import_street(tmp_path, "plain")


def test_persons_from_the_helper_are_the_ones_counted_here(tmp_path, monkeypatch, side_files):
    plain = _plain(tmp_path, monkeypatch)
    copies = _copies(monkeypatch)
    assert _import_street(tmp_path, "aside") == plain
    assert copies == [True, True]  # the first return's persons too
    assert len(plain) == 43 and not list(side_files.iterdir())


def test_a_helper_that_dies_leaves_the_batch_counted_here(tmp_path, monkeypatch, side_files):
    plain = _plain(tmp_path, monkeypatch)
    real = PersonsAside.send

    def send_then_die(self, *args):
        real(self, *args)
        self._process.kill()
    monkeypatch.setattr(PersonsAside, "send", send_then_die)
    copies = _copies(monkeypatch)
    assert _import_street(tmp_path, "aside") == plain
    assert copies == []  # nothing to copy from
    assert not list(side_files.iterdir())


def test_a_side_file_not_holding_what_was_sent_is_not_used(tmp_path, monkeypatch, side_files):
    plain = _plain(tmp_path, monkeypatch)
    real = PersonsAside.finish
    def one_missing(self):
        side = real(self)
        return dataclasses.replace(side, written=side.written + 1)
    monkeypatch.setattr(PersonsAside, "finish", one_missing)
    assert _import_street(tmp_path, "aside") == plain
    assert not list(side_files.iterdir())


def test_a_cancelled_import_ends_the_helper_and_leaves_nothing(tmp_path, side_files):
    census = _census(tmp_path / "c")
    before = census.conn.execute("SELECT * FROM persons ORDER BY id_number").fetchall()
    street = write_street_return(tmp_path / "街道汇总.xlsx", "和平街道社会工作人才汇总", _street_rows())
    started: list[PersonsAside] = []
    real = PersonsAside.start

    def start(rules):
        started.append(real(rules))
        return started[-1]
    asks = iter(range(100))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(PersonsAside, "start", staticmethod(start))
        with pytest.raises(ImportCancelled):
            import_file(census, street, region="测试市/东区/和平街道", cancel=lambda: next(asks) >= 1)
    assert started and started[0]._process._closed  # ended and closed
    assert census.conn.execute("SELECT * FROM persons ORDER BY id_number").fetchall() == before
    assert len(census.batches.all()) == 1
    assert not list(side_files.iterdir())
    census.close()


def test_a_copy_that_does_not_give_the_persons_expected_is_taken_back(tmp_path, monkeypatch, side_files):
    plain = _plain(tmp_path, monkeypatch)
    real = models.census_people.People._copy_aside
    results: list[bool] = []

    def expect_one_more(self, side, expect, singles):
        results.append(real(self, side, expect=expect + 1, singles=singles))
        return results[-1]
    monkeypatch.setattr(models.census_people.People, "_copy_aside", expect_one_more)
    assert _import_street(tmp_path, "aside") == plain  # the copied persons went back, all counted here
    assert results == [False, False]
    assert not list(side_files.iterdir())


def _folder_run(tmp_path: Path, name: str) -> list[tuple]:
    """A folder as the CLI and the window import it: a small return sharing an ID with the street's
    sheet before it in the same run, the street's sheet (large), and another small return."""
    census = _census(tmp_path / name)
    shared = ("乙5", make_id(5, county="110111"), "助理社会工作师", "本科", "社会工作", 20)
    paths = [write_community_return(tmp_path / name / "幸福社区.xlsx", "东区和平街道幸福社区", [shared]),
             write_street_return(tmp_path / name / "和平街道汇总.xlsx", "测试市东区和平街道社会工作人才汇总", _street_rows()),
             write_community_return(tmp_path / name / "红星镇团结村.xlsx", "东区红星镇团结村",
                                    [("丁", make_id(7, county="110112"), "", "大专", "", 130)])]
    outcomes = run_to_end(import_files(census, paths))
    assert [o.status for o in outcomes] == ["imported"] * 3
    persons = census.conn.execute("SELECT * FROM persons ORDER BY id_number").fetchall()
    assert [row[1] for row in census.conn.execute("PRAGMA database_list")] == ["main"]
    census.close()
    return persons


def test_a_large_return_in_a_folder_is_counted_with_the_files_before_it(tmp_path, monkeypatch, side_files):
    with monkeypatch.context() as m:
        m.setattr(models.persons_aside, "MIN_ROWS", 10**9)
        plain = _folder_run(tmp_path, "plain")
    monkeypatch.setattr(models.persons_aside, "MIN_ROWS", 20)  # the street's sheet only
    copies = _copies(monkeypatch)
    assert _folder_run(tmp_path, "aside") == plain
    assert copies == [True]
    shared = next(row for row in plain if row[0] == make_id(5, county="110111"))
    assert shared[13] == 2  # row_count: the small return's row and the street's, counted together
    assert not list(side_files.iterdir())
