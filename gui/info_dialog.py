"""普查信息: the census's title and 统计截止日期, as `info CENSUS --title T --as-of DATE` sets them."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.paths import APP_TITLE
from models.goals import AS_OF_FIRST

MAX_TITLE = 60


class InfoDialog(QDialog):
    """`values()` gives (title, as_of or None) after 确定."""

    def __init__(self, parent: QWidget | None, title: str, as_of: str | None):
        super().__init__(parent)
        self.setWindowTitle(f"普查信息 - {APP_TITLE}")
        layout = QVBoxLayout(self)
        intro = QLabel("标题和统计截止日期显示在概况页和导出的每一张表的标题中；与早前的普查对比时，"
                       "按两次的截止日期计算增长速度。")
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.title = QLineEdit(title)
        self.title.setMaxLength(MAX_TITLE)
        self.title.setPlaceholderText("如：乌海市社会工作专业人才摸排")
        form.addRow("标题：", self.title)
        row = QHBoxLayout()
        self.has_date = QCheckBox("设定")
        self.as_of = QDateEdit()
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        # The dates models.goals.as_of_date takes: a typo of a year cannot be picked.
        self.as_of.setDateRange(QDate(AS_OF_FIRST.year, 1, 1), QDate(QDate.currentDate().year() + 1, 12, 31))
        self.as_of.setDate(QDate.fromString(as_of, "yyyy-MM-dd") if as_of else QDate.currentDate())
        self.has_date.setChecked(as_of is not None)
        self.has_date.toggled.connect(self.as_of.setEnabled)
        self.as_of.setEnabled(as_of is not None)
        row.addWidget(self.has_date)
        row.addWidget(self.as_of, 1)
        form.addRow("统计截止日期：", row)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.title.textChanged.connect(lambda text: self.buttons.button(
            QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip())))
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())

    def values(self) -> tuple[str, str | None]:
        date = self.as_of.date().toString("yyyy-MM-dd") if self.has_date.isChecked() else None
        return self.title.text().strip(), date
