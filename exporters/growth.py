"""The summary workbook's sheets over time: 增长对比 (this census against an earlier one, with the
dated goals' progress) and 取证年份 (certified persons by exam year and level, per region).

Both are written by `write_growth_sheets`, which exporters.summary calls once; figures are values,
never formulas, like the rest of the workbook.
"""

from __future__ import annotations

from exporters.xlsx import (
    Styles,
    heading,
    print_setup,
    set_widths,
    text,
    today,
    write_grouped_header,
    write_header,
    write_title,
)
from exporters.xlsx_rows import RowWriter
from models.census import Census
from models.compare import Comparison
from models.exam_years import LEVEL_KEYS, UNKNOWN
from models.records import GOAL_LABELS, RegionSummary

SHEETS = ("增长对比", "取证年份")

# 增长对比: (top label, sub label or None, width), as exporters.summary's grouped headers.
GROWTH_COLUMNS = (
    ("区划", None, 26), ("人才总数", "本次", 8), (None, "此前", 8), (None, "增长倍数", 8),
    ("持证", "本次", 7), (None, "此前", 7), ("助理", "本次", 7), (None, "此前", 7), ("中级", "本次", 7),
    (None, "此前", 7), ("高级", "本次", 7), (None, "此前", 7), ("专业学历", "本次", 7), (None, "此前", 7),
    ("仅培训", "本次", 7), (None, "此前", 7), ("新增人员", None, 8), ("减少人员", None, 8), ("调入人员", None, 8),
    ("调出人员", None, 8), ("等级提高", None, 8),
)
GROWTH_FIGURES = ("talents", "certified", "certified_assistant", "certified_intermediate", "certified_senior",
                  "degree", "trained_only")
GOAL_PROGRESS_HEADER = ("区划", "类别", "目标", "完成期限", "现有", "此前", "两次普查间每月增加", "今后每月需增加",
                        "判断")
YEAR_HEADER = ("区划", "取证年份", "助理社会工作师", "社会工作师", "高级社会工作师", "合计")
YEAR_WIDTHS = (40, 10, 14, 12, 14, 9)


def write_growth_sheets(census: Census, sheets: dict, styles: Styles, summary: list[RegionSummary],
                        comparison: Comparison | None) -> None:
    """Fill the 增长对比 and 取证年份 sheets (`sheets` by name, as the summary workbook made them)."""
    _growth_sheet(census, sheets["增长对比"], styles, comparison)
    _years_sheet(census, sheets["取证年份"], styles, summary)


# --------------------------------------------------------------------------- 增长对比

def _growth_sheet(census: Census, ws, styles: Styles, comparison: Comparison | None) -> None:
    width = len(GROWTH_COLUMNS)
    set_widths(ws, (w for _, _, w in GROWTH_COLUMNS))
    title = heading(census.title, "增长对比", census.as_of)
    if comparison is None:
        write_title(ws, styles, title, f"导出日期：{today()}", width)
        ws.merge_range(2, 0, 2, width - 1, "导出时未选择早前的普查文件，没有对比。在窗口“对比”页选择早前的普查文件后"
                       "导出，或用命令 export 本次.census 汇总.xlsx --earlier 早前.census。", styles.note)
        print_setup(ws, 2, 2, footer=census.title)
        return
    line = (f"对比：{comparison.earlier_label}（{comparison.earlier_file}）　导出日期：{today()}　"
            "新增、等级提高按本次归属区划计，减少按早前归属区划计；调入、调出为两次都是人才、归属区划变了的人员；"
            "本次 = 此前 + 新增 − 减少 + 调入 − 调出；各级数字均含下级")
    row = write_title(ws, styles, title, line, width, subtitle_width=sum(w for _, _, w in GROWTH_COLUMNS))
    header_row = row
    write_grouped_header(ws, row, GROWTH_COLUMNS, styles.header)
    row += 2
    writer = RowWriter(ws)
    for r in comparison.regions:
        cells: list[tuple[object, object]] = [(text(r.name), styles.indented(r.depth, r.depth == 0))]
        for name in GROWTH_FIGURES:
            cells += [_number_or_dash(r.figure(name), styles), _number_or_dash(r.figure(name, before=True), styles)]
            if name == "talents":
                cells.append(("—", styles.center) if r.growth is None else (r.growth, styles.per_mille))
        cells += [_number_or_dash(value, styles) for value in (r.new_persons, r.gone_persons, r.moved_in,
                                                                  r.moved_out, r.upgraded)]
        writer.write_cells(row, cells)
        row += 1
    row += 1
    for note in comparison.notes:
        ws.merge_range(row, 0, row, width - 1, f"注意：{note}", styles.note)
        row += 1
    row = _goal_progress(ws, styles, row + 1, comparison)
    print_setup(ws, header_row, header_row + 1, freeze_col=1, footer=census.title)


def _goal_progress(ws, styles: Styles, row: int, comparison: Comparison) -> int:
    """The dated goals under the table: pace between the censuses against the pace the deadline needs."""
    ws.merge_range(row, 0, row, 8, "有期限的目标：按两次普查之间的增长速度，能否在期限内完成", styles.subtitle)
    row += 1
    if not comparison.goals:
        ws.merge_range(row, 0, row, 8, "没有设定完成期限的目标（设定目标时可填写完成期限）。", styles.note)
        return row + 1
    write_header(ws, row, GOAL_PROGRESS_HEADER, styles.header)
    row += 1
    for g in comparison.goals:
        ws.write_string(row, 0, text(g.path), styles.text)
        ws.write_string(row, 1, GOAL_LABELS.get(g.category, g.category), styles.text)
        ws.write_number(row, 2, g.target, styles.thousands)
        ws.write_string(row, 3, g.by, styles.center)
        ws.write(row, 4, *_number_or_dash(g.now, styles))
        ws.write(row, 5, *_number_or_dash(g.before, styles))
        for col, rate in ((6, g.pace_per_month), (7, g.per_month_needed)):
            if rate is None:
                ws.write_string(row, col, "—", styles.center)
            else:
                ws.write_number(row, col, rate, styles.per_mille)
        good = g.on_track is True
        ws.write_string(row, 8, g.verdict, styles.good if good else (styles.bad if g.on_track is False else styles.center))
        row += 1
    return row


def _number_or_dash(value: int | None, styles: Styles) -> tuple[object, object]:
    return ("—", styles.center) if value is None else (value, styles.thousands)


# --------------------------------------------------------------------------- 取证年份

def _years_sheet(census: Census, ws, styles: Styles, summary: list[RegionSummary]) -> None:
    """One row per region and exam year (不详 last), then the region's 小计; regions without
    certified persons are left out."""
    width = len(YEAR_HEADER)
    set_widths(ws, YEAR_WIDTHS)
    line = (f"导出日期：{today()}　取证年份取该人最高等级证书所在行的“取得证书时间”；"
            "未填写或无法识别的记为“不详”；各区划数字均含下级，小计等于该区划持证人数")
    row = write_title(ws, styles, heading(census.title, "持证社工取证年份", census.as_of), line, width,
                      subtitle_width=sum(YEAR_WIDTHS))
    header_row = row
    write_header(ws, row, YEAR_HEADER, styles.header)
    row += 1
    writer = RowWriter(ws)
    for s in summary:
        if not s.certified:
            continue
        path = text(s.path)
        for year, levels in s.certified_by_year.items():
            counts = [levels[k] for k in LEVEL_KEYS]
            if not sum(counts):
                continue
            writer.write_cells(row, [(path, styles.text), ("不详" if year == UNKNOWN else year, styles.center),
                                     *((n, styles.thousands) for n in [*counts, sum(counts)])])
            row += 1
        writer.write_cells(row, [(path, styles.total_text), ("小计", styles.total_text),
                                 *((n, styles.total_int) for n in (s.certified_assistant, s.certified_intermediate,
                                                                   s.certified_senior, s.certified))])
        row += 1
    if row > header_row + 1:
        ws.autofilter(header_row, 0, row - 1, width - 1)
    else:
        ws.merge_range(row, 0, row, width - 1, "尚无持证社工。", styles.note)
    print_setup(ws, header_row, header_row, landscape=False, footer=census.title)
