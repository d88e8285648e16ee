"""`census.settings`: the settings table (key → text) and the counting rules kept in it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from models.rules import Rules

if TYPE_CHECKING:
    from models.census import Census


class Settings:
    """Key/value settings of one census; the rules are cached until `forget()`."""

    def __init__(self, census: Census):
        self._census = census
        self._rules: Rules | None = None

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._census.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, key: str, value: str) -> None:
        """Write one setting (inside the caller's transaction)."""
        self._census.conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    def census_id(self) -> str | None:
        """This census's identity, carried by the correction lists it writes so that a list
        returned to another census file is refused; None until the first list is written."""
        return self.get("census_id")

    def new_census_id(self) -> str:
        """An identity for a census that has none yet (stored with `set_census_id` once the lists
        carrying it are written: a failed export leaves the census untouched)."""
        return str(uuid.uuid4())

    def set_census_id(self, value: str) -> None:
        with self._census.transaction():
            self.set("census_id", value)

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            self._rules = Rules.from_json(self.get("rules"))
        return self._rules

    def set_rules(self, rules: Rules, progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> None:
        """Store new rules and recount everybody under them, in one transaction: a cancel
        (RecountCancelled) or any failure leaves the old rules and every count as they were."""
        before = self._rules
        try:
            with self._census.transaction():
                self.set("rules", rules.to_json())
                self._rules = rules
                self._census.people.recompute(progress=progress, cancel=cancel)
        except BaseException:
            self._rules = before
            raise

    def forget(self) -> None:
        self._rules = None
