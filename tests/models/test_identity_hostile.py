"""IDs as offices really type them: odd digits, impossible area codes, placeholders, Excel's
scientific notation. Each ends in a valid 18-digit number or a reason a clerk can act on."""

from __future__ import annotations

import pytest

from models.identity import (
    PROVINCES,
    REASON_CHARS,
    check_digit,
    check_id,
    excel_rounded,
    id_fields,
    number_digits,
)


def valid(first17: str) -> str:
    return first17 + check_digit(first17)


ASCII_ID = valid("11010119850615001")
ARABIC_INDIC = ASCII_ID.translate({ord(d): 0x0660 + int(d) for d in "0123456789"})


@pytest.mark.parametrize(("raw", "shown"), [
    (ARABIC_INDIC, "١"),
    (ASCII_ID[:6] + "①" + ASCII_ID[7:], "①"),
    (ASCII_ID[:17] + "²", "²"),
    (ASCII_ID[:6] + "一" + ASCII_ID[7:], "一"),
    ("١١٠١٠١٨٥٠٦١٥٠٠١", "١"),  # 15 of them: never upgraded
    (ASCII_ID[:10] + "\x07" + ASCII_ID[10:17], "U+0007"),  # invisible: named by its code
    (ASCII_ID[:9] + "--" + ASCII_ID[9:], "-"),  # one dash between groups is a separator (test_identity)
])
def test_any_character_but_ascii_digits_and_x_is_named(raw, shown):
    for value in (raw, f" {raw} "):
        result = check_id(value)
        assert not result.valid
        assert result.reason == f"{REASON_CHARS}“{shown}”" == "身份证号含有非数字字符“" + shown + "”"
        assert id_fields(value) == (value, None, result.reason)


def test_invisible_marks_people_paste_in_are_stripped():
    for mark in ("\u180e", "\u200d", "\u200e", "\u2060", "\u00ad", "\ufeff"):
        assert check_id(ASCII_ID[:6] + mark + ASCII_ID[6:]).number == ASCII_ID


def test_x_anywhere_but_last_is_its_own_reason():
    assert check_id(ASCII_ID[:5] + "x" + ASCII_ID[6:]).reason == "身份证号中的“X”只能是最后一位"


@pytest.mark.parametrize("province", [f"{n:02d}" for n in range(100)])
def test_only_real_province_codes_pass(province):
    ident = valid(province + "0101" + "19850615001")
    result = check_id(ident)
    assert id_fields(ident)[1:] == (result.number, result.reason)  # the importer's fast path agrees
    foreign = province[0] == "9" and province[1] + "0" in PROVINCES  # 9 + 重庆 50 + nationality 1…
    if province in PROVINCES - {"81", "82", "83"} or foreign:
        assert result.number == ident
    else:
        assert result.reason in (f"身份证号前两位“{province}”不是有效的省级行政区划代码",
                                 f"身份证号前四位“{province}01”不是有效的行政区划代码（"
                                 f"{'香港' if province == '81' else '澳门' if province == '82' else '台湾'}居民居住证只有{province}00）")


def test_the_province_list_is_gb_t_2260_plus_the_residence_permits():
    assert sorted(PROVINCES) == ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
                                 "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
                                 "63", "64", "65", "71", "81", "82", "83"]


@pytest.mark.parametrize("ident", [
    valid("81000019900101001"), valid("82000019900101001"), valid("83000019900101001"),  # residence permits
    valid("91114019900101001"),  # 2023 foreign permanent resident ID: 9 + province + nationality
    valid("11022819700101001"), valid("50038119900101001"),  # 北京 县, 重庆 1997-2006 市
])
def test_permits_and_real_municipal_codes_pass(ident):
    assert check_id(ident).number == ident


def test_a_fifteen_digit_placeholder_is_not_a_person():
    """111111111111111 has no check digit to fail; the area code stops it before the upgrade."""
    result = check_id("111111111111111")
    assert not result.valid and not result.upgraded
    assert result.reason == "身份证号前四位“1111”不是有效的行政区划代码（北京市只有1101、1102）"
    assert check_id("990101850615001").reason == "身份证号前两位“99”不是有效的省级行政区划代码"
    assert check_id(380101850615001).reason == "身份证号前两位“38”不是有效的省级行政区划代码"  # a number cell
    assert check_id("911101850615001").reason == "身份证号前两位“91”不是有效的省级行政区划代码"
    assert check_id("150302850615001").number == valid("15030219850615001")


@pytest.mark.parametrize("raw", ["待补充", "无", "暂无", "空", "未填", "-", "/", "—", "\\", "0", "N/A", "不详", "见附件"])
def test_placeholder_words_say_the_id_was_not_filled_in(raw):
    assert check_id(raw).reason == f"身份证号未填写（“{raw}”）"
    assert check_id(f" {raw} ").reason == f"身份证号未填写（“{raw}”）"


def test_zero_as_a_number_cell_is_not_filled_in_and_small_numbers_are_too_short():
    assert check_id(0).reason == "身份证号未填写（“0”）"
    assert check_id(12345).reason == "身份证号位数不对（应为18位）：现为5位"


@pytest.mark.parametrize(("raw", "kept"), [("1.50422E+17", 6), ("1.50422e+17", 6), ("1.5E+17", 2),
                                            ("1.50402198708153E+17", 15), ("150422E+12", 6)])
def test_scientific_notation_says_how_many_digits_survive(raw, kept):
    shown = raw.upper()
    assert check_id(raw).reason == \
        f"身份证号被 Excel 显示为科学计数法（{shown}），只剩{kept}位有效数字，请向报送单位索取原表"


def test_excel_rounding_of_candidates():
    ident = valid("15040219870815266")
    assert excel_rounded(ident) == "150402198708153000"  # rounded, not cut: 152661 → 153000
    assert excel_rounded(valid("11010519491231002")) is None  # ends in X: Excel keeps it as text
    assert number_digits("1.50402198708153E+17") == "150402198708153000"
    assert number_digits("150402198708153000") == "150402198708153000"
