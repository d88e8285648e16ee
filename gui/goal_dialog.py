"""Set another goal for a node (e.g. 1,000 certified by year end): category, target, note, an optional
deadline (完成期限), or a multiple of the node's figure in an earlier census file (按倍数)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.number_box import DecimalBox, NumberBox
from gui.paths import APP_TITLE, CENSUS_SUFFIX, data_dir
from models.compare import growth_of, node_in_file
from models.errors import CensusError
from models.goals import Growth
from models.records import GOAL_LABELS, RegionSummary

MAX_TARGET = 10_000_000
MAX_NOTE = 100


class GoalDialog(QDialog):
    """Pick a category and a target for `summary`'s node; an existing goal of that category is
    shown and replaced. `goal()` gives (category, target, note) after 确定."""

    def __init__(self, parent: QWidget | None, summary: RegionSummary, category: str | None = None,
                 as_of: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"设定目标 - {APP_TITLE}")
        self.summary = summary
        self.as_of = as_of  # this census's 统计截止日期: an earlier file must not be dated after it
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
        self.target = NumberBox()
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
        form.addRow("按倍数：", self._growth_row())
        form.addRow("", self.growth_label)
        deadline = QHBoxLayout()
        self.has_deadline = QCheckBox("设定")
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))  # as census.regions.set_goal takes
        self.deadline.setDate(QDate(QDate.currentDate().year(), 12, 31))
        self.deadline.setEnabled(False)
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        deadline.addWidget(self.has_deadline)
        deadline.addWidget(self.deadline, 1)
        form.addRow("完成期限：", deadline)
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
        # A growth goal keeps its base when reopened without the earlier file.
        self.kept = (Growth(goal.multiple, goal.base or 0, goal.base_source)
                     if goal is not None and goal.multiple is not None else None)
        self.multiple.blockSignals(True)
        self.multiple.setValue(self.kept.multiple if self.kept else (self.multiple.value() if self.earlier_node else 0))
        self.multiple.blockSignals(False)
        self.has_deadline.setChecked(bool(goal and goal.deadline))
        if goal is not None and goal.deadline:
            self.deadline.setDate(QDate.fromString(goal.deadline, "yyyy-MM-dd"))
        if goal is not None:
            self.target.setValue(goal.target)
            self.note.setText(goal.note)
            self.replacing.setText(f"该类别已设定目标 {goal.target:,} 人，确定后将替换为新的目标。")
        else:
            self.target.setValue(0)
            self.note.clear()
            self.replacing.setText("")
        self.replacing.setVisible(goal is not None)
        self._update_growth()
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.target.value() > 0)

    def goal(self) -> tuple[str, int, str, str | None, Growth | None]:
        """(category, target, note, deadline or None, growth or None) for census.regions.set_goal."""
        deadline = self.deadline.date().toString("yyyy-MM-dd") if self.has_deadline.isChecked() else None
        return self.category.currentData(), self.target.value(), self.note.text().strip(), deadline, self.growth()

    # ---- a multiple of an earlier census's figure ---------------------------------------------
    def _growth_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.multiple = DecimalBox()
        self.multiple.setRange(0, 1000)
        self.multiple.setDecimals(2)
        self.multiple.setSpecialValueText("不按倍数")
        self.multiple.setPrefix("× ")
        self.multiple.valueChanged.connect(lambda _v: self._update_growth())
        row.addWidget(self.multiple)
        self.earlier_button = QPushButton("选择早前的普查文件…")
        self.earlier_button.clicked.connect(self._ask_earlier)
        row.addWidget(self.earlier_button)
        self.growth_label = QLabel("")
        self.growth_label.setObjectName("hint")
        self.growth_label.setWordWrap(True)
        row.addStretch(1)
        self.earlier_node = None  # (RegionSummary in the earlier census, how to name that census)
        self.kept: Growth | None = None  # the base of the growth goal being edited
        return row

    def _ask_earlier(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择早前的普查文件", str(data_dir()), f"普查文件 (*{CENSUS_SUFFIX})")
        if name:
            self.use_earlier(Path(name))

    def use_earlier(self, path: Path) -> bool:
        """Read this node's figures from an earlier census file (the base of a growth goal)."""
        try:
            self.earlier_node = node_in_file(path, self.summary.path, self.as_of)
        except CensusError as err:
            self.earlier_node = None
            self.growth_label.setText(str(err))
            return False
        if not self.multiple.value():
            self.multiple.setValue(2)
        self._update_growth()
        return True

    def growth(self) -> Growth | None:
        multiple = self.multiple.value()
        if not multiple:
            return None
        if self.earlier_node is not None:
            summary, label = self.earlier_node
            try:
                return growth_of(summary, self.category.currentData(), multiple, label)
            except CensusError:  # an earlier 0: no multiple of it (_update_growth says so)
                return None
        return Growth(multiple, self.kept.base, self.kept.source) if self.kept else None

    def _update_growth(self) -> None:
        growth = self.growth()
        self.target.setReadOnly(growth is not None)
        if growth is not None:
            self.target.setValue(growth.target)
            self.growth_label.setText(f"{growth.source}：{growth.base:,} 人 × {growth.multiple:g}")
        elif self.earlier_node is not None and self.multiple.value():  # growth_of refused an earlier 0
            self.growth_label.setText("早前普查中该类别为 0，不能按倍数设定，请直接填写目标人数")
        elif self.earlier_node is None and self.multiple.value():
            self.growth_label.setText("请选择早前的普查文件")
        elif self.earlier_node is None:
            self.growth_label.setText("")
