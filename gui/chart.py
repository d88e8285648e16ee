"""A small horizontal bar chart drawn with QPainter: each child's talents against its target."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_MET = QColor("#4caf6e")
BAR_SHORT = QColor("#e07a5f")
BAR_NONE = QColor("#8fa3b8")
TARGET = QColor("#1f2d3d")
GRID = QColor("#e3e7ec")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    target: int | None
    met: bool | None


class TargetChart(QWidget):
    """Bars = talents, a dark tick = the target; green when met, orange when short, grey when no target."""

    ROW = 26
    TOP = 30

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.empty_text = "没有下级区划"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(80)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = list(bars)
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, max(80, self.TOP + self.ROW * len(self.bars) + 12))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = QFontMetrics(self.font())
        if not self.bars:
            painter.setPen(QColor("#888"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        label_w = min(max(metrics.horizontalAdvance(b.label) for b in self.bars) + 12, self.width() // 3)
        value_w = metrics.horizontalAdvance("00000/00000") + 12
        left, right = label_w + 8, self.width() - value_w - 8
        span = max(right - left, 20)
        top_value = max(max(b.value for b in self.bars), max((b.target or 0) for b in self.bars), 1)
        scale = span / top_value
        self._legend(painter, metrics, left)
        for i, bar in enumerate(self.bars):
            y = self.TOP + i * self.ROW
            painter.setPen(QColor("#333"))
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideMiddle, label_w - 8)
            painter.drawText(QRectF(0, y, label_w, self.ROW), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             label)
            painter.fillRect(QRectF(left, y + 4, span, self.ROW - 8), GRID)
            colour = BAR_NONE if bar.met is None else (BAR_MET if bar.met else BAR_SHORT)
            painter.fillRect(QRectF(left, y + 4, bar.value * scale, self.ROW - 8), colour)
            if bar.target is not None:
                x = left + bar.target * scale
                painter.setPen(QPen(TARGET, 2))
                painter.drawLine(int(x), y + 1, int(x), y + self.ROW - 1)
            painter.setPen(QColor("#333"))
            text = f"{bar.value}/{bar.target}" if bar.target is not None else str(bar.value)
            painter.drawText(QRectF(right + 6, y, value_w, self.ROW), Qt.AlignmentFlag.AlignVCenter, text)

    def _legend(self, painter: QPainter, metrics: QFontMetrics, left: int) -> None:
        x, y = left, 6
        for colour, text in ((BAR_MET, "已达标"), (BAR_SHORT, "未达标"), (BAR_NONE, "无目标")):
            painter.fillRect(QRectF(x, y + 4, 12, 12), colour)
            painter.setPen(QColor("#333"))
            painter.drawText(x + 16, y + 2 + metrics.ascent(), text)
            x += 24 + metrics.horizontalAdvance(text)
        painter.setPen(QPen(TARGET, 2))
        painter.drawLine(x, y + 3, x, y + 17)
        painter.setPen(QColor("#333"))
        painter.drawText(x + 8, y + 2 + metrics.ascent(), "应达人数（户籍人口×比例）")
