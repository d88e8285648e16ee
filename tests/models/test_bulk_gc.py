"""Bulk work runs with fewer garbage collections, and the process's settings come back after it,
also when it fails and when two bulk jobs overlap on two threads."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from importers.job import import_file
from models.bulk_gc import BULK_THRESHOLDS, fewer_collections
from models.census import Census
from models.errors import CensusError


@pytest.fixture(autouse=True)
def _own_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_thresholds_are_raised_inside_and_put_back_after_even_on_error():
    with fewer_collections():
        assert gc.get_threshold() == BULK_THRESHOLDS
        with fewer_collections():  # nested: still raised, and not put back by the inner one
            pass
        assert gc.get_threshold() == BULK_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_what_bulk_work_keeps_goes_to_the_oldest_generation_unwalked():
    """Put back as they were, the thresholds had the next allocation walk everything the work
    made and kept as young objects; now it waits in the oldest generation (nothing stays frozen),
    and a cycle made meanwhile is still freed by a full collection."""

    class Node:
        pass

    gc.collect()
    with fewer_collections():
        kept = [[i] for i in range(20_000)]
        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        freed = weakref.ref(cycle)
        del cycle
    assert gc.get_count()[0] < 1_000 and gc.get_freeze_count() == 0
    assert freed() is not None
    gc.collect()
    assert freed() is None and len(kept) == 20_000


def test_overlapping_jobs_on_two_threads_put_back_what_was_there_when_the_last_ends():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with fewer_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with fewer_collections():
        second_in.set()
        first_out.wait(5)
        assert gc.get_threshold() == BULK_THRESHOLDS  # the first ended, this one still runs
    thread.join(5)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_failed_import_leaves_the_thresholds_as_they_were(tmp_path):
    census = Census.open(tmp_path / "c.census")
    (tmp_path / "x.xlsx").write_text("not a workbook")
    with pytest.raises(CensusError):
        import_file(census, tmp_path / "x.xlsx")
    assert gc.get_threshold() == (700, 10, 10)
    census.close()
