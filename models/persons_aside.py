"""A large batch's new persons consolidated in a helper process while its rows are stored, into a
side database the census then copies them from in one statement.

Once a 100k-row return is read, the rest of its import ran on one core, holding Python's lock:
normalising and storing the rows, then consolidating every new ID (0.28 s) and handing 100k
persons to SQLite one parameter at a time (0.33 s). Here a second process consolidates each chunk
of rows as the store sends it — models.consolidate, the one rule — and writes the persons into a
SQLite file of its own, which the census copies with INSERT … SELECT, in C (0.07 s).

Only what one row alone gives is taken from there: an ID with more than one row in the batch,
with a person already, or reassigned by a clerk is consolidated by the census as before
(People.write_batch). The side file is a shortcut and nothing more: a helper that cannot start,
dies, fails or is late, or a file that does not hold exactly what it should, leaves the batch to
be counted as before — the same persons — and the side file's folder is removed either way.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import queue
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from multiprocessing.connection import Connection

from models.consolidate import PERSON_COLUMNS, RowFacts, consolidate
from models.rules import Rules

log = logging.getLogger(__name__)

MIN_ROWS = 30_000  # from this many rows a batch is worth a helper (its start costs ~0.1 s of a core)
FINISH_WAIT_S = 60.0  # at most this long the census waits for the helper's last persons
_NUMBERS = itertools.count(1)  # each side file attached under a name of its own
COLUMNS = (*PERSON_COLUMNS, "name_key")  # consolidate's tuple, as persons stores it
_CREATE = f"CREATE TABLE persons ({', '.join(COLUMNS)}, PRIMARY KEY (id_number)) WITHOUT ROWID"
_INSERT = f"INSERT INTO persons VALUES ({', '.join('?' * len(COLUMNS))})"


@dataclass(frozen=True)
class SideFile:
    """A side file the helper finished: where it is, the name the census attaches it under, and
    how many persons the helper wrote there."""

    path: str
    schema: str
    written: int


class PersonsAside:
    """The helper process and its side file, for one batch. `send` each chunk's valid rows as
    they are stored, `finish` once all are; `stop` in any case, and `remove` the file once the
    census has let go of it (after its transaction)."""

    def __init__(self, rules: Rules):
        self._folder = tempfile.mkdtemp(prefix="census-persons-")
        self.path = os.path.join(self._folder, "persons.db")
        self.schema = f"persons_aside_{next(_NUMBERS)}"
        try:
            context = multiprocessing.get_context("spawn")
            self._conn, child = context.Pipe()
            self._process = context.Process(target=serve, args=(child, self.path, rules), daemon=True,
                                            name="persons-aside")
            self._process.start()
            child.close()
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise
        # Chunks are sent from a thread: the helper takes ~0.1 s to start, and the store must not
        # wait for a pipe's buffer meanwhile.
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._broken = threading.Event()
        self._stopped = False
        self._sender = threading.Thread(target=self._send_all, name="persons-aside-send", daemon=True)
        self._sender.start()

    @classmethod
    def start(cls, rules: Rules) -> PersonsAside | None:
        """A helper for a batch, or None where no process can be started (the batch is then
        counted as before)."""
        try:
            return cls(rules)
        except (OSError, RuntimeError, ValueError) as err:
            log.warning("persons aside: no helper process (%s)", err)
            return None

    def send(self, batch_id: int, columns: Sequence[Sequence], region: int | Sequence[int]) -> None:
        """A chunk's valid rows: `columns` in RowFacts' order without batch_id and region_id
        (id_number, row_id, name, level, education, major, hours, gender, phone, cert_date), each
        region's id in `region`, or one id for them all."""
        if not self._broken.is_set():
            self._outbox.put((batch_id, columns, region))

    def finish(self) -> SideFile | None:
        """Wait until the helper has written what it was sent: the side file, or None when it
        cannot be used."""
        self._outbox.put(None)
        self._sender.join(FINISH_WAIT_S)
        if self._broken.is_set() or self._sender.is_alive():
            return None
        try:
            if not self._conn.poll(FINISH_WAIT_S):
                log.warning("persons aside: the helper took longer than %s s", FINISH_WAIT_S)
                return None
            status, value = self._conn.recv()
        except (OSError, EOFError) as err:
            log.warning("persons aside: the helper ended (%s)", err)
            return None
        if status != "done":
            log.warning("persons aside: the helper failed (%s)", value)
            return None
        return SideFile(self.path, self.schema, value)

    def stop(self) -> None:
        """End the helper (at once when it is still working: a cancel or an error) and the
        sender; the side file stays until `remove`."""
        if self._stopped:
            return
        self._stopped = True
        self._broken.set()
        self._outbox.put(None)
        if self._process.is_alive():
            self._process.kill()  # a send waiting on the pipe then fails, and the sender ends
        self._process.join()
        self._sender.join()
        self._process.close()
        self._conn.close()

    def remove(self) -> None:
        """Remove the side file (the census has detached it: models.census_people.People.detach_aside)."""
        self.stop()
        shutil.rmtree(self._folder, ignore_errors=True)

    def _send_all(self) -> None:
        while (item := self._outbox.get()) is not None:
            if self._broken.is_set():
                continue
            try:
                self._conn.send(item)
            except (OSError, ValueError) as err:  # the helper is gone: the batch is counted as before
                log.warning("persons aside: sending failed (%s)", err)
                self._broken.set()
        if not self._broken.is_set():
            try:
                self._conn.send(None)
            except (OSError, ValueError):
                self._broken.set()


def serve(conn: Connection, path: str, rules: Rules) -> None:
    """The helper process: each chunk's rows consolidated one by one into the side file; an ID met
    twice is left out (its rows are consolidated together by the census). Answers ("done", the
    persons written) or ("failed", why)."""
    try:
        written = _write(conn, path, rules)
    except BaseException as err:  # whatever it is, the census counts the batch itself
        try:
            conn.send(("failed", repr(err)))
        except (OSError, ValueError):
            pass
        return
    conn.send(("done", written))


def _write(conn: Connection, path: str, rules: Rules) -> int:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to recover after a crash
        db.execute("PRAGMA synchronous = OFF")
        db.execute(_CREATE)
        db.execute("BEGIN")
        seen: set[str] = set()
        twice: set[str] = set()
        no_depths: dict[int, int] = {}  # one row: no region to choose between
        while (chunk := conn.recv()) is not None:
            batch_id, columns, region = chunk
            number, row_id, name, level, education, major, hours, gender, phone, cert_date = columns
            regions = repeat(region) if isinstance(region, int) else region
            persons = []
            for fact in map(RowFacts._make, zip(number, repeat(batch_id), row_id, name, level, education, major,
                                                hours, regions, gender, phone, cert_date)):
                if fact.id_number in seen:
                    twice.add(fact.id_number)
                    continue
                seen.add(fact.id_number)
                persons.append(consolidate([fact], rules, no_depths))
            db.executemany(_INSERT, persons)
        db.executemany("DELETE FROM persons WHERE id_number = ?", ((number,) for number in twice))
        db.execute("COMMIT")
    finally:
        db.close()
    return len(seen) - len(twice)
