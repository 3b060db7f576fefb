"""What the public view shows, decided here alone: the pages (public/views.py) and the JSON
(public/api.py) read every row and every field through this module, never a model.

Rows
  - The current plan (Plan.objects.current: in force today, else the latest ended) and
    its projects as the plan switch counts them (projects.plan_switch: those serving its
    chapters, and those serving no plan's chapter yet).
  - No sample data: a project marked as sample, or with any sample milestone, report,
    yearly investment or key-project year, is left out, and so is every indicator value
    that is not official (published). Unless the whole database is sample data (every
    project is): then it is all shown and every page says so (`sample_only`).
  - Progress is the newest *accepted* report's percent complete: a report awaiting
    review or returned is the department's and the planning office's, not yet public.
  - Indicators: their official values only (a department's figure is not published); the
    verdict is indicators' own assessment computed from those values alone.

Fields
  An allow-list per record (PUBLIC_FIELDS): a field not named there never leaves. Never
  listed, and never to be: contacts and phone numbers, the leader responsible, report
  narratives, problems, next steps and review comments, coordination problems,
  supervision orders, who entered or reviewed anything (user names), notes, versions.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext as _

from indicators import summary as indicator_summary
from indicators.models import Indicator, IndicatorValue
from indicators.progress import Status
from projects import ledger
from projects.models import (
    AnnualInvestment,
    KeyProject,
    Milestone,
    PlanChapter,
    ProgressReport,
    Project,
)
from projects.plan_switch import PlanSwitch
from projects.plans import chapters_served, choose_plan

PUBLIC_FIELDS = {
    "plan": ("number", "name", "short_name", "start_year", "end_year"),
    "chapter": ("key", "code", "title", "depth", "project_count", "indicator_count"),
    "chapter_link": ("key", "code", "title"),
    "project": (
        "code",
        "name",
        "name_en",
        "category",
        "category_label",
        "stage",
        "stage_label",
        "lead_department",
        "start_date",
        "planned_completion",
        "total_investment",
        "investment_year",
        "investment_planned",
        "investment_completed",
        "progress_percent",
        "progress_month",
        "chapters",
    ),
    # The project's page adds the plan's own words naming it and its yearly investment.
    "project_detail": (
        "code",
        "name",
        "name_en",
        "category",
        "category_label",
        "stage",
        "stage_label",
        "lead_department",
        "start_date",
        "planned_completion",
        "total_investment",
        "investment_year",
        "investment_planned",
        "investment_completed",
        "progress_percent",
        "progress_month",
        "chapters",
        "source_sentence",
        "investment_by_year",
    ),
    "investment_year": ("year", "planned", "completed"),
    "indicator": (
        "code",
        "name",
        "name_en",
        "unit",
        "category_label",
        "nature_label",
        "responsible_department",
        "baseline",
        "target",
        "target_year",
        "latest_year",
        "latest_value",
        "verdict",
        "verdict_label",
        "provisional",
        "values",
    ),
    "value": ("year", "value", "year_target", "source_title", "source_date", "source_url"),
}


def allow(kind, data):
    """Only the allowed fields of a `kind` of record, in their order; a builder that forgot
    one fails here (KeyError), anything else it put in is dropped."""
    return {key: data[key] for key in PUBLIC_FIELDS[kind]}


# --- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The public view on a day: the plan it shows and whether it shows sample data."""

    switch: PlanSwitch
    sample_only: bool  # the whole database is sample data: shown, with a banner
    on: object

    @property
    def plan(self):
        return self.switch.plan


def all_sample():
    """Whether the database holds projects and every one of them is sample data. One
    query."""
    counts = Project.objects.aggregate(
        sample=Count("pk", filter=Q(is_sample=True)), real=Count("pk", filter=Q(is_sample=False))
    )
    return counts["sample"] > 0 and counts["real"] == 0


def scope(on):
    """The public view's plan and sample mode, in two queries."""
    choice = choose_plan({}, on)  # the current plan: the public view has no switch
    switch = PlanSwitch(choice=choice, current=choice.plan, on=on)
    return Scope(switch=switch, sample_only=all_sample(), on=on)


def _sample_rows(model, **lookup):
    return Exists(model.objects.filter(project=OuterRef("pk"), is_sample=True, **lookup))


def projects(scope):
    """The public projects of the scope's plan, unevaluated."""
    rows = scope.switch.projects()
    if not scope.sample_only:
        rows = rows.filter(is_sample=False).exclude(
            _sample_rows(Milestone)
            | _sample_rows(ProgressReport)
            | _sample_rows(AnnualInvestment)
            | _sample_rows(KeyProject)
        )
    return rows


def _chapters_prefetch(scope):
    chapters = PlanChapter.objects.select_related("plan").order_by("plan__number", "order")
    if scope.plan is not None:
        chapters = chapters.filter(plan=scope.plan)
    return Prefetch("chapters", queryset=chapters, to_attr="public_chapters")


def project_rows(scope, *, stage="", chapter=None):
    """The public projects with what their rows show, in one query (plus one for their
    chapters once evaluated): filtered by stage and by chapter (with its sections)."""
    accepted = ProgressReport.objects.filter(
        project=OuterRef("pk"), status=ProgressReport.Status.ACCEPTED
    ).newest_first()
    rows = (
        projects(scope)
        .select_related("lead_department")
        .with_investment(scope.on.year)
        .annotate(
            progress_percent=Subquery(accepted.values("percent_complete")[:1]),
            progress_month=Subquery(accepted.values("period")[:1]),
        )
        .prefetch_related(_chapters_prefetch(scope))
        .order_by("code")
    )
    if stage:
        rows = rows.filter(stage=stage)
    if chapter is not None:
        rows = rows.filter(chapters__in=chapter.subtree()).distinct()
    return rows


def chapter_link(chapter):
    return allow("chapter_link", {"key": chapter.key, "code": chapter.code, "title": chapter.title})


def project_record(project, scope):
    """What anyone may see of a project of project_rows()."""
    department = project.lead_department
    return allow(
        "project",
        {
            "code": project.code,
            "name": project.display_name,
            "name_en": project.name_en,
            "category": project.category,
            "category_label": str(project.get_category_display()),
            "stage": project.stage,
            "stage_label": str(project.get_stage_display()),
            "lead_department": department.display_name if department else "",
            "start_date": project.start_date,
            "planned_completion": project.planned_completion,
            "total_investment": project.total_investment,
            "investment_year": scope.on.year,
            "investment_planned": project.investment_planned,
            "investment_completed": project.investment_completed,
            "progress_percent": project.progress_percent,
            "progress_month": project.progress_month,
            "chapters": [chapter_link(chapter) for chapter in project.public_chapters],
        },
    )


def project_detail(scope, code):
    """A public project's page, or None if there is no public project with this code; in
    three queries."""
    project = project_rows(scope).filter(code=code).first()
    if project is None:
        return None
    years = scope.plan.years if scope.plan is not None else [scope.on.year]
    figures = ledger.figures_over_years(years, Project.objects.filter(pk=project.pk))
    by_year = figures.get(project.pk, {})
    return allow(
        "project_detail",
        project_record(project, scope)
        | {
            "source_sentence": project.source_sentence,
            "investment_by_year": [
                allow("investment_year", {"year": year, "planned": planned, "completed": done})
                for year, (planned, done) in sorted(by_year.items())
            ],
        },
    )


def public_sources(scope):
    sources = [IndicatorValue.Source.OFFICIAL]
    if scope.sample_only:
        sources.append(IndicatorValue.Source.SAMPLE)
    return sources


def indicator_rows(scope):
    """The scope's plan's indicators with their public values prefetched, in two queries
    once evaluated."""
    values = IndicatorValue.objects.filter(source__in=public_sources(scope)).order_by("year")
    rows = Indicator.objects.select_related("plan", "responsible_department").prefetch_related(
        Prefetch("values", queryset=values)
    )
    if scope.plan is not None:
        rows = rows.filter(plan=scope.plan)
    return rows


def value_record(value):
    return allow(
        "value",
        {
            "year": value.year,
            "value": value.value,
            "year_target": value.year_target,
            "source_title": value.source_title,
            "source_date": value.source_date,
            "source_url": value.source_url,
        },
    )


def indicator_record(indicator, scope):
    """An indicator, its public values and its verdict computed from those alone (the
    indicators' own assessment, indicators/progress.py)."""
    assessment = indicator.assess(scope.on.year)
    values = list(indicator.values.all())
    latest = values[-1] if values else None
    department = indicator.responsible_department
    return allow(
        "indicator",
        {
            "code": indicator.code,
            "name": indicator.display_name,
            "name_en": indicator.name_en,
            "unit": indicator.unit,
            "category_label": str(indicator.get_category_display()),
            "nature_label": str(indicator.get_nature_display()),
            "responsible_department": department.display_name if department else "",
            "baseline": indicator_summary.baseline_text(indicator) or "",
            "target": indicator_summary.target_text(indicator),
            "target_year": indicator.target_year,
            "latest_year": latest.year if latest else None,
            "latest_value": latest.value if latest else None,
            "verdict": str(assessment.status),
            "verdict_label": str(Status(assessment.status).label),
            "provisional": indicator_summary.is_provisional(indicator, assessment, values),
            "values": [value_record(value) for value in values],
        },
    )


def chapter_records(scope):
    """The plan's chapters in order, each with how many public projects serve it (or its
    sections) and how many indicators; in four queries."""
    if scope.plan is None:
        return []
    public_ids = set(projects(scope).values_list("pk", flat=True))
    return [
        allow(
            "chapter",
            {
                "key": chapter.key,
                "code": chapter.code,
                "title": chapter.title,
                "depth": chapter.depth,
                "project_count": len(chapter.project_ids & public_ids),
                "indicator_count": chapter.indicator_count,
            },
        )
        for chapter in chapters_served(scope.plan)
    ]


def chapter_by_key(scope, key):
    """A chapter of the scope's plan by its key ('15-3.1'), or None."""
    if scope.plan is None:
        return None
    try:
        chapter = PlanChapter.objects.select_related("plan").by_key(key)
    except PlanChapter.DoesNotExist:
        return None
    return chapter if chapter.plan_id == scope.plan.pk else None


def plan_record(scope):
    plan = scope.plan
    if plan is None:
        return None
    return allow(
        "plan",
        {
            "number": plan.number,
            "name": plan.name,
            "short_name": plan.short_name,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
        },
    )


def stage_choices():
    return list(Project.Stage.choices)


def sample_banner():
    return _(
        "Everything on these pages is sample data, not the district's figures: the "
        "database holds no real data yet."
    )
