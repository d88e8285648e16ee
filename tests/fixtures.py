"""Fixtures every test package shares (registered with `-p tests.fixtures` in pyproject)."""

from __future__ import annotations

import pytest

from importers.population import load_population
from models.census import Census
from tests.builders import write_population


@pytest.fixture
def census(tmp_path) -> Census:
    """A new census holding the test population table (测试市 with two districts)."""
    c = Census.open(tmp_path / "t.census")
    load_population(c, write_population(tmp_path / "pop.xlsx"))
    yield c
    c.close()
