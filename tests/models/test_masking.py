"""One masking rule for ID cells everywhere (screens, exports, command line)."""

from __future__ import annotations

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
