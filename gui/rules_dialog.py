"""The counting rules (models.rules.Rules), each with its default and a reset."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui import messages
from gui.paths import APP_TITLE
from models.rules import Rules

LEVELS = ("助理", "中级", "高级")


def _spin(maximum: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setSuffix(suffix)
    spin.setGroupSeparatorShown(True)
    return spin


class Triple(QWidget):
    """Three amounts for assistant / intermediate / senior."""

    def __init__(self, suffix: str):
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.spins = []
        for label in LEVELS:
            layout.addWidget(QLabel(label))
            spin = _spin(1_000_000, suffix)
            self.spins.append(spin)
            layout.addWidget(spin)

    def value(self) -> tuple[int, int, int]:
        return tuple(s.value() for s in self.spins)  # type: ignore[return-value]

    def set_value(self, values) -> None:
        for spin, value in zip(self.spins, values, strict=True):
            spin.setValue(int(value))


class RulesDialog(QDialog):
    """Edit a copy of the rules; `rules()` gives the result after 确定."""

    def __init__(self, parent: QWidget | None, rules: Rules):
        super().__init__(parent)
        self.setWindowTitle(f"统计规则 - {APP_TITLE}")
        self.original = rules
        defaults = Rules()
        layout = QVBoxLayout(self)
        intro = QLabel("修改后将按新规则重新统计全部人员。每项右侧为默认值（来自民政部门文件），可单独恢复。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.per_mille = QLineEdit()
        self.per_mille.setPlaceholderText("如 1 或 1.5")
        self.min_hours = _spin(10_000, " 学时")
        self.training_since = QDateEdit()
        self.training_since.setDisplayFormat("yyyy-MM-dd")
        self.training_since.setCalendarPopup(True)
        self.related_majors = QPlainTextEdit()
        self.related_majors.setFixedHeight(90)
        self.related_majors.setToolTip("以顿号、逗号或换行分隔；专业名称包含任一关键词即算相关专业")
        self.community = _spin(100, " 人")
        self.village = _spin(100, " 人")
        self.allowance = Triple(" 元/月")
        self.award = Triple(" 元")
        self.fields = {
            "per_mille": ("达标比例（每千人，‰）", self.per_mille, str(defaults.per_mille) + "‰"),
            "min_hours": ("培训学时不少于", self.min_hours, f"{defaults.min_hours} 学时"),
            "training_since": ("培训起算日期", self.training_since, defaults.training_since),
            "related_majors": ("相关专业关键词", self.related_majors, "社会工作、社会学、心理学等 "
                               f"{len(defaults.related_majors)} 个"),
            "certified_min_community": ("每个社区持证社工至少", self.community, f"{defaults.certified_min_community} 人"),
            "certified_min_village": ("每个村持证社工至少", self.village, f"{defaults.certified_min_village} 人"),
            "allowance_monthly": ("持证津贴（每月）", self.allowance, " / ".join(map(str, defaults.allowance_monthly))),
            "award_once": ("一次性奖励", self.award, " / ".join(map(str, defaults.award_once))),
        }
        for key, (label, widget, default_text) in self.fields.items():
            row = QHBoxLayout()
            row.addWidget(widget, 1)
            default = QLabel(f"默认：{default_text}")
            default.setObjectName("hint")
            row.addWidget(default)
            reset = QPushButton("恢复默认")
            reset.clicked.connect(lambda _c=False, k=key: self.reset(k))
            row.addWidget(reset)
            form.addRow(label + "：", row)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        reset_all = buttons.addButton("全部恢复默认", QDialogButtonBox.ButtonRole.ResetRole)
        reset_all.clicked.connect(lambda: self.load(replace(Rules(), extra=self.original.extra)))
        ok = buttons.addButton("确定并重新统计", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.clicked.connect(self._accept)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.load(rules)
        self.resize(760, 520)

    def load(self, rules: Rules) -> None:
        self.per_mille.setText(_plain(rules.per_mille))
        self.min_hours.setValue(rules.min_hours)
        self.training_since.setDate(QDate.fromString(rules.training_since, "yyyy-MM-dd"))
        self.related_majors.setPlainText("、".join(rules.related_majors))
        self.community.setValue(rules.certified_min_community)
        self.village.setValue(rules.certified_min_village)
        self.allowance.set_value(rules.allowance_monthly)
        self.award.set_value(rules.award_once)

    def reset(self, key: str) -> None:
        current = self._collect(strict=False)
        self.load(replace(current, **{key: getattr(Rules(), key)}))

    def _collect(self, strict: bool = True) -> Rules:
        text = self.per_mille.text().strip().rstrip("‰")
        try:
            per_mille = Decimal(text)
            if not per_mille.is_finite() or per_mille <= 0:
                raise InvalidOperation
        except InvalidOperation:
            if strict:
                raise ValueError("达标比例必须是大于 0 的数字，例如 1 表示每千人 1 名") from None
            per_mille = self.original.per_mille
        majors = tuple(m.strip() for m in self.related_majors.toPlainText().replace("，", "、").replace(",", "、")
                       .replace("\n", "、").split("、") if m.strip())
        if strict and not majors:
            raise ValueError("相关专业关键词不能为空")
        return replace(self.original, per_mille=per_mille, min_hours=self.min_hours.value(),
                       training_since=self.training_since.date().toString("yyyy-MM-dd"),
                       related_majors=majors or self.original.related_majors,
                       certified_min_community=self.community.value(), certified_min_village=self.village.value(),
                       allowance_monthly=self.allowance.value(), award_once=self.award.value())

    def rules(self) -> Rules:
        return self._collect()

    def _accept(self) -> None:
        try:
            self._collect()
        except ValueError as err:
            messages.show_error(self, str(err))
            return
        self.accept()


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
