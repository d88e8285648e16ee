"""The worker adapter: progress as signals, and exactly one of finished/failed, always."""

from __future__ import annotations

from gui.worker import INTERNAL_ERROR, TaskRunner
from models.errors import CensusError


def run(qtbot, fn):
    runner = TaskRunner()
    seen = {"done": [], "failed": [], "progress": []}
    runner.start(fn, seen["done"].append, seen["failed"].append,
                 lambda d, t, m: seen["progress"].append((d, t, m)))
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    runner.wait()
    return seen


def test_generator_reports_progress_and_returns_its_value(qtbot):
    def task(cancel):
        yield (0, 2, "开始")
        return "结果"

    seen = run(qtbot, task)
    assert seen["done"] == ["结果"] and seen["failed"] == []
    assert seen["progress"] == [(0, 2, "开始")]


def test_census_error_becomes_its_chinese_message(qtbot):
    def task(cancel):
        raise CensusError("文件不存在", file="a.xlsx")

    seen = run(qtbot, task)
    assert seen["done"] == [] and seen["failed"] == ["a.xlsx：文件不存在"]


def test_a_bug_is_reported_without_a_traceback(qtbot):
    def task(cancel):
        return 1 / 0

    seen = run(qtbot, task)
    assert seen["failed"] == [INTERNAL_ERROR] and seen["done"] == []


def test_errors_beyond_exception_are_answered_too(qtbot):
    """MemoryError, SystemExit and a Rust panic (a BaseException) must not leave a progress dialog open."""

    def out_of_memory(cancel):
        raise MemoryError

    def exits(cancel):
        raise SystemExit(2)

    for task in (out_of_memory, exits):
        seen = run(qtbot, task)
        assert seen["failed"] == [INTERNAL_ERROR] and seen["done"] == []


def test_cancel_flag_reaches_the_task(qtbot):
    runner = TaskRunner()
    results = []

    def task(cancel):
        while not cancel():
            yield (0, 0, "")
        return "stopped"

    worker = runner.start(task, results.append)
    worker.cancel()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    assert results == ["stopped"]



def test_a_dropped_runner_goes_with_its_finished_workers(qtbot):
    """A runner dropped right after its task is answered is freed by its owner, not from inside its
    worker's deferred delete: a worker's connections once held the runner, so the worker's
    destructor freed a Python-owned runner, which deleted that worker a second time (a segfault
    inside pytest-qt's event processing)."""
    import weakref

    from PySide6.QtWidgets import QApplication

    for n in range(20):
        runner = TaskRunner()
        seen: list = []
        runner.start(lambda cancel, n=n: n, seen.append)
        qtbot.waitUntil(lambda runner=runner: not runner.busy, timeout=10000)
        held = weakref.ref(runner)
        runner.wait()
        del runner
        QApplication.processEvents()  # the worker's deferred delete
        assert seen == [n] and held() is None
