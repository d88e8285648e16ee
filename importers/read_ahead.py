"""Reading a folder's next returns in a helper process while the census stores the current one.

A folder import is two kinds of work: understanding each file (inflating and checking the zip,
python-calamine's parse, cleaning cells, finding the header, normalising every row) and storing
it (regions, rows, persons, in one SQLite connection). The first needs no census, so it runs in
a second process, a few files ahead, and the two use both cores: a thread could not, since all but
calamine's parse holds Python's lock (and a thread's short waits for the lock slowed every
statement of the writer).

Which side normalises a file is the helper's choice as it begins it (prepare_unless_close): all of
it while the storing side is far enough behind, only the reading when the storing side would soon
wait for it. Both sides then stay busy to the end, whichever is the slower for these files.

It is also the fence around native code: a reader that aborts on a file nobody foresaw ends the
helper process, not the window or the command line. That file fails with one line, a new helper
reads the files after it.

Where no process can be started, files are read on a thread as before (hash, cells) and
normalised when stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from importers import reader_process
from importers.normalise import normalise_sheet
from importers.plan import Prepared, choose_sheets, fill_merged_down, read_file
from importers.reader_process import ReaderProcess, Reply
from importers.readers import Sheet, file_bytes
from importers.returned_list import read_list
from models.errors import CensusError, ReaderDied

log = logging.getLogger(__name__)

Work = Callable[[Path, dt.date], Prepared]  # what the helper does with a file (prepare, read_cells)

PROCESS_MIN_FILES = 2  # a helper process takes ~0.16 s to start: worth it from two files on
AHEAD_FILES = 64  # files read ahead of the one being stored, at most (room for either side to run ahead:
# at 32 the helper ran out of requests ~10 times in the province's 2,000 returns, 0.1 s in all, while the
# storing side counted a group's persons) …
AHEAD_BYTES = 4 << 20  # … and no more (on disk) than this beyond the first
# Small files are handed to the helper process together, BATCH_FILES at a time as long as they
# are BATCH_BYTES together on disk: each handoff cost the two processes ~0.45 ms of work (2,000
# returns of 50 rows: 7.4 -> 6.7 s of processor time, 4.6 -> 4.1 s of import). A batch's answers
# (about 1.5 times the files' size, the files' bytes left out) then fit the pipe they go through
# (64 KB on Linux): a larger batch kept the helper waiting until the storing side had read it
# (500 returns of 200 rows, 4 to a batch: 2.6-3.1 s; 2 to a batch: 2.4-2.7 s). Measured with the
# process pool, whose helper wrote each answer itself; the helper's sender thread (reader_process)
# no longer waits on the pipe, and these sizes have not been measured again since.
BATCH_FILES = 4
BATCH_BYTES = 48 << 10
MSG_READER_DIED = "读取此文件时读取程序意外退出（文件可能已损坏或结构异常），此文件未导入；其余文件照常导入"
MSG_CHANGED = "读取后文件被改动过（可能正在 Excel 或 WPS 中编辑保存），此文件未导入：请保存关闭后再导入"
MSG_READER_DIED_ONE = "读取此文件时读取程序意外退出（文件可能已损坏或结构异常），未导入：请用 Excel 或 WPS 打开后另存为新文件再试"


def prepare(path: Path, today: dt.date) -> Prepared:
    """Everything about a file that needs no census (runs in the helper process).

    A returned correction list, or a file whose header cannot be found, is only read: planning
    it in the main process says what it is or why it cannot be imported."""
    prepared = read_file(path)
    if read_list(prepared.workbook, prepared.path.name) is not None:
        return prepared
    try:
        chosen = choose_sheets(prepared.workbook)
    except CensusError:
        return prepared
    sheet, header, more, _warnings = chosen
    parts = [(sheet, header), *more]
    for data_sheet, data_header in parts:
        fill_merged_down(data_sheet, data_header.data_start)
    prepared.chosen = chosen
    prepared.normal = tuple(normalise_sheet(s, h, today) for s, h in parts)
    for data_sheet, data_header in parts:
        _hollow(data_sheet, data_header.data_start)
    return prepared


_HOLLOW: list[object] = []


def _hollow(sheet: Sheet, data_start: int) -> None:
    """The data rows travel normalised: the sheet keeps their number (progress, ImportPlan.data_rows)
    and the lines above them (the region is guessed from titles), not their cells, which would be
    sent twice (sending every cell cost the storing process more than normalising them did)."""
    rows = sheet.rows
    rows[data_start:] = [_HOLLOW] * (len(rows) - data_start)


def read_cells(path: Path, _today: dt.date | None = None) -> Prepared:
    """Only the reading: hash, size and every cell (the window's review shows and may remap them)."""
    return read_file(path)


# The helper prepares a file only while the storing side is at least this many files behind it:
# closer, it only reads the file (~0.5 ms sooner for a 50-row return) and the storing side chooses
# the sheet and normalises it. The helper decides as it begins each file; a share decided on the
# storing side when files were handed over (up to AHEAD_FILES before they were read) swung from
# none to all and back, and the storing side waited 0.2-0.4 s for the helper in the province's
# 2,000 returns of 50 rows (3.7-4.2x the bare read alternating, 3.4-3.7x now; at 2 the storing
# side still waited a little, at 8 it did more of the work).
CLOSE_BEHIND = 4


def prepare_unless_close(path: Path, today: dt.date) -> Prepared:
    """What the helper does with a file of a folder: all of prepare, or only the reading while
    the storing side is fewer than CLOSE_BEHIND files behind (it would wait for this one soon)."""
    lead = reader_process.lead()
    if lead is not None and lead < CLOSE_BEHIND:
        return read_cells(path)
    return prepare(path, today)


def read_small(work: Work, path: Path, today: dt.date) -> Prepared:
    """A small file of a batch (runs in the helper process), its answer without the file's
    bytes, which the storing side reads again (_with_bytes): the bytes were most of a small
    return's answer, and sending them cost the storing side more than reading them again."""
    prepared = work(path, today)
    return replace(prepared, workbook=replace(prepared.workbook, data=b""))


def _with_bytes(prepared: Prepared) -> Prepared:
    """An answer of read_small with its file's bytes read again here, the same bytes the helper
    read (same hash: a file saved again meanwhile is refused, its rows would not be these)."""
    data = file_bytes(prepared.path)
    if hashlib.sha256(data).hexdigest() != prepared.sha256:
        raise CensusError(MSG_CHANGED, file=prepared.path.name)
    return replace(prepared, workbook=replace(prepared.workbook, data=data))


def read_isolated(path: Path, work: Work = read_cells) -> Prepared:
    """One file read in a helper process, for a window that reads a workbook outside the import
    review (the population table): a native reader that aborts ends the helper, and the window
    gets one Chinese line instead of dying. `work` is for tests, as in ReadAhead."""
    with ReadAhead([path], work=work, isolate=True) as ahead:
        try:
            prepared = ahead.take(0)
        except ReaderDied:
            raise ReaderDied(MSG_READER_DIED_ONE, file=path.name) from None
    assert prepared is not None  # a path, not a reviewed plan
    return prepared


class ReadAhead:
    """Reads the next files while items[index] is stored. Items that are not paths (plans the
    clerk reviewed) are skipped. Use as a context manager: the helper is stopped on the way out."""

    helper_chooses: ClassVar[bool] = True  # off: the helper prepares every file (bench: the baseline)

    def __init__(self, items: Sequence[object], work: Work = prepare,
                 isolate: bool = False):
        """`work`: what the helper does with a file (a module-level function, as the helper
        process imports it by name; tests hand one that fails). `isolate`: a helper process even
        for one file (the window reads every file there, so a reader crash cannot take it down)."""
        self._items = items
        self._work = work
        self._pending: dict[int, Future | Reply] = {}
        self._fatal: set[int] = set()  # files a helper died reading: not read again
        self._next = 0  # the first file not handed to the helper yet (each call looks only from there on)
        self._sizes: dict[int, int] = {}
        self._today = dt.date.today()
        self._use_process = isolate or sum(isinstance(i, Path) for i in items) >= PROCESS_MIN_FILES
        self._executor: ReaderProcess | ThreadPoolExecutor | None = None

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc) -> None:
        """Stop the helper. After a cancel (files read ahead and never taken) without waiting for
        the file it is reading: a large one takes seconds, and its answer is not wanted."""
        self._stop(wait=all(f.done() for f in self._pending.values()))

    def start(self) -> bool:
        """Start reading the first files now (the helper process takes a while to start: the
        caller may prepare meanwhile). Whether there is any file to read."""
        self._start_ahead(-1)
        return bool(self._pending)

    def take(self, index: int) -> Prepared | None:
        """What reading items[index] gave (None for a reviewed plan), after starting the next read.
        Raises the file's CensusError (unreadable, encrypted…) like reading it here would."""
        if not isinstance(self._items[index], Path):
            self._start_ahead(index)
            return None
        return self._answer(index)

    def _answer(self, index: int) -> Prepared:
        if index in self._fatal:  # the helper died reading it, while reading ahead
            self._start_ahead(index)
            raise ReaderDied(MSG_READER_DIED, file=self._items[index].name)  # type: ignore[attr-defined]
        future = self._start(index)
        assert future is not None
        if isinstance(future, Reply):
            future.taking()
        self._start_ahead(index)
        self._pending.pop(index, None)
        try:
            answer = future.result()
        except BrokenProcessPool:
            self._note_death(index, future)
            if index not in self._fatal:  # the helper died before or after it: a new one reads it
                self._restart(index)
                return self._answer(index)
            self._restart(index + 1)
            raise ReaderDied(MSG_READER_DIED, file=self._items[index].name) from None  # type: ignore[attr-defined]
        # read_small's answers come without the file's bytes (an empty file is never an answer)
        return answer if answer.workbook.data else _with_bytes(answer)

    def _note_death(self, index: int, future: Future | Reply) -> None:
        """The helper ended: the file it was reading is not given to a helper again (it fails
        when its turn comes); the others (answers lost with it, or not begun) are read again. A
        helper that ends before its first request cannot start here (a bundle that cannot run
        itself): files are read on a thread from then on."""
        reader = self._executor
        if isinstance(reader, ReaderProcess) and not reader.started_any:
            log.warning("the reader process ended before reading anything; reading on a thread")
            self._stop(wait=False)
            self._use_process = False
            return
        died_on = [i for i, reply in [(index, future), *self._pending.items()]
                   if isinstance(reply, Reply) and reply.died_on_it()]
        # Between two files (a request it could not take in, or killed from outside): the file
        # asked for is blamed, so that every death moves the import on.
        for i in died_on or [index]:
            log.error("the reader process died reading %s", self._items[i])
            self._fatal.add(i)

    def ready(self, index: int) -> bool:
        """Whether items[index] can be had without waiting (a reviewed plan always can)."""
        future = self._pending.get(index)
        return future is None or future.done()

    def _start_ahead(self, index: int) -> None:
        """Keep the helper busy: the next few files, as long as they are small together (a
        handoff per file costs more than reading a 200-row return; a province's large files are
        read one ahead, so only two are held at once). Small files go in batches of BATCH_FILES:
        the last few in reach wait for the next call until a batch is full, unless they are the
        folder's last."""
        first = max(index + 1, self._next)  # the files before it are in the helper's hands already
        budget = AHEAD_BYTES - sum(map(self._size, range(index + 1, first)))
        batch: list[int] = []
        end = first
        for i in range(first, min(index + 1 + AHEAD_FILES, len(self._items))) if budget > 0 else ():
            end = i + 1
            budget -= self._size(i)
            if self._batched(i, batch):
                batch.append(i)
            else:
                self._submit_batch(batch)
                batch = [i] if self._batched(i, []) else []
                if not batch:
                    self._start(i)
            if budget <= 0:
                break
        if len(batch) == BATCH_FILES or budget <= 0 or (batch and batch[-1] == len(self._items) - 1):
            self._submit_batch(batch)
            batch = []
        self._next = batch[0] if batch else max(end, self._next)
        if self._next >= len(self._items) and isinstance(self._executor, ReaderProcess):
            self._executor.no_more()  # every file handed over: it ends when done, not at our stop

    def _batched(self, index: int, batch: list[int]) -> bool:
        """Whether items[index] goes to the helper with the files of `batch` (consecutive, not
        started yet, small, the helper a process)."""
        return (self._use_process and index not in self._pending and index not in self._fatal
                and isinstance(self._items[index], Path) and len(batch) < BATCH_FILES
                and sum(self._size(i) for i in (*batch, index)) <= BATCH_BYTES)

    def _submit_batch(self, batch: list[int]) -> None:
        if len(batch) == 1:
            self._start(batch[0])
        elif batch:
            calls = [(read_small, (self._work_now(), self._items[i], self._today)) for i in batch]
            try:
                reader = self._executor or self._new_executor()
                assert isinstance(reader, ReaderProcess)  # batches only while there is one (_batched)
                replies = reader.submit_many(calls)
            except (OSError, RuntimeError):  # no process here: _submit says so and reads on a thread
                for i in batch:
                    self._start(i)
                return
            self._pending.update(zip(batch, replies, strict=True))

    def _size(self, index: int) -> int:
        """A file's size on disk, asked once (0 for a plan, or a file that cannot be read: reading
        it says why)."""
        size = self._sizes.get(index)
        if size is None:
            item = self._items[index]
            try:
                size = item.stat().st_size if isinstance(item, Path) else 0
            except OSError:
                size = 0
            self._sizes[index] = size
        return size

    def _start(self, index: int) -> Future | Reply | None:
        item = self._items[index] if index < len(self._items) else None
        if not isinstance(item, Path) or index in self._fatal:
            return None
        if index not in self._pending:
            self._pending[index] = self._submit(item)
        return self._pending[index]

    def _submit(self, path: Path) -> Future | Reply:
        if self._use_process:
            try:
                reader = self._executor or self._new_executor()
                return reader.submit(self._work_now(), path, self._today)
            except (OSError, RuntimeError) as err:  # no process here (RuntimeError: unguarded __main__)
                log.warning("no reader process (%s); reading on a thread", err)
                self._stop(wait=False)
                self._use_process = False
        return (self._executor or self._new_executor()).submit(read_cells, path)

    def _work_now(self) -> Work:
        """What the helper does with a file: `prepare` as far as the storing side lets it
        (prepare_unless_close: importers.plan and .job normalise a file that came only read), unless
        `helper_chooses` is off."""
        return prepare_unless_close if self._work is prepare and self.helper_chooses else self._work

    def _restart(self, index: int) -> None:
        self._stop(wait=False)
        for i in [i for i in self._pending if i >= index]:
            del self._pending[i]
        self._next = min(self._next, index)
        self._start(index)

    def _new_executor(self) -> ReaderProcess | ThreadPoolExecutor:
        """A helper process (it imports only the readers), or a thread where there is none.
        Raises OSError or RuntimeError when the process cannot start."""
        self._executor = ReaderProcess() if self._use_process else ThreadPoolExecutor(1, thread_name_prefix="read-ahead")
        return self._executor

    def _stop(self, wait: bool) -> None:
        """Stop the helper: after what it was given (`wait`), or now."""
        executor, self._executor = self._executor, None
        if isinstance(executor, ReaderProcess):
            executor.stop(wait)
        elif executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)
