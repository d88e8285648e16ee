"""A small census for the money and units tests: streets with and without a 社工站, a hospital, a
school, two bureaus and a social-work agency, with certificate dates (取得证书时间)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from importers.job import import_file
from importers.population import load_population
from models.census import Census
from tests.builders import make_id

POPULATION = [  # 市, 区县, 街道（乡镇）, 社区（村）, 户籍人口, 单位类型, 在岗职工数
    ("测试市", None, None, None, 100000, None, None),
    ("测试市", "东区", None, None, 60000, None, None),
    ("测试市", "东区", "和平街道", None, 30000, None, None),
    ("测试市", "东区", "和平街道", "团结社区", 12000, None, None),
    ("测试市", "东区", "和平街道", "幸福社区", 18000, None, None),
    ("测试市", "东区", "和平街道", "和平街道社工站", None, "社工站", 5),
    ("测试市", "东区", "红星镇", None, 30000, None, None),
    ("测试市", "东区", "红星镇", "团结村", 1500, None, None),
    ("测试市", "东区", "红星镇", "红星镇社工站", None, "社工站", 3),
    ("测试市", "东区", "人民医院", None, None, "医院", 320),
    ("测试市", "东区", "第一中学", None, None, "学校", 150),  # a 街道 by its column until typed
    ("测试市", "西区", None, None, 40000, None, None),
    ("测试市", "西区", "光华街道", "光华社区", 9000, None, None),
    ("测试市", "西区", "区民政局", None, None, "社会服务机关事业单位", 30),
    ("测试市", "西区", "区教育局", None, None, "其他机关事业单位", 12),
    ("测试市", "西区", "阳光社工服务中心", None, None, "社工机构", 7),
]

HEADER = ("序号", "姓名", "性别", "身份证号码", "学历", "所学专业", "证书等级", "取得证书时间", "培训学时")

# region path → rows (n, name, education, major, level, certificate date, hours)
RETURNS: dict[str, list[tuple]] = {
    "测试市/东区/和平街道/团结社区": [
        (1, "甲", "大专", "会计", "助理社会工作师", "2021年6月", None),
        (2, "乙", "本科", "法学", "社会工作师", "2020年11月", None),
        (3, "丙", "硕士", "社会工作", "高级社会工作师", "2021年12月", None),
        (4, "丁", "本科", "社会学", None, None, None),
    ],
    "测试市/东区/和平街道/幸福社区": [
        (5, "戊", "大专", "会计", "助理社会工作师", None, None),
        (6, "己", "大专", "会计", "助理社会工作师", "2019年6月", None),
        (6, "己", "大专", "会计", "社会工作师", "2021年6月", None),
    ],
    "测试市/东区/和平街道/和平街道社工站": [(7, "庚", "本科", "社会工作", None, None, None)],
    "测试市/东区/红星镇/团结村": [(8, "辛", "高中", None, "助理社会工作师", "2021年6月", None)],
    "测试市/东区/红星镇/红星镇社工站": [(9, "壬", "高中", None, None, None, 10)],
    "测试市/东区/人民医院": [
        (10, "医甲", "本科", "临床医学", "社会工作师", "2021年6月", None),
        (11, "医乙", "本科", "护理", "社会工作师", "2021年6月", None),
    ],
    "测试市/东区/第一中学": [(12, "师甲", "本科", "数学", None, None, 130)],
    "测试市/西区/光华街道/光华社区": [(13, "癸", "大专", "会计", "助理社会工作师", "2018年6月", None)],
    "测试市/西区/区民政局": [(14, "民甲", "本科", "法学", "助理社会工作师", "2019年6月", None)],
    "测试市/西区/区教育局": [(n, f"教{n}", "本科", "法学", "助理社会工作师", "2019年6月", None) for n in (15, 16, 17)],
    "测试市/西区/阳光社工服务中心": [
        (18, "社甲", "大专", "会计", "助理社会工作师", "2019年6月", None),
        (19, "社乙", "本科", "社会工作", None, None, None),
        (20, "社丙", "大专", "社会工作", None, None, None),
        (21, "社丁", "本科", "社会学", None, None, None),
    ],
}


def write_population(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["市", "区县", "街道（乡镇）", "社区（村）", "户籍人口", "单位类型", "在岗职工数"])
    for row in POPULATION:
        ws.append(list(row))
    wb.save(path)
    return path


def write_return(path: Path, rows: list[tuple]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["社会工作专业人才摸排登记表"])
    ws.append(list(HEADER))
    for i, (n, name, education, major, level, date, hours) in enumerate(rows, start=1):
        ws.append([i, name, "女", make_id(n), education, major, level, date, hours])
    wb.save(path)
    return path


def build_money_census(folder: Path) -> Path:
    """The census file, built in `folder` from the tables above."""
    path = folder / "money.census"
    with Census.open(path) as census:
        load_population(census, write_population(folder / "户籍人口.xlsx"))
        for i, (region, rows) in enumerate(RETURNS.items()):
            import_file(census, write_return(folder / f"return{i}.xlsx", rows), region=region)
    return path
