"""models.merge_files: merging census files counts every person once, as one big import would."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook

from cli import main as cli_main
from importers.job import import_file
from importers.population import load_population
from models.census import Census
from models.errors import CensusError
from models.identity import check_digit
from models.merge_files import merge_census_files

TREE = [
    ("测试市", None, None, None, 100000),
    ("测试市", "东区", None, None, 60000),
    ("测试市", "东区", "和平街道", None, 30000),
    ("测试市", "东区", "和平街道", "团结社区", 12000),
    ("测试市", "东区", "和平街道", "幸福社区", 18000),
    ("测试市", "西区", None, None, 40000),
    ("测试市", "西区", "光华街道", None, None),
    ("测试市", "西区", "光华街道", "团结社区", 9000),
]
HEADER = ("序号", "姓名", "性别", "身份证号码", "学历", "所学专业", "证书等级", "培训学时")


def ident(n: int) -> str:
    first17 = f"110101{dt.date(1980, 1, 1) + dt.timedelta(days=n):%Y%m%d}{n % 1000:03d}"
    return first17 + check_digit(first17)


def write_population(path: Path, rows=TREE) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(("市", "区县", "街道（乡镇）", "社区（村）", "户籍人口（人）"))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def write_return(path: Path, rows: list[tuple]) -> Path:
    """rows: (name, id, education, major, level, hours)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["社会工作专业人才摸排登记表"])
    ws.append(list(HEADER))
    for i, (name, number, education, major, level, hours) in enumerate(rows, start=1):
        ws.append([i, name, "女", number, education, major, level, hours])
    wb.save(path)
    return path


# People 1–6 are in both censuses, with the certificate in one file and the degree or the
# training in the other; 7–9 only in A, 10–12 only in B; one pending row in each.
RETURNS_A = {
    "a_tuanjie.xlsx": ("测试市/东区/和平街道/团结社区", [
        ("张一", ident(1), "高中", "", "助理社会工作师", None),
        ("张二", ident(2), "本科", "社会工作", "", 20),
        ("张三", ident(3), "", "", "", 80),
        ("张七", ident(7), "大专", "心理学", "", None),
        ("张坏", "11010119800101123", "本科", "社会学", "", None),
    ]),
    "a_xingfu.xlsx": ("测试市/东区/和平街道/幸福社区", [
        ("张四", ident(4), "", "", "中级", None),
        ("张五", ident(5), "本科", "法学", "", 130),
        ("张八", ident(8), "", "", "高级社会工作师", None),
        ("张九", ident(9), "初中", "", "", 10),
    ]),
}
RETURNS_B = {
    "b_heping.xlsx": ("测试市/东区/和平街道", [
        ("张一", ident(1), "硕士", "社会政策", "", None),
        ("张二", ident(2), "", "", "初级", 40),
        ("张三", ident(3), "", "", "", 150),
        ("张四", ident(4), "本科", "社会工作", "高级", None),
        ("张十", ident(10), "大专", "社工", "", None),
    ]),
    "b_guanghua.xlsx": ("测试市/西区/光华街道/团结社区", [
        ("张伍", ident(5), "", "", "", 200),  # same ID, another name: a conflict, one person
        ("张六", ident(6), "", "", "助理社工师", None),
        ("张十一", ident(11), "博士", "人类学", "", None),
        ("张十二", ident(12), "", "", "", 121),
        ("李坏", "", "本科", "社会学", "", None),
    ]),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("returns")
    out = {"population": write_population(root / "户籍人口.xlsx")}
    for name, (_region, rows) in {**RETURNS_A, **RETURNS_B}.items():
        out[name] = write_return(root / name, rows)
    return out


def build(path: Path, files: dict[str, Path], returns: list[dict], population: bool = True) -> Path:
    with Census.open(path) as census:
        if population:
            load_population(census, files["population"])
        for group in returns:
            for name, (region, _rows) in group.items():
                import_file(census, files[name], region=region)
    return path


@pytest.fixture(scope="module")
def censuses(tmp_path_factory, files) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("censuses")
    return {
        "a": build(root / "a.census", files, [RETURNS_A]),
        "b": build(root / "b.census", files, [RETURNS_B]),
        "all": build(root / "all.census", files, [RETURNS_A, RETURNS_B]),
    }


def copy(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    return dst


def state(path: Path) -> tuple:
    """Everything a merge may change, for before/after comparisons."""
    with Census.open(path) as census:
        return (census.summary_json(), [b.sha256 for b in census.batches.all()], census.problems.corrections(),
                census.conn.execute("SELECT COUNT(*) FROM source_rows").fetchone()[0],
                census.conn.execute("SELECT * FROM persons ORDER BY id_number").fetchall())


def test_merged_counts_equal_one_big_import(tmp_path, censuses):
    target = copy(censuses["a"], tmp_path / "merged.census")
    with Census.open(target) as census:
        result = merge_census_files(census, censuses["b"])
        merged = census.summary_json()
        merged_persons = census.conn.execute(
            "SELECT id_number, level, degree, trained, talent, region_id, row_count FROM persons"
            " ORDER BY id_number").fetchall()
    with Census.open(censuses["all"]) as census:
        expected = census.summary_json()
        expected_persons = census.conn.execute(
            "SELECT id_number, level, degree, trained, talent, region_id, row_count FROM persons"
            " ORDER BY id_number").fetchall()
    merged["census"] = merged["title"] = expected["title"]  # the title is the file name
    assert merged == expected
    assert merged_persons == expected_persons
    assert result.batches_copied == 2 and result.batches_skipped == 0
    assert result.rows_copied == 10 and result.rows_pending == 1
    assert result.persons_touched == 9
    assert result.persons_added == 4  # 6, 10, 11, 12 are new; 1–5 were already in A
    root = next(r for r in merged["regions"] if r["path"] == "测试市")
    assert root["talents"] == 12 - 1  # 张九 has neither; the two pending rows count nobody
    assert root["pending_rows"] == 2


def test_rows_keep_their_origin(tmp_path, censuses):
    target = copy(censuses["a"], tmp_path / "merged.census")
    with Census.open(target) as census:
        merge_census_files(census, censuses["b"])
        origins = dict(census.conn.execute("SELECT file_name, origin FROM batches"))
        assert origins == {"a_tuanjie.xlsx": None, "a_xingfu.xlsx": None,
                           "b_heping.xlsx": "b.census", "b_guanghua.xlsx": "b.census"}
        rows = census.people.rows(ident(1))
        assert [(r.file_name, r.sheet, r.row_number) for r in rows] == [
            ("a_tuanjie.xlsx", "Sheet", 3), ("b_heping.xlsx", "Sheet", 3)]
        assert rows[1].raw[1] == "张一" and rows[1].raw[3] == ident(1)
        assert rows[1].region_path == "测试市/东区/和平街道"
        person = census.people.get(ident(1))
        assert person.level == 1 and person.degree
        assert census.people.get(ident(5)).name_conflict
        pending = [p for p in census.problems.all() if p.kind == "pending"]
        assert {p.file_name for p in pending} == {"a_tuanjie.xlsx", "b_guanghua.xlsx"}


def test_merging_twice_changes_nothing(tmp_path, censuses):
    target = copy(censuses["a"], tmp_path / "merged.census")
    with Census.open(target) as census:
        merge_census_files(census, censuses["b"])
    before = state(target)
    with Census.open(target) as census:
        again = merge_census_files(census, censuses["b"])
    assert state(target) == before
    assert again.batches_copied == 0 and again.batches_skipped == 2 and again.persons_added == 0
    assert "没有人被重复计数" in again.describe()


def test_merging_a_census_whose_returns_were_imported_counts_nobody_twice(tmp_path, censuses):
    target = copy(censuses["all"], tmp_path / "all.census")
    before = state(target)
    with Census.open(target) as census:
        result = merge_census_files(census, censuses["b"])
    assert result.batches_skipped == 2 and result.rows_copied == 0
    assert state(target) == before


def test_missing_regions_and_populations_come_from_the_source(tmp_path, files):
    # The target knows no population at all; the source has the tree and the figures.
    target = build(tmp_path / "t.census", files, [RETURNS_A], population=False)
    source = build(tmp_path / "s.census", files, [], population=True)
    with Census.open(target) as census:
        census.regions.set_population(census.regions.by_path("测试市/东区/和平街道/团结社区").id, 5)
        result = merge_census_files(census, source)
        assert census.regions.by_path("测试市/东区/和平街道/团结社区").population == 5  # the target's stays
        assert census.regions.by_path("测试市/东区/和平街道/幸福社区").population == 18000
        west = census.regions.by_path("测试市/西区/光华街道/团结社区")
        assert west is not None and west.kind == "community" and not west.flagged and west.population == 9000
        assert census.regions.by_path("测试市/西区/光华街道").population is None
    assert result.regions_created == 3  # 西区, 光华街道, its 团结社区
    # 市, 东区, 和平街道, 幸福社区: existing nodes without a figure (new nodes bring their own)
    assert result.populations_taken == 4


def test_corrections_and_reassignments_come_along(tmp_path, censuses):
    source = copy(censuses["b"], tmp_path / "b.census")
    with Census.open(source) as census:
        bad = next(p for p in census.problems.all() if p.kind == "pending")
        census.problems.correct_id(bad.row_id, ident(20))
        census.people.reassign(ident(10), census.regions.by_path("测试市/西区").id)
    target = copy(censuses["a"], tmp_path / "a.census")
    with Census.open(target) as census:
        result = merge_census_files(census, source)
        assert result.corrections_copied == 1 and result.overrides_copied == 1
        assert [c["new_id_number"] for c in census.problems.corrections()] == [ident(20)]
        assert census.people.get(ident(20)).name == "李坏"
        assert census.people.get(ident(10)).region_path == "测试市/西区"
        assert not [p for p in census.problems.all() if p.kind == "pending" and p.file_name == "b_guanghua.xlsx"]


def test_merge_cli(tmp_path, censuses, capsys):
    target = copy(censuses["a"], tmp_path / "m.census")
    assert cli_main(["merge", str(target), str(censuses["b"])]) == 0
    out = capsys.readouterr().out
    assert "b.census" in out and "合并导入批次 2 个" in out


@pytest.mark.parametrize("kind", ["missing", "text", "xlsx", "other_sqlite", "folder", "itself"])
def test_a_bad_source_is_refused_and_the_target_is_untouched(tmp_path, censuses, files, kind):
    target = copy(censuses["a"], tmp_path / "target.census")
    if kind == "missing":
        source = tmp_path / "nowhere.census"
    elif kind == "text":
        source = tmp_path / "notes.census"
        source.write_text("不是普查文件", encoding="utf-8")
    elif kind == "xlsx":
        source = files["a_tuanjie.xlsx"]
    elif kind == "other_sqlite":
        source = tmp_path / "other.census"
        with sqlite3.connect(source) as conn:
            conn.execute("CREATE TABLE notes (x)")
        conn.close()
    elif kind == "folder":
        source = tmp_path
    else:
        source = target
    before = state(target)
    with Census.open(target) as census, pytest.raises(CensusError) as err:
        merge_census_files(census, source)
    assert source.name in str(err.value)
    assert state(target) == before


def test_a_failure_midway_rolls_everything_back(tmp_path, censuses, monkeypatch):
    import models.merge_files as mf

    target = copy(censuses["a"], tmp_path / "target.census")
    before = state(target)

    def broken(*args, **kwargs):
        raise CensusError("模拟故障")

    monkeypatch.setattr(mf, "_copy_corrections", broken)
    with Census.open(target) as census, pytest.raises(CensusError):
        merge_census_files(census, censuses["b"])
    assert state(target) == before
    monkeypatch.undo()
    with Census.open(target) as census:  # and the same merge then works
        assert merge_census_files(census, censuses["b"]).batches_copied == 2


def test_the_source_is_left_as_it_was(tmp_path, censuses):
    source = copy(censuses["b"], tmp_path / "b.census")
    before = source.read_bytes()
    target = copy(censuses["a"], tmp_path / "a.census")
    with Census.open(target) as census:
        merge_census_files(census, source)
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.census")) == ["b.census"]
