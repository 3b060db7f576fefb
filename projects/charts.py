"""The monthly investment curve, drawn as SVG by the app itself (as indicators/charts.py
draws an indicator's path): cumulative completed investment by month against the year's
plan, with the pace the plan needs (a straight line from 0 in January to the plan in
December). Months on the x axis, 100 million yuan on the y axis, each axis labelled with
its unit.

Every chart of the app (this one and indicators/charts.py) puts its value axis on round
ticks: steps of 1, 2 or 5 × 10^n (nice_axis), the axis widened to whole steps."""

import math
from dataclasses import dataclass
from decimal import Decimal

from .formatting import money, number

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 44


@dataclass
class Curve:
    width: int
    height: int
    actual_points: str
    actual_dots: list  # (x, y, label)
    pace_points: str  # empty without a plan
    plan_y: float | None
    plan_label: str
    x_ticks: list  # (x, month)
    y_ticks: list  # (y, label)
    unplaced: str = ""  # the year's completed figure not in any month (label), if any
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def investment_curve(points, planned, completed=None):
    """Chart data for ledger.curve() points [(month, amount)] and the year's plan (亿元,
    or None), or None when there is nothing to draw. `completed`, the ledger's figure for
    the year, tells how much of it is in no month (administrators' yearly figures and
    corrections): the curve says so rather than disagree with the total in silence."""
    planned = float(planned) if planned else None
    if not points and not planned:
        return None
    values = [float(v) for _m, v in points] + ([planned] if planned else [])
    _bottom, high, ticks = nice_axis(0.0, max(max(values), 0.0) * 1.05)  # room above the top

    def x(month):  # month m is drawn at the end of the month: 0 is 1 January
        return LEFT + month / 12 * (WIDTH - RIGHT - LEFT)

    def y(value):
        return TOP + (high - value) / high * (HEIGHT - BOTTOM - TOP)

    actual = [(0, 0.0)] + [(m, float(v)) for m, v in points]
    return Curve(
        width=WIDTH,
        height=HEIGHT,
        actual_points=" ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in actual) if points else "",
        actual_dots=[(round(x(m), 1), round(y(float(v)), 1), label(v)) for m, v in points],
        pace_points=f"{x(0):.1f},{y(0):.1f} {x(12):.1f},{y(planned):.1f}" if planned else "",
        plan_y=round(y(planned), 1) if planned else None,
        plan_label=label(planned) if planned else "",
        x_ticks=[(round(x(m), 1), m) for m in range(1, 13)],
        y_ticks=[(round(y(value), 1), text) for value, text in ticks],
        unplaced=unplaced_label(points, completed),
    )


def unplaced_label(points, completed):
    if completed is None:
        return ""
    reported = points[-1][1] if points else Decimal(0)
    rest = Decimal(completed) - Decimal(reported)
    return label(rest) if abs(rest) >= Decimal("0.0001") else ""


def label(value):
    """An amount on the chart (a dot's, the plan's, the part in no month): as everywhere."""
    return money(value)


def nice_step(span, intervals=4):
    """The smallest round step, 1, 2 or 5 × 10^n, that cuts `span` into at most
    `intervals` + 1 parts."""
    if span <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(span / (intervals + 1)))
    return next(
        m * power for m in (1, 2, 5, 10, 20) if span / (m * power) <= intervals + 1 + 1e-9
    )


def nice_axis(low, high, intervals=4):
    """An axis for figures from `low` to `high`: (bottom, top, [(tick value, label)]), the
    ticks on round steps (nice_step) and the axis widened to whole steps around the figures.
    An axis that starts at zero stays at zero."""
    low, high = float(low), float(high)
    if high == low:
        low, high = (0.0, 1.0) if low == 0 else (low - abs(low) * 0.1, high + abs(high) * 0.1)
    step = nice_step(high - low, intervals)
    places = max(0, -math.floor(math.log10(step) + 1e-9))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    ticks = [round(i * step, places) for i in range(first, last + 1)]
    return ticks[0], ticks[-1], [(t, number(t, places)) for t in ticks]
