"""A cell read as a clerk writes it (projects.cells): one reader for the workbook and the
admin's import."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from projects import cells


@pytest.mark.parametrize(
    "typed",
    [
        "3.2",
        "3.2亿",
        "3.2亿元",
        "32000万",
        "32000万元",
        "３．２",
        "３２０００万元",
        "32,000万",
        " 3.2 亿元 ",
        "3.2\u3000亿",
        3.2,
        Decimal("3.2"),
    ],
)
def test_each_spelling_of_an_amount_is_the_same_amount_in_yi(typed):
    assert cells.amount(typed) == Decimal("3.2")


@pytest.mark.parametrize(
    "typed, amount",
    [
        (32000, Decimal("32000")),  # a number cell is a number of 亿元
        ("0.5万", Decimal("0.00005")),
        ("1,234.5", Decimal("1234.5")),
        ("-0.5", Decimal("-0.5")),  # the model says an investment cannot be negative
        (".5", Decimal("0.5")),
    ],
)
def test_amounts_keep_their_value(typed, amount):
    assert cells.amount(typed) == amount


@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000"])
def test_an_empty_cell_is_no_amount(empty):
    assert cells.amount(empty) is None


@pytest.mark.parametrize("typed", ["三点二", "3.2元", "1e5", "3.2.1", "约3亿", "3,2", "亿", True])
def test_anything_else_is_refused_naming_what_was_typed(typed):
    with translation.override("en"), pytest.raises(cells.NotReadable) as refusal:
        cells.amount(typed)
    assert str(refusal.value).startswith(f"“{typed}” is not an amount")


def test_the_refusal_never_repeats_a_long_cell():
    with translation.override("en"), pytest.raises(cells.NotReadable) as refusal:
        cells.amount("很" * 5000)
    assert len(str(refusal.value)) < 120


@pytest.mark.parametrize(
    "typed",
    [
        "2026-06-14",
        "2026/6/14",
        "2026.6.14",
        "2026年6月14日",
        "２０２６－０６－１４",
        datetime.date(2026, 6, 14),
        datetime.datetime(2026, 6, 14, 0, 0),
    ],
)
def test_each_spelling_of_a_date(typed):
    assert cells.date(typed) == datetime.date(2026, 6, 14)


@pytest.mark.parametrize("typed", ["2026-02-30", "14/06/2026", "6月14日", "明天"])
def test_a_date_that_is_not_one_is_refused(typed):
    with translation.override("en"), pytest.raises(cells.NotReadable, match="is not a date"):
        cells.date(typed)


@pytest.mark.parametrize(
    "typed, number", [("55", 55), ("５５", 55), ("55%", 55), (55.0, 55), (7, 7)]
)
def test_whole_numbers(typed, number):
    assert cells.whole_number(typed) == number


@pytest.mark.parametrize("typed", ["5.5", 5.5, "五十五", "55 percent"])
def test_a_whole_number_that_is_not_one_is_refused(typed):
    with translation.override("en"), pytest.raises(cells.NotReadable, match="whole number"):
        cells.whole_number(typed)


@pytest.mark.parametrize(
    "typed, number",
    [
        ("1450", 1450),
        ("-3.1", Decimal("-3.1")),
        ("1,450.5", Decimal("1450.5")),
        ("６．５", Decimal("6.5")),
    ],
)
def test_numbers_of_any_unit(typed, number):
    assert cells.number(typed) == Decimal(number)


def test_a_number_has_no_unit_to_read():
    with translation.override("en"), pytest.raises(cells.NotReadable, match="is not a number"):
        cells.number("3.2亿")
