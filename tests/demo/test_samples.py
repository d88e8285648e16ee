"""demo.samples: valid IDs, the demo city and its returns in every layout, benchmark files, determinism.

The checks recompute ID maths here on purpose (not via models.identity) so that the samples and
the importer cannot agree on the same mistake.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from demo.samples import (
    DEFECT_KINDS,
    FLAT_HEADER,
    PROVINCE,
    PROVINCE_DEFECT_KINDS,
    REGISTER_SUB,
    REGISTER_TOP,
    STREET_HEADER,
    SampleRegion,
    demo_defects,
    demo_regions,
    make_id,
    province_defects,
    province_regions,
    write_demo_returns,
    write_large_return,
    write_many_returns,
    write_population,
    write_province_returns,
)
from importers.files import import_files
from importers.job import run_to_end
from importers.population import load_population
from models.census import Census

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘ", "0123456789X")
ID_HEADERS = ("身份证号码", "公民身份号码", "身份证号")


def check_char(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_ok(yyyymmdd: str) -> bool:
    try:
        date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return True


def normalise(value) -> str:
    return str(value).translate(FULLWIDTH).replace(" ", "").upper()


def classify(value) -> str:
    """Which DEFECT_KINDS an ID cell shows ("ok" for a valid 18-character ID)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "missing"
    if isinstance(value, float):
        return "number"
    text = normalise(value)
    if len(text) == 15 and text.isdigit() and birth_ok("19" + text[6:12]):
        return "old15"
    if len(text) == 17:
        return "short17"
    assert len(text) == 18, value
    if not birth_ok(text[6:14]):
        return "bad_birth"
    if check_char(text[:17]) != text[17]:
        return "bad_check"
    return "ok"


def upgrade(text: str) -> str:
    first17 = text[:6] + "19" + text[6:]
    return first17 + check_char(first17)


# --------------------------------------------------------------------------- reading returns back


def read_rows(path: Path) -> list[dict]:
    """Data rows of any sample return as {header: value}, skipping titles, blanks, 合计 and footers."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode("gb18030")
        records = list(csv.reader(io.StringIO(text, newline="")))
        return [dict(zip(records[0], r, strict=True)) | {"_row": i + 2} for i, r in enumerate(records[1:])]
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[-1]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(values) if "姓名" in r)
    header = list(values[top])
    start = top + 1
    if "学历" in values[top + 1]:  # two-row header: sub-headers fill the merged gaps
        header = [s or h for h, s in zip(header, values[top + 1], strict=True)]
        start += 1
    rows = []
    for i, r in enumerate(values[start:], start=start + 1):
        if all(v is None for v in r):
            continue
        if r[0] == "合计" or (isinstance(r[0], str) and r[0].startswith("填表人")):
            break
        rows.append(dict(zip(header, r, strict=True)) | {"_row": i})
    return rows


def id_of(row: dict):
    return next(row[h] for h in ID_HEADERS if h in row)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    regions = demo_regions()
    returns = write_demo_returns(folder / "returns", regions, seed=7)
    return regions, returns, {r.path: read_rows(r.path) for r in returns}


def layout_of(path: Path) -> str:
    if path.suffix == ".csv":
        return "csv"
    if path.stem.endswith("汇总"):
        return "street"
    if path.stem.count("_") >= 2:
        return "flat"
    return "register"


# --------------------------------------------------------------------------- IDs


def test_make_id_gives_valid_check_digits_and_birth_dates():
    rng = random.Random(3)
    ids = [make_id(rng, "369902") for _ in range(3000)]
    for number in ids:
        assert len(number) == 18 and number.startswith("369902")
        assert number[:17].isdigit()
        assert check_char(number[:17]) == number[17]
        assert birth_ok(number[6:14])
        assert 1960 <= int(number[6:10]) <= 2000
    assert any(n.endswith("X") for n in ids)
    assert len(set(ids)) > 2990


def test_make_id_uses_the_given_birth_date_and_is_deterministic():
    number = make_id(random.Random(1), "150302", date(1985, 2, 28))
    assert number[:14] == "15030219850228" and check_char(number[:17]) == number[17]
    assert make_id(random.Random(1)) == make_id(random.Random(1))
    with pytest.raises(ValueError):
        make_id(random.Random(1), "1503")


# --------------------------------------------------------------------------- regions and population


def test_demo_regions_form_a_city_tree_with_a_repeated_community_name():
    regions = demo_regions()
    paths = [r.path for r in regions]
    assert paths[0] == "青山市" and len(set(paths)) == len(paths)
    assert all(p.startswith("青山市") for p in paths)
    children = defaultdict(list)
    for p in paths[1:]:
        children[p.rsplit("/", 1)[0]].append(p)
        assert p.rsplit("/", 1)[0] in paths[: paths.index(p)]  # parents come first
    districts = children["青山市"]
    assert 2 <= len(districts) <= 3 and all(d.endswith("区") for d in districts)
    for d in districts:
        assert 2 <= len(children[d]) <= 3 and all(s.endswith(("街道", "镇")) for s in children[d])
        for s in children[d]:
            assert 2 <= len(children[s]) <= 4 and all(c.endswith(("社区", "村")) for c in children[s])
    leaves = [p.rsplit("/", 1)[1] for p in paths if p.count("/") == 3]
    assert Counter(leaves)["团结社区"] == 2
    # A node without a figure takes its children's sum; given figures agree with their children.
    figure = {r.path: r.population for r in regions}
    assert any(v is None for v in figure.values())

    def total(p):
        return figure[p] if figure[p] is not None else sum(total(c) for c in children[p])

    for p in paths:
        if children[p] and figure[p] is not None:
            assert figure[p] == sum(total(c) for c in children[p])
    assert all(figure[p] for p in paths if not children[p])


def test_write_population_writes_one_row_per_node(tmp_path):
    regions = demo_regions()
    path = write_population(tmp_path / "population.xlsx", regions)
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("市", "区县", "街道（乡镇）", "社区（村）", "户籍人口（人）")
    assert len(rows) == len(regions) + 1
    for region, row in zip(regions, rows[1:], strict=True):
        assert "/".join(v for v in row[:4] if v) == region.path
        assert row[4] == region.population
    with pytest.raises(ValueError):
        write_population(tmp_path / "deep.xlsx", [SampleRegion("a/b/c/d/e/f", 1)])


def test_province_tree_and_its_population_table_have_a_province_column(tmp_path):
    regions = province_regions(cities=2, districts=3, streets=6, leaves=20)
    depths = Counter(r.path.count("/") for r in regions)
    assert depths == {0: 1, 1: 2, 2: 3, 3: 6, 4: 20}
    assert len({r.path.rsplit("/", 1)[-1] for r in regions}) == len(regions)  # no name twice: nothing ambiguous
    ws = openpyxl.load_workbook(write_population(tmp_path / "p.xlsx", regions)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("省", "市（州）", "区县", "街道（乡镇）", "社区（村）", "户籍人口（人）")
    assert len(rows) == len(regions) + 1


def test_province_returns_name_leaves_all_over_the_province(tmp_path):
    regions = province_regions(cities=2, districts=3, streets=6, leaves=20)
    returns = write_province_returns(tmp_path / "r", regions, count=6, rows_each=5)
    assert len(returns) == 6 and all(r.path.exists() for r in returns)
    given = [r.region for r in returns if r.region]
    assert given and all(g.count("/") == 4 and g.startswith(PROVINCE) for g in given)


def province_kind(value) -> str:
    """Which PROVINCE_DEFECT_KINDS an ID cell shows ("ok" for a valid 18-character ID)."""
    if isinstance(value, str) and value == "待补充":
        return "not_filled"
    if isinstance(value, str) and re.fullmatch(r"[0-9]\.[0-9]{5}E\+17", value):
        return "shown_number"
    return classify(value)


def test_province_returns_carry_one_bad_row_in_sixty_of_the_real_kinds(tmp_path):
    regions = province_regions(cities=2, districts=3, streets=6, leaves=40)
    returns = write_province_returns(tmp_path / "r", regions, count=40, rows_each=30, seed=3)
    rows = [row for ret in returns for row in read_rows(ret.path)]
    found = Counter(province_kind(id_of(row)) for row in rows)
    bad = {kind: n for kind, n in found.items() if kind != "ok"}
    assert bad == dict(province_defects(regions, count=40, rows_each=30, seed=3))
    assert set(bad) == set(PROVINCE_DEFECT_KINDS) and sum(bad.values()) == len(rows) // 60
    assert all(row["姓名"] for row in rows)  # a blank ID still has its name
    spread = {ret.path for ret in returns for row in read_rows(ret.path) if province_kind(id_of(row)) != "ok"}
    assert len(spread) > 10  # all over the province, not in a few returns
    again = write_province_returns(tmp_path / "again", regions, count=40, rows_each=30, seed=3)
    assert [id_of(r) for ret in again for r in read_rows(ret.path)] == [id_of(r) for r in rows]


def test_province_returns_import_with_one_pending_row_per_bad_row(tmp_path):
    regions = province_regions(cities=2, districts=3, streets=6, leaves=40)
    returns = write_province_returns(tmp_path / "r", regions, count=40, rows_each=30, seed=3)
    with Census.open(tmp_path / "p.census") as census:
        load_population(census, write_population(tmp_path / "pop.xlsx", regions))
        outcomes = run_to_end(import_files(census, [r.path for r in returns]))
        assert [o.status for o in outcomes] == ["imported"] * 40
        pending = [p for p in census.problems.all() if p.kind == "pending"]
        assert len(pending) == sum(province_defects(regions, count=40, rows_each=30, seed=3).values())
        assert all(p.region_path.startswith(PROVINCE + "/") and p.region_path.count("/") == 4 for p in pending)
        assert census.people.count() == 40 * 30 - len(pending)


# --------------------------------------------------------------------------- demo returns


def test_demo_returns_cover_every_layout(demo):
    _, returns, _ = demo
    layouts = Counter(layout_of(r.path) for r in returns)
    assert layouts["register"] >= 5 and layouts["flat"] >= 3 and layouts["street"] >= 2 and layouts["csv"] == 1
    units = [r for r in returns if r.region]
    assert {r.region for r in units} >= {"青山市/市民政局"}
    assert all(layout_of(r.path) == "register" for r in units)
    assert len({r.path.name for r in returns}) == len(returns)


def test_register_sheets_have_title_unit_line_merged_header_total_and_footer(demo):
    regions, returns, rows = demo
    communities = {"".join(p.split("/")[1:]) for p in (r.path for r in regions) if p.count("/") == 3}
    instructions = blanks = 0
    for ret in returns:
        if layout_of(ret.path) != "register":
            continue
        wb = openpyxl.load_workbook(ret.path)
        if len(wb.sheetnames) == 2:
            assert wb.sheetnames[0] == "填表说明"
            instructions += 1
        ws = wb.worksheets[-1]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        assert values[0][0].endswith("社会工作专业人才摸排登记表")
        assert values[1][0].startswith("填报单位") and values[1][10].startswith("填报日期：")
        assert tuple(values[2]) == REGISTER_TOP and tuple(values[3]) == REGISTER_SUB
        assert {"A1:N1", "G3:I3", "J3:L3", "D3:D4", "M3:M4"} <= {str(m) for m in ws.merged_cells.ranges}
        n = len(rows[ret.path])
        assert [r for r in values if r[0] == "合计"] == [["合计", f"{n}人"] + [None] * 12]
        assert values[-1][0].startswith("填表人：") and values[-1][3].startswith("联系电话：")
        assert values[-1][7].startswith("审核人：")
        body = values[4 : values.index(["合计", f"{n}人"] + [None] * 12)]
        blanks += any(all(v is None for v in r) for r in body)
        if ret.region is None:
            assert values[0][0] == "青山市社会工作专业人才摸排登记表"
            assert values[1][0].removeprefix("填报单位：") in communities
            assert 25 <= n <= 40
    assert instructions >= 1 and blanks >= 5


def test_street_flat_and_csv_headers(demo):
    _, returns, rows = demo
    for ret in returns:
        layout = layout_of(ret.path)
        if layout == "street":
            ws = openpyxl.load_workbook(ret.path).active
            assert ws.title == "汇总"
            assert ws["A1"].value.endswith("社会工作专业人才汇总表")
            assert tuple(c.value for c in ws[2]) == STREET_HEADER
        elif layout == "flat":
            ws = openpyxl.load_workbook(ret.path).active
            assert tuple(c.value for c in ws[1]) == FLAT_HEADER
            assert 25 <= len(rows[ret.path]) <= 40
        elif layout == "csv":
            raw = ret.path.read_bytes()
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            assert raw.count(b"\r\n") == raw.count(b"\n") == len(rows[ret.path]) + 1
            assert raw.decode("gb18030").splitlines()[0] == ",".join(STREET_HEADER)


def test_street_sheets_name_communities_and_the_street_itself(demo):
    _, returns, rows = demo
    labels = Counter()
    for ret in returns:
        if layout_of(ret.path) in ("street", "csv"):
            for row in rows[ret.path]:
                label = row["所属社区"] or None
                labels["community" if label and label.endswith(("社区", "村")) else label] += 1
    assert labels["community"] > 5 and labels[None] > 0 and labels["街道办"] > 0
    assert any(label and label.endswith("办事处") for label in labels)


def test_values_are_mixed_like_real_returns(demo):
    _, _, rows = demo
    seen = defaultdict(set)
    for path_rows in rows.values():
        for row in path_rows:
            for key in ("证书等级", "社工证等级", "社会工作者职业水平证书"):
                if key in row:
                    seen["level"].add(row[key] or None)
            for key in ("学历", "文化程度", "最高学历"):
                if key in row:
                    seen["education"].add(row[key] or None)
            for key in ("取得时间", "发证日期"):
                if row.get(key):
                    value = row[key]
                    seen["date"].add(type(value).__name__ if not isinstance(value, str) else
                                     "cn" if "年" in value else "dot" if "." in value else
                                     "iso" if "-" in value else "slash")
    assert {"助理社会工作师", "初级", "助理社工师", "初级（助理社会工作师）", "社会工作师", "中级", "中级社工师",
            "社会工作师（中级）", "高级社会工作师", "无", "/", None} <= seen["level"]
    assert {"大专", "专科", "本科", "大学本科", "硕士研究生", "中专", "高中", "初中", None} <= seen["education"]
    assert {"datetime", "cn", "dot", "iso"} <= seen["date"]


def test_bad_rows_match_demo_defects(demo):
    regions, returns, rows = demo
    expected = demo_defects(regions, seed=7)
    assert set(expected) == set(DEFECT_KINDS) and all(expected.values())
    found = Counter()
    names = defaultdict(set)
    total = 0
    for ret in returns:
        for row in rows[ret.path]:
            total += 1
            value = id_of(row)
            kind = classify(value)
            found[kind] += 1
            if ret.path.suffix == ".xlsx" and kind != "number" and value is not None:
                assert isinstance(value, str)
            if kind in ("ok", "old15"):
                text = normalise(value)
                names[upgrade(text) if kind == "old15" else text].add(row["姓名"])
    found["name_conflict"] = sum(len(v) > 1 for v in names.values())
    assert {k: found[k] for k in DEFECT_KINDS} == dict(expected)
    assert total / 90 < sum(expected.values()) < total / 40


def test_street_sheets_repeat_people_with_split_qualifications_and_respelt_ids(demo):
    _, returns, rows = demo
    community_rows, street_rows = {}, []
    for ret in returns:
        layout = layout_of(ret.path)
        for row in rows[ret.path]:
            value = id_of(row)
            if classify(value) != "ok":
                continue
            if layout in ("street", "csv"):
                street_rows.append((row, value))
            elif ret.region is None:
                community_rows[normalise(value)] = row
    repeats = [(row, value) for row, value in street_rows if normalise(value) in community_rows]
    assert len(repeats) >= 8
    spellings = Counter()
    for row, value in repeats:
        if value != normalise(value) and value.strip() == value and " " not in value:
            spellings["fullwidth" if value[0] == "３" else "lower_x"] += 1
        elif " " in value.strip():
            spellings["spaces"] += 1
        elif value != value.strip():
            spellings["padded"] += 1
        home = community_rows[normalise(value)]
        if row["姓名"] != home["姓名"]:
            continue  # the same-ID-different-name twin
        assert row["所属社区"] and row["文化程度"] and row["社工证等级"] in (None, "", "无", "/")
        level = home.get("证书等级", home.get("社会工作者职业水平证书"))
        assert level and level not in ("无", "/")
        assert not home.get("学历", home.get("最高学历"))
    assert set(spellings) == {"fullwidth", "lower_x", "spaces", "padded"}


# --------------------------------------------------------------------------- benchmarks files


def test_write_large_return_has_all_rows_with_text_ids(tmp_path):
    path = write_large_return(tmp_path / "large.xlsx", 2000, seed=1)
    ws = openpyxl.load_workbook(path, read_only=True).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "东城区和平街道社会工作专业人才汇总表"
    assert values[1] == STREET_HEADER
    data = values[2:]
    assert len(data) == 2000
    ids = [r[4] for r in data]
    assert all(isinstance(v, str) and classify(v) == "ok" for v in ids)
    assert len(set(ids)) == 2000
    assert {r[1] for r in data} == {"和平社区", "团结社区", "文化社区", "街道办", None}
    assert [r[0] for r in data] == list(range(1, 2001))


def test_write_many_returns(tmp_path):
    returns = write_many_returns(tmp_path / "many", 6, 12, seed=2)
    assert len(returns) == 6 and len({r.path for r in returns}) == 6
    ids = []
    for ret in returns:
        data = read_rows(ret.path)
        assert len(data) == 12
        ids += [id_of(r) for r in data]
        assert (ret.region is not None) == (layout_of(ret.path) == "flat")
    assert all(classify(v) == "ok" for v in ids) and len(set(ids)) == len(ids)


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_files(tmp_path, demo):
    regions, first, first_rows = demo
    again = write_demo_returns(tmp_path / "again", regions, seed=7)
    assert [r.path.name for r in again] == [r.path.name for r in first]
    assert [r.region for r in again] == [r.region for r in first]
    for a, b in zip(first, again, strict=True):
        if a.path.suffix == ".csv":
            assert a.path.read_bytes() == b.path.read_bytes()
        assert [id_of(r) for r in read_rows(b.path)] == [id_of(r) for r in first_rows[a.path]]
    other = write_demo_returns(tmp_path / "other", regions, seed=8)
    ids = {str(id_of(r)) for ret in other for r in read_rows(ret.path)}
    assert len(ids & {str(id_of(r)) for rows in first_rows.values() for r in rows}) < 5
    a = write_large_return(tmp_path / "a.xlsx", 300, seed=5)
    b = write_large_return(tmp_path / "b.xlsx", 300, seed=5)
    assert [id_of(r) for r in read_rows(a)] == [id_of(r) for r in read_rows(b)]
