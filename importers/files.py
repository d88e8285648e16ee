"""Importing several returns: which files a folder stands for, and the one per-file loop the
command line and the window both run (each file a savepoint, files committed in groups; a
duplicate is skipped, a failure is kept with its Chinese message and the next file goes on, a
full disk stops the run)."""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from importers.job import ImportJob, ImportResult, Progress
from importers.plan import ImportPlan, with_versions_now
from importers.read_ahead import ReadAhead
from importers.returned_list import ReturnedListPlan, ReturnedResult, apply_returned_list, plan_path
from models import persons_aside, pinyin
from models.bulk_gc import fewer_collections
from models.census import Census
from models.census_people import PendingPersons
from models.errors import CensusError, DiskFull, DuplicateImport, ImportCancelled
from models.long_paths import is_dir, long_path, plain
from models.return_versions import VersionsSeen

log = logging.getLogger(__name__)

# What a folder stands for: the returns we read (.et is WPS's own, the .xls format inside; .mht is
# Excel's 单个文件网页, .xml its XML 电子表格 2003, .ods LibreOffice's own), the spreadsheets we
# cannot (.xlsb) and archives (returns sent zipped), so that these fail with a line saying what to
# do (save as .xlsx, unpack first) rather than be left out without a word.
READ_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv", ".htm", ".html", ".mht", ".mhtml", ".xml")
RETURN_SUFFIXES = (*READ_SUFFIXES, ".xlsb", ".zip", ".rar", ".7z")


def expand_paths(items: Iterable[str | Path]) -> list[Path]:
    """Files as given (each once); a folder stands for the spreadsheets in it and in its
    subfolders (returns are often kept one folder per street), in name order, without Excel's
    lock files (~$…) and hidden files or folders."""
    out: list[Path] = []
    seen: set[Path] = set()
    for item in items:
        path = Path(item)
        found = [p for p in _folder_files(path) if p.suffix.lower() in RETURN_SUFFIXES] if is_dir(path) else [path]
        for p in found:
            if p not in seen:
                seen.add(p)
                out.append(p)
    return out


def left_out(items: Iterable[str | Path]) -> list[Path]:
    """The files of the given folders that expand_paths does not take (notes, Word files,
    pictures, a .txt): said in one line, so that a return saved in another format is not lost
    without a word. A .txt chosen on its own is read as a table."""
    return [p for item in items if is_dir(item)
            for p in _folder_files(Path(item)) if p.suffix.lower() not in RETURN_SUFFIXES]


def left_out_line(files: list[Path], shown: int = 5) -> str:
    """"文件夹中另有 N 个文件不是摸排表的格式，未导入：a.txt、b.docx 等" ("" when there are none)."""
    if not files:
        return ""
    names = "、".join(p.name for p in files[:shown]) + (" 等" if len(files) > shown else "")
    return (f"文件夹中另有 {len(files)} 个文件不是摸排表的格式，未导入：{names}"
            "（如其中有摸排表，请在 Excel 或 WPS 中另存为 .xlsx 后再导入）")


def _folder_files(folder: Path) -> list[Path]:
    """Every file under a folder, subfolders first to last in name order (links to folders are
    not followed: no loop), without hidden files and folders or Excel's lock files."""
    found: list[Path] = []
    for root, dirs, files in os.walk(long_path(folder)):  # a deep subfolder is walked too (models.long_paths)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(plain(root), f) for f in sorted(files) if not f.startswith(("~$", "."))]
    return found


@dataclass
class Outcome:
    """What happened to one file: "imported", "duplicate", "failed", "cancelled" or "not_run"."""

    file_name: str
    status: str
    result: ImportResult | None = None
    message: str = ""
    # What the review pointed out about it that still holds once it is imported (remarks_of); not
    # its plan, whose sheets and header a folder's thousands of outcomes would all keep alive.
    remarks: list[str] = field(default_factory=list)
    error: CensusError | None = field(default=None, repr=False)
    returned: ReturnedResult | None = None  # status "corrected": a returned correction list applied
    notes: list[str] = field(default_factory=list)  # found while storing it (another version in the same run)

    STATUS_LABELS = {"imported": "已导入", "duplicate": "已跳过", "failed": "失败", "cancelled": "已取消",
                     "not_run": "未导入", "corrected": "已按更正清单更正"}

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status]

    @property
    def warnings(self) -> list[str]:
        """What the review pointed out about an imported file that still holds after the import,
        and what storing it found."""
        if self.status != "imported":
            return []
        return self.remarks + self.notes

    @staticmethod
    def remarks_of(plan: ImportPlan) -> list[str]:
        """The review's remarks on a plan less its region, settled by the import and named in
        describe()."""
        return [w for w in plan.uncertain if w != plan.region.message]

    def describe(self) -> str:
        if self.status == "imported" and self.result is not None:
            return self.result.describe()
        if self.status == "corrected" and self.returned is not None:
            return self.returned.describe()
        if self.status == "duplicate":
            return f"{self.file_name}：{self.message or '此前已导入过内容相同的文件，已跳过'}，没有人被重复计数"
        return f"{self.file_name}：{self.status_label}。{self.message}"


# Files stored between two commits (each file is a savepoint of its own), or fewer when they hold
# GROUP_ROWS rows: the WAL stays within a few hundred MB (a province's 2,000 returns of 50 rows
# wrote 62 MB). Each group's end is a pause of the whole import (its indexes built again over the
# whole table, its last persons counted) while the reader process has nothing asked of it: the
# province's returns in two groups of 1,000 paid it twice.
GROUP_FILES = 5000
GROUP_ROWS = 250_000


def import_files(census: Census, items: Sequence[ImportPlan | ReturnedListPlan | Path],
                 cancel: Callable[[], bool] | None = None, region: str | None = None,
                 on_done: Callable[[Outcome], None] | None = None, keep_both: bool = False,
                 replace_versions: bool = False) -> Generator[Progress, None, list[Outcome]]:
    """Store each planned file (a path is planned on the spot, with `region` if given); yields
    overall progress, returns one Outcome per item. `on_done` hears of each file once it is
    committed (the command line prints as it goes).

    Files are committed in groups (one commit per GROUP_FILES files or GROUP_ROWS rows: a commit
    per file was a third of a folder's import time), each file a savepoint inside its group, so a
    file that fails or is cancelled leaves the census exactly as before that file while the files
    around it stay imported. A full disk rolls its whole group back (SQLite may already have done
    so): those files are reported as not saved, and nothing further is tried. A group counts its
    files' persons once, at its end, and sets source_rows' indexes aside while it brings many rows
    (_Group).

    A returned correction list is applied to the rows it names (importers.returned_list); a newer
    version of an earlier import replaces it unless `keep_both`, or unless the two have nobody in
    common (then it is another return kept beside it) and not `replace_versions` (for paths: a
    reviewed plan carries its own choice)."""
    versions = "keep" if keep_both else "replace" if replace_versions else ""
    pinyin.load_in_background()  # while the first file is read (and the reader process starts)
    with ReadAhead(items) as ahead, census.batches.bulk_writes(), fewer_collections():
        if ahead.start():  # files to plan: the region tree they are matched against is built while
            census.regions.tree()  # the reader process starts (a province's 20,000 nodes: 0.14 s)
        return (yield from _import_all(census, items, cancel, region, on_done, versions, ahead))


def _import_all(census: Census, items: Sequence[ImportPlan | ReturnedListPlan | Path],
                cancel: Callable[[], bool] | None, region: str | None, on_done: Callable[[Outcome], None] | None,
                versions: str, ahead: ReadAhead) -> Generator[Progress, None, list[Outcome]]:
    outcomes: list[Outcome] = []
    sizes = [1 if isinstance(i, Path) else max(i.data_rows, 1) for i in items]
    total = sum(sizes)
    base = index = 0
    stopped = ""
    first_batch = census.batches.next_id()  # this run's own files are no earlier version of one another
    twins = census.versions.run_twins()  # ... but the results say which look like two versions
    while index < len(items):
        group: list[Outcome] = []
        try:
            with census.transaction():
                state = _Group(census)
                while index < len(items) and len(group) < GROUP_FILES and state.rows < GROUP_ROWS and not state.ended:
                    item, size = items[index], sizes[index]
                    name = item.name if isinstance(item, Path) else item.file_name
                    if stopped or (cancel and cancel()):
                        outcome = Outcome(name, "not_run", message=stopped or "导入已取消，此文件未导入")
                    else:
                        outcome = yield from _one(census, item, cancel, region, base, size, total, versions, ahead,
                                                  index, state, first_batch, twins)
                    index += 1
                    group.append(outcome)
                    base += size
                    state.between(waiting=not ahead.ready(index))
                    if isinstance(outcome.error, DiskFull):  # every further file would fail the same way
                        raise _GroupLost(outcome.error)
                if state.waiting:
                    yield Progress(base, total, "正在合并人员")
                state.finish()
                _count_cut(census, group)
        except _GroupLost as lost:
            stopped = "磁盘空间不足，此文件未导入"
            group = [_not_saved(o, lost.error) for o in group]
        for outcome in group:
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    yield Progress(total, total, "完成")
    return outcomes


def _count_cut(census: Census, group: list[Outcome]) -> None:
    """Once a group's persons are counted: rows whose ID is a same-named person's cut to 000 by
    Excel are made pending (census.problems.catch_cut_ids), and their files' results say so."""
    made = census.problems.catch_cut_ids()
    if not made:
        return
    for outcome in group:
        result = outcome.result
        if outcome.status == "imported" and result is not None and result.batch_id is not None:
            mine = [reason for batch, reason in made if batch == result.batch_id]
            result.count_cut(census, mine)


class _Group:
    """What a group of files defers: its files' persons (counted in bulk, in ID order) and, once
    it has brought enough rows, the upkeep of source_rows' and persons' secondary indexes."""

    COUNT_WHILE_WAITING = 500  # persons worth counting while the next file is still being read (200–1,000 measured alike)
    # ... and counted anyway once this many wait: the reader is rarely behind (read_ahead.CLOSE_BEHIND), and
    # what is left is counted at the group's end with nothing else running (the province's 2,000
    # returns left ~8,000 persons there: 70 ms; a group of 250,000 rows could leave them all)
    COUNT_ANYWAY = 2_000

    def __init__(self, census: Census):
        self._census = census
        self._persons = PendingPersons()
        self._indexes = (census.batches.indexes_aside(), census.people.indexes_aside())
        self.rows = 0
        self.ended = False  # a large return counted as it was stored ends its group

    @property
    def waiting(self) -> bool:
        return bool(self._persons.dirty) or any(i.aside for i in self._indexes)

    def stored(self, job: ImportJob, counted: bool = False) -> None:
        """A file's savepoint was released: its persons wait to be counted (`counted`: the job
        counted them, and built its indexes again itself; its rows are not the group's to weigh)."""
        if job.rows_of is not None:
            self._persons.add(job.rows_of)
        if job.result.replaced is not None:
            self._persons.drop_batch(job.result.replaced.batch_id)
        if counted:  # committed next: its helper's side file is let go of with the transaction
            self.ended = True
            return
        self.rows += job.result.rows_total
        for indexes in self._indexes:
            indexes.consider(self.rows)

    def between(self, waiting: bool) -> None:
        """Between two files (`waiting`: the next is not read yet): count the persons that can be
        counted from memory, if there are enough of them."""
        if len(self._persons.dirty) >= (self.COUNT_WHILE_WAITING if waiting else self.COUNT_ANYWAY):
            self._census.people.count_from_memory(self._persons)

    def finish(self) -> None:
        """source_rows' indexes first (counting the rest reads rows by ID), then the persons, then
        persons' indexes (built once, over the finished table), while the group's rows are let go
        of beside them (a province's 100,000: 25 ms)."""
        rows, persons = self._indexes
        rows.restore()
        counted = self._persons.rows_of  # emptied by counting, freed here
        self._census.people.count_pending(self._persons)
        persons.restore_while(lambda: _let_go(counted))


def _let_go(rows_of: dict) -> None:
    """Free a group's rows one ID at a time: the thread building indexes beside this gets Python's
    lock back between two (one dict.clear() would hold it until all were freed)."""
    while rows_of:
        rows_of.popitem()


class _GroupLost(Exception):
    """A full disk in the middle of a group: the group's transaction is rolled back."""

    def __init__(self, error: CensusError):
        super().__init__(error.message)
        self.error = error


def _not_saved(outcome: Outcome, error: CensusError) -> Outcome:
    """An outcome of a group a full disk rolled back: whatever was stored of it is gone."""
    if outcome.status != "imported":
        return outcome
    return Outcome(outcome.file_name, "failed", message=error.message, error=error)


def _one(census: Census, item: ImportPlan | ReturnedListPlan | Path, cancel: Callable[[], bool] | None,
         region: str | None, base: int, size: int, total: int, versions: str,
         ahead: ReadAhead, index: int, group: _Group, first_batch: int,
         twins: VersionsSeen[tuple[int, str]]) -> Generator[Progress, None, Outcome]:
    """One file of a group; `versions`: "keep" (--keep-both), "replace" (--replace) or "" (the
    plan's own choice) for an earlier import of the same file; `first_batch`: the run's first
    batch id (an earlier version under another name is one imported before the run); `twins`:
    the run's stored files, to note one this file looks like another version of."""
    name = item.name if isinstance(item, Path) else item.file_name
    job = None
    try:
        read = ahead.take(index)  # None for a reviewed plan; starts reading the next file
        plan = (plan_path(census, item, region=region, read=read, renamed_before=first_batch) if isinstance(item, Path)
                else item)
        if isinstance(item, ImportPlan):  # reviewed before this run stored anything
            plan = with_versions_now(census, item)
        if isinstance(plan, ReturnedListPlan):
            group.finish()  # the list finds and changes rows by their file and row: all counted first
            return Outcome(name, "corrected", returned=apply_returned_list(census, plan))
        if isinstance(item, Path) and versions:
            plan = replace(plan, keep_both=versions == "keep")
        # A large return is counted as it is stored, its new persons by a helper process beside it
        # (models.persons_aside), its indexes built once by the job: what the group has pending is
        # counted first (an ID it shares with those files must meet their rows).
        alone = plan.data_rows >= persons_aside.MIN_ROWS
        if alone:
            group.finish()
        job = ImportJob(census, plan, defer_persons=not alone)
        for step in job.run(cancel=cancel):
            done = base + (min(step.done, step.total) * size // step.total if step.total else 0)
            yield Progress(done, total, step.message)
        group.stored(job, counted=alone)
        outcome = Outcome(name, "imported", job.result, remarks=Outcome.remarks_of(plan))
        result = job.result
        twin = (twins.see((result.batch_id, result.file_name), result.region_path, result.file_name)
                if result.batch_id is not None else None)
        if twin is not None:
            outcome.notes.append(f"与本次导入的“{twin[1]}”（批次 {twin[0]}）像是同一报表的两个版本，两份都已导入；"
                                 "如只要较新的一份，请撤销另一份")
        return outcome
    except DuplicateImport as dup:
        return Outcome(name, "duplicate", job.result if job else None, dup.message, error=dup)
    except ImportCancelled as err:
        return Outcome(name, "cancelled", message=err.message, error=err)
    except CensusError as err:
        return Outcome(name, "failed", message=err.message, error=err)
    except Exception:
        log.error("importing %s failed\n%s", item, traceback.format_exc())
        return Outcome(name, "failed", message="导入时出现内部错误，此文件未写入（已记录到日志）")
