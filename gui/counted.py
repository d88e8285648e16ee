"""What the window shows after a change, worked out by the worker thread that made it.

A province's summary is 0.6 s of work and its import history (5,000 batches, each with its
region's path) 0.1–0.25 s with the region tree built again; a worker that wrote (or opened, or
refreshed) the census works both out on its own connection, and the window only loads them.
"""

from __future__ import annotations

from typing import NamedTuple

from models.census import Census
from models.records import Batch, RegionSummary


class Counted(NamedTuple):
    summary: list[RegionSummary]
    batches: list[Batch]


def counted(census: Census) -> Counted:
    """The census's summary and import history, as the window's reload takes them."""
    return Counted(census.summary(), census.batches.all())
