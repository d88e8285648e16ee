"""The demo census: sample returns the project makes itself, imported into a fresh census file.

Used by `python main.py --demo`, the window's 打开示例 and `python main.py demo FILE`. The returns
are written beside the census (folder ``<census name>_示例报表``) so a user can open them in Excel
and see what the importer made of each one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from demo.samples import demo_regions, write_demo_returns, write_population
from importers.job import import_file
from importers.population import load_population
from models.census import Census, remove_census_file

DEMO_TITLE = "青山市社会工作专业人才摸排（示例）"


def build_demo_census(path: Path, progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Write sample returns and import them into a new census at `path` (replacing it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_census_file(path)
    folder = path.parent / f"{path.stem}_示例报表"
    folder.mkdir(exist_ok=True)
    regions = demo_regions()
    population = write_population(folder / "户籍人口.xlsx", regions)
    returns = write_demo_returns(folder, regions)
    total = len(returns) + 1
    with Census.open(path) as census:
        census.set_title(DEMO_TITLE)
        load_population(census, population)
        if progress:
            progress(1, total, "户籍人口")
        for done, sample in enumerate(returns, start=2):
            import_file(census, sample.path, region=sample.region)
            if progress:
                progress(done, total, sample.path.name)
    return path
