"""The selected node's figures and a chart of its children against their targets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui import conventions
from gui.chart import Bar, TargetChart
from gui.models_qt import MET, NOT_MET, number_text, per_mille_text
from gui.over_time_charts import YearsChart
from gui.shortfall_links import ShortfallLinks
from gui.unit_dialog import money_text
from models.records import Goal, RegionSummary
from models.regions import KIND_LABELS

Index = QModelIndex | QPersistentModelIndex


def shortfall_text(s: RegionSummary) -> tuple[str, str]:
    """The 差额 card: 还差 N 人 when short, 超出 N 人 when met (how far past the target), — without one."""
    if s.target is None:
        return "—", ""
    if s.target_met:
        return f"超出 {s.talents - s.target:,} 人", "已达标"
    return f"还差 {s.shortfall:,} 人", "尚需人数"


class Card(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.value = QLabel("—")
        self.value.setObjectName("cardValue")
        self.detail = QLabel("")
        self.detail.setObjectName("cardDetail")
        self.detail.setWordWrap(True)
        for w in (self.title, self.value, self.detail):
            layout.addWidget(w)

    def set(self, value: str, detail: str = "", state: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.value.setProperty("state", state)
        self.value.style().unpolish(self.value)
        self.value.style().polish(self.value)


def goal_state(goal: Goal) -> str:
    return "✓ 达成" if goal.met else f"✗ 差 {goal.shortfall:,} 人"


class GoalModel(QAbstractTableModel):
    """The node's other goals as rows: 类别, 目标, 现有, 达成情况, 说明."""

    HEADERS = ("类别", "目标", "现有", "达成情况", "说明")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.goals: tuple[Goal, ...] = ()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_goals(self, goals: tuple[Goal, ...]) -> None:
        self.beginResetModel()
        self.goals = tuple(goals)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.goals)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.goals):
            return None
        goal, col = self.goals[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (goal.label, f"{goal.target:,}", f"{goal.actual:,}", goal_state(goal), goal.description)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            return QBrush(MET if goal.met else NOT_MET)
        if role == Qt.ItemDataRole.FontRole and col == 3:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and col == 4 and goal.description:
            return goal.description
        return None


class GoalTable(QTableView):
    """The goals table, as tall as its rows (never a big empty box)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("goals")
        self.goal_model = GoalModel(self)
        self.setModel(self.goal_model)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)
        conventions.tab_leaves(self)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        for col, width in enumerate((140, 90, 90, 120)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(col, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)

    @property
    def goals(self) -> tuple[Goal, ...]:
        return self.goal_model.goals

    def set_goals(self, goals: tuple[Goal, ...]) -> None:
        self.goal_model.set_goals(goals)
        self.resizeRowsToContents()
        rows = self.goal_model.rowCount()
        height = self.horizontalHeader().sizeHint().height() + sum(self.rowHeight(r) for r in range(rows))
        self.setFixedHeight(height + 2 * self.frameWidth())

    def current_goal(self) -> Goal | None:
        rows = self.selectionModel().selectedRows()
        return self.goals[rows[0].row()] if rows and rows[0].row() < len(self.goals) else None

    def text(self, row: int, col: int) -> str:
        return self.goal_model.index(row, col).data() or ""


class Dashboard(QWidget):
    """Numbers for one node; `edit_population` asks the window to change its 户籍人口,
    `edit_goal(region_id, category or "")` to set a goal, `delete_goal(region_id, category)` to remove one."""

    edit_population = Signal(int)
    edit_goal = Signal(int, str)
    delete_goal = Signal(int, str)

    CARDS = (("talents", "人才总数"), ("certified", "持证社工"), ("degree", "专业学历"), ("trained_only", "仅培训"),
             ("population", "户籍人口"), ("target", "应达人数"), ("shortfall", "差额"), ("per_mille", "每千人"))

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary: RegionSummary | None = None
        self.writable = True  # False for a read-only census: the buttons that change it are off
        # The whole page scrolls when the window is short (1366×768 with a taskbar leaves ~700 px):
        # without it the cards and charts set the window's minimum height above the screen's.
        page = QScrollArea()
        page.setObjectName("dashboardPage")
        page.setWidgetResizable(True)
        page.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        content.setObjectName("dashboardContent")
        page.setWidget(content)
        own = QVBoxLayout(self)
        own.setContentsMargins(0, 0, 0, 0)
        own.addWidget(page)
        outer = QVBoxLayout(content)
        self.census_line = QLabel("")  # the census's title and 统计截止日期 (set_census_info)
        self.census_line.setObjectName("sectionHint")
        outer.addWidget(self.census_line)
        head = QHBoxLayout()
        self.heading = QLabel("请在左侧选择区划")
        self.heading.setObjectName("heading")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading.setWordWrap(True)  # a long unit's path was cut off at the window's edge
        head.addWidget(self.heading, 1)
        self.population_button = QPushButton("修改户籍人口…")
        self.population_button.clicked.connect(self._ask_population)
        head.addWidget(self.population_button)
        outer.addLayout(head)
        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        self.shortfalls = ShortfallLinks()  # children below target, communities below the certified minimum
        outer.addWidget(self.shortfalls)
        self.money = QLabel("")  # allowance, award, unit target and 社工站 coverage (gui.unit_dialog.money_text)
        self.money.setObjectName("status")
        self.money.setWordWrap(True)
        outer.addWidget(self.money)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.cards: dict[str, Card] = {}
        for i, (key, title) in enumerate(self.CARDS):
            card = Card(title)
            self.cards[key] = card
            grid.addWidget(card, i // 4, i % 4)
        outer.addLayout(grid)
        outer.addLayout(self._goal_section())
        self.years_title = QLabel("持证社工取证年份")
        self.years_title.setObjectName("section")
        outer.addWidget(self.years_title)
        self.years_chart = YearsChart()
        outer.addWidget(self.years_chart)
        self.chart_title = QLabel("下级区划：人才数与应达人数")
        self.chart_title.setObjectName("section")
        outer.addWidget(self.chart_title)
        self.chart = TargetChart()
        scroll = QScrollArea()
        scroll.setObjectName("chartArea")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        holder.setObjectName("chartHolder")
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.chart)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        outer.addWidget(scroll, 1)

    def set_census_info(self, title: str, as_of: str | None) -> None:
        self.census_line.setText(f"{title}　·　统计截止日期 {as_of or '未设定（文件 → 普查信息）'}")

    def _goal_section(self) -> QVBoxLayout:
        """其他目标: a title row with the buttons; the table below, or a one-line hint when empty."""
        head = QHBoxLayout()
        self.goal_title = QLabel("其他目标")
        self.goal_title.setObjectName("section")
        head.addWidget(self.goal_title)
        self.goal_hint = QLabel("")
        self.goal_hint.setObjectName("sectionHint")
        self.goal_hint.setWordWrap(True)  # unwrapped, the hint set the page's width: cut off at 1024 px
        head.addWidget(self.goal_hint, 1)
        self.goal_button = QPushButton("设定目标…")
        self.goal_button.setToolTip("为本级设定某一类人员的目标人数，如年底持证社工 1000 人")
        self.goal_button.clicked.connect(self._ask_goal)
        head.addWidget(self.goal_button)
        self.goal_delete_button = QPushButton("删除")
        self.goal_delete_button.setToolTip("删除选中的目标")
        self.goal_delete_button.clicked.connect(self._ask_delete_goal)
        head.addWidget(self.goal_delete_button)
        self.goal_table = GoalTable()
        self.goal_table.selectionModel().selectionChanged.connect(lambda *_: self._update_goal_buttons())
        self.goal_table.activated.connect(lambda _index: self._ask_goal())
        section = QVBoxLayout()
        section.setSpacing(4)
        section.addLayout(head)
        section.addWidget(self.goal_table)
        return section

    def _ask_goal(self) -> None:
        if self.summary is not None:
            goal = self.goal_table.current_goal()
            self.edit_goal.emit(self.summary.region_id, goal.category if goal else "")

    def _ask_delete_goal(self) -> None:
        goal = self.goal_table.current_goal()
        if self.summary is not None and goal is not None:
            self.delete_goal.emit(self.summary.region_id, goal.category)

    def set_writable(self, writable: bool) -> None:
        self.writable = writable
        self.population_button.setEnabled(writable and self.summary is not None)
        self._update_goal_buttons()

    def _update_goal_buttons(self) -> None:
        self.goal_button.setEnabled(self.writable and self.summary is not None)
        self.goal_delete_button.setEnabled(self.writable and self.summary is not None
                                           and self.goal_table.current_goal() is not None)

    def _show_goals(self, s: RegionSummary | None) -> None:
        goals = s.goals if s is not None else ()
        self.goal_table.set_goals(goals)
        self.goal_table.setVisible(bool(goals))
        if s is None:
            self.goal_hint.setText("")
        elif not goals:
            self.goal_hint.setText("未设定。可按类别设定目标人数，如“年底持证社工 1000 人”。")
        else:
            short = sum(1 for g in goals if not g.met)
            self.goal_hint.setText(f"共 {len(goals)} 项，" + (f"{short} 项未达成" if short else "全部达成"))
        self._update_goal_buttons()

    def _ask_population(self) -> None:
        if self.summary is not None:
            self.edit_population.emit(self.summary.region_id)

    def show_summary(self, s: RegionSummary | None, children: list[RegionSummary],
                     descendants: list[RegionSummary] | None = None) -> None:
        self.summary = s
        self.population_button.setEnabled(self.writable and s is not None)
        if s is None:
            self.heading.setText("请在左侧选择区划")
            self.heading.setToolTip("")
            self.status.setText("")
            self.shortfalls.show_for([], [])
            self.money.setText("")
            for card in self.cards.values():
                card.set("—")
            self.chart.set_bars([])
            self.years_chart.set_years({})
            self._show_goals(None)
            return
        self.heading.setText(f"{s.path}（{KIND_LABELS.get(s.kind, s.kind)}）")
        self.heading.setToolTip(s.path)
        self.status.setText(self._status_text(s))
        self.shortfalls.show_for(children, descendants or [])
        self.money.setText(money_text(s, children))
        c = self.cards
        c["talents"].set(number_text(s.talents), "持证、专业学历、培训任一达标，按人去重")
        c["certified"].set(number_text(s.certified),
                           f"助理 {s.certified_assistant} / 中级 {s.certified_intermediate} / 高级 {s.certified_senior}")
        c["degree"].set(number_text(s.degree), f"其中持证 {s.degree_and_certified}")
        c["trained_only"].set(number_text(s.trained_only), f"培训达标共 {s.trained} 人")
        c["population"].set(number_text(s.population), "" if s.population is not None else "未填写户籍人口")
        c["target"].set(number_text(s.target), "户籍人口 × 比例，向上取整" if s.target is not None else "无户籍人口")
        state = "" if s.target_met is None else ("met" if s.target_met else "short")
        c["shortfall"].set(*shortfall_text(s), state)
        c["per_mille"].set(per_mille_text(s.per_mille), "人才数 ÷ 户籍人口 × 1000", state)
        self.chart.set_bars([Bar(ch.name, ch.talents, ch.target, ch.target_met) for ch in children])
        self.years_chart.set_years(s.certified_by_year)
        self.chart_title.setVisible(bool(children))
        self._show_goals(s)

    @staticmethod
    def _status_text(s: RegionSummary) -> str:
        parts = []
        if s.target_met is True:
            parts.append("✓ 已达到目标")
        elif s.target_met is False:
            parts.append(f"✗ 未达到目标，还差 {s.shortfall} 人")
        else:
            parts.append("没有户籍人口，不计算目标")
        if s.certified_min is not None:
            ok = "已满足" if s.certified_min_met else "未满足"
            parts.append(f"持证社工最低 {s.certified_min} 人：{ok}（现有 {s.certified} 人）")
        short = sum(1 for g in s.goals if not g.met)
        if short:
            parts.append(f"其他目标 {short} 项未达成")
        if s.pending_rows:
            parts.append(f"待核实 {s.pending_rows} 行（见“问题”页，未计入人才数）")
        if s.flagged:
            parts.append("该区划不在户籍人口表中，由报表新建，请核实")
        return "　·　".join(parts)
