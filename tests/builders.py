"""Small spreadsheets the tests make for themselves (no dependency on ../shared)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from models.identity import check_digit

POPULATION_HEADER = ("市", "区县", "街道（乡镇）", "社区（村）", "户籍人口（人）")

TREE = [
    ("测试市", None, None, None, 100000),
    ("测试市", "东区", None, None, 60000),
    ("测试市", "东区", "和平街道", None, 30000),
    ("测试市", "东区", "和平街道", "团结社区", 12000),
    ("测试市", "东区", "和平街道", "幸福社区", 18000),
    ("测试市", "东区", "红星镇", None, 30000),
    ("测试市", "东区", "红星镇", "团结村", 1500),
    ("测试市", "西区", None, None, 40000),
    ("测试市", "西区", "光华街道", None, None),
    ("测试市", "西区", "光华街道", "团结社区", 9000),
]


def make_id(n: int, county: str = "110101", born: dt.date = dt.date(1985, 6, 15)) -> str:
    """A valid ID number, different for each n."""
    first17 = f"{county}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + check_digit(first17)


def write_population(path: Path, rows=TREE) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "户籍人口"
    ws.append(POPULATION_HEADER)
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


COMMUNITY_HEADER = ("序号", "姓名", "性别", "身份证号码", "联系电话", "学历", "所学专业", "证书等级", "培训学时")


def write_community_return(path: Path, filler: str | None, rows: list[tuple], *, title: str = "测试市社会工作专业人才摸排登记表",
                           footer: bool = True, header=COMMUNITY_HEADER, instructions: bool = False) -> Path:
    """A return like the ones communities send: title, 填报单位 line, header, data, 合计 and footer.

    rows: (name, id, level, education, major, hours) tuples; gender/phone are filled in.
    """
    wb = Workbook()
    if instructions:
        wb.active.title = "填表说明"
        wb.active.append(["填表说明：身份证号码请设置为文本格式"])
        ws = wb.create_sheet("人员名单")
    else:
        ws = wb.active
    ws.append([title])
    if filler is not None:
        ws.append([f"填报单位：{filler}", None, None, None, None, None, "填报日期：2021年3月15日"])
    ws.append(list(header))
    for i, (name, ident, level, education, major, hours) in enumerate(rows, start=1):
        ws.append([i, name, "女" if i % 2 else "男", ident, f"1380000{i:04d}", education, major, level, hours])
    if footer:
        ws.append(["合计", f"{len(rows)}人"])
        ws.append([])
        ws.append(["填表人：张某", None, None, "联系电话：0473-1234567", None, "审核人：李某"])
    wb.save(path)
    return path


STREET_HEADER = ("序号", "所属社区", "姓名", "性别", "公民身份号码", "手机号码", "文化程度", "专业", "社工证等级",
                 "累计培训学时（2015年以来）")


def write_street_return(path: Path, title: str, rows: list[tuple]) -> Path:
    """A street's consolidated sheet: rows are (community, name, id, level, education, major, hours)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([title])
    ws.append(list(STREET_HEADER))
    for i, (community, name, ident, level, education, major, hours) in enumerate(rows, start=1):
        ws.append([i, community, name, "男", ident, "13900000000", education, major, level, hours])
    wb.save(path)
    return path
