"""A correction list coming back from a community: recognised by the mark written with it, read,
checked against the census and applied as `correct` would apply each filled ID.

exporters/corrections.py writes, beside the visible 更正清单, a very hidden sheet (the mark) with
the census's identity (census.settings.census_id) and, for every line, the rows it stands for:
the return's content hash, sheet and row number, and a check made of the row's name and ID as
typed when the list was written. So the list is recognised whatever the file or the visible
sheet is called and however its title was changed, and a line can only ever touch the row it was
written for: a list from another census file is refused, and so is one whose rows no longer
match. Nothing is half-applied: all the changes of a list are one transaction (census.returned).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from importers.plan import CORRECTION_FIX_LABEL as FIX_LABEL
from importers.plan import ImportPlan, Prepared, plan_workbook, read_file
from importers.readers import Sheet, Workbook
from importers.values import clean_name
from models.errors import CensusError, DuplicateImport
from models.identity import id_fields, mask_id
from models.returned_lists import Change, RowState

if TYPE_CHECKING:  # annotations only: the reader process imports this module without the census
    from models.census import Census

MARK_SHEET = "更正清单标识"
MARK_TITLE = "社会工作专业人才摸排更正清单标识（由程序生成，请勿修改或删除）"
MARK_VERSION = 1
MARK_HEADER = ("序号", "问题类型", "对应原始行")
MARK_GENERATED = "生成时间"  # lists written before it was kept have none: they are applied as before
REMARK_LABEL = "备注"
STILL_INVALID = "报回的更正号码仍有误：{reason}"
TAKEN_REASON = "该号码已是另一人（姓名不同）的身份证号"  # the other's name stays out of lists sent out


def row_check(name: str, id_raw: str) -> str:
    """What a line knows of its row without holding the ID itself: a short hash of name and ID."""
    return hashlib.sha256(f"{name}\x1f{id_raw}".encode()).hexdigest()[:12]


# ---- reading the file ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """One source row a line stands for."""

    batch_sha: str
    sheet: str
    row_number: int
    check: str


@dataclass(frozen=True)
class ListLine:
    """A line of the returned list: what the mark says and what the community filled in."""

    seq: int
    kind: str
    refs: tuple[Ref, ...]
    name: str = ""
    typed: object = None  # the 更正后身份证号 cell as read
    remark: str = ""


@dataclass(frozen=True)
class ParsedList:
    census_id: str
    census_title: str
    region_path: str
    lines: tuple[ListLine, ...]
    missing: tuple[int, ...] = ()  # 序号 of the mark with no visible line left (rows deleted)
    missing_refs: dict[int, tuple[Ref, ...]] = field(default_factory=dict)  # their rows, to name them
    generated_at: str = ""  # when the list was written (models.schema.now), "" when not known


def _is_mark(sheet: Sheet) -> bool:
    return bool(sheet.rows and sheet.rows[0] and sheet.rows[0][0] == MARK_TITLE)


def _cell(row: list, col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _seq(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    text = _text(value)
    return int(text) if text.isascii() and text.isdigit() else None  # "③".isdigit() is true too


def read_list(workbook: Workbook, file_name: str) -> ParsedList | None:
    """The returned list in a workbook, or None when it carries no mark (an ordinary return)."""
    mark = next((s for s in workbook.sheets if _is_mark(s)), None)
    if mark is None:
        return None
    broken = CensusError("更正清单的标识不完整（隐藏的“更正清单标识”工作表被改动过），无法对应到原始行", file=file_name)
    rows = mark.rows
    try:
        census_id, title, region = _text(rows[1][1]), _text(_cell(rows[2], 1)), _text(_cell(rows[3], 1))
        header = next(i for i, r in enumerate(rows) if tuple(_text(c) for c in r[:3]) == MARK_HEADER)
        generated = next((_text(_cell(r, 1)) for r in rows[:header] if r and _text(r[0]) == MARK_GENERATED), "")
        refs: dict[int, tuple[str, tuple[Ref, ...]]] = {}
        for r in rows[header + 1:]:
            seq = _seq(_cell(r, 0))
            if seq is None:
                continue
            refs[seq] = (_text(_cell(r, 1)), tuple(Ref(str(a), str(b), int(c), str(d))
                                                   for a, b, c, d in json.loads(_text(_cell(r, 2)))))
    except (IndexError, StopIteration, ValueError, TypeError, RecursionError) as err:
        # RecursionError: json.loads of a row reference nested thousands deep
        raise broken from err
    if not census_id:
        raise broken
    # The sheet the community sees and filled: a visible one before a hidden one (a copy of the
    # list's sheet filled in while the original was hidden).
    candidates = [s for s in workbook.sheets if s is not mark and _header_row(s) is not None]
    visible = next((s for s in candidates if not s.hidden), candidates[0] if candidates else None)
    if visible is None:
        raise CensusError("更正清单中找不到带“序号”和“更正后身份证号”列的工作表", file=file_name)
    at = _header_row(visible)
    assert at is not None
    labels = [_text(c) for c in visible.rows[at]]
    col = {label: labels.index(label) if label in labels else None for label in ("序号", "姓名", FIX_LABEL, REMARK_LABEL)}
    lines: list[ListLine] = []
    for r in visible.rows[at + 1:]:
        seq = _seq(_cell(r, col["序号"]))
        if seq is None or seq not in refs or any(line.seq == seq for line in lines):
            continue
        kind, line_refs = refs[seq]
        lines.append(ListLine(seq, kind, line_refs, _text(_cell(r, col["姓名"])), _cell(r, col[FIX_LABEL]),
                              _text(_cell(r, col[REMARK_LABEL]))))
    seen = {line.seq for line in lines}
    missing = tuple(sorted(set(refs) - seen))
    return ParsedList(census_id, title, region, tuple(lines), missing, {seq: refs[seq][1] for seq in missing},
                      generated)


def _header_row(sheet: Sheet) -> int | None:
    for i, row in enumerate(sheet.rows[:12]):
        labels = {_text(c) for c in row}
        if "序号" in labels and FIX_LABEL in labels:
            return i
    return None


# ---- deciding what each line does -----------------------------------------------------------------
OUTCOME_LABELS = {"correct": "更正", "invalid": "仍有误", "remark": "记下备注", "skip": "跳过", "blank": "未填写"}


@dataclass(frozen=True)
class LinePreview:
    """What one line will do (the review shows it, the result reports it)."""

    seq: int
    where: str  # 文件 / 工作表 / 第 n 行
    name: str
    old: str  # the ID now (masked)
    new: str  # the ID filled in (masked)
    outcome: str  # "correct" | "invalid" | "remark" | "skip" | "blank"
    message: str = ""

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


@dataclass(frozen=True)
class Decision:
    lines: tuple[LinePreview, ...]
    changes: tuple[Change, ...]
    refusal: str = ""

    @property
    def counts(self) -> Counter:
        return Counter(line.outcome for line in self.lines)


def decide(census: Census, parsed: ParsedList, file_name: str) -> Decision:
    """Every line's effect on the census as it is now; `refusal` says why nothing may be applied."""
    own = census.settings.census_id()
    if parsed.census_id != own:
        where = f"“{parsed.census_title}”" if parsed.census_title else "另一个普查文件"
        return Decision((), (), f"这份更正清单由{where}生成，不属于本普查文件（“{census.title}”），未做任何更改")
    previews: list[LinePreview] = []
    changes: list[Change] = []
    given: dict[str, set[str]] = {}  # ID -> the names earlier lines of this list gave it

    def someone_else(number: str, name: str) -> str | None:
        """Another name the ID is counted under (in the census, or given by an earlier line)."""
        names = {*census.people.names_of(number), *given.get(number, ())}
        if not name or not names or name in names:
            given.setdefault(number, set()).add(name)
            return None
        return sorted(names)[0]

    for line in parsed.lines:
        rows: list[tuple[Ref, RowState]] = []
        gone = ""
        for ref in line.refs:
            state, why = _resolve(census, ref)
            if why == "mismatch":
                return Decision((), (), f"第 {line.seq} 行（{line.name}）对应的原始行已与生成清单时不同，"
                                        "清单已过期，请重新生成更正清单；未做任何更改")
            if state is None:
                gone = why
            else:
                rows.append((ref, state))
        previews.append(_line(line, rows, gone, changes, someone_else, parsed.generated_at))
    previews += [LinePreview(s, "", _named(census, parsed.missing_refs.get(s, ())), "", "", "skip",
                             "清单中已没有这一行（被删除）") for s in parsed.missing]
    return Decision(tuple(previews), tuple(changes))


def _named(census: Census, refs: tuple[Ref, ...]) -> str:
    """The name on the row a deleted line stood for (the mark keeps no names), "" when gone."""
    for ref in refs:
        state, _why = _resolve(census, ref)
        if state is not None:
            return state.name
    return ""


def _resolve(census: Census, ref: Ref) -> tuple[RowState | None, str]:
    """The row a reference stands for now, or why there is none ("undone", "replaced")."""
    returned = census.returned
    state = returned.row_by_ref(ref.batch_sha, ref.sheet, ref.row_number)
    if state is not None:
        return (state, "") if row_check(state.name, state.id_raw) == ref.check else (None, "mismatch")
    if returned.batch_known(ref.batch_sha):
        return None, "mismatch"
    newer = census.versions.withdrawn_by_sha(ref.batch_sha)
    if newer is not None:
        for candidate in returned.rows_of_batch(census.versions.live_batch(newer[2])):
            if row_check(candidate.name, candidate.id_raw) == ref.check:
                return candidate, ""
        return None, "该行所在的摸排表已报来新版本，新版本中没有这一行，已跳过"
    return None, "该行所在的导入已撤销，已跳过"


def _line(line: ListLine, rows: list[tuple[Ref, RowState]], gone: str, changes: list[Change],
          someone_else: Callable[[str, str], str | None], generated_at: str = "") -> LinePreview:
    """One line's preview; its changes are appended to `changes`. An ID already counted under
    another name is not taken (a neighbour's number copied into the line would make two people
    one and lose a talent): a clerk who knows it is the same person corrects the row by hand.
    Nor is an answer that would replace an ID or a remark given to the row after the list was
    written (by hand, or by a newer list that came back first): a list that arrives late does
    not undo the newer fix."""
    where = ""
    if line.refs:
        ref = line.refs[0]
        where = f"{ref.sheet} / 第{ref.row_number}行" if ref.sheet else f"第{ref.row_number}行"
    id_raw, number, reason = id_fields(line.typed) if _text(line.typed) else ("", None, None)
    first = rows[0][1] if rows else None
    old = mask_id(first.id_number or first.id_raw) if first else ""
    new = mask_id(id_raw) if id_raw else ""
    if first is None:
        outcome = "skip" if (id_raw or line.remark) else "blank"
        return LinePreview(line.seq, where, line.name, old, new, outcome, gone if outcome == "skip" else "")
    if line.name and clean_name(line.name) != first.name and (id_raw or line.remark):
        # The 序号 a line is matched by was changed (sorted and numbered again, a line inserted or
        # deleted and the rest renumbered): its answer belongs to another person than this row's.
        return LinePreview(line.seq, where, line.name, old, new, "skip",
                           f"姓名“{line.name}”与清单生成时第 {line.seq} 行的“{first.name}”不符（序号是否被重新编过？），"
                           "未采用：请让报送单位在原清单上填写、不要改动序号")
    messages: list[str] = []
    outcome = "blank"
    if id_raw:
        other = someone_else(number, first.name) if number is not None else None
        if other is not None:
            pending = [s for _, s in rows if s.status == "pending"]
            new_reason = STILL_INVALID.format(reason=TAKEN_REASON)
            todo = [s for s in pending if s.reason != new_reason]
            changes += [Change("invalid", s.id, new_reason) for s in todo]
            outcome = "invalid" if todo else "skip"
            messages.append(f"填写的号码已是“{other}”的身份证号（姓名不同），未采用；如确为同一人，请在“问题”页手动更正")
        elif number is not None:
            todo = [s for _, s in rows if not (s.status == "ok" and s.id_number == number)]
            since = [s for s in todo if _after(generated_at, s.corrected_at, s.corrected_by_list_of)]
            if since:  # corrected after the list was written: its answer is older than that fix
                todo = []
                messages.append(f"清单生成（{_label(generated_at)}）后此行已另行更正为 {mask_id(since[0].id_number or '')}，"
                                "未采用清单中的号码；如确应改用，请在“问题”页手动更正")
            elif not todo:
                messages.append("已更正为相同号码")
            elif first.status == "ok" and first.id_number:
                messages.append("原号码有效，按填写的号码更正")
            changes += [Change("correct", s.id, number) for s in todo]
            outcome = "correct" if todo else "skip"
        else:
            new_reason = STILL_INVALID.format(reason=reason)
            pending = [s for _, s in rows if s.status == "pending"]
            todo = [s for s in pending if s.reason != new_reason]
            changes += [Change("invalid", s.id, new_reason) for s in todo]
            outcome = "invalid" if todo else "skip"
            messages.append(f"填写的号码仍有误：{reason}" if pending else f"填写的号码有误（{reason}），原号码有效，未更改")
            if pending and not todo:
                messages.append("此前已报回同一号码")
    if line.remark:
        todo_remarks = [s for _, s in rows if s.remark != line.remark]
        newer = [s for s in todo_remarks if s.remark and _after(generated_at, s.remark_at, s.remark_by_list_of)]
        if newer:
            messages.append(f"清单生成后此行已有新的备注（{newer[0].remark}），未采用清单中的备注")
            todo_remarks = []
        changes += [Change("remark", s.id, line.remark) for s in todo_remarks]
        if todo_remarks:
            messages.append(f"备注：{line.remark}")
            if outcome in ("blank", "skip"):
                outcome = "remark"
    elif outcome == "blank" and not id_raw:
        return LinePreview(line.seq, where, line.name or first.name, old, new, "blank")
    if gone:
        messages.append(gone)
    return LinePreview(line.seq, where, line.name or first.name, old, new, outcome, "；".join(messages))


def _after(generated_at: str, changed_at: str | None, by_list_of: str | None) -> bool:
    """Whether a row's change is newer than a list written at `generated_at`: made after it, by
    hand or by a list written after it (a fill of this same list, sent again, is not: the later
    answer to the same list wins, as before)."""
    if not generated_at or not changed_at or changed_at < generated_at:
        return False
    return by_list_of is None or by_list_of > generated_at


def _label(at: str) -> str:
    """A stored timestamp as a clerk reads it (2026-12-02 18:54)."""
    return at.replace("T", " ")[:16]


# ---- the plan and applying it ---------------------------------------------------------------------
@dataclass(frozen=True)
class ReturnedListPlan:
    """A returned correction list read and decided, nothing written (the review shows `lines`)."""

    path: Path
    sha256: str
    parsed: ParsedList
    decision: Decision
    duplicate_note: str = ""  # this very file was applied before

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def data_rows(self) -> int:
        return len(self.parsed.lines)

    @property
    def region_path(self) -> str:
        return self.parsed.region_path

    def summary(self) -> str:
        """One line: what applying it will do."""
        if self.decision.refusal:
            return self.decision.refusal
        if self.duplicate_note:
            return self.duplicate_note
        return describe_counts(self.decision.counts, len(self.parsed.lines))


def describe_counts(counts: Counter, lines: int) -> str:
    parts = [f"更正 {counts['correct']} 行", f"仍有误 {counts['invalid']} 行"]
    if counts["remark"]:
        parts.append(f"只记下备注 {counts['remark']} 行")
    parts += [f"跳过 {counts['skip']} 行", f"未填写 {counts['blank']} 行"]
    return f"更正清单 {lines} 行：" + "，".join(parts)


def plan_returned_list(census: Census, path: Path, sha256: str, parsed: ParsedList) -> ReturnedListPlan:
    earlier = census.returned.by_sha(sha256)
    note = f"这份更正清单已于 {earlier.imported_label} 导入过，再次导入不会有任何更改" if earlier else ""
    return ReturnedListPlan(path, sha256, parsed, decide(census, parsed, path.name), note)


@dataclass
class ReturnedResult:
    """What applying a returned list did, for the CLI and the result page."""

    file_name: str
    list_id: int | None
    lines: tuple[LinePreview, ...] = ()
    region_path: str = ""
    counts: Counter = field(default_factory=Counter)

    def describe(self) -> str:
        head = f"{self.file_name}（更正清单{' → ' + self.region_path if self.region_path else ''}）："
        if self.list_id is None:
            head += "没有需要更改的内容，普查文件未变"
        else:
            head += describe_counts(self.counts, len(self.lines)) + f"（已记入更正记录，可整份撤销：undo --list {self.list_id}）"
        out = [head]
        for line in self.lines:
            if line.outcome in ("invalid", "skip") or (line.outcome == "correct" and line.message):
                out.append(f"  第 {line.seq} 行 {line.name}：{line.outcome_label}。{line.message}")
        return "\n".join(out)


def apply_returned_list(census: Census, plan: ReturnedListPlan) -> ReturnedResult:
    """Apply the list to the census as it is now, all lines in one transaction (re-decided inside
    it, so a list reviewed a while ago still changes only what is still to change)."""
    name = plan.file_name
    if census.returned.by_sha(plan.sha256) is not None:
        raise DuplicateImport(plan_returned_list(census, plan.path, plan.sha256, plan.parsed).duplicate_note, file=name)
    with census.transaction():
        decision = decide(census, plan.parsed, name)
        if decision.refusal:
            raise CensusError(decision.refusal, file=name)
        result = ReturnedResult(name, None, decision.lines, plan.region_path, decision.counts)
        if decision.changes:
            result.list_id = census.returned.apply(
                file_name=name, sha256=plan.sha256, region_path=plan.region_path, lines=len(decision.lines),
                changes=list(decision.changes), skipped=decision.counts["skip"], generated_at=plan.parsed.generated_at)
    return result



def plan_path(census: Census, path: str | Path, region: str | None = None,
              read: Prepared | None = None, renamed_before: int | None = None) -> ImportPlan | ReturnedListPlan:
    """A file as the import sees it: a returned correction list when it carries the mark (its
    name, title and sheet names do not matter), else a return to plan for import. `read`: what
    reading it gave already (a folder import reads the next file while storing one);
    `renamed_before`: see plan_workbook."""
    read = read or read_file(path)
    parsed = read_list(read.workbook, read.path.name)
    if parsed is not None:
        return plan_returned_list(census, read.path, read.sha256, parsed)
    return plan_workbook(census, read, region, renamed_before)
