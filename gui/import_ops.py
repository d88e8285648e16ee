"""The import steps the review dialog runs on the worker thread (each with its own connection).

Thin glue over importers.plan and importers.job: plan every file (a failure is kept with its
Chinese message), then run one `ImportJob` per file; a duplicate is reported as skipped, a
cancel rolls back the current file and leaves the rest untouched.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from importers.job import ImportJob, ImportResult, Progress
from importers.plan import ImportPlan, plan_file
from models.census import Census
from models.errors import CensusError, DuplicateImport, ImportCancelled

log = logging.getLogger(__name__)


@dataclass
class PlanEntry:
    path: Path
    plan: ImportPlan | None = None
    error: str = ""

    @property
    def file_name(self) -> str:
        return self.path.name


@dataclass
class Outcome:
    """What happened to one file: "imported", "duplicate", "failed", "cancelled" or "not_run"."""

    file_name: str
    status: str
    result: ImportResult | None = None
    message: str = ""

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


def plan_paths(census_path: Path, paths: Sequence[Path],
               cancel: Callable[[], bool]) -> Generator[Progress, None, list[PlanEntry]]:
    entries: list[PlanEntry] = []
    with Census.open(census_path) as census:
        for i, path in enumerate(paths):
            if cancel():
                break
            yield Progress(i, len(paths), f"正在读取 {path.name}")
            try:
                entries.append(PlanEntry(path, plan_file(census, path)))
            except CensusError as err:
                entries.append(PlanEntry(path, error=err.message))
            except Exception:
                log.error("planning %s failed\n%s", path, traceback.format_exc())
                entries.append(PlanEntry(path, error="读取时出现内部错误（已记录到日志），请检查文件或联系技术人员"))
    yield Progress(len(paths), len(paths), "读取完成")
    return entries


def run_imports(census_path: Path, plans: Sequence[ImportPlan],
                cancel: Callable[[], bool]) -> Generator[Progress, None, list[Outcome]]:
    outcomes: list[Outcome] = []
    total = sum(max(p.data_rows, 1) for p in plans)
    base = 0
    with Census.open(census_path) as census:
        for plan in plans:
            size = max(plan.data_rows, 1)
            if cancel():
                outcomes.append(Outcome(plan.file_name, "not_run", message="导入已取消，此文件未导入"))
                continue
            job = ImportJob(census, plan)
            try:
                for step in job.run(cancel=cancel):
                    done = base + (min(step.done, step.total) * size // step.total if step.total else 0)
                    yield Progress(done, total, step.message)
                outcomes.append(Outcome(plan.file_name, "imported", job.result))
            except DuplicateImport as dup:
                outcomes.append(Outcome(plan.file_name, "duplicate", job.result, dup.message))
            except ImportCancelled as err:
                outcomes.append(Outcome(plan.file_name, "cancelled", message=err.message))
            except CensusError as err:
                outcomes.append(Outcome(plan.file_name, "failed", message=err.message))
            except Exception:
                log.error("importing %s failed\n%s", plan.path, traceback.format_exc())
                outcomes.append(Outcome(plan.file_name, "failed",
                                        message="导入时出现内部错误，此文件未写入（已记录到日志）"))
            base += size
    yield Progress(total, total, "完成")
    return outcomes
