"""Fewer garbage collections while bulk work builds up many objects that are no garbage.

An import keeps every row's facts until its group of files is counted (a 100k-row folder holds
some 300,000 tuples and lists); CPython's cyclic collector walks all of them again every time
enough new ones were made, which took 0.25 s of a 3 s folder import and 0.2 s of a 100k-row
return on this project's 2-core test machine. Those rows hold no reference cycles, so while bulk
work runs the collector runs rarely (it still runs: a cycle made meanwhile is freed, later): once
per million new objects. A young collection walks every object made since the last one, so its
total cost follows what was made, not how often it runs; a 100k-row return makes about a million
(cells' rows, normalised rows, facts, persons), and at 50,000 a collection it still spent 0.09 s
in eight of them, at a million once in 0.03 s.

The thresholds are the process's, shared by all threads: the first bulk job to start raises
them and the last to end puts back what was there. What the work made and keeps (a province's
region tree, the results, the pinyin table) is then moved to the oldest generation in one step
(gc.freeze and unfreeze splice lists; nothing is walked): put back as it was, the first
allocation after walked all of it as the young generation (after the province's 2,000 returns:
27 ms, nothing collected). The next full collection looks at it, as at anything long-lived.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

BULK_THRESHOLDS = (1_000_000, 20, 100)  # young objects per collection; collections per older one

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Around bulk work (an import, a recount of everybody, a merge)."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*BULK_THRESHOLDS)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                gc.freeze()
                gc.unfreeze()  # into the oldest generation
                gc.set_threshold(*_saved)
