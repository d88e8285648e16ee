"""Templates for many regions: one folder per county and street, progress per file, and 取消."""

from __future__ import annotations

import pytest

import exporters.template
from exporters.template import template_files, write_templates
from importers.plan import plan_file
from models.errors import CensusError


def _drain(gen):
    steps = []
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            return steps, stop.value


def test_many_templates_go_into_a_folder_per_county_and_street(census, tmp_path, monkeypatch):
    monkeypatch.setattr(exporters.template, "FOLDERS_FROM", 2)
    steps, paths = _drain(template_files(census, tmp_path / "out"))
    assert [p.relative_to(tmp_path / "out").as_posix() for p in paths] == [
        "东区/和平街道/团结社区_摸排登记表.xlsx", "东区/和平街道/幸福社区_摸排登记表.xlsx",
        "东区/红星镇/团结村_摸排登记表.xlsx", "西区/光华街道/团结社区_摸排登记表.xlsx"]
    assert [(s.done, s.total) for s in steps] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    for path in paths:  # the file name no longer says where it is for: its 填报单位 line still does
        plan = plan_file(census, path)
        assert plan.uncertain == [] and plan.region.source == "filler"
        assert plan.region.path.endswith(path.parent.name + "/" + path.name.split("_")[0])


def test_few_templates_stay_in_one_folder(census, tmp_path):
    paths = write_templates(census, tmp_path)
    assert {p.parent for p in paths} == {tmp_path}


def test_cancel_stops_between_files_and_says_what_was_written(census, tmp_path):
    written: list[int] = []
    run = template_files(census, tmp_path, cancel=lambda: len(written) >= 2)
    with pytest.raises(CensusError) as caught:
        for step in run:
            written.append(step.done)
    assert "已生成 2 个" in caught.value.message and "未生成 2 个" in caught.value.message
    assert len(list(tmp_path.glob("*.xlsx"))) == 2
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == []  # no temporary folder left


def test_the_command_line_shows_progress_and_the_folder(census, tmp_path, monkeypatch, capsys):
    from cli import main

    monkeypatch.setattr(exporters.template, "FOLDERS_FROM", 2)
    assert main(["template", str(census.path), str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert "已生成 4 / 4 个采集模板" in err
    assert "已按区县、街道分文件夹保存在" in out and "已生成 4 个采集模板" in out


def test_a_street_named_longer_than_a_folder_name_may_be_gets_its_folder_cut_short(tmp_path, monkeypatch):
    from exporters.xlsx import NAME_MAX_BYTES
    from models.census import Census
    from tests.exporters.conftest import build_census

    long_street = "很长的街道名称" * 30 + "街道"  # 632 bytes in UTF-8: no file system takes it whole
    monkeypatch.setattr(exporters.template, "FOLDERS_FROM", 2)
    with Census.open(build_census(tmp_path / "c")) as census:
        census.regions.ensure(f"测试市/东区/{long_street}/长街社区", kind="community")
        _steps, paths = _drain(template_files(census, tmp_path / "out"))  # stopped: 文件名或所在路径太长
        assert len(paths) == 5
        (path,) = [p for p in paths if p.name.startswith("长街社区")]
        assert len(path.parent.name.encode()) <= NAME_MAX_BYTES
        assert plan_file(census, path).region.path == f"测试市/东区/{long_street}/长街社区"
