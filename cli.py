"""The command line: a thin layer over models/, importers/ and exporters/ (never Qt).

Every user error ends as one clear Chinese line on stderr naming the file, and a non-zero exit
code; tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from models.census import Census, remove_census_file
from models.errors import CensusError, DiskFull, RegionUndecided, is_disk_full, os_error_reason, storage_error
from models.identity import mask_id
from models.records import display_width
from models.regions import KIND_LABELS
from models.rules import UNIT_TYPES
from models.units import unit_line

if TYPE_CHECKING:
    from importers.files import Outcome

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _out(text: str = "") -> None:
    """A line on stdout. When the reader has gone (`summary CENSUS | head`), the rest is thrown
    away and the command goes on: an import piped to head still stores every file."""
    _write(sys.stdout, text)


def _err(text: str) -> None:
    _write(sys.stderr, text)


def _write(stream, text: str) -> None:
    try:
        stream.write(text + "\n")
    except BrokenPipeError:
        try:  # what is still buffered, and every later line, goes nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        except (OSError, ValueError):  # a stream without a file descriptor
            pass


@contextlib.contextmanager
def _writable(path: str) -> Iterator[Census]:
    """A census a command writes to, made when missing. One this command made and leaves empty
    (its only file failed) is removed again: a mistyped census name must not leave a census
    behind that later commands would take for a real one."""
    made = not Path(path).exists()
    census = Census.open(path)
    try:
        yield census
    finally:
        try:
            empty = made and census.is_empty()
        except sqlite3.Error:
            empty = False
        census.close()
        if empty:
            remove_census_file(Path(path))


def _read(path: str) -> Census:
    """A census for a command that only reads: never created (a typo is not a new census), and
    opened read-only when it cannot be written."""
    return Census.open(path, create=False, read_only_ok=True)


def cmd_population(args) -> int:
    from importers.population import load_population

    with _writable(args.census) as census:
        result = load_population(census, args.file)
        _out(result.describe())
    return EXIT_OK


def cmd_import(args) -> int:
    from importers.files import expand_paths, import_files, left_out, left_out_line
    from importers.job import run_to_end

    files = expand_paths(args.files)
    others = left_out_line(left_out(args.files))
    if not files:
        _err("没有找到要导入的文件" + (f"：{others}" if others else ""))
        return EXIT_ERROR
    if others:
        _out(others)

    def report(outcome) -> None:
        if outcome.status == "imported":
            _out(outcome.result.describe())
            for warning in outcome.warnings:
                _out(f"  注意：{warning}")
        elif outcome.status == "corrected":
            _out(outcome.describe())
        elif outcome.status == "duplicate":
            _out(f"{outcome.error}，没有人被重复计数")
        elif isinstance(outcome.error, DiskFull):
            _err(f"导入失败：{outcome.file_name}：{outcome.error.message}")
        elif isinstance(outcome.error, RegionUndecided):
            _err(f"导入失败：{outcome.error}（用 --region 指定区划，如 --region 乌海市/市民政局）")
        elif outcome.status == "failed":
            _err(f"导入失败：{outcome.error or outcome.describe()}")

    with _writable(args.census) as census:
        outcomes = run_to_end(import_files(census, files, region=args.region, on_done=report, keep_both=args.keep_both,
                                           replace_versions=args.replace))
    if any(isinstance(o.error, DiskFull) for o in outcomes):
        return EXIT_ERROR
    failed = sum(1 for o in outcomes if o.status == "failed")
    if failed:
        if len(outcomes) > 1:  # one file: its own line above says it all
            _err(_failed_line(failed, outcomes))
        return EXIT_ERROR
    return EXIT_OK


def _failed_line(failed: int, outcomes: list[Outcome]) -> str:
    """The last line after some of several files failed: how many, and what became of the others."""
    stored = sum(1 for o in outcomes if o.status in ("imported", "corrected"))
    skipped = sum(1 for o in outcomes if o.status == "duplicate")
    parts = [f"{failed} 个文件导入失败"]
    if stored:
        parts.append(f"其余 {stored} 个文件已导入" if stored + failed == len(outcomes) else f"{stored} 个文件已导入")
    if skipped:
        parts.append(f"{skipped} 个文件与已导入的相同，已跳过")
    if not stored:
        parts.append("没有文件被导入")
    return "，".join(parts)


def cmd_summary(args) -> int:
    with _read(args.census) as census:
        if args.json:
            _out(json.dumps(census.summary_json(), ensure_ascii=False, indent=1))
            return EXIT_OK
        _print_summary(census)
    return EXIT_OK


def _cell(text: object, width: int, left: bool = False) -> str:
    text = str(text)
    pad = " " * max(width - display_width(text), 0)
    return text + pad if left else pad + text


SUMMARY_COLUMNS = (("户籍人口", 10), ("应达", 6), ("人才", 6), ("持证", 6), ("学历", 6), ("仅培训", 8), ("每千人", 9),
                   ("达标", 6), ("待核实", 8))


def _print_summary(census: Census) -> None:
    _out(f"{census.title}  （达标比例 {census.settings.rules.per_mille}‰，培训 ≥{census.settings.rules.min_hours} 学时）")
    _out(_cell("区划", 30, left=True) + "".join(_cell(name, w) for name, w in SUMMARY_COLUMNS) + "  备注")
    for s in census.summary():
        name = "  " * s.depth + s.name
        per = f"{s.per_mille:.2f}‰" if s.per_mille is not None else "—"
        met = "—" if s.target_met is None else ("是" if s.target_met else "否")
        notes = []
        if s.certified_min_met is False:
            notes.append(f"持证不足{s.certified_min}人")
        if s.flagged:
            notes.append("新增区划，待核实")
        values = ("—" if s.population is None else s.population, "—" if s.target is None else s.target, s.talents,
                  s.certified, s.degree, s.trained_only, per, met, s.pending_rows or "")
        _out(_cell(name, 30, left=True) + "".join(_cell(v, w) for v, (_, w) in zip(values, SUMMARY_COLUMNS, strict=True))
             + ("  " + "；".join(notes) if notes else ""))


def cmd_problems(args) -> int:
    with _read(args.census) as census:
        if args.per_region:
            from exporters.corrections import write_correction_workbooks

            written = write_correction_workbooks(census, Path(args.per_region), full_ids=args.full_ids)
            for path in written:
                _out(str(path))
            _out(f"已生成 {len(written)} 个更正清单")
            if written and census.settings.census_id() is None:  # a read-only census cannot give them its mark
                _out("注意：普查文件只读，清单没有程序标识，报回后不能直接导入，请逐行用 correct 更正")
            return EXIT_OK
        problems = census.problems.all()
        hints = {p.row_id: census.problems.suggest_ids(p.row_id) for p in problems if p.kind == "pending"}
        if args.json:
            items = []
            for p in problems:
                item = p.to_json(full_ids=args.full_ids)
                if p.kind == "pending":
                    item["suggestions"] = [mask_id(n, args.full_ids) for n in hints[p.row_id]]
                items.append(item)
            _out(json.dumps({"problems": items}, ensure_ascii=False, indent=1))
            return EXIT_OK
        pending = [p for p in problems if p.kind == "pending"]
        rows = sum(1 + len(p.also_rows) for p in pending)  # as summary's pending_rows counts them
        lines = f"（{len(pending)} 处，同一行在几份报表中各出现一次的只列一处）" if rows != len(pending) else ""
        _out(f"待核实 {rows} 行{lines}，其他问题 {len(problems) - len(pending)} 条")
        for p in problems:
            where = f"{p.file_name} / {p.sheet} / 第{p.row_number}行" if p.file_name else p.region_path
            hint = hints.get(p.row_id)
            extra = f"（可能是 {'、'.join(mask_id(n, args.full_ids) for n in hint)}，核实后用 correct {p.row_id} 更正）" if hint else ""
            _out(f"[{p.kind_label}] #{p.row_id or '-'} {where}  {p.name} {p.shown_id(args.full_ids)}  {p.reason}{extra}")
    return EXIT_OK


def cmd_batches(args) -> int:
    with _read(args.census) as census:
        for b in census.batches.all():
            version = f"  {b.version_label}" if b.version_label else ""
            _out(f"{b.id:>4}  {b.imported_at}  {b.file_name}  → {b.region_path}  "
                 f"数据行 {b.rows_total}，待核实 {b.rows_pending}{version}")
        for r in census.returned.all():
            _out(f"更正清单 {r.id}  {r.imported_at}  {r.file_name}  → {r.region_path}  更正 {r.corrected} 行，"
                 f"仍有误 {r.still_invalid} 行，附备注 {r.remarks} 行，跳过 {r.skipped} 行（撤销：undo CENSUS {r.id} --list）")
    return EXIT_OK


def cmd_undo(args) -> int:
    with Census.open(args.census, create=False) as census:
        if args.list:
            census.returned.undo(args.batch)
            _out(f"已撤销更正清单 {args.batch}：它做的更正和备注都已恢复原样")
        else:
            census.batches.undo(args.batch)
            _out(f"已撤销导入批次 {args.batch}")
    return EXIT_OK


def cmd_history(args) -> int:
    """The clerk's undo history (corrections, reassignments, folds, goals, rules): list it, or
    undo / redo its newest step, as 编辑 → 撤销/重做 does in the window."""
    if args.undo or args.redo:
        with Census.open(args.census, create=False) as census:
            name = census.undo.undo() if args.undo else census.undo.redo()
            _out(f"已{'撤销' if args.undo else '重做'}：{name}")
        return EXIT_OK
    with _read(args.census) as census:
        done, undone = census.undo.steps()
        if not done and not undone:
            _out("没有可以撤销或重做的操作（导入用 batches / undo 撤销）")
        for step in done:
            _out(f"可撤销  {step.at_label}  {step.name}")
        for step in undone:
            _out(f"可重做  {step.at_label}  {step.name}")
    return EXIT_OK


def cmd_correct(args) -> int:
    with Census.open(args.census, create=False) as census:
        number = census.undo.run("更正身份证号", lambda: census.problems.correct_id(args.row, args.id))
        _out(f"第 {args.row} 号源数据行的身份证号已更正为 {mask_id(number)}")
        person = census.people.get(number)
        if person.name_conflict:  # the ID was someone's already: counted as one person, to check
            _out(f"  注意：该身份证号下的姓名不一致（{'、'.join(person.names)}），已按同一人合并，请核实")
    return EXIT_OK


def cmd_regions(args) -> int:
    with _read(args.census) as census:
        for r in census.regions.all():
            pop = "" if r.population is None else f"  户籍人口 {r.population}"
            flag = "  （新增，待核实）" if r.flagged else ""
            _out(f"{'  ' * r.depth}{r.name} [{KIND_LABELS.get(r.kind, r.kind)}]{pop}{flag}")
    return EXIT_OK


def cmd_goal(args) -> int:
    from models.records import GOAL_LABELS

    category = {label: key for key, label in GOAL_LABELS.items()}.get(args.category, args.category)  # 持证社工 too
    if category not in GOAL_LABELS:
        raise CensusError(f"未知的目标类别：{args.category}（可选：{'、'.join(f'{k}（{v}）' for k, v in GOAL_LABELS.items())}）")
    with Census.open(args.census, create=False) as census:
        region = census.regions.by_path(args.region)
        if region is None:
            raise CensusError(f"区划“{args.region}”不存在")
        # A goal already set keeps what is not given again: `--by` or `--note` alone changes only
        # those (it became a goal of 0 people, 已达成), a new number keeps the deadline and note.
        old = None if args.clear else census.regions.goal(region.id, category)
        growth = None
        target = None if args.clear else args.target
        note = args.note if args.note is not None else (old.note if old else "")
        deadline = (args.by or None) if args.by is not None else (old.deadline if old else None)  # --by "" drops it
        if args.times is not None and not args.clear:
            from models.compare import growth_from_file

            if not args.of:
                raise CensusError("按倍数设定目标时请用 --of 给出早前的普查文件")
            if args.target is not None:
                raise CensusError("目标人数和 --times 只能用一个：按倍数设定时目标由早前普查的人数算出")
            growth = growth_from_file(Path(args.of), region.path, category, args.times, census.path, census.as_of)
        elif target is None and not args.clear:
            if old is None:
                raise CensusError(f"请给出目标人数，如 goal 普查文件 {region.path} {category} 1000")
            from models.goals import Growth

            target = old.target
            growth = None if old.multiple is None or old.base is None else Growth(old.multiple, old.base, old.base_source)
        census.undo.run("删除目标" if args.clear else "设置目标", lambda: census.regions.set_goal(
            region.id, category, target, note, deadline, growth))
        summary = next(s for s in census.summary() if s.region_id == region.id)
        for goal in summary.goals:
            state = "已达成" if goal.met else f"差 {goal.shortfall} 人"
            more = f"（{goal.description}）" if goal.description else ""
            _out(f"{region.path}：{goal.label} 目标 {goal.target}，现有 {goal.actual}，{state}{more}")
        if not summary.goals:
            _out(f"{region.path}：没有设置其他目标（可选类别：{'、'.join(f'{k}={v}' for k, v in GOAL_LABELS.items())}）")
    return EXIT_OK


def cmd_info(args) -> int:
    """Show, or with --title/--as-of set, the census's title and 统计截止日期."""
    changing = args.title is not None or args.as_of is not None
    with (Census.open(args.census, create=False) if changing else _read(args.census)) as census:
        if args.title is not None:
            if not args.title.strip():
                raise CensusError("标题不能为空", file=census.path.name)
            census.set_title(args.title.strip())
        if args.as_of is not None:
            census.set_as_of(args.as_of or None)
        totals = census.totals()
        _out(f"标题：{census.title}")
        _out(f"统计截止日期：{census.as_of or '未设定（info CENSUS --as-of YYYY-MM-DD）'}")
        _out(f"文件：{census.path}")
        _out(f"人才 {totals['talents']} 人（持证 {totals['certified']} 人），导入批次 {len(census.batches.all())} 个，"
             f"待核实 {totals['pending_rows']} 行")
    return EXIT_OK


def cmd_compare(args) -> int:
    from models.compare import compare_files

    with _read(args.census) as census:
        result = compare_files(census, Path(args.earlier))
    if args.json:
        _out(json.dumps(result.to_json(with_persons=args.persons, full_ids=args.full_ids), ensure_ascii=False,
                        indent=1))
        return EXIT_OK
    _print_comparison(result, args.persons, args.full_ids)
    return EXIT_OK


COMPARE_COLUMNS = (("人才", 7), ("此前", 7), ("增长", 8), ("持证", 6), ("此前", 6), ("新增", 6), ("减少", 6),
                   ("调入", 6), ("调出", 6), ("升级", 6))


def _print_comparison(result, persons: bool, full_ids: bool) -> None:
    _out(f"{result.title}（截至 {result.as_of or '未设定'}）对比 {result.earlier_title}（截至 "
         f"{result.earlier_as_of or '未设定'}，{result.earlier_file}）")
    for note in result.notes:
        _out(f"注意：{note}")
    if not result.as_of or not result.earlier_as_of:
        _out("      命令行设定：info 普查文件 --as-of 年-月-日（如 2021-12-31）")
    _out(_cell("区划", 30, left=True) + "".join(_cell(name, w) for name, w in COMPARE_COLUMNS))

    def shown(value) -> str:
        return "—" if value is None else str(value)

    for r in result.regions:
        growth = "—" if r.growth is None else f"×{r.growth:.2f}"
        values = (shown(r.figure("talents")), shown(r.figure("talents", True)), growth, shown(r.figure("certified")),
                  shown(r.figure("certified", True)), shown(r.new_persons), shown(r.gone_persons),
                  shown(r.moved_in), shown(r.moved_out), shown(r.upgraded))
        _out(_cell("  " * r.depth + r.name, 30, left=True)
             + "".join(_cell(v, w) for v, (_, w) in zip(values, COMPARE_COLUMNS, strict=True)))
    if result.goals:
        from models.records import GOAL_LABELS

        _out("有期限的目标：")
        for g in result.goals:
            need = "" if g.per_month_needed is None else f"，今后每月需增加 {g.per_month_needed:g} 人"
            pace = "" if g.pace_per_month is None else f"，两次普查间每月增加 {g.pace_per_month:g} 人"
            _out(f"  {g.path} {GOAL_LABELS.get(g.category, g.category)} {g.target} 人（期限 {g.by}）："
                 f"现有 {shown(g.now)}，此前 {shown(g.before)}{pace}{need}；{g.verdict}")
    if persons:
        for p in result.persons:
            where = f"{p.path_before} → {p.path}" if p.kind == "moved" else p.path
            note = f"（{p.note}）" if p.note else ""
            _out(f"[{p.kind_label}] {p.name} {p.shown_id(full_ids)} {where} {p.level_text}{note}")


def cmd_unit(args) -> int:
    """Set (or show) a unit's type and staff; prints its target against its count."""
    with Census.open(args.census, create=False) as census:
        region = census.regions.by_path(args.region)
        if region is None:
            raise CensusError(f"区划“{args.region}”不存在")
        if args.clear or args.type is not None or args.staff is not None:
            current = census.units.get(region.id)
            unit_type = None if args.clear else (current.unit_type if args.type is None else args.type)
            staff = None if args.clear else (current.staff if args.staff is None else args.staff)
            census.undo.run("修改单位信息", lambda: census.units.set(region.id, unit_type, staff))
        s = next(s for s in census.summary() if s.region_id == region.id)
        _out(unit_line(s))
    return EXIT_OK


def cmd_fold(args) -> int:
    with Census.open(args.census, create=False) as census:
        source, target = census.regions.by_path(args.source), census.regions.by_path(args.target)
        for path, node in ((args.source, source), (args.target, target)):
            if node is None:
                raise CensusError(f"区划“{path}”不存在")
        census.undo.run("并入其他区划", lambda: census.regions.fold(source.id, target.id))
        _out(f"已把“{source.path}”并入“{target.path}”")
    return EXIT_OK


def cmd_export(args) -> int:
    from exporters.summary import write_summary_workbook

    out = Path(args.out)
    folder_was_there = out.parent.exists()
    with _read(args.census) as census:
        path = write_summary_workbook(census, out, full_ids=args.full_ids,
                                      earlier=Path(args.earlier) if args.earlier else None)
        _out(f"已导出：{path.resolve()}")
        if not folder_was_there:  # a mistyped folder would otherwise leave the workbook somewhere unexpected
            _out(f"（文件夹 {path.parent.resolve()} 原先不存在，已新建）")
    return EXIT_OK


def cmd_template(args) -> int:
    from exporters.template import FOLDERS_FROM, template_files

    with _read(args.census) as census:
        run = template_files(census, Path(args.outdir), region=args.region)
        shown = 0
        while True:
            try:
                step = next(run)
            except StopIteration as stop:
                written = stop.value
                break
            if step.total < FOLDERS_FROM:
                continue
            if step.done * 20 // step.total > shown or step.done == step.total:  # every 5 %, on stderr
                shown = step.done * 20 // step.total
                print(f"\r已生成 {step.done:,} / {step.total:,} 个采集模板", end="", file=sys.stderr, flush=True)
        if len(written) >= FOLDERS_FROM:
            print(file=sys.stderr)
            _out(f"已按区县、街道分文件夹保存在 {Path(args.outdir)}")
        else:
            for path in written:
                _out(str(path))
        _out(f"已生成 {len(written)} 个采集模板")
    return EXIT_OK


def cmd_merge(args) -> int:
    from models.merge_files import merge_census_files

    with _writable(args.target) as census:
        for source in args.sources:
            result = merge_census_files(census, Path(source))
            _out(result.describe())
    return EXIT_OK


def cmd_demo(args) -> int:
    from demo.build import build_demo_census

    if Path(args.census).is_dir():
        raise CensusError("这是一个文件夹，请给出要生成的普查文件名，如 示例.census", file=Path(args.census).name)
    path = build_demo_census(Path(args.census))
    with Census.open(path) as census:
        _print_summary(census)
    return EXIT_OK


COMMANDS: dict[str, tuple[Callable, str]] = {
    "population": (cmd_population, "导入户籍人口表（区划树与各级户籍人口）"),
    "import": (cmd_import, "导入报送的摸排表（可多个文件或文件夹）"),
    "summary": (cmd_summary, "各级区划人才数与目标对比"),
    "problems": (cmd_problems, "待核实行与冲突清单"),
    "batches": (cmd_batches, "导入记录"),
    "undo": (cmd_undo, "撤销一次导入"),
    "history": (cmd_history, "操作记录：列出、撤销或重做更正、调整、并入、目标和规则的修改"),
    "correct": (cmd_correct, "更正某一源数据行的身份证号"),
    "regions": (cmd_regions, "区划树"),
    "fold": (cmd_fold, "把一个区划并入另一个（如报表写错名称而新建的区划）"),
    "goal": (cmd_goal, "为某区划设定其他目标（如年底持证 1000 人）"),
    "unit": (cmd_unit, "设定单位类型和在岗职工数（如 医院 320 人），显示单位目标"),
    "export": (cmd_export, "导出汇总工作簿"),
    "template": (cmd_template, "生成采集模板"),
    "merge": (cmd_merge, "合并其他普查文件"),
    "info": (cmd_info, "查看或设定普查标题和统计截止日期"),
    "compare": (cmd_compare, "与早前的普查对比（增长、新增、减少、等级提高、有期限目标的进度）"),
    "demo": (cmd_demo, "生成示例普查文件"),
}


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse speaking Chinese: its headings, and a mistake in the arguments as one line with
    exit code 1, like every other user error (it printed English usage and exited with 2)."""

    NAMES = {"census": "普查文件", "files": "摸排表文件或文件夹", "sources": "要合并的普查文件"}

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, add_help=False, formatter_class=_Formatter, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本说明")

    def error(self, message: str) -> NoReturn:
        _err(f"参数有误：{self._in_chinese(message)}（{self.prog} -h 查看用法）")
        sys.exit(EXIT_ERROR)

    def parse_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def,override]
        """As argparse, but an option it does not know is named by the command it was given to,
        with the nearest option that command has (summary --jsn: 是否想用 --json？)."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = self._command(getattr(parsed, "command", None)) or self
            # -h/--help is no one's meaning of a mistyped option (--level: 是否想用 --help？)
            options = [o for action in command._actions for o in action.option_strings if o not in ("-h", "--help")]
            hints = []
            for extra in extras:
                close = difflib.get_close_matches(extra.split("=")[0], options, n=1) if extra.startswith("-") else []
                if close:
                    hints.append(f"{extra} 是否想用 {close[0]}？")
            command.error(f"unrecognized arguments: {' '.join(extras)}" + ("".join(f"\n{h}" for h in hints)))
        return parsed

    def _command(self, name: str | None) -> argparse.ArgumentParser | None:
        """The subcommand's parser of that name, if any."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and name in action.choices:
                return action.choices[name]
        return None

    def _in_chinese(self, message: str) -> str:
        if found := re.fullmatch(r"the following arguments are required: (.+)", message):
            return "缺少" + "、".join(self._name(n) for n in found[1].split(", "))
        if found := re.fullmatch(r"unrecognized arguments: ([^\n]+)((?:\n.+)*)", message):
            hints = "；".join(found[2].split("\n")[1:])
            return f"不认识的参数 {found[1]}" + (f"，{hints}" if hints else "")
        if found := re.fullmatch(r"argument (\S+): invalid (int|float) value: '(.*)'", message):
            return f"{self._name(found[1])}应为{'整数' if found[2] == 'int' else '数字'}，而不是“{found[3]}”"
        if found := re.fullmatch(r"argument (\S+): not allowed with argument (\S+)", message):
            return f"{found[1]} 和 {found[2]} 不能同时使用"
        if found := re.fullmatch(r"argument (\S+): invalid choice: '(.*?)' \(choose from (.*)\)", message):
            choices = "、".join(c.strip("'") for c in found[3].split(", "))
            return f"{self._name(found[1])}不能是“{found[2]}”，可选：{choices}"
        if found := re.fullmatch(r"argument (\S+): expected one argument", message):
            return f"{self._name(found[1])}后面要跟一个值"
        return message

    def _name(self, name: str) -> str:
        """An argument as the clerk reads it: its name and what it is ("batch（导入批次号）")."""
        for action in self._actions:
            if name in action.option_strings or name in (action.dest, action.metavar):
                label = self.NAMES.get(action.dest) or (action.help or "").split("（")[0]
                return f"{name}（{label}）" if label and label != argparse.SUPPRESS else name
        return name


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="main.py", description="社会工作专业人才摸排（不带子命令时打开窗口）")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="命令")

    def add(name: str) -> argparse.ArgumentParser:
        func, help_text = COMMANDS[name]
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add("population")
    p.add_argument("census", help="普查文件（不存在则新建）")
    p.add_argument("file", help="户籍人口表 .xlsx/.xls/.csv")
    p = add("import")
    p.add_argument("census")
    p.add_argument("files", nargs="+", help="摸排表文件或文件夹")
    p.add_argument("--region", help="文件所属区划路径，如 乌海市/市民政局（无法从文件判断时使用）")
    version = p.add_mutually_exclusive_group()
    version.add_argument("--replace", action="store_true",
                         help="同一区划、同名文件再次报来时替换旧版本（默认如此，可撤销；两份没有相同人员时默认同时保留，加此项则仍替换）")
    version.add_argument("--keep-both", action="store_true", help="同名文件再次报来时同时保留新旧两份")
    p = add("summary")
    p.add_argument("census")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p = add("problems")
    p.add_argument("census")
    p.add_argument("--json", action="store_true")
    p.add_argument("--per-region", metavar="OUTDIR", help="为每个街道/社区生成一份更正清单")
    p.add_argument("--full-ids", action="store_true", help="显示完整身份证号（默认打码）")
    p = add("batches")
    p.add_argument("census")
    p = add("undo")
    p.add_argument("census")
    p.add_argument("batch", type=int, help="导入批次号（见 batches）")
    p.add_argument("--list", action="store_true", help="撤销的是导入的更正清单（号码见 batches 的“更正清单”行）")
    p = add("history")
    p.add_argument("census")
    step = p.add_mutually_exclusive_group()
    step.add_argument("--undo", action="store_true", help="撤销最近一次操作")
    step.add_argument("--redo", action="store_true", help="重做最近撤销的操作")
    p = add("correct")
    p.add_argument("census")
    p.add_argument("row", type=int, help="源数据行号（见 problems --json）")
    p.add_argument("id", help="正确的身份证号")
    p = add("regions")
    p.add_argument("census")
    p = add("fold")
    p.add_argument("census")
    p.add_argument("source", help="要并入的区划路径（将被删除）")
    p.add_argument("target", help="并入到的区划路径")
    p = add("goal")
    p.add_argument("census")
    p.add_argument("region", help="区划路径，如 乌海市")
    p.add_argument("category", help="talents/certified/certified_assistant/certified_intermediate/"
                                    "certified_senior/degree/trained")
    p.add_argument("target", type=int, nargs="?", help="目标人数（已设定的目标只改期限或说明时可不填）")
    p.add_argument("--note", help="说明，如 2022年底")
    p.add_argument("--by", metavar="YYYY-MM-DD", help="完成期限，如 2021-12-31")
    p.add_argument("--times", type=float, metavar="N", help="目标为早前普查同一区划同一类别人数的 N 倍（与 --of 一起用）")
    p.add_argument("--of", metavar="EARLIER_CENSUS", help="按倍数设定目标时的早前普查文件")
    p.add_argument("--clear", action="store_true", help="删除该目标")
    p = add("unit")
    p.add_argument("census")
    p.add_argument("region", help="单位的区划路径，如 测试市/东区/人民医院")
    p.add_argument("--type", help=f"单位类型：{'、'.join(UNIT_TYPES)}")
    p.add_argument("--staff", type=int, help="在岗职工数")
    p.add_argument("--clear", action="store_true", help="清除单位类型和在岗职工数")
    p = add("export")
    p.add_argument("census")
    p.add_argument("out", help="导出的 .xlsx")
    p.add_argument("--full-ids", action="store_true", help="导出完整身份证号和电话（默认打码）")
    p.add_argument("--earlier", metavar="EARLIER_CENSUS", help="与早前的普查文件对比（“增长对比”表）")
    p = add("template")
    p.add_argument("census")
    p.add_argument("outdir")
    p.add_argument("--region", help="只为该区划生成一份模板")
    p = add("merge")
    p.add_argument("target", help="合并到的普查文件")
    p.add_argument("sources", nargs="+", help="要合并进来的普查文件")
    p = add("info")
    p.add_argument("census")
    p.add_argument("--title", help="普查标题，如 乌海市社会工作专业人才摸排")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="统计截止日期（空字符串表示清除）")
    p = add("compare")
    p.add_argument("census", help="本次普查文件")
    p.add_argument("earlier", help="早前的普查文件")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--persons", action="store_true", help="列出新增、减少、等级提高和调整区划的人员")
    p.add_argument("--full-ids", action="store_true", help="显示完整身份证号（默认打码）")
    p = add("demo")
    p.add_argument("census", help="要生成的示例普查文件")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except CensusError as err:
        _err(f"错误：{err}")
        return EXIT_ERROR
    except sqlite3.Error as err:  # a write outside a transaction: the machine's fault, not a bug
        mapped = storage_error(err, Path(getattr(args, "census", None) or args.target).name)
        if mapped is None:
            raise
        _err(f"错误：{mapped}")
        return EXIT_ERROR
    except OSError as err:  # the machine refused (disk full, a name too long, no permission): one line
        where = f"{Path(str(err.filename)).name}：" if err.filename else ""
        if is_disk_full(err):
            _err(f"错误：{where}磁盘空间不足，没有写完（请清理磁盘后重试）")
        else:
            _err(f"错误：{where}{os_error_reason(err)}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("已中断")
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
