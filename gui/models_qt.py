"""Qt item models over `Census` queries: the region tree, people (lazy pages), problems, batches.

They only present what the census answers; they never compute census figures themselves.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor

from gui.page_loader import PageLoader
from models.census import Census
from models.identity import mask_id
from models.records import Batch, Person, Problem, RegionSummary
from models.regions import KIND_LABELS
from models.units import unit_line

REGION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
MET = QColor("#1b7f3b")
NOT_MET = QColor("#c0392b")
NEUTRAL = QColor("#5f6b7a")
FLAG_COLOUR = QColor("#b35c00")  # a region a return created: not in the population table
FLAG_MARK = "（新增）"
FLAG_TIP = ("新增区划，待核实：不在户籍人口表中，是按报表新建的。核实名称后可右键“并入其他区划”，"
            "或在户籍人口表中补上后重新导入户籍人口表。")
PENDING_BG = QColor("#fff4d6")
# Made once: the tree makes 100,000 items for a province's 20,000 regions.
MET_BRUSH, NOT_MET_BRUSH, NEUTRAL_BRUSH, FLAG_BRUSH = (QBrush(c) for c in (MET, NOT_MET, NEUTRAL, FLAG_COLOUR))
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

Index = QModelIndex | QPersistentModelIndex


def per_mille_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}‰"


def number_text(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def certified_min_text(s: RegionSummary) -> str:
    if s.certified_min is None:
        return ""
    mark = "✓" if s.certified_min_met else "✗"
    return f"{s.certified}/≥{s.certified_min} {mark}"


Cell = tuple[str, QBrush | None, str]  # a tree cell: its text, its colour (None: the default) and tooltip


def unit_cell(s: RegionSummary) -> Cell:
    """The tree's last cell: a unit's count against its target like the certified minimum
    ("1/≥10 ✗"), or a street's 社工站 coverage ("站 ✓") and the covered share of the streets below
    ("站 1/2")."""
    if s.unit_type is not None:
        met = s.unit_target_met
        text = s.unit_type if s.unit_target is None else f"{s.unit_actual}/≥{s.unit_target} {'✓' if met else '✗'}"
        return text, None if met is None else MET_BRUSH if met else NOT_MET_BRUSH, unit_line(s)
    if s.station_covered is not None:
        return ("站 ✓" if s.station_covered else "站 ✗", MET_BRUSH if s.station_covered else NOT_MET_BRUSH,
                "有社工人才的社工站" if s.station_covered else "没有社工站，或社工站还没有社工人才")
    if s.station_coverage is not None:
        return f"站 {s.station_coverage}", None, f"下辖街道（乡镇）中有社工人才的社工站覆盖 {s.station_coverage}"
    return "", None, ""


def short_path(path: str) -> str:
    """A region path without its root (the city), which every row shares."""
    return path.split("/", 1)[1] if "/" in path else path


class RegionTreeModel(QAbstractItemModel):
    """The region tree with 人才数/应达人数, ‰ and the certified minimum, coloured by target.

    A model over the summaries in tree order, not a tree of items: a province's 20,000 regions
    were 100,000 QStandardItems made on the GUI thread at every refresh (0.75 s); here loading
    only links each node to its parent and children, and a cell's text and colour are worked
    out when the view shows it. An index's internal id is the node's position in `order`."""

    HEADERS = ("区划", "人才/应达", "每千人", "持证(社区/村)", "单位/社工站")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summaries: dict[int, RegionSummary] = {}
        self.order: list[RegionSummary] = []
        self._parent: list[int] = []  # per node: its parent's position, -1 at the top
        self._row: list[int] = []  # per node: its row under its parent
        self._children: dict[int, list[int]] = {-1: []}  # parent position (-1: the top) -> children's positions
        self._position: dict[int, int] = {}  # region id -> position
        self._cells: dict[tuple[int, int], Cell] = {}

    def load(self, summaries: list[RegionSummary]) -> None:
        """Show these summaries (tree order, each with its depth)."""
        self.beginResetModel()
        self.order = list(summaries)
        self.summaries = {s.region_id: s for s in self.order}
        self._position = {s.region_id: i for i, s in enumerate(self.order)}
        self._parent, self._row, self._children, self._cells = [], [], {-1: []}, {}
        stack: list[int] = []  # positions of the current node's ancestors, by depth
        for i, s in enumerate(self.order):
            del stack[s.depth:]
            parent = stack[-1] if stack else -1
            siblings = self._children.setdefault(parent, [])
            self._parent.append(parent)
            self._row.append(len(siblings))
            siblings.append(i)
            stack.append(i)
        self.endResetModel()

    # ---- QAbstractItemModel ------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if parent.isValid() and parent.column():  # children hang on the first column only
            return QModelIndex()
        siblings = self._children.get(parent.internalId() if parent.isValid() else -1, ())
        if not (0 <= row < len(siblings) and 0 <= column < len(self.HEADERS)):
            return QModelIndex()
        return self.createIndex(row, column, siblings[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        node = index.internalId() if index.isValid() else -1
        if not 0 <= node < len(self._parent):  # also an index kept from before a load
            return QModelIndex()
        parent = self._parent[node]
        return QModelIndex() if parent < 0 else self.createIndex(self._row[parent], 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid():
            return 0 if parent.column() else len(self._children.get(parent.internalId(), ()))
        return len(self._children[-1])

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        # nothing is editable in the tree
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node, column = (index.internalId(), index.column()) if index.isValid() else (-1, -1)
        if not 0 <= node < len(self.order):
            return None
        if role == REGION_ID_ROLE:
            # on the name cell only (region_id_of reads it from any cell of the row)
            return self.order[node].region_id if column == 0 else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return NUMBER_ALIGNMENT if column in (1, 2, 3) else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole):
            return None
        cell = self._cells.get((node, column))
        if cell is None:
            cell = self._cells[(node, column)] = self._cell(self.order[node], column)
        text, brush, tip = cell
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ForegroundRole:
            return brush
        return tip or None

    @staticmethod
    def _cell(s: RegionSummary, column: int) -> Cell:
        if column == 0:
            tip = [s.path, KIND_LABELS.get(s.kind, s.kind)]
            if s.flagged:
                tip.append(FLAG_TIP)
            return s.name + (FLAG_MARK if s.flagged else ""), FLAG_BRUSH if s.flagged else None, "\n".join(tip)
        target_colour = None if s.target_met is None else MET_BRUSH if s.target_met else NOT_MET_BRUSH
        if column == 1:
            text = f"{s.talents}/{s.target}" if s.target is not None else f"{s.talents}/—"
            if s.target_met is None:
                return text, NEUTRAL_BRUSH, "没有户籍人口，无应达人数"
            return text, target_colour, "已达标" if s.target_met else f"未达标，还差 {s.shortfall} 人"
        if column == 2:
            return per_mille_text(s.per_mille), target_colour, ""
        if column == 3:
            if s.certified_min_met is None:
                return certified_min_text(s), None, ""
            return (certified_min_text(s), MET_BRUSH if s.certified_min_met else NOT_MET_BRUSH,
                    f"持证社工 {s.certified} 人，最低要求 {s.certified_min} 人")
        return unit_cell(s)

    # ---- the regions behind the rows --------------------------------------------------------
    @staticmethod
    def region_id_of(index: QModelIndex) -> int | None:
        """The region of a tree row, whichever of its cells `index` is."""
        return index.siblingAtColumn(0).data(REGION_ID_ROLE) if index.isValid() else None

    def index_of(self, region_id: int) -> QModelIndex:
        node = self._position.get(region_id)
        return QModelIndex() if node is None else self.createIndex(self._row[node], 0, node)

    def children_of(self, region_id: int) -> list[RegionSummary]:
        """The direct children of a node, in tree order."""
        node = self._position.get(region_id)
        return [] if node is None else [self.order[i] for i in self._children.get(node, ())]

    def descendants_of(self, region_id: int) -> list[RegionSummary]:
        """Every node below a node, in tree order (they follow it until the depth returns to its own)."""
        node = self._position.get(region_id)
        if node is None:
            return []
        depth = self.order[node].depth
        out = []
        for s in self.order[node + 1:]:
            if s.depth <= depth:
                break
            out.append(s)
        return out


class PeopleModel(QAbstractTableModel):
    """Persons of a node, fetched page by page as the view scrolls (a million rows must scroll)."""

    counted = Signal()  # a search's count arrived (rowCount() changed, `found` says what it is)

    PAGE = 200
    MAX_PAGES = 60
    HEADERS = ("姓名", "身份证号", "性别", "所属区划", "证书等级", "学历", "所学专业", "培训学时", "类别", "联系电话",
               "来源行数")
    # Columns the census can sort by (`Census.people.page(order=...)`), each in its one natural direction:
    # names and IDs ascending, regions grouped in tree order, the highest level and most hours first.
    SORT_KEYS = {0: "name", 1: "id", 3: "region", 4: "level", 7: "hours"}
    SORT_DIRECTIONS = {"level": Qt.SortOrder.DescendingOrder, "hours": Qt.SortOrder.DescendingOrder}
    SORT_TIPS = {"name": "点击按姓名排序", "id": "点击按身份证号排序", "region": "点击按所属区划排序",
                 "level": "点击按证书等级排序（高级在前）", "hours": "点击按培训学时排序（学时多的在前）"}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.census: Census | None = None
        self.region_id: int | None = None
        self.search = ""
        self.category: str | None = None
        self.order = "name"
        self.full = False
        self._scope: int | None = None  # the region filter sent to the census (None: everybody)
        self._pages: OrderedDict[int, list[Person]] = OrderedDict()
        # Jumps far into the list: read on the loader's thread (gui/page_loader.py); answers for an
        # earlier query or order (an older generation) are dropped.
        self._loader = PageLoader(self)
        self._loader.loaded.connect(self._page_loaded)
        self._loader.counted.connect(self._count_arrived)
        self.found: int | None = 0  # persons the query finds; None while a search is being counted, -1 if that failed
        self._loading: set[int] = set()
        self._generation = 0

    def set_query(self, census: Census | None, region_id: int | None, search: str = "",
                  category: str | None = None) -> None:
        self.beginResetModel()
        if census is None or (self.census is not None and census.path != self.census.path):
            self._loader.release()
        self.census, self.region_id, self.search, self.category = census, region_id, search, category
        self._scope = _scope(census, region_id)
        self._forget_pages()
        if census is not None and search:  # LIKE '%…%' reads every person: counted off the GUI thread
            self.found = None
            scope = self._scope
            self._loader.request_count(census.path, self._generation,
                                       lambda reader: reader.people.count(scope, search, category))
        else:
            self.found = census.people.count(self._scope, search, category) if census else 0
        self.endResetModel()

    @property
    def _count(self) -> int:
        """Rows the table has: what the query found (none while a search is counted, or if that failed)."""
        return max(self.found or 0, 0)

    def set_order(self, order: str) -> None:
        """Sort by another key: the census sorts, the model starts again from the first page."""
        if order == self.order:
            return
        self.beginResetModel()
        self.order = order
        self._forget_pages()
        self.endResetModel()

    def _forget_pages(self) -> None:
        self._pages.clear()
        self._loading.clear()
        self._generation += 1

    def close(self) -> None:
        """The window closes: stop the page loader's thread and its connection."""
        self._loader.close()

    def loading(self, row: int) -> bool:
        """Whether the page holding `row` is being read off the GUI thread."""
        return row // self.PAGE in self._loading

    def sort_column(self) -> int:
        return next(c for c, key in self.SORT_KEYS.items() if key == self.order)

    def sort_direction(self, column: int) -> Qt.SortOrder:
        return self.SORT_DIRECTIONS.get(self.SORT_KEYS.get(column, ""), Qt.SortOrder.AscendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Qt's entry point; columns the census cannot sort by are ignored, directions are fixed."""
        key = self.SORT_KEYS.get(column)
        if key is not None:
            self.set_order(key)

    def refresh(self) -> None:
        self.set_query(self.census, self.region_id, self.search, self.category)

    def set_full(self, full: bool) -> None:
        self.full = full
        if self._count:
            self.dataChanged.emit(self.index(0, 1), self.index(self._count - 1, len(self.HEADERS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if orientation == Qt.Orientation.Horizontal else str(section + 1)
        if orientation == Qt.Orientation.Horizontal and section in self.SORT_KEYS:
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.SORT_TIPS[self.SORT_KEYS[section]]
            if role == Qt.ItemDataRole.InitialSortOrderRole:
                return self.sort_direction(section)
        return None

    def person(self, row: int) -> Person | None:
        if self.census is None or not 0 <= row < self._count:
            return None
        page = row // self.PAGE
        rows = self._pages.get(page)
        if rows is None:
            previous = self._pages.get(page - 1)
            after = previous[-1] if previous and len(previous) == self.PAGE else None  # scrolling on: seek
            # A jump (counting rows from the top), or a search's first page (LIKE '%…%' walks the
            # name index until a page matches: 0.3 s at 200,000 persons): for the loader.
            if after is None and (page > 0 or self.search):
                self._request(page)
                return None
            try:
                rows = self.census.people.page(self._scope, self.search, self.category, page * self.PAGE, self.PAGE,
                                           order=self.order, after=after)
            except Exception:  # noqa: BLE001 - called from Qt's painting: an exception must not cross into C++
                logging.getLogger(__name__).exception("reading a page of persons failed")
                return None
            self._pages[page] = rows
            while len(self._pages) > self.MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        offset = row % self.PAGE
        return rows[offset] if offset < len(rows) else None

    def _request(self, page: int) -> None:
        if page in self._loading or self.census is None:
            return
        self._loading.add(page)
        scope, search, category, order = self._scope, self.search, self.category, self.order
        self._loader.request(self.census.path, self._generation, page, lambda census: census.people.page(
            scope, search, category, page * self.PAGE, self.PAGE, order=order))

    @Slot(int, object)
    def _count_arrived(self, generation: int, found: int) -> None:
        if generation != self._generation or self.found is not None:
            return
        self.beginResetModel()
        self.found = found
        self.endResetModel()
        self.counted.emit()

    @Slot(int, int, list)
    def _page_loaded(self, generation: int, page: int, rows: list) -> None:
        if generation != self._generation or page not in self._loading:
            return
        self._loading.discard(page)
        self._pages[page] = rows
        while len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
        last = min((page + 1) * self.PAGE, self._count) - 1
        if last >= page * self.PAGE:
            self.dataChanged.emit(self.index(page * self.PAGE, 0), self.index(last, len(self.HEADERS) - 1))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            p = self.person(index.row())
            if p is None:
                return "正在读取…" if index.column() == 0 and self.loading(index.row()) else None
            return self._text(p, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            p = self.person(index.row())
            return None if p is None else p.region_path
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            p = self.person(index.row())
            if p is not None and p.name_conflict:
                return "同一身份证号在不同报表中姓名不一致：" + "、".join(p.names)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (7, 10):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 8:
            p = self.person(index.row())
            if p is not None and not p.talent:
                return QBrush(NEUTRAL)
        return None

    def _text(self, p: Person, column: int) -> str:
        if column == 0:
            return p.name + (" ⚠" if p.name_conflict else "")
        if column == 1:
            return p.shown_id(self.full)
        if column == 2:
            return p.gender
        if column == 3:
            return short_path(p.region_path)
        if column == 4:
            return p.level_name
        if column == 5:
            return p.education_name
        if column == 6:
            return p.major
        if column == 7:
            return "" if p.hours is None else f"{p.hours:g}"
        if column == 8:
            return "、".join(p.categories) if p.talent else ("未达标" if not p.categories else "、".join(p.categories))
        if column == 9:
            return p.shown_phone(self.full)
        return str(p.row_count)


def _scope(census: Census | None, region_id: int | None) -> int | None:
    """The region filter for the people queries: none when the node is the only root.

    Everybody belongs to the root, and filtering by it makes SQLite sort every person for each
    page (0.3–1.7 s a page at 200,000 persons) where the unfiltered query walks an index.
    """
    if census is None or region_id is None:
        return region_id
    roots = census.regions.root_ids()
    return None if roots == [region_id] else region_id


class ListModel(QAbstractTableModel):
    """A small read-only table over a list of records."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list = []
        self.full = False

    def set_items(self, items: list) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def set_full(self, full: bool) -> None:
        self.beginResetModel()
        self.full = full
        self.endResetModel()

    def item(self, row: int):
        return self.items[row] if 0 <= row < len(self.items) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if orientation == Qt.Orientation.Horizontal else str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(item, index.column())
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background(item)
        return None

    def text(self, item, column: int) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def background(self, item) -> QBrush | None:
        return None


class ProblemsModel(ListModel):
    HEADERS = ("类型", "原因", "姓名", "身份证号（原样）", "文件", "工作表", "行号", "所属区划")

    def text(self, p: Problem, column: int) -> str:
        values = (p.kind_label, p.reason, p.name, self._id(p.id_raw), p.file_name, p.sheet,
                  "" if p.row_number is None else str(p.row_number), short_path(p.region_path))
        return values[column]

    def _id(self, raw: str) -> str:
        return mask_id(raw, self.full)

    def background(self, p: Problem) -> QBrush | None:
        return QBrush(PENDING_BG) if p.kind == "pending" else None


class BatchesModel(ListModel):
    HEADERS = ("批次", "文件", "导入时间", "所属区划", "工作表", "数据行", "有效行", "待核实")

    def text(self, b: Batch, column: int) -> str:
        values = (str(b.id), b.file_name, b.imported_label, b.region_path, b.sheet,
                  str(b.rows_total), str(b.rows_ok), str(b.rows_pending))
        return values[column]
