"""What the portfolio's pages show of the indicators (chapter figures, chapter pages, the
dashboard). The projects app reaches the indicators through this module only."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import pgettext

from .models import Indicator, IndicatorValue, ProjectIndicator
from .progress import Status

# Statuses the dashboard lists as off track.
OFF_TRACK = (
    Status.NEEDS_ACCELERATION,
    Status.LIMITED_PROGRESS,
    Status.MOVING_AWAY,
    Status.FINAL_NOT_MET,
)


def indicators_by_chapter(plan_ids):
    """{chapter id: ids of the indicators linked to that chapter itself} for the chapters
    of these plans, in one query."""
    found = defaultdict(set)
    for chapter_id, indicator_id in Indicator.chapters.through.objects.filter(
        planchapter__plan__in=plan_ids
    ).values_list("planchapter_id", "indicator_id"):
        found[chapter_id].add(indicator_id)
    return found


def for_chapters(chapters, year):
    """(indicator, assessment in `year`, status label) for each indicator linked to any of
    these chapters, in two queries."""
    indicators = Indicator.objects.for_progress().filter(chapters__in=chapters).distinct()
    return [(i, a, Status(a.status).label) for i in indicators for a in [i.assess(year)]]


def off_track(year, plan=None):
    """(indicator, assessment, status label) for each indicator (of `plan`, if given) off
    track in `year`, and how many indicators there are in all, in two queries."""
    indicators = Indicator.objects.for_progress()
    if plan is not None:
        indicators = indicators.filter(plan=plan)
    assessed = [(i, i.assess(year)) for i in indicators]
    behind = [(i, a, Status(a.status).label) for i, a in assessed if a.status in OFF_TRACK]
    return behind, len(assessed)


@dataclass
class Verdict:
    """An indicator of a plan as its overview and its assessment show it."""

    indicator: Indicator
    assessment: object  # progress.Assessment
    label: str
    values: list  # its IndicatorValues, oldest first
    provisional: bool  # a final verdict without the target year's published figure

    @property
    def has_sample_values(self):
        return any(value.source == IndicatorValue.Source.SAMPLE for value in self.values)


def is_provisional(indicator, assessment, values):
    """A final verdict is provisional while the target year's figure is not published: no
    official value for that year (a department's figure or a sample stands in for it)."""
    if not assessment.is_final:
        return False
    return not any(
        value.year == indicator.target_year and value.source == IndicatorValue.Source.OFFICIAL
        for value in values
    )


def for_plan(plan, year):
    """[Verdict] for each of the plan's indicators, assessed in `year`, in two queries."""
    found = []
    for indicator in Indicator.objects.for_progress().filter(plan=plan):
        assessment = indicator.assess(year)
        values = list(indicator.values.all())
        found.append(
            Verdict(
                indicator=indicator,
                assessment=assessment,
                label=str(Status(assessment.status).label),
                values=values,
                provisional=is_provisional(indicator, assessment, values),
            )
        )
    return found


def by_status(verdicts):
    """[(status, label, [Verdict])] in the order of the statuses, those with any."""
    groups = defaultdict(list)
    for verdict in verdicts:
        groups[verdict.assessment.status].append(verdict)
    return [(status, status.label, groups[status.value]) for status in Status if groups[status.value]]


def number(value):
    """A figure as entered, without trailing zeros; "–" for none."""
    return "–" if value is None else format(Decimal(value).normalize(), "f")


def baseline_text(indicator):
    """The baseline as the plan gives it, or None where the plan states none."""
    if indicator.baseline_value is None:
        return None
    text = f"{number(indicator.baseline_value)} ({indicator.baseline_period}"
    if indicator.baseline_kind != Indicator.BaselineKind.YEAR:
        text += f", {indicator.get_baseline_kind_display()}"
    return text + ")"


def target_text(indicator):
    """The target: about, value and year, and its kind; the kind alone for a target set for
    each year."""
    kind = str(indicator.get_target_kind_display())
    if indicator.target_value is None:
        return kind
    about = f"{pgettext('target', 'about')} " if indicator.about else ""
    return f"{about}{number(indicator.target_value)} ({indicator.target_year}) · {kind}"


def count_by_plan():
    """{plan id: how many indicators it has}, in one query."""
    return dict(
        Indicator.objects.order_by().values("plan").annotate(n=Count("pk")).values_list("plan", "n")
    )


def link_history():
    """The model of the links of projects to indicators, whose history records say each
    link added, moved or removed, and what those records show with them (their indicator,
    None if deleted since): for projects/history.py."""
    return ProjectIndicator, ("indicator",)
