"""The population table (户籍人口): the region tree and each node's registered population.

Two layouts are understood: one column per level (市 | 区县 | 街道（乡镇） | 社区（村） | 户籍人口),
where leading blanks repeat the row above (merged cells), and a single path column
("乌海市/海勃湾区/新华街道") beside the population.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from importers.readers import Workbook, read_workbook
from importers.unit_columns import find_unit_columns, record_unit
from importers.values import text_of
from models.errors import MAX_PEOPLE, PopulationError
from models.regions import Region, kind_for, name_problem, strip_office

if TYPE_CHECKING:  # annotations only: the reader process imports this module without the census
    from models.census import Census

_LEVEL_WORDS = ("省", "市", "区", "县", "旗", "街道", "乡镇", "镇", "乡", "社区", "村", "单位", "名称")
_POP_WORDS = ("户籍人口", "人口", "户籍")  # in this order: a column saying 户籍人口 beats one saying only 人口
# Other figures a population table carries beside the registered population: never the target's base.
_NOT_POPULATION = re.compile(r"常住|暂住|流动|外来|户数|户口数|人户分离|面积|密度|比例|占比|增长|出生|死亡|迁")
_PATH_WORDS = ("区划路径", "路径", "区划", "地区", "行政区划")
_TOTAL_ROW = re.compile(r"合\s*计|总\s*计|小\s*计")
_BLANK_WORDS = frozenset({"/", "-", "—", "——", "无"})  # "/" in the 社区 column of a street's own row: no community
_NOT_NAMES = re.compile(r"代码|编码|编号|序号|备注|说明|户数|面积|类型|级别")


@dataclass(frozen=True)
class PopulationResult:
    file_name: str
    rows: int
    regions_created: int
    populations_set: int
    warnings: tuple[str, ...] = ()  # rows not imported, each naming its row and why; what was read with care

    def describe(self) -> str:
        text = (f"{self.file_name}：读取 {self.rows} 行，新建区划 {self.regions_created} 个，"
                f"设置户籍人口 {self.populations_set} 个")
        return "\n".join([text, *(f"  {w}" for w in self.warnings)])


def _find_layout(rows: list[list[object]]) -> tuple[int, list[int], int | None, int]:
    """(header row, level columns, path column or None, population column)."""
    for r, row in enumerate(rows[:20]):
        # "单位：人", "统计时间：2021年" beside a title are notes, not column labels.
        labels = ["" if re.search("[:：]", t) else t for t in (text_of(c).replace(" ", "") for c in row)]
        pop = _population_column(labels)
        if pop is None:
            continue
        # 区划代码, 序号, 备注… are not names of regions.
        names = [i for i, t in enumerate(labels) if i != pop and t and "人口" not in t and not _NOT_NAMES.search(t)]
        path_col = next((i for i in names if any(labels[i].startswith(w) for w in _PATH_WORDS)), None)
        levels = [i for i in names if any(w in labels[i] for w in _LEVEL_WORDS)]
        if path_col is not None and len(levels) <= 1:
            return r, [], path_col, pop
        if levels:
            return r, levels, None, pop
    raise PopulationError("没有找到户籍人口表的表头：需要“户籍人口”列，以及“市/区县/街道/社区”各级列或“区划路径”列")


def _population_column(labels: list[str]) -> int | None:
    """The column of the registered population: 户籍人口 before a bare 人口 or 户籍, and never 常住人口,
    户籍户数 and the like (a table listing 常住人口 first must not make it the target's base)."""
    for word in _POP_WORDS:
        found = next((i for i, t in enumerate(labels) if word in t and not _NOT_POPULATION.search(t)), None)
        if found is not None:
            return found
    return None


def is_population_table(workbook: Workbook) -> bool:
    """Whether a sheet of the workbook has a population table's header (a clerk may drop it among
    the returns: it is then named for what it is)."""
    for sheet in workbook.sheets:
        try:
            _find_layout(sheet.rows)
        except PopulationError:
            continue
        return True
    return False


# 户籍人口（万人）, 人口数(万), or a line "单位：万人" above the header: every figure is in 10,000s.
_SCALES = (("万", 10000), ("千", 1000))
_UNIT_LINE = re.compile(r"单位[:：]\s*(万|千)?人")


def _scale(rows: list[list[object]], header_row: int, pop_col: int) -> int:
    """How many persons one unit of the population column stands for (1, 1,000 or 10,000)."""
    label = text_of(rows[header_row][pop_col]).replace(" ", "")
    unit = re.search(r"[（(]([^）)]*)[）)]", label)
    said = unit.group(1) if unit else label[-2:]
    found = next((n for word, n in _SCALES if word in said), None)
    if found is not None or (unit and "人" in said):
        return found or 1
    for row in [*rows[:header_row], rows[header_row]]:  # "单位：万人" in the title lines or beside the header
        for cell in row:
            line = _UNIT_LINE.search(text_of(cell).replace(" ", ""))
            if line:
                return dict(_SCALES).get(line.group(1) or "", 1)
    return 1


def _population(cell: object, file_name: str, row_number: int, scale: int = 1) -> int | None:
    if cell is None or text_of(cell) == "":
        return None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        number = Decimal(repr(cell))
    else:
        text = re.sub(r"[,，\s]", "", text_of(cell)).removesuffix("人")
        text = text.removesuffix("万").removesuffix("千") if scale > 1 else text
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise PopulationError(f"第 {row_number} 行的户籍人口“{text_of(cell)}”不是数字", file=file_name) from None
        if not number.is_finite():
            raise PopulationError(f"第 {row_number} 行的户籍人口“{text_of(cell)}”不是数字", file=file_name)
    value = number * scale
    if value < 0 or value != value.to_integral_value():
        if scale > 1:
            raise PopulationError(f"第 {row_number} 行的户籍人口“{text_of(cell)}”（单位{'万' if scale == 10000 else '千'}人）"
                                  "换算成人数不是整数，请改为以人为单位的户籍人口", file=file_name)
        raise PopulationError(f"第 {row_number} 行的户籍人口“{text_of(cell)}”不是非负整数", file=file_name)
    if value > MAX_PEOPLE:
        raise PopulationError(f"第 {row_number} 行的户籍人口“{text_of(cell)}”太大，请检查", file=file_name)
    return int(value)


def load_population(census: Census, path: str | Path, workbook: Workbook | None = None) -> PopulationResult:
    """Create the tree and set populations, all in one transaction; existing nodes are updated.
    `workbook`: the file's cells when read already (the window reads it in a helper process)."""
    path = Path(path)
    workbook = workbook if workbook is not None else read_workbook(path)
    errors = []
    for sheet in workbook.sheets:
        try:
            header_row, level_cols, path_col, pop_col = _find_layout(sheet.rows)
        except PopulationError as err:
            errors.append(err)
            continue
        return _load_rows(census, path.name, sheet.rows, header_row, level_cols, path_col, pop_col, sheet.merged)
    raise PopulationError(errors[0].message if errors else "文件中没有数据", file=path.name)


def _merged_filled(rows: list[list[object]], merged, header_row: int, level_cols: list[int]) -> list[list[object]]:
    """The rows with the level cells of a merged block below the header carrying its value on every
    row (a street merged over its communities); the population column is never copied down."""
    columns = set(level_cols)
    blocks = [m for m in merged if m[0] > header_row and m[2] > m[0]]
    if not blocks:
        return rows
    rows = [list(row) for row in rows]
    for r0, c0, r1, c1 in blocks:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        for r in range(r0 + 1, min(r1 + 1, len(rows))):
            for c in range(c0, min(c1 + 1, len(rows[r]))):
                if c in columns and rows[r][c] is None:
                    rows[r][c] = rows[r0][c0]
    return rows


def _continues(full: list[str], previous: list[str], community_col: int | None) -> bool:
    """Whether a row with a blank level between filled ones ("甲市 | 东区 | (blank) | 幸福社区", as a
    clerk leaves the street after its first row) continues the row above's street: the blank levels
    are filled there, the levels before them are the same, and the deepest name is a community or
    village (a unit may hang under a district with no street)."""
    last = max(i for i, n in enumerate(full) if n)
    gaps = [i for i in range(last) if not full[i]]
    if not gaps or len(previous) != len(full) or not all(previous[i] for i in gaps):
        return False
    if any(full[i] and full[i] != previous[i] for i in range(gaps[0])):
        return False
    kind = kind_for(strip_office(full[last]), 3)  # a name without a telling suffix reads as a community
    return kind in ("community", "village") or (last == community_col and kind != "unit")


_NAMED_MAX = 20  # disagreements named one by one; past these, counted


def _disagreements(census: Census, listed: dict[int, tuple[int, int | None]], earlier: dict[int, Region]) -> list[str]:
    """What the clerk must hear once the table is in, instead of figures settled in silence."""
    tree = census.regions.tree()
    named = set(listed)  # the nodes the table names, with the streets and districts of their paths
    for node_id in listed:
        named.update(a.id for a in tree.ancestors(tree.by_id[node_id]))
    return [*_unlike_sums(tree, listed), *_partial_sums(tree, named), *_left_out(tree, earlier, named)]


def _row_list(rows: list[int]) -> str:
    """Row numbers as a line names them: the first ten, then 等."""
    return "、".join(map(str, rows[:10])) + ("等" if len(rows) > 10 else "")


def _capped(lines: list[str], rest: str) -> list[str]:
    """The first _NAMED_MAX lines, and `rest` (with {n}) for the others: a province's table could name hundreds."""
    return lines[:_NAMED_MAX] + ([rest.format(n=len(lines) - _NAMED_MAX)] if len(lines) > _NAMED_MAX else [])


def _unlike_sums(tree, listed: dict[int, tuple[int, int | None]]) -> list[str]:
    """A node whose own figure differs from the sum of its children's: its own figure wins
    (DOMAIN.md: only a node without one takes the sum), but the clerk is told."""
    lines = []
    for node_id, (row, figure) in listed.items():
        figures = [listed[c.id][1] for c in tree.children.get(node_id, []) if c.id in listed]
        if figure is None or all(f is None for f in figures):
            continue
        total = sum(f for f in figures if f is not None)
        if total > figure or (None not in figures and total != figure):
            lines.append(f"第 {row} 行“{tree.by_id[node_id].path}”的户籍人口 {figure} 与本表所列下级合计 {total} 不一致，"
                         f"应达人数按 {figure} 计算，请核对")
    return _capped(lines, "另有 {n} 个区划的户籍人口与其下级合计不一致，应达人数按其本身的数字计算")


def _partial_sums(tree, named: set[int]) -> list[str]:
    """Nodes without a figure of their own take the sum of their children's: when some children
    have none either (not even through their own children), that sum is short and the node's
    应达 too low — the clerk is told which, instead of seeing a target that looks right."""
    known: dict[int, bool] = {}  # node id -> whether a figure reaches it (its own, or a child's)
    lines = []
    for node_id in sorted(named, key=lambda i: -tree.by_id[i].depth):  # children before parents
        children = [c.id for c in tree.children.get(node_id, [])
                    if c.id in named and c.kind != "unit"]  # a unit has staff, not residents
        with_figure = [c for c in children if known[c]]
        own = tree.by_id[node_id].population is not None  # this table's, or kept from the one before
        known[node_id] = own or bool(with_figure)
        if not own and with_figure and len(with_figure) < len(children):
            lines.append(f"“{tree.by_id[node_id].path}”没有填户籍人口，按下级合计计算，但其下 "
                         f"{len(children) - len(with_figure)} 个区划也没有填，合计不全、应达人数偏低，请补齐")
    return _capped(lines, "另有 {n} 个区划的下级户籍人口没有填全，应达人数偏低")


def _left_out(tree, earlier: dict[int, Region], named: set[int]) -> list[str]:
    """On loading the table again, nodes of the earlier one it no longer lists under a node it
    lists (renamed or merged communities): kept, people and figure, but the clerk must fold them."""
    lines = []
    for region in (r for r in earlier.values() if r.id not in named and not r.flagged and r.parent_id in named):
        parent = tree.by_id.get(region.parent_id) if region.parent_id is not None else None
        counted = parent is not None and parent.population is None  # the parent takes the sum of its children
        kept = "" if region.population is None else \
            f"，原户籍人口 {region.population} 仍{'计入上级合计' if counted else '保留'}"
        lines.append(f"“{region.path}”不在本表中，已保留（其人员不受影响{kept}）；如已改名或撤并，"
                     f"请用“并入其他区划”（命令行 fold）并入现在的区划")
    return _capped(lines, "另有 {n} 个原有区划不在本表中，已保留")


def _load_rows(census: Census, file_name: str, rows, header_row: int, level_cols: list[int],
               path_col: int | None, pop_col: int, merged=()) -> PopulationResult:
    earlier = {r.id: r for r in census.regions.tree().regions}  # a table loaded again: what was there
    before = len(earlier)
    zeros: list[int] = []  # rows whose population is 0
    listed: dict[int, tuple[int, int | None]] = {}  # node id → (row number, figure) as this table gives it
    count = populations = 0
    previous: list[str] = []
    warnings: list[str] = []
    continued: list[int] = []  # rows whose blank street (or district) was the row above's
    rows = _merged_filled(rows, merged, header_row, level_cols)
    labels = [text_of(rows[header_row][c]) for c in level_cols]
    # The 社区（村） column: a name in it always belongs to a street or town.
    community_col = len(level_cols) - 1 if labels and re.search("社区|村|嘎查", labels[-1]) else None
    unit_cols = find_unit_columns(rows[header_row])  # optional 单位类型 / 在岗职工数
    scale = _scale(rows, header_row, pop_col)
    if scale > 1:
        warnings.append(f"户籍人口以{'万' if scale == 10000 else '千'}人为单位，已换算为人数（如 3.52 万人记为 35200 人）")
    with census.transaction():
        for r in range(header_row + 1, len(rows)):
            row = rows[r]
            if path_col is not None:
                names = [n.strip() for n in text_of(row[path_col] if path_col < len(row) else None).split("/")
                         if n.strip()]
            else:
                cells = [text_of(row[c]) if c < len(row) else "" for c in level_cols]
                first = next((i for i, n in enumerate(cells) if n), None)
                if first is None or _TOTAL_ROW.search("".join(cells)):
                    continue  # nothing, or a 合计 line: it must not be repeated into the next row
                # Leading blanks repeat the row above (merged cells in the original table).
                full = [previous[i] if i < first and i < len(previous) else n for i, n in enumerate(cells)]
                if _continues(full, previous, community_col):
                    full = [n or previous[i] for i, n in enumerate(full)]
                    continued.append(r + 1)
                previous = full
                names = [n for n in full if n]
            names = [n for n in names if n not in _BLANK_WORDS]
            if not names:
                continue
            if _TOTAL_ROW.search("".join(names)):
                continue
            names = [strip_office(n) for n in names]  # 友谊社区居委会 is the region 友谊社区
            problem = next((p for p in map(name_problem, names) if p), None)
            if problem:
                warnings.append(f"第 {r + 1} 行未导入：{problem}，请改正后重新导入户籍人口表")
                continue
            population = _population(row[pop_col] if pop_col < len(row) else None, file_name, r + 1, scale)
            node = census.regions.ensure("/".join(names), by_depth=True)
            if unit_cols:
                record_unit(census, node, row, unit_cols, file_name, r + 1)
            count += 1
            if population == 0:
                zeros.append(r + 1)
            again = listed.get(node.id)
            if again is not None and population is not None and again[1] not in (None, population):
                warnings.append(f"第 {again[0]} 行与第 {r + 1} 行都是“{node.path}”，户籍人口不同（{again[1]} 与 {population}），"
                                f"采用第 {r + 1} 行的 {population}，请核对")
            if population is None and again is None and node.id in earlier and earlier[node.id].population is not None:
                warnings.append(f"第 {r + 1} 行“{node.path}”的户籍人口为空，保留原有的 {earlier[node.id].population}")
            listed[node.id] = (r + 1, population if population is not None else (again[1] if again else None))
            if population is not None:
                census.regions.record_population(node.id, population)
                populations += 1
        census.refresh()
    warnings += _disagreements(census, listed, earlier)
    if zeros:  # 1‰ of 0 is a target of 0, met by nobody: more likely a figure left out
        warnings.append(f"第 {_row_list(zeros)} 行的户籍人口为 0，应达人数按 0 计算；如是漏填，请改正后重新导入户籍人口表")
    if continued:
        warnings.append(f"第 {_row_list(continued)} 行的上级区划（如街道）为空，已按上一行补齐；如有误请改正后重新导入户籍人口表")
    if count == 0:
        raise PopulationError("户籍人口表中没有任何区划行", file=file_name)
    return PopulationResult(file_name, count, len(census.regions.tree().regions) - before, populations, tuple(warnings))
