"""Pick one region from the census tree (with a filter box), e.g. to reassign a person."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from gui.paths import APP_TITLE
from models.regions import KIND_LABELS, Region

REGION_ROLE = Qt.ItemDataRole.UserRole + 1


class RegionPicker(QDialog):
    def __init__(self, parent: QWidget | None, regions: list[Region], current: int | None = None,
                 text: str = "选择区划："):
        super().__init__(parent)
        self.setWindowTitle(f"选择区划 - {APP_TITLE}")
        layout = QVBoxLayout(self)
        label = QLabel(text)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("输入名称筛选，如 光明社区")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        layout.addWidget(self.filter)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["区划", "类型"])
        self.tree.setColumnWidth(0, 360)
        self.tree.setUniformRowHeights(True)
        items: dict[int, QTreeWidgetItem] = {}
        # For the filter, in tree order: each node's item, path and parent's position (-1: a top node)
        self._nodes: list[tuple[QTreeWidgetItem, str, int]] = []
        position: dict[int, int] = {}
        for region in regions:  # tree order: a parent always comes before its children
            item = QTreeWidgetItem([region.name, KIND_LABELS.get(region.kind, region.kind)])
            item.setData(0, REGION_ROLE, region.id)
            item.setToolTip(0, region.path)
            parent = items.get(region.parent_id) if region.parent_id is not None else None
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[region.id] = item
            position[region.id] = len(self._nodes)
            above = position.get(region.parent_id, -1) if region.parent_id is not None else -1
            self._nodes.append((item, region.path, above))
        self.tree.expandToDepth(1)
        if current in items:
            self.tree.setCurrentItem(items[current])
            self.tree.scrollToItem(items[current])
        self.tree.itemDoubleClicked.connect(lambda *_: self.accept())
        self.tree.currentItemChanged.connect(lambda *_: self._update())
        layout.addWidget(self.tree, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()
        self.resize(560, 600)

    def region_id(self) -> int | None:
        item = self.tree.currentItem()
        return None if item is None or item.isHidden() else item.data(0, REGION_ROLE)

    def select(self, region_id: int) -> bool:
        iterator = QTreeWidgetItemIterator(self.tree)
        while iterator.value():
            item = iterator.value()
            if item.data(0, REGION_ROLE) == region_id:
                self.tree.setCurrentItem(item)
                return True
            iterator += 1
        return False

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.region_id() is not None)

    def _filter(self, text: str) -> None:
        """Show the nodes whose path contains the text, with their ancestors (expanded). Worked out
        over the paths kept in tree order, children before parents, and only the items whose state
        changes are told: walking a province's 20,000 items asked Qt for each one's path and state
        at every keystroke (35–124 ms)."""
        text = text.strip()
        nodes = self._nodes
        shown = [not text or text in path for _item, path, _above in nodes]
        below = [False] * len(nodes)  # a node below it is shown
        for i in range(len(nodes) - 1, -1, -1):
            above = nodes[i][2]
            if above >= 0 and (shown[i] or below[i]):
                below[above] = True
        for (item, _path, _above), own, under in zip(nodes, shown, below, strict=True):
            hidden = not (own or under)
            if item.isHidden() != hidden:
                item.setHidden(hidden)
            if text and under and not item.isExpanded():
                item.setExpanded(True)
        self._update()


def choose_region(parent: QWidget | None, regions: list[Region], current: int | None = None,
                  text: str = "选择区划：") -> int | None:
    """The chosen region's id, None when cancelled (tests replace this function)."""
    dialog = RegionPicker(parent, regions, current, text)
    return dialog.region_id() if dialog.exec() == QDialog.DialogCode.Accepted else None
