"""Hostile ID cells through the real import path (workbook or CSV → ImportJob / the CLI): the row
is pending with a reason naming what is wrong, the import goes on, and people are counted once."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import Workbook

from cli import main
from importers.job import import_file
from models.errors import NotFound
from models.identity import check_digit
from tests.builders import make_id, write_population

HEADER = ("序号", "姓名", "身份证号码", "证书等级", "学历", "所学专业", "培训学时")
TUANJIE = "测试市/东区/和平街道/团结社区"


def valid(first17: str) -> str:
    return first17 + check_digit(first17)


def xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：东区和平街道团结社区"])
    ws.append(list(HEADER))
    for i, (name, ident) in enumerate(rows, 1):
        ws.append([i, name, ident, "初级", None, None, None])
    wb.save(path)
    return path


def write_csv(path, rows, encoding):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["填报单位：东区和平街道团结社区"])
        writer.writerow(HEADER)
        writer.writerows([i, name, ident, "初级", "", "", ""] for i, (name, ident) in enumerate(rows, 1))
    return path


def pending(census) -> dict[str, str]:
    return {p.name: p.reason for p in census.problems.all() if p.kind == "pending"}


def talents(census) -> int:
    return next(s for s in census.summary() if s.path == TUANJIE).talents


def test_digits_that_are_not_0_to_9_make_the_row_pending(census, tmp_path):
    a, b = make_id(1), make_id(2)
    arabic = a.translate({ord(d): 0x0660 + int(d) for d in "0123456789"})
    result = import_file(census, xlsx(tmp_path / "团结社区.xlsx", [
        ("甲", a), ("甲乙", arabic), ("丙", b[:6] + "①" + b[7:]), ("丁", b[:17] + "²"),
        ("戊", b.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})),  # full-width: normalised
    ]))
    assert (result.rows_total, result.rows_ok, result.rows_pending, result.persons) == (5, 2, 3, 2)
    assert pending(census) == {"甲乙": "身份证号含有非数字字符“١”", "丙": "身份证号含有非数字字符“①”",
                               "丁": "身份证号含有非数字字符“²”"}
    assert census.people.get(a).row_count == 1  # the Arabic-Indic spelling is not a second 甲
    assert talents(census) == 2


def test_the_cli_survives_circled_digits(tmp_path, capsys):
    census = tmp_path / "c.census"
    assert main(["population", str(census), str(write_population(tmp_path / "p.xlsx"))]) == 0
    path = xlsx(tmp_path / "团结社区.xlsx", [("甲", make_id(1)), ("丙", "①" * 18), ("丁", "11010119850615001²")])
    capsys.readouterr()
    assert main(["import", str(census), str(path)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    main(["problems", str(census), "--json"])
    reasons = [p["reason"] for p in json.loads(capsys.readouterr().out)["problems"] if p["kind"] == "pending"]
    assert reasons == ["身份证号含有非数字字符“①”", "身份证号含有非数字字符“²”"]


def test_impossible_area_codes_are_pending_and_not_counted(census, tmp_path):
    old = "150302850615001"  # a real 15-digit number: upgraded and counted
    result = import_file(census, xlsx(tmp_path / "团结社区.xlsx", [
        ("甲", "111111111111111"), ("乙", valid("99010119850615001")), ("丙", valid("48010119850615001")),
        ("丁", valid("38010119850615001")), ("戊", "990101850615001"), ("己", old),
        ("庚", valid("81000019900101001")),  # a Hong Kong resident's residence permit
    ]))
    assert (result.rows_ok, result.rows_pending, result.persons) == (2, 5, 2)
    assert pending(census) == {
        "甲": "身份证号前四位“1111”不是有效的行政区划代码（北京市只有1101、1102）",
        "乙": "身份证号前两位“99”不是有效的省级行政区划代码",
        "丙": "身份证号前两位“48”不是有效的省级行政区划代码",
        "丁": "身份证号前两位“38”不是有效的省级行政区划代码",
        "戊": "身份证号前两位“99”不是有效的省级行政区划代码",
    }
    with pytest.raises(NotFound):
        census.people.get("111111191111111113")
    assert census.people.get(valid("15030219850615001")).name == "己"
    assert talents(census) == 2


def test_placeholders_say_the_id_was_not_filled_in(census, tmp_path):
    words = ["待补充", "无", "暂无", "空", "未填", "-", "/"]
    path = write_csv(tmp_path / "团结社区.csv", [("甲", make_id(1))] + [(f"人{i}", w) for i, w in enumerate(words)],
                     "gbk")
    result = import_file(census, path)
    assert (result.rows_ok, result.rows_pending) == (1, len(words))
    assert pending(census) == {f"人{i}": f"身份证号未填写（“{w}”）" for i, w in enumerate(words)}


def test_scientific_notation_in_a_csv_asks_for_the_original_workbook(census, tmp_path):
    path = write_csv(tmp_path / "团结社区.csv", [("甲", make_id(1)), ("乙", "1.50422E+17")], "utf-8-sig")
    result = import_file(census, path)
    assert (result.rows_ok, result.rows_pending, result.persons) == (1, 1, 1)
    assert pending(census) == {
        "乙": "身份证号被 Excel 显示为科学计数法（1.50422E+17），只剩6位有效数字，请向报送单位索取原表"}


def test_an_id_written_as_a_text_formula_in_a_csv_is_the_id(census, tmp_path):
    """="150302…": how exports keep an ID as text in Excel, which shows the ID."""
    path = write_csv(tmp_path / "团结社区.csv", [("甲", f'="{make_id(1)}"'), ("乙", f'="{make_id(2)}x"'),
                                                ("丙", '="a""b"')], "gbk")
    result = import_file(census, path)
    assert (result.rows_ok, result.rows_pending, result.persons) == (1, 2, 1)
    assert census.people.get(make_id(1)).name == "甲"
    assert pending(census)["丙"] == '身份证号未填写（“a"b”）'  # the text the formula gives


def test_an_id_excel_rounded_is_suggested_for_the_same_named_person(census, tmp_path):
    a = valid("15040219870815266")  # its 16th digit rounds the 15th up: ...152661 → ...153000
    other = valid("15040219870815267")  # rounds to the same number but belongs to someone else
    x = valid("11010519491231002")  # ends in X: Excel never held it as a number
    import_file(census, xlsx(tmp_path / "ok.xlsx", [("张三", a), ("李四", other), ("张三丰", x)]))
    assert a[:15] != "150402198708153"
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：东区和平街道幸福社区"])
    ws.append(["序号", "姓名", "身份证号码", "学历", "所学专业"])
    ws.append([1, "张三", float(a), "本科", "社会工作"])  # the number cell: 1.50402198708153e17 shown
    wb.save(tmp_path / "number.xlsx")
    import_file(census, tmp_path / "number.xlsx")
    write_csv(tmp_path / "幸福社区.csv", [("张三", "150402198708153000"), ("张三", "1.50402198708153E+17"),
                                        ("张三丰", "110105194912310000")], "gbk")
    import_file(census, tmp_path / "幸福社区.csv", region="测试市/东区/和平街道/幸福社区")
    rows = [p for p in census.problems.all() if p.kind == "pending"]
    assert [(p.name, p.id_raw) for p in rows] == [("张三", "150402198708153000"), ("张三", "150402198708153000"),
                                                 ("张三", "1.50402198708153E+17"), ("张三丰", "110105194912310000")]
    assert [census.problems.suggest_ids(p.row_id) for p in rows] == [[a], [a], [a], [x]]  # 李四 is never offered


def _cut_pair(passing: bool, start: int = 0) -> tuple[str, str]:
    """A valid ID and its first 15 digits + 000, which passes the check digit or not."""
    for n in range(start, start + 10_000):
        full = make_id(n)
        if full.endswith("000"):
            continue
        cut = full[:15] + "000"
        if (check_digit(cut[:17]) == "0") is passing:
            return full, cut
    raise AssertionError("no such ID")


@pytest.mark.parametrize("order", ["full first", "cut first", "one folder"])
def test_an_id_excel_cut_to_000_is_not_a_second_person(census, tmp_path, order):
    """A street's CSV was saved from Excel with the ID column as numbers: 150302199406284123 is
    150302199406284000 there. When that still passes the check digit (one time in eleven) it is
    not a second 张一: pending, saying why, the full ID suggested; one that fails says the same."""
    full, cut = _cut_pair(passing=True)
    full2, cut2 = _cut_pair(passing=False, start=20_000)
    community = xlsx(tmp_path / "团结社区.xlsx", [("张一", full), ("张二", full2)])
    street = write_csv(tmp_path / "和平街道汇总.csv", [("张一", cut), ("张二", cut2), ("李三", make_id(3))], "gbk")
    paths = [community, street] if order != "cut first" else [street, community]
    if order == "one folder":
        from importers.files import import_files
        from importers.job import run_to_end

        outcomes = run_to_end(import_files(census, paths))
        results = {o.file_name: o.result for o in outcomes}
    else:
        results = {p.name: import_file(census, p) for p in paths}
    assert census.totals()["talents"] == 3  # 张一, 张二, 李三: nobody twice
    problems = {p.name: p for p in census.problems.all() if p.kind == "pending"}
    assert set(problems) == {"张一", "张二"}
    assert "像是被 Excel 存为数字后丢失了末三位" in problems["张一"].reason and full not in problems["张一"].reason
    assert "像是被 Excel 存为数字后丢失了末三位" in problems["张二"].reason
    assert census.problems.suggest_ids(problems["张一"].row_id) == [full]
    street_result = results["和平街道汇总.csv"]
    if order == "cut first":  # the street's line was given before the community's file came
        assert "此前导入的表中有 1 行的身份证号与本表同名人员的前15位相同" in results["团结社区.xlsx"].describe()
    else:
        assert (street_result.rows_ok, street_result.rows_pending, street_result.persons) == (1, 2, 1)
    (batch,) = [b for b in census.batches.all() if b.file_name == "和平街道汇总.csv"]
    assert (batch.rows_ok, batch.rows_pending) == (1, 2)

    census.problems.correct_id(problems["张一"].row_id, full)  # the clerk agrees: one person
    assert census.people.get(full).row_count == 2 and census.totals()["talents"] == 3


def test_an_id_ending_in_000_a_clerk_confirmed_stays(census, tmp_path):
    full, cut = _cut_pair(passing=True)
    import_file(census, xlsx(tmp_path / "a.xlsx", [("张一", full)]))
    import_file(census, write_csv(tmp_path / "b.csv", [("张一", cut)], "gbk"))
    (row,) = [p.row_id for p in census.problems.all() if p.kind == "pending"]
    census.problems.correct_id(row, cut)  # really two people: the clerk says so
    import_file(census, xlsx(tmp_path / "c.xlsx", [("王五", make_id(5))]))
    assert census.people.get(cut).name == census.people.get(full).name == "张一"
    assert not [p for p in census.problems.all() if p.kind == "pending"]


def test_undoing_the_import_that_made_a_cut_id_pending_counts_it_again(census, tmp_path):
    """The street's CSV (…000) came first, the community's full IDs second: undoing the second
    gives back exactly the census before it, the …000 person counted again."""
    full, cut = _cut_pair(passing=True)
    import_file(census, write_csv(tmp_path / "和平街道汇总.csv", [("张一", cut)], "gbk"))
    before = (census.summary_json(), [p for p in census.people.iter()], census.batches.all())
    second = import_file(census, xlsx(tmp_path / "团结社区.xlsx", [("张一", full)]))
    assert [p.name for p in census.problems.all() if p.kind == "pending"] == ["张一"]
    census.batches.undo(second.batch_id)
    assert (census.summary_json(), [p for p in census.people.iter()], census.batches.all()) == before
