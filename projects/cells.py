"""What a clerk types into a spreadsheet cell, read one way wherever a spreadsheet is read:
the department workbook (projects.workbook) and the administrators' import
(projects.importcolumns, for manage.py import_spreadsheet too).

Amounts are in 亿元 (100 million yuan), written as a clerk writes them: 3.2, 3.2亿, 3.2亿元,
32000万, 32000万元, 32,000万, full-width ３．２; all of those are the same Decimal("3.2").
A cell Excel holds as a number is that number of 亿元. Dates: 2026-06-14, 2026/6/14,
2026.6.14, 2026年6月14日, or a cell Excel holds as a date. Whole numbers: 55, ５５, 55%.

Each reader returns None for an empty cell and raises NotReadable, a ValueError whose text
is the message for the clerk (naming what was typed, shortened), for anything else. What a
value must be beyond its form (not negative, at most four decimals, a plausible date) is
the model's rule, checked after."""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .uploads import shorten

# A number: digits with an optional decimal part; thousands may be grouped by commas.
NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+"
AMOUNT = re.compile(rf"(?P<number>{NUMBER})(?P<unit>亿元|亿|万元|万)?")
UNITS = {None: 1, "亿": 1, "亿元": 1, "万": Decimal("0.0001"), "万元": Decimal("0.0001")}
DATE = re.compile(r"(?P<y>\d{4})(?:-|/|\.|年)(?P<m>\d{1,2})(?:-|/|\.|月)(?P<d>\d{1,2})日?")
WHOLE = re.compile(r"[+-]?\d+%?")


class NotReadable(ValueError):
    """A cell that is not what its column holds; the text is the clerk's message."""


def is_empty(value):
    return value is None or (isinstance(value, str) and not normalize(value))


def normalize(text):
    """A cell's text as half-width characters (NFKC: ３．２ is 3.2, （ is (, ； is ;)
    without spaces of any width."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def amount(value):
    """An amount in 亿元, as a Decimal; None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise _not_an_amount(value)
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest form that is this float: 3.2, not 3.2000…
    match = AMOUNT.fullmatch(normalize(value))
    if match is None:
        raise _not_an_amount(value)
    return Decimal(match["number"].replace(",", "")) * UNITS[match["unit"]]


def _not_an_amount(value):
    return NotReadable(
        _(
            "“%(value)s” is not an amount: write a number in 100 million yuan (亿元), such "
            "as 3.2 or 32000万"
        )
        % {"value": shorten(str(value).strip(), 20)}
    )


def date(value):
    """A date; None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = DATE.fullmatch(normalize(value))
    if match is not None:
        try:
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            pass  # such as 2026-02-30
    raise NotReadable(
        _("“%(value)s” is not a date: write it as 2026-06-14 (or 2026/6/14, 2026年6月14日)")
        % {"value": shorten(str(value).strip(), 20)}
    )


def whole_number(value):
    """A whole number (a trailing % allowed, for a percentage); None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    text = normalize(value) if isinstance(value, str) else ""
    if WHOLE.fullmatch(text):
        return int(text.rstrip("%"))
    raise NotReadable(
        _("“%(value)s” is not a whole number: write digits only, such as 55")
        % {"value": shorten(str(value).strip(), 20)}
    )


def number(value):
    """A number of any unit (an indicator's value, say), as a Decimal; None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = normalize(value) if isinstance(value, str) else ""
    if re.fullmatch(NUMBER, text):
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            pass
    raise NotReadable(
        _("“%(value)s” is not a number: write digits, such as 1450 or 6.5")
        % {"value": shorten(str(value).strip(), 20)}
    )
