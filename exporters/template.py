"""Collection templates: one register per community/village, built so that what comes back imports cleanly.

Every choice here removes a problem the importer would otherwise have to report:

* the 填报单位 line names the region (without the city, unless the rest is another node's path too:
  测试市民政局 beside 东区民政局), so the importer places the file without asking, even when two
  streets both have a 团结社区;
* the header is the standard two-row register (学历情况 and 社会工作职业水平证书 merged over their
  parts), whose every column maps to a field;
* the ID and phone columns are text ('@') so Excel keeps all 18 digits;
* drop-down lists for 性别, 学历 and 证书等级, a whole-number rule for the hours, and input
  messages where people go wrong (IDs typed as numbers, hours added up across trainings);
* a 填表说明 sheet after the data sheet (the importer skips it either way).

A province has 18,400 communities and villages, and their templates differ only in the title's
city, the 填报单位 line, the file's description and how many rows are numbered. So XlsxWriter
builds each kind of template once (per number of numbered rows) with markers where a region's own
text goes, and each region's file is that template's zip parts with its text put in: the same
bytes XlsxWriter would write, at a few milliseconds a file instead of 70 (7,000 formatted cells
turned into XML each time).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from exporters.xlsx import (
    A4,
    TEMP_PREFIX,
    Styles,
    export_error,
    exporting,
    folder_name,
    output_names,
    prepare_out,
    print_setup,
    remove_leftovers,
    text,
    wrapped_height,
    write_grouped_header,
)
from importers.job import Progress, run_to_end
from models.census import Census
from models.errors import CensusError, NotFound
from models.regions import Region, RegionTree

BLANK_ROWS = 500  # rows formatted and validated for typing
SPARE_ROWS = 10  # numbered and printed beyond the persons the census already holds for the node
MIN_PRINTED = 20  # a community nobody reported yet still gets a page to fill in by hand
SIGN_LINE = "填表人：　　　　　　联系电话：　　　　　　审核人："
GENDERS = ("男", "女")
EDUCATIONS = ("初中", "高中", "中专", "大专", "本科", "硕士研究生", "博士研究生")
LEVELS = ("无", "助理社会工作师", "社会工作师", "高级社会工作师")
MAX_HOURS = 5000

HEADER_ROW = 2  # 0-based: title, 填报单位 line, then the two header rows
FIRST_DATA = HEADER_ROW + 2


def columns(training_year: str) -> tuple[tuple[str | None, str | None, float], ...]:
    """(top label, sub label, width) of the standard register."""
    return (
        ("序号", None, 5), ("姓名", None, 9), ("性别", None, 5), ("身份证号码", None, 21), ("联系电话", None, 13),
        ("工作单位及职务", None, 18), ("学历情况", "学历", 10), (None, "所学专业", 14), (None, "毕业院校", 16),
        ("社会工作职业水平证书", "证书等级", 15), (None, "证书编号", 14), (None, "取得时间", 10),
        (f"{training_year}年以来参加社会工作培训学时", None, 12), ("备注", None, 12),
    )


COL = {"seq": 0, "name": 1, "gender": 2, "id": 3, "phone": 4, "unit": 5, "education": 6, "major": 7,
       "school": 8, "level": 9, "cert_no": 10, "cert_date": 11, "hours": 12, "remark": 13}

INSTRUCTIONS = (
    "填表说明",
    "1. 本表由各社区（村）填报本辖区内的社会工作专业人才，包括：持有社会工作者职业水平证书的人员；"
    "大专及以上社会工作及相关专业（社会学、心理学、社会保障等）学历的人员；{year}年以来参加社会工作培训累计"
    "达到{hours}学时的人员。符合任一条件即填报，每人一行。",
    "2. 身份证号码：必须填写18位完整号码。该列已设为文本格式，请直接输入；从其他表格复制时请使用“选择性粘贴—数值”，"
    "不要把身份证号码存成数字（存成数字后末尾几位会变成0，无法恢复）。",
    "3. 证书等级：从下拉列表中选择“助理社会工作师”“社会工作师”“高级社会工作师”，没有证书选“无”。"
    "同时持有多个等级的只填最高等级。请不要填写“持证”“有”等，无法识别。",
    "4. 学历：从下拉列表中选择最高学历；所学专业请写全称（如“社会工作”“应用心理学”）。",
    "5. 培训学时：填写{year}年以来参加社会工作教育培训的累计学时（整数）。同一个人在不同表中填报时，"
    "以最大的数为准，不会相加，请不要把别人或别的表中的学时加进来。",
    "6. 请不要修改表头、合并或删除列，不要在表中插入合计行以外的说明文字；人数多于表格行数时可在末尾继续填写。",
    "7. 本表含有个人信息，请妥善保管，通过单位内部渠道报送，不要在群聊中传播。",
)


def template_regions(tree: RegionTree, region: str | None = None) -> list[Region]:
    """The regions that get a template: every community/village, or just the chosen path.

    A tree without communities or villages (a district's census down to streets) gets one per
    deepest region instead.
    """
    if region is not None:
        node = tree.by_path.get(region.strip().strip("/"))
        if node is None:
            raise NotFound(f"区划“{region}”不存在，请使用完整路径，如 乌海市/海勃湾区/新华街道/光明社区")
        return [node]
    order = tree.tree_order()
    grassroots = [r for r in order if r.kind in ("community", "village") and not r.flagged]
    if grassroots:
        return grassroots
    parents = {r.parent_id for r in order}
    return [r for r in order if r.id not in parents and not r.flagged]


def city_of(tree: RegionTree, node: Region) -> Region:
    """The city a region belongs to (its nearest ancestor of kind city, else its root)."""
    chain = [node, *tree.ancestors(node)]
    return next((r for r in chain if r.kind == "city"), chain[-1])


def filler_text(tree: RegionTree, node: Region) -> str:
    """The region's names from below the city down to it (海勃湾区新华街道光明社区) when the importer
    reads that back as this node; else from the root (测试市民政局: "民政局" alone is also the name of
    东区's unit, and a 填报单位 line that names another node's path would send the return there)."""
    chain = list(reversed([node, *tree.ancestors(node)]))
    city = city_of(tree, node)
    below = "".join(r.name for r in chain if r.depth > city.depth) or node.name
    if _reads_as(tree, below, node):
        return below
    whole = "".join(r.name for r in chain)
    return whole if _reads_as(tree, whole, node) else below


def _reads_as(tree: RegionTree, text: str, node: Region) -> bool:
    """Whether the importer places a 填报单位 line of `text` at `node`, with nothing left over."""
    match = tree.match_text(text)
    return match.region is not None and match.region.id == node.id and not match.remainder


def write_templates(census: Census, outdir: Path, region: str | None = None) -> list[Path]:
    """One template per community/village (or one for `region`); returns the files written."""
    return run_to_end(template_files(census, outdir, region))


FOLDERS_FROM = 50  # this many templates or more are sorted into one folder per county and street


def template_files(census: Census, outdir: Path, region: str | None = None,
                   cancel: Callable[[], bool] | None = None) -> Generator[Progress, None, list[Path]]:
    """write_templates with progress (one value per file) and cancel between files: a province's
    18,000 communities and villages take a while. From FOLDERS_FROM templates on they are sorted
    into folders by the path between the root and the community (市/区县/街道), so each street's
    clerk gets one folder to send out. A cancel raises CensusError naming what was written."""
    outdir = Path(outdir)
    tree = census.regions.tree()
    nodes = template_regions(tree, region)
    folders: dict[Path, list[Region]] = {}
    for node in nodes:
        between = [a.name for a in reversed(tree.ancestors(node)) if a.depth > 0]
        folder = outdir.joinpath(*map(folder_name, between)) if len(nodes) >= FOLDERS_FROM else outdir
        folders.setdefault(folder, []).append(node)
    known = persons_within(census, tree)
    rules = census.settings.rules
    maker = TemplateMaker(rules.training_since[:4], rules.min_hours)
    written: list[Path] = []
    with maker:
        for folder, members in folders.items():
            names = output_names([node.name if folder != outdir else node.path for node in members],
                                 "_摸排登记表.xlsx", folder)
            with saving_into(prepare_out(folder / names[0]).parent) as save:
                for node, name in zip(members, names, strict=True):
                    if cancel and cancel():
                        raise CensusError(f"已取消生成采集模板：已生成 {len(written)} 个，未生成 "
                                          f"{len(nodes) - len(written)} 个（已生成的在 {outdir}）")
                    texts = region_texts(tree, node)
                    written.append(maker.write(texts, printed_rows(known.get(node.id, 0)), folder / name, save))
                    yield Progress(len(written), len(nodes), f"正在生成采集模板：{node.path}")
    return written


def persons_within(census: Census, tree: RegionTree) -> dict[int, int]:
    """Persons attributed to each region or below it (what census.people.count(region_id) says of
    one region), for every region from one pass over the persons' groups, not a query per region."""
    own: dict[int, int] = {}
    for group in census.person_groups().rows:
        own[group[0]] = own.get(group[0], 0) + group[-1]
    out: dict[int, int] = {}
    for region_id, n in own.items():
        node = tree.by_id.get(region_id)
        if node is None:
            continue
        for r in (node, *tree.ancestors(node)):
            out[r.id] = out.get(r.id, 0) + n
    return out


def printed_rows(known: int) -> int:
    """Rows numbered and printed: the persons already known for the node plus a few spare, so a
    printed template is the pages a community needs, not 500 numbered empty rows (12 pages)."""
    return min(max(known + SPARE_ROWS, MIN_PRINTED), BLANK_ROWS)


@dataclass(frozen=True)
class RegionTexts:
    """What is a region's own in its template: the title, the 填报单位 line, the file's description."""

    title: str
    unit_line: str
    comments: str


def region_texts(tree: RegionTree, node: Region) -> RegionTexts:
    return RegionTexts(f"{city_of(tree, node).name}社会工作专业人才摸排登记表", f"填报单位：{filler_text(tree, node)}",
                       node.path)


def build_template(out_path: Path, texts: RegionTexts, year: str, min_hours: int, printed: int) -> Path:
    """The template written by XlsxWriter, every cell and rule of it."""
    out_path = prepare_out(out_path)
    with exporting(out_path, constant_memory=False) as wb:
        wb.set_properties({"title": "社会工作专业人才摸排登记表", "comments": texts.comments})
        styles = Styles(wb)
        text_col = wb.add_format({"num_format": "@"})
        ws = wb.add_worksheet("摸排登记表")
        _data_sheet(ws, styles, text_col, columns(year), texts, year, printed)
        notes = wb.add_worksheet("填表说明")
        _instructions(notes, styles, year, min_hours)
        ws.activate()
    return out_path


# ---- many templates: each built once with markers, then copied with a region's text put in ----

MARKERS = RegionTexts("@@template-title@@", "@@template-unit-line@@", "@@template-comments@@")
_STRINGS = "xl/sharedStrings.xml"
_CORE = "docProps/core.xml"
_STAMP = re.compile(rb"(<dcterms:(?:created|modified) [^>]*>)[^<]*(<)")
# What XlsxWriter writes differently from plain escaped text: control characters and _xHHHH_
# (escaped), leading or trailing spaces (xml:space), <r>…</r> (taken for rich text).
_NOT_PLAIN = re.compile(r"[\x00-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^<r>.*</r>$|^\s|\s$", re.S)


Entries = list[tuple[zipfile.ZipInfo, bytes]]  # a workbook's zip parts, in order


class TemplateMaker:
    """Writes templates of one census's rules: each number of printed rows built once by
    XlsxWriter with MARKERS (in a temporary folder, removed on leaving the `with`), then every
    region's file is those zip entries with the region's texts in place of the markers — the bytes
    XlsxWriter writes for that region but the time stamp. A text XlsxWriter would not write as
    plain escaped text (control characters, _xHHHH_, spaces at an end) gets its file built whole."""

    def __init__(self, year: str, min_hours: int):
        self.year, self.min_hours = year, min_hours
        self._models: dict[int, Entries] = {}
        self._stack = contextlib.ExitStack()
        self._work: Path | None = None

    def __enter__(self) -> TemplateMaker:
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def write(self, texts: RegionTexts, printed: int, out_path: Path, save: Callable[[Path, Entries], None]) -> Path:
        if any(_NOT_PLAIN.search(t) for t in (texts.title, texts.unit_line, texts.comments)):
            save(out_path, self._built(texts, printed))
            return out_path
        model = self._models.get(printed) or self._model(printed)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        entries = []
        for info, data in model:
            if info.filename == _STRINGS:
                data = (data.replace(b"<t>" + MARKERS.title.encode() + b"</t>", _t(texts.title))
                        .replace(b"<t>" + MARKERS.unit_line.encode() + b"</t>", _t(texts.unit_line)))
            elif info.filename == _CORE:
                data = _STAMP.sub(rb"\g<1>" + stamp + rb"\g<2>", data.replace(
                    MARKERS.comments.encode(), escape(texts.comments).encode()))
            entries.append((info, data))
        save(out_path, entries)
        return out_path

    def _model(self, printed: int) -> Entries:
        entries = self._built(MARKERS, printed)
        found = b"".join(data for info, data in entries if info.filename in (_STRINGS, _CORE))
        if not all(found.count(m.encode()) == 1 for m in (MARKERS.title, MARKERS.unit_line, MARKERS.comments)):
            raise AssertionError("template markers not found once each")  # XlsxWriter changed how it writes
        self._models[printed] = entries
        return entries

    def _built(self, texts: RegionTexts, printed: int) -> Entries:
        """The zip entries of the template XlsxWriter writes for these texts (in a temporary
        folder of the maker's own: never in the output folder, whose staging folder is ours)."""
        if self._work is None:
            self._work = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="census-templates-")))
        path = build_template(self._work / "built.xlsx", texts, self.year, self.min_hours, printed)
        with zipfile.ZipFile(path) as zf:
            return [(info, zf.read(info)) for info in zf.infolist()]


def _t(value: str) -> bytes:
    return b"<t>" + escape(value).encode() + b"</t>"


@contextlib.contextmanager
def saving_into(folder: Path) -> Iterator[Callable[[Path, Entries], None]]:
    """A function that saves zip entries as a file of `folder`, whole or not at all: written in a
    private temporary folder there (named as `exporting` names its own, so a killed run's is
    cleared by the next export) and moved into place; that folder goes when the `with` ends."""
    remove_leftovers(folder)
    try:
        work = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=folder))
    except OSError as err:
        raise export_error(err, folder, "无法在该文件夹中保存文件") from None

    def save(out_path: Path, entries: Entries) -> None:
        tmp = work / "template.xlsx"
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                for info, data in entries:
                    zf.writestr(info, data)
            os.replace(tmp, out_path)
        except OSError as err:
            raise export_error(err, out_path) from None

    try:
        yield save
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _data_sheet(ws, styles: Styles, text_col, cols, texts: RegionTexts, year: str, printed: int) -> None:
    width = len(cols)
    for col, (_top, _sub, col_width) in enumerate(cols):
        fmt = text_col if col in (COL["id"], COL["phone"], COL["cert_no"]) else None
        ws.set_column(col, col, col_width, fmt)
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, width - 1, texts.title, styles.title)
    ws.merge_range(1, 0, 1, 8, texts.unit_line, styles.subtitle)
    ws.merge_range(1, 9, 1, width - 1, "填报日期：　　　　年　　月　　日", styles.subtitle)
    write_grouped_header(ws, HEADER_ROW, cols, styles.header, sub_height=20)
    ws.set_row(HEADER_ROW, 30)

    last = FIRST_DATA + BLANK_ROWS - 1
    plain = styles.text
    for row in range(FIRST_DATA, last + 1):
        if row < FIRST_DATA + printed:
            ws.set_row(row, 18)  # room to write by hand on a printed copy
            ws.write_number(row, COL["seq"], row - FIRST_DATA + 1, styles.center)
        else:
            ws.write_blank(row, COL["seq"], None, styles.center)
        for col in range(1, width):
            if col == COL["hours"]:
                ws.write_blank(row, col, None, styles.int)
            elif col in (COL["gender"],):
                ws.write_blank(row, col, None, styles.center)
            else:
                ws.write_blank(row, col, None, plain)

    def lst(col: int, values, title: str, message: str) -> None:
        ws.data_validation(FIRST_DATA, col, last, col, {
            "validate": "list", "source": list(values), "input_title": title, "input_message": message,
            "error_title": title, "error_message": "请从下拉列表中选择", "error_type": "stop"})

    lst(COL["gender"], GENDERS, "性别", "从下拉列表选择：男 / 女")
    lst(COL["education"], EDUCATIONS, "学历", "从下拉列表选择最高学历")
    lst(COL["level"], LEVELS, "证书等级", "从下拉列表选择；同时持有多个等级只填最高的；没有证书选“无”。"
        "不要填“持证”“有”")
    ws.data_validation(FIRST_DATA, COL["id"], last, COL["id"], {
        "validate": "length", "criteria": "==", "value": 18,
        "input_title": "身份证号码", "input_message": "18位，请勿输入为数字。本列已设为文本格式；"
        "从别处复制请用“选择性粘贴—数值”",
        "error_title": "身份证号码", "error_message": "身份证号码应为18位。确定要保留吗？", "error_type": "warning"})
    ws.data_validation(FIRST_DATA, COL["phone"], last, COL["phone"], {
        "validate": "any", "input_title": "联系电话", "input_message": "手机号11位；本列为文本格式"})
    ws.data_validation(FIRST_DATA, COL["hours"], last, COL["hours"], {
        "validate": "integer", "criteria": "between", "minimum": 0, "maximum": MAX_HOURS,
        "input_title": "培训学时", "input_message": f"{year}年以来累计学时，填整数。累计学时取最大值不要相加："
        "同一人在别的表中也填了学时的，以最大的为准",
        "error_title": "培训学时", "error_message": f"请填写0到{MAX_HOURS}之间的整数学时", "error_type": "stop"})
    ws.data_validation(FIRST_DATA, COL["cert_date"], last, COL["cert_date"], {
        "validate": "any", "input_title": "取得时间", "input_message": "如 2019年6月 或 2019-06"})

    # The sign line is the printed page's footer: a row of the sheet would sit after the numbered
    # rows and be typed over, or after the 500 typing rows and print 12 pages.
    print_setup(ws, HEADER_ROW, HEADER_ROW + 1, freeze_col=2, footer=SIGN_LINE)
    ws.print_area(0, 0, FIRST_DATA + printed - 1, width - 1)


def _instructions(ws, styles: Styles, year: str, hours: int) -> None:
    """One instruction per row, one cell each, so the importer never mistakes the sheet for data."""
    ws.set_column(0, 0, 66)
    for row, line in enumerate(INSTRUCTIONS):
        line = text(line.format(year=year, hours=hours))
        if row:
            ws.set_row(row, wrapped_height([(line, 66)], line=16) or 20)
        ws.write_string(row, 0, line, styles.title if row == 0 else styles.note)
    ws.set_paper(A4)
    ws.set_portrait()
    ws.set_margins(left=0.6, right=0.6, top=0.8, bottom=0.8)
    ws.fit_to_pages(1, 0)
