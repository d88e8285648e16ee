"""津贴测算: the allowance budget as the notices pay it, one row per paying street or town.

The monthly allowance is paid from the street's or town's budget to the certified workers of its
communities and villages (models.allowance), so the sheet is organised by who pays: each street
or town with its eligible persons by level, the monthly and yearly totals and the one-off award
for the award year, then each district's, city's and province's total. Every figure is the one
`summary --json` gives the same node (allowance_monthly, award_once).
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
    write_title,
)
from models import allowance
from models.census import Census
from models.regions import KIND_LABELS, RegionTree
from models.rules import Rules

LEVELS = ("助理", "中级", "高级")


def columns(year: int | None) -> tuple[tuple, ...]:
    award = f"{year}年取证人数" if year else "当年取证人数"
    return (
        ("街道（乡镇）", None, 22), ("所属区县", None, 12),
        ("享受月津贴人数", "助理", 7), (None, "中级", 7), (None, "高级", 7), (None, "合计", 7),
        ("月津贴（元）", "每月", 11), (None, "全年（×12）", 12),
        (award, "助理", 7), (None, "中级", 7), (None, "高级", 7), ("一次性奖励（元）", None, 12),
    )


def _kinds_text(kinds: tuple[str, ...]) -> str:
    if set(KIND_LABELS) <= set(kinds):
        return "全部人员"
    return "、".join(KIND_LABELS.get(k, k) for k in kinds) or "（无）"


def standard_line(rules: Rules, year: int | None) -> str:
    monthly = "、".join(f"{lv} {rate:,} 元" for lv, rate in zip(LEVELS, rules.allowance_monthly, strict=True))
    once = "、".join(f"{lv} {rate:,} 元" for lv, rate in zip(LEVELS, rules.award_once, strict=True))
    award = (f"{year}年取得证书者一次性奖励 {once}" if year else "一次性奖励：普查中没有可读的取得证书时间，未测算")
    return (f"测算日期：{today()}　月津贴：{_kinds_text(rules.allowance_kinds)}的持证社会工作者每月 {monthly}，"
            f"由所在街道（乡镇）支付；{award}（发放对象：{_kinds_text(rules.award_kinds)}）。标准可在“统计规则”中修改")


def write_allowance_sheet(census: Census, ws, styles: Styles) -> None:
    rules = census.settings.rules
    tree = census.regions.tree()
    budgets = census.units.budgets()
    cols = columns(budgets.year)
    width = len(cols)
    set_widths(ws, (w for _, _, w in cols))
    row = write_title(ws, styles, heading(census.title, "社会工作者津贴测算", census.as_of),
                      standard_line(rules, budgets.year), width, subtitle_width=sum(w for _, _, w in cols))
    header_row = row
    write_grouped_header(ws, row, cols, styles.header)
    row += 2
    for line in allowance.payer_lines(tree, budgets, rules):
        _line(ws, styles, row, line, tree)
        row += 1
    row += 1
    notes = ["说明：月津贴只计入社区、村（嘎查）等所选区划类型的人员（按每人最高证书等级计一次），医院、学校、机关等单位的"
             "持证人员不在其内；按人员所在的街道（乡镇）汇总，不属任何街道（乡镇）的，计入其上级区划的“本级”行。",
             "一次性奖励按取得证书时间计：同一人同一年只计一次，按当年取得的等级；取得证书时间缺失或无法识别的不计。"]
    for note in notes:
        ws.set_row(row, 30)
        ws.merge_range(row, 0, row, width - 1, note, styles.note)
        row += 1
    print_setup(ws, header_row, header_row + 1, freeze_col=1, footer=census.title)


def _line(ws, styles: Styles, row: int, line: allowance.PayerLine, tree: RegionTree) -> None:
    b, node = line.budget, line.region
    if line.total:
        name, district, fmt_text, fmt_num = f"{node.name}合计", "", styles.total_text, styles.total_int
    else:
        above = next((a for a in tree.ancestors(node) if a.kind in ("district", "city", "province")), None)
        name = f"{node.name}本级（不属街道乡镇）" if line.own else node.name
        district = "" if line.own or above is None else above.name
        fmt_text, fmt_num = styles.text, styles.yuan
    ws.write_string(row, 0, text(name), fmt_text)
    ws.write_string(row, 1, text(district), fmt_text)
    values = (*b.monthly_levels, b.monthly_persons, b.monthly, b.yearly, *b.award_levels, b.award)
    for col, value in enumerate(values, start=2):
        ws.write_number(row, col, value, fmt_num)
