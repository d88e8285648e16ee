"""Excel's XML Spreadsheet 2003 (importers.spreadsheet_ml): read as Excel opens it, in the shapes
calamine gives an .xlsx of the same cells; hostile documents end in one line."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest

import importers.readers as readers
from importers.job import import_file
from importers.readers import read_workbook
from models.census import Census
from models.errors import ReadError
from tests.importers.test_hostile_workbooks import read_in_child

CORRUPT = "文件已损坏或不完整，无法读取，请让报送单位重新导出"

HEAD = """<?xml version="1.0" encoding="{encoding}"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
"""
RETURN = """ <Worksheet ss:Name="人员名单">
  <Table ss:ExpandedColumnCount="5" x:FullColumns="1">
   <Row><Cell ss:MergeAcross="4"><Data ss:Type="String">社会工作专业人才摸排登记表</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">填报单位：海勃湾区新华街道桥东社区</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">姓名</Data></Cell><Cell><Data ss:Type="String">身份证号码</Data></Cell>
    <Cell><Data ss:Type="String">学历</Data></Cell><Cell><Data ss:Type="String">取得证书时间</Data></Cell>
    <Cell><Data ss:Type="String">培训学时</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">张三</Data></Cell><Cell><Data ss:Type="String">150302198001011237</Data></Cell>
    <Cell><Data ss:Type="String">本科</Data></Cell><Cell><Data ss:Type="DateTime">2019-06-01T00:00:00.000</Data></Cell>
    <Cell><Data ss:Type="Number">120</Data></Cell></Row>
   <Row ss:Index="6"><Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>李</B>四</ss:Data></Cell>
    <Cell><Data ss:Type="Number">150302198002021234</Data></Cell><Cell ss:Index="5"><Data ss:Type="Number">12.5</Data></Cell></Row>
   <Row><Cell ss:MergeDown="1"><Data ss:Type="String">王五</Data></Cell><Cell><Data ss:Type="String">150302198003031231</Data></Cell>
    <Cell><Data ss:Type="String">  </Data></Cell><Cell><Data ss:Type="Error">#N/A</Data></Cell>
    <Cell><Data ss:Type="Number">8</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="说明">
  <Table><Row><Cell><Data ss:Type="String">去年的名单</Data></Cell><Cell><Data ss:Type="Boolean">1</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
"""
TAIL = "</Workbook>\n"


def _write(path: Path, body: str = RETURN, encoding: str = "gb2312") -> Path:
    path.write_bytes((HEAD.format(encoding=encoding) + body + TAIL).encode(encoding))
    return path


def same_as_xlsx(path: Path, li: tuple[str, str | None] = ("李四", None)) -> Path:
    """The workbook Excel makes of RETURN, saved as .xlsx; `li`: 李四's name and ID cells (here the
    ID is a Number, see the test: openpyxl writes 16 digits of a double)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员名单"
    ws["A1"] = "社会工作专业人才摸排登记表"
    ws.merge_cells("A1:E1")
    ws["A2"] = "填报单位：海勃湾区新华街道桥东社区"
    ws.append(["姓名", "身份证号码", "学历", "取得证书时间", "培训学时"])
    ws.append(["张三", "150302198001011237", "本科", datetime.datetime(2019, 6, 1), 120])
    ws.append([])
    ws.append([*li, None, None, 12.5])
    ws.append(["王五", "150302198003031231", None, None, 8])
    ws.merge_cells("A7:A8")
    hidden = wb.create_sheet("说明")
    hidden["A1"], hidden["B1"] = "去年的名单", True
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


@pytest.mark.parametrize(("name", "encoding"), [("人员.xls", "gb2312"), ("人员.xml", "utf-8"), ("人员.xls", "utf-16")])
def test_read_as_the_same_cells_saved_as_xlsx(tmp_path, name, encoding):
    workbook = read_workbook(_write(tmp_path / name, encoding=encoding))
    xlsx = read_workbook(same_as_xlsx(tmp_path / "同样.xlsx"))
    assert workbook.format == "xml"
    # a Number is the double Excel holds: an 18-digit ID has lost its tail, as in Excel
    assert workbook.sheets[0].rows[5][1] == float(150302198002021234)
    workbook.sheets[0].rows[5][1] = None
    assert [(s.name, s.rows, s.merged, s.hidden) for s in workbook.sheets] == [
        (s.name, s.rows, s.merged, s.hidden) for s in xlsx.sheets]
    people = workbook.sheets[0].rows
    assert people[3][3] == datetime.date(2019, 6, 1) and people[3][4] == 120
    assert people[5][0] == "李四"  # rich text is read as its text


def test_imported_like_any_return_and_its_rows_read_back(tmp_path):
    path = _write(tmp_path / "桥东社区摸排表.xls")
    with Census.open(tmp_path / "c.census") as census:
        result = import_file(census, path, region="乌海市/海勃湾区/新华街道/桥东社区")
        assert (result.rows_ok, result.rows_pending) == (2, 1)  # 李四's ID went through Excel as a number
        assert census.people.get("150302198001011237").name == "张三"
        row = census.people.rows("150302198001011237")[0]
        assert row.raw[:2] == ("张三", "150302198001011237")  # the kept file read back by sheet and row


def test_not_well_formed_is_damaged(tmp_path):
    path = tmp_path / "坏.xls"
    path.write_bytes((HEAD.format(encoding="utf-8") + RETURN[:400]).encode())
    with pytest.raises(ReadError) as info:
        read_workbook(path)
    assert info.value.message == CORRUPT


def test_a_row_index_far_out_is_refused_before_a_grid_is_made(tmp_path):
    body = RETURN.replace('<Row><Cell ss:MergeDown="1">', '<Row ss:Index="1048576"><Cell ss:MergeDown="1">').replace(
        '<Cell ss:Index="5">', '<Cell ss:Index="16384">')
    result = read_in_child(_write(tmp_path / "远角.xls", body))
    assert result["error"] == "远角.xls：工作表“人员名单”声明的范围过大（数据延伸到 XFD1048576），请删除多余的行列后再导入"


def test_more_cells_than_a_return_holds_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_CELLS", 10)
    with pytest.raises(ReadError) as info:
        read_workbook(_write(tmp_path / "多.xls"))
    assert "声明的范围过大" in info.value.message


def test_entity_expansion_is_refused_not_expanded(tmp_path):
    entities = '<!ENTITY a "' + "x" * 100 + '">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8))
    body = RETURN.replace("社会工作专业人才摸排登记表", "&i;")
    path = tmp_path / "炸弹.xls"
    path.write_bytes((HEAD.format(encoding="utf-8").replace("<?mso", f"<!DOCTYPE Workbook [{entities}]>\n<?mso")
                      + body + TAIL).encode())
    result = read_in_child(path)
    assert result["error"] == f"炸弹.xls：{CORRUPT}"


def test_an_html_page_from_excel_is_still_read_as_its_tables(tmp_path):
    path = tmp_path / "网页.xls"
    path.write_text('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><body><table>'
                    "<tr><td>姓名</td><td>身份证号码</td><td>学历</td></tr>"
                    "<tr><td>张三</td><td>150302198001011237</td><td>本科</td></tr></table></body></html>",
                    encoding="utf-8")
    workbook = read_workbook(path)
    assert workbook.format == "html" and workbook.sheets[0].rows[1][0] == "张三"


def test_another_xml_file_says_what_it_is_not(tmp_path):
    path = tmp_path / "config.xml"
    path.write_text('<?xml version="1.0"?><configuration><add key="a" value="1"/></configuration>', encoding="utf-8")
    with pytest.raises(ReadError) as info:
        read_workbook(path)
    assert info.value.message.startswith("这个 XML 文件不是 Excel 的“XML 电子表格 2003”")
