import math

import pytest
from django.urls import reverse

from indicators.charts import HEIGHT, WIDTH, growth_chart, progress_chart
from indicators.models import Indicator, IndicatorValue
from indicators.progress import Assessment, Kind, Target
from projects.charts import investment_curve, nice_axis

from ..conftest import make_indicator


def chart_for(expected, actual):
    return progress_chart(Assessment("on_track", "", expected=expected, actual=actual))


def test_points_span_the_plot_from_the_first_to_the_last_year():
    chart = chart_for({2020: 0.0, 2025: 10.0}, {2020: 0.0, 2022: 5.0})
    first, last = chart.expected_points.split()
    assert float(first.split(",")[0]) == chart.plot_left
    assert float(last.split(",")[0]) == chart.plot_right == WIDTH - 16
    assert [label for _x, label in chart.x_ticks] == [2020, 2022, 2025]
    assert all(0 <= y <= HEIGHT for _x, y, _label in chart.actual_dots)


def test_an_axis_of_counts_starts_at_zero_not_below():
    chart = chart_for({2020: 0.0, 2025: 2500.0}, {2020: 0.0, 2021: 600.0})
    assert chart.y_ticks[0][1] == "0"


def test_nothing_to_draw():
    assert chart_for({}, {}) is None


# --- round ticks, units, growth as rates --------------------------------------------------

def is_round(value):
    """1, 2 or 5 × 10^n (or zero)."""
    if value == 0:
        return True
    mantissa = abs(value) / 10 ** math.floor(math.log10(abs(value)) + 1e-9)
    return any(math.isclose(mantissa, m) for m in (1, 2, 5))


@pytest.mark.parametrize(
    "low, high", [(0, 97.29), (0, 21), (0, 2500), (-1.3, 7.2), (0.42, 0.61), (1320, 1450), (5, 5)]
)
def test_axes_step_by_one_two_or_five_times_a_power_of_ten(low, high):
    bottom, top, ticks = nice_axis(low, high)
    values = [v for v, _label in ticks]
    steps = {round(b - a, 9) for a, b in zip(values, values[1:])}
    assert len(steps) == 1 and is_round(steps.pop())
    assert bottom <= low and top >= high and 3 <= len(values) <= 7
    assert all(is_round(v) or is_round(values[1] - values[0]) for v in values)
    assert "97.29" not in [label for _v, label in ticks]


def test_the_investment_curve_ticks_are_round_amounts():
    curve = investment_curve([(1, 2.0), (2, 5.5), (3, 9.729)], 21)
    labels = [label for _y, label in curve.y_ticks]
    assert labels == ["0", "5", "10", "15", "20", "25"]


def test_an_indicator_chart_ticks_are_round():
    chart = chart_for({2020: 1085.0, 2025: 1450.0}, {2020: 1085.0, 2021: 1162.3, 2022: 1277.93})
    labels = [label for _y, label in chart.y_ticks]
    assert labels == ["1,000", "1,100", "1,200", "1,300", "1,400", "1,500"]


def growth_target():
    return Target(kind=Kind.GROWTH, target_year=2025, target_value=6.0, period_start=2021)


def test_growth_is_drawn_as_each_years_rate_against_the_targeted_rate():
    chart = growth_chart(growth_target(), {2021: 7.9, 2022: 1.2, 2024: 3.4})
    assert chart.kind == "growth" and chart.unit == "%"
    assert [year for _x, year in chart.x_ticks] == [2021, 2022, 2023, 2024, 2025]
    assert [label for _x, _y, label in chart.actual_dots] == ["7.9%", "1.2%", "3.4%"]
    assert chart.target_label == "6%"
    assert not chart.expected_points  # no index of 100
    # 2023 has no value: the line stops at 2022 and starts again at 2024 (a single dot)
    assert len(chart.actual_segments) == 2
    assert len(chart.actual_segments[0].split()) == 2 and len(chart.actual_segments[1].split()) == 1
    labels = [label for _y, label in chart.y_ticks]
    assert labels[0] == "0" and all("." not in label for label in labels)


def test_a_decline_puts_zero_on_the_axis():
    chart = growth_chart(growth_target(), {2021: -2.3, 2022: 4.0})
    assert chart.y_ticks[0][1] == "-4" and chart.zero_y is not None


@pytest.mark.django_db
def test_the_growth_page_draws_rates_with_units_on_both_axes(client, viewer, frozen_today):
    indicator = make_indicator(
        unit="%", target_kind=Indicator.TargetKind.GROWTH, target_value=6, target_year=2025
    )
    for year, value in ((2021, "7.9"), (2022, "1.2"), (2024, "3.4")):
        IndicatorValue.objects.create(indicator=indicator, year=year, value=value)
    client.force_login(viewer)
    response = client.get(reverse("indicators:detail", args=[indicator.code]))
    chart, page = response.context["chart"], response.content.decode()
    assert chart.kind == "growth" and chart.missing_years == [2023, 2025]
    assert 'class="tick axis-unit"' in page and ">%</text>" in page  # the y axis's unit
    assert page.count('class="tick axis-unit"') == 2  # and the x axis's (the year)
    assert "<polyline" in page and page.count('<polyline class="actual"') == 2
    assert "100" not in [label for _y, label in chart.y_ticks]  # no index
    rows = response.context["expected_rows"]
    assert rows[2] == (2023, 6.0, None) and rows[0][2] == IndicatorValue.objects.get(
        indicator=indicator, year=2021
    ).value


@pytest.mark.django_db
def test_a_level_indicator_page_labels_its_unit(client, viewer, frozen_today):
    indicator = make_indicator(unit="亿元", baseline_year=2020, baseline_value=1085)
    IndicatorValue.objects.create(indicator=indicator, year=2022, value="1277.93")
    client.force_login(viewer)
    response = client.get(reverse("indicators:detail", args=[indicator.code]))
    assert response.context["chart"].unit == "亿元"
    assert ">亿元</text>" in response.content.decode()
