"""One masking rule for ID cells everywhere (screens, exports, command line)."""

from __future__ import annotations

import pytest

from models.identity import mask_id
from models.records import Problem
from tests.builders import make_id

VALID = make_id(1)


def test_valid_id_keeps_area_code_and_last_four():
    assert mask_id(VALID) == VALID[:6] + "*" * 8 + VALID[-4:]


def test_long_typo_is_masked_because_it_still_identifies_someone():
    typo = VALID[:17]
    assert mask_id(typo) == typo[:6] + "*" * 7 + typo[-4:]
    assert mask_id(VALID[:9]) == VALID[:2] + "*" * 7


def test_short_fragments_are_shown_as_typed():
    for value in ("待补充", "无", "150402", "1504021"):
        assert mask_id(value) == value


def test_full_returns_the_value_untouched():
    assert mask_id(VALID, full=True) == VALID
    assert mask_id(" 1.50422E+17 ", full=True) == " 1.50422E+17 "
    assert mask_id(None) == "" and mask_id("", full=True) == ""


def test_records_use_the_same_rule():
    problem = Problem(kind="pending", reason="校验码错误", row_id=1, name="张三", id_raw=VALID[:17],
                      file_name="a.xlsx", sheet="Sheet1", row_number=5, region_path="测试市")
    assert problem.shown_id() == mask_id(VALID[:17])
    assert problem.shown_id(full=True) == VALID[:17]


def test_a_number_written_inside_any_other_cell_is_masked_on_screen():
    """备注：电话13812345678 or an ID typed into a 备注 cell: the person dialog showed other columns
    as typed, the review's samples too. A date typed as eight digits stays as typed."""
    from gui.person_dialog import shown_cell
    from models.identity import mask_numbers_in_text

    assert mask_numbers_in_text("备注：电话13812345678，身份证150302198506150179") == \
        "备注：电话138****5678，身份证150302********0179"
    assert mask_numbers_in_text("2021年3月18日 20210318") == "2021年3月18日 20210318"
    assert shown_cell("备注", "联系人电话13812345678", False) == "联系人电话138****5678"
    assert shown_cell("备注", "联系人电话13812345678", True) == "联系人电话13812345678"  # the user chose full


@pytest.mark.parametrize("label, cell, shown", [
    ("备注", "电话１３８１２３４５６７８", "电话138****5678"),  # full-width digits
    ("备注", "电话 138 1234 5678", "电话 138****5678"),  # grouped by spaces
    ("备注", "座机 0471-1234567", "座机 047****4567"),  # a landline with its area code
    ("备注", "(010)12345678", "(010****5678"),
    ("备注", "身份证 150302-19850615-0179", "身份证 150302********0179"),
    ("备注", "身份证1.50302198506150E+17", "身份证150302********0000"),  # as Excel shows a long number
    ("备注", "138\u200b12345678", "138****5678"),  # an invisible mark inside
    ("备注", "2021-03-18至2021-03-19", "2021-03-18至2021-03-19"),  # dates stay as typed
    ("联系电话", "138 1234 5678", "138****5678"),  # mask_phone kept 8 of these digits
    ("联系电话", "电话１３８１２３４５６７８", "138****5678"),  # mask_phone kept all 11
    ("联系电话", "150302198506150179", "150302********0179"),  # an ID in the phone column
    ("联系电话", "无", "无"),
])
def test_a_number_written_apart_or_in_full_width_is_masked_on_screen(label, cell, shown):
    """The person dialog showed these in full (or nearly): the masking looked only for a run of
    eleven ASCII digits, and the phone column hid four characters of whatever the cell held."""
    from gui.person_dialog import shown_cell

    assert shown_cell(label, cell, False) == shown
    assert shown_cell(label, cell, True) == cell
