"""The counting rules (models.rules.Rules), each with its default and a reset."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui import messages
from gui.number_box import NumberBox
from gui.paths import APP_TITLE
from models.errors import CensusError
from models.regions import KIND_LABELS, KINDS
from models.rules import UNIT_TYPES, Rules
from models.units import UnitRule

LEVELS = ("助理", "中级", "高级")
AUTO_YEAR = 1999  # the award year spin box's "automatic" value (None in the rules)
COUNT_LABELS = {"": "不设目标", "certified": "持证社工", "talents": "社会工作人才",
                "certified_or_sw_degree": "持证或社工专业本科及以上"}
# Where each newer setting's default comes from (shown as the row's tooltip).
SOURCES = {
    "allowance_kinds": "来源：区级通知对城乡社区工作者（社区、村“两委”成员和其他专职社区工作人员）按月发放津贴，"
                       "“由街镇财力解决”；医院、机关、学校等单位人员不在其列。默认：社区、村（嘎查）",
    "award_year": "来源：其他地区文件对当年取得证书者一次性奖励 2000/3000/6000 元，每人每年至多一次，按当年取得的"
                  "最高等级（取得证书时间）。默认：普查中最近的取证年份",
    "award_kinds": "一次性奖励发给哪些区划下的人员。默认：全部（文件对取得证书者一律奖励）",
    "unit_targets": "来源：区级通知：专业社会服务机关事业单位及街镇本级 ≥1/3 持证；其他机关事业单位 ≥1/5 持证；"
                    "学校、医院配备 2–3 名社会工作人才（取下限 2）；社工机构 ≥1/3 专职人员持证或具有社会工作专业"
                    "本科及以上学历。比例按在岗职工数计算、向上取整；填人数则为固定人数",
    "sw_majors": "来源：同一通知对社工机构“社会工作专业本科及以上学历”的要求；专业名称包含任一关键词即算",
}


def _spin(maximum: int, suffix: str = "") -> QSpinBox:
    spin = NumberBox()
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


class Kinds(QWidget):
    """Which node kinds a payment goes to: one check box per kind."""

    def __init__(self):
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes = {kind: QCheckBox(KIND_LABELS[kind]) for kind in KINDS}
        for box in self.boxes.values():
            layout.addWidget(box)

    def value(self) -> tuple[str, ...]:
        return tuple(kind for kind, box in self.boxes.items() if box.isChecked())

    def set_value(self, kinds) -> None:
        for kind, box in self.boxes.items():
            box.setChecked(kind in kinds)


class UnitTargets(QWidget):
    """Per unit type: what counts and the share of staff (1/3) or number of people (2)."""

    def __init__(self):
        super().__init__()
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rows: dict[str, tuple[QComboBox, QLineEdit]] = {}
        for unit_type in UNIT_TYPES:
            counts = QComboBox()
            for key, label in COUNT_LABELS.items():
                counts.addItem(label, key)
            amount = QLineEdit()
            amount.setPlaceholderText("比例如 1/3，或人数如 2")
            row = QHBoxLayout()
            row.addWidget(counts)
            row.addWidget(amount, 1)
            layout.addRow(unit_type + "：", row)
            self.rows[unit_type] = (counts, amount)

    def value(self) -> tuple[tuple[str, str, str], ...]:
        """The rules set (a type without one has no target); ValueError names a bad requirement."""
        out = []
        for unit_type, (counts, amount) in self.rows.items():
            key, text = counts.currentData(), amount.text().strip()
            if not key:
                continue
            try:
                UnitRule.parse(unit_type, key, text)
            except CensusError as err:
                raise ValueError(str(err)) from None
            out.append((unit_type, key, text))
        return tuple(out)

    def set_value(self, targets) -> None:
        given = {unit_type: (counts, amount) for unit_type, counts, amount in targets}
        for unit_type, (counts, amount) in self.rows.items():
            key, text = given.get(unit_type, ("", ""))
            counts.setCurrentIndex(max(counts.findData(key), 0))
            amount.setText(text)


def _split(text: str) -> tuple[str, ...]:
    """Keywords separated by 、，, or new lines."""
    return tuple(m.strip() for m in text.replace("，", "、").replace(",", "、").replace("\n", "、").split("、")
                 if m.strip())


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
        self.allowance_kinds = Kinds()
        self.award_year = _spin(2100)
        self.award_year.setMinimum(AUTO_YEAR)
        self.award_year.setGroupSeparatorShown(False)
        self.award_year.setSpecialValueText("自动（普查中最近的取证年份）")
        self.award_kinds = Kinds()
        self.unit_targets = UnitTargets()
        self.sw_majors = QLineEdit()
        self.sw_majors.setPlaceholderText("以顿号分隔，如 社会工作、社工")
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
            "allowance_kinds": ("津贴发给", self.allowance_kinds,
                                "、".join(KIND_LABELS[k] for k in defaults.allowance_kinds)),
            "award_year": ("奖励年份", self.award_year, "自动"),
            "award_kinds": ("奖励发给", self.award_kinds, "全部"),
            "unit_targets": ("单位目标（按类型）", self.unit_targets, "\n".join(
                f"{t}：{a}" for t, _c, a in defaults.unit_targets)),
            "sw_majors": ("社工专业关键词", self.sw_majors, "、".join(defaults.sw_majors)),
        }
        tabs = QTabWidget()
        money = ("allowance_monthly", "award_once", "allowance_kinds", "award_year", "award_kinds")
        pages = {"人才认定与达标": [k for k in self.fields if k not in money and k not in ("unit_targets", "sw_majors")],
                 "津贴与奖励": list(money), "单位目标": ["unit_targets", "sw_majors"]}
        for title, keys in pages.items():
            page = QWidget()
            form = QFormLayout(page)
            for key in keys:
                self._add_row(form, key)
            tabs.addTab(page, title)
        layout.addWidget(tabs)
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

    def _add_row(self, form: QFormLayout, key: str) -> None:
        """A setting's row: its widget, its default, 恢复默认; the source notice as the tooltip."""
        label, widget, default_text = self.fields[key]
        row = QHBoxLayout()
        row.addWidget(widget, 1)
        default = QLabel(f"默认：{default_text}")
        default.setObjectName("hint")
        row.addWidget(default)
        reset = QPushButton("恢复默认")
        reset.clicked.connect(lambda _c=False, k=key: self.reset(k))
        row.addWidget(reset)
        title = QLabel(label + "：")
        if key in SOURCES:
            for part in (title, widget, default):
                part.setToolTip(SOURCES[key])
        form.addRow(title, row)

    def load(self, rules: Rules) -> None:
        self.per_mille.setText(_plain(rules.per_mille))
        self.min_hours.setValue(rules.min_hours)
        self.training_since.setDate(QDate.fromString(rules.training_since, "yyyy-MM-dd"))
        self.related_majors.setPlainText("、".join(rules.related_majors))
        self.community.setValue(rules.certified_min_community)
        self.village.setValue(rules.certified_min_village)
        self.allowance.set_value(rules.allowance_monthly)
        self.award.set_value(rules.award_once)
        self.allowance_kinds.set_value(rules.allowance_kinds)
        self.award_year.setValue(rules.award_year or AUTO_YEAR)
        self.award_kinds.set_value(rules.award_kinds)
        self.unit_targets.set_value(rules.unit_targets)
        self.sw_majors.setText("、".join(rules.sw_majors))

    def reset(self, key: str) -> None:
        current = self._collect(strict=False)
        self.load(replace(current, **{key: getattr(Rules(), key)}))

    def _collect(self, strict: bool = True) -> Rules:
        text = self.per_mille.text().strip().rstrip("‰")
        try:
            per_mille = Decimal(text)
            if not per_mille.is_finite() or not 0 < per_mille <= 1000:
                raise InvalidOperation
        except InvalidOperation:
            if strict:
                raise ValueError("达标比例必须是大于 0、不超过 1000 的数字（每千人），例如 1 表示每千人 1 名") from None
            per_mille = self.original.per_mille
        majors = _split(self.related_majors.toPlainText())
        if strict and not majors:
            raise ValueError("相关专业关键词不能为空")
        sw_majors = _split(self.sw_majors.text())
        if strict and not sw_majors:
            raise ValueError("社工专业关键词不能为空")
        try:
            unit_targets = self.unit_targets.value()
        except ValueError:
            if strict:
                raise
            unit_targets = self.original.unit_targets
        year = self.award_year.value()
        return replace(self.original, per_mille=per_mille, min_hours=self.min_hours.value(),
                       training_since=self.training_since.date().toString("yyyy-MM-dd"),
                       related_majors=majors or self.original.related_majors,
                       certified_min_community=self.community.value(), certified_min_village=self.village.value(),
                       allowance_monthly=self.allowance.value(), award_once=self.award.value(),
                       allowance_kinds=self.allowance_kinds.value(), award_kinds=self.award_kinds.value(),
                       award_year=None if year == AUTO_YEAR else year, unit_targets=unit_targets,
                       sw_majors=sw_majors or self.original.sw_majors)

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
