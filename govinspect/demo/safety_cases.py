"""Fictitious personal numbers for the content-safety tests and the demo town.

The 身份证号 are generated with correct check digits for made-up people (area codes of the
demo's fictitious county stand-in, dates chosen here); none is a real person's number.
"""

from __future__ import annotations

from stdnum.cn import ric


def id_number(prefix17: str) -> str:
    """An 18-digit number with the right check digit for the 17 digits given."""
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


def bad_check_digit(prefix17: str) -> str:
    """The same 17 digits with a wrong check digit: a valid-looking 18-digit string."""
    right = ric.calc_check_digit(prefix17 + "0")
    wrong = next(d for d in "0123456789" if d != right)
    return prefix17 + wrong
