"""A province's population table (省 / 市（州） / 区县 / 街道（乡镇） / 社区（村）): the tree it makes,
and that loading it reads the tree from the census once, not once per new node."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

import models.census_regions
from importers.population import load_population
from models.census import Census
from models.regions import RegionTree

HEADER = ("省", "市（州）", "区县", "街道（乡镇）", "社区（村）", "户籍人口")


def _province_rows(cities: int, districts: int, streets: int, communities: int) -> list[tuple]:
    rows: list[tuple] = [("青山省", None, None, None, None, None)]
    for c in range(cities):
        city = f"第{c}市"
        rows.append(("青山省", city, None, None, None, None))
        for d in range(districts):
            district = f"{city}{d}区"
            rows.append(("青山省", city, district, None, None, None))
            for s in range(streets):
                street = f"{district}{s}街道"
                rows.append(("青山省", city, district, street, None, None))
                for n in range(communities):
                    rows.append(("青山省", city, district, street, f"{street}{n}号", 1000 + n))
    return rows


def _write(path: Path, rows: list[tuple]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def test_province_table_makes_five_levels_with_their_kinds(tmp_path):
    path = _write(tmp_path / "户籍人口.xlsx", _province_rows(2, 2, 2, 3))
    with Census.open(tmp_path / "p.census") as census:
        result = load_population(census, path)
        regions = census.regions.all()
        assert result.regions_created == len(regions) == 1 + 2 + 4 + 8 + 24
        kinds = {r.depth: r.kind for r in regions}
        # A community written without 社区/村 is still a community by its column, under a 省 column too.
        assert kinds == {0: "province", 1: "city", 2: "district", 3: "street", 4: "community"}
        node = census.regions.by_path("青山省/第1市/第1市1区/第1市1区0街道/第1市1区0街道2号")
        assert node is not None and node.population == 1002
        assert census.summary()[0].population == sum(1000 + n for n in range(3)) * 8


def test_loading_reads_the_tree_once_not_per_new_node(tmp_path, monkeypatch):
    """Rebuilding the tree per new node made a 20,000-node table quadratic (minutes)."""
    builds = []
    original = RegionTree.__init__

    def counting(self, regions):
        builds.append(len(regions))
        original(self, regions)

    monkeypatch.setattr(models.census_regions.RegionTree, "__init__", counting)
    path = _write(tmp_path / "户籍人口.xlsx", _province_rows(3, 3, 3, 10))  # 1 + 3 + 9 + 27 + 270 nodes
    with Census.open(tmp_path / "p.census") as census:
        builds.clear()
        result = load_population(census, path)
        assert result.regions_created == 310
        # One read before the rows, one for the result once the loaded tree is forgotten.
        assert len(builds) <= 2
        assert len(census.regions.all()) == 310


def test_reloading_the_table_updates_populations_without_new_nodes(tmp_path):
    rows = _province_rows(1, 2, 2, 2)
    with Census.open(tmp_path / "p.census") as census:
        load_population(census, _write(tmp_path / "a.xlsx", rows))
        changed = [(*r[:5], 7) if r[4] else r for r in rows]
        again = load_population(census, _write(tmp_path / "b.xlsx", changed))
        assert again.regions_created == 0
        leaves = [r for r in census.regions.all() if r.depth == 4]
        assert {r.population for r in leaves} == {7}
