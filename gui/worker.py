"""One adapter for background work: a callable or a progress generator on a worker thread.

Like Picard's ``run_task`` and TagStudio's generator adapter: the work function receives a
`Control`: ``cancel()`` says whether the user cancelled, ``cancel.report(done, total, text)``
sends progress from callback-style code; if it returns a generator, every yielded value becomes a
``progress(done, total, message)`` signal and the generator's return value is the result.
Exactly one of ``finished(result)`` or ``failed(message)`` is always emitted, on the GUI thread.
Census work runs on a pool with a single thread, so writes never race; each task opens its own
`Census` connection (SQLite connections belong to one thread).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from models.errors import CensusError

log = logging.getLogger(__name__)

INTERNAL_ERROR = "程序内部出错，操作未完成。详细信息已记录到日志文件，请联系技术人员。"


class Control:
    """What a task receives: call it to know whether the user cancelled; `report` sends progress."""

    def __init__(self, worker: Worker):
        self._worker = worker

    def __call__(self) -> bool:
        return self._worker.is_cancelled()

    def report(self, done: int, total: int, message: str = "") -> None:
        self._worker.report(done, total, message)


class Worker(QObject):
    """Runs one task; lives on the GUI thread, its function on a pool thread."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    _progress = Signal(int, int, str)
    _result = Signal(bool, object)

    def __init__(self, fn: Callable[[Callable[[], bool]], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn
        self._cancel = threading.Event()
        self._last_progress = 0.0
        self.done = False
        self.error: str | None = None
        self.result: Any = None
        self.answer_to: tuple[Callable | None, Callable | None] = (None, None)  # on finished, on failed
        # Both land on this object's (GUI) thread: queued across threads.
        self._progress.connect(self._on_progress)
        self._result.connect(self._on_result)

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int, message: str = "", force: bool = False) -> None:
        """Progress from the pool thread (throttled to about twenty a second)."""
        now = time.monotonic()
        if force or now - self._last_progress >= 0.05:
            self._last_progress = now
            self._progress.emit(int(done), int(total), str(message))

    # ---- pool thread -------------------------------------------------------------------------
    def run_task(self) -> None:
        """On the pool thread: run the task and answer with exactly one of finished or failed."""
        try:
            value = self._fn(Control(self))
            if isinstance(value, Generator):
                value = self._drain(value)
        except CensusError as err:
            self._result.emit(False, str(err))
        except BaseException:  # MemoryError, a Rust panic, SystemExit: every task is answered
            log.error("background task failed\n%s", traceback.format_exc())
            self._result.emit(False, INTERNAL_ERROR)
        else:
            self._result.emit(True, value)

    def _drain(self, gen: Generator) -> Any:
        while True:
            try:
                item = next(gen)
            except StopIteration as stop:
                return stop.value
            self.report(*_as_progress(item))

    # ---- GUI thread ------------------------------------------------------------------------
    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if not self.done:
            self.progress.emit(done, total, message)

    @Slot(bool, object)
    def _on_result(self, ok: bool, value: object) -> None:
        self.done = True
        if ok:
            self.result = value
            self.finished.emit(value)
        else:
            self.error = str(value)
            self.failed.emit(str(value))


def _as_progress(item: Any) -> tuple[int, int, str]:
    if hasattr(item, "done") and hasattr(item, "total"):
        return int(item.done), int(item.total), str(getattr(item, "message", "") or "")
    if isinstance(item, tuple):
        done, total, *rest = (*item, "")
        return int(done), int(total), str(rest[0] if rest else "")
    if isinstance(item, int | float):
        return int(item), 0, ""
    return 0, 0, str(item)


class _Runnable(QRunnable):
    def __init__(self, worker: Worker):
        super().__init__()
        self.worker = worker
        self.setAutoDelete(True)

    def run(self) -> None:
        self.worker.run_task()


class TaskRunner(QObject):
    """Starts workers on a one-thread pool and keeps them alive until they report."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, default_fail: Callable[[str], None] | None = None):
        super().__init__(parent)
        self.default_fail = default_fail
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._active: set[Worker] = set()

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def start(self, fn: Callable[[Callable[[], bool]], Any], on_done: Callable[[Any], None] | None = None,
              on_fail: Callable[[str], None] | None = None,
              on_progress: Callable[[int, int, str], None] | None = None) -> Worker:
        worker = Worker(fn, self)
        worker.answer_to = (on_done, on_fail or self.default_fail)
        if on_progress:
            worker.progress.connect(on_progress)
        # Bound slots, not lambdas holding `worker` and `self`: such a lambda, kept by the worker's
        # connection, tied a Python-owned runner's life to the worker's and to the collector, which
        # could free the runner (and delete the worker with it) while the worker's own deferred
        # delete was running: a segfault in QObject::~QObject during event processing.
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self._active.add(worker)
        if len(self._active) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Runnable(worker))
        return worker

    @Slot(object)
    def _finished(self, value: object) -> None:
        worker = self.sender()
        if isinstance(worker, Worker):
            self._settle(worker, worker.answer_to[0], value)

    @Slot(str)
    def _failed(self, message: str) -> None:
        worker = self.sender()
        if isinstance(worker, Worker):
            self._settle(worker, worker.answer_to[1], message)

    def _settle(self, worker: Worker, callback: Callable | None, value: Any) -> None:
        self._active.discard(worker)
        try:
            if callback:
                callback(value)
        finally:
            if not self._active:
                self.busy_changed.emit(False)
            worker.deleteLater()

    def cancel_all(self) -> None:
        for worker in list(self._active):
            worker.cancel()

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
