"""The census file itself and the disk it lives on (issue 9, items 10 and 11).

A census from a newer version, a read-only census, a missing or mistyped one, a folder where a
file belongs, a full disk, an export killed half-way or blocked by Excel: each ends in one clear
Chinese line naming the file, exit code 1, no traceback, and the census exactly as it was.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xlsxwriter.worksheet

import models.census
from cli import main
from exporters.xlsx import TEMP_PREFIX
from models.census import Census
from models.errors import NEWER_CENSUS, READ_ONLY, CensusError, DiskFull
from models.schema import LATEST_VERSION
from tests.builders import make_id, write_community_return, write_population

ROOT = Path(__file__).resolve().parents[1]
FULL = "磁盘空间不足"


# ---- helpers -------------------------------------------------------------------------------

def build_census(tmp_path: Path, name: str = "c.census") -> Path:
    """A census with the test population and one return (a pending row among them)."""
    census = tmp_path / name
    assert main(["population", str(census), str(write_population(tmp_path / "p.xlsx"))]) == 0
    wrong_check_digit = make_id(2)[:-1] + ("0" if make_id(2)[-1] != "0" else "1")
    ret = write_community_return(tmp_path / f"{name}-团结.xlsx", "东区和平街道团结社区",
                                 [("甲", make_id(1), "助理社会工作师", None, None, None),
                                  ("乙", wrong_check_digit, "社会工作师", None, None, None)])
    assert main(["import", str(census), str(ret)]) == 0
    return census


def snapshot(path: Path) -> tuple[bytes, int, list[str]]:
    """The census's bytes, its mtime and the files beside it: all must survive a refused command."""
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def content(path: Path) -> list[str]:
    """Every row of the census, read without writing; and integrity_check must say ok."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return list(conn.iterdump())
    finally:
        conn.close()


def one_clear_line(err: str, *needles: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def every_command(census: Path, tmp_path: Path) -> list[list[str]]:
    """Each subcommand once, aimed at `census` (outputs go to `tmp_path/out`)."""
    out = tmp_path / "out"
    ret = write_community_return(tmp_path / "新表.xlsx", "东区和平街道幸福社区", [("丙", make_id(3), "助理社会工作师",
                                                                         None, None, None)])
    (tmp_path / "other").mkdir()
    other = build_census(tmp_path / "other", "other.census")
    c = str(census)
    return [
        ["summary", c], ["summary", c, "--json"], ["problems", c], ["problems", c, "--json"],
        ["problems", c, "--per-region", str(out / "更正")], ["batches", c], ["regions", c],
        ["export", c, str(out / "汇总.xlsx")], ["template", c, str(out / "模板")],
        ["import", c, str(ret)], ["population", c, str(tmp_path / "p.xlsx")], ["undo", c, "1"],
        ["correct", c, "2", make_id(9)], ["fold", c, "测试市/西区", "测试市/东区"],
        ["goal", c, "测试市", "talents", "5"], ["merge", c, str(other)], ["merge", str(other), c],
    ]


# ---- a census made by a newer version ----------------------------------------------------

def test_a_newer_census_is_refused_by_every_command_and_never_written(tmp_path, capsys):
    census = build_census(tmp_path)
    conn = sqlite3.connect(census)
    conn.execute("INSERT INTO migrations VALUES (?, '2099-01-01')", (LATEST_VERSION + 1,))
    conn.commit()
    conn.close()
    commands = every_command(census, tmp_path)
    before = snapshot(census)
    for argv in commands:
        code, _out, err = run(capsys, *argv)
        assert code == 1, argv
        one_clear_line(err, NEWER_CENSUS, census.name)
        assert snapshot(census) == before, argv
    assert not (tmp_path / "out").exists()  # nothing exported from a census we do not understand


def test_the_window_entry_refuses_a_newer_census_without_creating_anything(tmp_path):
    """Through main.py in a fresh process: the same line, exit code 1."""
    census = build_census(tmp_path)
    conn = sqlite3.connect(census)
    conn.execute("INSERT INTO migrations VALUES (?, '2099-01-01')", (LATEST_VERSION + 1,))
    conn.commit()
    conn.close()
    before = snapshot(census)
    result = subprocess.run([sys.executable, "main.py", "summary", str(census)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    one_clear_line(result.stderr, NEWER_CENSUS, census.name)
    assert snapshot(census) == before


# ---- a read-only census ------------------------------------------------------------------

def force_read_only(monkeypatch) -> None:
    """Make the census look unwritable, as a chmod 444 file or a read-only folder does for a normal
    user. Tests run as root, for whom chmod stops nothing, so the check itself is replaced; the
    connection the census then gets really cannot write (SQLite's read-only, immutable mode)."""
    monkeypatch.setattr(models.census, "_writable", lambda path: False)


def test_a_read_only_census_is_read_by_every_read_command(tmp_path, capsys, monkeypatch):
    census = build_census(tmp_path)
    force_read_only(monkeypatch)
    before = snapshot(census)
    out = tmp_path / "out"
    for argv in (["summary", str(census)], ["summary", str(census), "--json"], ["problems", str(census)],
                 ["problems", str(census), "--per-region", str(out / "更正")], ["batches", str(census)],
                 ["regions", str(census)], ["export", str(census), str(out / "汇总.xlsx")],
                 ["template", str(census), str(out / "模板")]):
        code, stdout, err = run(capsys, *argv)
        assert code == 0, (argv, err)
        assert stdout and not err
    assert (out / "汇总.xlsx").exists() and list((out / "模板").glob("*.xlsx")) and list((out / "更正").glob("*.xlsx"))
    assert snapshot(census)[:2] == before[:2]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before[2], "out"])  # no -wal or -shm left


def test_a_read_only_census_refuses_writes_with_one_line(tmp_path, capsys, monkeypatch):
    census = build_census(tmp_path)
    force_read_only(monkeypatch)
    ret = write_community_return(tmp_path / "新表.xlsx", "东区和平街道幸福社区", [("丙", make_id(3), "助理社会工作师",
                                                                         None, None, None)])
    before = snapshot(census)
    for argv in (["import", str(census), str(ret)], ["undo", str(census), "1"],
                 ["population", str(census), str(tmp_path / "p.xlsx")], ["goal", str(census), "测试市", "talents", "5"]):
        code, _out, err = run(capsys, *argv)
        assert code == 1, argv
        one_clear_line(err, "只读", census.name)
    assert snapshot(census) == before


def test_a_new_census_in_a_read_only_folder_says_so(tmp_path, capsys, monkeypatch):
    """Nothing to read there yet: not "a read-only census made by an older version"."""
    force_read_only(monkeypatch)
    with pytest.raises(CensusError, match="所在文件夹没有写入权限，无法新建普查文件"):
        Census.open(tmp_path / "新普查.census", read_only_ok=True)
    assert not (tmp_path / "新普查.census").exists()


def test_a_damaged_census_and_a_failed_copy_say_why_in_chinese(tmp_path):
    census_path = build_census(tmp_path)
    damaged = tmp_path / "坏.census"
    damaged.write_bytes(census_path.read_bytes()[:100] + b"\x00" * 4000)  # the header, then nothing sensible
    with pytest.raises(CensusError) as err:
        Census.open(damaged)
    assert str(err.value).startswith("坏.census：普查文件已损坏，无法打开") and err.value.message.isascii() is False
    assert "malformed" not in str(err.value) and "database" not in str(err.value)
    with Census.open(census_path) as census:
        (tmp_path / "目录.census").mkdir()
        with pytest.raises(CensusError, match="无法另存为“目录.census”：这是一个文件夹"):
            census.save_copy(tmp_path / "目录.census")
        with pytest.raises(CensusError, match="无法另存为“x.census”：所在文件夹不存在"):
            census.save_copy(tmp_path / "没有的文件夹" / "x.census")


def test_a_read_only_connection_really_cannot_write(tmp_path, monkeypatch):
    """Even as root: the census opened read-only refuses every write, at both levels."""
    census_path = build_census(tmp_path)
    force_read_only(monkeypatch)
    before = snapshot(census_path)
    with Census.open(census_path, create=False, read_only_ok=True) as census:
        assert census.read_only
        assert census.summary()[0].talents == 1
        with pytest.raises(CensusError, match=READ_ONLY[:8]):
            census.regions.set_population(census.regions.all()[0].id, 5)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            census.conn.execute("UPDATE regions SET population = 1")
    assert snapshot(census_path) == before


def test_a_read_only_census_with_odd_characters_in_its_path(tmp_path, capsys, monkeypatch):
    """The read-only connection is opened by URI: ?, #, % and spaces in the path must not cut it."""
    folder = tmp_path / "年报 #1 ?100%"
    folder.mkdir()
    census = build_census(folder, "普查 #2?.census")
    force_read_only(monkeypatch)
    code, out, err = run(capsys, "summary", str(census))
    assert code == 0, err
    assert "测试市" in out


def test_a_census_open_elsewhere_is_read_with_what_was_committed(tmp_path, capsys, monkeypatch):
    """The window has the census open (a -wal file beside it) while the CLI reads it, read-only too."""
    census = build_census(tmp_path)
    with Census.open(census) as writer:
        writer.set_title("窗口里改的标题")  # committed to the -wal, not yet to the census file
        assert Path(f"{census}-wal").exists()
        code, out, _err = run(capsys, "summary", str(census))
        assert code == 0 and "窗口里改的标题" in out
        force_read_only(monkeypatch)
        code, out, _err = run(capsys, "summary", str(census))
        assert code == 0 and "窗口里改的标题" in out


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores file permissions")
def test_a_chmod_read_only_census_in_a_read_only_folder_is_summarised(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    census = build_census(folder)
    for p in folder.iterdir():
        p.chmod(0o444)
    folder.chmod(0o555)
    try:
        result = subprocess.run([sys.executable, "main.py", "summary", str(census)], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "测试市" in result.stdout
    finally:
        folder.chmod(0o755)


# ---- missing files, folders, typos -------------------------------------------------------

@pytest.mark.parametrize("command", ["summary", "problems", "regions", "batches", "export", "template", "undo",
                                     "correct", "fold", "goal"])
def test_read_commands_never_create_a_census(tmp_path, capsys, command):
    typo = tmp_path / "typo.census"
    extra = {"export": [str(tmp_path / "x.xlsx")], "template": [str(tmp_path / "t")], "undo": ["1"],
             "correct": ["1", make_id(1)], "fold": ["a", "b"], "goal": ["测试市", "talents", "1"]}
    code, _out, err = run(capsys, command, str(typo), *extra.get(command, []))
    assert code == 1
    one_clear_line(err, "找不到普查文件：typo.census")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["summary"], ["problems"], ["export", "x.xlsx"], ["import", "a.xlsx"],
                                     ["population", "p.xlsx"]])
def test_a_folder_given_as_the_census_is_one_line(tmp_path, capsys, command):
    folder = tmp_path / "文件夹.census"
    folder.mkdir()
    argv = [command[0], str(folder), *(str(tmp_path / a) for a in command[1:])]
    code, _out, err = run(capsys, *argv)
    assert code == 1
    one_clear_line(err, "文件夹.census", "文件夹")
    assert list(folder.iterdir()) == []


def test_a_folder_given_as_the_export_file_is_one_line(tmp_path, capsys):
    census = build_census(tmp_path)
    target = tmp_path / "some_dir.xlsx"
    target.mkdir()
    code, _out, err = run(capsys, "export", str(census), str(target))
    assert code == 1
    one_clear_line(err, "some_dir.xlsx", "文件夹")
    assert list(target.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((TEMP_PREFIX, "tmp", ".~"))]


def test_a_mistyped_subcommand_is_named_and_opens_nothing(tmp_path):
    census = tmp_path / "x.census"
    code = ("import sys, main; rc = main.main(['sumary', sys.argv[1]]);"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(census)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == "未知命令“sumary”，是否想用 summary？"
    assert list(tmp_path.iterdir()) == []


def test_a_word_followed_by_more_words_is_an_unknown_command(tmp_path):
    from main import unknown_command

    assert unknown_command(["frobnicate", "x.census"], ["summary", "export"]).startswith("未知命令“frobnicate”")
    assert unknown_command(["新普查"], ["summary"]) is None  # a census to create in the window
    assert unknown_command(["--demo"], ["summary"]) is None
    existing = tmp_path / "sumary"
    existing.write_bytes(b"")
    assert unknown_command([str(existing)], ["summary"]) is None


def test_an_option_without_a_command_is_named_and_opens_nothing(tmp_path):
    """`main.py --jsn` opened the window and dropped the option; a command's option given before
    any command is named with its command, a mistyped --demo with --demo."""
    code = ("import sys, main; rc = main.main(['--jsn', sys.argv[1]]);"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "x.census")], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().startswith("未知选项“--jsn”：是否想用 --json？它是 summary、problems、compare 的选项")
    assert list(tmp_path.iterdir()) == []
    from main import unknown_option

    assert unknown_option(["--dmeo"]) == "未知选项“--dmeo”，是否想用 --demo？"
    assert unknown_option(["--replace", "a.xlsx"]).startswith("未知选项“--replace”：--replace 是 import 的选项")
    assert "不带命令时只能写 --demo 或普查文件" in unknown_option(["-zzz"])
    assert unknown_option(["--demo"]) is None and unknown_option(["新普查.census"]) is None and unknown_option([]) is None
    assert unknown_option(["-2024.census"]) is None  # a census file's name, not an option
    # a window option given a value: the option is named, never another command's (--smoke=1 got goal's --note)
    assert unknown_option(["--demo=1"]) == "选项 --demo 不带值，写成 --demo（未知选项“--demo=1”）"
    assert unknown_option(["--smoke=yes"]).startswith("选项 --smoke 不带值")
    code = ("import sys, main; rc = main.main([sys.argv[1], '-h']);"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded'; sys.exit(rc)")
    shown = subprocess.run([sys.executable, "-c", code, str(tmp_path / "x.census")], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
    assert shown.returncode == 0 and shown.stdout.startswith("用法：main.py")  # the help, not 未知选项


@pytest.mark.parametrize("argv", [["--"], ["-"], ["--", "x.census"], ["x.census", "--"]])
def test_a_bare_dash_is_named_without_a_guess(argv):
    """`main.py -- x.census` was told 是否想用 --of？它是 goal 的选项: difflib's guess for two dashes."""
    from main import unknown_option

    message = unknown_option(argv)
    assert message is not None and "不带命令时只能写 --demo 或普查文件" in message and "是否想用" not in message


# ---- full disk: the census ---------------------------------------------------------------

def full_disk(monkeypatch) -> None:
    """Every census opened from now on may not grow: SQLite fails with SQLITE_FULL as on a full disk."""
    real_open = Census.open.__func__

    def tight_open(cls, path, **kwargs):
        census = real_open(cls, path, **kwargs)
        pages = census.conn.execute("PRAGMA page_count").fetchone()[0]
        census.conn.execute(f"PRAGMA max_page_count = {pages}")
        return census

    monkeypatch.setattr(Census, "open", classmethod(tight_open))


def test_full_disk_during_import_is_one_line_and_the_census_unchanged(tmp_path, capsys, monkeypatch):
    census = build_census(tmp_path)
    rows = [(f"人{i}", make_id(i, county=f"1101{i % 90 + 10:02d}"), "助理社会工作师", "本科", "社会工作", 20)
            for i in range(400)]
    big = write_community_return(tmp_path / "大表.xlsx", "东区和平街道幸福社区", rows)
    before = content(census)
    full_disk(monkeypatch)
    code, _out, err = run(capsys, "import", str(census), str(big))
    assert code == 1
    one_clear_line(err, FULL, "大表.xlsx", "请清理磁盘后重试")
    assert content(census) == before


def test_full_disk_during_population_is_one_line_and_the_census_unchanged(tmp_path, capsys, monkeypatch):
    census = build_census(tmp_path)
    tree = [("测试市", "北区", f"街道{i}", f"社区{i}-{j}", 1000) for i in range(40) for j in range(20)]
    big = write_population(tmp_path / "大户籍表.xlsx", tree)
    before = content(census)
    full_disk(monkeypatch)
    code, _out, err = run(capsys, "population", str(census), str(big))
    assert code == 1
    one_clear_line(err, FULL, census.name, "请清理磁盘后重试")
    assert content(census) == before


def test_full_disk_during_merge_is_one_line_and_the_census_unchanged(tmp_path, capsys, monkeypatch):
    census = build_census(tmp_path)
    (tmp_path / "src").mkdir()
    source = build_census(tmp_path / "src", "src.census")
    rows = [(f"人{i}", make_id(i, county=f"1102{i % 90 + 10:02d}"), "社会工作师", "本科", "社会工作", 20)
            for i in range(400)]
    assert main(["import", str(source), str(write_community_return(tmp_path / "src" / "多.xlsx", "东区和平街道幸福社区",
                                                                    rows))]) == 0
    before = content(census)
    full_disk(monkeypatch)
    code, _out, err = run(capsys, "merge", str(census), str(source))
    assert code == 1
    one_clear_line(err, FULL, census.name, "请清理磁盘后重试")
    assert content(census) == before


def test_a_transaction_sqlite_already_rolled_back_reports_the_real_error(tmp_path):
    """The bug behind the traceback: ROLLBACK after SQLite rolled back by itself."""
    with Census.open(tmp_path / "t.census") as census:
        census.conn.execute(f"PRAGMA max_page_count = {census.conn.execute('PRAGMA page_count').fetchone()[0]}")
        with pytest.raises(DiskFull), census.transaction(), census.transaction():
            census.conn.executemany("INSERT INTO settings VALUES (?, ?)",
                                    ((f"k{i}", "x" * 500) for i in range(2000)))
        assert not census.conn.in_transaction
        census.conn.execute("PRAGMA max_page_count = 1000000")  # room again: the census carries on
        census.set_title("还能继续用")  # the connection is usable afterwards
        assert census.title == "还能继续用"


# ---- full disk, Excel, killed runs: exports ----------------------------------------------

def fail_writes_after(monkeypatch, calls: int) -> None:
    """The sheet writer hits a full disk after `calls` cells (its row files are already on disk)."""
    real = xlsxwriter.worksheet.Worksheet.write_string
    count = {"n": 0}

    def write_string(self, *args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "write_string", write_string)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*"))


@pytest.mark.parametrize("command", ["export", "template", "problems"])
@pytest.mark.parametrize("when", ["writing", "closing"])
def test_full_disk_during_an_export_leaves_nothing(tmp_path, capsys, monkeypatch, command, when):
    census = build_census(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    if when == "writing":
        fail_writes_after(monkeypatch, 5)
    else:
        import zipfile

        def full(self, *args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(zipfile.ZipFile, "write", full)
    before = content(census)
    argv = {"export": ["export", str(census), str(out / "汇总.xlsx")], "template": ["template", str(census), str(out)],
            "problems": ["problems", str(census), "--per-region", str(out)]}[command]
    code, _out, err = run(capsys, *argv)
    assert code == 1
    one_clear_line(err, FULL, ".xlsx", "请清理磁盘后重试")
    assert leftovers(out) == []
    assert content(census) == before


def test_the_next_export_removes_what_a_killed_export_left(tmp_path, capsys):
    census = build_census(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    dead = out / f"{TEMP_PREFIX}999999999-abc"  # no such process
    dead.mkdir()
    (dead / "tmpx1y2z3").write_bytes(b"\0" * 100_000)
    old = out / f"{TEMP_PREFIX}1-old"  # pid 1 lives, but no export runs for a day
    old.mkdir()
    (old / "export.xlsx").write_bytes(b"PK")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    running = out / f"{TEMP_PREFIX}1-now"  # another process exporting right now: left alone
    running.mkdir()
    code, _out, err = run(capsys, "export", str(census), str(out / "汇总.xlsx"))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted([running.name, "汇总.xlsx"])


def test_an_export_over_a_file_open_in_excel_is_one_line(tmp_path, capsys, monkeypatch):
    """Windows refuses to replace a file Excel holds open (PermissionError); simulated here."""
    census = build_census(tmp_path)
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"the old export")

    def locked(src, dst):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr("exporters.xlsx.os.replace", locked)
    code, _out, err = run(capsys, "export", str(census), str(out))
    assert code == 1
    one_clear_line(err, "汇总.xlsx", "文件正被其他程序打开（如 Excel），请关闭后重试")
    assert out.read_bytes() == b"the old export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((TEMP_PREFIX, ".~", "tmp"))) == []
