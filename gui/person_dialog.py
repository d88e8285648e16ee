"""A person with every source row that contributed, or a single source row (from the problems list)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.paths import APP_TITLE
from importers.headers import field_for_label
from models.identity import mask_id, mask_phone
from models.records import Person, SourceRow

STATUS_LABELS = {"ok": "有效", "pending": "待核实"}


def shown_cell(label: str, value: str, full: bool) -> str:
    """Mask ID and phone cells unless the user chose to see them in full."""
    if full or not value:
        return value
    field = field_for_label(label)
    if field == "id_number":
        return mask_id(value) if len(value) >= 10 else value
    if field == "phone":
        return mask_phone(value)
    return value


class SourceRowsDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, rows: list[SourceRow], full: bool,
                 person: Person | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{title} - {APP_TITLE}")
        layout = QVBoxLayout(self)
        if person is not None:
            form = QFormLayout()
            form.addRow("姓名：", QLabel(person.name + ("（姓名不一致：" + "、".join(person.names) + "）"
                                                    if person.name_conflict else "")))
            form.addRow("身份证号：", QLabel(person.shown_id(full)))
            form.addRow("所属区划：", QLabel(person.region_path))
            quals = "、".join(filter(None, [person.level_name, person.education_name + (f"（{person.major}）"
                                            if person.major else ""),
                                            f"培训 {person.hours:g} 学时" if person.hours is not None else ""]))
            form.addRow("资格：", QLabel(quals or "—"))
            form.addRow("认定：", QLabel("社会工作专业人才：" + "、".join(person.categories) if person.talent
                                          else "未达到人才标准"))
            layout.addLayout(form)
        layout.addWidget(QLabel(f"来源行 {len(rows)} 行（展开查看原始内容）："))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["来源 / 列", "内容"])
        self.tree.setColumnWidth(0, 380)
        for row in rows:
            status = STATUS_LABELS.get(row.status, row.status)
            top = QTreeWidgetItem([f"{row.file_name} / {row.sheet} / 第 {row.row_number} 行",
                                   status + (f"：{row.reason}" if row.reason else "")])
            if row.region_path:
                top.addChild(QTreeWidgetItem(["所属区划", row.region_path]))
            for note in row.notes:
                top.addChild(QTreeWidgetItem(["需复核", note]))
            for i in range(max(len(row.raw), len(row.header))):
                value = row.raw[i] if i < len(row.raw) else None
                has_label = i < len(row.header) and bool(row.header[i])
                label = row.header[i] if has_label else f"第 {i + 1} 列"
                text = "" if value is None else str(value)
                if text or has_label:
                    top.addChild(QTreeWidgetItem([label, shown_cell(label, text, full) if text else "（空）"]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(760, 560)
