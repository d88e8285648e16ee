"""Render the main window on the demo census to PNG files (dashboard, people, problems, import review
and results).

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot.py [OUTDIR [WIDTHxHEIGHT]]

The demo census is built once under OUTDIR (default /tmp/sw-census-shots) and reused. The window is
1560x940 unless a size is given: 1366x700 is what a 1366×768 screen leaves beside a taskbar.
"""

from __future__ import annotations

import faulthandler
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QStandardPaths, Qt  # noqa: E402, TID251 - a Qt tool script
from PySide6.QtWidgets import QApplication  # noqa: E402, TID251 - a Qt tool script


def wait(app: QApplication, condition, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("timed out waiting for the window")
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()


def main(argv: list[str]) -> int:
    faulthandler.dump_traceback_later(40, exit=True)
    out = Path(argv[0] if argv else "/tmp/sw-census-shots")
    out.mkdir(parents=True, exist_ok=True)
    QStandardPaths.setTestModeEnabled(True)  # keep the real user data folder untouched
    import os

    from gui.paths import DATA_DIR_ENV

    os.environ[DATA_DIR_ENV] = str(out / "user_data")  # no layout remembered from an earlier run
    from gui import messages
    from gui.app import create_app
    from gui.main_window import MainWindow

    app = create_app()
    messages.show_info = lambda parent, message, title="": print(message)  # no blocking boxes here
    census_path = out / "demo.census"
    if not census_path.exists():
        from demo.build import build_demo_census

        build_demo_census(census_path)
    window = MainWindow()
    width, height = (int(n) for n in (argv[1] if len(argv) > 1 else "1560x940").split("x"))
    window.resize(width, height)
    window.show()
    wait(app, lambda: True)
    window.grab().save(str(out / "0-start.png"))
    window.open_census(census_path)
    wait(app, lambda: window.census is not None)

    def shoot(widget, name: str) -> None:
        for _ in range(10):
            app.processEvents()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(path)

    summaries = window.tree_model.order
    district = next((s for s in summaries if s.depth == 1), summaries[0])
    window.tree.expandAll()
    window.select_region(district.region_id)
    shoot(window, "1-dashboard")
    root = summaries[0]  # two other goals on the root, one met and one not, then removed again
    met_target = max(root.degree // 100 * 100, 1)
    window.set_goal(root.region_id, "certified", max(root.certified + 250, 1000), "年底前，省厅下达")
    wait(app, lambda: not window.busy)
    window.set_goal(root.region_id, "degree", met_target, "")
    wait(app, lambda: not window.busy)
    window.select_region(root.region_id)
    shoot(window, "1b-dashboard-goals")
    window.dashboard.goal_table.selectRow(0)
    goal_dialog = window.ask_goal(root.region_id, "certified")
    if goal_dialog is not None:
        shoot(goal_dialog, "1c-goal-dialog")
        goal_dialog.reject()
    for category in ("certified", "degree"):
        window.set_goal(root.region_id, category, None)
        wait(app, lambda: not window.busy)
    window.select_region(district.region_id)
    street = next((s for s in summaries if s.depth == 2), district)
    window.select_region(street.region_id)
    shoot(window, "2-dashboard-street")
    window.select_region(summaries[0].region_id)
    window.tabs.setCurrentWidget(window.people)
    shoot(window, "3-people")
    window.people.sort_by_column(7)  # most training hours first
    shoot(window, "3b-people-sorted")
    window.people.sort_by_column(0)
    window.tabs.setCurrentWidget(window.problems)
    shoot(window, "4-problems")
    window.tabs.setCurrentWidget(window.history)
    shoot(window, "5-history")
    if window.problems.model.rowCount():
        window.problems.select_row(0)
        dialog = window.show_source_row(window.problems.current())
        if dialog is not None:
            shoot(dialog, "6-source-row")
            dialog.close()
    person = window.people.model.person(0)
    if person is not None:
        dialog = window.show_person(person)
        if dialog is not None:
            shoot(dialog, "7-person")
            other = next(r for r in window.census.regions.all() if r.kind == "community" and r.id != person.region_id)
            window.reassign(person.id_number, other.id)
            wait(app, lambda: not window.busy)
            shoot(dialog, "7b-person-reassigned")
            from gui.region_picker import RegionPicker

            picker = RegionPicker(dialog, window.census.regions.all(), other.id, f"把“{person.name}”计入哪个区划？")
            picker.show()
            shoot(picker, "7c-region-picker")
            picker.close()
            window.reassign(person.id_number, None)  # leave the demo census as it was
            wait(app, lambda: not window.busy)
            dialog.close()
    from gui.rules_dialog import RulesDialog

    rules = RulesDialog(window, window.census.settings.rules)
    rules.show()
    shoot(rules, "8-rules")
    rules.close()
    folder = out / "demo_示例报表"
    returns = sorted(p for p in folder.glob("*.*") if not p.name.startswith("户籍人口"))
    if returns:
        window.new_census(out / "review.census")  # a fresh census, so nothing shows as imported before
        window.load_population(folder / "户籍人口.xlsx")
        wait(app, lambda: not window.busy)
        dialog = window.import_paths(returns)
        wait(app, lambda: not dialog.planning)
        undecided = next((i for i, e in enumerate(dialog.entries) if e.plan and e.plan.uncertain),
                         next((i for i, e in enumerate(dialog.entries) if e.plan is None), 0))
        dialog.files.selectRow(undecided)
        shoot(dialog, "9-import-review")
        for row in range(dialog.files.rowCount()):  # the files still undecided are left out
            item = dialog.files.item(row, 0)
            if dialog.needs_attention(row) and item is not None and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(Qt.CheckState.Unchecked)
        if dialog.start_import():
            wait(app, lambda: dialog.outcomes is not None)
            shoot(dialog, "9b-import-results")
        dialog.accept()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
