"""The 对比 page: this census against an earlier census file, for the node selected in the tree.

The page asks for the earlier file (`earlier_requested`), the window computes the comparison on
its worker (models.compare) and hands it to `set_comparison`; the page then shows the node's
figures before and after, a chart of each child before and after, the dated goals' progress and
the lists of new, gone, upgraded and moved persons (IDs masked unless the window shows them in
full). Double-clicking a person asks the window for their source rows (`person_requested`), read
from the earlier census for a person who is gone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui import conventions
from gui.models_qt import MET, NOT_MET, ListModel
from gui.over_time_charts import BeforeAfterChart, Pair
from gui.paths import CENSUS_SUFFIX, data_dir
from models.compare import KIND_LABELS, Comparison, PersonChange, RegionChange
from models.goals import GoalProgress
from models.records import GOAL_LABELS

Index = QModelIndex | QPersistentModelIndex
PERSON_KINDS = ("new", "gone", "upgraded", "lowered", "moved")


class PersonChangeModel(ListModel):
    """New, gone, upgraded or moved persons: 姓名, 身份证号, 区划, 等级."""

    HEADERS = ("姓名", "身份证号", "所属区划", "证书等级")

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.kind = kind

    def text(self, p: PersonChange, column: int) -> str:
        where = f"{p.path_before} → {p.path}" if p.kind == "moved" else p.path
        level = f"{p.level_text}（{p.note}）" if p.note else p.level_text
        return (p.name, p.shown_id(self.full), where, level)[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        p = self.item(index.row()) if index.isValid() else None
        if p is not None and role == Qt.ItemDataRole.ToolTipRole:
            return "双击查看来源行" + ("（早前普查中的）" if p.in_earlier else "")
        return super().data(index, role)


class GoalProgressModel(ListModel):
    HEADERS = ("区划", "类别", "目标", "完成期限", "现有", "此前", "两次间每月增加", "今后每月需增加", "判断")

    def text(self, g: GoalProgress, column: int) -> str:
        return (g.path.rpartition("/")[2], GOAL_LABELS.get(g.category, g.category), f"{g.target:,}", g.by,
                _n(g.now), _n(g.before), _rate(g.pace_per_month), _rate(g.per_month_needed), g.verdict)[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        g = self.item(index.row()) if index.isValid() else None
        if g is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 8 and g.on_track is not None:
            return QBrush(MET if g.on_track else NOT_MET)
        if role == Qt.ItemDataRole.ToolTipRole:
            return g.path if index.column() == 0 else None
        return super().data(index, role)


def _n(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:g} 人/月"


class ComparePage(QWidget):
    """See the module docstring. `earlier_requested(path)` asks the window to compare with a file;
    `person_requested(person)` to show a person's source rows."""

    earlier_requested = Signal(Path)
    person_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self.earlier_path: Path | None = None
        self.path: str | None = None  # the node shown
        outer = QVBoxLayout(self)
        head = QHBoxLayout()
        self.source = QLabel("尚未选择早前的普查文件。选择后，可看到各级区划的增长、新增、减少和等级提高的人员。")
        self.source.setObjectName("sectionHint")
        self.source.setWordWrap(True)
        head.addWidget(self.source, 1)
        self.choose_button = QPushButton("选择早前的普查文件…")
        self.choose_button.clicked.connect(self._ask_earlier)
        head.addWidget(self.choose_button)
        outer.addLayout(head)
        self.notes = QLabel("")
        self.notes.setObjectName("status")
        self.notes.setWordWrap(True)
        outer.addWidget(self.notes)
        self.heading = QLabel("")
        self.heading.setObjectName("heading")
        outer.addWidget(self.heading)
        self.figures = QLabel("")
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.figures)

        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.chart_title = QLabel("下级区划：人才数，早前与本次")
        self.chart_title.setObjectName("section")
        top_layout.addWidget(self.chart_title)
        self.chart = BeforeAfterChart()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.chart)
        top_layout.addWidget(scroll, 1)
        self.goal_title = QLabel("有期限的目标：按两次普查之间的增长速度能否按期完成")
        self.goal_title.setObjectName("section")
        top_layout.addWidget(self.goal_title)
        self.goal_model = GoalProgressModel(self)
        self.goal_table = _table(self.goal_model)
        self.goal_table.setMaximumHeight(150)
        top_layout.addWidget(self.goal_table)
        splitter.addWidget(top)

        self.person_tabs = QTabWidget()
        self.person_models: dict[str, PersonChangeModel] = {}
        self.person_tables: dict[str, QTableView] = {}
        for kind in PERSON_KINDS:
            model = PersonChangeModel(kind, self)
            table = _table(model, (110, 180, 460))
            table.activated.connect(lambda index, m=model: self._open_person(m, index))
            self.person_models[kind], self.person_tables[kind] = model, table
            self.person_tabs.addTab(table, KIND_LABELS[kind])
        splitter.addWidget(self.person_tabs)
        splitter.setSizes([420, 320])
        outer.addWidget(splitter, 1)
        self._show()

    # ---- what the window calls --------------------------------------------------------------
    def set_comparison(self, comparison: Comparison | None, earlier_path: Path | None) -> None:
        self.comparison, self.earlier_path = comparison, earlier_path
        if comparison is None:
            self.source.setText("尚未选择早前的普查文件。选择后，可看到各级区划的增长、新增、减少和等级提高的人员。")
            self.notes.setText("")
        else:
            self.source.setText(f"本次：{comparison.title}（截至 {comparison.as_of or '未设定'}）　对比　早前："
                                f"{comparison.earlier_label}（{comparison.earlier_file}）")
            self.notes.setText("　·　".join(f"注意：{n}" for n in comparison.notes))
        self.choose_button.setText("换一个早前的普查文件…" if comparison else "选择早前的普查文件…")
        self._show()

    def set_region(self, path: str | None) -> None:
        self.path = path
        self._show()

    def set_full(self, full: bool) -> None:
        for model in self.person_models.values():
            model.set_full(full)

    # ---- showing -----------------------------------------------------------------------------
    def _show(self) -> None:
        c = self.comparison
        region = c.region(self.path) if c is not None and self.path else None
        for widget in (self.heading, self.figures, self.chart_title, self.chart, self.goal_title, self.goal_table,
                       self.person_tabs):
            widget.setVisible(c is not None)
        if c is None:
            return
        self.heading.setText(self.path or "")
        self.figures.setText(_figures_text(region) if region else "该区划不在两次普查中。")
        children = c.children(self.path) if self.path else []
        self.chart.set_pairs([Pair(r.name, r.figure("talents", before=True), r.figure("talents")) for r in children])
        self.chart_title.setVisible(bool(children))
        goals = [g for g in c.goals if self.path and (g.path == self.path or g.path.startswith(self.path + "/"))]
        self.goal_model.set_items(goals)
        self.goal_title.setText("有期限的目标：按两次普查之间的增长速度能否按期完成" if goals
                                else "有期限的目标：本级及下级没有设定完成期限的目标（设定目标时可填写完成期限）")
        self.goal_table.setVisible(bool(goals))
        for i, kind in enumerate(PERSON_KINDS):
            persons = c.persons_within(self.path, kind)
            self.person_models[kind].set_items(persons)
            self.person_tabs.setTabText(i, f"{KIND_LABELS[kind]}（{len(persons)}）")

    def _ask_earlier(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择早前的普查文件", str(data_dir()),
                                              f"普查文件 (*{CENSUS_SUFFIX})")
        if name:
            self.earlier_requested.emit(Path(name))

    def _open_person(self, model: PersonChangeModel, index: QModelIndex) -> None:
        person = model.item(index.row()) if index.isValid() else None
        if person is not None:
            self.person_requested.emit(person)


def _figures_text(r: RegionChange) -> str:
    def pair(name: str, label: str) -> str:
        before, now = r.figure(name, before=True), r.figure(name)
        return f"{label} {_n(before)} → {_n(now)}"

    growth = "—" if r.growth is None else f"×{r.growth:.2f}"
    return (f"{pair('talents', '人才')}（增长 {growth}）　{pair('certified', '持证')}　{pair('degree', '专业学历')}　"
            f"{pair('trained_only', '仅培训')}\n新增 {_n(r.new_persons)} 人　减少 {_n(r.gone_persons)} 人　"
            f"调入 {_n(r.moved_in)} 人　调出 {_n(r.moved_out)} 人　等级提高 {_n(r.upgraded)} 人")


def _table(model: QAbstractTableModel, widths: tuple[int, ...] | None = None) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    conventions.tab_leaves(table)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    if widths is None:  # a few rows: fit them
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    else:  # any number of rows: never measured row by row
        for col, width in enumerate(widths):
            table.setColumnWidth(col, width)
    return table
