"""Importing returns: one count per person, nothing dropped, nothing half-stored."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from importers.job import ImportJob, import_file
from importers.plan import plan_file
from models.census import Census
from models.errors import (
    CensusError,
    DuplicateImport,
    EncryptedWorkbook,
    HeaderNotFound,
    ImportCancelled,
    ReadError,
    RegionUndecided,
)
from tests.builders import make_id, write_community_return, write_street_return

TUANJIE = "测试市/东区/和平街道/团结社区"


def by_path(census: Census) -> dict:
    return {s.path: s for s in census.summary()}


def state(census: Census) -> tuple:
    """Everything stored, to check that a failed import left no trace."""
    tables = ("regions", "batches", "source_rows", "persons", "corrections")
    return tuple(census.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables)


def test_qualifications_in_two_sheets_make_one_person(census, tmp_path):
    a, b = make_id(1), make_id(2)
    write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", [
        ("张三", a, "助理社会工作师", None, None, None),
        ("李四", b, None, None, None, 80),
    ])
    write_street_return(tmp_path / "s.xlsx", "东区和平街道社会工作专业人才汇总表", [
        ("团结社区", "张三", a, None, "本科", "社会工作", None),
        ("团结社区", "李四", f"{b[:6]} {b[6:14]} {b[14:]}", None, None, None, 100),
    ])
    import_file(census, tmp_path / "c.xlsx")
    import_file(census, tmp_path / "s.xlsx")
    s = by_path(census)[TUANJIE]
    assert s.talents == 1  # 张三: certified + degree; 李四: 100 h max (not 180 summed)
    assert (s.certified, s.degree, s.degree_and_certified, s.trained, s.trained_only) == (1, 1, 1, 0, 0)
    person = census.people.get(a)
    assert person.level == 1 and person.degree and person.row_count == 2
    assert census.people.get(b).hours == 100 and not census.people.get(b).talent


def test_hours_take_the_largest_figure_never_the_sum(census, tmp_path):
    ident = make_id(3)
    write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", [("王五", ident, None, None, None, 60)])
    write_street_return(tmp_path / "s.xlsx", "东区和平街道汇总", [("团结社区", "王五", ident, None, None, None, 120)])
    import_file(census, tmp_path / "c.xlsx")
    import_file(census, tmp_path / "s.xlsx")
    assert census.people.get(ident).hours == 120 and census.people.get(ident).trained


def test_person_goes_to_the_deepest_region(census, tmp_path):
    ident = make_id(4)
    write_street_return(tmp_path / "s.xlsx", "东区和平街道汇总", [("街道办", "赵六", ident, "中级", None, None, None)])
    write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", [("赵六", ident, None, None, None, None)])
    import_file(census, tmp_path / "s.xlsx")
    assert census.people.get(ident).region_path == "测试市/东区/和平街道"
    import_file(census, tmp_path / "c.xlsx")
    assert census.people.get(ident).region_path == TUANJIE
    assert by_path(census)["测试市/东区/和平街道"].certified == 1  # totals include descendants


def test_tie_goes_to_the_earliest_import_and_clerk_can_reassign(census, tmp_path):
    ident = make_id(5)
    write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区", [("孙七", ident, "初级", None, None, None)])
    write_community_return(tmp_path / "b.xlsx", "东区和平街道幸福社区", [("孙七", ident, None, None, None, None)])
    import_file(census, tmp_path / "a.xlsx")
    import_file(census, tmp_path / "b.xlsx")
    assert census.people.get(ident).region_path == TUANJIE
    happy = census.regions.by_path("测试市/东区/和平街道/幸福社区")
    census.people.reassign(ident, happy.id)
    assert census.people.get(ident).region_path == happy.path
    census.people.reassign(ident, None)
    assert census.people.get(ident).region_path == TUANJIE


def test_same_id_different_name_is_one_person_with_a_conflict(census, tmp_path):
    ident = make_id(6)
    write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区", [("周八", ident, "初级", None, None, None)])
    write_street_return(tmp_path / "s.xlsx", "东区和平街道汇总", [("团结社区", "周捌", ident, None, None, None, None)])
    import_file(census, tmp_path / "a.xlsx")
    import_file(census, tmp_path / "s.xlsx")
    assert by_path(census)[TUANJIE].talents == 1
    conflicts = [p for p in census.problems.all() if p.kind == "name_conflict"]
    assert len(conflicts) == 1 and "周捌" in conflicts[0].reason and conflicts[0].file_name == "s.xlsx"


def test_every_row_is_a_person_or_a_problem(census, tmp_path):
    rows = [
        ("甲", make_id(10), "初级", None, None, None),
        ("乙", make_id(11)[:17], "初级", None, None, None),  # 17 digits
        ("丙", None, None, "本科", "社会学", None),  # no ID
        ("丁", make_id(12)[:17] + ("0" if make_id(12)[-1] != "0" else "1"), None, None, None, 200),  # check digit
        ("戊", make_id(13), "持证", None, None, None),  # unknown level: review, not certified
    ]
    path = write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", rows)
    result = import_file(census, path)
    assert (result.rows_total, result.rows_ok, result.rows_pending) == (5, 2, 3)
    assert result.skipped["total"] == 1 and result.skipped["footer"] == 1 and result.skipped["blank"] == 1
    s = by_path(census)[TUANJIE]
    assert s.talents == 1 and s.pending_rows == 3
    problems = census.problems.all()
    pending = [p for p in problems if p.kind == "pending"]
    assert [p.row_number for p in pending] == [5, 6, 7]  # 1-based sheet rows: title, filler, header first
    assert {p.reason.split("：")[0] for p in pending} == {"身份证号位数不对（应为18位）", "身份证号为空", "身份证号校验位错误"}
    review = [p for p in problems if p.kind == "review"]
    assert len(review) == 1 and "持证" in review[0].reason


def test_id_saved_as_number_is_pending_with_the_reason(census, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：东区和平街道团结社区"])
    ws.append(["序号", "姓名", "身份证号码", "证书等级"])
    ws.append([1, "张三", 1.10101198506150e17, "初级"])
    wb.save(tmp_path / "n.xlsx")
    result = import_file(census, tmp_path / "n.xlsx")
    assert result.rows_pending == 1
    assert "存为数字" in census.problems.all()[0].reason


def test_correcting_a_pending_id_counts_the_person_at_once(census, tmp_path):
    good = make_id(20)
    path = write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", [("甲", good[:17], "初级", None, None, None)])
    import_file(census, path)
    assert by_path(census)[TUANJIE].talents == 0
    row_id = census.problems.all()[0].row_id
    with pytest.raises(CensusError):
        census.problems.correct_id(row_id, "123")
    census.problems.correct_id(row_id, good.lower())
    s = by_path(census)[TUANJIE]
    assert s.talents == 1 and s.pending_rows == 0
    assert census.problems.corrections()[0]["old_id_raw"] == good[:17]


def test_undo_removes_the_import_and_what_it_created(census, tmp_path):
    before = state(census)
    a = make_id(30)
    import_file(census, write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", [("甲", a, "初级", None, None, None)]))
    street = write_street_return(tmp_path / "s.xlsx", "东区和平街道汇总", [("新建社区", "乙", make_id(31), "中级", None, None, None)])
    import_file(census, street)
    assert census.regions.by_path("测试市/东区/和平街道/新建社区").flagged
    for batch in reversed(census.batches.all()):
        census.batches.undo(batch.id)
    assert state(census) == before
    assert census.regions.by_path("测试市/东区/和平街道/新建社区") is None


def test_same_file_twice_counts_nobody_twice(census, tmp_path):
    path = write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", [("甲", make_id(40), "初级", None, None, None)])
    import_file(census, path)
    copy = tmp_path / "copy of c.xlsx"
    shutil.copy(path, copy)
    with pytest.raises(DuplicateImport) as err:
        import_file(census, copy)
    assert "c.xlsx" in str(err.value)
    assert by_path(census)[TUANJIE].talents == 1


def test_cancel_leaves_the_census_as_before(census, tmp_path):
    rows = [(f"人{i}", make_id(100 + i, born=__import__("datetime").date(1980, 1, 1 + i % 28)), "初级", None, None, None)
            for i in range(5000)]
    path = write_community_return(tmp_path / "big.xlsx", "东区和平街道团结社区", rows)
    before = state(census)
    job = ImportJob(census, plan_file(census, path))
    with pytest.raises(ImportCancelled):
        for progress in job.run(cancel=lambda: True):
            assert progress.total > 0
    assert state(census) == before


def test_region_from_file_name_and_per_row_self_words(census, tmp_path):
    write_street_return(tmp_path / "东区_和平街道.xlsx", "汇总表", [
        ("街道办", "甲", make_id(50), "初级", None, None, None),
        ("和平街道办事处", "乙", make_id(51), "初级", None, None, None),
        (None, "丙", make_id(52), "初级", None, None, None),
        ("幸福社区居委会", "丁", make_id(53), "初级", None, None, None),
    ])
    result = import_file(census, tmp_path / "东区_和平街道.xlsx")
    assert result.region_path == "测试市/东区/和平街道"
    paths = by_path(census)
    assert paths["测试市/东区/和平街道/幸福社区"].certified == 1
    assert paths["测试市/东区/和平街道"].certified == 4


def test_unit_under_a_known_region_becomes_a_flagged_node(census, tmp_path):
    import_file(census, write_community_return(tmp_path / "u.xlsx", "东区区民政局", [("甲", make_id(60), "初级", None, None, None)]))
    node = census.regions.by_path("测试市/东区/区民政局")
    assert node is not None and node.kind == "unit" and node.flagged
    assert any(p.kind == "new_region" for p in census.problems.all())


def test_undecidable_region_stops_with_a_message_and_region_option_works(census, tmp_path):
    path = write_community_return(tmp_path / "医院.xlsx", "市人民医院", [("甲", make_id(70), "初级", None, None, None)],
                                  title="社会工作专业人才摸排登记表")
    before = state(census)
    with pytest.raises(RegionUndecided) as err:
        import_file(census, path)
    assert "医院.xlsx" in str(err.value) and "请指定所属区划" in str(err.value)
    assert "命令行" not in str(err.value)  # the window shows this line too; the CLI adds its --region hint
    assert state(census) == before
    result = import_file(census, path, region="测试市/市人民医院")
    node = census.regions.by_path("测试市/市人民医院")
    assert result.rows_ok == 1 and node.kind == "unit" and not node.flagged


def test_ambiguous_community_name_asks_for_the_region(census, tmp_path):
    path = write_community_return(tmp_path / "x.xlsx", "团结社区", [("甲", make_id(80), "初级", None, None, None)],
                                  title="摸排表")
    with pytest.raises(RegionUndecided) as err:
        import_file(census, path)
    assert len(err.value.candidates) == 2


def _bad_files(tmp_path):
    good = write_community_return(tmp_path / "good.xlsx", "东区和平街道团结社区", [("甲", make_id(90), "初级", None, None, None)])
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "notes.xlsx").write_text("这不是表格\x00\x01\x02", encoding="utf-8")
    (tmp_path / "cut.xlsx").write_bytes(good.read_bytes()[:300])
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 500 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 500
    (tmp_path / "locked.xlsx").write_bytes(ole)
    with zipfile.ZipFile(tmp_path / "doc.xlsx", "w") as z:
        z.writestr("word/document.xml", "<w/>")
    wb = Workbook()
    wb.active.append(["只有一句说明"])
    wb.save(tmp_path / "noheader.xlsx")
    return {"empty.xlsx": ReadError, "notes.xlsx": ReadError, "cut.xlsx": ReadError, "locked.xlsx": EncryptedWorkbook,
            "doc.xlsx": ReadError, "noheader.xlsx": HeaderNotFound}


def test_bad_files_give_a_clear_message_and_store_nothing(census, tmp_path):
    before = state(census)
    for name, error in _bad_files(tmp_path).items():
        with pytest.raises(error) as err:
            import_file(census, tmp_path / name)
        assert name in str(err.value)
        assert "Traceback" not in str(err.value)
        if error is HeaderNotFound:  # says how far it looked (a header under row 30 is not found)
            assert "的前 30 行中没有找到表头" in str(err.value)
    assert state(census) == before


def test_no_header_among_hundreds_of_tables_is_one_short_line(census, tmp_path):
    # a web page laid out in tables (each a sheet): the message named all 100,000 (700 KB)
    path = tmp_path / "网页.xls"
    path.write_bytes(b"<table><tr><td>a</td><td>b</td></tr></table>" * 100_000)
    with pytest.raises(HeaderNotFound) as err:
        plan_file(census, path)
    assert err.value.message.startswith("在工作表（表1、表2、表3、表4、表5 等 100000 个工作表）的前 30 行中没有找到表头")
    assert len(err.value.message) < 100


def test_formulas_saved_without_their_results_are_named(census, tmp_path):
    """A program wrote the IDs as formulas and nobody opened the file in Excel: every reader sees
    those cells empty. The plan says why the IDs are missing instead of only 身份证号为空."""
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：东区和平街道团结社区"])
    ws.append(["序号", "姓名", "身份证号码", "证书等级"])
    ws.append([1, "甲", f'="{make_id(1)}"', "初级"])  # openpyxl keeps no result for it
    wb.save(tmp_path / "公式.xlsx")
    plan = plan_file(census, tmp_path / "公式.xlsx")
    assert any("公式没有保存计算结果" in w for w in plan.uncertain)
    plain = write_community_return(tmp_path / "平常.xlsx", "东区和平街道团结社区", [("乙", make_id(2), "初级", None, None, None)])
    assert not any("公式" in w for w in plan_file(census, plain).uncertain)


def test_a_line_whose_name_is_the_word_example_is_not_a_person(census, tmp_path):
    import_file(census, write_community_return(tmp_path / "团结社区摸排表.xlsx", "东区和平街道团结社区", [
        ("张三", make_id(910), "助理社会工作师", None, None, None), ("示例", make_id(911), "", None, None, None)]))
    assert [p.name for p in census.people.iter()] == ["张三"]


def test_a_certificate_date_in_the_future_is_not_taken(census, tmp_path):
    result = import_file(census, tuanjie_sheet(tmp_path / "x.xlsx", ["证书等级", "取得证书时间"], [
        ("甲", make_id(1), "助理社会工作师", "2099年1月"), ("乙", make_id(2), "助理社会工作师", "2019.06")]))
    assert result.rows_ok == 2 and any("取得证书时间“2099年1月”晚于今天，未采用" in n for n in result.notes)
    assert census.summary_json()["rules"]["award_year"] == 2019


def test_filler_label_and_unit_in_separate_cells(census, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["社会工作专业人才摸排表"])
    ws.append(["填报单位：", "东区和平街道幸福社区", None, "填报日期：", "2021-03-15"])
    ws.append(["序号", "姓名", "身份证号码", "证书等级"])
    ws.append([1, "张三", make_id(95), "初级"])
    wb.save(tmp_path / "x.xlsx")
    assert import_file(census, tmp_path / "x.xlsx").region_path == "测试市/东区/和平街道/幸福社区"


def test_region_option_with_a_mistyped_parent_is_refused(census, tmp_path):
    path = write_community_return(tmp_path / "u.xlsx", "某单位", [("甲", make_id(96), "初级", None, None, None)],
                                  title="摸排表")
    before = state(census)
    with pytest.raises(CensusError) as err:
        import_file(census, path, region="测试市/东去/某单位")
    assert "测试市/东去" in str(err.value)
    assert state(census) == before


def _persons_table(census: Census) -> list[tuple]:
    return census.conn.execute("SELECT * FROM persons ORDER BY id_number").fetchall()


def test_persons_merged_from_memory_equal_a_full_recompute(census, tmp_path):
    """New IDs are merged from the rows in memory, known ones re-read: the same as recompute()."""
    ids = [make_id(n) for n in range(40, 52)]
    write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区", [
        ("甲", ids[0], "初级", "大专", "社会工作", 30), ("乙", ids[1], None, None, None, 200),
        ("丙", ids[2], "中级", None, None, None), ("甲一", ids[0], None, "本科", "法学", 10),
    ])
    write_street_return(tmp_path / "s.xlsx", "东区和平街道汇总", [
        ("幸福社区", "甲", ids[0], None, "硕士", "社会工作", None), ("街道办", "丁", ids[3], "高级", None, None, 5),
        ("团结社区", "乙", ids[1], None, None, None, 90), ("幸福社区", "戊", ids[4], None, "本科", "社会工作", 300),
        ("幸福社区", "戊", ids[4], "初级", None, None, 20), ("街道办", "己", ids[5], None, None, None, None),
        ("团结社区", "", ids[6], None, "大专", "心理学", 121),
    ])
    write_community_return(tmp_path / "b.xlsx", "东区和平街道幸福社区", [
        ("丁", ids[3], None, None, None, 400), ("庚", ids[7], "助理社会工作师", None, None, None),
        ("己", ids[5], None, None, None, None),
    ])
    import_file(census, tmp_path / "a.xlsx")
    census.people.reassign(ids[3], census.regions.by_path(TUANJIE).id)  # an override for an ID not yet seen
    for name in ("s.xlsx", "b.xlsx"):
        import_file(census, tmp_path / name)
    merged = _persons_table(census)
    assert len(merged) == 8
    census.people.recompute()
    assert _persons_table(census) == merged


def test_import_restores_the_wal_checkpoint_setting(census, tmp_path):
    write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", [("甲", make_id(60), None, None, None, None)])
    before = census.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    import_file(census, tmp_path / "c.xlsx")
    assert census.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == before


def _community_sheet(ws, people):
    ws.append(["填报单位：东区和平街道团结社区"])
    ws.append(["序号", "姓名", "身份证号码", "证书等级"])
    for n, (name, number) in enumerate(people, start=1):
        ws.append([n, name, number, "初级"])


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_hidden_sheet_is_not_imported_unless_it_alone_has_the_data(census, tmp_path, suffix):
    """An old year's list kept in a hidden sheet: the clerk cannot see it in Excel, and its people
    are not this year's; it is named in the plan's warnings. Hidden data and nothing else: read."""
    wb = Workbook()
    _community_sheet(wb.active, [("甲", make_id(301))])
    old = wb.create_sheet("2020年旧表")
    _community_sheet(old, [("乙", make_id(302)), ("丙", make_id(303))])
    old.sheet_state = "hidden"
    path = _saved(wb, tmp_path / f"团结社区{suffix}")
    plan = plan_file(census, path)
    assert not plan.more and any("“2020年旧表”在 Excel 中是隐藏的，未导入" in w for w in plan.uncertain)
    result = import_file(census, path)
    assert (result.rows_ok, result.persons) == (1, 1)

    wb = Workbook()
    wb.active.append(["请在“名单”工作表中填写"])
    only = wb.create_sheet("名单")
    _community_sheet(only, [("丁", make_id(304))])
    only.sheet_state = "hidden"
    plan = plan_file(census, _saved(wb, tmp_path / f"幸福社区{suffix}"))
    assert plan.sheet.name == "名单" and any("隐藏的工作表“名单”" in w for w in plan.uncertain)


def _saved(wb, path: Path) -> Path:
    """An openpyxl workbook as .xlsx, or as .xls through LibreOffice (skipped without it)."""
    if path.suffix == ".xlsx":
        wb.save(path)
        return path
    import subprocess

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    wb.save(path.with_suffix(".xlsx"))
    profile = path.parent / "lo-profile"  # its own LibreOffice profile, not the user's
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xls",
                    "--outdir", str(path.parent), str(path.with_suffix(".xlsx"))],
                   check=True, capture_output=True, timeout=120)
    return path


def test_every_data_sheet_of_a_workbook_is_imported(census, tmp_path):
    """A street sends one workbook with a sheet per community: no sheet is silently dropped."""
    wb = Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["填表说明：每个社区一个工作表，示例如下"])
    wb.active.append(["序号", "姓名", "身份证号码", "证书等级"])
    wb.active.append([1, "张三（示例）", "110101198001010011", "初级"])
    for n, community in enumerate(("团结社区", "幸福社区")):
        ws = wb.create_sheet(community)
        ws.append(["和平街道社会工作专业人才摸排表"])
        ws.append(["序号", "姓名", "身份证号码", "证书等级", "学历", "所学专业"])
        ws.append([1, f"甲{n}", make_id(200 + n), "初级", None, None])
        ws.append([2, f"乙{n}", make_id(210 + n)[:17], "初级", None, None])
    stats = wb.create_sheet("统计")
    stats.append(["姓名", "学历", "专业", "证书等级"])
    stats.append(["合计人数", "本科", "社会工作", "3"])
    stats.append(["某某", "本科", "社会工作", "初级"])
    wb.save(tmp_path / "和平街道.xlsx")
    plan = plan_file(census, tmp_path / "和平街道.xlsx")
    assert plan.region.path == "测试市/东区/和平街道"
    assert [p.sheet.name for p in plan.more] == ["幸福社区"]
    assert plan.more[0].region.path == "测试市/东区/和平街道/幸福社区"
    assert any("统计" in w and "身份证号码" in w for w in plan.uncertain)
    assert any("填表说明" in w and "示例" in w for w in plan.uncertain)
    job = ImportJob(census, plan)
    for _ in job.run():
        pass
    assert (job.result.rows_total, job.result.rows_ok, job.result.rows_pending) == (4, 2, 2)
    s = by_path(census)
    assert s[TUANJIE].certified == 1 and s["测试市/东区/和平街道/幸福社区"].certified == 1
    assert s[TUANJIE].pending_rows == 1 and s["测试市/东区/和平街道/幸福社区"].pending_rows == 1
    sheets = {p.sheet for p in census.problems.all() if p.kind == "pending"}
    assert sheets == {"团结社区", "幸福社区"}
    assert job.result.sheets == ["团结社区", "幸福社区"] and "2 个工作表" in job.result.describe()


def test_a_column_remapped_in_the_review_is_remapped_in_every_data_sheet(census, tmp_path):
    """The review shows the main sheet's columns; a change there (身份证号 and 联系电话 labelled the
    wrong way round on the street's template) reached only that sheet, the other communities'
    sheets imported with phone numbers as IDs. The same change applies to every data sheet: at the
    same column when the header is the same, else at the column of the same label."""
    wb = Workbook()
    layouts = {"团结社区": ["序号", "姓名", "身份证号", "联系电话", "证书等级"],
               "幸福社区": ["序号", "姓名", "身份证号", "联系电话", "证书等级"],
               "文化社区": ["姓名", "序号", "联系电话", "身份证号", "证书等级"]}
    for n, (community, header) in enumerate(layouts.items()):
        ws = wb.active if n == 0 else wb.create_sheet(community)
        ws.title = community
        ws.append(["填报单位：东区和平街道"])
        ws.append(header)
        values = {"序号": 1, "姓名": f"甲{n}", "身份证号": f"1380000000{n}", "联系电话": make_id(300 + n),
                  "证书等级": "初级"}
        ws.append([values[label] for label in header])
    wb.save(tmp_path / "和平街道.xlsx")
    plan = plan_file(census, tmp_path / "和平街道.xlsx")
    assert plan.sheet.name == "团结社区" and len(plan.more) == 2
    plan = plan.with_field(2, "phone").with_field(3, "id_number")
    job = ImportJob(census, plan)
    for _ in job.run():
        pass
    assert (job.result.rows_total, job.result.rows_ok, job.result.rows_pending) == (3, 3, 0)
    stored = census.conn.execute("SELECT id_number, phone FROM source_rows ORDER BY id").fetchall()
    assert stored == [(make_id(300 + n), f"1380000000{n}") for n in range(3)]


def test_the_review_may_leave_a_data_sheet_out(census, tmp_path):
    """Last year's list kept visible beside this year's was imported with it, its people who have
    left counted again; the review's choice of sheets leaves it out (or keeps only it)."""
    wb = Workbook()
    for n, (name, person) in enumerate((("2021年", "甲"), ("2020年", "乙"), ("幸福社区", "丙"))):
        ws = wb.active if n == 0 else wb.create_sheet(name)
        ws.title = name
        ws.append([f"填报单位：东区和平街道{'幸福社区' if name == '幸福社区' else '团结社区'}"])
        ws.append(["序号", "姓名", "身份证号码", "证书等级"])
        ws.append([1, person, make_id(400 + n), "初级"])
    wb.save(tmp_path / "团结社区.xlsx")
    plan = plan_file(census, tmp_path / "团结社区.xlsx")
    assert plan.data_sheets == [("2021年", True), ("2020年", True), ("幸福社区", True)]
    without_old = plan.with_sheet("2020年", False)
    assert without_old.data_sheets == [("2021年", True), ("2020年", False), ("幸福社区", True)]
    assert not any("2020年" in w for w in without_old.uncertain)  # the clerk's own choice, nothing to confirm
    only_xingfu = without_old.with_sheet("2021年", False)
    assert only_xingfu.sheet.name == "幸福社区" and not only_xingfu.more
    with pytest.raises(CensusError, match="至少要导入一个工作表"):
        only_xingfu.with_sheet("幸福社区", False)
    assert only_xingfu.with_sheet("2020年", True).data_sheets == [("2021年", False), ("2020年", True), ("幸福社区", True)]
    job = ImportJob(census, only_xingfu)
    for _ in job.run():
        pass
    stored = census.conn.execute("SELECT name, sheet FROM source_rows").fetchall()
    assert stored == [("丙", "幸福社区")]
    assert by_path(census)[TUANJIE].certified == 1


def test_page_totals_and_unlabelled_footers_are_not_data(census, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：东区和平街道团结社区"])
    ws.append(["序号", "姓名", "身份证号码", "证书等级", "备注"])
    ws.append([1, "张三", make_id(301), "初级", None])
    ws.append([2, "李四", None, "初级", "备注：身份证待补"])  # a person without ID: pending, not a footer
    ws.append(["本页合计", "2人"])
    ws.append([None, "单位盖章：", None, "日期：2021年3月"])
    ws.append(["说明：本表由社区填写"])
    ws.append([3, "以下空白"])  # the end of the entries, numbered or not
    ws.append(["（此页无正文）"])
    ws.append(["单位（盖章）", None, None, "负责人（签字）："])
    wb.save(tmp_path / "x.xlsx")
    result = import_file(census, tmp_path / "x.xlsx")
    assert (result.rows_total, result.rows_ok, result.rows_pending) == (2, 1, 1)
    assert result.skipped["total"] == 1 and result.skipped["footer"] == 5


def test_a_templates_example_line_is_not_a_person(census, tmp_path):
    """序号 示例 (or 例, or 张三（示例）) with a valid ID: every community fills the same template,
    and the example's 张三 would be one more person; the 填写说明 line under it is no person either."""
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：东区和平街道团结社区"])
    ws.append(["序号", "姓名", "身份证号码", "证书等级", "备注"])
    ws.append(["示例", "张三", make_id(900), "初级", None])
    ws.append(["例：", "李四", make_id(901), "中级", None])
    ws.append([None, "王五（示例）", make_id(902), "初级", None])
    ws.append(["填写说明", "请填写真实姓名", "18位身份证号码，末位X大写", "初级/中级/高级", None])
    ws.append([1, "孙例", make_id(903), "初级", None])  # a name with 例 in it is a person
    ws.append([2, "赵六", None, "初级", None])
    wb.save(tmp_path / "x.xlsx")
    result = import_file(census, tmp_path / "x.xlsx")
    assert (result.rows_total, result.rows_ok, result.rows_pending) == (2, 1, 1)
    assert result.skipped["example"] == 3 and "填写示例 3 行" in result.describe()
    assert [p.name for p in census.people.iter()] == ["孙例"]


def test_district_summary_with_street_and_community_columns(census, tmp_path):
    """Two 团结社区 under different streets: the 所属街道 column tells them apart."""
    wb = Workbook()
    ws = wb.active
    ws.append(["测试市社会工作专业人才汇总表"])
    ws.append(["序号", "所属区县", "所属街道", "所属社区", "姓名", "身份证号码", "证书等级"])
    ws.append([1, "东区", "和平街道", "团结社区", "甲", make_id(401), "初级"])
    ws.append([2, "西区", "光华街道", "团结社区", "乙", make_id(402), "初级"])
    ws.append([3, "东区", "红星镇", None, "丙", make_id(403), "初级"])
    wb.save(tmp_path / "市汇总.xlsx")
    result = import_file(census, tmp_path / "市汇总.xlsx")
    assert result.region_path == "测试市" and not result.new_regions
    s = by_path(census)
    assert s[TUANJIE].certified == 1
    assert s["测试市/西区/光华街道/团结社区"].certified == 1
    assert census.people.get(make_id(403)).region_path == "测试市/东区/红星镇"


def test_ambiguous_filler_is_settled_by_the_file_name(census, tmp_path):
    path = write_community_return(tmp_path / "西区光华街道摸排表.xlsx", "团结社区",
                                  [("甲", make_id(501), "初级", None, None, None)], title="摸排表")
    assert import_file(census, path).region_path == "测试市/西区/光华街道/团结社区"


def test_id_column_without_a_label_is_found_by_its_content(census, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：东区和平街道团结社区"])
    ws.append(["序号", "姓名", "证件", "证书等级", "学历", "联系电话"])
    ws.append([1, "张三", make_id(601), "初级", "本科", "13800000000"])
    ws.append([2, "李四", make_id(602), "初级", "本科", "13800000001"])
    wb.save(tmp_path / "x.xlsx")
    plan = plan_file(census, tmp_path / "x.xlsx")
    column = next(c for c in plan.columns if c.field == "id_number")
    assert column.index == 2 and column.uncertain
    assert any("按内容识别" in w for w in plan.uncertain)
    assert import_file(census, tmp_path / "x.xlsx").rows_ok == 2


def test_community_name_from_another_street_becomes_a_new_flagged_child(census, tmp_path):
    """团结村 exists under 红星镇 only; 和平街道's sheet naming it means a node of its own, flagged."""
    write_street_return(tmp_path / "s.xlsx", "东区和平街道汇总", [("团结村", "甲", make_id(701), "初级", None, None, None)])
    result = import_file(census, tmp_path / "s.xlsx")
    assert result.new_regions == ["测试市/东区/和平街道/团结村"]
    assert census.regions.by_path("测试市/东区/和平街道/团结村").flagged
    assert census.people.get(make_id(701)).region_path == "测试市/东区/和平街道/团结村"


def test_community_merged_down_a_block_of_rows(census, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["东区和平街道社会工作专业人才汇总表"])
    ws.append(["序号", "所属社区", "姓名", "公民身份号码", "社工证等级"])
    ws.append([1, "幸福社区", "甲", make_id(801), "初级"])
    ws.append([2, None, "乙", make_id(802), "初级"])
    ws.append([3, None, "丙", make_id(803), "初级"])
    ws.append([4, "团结社区", "丁", make_id(804), "初级"])
    ws.merge_cells("B3:B5")
    wb.save(tmp_path / "merged.xlsx")
    import_file(census, tmp_path / "merged.xlsx")
    s = by_path(census)
    assert s["测试市/东区/和平街道/幸福社区"].certified == 3 and s[TUANJIE].certified == 1


def test_an_unreadable_certificate_date_of_a_certified_person_is_named_for_review(census, tmp_path):
    """The exam year becomes 不详 and the award leaves the person out: the clerk is told which
    row, once per row with a level (a date beside no certificate decides nothing)."""
    result = import_file(census, tuanjie_sheet(tmp_path / "x.xlsx", ["证书等级", "取得证书时间"], [
        ("甲", make_id(1), "助理社会工作师", "2019.13"), ("乙", make_id(2), "", "去年"),
        ("丙", make_id(3), "社会工作师", 2021.06)]))  # 2021.06: a number Excel kept, its year is certain
    assert [n for n in result.notes if "取得证书时间" in n] == ["取得证书时间“2019.13”无法识别，取证年份记为不详，请核实"]
    (review,) = [p for p in census.problems.all() if p.kind == "review"]
    assert (review.name, review.row_number) == ("甲", 3)


def test_an_undone_imports_batch_number_is_not_given_again(census, tmp_path):
    """Undoing the newest import handed its number to the next one (SQLite: largest id + 1):
    批次 2 in the history, in a clerk's notes or a message was then another file."""
    def one(name: str, community: str, n: int) -> int:
        path = write_community_return(tmp_path / name, community, [("甲", make_id(n), "初级", None, None, None)])
        return import_file(census, path).batch_id

    first, second = one("a.xlsx", "东区和平街道团结社区", 1), one("b.xlsx", "东区和平街道幸福社区", 2)
    census.batches.undo(second)
    third = one("c.xlsx", "东区和平街道幸福社区", 3)
    assert (first, second, third) == (1, 2, 3)
    census.batches.undo(third)
    assert census.batches.next_id() == 4


def test_an_hours_column_counted_from_before_the_training_start_is_flagged(census, tmp_path):
    """累计培训学时（2010年以来） was taken as hours since 2015 with no word: the figures may hold
    training the rule leaves out, and no cell tells it apart."""
    earlier = tuanjie_sheet(tmp_path / "x.xlsx", ["累计培训学时（2010年以来）"], [("甲", make_id(1), 150)])
    (warning,) = [w for w in plan_file(census, earlier).uncertain if "培训学时列" in w]
    assert "从 2010 年算起，早于统计规则的培训起算日期（2015-01-01）" in warning
    later = tuanjie_sheet(tmp_path / "y.xlsx", ["累计培训学时（2016年以来）"], [("甲", make_id(1), 150)])
    assert not [w for w in plan_file(census, later).uncertain if "培训学时列" in w]


def tuanjie_sheet(path, columns: list[str], rows: list[tuple]):
    """团结社区's return with 序号, 姓名, 身份证号码 and `columns`; rows are (name, id, *values)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：东区和平街道团结社区"])
    ws.append(["序号", "姓名", "身份证号码", *columns])
    for n, row in enumerate(rows, start=1):
        ws.append([n, *row])
    wb.save(path)
    return path


def test_the_review_shows_a_few_values_of_each_column_ids_and_phones_masked(census, tmp_path):
    """Is 文化程度 really the education column? The review shows each column's first different
    values; one that may be an ID or a phone is masked, whatever the column is mapped to."""
    a, b = make_id(1), make_id(2)
    write_community_return(tmp_path / "c.xlsx", "东区和平街道团结社区", [
        ("张三", a, "助理社会工作师", "本科", "社会工作", None),
        ("李四", b, None, "本科", None, 80),
        ("王五", make_id(3), None, "大专", "社会学专业方向的一个很长很长的名称", 80),
        ("赵六", make_id(4), None, "硕士", None, 12),
    ])
    plan = plan_file(census, tmp_path / "c.xlsx")
    column = {c.field: c.index for c in plan.columns if c.field}
    assert plan.samples(column["name"]) == "张三、李四、王五"
    assert plan.samples(column["education"]) == "本科、大专、硕士"
    assert plan.samples(column["id_number"]) == f"{a[:6]}********{a[-4:]}、{b[:6]}********{b[-4:]}、" \
        f"{make_id(3)[:6]}********{make_id(3)[-4:]}"
    assert plan.samples(column["major"]) == "社会工作、社会学专业方向的一个很长很长的名…"  # 16 characters
    assert plan.samples(column["hours"]) == "80、12"
    phones = plan.samples(column["phone"]).split("、")
    assert phones and all("****" in p and len(p) == 11 for p in phones)
    assert plan.with_field(column["id_number"], None).samples(column["id_number"]).count("********") == 3


@pytest.mark.parametrize("cell, field, shown", [
    ("13812345678", None, "138****5678"),  # a phone number in a column not mapped as one
    ("138-1234-5678", None, "138****5678"),
    ("张三13812345678", None, "张三138****5678"),  # inside other text
    ("150302-19850615-0179", None, "150302********0179"),
    ("20210315", None, "20210315"),  # a date typed as digits is no phone number
    ("电话１３８１２３４５６７８", None, "电话138****5678"),  # full-width digits were shown in full
    ("身份证1.50302198506150E+17", None, "身份证150302*******…"),  # the birth date was shown
    ("138-1234-5678", "phone", "138****5678"),
    ("电话150302198506150179", "phone", "150302********0179"),  # an ID in the phone column
    ("4712345", "phone", "47***45"),
    ("无", "phone", "无"),
])
def test_review_samples_mask_what_could_identify_someone(cell, field, shown):
    from importers.plan import _sample_text

    assert _sample_text(cell, field) == shown
