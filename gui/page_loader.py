"""Pages of the people table read on a thread of their own, for jumps far into the list, and the
number of persons a search finds.

Scrolling on reads the next page by an index seek after the last person shown (milliseconds);
a jump to 50 % of a million persons must count half a million rows first (0.5–0.9 s), which
would freeze the window. Such a page is asked for here: the table shows placeholders at once and
fills the rows when the page arrives. A search (LIKE '%…%' on names and IDs) cannot use an index
either: counting its matches reads every person (0.1–0.2 s at a million, once per search typed),
so it is counted here too. The thread reads through a connection of its own (SQLite connections
belong to one thread), opened once per census file and kept for later jumps.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from models.census import Census
from models.records import Person

log = logging.getLogger(__name__)


class PageLoader(QObject):
    """Reads pages and counts off the GUI thread; `loaded(generation, page, persons)` and
    `counted(generation, found)` arrive on the GUI thread."""

    loaded = Signal(int, int, list)
    counted = Signal(int, object)  # (generation, persons found; -1: the count failed, see the log)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="people-pages")
        self._local = threading.local()  # the reading thread's own census connection

    def request(self, path: Path, generation: int, page: int, read: Callable[[Census], list[Person]]) -> None:
        """Read one page with `read(census)` on the loader's thread, then emit `loaded`."""
        self._submit(self._run, path, generation, page, read)

    def _run(self, path: Path, generation: int, page: int, read: Callable[[Census], list[Person]]) -> None:
        try:
            rows = read(self._census(path))
        except Exception:  # noqa: BLE001 - a failed page stays a placeholder; the log says why
            log.exception("reading a page of persons failed")
            return
        self.loaded.emit(generation, page, rows)

    def request_count(self, path: Path, generation: int, count: Callable[[Census], int]) -> None:
        """Count with `count(census)` on the loader's thread, then emit `counted`."""
        self._submit(self._count, path, generation, count)

    def _submit(self, work: Callable[..., None], *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # closed with its window: nothing more is read
            self._pool.submit(work, *args)

    def _count(self, path: Path, generation: int, count: Callable[[Census], int]) -> None:
        try:
            found = count(self._census(path))
        except Exception:  # noqa: BLE001 - the table says the search failed; the log says why
            log.exception("counting persons failed")
            found = -1
        self.counted.emit(generation, found)

    def _census(self, path: Path) -> Census:
        census: Census | None = getattr(self._local, "census", None)
        if census is not None and census.path == path:
            census.refresh()  # see what the window's writes committed since the last page
            return census
        if census is not None:
            census.close()
        census = self._local.census = Census.open(path, read_only_ok=True)
        return census

    def release(self) -> None:
        """Close the thread's connection (another census is open, or none): a file held open
        could not be moved or replaced on Windows."""
        self._submit(self._close)

    def close(self) -> None:
        """Finish the page being read, close the thread's connection and end the thread."""
        self._pool.submit(self._close)
        self._pool.shutdown(wait=True)

    def _close(self) -> None:
        census = getattr(self._local, "census", None)
        if census is not None:
            census.close()
            self._local.census = None
