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
from models.errors import CensusError

DEMO_TITLE = "青山市社会工作专业人才摸排（示例）"


MSG_NOT_DEMO = "文件已存在，且不是示例普查文件：生成示例不会覆盖它，请换一个文件名（如 示例.census）"


def refuse_to_overwrite(path: Path) -> None:
    """A file at `path` may be replaced by the demo only when it is a demo census itself: a clerk's
    real census (or any other file) typed as the demo's name is never deleted."""
    if not path.exists():
        return
    try:
        with Census.open_unchanged(path) as census:
            title = census.title
    except CensusError:
        title = None
    if title != DEMO_TITLE:
        raise CensusError(MSG_NOT_DEMO, file=path.name)


def build_demo_census(path: Path, progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Write sample returns and import them into a new census at `path` (replacing an earlier demo
    census there; any other file is refused: refuse_to_overwrite)."""
    path = Path(path)
    refuse_to_overwrite(path)
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
