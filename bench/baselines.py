"""Baselines the benchmarks share: what a clerk's analyst could script instead of the app.

    .venv/bin/python -m pip install -r bench/requirements.txt   # pandas, for the naive script

Without pandas the naive script's figure says so instead of a time.
"""

from __future__ import annotations

from pathlib import Path


def naive_pandas(paths: list[Path]) -> str:
    """Read every file, concat, count the cells that look like IDs: no checks at all (no header,
    no region, no ID validation, nobody counted once across files). What we aim to beat while
    doing the whole job."""
    try:
        import pandas as pd
    except ImportError:
        return "pandas not installed (pip install -r bench/requirements.txt)"
    frames = [pd.read_excel(p, sheet_name=None, header=None, engine="calamine") for p in paths]
    table = pd.concat([f for book in frames for f in book.values()], ignore_index=True)
    return f"{table.astype(str).stack().str.fullmatch(r'[0-9]{17}[0-9X]').sum():,} ID cells"
