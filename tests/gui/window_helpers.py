"""Builders and helpers of the window tests (conftest.py keeps the fixtures only).

Imported as `from tests.gui.window_helpers import …`, never `from tests.gui.window_helpers import …`, which
resolves to whichever conftest comes first on sys.path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from models.identity import check_digit

POPULATION = [
    ("测试市", None, None, None, 100000),
    ("测试市", "东区", None, None, 60000),
    ("测试市", "东区", "和平街道", None, 30000),
    ("测试市", "东区", "和平街道", "团结社区", 12000),
    ("测试市", "东区", "和平街道", "幸福社区", 1500),
    ("测试市", "西区", None, None, 40000),
]
HEADER = ("序号", "姓名", "性别", "身份证号码", "学历", "所学专业", "证书等级", "培训学时")


def make_id(n: int, born: dt.date = dt.date(1985, 6, 15)) -> str:
    first17 = f"110101{born:%Y%m%d}{n % 1000:03d}"
    return first17 + check_digit(first17)


def bad_id(n: int) -> str:
    """A well-formed ID with a wrong check digit."""
    good = make_id(n)
    wrong = "0" if good[-1] != "0" else "1"
    return good[:-1] + wrong


def write_population(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["市", "区县", "街道（乡镇）", "社区（村）", "户籍人口（人）"])
    for row in POPULATION:
        ws.append(list(row))
    wb.save(path)
    return path


def write_return(path: Path, filler: str, rows: list[tuple]) -> Path:
    """rows: (name, gender, id, education, major, level, hours)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "人员名单"
    ws.append(["测试市社会工作专业人才摸排登记表"])
    ws.append([f"填报单位：{filler}"])
    ws.append(list(HEADER))
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    wb.save(path)
    return path


TUANJIE = [
    ("张三", "男", make_id(1), "高中", "", "助理社会工作师", 0),
    ("李四", "女", make_id(2), "本科", "社会工作", "无", 10),
    ("王五", "男", make_id(3), "初中", "", "", 150),
    ("赵六", "女", make_id(4), "高中", "计算机", "无", 20),
    ("钱七", "男", bad_id(5), "大专", "社会学", "", 0),
]
XINGFU = [
    ("孙八", "女", make_id(6), "本科", "汉语言", "社会工作师", 0),
    ("周九", "男", make_id(7), "高中", "", "", 200),
    ("张三", "男", make_id(1), "本科", "社会工作", "", 0),
]


class Messages:
    """What the window would have shown; questions answered by `answer`."""

    def __init__(self):
        self.errors: list[str] = []
        self.infos: list[str] = []
        self.questions: list[str] = []
        self.paths: list[list[Path]] = []
        self.answer = True
        self.choice: int | None = 0


def wait_idle(qtbot, win, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: not win.busy, timeout=timeout)


def imported_window(qtbot, win, tmp_path: Path, returns: dict[str, Path]):
    """A new census 测试 with the test population and the 团结 and 幸福 returns imported through the review."""
    assert win.new_census(tmp_path / "测试")
    win.load_population(returns["population"])
    wait_idle(qtbot, win)
    import_through_review(qtbot, win, [returns["tuanjie"], returns["xingfu"]]).accept()
    return win


def import_through_review(qtbot, win, paths: list[Path], regions: dict[str, str] | None = None):
    """Open the review dialog, optionally override regions by file name, import, wait for the results."""
    dialog = win.import_paths(paths)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.planning and bool(dialog.entries), timeout=60000)
    for row, entry in enumerate(dialog.entries):
        if regions and entry.file_name in regions:
            assert dialog.set_region(row, regions[entry.file_name])
    assert dialog.start_import()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=300000)
    wait_idle(qtbot, win)
    return dialog
