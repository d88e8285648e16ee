"""The helper process a folder is read in: answers in order on its pipe, its end seen by the
census side as a broken reply, and the request it ended on told apart from those it had answered
or not begun."""

from __future__ import annotations

import os
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from importers.reader_process import ReaderProcess, lead


def test_answers_and_errors_come_back_to_the_request_that_asked():
    reader = ReaderProcess()
    try:
        first, failing, last = reader.submit(pow, 2, 10), reader.submit(int, "x"), reader.submit(divmod, 7, 2)
        assert last.result() == (3, 1)  # taken in before the others were asked for
        assert first.result() == 1024 and first.result() == 1024  # asked again, the same answer
        with pytest.raises(ValueError):
            failing.result()
        assert first.done() and not first.died_on_it()
    finally:
        reader.stop(wait=True)


def _wait_for(path: str) -> None:
    """Runs in the helper: holds it on one request until the test lets it go."""
    while not os.path.exists(path):
        time.sleep(0.01)


def test_the_helper_knows_how_far_ahead_of_the_census_side_it_works(tmp_path):
    """lead() in the helper counts from the answer the census side took last (a shared word: no
    message is sent for it); outside a helper it is None."""
    gate_file = tmp_path / "go"
    reader = ReaderProcess()
    try:
        first = reader.submit_many([(lead, ())] * 3)
        # nothing taken yet: the census side wants the first next, the third is two further on
        assert [reply.result() for reply in first] == [0, 1, 2]
        first[1].taking()
        later = reader.submit_many([(lead, ())] * 2)  # requests 3 and 4, request 1 taken
        assert [reply.result() for reply in later] == [1, 2]
        held, waited_for = reader.submit_many([(_wait_for, (str(gate_file),)), (lead, ())])
        waited_for.taking()  # before the helper begins it
        gate_file.touch()
        assert held.result() is None and waited_for.result() == -1  # the census side is waiting for it
    finally:
        reader.stop(wait=True)
    assert lead() is None


def test_the_request_the_helper_died_on_is_the_one_blamed():
    """Answers made before the end may be lost with it (the sender had not written them): they
    fail as broken without being the cause; the request after it was never begun."""
    reader = ReaderProcess()
    try:
        before, dying, after = reader.submit(pow, 2, 3), reader.submit(os._exit, 3), reader.submit(pow, 3, 2)
        with pytest.raises(BrokenProcessPool):
            after.result()
        assert dying.done() and after.done()
        assert dying.died_on_it()
        assert not before.died_on_it() and not after.died_on_it()
        assert reader.started_any
    finally:
        reader.stop(wait=False)


def test_requests_sent_together_are_answered_and_blamed_one_by_one():
    reader = ReaderProcess()
    try:
        done, dying, never = reader.submit_many([(pow, (2, 5)), (os._exit, (3,)), (pow, (2, 6))])
        with pytest.raises(BrokenProcessPool):
            never.result()
        assert dying.died_on_it() and not never.died_on_it() and not done.died_on_it()
    finally:
        reader.stop(wait=False)


def test_a_helper_that_is_stopped_while_busy_is_ended_at_once():
    reader = ReaderProcess()
    busy = reader.submit(time.sleep, 600)
    assert not busy.done()
    reader.stop(wait=False)  # a cancel: the file being read is not waited for
    assert not reader._process.is_alive()


def test_a_helper_told_nothing_more_is_coming_ends_once_it_has_answered():
    """no_more(): the helper answers what it was asked and ends by itself, while the storing side
    works on (stop() then has nothing to wait for); asking it anything more is a mistake."""
    reader = ReaderProcess()
    try:
        replies = reader.submit_many([(pow, (2, 5)), (pow, (3, 3))])
        reader.no_more()
        assert [r.result() for r in replies] == [32, 27]
        reader._process.join(5)
        assert not reader._process.is_alive()
        with pytest.raises(AssertionError):
            reader.submit(pow, 2, 2)
    finally:
        reader.stop(wait=True)
