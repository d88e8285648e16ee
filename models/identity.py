"""Resident ID numbers (公民身份号码, GB 11643-1999).

An ID is a person's identity in the census, so every comparison goes through `normalise_id`
first, and every row whose ID cannot be trusted becomes *pending* with a reason a clerk can act
on. We do our own check-digit maths instead of python-stdnum: stdnum's ``cn.ric`` raises
KeyError on county codes it does not know and rejects the 15-digit form we must upgrade.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Full-width digits/letters and the usual invisible or quoting characters people paste in
# (soft hyphen, the Mongolian vowel separator, zero-width and direction marks, BOM).
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e]")
_STRIP_CHARS = re.compile(r"[\s'\"‘’“”`\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u3000\ufeff]")
# What Excel shows for a long number (and writes into a CSV): 1.50422E+17. ASCII digits only.
_SCIENTIFIC = re.compile(r"([0-9]{1,16})(?:\.([0-9]+))?E\+?[0-9]+")
_ID_CHARS = frozenset("0123456789X")
# An ID written in groups with dashes (region-birth date-sequence, or any split of its 15 or 18
# characters): each dash between two groups of digits, none at either end, none doubled.
_GROUPED = re.compile(r"(?=[0-9X-]{16,22}$)[0-9]+(?:-[0-9]+)+X?")

# Province-level codes of GB/T 2260 (the first two digits of every ID), plus 81/82/83 for the
# residence permits of Hong Kong, Macao and Taiwan residents (810000/820000/830000).
PROVINCES = frozenset(str(code) for first, last in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65))
                      for code in range(first, last + 1)) | {"71", "81", "82", "83"}
# Where the province alone lets impossible numbers through: the municipalities have only 市辖区
# (01), 县 (02) and, in Chongqing 1997-2006, 市 (03); the residence permits use 00 only. A 15-digit
# number has no check digit, so this is what stops "111111111111111" becoming a person.
_PREFECTURES = {"11": ("01", "02"), "12": ("01", "02"), "31": ("01", "02"), "50": ("01", "02", "03"),
                "81": ("00",), "82": ("00",), "83": ("00",)}
_PROVINCE_NAMES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市",
                   "81": "香港居民居住证", "82": "澳门居民居住证", "83": "台湾居民居住证"}


def _area_prefixes() -> frozenset[str]:
    """Every valid first four digits (one set lookup per ID on the fast path). The 2023 foreign
    permanent resident ID (外国人永久居留身份证) is 9 + the province code + a nationality code,
    with the same birth date and check digit."""
    valid: set[str] = set()
    for province in PROVINCES:
        pairs = _PREFECTURES.get(province, [f"{n:02d}" for n in range(100)])
        valid.update(province + pair for pair in pairs)
        if province not in ("71", "81", "82", "83"):
            valid.update(f"9{province}{n}" for n in range(10))
    return frozenset(valid)


_AREA4 = _area_prefixes()

# Reasons shown to clerks (Chinese) — kept as constants so tests and exports agree.
REASON_MISSING = "身份证号为空"
REASON_NOT_FILLED = "身份证号未填写"  # + （“待补充”）
REASON_NUMBER = "身份证号被存为数字，末位已丢失（请将该列设为文本格式后重新填写）"
REASON_LENGTH = "身份证号位数不对（应为18位）"
REASON_CHARS = "身份证号含有非数字字符"  # + “①”
REASON_X_PLACE = "身份证号中的“X”只能是最后一位"
REASON_BIRTH = "身份证号中的出生日期不存在"
REASON_CHECK = "身份证号校验位错误"
REASON_OLD_INVALID = "15位旧身份证号中的出生日期不存在"
# An ID typed as text ending in 000: what Excel shows of an ID it held as a number (15 digits kept).
REASON_CUT = "身份证号末三位为“000”，像是被 Excel 存为数字后丢失了末三位（请将该列设为文本格式后重新填写）"


@dataclass(frozen=True)
class IdCheck:
    """The outcome of checking one raw ID cell: the normalised number or why it is pending."""

    raw: str
    number: str | None  # normalised 18-character ID when valid
    reason: str | None  # why it is pending, in Chinese; None when valid
    upgraded: bool = False  # a 15-digit old number was turned into its 18-digit form

    @property
    def valid(self) -> bool:
        return self.number is not None


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != len(WEIGHTS):
        raise ValueError(f"check_digit needs 17 digits, got {len(first17)}")
    if first17.isascii() and first17.isdigit():
        # The weights are 2**(17-i) mod 11, and 13 = 2 (mod 11): the weighted sum is, mod 11, twice
        # the digits read in base 13. One int() instead of 17 multiplications in Python.
        return CHECK_CHARS[2 * int(first17, 13) % 11]
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def half_width(value: str) -> str:
    """Full-width letters, digits and signs (a Chinese input method's １２０，０００) as half-width; nothing stripped."""
    return value.translate(_FULLWIDTH)


def clean_text(value: str) -> str:
    """Strip spaces/quotes, turn full-width into half-width and x into X."""
    if value.isascii() and value.isalnum():  # nothing to translate or strip (most IDs, phones)
        return value.upper()
    # str.translate looks every character up in a dict: 3 µs for a row of text with nothing to
    # fold, where finding that out is one C-level scan.
    text = value.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(value) else value
    text = _STRIP_CHARS.sub("", text)
    return text.upper()


def _birth_ok(yyyymmdd: str, today: dt.date | None = None) -> bool:
    return _birth_ok_on(yyyymmdd, today or dt.date.today())


_EARLIEST_BIRTH = dt.date(1900, 1, 1)


@lru_cache(maxsize=65536)
def _birth_ok_on(yyyymmdd: str, today: dt.date) -> bool:
    """Memoised: a return's people share a few thousand birth dates (the import asks once per row)."""
    born = _calendar_date(yyyymmdd)
    return born is not None and _EARLIEST_BIRTH <= born <= today


@lru_cache(maxsize=65536)
def _calendar_date(yyyymmdd: str) -> dt.date | None:
    try:
        return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def upgrade_15(old: str) -> str:
    """Turn a 15-digit pre-1999 number into its 18-digit form ("19" before the year + check)."""
    first17 = old[:6] + "19" + old[6:]
    return first17 + check_digit(first17)


def check_id(value: object) -> IdCheck:
    """Normalise and validate an ID cell as it came out of the reader.

    Numbers are judged before anything else: an 18-digit ID that went through Excel as a number
    has lost its last digits, and no amount of cleaning brings them back.
    """
    if value is None:
        return IdCheck("", None, REASON_MISSING)
    if isinstance(value, bool):
        raw = "TRUE" if value else "FALSE"  # what Excel shows
        return _check_text(raw, raw)
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return IdCheck(repr(value), None, REASON_NUMBER)
        digits = str(int(Decimal(f"{value:.15g}")))  # what Excel shows: 15 significant digits
        if len(digits) <= 15:  # nothing lost: an old 15-digit number, or a plain wrong one
            return _check_text(digits, digits)
        return IdCheck(digits, None, REASON_NUMBER)
    raw = str(value)
    text = clean_text(raw)
    if _GROUPED.fullmatch(text):  # 150302-19850615-0179: groups apart as on a form, like spaces
        text = text.replace("-", "").replace("－", "")
    if not text:
        return IdCheck(raw, None, REASON_MISSING)
    return _check_text(raw, text)


def id_fields(value: object, today: dt.date | None = None) -> tuple[str, str | None, str | None]:
    """(raw, number, reason) exactly as check_id(value) gives them; the usual cell, a valid
    18-character text, without building an IdCheck (the importer calls this once per row, with
    `today` read once per import: asking the clock per row was a tenth of the row loop)."""
    if value.__class__ is str and len(value) == 18 and value.isascii() and value.isalnum():
        text = value.upper()
        first17, last = text[:17], text[17]
        if first17.isdigit() and (last.isdigit() or last == "X") and text[:4] in _AREA4 \
                and _birth_ok_on(text[6:14], today or dt.date.today()) and CHECK_CHARS[2 * int(first17, 13) % 11] == last:
            return value, text, None
    check = check_id(value)
    return check.raw, check.number, check.reason


def excel_rounded(number: str) -> str | None:
    """What Excel keeps of an ID stored as a number: the double, shown at 15 significant digits
    with the rest zeros (150402198708152661 → 150402198708153000). None for an ID ending in X,
    which Excel can only hold as text."""
    if not (number.isascii() and number.isdigit()):
        return None
    return str(int(Decimal(f"{float(number):.15g}")))


def number_digits(text: str) -> str:
    """The digits a cleaned ID text stands for when it is scientific notation
    ("1.50402198708153E+17" → "150402198708153000"); any other text unchanged."""
    if _SCIENTIFIC.fullmatch(text):
        return str(int(Decimal(text)))
    return text


def _check_text(raw: str, text: str) -> IdCheck:
    """Judge a cleaned text, most telling reason first: nothing there, a number Excel mangled,
    a character that is not 0-9/X, then length, area code, birth date and check digit."""
    if text.strip("0") == "" or not any(ch.isnumeric() for ch in text):  # 待补充, 无, -, /, 0
        return IdCheck(raw, None, f"{REASON_NOT_FILLED}（“{_shorten(raw.strip())}”）")
    scientific = _SCIENTIFIC.fullmatch(text)
    if scientific:
        kept = len((scientific[1] + (scientific[2] or "")).lstrip("0"))
        return IdCheck(raw, None, f"身份证号被 Excel 显示为科学计数法（{text}），只剩{kept}位有效数字，请向报送单位索取原表")
    stray = next((ch for ch in text if ch not in _ID_CHARS), None)
    if stray is not None:  # ①, ², ١ and other digits int() or the census must not take as 0-9
        return IdCheck(raw, None, f"{REASON_CHARS}“{_visible(stray)}”")
    if len(text) == 15:
        reason = _area_reason(text, old=True)
        if reason:
            return IdCheck(raw, None, reason)
        if not _birth_ok("19" + text[6:12]):
            return IdCheck(raw, None, REASON_OLD_INVALID)
        return IdCheck(raw, upgrade_15(text), None, upgraded=True)
    if len(text) != 18:
        return IdCheck(raw, None, REASON_LENGTH + f"：现为{len(text)}位")
    if "X" in text[:17]:
        return IdCheck(raw, None, REASON_X_PLACE)
    reason = _area_reason(text)
    if reason:
        return IdCheck(raw, None, reason)
    if not _birth_ok(text[6:14]):
        return IdCheck(raw, None, REASON_BIRTH)
    if check_digit(text[:17]) != text[17]:
        return IdCheck(raw, None, REASON_CUT if text.endswith("000") else REASON_CHECK)
    return IdCheck(raw, text, None)


def _area_reason(digits: str, old: bool = False) -> str | None:
    """Why the area code at the front of an all-digit ID cannot be real, or None when it can."""
    if digits[:4] in _AREA4 and not (old and digits[0] == "9"):
        return None
    province = digits[:2]
    if province not in PROVINCES:
        return f"身份证号前两位“{province}”不是有效的省级行政区划代码"
    known = "、".join(province + pair for pair in _PREFECTURES[province])
    return f"身份证号前四位“{digits[:4]}”不是有效的行政区划代码（{_PROVINCE_NAMES[province]}只有{known}）"


def _visible(ch: str) -> str:
    """A character as a clerk can find it in the cell: itself, or its code when it is invisible."""
    return f"U+{ord(ch):04X}" if unicodedata.category(ch)[0] in "CZ" else ch


def _shorten(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


SHOWN_BELOW = 8  # ID cells shorter than this are shown as typed


def mask_id(value: str | None, full: bool = False) -> str:
    """The one masking rule for ID cells on screens, in exports and on the command line.

    Valid or not, anything of eight characters or more is masked (150302********1234), because a
    17-digit typo still tells who the person is; shorter cells ("待补充", "无", a 6-digit
    fragment) identify nobody and are shown as typed, so the clerk sees what is wrong.
    ``full=True`` (the user chose to see full IDs) returns the value untouched.
    """
    if not value:
        return ""
    text = str(value)
    if full:
        return text
    number = clean_text(text)
    if len(number) < SHOWN_BELOW:
        return number
    if len(number) <= 10:
        return number[:2] + "*" * (len(number) - 2)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# A mobile number or an ID, alone or inside other text: its digits ASCII or full-width (１３８…), in
# groups of three or more after the first apart by one space, dash or invisible mark (138 1234 5678,
# 150302-19850615-0179, 0471-1234567, (010)12345678; a date's 2021-03-18 stays apart), an ID's x in either case;
# or a long number as Excel shows it (1.50302199001011E+17).
_SCIENTIFIC_IN_TEXT = r"[0-9０-９][.．][0-9０-９]{9,}[EＥeｅ][+＋]?[0-9０-９]{1,2}"
_NUMBER_IN_TEXT = re.compile(
    _SCIENTIFIC_IN_TEXT + r"|[0-9０-９]+(?:[-－)） \u3000\u00ad\u200b-\u200f\u2060-\u2064\ufeff]?[0-9０-９]{3,})*[XxＸｘ]?")
_NOT_ID_CHAR = re.compile(r"[^0-9X]")


def _masked_match(match: re.Match[str]) -> str:
    text = clean_text(match[0])
    if "E" in text:  # scientific notation: the number it stands for
        return mask_number(str(int(Decimal(text.replace("．", ".")))))
    digits = _NOT_ID_CHAR.sub("", text)
    return mask_number(digits) if len(digits) >= 11 else match[0]


def mask_number(digits: str) -> str:
    """A bare number that may identify someone: an ID's length or more masked as an ID, shorter
    as a phone number."""
    return mask_id(digits) if len(digits) >= 15 else mask_phone(digits)


def mask_numbers_in_text(text: str) -> str:
    """Any cell shown on screen whose column is not the ID's or the phone's: a mobile number or an
    ID written in it (备注：电话13812345678) masked; a date typed as eight digits stays as typed."""
    return _NUMBER_IN_TEXT.sub(_masked_match, text) if text else text


def mask_phone_text(text: str) -> str:
    """A phone column's cell on screen: its digits (138-1234-5678, 电话１３８１２３４５６７８, an ID
    typed there) masked as a number; a cell without digits (无) as typed."""
    digits = _NOT_ID_CHAR.sub("", clean_text(text))
    return mask_number(digits) if digits else text


def mask_phone(phone: str | None) -> str:
    """Hide the middle four digits of a phone number: 138****5678."""
    if not phone:
        return ""
    text = str(phone)
    if len(text) >= 11:
        return text[:3] + "****" + text[7:]
    if len(text) > 4:
        return text[:2] + "*" * (len(text) - 4) + text[-2:]
    return "*" * len(text)
