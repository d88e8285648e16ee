"""Correction lists: one workbook per street/community with its own rows to fix, ready to send back.

Problems are grouped by the deepest region their row belongs to (a pending row of 光明社区's
sheet goes to 光明社区, a row of the street's own 汇总 to the street). Regions created from a
return (``new_region``) have no row to fix and stay in the summary's 问题清单; a name conflict the
community already answered in 备注 (reviewed) is not sent again.

Each workbook carries a very hidden sheet, the mark (importers/returned_list.py): the census's
identity and, per line, the rows it stands for, so the list is recognised and applied when it
comes back, whatever it is then called.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from pathlib import Path

from exporters.template import filler_text
from exporters.xlsx import (
    Styles,
    exporting,
    output_names,
    prepare_out,
    print_setup,
    set_widths,
    text,
    today,
    wrapped_height,
)
from importers.returned_list import (
    MARK_GENERATED,
    MARK_HEADER,
    MARK_SHEET,
    MARK_TITLE,
    MARK_VERSION,
    row_check,
)
from models.census import Census
from models.goals import census_label
from models.identity import mask_id
from models.records import Problem
from models.schema import now

HEADER = ("序号", "问题类型", "文件", "工作表", "行号", "姓名", "身份证号（原填）", "问题原因", "更正后身份证号", "备注")
WIDTHS = (5, 9, 26, 9, 5, 8, 20, 40, 21, 18)
FIX_COL = HEADER.index("更正后身份证号")
UNPLACED = "未定区划"
EXPLANATION = (
    "说明：以下 {n} 行在汇总时发现问题，其中“待核实”的行因身份证号有误，暂未计入人才统计。请逐行核对："
    "在“更正后身份证号”列填写正确的18位身份证号（该列已设为文本格式，请勿存为数字）；姓名不一致或需复核的，"
    "请在“备注”列写明正确情况。核对完毕后将本表报回。"
)


def problems_by_region(census: Census) -> dict[str, list[Problem]]:
    """Row problems grouped by the path of their row's region, in tree order."""
    groups: dict[str, list[Problem]] = defaultdict(list)
    for problem in census.problems.all():
        if problem.row_id is None or problem.reviewed:  # a new region, not a row; or answered already
            continue
        groups[problem.region_path].append(problem)
    order = {r.path: i for i, r in enumerate(census.regions.all())}
    return {path: groups[path] for path in sorted(groups, key=lambda p: (order.get(p, len(order)), p))}


def write_correction_workbooks(census: Census, outdir: Path, full_ids: bool = False,
                               region: str | None = None) -> list[Path]:
    """One correction workbook per region with problems (only `region` and the nodes below it
    when given); returns the files written."""
    outdir = Path(outdir)
    groups = problems_by_region(census)
    if region is not None:
        groups = {path: found for path, found in groups.items() if path == region or path.startswith(region + "/")}
    names = output_names([path or UNPLACED for path in groups], "_更正清单.xlsx", outdir)
    identity = census.settings.census_id()
    new = identity is None and bool(groups) and not census.read_only
    if new:
        identity = census.settings.new_census_id()
    written: list[Path] = []
    try:
        for (region_path, problems), name in zip(groups.items(), names, strict=True):
            written.append(write_correction_workbook(census, region_path, problems, outdir / name, full_ids, identity))
    except BaseException:
        if new:  # the lists written so far carry an identity the census never gets: sent back, they would be refused
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
        raise
    if new and identity is not None:
        census.settings.set_census_id(identity)  # only once every list carrying it is written
    return written


def _short_path(census: Census, region_path: str) -> str:
    """The path without the city for the title: 海勃湾区新华街道光明社区."""
    node = census.regions.by_path(region_path) if region_path else None
    if node is None:
        return region_path or UNPLACED
    return filler_text(census.regions.tree(), node)


def write_correction_workbook(census: Census, region_path: str, problems: list[Problem], out_path: Path,
                              full_ids: bool = False, identity: str | None = None) -> Path:
    """One region's list; with the census's `identity` it carries the mark that lets it come back
    (a read-only census that never had one writes lists a clerk fills and returns by hand)."""
    out_path = prepare_out(out_path)
    with exporting(out_path) as wb:
        wb.set_properties({"title": "社会工作专业人才摸排更正清单", "comments": region_path})
        styles = Styles(wb)
        ws = wb.add_worksheet("更正清单")
        width = len(HEADER)
        set_widths(ws, WIDTHS)
        ws.set_column(FIX_COL, FIX_COL, WIDTHS[FIX_COL], wb.add_format({"num_format": "@"}))
        name = _short_path(census, region_path)
        ws.set_row(0, 30)
        ws.merge_range(0, 0, 0, width - 1, text(f"{name} 社会工作专业人才摸排更正清单"), styles.title)
        ws.merge_range(1, 0, 1, width - 1, text(f"{census_label(census.title, census.as_of)}　生成日期：{today()}　共 {len(problems)} 行"),
                       styles.subtitle)
        ws.set_row(2, wrapped_height([(EXPLANATION.format(n=len(problems)), sum(WIDTHS))]) or 16)
        ws.merge_range(2, 0, 2, width - 1, EXPLANATION.format(n=len(problems)), styles.note)
        header_row = 3
        for col, label in enumerate(HEADER):
            ws.write_string(header_row, col, label, styles.header)
        row = header_row + 1
        for n, p in enumerate(problems, start=1):
            height = wrapped_height([(p.reason, WIDTHS[7]), (p.file_name, WIDTHS[2])])
            if height:
                ws.set_row(row, height)
            ws.write_number(row, 0, n, styles.int)
            ws.write_string(row, 1, p.kind_label, styles.text)
            ws.write_string(row, 2, text(p.file_name), styles.text_wrap)
            ws.write_string(row, 3, text(p.sheet), styles.text)
            if p.row_number is None:
                ws.write_blank(row, 4, None, styles.int)
            else:
                ws.write_number(row, 4, p.row_number, styles.int)
            ws.write_string(row, 5, text(p.name), styles.text)
            ws.write_string(row, 6, text(mask_id(p.id_raw, full_ids)), styles.text)
            ws.write_string(row, 7, text(p.reason), styles.text_wrap)
            ws.write_blank(row, FIX_COL, None, styles.blank_text)
            ws.write_blank(row, FIX_COL + 1, None, styles.text_wrap)
            row += 1
        if problems:
            ws.data_validation(header_row + 1, FIX_COL, row - 1, FIX_COL, {
                "validate": "length", "criteria": "==", "value": 18, "input_title": "更正后身份证号",
                "input_message": "18位，请勿输入为数字（本列已设为文本格式）", "error_title": "身份证号码",
                "error_message": "身份证号码应为18位。确定要保留吗？", "error_type": "warning"})
        row += 1
        ws.write_string(row, 0, "核对人：", styles.subtitle)
        ws.write_string(row, 5, "联系电话：", styles.subtitle)
        ws.write_string(row, 8, "核对日期：", styles.subtitle)
        print_setup(ws, header_row, header_row, footer=name)
        if identity is not None:
            _write_mark(census, wb, identity, region_path, problems)
    return out_path


def _write_mark(census: Census, wb, identity: str, region_path: str, problems: list[Problem]) -> None:
    """The hidden sheet that makes the list recognisable when it comes back: the census's identity
    and, for each 序号, the rows it stands for (content hash of the return, sheet, row number and
    a check of name and ID as typed — never the ID itself)."""
    ws = wb.add_worksheet(MARK_SHEET)
    ws.very_hidden()
    ws.write_row(0, 0, [MARK_TITLE, MARK_VERSION])
    ws.write_row(1, 0, ["普查文件标识", identity])
    ws.write_row(2, 0, ["普查名称", text(census.title)])
    ws.write_row(3, 0, ["区划", text(region_path)])
    ws.write_row(4, 0, [MARK_GENERATED, now()])  # a row corrected after it is not changed by it
    ws.write_row(5, 0, list(MARK_HEADER))
    places = census.problems.row_places([r for p in problems for r in (p.row_id, *p.also_rows) if r is not None])
    for n, p in enumerate(problems, start=1):
        refs = []
        for row_id in (p.row_id, *p.also_rows):
            if row_id is None:
                continue
            sha, sheet, row_number, name, id_raw = places[row_id]
            refs.append([sha, sheet, row_number, row_check(name, id_raw)])
        ws.write_row(5 + n, 0, [n, p.kind, json.dumps(refs, ensure_ascii=False)])
