"""OpenDocument spreadsheets (importers.ods): read as the same cells saved as .xlsx read, imported
like any return; repeats that stand for billions of cells are refused before they are made."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import pytest

import importers.readers as readers
from importers.job import import_file
from importers.readers import read_workbook, sniff_format
from models.census import Census
from models.errors import EncryptedWorkbook, ReadError
from tests.importers.ods_files import write_ods
from tests.importers.test_hostile_workbooks import read_in_child
from tests.importers.test_spreadsheet_ml import same_as_xlsx

CORRUPT = "文件已损坏或不完整，无法读取，请让报送单位重新导出"
ZHANG, LI = "150302198001011237", "150302198002021234"
PEOPLE = [
    [("社会工作专业人才摸排登记表", 1, 5)],
    ["填报单位：海勃湾区新华街道桥东社区"],
    ["姓名", "身份证号码", "学历", "取得证书时间", "培训学时"],
    ["张三", ZHANG, "本科", datetime.date(2019, 6, 1), 120],
    [],
    ["李  四\n（社工站）", LI, None, None, 12.5],
    [("王五", 2, 1), "150302198003031231", None, None, 8],
]


def _ods(path: Path) -> Path:
    return write_ods(path, [("人员名单", PEOPLE), ("说明", [["去年的名单", True]])], hidden=frozenset({"说明"}))


def test_read_as_the_same_cells_saved_as_xlsx(tmp_path):
    workbook = read_workbook(_ods(tmp_path / "人员.ods"))
    xlsx = read_workbook(same_as_xlsx(tmp_path / "同样.xlsx", ("李  四\n（社工站）", LI)))
    assert workbook.format == "ods"
    assert [(s.name, s.rows, s.merged, s.hidden) for s in workbook.sheets] == [
        (s.name, s.rows, s.merged, s.hidden) for s in xlsx.sheets]
    assert len(workbook.sheets[0].rows) == 7  # the 1,048,569 empty rows LibreOffice closes with are no rows


def test_sniffed_by_its_mimetype_whatever_its_name(tmp_path):
    path = _ods(tmp_path / "人员.xlsx")  # renamed by hand
    assert sniff_format(path.read_bytes()[:4096], path.name) == "ods"
    assert read_workbook(path).sheets[0].rows[3][0] == "张三"


def test_imported_like_any_return_and_its_rows_read_back(tmp_path):
    path = _ods(tmp_path / "桥东社区摸排表.ods")
    with Census.open(tmp_path / "c.census") as census:
        result = import_file(census, path, region="乌海市/海勃湾区/新华街道/桥东社区")
        assert (result.rows_ok, result.rows_pending) == (3, 0)
        assert census.people.get(ZHANG).name == "张三"
        assert census.people.rows(ZHANG)[0].raw[:2] == ("张三", ZHANG)  # the kept file read back


def test_a_row_repeated_a_million_times_is_refused_before_it_is_made(tmp_path):
    content = (_ods(tmp_path / "x.ods") and zipfile.ZipFile(tmp_path / "x.ods").read("content.xml").decode())
    flood = ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
             'table:number-columns-repeated="16384" office:value-type="string"><text:p>张三</text:p>'
             "</table:table-cell></table:table-row>")
    content = content.replace("<table:table-row>", flood + "<table:table-row>", 1)
    result = read_in_child(write_ods(tmp_path / "重复.ods", [], content=content))
    assert result["error"].startswith("重复.ods：工作表“人员名单”声明的范围过大")


def test_more_cells_than_a_return_holds_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_CELLS", 10)
    with pytest.raises(ReadError) as info:
        read_workbook(_ods(tmp_path / "多.ods"))
    assert "声明的范围过大" in info.value.message


def test_a_content_that_inflates_far_is_a_bomb(tmp_path):
    content = "<office:document-content/>" + " " * 300_000_000
    path = write_ods(tmp_path / "炸弹.ods", [], content=content)
    result = read_in_child(path)
    assert result["error"] == "炸弹.ods：文件解压后过大，疑似异常文件，请让报送单位重新导出"


def test_an_opening_password_says_so(tmp_path):
    extra = ('<manifest:file-entry manifest:full-path="content.xml2" manifest:media-type="text/xml">'
             '<manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry>')
    path = write_ods(tmp_path / "加密.ods", [], content="\x00garbage", manifest_extra=extra)
    with pytest.raises(EncryptedWorkbook):
        read_workbook(path)


@pytest.mark.parametrize("content", ["<office:document-content", "<a><table:table-row/></a>"])
def test_not_well_formed_or_not_a_spreadsheet_is_damaged(tmp_path, content):
    with pytest.raises(ReadError) as info:
        read_workbook(write_ods(tmp_path / "坏.ods", [], content=content))
    assert info.value.message in (CORRUPT, "工作簿中没有任何数据")
