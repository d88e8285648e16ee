"""What a reader process does with a file, for tests: dies on files named 坏…, as a native reader
aborting on a file nobody foresaw would (the process ends without a Python exception), or only
reads some files, as the helper does while the census side is close behind."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from importers.read_ahead import prepare, read_cells


def prepare_or_die(path: Path, today: dt.date):
    if path.name.startswith("坏"):
        os._exit(3)
    return prepare(path, today)


def read_cells_or_die(path: Path, today: dt.date | None = None):
    if path.name.startswith("坏"):
        os._exit(3)
    return read_cells(path, today)


def only_read_2号(path: Path, today: dt.date):
    return read_cells(path) if path.name.startswith("2号") else prepare(path, today)


def read_all_but_2号(path: Path, today: dt.date):
    return prepare(path, today) if path.name.startswith("2号") else read_cells(path)
