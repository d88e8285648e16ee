"""Resident ID numbers (公民身份号码, GB 11643-1999).

An ID is a person's identity in the census, so every comparison goes through `normalise_id`
first, and every row whose ID cannot be trusted becomes *pending* with a reason a clerk can act
on. We do our own check-digit maths instead of python-stdnum: stdnum's ``cn.ric`` raises
KeyError on county codes it does not know and rejects the 15-digit form we must upgrade.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Full-width digits/letters and the usual invisible or quoting characters people paste in.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_STRIP_CHARS = re.compile(r"[\s'\"‘’“”`\u200b\u3000\ufeff]")
_SCIENTIFIC = re.compile(r"\d{1,16}(\.\d+)?[Ee]\+?\d+")

# Reasons shown to clerks (Chinese) — kept as constants so tests and exports agree.
REASON_MISSING = "身份证号为空"
REASON_NUMBER = "身份证号被存为数字，末位已丢失（请将该列设为文本格式后重新填写）"
REASON_LENGTH = "身份证号位数不对（应为18位）"
REASON_CHARS = "身份证号含有非法字符"
REASON_BIRTH = "身份证号中的出生日期不存在"
REASON_CHECK = "身份证号校验位错误"
REASON_OLD_INVALID = "15位旧身份证号中的出生日期不存在"


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


def clean_text(value: str) -> str:
    """Strip spaces/quotes, turn full-width into half-width and x into X."""
    if value.isascii() and value.isalnum():  # nothing to translate or strip (most IDs, phones)
        return value.upper()
    text = value.translate(_FULLWIDTH)
    text = _STRIP_CHARS.sub("", text)
    return text.upper()


def _birth_ok(yyyymmdd: str) -> bool:
    born = _calendar_date(yyyymmdd)
    return born is not None and dt.date(1900, 1, 1) <= born <= dt.date.today()


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
        return IdCheck(str(value), None, REASON_CHARS)
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return IdCheck(repr(value), None, REASON_NUMBER)
        digits = str(int(Decimal(f"{value:.15g}")))  # what Excel shows: 15 significant digits
        if len(digits) == 15:  # an old 15-digit number survives Excel intact
            return _check_text(digits, digits)
        return IdCheck(digits, None, REASON_NUMBER)
    raw = str(value)
    text = clean_text(raw)
    if not text:
        return IdCheck(raw, None, REASON_MISSING)
    return _check_text(raw, text)


def id_fields(value: object) -> tuple[str, str | None, str | None]:
    """(raw, number, reason) exactly as check_id(value) gives them; the usual cell, a valid
    18-character text, without building an IdCheck (the importer calls this once per row)."""
    if value.__class__ is str and len(value) == 18 and value.isascii() and value.isalnum():  # type: ignore[arg-type]
        text = value.upper()  # type: ignore[union-attr]
        first17, last = text[:17], text[17]
        if first17.isdigit() and (last.isdigit() or last == "X") and _birth_ok(text[6:14]) \
                and CHECK_CHARS[2 * int(first17, 13) % 11] == last:
            return value, text, None  # type: ignore[return-value]
    check = check_id(value)
    return check.raw, check.number, check.reason


def _check_text(raw: str, text: str) -> IdCheck:
    if ("E" in text or "e" in text) and _SCIENTIFIC.fullmatch(text):
        return IdCheck(raw, None, REASON_NUMBER)  # scientific notation pasted as text
    if len(text) == 15 and text.isdigit():
        if not _birth_ok("19" + text[6:12]):
            return IdCheck(raw, None, REASON_OLD_INVALID)
        return IdCheck(raw, upgrade_15(text), None, upgraded=True)
    if len(text) != 18:
        return IdCheck(raw, None, REASON_LENGTH + f"：现为{len(text)}位")
    if not (text[:17].isdigit() and (text[17].isdigit() or text[17] == "X")):
        return IdCheck(raw, None, REASON_CHARS)
    if not _birth_ok(text[6:14]):
        return IdCheck(raw, None, REASON_BIRTH)
    if check_digit(text[:17]) != text[17]:
        return IdCheck(raw, None, REASON_CHECK)
    return IdCheck(raw, text, None)


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
