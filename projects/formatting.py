"""How the app writes a figure for a reader: one home for each format, used by the
template filters (projects/templatetags/portfolio.py), the tables, the charts, the
bulletin and the digests alike.

- An amount of money is in 亿元 (100 million yuan), with two decimals and its unit:
  "1,234.50 亿元" ("1,234.50 hundred million yuan" in English). The number and its unit
  are joined by a no-break space, so a narrow cell never puts the unit on a line of its own.
- A percentage has no space before its sign, in both languages: "57%", "5.1%".
- A figure in another unit is written with that unit: "150 家", "6 公里/平方公里".
- Dates are ISO, 2026-03-14 (months 2026-03): settings.FORMAT_MODULE_PATH makes Django's
  DATE_FORMAT and its kin say so in both languages (liwan_projects/formats/), and the
  templates' explicit formats are the same ones (tests/test_formats.py holds them to it).
  One exception, by the national standard for official documents (GB/T 9704-2012, 7.3.5.3:
  the date of a document is written out in full, 2026年6月15日): the date under the
  signature of the bulletin's Word document (document_date).

Rounding is half up, as Django's floatformat rounds (2.345 -> 2.35), never half even."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import dateformat
from django.utils.translation import pgettext

DASH = "–"  # what an empty figure shows
NBSP = "\u00a0"
MONEY_UNIT = "亿元"  # the unit of every amount the app holds (an indicator's unit may be it too)


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def number(value, places=2, grouping=True):
    """The figure rounded half up to `places` decimals, thousands grouped: "1,234.50";
    a dash for nothing. Never "-0.00"."""
    figure = _decimal(value)
    if figure is None:
        return DASH
    rounded = figure.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{places}f}" if grouping else f"{rounded:.{places}f}"


def money_unit():
    return pgettext("unit written after an amount", "hundred million yuan")


def money(value):
    """An amount in 亿元 with two decimals and its unit: "3.15 亿元"; a dash for nothing."""
    if _decimal(value) is None:
        return DASH
    return f"{number(value, 2)}{NBSP}{money_unit()}"


def percent(value, places=0):
    """A percentage, its sign close up: "57%", "5.1%" (places=1); a dash for nothing."""
    if _decimal(value) is None:
        return DASH
    return f"{number(value, places)}%"


def figure(value):
    """A figure in its own unit, as few decimals as it needs: 1,450; 5.5; 0.25."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    if abs(amount) >= 100:
        return number(amount, 0)
    return number(amount, 2).rstrip("0").rstrip(".")


def quantity(value, unit):
    """A figure with its unit: money as money(), a percentage as percent(), else the
    figure and the unit ("150 家"); the bare figure without a unit."""
    unit = (unit or "").strip()
    if _decimal(value) is None:
        return DASH
    if unit == MONEY_UNIT:
        return money(value)
    if unit == "%":
        return f"{figure(value)}%"
    return f"{figure(value)}{NBSP}{unit}" if unit else figure(value)


def document_date(value):
    """The date of an official document, as GB/T 9704 writes it: 2026年6月15日."""
    return dateformat.format(value, "Y年n月j日")


def plain(value, places=2):
    """A stored decimal as a person writes it in a form: at least `places` decimals, no
    trailing zeros past them (3.1500 -> "3.15", 3.1234 -> "3.1234"), no grouping."""
    amount = _decimal(value)
    if amount is None:
        return ""
    text = f"{amount.normalize():f}"
    whole, _dot, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(places, '0')}" if places else text
