"""What the window shows after a change, worked out by the worker thread that made it.

A province's summary is 0.6 s of work and its import history (5,000 batches, each with its
region's path) 0.1–0.25 s with the region tree built again; a worker that wrote (or opened, or
refreshed) the census works both out on its own connection, and the window only loads them.

That work makes a few hundred thousand objects that are no garbage; each full collection the
cyclic collector ran meanwhile walked every object of the process, the window's own summaries
too, holding Python's lock for 0.12–0.17 s — three such pauses of the window in a province's
refresh. So it runs with fewer collections (models.bulk_gc), as an import does.
"""

from __future__ import annotations

from typing import NamedTuple

from models.bulk_gc import fewer_collections
from models.census import Census
from models.records import Batch, RegionSummary


class Counted(NamedTuple):
    summary: list[RegionSummary]
    batches: list[Batch]


def counted(census: Census) -> Counted:
    """The census's summary and import history, as the window's reload takes them."""
    with fewer_collections():
        return Counted(census.summary(), census.batches.all())
