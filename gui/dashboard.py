"""The selected node's figures and a chart of its children against their targets."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.chart import Bar, TargetChart
from gui.models_qt import number_text, per_mille_text
from models.records import RegionSummary
from models.regions import KIND_LABELS


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


class Dashboard(QWidget):
    """Numbers for one node; `edit_population` asks the window to change its 户籍人口."""

    edit_population = Signal(int)

    CARDS = (("talents", "人才总数"), ("certified", "持证社工"), ("degree", "专业学历"), ("trained_only", "仅培训"),
             ("population", "户籍人口"), ("target", "应达人数"), ("shortfall", "差额"), ("per_mille", "每千人"))

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary: RegionSummary | None = None
        outer = QVBoxLayout(self)
        head = QHBoxLayout()
        self.heading = QLabel("请在左侧选择区划")
        self.heading.setObjectName("heading")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head.addWidget(self.heading, 1)
        self.population_button = QPushButton("修改户籍人口…")
        self.population_button.clicked.connect(self._ask_population)
        head.addWidget(self.population_button)
        outer.addLayout(head)
        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.cards: dict[str, Card] = {}
        for i, (key, title) in enumerate(self.CARDS):
            card = Card(title)
            self.cards[key] = card
            grid.addWidget(card, i // 4, i % 4)
        outer.addLayout(grid)
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

    def _ask_population(self) -> None:
        if self.summary is not None:
            self.edit_population.emit(self.summary.region_id)

    def show_summary(self, s: RegionSummary | None, children: list[RegionSummary]) -> None:
        self.summary = s
        self.population_button.setEnabled(s is not None)
        if s is None:
            self.heading.setText("请在左侧选择区划")
            self.status.setText("")
            for card in self.cards.values():
                card.set("—")
            self.chart.set_bars([])
            return
        self.heading.setText(f"{s.path}（{KIND_LABELS.get(s.kind, s.kind)}）")
        self.status.setText(self._status_text(s))
        c = self.cards
        c["talents"].set(number_text(s.talents), "持证、专业学历、培训任一达标，按人去重")
        c["certified"].set(number_text(s.certified),
                           f"助理 {s.certified_assistant} / 中级 {s.certified_intermediate} / 高级 {s.certified_senior}")
        c["degree"].set(number_text(s.degree), f"其中持证 {s.degree_and_certified}")
        c["trained_only"].set(number_text(s.trained_only), f"培训达标共 {s.trained} 人")
        c["population"].set(number_text(s.population), "" if s.population is not None else "未填写户籍人口")
        c["target"].set(number_text(s.target), "户籍人口 × 比例，向上取整" if s.target is not None else "无户籍人口")
        state = "" if s.target_met is None else ("met" if s.target_met else "short")
        shortfall = s.shortfall
        c["shortfall"].set(number_text(shortfall), "已达标" if shortfall == 0 else ("尚需人数" if shortfall else ""),
                           state)
        c["per_mille"].set(per_mille_text(s.per_mille), "人才数 ÷ 户籍人口 × 1000", state)
        self.chart.set_bars([Bar(ch.name, ch.talents, ch.target, ch.target_met) for ch in children])
        self.chart_title.setVisible(bool(children))

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
        if s.pending_rows:
            parts.append(f"待核实 {s.pending_rows} 行（见“问题”页，未计入人才数）")
        if s.flagged:
            parts.append("该区划不在户籍人口表中，由报表新建，请核实")
        return "　·　".join(parts)
