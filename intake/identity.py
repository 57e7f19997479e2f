"""Saudi identity numbers: which kind a number is, whether it is valid, and finding them in free text.

A national ID (starts with 1) and an Iqama (starts with 2) are ten digits whose last is a Luhn
check digit; a border number (starts with 3 or 4) is ten digits without one. Portals' users
write them with Arabic-Indic digits and with spaces or dashes inside, so text is normalised first.
"""

import re
from enum import StrEnum

from stdnum import luhn

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_RUN = re.compile(r"\d+(?:[ \u00a0\-\u2010-\u2015]\d+)*")
_GROUP = re.compile(r"\d+")


class Kind(StrEnum):
    NATIONAL_ID = "national_id"
    IQAMA = "iqama"
    BORDER_NUMBER = "border_number"


def normalise_digits(text: str) -> str:
    """Arabic-Indic and Eastern Arabic-Indic digits as ASCII digits."""
    return text.translate(_DIGITS)


def kind_of(number: str) -> Kind | None:
    """The kind of a valid identity number, or None when it is not one."""
    if len(number) != 10 or not number.isascii() or not number.isdigit():
        return None
    if number[0] in "12":
        if not luhn.is_valid(number):
            return None
        return Kind.NATIONAL_ID if number[0] == "1" else Kind.IQAMA
    if number[0] in "34":
        return Kind.BORDER_NUMBER
    return None


def numbers_in(text: str) -> set[str]:
    """Every ten-digit number written in `text`, however its digits are grouped by spaces or dashes.

    A run like `2000 0000 06` is one number; `1000000008 2000000006` holds two: any consecutive
    groups of a run that add up to exactly ten digits count.
    """
    found: set[str] = set()
    for run in _RUN.finditer(normalise_digits(text)):
        groups = _GROUP.findall(run.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) >= 10:
                    break
            if len(digits) == 10:
                found.add(digits)
    return found
