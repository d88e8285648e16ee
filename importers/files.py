"""Importing several returns: which files a folder stands for, and the one per-file loop the
command line and the window both run (each file its own transaction; a duplicate is skipped, a
failure is kept with its Chinese message and the next file goes on, a full disk stops the run)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from importers.job import ImportJob, ImportResult, Progress
from importers.plan import ImportPlan, plan_file
from models.census import Census
from models.errors import CensusError, DiskFull, DuplicateImport, ImportCancelled

log = logging.getLogger(__name__)

RETURN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".htm", ".html")


def expand_paths(items: Iterable[str | Path]) -> list[Path]:
    """Files as given (each once); a folder stands for the spreadsheets directly inside it, sorted
    by name, without Excel's lock files (~$…) and hidden files."""
    out: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            out += sorted(p for p in path.iterdir()
                          if p.is_file() and p.suffix.lower() in RETURN_SUFFIXES and not p.name.startswith(("~$", ".")))
        elif path not in out:
            out.append(path)
    return out


@dataclass
class Outcome:
    """What happened to one file: "imported", "duplicate", "failed", "cancelled" or "not_run"."""

    file_name: str
    status: str
    result: ImportResult | None = None
    message: str = ""
    plan: ImportPlan | None = field(default=None, repr=False)
    error: CensusError | None = field(default=None, repr=False)

    STATUS_LABELS = {"imported": "已导入", "duplicate": "已跳过", "failed": "失败", "cancelled": "已取消",
                     "not_run": "未导入"}

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status]

    def describe(self) -> str:
        if self.status == "imported" and self.result is not None:
            return self.result.describe()
        if self.status == "duplicate":
            return f"{self.file_name}：已跳过（此前已导入过内容相同的文件，没有人被重复计数）。{self.message}"
        return f"{self.file_name}：{self.status_label}。{self.message}"


def import_files(census: Census, items: Sequence[ImportPlan | Path], cancel: Callable[[], bool] | None = None,
                 region: str | None = None, on_done: Callable[[Outcome], None] | None = None,
                 ) -> Generator[Progress, None, list[Outcome]]:
    """Store each planned file (a path is planned on the spot, with `region` if given), one
    transaction each; yields overall progress, returns one Outcome per item. `on_done` hears of
    each file as soon as it is finished (the command line prints as it goes)."""
    outcomes: list[Outcome] = []
    sizes = [max(i.data_rows, 1) if isinstance(i, ImportPlan) else 1 for i in items]
    total = sum(sizes)
    base = 0
    stopped = ""
    for item, size in zip(items, sizes, strict=True):
        name = item.file_name if isinstance(item, ImportPlan) else item.name
        if stopped or (cancel and cancel()):
            outcome = Outcome(name, "not_run", message=stopped or "导入已取消，此文件未导入")
        else:
            outcome = yield from _one(census, item, cancel, region, base, size, total)
            if isinstance(outcome.error, DiskFull):  # every further file would fail the same way
                stopped = "磁盘空间不足，此文件未导入"
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
        base += size
    yield Progress(total, total, "完成")
    return outcomes


def _one(census: Census, item: ImportPlan | Path, cancel: Callable[[], bool] | None, region: str | None,
         base: int, size: int, total: int) -> Generator[Progress, None, Outcome]:
    name = item.file_name if isinstance(item, ImportPlan) else item.name
    job = None
    try:
        plan = item if isinstance(item, ImportPlan) else plan_file(census, item, region=region)
        job = ImportJob(census, plan)
        for step in job.run(cancel=cancel):
            done = base + (min(step.done, step.total) * size // step.total if step.total else 0)
            yield Progress(done, total, step.message)
        return Outcome(name, "imported", job.result, plan=plan)
    except DuplicateImport as dup:
        return Outcome(name, "duplicate", job.result if job else None, dup.message, error=dup)
    except ImportCancelled as err:
        return Outcome(name, "cancelled", message=err.message, error=err)
    except CensusError as err:
        return Outcome(name, "failed", message=err.message, error=err)
    except Exception:
        log.error("importing %s failed\n%s", item, traceback.format_exc())
        return Outcome(name, "failed", message="导入时出现内部错误，此文件未写入（已记录到日志）")
