"""The import steps the review dialog runs on the worker thread (each with its own connection).

Thin glue over importers.plan and importers.files: plan every file (a failure is kept with its
Chinese message; a returned correction list is recognised by its mark and planned as one), then
run the same per-file loop as the command line; a duplicate is reported as skipped, a cancel
rolls back the current file and leaves the rest untouched.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from gui.counted import Counted, counted
from importers.files import Outcome, import_files
from importers.job import Progress
from importers.plan import ImportPlan
from importers.read_ahead import ReadAhead, read_cells
from importers.returned_list import ReturnedListPlan, plan_path
from models.bulk_gc import fewer_collections
from models.census import Census
from models.errors import CensusError

log = logging.getLogger(__name__)

# The review reads the cells only: it shows them and the clerk may map columns anew, so rows are
# normalised when imported (in this process), not in the helper.
READ_FOR_REVIEW = read_cells


@dataclass
class PlanEntry:
    path: Path
    plan: ImportPlan | ReturnedListPlan | None = None
    error: str = ""

    @property
    def file_name(self) -> str:
        return self.path.name


def plan_paths(census_path: Path, paths: Sequence[Path],
               cancel: Callable[[], bool]) -> Generator[Progress, None, list[PlanEntry]]:
    """Read (in a helper process: a reader that crashes on a file fails that file, not the window)
    and plan every file for the review. Every cell of every file is held for the review: with the
    collector at its usual pace, full collections walking them all (0.1 s each, holding Python's
    lock) paused the window every few hundred files, so it runs with fewer (models.bulk_gc)."""
    entries: list[PlanEntry] = []
    with Census.open(census_path) as census, ReadAhead(paths, work=READ_FOR_REVIEW, isolate=True) as ahead, \
            fewer_collections():
        for i, path in enumerate(paths):
            if cancel():
                break
            yield Progress(i, len(paths), f"正在读取 {path.name}")
            try:
                entries.append(PlanEntry(path, plan_path(census, path, read=ahead.take(i))))
            except CensusError as err:
                entries.append(PlanEntry(path, error=err.message))
            except Exception:
                log.error("planning %s failed\n%s", path, traceback.format_exc())
                entries.append(PlanEntry(path, error="读取时出现内部错误（已记录到日志），请检查文件或联系技术人员"))
    yield Progress(len(paths), len(paths), "读取完成")
    return entries


@dataclass
class ImportRun:
    """What storing the reviewed files gave, and what the window shows next (gui/counted.py)."""

    outcomes: list[Outcome]
    view: Counted


def run_imports(census_path: Path, plans: Sequence[ImportPlan | ReturnedListPlan],
                cancel: Callable[[], bool]) -> Generator[Progress, None, ImportRun]:
    """Store the reviewed plans on this thread's own connection (importers.files' one loop), then
    work out what the window shows next here too: a province's is 0.6–0.8 s the GUI thread would
    otherwise spend."""
    with Census.open(census_path) as census:
        outcomes = yield from import_files(census, plans, cancel)
        yield Progress(1, 1, "正在统计")
        return ImportRun(outcomes, counted(census))
