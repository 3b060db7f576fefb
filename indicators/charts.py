"""A small line chart of an indicator, drawn as SVG by the app itself: years on the x axis,
the indicator's unit on the y axis (both axes say so), round ticks (projects.charts.nice_axis).

Two kinds:
- path (progress_chart): the measure the target is judged on, expected against actual (the
  level, or the running total of a cumulative target);
- growth (growth_chart): each year's growth rate in % against the targeted average rate,
  a line across the chart, rather than an index: a rate is what the plan and the
  statistics bulletins state.
A year without a value is a gap in the line, never a zero and never bridged."""

from dataclasses import dataclass, field

from projects.charts import nice_axis
from projects.formatting import quantity

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 36


@dataclass
class Chart:
    width: int
    height: int
    expected_points: str
    actual_points: str  # the first unbroken run; actual_segments has every run
    actual_dots: list  # (x, y, label)
    x_ticks: list  # (x, label)
    y_ticks: list  # (y, label)
    target_y: float | None
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    actual_segments: list = None  # one polyline per run of consecutive years: gaps stay empty
    kind: str = "path"  # or "growth"
    unit: str = ""  # the y axis's unit
    target_label: str = ""  # the target line's figure, with its unit
    zero_y: float | None = None  # a line at zero where the axis goes below it
    missing_years: list = field(default_factory=list)  # years gone by without a value (gaps)


def progress_chart(assessment, target_value=None, unit=""):
    """Chart data for an Assessment's expected and actual paths, or None when there is
    nothing to draw."""
    expected, actual = assessment.expected, assessment.actual
    if not expected and not actual:
        return None
    years = sorted(set(expected) | set(actual))
    target = target_value if target_value is not None and not expected else None
    return _chart(years, expected, actual, unit, target=target, kind="path")


def growth_chart(target, values):
    """Each year's growth rate (values: {year: percent}) over the plan period against the
    targeted average rate (target: a progress.Target of kind growth), or None when there is
    no value and no target. Years of the period without a value are gaps."""
    years = list(range(target.period_start, target.target_year + 1))
    rates = {int(y): float(v) for y, v in values.items() if v is not None and int(y) in years}
    rate = target.target_value
    if not rates and rate is None:
        return None
    return _chart(years, {}, rates, "%", target=rate, kind="growth")


def _chart(years, expected, actual, unit, target=None, kind="path"):
    numbers = [*expected.values(), *actual.values()] + ([target] if target is not None else [])
    if kind == "growth":
        numbers.append(0.0)  # a rate's axis shows zero: growth against decline
    # Round ticks around the figures, with room above the highest (and the target line's
    # label); counts and totals never go below zero, nor their axis.
    low, high = min(numbers), max(numbers)
    bottom, top, ticks = nice_axis(low, high + (high - low) * 0.05)
    first, last = years[0], years[-1]

    def x(year):
        if last == first:
            return (LEFT + WIDTH - RIGHT) / 2
        return LEFT + (year - first) / (last - first) * (WIDTH - RIGHT - LEFT)

    def y(value):
        return TOP + (top - value) / (top - bottom) * (HEIGHT - BOTTOM - TOP)

    def points(series):
        return " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in sorted(series.items()))

    segments = [points(run) for run in _runs(actual)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        expected_points=points(expected),
        actual_points=segments[0] if segments else "",
        actual_segments=segments,
        actual_dots=[
            (round(x(t), 1), round(y(v), 1), quantity(v, unit)) for t, v in sorted(actual.items())
        ],
        x_ticks=[(round(x(t), 1), t) for t in years],
        y_ticks=[(round(y(value), 1), text) for value, text in ticks],
        target_y=None if target is None else round(y(target), 1),
        target_label="" if target is None else quantity(target, unit),
        zero_y=round(y(0.0), 1) if bottom < 0 < top else None,
        kind=kind,
        unit=unit,
    )


def _runs(series):
    """The series cut at every missing year: a line never bridges a year without a value."""
    runs, run, previous = [], {}, None
    for year, value in sorted(series.items()):
        if previous is not None and year != previous + 1:
            runs.append(run)
            run = {}
        run[year] = value
        previous = year
    if run:
        runs.append(run)
    return runs
