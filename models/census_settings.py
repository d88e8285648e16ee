"""`census.settings`: the settings table (key → text) and the counting rules kept in it."""

from __future__ import annotations

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

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            self._rules = Rules.from_json(self.get("rules"))
        return self._rules

    def set_rules(self, rules: Rules) -> None:
        """Store new rules and recount everybody under them."""
        with self._census.transaction():
            self.set("rules", rules.to_json())
            self._rules = rules
            self._census.people.recompute()

    def forget(self) -> None:
        self._rules = None
