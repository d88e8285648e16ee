"""Units in the window: the dashboard's money and units line (the tree's cell is
gui.models_qt.unit_cell), the dialog that sets a unit's type and staff, and the list of units below
their target and of the streets/towns without a talented 社工站."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from gui.number_box import NumberBox
from models.records import RegionSummary
from models.rules import UNIT_TYPES
from models.units import unit_line, unit_target_text

if TYPE_CHECKING:
    from gui.main_window import MainWindow

NO_TYPE = "（不是单位 / 清除）"


def money_text(s: RegionSummary, children: list[RegionSummary]) -> str:
    """The dashboard line: allowance and award, the unit's target, 社工站 coverage and the uncovered
    streets/towns among the children."""
    parts = [f"社区、村持证社工月津贴 {s.allowance_monthly:,} 元/月（全年 {s.allowance_monthly * 12:,} 元）",
             f"当年取证一次性奖励 {s.award_once:,} 元"]
    if s.unit_type is not None or s.staff is not None:
        parts.append(unit_line(s).split("：", 1)[1])
    if s.station_covered is not None:
        parts.append("社工站：已覆盖" if s.station_covered else "社工站：未覆盖（没有社工站或社工站无社工人才）")
    elif s.station_coverage is not None:
        parts.append(f"社工站覆盖街道（乡镇）{s.station_coverage}")
        uncovered = [c.name for c in children if c.station_covered is False]
        if uncovered:
            parts.append("未覆盖：" + "、".join(uncovered))
    return "　·　".join(parts)


class UnitDialog(QDialog):
    """单位类型 and 在岗职工数 of one node (0 staff means not filled in)."""

    def __init__(self, parent, s: RegionSummary):
        super().__init__(parent)
        self.setWindowTitle("单位类型和在岗职工数")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(s.path))
        form = QFormLayout()
        self.type_box = QComboBox()
        self.type_box.addItems([NO_TYPE, *UNIT_TYPES])
        self.type_box.setCurrentText(s.unit_type or NO_TYPE)
        form.addRow("单位类型", self.type_box)
        self.staff = NumberBox()
        self.staff.setRange(0, 1_000_000)
        self.staff.setSpecialValueText("未填")
        self.staff.setSuffix(" 人")
        self.staff.setValue(s.staff or 0)
        form.addRow("在岗职工数", self.staff)
        layout.addLayout(form)
        hint = QLabel("目标按类型和在岗职工数计算（设置 → 统计规则）：社会服务机关事业单位 ≥1/3 持证，"
                      "其他机关事业单位 ≥1/5 持证，学校、医院 2 名社工人才，社工机构 ≥1/3 持证或社工本科及以上。")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def value(self) -> tuple[str | None, int | None]:
        unit_type = self.type_box.currentText()
        return (None if unit_type == NO_TYPE else unit_type), (self.staff.value() or None)


def ask_unit(window: MainWindow, region_id: int) -> UnitDialog | None:
    """Open the dialog for a node; on 确定 the change runs on the worker and the views refresh."""
    s = window.tree_model.summaries.get(region_id)
    if s is None:
        return None
    dialog = UnitDialog(window, s)

    def apply() -> None:
        unit_type, staff = dialog.value()
        window.write_step("修改单位信息", lambda census: census.units.set(region_id, unit_type, staff), "正在保存单位信息…")

    dialog.accepted.connect(apply)
    dialog.open()
    return dialog


class ShortfallDialog(QDialog):
    """Units below their target and streets/towns without a talented 社工站; double-click selects one."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.setWindowTitle("未达单位目标的单位 · 未覆盖社工站的街道（乡镇）")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        order = window.tree_model.order
        short = [s for s in order if s.unit_target_met is False]
        uncovered = [s for s in order if s.station_covered is False]
        for title, rows, text in (("未达单位目标的单位", short, lambda s: f"{s.path}：{s.unit_type} {unit_target_text(s)}"),
                                  ("未覆盖社工站的街道（乡镇）", uncovered, lambda s: s.path)):
            head = QListWidgetItem(f"{title}（{len(rows)}）")
            head.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(head)
            for s in rows:
                item = QListWidgetItem("    " + text(s))
                item.setData(Qt.ItemDataRole.UserRole, s.region_id)
                self.list.addItem(item)
        self.list.itemActivated.connect(lambda item: self._select(window, item))  # double-click or Enter
        layout.addWidget(QLabel("双击一行（或按回车），在左侧区划树中选中它。"))
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _select(self, window: MainWindow, item: QListWidgetItem) -> None:
        region_id = item.data(Qt.ItemDataRole.UserRole)
        if region_id is not None:
            window.select_region(region_id)
            self.accept()


def show_shortfalls(window: MainWindow) -> ShortfallDialog:
    dialog = ShortfallDialog(window)
    dialog.open()
    return dialog
