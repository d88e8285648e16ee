"""Sort keys for Chinese names in pinyin order, as WPS and Excel sort them (安、白、陈、丁…), not
by code point (丁、万、严…).

The key is stored in `persons.name_key` (indexed) when a person is written, so the people table
sorts in SQL, a page at a time, at a million persons. pypinyin gives each character its common
reading; characters are looked up one by one (a few thousand distinct ones), so a key costs a
dictionary lookup per character.
"""

from __future__ import annotations

import os
import sqlite3
import threading

SQL_FUNCTION = "pinyin_key"
_SYLLABLE_END = "\x01"  # below every letter and digit: li3 sorts before lin2
_NAME_AFTER = "\x02"  # same pinyin: then the characters themselves (张 before 章 by code point)


def _syllable(char: str) -> str:
    """One character's reading with its end mark (asked once per character: _Syllables keeps it)."""
    # Loaded on first use: the command line starts 0.2 s faster. Keys are read one character at a
    # time, so pypinyin's phrase dictionary (a third of a second to load) is never consulted:
    # every one of its 41,923 characters reads the same without it.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True)[0].lower() + _SYLLABLE_END


class _Syllables(dict):
    """Code point -> syllable, filled on first use: str.translate looks every character of a name
    up here in C (a key per person at import was a Python call per character, 1.5 µs a name)."""

    def __missing__(self, code: int) -> str:
        syllable = self[code] = _syllable(chr(code))
        return syllable


_SYLLABLES = _Syllables()


def pinyin_key(name: str | None) -> str:
    """The sort key of a name: its syllables with tones, then the name (ties broken by characters)."""
    name = name or ""
    return name.translate(_SYLLABLES) + _NAME_AFTER + name


def load_in_background() -> None:
    """Load pypinyin's reading dictionary on a thread (once per process; 0.08 s): a folder import
    calls this while it waits for its reader process to start, so that its first persons do not
    wait for it."""
    if not _SYLLABLES:
        threading.Thread(target=pinyin_key, args=("中",), name="pinyin-load", daemon=True).start()


def register(conn: sqlite3.Connection) -> None:
    """Make pinyin_key(name) callable in SQL on this connection (the store fills name_key with it)."""
    conn.create_function(SQL_FUNCTION, 1, pinyin_key, deterministic=True)
