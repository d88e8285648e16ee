"""Storing a planned return: one transaction per file, progress as a stream of values.

The job is a generator (as in TagStudio): the CLI and the tests drive it with a plain ``for``
loop, the window runs it on a worker thread and turns each value into a signal. Cancelling —
or any error — rolls the whole file back, so the census is exactly as before that file.
Every row under the header ends up as data (a person row or a pending row) or is counted as a
blank line, a 合计 line, a footer line or a repeated header: nothing is dropped unaccounted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from importers.headers import field_for_label
from importers.plan import ImportPlan, require_region
from importers.region_infer import RowRegions
from importers.values import (
    NONE_WORDS,
    clean_name,
    normalise_major,
    parse_date,
    parse_education,
    parse_gender,
    parse_hours,
    parse_level,
    text_of,
)
from models.census import Census
from models.consolidate import RowFacts
from models.errors import CensusError, DuplicateImport, ImportCancelled
from models.identity import clean_text, id_fields
from models.regions import strip_office
from models.return_versions import Replaced

CHUNK = 2000  # rows buffered before they are written (one executemany)

_TOTAL = re.compile(r"^(合计|小计|总计|共计|总人数|合\s*计)")
_FOOTER = re.compile(r"^(填表人|审核人|制表人|填报人|负责人|单位负责人|联系人|联系电话|分管领导|主要领导|注[:：]|说明[:：]|"
                     r"备注[:：]|（盖章）|\(盖章\)|盖章|填表日期|填报日期|报送日期|审核日期|制表日期)")


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    message: str = ""


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

    def describe(self) -> str:
        """One paragraph in Chinese, as the CLI prints it and the result page shows it."""
        if self.duplicate_of is not None:
            return f"{self.file_name}：与已导入的批次 {self.duplicate_of} 内容相同，已跳过，没有人被重复计数"
        parts = [f"{self.file_name} → {self.region_path}：数据行 {self.rows_total}，"
                 f"成为人员 {self.rows_ok} 行（{self.persons} 人），待核实 {self.rows_pending} 行"]
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
        if self.kept_with is not None:
            parts.append(f"  同名文件已于批次 {self.kept_with} 导入过，按要求同时保留两份")
        return "\n".join(parts)


SKIP_LABELS = {"blank": "空行", "total": "合计行", "footer": "表尾（填表人等）", "header": "重复表头"}


_ID_DIGITS = re.compile(r"[0-9]{14,}")


_TOTAL_ANYWHERE = re.compile(r"(合\s*计|小\s*计|总\s*计|共\s*计)")
_TOTAL_WORDS = frozenset({"合计", "小计", "总计", "共计", "总人数"})  # a name cell reading like a total line
_LABEL = re.compile(r"^[^：:]{1,12}[：:]")  # "审核人：", "单位盖章：", "注："


def _classify(texts: list[str], row: list[object], seq: int | None, id_col: int | None,
              name_col: int | None = None) -> str:
    """"data", or why the row is not data: "blank", "total", "footer", "header"."""
    id_text = texts[id_col] if id_col is not None and id_col < len(texts) else ""
    if id_text and _ID_DIGITS.search(clean_text(id_text)):
        # The usual data row: not blank, not a footer or header (those have no ID); only a 合计
        # line in the first three filled cells would make it something else — and only when its
        # ID is not valid: a row with a valid ID is a person, whatever its name cell says.
        found = 0
        for t in texts:
            if t:
                if _TOTAL.match(t):
                    return "data" if id_fields(row[id_col])[1] is not None else "total"  # type: ignore[index]
                found += 1
                if found == 3:
                    break
        return "data"
    filled = [i for i, t in enumerate(texts) if t]
    if not filled or (seq is not None and filled == [seq] and texts[seq].replace(".", "").isascii() and texts[seq].replace(".", "").isdigit()):
        return "blank"  # a pre-numbered template line counts as blank
    # No ID-like value from here on: a 合计 line ("本页合计" too), a footer, a repeated header, or a
    # data row whose ID is missing (which must stay, as a pending row).
    first = texts[filled[0]]
    if any(_TOTAL_ANYWHERE.search(texts[i]) for i in filled[:3]):
        return "total"
    if _FOOTER.match(first):
        return "footer"
    name = texts[name_col] if name_col is not None and name_col < len(texts) else ""
    if (not name or _LABEL.match(name)) and any(_LABEL.match(texts[i]) for i in filled):
        return "footer"  # "单位盖章：  日期：" and the like, with no person in the name column
    if sum(1 for i in filled if field_for_label(texts[i])) >= 3:
        return "header"
    return "data"


@lru_cache(maxsize=4096)
def _level(text: str):
    return parse_level(text)


@lru_cache(maxsize=4096)
def _education(text: str):
    return parse_education(text)


# The other per-cell normalisers depend only on the cell's text (or, for hours and dates, on the
# cell itself), and columns such as gender, major or hours repeat a handful of values: memoised.
# Cells are keyed with their type, so 1, 1.0 and True never share an entry.
@lru_cache(maxsize=4096)
def _gender(text: str) -> str:
    return parse_gender(text)


@lru_cache(maxsize=4096)
def _major(text: str) -> str:
    return normalise_major(text)


@lru_cache(maxsize=4096)
def _typed_hours(_kind: type, cell: object):
    return parse_hours(cell)


@lru_cache(maxsize=4096)
def _typed_date(_kind: type, cell: object):
    return parse_date(cell)


class ImportJob:
    """Stores one planned file. Iterate `run()`; read `result` afterwards."""

    def __init__(self, census: Census, plan: ImportPlan, defer_persons: bool = False):
        """`defer_persons`: leave this file's persons to the caller (`rows_of` after the run), which
        counts a whole group of files at once (importers.files); else they are counted here."""
        self.census = census
        self.plan = plan
        self.result = ImportResult(plan.file_name)
        self.defer_persons = defer_persons
        self.rows_of: dict[str, list[RowFacts]] | None = None

    def run(self, cancel: Callable[[], bool] | None = None) -> Iterator[Progress]:
        plan, census = self.plan, self.census
        if plan.duplicate_of is not None or census.batches.by_sha(plan.sha256):
            self.result.duplicate_of = plan.duplicate_of or census.batches.by_sha(plan.sha256).id  # type: ignore[union-attr]
            raise DuplicateImport(plan.duplicate_note or "该文件已导入过，已跳过", file=plan.file_name,
                                  batch_id=self.result.duplicate_of)
        region_path = require_region(plan)
        total = plan.data_rows
        yield Progress(0, total, f"正在导入 {plan.file_name}")
        with census.batches.bulk_writes():
            yield from self._run(total, region_path, cancel)

    def _run(self, total: int, region_path: str, cancel: Callable[[], bool] | None) -> Iterator[Progress]:
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
            with census.batches.deferred_indexes(total):  # a large file: its indexes built once, after
                for sheet, header, region in self._parts(batch_id, file_region):
                    self.result.sheets.append(sheet.name)
                    for done in self._store_rows(batch_id, sheet, header, region, ids, base):
                        if cancel and cancel():
                            raise ImportCancelled(plan.file_name)
                        yield Progress(base + done, total, f"正在导入 {plan.file_name}")
                    base += max(len(sheet.rows) - header.data_start, 0)
            if self.defer_persons and not census.versions.would_replace(batch_id, plan.keep_both):
                self.rows_of = ids  # the caller counts them into persons when its group of files ends
            else:  # settle() below reads the persons of the version it replaces: they must be counted
                yield Progress(total, total, "正在合并人员")
                census.people.recompute_batch(ids)
            r = self.result
            r.persons = len(ids)
            census.batches.set_counts(batch_id, r.rows_total, r.rows_ok, r.rows_pending)
            r.replaced, r.kept_with = census.versions.settle(batch_id, keep_both=plan.keep_both)
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
        plan = self.plan
        mapping = {"fields": plan.mapping(), "labels": [c.label for c in plan.columns],
                   "columns": {c.index: c.label for c in plan.columns},
                   # where each data sheet's rows begin: reading a row back fills merged cells as the plan did
                   "data_start": {s.name: h.data_start for s, h in [(plan.sheet, plan.header),
                                                                    *((p.sheet, p.header) for p in plan.more)]}}
        return self.census.batches.add(
            file_name=plan.file_name, file_path=str(plan.path.resolve()), sha256=plan.sha256, size=plan.size,
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
                    base: int) -> Iterator[int]:
        # The hot loop of an import (once per row of a 100k-row return): helpers are bound to
        # locals, per-cell normalisers are memoised, counts are kept in locals and copied to
        # `result` before every yield, so the result is the same whenever the job is paused.
        plan, census, result = self.plan, self.census, self.result
        col = {name: header.index_of(name) for name in
               ("name", "id_number", "gender", "phone", "level", "education", "major", "hours", "region",
                "cert_date", "unit")}
        regions = RowRegions(census.regions.tree(), file_region)
        region_ids: dict[str, int] = {}
        region_of_text: dict[str, tuple[int, str | None]] = {}  # region cell (text) -> (region id, note)
        buffered: list[tuple] = []  # rows not yet written (census.batches NEW_ROW_COLUMNS order)
        rows = sheet.rows
        start = header.data_start
        sheet_name = sheet.name
        seq, c_id, c_region = header.index_of("seq"), col["id_number"], col["region"]
        c_level, c_edu, c_hours, c_date = col["level"], col["education"], col["hours"], col["cert_date"]
        c_name, c_gender, c_phone, c_major, c_unit = col["name"], col["gender"], col["phone"], col["major"], col["unit"]
        region_cols = [c for c in (header.index_of("district"), header.index_of("street"), c_region) if c is not None]
        single_region = region_cols == [c_region]
        need = max([i for i in col.values() if i is not None] + region_cols, default=-1) + 1  # cells a row must have

        insert_rows, skipped, reasons, notes_count = census.batches.insert_rows, result.skipped, result.reasons, result.notes
        level_of, education_of, gender_of, major_of = _level, _education, _gender, _major
        hours_of, date_of, classify = _typed_hours, _typed_date, _classify
        clean, none_words, clean_name_, new_facts = clean_text, NONE_WORDS, clean_name, tuple.__new__
        total_words = _TOTAL_WORDS
        rows_ok, rows_pending, rows_total = result.rows_ok, result.rows_pending, result.rows_total
        used = sorted({c for c in (*col.values(), *region_cols) if c is not None})  # the only cells read as text
        today = dt.date.today()  # once per import: the ID check compares birth dates with it
        blank = [""] * need
        for offset, raw_row in enumerate(rows[start:]):
            # A valid ID makes a row a person whatever else it holds (see _classify), so the usual
            # row skips classifying; the texts of mapped cells only, never of the others.
            id_raw, number, reason = id_fields(raw_row[c_id] if c_id is not None and c_id < len(raw_row) else None,
                                               today)
            if number is None:
                texts = ["" if c is None else c.strip() if c.__class__ is str else str(c) if c.__class__ is int
                         else text_of(c) for c in raw_row]  # text_of(int) is str(int)
                kind = classify(texts, raw_row, seq, c_id, c_name)
                if kind != "data":
                    skipped[kind] += 1
                    continue
                if len(texts) < need:
                    texts += [""] * (need - len(texts))
            else:
                texts = blank.copy()
                width = len(raw_row)
                for c in used:
                    if c < width:
                        v = raw_row[c]
                        if v is not None:
                            texts[c] = v.strip() if v.__class__ is str else str(v) if v.__class__ is int else text_of(v)
            row = raw_row
            if len(row) < need:
                row = row + [None] * (need - len(row))

            notes: list[str] = []
            if region_cols:
                # 所属区县 + 所属街道 + 所属社区 read as one path-like text ("和平街道团结社区").
                # Each cell is one name there, so its office suffix goes first: 红星镇人民政府 + 团结村村委会.
                region_key = texts[c_region] if single_region else "".join(strip_office(texts[c]) for c in region_cols)
                found = region_of_text.get(region_key)
                if found is None:
                    path, note = regions.resolve(region_key)
                    region_id = region_ids.get(path)
                    if region_id is None:
                        region_id = self._region(path, batch_id, True,
                                                 f"由“{plan.file_name}”的所属区划“{region_key}”新建").id
                        region_ids[path] = region_id
                    region_of_text[region_key] = (region_id, note)
                else:
                    region_id, note = found
                if note:
                    notes.append(note)
                region_raw = region_key if single_region else "/".join(texts[c] for c in region_cols if texts[c])
            else:
                region_id = file_region.id  # = self._region(file_region.path, …): the node exists
                region_raw = None
            level_text = texts[c_level] if c_level is not None else ""
            level = level_of(level_text)
            edu_text = texts[c_edu] if c_edu is not None else ""
            education = education_of(edu_text)
            cell = row[c_hours] if c_hours is not None else None
            hours = hours_of(cell.__class__, cell)  # type: ignore[arg-type]  # cells are hashable values
            if c_date is not None:
                cell = row[c_date]
                cert_date = date_of(cell.__class__, cell).value
            else:
                cert_date = None
            if level.note:
                notes.append(level.note)
            if education.note:
                notes.append(education.note)
            if hours.note:
                notes.append(hours.note)
            name = texts[c_name] if c_name is not None else ""
            if not name.isalpha():
                name = clean_name_(name)
            if number is not None and (not name or name in total_words):
                notes.append("姓名为空" if not name else f"姓名为“{name}”，身份证号码有效，已按人员计入，请核实")
            gender = gender_of(texts[c_gender]) if c_gender is not None else ""
            phone = clean(texts[c_phone]) if c_phone is not None else ""
            if phone in none_words:
                phone = ""
            major = major_of(texts[c_major]) if c_major is not None else ""
            level_value, education_value, hours_value = level.value, education.value, hours.value
            if number is not None:
                status = "ok"
                facts = new_facts(RowFacts, (number, batch_id, base + offset, name, level_value, education_value, major,
                                             hours_value, region_id, gender, phone, cert_date))
                same = ids.get(number)
                if same is None:
                    ids[number] = [facts]
                else:
                    same.append(facts)
                rows_ok += 1
            else:
                status = "pending"
                rows_pending += 1
                reasons[reason] += 1
            if notes:
                for note in notes:
                    notes_count[note] += 1
                notes_json = json.dumps(notes, ensure_ascii=False)
            else:
                notes_json = None
            rows_total += 1
            buffered.append((
                batch_id, sheet_name, start + offset + 1, "", name, id_raw, number, status, reason,
                gender, phone, level_value, level_text, education_value, edu_text, major, hours_value, cert_date,
                texts[c_unit] if c_unit is not None else "", region_id, region_raw, notes_json,
            ))
            if len(buffered) >= CHUNK:
                insert_rows(buffered)
                buffered.clear()
                result.rows_ok, result.rows_pending, result.rows_total = rows_ok, rows_pending, rows_total
                yield offset + 1
        if buffered:
            insert_rows(buffered)
        result.rows_ok, result.rows_pending, result.rows_total = rows_ok, rows_pending, rows_total
        yield len(rows) - start


def import_file(census: Census, path, region: str | None = None,
                cancel: Callable[[], bool] | None = None) -> ImportResult:
    """Plan and store one file in one go (CLI, tests, benchmarks)."""
    from importers.plan import plan_file

    plan = plan_file(census, path, region)
    job = ImportJob(census, plan)
    for _ in job.run(cancel):
        pass
    return job.result
