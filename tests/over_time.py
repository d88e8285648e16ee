"""Two years of generated returns for the comparison tests, and what they must give.

Year 1 (统计截止日期 2020-12-31) and year 2 (2021-12-31) of the test city (tests.builders.TREE). Year 2's
population table drops 团结村 and adds 新建社区, so a region exists on one side only. From year 1 to
year 2: some people are gone (everyone in 团结村 among them), new people come (some in 新建社区,
one in the other street's 团结社区), one person's level is raised, one moves to another community,
one reaches 120 hours, one is certified for the first time. Each person's certificate date is
written as a real date, "2019.06", "2019年6月", left empty or "不详".

The expected figures are worked out here from the generated people, not by the program.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl import Workbook

from tests.builders import TREE, make_id, write_population

CITY, EAST, WEST = "测试市", "测试市/东区", "测试市/西区"
HEPING = f"{EAST}/和平街道"
TUANJIE, XINGFU, NEW_COMMUNITY = f"{HEPING}/团结社区", f"{HEPING}/幸福社区", f"{HEPING}/新建社区"
VILLAGE = f"{EAST}/红星镇/团结村"
GUANGHUA_TUANJIE = f"{WEST}/光华街道/团结社区"
FILLERS = {TUANJIE: "东区和平街道团结社区", XINGFU: "东区和平街道幸福社区", NEW_COMMUNITY: "东区和平街道新建社区",
           VILLAGE: "东区红星镇团结村", GUANGHUA_TUANJIE: "西区光华街道团结社区"}
LEVEL_TEXT = {0: None, 1: "助理社会工作师", 2: "社会工作师", 3: "高级社会工作师"}
HEADER = ("序号", "姓名", "性别", "身份证号码", "学历", "所学专业", "证书等级", "取得证书时间", "培训学时")
AS_OF = ("2020-12-31", "2021-12-31")
LEVEL_KEYS = ("assistant", "intermediate", "senior")


@dataclass(frozen=True)
class Person:
    n: int
    name: str
    region: str
    level: int
    cert: object  # the 取得证书时间 cell: a date, text, or None
    education: str | None
    major: str | None
    hours: float | None
    street_row: tuple[int, object] | None = None  # (lower level, its date) also listed in 和平街道's sheet

    @property
    def id(self) -> str:
        return make_id(self.n)

    @property
    def degree(self) -> bool:
        return self.education in ("大专", "本科", "硕士研究生") and self.major in ("社会工作", "社会学", "心理学")

    @property
    def trained(self) -> bool:
        return self.hours is not None and self.hours >= 120

    @property
    def talent(self) -> bool:
        return bool(self.level) or self.degree or self.trained

    @property
    def exam_year(self) -> str:
        """The year of the date on the highest level's row; "unknown" when missing or unreadable."""
        return year_of(self.cert) or "unknown"


def year_of(cell: object) -> str | None:
    if isinstance(cell, dt.date):
        return str(cell.year)
    if isinstance(cell, str) and cell[:4].isdigit():
        return cell[:4]
    return None


def _cert_cell(rng: random.Random, year: int) -> object:
    month = rng.randint(6, 11)
    return rng.choice([dt.date(year, month, rng.randint(1, 28)), f"{year}.{month:02d}", f"{year}年{month}月",
                       None, "不详"])


def year_one(seed: int = 13) -> list[Person]:
    rng = random.Random(seed)
    people = []
    for n in range(1, 41):
        region = (TUANJIE, XINGFU, VILLAGE, GUANGHUA_TUANJIE)[n % 4]
        level = rng.choice((0, 0, 1, 1, 1, 2, 3))
        education, major = rng.choice(((None, None), ("本科", "社会工作"), ("大专", "会计"), ("高中", "社会学"),
                                       ("硕士研究生", "心理学")))
        hours = rng.choice((None, 40, 100, 120, 200))
        cert = _cert_cell(rng, rng.randint(2012, 2020)) if level else None
        street = None
        if level >= 2 and region in (TUANJIE, XINGFU) and n % 3:  # also an older, lower certificate in the street's sheet
            street = (level - 1, dt.date(2011, 6, 1))
        people.append(Person(n, f"人员{n}", region, level, cert, education, major, hours, street))
    # Fixed cases the year-2 changes need.
    people.append(Person(41, "待升级", TUANJIE, 1, dt.date(2016, 6, 18), None, None, None))
    people.append(Person(42, "将调动", TUANJIE, 1, "2018.07", None, None, None))
    people.append(Person(43, "学时未满", XINGFU, 0, None, None, None, 100))
    people.append(Person(44, "仅培训", XINGFU, 0, None, None, None, 150))
    return people


def year_two(first: list[Person]) -> list[Person]:
    """Year 1's people with the year's changes."""
    gone = {p.n for p in first if p.region == VILLAGE} | {1, 6, 11}
    people = []
    for p in first:
        if p.n in gone:
            continue
        if p.n == 41:  # level raised, the new certificate dated this year
            p = replace(p, level=2, cert=dt.date(2021, 7, 3))
        elif p.n == 42:  # moved to another community
            p = replace(p, region=XINGFU)
        elif p.n == 43:  # reached 120 hours: a new talent
            p = replace(p, hours=130)
        elif p.n == 44:  # certified for the first time: newly certified, not upgraded, not new
            p = replace(p, level=1, cert="2021年9月")
        people.append(p)
    people += [
        Person(101, "新人甲", TUANJIE, 1, dt.date(2021, 6, 20), None, None, None),
        Person(102, "新人乙", NEW_COMMUNITY, 0, None, "本科", "社会工作", None),
        Person(103, "新人丙", NEW_COMMUNITY, 2, "2021.06", None, None, None),
        Person(104, "新人丁", GUANGHUA_TUANJIE, 0, None, None, None, 180),
        Person(105, "未达标", XINGFU, 0, None, "高中", None, 20),
    ]
    return people


def tree(year: int) -> list[tuple]:
    rows = [r for r in TREE if year == 1 or r[3] != "团结村"]
    if year == 2:
        rows.append(("测试市", "东区", "和平街道", "新建社区", 5000))
    return rows


def write_year(folder: Path, year: int, people: list[Person]) -> list[Path]:
    """The population table and the returns of one year: one per community, and 和平街道's own sheet."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [write_population(folder / "户籍人口.xlsx", tree(year))]
    for region, filler in FILLERS.items():
        rows = [p for p in people if p.region == region]
        if rows:
            files.append(_write_return(folder / f"{filler}_{year}.xlsx", filler,
                                       [(p.name, p.id, p.education, p.major, p.level, p.cert, p.hours) for p in rows]))
    street = [p for p in people if p.street_row is not None]
    if street:
        files.append(_write_return(folder / f"和平街道_{year}.xlsx", "东区和平街道",
                                   [(p.name, p.id, None, None, p.street_row[0], p.street_row[1], None)  # type: ignore[index]
                                    for p in street]))
    return files


def _write_return(path: Path, filler: str, rows: list[tuple]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["测试市社会工作专业人才摸排登记表"])
    ws.append([f"填报单位：{filler}"])
    ws.append(list(HEADER))
    for i, (name, ident, education, major, level, cert, hours) in enumerate(rows, start=1):
        ws.append([i, name, "女", ident, education, major, LEVEL_TEXT[level], cert, hours])
    wb.save(path)
    return path


# ---- what the program must give ------------------------------------------------------------

def paths(year: int) -> list[str]:
    out = []
    for row in tree(year):
        names = [n for n in row[:4] if n]
        out.append("/".join(names))
    return out


def within(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith(ancestor + "/")


def counts(people: list[Person], path: str) -> dict[str, int]:
    talents = [p for p in people if p.talent and within(p.region, path)]
    return {
        "talents": len(talents),
        "certified": sum(1 for p in talents if p.level),
        "certified_assistant": sum(1 for p in talents if p.level == 1),
        "certified_intermediate": sum(1 for p in talents if p.level == 2),
        "certified_senior": sum(1 for p in talents if p.level == 3),
        "degree": sum(1 for p in talents if p.degree),
        "trained_only": sum(1 for p in talents if p.trained and not p.degree and not p.level),
    }


def by_year(people: list[Person], path: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for p in people:
        if p.level and within(p.region, path):
            levels = out.setdefault(p.exam_year, dict.fromkeys(LEVEL_KEYS, 0))
            levels[LEVEL_KEYS[p.level - 1]] += 1
    out.setdefault("unknown", dict.fromkeys(LEVEL_KEYS, 0))
    return {k: out[k] for k in sorted(k for k in out if k != "unknown") + ["unknown"]}


def expected_comparison(before: list[Person], now: list[Person]) -> dict[str, dict]:
    """compare --json "regions", by path, from the generated people."""
    was = {p.n: p for p in before if p.talent}
    is_ = {p.n: p for p in now if p.talent}
    new = [p for n, p in is_.items() if n not in was]
    gone = [p for n, p in was.items() if n not in is_]
    upgraded = [p for n, p in is_.items() if n in was and p.level > was[n].level > 0]
    moved = [(was[n], p) for n, p in is_.items() if n in was and p.region != was[n].region]
    out = {}
    for path in dict.fromkeys(paths(2) + paths(1)):
        here, there = path in paths(2), path in paths(1)
        row: dict[str, object] = {"path": path}
        now_counts, before_counts = counts(now, path), counts(before, path)
        for name in now_counts:
            row[name] = now_counts[name] if here else None
            row[f"{name}_before"] = before_counts[name] if there else None
        row["new_persons"] = sum(1 for p in new if within(p.region, path)) if here else None
        row["gone_persons"] = sum(1 for p in gone if within(p.region, path)) if there else None
        row["upgraded"] = sum(1 for p in upgraded if within(p.region, path)) if here else None
        row["moved_in"] = sum(1 for a, b in moved if within(b.region, path) and not within(a.region, path)) \
            if here else None
        row["moved_out"] = sum(1 for a, b in moved if within(a.region, path) and not within(b.region, path)) \
            if there else None
        talents, talents_before = row["talents"], row["talents_before"]
        row["growth"] = round(talents / talents_before, 4) if here and there and talents_before else None  # type: ignore[operator]
        out[path] = row
    return out


def build_census(path: Path, folder: Path, year: int, people: list[Person]) -> Path:
    """A census of one year built from its generated files, with its 统计截止日期."""
    from importers.job import import_file
    from importers.population import load_population
    from models.census import Census

    population, *returns = write_year(folder, year, people)
    with Census.open(path) as census:
        load_population(census, population)
        for file in returns:
            import_file(census, file)
        census.set_title(f"测试市{2019 + year}年社会工作专业人才摸排")
        census.set_as_of(AS_OF[year - 1])
    return path


def build_both(tmp_path: Path) -> tuple[Path, Path, list[Person], list[Person]]:
    """(year-2 census, year-1 census, year-1 people, year-2 people)."""
    first = year_one()
    second = year_two(first)
    earlier = build_census(tmp_path / "2020.census", tmp_path / "returns2020", 1, first)
    later = build_census(tmp_path / "2021.census", tmp_path / "returns2021", 2, second)
    return later, earlier, first, second
