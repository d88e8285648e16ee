"""A person with every source row that contributed, or a single source row (from the problems list).

The dialog opens with what was understood of each row; the rows' raw cells come later, read off
the GUI thread by gui/row_cells.py (parsing a kept return can take a second or two)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.paths import APP_TITLE
from gui.row_cells import RowCells
from importers.headers import field_for_label
from models.identity import mask_id, mask_numbers_in_text, mask_phone_text
from models.records import Person, SourceRow
from models.regions import Region
from models.rules import EDU_NAMES, LEVEL_NAMES

STATUS_LABELS = {"ok": "有效", "pending": "待核实"}


def shown_cell(label: str, value: str, full: bool) -> str:
    """Mask ID and phone cells unless the user chose to see them in full."""
    if full or not value:
        return value
    field = field_for_label(label)
    if field == "id_number":
        return mask_id(value)
    if field == "phone":
        return mask_phone_text(value)  # 138 1234 5678, 电话１３８…: its digits, masked
    return mask_numbers_in_text(value)  # 备注：电话13812345678


def qualifications(level: int, education: int, major: str, hours: float | None) -> list[str]:
    """Certificate, education (with major) and training hours, the parts that are known."""
    study = EDU_NAMES.get(education, "") + (f"（{major}）" if major else "")
    return [part for part in (LEVEL_NAMES.get(level, ""), study,
                              f"培训 {hours:g} 学时" if hours is not None else "") if part]


def understood(row: SourceRow, full: bool) -> str:
    """What the import understood of a row: shown at once, before its raw cells are read."""
    return "　".join([row.name or "（无姓名）", mask_id(row.id_raw, full) or "（无身份证号）",
                     *qualifications(row.level, row.education, row.major, row.hours)])


def cell_lines(header: tuple[str, ...], cells: tuple[object, ...], full: bool) -> list[tuple[str, str]]:
    """A row's cells under their column labels (empty cells of unlabelled columns left out)."""
    lines = []
    for i in range(max(len(cells), len(header))):
        value = cells[i] if i < len(cells) else None
        has_label = i < len(header) and bool(header[i])
        label = header[i] if has_label else f"第 {i + 1} 列"
        text = "" if value is None else str(value)
        if text or has_label:
            lines.append((label, shown_cell(label, text, full) if text else "（空）"))
    return lines


READING = "正在读取原始行…"
CANNOT_READ = "无法读取原始行："
AUTO_NOTE = "自动归属：按来源行中最深一级的区划（同级取最早导入的报表）"
MANUAL_NOTE = "手动指定：不再按来源行自动归属，可点击“恢复自动归属”"


class SourceRowsDialog(QDialog):
    """The rows behind a person (with who they are and where they count) or one source row.

    Given `regions` (read when the clerk asks to choose one: a province's tree is 20,000 nodes,
    which opening the dialog need not build), the person's attribution can be changed:
    `reassign_requested(id_number, region_id)` asks the window to do it (region_id None: back to
    the automatic rule), and the window calls `set_person` with the result.
    """

    reassign_requested = Signal(str, object)

    def __init__(self, parent: QWidget | None, title: str, rows: list[SourceRow], full: bool,
                 person: Person | None = None, manual: bool = False,
                 regions: Callable[[], list[Region]] | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{title} - {APP_TITLE}")
        self.person = person
        self.manual = manual
        self.writable = True  # set_writable: off while the window works or the census is read-only
        self.full = full
        self.regions = regions
        layout = QVBoxLayout(self)
        if person is not None:
            form = QFormLayout()
            self.name_label = QLabel()
            self.id_label = QLabel()
            self.region_label = QLabel()
            self.region_label.setWordWrap(True)
            self.attribution = QLabel()
            self.attribution.setObjectName("attribution")
            self.attribution.setWordWrap(True)
            self.quals = QLabel()
            self.verdict = QLabel()
            form.addRow("姓名：", self.name_label)
            form.addRow("身份证号：", self.id_label)
            form.addRow("所属区划：", self.region_label)
            region_row = QHBoxLayout()
            region_row.addWidget(self.attribution, 1)
            self.reassign_button = QPushButton("调整所属区划…")
            self.auto_button = QPushButton("恢复自动归属")
            self.reassign_button.clicked.connect(self.ask_reassign)
            self.auto_button.clicked.connect(self.ask_automatic)
            if regions is not None:
                region_row.addWidget(self.reassign_button)
                region_row.addWidget(self.auto_button)
            else:
                self.reassign_button.hide()
                self.auto_button.hide()
            form.addRow("", region_row)
            form.addRow("资格：", self.quals)
            form.addRow("认定：", self.verdict)
            layout.addLayout(form)
            self.set_person(person, manual)
        layout.addWidget(QLabel(f"来源行 {len(rows)} 行（展开查看原始内容）："))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["来源 / 列", "内容"])
        self.tree.setColumnWidth(0, 380)
        self._rows = {row.id: row for row in rows}
        self._waiting: dict[int, QTreeWidgetItem] = {}  # row id -> its "正在读取原始行…" line
        for row in rows:
            status = STATUS_LABELS.get(row.status, row.status)
            top = QTreeWidgetItem([f"{row.file_name} / {row.sheet} / 第 {row.row_number} 行",
                                   status + (f"：{row.reason}" if row.reason else "")])
            if row.region_path:
                top.addChild(QTreeWidgetItem(["所属区划", row.region_path]))
            for note in row.notes:
                top.addChild(QTreeWidgetItem(["需复核", note]))
            facts = QTreeWidgetItem(["识别为", understood(row, full)])
            facts.setToolTip(1, facts.text(1))  # a long line is elided in the column
            top.addChild(facts)
            self._waiting[row.id] = QTreeWidgetItem(["原始行", READING])
            top.addChild(self._waiting[row.id])
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("关闭")
        close.setDefault(True)  # Enter closes what was opened to be read (it opened 调整所属区划 first)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.tree.setFocus()  # the rows, read with the arrows; Tab reaches the buttons
        self.resize(820, 600)

    # ---- raw cells, read off the GUI thread (gui/row_cells.py) ---------------------------------
    def row_ids(self) -> list[int]:
        return list(self._rows)

    def reading_cells(self) -> bool:
        """Whether some rows still wait for their cells."""
        return bool(self._waiting)

    def show_cells(self, result: RowCells) -> None:
        """Put each row's cells where it said 正在读取原始行…; a row that could not be read says why."""
        for row_id, line in list(self._waiting.items()):
            if row_id in result.cells:
                top = line.parent()
                top.removeChild(line)
                row = self._rows[row_id]
                for label, text in cell_lines(row.header, result.cells[row_id], self.full):
                    top.addChild(QTreeWidgetItem([label, text]))
            else:
                line.setText(1, CANNOT_READ + result.errors.get(row_id, ""))
        self._waiting.clear()

    def show_cells_failed(self, message: str) -> None:
        for line in self._waiting.values():
            line.setText(1, CANNOT_READ + message)
        self._waiting.clear()

    def set_person(self, person: Person, manual: bool) -> None:
        """Show (again, after a reassignment) who the person is and where they are counted."""
        self.person = person
        self.manual = manual
        self.name_label.setText(person.name + ("（姓名不一致：" + "、".join(person.names) + "）"
                                               if person.name_conflict else ""))
        self.id_label.setText(person.shown_id(self.full))
        self.region_label.setText(person.region_path or "—")
        self.attribution.setText(MANUAL_NOTE if manual else AUTO_NOTE)
        self.attribution.setProperty("state", "manual" if manual else "auto")
        self.attribution.style().unpolish(self.attribution)
        self.attribution.style().polish(self.attribution)
        self.auto_button.setEnabled(self.writable and manual)
        self.quals.setText("、".join(qualifications(person.level, person.education, person.major, person.hours))
                           or "—")
        self.verdict.setText("社会工作专业人才：" + "、".join(person.categories) if person.talent
                             else "未达到人才标准")

    def set_writable(self, writable: bool) -> None:
        """Off while the window works or its census is read-only: 调整所属区划 would only be refused."""
        self.writable = writable
        if self.person is not None:
            self.reassign_button.setEnabled(writable)
            self.auto_button.setEnabled(writable and self.manual)

    def ask_reassign(self) -> None:
        from gui import region_picker

        if self.person is None or self.regions is None:
            return
        region_id = region_picker.choose_region(
            self, self.regions(), self.person.region_id,
            f"把“{self.person.name}”计入哪个区划？该人员只计入所选区划及其上级的人才数。")
        if region_id is not None and (self.manual or region_id != self.person.region_id):
            self.reassign_requested.emit(self.person.id_number, region_id)

    def ask_automatic(self) -> None:
        if self.person is not None and self.manual:
            self.reassign_requested.emit(self.person.id_number, None)
