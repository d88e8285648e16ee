"""Backup copies of a census taken before a change that is hard to take back (fold, merge, undo of
an import): kept in a folder of the caller's choosing (the window: the user data folder), named
with the census and the time, the last few per census kept."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.census import Census

KEEP = 5


def backup_census(census: Census, folder: Path, reason: str, keep: int = KEEP) -> Path:
    """Copy the census to folder/<name>-<YYYYmmdd-HHMMSS>-<reason>.census and drop all but the
    newest `keep` copies of this census; returns the copy's path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = _safe(census.path.stem)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stem}-{stamp}-{_safe(reason)}{census.path.suffix}"
    number = 1
    while target.exists():  # two backups within a second
        number += 1
        target = folder / f"{stem}-{stamp}-{_safe(reason)}-{number}{census.path.suffix}"
    census.save_copy(target)
    pattern = re.compile(re.escape(stem) + r"-\d{8}-\d{6}-")
    copies = sorted((p for p in folder.glob(f"{stem}-*{census.path.suffix}") if pattern.match(p.name)),
                    key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in copies[keep:]:
        old.unlink(missing_ok=True)
    return target


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text)[:60]
