"""Charts over time, drawn with QPainter like gui/chart.py: each child before and after (the 对比
page), and certified persons by exam year and level (the dashboard)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.chart import GRID, TEXT, RowChart, legend, safe_paint

BEFORE = QColor("#b8c4d1")
NOW = QColor("#3b7dd8")
LEVEL_COLOURS = (QColor("#7fb3e6"), QColor("#3b7dd8"), QColor("#1f4e8c"))  # assistant, intermediate, senior


@dataclass(frozen=True)
class Pair:
    label: str
    before: int | None  # None: the region was not in the earlier census
    now: int | None  # None: the region is not in this census


class BeforeAfterChart(RowChart):
    """Two bars per child: the earlier census (grey) above this one (blue), each with its figure."""

    ROW = 34
    TOP = 28
    VALUE_SAMPLE = "00000（+0000）"

    @property
    def pairs(self) -> list[Pair]:
        return self.rows

    def set_pairs(self, pairs: list[Pair]) -> None:
        self.set_rows(pairs)

    def largest(self, pair: Pair) -> int:
        return max(pair.before or 0, pair.now or 0)

    def value_text(self, pair: Pair) -> str:
        return _pair_text(pair)

    def paint_row(self, painter: QPainter, pair: Pair, y: int, left: int, span: int, scale: float) -> None:
        half = (self.ROW - 8) / 2
        painter.fillRect(QRectF(left, y + 3, span, self.ROW - 6), GRID)
        painter.fillRect(QRectF(left, y + 4, (pair.before or 0) * scale, half), BEFORE)
        painter.fillRect(QRectF(left, y + 4 + half, (pair.now or 0) * scale, half), NOW)

    def paint_legend(self, painter: QPainter, metrics: QFontMetrics, left: int) -> None:
        legend(painter, metrics, left, ((BEFORE, "早前普查"), (NOW, "本次普查")), gap=28)


def _pair_text(pair: Pair) -> str:
    if pair.now is None:
        return f"{pair.before:,}→（已无）"
    if pair.before is None:
        return f"（新）→{pair.now:,}"
    change = pair.now - pair.before
    return f"{pair.before:,}→{pair.now:,}（{change:+,d}）"


class YearsChart(QWidget):
    """Certified persons by exam year: one stacked column per year (不详 last), levels coloured."""

    HEIGHT = 130
    BOTTOM = 22
    TOP = 26

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.years: list[tuple[str, tuple[int, int, int]]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.HEIGHT)

    def set_years(self, by_year: dict[str, dict[str, int]]) -> None:
        """`certified_by_year` of a summary; years with nobody are left out."""
        self.years = [("不详" if year == "unknown" else year, (levels["assistant"], levels["intermediate"],
                                                              levels["senior"]))
                      for year, levels in by_year.items() if sum(levels.values())]
        self.update()

    @safe_paint
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = QFontMetrics(self.font())
        if not self.years:
            painter.setPen(QColor("#888"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "没有持证社工")
            return
        legend(painter, metrics, 8, tuple(zip(LEVEL_COLOURS, ("助理社会工作师", "社会工作师", "高级社会工作师"),
                                              strict=True)), gap=28)
        top_value = max(sum(c) for _, c in self.years)
        area = self.height() - self.TOP - self.BOTTOM - metrics.height()
        slot = max(min((self.width() - 16) / len(self.years), 64), 24)
        for i, (year, counts) in enumerate(self.years):
            x = 8 + i * slot
            base = self.height() - self.BOTTOM
            for colour, n in zip(LEVEL_COLOURS, counts, strict=True):
                h = n / top_value * area
                painter.fillRect(QRectF(x + 4, base - h, slot - 8, h), colour)
                base -= h
            painter.setPen(TEXT)
            painter.drawText(QRectF(x, base - metrics.height(), slot, metrics.height()), Qt.AlignmentFlag.AlignCenter,
                             str(sum(counts)))
            painter.drawText(QRectF(x, self.height() - self.BOTTOM, slot, self.BOTTOM), Qt.AlignmentFlag.AlignCenter,
                             year)
