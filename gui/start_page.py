"""What the window shows when no census is open: new, open, demo, the first steps, recent files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.first_steps import FirstSteps
from gui.paths import APP_TITLE


class StartPage(QWidget):
    new_requested = Signal()
    open_requested = Signal()
    demo_requested = Signal()
    recent_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QVBoxLayout()
        title = QLabel(APP_TITLE)
        title.setObjectName("startTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(title)
        intro = QLabel("汇总各街道（乡镇）、社区（村）和单位报送的摸排表，按身份证号去重，"
                       "对照户籍人口计算每千人社会工作专业人才数。")
        intro.setWordWrap(True)
        intro.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(intro)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for text, signal in (("新建普查文件…", self.new_requested), ("打开普查文件…", self.open_requested),
                             ("打开示例", self.demo_requested)):
            button = QPushButton(text)
            button.setMinimumWidth(140)
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        steps_label = QLabel("第一次使用，请按以下步骤：")
        box.addWidget(steps_label)
        self.steps = FirstSteps()  # wired by gui.first_steps.Guide
        box.addWidget(self.steps)
        self.recent_label = QLabel("最近打开：")
        box.addWidget(self.recent_label)
        self.recent = QListWidget()
        self.recent.setMaximumHeight(180)
        self.recent.itemActivated.connect(lambda item: self.recent_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        box.addWidget(self.recent)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(box, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).stem}　　{path}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent.addItem(item)
        self.recent_label.setVisible(bool(paths))
        self.recent.setVisible(bool(paths))
