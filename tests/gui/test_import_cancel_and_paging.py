"""Cancelling an import stores nothing of the current file; the people table fetches pages lazily."""

from __future__ import annotations

import threading

from gui.import_ops import plan_paths, run_imports
from importers.job import run_to_end
from importers.population import load_population
from models.census import Census
from tests.gui.window_helpers import TUANJIE, import_through_review, make_id, wait_idle, write_return


def test_cancel_inside_a_file_rolls_it_back(tmp_path, returns):
    path = tmp_path / "c.census"
    with Census.open(path) as census:
        load_population(census, returns["population"])
    entries = run_to_end(plan_paths(path, [returns["tuanjie"], returns["xingfu"]], lambda: False))
    plans = [e.plan for e in entries]
    seen = []

    def cancel() -> bool:
        return len(seen) >= 2  # cancel once the first file has started storing rows

    gen = run_imports(path, plans, cancel)
    while True:
        try:
            seen.append(next(gen))
        except StopIteration as stop:
            outcomes = stop.value.outcomes
            break
    assert [o.status for o in outcomes] == ["cancelled", "not_run"]
    with Census.open(path) as census:
        assert census.batches.all() == [] and census.people.count() == 0


def test_cancel_from_the_dialog_before_work_starts(qtbot, window, msgs, tmp_path, returns):
    win = window
    assert win.new_census(tmp_path / "t")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    dialog = win.import_paths([returns["tuanjie"]])
    qtbot.waitUntil(lambda: not dialog.planning, timeout=60000)
    gate = threading.Event()
    win.runner.start(lambda cancel: gate.wait(30))  # hold the single worker thread
    try:
        assert dialog.start_import()
        dialog.cancel()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=60000)
    wait_idle(qtbot, win)
    assert [o.status for o in dialog.outcomes] == ["not_run"]
    assert win.census.batches.all() == []
    dialog.accept()


def test_people_table_fetches_pages(qtbot, window, msgs, tmp_path, returns):
    win = window
    assert win.new_census(tmp_path / "many")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    rows = [(f"人员{n}", "女", make_id(n), "高中", "", "", 130) for n in range(10, 460)]
    big = write_return(tmp_path / "幸福社区摸排表.xlsx", "东区和平街道幸福社区", rows + TUANJIE[:1])
    import_through_review(qtbot, win, [big]).accept()
    model = win.people.model
    assert model.rowCount() == 451
    assert len(model._pages) <= 2  # only what the view has shown so far
    last = model.index(450, 0).data()
    assert last and len(model._pages) <= model.MAX_PAGES
    assert win.people.count.text() == "全部人员：451 人"


def test_the_review_reads_in_a_helper_process_and_survives_a_reader_crash(tmp_path, returns, monkeypatch):
    """A reader that dies on a file (a native abort nobody foresaw) fails that file in the review;
    the window's process and the other files are untouched."""
    import shutil

    import gui.import_ops
    from importers.read_ahead import MSG_READER_DIED
    from tests.importers.reader_crash import read_cells_or_die

    monkeypatch.setattr(gui.import_ops, "READ_FOR_REVIEW", read_cells_or_die)
    path = tmp_path / "c.census"
    with Census.open(path) as census:
        load_population(census, returns["population"])
    bad = shutil.copy(returns["xingfu"], returns["xingfu"].with_name("坏幸福社区摸排表.xlsx"))
    entries = run_to_end(plan_paths(path, [returns["tuanjie"], bad, returns["xingfu"]], lambda: False))
    assert [e.error for e in entries] == ["", MSG_READER_DIED, ""]
    assert entries[0].plan is not None and entries[2].plan is not None
    run = run_to_end(run_imports(path, [entries[0].plan, entries[2].plan], lambda: False))
    assert [o.status for o in run.outcomes] == ["imported", "imported"]
    with Census.open(path) as census:  # the summary the window shows next, worked out by the worker
        assert run.view.summary == census.summary() and run.view.batches == census.batches.all()


def test_closing_the_review_while_it_reads_is_quiet(qtbot, window, msgs, tmp_path, returns):
    """× (or 取消) while the files are still being read: the reading's last progress reports reached
    the deleted dialog's progress bar, an 意外错误 box for the clerk each."""
    win = window
    assert win.new_census(tmp_path / "t")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    files = [write_return(tmp_path / f"团结社区{n}.xlsx", "东区和平街道团结社区", TUANJIE[:1]) for n in range(6)]
    dialog = win.import_paths(files)
    dialog.reject()
    wait_idle(qtbot, win)
    qtbot.wait(100)  # the reports still queued are delivered (pytest-qt fails the test on an exception in them)
    assert win.census.batches.all() == []
