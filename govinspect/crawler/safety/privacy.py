"""Personal data in a text (个人隐私): 身份证号, unmasked mobile numbers, bank-card numbers.

Only numbers that pass validation count: an 18-digit 身份证号 must pass ``stdnum.cn.ric``
(check digit, birth date, birthplace code); a mobile number is 11 digits starting 13-19 and not
part of a longer number; a bank-card number passes Luhn and stands just after 银行卡/卡号/账号.
Masked forms (``4102**********123X``, ``138****1234``) never match, nor do landlines, 索引号,
文号 or order numbers (longer digit runs, letters glued on).

What leaves this module is never a full number: per kind, how many distinct numbers were seen
and one masked sample (:func:`mask`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum import luhn, numdb
from stdnum.cn import ric

KINDS = ("id_card", "mobile", "bank_card")

# Digits glued to letters, "*" or other digits are part of something else (a masked number,
# a 统一社会信用代码, an order number): the lookarounds keep them out.
_EDGE_BEFORE = r"(?<![0-9A-Za-z*＊])"
_EDGE_AFTER = r"(?![0-9A-Za-z*＊])"
_ID_RE = re.compile(
    _EDGE_BEFORE
    + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    + _EDGE_AFTER
)
_MOBILE_RE = re.compile(_EDGE_BEFORE + r"1[3-9]\d(?:[- ]?\d{4}){2}" + _EDGE_AFTER)
_CARD_RE = re.compile(
    r"(?:银行卡号?|卡号|银行账号|账号|帐号|收款账户)[^0-9\n]{0,12}?"
    r"(?<![0-9A-Za-z*])(\d{4}(?:[ -]?\d{2,4}){3,4})(?![0-9A-Za-z*])"
)
#: Long digit runs in an excerpt shown to people are masked whatever they are.
_LONG_DIGITS_RE = re.compile(r"\d{7,}[\dXx]?")


@dataclass(frozen=True, slots=True)
class Leak:
    kind: str
    count: int  # distinct numbers
    sample: str  # masked


def mask(kind: str, number: str) -> str:
    """The masked form shown as evidence: never the full number."""
    digits = re.sub(r"[^0-9Xx]", "", number)
    if kind == "mobile":
        return digits[:3] + "****" + digits[-4:]
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def mask_digits(text: str) -> str:
    """Mask every run of 7+ digits in ``text`` (excerpts may sit next to a number)."""
    return _LONG_DIGITS_RE.sub(lambda m: mask("id_card", m.group()), text)


def _valid_id(number: str) -> bool:
    """Check digit, birth date and a known birthplace code (python-stdnum's ``cn.ric`` parts).

    ``ric.validate`` also insists that the county code was in use in the birth year; codes
    were given retroactively (a 1960 birth in 杞县 has 410221, a code from 1983), so a known
    code of any period is enough here: a missed leak costs more than a rare false alarm.
    """
    if ric.is_valid(number):
        return True
    try:
        if ric.calc_check_digit(number) != number[-1]:
            return False
        born = ric.get_birth_date(number)
    except Exception:  # stdnum's ValidationError subclasses
        return False
    if not 1900 <= born.year <= date.today().year:
        return False
    return any("county" in props for _, props in numdb.get("cn/loc").info(number[:6]))


def _valid_card(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return 16 <= len(digits) <= 19 and luhn.is_valid(digits)


def find_leaks(text: str) -> list[Leak]:
    """The personal data in ``text``: one :class:`Leak` per kind found, in ``KINDS`` order."""
    if not text:
        return []
    found: dict[str, dict[str, None]] = {kind: {} for kind in KINDS}
    ids = found["id_card"]
    for match in _ID_RE.finditer(text):
        number = match.group().upper()
        if number not in ids and _valid_id(number):
            ids[number] = None
    for match in _MOBILE_RE.finditer(text):
        found["mobile"].setdefault(re.sub(r"\D", "", match.group()), None)
    for match in _CARD_RE.finditer(text):
        number = re.sub(r"\D", "", match.group(1))
        if number not in ids and _valid_card(number):
            found["bank_card"].setdefault(number, None)
    return [
        Leak(kind, len(numbers), mask(kind, next(iter(numbers))))
        for kind, numbers in found.items()
        if numbers
    ]
