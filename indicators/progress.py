"""How far a plan indicator has come toward its target, and a verdict in words.

No database here: assess() takes plain numbers, so every case can be worked by hand.

What a yearly value means depends on the target kind:

- level, at_least, at_most: the level reached that year (GDP of 1,320 亿元 in 2023);
- growth: that year's growth rate in percent (5.1 for 5.1 %);
- cumulative: that year's own amount (17,000 new jobs in 2023); the total is their sum.

Starting point (year t0, value x0)
    Growth and cumulative targets start the year before the plan period (2020 for
    2021-2025) at no progress. Level and threshold targets start at the plan's baseline;
    when the plan gives none, at the first value entered, and the reason says so.

Expected path, for every year t from t0 to the target year T
    level, at_least, at_most   linear:    x0 + (target - x0) * (t - t0) / (T - t0)
    growth                     compound:  an index of 100 at t0, 100 * (1 + r) ** (t - t0)
    cumulative                 pro rata:  target * (t - t0) / (T - t0)

Status before the target year has passed: the ratio method of UN ESCAP's SDG progress
reports, which compares the rate of progress achieved with the rate needed:

    ratio = achieved rate per year since t0 / needed rate per year from t0 to T

    level, thresholds   ((x - x0) / (t - t0)) / ((target - x0) / (T - t0))
    growth              ((prod(1 + g)) ** (1 / n) - 1) / r        n = years with a value
    cumulative          (sum / (t - t0)) / (target / (T - t0))

    target met           the latest figure already meets the target (level, thresholds,
                         cumulative); growth is only judged at the end
    on track             ratio >= 0.95
    needs acceleration   0.5 <= ratio < 0.95
    limited progress     0 <= ratio < 0.5
    moving away          ratio < 0
    no data              no value yet
    no baseline          no baseline in the plan and a single value: nothing to compare yet

"Higher or lower is better" decides what meeting means for level targets; the sign of
(target - x0) carries the direction through the ratio.

Once the target year has passed (the current year is after T) the verdict is final:
met, or not met by how much, judged on the target year's figure (the sum, or the average
growth, over the period for cumulative and growth targets); while that figure is not in,
awaiting the final figure, with the projection from the values so far.

The share of the target reached is final / target, or target / final where lower is better.

Required pace, whenever the target is not met and there are years left after the latest
value: the change per year still needed, and for levels in money or counts the growth
rate per year ("must grow 8.4 % a year to reach 1,450 亿元").
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models  # for TextChoices only: nothing here touches the database
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

ON_TRACK = 0.95
NEEDS_ACCELERATION = 0.5


class Kind:
    LEVEL = "level"
    CUMULATIVE = "cumulative"
    GROWTH = "growth"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Status(models.TextChoices):
    MET = "met", pgettext_lazy("indicator status", "target met")
    ON_TRACK = "on_track", pgettext_lazy("indicator status", "on track")
    NEEDS_ACCELERATION = (
        "needs_acceleration",
        pgettext_lazy("indicator status", "needs acceleration"),
    )
    LIMITED_PROGRESS = "limited_progress", pgettext_lazy("indicator status", "limited progress")
    MOVING_AWAY = "moving_away", pgettext_lazy("indicator status", "moving away")
    NO_DATA = "no_data", pgettext_lazy("indicator status", "no data")
    NO_BASELINE = "no_baseline", pgettext_lazy("indicator status", "no baseline")
    FINAL_MET = "final_met", pgettext_lazy("indicator status", "met")
    FINAL_NOT_MET = "final_not_met", pgettext_lazy("indicator status", "not met")
    AWAITING_FINAL = (
        "awaiting_final",
        pgettext_lazy("indicator status", "awaiting the final figure"),
    )


@dataclass(frozen=True)
class Target:
    kind: str
    target_year: int
    target_value: float
    period_start: int  # first year of the plan period
    baseline_year: int | None = None
    baseline_value: float | None = None
    higher_is_better: bool = True
    unit: str = ""


@dataclass
class RequiredPace:
    per_year: float  # change per year (level), amount per year (cumulative), rate (growth)
    growth_rate: float | None = None  # percent a year, for levels in money or counts
    years: int = 0


@dataclass
class Assessment:
    status: str
    reason: str
    start_year: int | None = None
    start_value: float | None = None
    started_from_first_value: bool = False
    latest_year: int | None = None
    latest_value: float | None = None  # the measure compared with the target
    ratio: float | None = None
    expected: dict = field(default_factory=dict)  # year -> expected measure
    actual: dict = field(default_factory=dict)  # year -> actual measure (level, index, running sum)
    projection: float | None = None  # the measure expected in the target year
    gap: float | None = None  # target minus final figure, in the good direction (> 0: short)
    share_of_target: float | None = None  # final figure as a share of the target (1.0: exactly)
    required: RequiredPace | None = None

    @property
    def is_final(self):
        return self.status in (Status.FINAL_MET, Status.FINAL_NOT_MET, Status.AWAITING_FINAL)


def assess(target, values, current_year):
    """Judge `target` (a Target) from `values` ({year: number}) in `current_year`."""
    values = {int(y): float(v) for y, v in values.items() if v is not None}
    values = {y: v for y, v in values.items() if y <= target.target_year}
    if target.kind == Kind.GROWTH:
        return _assess_growth(target, values, current_year)
    if target.kind == Kind.CUMULATIVE:
        return _assess_cumulative(target, values, current_year)
    return _assess_level(target, values, current_year)


# --- level, at least, at most -------------------------------------------------------------


def _assess_level(target, values, current_year):
    T, goal = target.target_year, float(target.target_value)
    if target.baseline_value is not None:
        t0, x0, from_first = target.baseline_year, float(target.baseline_value), False
    elif values:
        t0 = min(values)
        x0, from_first = values[t0], True
    else:
        return Assessment(Status.NO_DATA, _("No value has been entered yet."))
    higher = _higher_is_better(target)
    span = T - t0
    expected = {t: x0 + (goal - x0) * (t - t0) / span for t in range(t0, T + 1)} if span > 0 else {}
    actual = {t0: x0, **values}
    result = Assessment(
        Status.NO_DATA,
        "",
        start_year=t0,
        start_value=x0,
        started_from_first_value=from_first,
        expected=expected,
        actual=dict(sorted(actual.items())),
    )
    first_note = (
        _("The plan gives no baseline; the first value entered (%(year)s) is the starting point.")
        % {"year": t0}
        if from_first
        else ""
    )
    if not values:
        result.reason = _("No value has been entered yet.")
        return result
    t, x = max(values.items())
    result.latest_year, result.latest_value = t, x
    met = x >= goal if higher else x <= goal
    rate = (x - x0) / (t - t0) if t > t0 else None
    if current_year > T:
        return _final(
            result, target, final=values.get(T), met=met, projection=_extend(x, rate, T - t)
        )
    result.projection = _extend(x, rate, T - t)
    if met:
        result.status = Status.MET
        result.reason = _join(first_note, _("The latest value already meets the target."))
        return result
    result.required = _level_pace(target, x, goal, T - t)
    if rate is None:
        result.status = Status.NO_BASELINE if from_first else Status.NO_DATA
        result.reason = _join(first_note, _("A second year's value is needed to measure progress."))
        return result
    needed = (goal - x0) / span if span > 0 else 0.0
    result.ratio = rate / needed if needed else (-1.0 if (rate < 0) == higher else 0.0)
    result.status = _status_from_ratio(result.ratio)
    result.reason = _join(
        first_note, _ratio_reason(result.ratio), _pace_reason(target, result.required)
    )
    return result


def _higher_is_better(target):
    if target.kind == Kind.AT_LEAST:
        return True
    if target.kind == Kind.AT_MOST:
        return False
    return target.higher_is_better


def _extend(latest, rate, years):
    return None if rate is None else latest + rate * years


def _level_pace(target, latest, goal, years):
    if years <= 0:
        return None
    growth = None
    if target.unit.strip() != "%" and latest > 0 and goal > 0:
        growth = ((goal / latest) ** (1 / years) - 1) * 100
    return RequiredPace(per_year=(goal - latest) / years, growth_rate=growth, years=years)


# --- average annual growth ----------------------------------------------------------------


def _assess_growth(target, values, current_year):
    T, r = target.target_year, float(target.target_value)
    t0 = target.period_start - 1
    span = T - t0
    years = sorted(y for y in values if y > t0)
    expected = {t: 100 * (1 + r / 100) ** (t - t0) for t in range(t0, T + 1)}
    index, actual = 100.0, {t0: 100.0}
    for y in years:
        index *= 1 + values[y] / 100
        actual[y] = index
    result = Assessment(
        Status.NO_DATA, "", start_year=t0, start_value=100.0, expected=expected, actual=actual
    )
    if not years:
        result.reason = _("No value has been entered yet.")
        return result
    n = len(years)
    achieved = ((index / 100) ** (1 / n) - 1) * 100
    result.latest_year, result.latest_value = years[-1], achieved
    remaining = T - years[-1]
    result.projection = achieved
    if current_year > T:
        final = achieved if T in values else None
        return _final(result, target, final=final, met=achieved >= r, projection=achieved)
    if remaining > 0:
        needed_index = (1 + r / 100) ** span
        per_year = ((needed_index / (index / 100)) ** (1 / remaining) - 1) * 100
        result.required = RequiredPace(per_year=per_year, years=remaining)
    result.ratio = achieved / r if r else None
    if result.ratio is None:
        result.status = Status.ON_TRACK if achieved >= 0 else Status.MOVING_AWAY
    else:
        result.status = _status_from_ratio(result.ratio)
    result.reason = _join(
        _("Average growth so far: %(achieved)s %% a year against %(target)s %% targeted.")
        % {"achieved": _fmt(achieved), "target": _fmt(r)},
        _pace_reason(target, result.required),
    )
    return result


# --- cumulative over the period -----------------------------------------------------------


def _assess_cumulative(target, values, current_year):
    T, goal = target.target_year, float(target.target_value)
    t0 = target.period_start - 1
    span = T - t0
    expected = {t: goal * (t - t0) / span for t in range(t0, T + 1)}
    years = sorted(y for y in values if y > t0)
    total, actual = 0.0, {t0: 0.0}
    for y in years:
        total += values[y]
        actual[y] = total
    result = Assessment(
        Status.NO_DATA, "", start_year=t0, start_value=0.0, expected=expected, actual=actual
    )
    if not years:
        result.reason = _("No value has been entered yet.")
        return result
    t = years[-1]
    result.latest_year, result.latest_value = t, total
    rate = total / (t - t0)
    met = total >= goal
    result.projection = total + rate * (T - t)
    if current_year > T:
        final = total if T in values else None
        return _final(result, target, final=final, met=met, projection=result.projection)
    if met:
        result.status = Status.MET
        result.reason = _("The total so far already reaches the target.")
        return result
    if T - t > 0:
        result.required = RequiredPace(per_year=(goal - total) / (T - t), years=T - t)
    result.ratio = rate / (goal / span)
    result.status = _status_from_ratio(result.ratio)
    result.reason = _join(
        _("%(total)s of %(target)s reached so far.") % {"total": _fmt(total), "target": _fmt(goal)},
        _ratio_reason(result.ratio),
        _pace_reason(target, result.required),
    )
    return result


# --- shared -------------------------------------------------------------------------------


def _status_from_ratio(ratio):
    ratio = round(ratio, 9)  # 0.5000000001 and 0.4999999999 are both a half
    if ratio >= ON_TRACK:
        return Status.ON_TRACK
    if ratio >= NEEDS_ACCELERATION:
        return Status.NEEDS_ACCELERATION
    if ratio >= 0:
        return Status.LIMITED_PROGRESS
    return Status.MOVING_AWAY


def _final(result, target, *, final, met, projection):
    """The verdict once the target year has passed."""
    goal = float(target.target_value)
    result.projection = projection
    if final is None:
        result.status = Status.AWAITING_FINAL
        if projection is None:
            result.reason = _("The target year has passed; its figure has not been entered yet.")
        else:
            result.reason = _(
                "The target year has passed; its figure has not been entered yet. "
                "The values so far point to %(projection)s against a target of %(target)s."
            ) % {"projection": _fmt(projection), "target": _fmt(goal)}
        return result
    higher = (
        _higher_is_better(target) if target.kind not in (Kind.GROWTH, Kind.CUMULATIVE) else True
    )
    result.gap = (goal - final) if higher else (final - goal)
    if goal and final:
        result.share_of_target = final / goal if higher else goal / final
    if met:
        result.status = Status.FINAL_MET
        result.reason = _("Target met: %(final)s against a target of %(target)s.") % {
            "final": _fmt(final),
            "target": _fmt(goal),
        }
    else:
        result.status = Status.FINAL_NOT_MET
        share = f" ({_fmt(abs(result.gap) / abs(goal) * 100)} %)" if goal else ""
        result.reason = _(
            "Target not met: %(final)s against a target of %(target)s, short by %(gap)s%(share)s."
        ) % {
            "final": _fmt(final),
            "target": _fmt(goal),
            "gap": _fmt(abs(result.gap)),
            "share": share,
        }
    return result


def _ratio_reason(ratio):
    return _(
        "Progress so far is %(percent)s %% of the pace needed to reach the target in time."
    ) % {"percent": _fmt(ratio * 100, 0)}


def _pace_reason(target, required):
    if required is None:
        return ""
    goal = _fmt(float(target.target_value))
    unit = target.unit.strip()
    if target.kind == Kind.GROWTH:
        return _(
            "To average %(target)s %% over the period it must grow %(rate)s %% a year "
            "in each remaining year."
        ) % {"target": goal, "rate": _fmt(required.per_year)}
    if target.kind == Kind.CUMULATIVE:
        return _(
            "%(amount)s %(unit)s a year are needed in each remaining year to reach %(target)s %(unit)s."
        ) % {"amount": _fmt(required.per_year), "target": goal, "unit": unit}
    if required.growth_rate is not None and required.growth_rate >= 0:
        return _(
            "It must grow %(rate)s %% a year in each remaining year to reach %(target)s %(unit)s."
        ) % {"rate": _fmt(required.growth_rate), "target": goal, "unit": unit}
    if required.growth_rate is not None:
        return _(
            "It must fall %(rate)s %% a year in each remaining year to reach %(target)s %(unit)s."
        ) % {"rate": _fmt(-required.growth_rate), "target": goal, "unit": unit}
    if unit == "%":
        return _(
            "It must change by %(change)s percentage points a year in each remaining year "
            "to reach %(target)s %%."
        ) % {"change": _fmt(required.per_year, 2, signed=True), "target": goal}
    return _(
        "It must change by %(change)s %(unit)s a year in each remaining year to reach "
        "%(target)s %(unit)s."
    ) % {"change": _fmt(required.per_year, 2, signed=True), "target": goal, "unit": unit}


def _join(*parts):
    # Chinese sentences end in "。" and need no space between them.
    separator = "" if (get_language() or "").startswith("zh") else " "
    return separator.join(p for p in parts if p)


def _fmt(number, places=1, signed=False):
    """A figure for people: at most `places` decimals, no trailing zeros."""
    if number is None or math.isnan(number):
        return "–"
    rounded = Decimal(str(round(number, places))).normalize()
    text = f"{rounded:f}"
    if text in ("-0", "-0.0"):
        text = "0"
    return f"+{text}" if signed and number > 0 else text
