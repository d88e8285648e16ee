"""Fixtures every test package shares, found by pytest's own conftest discovery.

The test census (测试市, tests/builders.TREE) is built once per session and copied for each test,
as Anki's tests copy a once-created empty collection: loading the population table is the slow
part, and every test still gets a file of its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from importers.population import load_population
from models.census import Census
from tests.builders import write_population


@pytest.fixture(scope="session")
def census_template(tmp_path_factory) -> Path:
    """A closed census file holding the test population table; never opened by a test itself."""
    folder = tmp_path_factory.mktemp("census_template")
    path = folder / "template.census"
    with Census.open(path) as c:
        load_population(c, write_population(folder / "pop.xlsx"))
    return path


@pytest.fixture
def census(tmp_path, census_template) -> Census:
    """A new census of this test's own, holding the test population table (测试市 with two districts)."""
    path = tmp_path / "t.census"
    shutil.copyfile(census_template, path)
    c = Census.open(path)
    yield c
    c.close()
