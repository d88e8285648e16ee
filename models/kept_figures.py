"""Figures kept until the census file changes.

A summary of a province or of a million persons takes a noticeable moment, and the window, the
command line and the exporters ask for it (and the figures under it) several times between two
changes. What is kept is dropped as soon as anything may have changed: this connection wrote a
row (sqlite3's total_changes, which counts every insert, update and delete, those of triggers and
rolled-back ones included), or another connection committed (PRAGMA data_version).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any


class KeptFigures:
    """Values worked out from one state of the census, by name."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self._state: tuple[int, int] | None = None
        self._values: dict[str, Any] = {}

    def get(self, name: str, compute: Callable[[], Any]) -> Any:
        state = (self._conn.total_changes, self._conn.execute("PRAGMA data_version").fetchone()[0])
        if state != self._state:
            self._values.clear()
            self._state = state
        if name not in self._values:
            self._values[name] = compute()
        return self._values[name]

    def clear(self) -> None:
        self._values.clear()
