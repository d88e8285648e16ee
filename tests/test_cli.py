"""The command line: clear Chinese errors with a non-zero exit code, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from models.census import Census
from tests.builders import make_id, write_community_return, write_population

ROOT = Path(__file__).resolve().parents[1]


def census_with_population(tmp_path) -> Path:
    census = tmp_path / "c.census"
    assert main(["population", str(census), str(write_population(tmp_path / "p.xlsx"))]) == 0
    return census


def test_bad_file_exit_code_and_message(tmp_path, capsys):
    census = census_with_population(tmp_path)
    (tmp_path / "坏文件.xlsx").write_bytes(b"PK\x03\x04 broken")
    good = write_community_return(tmp_path / "好.xlsx", "东区和平街道团结社区", [("甲", make_id(1), "初级", None, None, None)])
    capsys.readouterr()
    assert main(["import", str(census), str(tmp_path / "坏文件.xlsx"), str(good)]) == 1
    out = capsys.readouterr()
    assert "坏文件.xlsx" in out.err and "Traceback" not in out.err
    assert "好.xlsx" in out.out  # the other file was imported
    assert out.err.splitlines()[-1] == "1 个文件导入失败，其余 1 个文件已导入"
    assert main(["import", str(census), str(tmp_path / "坏文件.xlsx"), str(good)]) == 1
    again = capsys.readouterr()
    assert again.err.splitlines()[-1] == "1 个文件导入失败，1 个文件与已导入的相同，已跳过，没有文件被导入"
    skipped = [line for line in again.out.splitlines() if line.startswith("好.xlsx：")]
    assert len(skipped) == 1 and skipped[0].endswith("内容完全相同，已跳过，没有人被重复计数"), skipped
    assert skipped[0].count("已跳过") == 1
    assert main(["import", str(census), str(tmp_path / "无此文件.xlsx")]) == 1
    assert capsys.readouterr().err.splitlines() == ["导入失败：无此文件.xlsx：文件不存在"]
    main(["summary", str(census), "--json"])
    root = json.loads(capsys.readouterr().out)["regions"][0]
    assert root["talents"] == 1


def test_a_folder_imports_every_spreadsheet_in_it(tmp_path, capsys):
    census = census_with_population(tmp_path)
    folder = tmp_path / "returns"
    folder.mkdir()
    write_community_return(folder / "a.xlsx", "东区和平街道团结社区", [("甲", make_id(1), "初级", None, None, None)])
    write_community_return(folder / "b.xlsx", "东区和平街道幸福社区", [("乙", make_id(2), "初级", None, None, None)])
    (folder / "readme.txt").write_text("not a return")
    assert main(["import", str(census), str(folder)]) == 0
    capsys.readouterr()
    main(["summary", str(census), "--json"])
    assert json.loads(capsys.readouterr().out)["regions"][0]["certified"] == 2


def test_undo_and_batches(tmp_path, capsys):
    census = census_with_population(tmp_path)
    path = write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区", [("甲", make_id(1), "初级", None, None, None)])
    main(["import", str(census), str(path)])
    capsys.readouterr()
    assert main(["batches", str(census)]) == 0
    assert "a.xlsx" in capsys.readouterr().out
    assert main(["undo", str(census), "1"]) == 0
    assert main(["undo", str(census), "1"]) == 1  # already gone: a message, not a traceback
    assert "不存在" in capsys.readouterr().err


def test_subcommands_never_load_qt(tmp_path):
    census = census_with_population(tmp_path)
    code = (f"import sys; sys.argv=['main.py','summary',{str(census)!r}]; import main; main.main(sys.argv[1:]);"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_problems_show_row_ids_and_suggestions(tmp_path, capsys):
    census = census_with_population(tmp_path)
    good = make_id(5)
    main(["import", str(census), str(write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区",
                                                              [("张三", good, "初级", None, None, None)]))])
    main(["import", str(census), str(write_community_return(tmp_path / "b.xlsx", "东区和平街道幸福社区",
                                                              [("张三", good[:17], None, "本科", "社会学", None)]))])
    capsys.readouterr()
    main(["problems", str(census), "--json"])
    pending = [p for p in json.loads(capsys.readouterr().out)["problems"] if p["kind"] == "pending"]
    assert pending[0]["suggestions"] == [good[:6] + "********" + good[-4:]]
    assert main(["correct", str(census), str(pending[0]["row_id"]), good]) == 0
    capsys.readouterr()
    main(["summary", str(census), "--json"])
    assert json.loads(capsys.readouterr().out)["regions"][0]["degree_and_certified"] == 1


def test_fold_command(tmp_path, capsys):
    census = census_with_population(tmp_path)
    path = write_community_return(tmp_path / "a.xlsx", "东区和平街道团结小区", [("甲", make_id(1), "初级", None, None, None)])
    main(["import", str(census), str(path)])
    assert main(["fold", str(census), "测试市/东区/和平街道/团结小区", "测试市/东区/和平街道/团结社区"]) == 0
    assert main(["fold", str(census), "测试市/东区/和平街道/团结小区", "测试市/东区"]) == 1  # gone now
    capsys.readouterr()
    main(["summary", str(census), "--json"])
    regions = {r["path"]: r for r in json.loads(capsys.readouterr().out)["regions"]}
    assert regions["测试市/东区/和平街道/团结社区"]["certified"] == 1


def test_undecided_region_names_the_region_option(tmp_path, capsys):
    census = census_with_population(tmp_path)
    path = write_community_return(tmp_path / "医院.xlsx", "市人民医院", [("甲", make_id(70), "初级", None, None, None)],
                                  title="社会工作专业人才摸排登记表")
    capsys.readouterr()
    assert main(["import", str(census), str(path)]) == 1
    err = capsys.readouterr().err
    assert "医院.xlsx" in err and "--region" in err and "Traceback" not in err


def test_history_lists_undoes_and_redoes_a_correction(tmp_path, capsys):
    census = census_with_population(tmp_path)
    bad = make_id(1)[:-1] + ("0" if make_id(1)[-1] != "0" else "1")
    path = write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区", [("甲", bad, "初级", None, None, None)])
    main(["import", str(census), str(path)])
    capsys.readouterr()
    main(["problems", str(census), "--json"])
    row = next(p["row_id"] for p in json.loads(capsys.readouterr().out)["problems"] if p.get("row_id"))
    assert main(["correct", str(census), str(row), make_id(1)]) == 0
    capsys.readouterr()
    assert main(["history", str(census)]) == 0
    assert "可撤销" in (out := capsys.readouterr().out) and "更正身份证号" in out and "T" not in out
    assert main(["history", str(census), "--undo"]) == 0
    assert "已撤销：更正身份证号" in capsys.readouterr().out
    main(["summary", str(census), "--json"])
    assert json.loads(capsys.readouterr().out)["regions"][0]["certified"] == 0
    assert main(["history", str(census), "--redo"]) == 0
    capsys.readouterr()
    main(["summary", str(census), "--json"])
    assert json.loads(capsys.readouterr().out)["regions"][0]["certified"] == 1
    assert main(["history", str(census), "--redo"]) == 1
    assert "没有可以重做" in capsys.readouterr().err


def test_output_to_a_closed_pipe_is_dropped_and_the_command_goes_on(tmp_path, capsys):
    """`import … 2>&1 | head -1`, `summary … | head`: the reader leaves early; no traceback, and
    the import still stores every file (its error lines go nowhere too)."""
    census = census_with_population(tmp_path)
    for name, number in (("a", 1), ("b", 2)):
        write_community_return(tmp_path / f"{name}.xlsx", "东区和平街道团结社区", [(name, make_id(number), "初级", None, None, None)])
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04 broken")
    files = [str(tmp_path / n) for n in ("a.xlsx", "坏.xlsx", "b.xlsx")]
    for args, code in ((["import", str(census), *files], 1), (["summary", str(census)], 0)):
        process = subprocess.Popen([sys.executable, "main.py", *args], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        assert process.stdout is not None
        process.stdout.close()  # the reader is gone before the first line
        assert process.wait(timeout=120) == code
    capsys.readouterr()
    main(["summary", str(census), "--json"])
    assert json.loads(capsys.readouterr().out)["regions"][0]["certified"] == 2


def test_a_line_to_a_stream_whose_reader_has_gone_is_dropped(tmp_path, monkeypatch):
    """Both streams: an error line after the reader left must not end the command either."""
    import cli

    class Gone:
        def __init__(self, fd: int):
            self.fd = fd

        def write(self, _text: str) -> int:
            raise BrokenPipeError

        def fileno(self) -> int:
            return self.fd

    with open(tmp_path / "stand-in", "w") as stand_in:
        for name, write in (("stdout", cli._out), ("stderr", cli._err)):
            monkeypatch.setattr(sys, name, Gone(stand_in.fileno()))
            write("已导入")  # raised BrokenPipeError before


def test_a_command_that_fails_leaves_no_new_census_behind(tmp_path, capsys):
    """A mistyped census name with a file that fails: no empty census that `summary` would show."""
    ret = write_community_return(tmp_path / "团结社区.xlsx", "东区和平街道团结社区", [("甲", make_id(1), "初级", None, None, None)])
    for args in (["population", str(tmp_path / "新.census"), str(ret)],  # a return is not a population table
                 ["import", str(tmp_path / "新.census"), str(ret)],  # no regions yet, no --region
                 ["merge", str(tmp_path / "新.census"), str(tmp_path / "无此文件.census")]):
        assert main(args) == 1
        assert not list(tmp_path.glob("新.census*")), args
    assert "Traceback" not in capsys.readouterr().err
    census = census_with_population(tmp_path)  # made and filled: kept
    assert main(["import", str(census), str(tmp_path / "无此文件.xlsx")]) == 1
    assert census.exists()  # it was there before the command: never removed
    assert main(["import", str(tmp_path / "另.census"), str(ret), "--region", "测试市/东区/和平街道/团结社区"]) == 0
    assert (tmp_path / "另.census").exists()


def test_a_name_too_long_for_the_disk_is_one_line(tmp_path, capsys):
    """The operating system refusing a path (here: a 270-byte file name) reads as one Chinese line."""
    census = census_with_population(tmp_path)
    long_name = "很" * 90
    capsys.readouterr()
    for args in (["export", str(census), str(tmp_path / f"{long_name}.xlsx")],
                 ["summary", str(tmp_path / f"{long_name}.census")],
                 ["import", str(census), str(tmp_path / f"{long_name}.xlsx")]):
        assert main(args) == 1, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "文件名或所在路径太长" in err and "Traceback" not in err, err


def test_mistaken_arguments_and_huge_numbers_are_one_chinese_line(tmp_path, capsys):
    census = census_with_population(tmp_path)
    capsys.readouterr()
    expected = {
        ("summary",): "参数有误：缺少census（普查文件）（main.py summary -h 查看用法）",
        ("undo", str(census), "abc"): "参数有误：batch（导入批次号）应为整数，而不是“abc”（main.py undo -h 查看用法）",
        ("import", str(census), "a.xlsx", "--replace", "--keep-both"):
            "参数有误：--keep-both 和 --replace 不能同时使用（main.py import -h 查看用法）",
        ("summary", str(census), "--jsn"): "参数有误：不认识的参数 --jsn，--jsn 是否想用 --json？（main.py summary -h 查看用法）",
        ("import", str(census), "a.xlsx", "--regoin", "东区"):
            "参数有误：不认识的参数 --regoin 东区，--regoin 是否想用 --region？（main.py import -h 查看用法）",
        ("summary", str(census), "--zzz"): "参数有误：不认识的参数 --zzz（main.py summary -h 查看用法）",
        # --help is nobody's mistyped option, however close the letters
        ("summary", str(census), "--level", "5"): "参数有误：不认识的参数 --level 5（main.py summary -h 查看用法）",
    }
    for args, line in expected.items():
        with pytest.raises(SystemExit) as stop:
            main(list(args))
        assert stop.value.code == 1 and capsys.readouterr().err.splitlines() == [line]
    assert main(["goal", str(census), "测试市", "certified", "9" * 23]) == 1
    assert capsys.readouterr().err.splitlines() == ["错误：目标人数太大（99,999,999,999,999,999,999,999），请检查是否多输了数字"]
    from models.errors import CensusError
    from models.goals import Growth

    with pytest.raises(CensusError, match="倍数必须是大于 0 的数"):
        Growth(float("inf"), 90, "")  # --times inf: a goal no figure can reach
    assert main(["unit", str(census), "测试市/东区/和平街道/团结社区", "--type", "医院", "--staff", "9" * 23]) == 1
    assert "在岗职工数太大" in capsys.readouterr().err


def test_correct_takes_pending_rows_only_and_says_when_the_id_was_someone_elses(tmp_path, capsys):
    census = census_with_population(tmp_path)
    main(["import", str(census), str(write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区",
                                                              [("孙莉", make_id(7), "初级", None, None, None),
                                                               ("秦娣", make_id(8)[:17], "初级", None, None, None)]))])
    capsys.readouterr()
    main(["problems", str(census), "--json"])
    problems = json.loads(capsys.readouterr().out)["problems"]
    pending = next(p["row_id"] for p in problems if p["kind"] == "pending")
    counted = pending - 1  # 孙莉's row, the one above: valid and counted
    assert main(["correct", str(census), str(counted), make_id(8)]) == 1  # a mistyped row number
    assert "不是待核实的行" in capsys.readouterr().err
    assert main(["correct", str(census), str(pending), make_id(7)]) == 0  # 孙莉's ID typed for 秦娣
    assert capsys.readouterr().out.splitlines()[-1] == "  注意：该身份证号下的姓名不一致（孙莉、秦娣），已按同一人合并，请核实"


def test_a_multiple_of_an_earlier_figure_of_zero_is_refused(tmp_path, capsys):
    """Any multiple of 0 is a goal of 0, met from the start: the clerk is asked for a number instead."""
    earlier = census_with_population(tmp_path)  # nobody counted yet
    later = tmp_path / "later.census"
    assert main(["population", str(later), str(tmp_path / "p.xlsx")]) == 0
    capsys.readouterr()
    assert main(["goal", str(later), "测试市", "talents", "--times", "2", "--of", str(earlier)]) == 1
    assert "为 0" in capsys.readouterr().err


def test_problems_counts_rows_as_the_summary_does(tmp_path, capsys):
    """The same bad line in a community's return and the street's sheet is listed once, and the
    heading still counts both rows, as summary's pending_rows does."""
    from tests.builders import write_street_return

    census = census_with_population(tmp_path)
    bad = make_id(9)[:17]
    main(["import", str(census), str(write_community_return(tmp_path / "a.xlsx", "东区和平街道团结社区",
                                                              [("张三", bad, "初级", None, None, None)]))])
    main(["import", str(census), str(write_street_return(tmp_path / "和平街道汇总.xlsx", "东区和平街道汇总表",
                                                           [("团结社区", "张三", bad, "初级", None, None, None)]))])
    capsys.readouterr()
    main(["problems", str(census)])
    assert capsys.readouterr().out.splitlines()[0] == "待核实 2 行（1 处，同一行在几份报表中各出现一次的只列一处），其他问题 0 条"
    main(["summary", str(census), "--json"])
    assert json.loads(capsys.readouterr().out)["regions"][0]["pending_rows"] == 2


def test_unit_is_a_step_of_the_history(tmp_path, capsys):
    census = census_with_population(tmp_path)
    unit = "测试市/东区/人民医院"
    with Census.open(census, create=False) as c:
        c.regions.ensure(unit)
    assert main(["unit", str(census), unit, "--type", "医院", "--staff", "300"]) == 0
    assert main(["unit", str(census), unit, "--staff", "20"]) == 0
    capsys.readouterr()
    assert main(["history", str(census), "--undo"]) == 0
    assert "已撤销：修改单位信息" in capsys.readouterr().out
    with Census.open(census, create=False) as c:
        got = c.units.get(c.regions.by_path(unit).id)
        assert (got.unit_type, got.staff) == ("医院", 300)


def test_demo_never_overwrites_a_real_census_or_another_file(tmp_path, capsys):
    census = census_with_population(tmp_path)
    before = census.read_bytes()
    sheet = tmp_path / "摸排表.xlsx"
    sheet.write_bytes(b"PK\x03\x04 a clerk's workbook")
    for target in (census, sheet):
        capsys.readouterr()
        assert main(["demo", str(target)]) == 1
        err = capsys.readouterr().err
        assert err.splitlines() == [f"错误：{target.name}：文件已存在，且不是示例普查文件：生成示例不会覆盖它，"
                                    "请换一个文件名（如 示例.census）"]
    assert census.read_bytes() == before and sheet.read_bytes() == b"PK\x03\x04 a clerk's workbook"
    demo = tmp_path / "示例.census"
    assert main(["demo", str(demo)]) == 0
    assert main(["demo", str(demo)]) == 0  # a demo census is rebuilt
