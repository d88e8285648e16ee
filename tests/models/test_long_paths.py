"""Paths Windows opens whatever their length (models.long_paths): the prefix only where Windows
needs it, and never in what the clerk sees."""

from __future__ import annotations

import pytest

from importers.files import expand_paths
from importers.readers import file_bytes
from models.long_paths import LONG, is_dir, long_path, plain

DEEP = "D:\\摸排\\" + "各街道报送材料（2024年12月）\\" * 14 + "团结社区摸排表.xlsx"


def test_a_long_windows_path_gets_the_prefix_and_loses_it_again():
    assert len(DEEP) > 260
    prefixed = long_path(DEEP, windows=True)
    assert prefixed == "\\\\?\\" + DEEP and plain(prefixed) == DEEP


def test_a_long_path_on_a_shared_folder_is_prefixed_as_unc():
    shared = "\\\\文件服务器\\民政\\" + "子文件夹\\" * 60 + "表.xlsx"
    prefixed = long_path(shared, windows=True)
    assert prefixed.startswith("\\\\?\\UNC\\文件服务器\\民政\\") and plain(prefixed) == shared


def test_forward_slashes_and_dots_are_made_what_the_prefix_takes():
    messy = "D:/摸排/" + "报送/" * 80 + "../团结社区.xlsx"
    assert long_path(messy, windows=True) == "\\\\?\\D:\\摸排\\" + "报送\\" * 79 + "团结社区.xlsx"


@pytest.mark.parametrize("path", ["D:\\摸排\\团结社区.xlsx", "\\\\?\\" + DEEP])
def test_a_short_or_prefixed_path_stays_as_it_is(path):
    assert long_path(path, windows=True) == path


def test_elsewhere_than_windows_nothing_changes(tmp_path):
    deep = tmp_path.joinpath(*["各街道报送材料（2024年12月）"] * 10)
    deep.mkdir(parents=True)
    (deep / "团结社区摸排表.xlsx").write_bytes(b"PK")
    assert len(str(deep)) > LONG and long_path(deep, windows=False) == str(deep)
    assert expand_paths([tmp_path]) == [deep / "团结社区摸排表.xlsx"]  # the folder walk still finds it
    assert file_bytes(deep / "团结社区摸排表.xlsx") == b"PK"


def test_is_dir_tells_a_folder_a_file_and_nothing(tmp_path):
    """One answer for the folder walk (importers.files) and for reading a chosen file (plan.read_file)."""
    (tmp_path / "f.xlsx").write_bytes(b"x")
    assert is_dir(tmp_path) is True and is_dir(tmp_path / "f.xlsx") is False
    assert is_dir(tmp_path / "missing.xlsx") is None and is_dir(tmp_path / "f.xlsx" / "under") is None
