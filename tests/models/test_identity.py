import pytest

from models.identity import (
    REASON_BIRTH,
    REASON_CHARS,
    REASON_CHECK,
    REASON_MISSING,
    REASON_NUMBER,
    check_digit,
    check_id,
    mask_id,
    mask_phone,
    upgrade_15,
)
from tests.builders import make_id

VALID = make_id(7)


def test_check_digit_known_value():
    # GB 11643 worked example: 11010519491231002 → X
    assert check_digit("11010519491231002") == "X"


def test_valid_id_passes_unchanged():
    result = check_id(VALID)
    assert result.valid and result.number == VALID and result.reason is None


@pytest.mark.parametrize("raw", [
    f" {VALID} ", f"{VALID[:6]} {VALID[6:14]} {VALID[14:]}", f"'{VALID}", f"\u200b{VALID}\u3000",
    VALID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}),
])
def test_spaces_quotes_and_fullwidth_are_normalised(raw):
    assert check_id(raw).number == VALID


@pytest.mark.parametrize("raw", [
    f"{VALID[:6]}-{VALID[6:14]}-{VALID[14:]}", f"{VALID[:6]}－{VALID[6:14]}－{VALID[14:]}",  # as on a form
    f"{VALID[:6]}-{VALID[6:]}",
])
def test_an_id_written_in_groups_with_dashes_is_the_id(raw):
    """It went to 待核实 (非数字字符“-”) though nothing in it is unclear, like the spaces above."""
    assert check_id(raw).number == VALID


@pytest.mark.parametrize("raw", [f"-{VALID}", f"{VALID[:6]}--{VALID[6:]}", f"{VALID}-", "0473-1234567"])
def test_other_dashes_are_still_not_an_id(raw):
    assert check_id(raw).number is None


def test_lower_case_x_becomes_upper():
    ident = "11010519491231002X"
    assert check_id(ident.lower()).number == ident


def test_old_15_digit_number_is_upgraded():
    old = "110105491231002"
    result = check_id(old)
    assert result.valid and result.upgraded
    assert result.number == "11010519491231002X" == upgrade_15(old)


def test_15_digit_number_cell_is_upgraded_too():
    assert check_id(110105491231002).number == "11010519491231002X"


def test_18_digit_number_cell_is_pending_with_reason():
    result = check_id(1.50303199001059e17)
    assert not result.valid and result.reason == REASON_NUMBER
    assert result.raw == "150303199001059000"  # what Excel shows


def test_scientific_notation_text_says_how_many_digits_survive():
    assert check_id("1.50303E+17").reason == \
        "身份证号被 Excel 显示为科学计数法（1.50303E+17），只剩6位有效数字，请向报送单位索取原表"


@pytest.mark.parametrize("raw, reason", [
    (None, REASON_MISSING), ("", REASON_MISSING), ("   ", REASON_MISSING),
    (VALID[:-1] + ("0" if VALID[-1] != "0" else "1"), REASON_CHECK),
    ("110105" + "19851315" + "0012", REASON_BIRTH),  # month 13 (check digit irrelevant)
    ("11010519851A15001X", REASON_CHARS + "“A”"),
])
def test_bad_ids_are_pending(raw, reason):
    if raw and len(raw) == 18 and reason == REASON_BIRTH:
        raw = raw[:17] + check_digit(raw[:17])
    result = check_id(raw)
    assert not result.valid
    assert result.reason == reason


def test_wrong_length_says_how_many_digits():
    result = check_id(VALID[:17])
    assert not result.valid and "17位" in result.reason


def test_future_birth_date_is_impossible():
    first17 = "110105" + "20991231" + "001"
    assert check_id(first17 + check_digit(first17)).reason == REASON_BIRTH


def test_masking():
    assert mask_id(VALID) == VALID[:6] + "********" + VALID[-4:]
    assert mask_id("") == ""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
