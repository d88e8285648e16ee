"""Everything decided about a return before anything is stored: the review step's content.

`plan_file` reads the file, picks the data sheet and header, maps columns and guesses the region.
It writes nothing. The user (GUI) or `--region` (CLI) may change the region or a column's field;
`ImportJob` then stores exactly what the plan says.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from importers.headers import (
    FIELD_LABELS,
    MAX_HEADER_SCAN,
    Column,
    Header,
    find_header,
    header_score,
    infer_id_column,
    missing_field_warnings,
)
from importers.normalise import AT, NormalSheet
from importers.population import is_population_table
from importers.readers import Sheet, Workbook, file_bytes, workbook_from_bytes
from importers.region_infer import RegionGuess, guess_file_region, guess_sheet_region
from importers.values import clean_name, text_of
from models.errors import CensusError, HeaderNotFound, RegionUndecided
from models.identity import clean_text, mask_id, mask_numbers_in_text, mask_phone_text
from models.long_paths import is_dir
from models.regions import path_problem
from models.return_versions import VersionsSeen

if TYPE_CHECKING:  # annotations only: the reader process imports this module without the census
    from models.census import Census
    from models.records import Batch


@dataclass(frozen=True)
class SheetPart:
    """Another sheet of the same workbook with data of its own (e.g. one sheet per community)."""

    sheet: Sheet
    header: Header
    region: RegionGuess  # path None: the file's region

    @property
    def data_rows(self) -> int:
        return max(len(self.sheet.rows) - self.header.data_start, 0)


@dataclass(frozen=True)
class ImportPlan:
    path: Path
    sha256: str
    size: int
    workbook: Workbook
    sheet: Sheet
    header: Header
    region: RegionGuess
    duplicate_of: int | None = None  # batch id of an earlier import of the same content
    duplicate_note: str = ""
    more: tuple[SheetPart, ...] = ()  # further data sheets, imported with the main one
    sheet_region: RegionGuess | None = None  # with several data sheets: the main sheet's own region
    sheet_warnings: tuple[str, ...] = ()  # sheets with data that cannot be imported, and why
    # data sheets the clerk chose not to import in the review (an old year's list kept beside this year's)
    excluded: tuple[SheetPart, ...] = ()
    earlier: Batch | None = None  # an import of the same file name for the same region: this is a newer version
    keep_both: bool = False  # keep that earlier import beside this one instead of replacing it
    # that earlier import and this file have nobody in common: another return under the same name
    # (a 补报 on the bureau's template), kept beside it unless the clerk says it is a new version
    other_return: bool = False
    # Data rows the reader process normalised already (importers.read_ahead), per sheet and header:
    # used only while the plan's sheet and header are the ones they were made under.
    normal: tuple[NormalSheet, ...] = field(default=(), repr=False, compare=False)

    @property
    def version_note(self) -> str:
        """What happens to an earlier import of this file (the review and the CLI say it)."""
        if self.earlier is None:
            return ""
        what = "同时保留两份" if self.keep_both else "导入后替换它（撤销本次导入即恢复旧版本）"
        if self.renamed:
            return (f"像是“{self.earlier.file_name}”（{self.earlier.imported_label} 导入，批次 {self.earlier.id}，"
                    f"{self.earlier.rows_total} 行）的新版本：同一区划，文件名只差版本标记，人员大多相同：{what}")
        kind = "但两份没有相同的人员，像是另一份报表" if self.other_return else "这是新版本"
        return (f"同名文件已于 {self.earlier.imported_label} 导入（批次 {self.earlier.id}，"
                f"{self.earlier.rows_total} 行），{kind}：{what}")

    @property
    def renamed(self) -> bool:
        """The earlier version was imported under another file name (models.return_versions.return_name)."""
        return self.earlier is not None and self.earlier.file_name != self.file_name

    @property
    def file_name(self) -> str:
        return self.path.name

    @functools.cached_property
    def listed_names(self) -> frozenset[str]:
        """The names its data rows list, worked out once for this plan: the review asks at every
        change whether two of its files look like two versions (versions_in_run, 75–150 ms a time
        for 500 returns read again). A changed plan is a new one (dataclasses.replace)."""
        return frozenset(_people(self)[1])

    @property
    def skipped_note(self) -> str:
        """duplicate_note as the import result says it, after the fact (the review says 将跳过)."""
        return self.duplicate_note.replace("，将跳过", "，已跳过", 1)

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.header.columns

    @property
    def data_rows(self) -> int:
        """Rows below the headers of all data sheets (before telling data from totals, footers, blanks)."""
        return max(len(self.sheet.rows) - self.header.data_start, 0) + sum(p.data_rows for p in self.more)

    @property
    def sheet_label(self) -> str:
        """The data sheets as the review step shows them."""
        if not self.more:
            return self.sheet.name
        return f"{self.sheet.name} 等 {len(self.more) + 1} 个工作表"

    @property
    def uncertain(self) -> list[str]:
        """What the review step should highlight, in Chinese."""
        out = list(self.header.warnings) + list(self.sheet_warnings)
        if self.sheet_region is not None and self.sheet_region.path:
            out.append(f"工作表“{self.sheet.name}”的区划：{self.sheet_region.path}")
        for part in self.more:
            where = part.region.path or "与本文件相同的区划"
            out.append(f"工作表“{part.sheet.name}”也有数据，将一并导入（区划：{where}）")
        if self.region.path is None or self.region.uncertain:
            out.append(self.region.message or "区划需要确认")
        if self.duplicate_of is not None:
            out.append(self.duplicate_note)
        return out

    @property
    def data_sheets(self) -> list[tuple[str, bool]]:
        """Every data sheet the review may choose among, in workbook order, and whether it is imported."""
        chosen = {self.sheet.name, *(p.sheet.name for p in self.more)}
        order = [s.name for s in self.workbook.sheets]
        names = sorted(chosen | {p.sheet.name for p in self.excluded}, key=order.index)
        return [(name, name in chosen) for name in names]

    def with_sheet(self, name: str, include: bool) -> ImportPlan:
        """Import a data sheet or leave it out (the review's choice). Left out, the main sheet gives
        way to the next one, which keeps its own region; at least one sheet stays."""
        parts = {p.sheet.name: p for p in self.more + self.excluded}
        main = SheetPart(self.sheet, self.header,
                         self.sheet_region if self.sheet_region is not None else RegionGuess(None, ""))
        parts[self.sheet.name] = main
        if name not in parts:
            raise CensusError(f"没有名为“{name}”的数据工作表", file=self.file_name)
        chosen = [n for n, on in self.data_sheets if (on and n != name) or (n == name and include)]
        if not chosen:
            raise CensusError("至少要导入一个工作表；不导入这个文件，请取消它前面的勾选", file=self.file_name)
        first = parts[chosen[0]] if self.sheet.name not in chosen else main
        rest = [parts[n] for n in chosen if n != first.sheet.name]
        own = first.region if first.region.path and (rest or first.region.path != self.region.path) else None
        return replace(self, sheet=first.sheet, header=first.header, sheet_region=own, more=tuple(rest), excluded=tuple(parts[n] for n, _ in self.data_sheets if n not in chosen))

    def mapping(self) -> dict[str, int]:
        return {c.field: c.index for c in self.columns if c.field}

    def samples(self, column_index: int, count: int = 3, look: int = 50) -> str:
        """A few different values of a column from the first `look` data rows, for the review
        (is 文化程度 really the education column?). A value that may be an ID or a phone number is
        masked whatever the column is mapped to: the review is on screen."""
        field = next((c.field for c in self.columns if c.index == column_index), None)
        seen: list[str] = []
        for row in self.sheet.rows[self.header.data_start:self.header.data_start + look]:
            if column_index < len(row) and (text := _sample_text(row[column_index], field)) and text not in seen:
                seen.append(text)
                if len(seen) == count:
                    break
        return "、".join(seen)

    def with_region(self, path: str) -> ImportPlan:
        """The user's choice of region (a path in the tree, or a new one under a known node)."""
        return replace(self, region=RegionGuess(user_region(path, self.file_name), "user"))

    def with_field(self, column_index: int, field: str | None) -> ImportPlan:
        """Map a column to a field (None: ignore it); a field taken elsewhere moves here. The review
        shows the main sheet's columns: the further data sheets (one per community) take the same
        change, at the same column when their header is the same, else at the column of the same label."""
        if field is not None and field not in FIELD_LABELS:
            raise CensusError(f"未知字段：{field}")
        labels = [c.label for c in self.columns]
        label = next((c.label for c in self.columns if c.index == column_index), "")

        def remap(part: SheetPart) -> SheetPart:
            if [c.label for c in part.header.columns] == labels:
                index: int | None = column_index
            else:
                index = next((c.index for c in part.header.columns if label.strip() and c.label == label), None)
            return part if index is None else replace(part, header=_remapped(part.header, index, field))

        return replace(self, header=_remapped(self.header, column_index, field),
                       more=tuple(map(remap, self.more)), excluded=tuple(map(remap, self.excluded)))


def _remapped(header: Header, column_index: int, field: str | None) -> Header:
    cols = []
    for col in header.columns:
        if col.index == column_index:
            cols.append(replace(col, field=field, uncertain=False, note=""))
        elif field is not None and col.field == field:
            cols.append(replace(col, field=None))
        else:
            cols.append(col)
    return replace(header, columns=tuple(cols), warnings=tuple(missing_field_warnings(cols)))


def user_region(path: str, file_name: str) -> str:
    """The region path a user typed (--region, the review's box), refused when one of its names
    cannot be a node ("..", a bare 社区): nothing typed may create phantom regions."""
    path = path.strip().strip("/")
    if not path:
        raise CensusError("区划不能为空", file=file_name)
    problem = path_problem(path)
    if problem:
        raise CensusError(f"区划“{path}”无效：{problem}", file=file_name)
    return path


# The columns of a correction list this program wrote (exporters/corrections.py); a return never has both.
CORRECTION_FIX_LABEL = "更正后身份证号"

_EXAMPLE_SHEET = re.compile(r"说明|示例|样例|范例|样表|填写要求|模板|例表")


def _has_data(sheet: Sheet, header: Header) -> bool:
    """Any row below the header with two or more filled cells (a lone 序号 is an empty template line)."""
    return any(sum(1 for c in row if c is not None and str(c).strip()) >= 2 for row in sheet.rows[header.data_start:])


def fill_merged_down(sheet: Sheet, data_start: int) -> None:
    """Cells merged down the data (a 所属社区 written once for a block of rows) read as what a person
    sees: every row of the block carries the value. Only blocks below the header are filled."""
    rows = sheet.rows
    for r0, c0, r1, c1 in sheet.merged:
        if r0 < data_start or r1 <= r0 or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0 + 1, min(r1 + 1, len(rows))):
            for c in range(c0, min(c1 + 1, len(rows[r]))):
                if rows[r][c] is None:
                    rows[r][c] = value


MSG_POPULATION_TABLE = "这是户籍人口表，不是摸排表：请用“导入户籍人口表”导入（命令行：population）"


def choose_sheets(workbook: Workbook) -> tuple[Sheet, Header, list[tuple[Sheet, Header]], list[str]]:
    """The main data sheet, further data sheets, and warnings for sheets we cannot import.

    The main sheet has the most convincing header (an instructions sheet first is skipped); every
    other sheet with a header, an ID column and data comes along, so no sheet is silently dropped.
    """
    file_name = Path(workbook.path).name
    found = []
    for i, sheet in enumerate(workbook.sheets):
        score = header_score(sheet)
        if score:
            header = find_header(sheet)
            if header is not None:
                found.append((score, len(sheet.rows), i, sheet, infer_id_column(sheet, header)))
    if not found:
        if is_population_table(workbook):
            raise HeaderNotFound(MSG_POPULATION_TABLE, file=file_name)
        names = _sheet_names(workbook.sheets)
        raise HeaderNotFound(f"在工作表（{names}）的前 {MAX_HEADER_SCAN} 行中没有找到表头：需要有“姓名”或“身份证号码”列"
                             "及至少三个可识别的列", file=file_name)
    usable = [t for t in found if t[4].index_of("id_number") is not None]
    if not usable:
        best = max(found, key=lambda t: (t[0], t[1], -t[2]))
        raise HeaderNotFound(f"工作表“{best[3].name}”没有“身份证号码”列，无法按人去重", file=file_name)
    # A sheet named like instructions or an example, or hidden in Excel (an old year's list kept
    # out of sight, a drop-down's source), is read only when no other sheet has the data.
    shown = [t for t in usable if not t[3].hidden] or usable
    real = [t for t in shown if not _EXAMPLE_SHEET.search(t[3].name)] or shown
    main = max(real, key=lambda t: (t[0], t[1], -t[2]))
    more = [(t[3], t[4]) for t in real if t is not main and _has_data(t[3], t[4])]
    examples = [t for t in shown if t not in real and _has_data(t[3], t[4])]
    hidden = [t for t in usable if t not in shown and _has_data(t[3], t[4])]
    warnings = [f"工作表“{t[3].name}”有数据但没有“身份证号码”列，未导入" for t in found
                if t[4].index_of("id_number") is None and _has_data(t[3], t[4])]
    warnings += [f"工作表“{t[3].name}”看起来是填表说明或示例，未导入" for t in examples]
    warnings += [f"工作表“{t[3].name}”在 Excel 中是隐藏的，未导入（如需导入，请取消隐藏后另存再导入）" for t in hidden]
    if main[3].hidden:
        warnings.append(f"数据在隐藏的工作表“{main[3].name}”中（没有其他工作表有数据），已按它导入")
    return main[3], main[4], more, warnings


def _sheet_names(sheets: tuple[Sheet, ...], shown: int = 5) -> str:
    """"表1、表2 … 等 N 个工作表": a message stays one line when a page holds hundreds of layout
    tables (each one a sheet) or a workbook hundreds of sheets."""
    names = "、".join(s.name for s in sheets[:shown])
    return names if len(sheets) <= shown else f"{names} 等 {len(sheets)} 个工作表"


Chosen = tuple[Sheet, Header, list[tuple[Sheet, Header]], list[str]]  # choose_sheets' answer


@dataclass
class Prepared:
    """A file read before the census is consulted: hash, size and cells (read_file) and, when the
    reader process went on (importers.read_ahead), its data sheets chosen, their merged cells filled
    down and their rows normalised."""

    path: Path
    sha256: str
    size: int
    workbook: Workbook
    chosen: Chosen | None = None
    normal: tuple[NormalSheet, ...] = ()


def plan_file(census: Census, path: str | Path, region: str | None = None) -> ImportPlan:
    """Read and understand a return without storing anything."""
    return plan_workbook(census, read_file(path), region)


def read_file(path: str | Path) -> Prepared:
    """A file's content hash, size and cells (one read, whatever the file turns out to be)."""
    path = Path(path)
    folder = is_dir(path)  # other refusals (a name too long for the disk) are said by the caller's one line
    if folder is None:
        raise CensusError("文件不存在", file=path.name)
    if folder:
        raise CensusError("这是一个文件夹，请选择其中的文件", file=path.name)
    data = file_bytes(path)  # hashed, read and later kept by the census from this one read
    return Prepared(path, hashlib.sha256(data).hexdigest(), len(data), workbook_from_bytes(data, path))


def plan_workbook(census: Census, read: Prepared, region: str | None = None,
                  renamed_before: int | None = None) -> ImportPlan:
    """The plan for a return already read: by read_file, or by the reader process, which may
    have chosen its sheets, filled them and normalised their rows already. `renamed_before`: an
    earlier version under another file name is looked for among batches below this id only (a
    run planning each file as it stores it leaves its own files out: which of two is newer is not
    known)."""
    path, sha, size, workbook, chosen = read.path, read.sha256, read.size, read.workbook, read.chosen
    sheet, header, more, sheet_warnings = chosen or choose_sheets(workbook)
    if CORRECTION_FIX_LABEL in {c.label for c in header.columns}:  # a list's copy, whatever columns it kept
        raise CensusError("这是更正清单，但缺少程序写入的标识（可能是复制到了新文件里），无法对应到原始行："
                          "请在导出的更正清单原文件中填写后报回", file=path.name)
    if chosen is None:
        for data_sheet, data_header in [(sheet, header), *more]:
            fill_merged_down(data_sheet, data_header.data_start)
    if region:
        guess = RegionGuess(user_region(region, path.name), "user")
    else:
        guess = guess_file_region(census.regions.tree(), sheet, header.first_row, path.name, _folders(path))
    tree = census.regions.tree()
    parts = tuple(SheetPart(s, h, guess_sheet_region(tree, s, h.first_row, guess.path)) for s, h in more)
    own = guess_sheet_region(tree, sheet, header.first_row, guess.path) if parts else None
    earlier = census.batches.by_sha(sha)
    period = hours_before(census.settings.rules.training_since, [header, *(h for _s, h in more)])
    plan = ImportPlan(path, sha, size, workbook, sheet, header, guess, more=parts,
                      sheet_warnings=(*workbook.notes, *sheet_warnings, *period), sheet_region=own,
                      normal=read.normal if chosen is not None else ())
    region_node = census.regions.by_path(guess.path) if guess.path else None
    region_id = region_node.id if region_node else None
    older = census.versions.earlier(path.name, region_id)
    if older is not None and not earlier:
        plan = replace(plan, earlier=census.batches.get(older))
        if not census.versions.shares_people(older, *_people(plan)):
            plan = replace(plan, keep_both=True, other_return=True)
    elif older is None and not earlier:  # sent again under another name: 光明社区摸排表(1).xlsx
        renamed = census.versions.earlier_renamed(path.name, region_id, before=renamed_before)
        if renamed is not None and census.versions.lists_most_of(renamed, *_people(plan)):
            plan = replace(plan, earlier=census.batches.get(renamed))
    if earlier:
        plan = replace(plan, duplicate_of=earlier.id,
                       duplicate_note=f"与 {earlier.imported_label} 导入的“{earlier.file_name}”内容完全相同，将跳过")
    elif (withdrawn := census.versions.withdrawn_by_sha(sha)) is not None:
        plan = replace(plan, earlier=None, duplicate_of=withdrawn[2],
                       duplicate_note=f"与已被批次 {withdrawn[2]} 替换的旧版本“{withdrawn[0]}”内容完全相同，将跳过"
                                      f"（要恢复旧版本，请撤销批次 {withdrawn[2]}）")
    return plan


_SINCE_YEAR = re.compile(r"((?:19|20)[0-9]{2})\s*年?\s*(?:以来|起|至今|以后|后|[-—~～至到])")


def hours_before(training_since: str, headers: list[Header]) -> list[str]:
    """An hours column whose heading counts from a year before the rules' 培训起算日期
    (累计培训学时（2010年以来）): the figures may hold training the rule leaves out, which no cell
    tells apart, so the clerk is asked (the rule itself only sets the templates' heading)."""
    since = int(training_since[:4])
    out = []
    for header in headers:
        for col in header.columns:
            found = _SINCE_YEAR.search(col.label) if col.field == "hours" else None
            if found and int(found.group(1)) < since:
                out.append(f"培训学时列“{col.label}”从 {found.group(1)} 年算起，早于统计规则的培训起算日期"
                           f"（{training_since}）：其中可能含更早的培训，请核实")
    return out


def with_versions_now(census: Census, plan: ImportPlan) -> ImportPlan:
    """A reviewed plan looked at again just before it is stored: another file of the same review,
    of the same file name for the same region, may have been stored since it was planned (two
    folders' 团结社区.xlsx). The rule a return sent again follows applies then as well: with somebody
    in common it is the newer version and replaces the earlier; with nobody in common it is another
    return, kept beside it. A plan that already knew of an earlier import keeps the clerk's choice."""
    if plan.earlier is not None or plan.duplicate_of is not None or not plan.region.path:
        return plan
    node = census.regions.by_path(plan.region.path)
    older = census.versions.earlier(plan.file_name, node.id if node else None)
    if older is None:
        return plan
    plan = replace(plan, earlier=census.batches.get(older))
    if not census.versions.shares_people(older, *_people(plan)):
        plan = replace(plan, keep_both=True, other_return=True)
    return plan


def same_name_later(plans: list[ImportPlan]) -> list[ImportPlan]:
    """The plans of one run that another, earlier plan of the run has the same file name and region
    as (with_versions_now decides them when they are stored): the review says so beforehand."""
    seen: set[tuple[str, str]] = set()
    later = []
    for plan in plans:
        if plan.duplicate_of is not None or not plan.region.path:
            continue
        key = (plan.file_name, plan.region.path)
        if key in seen:
            later.append(plan)
        seen.add(key)
    return later


def versions_in_run(plans: list[ImportPlan]) -> list[tuple[ImportPlan, ImportPlan]]:
    """Pairs of plans of one run that look like two versions of one return (the same region, file
    names the same but for a resend's marks, return_name, and most names in common): both are imported,
    neither replaces the other (which is newer is not known), so the review says so and the clerk
    can leave the older one out (the results say it of the stored files: Versions.run_twins)."""
    seen: VersionsSeen[ImportPlan] = VersionsSeen(lambda plan: plan.listed_names)
    pairs = []
    for plan in plans:
        if plan.duplicate_of is None and plan.region.path:
            twin = seen.see(plan, plan.region.path, plan.file_name)
            if twin is not None:
                pairs.append((twin, plan))
    return pairs


def _people(plan: ImportPlan) -> tuple[set[str], set[str]]:
    """The IDs (as typed, cleaned) and names of a planned file's data rows: enough to tell whether
    an earlier import of the same name lists any of the same people."""
    ids: set[str] = set()
    names: set[str] = set()
    if plan.normal:  # the reader process normalised the rows and kept no cells of them in the sheets
        i_name, i_raw, i_number = AT["name"], AT["id_raw"], AT["id_number"]
        for normal in plan.normal:
            for chunk in normal.chunks:
                for normal_row in chunk.rows:
                    ids.update(v for v in (normal_row[i_number], normal_row[i_raw] and clean_text(normal_row[i_raw])) if v)
                    names.add(normal_row[i_name])
        return ids, names - {""}
    for sheet, header in [(plan.sheet, plan.header), *((p.sheet, p.header) for p in plan.more)]:
        id_col, name_col = header.index_of("id_number"), header.index_of("name")
        for row in sheet.rows[header.data_start:]:
            if id_col is not None and id_col < len(row) and isinstance(row[id_col], str | int):
                ids.add(clean_text(str(row[id_col])))
            if name_col is not None and name_col < len(row) and row[name_col] is not None:
                names.add(clean_name(row[name_col]))
    return ids - {""}, names - {""}


def _folders(path: Path, most: int = 3) -> list[str]:
    """The names of the folders a file is in, the nearest `most`, outermost first (abspath asks the
    disk nothing)."""
    names: list[str] = []
    folder = os.path.dirname(os.path.abspath(path))
    while len(names) < most:
        folder, name = os.path.split(folder)
        if not name:  # the drive or root (os.path, not pathlib: this runs for every file of a folder)
            break
        names.append(name)
    return names[::-1]


def require_region(plan: ImportPlan) -> str:
    if plan.region.path is None:
        raise RegionUndecided(plan.region.message or "无法确定该文件属于哪个区划，请指定区划", file=plan.file_name,
                              candidates=list(plan.region.candidates))
    return plan.region.path


SAMPLE_CHARS = 16  # a sample longer than this is cut (the review shows three in one cell)
_NUMBER_ALONE = re.compile(r"[0-9Xx*\-\s]{11,}")  # a cell that is one long number: shown whole, masked


def _sample_text(cell: object, field: str | None = None) -> str:
    """A cell as the review's samples show it, masked by the screens' rules (models.identity):
    the ID and phone columns whatever they hold, a phone number or ID inside any other cell;
    long texts cut (a number alone is not: its masked form is what tells ID from phone)."""
    text = text_of(cell)
    if field == "id_number":
        return mask_id(text)
    if field == "phone":
        return mask_phone_text(text)
    masked = mask_numbers_in_text(text)
    return masked if len(masked) <= SAMPLE_CHARS or _NUMBER_ALONE.fullmatch(text) else masked[:SAMPLE_CHARS] + "…"
