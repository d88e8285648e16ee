"""A small census built in tmp_path for the exporter tests: population table plus three returns.

测试市 (tests/builders.TREE): 和平街道's 团结社区 and 幸福社区 send community registers, 光华街道
sends a consolidated sheet with a 所属社区 column; 红星镇/团结村 sends nothing. The rows cover
every category, a person in two files under two names, a 17-digit ID, an ID typed as a number and
a certificate level nobody can read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from importers.job import import_file
from importers.population import load_population
from models.census import Census
from tests.builders import make_id, write_community_return, write_population, write_street_return

SHORT_ID = make_id(90)[:17]


def build_census(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "测试.census"
    tuanjie = write_community_return(folder / "团结社区.xlsx", "东区和平街道团结社区", [
        ("张三", make_id(1), "助理社会工作师", "本科", "社会工作", 40),
        ("李四", make_id(2), "社会工作师", "高中", "", 0),
        ("王五", make_id(3), "", "大专", "会计", 130),
        ("赵六", make_id(4), "无", "本科", "会计", 20),
        ("钱七", SHORT_ID, "助理社会工作师", "本科", "社会学", 200),
        ("孙八", make_id(5), "持证", "高中", "", 0),
    ])
    xingfu = write_community_return(folder / "幸福社区.xlsx", "东区和平街道幸福社区", [
        ("周九", make_id(6), "高级社会工作师", "硕士研究生", "社会学", 300),
        ("张三丰", make_id(1), "", "", "", 130),
    ])
    guanghua = write_street_return(folder / "光华街道.xlsx", "西区光华街道社会工作专业人才摸排表", [
        ("团结社区", "吴十", make_id(7), "助理社会工作师", "大专", "社会学", 0),
        ("", "郑一", make_id(8), "", "硕士研究生", "心理学", 0),
        ("团结社区", "冯二", int(make_id(9)), "社会工作师", "本科", "", 0),
    ])
    with Census.open(path) as census:
        census.set_title("测试市社工人才摸排")
        load_population(census, write_population(folder / "户籍人口.xlsx"))
        for ret in (tuanjie, xingfu, guanghua):
            import_file(census, ret)
    return path


@pytest.fixture(scope="session")
def census_file(tmp_path_factory) -> Path:
    return build_census(tmp_path_factory.mktemp("census"))


@pytest.fixture
def census(census_file):
    with Census.open(census_file) as opened:
        yield opened
