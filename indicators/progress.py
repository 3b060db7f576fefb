"""How far a plan indicator has come toward its target, and a verdict in words.

No database here: assess() takes plain numbers, so every case can be worked by hand.

What a yearly value means depends on the target kind:

- level, at_least, at_most: the level reached that year (GDP of 1,320 亿元 in 2023);
- growth: that year's growth rate in percent (5.1 for 5.1 %);
- cumulative: that year's own amount (17,000 new jobs in 2023); the total is their sum;
- annual_average (年均): that year's own amount; the target is their average over the period;
- every_year (每年不低于): that year's figure; the target is a floor each year must reach;
- yearly_target: that year's figure against a target set for that year alone (by the city,
  or the economy's growth for incomes "in step with the economy"), entered with the value.

Missing years are gaps, never zeros. A year of the period gone by (before the current
year) without a value is named in the verdict. Sums, averages and growth are worked out
over the years reported, and say which years those are; what is still needed is spread
over every year of the period without a value. Once the target year has passed, a period
target (cumulative, growth, annual average, every year) with a year missing is awaiting
its figures, never judged as if the missing year were zero.

Baselines: a baseline is the level of one year (baseline_kind "year"), or a total or an
average over a period (2016-2020). Only a one-year baseline is a starting level.

Starting point (year t0, value x0)
    Growth and cumulative targets start the year before the plan period (2020 for
    2021-2025) at no progress. Level and threshold targets start at the plan's one-year
    baseline; when the plan gives none, at the first value entered, and the reason says so.

Expected path, for every year t from t0 to the target year T
    level, at_least, at_most   linear:    x0 + (target - x0) * (t - t0) / (T - t0)
    growth                     compound:  an index of 100 at t0, 100 * (1 + r) ** (t - t0)
    cumulative                 pro rata:  target * (t - t0) / (T - t0)
    annual_average             the target, every year of the period
    every_year, yearly_target  the year's floor (the target, or the year's own target)
The actual path of growth and cumulative targets (the index, the running total) is known
only up to the first missing year, and stops there; charts leave every missing year empty.

Status before the target year has passed: the ratio method of UN ESCAP's SDG progress
reports, which compares the rate of progress achieved with the rate needed:

    ratio = achieved rate per year / needed rate per year

    level, thresholds   ((x - x0) / (t - t0)) / ((target - x0) / (T - t0))
    growth              ((prod(1 + g)) ** (1 / n) - 1) / r        n = years reported
    cumulative          (sum / n) / (target / (T - t0))           n = years reported
    annual_average      mean / target        (target / mean where lower is better)

    target met           the latest figure already meets the target (level, thresholds,
                         cumulative); growth and annual averages are only judged at the end
    on track             ratio >= 0.95; every_year and yearly_target: no year reported
                         below its target
    needs acceleration   0.5 <= ratio < 0.95
    limited progress     0 <= ratio < 0.5
    moving away          ratio < 0
    below the target     every_year and yearly_target: a year reported below its target;
                         the verdict lists those years
    no data              no value yet
    no baseline          no baseline in the plan and a single value: nothing to compare yet

"Higher or lower is better" decides what meeting means for level targets; the sign of
(target - x0) carries the direction through the ratio.

"About" targets (左右, 基本同步) have a band: a final figure short of the target by no more
than the band is "met, within the band". The band is stated per indicator (tolerance, in
the indicator's unit); where none is stated it is DEFAULT_BAND, 5 % of the target (0.3
percentage points of a 6 % growth target, 72.5 亿元 of 1,450 亿元).

Once the target year has passed (the current year is after T) the verdict is final:
met, met within the band, or not met by how much, judged on the target year's figure (the
sum, the average, or the average growth over the period for period targets; every year
for floors); while a figure it needs is not in, awaiting the final figure, with the
projection from the values so far. A final verdict keeps the unit, says where the path
started, and the pace that was needed as judged in the target year from the years before.

Projection to the target year: level targets extend the rate since t0; cumulative targets
the average of the years reported over the whole period (sum / n * (T - t0)); growth and
annual averages the average so far.

The share of the target reached is final / target, or target / final where lower is better.

Required pace, whenever the target is not met and there are years without a value up to
T: the change per year still needed, and for levels in money or counts the growth
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
DEFAULT_BAND = 0.05  # an "about" target's band where the plan data states none: 5 % of it


class Kind:
    LEVEL = "level"
    CUMULATIVE = "cumulative"
    GROWTH = "growth"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    ANNUAL_AVERAGE = "annual_average"
    EVERY_YEAR = "every_year"
    YEARLY_TARGET = "yearly_target"


PERIOD_KINDS = (Kind.CUMULATIVE, Kind.GROWTH, Kind.ANNUAL_AVERAGE)
FLOOR_KINDS = (Kind.EVERY_YEAR, Kind.YEARLY_TARGET)


class BaselineKind:
    YEAR = "year"
    PERIOD_TOTAL = "period_total"
    PERIOD_AVERAGE = "period_average"


class Status(models.TextChoices):
    MET = "met", pgettext_lazy("indicator status", "target met")
    ON_TRACK = "on_track", pgettext_lazy("indicator status", "on track")
    NEEDS_ACCELERATION = (
        "needs_acceleration",
        pgettext_lazy("indicator status", "needs acceleration"),
    )
    LIMITED_PROGRESS = "limited_progress", pgettext_lazy("indicator status", "limited progress")
    MOVING_AWAY = "moving_away", pgettext_lazy("indicator status", "moving away")
    BELOW_TARGET = "below_target", pgettext_lazy("indicator status", "below the target in a year")
    NO_DATA = "no_data", pgettext_lazy("indicator status", "no data")
    NO_BASELINE = "no_baseline", pgettext_lazy("indicator status", "no baseline")
    FINAL_MET = "final_met", pgettext_lazy("indicator status", "met")
    FINAL_WITHIN_BAND = "final_within_band", pgettext_lazy(
        "indicator status", "met, within the band"
    )
    FINAL_NOT_MET = "final_not_met", pgettext_lazy("indicator status", "not met")
    AWAITING_FINAL = (
        "awaiting_final",
        pgettext_lazy("indicator status", "awaiting the final figure"),
    )


@dataclass(frozen=True)
class Target:
    kind: str
    target_year: int
    target_value: float | None  # None only for yearly_target: each year has its own
    period_start: int  # first year of the plan period
    baseline_year: int | None = None
    baseline_value: float | None = None
    higher_is_better: bool = True
    unit: str = ""
    baseline_kind: str = BaselineKind.YEAR
    about: bool = False  # worded "about" (左右): judged with a band
    tolerance: float | None = None  # the band, in the unit; None: DEFAULT_BAND
    yearly_targets: dict = field(default_factory=dict)  # year -> that year's own target


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
    needed_in_target_year: RequiredPace | None = None  # once final: the pace that was needed
    missing_years: list = field(default_factory=list)  # years gone by without a value
    years_used: list = field(default_factory=list)  # the years a sum or average is over
    years_below: list = field(default_factory=list)  # every_year, yearly_target: below target

    @property
    def is_final(self):
        return self.status in (
            Status.FINAL_MET,
            Status.FINAL_WITHIN_BAND,
            Status.FINAL_NOT_MET,
            Status.AWAITING_FINAL,
        )


def band(target, goal=None):
    """How far short of an "about" target still counts as met (0 for a strict target)."""
    if not target.about:
        return 0.0
    if target.tolerance is not None:
        return abs(float(target.tolerance))
    goal = target.target_value if goal is None else goal
    return abs(float(goal or 0)) * DEFAULT_BAND


def assess(target, values, current_year):
    """Judge `target` (a Target) from `values` ({year: number}) in `current_year`."""
    values = {int(y): float(v) for y, v in values.items() if v is not None}
    values = {y: v for y, v in values.items() if y <= target.target_year}
    result = _assess(target, values, current_year)
    gone_by = range(target.period_start, min(current_year, target.target_year + 1))
    result.missing_years = [y for y in gone_by if y not in values]
    if current_year > target.target_year and result.is_final:
        _after_the_target_year(result, target, values)
    return result


def _assess(target, values, current_year):
    if target.kind == Kind.GROWTH:
        return _assess_growth(target, values, current_year)
    if target.kind == Kind.CUMULATIVE:
        return _assess_cumulative(target, values, current_year)
    if target.kind == Kind.ANNUAL_AVERAGE:
        return _assess_average(target, values, current_year)
    if target.kind in FLOOR_KINDS:
        return _assess_floor(target, values, current_year)
    return _assess_level(target, values, current_year)


def _after_the_target_year(result, target, values):
    """A final verdict keeps where the path started and the pace that was needed."""
    T = target.target_year
    start = _start_note(target, result)
    before = {y: v for y, v in values.items() if y < T}
    pace = ""
    if target.kind not in FLOOR_KINDS and before:
        earlier = _assess(target, before, T)
        if earlier.required is not None:
            result.needed_in_target_year = earlier.required
            pace = _("As judged in %(year)s: %(pace)s") % {
                "year": T,
                "pace": _pace_reason(target, earlier.required),
            }
    result.reason = _join(result.reason, start, pace)


def _start_note(target, result):
    if result.start_year is None:
        return ""
    if target.kind == Kind.CUMULATIVE:
        return _("The running total starts at zero in %(year)s.") % {"year": result.start_year}
    if target.kind == Kind.GROWTH:
        return _("Growth is counted from %(year)s.") % {"year": result.start_year}
    if target.kind in (Kind.LEVEL, Kind.AT_LEAST, Kind.AT_MOST):
        if result.started_from_first_value:
            return _(
                "The path starts at the first value entered, %(value)s in %(year)s."
            ) % {"value": _with_unit(result.start_value, target.unit), "year": result.start_year}
        return _("The path starts at the baseline, %(value)s in %(year)s.") % {
            "value": _with_unit(result.start_value, target.unit),
            "year": result.start_year,
        }
    return ""


# --- level, at least, at most -------------------------------------------------------------


def _assess_level(target, values, current_year):
    T, goal = target.target_year, float(target.target_value)
    if target.baseline_value is not None and target.baseline_kind == BaselineKind.YEAR:
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
            result, target, final=values.get(T), projection=_extend(x, rate, T - t), higher=higher
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
    if target.kind in (Kind.GROWTH, Kind.CUMULATIVE):
        return True
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
    index = 100.0
    for y in years:
        index *= 1 + values[y] / 100
    result = Assessment(
        Status.NO_DATA,
        "",
        start_year=t0,
        start_value=100.0,
        expected=expected,
        actual=_running(t0, 100.0, values, T, lambda level, g: level * (1 + g / 100)),
        years_used=years,
    )
    if not years:
        result.reason = _("No value has been entered yet.")
        return result
    n = len(years)
    achieved = ((index / 100) ** (1 / n) - 1) * 100
    result.latest_year, result.latest_value = years[-1], achieved
    result.projection = achieved
    open_years = span - n
    average = _(
        "Average growth over %(years)s: %(achieved)s%% a year against %(target)s%% targeted."
    ) % {"years": _years(years), "achieved": _fmt(achieved), "target": _fmt(r)}
    if current_year > T:
        result.reason = average
        return _final_period(result, target, values, final=achieved, higher=True)
    if open_years > 0:
        needed_index = (1 + r / 100) ** span
        per_year = ((needed_index / (index / 100)) ** (1 / open_years) - 1) * 100
        result.required = RequiredPace(per_year=per_year, years=open_years)
    result.ratio = achieved / r if r else None
    if result.ratio is None:
        result.status = Status.ON_TRACK if achieved >= 0 else Status.MOVING_AWAY
    else:
        result.status = _status_from_ratio(result.ratio)
    result.reason = _join(
        average,
        _missing_note(target, values, current_year),
        _pace_reason(target, result.required),
    )
    return result


def _running(t0, start, values, T, step):
    """The running measure (index, total) from t0, up to the first missing year only."""
    running, level = {t0: start}, start
    for t in range(t0 + 1, T + 1):
        if t not in values:
            break
        level = step(level, values[t])
        running[t] = level
    return running


# --- cumulative over the period -----------------------------------------------------------


def _assess_cumulative(target, values, current_year):
    T, goal = target.target_year, float(target.target_value)
    t0 = target.period_start - 1
    span = T - t0
    expected = {t: goal * (t - t0) / span for t in range(t0, T + 1)}
    years = sorted(y for y in values if y > t0)
    total = sum(values[y] for y in years)
    result = Assessment(
        Status.NO_DATA,
        "",
        start_year=t0,
        start_value=0.0,
        expected=expected,
        actual=_running(t0, 0.0, values, T, lambda level, amount: level + amount),
        years_used=years,
    )
    if not years:
        result.reason = _("No value has been entered yet.")
        return result
    n = len(years)
    result.latest_year, result.latest_value = years[-1], total
    rate = total / n  # the average of the years reported; a missing year is not a zero
    result.projection = rate * span
    reached = _("%(total)s of %(target)s %(unit)s reached over %(years)s.") % {
        "total": _fmt(total),
        "target": _fmt(goal),
        "unit": target.unit.strip(),
        "years": _years(years),
    }
    if current_year > T:
        result.reason = reached
        return _final_period(result, target, values, final=total, higher=True)
    if total >= goal:
        result.status = Status.MET
        result.reason = _join(reached, _("The total so far already reaches the target."))
        return result
    if span - n > 0:
        result.required = RequiredPace(per_year=(goal - total) / (span - n), years=span - n)
    result.ratio = rate / (goal / span)
    result.status = _status_from_ratio(result.ratio)
    projection = ""
    if n < span:
        projection = _(
            "At the average of the years reported (%(rate)s a year) the period would reach "
            "%(projection)s %(unit)s."
        ) % {
            "rate": _fmt(rate),
            "projection": _fmt(result.projection),
            "unit": target.unit.strip(),
        }
    result.reason = _join(
        reached,
        _missing_note(target, values, current_year),
        projection,
        _ratio_reason(result.ratio),
        _pace_reason(target, result.required),
    )
    return result


# --- an average over the period (年均) -----------------------------------------------------


def _assess_average(target, values, current_year):
    T, goal = target.target_year, float(target.target_value)
    span = T - target.period_start + 1
    years = sorted(y for y in values if y >= target.period_start)
    higher = _higher_is_better(target)
    result = Assessment(
        Status.NO_DATA,
        "",
        expected={t: goal for t in range(target.period_start, T + 1)},
        actual={y: values[y] for y in years},
        years_used=years,
    )
    if not years:
        result.reason = _("No value has been entered yet.")
        return result
    n, total = len(years), sum(values[y] for y in years)
    mean = total / n
    result.latest_year, result.latest_value, result.projection = years[-1], mean, mean
    average = _(
        "Average over %(years)s: %(mean)s %(unit)s a year against %(target)s %(unit)s targeted."
    ) % {
        "years": _years(years),
        "mean": _fmt(mean),
        "target": _fmt(goal),
        "unit": target.unit.strip(),
    }
    if current_year > T:
        result.reason = average
        return _final_period(result, target, values, final=mean, higher=higher)
    if span - n > 0:
        result.required = RequiredPace(per_year=(goal * span - total) / (span - n), years=span - n)
    if higher:
        result.ratio = mean / goal if goal else None
    else:
        result.ratio = goal / mean if mean else None
    result.status = Status.ON_TRACK if result.ratio is None else _status_from_ratio(result.ratio)
    pace = ""
    if result.required is not None and (result.required.per_year > goal) == higher:
        pace = _(
            "%(amount)s %(unit)s a year are needed in each remaining year to average "
            "%(target)s %(unit)s."
        ) % {
            "amount": _fmt(result.required.per_year),
            "target": _fmt(goal),
            "unit": target.unit.strip(),
        }
    result.reason = _join(average, _missing_note(target, values, current_year), pace)
    return result


# --- a target every year: a floor (每年), or a target set for each year ----------------------


def _assess_floor(target, values, current_year):
    T = target.target_year
    higher = _higher_is_better(target)
    period = range(target.period_start, T + 1)
    floors = {
        t: float(target.yearly_targets[t]) if t in target.yearly_targets else target.target_value
        for t in period
    }
    floors = {t: float(f) for t, f in floors.items() if f is not None}
    years = sorted(y for y in values if y >= target.period_start)
    result = Assessment(
        Status.NO_DATA,
        "",
        expected=floors,
        actual={y: values[y] for y in years},
        years_used=years,
    )
    if not years:
        result.reason = _("No value has been entered yet.")
        return result
    result.latest_year, result.latest_value = years[-1], values[years[-1]]
    judged = [y for y in years if y in floors]
    unjudged = [y for y in years if y not in floors]

    def meets(y):
        slack = band(target, floors[y])
        return values[y] >= floors[y] - slack if higher else values[y] <= floors[y] + slack

    result.years_below = [y for y in judged if not meets(y)]
    below = "; ".join(
        _("%(year)s: %(value)s against %(target)s") % {
            "year": y,
            "value": _with_unit(values[y], target.unit),
            "target": _with_unit(floors[y], target.unit),
        }
        for y in result.years_below
    )
    no_target = (
        _("No target has been entered for %(years)s.") % {"years": _years(unjudged)}
        if unjudged
        else ""
    )
    missing = [t for t in period if t not in values and t < current_year]
    if result.years_below:
        result.status = Status.FINAL_NOT_MET if current_year > T else Status.BELOW_TARGET
        result.reason = _join(
            _("Below the target in %(list)s.") % {"list": below},
            no_target,
            _missing_note(target, values, current_year),
        )
        return result
    if current_year > T and (missing or unjudged):
        result.status = Status.AWAITING_FINAL
        result.reason = _join(
            _("At or above the target in every year reported (%(years)s).")
            % {"years": _years(judged)}
            if higher and judged
            else "",
            no_target,
            _missing_note(target, values, current_year),
        )
        return result
    if current_year > T:
        result.status = Status.FINAL_MET
        result.reason = _("Target met in every year: %(years)s.") % {"years": _years(judged)}
        return result
    if not judged:
        result.reason = no_target
        return result
    result.status = Status.ON_TRACK
    ok = (
        _("At or above the target in every year reported (%(years)s).")
        if higher
        else _("At or below the target in every year reported (%(years)s).")
    )
    result.reason = _join(
        ok % {"years": _years(judged)}, no_target, _missing_note(target, values, current_year)
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


def _missing_note(target, values, current_year):
    gone_by = range(target.period_start, min(current_year, target.target_year + 1))
    missing = [y for y in gone_by if y not in values]
    if not missing:
        return ""
    return _("No figure for %(years)s: a missing year is left open, not counted as zero.") % {
        "years": _years(missing)
    }


def _final_period(result, target, values, *, final, higher):
    """The final verdict of a period target: every year of the period must be in."""
    missing = [t for t in range(target.period_start, target.target_year + 1) if t not in values]
    # A total already past the target is met whatever the missing years hold (never < 0).
    reached = target.kind == Kind.CUMULATIVE and final >= float(target.target_value)
    if missing and not reached:
        result.status = Status.AWAITING_FINAL
        result.reason = _join(
            result.reason,
            _(
                "The target year has passed; no figure yet for %(years)s. The years reported "
                "point to %(projection)s against a target of %(target)s."
            )
            % {
                "years": _years(missing),
                "projection": _with_unit(result.projection, _unit_of(target)),
                "target": _with_unit(float(target.target_value), _unit_of(target)),
            },
        )
        return result
    reason = result.reason
    _final(result, target, final=final, projection=result.projection, higher=higher)
    result.reason = _join(reason, result.reason)
    return result


def _unit_of(target):
    return "%" if target.kind == Kind.GROWTH else target.unit


def _final(result, target, *, final, projection, higher):
    """The verdict once the target year has passed."""
    goal = float(target.target_value)
    unit = _unit_of(target)
    result.projection = projection
    if final is None:
        result.status = Status.AWAITING_FINAL
        if projection is None:
            result.reason = _("The target year has passed; its figure has not been entered yet.")
        else:
            result.reason = _(
                "The target year has passed; its figure has not been entered yet. "
                "The values so far point to %(projection)s against a target of %(target)s."
            ) % {"projection": _with_unit(projection, unit), "target": _with_unit(goal, unit)}
        return result
    result.gap = (goal - final) if higher else (final - goal)
    if goal and final:
        result.share_of_target = final / goal if higher else goal / final
    figures = {"final": _with_unit(final, unit), "target": _with_unit(goal, unit)}
    if result.gap <= 1e-9:
        result.status = Status.FINAL_MET
        result.reason = _("Target met: %(final)s against a target of %(target)s.") % figures
    elif result.gap <= band(target) + 1e-9:
        result.status = Status.FINAL_WITHIN_BAND
        result.reason = _(
            "Met within the band: %(final)s against about %(target)s, short by %(gap)s, "
            "within the band of %(band)s."
        ) % (figures | {"gap": _fmt(result.gap, 2), "band": _with_unit(band(target), unit)})
    else:
        result.status = Status.FINAL_NOT_MET
        share = f" ({_fmt(abs(result.gap) / abs(goal) * 100)}%)" if goal else ""
        result.reason = _(
            "Target not met: %(final)s against a target of %(target)s, short by %(gap)s%(share)s."
        ) % (figures | {"gap": _fmt(abs(result.gap)), "share": share})
    return result


def _ratio_reason(ratio):
    return _(
        "Progress so far is %(percent)s%% of the pace needed to reach the target in time."
    ) % {"percent": _fmt(ratio * 100, 0)}


def _pace_reason(target, required):
    if required is None:
        return ""
    goal = _fmt(float(target.target_value))
    unit = target.unit.strip()
    if target.kind == Kind.GROWTH:
        return _(
            "To average %(target)s%% over the period it must grow %(rate)s%% a year "
            "in each remaining year."
        ) % {"target": goal, "rate": _fmt(required.per_year)}
    if target.kind == Kind.CUMULATIVE:
        return _(
            "%(amount)s %(unit)s a year are needed in each remaining year to reach %(target)s %(unit)s."
        ) % {"amount": _fmt(required.per_year), "target": goal, "unit": unit}
    if target.kind == Kind.ANNUAL_AVERAGE:
        return _(
            "%(amount)s %(unit)s a year are needed in each remaining year to average "
            "%(target)s %(unit)s."
        ) % {"amount": _fmt(required.per_year), "target": goal, "unit": unit}
    if required.growth_rate is not None and required.growth_rate >= 0:
        return _(
            "It must grow %(rate)s%% a year in each remaining year to reach %(target)s %(unit)s."
        ) % {"rate": _fmt(required.growth_rate), "target": goal, "unit": unit}
    if required.growth_rate is not None:
        return _(
            "It must fall %(rate)s%% a year in each remaining year to reach %(target)s %(unit)s."
        ) % {"rate": _fmt(-required.growth_rate), "target": goal, "unit": unit}
    if unit == "%":
        return _(
            "It must change by %(change)s percentage points a year in each remaining year "
            "to reach %(target)s%%."
        ) % {"change": _fmt(required.per_year, 2, signed=True), "target": goal}
    return _(
        "It must change by %(change)s %(unit)s a year in each remaining year to reach "
        "%(target)s %(unit)s."
    ) % {"change": _fmt(required.per_year, 2, signed=True), "target": goal, "unit": unit}


def _join(*parts):
    # Chinese sentences end in "。" and need no space between them.
    separator = "" if (get_language() or "").startswith("zh") else " "
    return separator.join(p for p in parts if p)


def _years(years):
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(str(y) for y in years)


def _with_unit(number, unit):
    unit = (unit or "").strip()
    text = _fmt(number, 2)
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"  # "57%", as formatting.percent


def _fmt(number, places=1, signed=False):
    """A figure for people: at most `places` decimals, no trailing zeros."""
    if number is None or math.isnan(number):
        return "–"
    rounded = Decimal(str(round(number, places))).normalize()
    text = f"{rounded:f}"
    if text in ("-0", "-0.0"):
        text = "0"
    return f"+{text}" if signed and number > 0 else text
