"""The dashboard's line of what falls short below a node: a node can meet its own target while
most of its children do not, or while communities and villages lack certified social workers.
Each count is a link that lists those regions; double-click one to select it in the tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableView, QVBoxLayout, QWidget

from gui import conventions
from gui.paths import APP_TITLE
from models.records import RegionSummary


@dataclass(frozen=True)
class Shortfalls:
    children: list[RegionSummary]  # direct children below their own target
    below_minimum: list[RegionSummary]  # communities/villages anywhere below with too few certified

    @classmethod
    def of(cls, children: list[RegionSummary], descendants: list[RegionSummary]) -> Shortfalls:
        return cls([c for c in children if c.target_met is False],
                   [d for d in descendants if d.certified_min_met is False])


class ShortfallLinks(QLabel):
    """「下级 3 个区划未达到目标 · 5 个社区/村持证社工不足最低要求」, each count a link."""

    region_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("status")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.linkActivated.connect(self.show_list)
        self.shortfalls = Shortfalls([], [])

    def show_for(self, children: list[RegionSummary], descendants: list[RegionSummary]) -> None:
        self.shortfalls = Shortfalls.of(children, descendants)
        parts = []
        if self.shortfalls.children:
            parts.append(f'<a href="children">{len(self.shortfalls.children)} 个下级区划未达到目标</a>')
        if self.shortfalls.below_minimum:
            parts.append(f'<a href="minimum">{len(self.shortfalls.below_minimum)} 个社区/村持证社工少于最低要求</a>')
        self.setText(("下级：" + "　·　".join(parts) + "（点击查看）") if parts else "")
        self.setVisible(bool(parts))

    def show_list(self, which: str) -> QDialog:
        dialog = ShortfallDialog(self.window(), which, self.shortfalls)
        dialog.region_chosen.connect(self.region_chosen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class ShortfallDialog(QDialog):
    region_chosen = Signal(int)

    def __init__(self, parent: QWidget | None, which: str, shortfalls: Shortfalls):
        super().__init__(parent)
        if which == "children":
            title, regions = "未达到目标的下级区划", shortfalls.children
            header = ["区划", "人才数", "应达人数", "差额"]
            rows = [[s.path, s.talents, s.target, f"还差 {s.shortfall} 人"] for s in regions]
        else:
            title, regions = "持证社工少于最低要求的社区/村", shortfalls.below_minimum
            header = ["区划", "持证社工", "最低要求", "差额"]
            rows = [[s.path, s.certified, s.certified_min, f"还差 {(s.certified_min or 0) - s.certified} 人"]
                    for s in regions]
        self.setWindowTitle(f"{title} - {APP_TITLE}")
        self.region_ids = [s.region_id for s in regions]
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{title}，共 {len(regions)} 个。双击一行（或按回车）在左侧选中该区划。"))
        # A model over the rows, not a QTableWidgetItem per cell: a province's root lists 13,727
        # communities and villages (55,000 items took 0.34 s of the GUI thread).
        self.model = _Rows(header, rows, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.resizeColumnsToContents()
        self.table.verticalHeader().setVisible(False)
        conventions.tab_leaves(self.table)
        self.table.activated.connect(self._choose)  # double-click or Enter
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 420)

    def _choose(self, index) -> None:
        self.region_chosen.emit(self.region_ids[index.row()])
        self.accept()


class _Rows(QAbstractTableModel):
    """Rows of values shown as text (and as their tooltip: paths are long)."""

    def __init__(self, header: list[str], rows: list[list[Any]], parent: QWidget | None = None):
        super().__init__(parent)
        self.header, self.rows = header, rows

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.header)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.header[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.rows[index.row()][index.column()]
            return "" if value is None else str(value)
        return None
