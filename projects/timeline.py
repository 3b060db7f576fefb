"""Milestones on a time axis, drawn as SVG by the app (svg() below): a project's milestones
over their whole span, or the portfolio's next twelve months.

Each milestone is a row: its title above a track, and on the track its dates, each a shape
of its own (the legend names them; never a colour alone):

    ▢ original baseline (drawn when a re-baseline moved the plan)   ○ current plan
    ◇ forecast   ▲ actual   ┆ today (a dashed line across every row)

A dotted line joins the original baseline to the plan, a solid one the plan to the forecast
or the actual: how far the milestone moved, and how far it slipped.

Readable on a phone: across, positions are percentages of the chart's width (the SVG has
no viewBox, so it is as wide as its box and its text is never scaled down); down, rows have
a fixed height in pixels. Titles are cut to fit 390 px (the whole title in the row's
<title>), and the axis carries at most MAX_TICKS dates. Nothing is wider than the page.
The SVG's <title> and <desc> say what it shows and every milestone's dates in words."""

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.utils.formats import localize
from django.utils.html import conditional_escape as esc
from django.utils.translation import gettext as _

AXIS_TOP = 40  # px: the tick labels, the "today" label, then the rows
ROW_HEIGHT = 40  # px: a row's title, then its track
TRACK_OFFSET = 27  # px below the row's top: the track and its markers
BOTTOM = 6
MAX_TICKS = 4  # 390 px holds four dates such as 2026-07 side by side
TICK_STEPS = (1, 2, 3, 6, 12, 24, 60)  # months between two ticks
LABEL_UNITS = 40  # a title's width in half-em units (a Chinese character counts two)
KINDS = ("baseline", "plan", "forecast", "actual")


@dataclass(frozen=True)
class Marker:
    kind: str  # one of KINDS
    day: datetime.date
    x: float  # percent of the chart's width


@dataclass
class Row:
    label: str  # cut to fit
    full_label: str
    y: int  # px, the row's top
    markers: list  # Marker, those inside the window
    description: str  # every date in words, those outside the window too
    moved: tuple | None = None  # (x1, x2): the original baseline to the plan
    slip: tuple | None = None  # (x1, x2): the plan to the forecast or the actual
    done: bool = False

    @property
    def track_y(self):
        return self.y + TRACK_OFFSET

    @property
    def label_y(self):
        return self.y + 12


@dataclass
class Timeline:
    start: datetime.date
    end: datetime.date
    rows: list
    ticks: list  # (x, label, text-anchor)
    today_x: float | None
    today_anchor: str
    height: int
    title: str
    on: datetime.date = None
    description: str = ""
    clipped: int = 0  # dates outside the window (named in the rows' descriptions)
    kinds: list = field(default_factory=lambda: list(KINDS))


def display_width(text):
    """A text's width in half-em units: a Chinese character (East Asian wide) counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text, units=LABEL_UNITS):
    """The text, cut with an ellipsis to at most `units` half-ems."""
    if display_width(text) <= units:
        return text
    out, used = [], 1
    for char in text:
        used += display_width(char)
        if used > units:
            break
        out.append(char)
    return "".join(out).rstrip() + "…"


def months(day):
    return day.year * 12 + day.month - 1


def ticks(start, end):
    """At most MAX_TICKS first days of a month in [start, end], the round step (one, two,
    three, six months, a year …) that keeps them few; labelled by year for a step of a year
    or more, else by month."""
    first, last = months(start) + (start.day > 1), months(end)
    for step in TICK_STEPS:
        chosen = [m for m in range(first, last + 1) if m % step == 0]
        if len(chosen) <= MAX_TICKS:
            break
    fmt = "%Y" if step >= 12 else "%Y-%m"
    return [datetime.date(m // 12, m % 12 + 1, 1) for m in chosen], fmt


def anchor(x):
    """Text anchored so that it stays inside the chart near either edge."""
    return "start" if x < 8 else "end" if x > 92 else "middle"


def draw(items, *, start, end, on, title):
    """A Timeline of `items` (milestones, or any object with planned_date,
    original_planned_date, forecast_date, actual_date and `timeline_label`) between start
    and end; `on` is today."""
    span = max((end - start).days, 1)

    def x(day):
        return round((day - start).days / span * 100, 2)

    def inside(day):
        return day is not None and start <= day <= end

    rows, clipped = [], 0
    for index, item in enumerate(items):
        dates = {
            "baseline": item.original_planned_date
            if item.original_planned_date and item.original_planned_date != item.planned_date
            else None,
            "plan": item.planned_date,
            "forecast": None if item.actual_date else item.forecast_date,
            "actual": item.actual_date,
        }
        markers = [Marker(k, d, x(d)) for k, d in dates.items() if inside(d)]
        clipped += sum(1 for d in dates.values() if d is not None and not inside(d))
        label = getattr(item, "timeline_label", None) or item.title
        words = {
            "baseline": _("original baseline %(date)s"),
            "plan": _("plan %(date)s"),
            "forecast": _("forecast %(date)s"),
            "actual": _("actual %(date)s"),
        }
        description = f"{label}: " + ", ".join(
            words[k] % {"date": d.isoformat()} for k, d in dates.items() if d is not None
        )

        def segment(a, b):
            a, b = dates[a], dates[b]
            if a is None or b is None:
                return None
            low, high = max(min(a, b), start), min(max(a, b), end)
            return (x(low), x(high)) if low <= high else None

        rows.append(
            Row(
                label=fit(label),
                full_label=label,
                y=AXIS_TOP + index * ROW_HEIGHT,
                markers=markers,
                description=description,
                moved=segment("baseline", "plan"),
                slip=segment("plan", "actual" if dates["actual"] else "forecast"),
                done=dates["actual"] is not None,
            )
        )
    days, fmt = ticks(start, end)
    tick_rows = [(x(d), d.strftime(fmt), anchor(x(d))) for d in days]
    today_x = x(on) if start <= on <= end else None
    return Timeline(
        start=start,
        end=end,
        rows=rows,
        ticks=tick_rows,
        today_x=today_x,
        today_anchor=anchor(today_x) if today_x is not None else "middle",
        height=AXIS_TOP + len(rows) * ROW_HEIGHT + BOTTOM,
        title=title,
        on=on,
        description="; ".join(row.description for row in rows),
        clipped=clipped,
    )


def project_window(milestones, on):
    """From the earliest to the latest date of the milestones and today, with a margin of a
    twentieth of the span on each side (at least a fortnight), so no marker sits on an edge."""
    days = [on]
    for m in milestones:
        days += [
            d
            for d in (m.original_planned_date, m.planned_date, m.forecast_date, m.actual_date)
            if d
        ]
    low, high = min(days), max(days)
    margin = datetime.timedelta(days=max((high - low).days // 20, 14))
    return low - margin, high + margin


def project_timeline(project, milestones, on):
    """The project page's timeline: every milestone over its whole span; None without one."""
    if not milestones:
        return None
    start, end = project_window(milestones, on)
    return draw(
        milestones,
        start=start,
        end=end,
        on=on,
        title=_("Milestones of %(project)s on a time axis") % {"project": project.display_name},
    )


def svg(tl, tl_id):
    """The SVG of Timeline `tl`, `tl_id` an id unique on the page. Positions across are
    percentages of the chart's width, so the text keeps its size on a phone. Written in
    Python, not by a template: a project's ten rows and their markers cost the template
    engine more than the rest of its timeline (the markup is the template's that it
    replaced, byte for byte; a test compares)."""
    tl_id = esc(tl_id)
    height = esc(localize(tl.height))
    start, end = tl.start, tl.end
    parts = [
        '\n<div class="timeline-box">'
        f'\n<svg class="timeline" width="100%" height="{height}" role="img" '
        f'aria-labelledby="{tl_id}-title {tl_id}-desc" data-start="{_ymd(start)}" '
        f'data-end="{_ymd(end)}">'
        f'\n  <title id="{tl_id}-title">{esc(tl.title)}</title>'
        f'\n  <desc id="{tl_id}-desc">{esc(tl.description)}</desc>'
        "\n  "
    ]
    for x, label, side in tl.ticks:
        parts.append(
            f'<line class="tl-grid" x1="{x:.2f}%" x2="{x:.2f}%" y1="18" y2="{height}"/>'
            f'\n  <text class="tl-tick" x="{x:.2f}%" y="13" text-anchor="{esc(side)}">'
            f"{esc(label)}</text>"
        )
    parts.append("\n  ")
    for index, row in enumerate(tl.rows):
        track = esc(localize(row.track_y))
        parts.append(
            f'<g class="tl-row{" tl-done" if row.done else ""}" data-row="{index}">'
            f"\n    <title>{esc(row.description)}</title>"
            f'\n    <text class="tl-label" x="0" y="{esc(localize(row.label_y))}">'
            f"{esc(row.label)}</text>"
            f'\n    <line class="tl-track" x1="0" x2="100%" y1="{track}" y2="{track}"/>'
            "\n    "
        )
        if row.moved:
            parts.append(
                f'<line class="tl-moved" x1="{row.moved[0]:.2f}%" x2="{row.moved[1]:.2f}%" '
                f'y1="{track}" y2="{track}"/>'
            )
        parts.append("\n    ")
        if row.slip:
            parts.append(
                f'<line class="tl-slip" x1="{row.slip[0]:.2f}%" x2="{row.slip[1]:.2f}%" '
                f'y1="{track}" y2="{track}"/>'
            )
        parts.append("\n    ")
        for m in row.markers:
            kind = esc(m.kind)
            parts.append(
                f'<use href="#tl-{kind}" class="tl-marker tl-{kind}" x="{m.x:.2f}%" '
                f'y="{track}" data-kind="{kind}" data-date="{_ymd(m.day)}"/>'
            )
        parts.append("\n  </g>")
    parts.append("\n  ")
    if tl.today_x is not None:
        x = tl.today_x
        parts.append(
            f'<line class="tl-today" x1="{x:.2f}%" x2="{x:.2f}%" y1="18" y2="{height}" '
            f'data-kind="today" data-date="{_ymd(tl.on)}"/>'
            f'\n  <text class="tl-today-label" x="{x:.2f}%" y="31" '
            f'text-anchor="{esc(tl.today_anchor)}">{_("today")}</text>'
        )
    parts.append("\n</svg>\n</div>\n")
    return "".join(parts)


def _ymd(day):
    """A date as the templates' |date:"Y-m-d" writes it ("" for none)."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}" if day else ""
