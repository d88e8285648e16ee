"""Storing a planned return: one transaction per file (a savepoint inside a folder's group of
files), progress as a stream of values.

The job is a generator (as in TagStudio): the CLI and the tests drive it with a plain ``for``
loop, the window runs it on a worker thread and turns each value into a signal. Cancelling —
or any error — rolls the whole file back, so the census is exactly as before that file.
The rows come from importers.normalise (every row under the header ends up as data or is
counted as a blank, 合计, footer or repeated-header line); the job adds what needs the census:
the batch, each row's region, the rows themselves and the persons.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import add
from typing import TypeVar

from importers.normalise import AT, NormalChunk, NormalSheet, SheetCounts, normalise_rows, notes_json
from importers.plan import ImportPlan, require_region
from importers.region_infer import RowRegions
from models import persons_aside
from models.bulk_gc import fewer_collections
from models.census import Census
from models.consolidate import RowFacts
from models.errors import CensusError, DuplicateImport, ImportCancelled
from models.persons_aside import PersonsAside
from models.return_versions import Replaced

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    message: str = ""


def run_to_end(steps: Generator[Progress, None, T]) -> T:
    """Drive a progress generator (an import, a folder, templates…) to its end and return what it
    returns: the command line, the benchmarks and the tests do not show progress."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


@dataclass
class ImportResult:
    """What one file became, for the result page and the CLI."""

    file_name: str
    batch_id: int | None = None
    region_path: str = ""
    rows_total: int = 0  # data rows (person rows + pending rows)
    rows_ok: int = 0
    rows_pending: int = 0
    persons: int = 0  # distinct valid IDs in this file
    skipped: Counter = field(default_factory=Counter)  # non-data lines by kind
    reasons: Counter = field(default_factory=Counter)  # pending reasons
    notes: Counter = field(default_factory=Counter)  # review notes (unknown levels…)
    new_regions: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    sheets: list[str] = field(default_factory=list)  # the data sheets read, when more than one
    replaced: Replaced | None = None  # the earlier version of this return it replaced
    kept_with: int | None = None  # the earlier version kept beside it (--keep-both / 同时保留)
    kept_name: str = ""  # that earlier version's file name, when it is another (光明社区摸排表(1).xlsx's)
    other_return: bool = False  # kept beside a same-named import with nobody in common
    cut_elsewhere: int = 0  # rows of earlier imports made pending: their ID is one of this file's cut to 000

    def count_fixed(self, fixed: Sequence[tuple[str, str]], ids: Mapping[str, object]) -> None:
        """Count as persons' rows the pending rows a correction carried over from the earlier
        version made valid, given as (reason, ID now); `ids`: the IDs of this file's valid rows."""
        self.rows_pending -= len(fixed)
        self.rows_ok += len(fixed)
        self.reasons.subtract(reason for reason, _ in fixed)
        self.reasons += Counter()  # drop the reasons no row has any more
        self.persons += len({number for _, number in fixed if number not in ids})

    def count_cut(self, census: Census, reasons: Sequence[str]) -> None:
        """Count as pending the rows of this file census.problems.catch_cut_ids made pending
        (given by their reason), and the persons the file still gives."""
        if not reasons or self.batch_id is None:
            return
        self.rows_ok -= len(reasons)
        self.rows_pending += len(reasons)
        self.reasons.update(reasons)
        self.persons = census.batches.persons_given(self.batch_id)

    def describe(self) -> str:
        """One paragraph in Chinese, as the CLI prints it and the result page shows it."""
        if self.duplicate_of is not None:
            return f"{self.file_name}：与已导入的批次 {self.duplicate_of} 内容相同，已跳过，没有人被重复计数"
        parts = [f"{self.file_name} → {self.region_path}：数据行 {self.rows_total}，"
                 f"成为人员 {self.rows_ok} 行（{self.persons} 人），待核实 {self.rows_pending} 行"]
        if not self.rows_total:
            parts.append(f"  注意：{NO_DATA_ROWS}")
        for reason, n in self.reasons.most_common():
            parts.append(f"  待核实 {n} 行：{reason}")
        for note, n in self.notes.most_common():
            parts.append(f"  需复核 {n} 行：{note}")
        skipped = "、".join(f"{SKIP_LABELS[k]} {n} 行" for k, n in self.skipped.items() if n)
        if skipped:
            parts.append(f"  非数据行：{skipped}")
        if len(self.sheets) > 1:
            parts.append(f"  读取了 {len(self.sheets)} 个工作表：{'、'.join(self.sheets)}")
        for path in self.new_regions:
            parts.append(f"  新建区划（请核实）：{path}")
        if self.replaced is not None:
            parts.append(f"  {self.replaced.describe()}")
        if self.cut_elsewhere:
            parts.append(f"  此前导入的表中有 {self.cut_elsewhere} 行的身份证号与本表同名人员的前15位相同、末三位为“000”"
                         "（像是被 Excel 丢失了末三位），已改为待核实，没有重复计数")
        if self.kept_with is not None and self.other_return:
            parts.append(f"  同名文件已于批次 {self.kept_with} 导入过，但两份没有相同的人员，视为另一份报表，两份都保留"
                         "（如确是新版本，请撤销本次导入后重新导入，在审核页“同名旧版本”一栏选“替换旧版本”；命令行加 --replace）")
        elif self.kept_with is not None and self.kept_name:
            parts.append(f"  同一报表的旧版本“{self.kept_name}”已于批次 {self.kept_with} 导入过，按要求同时保留两份")
        elif self.kept_with is not None:
            parts.append(f"  同名文件已于批次 {self.kept_with} 导入过，按要求同时保留两份")
        return "\n".join(parts)


NO_DATA_ROWS = "表头以下没有任何数据行（是否发来了空表？）"
SKIP_LABELS = {"blank": "空行", "total": "合计行", "footer": "表尾（填表人等）", "header": "重复表头",
                "example": "填写示例"}


class ImportJob:
    """Stores one planned file. Iterate `run()`; read `result` afterwards."""

    def __init__(self, census: Census, plan: ImportPlan, defer_persons: bool = False):
        """`defer_persons`: leave this file's persons to the caller (`rows_of` after the run), which
        counts a whole group of files at once (importers.files); else they are counted here."""
        self.census = census
        self.plan = plan
        self.result = ImportResult(plan.file_name)
        self.defer_persons = defer_persons
        self.today = dt.date.today()  # once per import: the ID check compares birth dates with it
        self.rows_of: dict[str, list[RowFacts]] | None = None

    def run(self, cancel: Callable[[], bool] | None = None) -> Iterator[Progress]:
        plan, census = self.plan, self.census
        if plan.duplicate_of is not None or census.batches.by_sha(plan.sha256):
            self.result.duplicate_of = plan.duplicate_of or census.batches.by_sha(plan.sha256).id  # type: ignore[union-attr]
            raise DuplicateImport(plan.skipped_note or "该文件已导入过，已跳过", file=plan.file_name,
                                  batch_id=self.result.duplicate_of)
        region_path = require_region(plan)
        total = plan.data_rows
        yield Progress(0, total, f"正在导入 {plan.file_name}")
        # A large batch counted here (not by a folder's group): its new persons are consolidated by
        # a helper process while its rows are stored (models.persons_aside).
        aside = None
        if not self.defer_persons and total >= persons_aside.MIN_ROWS:
            aside = PersonsAside.start(census.settings.rules)
        try:
            with census.batches.bulk_writes():
                yield from self._run(total, region_path, cancel, aside)
        finally:
            if aside is not None:
                aside.stop()
                census.after_transaction(lambda: _let_go(census, aside))

    def _run(self, total: int, region_path: str, cancel: Callable[[], bool] | None,
             aside: PersonsAside | None) -> Iterator[Progress]:
        plan, census = self.plan, self.census
        with census.transaction():
            batch_id = self._insert_batch()
            census.batches.keep_file(plan.sha256, plan.workbook.data)  # rows are read back from it
            file_region = self._region(region_path, batch_id, plan.region.new_node or plan.region.source != "user",
                                       f"由“{plan.file_name}”的{plan.region.source_label}新建")
            census.batches.set_region(batch_id, file_region.id)
            self.result.batch_id = batch_id
            self.result.region_path = file_region.path
            ids: dict[str, list[RowFacts]] = {}  # this file's ok rows per ID, in file order
            base = 0
            # settle() below reads the persons of the version it replaces: they must be counted
            renamed_from = plan.earlier if plan.renamed else None  # an earlier version under another name
            renamed = renamed_from.id if renamed_from is not None else None
            earlier = census.versions.earlier_version(batch_id, renamed)  # asked once: storing rows does not change it
            later = self.defer_persons and (plan.keep_both or earlier is None)
            with census.batches.deferred_indexes(total) as deferred:  # a large file: its indexes built once, after
                for sheet, header, region in self._parts(batch_id, file_region):
                    self.result.sheets.append(sheet.name)
                    for done in self._store_rows(batch_id, sheet, header, region, ids, base, aside):
                        if cancel and cancel():
                            raise ImportCancelled(plan.file_name)
                        yield Progress(base + done, total, f"正在导入 {plan.file_name}")
                    base += max(len(sheet.rows) - header.data_start, 0)
                if later:
                    self.rows_of = ids  # the caller counts them into persons when its group of files ends
                else:  # the new persons consolidated while the rows' indexes are built again
                    yield Progress(total, total, "正在合并人员")
                    persons = census.people.batch_persons(ids)
                    if aside is None:
                        census.people.write_batch(persons, deferred.built_while(persons.consolidate_new))
                    else:  # the helper has the others: what it cannot stand for is consolidated here
                        new = deferred.built_while(lambda: persons.consolidate_new(persons.apart))
                        side = aside.finish()
                        if side is None:  # no helper after all: everybody is counted here
                            census.people.write_batch(persons, persons.consolidate_new())
                        else:
                            census.people.write_batch(persons, new, side)
            r = self.result
            r.persons = len(ids)
            r.replaced, r.kept_with = census.versions.settle(batch_id, keep_both=plan.keep_both, earlier=earlier)
            r.other_return = plan.other_return and r.kept_with is not None
            if renamed_from is not None and r.kept_with == renamed_from.id:
                r.kept_name = renamed_from.file_name
            if r.replaced is not None and r.replaced.fixed:  # pending no more: the earlier version's fixes
                r.count_fixed(r.replaced.fixed, ids)
            if not self.defer_persons:  # a folder's group does this once its persons are counted
                cut = census.problems.catch_cut_ids()
                r.count_cut(census, [reason for batch, reason in cut if batch == batch_id])
                r.cut_elsewhere = sum(1 for batch, _ in cut if batch != batch_id)
            census.batches.set_counts(batch_id, r.rows_total, r.rows_ok, r.rows_pending)
            if cancel and cancel():
                raise ImportCancelled(plan.file_name)
        yield Progress(total, total, "完成")

    def _parts(self, batch_id: int, file_region) -> Iterator[tuple]:
        """(sheet, header, region node) for the main data sheet and every further one."""
        plan = self.plan
        main = plan.sheet_region if plan.sheet_region is not None else None
        for sheet, header, guess in [(plan.sheet, plan.header, main), *((p.sheet, p.header, p.region) for p in plan.more)]:
            region = file_region
            if guess is not None and guess.path is not None:
                region = self._region(guess.path, batch_id, guess.new_node,
                                      f"由“{plan.file_name}”工作表“{sheet.name}”的{guess.source_label}新建")
            yield sheet, header, region

    def _insert_batch(self) -> int:
        """The batch row. Its path is made absolute as the clerk chose it: abspath keeps a mapped
        drive's letter (resolve() may give its \\\\server path instead) and asks the disk nothing
        (resolve() looked up every folder level, per file of a folder: 0.18 s for 2,000 files)."""
        plan = self.plan
        mapping = {"fields": plan.mapping(), "labels": [c.label for c in plan.columns],
                   "columns": {c.index: c.label for c in plan.columns},
                   # where each data sheet's rows begin: reading a row back fills merged cells as the plan did
                   "data_start": {s.name: h.data_start for s, h in [(plan.sheet, plan.header),
                                                                    *((p.sheet, p.header) for p in plan.more)]}}
        return self.census.batches.add(
            file_name=plan.file_name, file_path=os.path.abspath(plan.path), sha256=plan.sha256, size=plan.size,
            format=plan.workbook.format, sheet="、".join([plan.sheet.name, *(p.sheet.name for p in plan.more)]),
            header_first=plan.header.first_row + 1, header_last=plan.header.last_row + 1,
            region_source=plan.region.source, mapping=mapping)

    def _region(self, path: str, batch_id: int, flag: bool, note: str):
        existing = self.census.regions.by_path(path)
        if existing:
            return existing
        parent = self.census.regions.missing_parent(path)
        if parent:
            raise CensusError(f"上级区划“{parent}”不存在，请检查区划路径（可先导入户籍人口表）", file=self.plan.file_name)
        node = self.census.regions.ensure(path, flagged=flag, note=note, batch_id=batch_id)
        self.result.new_regions.append(node.path)
        return node

    def _store_rows(self, batch_id: int, sheet, header, file_region, ids: dict[str, list[RowFacts]],
                    base: int, aside: PersonsAside | None = None) -> Iterator[int]:
        """Store a sheet's data rows (normalised here, or already by the reader process) with
        their regions; `ids` gathers the ok rows per ID. Yields rows done after each chunk."""
        census, result = self.census, self.result
        start = header.data_start
        counts = SheetCounts()
        prepared = self._prepared(sheet, header)
        chunks = prepared.chunks if prepared is not None else normalise_rows(sheet, header, self.today, counts)
        regions = _ChunkRegions(self, batch_id, file_region)
        for chunk in chunks:
            rows, region_ids = regions.of(chunk)
            census.batches.insert_sheet_rows(batch_id, None if region_ids is not None else file_region.id, rows)
            _gather_facts(ids, rows, batch_id, base - start, region_ids, file_region.id, aside)
            yield rows[-1][_AT_ROW] - start
        if prepared is not None:
            counts = prepared.counts
        result.rows_ok += counts.rows_ok
        result.rows_pending += counts.rows_pending
        result.rows_total += counts.rows_ok + counts.rows_pending
        result.skipped.update(counts.skipped)
        result.reasons.update(counts.reasons)
        result.notes.update(counts.notes)
        yield len(sheet.rows) - start

    def _prepared(self, sheet, header) -> NormalSheet | None:
        """The sheet's rows as the reader process normalised them (under this very header: its
        sheets no longer hold the data rows' cells, see importers.read_ahead)."""
        if not self.plan.normal:
            return None
        # the same header object as the plan's, unpickled with it: compared by identity first
        found = next((n for n in self.plan.normal if n.sheet == sheet.name and (n.header is header or n.header == header)),
                     None)
        if found is None:
            raise CensusError("内部错误：预读的数据行与表头不一致，此文件未导入", file=self.plan.file_name)
        return found


def _let_go(census: Census, aside: PersonsAside) -> None:
    """Once the transaction is over: the side file detached and removed."""
    census.people.detach_aside(aside.schema)
    aside.remove()


_AT_ROW, _AT_ID = AT["row_number"], AT["id_number"]
# A valid row's RowFacts, from its stored row (SHEET_ROW_COLUMNS order): the columns in RowFacts' order
# (the row id and region id are put in between).
_FACTS_NAME_TO_HOURS = [AT[c] for c in ("name", "level", "education", "major", "hours")]
_FACTS_AFTER_REGION = [AT[c] for c in ("gender", "phone", "cert_date")]


def _gather_facts(ids: dict[str, list[RowFacts]], rows: list[tuple], batch_id: int, first: int,
                  region_ids: list[int] | None, file_region: int, aside: PersonsAside | None) -> None:
    """Add the chunk's valid rows to `ids` (its rows per ID, in file order) as RowFacts, a column at
    a time: the chunk's rows transposed, each RowFacts made from the columns in C (the per-row loop
    this replaces was a tenth of storing a 100k-row return); `first` + row number = the row's id
    as consolidating orders rows (import order). `region_ids`: each row's region, None when all
    are in `file_region`. The same columns go to a helper consolidating them (`aside`)."""
    columns = list(zip(*rows, strict=True))
    numbers = columns[_AT_ID]
    facts = [numbers, tuple(map(add, columns[_AT_ROW], repeat(first))), *(columns[i] for i in _FACTS_NAME_TO_HOURS),
             *(columns[i] for i in _FACTS_AFTER_REGION)]
    if None in numbers:  # pending rows: no person
        valid = [number is not None for number in numbers]
        facts = [tuple(compress(column, valid)) for column in facts]
        if region_ids is not None:
            region_ids = list(compress(region_ids, valid))
        numbers = facts[0]
    number, row_id, name, level, education, major, hours, gender, phone, cert_date = facts
    regions: Iterable[int] = repeat(file_region) if region_ids is None else region_ids
    facts_made = map(RowFacts._make, zip(number, repeat(batch_id), row_id, name, level, education, major, hours,
                                         regions, gender, phone, cert_date))
    if len(set(numbers)) == len(numbers) and ids.keys().isdisjoint(numbers):  # the usual chunk: IDs new here
        ids.update(zip(numbers, map(list, zip(facts_made)), strict=True))  # each ID its one row, in C
    else:
        get = ids.get
        for key, fact in zip(numbers, facts_made, strict=True):
            same = get(key)
            if same is None:
                ids[key] = [fact]
            else:
                same.append(fact)
    if aside is not None and numbers:
        aside.send(batch_id, facts, file_region if region_ids is None else region_ids)


class _ChunkRegions:
    """The region of each row of a sheet with region columns: its text resolved once against the
    census's regions (a region it names and the census lacks is made, flagged for review)."""

    def __init__(self, job: ImportJob, batch_id: int, file_region):
        self._job, self._batch_id = job, batch_id
        self._regions = RowRegions(job.census.regions.tree(), file_region)
        self._of_text: dict[str, tuple[int, str | None]] = {}  # region text -> (region id, note)
        self._ids: dict[str, int] = {}  # region path -> id

    def of(self, chunk: NormalChunk) -> tuple[list[tuple], list[int] | None]:
        """The chunk's rows with each row's region id appended, and those ids (for a sheet
        without region columns: the rows as they are, and None — they are in the file's region).
        A region text that needed a note puts it first in the row's notes."""
        if chunk.region_keys is None:
            return chunk.rows, None
        region_ids, notes = (list(column) for column in zip(*map(self._resolve, chunk.region_keys), strict=True))
        # Each row and its region id as one tuple, in C (a tuple built per row was 0.03 s of 100k rows).
        rows = list(map(add, chunk.rows, zip(region_ids, strict=True)))
        if any(notes):
            notes_count = self._job.result.notes
            i_notes = AT["notes"]
            for at, note in enumerate(notes):
                if note:
                    notes_count[note] += 1
                    row = rows[at]
                    rows[at] = (*row[:i_notes], notes_json([note, *json.loads(row[i_notes] or "[]")]), *row[i_notes + 1:])
        return rows, region_ids

    def _resolve(self, key: str) -> tuple[int, str | None]:
        found = self._of_text.get(key)
        if found is None:
            path, note = self._regions.resolve(key)
            region_id = self._ids.get(path)
            if region_id is None:
                region_id = self._ids[path] = self._job._region(
                    path, self._batch_id, True, f"由“{self._job.plan.file_name}”的所属区划“{key}”新建").id
            found = self._of_text[key] = (region_id, note)
        return found


def import_file(census: Census, path, region: str | None = None,
                cancel: Callable[[], bool] | None = None) -> ImportResult:
    """Plan and store one file in one go (CLI, tests, benchmarks)."""
    from importers.plan import plan_file

    with fewer_collections():  # from the read on: a large return's cells are 100k lists
        plan = plan_file(census, path, region)
        job = ImportJob(census, plan)
        for _ in job.run(cancel):
            pass
        result = job.result
        # Freed here, while collections are few: once the usual thresholds are back, the next
        # collection would walk every row of the sheet still held (0.05 s for a 100k-row return).
        del plan, job
    return result
