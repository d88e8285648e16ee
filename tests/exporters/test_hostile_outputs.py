"""Files written per region (templates, correction lists) keep one file per region (issue 9, item 12).

Region names that differ only in characters a file name cannot hold, names that differ only in
case, and names far longer than a file system allows: every region gets its own file, the count
reported is the count written, and nothing stops half-way with "File name too long".
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from cli import main
from exporters.corrections import write_correction_workbooks
from exporters.template import write_templates
from exporters.xlsx import NAME_MAX_BYTES, PATH_MAX_CHARS, output_names
from importers.job import import_file
from importers.population import load_population
from models.census import Census
from tests.builders import make_id, write_community_return, write_population

STREET = "测试市/东区/和平街道"
ALIKE = ["光明:社区", "光明?社区", "光明*社区", "光明 社区", "光明_社区"]
LONG = "很长很长的名字" * 28 + "末尾社区"  # 200 characters, 600 bytes in UTF-8


def wrong_check_digit(n: int) -> str:
    good = make_id(n)
    return good[:-1] + ("0" if good[-1] != "0" else "1")


@pytest.fixture
def hostile(tmp_path) -> Path:
    """A census whose street holds five communities named alike and one with a 200-character name,
    each with a pending row (so each gets a correction list too)."""
    path = tmp_path / "h.census"
    with Census.open(path) as census:
        load_population(census, write_population(tmp_path / "户籍人口.xlsx"))
        for n, name in enumerate([*ALIKE, LONG], start=1):
            census.regions.ensure(f"{STREET}/{name}", kind="community")
            ret = write_community_return(tmp_path / f"r{n}.xlsx", None,
                                         [(f"人{n}", wrong_check_digit(n), "助理社会工作师", None, None, None)])
            import_file(census, ret, region=f"{STREET}/{name}")
    return path


def described_region(path: Path) -> str:
    """The region a written workbook is for (exports put its path in the document properties)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return wb.properties.description
    finally:
        wb.close()


def test_regions_named_alike_each_get_their_own_template(hostile, tmp_path, capsys):
    out = tmp_path / "模板"
    capsys.readouterr()
    assert main(["template", str(hostile), str(out)]) == 0
    stdout = capsys.readouterr().out
    files = sorted(out.glob("*.xlsx"))
    assert f"已生成 {len(files)} 个采集模板" in stdout
    regions = {described_region(f) for f in files}
    assert len(regions) == len(files)  # one file per region, none overwritten
    assert {f"{STREET}/{name}" for name in [*ALIKE, LONG]} <= regions


def test_regions_named_alike_each_get_their_own_correction_list(hostile, tmp_path, capsys):
    out = tmp_path / "更正"
    capsys.readouterr()
    assert main(["problems", str(hostile), "--per-region", str(out)]) == 0
    stdout = capsys.readouterr().out
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == 6 and f"已生成 {len(files)} 个更正清单" in stdout
    assert {described_region(f) for f in files} == {f"{STREET}/{name}" for name in [*ALIKE, LONG]}


def test_a_200_character_region_name_is_cut_to_a_name_every_system_accepts(hostile, tmp_path):
    with Census.open(hostile) as census:
        written = [*write_templates(census, tmp_path / "t"), *write_correction_workbooks(census, tmp_path / "c")]
    long_ones = [p for p in written if "末尾社区" in p.name]
    assert len(long_ones) == 2  # the deepest name, at the end of the path, survives the cut
    for path in written:
        assert len(path.name.encode("utf-8")) <= NAME_MAX_BYTES
        assert len(str(path.resolve())) <= PATH_MAX_CHARS
        assert path.exists()


def test_output_names_are_distinct_ignoring_case_and_keep_their_tail(tmp_path):
    names = output_names(["a:b", "a?b", "A_B", "x/y"], "_清单.xlsx", tmp_path)
    assert names == ["a_b_清单.xlsx", "a_b_2_清单.xlsx", "A_B_3_清单.xlsx", "x_y_清单.xlsx"]
    assert output_names(["\x00\x07控制符\t/"], ".xlsx", tmp_path) == ["控制符.xlsx"]
    assert output_names(["///"], ".xlsx", tmp_path) == ["未命名.xlsx"]


def test_output_names_fit_a_deep_folder_where_they_can(tmp_path):
    deep = tmp_path / ("子" * (200 - len(str(tmp_path))))
    name = output_names([LONG], "_摸排登记表.xlsx", deep)[0]
    assert len(str(deep.resolve())) + 1 + len(name) <= PATH_MAX_CHARS
    assert name.endswith("末尾社区_摸排登记表.xlsx")
    too_deep = tmp_path / ("子" * 300)  # no room at all: the name keeps a readable minimum
    assert output_names([LONG], ".xlsx", too_deep)[0].endswith("末尾社区.xlsx")
