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

from django.utils.translation import gettext

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


def svg(curve, curve_id):
    """What the curve's template wrote for `curve` (investment_curve(), or None) with the
    id `curve_id`, written in Python, byte for byte (a test renders the template this
    replaced and compares): its hundred-odd values cost a project's page more processor
    time in the template engine than the rest of its chart. Each value is localized and
    escaped as {{ value }} wrote it; a translated label is written as {% translate %} wrote
    it (the translation of a literal, not escaped); `|add:` made a number whole."""
    from .rows import esc, shown

    if not curve:
        return f'<p class="muted">{gettext("No monthly figures for this year yet.")}</p>\n'
    left, right, bottom = shown(curve.plot_left), shown(curve.plot_right), curve.plot_bottom
    title_id = f"curve-title-{esc(curve_id)}"
    title = gettext("Cumulative completed investment by month against the year's plan")
    pace = gettext("pace of the year's plan")
    parts = [
        f'\n<svg class="chart" viewBox="0 0 {shown(curve.width)} {shown(curve.height)}" '
        f'role="img" aria-labelledby="{title_id}">'
        f'\n  <title id="{title_id}">'
        f"{title}</title>\n  "
    ]
    for y, text in curve.y_ticks:
        y = shown(y)
        parts.append(
            f'\n    <line class="grid" x1="{left}" x2="{right}" y1="{y}" y2="{y}"/>'
            f'\n    <text class="tick" x="{shown(int(curve.plot_left) - 6)}" y="{y}" '
            f'text-anchor="end" dominant-baseline="middle">{esc(text)}</text>\n  '
        )
    parts.append("\n  ")
    for x, month in curve.x_ticks:
        parts.append(
            f'\n    <text class="tick" x="{shown(x)}" y="{shown(int(bottom) + 16)}" '
            f'text-anchor="middle">{shown(month)}</text>\n  '
        )
    parts.append(
        f'\n  <text class="tick axis-unit" x="{left}" y="12" text-anchor="start">'
        f'{gettext("100 million yuan")}</text>'
        f'\n  <text class="tick axis-unit" x="{right}" y="{shown(int(curve.height) - 4)}" '
        f'text-anchor="end">{gettext("month")}</text>\n  '
    )
    if curve.plan_y is not None:
        plan_y = shown(curve.plan_y)
        plan = gettext("plan %(plan)s") % {"plan": esc(curve.plan_label)}
        parts.append(
            f'<line class="plan" x1="{left}" x2="{right}" y1="{plan_y}" y2="{plan_y}"/>'
            f'\n  <text class="tick" x="{shown(int(curve.plot_left) + 4)}" '
            f'y="{shown(int(curve.plan_y) - 4)}">{plan}</text>'
        )
    parts.append("\n  ")
    if curve.pace_points:
        parts.append(f'<polyline class="expected" points="{esc(curve.pace_points)}"/>')
    parts.append("\n  ")
    if curve.actual_points:
        parts.append(f'<polyline class="actual" points="{esc(curve.actual_points)}"/>')
    parts.append("\n  ")
    for x, y, text in curve.actual_dots:
        parts.append(
            f'<circle class="actual" cx="{shown(x)}" cy="{shown(y)}" r="3.5">'
            f"<title>{esc(text)}</title></circle>"
        )
    parts.append(
        '\n</svg>\n<p class="legend"><span class="key actual"></span> '
        f'{gettext("completed to date, from the monthly reports")} '
        f'<span class="key expected"></span> {pace}</p>\n'
    )
    if curve.unplaced:
        unplaced = gettext(
            "The year's completed figure differs from the curve by %(amount)s: administrators' "
            "yearly figures and corrections, which belong to no month."
        ) % {"amount": esc(curve.unplaced)}
        parts.append(f'<p class="muted">{unplaced}</p>')
    parts.append("\n")
    return "".join(parts) + "\n"
