"""The import review at a province's size: 20,000 regions and hundreds of files, the window kept
responsive (the dialog used to take 0.4 s to build and show, and reading hundreds of files paused
the window for 0.1 s at every full collection)."""

from __future__ import annotations

import gc

from gui.import_dialog import ImportDialog
from gui.worker import TaskRunner
from models.bulk_gc import BULK_THRESHOLDS
from models.census import Census


def regions(longest: str) -> list[str]:
    return ["大省", *(f"大省/第{i}社区" for i in range(20_000)), f"大省/{longest}"]


def test_the_region_box_is_not_as_wide_as_its_longest_path(qtbot, tmp_path):
    """Measuring 20,000 paths for the box's width was most of building the review (0.2 s)."""
    widths = []
    for longest in ("短", "很长的名称" * 60):
        dialog = ImportDialog(None, tmp_path / "c.census", [], TaskRunner(), regions(longest))
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.region.count() == 20_002
        widths.append(dialog.region.sizeHint().width())
        dialog.close()
    assert widths[0] == widths[1]
    # and its rows are laid out as one height (with the style sheet, row by row was 0.6 s a dialog)
    assert dialog.region.view().uniformItemSizes()


def test_the_files_are_read_for_review_with_fewer_collections(tmp_path, monkeypatch):
    import gui.import_ops as import_ops
    from importers.job import run_to_end

    seen = []
    monkeypatch.setattr(import_ops, "plan_path",
                        lambda census, path, read: seen.append(gc.get_threshold()) or None)
    with Census.open(tmp_path / "c.census"):
        pass
    paths = [tmp_path / f"{n}.csv" for n in range(2)]
    for path in paths:
        path.write_text("姓名,身份证号码\n", encoding="utf-8")
    before = gc.get_threshold()
    entries = run_to_end(import_ops.plan_paths(tmp_path / "c.census", paths, lambda: False))
    assert [e.path for e in entries] == paths and seen == [BULK_THRESHOLDS] * 2
    assert gc.get_threshold() == before



def test_collections_stay_few_while_the_review_holds_the_files(qtbot, tmp_path):
    """Once planning ended and the usual thresholds came back, collections walked every cell the
    review holds on the window's thread (500 returns: 40 + 84 ms as the list was filled); they
    stay few until the dialog closes, or goes with its window."""
    before = gc.get_threshold()
    with Census.open(tmp_path / "c.census"):
        pass
    dialog = ImportDialog(None, tmp_path / "c.census", [], TaskRunner(), ["大省"])
    qtbot.addWidget(dialog)
    assert gc.get_threshold() == BULK_THRESHOLDS
    qtbot.waitUntil(lambda: not dialog.planning)
    dialog.reject()
    assert gc.get_threshold() == before
    gone = ImportDialog(None, tmp_path / "c.census", [], TaskRunner(), ["大省"])
    assert gc.get_threshold() == BULK_THRESHOLDS
    qtbot.waitUntil(lambda: not gone.planning)
    gone.deleteLater()
    qtbot.waitUntil(lambda: gc.get_threshold() == before)


def test_a_new_region_is_told_from_the_tree_by_a_lookup(qtbot, tmp_path):
    """Each file's row asked whether its region is new by scanning the list of 20,000 paths."""
    with Census.open(tmp_path / "c.census"):
        pass
    dialog = ImportDialog(None, tmp_path / "c.census", [], TaskRunner(), regions("长"))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.planning)
    assert not dialog._is_new("大省/第19999社区") and dialog._is_new("大省/第20000社区") and not dialog._is_new("")
