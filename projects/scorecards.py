"""Figures per chapter and per department, each list answered in one query whatever the
number of projects: every figure is a correlated subquery, never a query per row."""

import datetime

from django.db.models import (
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat

from indicators.models import Indicator

from .models import AnnualInvestment, Milestone, ProgressReport, Project, ProjectChapter

# Projects that owe a monthly report.
ACTIVE_STAGES = [Project.Stage.PRELIMINARY, Project.Stage.CONSTRUCTION]


def count_of(queryset):
    """COUNT(*) of a correlated queryset, as an annotation (0 when empty)."""
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def sum_of(queryset, field):
    summed = queryset.order_by().annotate(_s=Func(F(field), function="SUM")).values("_s")
    money = DecimalField(max_digits=16, decimal_places=4)
    return Coalesce(Subquery(summed, output_field=money), Value(0, output_field=money))


def last_month(on):
    return (on.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _in_subtree(prefix, chapter):
    """Rows whose `prefix` chapter is `chapter` (an OuterRef factory) or a section under it."""
    return Q(**{f"{prefix}plan": chapter("plan")}) & (
        Q(**{f"{prefix}code": chapter("code")})
        | Q(**{f"{prefix}code__startswith": Concat(chapter("code"), Value("."))})
    )


def chapters_with_figures(chapters, on):
    """Annotate each chapter, counting its sections too: project_count, overdue_count,
    investment_planned and investment_completed this year, indicator_count."""

    def two_up(name):  # the chapter, seen from a subquery inside a subquery
        return OuterRef(OuterRef(name))

    served = ProjectChapter.objects.filter(_in_subtree("chapter__", two_up))
    projects = Project.objects.filter(Exists(served.filter(project=OuterRef("pk"))))
    overdue = Milestone.objects.overdue(on=on).filter(
        Exists(served.filter(project=OuterRef("project")))
    )
    this_year = AnnualInvestment.objects.filter(year=on.year).filter(
        Exists(served.filter(project=OuterRef("project")))
    )
    links = Indicator.chapters.through.objects.filter(_in_subtree("planchapter__", two_up))
    indicators = Indicator.objects.filter(Exists(links.filter(indicator=OuterRef("pk"))))
    return list(
        chapters.select_related("plan")
        .annotate(
            project_count=count_of(projects),
            overdue_count=count_of(overdue),
            investment_planned=sum_of(this_year, "planned"),
            investment_completed=sum_of(this_year, "completed"),
            indicator_count=count_of(indicators),
        )
        .order_by("plan__number", "order")
    )


def projects_missing_report(on):
    """Active projects without a report for last month."""
    reported = ProgressReport.objects.filter(project=OuterRef("pk"), period=last_month(on))
    return Project.objects.filter(stage__in=ACTIVE_STAGES).exclude(Exists(reported))


def departments_with_scores(departments, on):
    """Annotate each department's scorecard: projects_led, overdue_count, due_so_far,
    done_on_time (of the milestones it is responsible for), last_report_at (newest report
    on a project it leads), missing_reports (active projects it leads without a report for
    last month). on_time_rate and days_since_report are properties of the result."""
    mine = Milestone.objects.filter(responsible_department=OuterRef("pk"))
    due = mine.filter(planned_date__lt=on)
    newest = ProgressReport.objects.filter(project__lead_department=OuterRef("pk")).order_by(
        "-submitted_at"
    )
    missing = projects_missing_report(on).filter(lead_department=OuterRef("pk"))
    rows = list(
        departments.annotate(
            projects_led=count_of(Project.objects.filter(lead_department=OuterRef("pk"))),
            overdue_count=count_of(mine.overdue(on=on)),
            due_so_far=count_of(due),
            done_on_time=count_of(due.filter(actual_date__lte=F("planned_date"))),
            last_report_at=Subquery(newest.values("submitted_at")[:1]),
            missing_reports=count_of(missing),
        )
    )
    for row in rows:
        row.on_time_rate = row.done_on_time / row.due_so_far * 100 if row.due_so_far else None
        row.days_since_report = (
            (on - row.last_report_at.date()).days if row.last_report_at else None
        )
    return rows
