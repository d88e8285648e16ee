"""The first steps, on the start page and in a census with no return yet: ① 导入户籍人口表
② 导入摸排表 ③ 查看与导出, each a button, a done step ticked. A new clerk never faces an empty
tree under "请在左侧选择区划" without knowing what comes first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from gui.main_window import MainWindow

STEPS = (
    ("① 导入户籍人口表", "各区县、街道（乡镇）、社区（村）的户籍人口：建立区划树，算出每个区划应达的人才数。"),
    ("② 导入摸排表", "各社区、单位报送的摸排表（可多选或选文件夹）：导入前逐个核对所属区划和列。"),
    ("③ 查看与导出", "在左侧区划树中查看各级达标情况、人员和问题，再导出汇总表、更正清单和采集模板。"),
)


class FirstSteps(QWidget):
    """Three numbered buttons with a line each on what the step does."""

    step_requested = Signal(int)  # 0, 1, 2

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        self.buttons: list[QPushButton] = []
        self.notes: list[QLabel] = []
        for step, (text, note) in enumerate(STEPS):
            button = QPushButton(text)
            button.setMinimumWidth(180)
            button.clicked.connect(lambda _checked=False, s=step: self.step_requested.emit(s))
            label = QLabel(note)
            label.setWordWrap(True)
            grid.addWidget(button, step, 0)
            grid.addWidget(label, step, 1)
            self.buttons.append(button)
            self.notes.append(label)

    def set_done(self, step: int, done_text: str | None) -> None:
        """Tick a step (✓ and what was done) or show it as still to do."""
        self.buttons[step].setText(STEPS[step][0] + (" ✓" if done_text else ""))
        self.notes[step].setText(done_text or STEPS[step][1])


class EmptyCensusGuide(QWidget):
    """Shown instead of the tree and tabs while the open census has no return and nobody in it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.title = QLabel("这个普查文件还是空的，请按以下步骤开始：")
        self.title.setObjectName("startTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.title)
        self.steps = FirstSteps()
        self.steps.setMaximumWidth(760)
        outer.addWidget(self.steps, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)


class Guide:
    """Wires the steps of the start page and of an empty census to the window's actions."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.dismissed: set[str] = set()  # census files whose guide the clerk left with ③
        self.empty = EmptyCensusGuide()
        self.empty.hide()
        window.splitter.parentWidget().layout().addWidget(self.empty)
        self.empty.steps.step_requested.connect(self.census_step)
        window.start_page.steps.step_requested.connect(self.start_step)
        window.start_page.steps.buttons[2].setToolTip("打开已有的普查文件查看和导出")

    def start_step(self, step: int) -> None:
        """On the start page ① and ② first create the census file; ③ opens an existing one."""
        window = self.window
        if step == 2:
            window.ask_open()
            return
        window.ask_new()
        if window.census is not None:
            self.census_step(step)

    def census_step(self, step: int) -> None:
        window = self.window
        if step == 0:
            window.ask_population()
        elif step == 1:
            window.ask_import_files()
        elif window.census is not None:
            self.dismissed.add(str(window.census.path))
            self.refresh()
            window.tabs.setCurrentWidget(window.dashboard)

    def showing(self) -> bool:
        census = self.window.census
        return (census is not None and str(census.path) not in self.dismissed
                and census.is_empty_of_people())

    def refresh(self) -> None:
        """Guide or tree, after each reload; the steps ticked as they are done."""
        window = self.window
        guide = self.showing()
        self.empty.setVisible(guide)
        window.splitter.setVisible(not guide)
        if not guide or window.census is None:
            return
        regions = window.census.regions.count()  # not the tree: a province's is 0.1 s to build
        steps = self.empty.steps
        steps.set_done(0, f"已导入 {regions:,} 个区划的户籍人口。" if regions else None)
        steps.buttons[1].setEnabled(not window.read_only and not window.busy)
        steps.buttons[0].setEnabled(not window.read_only and not window.busy)
        steps.buttons[2].setEnabled(bool(regions))
        steps.buttons[2].setToolTip("" if regions else "导入户籍人口表或摸排表后即可查看")
