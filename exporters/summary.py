"""The summary workbook: what a bureau prints, files and sends upward.

Sheets, in this order (汇总表 first: it is what a CSV conversion or a quick look shows):

* 汇总表 — the region tree with every figure of ``summary --json`` against its target;
* 其他目标 — every goal a user set for a node (e.g. 1,000 certified by year end), nodes in tree
  order, against the node's count; always present, with one line saying so when there are none;
* 明细 — the deduplicated roster, one row per person, IDs and phones masked unless asked;
* 问题清单 — every pending row, name conflict and value to review, with file/sheet/row;
* 未报送 — the deepest regions of the population table from which no return came;
* 津贴测算 — the allowance budget by paying street/town and the award year's one-off awards
  (exporters.allowance_sheet);
* 增长对比, 取证年份 — against an earlier census, and by exam year (exporters.growth).

Every figure is written as a value, never a formula: readers without a calculation engine
(calamine, pandas, other systems) would see formulas as empty cells.
"""

from __future__ import annotations

import math
from pathlib import Path

from exporters.allowance_sheet import write_allowance_sheet
from exporters.growth import SHEETS as GROWTH_SHEETS
from exporters.growth import write_growth_sheets
from exporters.unit_cells import UNIT_COLUMNS, unit_cells, unit_notes
from exporters.xlsx import (
    LineCounter,
    Progress,
    Styles,
    exporting,
    heading,
    prepare_out,
    print_setup,
    repeated_text,
    report,
    set_widths,
    text,
    today,
    wrapped_height,
    write_grouped_header,
    write_header,
    write_title,
)
from exporters.xlsx_rows import RowWriter
from models.bulk_gc import fewer_collections
from models.census import Census
from models.compare import compare_files
from models.identity import mask_id
from models.records import RegionSummary
from models.regions import KIND_LABELS
from models.rollup import unreported

SHEETS = ("汇总表", "其他目标", "明细", "问题清单", "未报送", "津贴测算", *GROWTH_SHEETS)

# 汇总表: (top label, sub label or None, width). A top label spanning several columns is given on
# its first column and None on the ones it covers.
SUMMARY_COLUMNS = (
    ("区划", None, 24), ("类型", None, 7), ("户籍人口", None, 10), ("应达人数", None, 7),
    ("人才总数", None, 7), ("持证", "合计", 6), (None, "助理", 6), (None, "中级", 6), (None, "高级", 6), ("专业学历", "合计", 6), (None, "其中持证", 6), ("仅培训", None, 6),
    ("差额", None, 6), ("每千人‰", None, 8), ("是否达标", None, 6), ("持证最低要求", None, 13),
    ("待核实行数", None, 7), ("备注", None, 14), *UNIT_COLUMNS,
)
GOAL_HEADER = ("区划", "类别", "目标", "现有", "差额", "是否达成", "说明")
GOAL_WIDTHS = (40, 16, 10, 10, 10, 9, 36)
ROSTER_HEADER = ("序号", "姓名", "性别", "身份证号码", "联系电话", "计入人才", "人才类别", "最高证书等级", "学历",
                 "所学专业", "培训学时", "所属区划", "来源文件", "出现行数", "备注")
# Narrow enough that fitting the width to A4 landscape prints the 10 pt cells at 8 pt or more
# (a scale of 0.8: about 175 width units); the region, files, categories, major and remark wrap.
ROSTER_WIDTHS = (6, 9, 5, 20, 13, 5, 12, 14, 10, 11, 6, 22, 22, 5, 12)
PROBLEM_HEADER = ("序号", "问题类型", "所属区划", "文件", "工作表", "行号", "姓名", "身份证号（原填）", "原因")
PROBLEM_WIDTHS = (6, 10, 30, 30, 10, 6, 9, 21, 50)
MISSING_HEADER = ("序号", "区县", "街道（乡镇）", "名称", "类型", "户籍人口", "备注")
MISSING_WIDTHS = (6, 14, 16, 22, 8, 10, 40)

def write_summary_workbook(census: Census, out_path: Path, full_ids: bool = False,
                           progress: Progress = None, earlier: Path | None = None) -> Path:
    """Write the summary workbook (compared with the `earlier` census file when given); returns
    the path written."""
    out_path = prepare_out(out_path)
    with fewer_collections():  # see models.bulk_gc: a full collection here walked the window's objects too
        return _write_summary_workbook(census, out_path, full_ids, progress, earlier)


def _write_summary_workbook(census: Census, out_path: Path, full_ids: bool, progress: Progress,
                            earlier: Path | None) -> Path:
    comparison = compare_files(census, earlier) if earlier is not None else None
    summary = census.summary()
    problems = census.problems.all()
    persons_total = census.people.count()
    total = len(summary) * 4 + persons_total + len(problems)
    done = 0
    report(progress, done, total)

    with exporting(out_path) as wb:
        wb.set_properties({"title": f"{census.title} 社会工作专业人才摸排汇总", "comments": "社会工作专业人才摸排"})
        styles = Styles(wb)
        sheets = {name: wb.add_worksheet(name) for name in SHEETS}
        _summary_sheet(census, sheets["汇总表"], styles, summary)
        done += len(summary)
        _goals_sheet(census, sheets["其他目标"], styles, summary)
        done += len(summary)
        report(progress, done, total)
        for done_here in _roster_sheet(census, sheets["明细"], styles, full_ids):
            report(progress, done + done_here, total)
        done += persons_total
        _problem_sheet(census, sheets["问题清单"], styles, problems, full_ids)
        done += len(problems)
        report(progress, done, total)
        _missing_sheet(census, sheets["未报送"], styles, summary)
        done += len(summary)
        write_allowance_sheet(census, sheets["津贴测算"], styles)
        write_growth_sheets(census, sheets, styles, summary, comparison)
    report(progress, total, total)
    return out_path


# --------------------------------------------------------------------------- 汇总表

def _rules_line(census: Census) -> str:
    rules = census.settings.rules
    return (f"统计日期：{today()}　达标标准：户籍人口的 {rules.per_mille}‰　人才：持证、{_edu_line()}或"
            f"{rules.training_since[:4]}年以来培训累计≥{rules.min_hours}学时　"
            f"人才总数 = 持证 + 专业学历 − 其中持证 + 仅培训")


def _edu_line() -> str:
    return "大专及以上相关专业学历"


def _summary_sheet(census: Census, ws, styles: Styles, summary: list[RegionSummary]) -> None:
    width = len(SUMMARY_COLUMNS)
    set_widths(ws, (w for _, _, w in SUMMARY_COLUMNS))
    row = write_title(ws, styles, summary_title(census, summary), _rules_line(census), width)
    write_grouped_header(ws, row, SUMMARY_COLUMNS, styles.header)
    header_first = row
    row += 2
    ws.autofilter(header_first + 1, 0, header_first + 1 + len(summary), width - 1)
    writer = RowWriter(ws)
    for s in summary:
        writer.write_cells(row, _summary_cells(styles, s))
        row += 1
    roots = [s for s in summary if s.depth == 0]
    if len(roots) > 1:
        _totals_row(ws, styles, row, roots, census)
        row += 1
    flagged = [s.path for s in summary if s.flagged]
    notes = ["说明：各级数字均含下级；同一身份证号只计一次，多份报表中的资格合并计算，计入其最深一级区划。",
             "“待核实行数”为身份证号有误、尚未计入的行，见“问题清单”；更正后重新导出即可计入。"]
    if flagged:
        notes.append(f"有 {len(flagged)} 个区划不在户籍人口表中，由报表新建（备注中标明），请核实："
                     + "、".join(flagged) + "。")
    notes.extend(unit_notes(summary))
    table_end = row
    row += 1
    line_width = sum(w for _, _, w in SUMMARY_COLUMNS)
    for line in notes:
        height = wrapped_height([(line, line_width)])
        if height:
            ws.set_row(row, height)
        ws.merge_range(row, 0, row, width - 1, line, styles.note)
        row += 1
    ws.set_row(row, 30)
    ws.merge_range(row, 0, row, width - 1, SIGN_LINE, styles.subtitle)
    print_setup(ws, header_first, header_first + 1, freeze_col=1, footer=census.title)
    ws.fit_to_pages(1, _pages_tall(table_end, row + 1))


# 填报单位（盖章）/ 填表人 / 审核人 / 日期: the line a bureau signs and stamps before sending the table up.
SIGN_LINE = "填报单位（盖章）：　　　　　　　　　　填表人：　　　　　　审核人：　　　　　　日期：　　　　年　　月　　日"
# Rows of the 汇总表 on one A4 landscape page at the scale that fits its width (10 pt rows of about
# 15 pt, the page less its margins and the repeated two-row header): an estimate, which is all
# the page-count rule below needs.
ROWS_PER_PAGE = 40


def _pages_tall(table_rows: int, all_rows: int) -> int:
    """Pages tall to fit to: the pages the table itself needs, so that the notes and the sign
    line squeeze onto its last page rather than spill alone onto a near-empty one (0: no limit,
    when squeezing would shrink the print by more than a few rows' worth)."""
    table_pages = max(1, math.ceil(table_rows / ROWS_PER_PAGE))
    spill = all_rows - table_pages * ROWS_PER_PAGE
    return table_pages if spill <= ROWS_PER_PAGE // 4 else 0


def summary_title(census: Census, summary: list[RegionSummary]) -> str:
    """“XX市社会工作专业人才摸排汇总表”: the census's title as set in the window (文件 → 普查信息);
    without one, the top region's name rather than the file's."""
    roots = [s for s in summary if s.depth == 0]
    title = (census.settings.get("title") or (roots[0].name if len(roots) == 1 else census.title)).strip()
    if "摸排" not in title and "摸底" not in title:
        title += "社会工作专业人才摸排"
    return f"{title}汇总表" + (f"（截至{census.as_of}）" if census.as_of else "")


def _met(value: bool | None) -> str:
    return "—" if value is None else ("是" if value else "否")


def _certified_min_text(s: RegionSummary) -> str:
    if s.certified_min is None:
        return ""
    if s.certified_min_met:
        return f"≥{s.certified_min}人，已达到"
    return f"≥{s.certified_min}人，差{s.certified_min - s.certified}人"


def _summary_cells(styles: Styles, s: RegionSummary) -> list[tuple[object, object]]:
    """A region's row of the 汇总表 as (value, format) cells."""
    remarks = []
    if s.flagged:
        remarks.append("新增区划，待核实")
    if not s.has_returns:
        remarks.append("未报送")
    return [
        (text(s.name), styles.indented(s.depth, s.depth == 0)),
        (KIND_LABELS.get(s.kind, s.kind), styles.center),
        _number_or_dash(s.population, styles.thousands, styles),
        _number_or_dash(s.target, styles.int, styles),
        *((value, styles.int) for value in (s.talents, s.certified, s.certified_assistant, s.certified_intermediate,
                                            s.certified_senior, s.degree, s.degree_and_certified, s.trained_only)),
        _number_or_dash(s.shortfall, styles.int, styles),
        _number_or_dash(s.per_mille, styles.per_mille, styles),
        (_met(s.target_met), styles.bad if s.target_met is False else styles.center),
        (_certified_min_text(s), styles.bad_left if s.certified_min_met is False else styles.text),
        (s.pending_rows or None, styles.int),
        ("；".join(remarks), styles.text),
        *unit_cells(styles, s),
    ]


def _number_or_dash(value, fmt, styles: Styles) -> tuple[object, object]:
    return ("—", styles.center) if value is None else (value, fmt)


def _totals_row(ws, styles: Styles, row: int, roots: list[RegionSummary], census: Census) -> None:
    """合计 over several roots (a census of two cities); with one root, the root row is the total."""
    def add(name: str) -> int:
        return sum(getattr(s, name) for s in roots)

    pops = [s.population for s in roots]
    population = None if None in pops else sum(p or 0 for p in pops)
    targets = [s.target for s in roots]
    target = None if None in targets else sum(t or 0 for t in targets)
    talents = add("talents")
    ws.write_string(row, 0, "合计", styles.total_text)
    ws.write_string(row, 1, "", styles.total_text)
    for col, value in ((2, population), (3, target)):
        if value is None:
            ws.write_string(row, col, "—", styles.total_text)
        else:
            ws.write_number(row, col, value, styles.total_int)
    for col, name in enumerate(("talents", "certified", "certified_assistant", "certified_intermediate",
                                "certified_senior", "degree", "degree_and_certified", "trained_only"), start=4):
        ws.write_number(row, col, add(name), styles.total_int)
    if target is None:
        ws.write_string(row, 12, "—", styles.total_text)
    else:
        ws.write_number(row, 12, max(target - talents, 0), styles.total_int)
    if population:
        ws.write_number(row, 13, talents / population * 1000, styles.total_per_mille)
    else:
        ws.write_string(row, 13, "—", styles.total_text)
    ws.write_string(row, 14, "—" if target is None else _met(talents >= target), styles.total_text)
    ws.write_string(row, 15, "", styles.total_text)
    ws.write_number(row, 16, sum(s.pending_rows for s in roots), styles.total_int)
    for col in range(17, len(SUMMARY_COLUMNS)):
        ws.write_string(row, col, "", styles.total_text)


# --------------------------------------------------------------------------- 其他目标

def _goals_sheet(census: Census, ws, styles: Styles, summary: list[RegionSummary]) -> None:
    """One row per goal, nodes in tree order, each row naming its node's full path (filterable)."""
    width = len(GOAL_HEADER)
    set_widths(ws, GOAL_WIDTHS)
    with_goals = [s for s in summary if s.goals]
    count = sum(len(s.goals) for s in with_goals)
    short = sum(1 for s in with_goals for g in s.goals if not g.met)
    line = (f"统计日期：{today()}　共 {count} 项目标，已达成 {count - short} 项，未达成 {short} 项；"
            "“现有”为该区划（含下级）的人数，与汇总表一致" if count else f"统计日期：{today()}")
    row = write_title(ws, styles, heading(census.title, "其他目标", census.as_of), line, width)
    header_row = row
    write_header(ws, row, GOAL_HEADER, styles.header)
    row += 1
    for s in with_goals:
        for goal in s.goals:
            height = wrapped_height([(goal.description, GOAL_WIDTHS[6]), (s.path, GOAL_WIDTHS[0])])
            if height:
                ws.set_row(row, height)
            ws.write_string(row, 0, text(s.path), styles.text_wrap)
            ws.write_string(row, 1, goal.label, styles.text)
            ws.write_number(row, 2, goal.target, styles.thousands)
            ws.write_number(row, 3, goal.actual, styles.thousands)
            ws.write_number(row, 4, goal.shortfall, styles.thousands)
            ws.write_string(row, 5, "是" if goal.met else "否", styles.good if goal.met else styles.bad)
            if goal.description:
                ws.write_string(row, 6, text(goal.description), styles.text_wrap)
            else:
                ws.write_blank(row, 6, None, styles.text_wrap)
            row += 1
    if count:
        ws.autofilter(header_row, 0, row - 1, width - 1)
    else:
        ws.merge_range(row, 0, row, width - 1, "尚未设定其他目标。可在程序“概况”页为某一区划设定，"
                       "如“年底持证社工 1000 人”。", styles.note)
    print_setup(ws, header_row, header_row, landscape=False, footer=census.title)


# --------------------------------------------------------------------------- 明细

def _roster_sheet(census: Census, ws, styles: Styles, full_ids: bool):
    """Stream the roster; yields the number of persons written every 2,000."""
    width = len(ROSTER_HEADER)
    set_widths(ws, ROSTER_WIDTHS)
    shown = "完整身份证号和电话（注意保密）" if full_ids else "身份证号、电话已打码"
    row = write_title(ws, styles, heading(census.title, "人才花名册（去重后）", census.as_of),
                      f"导出日期：{today()}　每人一行，多份报表中的资格已合并；{shown}", width)
    header_row = row
    for col, label in enumerate(ROSTER_HEADER):
        ws.write_string(row, col, label, styles.header)
    ws.set_row(row, 20)
    row += 1
    files = census.people.files()
    writer = RowWriter(ws, (styles.int, styles.text, styles.center, styles.text, styles.text, styles.center,
                            styles.text_wrap, styles.text, styles.text, styles.text_wrap, styles.hours,
                            styles.text_wrap, styles.text_wrap, styles.int, styles.text_wrap))
    lines = LineCounter()
    count = 0
    for person in census.people.iter():
        count += 1
        categories = "、".join(person.categories) if person.talent else ""
        major = repeated_text(person.major)
        path = repeated_text(person.region_path)
        sources = repeated_text(files.get(person.id_number, ""))
        remark = text(f"姓名不一致：{'、'.join(person.names)}") if person.name_conflict else ""
        writer.write(row, (count, text(person.name), person.gender, person.shown_id(full_ids),
                           text(person.shown_phone(full_ids)), "是" if person.talent else "否", categories,
                           person.level_name, person.education_name, major, person.hours, path, sources,
                           person.row_count, remark),
                     height=lines.height((categories, ROSTER_WIDTHS[6]), (major, ROSTER_WIDTHS[9]),
                                         (path, ROSTER_WIDTHS[11]), (sources, ROSTER_WIDTHS[12]),
                                         (remark, ROSTER_WIDTHS[14])))
        row += 1
        if count % 2000 == 0:
            yield count
    if count:
        ws.autofilter(header_row, 0, row - 1, width - 1)
    else:  # a header alone reads like a failed export
        ws.merge_range(row, 0, row, width - 1, "尚无人员：还没有导入摸排表，或导入的表中没有有效身份证号。", styles.note)
    print_setup(ws, header_row, header_row, freeze_col=2, footer=census.title)
    yield count


# --------------------------------------------------------------------------- 问题清单

def _problem_sheet(census: Census, ws, styles: Styles, problems, full_ids: bool) -> None:
    width = len(PROBLEM_HEADER)
    set_widths(ws, PROBLEM_WIDTHS)
    pending = sum(1 for p in problems if p.kind == "pending")
    row = write_title(ws, styles, heading(census.title, "待核实问题清单", census.as_of),
                      f"导出日期：{today()}　待核实 {pending} 行（未计入人才），其他需复核 {len(problems) - pending} 条",
                      width)
    header_row = row
    for col, label in enumerate(PROBLEM_HEADER):
        ws.write_string(row, col, label, styles.header)
    row += 1
    reason_width, file_width = PROBLEM_WIDTHS[8], PROBLEM_WIDTHS[3]
    for n, p in enumerate(problems, start=1):
        height = wrapped_height([(p.reason, reason_width), (p.file_name, file_width), (p.region_path, PROBLEM_WIDTHS[2])])
        if height:
            ws.set_row(row, height)
        ws.write_number(row, 0, n, styles.int)
        ws.write_string(row, 1, p.kind_label, styles.text)
        ws.write_string(row, 2, text(p.region_path), styles.text_wrap)
        ws.write_string(row, 3, text(p.file_name), styles.text_wrap)
        ws.write_string(row, 4, text(p.sheet), styles.text)
        if p.row_number is None:
            ws.write_blank(row, 5, None, styles.int)
        else:
            ws.write_number(row, 5, p.row_number, styles.int)
        ws.write_string(row, 6, text(p.name), styles.text)
        ws.write_string(row, 7, text(mask_id(p.id_raw, full_ids)), styles.text)
        ws.write_string(row, 8, text(p.reason), styles.text_wrap)
        row += 1
    if problems:
        ws.autofilter(header_row, 0, row - 1, width - 1)
    else:
        ws.merge_range(row, 0, row, width - 1, "没有待核实或需复核的问题。", styles.note)
    print_setup(ws, header_row, header_row, freeze_col=0, footer=census.title)


# --------------------------------------------------------------------------- 未报送

def _missing_sheet(census: Census, ws, styles: Styles, summary: list[RegionSummary]) -> None:
    width = len(MISSING_HEADER)
    set_widths(ws, MISSING_WIDTHS)
    tree = census.regions.tree()
    own = census.regions.with_own_rows()
    missing = unreported(tree, summary)
    row = write_title(ws, styles, heading(census.title, "未报送区划清单", census.as_of),
                      f"导出日期：{today()}　共 {len(missing)} 个区划（户籍人口表中最末一级）尚无任何报表导入", width)
    header_row = row
    for col, label in enumerate(MISSING_HEADER):
        ws.write_string(row, col, label, styles.header)
    row += 1
    writer = RowWriter(ws)
    for n, s in enumerate(missing, start=1):
        node = tree.by_id[s.region_id]
        ancestors = tree.ancestors(node)
        district = next((a.name for a in ancestors if a.kind == "district"), "")
        street = next((a.name for a in ancestors if a.kind == "street"), "")
        reported_above = next((a for a in ancestors if a.id in own), None)
        note = f"{reported_above.name}已报送，本级人员可能已含在其报表中" if reported_above is not None else ""
        writer.write_cells(row, [(n, styles.int), (text(district), styles.text), (text(street), styles.text),
                                 (text(s.name), styles.text), (KIND_LABELS.get(s.kind, s.kind), styles.center),
                                 _number_or_dash(s.population, styles.thousands, styles),
                                 (text(note), styles.text_wrap)],
                           height=wrapped_height([(note, MISSING_WIDTHS[6])]))
        row += 1
    print_setup(ws, header_row, header_row, landscape=False, footer=census.title)


