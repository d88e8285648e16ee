"""What the main window has for the census over time, kept out of main_window.py: the 对比 page and
its comparison (computed on the worker), 普查信息 (title and 统计截止日期), and the census line on
the dashboard. The window creates one `OverTime` and calls `show_region`, `refresh` and `set_full`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from gui import messages
from gui.compare_page import ComparePage
from gui.person_dialog import SourceRowsDialog
from models.census import Census
from models.compare import Comparison, PersonChange, compare_files
from models.errors import CensusError

if TYPE_CHECKING:
    from gui.main_window import MainWindow


class OverTime(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.page = ComparePage()
        self.page.earlier_requested.connect(self.compare_with)
        self.page.person_requested.connect(self.show_person)
        window.tabs.addTab(self.page, "对比")
        self.act_info = window._action("普查信息（标题、统计截止日期）…", self.ask_info)
        window.census_actions.append(self.act_info)
        window.write_actions.append(self.act_info)
        file_menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("文件"))
        file_menu.insertAction(window.act_save_as, self.act_info)
        self._census_path: Path | None = None

    @property
    def earlier(self) -> Path | None:
        """The earlier census file the 对比 page compares with (the summary export uses it too)."""
        return self.page.earlier_path

    # ---- the window's hooks -----------------------------------------------------------------
    def show_region(self, path: str | None) -> None:
        self.page.set_region(path)

    def set_full(self, full: bool) -> None:
        self.page.set_full(full)

    def refresh(self) -> None:
        """After the census was opened or changed: the census line, and the comparison again (a
        different census forgets the earlier file)."""
        census = self.window.census
        if census is None:
            return
        self.window.dashboard.set_census_info(census.title, census.as_of)
        if census.path != self._census_path:
            self._census_path = census.path
            self.page.set_comparison(None, None)
        elif self.page.earlier_path is not None:
            self.compare_with(self.page.earlier_path, again=True)

    def forget_earlier(self, reason: str) -> None:
        """The earlier census can no longer be read (moved, deleted, damaged since it was chosen) or
        no longer comes first (this census's 统计截止日期 moved before it): clear the 对比 page and
        say so once, instead of failing every later change and export."""
        earlier = self.page.earlier_path
        self.page.set_comparison(None, None)
        name = earlier.name if earlier is not None else ""
        messages.show_error(self.window, f"早前的普查文件“{name}”已不能用于对比（{reason}），"
                                         "“对比”页已清空，导出汇总时也不再包含增长对比。\n"
                                         "如需对比，请在“对比”页重新选择早前的普查文件。")

    # ---- comparing ----------------------------------------------------------------------------
    def compare_with(self, earlier: Path, again: bool = False) -> None:
        """Compare with `earlier` (chosen on the page; `again`: the file chosen before, after a change)."""
        window = self.window
        if window.census is None:
            return

        def action(census: Census) -> Comparison:
            return compare_files(census, earlier)

        from gui.main_window import census_task

        window.run_task(census_task(window.census.path, action, read_only_ok=True),
                        lambda result: self.page.set_comparison(result, earlier), "正在与早前的普查对比…",
                        on_fail=self.forget_earlier if again else None)

    def show_person(self, person: PersonChange) -> SourceRowsDialog | None:
        """The source rows behind a person of the lists: the earlier census's for one who is gone."""
        window = self.window
        if window.census is None:
            return None
        try:
            if person.in_earlier:
                assert self.page.earlier_path is not None
                path = self.page.earlier_path
                with Census.open_unchanged(path) as earlier:
                    rows = earlier.people.rows(person.id_number, cells=False)
            else:
                path = window.census.path
                rows = window.census.people.rows(person.id_number, cells=False)
        except CensusError as err:
            window.show_error(str(err))
            return None
        where = "（早前普查）" if person.in_earlier else ""
        dialog = SourceRowsDialog(window, f"{person.kind_label}：{person.name}{where}", rows, window.full_ids)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        window.cells_reader.read_for(dialog, path)
        return dialog

    # ---- 普查信息 -------------------------------------------------------------------------------
    def ask_info(self):
        window = self.window
        if window.census is None or window.refuse_if_read_only():
            return None
        from gui.info_dialog import InfoDialog

        dialog = InfoDialog(window, window.census.title, window.census.as_of)
        dialog.accepted.connect(lambda: self.set_info(*dialog.values()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def set_info(self, title: str, as_of: str | None) -> None:
        def action(census: Census) -> Any:
            with census.transaction():
                census.set_title(title)
                census.set_as_of(as_of)

        self.window.write(action, "正在保存普查信息…",
                          lambda _v: self.window.statusBar().showMessage("普查信息已保存", 5000))
