"""A small line chart of expected against actual progress, drawn as SVG by the app itself."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36


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


def progress_chart(assessment, target_value=None):
    """Chart data for an Assessment, or None when there is nothing to draw."""
    expected, actual = assessment.expected, assessment.actual
    if not expected and not actual:
        return None
    years = sorted(set(expected) | set(actual))
    numbers = [*expected.values(), *actual.values()]
    if target_value is not None and not assessment.expected:
        numbers.append(target_value)
    low, high = min(numbers), max(numbers)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    # Counts and totals never go below zero: neither does their axis.
    low, high = (max(0.0, low - pad) if low >= 0 else low - pad), high + pad
    first, last = years[0], years[-1]

    def x(year):
        if last == first:
            return (LEFT + WIDTH - RIGHT) / 2
        return LEFT + (year - first) / (last - first) * (WIDTH - RIGHT - LEFT)

    def y(value):
        return TOP + (high - value) / (high - low) * (HEIGHT - BOTTOM - TOP)

    def points(series):
        return " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in sorted(series.items()))

    step = (high - low) / 4
    segments = [points(run) for run in _runs(actual)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        expected_points=points(expected),
        actual_points=segments[0] if segments else "",
        actual_segments=segments,
        actual_dots=[
            (round(x(t), 1), round(y(v), 1), _label(v)) for t, v in sorted(actual.items())
        ],
        x_ticks=[(round(x(t), 1), t) for t in years],
        y_ticks=[(round(y(low + i * step), 1), _label(low + i * step)) for i in range(5)],
        target_y=None if target_value is None else round(y(target_value), 1),
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


def _label(value):
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
