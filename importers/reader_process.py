"""The helper process a folder's files are read in, and the two pipes to it.

Why not concurrent.futures' process pool: its answers reach the census side through two threads
of its own (a manager that takes each answer in, a feeder that sends each request), and every
time one of them woke it took Python's lock from the thread storing rows, whose SQLite
statements and file reads hand the lock over at each call. Here the storing thread reads the
answers itself, when it wants one; nothing else runs on its side.

On the reader's side a sender thread writes the answers, so the reader reads on while the pipe is
full (the storing side takes answers in only between files). The process also tells, through a
word of shared memory, which request it is working on: when it dies, the request it died on is
known, and answers it had made but not yet sent are only lost, not blamed. A second word says
which answer the census side took last, so that the work on a request can ask how far ahead of
the census side the helper is (lead()).
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any

__all__ = ["Reply", "ReaderProcess"]

_IDLE = -1  # the shared word before the first request: 2 * seq + 1 while working on seq, + 2 once done
_STOP_WAIT_S = 2.0  # a stopped helper that does not end by then is ended


class Reply:
    """The answer to one request, taken from the pipe when asked for (a Future's `done`/`result`)."""

    def __init__(self, reader: ReaderProcess, seq: int):
        self._reader = reader
        self.seq = seq
        self._answer: tuple[bool, Any] | None = None

    def done(self) -> bool:
        return self._answer is not None or self._reader.arrived(self.seq)

    def result(self) -> Any:
        """The request's answer, or the exception it raised (the same each time it is asked);
        BrokenProcessPool when the helper ended before sending it (see died_on_it)."""
        if self._answer is None:
            self._answer = self._reader.answer(self.seq)
        ok, value = self._answer
        if ok:
            return value
        raise value

    def taking(self) -> None:
        """The census side takes this answer now: the helper's lead() counts from it."""
        self._reader.taking(self.seq)

    def died_on_it(self) -> bool:
        """Whether the helper ended while working on this request (not before, not after)."""
        return self._reader.working_on == self.seq


class ReaderProcess:
    """One helper process (spawned: the only start Windows has) serving requests in order.
    Raises OSError or RuntimeError when no process can be started here."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        requests_in, self._requests = context.Pipe(duplex=False)
        self._answers, answers_out = context.Pipe(duplex=False)
        self._state = context.RawValue("q", _IDLE)
        self._taken = context.RawValue("q", -1)  # the request whose answer the census side took last
        self._process = context.Process(target=serve, args=(requests_in, answers_out, self._state, self._taken),
                                        name="census-reader", daemon=True)
        try:
            self._process.start()
        except BaseException:
            self._requests.close()
            self._answers.close()
            raise
        finally:  # the helper holds its own ends now: a dead helper leaves the answers pipe at its end
            requests_in.close()
            answers_out.close()
        self._next_seq = 0
        self._arrived: dict[int, tuple[bool, Any]] = {}
        self._broken = False
        self._closed = False  # told that nothing more will be asked

    def submit(self, fn: Callable[..., Any], *args: Any) -> Reply:
        return self.submit_many([(fn, args)])[0]

    def submit_many(self, calls: Sequence[tuple[Callable[..., Any], tuple]]) -> list[Reply]:
        """Several requests in one message (a handoff per small file cost as much as reading it),
        each answered on its own as soon as it is done: the storing side waits for the file it
        needs, not for the others sent with it."""
        assert not self._closed, "nothing more was to be asked of this helper"
        first = self._next_seq
        self._next_seq += len(calls)
        if not self._broken:
            try:
                self._requests.send((first, list(calls)))
            except (OSError, ValueError):  # the helper is gone: its replies say so
                self._broken = True
        return [Reply(self, seq) for seq in range(first, self._next_seq)]

    @property
    def working_on(self) -> int | None:
        """The request the helper was working on (None between requests)."""
        return _working_on(self._state.value)

    @property
    def started_any(self) -> bool:
        """Whether the helper ever began a request (one that dies before has not started at all)."""
        return self._state.value != _IDLE

    def arrived(self, seq: int) -> bool:
        """Whether the answer to `seq` can be had now (or never will: the helper is gone)."""
        if seq not in self._arrived and not self._broken:
            self._take_in(wait=False)
        return seq in self._arrived or self._broken

    def answer(self, seq: int) -> tuple[bool, Any]:
        """(True, the answer) or (False, the exception the request raised), once."""
        while seq not in self._arrived and not self._broken:
            self._take_in(wait=True)
        if seq not in self._arrived:
            raise BrokenProcessPool("the reader process ended")
        return self._arrived.pop(seq)

    def _take_in(self, wait: bool) -> None:
        """Every answer in the pipe now; with `wait`, at least one (or the helper's end)."""
        try:
            while wait or self._answers.poll():
                seq, ok, value = self._answers.recv()
                self._arrived[seq] = (ok, value)
                wait = False
        except (EOFError, OSError):
            self._broken = True

    def taking(self, seq: int) -> None:
        """The census side takes the answer to `seq` now (see lead())."""
        self._taken.value = seq

    def no_more(self) -> None:
        """Nothing more will be asked: the helper ends once it has answered everything, while the
        storing side works on (ending a process took a stop() that waited for it 40 ms)."""
        if not self._closed and not self._broken:
            try:
                self._requests.send(None)
            except (OSError, ValueError):  # the helper is gone: its replies say so
                self._broken = True
        self._closed = True

    def stop(self, wait: bool) -> None:
        """End the helper: after its last request (`wait`), or now (a cancel: the file it is
        reading may take seconds, and its answer is not wanted)."""
        if wait and not self._broken:
            self.no_more()
            self._process.join(_STOP_WAIT_S)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._requests.close()
        self._answers.close()


def _working_on(state: int) -> int | None:
    """The request a state word says the helper is working on (None between requests)."""
    return (state - 1) // 2 if state >= 0 and state % 2 else None


# In a helper process: its state word and the word the census side writes as it takes an answer
# (ReaderProcess.taking).
_words: tuple[Any, Any] | None = None


def lead() -> int | None:
    """In a helper, while it works on a request: how many requests lie between the one whose
    answer the census side took last and this one (0: this is the next it will want; -1: it is
    waiting for this one). A request's work can decide by it how much to do. None elsewhere."""
    if _words is None:
        return None
    state, taken = _words
    working = _working_on(state.value)
    return None if working is None else working - taken.value - 1


def serve(requests: Connection, answers: Connection, state: Any, taken: Any) -> None:
    """The helper's loop: each request in order, its answer handed to the sender thread."""
    global _words
    _words = (state, taken)
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    sender = threading.Thread(target=_send_all, args=(outbox, answers), name="answers", daemon=True)
    sender.start()
    while True:
        try:
            request = requests.recv()
        except (EOFError, OSError):  # the census side has gone
            break
        if request is None:
            break
        first, calls = request
        for seq, (fn, args) in enumerate(calls, first):
            state.value = 2 * seq + 1
            try:
                reply = (seq, True, fn(*args))
            except Exception as err:
                reply = (seq, False, err)
            outbox.put(_dumped(reply))
            state.value = 2 * seq + 2
    outbox.put(None)
    sender.join()


def _dumped(reply: tuple[int, bool, Any]) -> bytes:
    try:
        return bytes(ForkingPickler.dumps(reply))
    except Exception as err:  # an answer that cannot travel fails its request, not the helper
        return bytes(ForkingPickler.dumps((reply[0], False, RuntimeError(f"answer not sent: {err!r}"))))


def _send_all(outbox: queue.SimpleQueue[bytes | None], answers: Connection) -> None:
    while (data := outbox.get()) is not None:
        try:
            answers.send_bytes(data)
        except OSError:  # the census side has gone
            return
