"""A printed template is the rows a community needs plus a few spare, not 500 numbered rows."""

from __future__ import annotations

import openpyxl

from exporters.template import BLANK_ROWS, FIRST_DATA, MIN_PRINTED, SIGN_LINE, SPARE_ROWS, write_templates


def _sheet(path):
    return openpyxl.load_workbook(path)["摸排登记表"]


def test_printed_rows_follow_the_persons_known(census, tmp_path):
    path = "测试市/东区/和平街道/团结社区"
    region = census.regions.by_path(path)
    known = census.people.count(region_id=region.id)
    assert known > 0
    (out,) = write_templates(census, tmp_path, region=path)
    ws = _sheet(out)
    printed = max(known + SPARE_ROWS, MIN_PRINTED)
    last_printed = FIRST_DATA + printed  # 1-based
    assert ws.print_area == f"'摸排登记表'!$A$1:$N${last_printed}"
    assert ws.cell(last_printed, 1).value == printed  # numbered up to there
    assert ws.cell(last_printed + 1, 1).value is None  # typing rows below are not numbered
    assert ws.cell(FIRST_DATA + BLANK_ROWS, 4).number_format == "@"  # but still formatted for typing
    assert SIGN_LINE in ws.oddFooter.left.text


def test_a_node_nobody_reported_gets_one_page_to_fill_in(census, tmp_path):
    (out,) = write_templates(census, tmp_path, region="测试市/东区/红星镇/团结村")
    ws = _sheet(out)
    assert ws.print_area == f"'摸排登记表'!$A$1:$N${FIRST_DATA + MIN_PRINTED}"
