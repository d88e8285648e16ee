"""Every question and message box the window shows, in one place (tests replace these)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.paths import APP_TITLE


def show_error(parent: QWidget | None, message: str, title: str = "操作未完成") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setWindowTitle(f"{title} - {APP_TITLE}")
    box.exec()


def show_info(parent: QWidget | None, message: str, title: str = "提示") -> None:
    box = QMessageBox(QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setWindowTitle(f"{title} - {APP_TITLE}")
    box.exec()


def question_box(parent: QWidget | None, message: str, title: str, yes: str, no: str) -> QMessageBox:
    """A yes/no question whose default (Enter) is the safe answer, `no`: a confirmation that
    deletes, folds or discards is never given by a stray Enter."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.NoButton, parent)
    box.setWindowTitle(f"{title} - {APP_TITLE}")
    box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    safe = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(safe)
    box.setEscapeButton(safe)
    return box


def ask(parent: QWidget | None, message: str, title: str = "请确认", yes: str = "确定", no: str = "取消") -> bool:
    box = question_box(parent, message, title, yes, no)
    box.exec()
    return box.clickedButton() is not None and box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.AcceptRole


def choice_box(parent: QWidget | None, message: str, choices: list[str], title: str,
               safe: bool = False) -> tuple[QMessageBox, list[QPushButton], QPushButton]:
    """A box with one button per choice and 取消. Enter gives the first choice (the recommended one),
    or with `safe` 取消: a choice that changes the census is never made by a stray Enter."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.NoButton, parent)
    box.setWindowTitle(f"{title} - {APP_TITLE}")
    buttons = [box.addButton(text, QMessageBox.ButtonRole.AcceptRole) for text in choices]
    cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setEscapeButton(cancel)
    box.setDefaultButton(cancel if safe else buttons[0])
    return box, buttons, cancel


def ask_choice(parent: QWidget | None, message: str, choices: list[str], title: str = "请选择",
               safe: bool = False) -> int | None:
    """Index of the chosen button, None when closed."""
    box, buttons, cancel = choice_box(parent, message, choices, title, safe)
    box.exec()
    clicked = box.clickedButton()
    if clicked is cancel or clicked not in buttons:
        return None
    return buttons.index(clicked)


def open_folder(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path if path.is_dir() else path.parent)))


class PathsDialog(QDialog):
    """The files an export wrote, with a button that opens their folder."""

    def __init__(self, parent: QWidget | None, title: str, text: str, paths: list[Path]):
        super().__init__(parent)
        self.setWindowTitle(f"{title} - {APP_TITLE}")
        self.paths = paths
        layout = QVBoxLayout(self)
        label = QLabel(text)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        self.list.addItems([str(p) for p in paths])
        layout.addWidget(self.list)
        if paths:
            self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(self.open_file)
        buttons = QDialogButtonBox()
        self.open_file_button = buttons.addButton("打开文件", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_file_button.setToolTip("用 Excel/WPS 打开选中的文件（双击列表中的文件也可以）")
        self.open_file_button.clicked.connect(self.open_file)
        self.open_button = buttons.addButton("打开所在文件夹", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(lambda: open_folder(self.selected()))
        for button in (self.open_file_button, self.open_button):
            button.setEnabled(bool(paths))
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.AcceptRole)
        close.clicked.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(640, 320)

    def selected(self) -> Path:
        row = self.list.currentRow()
        return self.paths[row if 0 <= row < len(self.paths) else 0]

    def open_file(self, *_args) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.selected())))


def show_paths(parent: QWidget | None, title: str, text: str, paths: list[Path]) -> None:
    dialog = PathsDialog(parent, title, text, paths)
    dialog.setModal(True)
    dialog.open()


class WaitDialog(QProgressDialog):
    """The window's wait for work on the worker thread: shown 0.4 s after the work starts, with 取消
    when the work can be cancelled. A wait that cannot be cancelled stays until the work ends: Esc
    or the title bar's close hid it while the work went on, and the window refused every action
    with nothing on the screen saying why."""

    SHOWN_AFTER_MS = 400

    def __init__(self, parent: QWidget | None, label: str, cancellable: bool):
        super().__init__(label, "取消" if cancellable else "", 0, 0, parent)
        self.cancellable = cancellable
        self.setWindowTitle(APP_TITLE)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        self.setAutoClose(False)
        self.setAutoReset(False)
        if not cancellable:
            self.setCancelButton(None)
        self.setMinimumDuration(self.SHOWN_AFTER_MS)
        self.setValue(0)  # starts the 0.4 s anew: setMinimumDuration alone kept the constructor's 4 s

    def reject(self) -> None:
        """Esc. Qt's own Esc shortcut emits `canceled` only while the dialog is the active window;
        pressed otherwise, Esc came here and hid the wait without cancelling the work."""
        if self.cancellable:
            self.canceled.emit()
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        if not self.cancellable and event.spontaneous():
            event.ignore()
            return
        super().closeEvent(event)
