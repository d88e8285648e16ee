"""What the window shows after a change is worked out with the cyclic collector held back: its full
collections walked every object of the process (the window's own summaries too) while holding
Python's lock, pausing a province's window for 0.12–0.17 s, three times in one refresh."""

from __future__ import annotations

import gc

from gui.counted import counted
from models.bulk_gc import BULK_THRESHOLDS
from models.census import Census


def test_the_summary_is_worked_out_with_fewer_collections(tmp_path, monkeypatch):
    before = gc.get_threshold()
    seen = []
    with Census.open(tmp_path / "c.census") as census:
        real = census.summary
        monkeypatch.setattr(census, "summary", lambda: seen.append(gc.get_threshold()) or real())
        view = counted(census)
    assert seen == [BULK_THRESHOLDS] and view.summary == [] and view.batches == []
    assert gc.get_threshold() == before  # put back for the window's own work
