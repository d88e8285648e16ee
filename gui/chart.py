"""A small horizontal bar chart drawn with QPainter: each child's talents against its target."""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_MET = QColor("#4caf6e")
BAR_SHORT = QColor("#e07a5f")
BAR_NONE = QColor("#8fa3b8")
TARGET = QColor("#1f2d3d")
GRID = QColor("#e3e7ec")
TEXT = QColor("#333")


def safe_paint(paint: Callable) -> Callable:
    """A paintEvent that cannot raise: PySide6 ends the whole program (a segfault) on an exception
    raised inside paintEvent instead of passing it to sys.excepthook. It is logged; the chart
    stays blank."""
    @functools.wraps(paint)
    def wrapper(self, event) -> None:
        try:
            paint(self, event)
        except Exception as err:
            text = traceback.format_exc()
            # The QPainter in those frames must end now, inside the paint event, not whenever the
            # traceback is let go (a painter destroyed later takes the program down too).
            traceback.clear_frames(err.__traceback__)
            logging.getLogger("gui").error("painting %s failed\n%s", type(self).__name__, text)
    return wrapper


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    target: int | None
    met: bool | None


class RowChart(QWidget):
    """One labelled horizontal bar row per child, a legend above, the figure at the right.

    Subclasses say what a row holds: its largest value (for the common scale), how its bars are
    painted and the text at its end. Labels are elided in the middle so both ends of a long name
    stay readable.
    """

    ROW = 26
    TOP = 30
    VALUE_SAMPLE = "00000/00000"  # the widest figure text expected at the right

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list = []
        self.empty_text = "没有下级区划"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(80)

    def set_rows(self, rows: list) -> None:
        self.rows = list(rows)
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(480, max(80, self.TOP + self.ROW * len(self.rows) + 12))

    @safe_paint
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = QFontMetrics(self.font())
        if not self.rows:
            painter.setPen(QColor("#888"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        label_w = min(max(metrics.horizontalAdvance(self.label(r)) for r in self.rows) + 12, self.width() // 3)
        value_w = self.value_width(metrics)
        left, right = label_w + 8, self.width() - value_w - 8
        span = max(right - left, 20)
        scale = span / max(max(self.largest(r) for r in self.rows), 1)
        self.paint_legend(painter, metrics, left)
        for i, row in enumerate(self.rows):
            y = self.TOP + i * self.ROW
            painter.setPen(TEXT)
            label = metrics.elidedText(self.label(row), Qt.TextElideMode.ElideMiddle, label_w - 8)
            painter.drawText(QRectF(0, y, label_w, self.ROW), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             label)
            self.paint_row(painter, row, y, left, span, scale)
            painter.setPen(TEXT)
            painter.drawText(QRectF(right + 6, y, value_w, self.ROW), Qt.AlignmentFlag.AlignVCenter, self.value_text(row))

    def value_width(self, metrics: QFontMetrics) -> int:
        """As wide as the widest figure text (a province's 12,345→15,678（+3,333） was cut at the
        window's edge), at least the sample's so bars keep their length, at most a third of the chart."""
        widest = max(metrics.horizontalAdvance(t) for t in [self.VALUE_SAMPLE, *map(self.value_text, self.rows)])
        return min(widest, self.width() // 3) + 12

    # what a subclass says about its rows
    def label(self, row) -> str:
        return row.label

    def largest(self, row) -> int:
        raise NotImplementedError

    def value_text(self, row) -> str:
        raise NotImplementedError

    def paint_row(self, painter: QPainter, row, y: int, left: int, span: int, scale: float) -> None:
        raise NotImplementedError

    def paint_legend(self, painter: QPainter, metrics: QFontMetrics, left: int) -> None:
        raise NotImplementedError


def legend(painter: QPainter, metrics: QFontMetrics, left: int, items, gap: int = 24) -> int:
    """Colour squares with their names in a line from `left`; returns where the line ends."""
    x, y = left, 6
    for colour, text in items:
        painter.fillRect(QRectF(x, y + 4, 12, 12), colour)
        painter.setPen(TEXT)
        painter.drawText(x + 16, y + 2 + metrics.ascent(), text)
        x += gap + metrics.horizontalAdvance(text)
    return x


class TargetChart(RowChart):
    """Bars = talents, a dark tick = the target; green when met, orange when short, grey when no target."""

    @property
    def bars(self) -> list[Bar]:
        return self.rows

    def set_bars(self, bars: list[Bar]) -> None:
        self.set_rows(bars)

    def largest(self, bar: Bar) -> int:
        return max(bar.value, bar.target or 0)

    def value_text(self, bar: Bar) -> str:
        return f"{bar.value}/{bar.target}" if bar.target is not None else str(bar.value)

    def paint_row(self, painter: QPainter, bar: Bar, y: int, left: int, span: int, scale: float) -> None:
        painter.fillRect(QRectF(left, y + 4, span, self.ROW - 8), GRID)
        colour = BAR_NONE if bar.met is None else (BAR_MET if bar.met else BAR_SHORT)
        painter.fillRect(QRectF(left, y + 4, bar.value * scale, self.ROW - 8), colour)
        if bar.target is not None:
            x = left + bar.target * scale
            painter.setPen(QPen(TARGET, 2))
            painter.drawLine(int(x), y + 1, int(x), y + self.ROW - 1)

    def paint_legend(self, painter: QPainter, metrics: QFontMetrics, left: int) -> None:
        x = legend(painter, metrics, left, ((BAR_MET, "已达标"), (BAR_SHORT, "未达标"), (BAR_NONE, "无目标")))
        y = 6
        painter.setPen(QPen(TARGET, 2))
        painter.drawLine(x, y + 3, x, y + 17)
        painter.setPen(TEXT)
        painter.drawText(x + 8, y + 2 + metrics.ascent(), "应达人数（户籍人口×比例）")
