"""Synthetic but realistic census data: a demo region tree, its population table and returns.

Everything here is invented and deterministic from a seed (``random.Random(seed)``), so the demo
census, the tests and the benchmarks see the same files every time. The returns imitate what
streets, communities and units really send back (see the domain rules, "What returns look like"):

* ``community`` — a register sheet with a title row, a 填报单位 line, a two-row merged header
  (学历情况 over 学历/所学专业/毕业院校, 社会工作职业水平证书 over 证书等级/证书编号/取得时间), a blank
  line inside the data, a 合计 row and a 填表人 footer; sometimes a 填表说明 sheet comes first;
* ``street`` — a street's 汇总 sheet with a 所属社区 column, repeating some people of its
  communities with the other half of their qualifications and a different spelling of the ID;
* ``csv`` — the same 汇总 saved by Excel as CSV (GBK, CRLF);
* ``flat`` — a seven-column sheet without title, the region only in its file name;
* ``unit`` — a register from a unit (市民政局, a hospital) whose region must be given.

About one row in sixty is bad on purpose (missing ID, 17 digits, wrong check digit, impossible
birth date, ID stored as a number, a valid 15-digit old ID, same ID under another name); so is one
row in sixty of a province's returns (wrong check digit, 17 digits, "1.50422E+17" as text, 待补充,
a name without an ID). The benchmark returns of ``write_many_returns`` and ``write_large_return``
are all valid.

No Qt here. ID maths is repeated locally on purpose so that samples do not depend on the code
they are meant to test.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

__all__ = [
    "DEFECT_KINDS",
    "PROVINCE_DEFECT_KINDS",
    "SampleRegion",
    "SampleReturn",
    "demo_defects",
    "demo_regions",
    "make_id",
    "province_defects",
    "province_regions",
    "write_demo_returns",
    "write_large_return",
    "write_many_returns",
    "write_population",
    "write_province_returns",
]


@dataclass(frozen=True)
class SampleRegion:
    path: str  # "/"-joined, e.g. "青山市/东城区/和平街道/和平社区"
    population: int | None  # None: the sum of the children applies


@dataclass(frozen=True)
class SampleReturn:
    path: Path
    region: str | None  # region to pass as --region; None when the file itself says it


# --------------------------------------------------------------------------- vocabulary

CITY = "青山市"
CITY_CODE = "369901"  # county codes: 3699xx (province 36, an unused prefecture number)
DEFAULT_STREET = f"{CITY}/东城区/和平街道"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔向汤"
)
GIVEN_MALE = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞"
    "彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆"
    "磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎"
    "德行时泰盛雄琛钧冠策腾楠榕风航弘"
)
GIVEN_FEMALE = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛"
    "艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉"
    "君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫"
    "芸菲寒伊亚宜可姬舒影荔枝思丽"
)

LEVEL_SPELLINGS = {
    "assistant": ("助理社会工作师", "初级", "助理社工师", "初级（助理社会工作师）"),
    "intermediate": ("社会工作师", "中级", "中级社工师", "社会工作师（中级）"),
    "senior": ("高级社会工作师",),
}
LEVEL_WEIGHTS = (("assistant", 80), ("intermediate", 18), ("senior", 2))
NO_LEVEL = (None, None, None, "无", "/")
CERTIFIED_SHARE = 0.22

EDUCATION = (
    (None, 20), ("大专", 12), ("专科", 8), ("本科", 18), ("大学本科", 6), ("硕士研究生", 4), ("研究生", 2),
    ("博士", 1), ("中专", 8), ("高中", 8), ("初中", 4), ("职高", 3),
)
HIGHER_EDUCATION = ("大专", "专科", "本科", "大学本科", "硕士研究生", "研究生", "博士")
RELATED_MAJORS = (
    "社会工作", "社会工作与管理", "社会学", "应用心理学", "社会保障", "老年服务与管理", "心理学",
    "社区管理与服务", "社会工作专业",
)
OTHER_MAJORS = (
    "会计学", "法学", "汉语言文学", "计算机科学与技术", "护理学", "市场营销", "行政管理", "学前教育",
    "英语", "财务管理", "工商管理", "机械设计制造及其自动化",
)
RELATED_SHARE = 0.35
SCHOOLS = {  # where people of each education level studied
    "大专": ("青山职业技术学院", "省广播电视大学", "省民政职业学院"),
    "本科": ("青山师范学院", "省财经大学", "省医科大学", "省师范大学", "省广播电视大学"),
    "研究生": ("省师范大学", "省财经大学", "省社会科学院"),
    "中学": ("青山市第一中学", "青山市职业中专", "青山市第三中学", "东城区职业高中"),
}
_SCHOOL_LEVEL = {"专科": "大专", "大学本科": "本科", "硕士研究生": "研究生", "博士": "研究生"}
HOURS = ((None, 20), (0, 5), (40, 10), (96, 8), (119, 5), (120, 12), (124, 8), (160, 10), (240, 10), (320, 6))
DATE_STYLES = ("date", "dot", "cn", "iso")  # real date, "2019.06", "2019年6月", "2019-06-12"
POSTS = ("", "", "", "主任", "副主任", "委员", "网格员", "社工")

DEFECT_KINDS = ("missing", "short17", "bad_check", "bad_birth", "number", "old15", "name_conflict")
BAD_ROW_RATE = 60  # about one bad row in sixty
# How a province's community returns go wrong: a wrong check digit, a digit left out, an ID pasted
# from a cell Excel showed as a number (the text "1.50422E+17"), 待补充, a name without an ID.
PROVINCE_DEFECT_KINDS = ("bad_check", "short17", "shown_number", "not_filled", "missing")

REGISTER_TOP = (
    "序号", "姓名", "性别", "身份证号码", "联系电话", "工作单位及职务", "学历情况", None, None,
    "社会工作职业水平证书", None, None, "2015年以来参加社会工作培训学时", "备注",
)
REGISTER_SUB = (None,) * 6 + ("学历", "所学专业", "毕业院校", "证书等级", "证书编号", "取得时间", None, None)
STREET_HEADER = (
    "序号", "所属社区", "姓名", "性别", "公民身份号码", "手机号码", "文化程度", "专业", "社工证等级", "发证日期",
    "累计培训学时（2015年以来）", "工作单位",
)
FLAT_HEADER = ("姓名", "身份证号", "社会工作者职业水平证书", "最高学历", "毕业专业", "社工培训学时", "联系方式")
INSTRUCTIONS = (
    "填表说明",
    "1. 身份证号码请设置为文本格式后填写，共18位。",
    "2. 证书等级填写助理社会工作师/社会工作师/高级社会工作师，无证书的填“无”。",
    "3. 培训学时填写2015年以来累计参加社会工作教育培训的学时数。",
    "4. 请于规定时间前报送所在街道（乡镇）汇总。",
)
UNITS = {  # unit -> posts written after the unit's name in 工作单位及职务
    "市民政局": ("", "科员", "副科长", "科长", "社会事务科"),
    "市第一人民医院": ("社工部", "医务社工", "护士长", "社工部主任"),
}


# --------------------------------------------------------------------------- ID numbers


def _check_digit(first17: str) -> str:
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _random_birth(rng: random.Random) -> date:
    start, end = date(1962, 1, 1), date(2000, 12, 31)
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def make_id(rng: random.Random, county_code: str = CITY_CODE, birth: date | None = None) -> str:
    """A valid GB 11643 number: county code, birth date, sequence (odd = male), check character."""
    if len(county_code) != 6 or not county_code.isdigit():
        raise ValueError(f"county code must be 6 digits: {county_code!r}")
    born = birth or _random_birth(rng)
    first17 = f"{county_code}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return first17 + _check_digit(first17)


def _unique_id(rng: random.Random, county: str, used: set[str]) -> str:
    while True:
        number = make_id(rng, county)
        if number not in used:
            used.add(number)
            return number


_FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _respell(number: str, style: str) -> str:
    """The same ID as another clerk typed it."""
    if number.endswith("X"):
        return number[:-1] + "x"
    if style == "spaces":
        return f"{number[:6]} {number[6:14]} {number[14:]}"
    if style == "fullwidth":
        return number.translate(_FULLWIDTH)
    return f" {number} "


# --------------------------------------------------------------------------- people and rows


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class _Row:
    """One person as a given return shows them (cells before layout-specific rendering)."""

    name: str
    sex: str
    number: str  # the person's real, valid ID
    id_cell: object  # what the ID cell holds (str, float or None)
    phone: str
    employer: str
    education: str | None = None
    major: str | None = None
    school: str | None = None
    level: str | None = None  # canonical level or None
    level_text: str | None = None
    cert_no: str | None = None
    cert_date: date | None = None
    date_style: str = "dot"
    hours: int | None = None
    community: str | None = None  # 所属社区 cell of street sheets
    defect: str | None = None
    shared: bool = False  # the person also appears in another return


def _name(rng: random.Random, sex: str) -> str:
    chars = GIVEN_MALE if sex == "男" else GIVEN_FEMALE
    given = "".join(rng.choice(chars) for _ in range(1 if rng.random() < 0.3 else 2))
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return rng.choice(("13", "15", "17", "18", "19")) + f"{rng.randrange(10)}{rng.randrange(10**8):08d}"


def _born(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _set_level(row: _Row, rng: random.Random, level: str | None) -> None:
    row.level = level
    if level is None:
        row.level_text, row.cert_no, row.cert_date = rng.choice(NO_LEVEL), None, None
        return
    row.level_text = rng.choice(LEVEL_SPELLINGS[level])
    first = min(max(2008, _born(row.number).year + 22), 2021)
    row.cert_date = date(rng.randint(first, 2021), rng.choice((6, 7, 8, 9, 10, 11)), rng.randint(1, 28))
    row.cert_no = f"S{row.cert_date.year}{rng.randrange(10**6):06d}"
    row.date_style = rng.choice(DATE_STYLES)


def _set_degree(row: _Row, rng: random.Random, education: str | None, related: bool | None = None) -> None:
    row.education = education
    if education is None:
        row.major = row.school = None
        return
    if related is None:
        related = rng.random() < RELATED_SHARE
    row.major = rng.choice(RELATED_MAJORS if related else OTHER_MAJORS)
    level = _SCHOOL_LEVEL.get(education, education)
    row.school = rng.choice(SCHOOLS.get(level, SCHOOLS["中学"]))


def _new_row(rng: random.Random, county: str, employer: str, used: set[str]) -> _Row:
    number = _unique_id(rng, county, used)
    sex = "男" if int(number[16]) % 2 else "女"
    row = _Row(_name(rng, sex), sex, number, number, _phone(rng), employer)
    level = _weighted(rng, LEVEL_WEIGHTS) if rng.random() < CERTIFIED_SHARE else None
    _set_level(row, rng, level)
    _set_degree(row, rng, _weighted(rng, EDUCATION))
    row.hours = _weighted(rng, HOURS)
    return row


def _date_cell(row: _Row, for_csv: bool = False):
    d = row.cert_date
    if d is None:
        return None
    if row.date_style == "dot":
        return f"{d.year}.{d.month:02d}"
    if row.date_style == "cn":
        return f"{d.year}年{d.month}月"
    if row.date_style == "iso":
        return d.isoformat()
    return f"{d.year}/{d.month}/{d.day}" if for_csv else datetime(d.year, d.month, d.day)


# --------------------------------------------------------------------------- regions


_DEMO_TREE = {
    "东城区": {
        "和平街道": {"和平社区": 16214, "团结社区": 21457, "文化社区": 19863},
        "育英街道": {"育英社区": 18905, "书香社区": 12348, "桃园社区": 9871, "锦绣社区": 14226},
        "东湖镇": {"东湖社区": 11608, "柳林村": 6954, "河湾村": 5237},
    },
    "西山区": {
        "青峰街道": {"团结社区": 15602, "青峰社区": 17318, "矿工社区": 14927},
        "长安街道": {"长安社区": 21126, "建新社区": 18534},
        "石门镇": {"石门村": 9243, "红星村": 7581, "杏花村": 5962},
    },
    "南湖区": {
        "湖滨街道": {"湖滨社区": 20411, "渔港社区": 13682, "新村社区": 16047},
        "白沙镇": {"白沙社区": 9816, "芦苇村": 4391, "沙洲村": 3874},
    },
}
# Nodes written without a figure in the population table: their children's sum applies.
_NO_FIGURE = {CITY, f"{CITY}/西山区", f"{CITY}/东城区/育英街道"}


def demo_regions() -> list[SampleRegion]:
    """The demo city in tree order (depth-first): 3 districts, 8 streets/towns, 24 communities/villages."""
    out: list[SampleRegion] = []

    def add(path: str, population: int) -> None:
        out.append(SampleRegion(path, None if path in _NO_FIGURE else population))

    city_total = sum(p for d in _DEMO_TREE.values() for s in d.values() for p in s.values())
    add(CITY, city_total)
    for district, streets in _DEMO_TREE.items():
        add(f"{CITY}/{district}", sum(p for s in streets.values() for p in s.values()))
        for street, communities in streets.items():
            add(f"{CITY}/{district}/{street}", sum(communities.values()))
            for community, population in communities.items():
                add(f"{CITY}/{district}/{street}/{community}", population)
    return out


def write_population(path: Path, regions: list[SampleRegion]) -> Path:
    """A 户籍人口 table like the ones bureaus keep: one row per node, empty columns below its depth."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "户籍人口"
    levels = ["市", "区县", "街道（乡镇）", "社区（村）"]
    if any(r.path.count("/") == 4 for r in regions):  # a province's table starts with a 省 column
        levels = ["省", "市（州）", *levels[1:]]
    ws.append([*levels, "户籍人口（人）"])
    for region in regions:
        parts = region.path.split("/")
        if len(parts) > len(levels):
            raise ValueError(f"the population table has {len(levels)} levels: {region.path}")
        ws.append(parts + [None] * (len(levels) - len(parts)) + [region.population])
    for col, width in zip("ABCDEF", (10, 10, 14, 14, 16, 16), strict=False):
        ws.column_dimensions[col].width = width
    ws["A1"].font = Font(bold=True)
    wb.save(path)
    return path


@dataclass(frozen=True)
class _Community:
    city: str
    district: str
    street: str
    name: str
    county: str
    province: str = ""  # set in a province's tree, whose paths start with it

    @property
    def path(self) -> str:
        return f"{self.province}/" * bool(self.province) + f"{self.city}/{self.district}/{self.street}/{self.name}"

    @property
    def employer(self) -> str:
        return self.name + ("村委会" if self.name.endswith("村") else "居委会")


def _communities(regions: list[SampleRegion]) -> list[_Community]:
    """The four-level leaves (市/区/街道/社区), each district with its own county code."""
    codes: dict[str, str] = {}
    out = []
    for region in regions:
        parts = region.path.split("/")
        if len(parts) == 4:
            county = codes.setdefault(parts[1], f"{CITY_CODE[:4]}{len(codes) + 2:02d}")
            out.append(_Community(*parts, county=county))
    if not out:
        raise ValueError("no 市/区/街道/社区 paths among the regions")
    return out


# --------------------------------------------------------------------------- layouts


@dataclass
class _Return:
    layout: str  # community | unit | street | csv | flat
    filename: str
    region: str | None
    rows: list[_Row]
    title: str = ""
    unit_line: str = ""
    street: str = ""  # street path (for community/street returns)
    community: str = ""  # community name (for community returns)
    instructions: bool = False
    blank_at: int | None = None
    filled: date = date(2021, 3, 15)
    footer: tuple[str, str, str] = ("", "", "")


def _footer(rng: random.Random) -> tuple[str, str, str]:
    return (
        f"填表人：{rng.choice(SURNAMES)}某某",
        f"联系电话：0799-{rng.randrange(2000000, 9000000)}",
        f"审核人：{rng.choice(SURNAMES)}某",
    )


def _id_cell_format(cell) -> None:
    cell.number_format = "0" if isinstance(cell.value, float) else "@"


def _write_register(path: Path, ret: _Return) -> None:
    """Layout (a)/(e): title, 填报单位 line, two-row merged header, blank line, 合计, footer."""
    wb = Workbook()
    ws = wb.active
    if ret.instructions:
        ws.title = "填表说明"
        for line in INSTRUCTIONS:
            ws.append([line])
        ws["A1"].font = Font(bold=True)
        ws = wb.create_sheet("人员名单")
    else:
        ws.title = "Sheet1"
    ws.append([ret.title])
    ws.append([ret.unit_line] + [None] * 9 + [f"填报日期：{ret.filled.year}年{ret.filled.month}月{ret.filled.day}日"])
    ws.append(REGISTER_TOP)
    ws.append(REGISTER_SUB)
    ws.merge_cells("A1:N1")
    for col in "ABCDEFMN":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("G3:I3")
    ws.merge_cells("J3:L3")
    for i, row in enumerate(ret.rows):
        if i == ret.blank_at:
            ws.append([])
        ws.append([
            i + 1, row.name, row.sex, row.id_cell, row.phone, row.employer, row.education, row.major,
            row.school, row.level_text, row.cert_no, _date_cell(row), row.hours, None,
        ])
        _id_cell_format(ws.cell(ws.max_row, 4))
        if isinstance(ws.cell(ws.max_row, 12).value, datetime):
            ws.cell(ws.max_row, 12).number_format = "yyyy-mm-dd"
    ws.append(["合计", f"{len(ret.rows)}人"])
    ws.append([])
    filler, phone, auditor = ret.footer
    ws.append([filler, None, None, phone, None, None, None, auditor])
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    for r in (3, 4):
        for cell in ws[r]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, width in zip("ABCDEFGHIJKLMN", (6, 9, 5, 21, 13, 18, 10, 14, 16, 16, 14, 11, 14, 8), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(path)


def _street_cells(index: int, row: _Row, for_csv: bool = False) -> list:
    return [
        index, row.community, row.name, row.sex, row.id_cell, row.phone, row.education, row.major,
        row.level_text, _date_cell(row, for_csv), row.hours, row.employer,
    ]


def _write_street_sheet(path: Path, ret: _Return) -> None:
    """Layout (b): a street's 汇总 sheet, title row then a one-row header with 所属社区."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([ret.title])
    ws.append(STREET_HEADER)
    for i, row in enumerate(ret.rows, start=1):
        ws.append(_street_cells(i, row))
        _id_cell_format(ws.cell(ws.max_row, 5))
        if isinstance(ws.cell(ws.max_row, 10).value, datetime):
            ws.cell(ws.max_row, 10).number_format = "yyyy/m/d"
    ws["A1"].font = Font(bold=True, size=14)
    for col, width in zip("ABCDEFGHIJKL", (6, 12, 9, 5, 21, 13, 10, 14, 18, 11, 14, 18), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(path)


def _write_street_csv(path: Path, ret: _Return) -> None:
    """Layout (d): the 汇总 saved by Excel as "CSV (逗号分隔)": GBK, CRLF, no title, dates as y/m/d."""
    with open(path, "w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(STREET_HEADER)
        for i, row in enumerate(ret.rows, start=1):
            writer.writerow(["" if v is None else v for v in _street_cells(i, row, for_csv=True)])


def _write_flat(path: Path, ret: _Return) -> None:
    """Layout (c): seven columns, header on row 1, no title; the region is in the file name."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet"
    ws.append(FLAT_HEADER)
    for row in ret.rows:
        ws.append([row.name, row.id_cell, row.level_text, row.education, row.major, row.hours, row.phone])
        _id_cell_format(ws.cell(ws.max_row, 2))
    ws.column_dimensions["B"].width = 21
    wb.save(path)


_WRITERS = {
    "community": _write_register,
    "unit": _write_register,
    "street": _write_street_sheet,
    "csv": _write_street_csv,
    "flat": _write_flat,
}


def _write(folder: Path, returns: list[_Return]) -> list[SampleReturn]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for ret in returns:
        path = folder / ret.filename
        _WRITERS[ret.layout](path, ret)
        out.append(SampleReturn(path, ret.region))
    return out


# --------------------------------------------------------------------------- planning the demo


def _community_return(rng, com: _Community, layout: str, filename: str, rows: list[_Row]) -> _Return:
    return _Return(
        layout, filename, None, rows,
        title=f"{com.city}社会工作专业人才摸排登记表",
        unit_line=f"填报单位：{com.district}{com.street}{com.name}",
        street=f"{com.city}/{com.district}/{com.street}",
        community=com.name,
        instructions=layout == "community" and rng.random() < 0.35,
        blank_at=rng.randrange(3, len(rows) - 2) if len(rows) > 5 else None,
        filled=date(2021, 3, rng.randint(1, 31)),
        footer=_footer(rng),
    )


def _plan_communities(rng, communities: list[_Community], used: set[str]) -> list[_Return]:
    """Each community sends one return, about a quarter of them in the flat layout."""
    names = Counter(c.name for c in communities)
    flat = set(rng.sample(range(len(communities)), k=max(1, len(communities) // 4)))
    returns = []
    for i, com in enumerate(communities):
        rows = []
        for _ in range(rng.randint(25, 40)):
            employer = com.employer + rng.choice(POSTS)
            rows.append(_new_row(rng, com.county, employer, used))
        if i in flat:
            filename = f"{com.district}_{com.street}_{com.name}.xlsx"
            returns.append(_community_return(rng, com, "flat", filename, rows))
        else:
            prefix = com.street if names[com.name] > 1 else ""
            returns.append(_community_return(rng, com, "community", f"{prefix}{com.name}摸排表.xlsx", rows))
    return returns


def _plan_street(
    rng, street: str, coms: list[_Community], home: list[_Return], used: set[str], layout: str, first: bool
) -> _Return:
    """A street 汇总: a few people of its communities again (qualifications split between the two
    returns, ID spelt differently), people the communities forgot, and the street office's staff."""
    _, district, name = street.split("/")
    rows: list[_Row] = []
    pool = [r for ret in home for r in ret.rows if not r.shared]
    rng.shuffle(pool)
    if first:  # make sure a lower-case x turns up somewhere
        pool.sort(key=lambda r: not r.number.endswith("X"))
    home_of = {id(r): ret.community for ret in home for r in ret.rows}
    for k, src in enumerate(pool[: rng.randint(2, 4)]):
        src.shared = True
        if src.level is None:
            _set_level(src, rng, _weighted(rng, LEVEL_WEIGHTS))
        degree = src.education if src.education in HIGHER_EDUCATION else rng.choice(HIGHER_EDUCATION[:4])
        copy = replace(src, id_cell=_respell(src.number, ("spaces", "fullwidth", "padded")[k % 3]))
        _set_degree(copy, rng, degree, related=rng.random() < 0.7)
        _set_level(copy, rng, None)
        copy.hours = _weighted(rng, HOURS)
        copy.community = home_of[id(src)]
        _set_degree(src, rng, None)  # the community sheet shows only the certificate
        rows.append(copy)
    for _ in range(rng.randint(2, 4)):
        com = rng.choice(coms)
        row = _new_row(rng, com.county, com.employer, used)
        row.community = com.name
        rows.append(row)
    town = name.endswith("镇")
    labels = ("本级", None, name) if town else ("街道办", None, f"{name}办事处")
    for k in range(rng.randint(3, 6)):
        row = _new_row(rng, coms[0].county, f"{name}人民政府" if town else f"{name}办事处", used)
        row.community = labels[k % 3]
        rows.append(row)
    rng.shuffle(rows)
    suffix = "csv" if layout == "csv" else "xlsx"
    return _Return(layout, f"{name}汇总.{suffix}", None, rows, title=f"{district}{name}社会工作专业人才汇总表", street=street)


def _plan_units(rng, city: str, used: set[str]) -> list[_Return]:
    returns = []
    for unit, posts in UNITS.items():
        rows = [_new_row(rng, CITY_CODE, unit + rng.choice(posts), used) for _ in range(rng.randint(8, 14))]
        returns.append(_Return(
            "unit", f"{unit}.xlsx", f"{city}/{unit}", rows,
            title="社会工作专业人才摸排登记表", unit_line=f"填报单位（盖章）：{unit}",
            blank_at=rng.randrange(2, len(rows) - 2), filled=date(2021, 3, rng.randint(1, 31)), footer=_footer(rng),
        ))
    return returns


def _spoil(rng: random.Random, row: _Row, kind: str) -> None:
    number = row.number
    if kind == "missing":
        row.id_cell = None
    elif kind == "short17":
        row.id_cell = number[:17]
    elif kind == "bad_check":
        row.id_cell = number[:17] + rng.choice([c for c in _CHECK_CHARS if c != number[17]])
    elif kind == "bad_birth":
        first17 = number[:10] + "13" + number[12:17]
        row.id_cell = first17 + _check_digit(first17)
    elif kind == "number":
        row.id_cell = float(f"{int(number):.15g}")  # what Excel keeps of an 18-digit number
    elif kind == "old15":
        row.id_cell = number[:6] + number[8:17]
    elif kind == "shown_number":
        # What Excel shows of an 18-digit number (six significant digits), pasted as text; the
        # check character never reaches the sixth digit, so an X is read as a 0.
        row.id_cell = f"{int(number[:17] + '0'):.5E}"
    elif kind == "not_filled":
        row.id_cell = "待补充"
    row.defect = kind


def _apply_defects(rng: random.Random, returns: list[_Return]) -> None:
    """Spoil about one row in sixty, cycling through DEFECT_KINDS, never a row shared with another return."""
    total = sum(len(ret.rows) for ret in returns)
    kinds = [DEFECT_KINDS[i % len(DEFECT_KINDS)] for i in range(max(len(DEFECT_KINDS), round(total / BAD_ROW_RATE)))]
    streets = {ret.street: ret for ret in returns if ret.layout in ("street", "csv")}
    candidates = [(ret, row) for ret in returns for row in ret.rows if not row.shared]
    rng.shuffle(candidates)

    def fits(kind: str, ret: _Return, row: _Row) -> bool:
        if row.defect or row.shared:
            return False
        if kind == "number":
            return ret.layout != "csv" and not row.number.endswith("X")
        if kind == "old15":
            return row.number[6:8] == "19"
        if kind == "name_conflict":
            return ret.layout in ("community", "flat") and ret.street in streets
        return True

    for kind in kinds:
        ret, row = next(((ret, row) for ret, row in candidates if fits(kind, ret, row)), (None, None))
        if row is None:
            continue
        if kind != "name_conflict":
            _spoil(rng, row, kind)
            continue
        # The same person listed again by the street, under a slightly different name.
        row.shared = True
        other = row.name[:-1] + rng.choice([c for c in GIVEN_MALE + GIVEN_FEMALE if c != row.name[-1]])
        twin = replace(row, name=other, community=ret.community, defect=kind)
        _set_level(twin, rng, None)
        _set_degree(twin, rng, None)
        target = streets[ret.street].rows
        target.insert(rng.randrange(len(target) + 1), twin)


def _plan_demo(regions: list[SampleRegion], seed: int) -> list[_Return]:
    rng = random.Random(seed)
    used: set[str] = set()
    communities = _communities(regions)
    returns = _plan_communities(rng, communities, used)
    by_street: dict[str, list[_Community]] = {}
    for com in communities:
        by_street.setdefault(f"{com.city}/{com.district}/{com.street}", []).append(com)
    # Streets holding a duplicated community name always send a 汇总 (name matching), then others.
    names = Counter(c.name for c in communities)
    dup = [s for s, coms in by_street.items() if any(names[c.name] > 1 for c in coms)]
    rest = [s for s in by_street if s not in dup]
    rng.shuffle(rest)
    chosen = (dup + rest)[: max(2, min(5, len(by_street) * 2 // 3))]
    for k, street in enumerate(chosen):
        home = [ret for ret in returns if ret.street == street and ret.layout in ("community", "flat")]
        layout = "csv" if k == len(chosen) - 1 else "street"
        returns.append(_plan_street(rng, street, by_street[street], home, used, layout, first=k == 0))
    returns.extend(_plan_units(rng, communities[0].city, used))
    _apply_defects(rng, returns)
    return returns


def write_demo_returns(folder: Path, regions: list[SampleRegion], seed: int = 7) -> list[SampleReturn]:
    """The demo census: one return per community, 汇总 from five streets (one as GBK CSV), two units."""
    return _write(folder, _plan_demo(regions, seed))


def demo_defects(regions: list[SampleRegion], seed: int = 7) -> Counter:
    """How many rows of each DEFECT_KINDS the demo returns for that seed contain."""
    return Counter(row.defect for ret in _plan_demo(regions, seed) for row in ret.rows if row.defect)


# --------------------------------------------------------------------------- benchmarks


def _street_communities(region_path: str) -> tuple[str, str, list[str], str]:
    parts = region_path.split("/")
    if len(parts) < 2:
        raise ValueError(f"a street path needs at least 区/街道: {region_path}")
    coms = [c for c in _communities(demo_regions()) if f"{c.city}/{c.district}/{c.street}" == region_path]
    names = [c.name for c in coms] or ["第一社区", "第二社区", "第三社区"]
    county = coms[0].county if coms else CITY_CODE
    return parts[-2], parts[-1], names, county


def write_large_return(path: Path, rows: int, seed: int = 1, region_path: str = DEFAULT_STREET) -> Path:
    """One street 汇总 with `rows` valid, distinct people spread over the street's communities.

    Streamed with openpyxl's write-only mode so 100,000 rows fit in little memory; IDs are text.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    district, street, names, county = _street_communities(region_path)
    labels = [*names, "街道办", None]
    used: set[str] = set()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("汇总")
    ws.append([f"{district}{street}社会工作专业人才汇总表"])
    ws.append(list(STREET_HEADER))
    for i in range(1, rows + 1):
        row = _new_row(rng, county, "", used)
        row.community = rng.choice(labels)
        row.employer = f"{row.community}居委会" if row.community in names else f"{street}办事处"
        cells = _street_cells(i, row)
        if isinstance(cells[9], datetime):
            cells[9] = row.cert_date.isoformat()
        ws.append(cells)
    wb.save(path)
    return path


def write_many_returns(folder: Path, count: int, rows_each: int, seed: int = 1) -> list[SampleReturn]:
    """`count` community returns of `rows_each` distinct valid people over the demo communities,
    two in three as register sheets (region from the 填报单位 line), the rest flat (region given)."""
    communities = _communities(demo_regions())
    return _write(folder, _spread_returns(communities, count, rows_each, seed, step=1))


def _spread_returns(communities: list[_Community], count: int, rows_each: int, seed: int, step: int,
                    spoilt: bool = False) -> list[_Return]:
    """Return i goes to communities[i * step]: two in three register sheets (region from the
    填报单位 line), every third flat with the region given, each person new; `spoilt`: about one
    row in sixty with a bad ID (_spoil_spread)."""
    rng = random.Random(seed)
    used: set[str] = set()
    returns = []
    for i in range(count):
        com = communities[(i * step) % len(communities)]
        rows = [_new_row(rng, com.county, com.employer, used) for _ in range(rows_each)]
        if i % 3 == 2:
            ret = _community_return(rng, com, "flat", f"{com.district}_{com.street}_{com.name}_{i + 1:04d}.xlsx", rows)
            ret.region = com.path
        else:
            ret = _community_return(rng, com, "community", f"{i + 1:04d}_{com.street}{com.name}摸排表.xlsx", rows)
        returns.append(ret)
    if spoilt:
        _spoil_spread(random.Random(f"{seed}:defects"), returns)
    return returns


def _spoil_spread(rng: random.Random, returns: list[_Return]) -> None:
    """Spoil one row in BAD_ROW_RATE, spread at random over the returns, cycling through
    PROVINCE_DEFECT_KINDS. A rng of its own, drawn after the rows: the rows themselves (and so the
    valid people) are the same as without defects."""
    rows = [row for ret in returns for row in ret.rows]
    chosen = rng.sample(range(len(rows)), k=len(rows) // BAD_ROW_RATE)
    for i, index in enumerate(sorted(chosen)):
        _spoil(rng, rows[index], PROVINCE_DEFECT_KINDS[i % len(PROVINCE_DEFECT_KINDS)])



# --------------------------------------------------------------------------- a province (benchmarks)

PROVINCE = "青山省"
PROVINCE_CODE = "36"
_SYLLABLES = "安宝北昌成大东丰福广和华黄嘉江金锦景康乐林龙明南宁平清庆瑞山胜石泰天通文西祥新兴阳永裕长忠"


def province_regions(cities: int = 12, districts: int = 90, streets: int = 1500, leaves: int = 18400,
                     seed: int = 5) -> list[SampleRegion]:
    """A province-shaped tree in tree order: 省 → cities → districts → streets/towns → communities/
    villages, spread evenly, every name unique in the province (no return is ambiguous), every
    leaf with a population and the levels above without (their children's sum applies)."""
    rng = random.Random(seed)
    used: set[str] = set()

    def name(chars: int, suffix: str) -> str:
        while True:
            text = "".join(rng.choice(_SYLLABLES) for _ in range(chars)) + suffix
            if text not in used:
                used.add(text)
                return text

    def share(total: int, parts: int, index: int) -> int:
        return total // parts + (1 if index < total % parts else 0)

    out = [SampleRegion(PROVINCE, None)]
    street_no = 0
    district_no = 0
    for c in range(cities):
        city = f"{PROVINCE}/{name(2, '市')}"
        out.append(SampleRegion(city, None))
        for _ in range(share(districts, cities, c)):
            district = f"{city}/{name(2, rng.choice(('区', '县')))}"
            out.append(SampleRegion(district, None))
            for _ in range(share(streets, districts, district_no)):
                town = rng.random() < 0.4
                street = f"{district}/{name(2, '镇' if town else '街道')}"
                out.append(SampleRegion(street, None))
                for _ in range(share(leaves, streets, street_no)):
                    village = town and rng.random() < 0.7
                    out.append(SampleRegion(f"{street}/{name(3, '村' if village else '社区')}",
                                            rng.randint(800, 12000)))
                street_no += 1
            district_no += 1
    return out


def _province_communities(regions: list[SampleRegion]) -> list[_Community]:
    """The leaves of a province_regions() tree, each county with its own code (36 + city + county)."""
    cities: dict[str, dict[str, str]] = {}  # city -> its counties' codes
    out = []
    for region in regions:
        parts = region.path.split("/")
        if len(parts) == 5:
            counties = cities.setdefault(parts[1], {})
            code = counties.setdefault(parts[2], f"{PROVINCE_CODE}{len(cities):02d}{len(counties) + 1:02d}")
            out.append(_Community(*parts[1:], county=code, province=parts[0]))
    if not out:
        raise ValueError("no 省/市/区/街道/社区 paths among the regions")
    return out


def write_province_returns(folder: Path, regions: list[SampleRegion], count: int, rows_each: int,
                           seed: int = 1) -> list[SampleReturn]:
    """`count` community returns of `rows_each` distinct people over a province's leaves (one leaf
    each, spread over the whole province), two in three as register sheets whose region comes from
    the 填报单位 line, the rest flat with the region given. About one row in sixty has a bad ID, as
    real returns do (PROVINCE_DEFECT_KINDS; `province_defects` says which)."""
    communities = _province_communities(regions)
    step = max(len(communities) // max(count, 1), 1)
    return _write(folder, _spread_returns(communities, count, rows_each, seed, step, spoilt=True))


def province_defects(regions: list[SampleRegion], count: int, rows_each: int, seed: int = 1) -> Counter:
    """How many rows of each PROVINCE_DEFECT_KINDS write_province_returns spoils for these arguments."""
    communities = _province_communities(regions)
    step = max(len(communities) // max(count, 1), 1)
    returns = _spread_returns(communities, count, rows_each, seed, step, spoilt=True)
    return Counter(row.defect for ret in returns for row in ret.rows if row.defect)
