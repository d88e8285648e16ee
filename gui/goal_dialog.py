"""Set another goal for a node (e.g. 1,000 certified by year end): category, target, note."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.paths import APP_TITLE
from models.records import GOAL_LABELS, RegionSummary

MAX_TARGET = 10_000_000
MAX_NOTE = 100


class GoalDialog(QDialog):
    """Pick a category and a target for `summary`'s node; an existing goal of that category is
    shown and replaced. `goal()` gives (category, target, note) after 确定."""

    def __init__(self, parent: QWidget | None, summary: RegionSummary, category: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"设定目标 - {APP_TITLE}")
        self.summary = summary
        self.existing = {g.category: g for g in summary.goals}
        layout = QVBoxLayout(self)
        where = QLabel(summary.path)
        where.setObjectName("section")
        layout.addWidget(where)
        intro = QLabel("为本级（含下级）设定某类人员的目标人数，如年底持证社工 1000 人。")
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.category = QComboBox()
        for key, label in GOAL_LABELS.items():
            self.category.addItem(label + ("（已设定）" if key in self.existing else ""), key)
        form.addRow("类别：", self.category)
        row = QHBoxLayout()
        self.target = QSpinBox()
        self.target.setRange(0, MAX_TARGET)
        self.target.setSpecialValueText("请填写")  # shown at 0: no goal of zero people
        self.target.setSuffix(" 人")
        self.target.setGroupSeparatorShown(True)
        self.target.setMinimumWidth(140)
        row.addWidget(self.target)
        self.actual = QLabel("")
        self.actual.setObjectName("hint")
        row.addWidget(self.actual, 1)
        form.addRow("目标人数：", row)
        self.note = QLineEdit()
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText("可不填，如：年底前、省厅下达")
        form.addRow("说明：", self.note)
        layout.addLayout(form)
        self.replacing = QLabel("")
        self.replacing.setObjectName("hint")
        layout.addWidget(self.replacing)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.category.currentIndexChanged.connect(lambda _i: self._category_changed())
        self.target.valueChanged.connect(lambda _v: self._update_ok())
        if category is None:  # the first category without a goal yet
            category = next((k for k in GOAL_LABELS if k not in self.existing), next(iter(GOAL_LABELS)))
        self.set_category(category)
        self._category_changed()
        self.resize(520, self.sizeHint().height())

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def set_category(self, category: str) -> None:
        index = self.category.findData(category)
        if index >= 0:
            self.category.setCurrentIndex(index)

    def _category_changed(self) -> None:
        key = self.category.currentData()
        actual = getattr(self.summary, key, None)
        self.actual.setText("" if actual is None else f"现有 {actual:,} 人")
        goal = self.existing.get(key)
        if goal is not None:
            self.target.setValue(goal.target)
            self.note.setText(goal.note)
            self.replacing.setText(f"该类别已设定目标 {goal.target:,} 人，确定后将替换为新的目标。")
        else:
            self.target.setValue(0)
            self.note.clear()
            self.replacing.setText("")
        self.replacing.setVisible(goal is not None)
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.target.value() > 0)

    def goal(self) -> tuple[str, int, str]:
        return self.category.currentData(), self.target.value(), self.note.text().strip()
