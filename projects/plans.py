"""Plans over time: which plan a page shows (the current one, or ?plan=<number>), and a
plan's overview (its chapters and what serves them, its indicators by verdict, its projects
by stage, its investment over its years).

A plan's projects are the projects linked to any of its chapters (or their sections). Its
state on a day, and the current plan, are the models' (Plan.state, PlanQuerySet.current)."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django import forms
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators import summary as indicator_summary

from . import ledger
from .clock import today
from .models import (
    Carryover,
    Plan,
    PlanChapter,
    Project,
    ProjectChapter,
    current_plan,
    kept_objects,
)
from .scorecards import subtrees

PLAN_NUMBER = re.compile(r"[0-9]{1,9}")


# --- ?plan=<number> ------------------------------------------------------------------------


class PlanChoiceForm(forms.Form):
    """The plan switch of a page (a GET form): one of the plans, by number."""

    plan = forms.TypedChoiceField(label=gettext_lazy("plan"), coerce=int, required=False)

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(plan.number, str(plan)) for plan in plans]


@dataclass
class PlanChoice:
    plan: Plan | None  # None only while no plan has begun and none is asked for
    form: PlanChoiceForm  # unbound, showing the plan chosen
    plans: list  # every plan, by number
    asked: bool  # ?plan= named this plan; else it is the current one
    ignored: str = ""  # a ?plan= value that was not a number, ignored


def choose_plan(query, on=None):
    """The plan a page shows, from its query string (request.GET), in one query:

    - no ?plan= (or an empty one): the current plan (PlanQuerySet.current);
    - ?plan=<number> of a plan: that plan, in force or not;
    - ?plan=<number> of no plan: 404, as /plans/<number>/ is;
    - ?plan= anything else (not a number): ignored, the current plan; `ignored` keeps the
      value so that the page can say so.
    """
    plans = kept_objects(Plan.objects.order_by("number"))
    value = (query.get("plan") or "").strip()
    chosen, ignored = None, ""
    if PLAN_NUMBER.fullmatch(value):
        chosen = next((plan for plan in plans if plan.number == int(value)), None)
        if chosen is None:
            raise Http404(_("There is no plan number %(number)s.") % {"number": value})
    elif value:
        ignored = value
    plan = chosen or current_plan(plans, on)
    form = PlanChoiceForm(initial={"plan": plan.number if plan else None}, plans=plans)
    return PlanChoice(plan=plan, form=form, plans=plans, asked=chosen is not None, ignored=ignored)


def plan_or_404(number):
    """The plan of a /plans/<number>/ address."""
    try:
        return Plan.objects.get(number=number)
    except Plan.DoesNotExist:
        raise Http404(_("There is no plan number %(number)s.") % {"number": number}) from None


# --- the plans and a plan's overview -----------------------------------------------------


def plans_with_counts(on=None):
    """Every plan, newest first, with its state on `on` and its chapter_count,
    project_count and indicator_count, in two queries."""
    on = on or today()
    chapters = (
        PlanChapter.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    projects = (
        ProjectChapter.objects.filter(chapter__plan=OuterRef("pk"))
        .order_by()
        .values("chapter__plan")
        .annotate(n=Count("project", distinct=True))
        .values("n")
    )
    plans = list(
        Plan.objects.annotate(
            chapter_count=Subquery(chapters), project_count=Subquery(projects)
        ).order_by("-number")
    )
    indicators = indicator_summary.count_by_plan()
    current = current_plan(plans, on)
    for plan in plans:
        plan.chapter_count = plan.chapter_count or 0
        plan.project_count = plan.project_count or 0
        plan.indicator_count = indicators.get(plan.pk, 0)
        plan.state_now = plan.state(on)
        plan.state_label = Plan.State(plan.state_now).label
        plan.is_current = current is not None and plan.pk == current.pk
    return plans


def plan_projects(plan):
    """The plan's projects: those serving any of its chapters."""
    return Project.objects.filter(
        pk__in=ProjectChapter.objects.filter(chapter__plan=plan).values("project")
    )


def chapters_served(plan):
    """The plan's chapters in order, each with `project_ids` (of the projects serving it or
    its sections), `linked_ids` (those linked to it itself), project_count, indicator_count,
    `served` and `calls_for_works`, in
    three queries: chapters, links, indicator links."""
    chapters = list(PlanChapter.objects.filter(plan=plan).select_related("plan").order_by("order"))
    direct = defaultdict(set)
    for chapter_id, project_id in ProjectChapter.objects.filter(chapter__plan=plan).values_list(
        "chapter_id", "project_id"
    ):
        direct[chapter_id].add(project_id)
    indicators = indicator_summary.indicators_by_chapter([plan.pk])
    tree = subtrees(chapters)
    for chapter in chapters:
        members = tree[chapter.pk]
        chapter.linked_ids = direct[chapter.pk]
        chapter.project_ids = set().union(*(direct[m] for m in members))
        chapter.project_count = len(chapter.project_ids)
        chapter.indicator_count = len(set().union(*(indicators[m] for m in members)))
        chapter.served = bool(chapter.project_ids)
        chapter.calls_for_works = calls_for_works(chapter)
    return chapters


def calls_for_works(chapter):
    """Whether a chapter calls for works, so that no project serving it is a gap (a chapter
    that reviews the last plan or sets goals never has projects). Every chapter does where
    the plan data does not say."""
    return getattr(chapter, "calls_for_works", True) is not False


def unserved(chapters):
    """The chapters that call for works and that no project serves."""
    return [c for c in chapters if calls_for_works(c) and not c.served]


def stage_rows(projects):
    """[(stage, label, [project])] for every stage, in the stages' order."""
    by_stage = defaultdict(list)
    for project in projects:
        by_stage[project.stage].append(project)
    return [(value, label, by_stage[value]) for value, label in Project.Stage.choices]


def investment_over_years(plan, projects, on):
    """(figures_over_years of the projects for the plan's years, their yearly totals with a
    work counted once), in two queries."""
    figures = ledger.figures_over_years(plan.years, projects)
    counted = set(projects.countable().values_list("pk", flat=True))
    return figures, ledger.totals_over_years(plan.years, figures, counted, on), counted


def mark_carryovers(plan, projects):
    """Set `carried_out` (the carry-over out of `plan` into a later one) and `carried_in`
    (the one into `plan` from an earlier one) on each of these projects, None where there
    is none; returns the carry-overs out of the plan. One query."""
    out, into = {}, {}
    for carryover in Carryover.objects.filter(Q(from_plan=plan) | Q(to_plan=plan)).for_marks():
        (out if carryover.from_plan_id == plan.pk else into)[carryover.project_id] = carryover
    for project in projects:
        project.carried_out = out.get(project.pk)
        project.carried_in = into.get(project.pk)
    return [project.carried_out for project in projects if project.carried_out]


def overview(plan, on):
    """What /plans/<number>/ shows."""
    projects = plan_projects(plan)
    listed = list(projects.select_related("lead_department").order_by("code"))
    carried_out = mark_carryovers(plan, listed)
    figures, years, _counted = investment_over_years(plan, projects, on)
    verdicts = indicator_summary.for_plan(plan, on.year)
    chapters = chapters_served(plan)
    return {
        "chapters": chapters,
        "unserved": unserved(chapters),
        "verdicts": verdicts,
        "by_status": indicator_summary.by_status(verdicts),
        "provisional": [v for v in verdicts if v.provisional],
        "stages": stage_rows(listed),
        "project_count": len(listed),
        "carried_out": carried_out,
        "carried_in": [project.carried_in for project in listed if project.carried_in],
        "years": years,
        "total": total_of(years, on),
    }


def total_of(years, on):
    """The plan's years added up (planned, completed) as one Figures."""
    total = ledger.Figures(label=_("the plan's years"), share=100.0)
    for figures in years:
        total.planned += figures.planned
        total.completed += figures.completed
        total.ids |= figures.ids
    total.projects = len(total.ids)
    return total
