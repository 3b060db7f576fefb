from indicators.charts import HEIGHT, WIDTH, progress_chart
from indicators.progress import Assessment


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
