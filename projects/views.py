import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from indicators import summary as indicator_summary

from . import (
    attachment_views,
    attachments,
    carryover_views,
    charts,
    exports,
    ledger,
    plandata,
    reporting,
    row_messages,
    scorecards,
    services,
    workbook,
)
from .clock import today
from .filters import OverdueFilter, PortfolioFilter, ReviewQueueFilter
from .forms import (
    PHOTO_TYPES,
    FilesField,
    MilestoneDocumentForm,
    MilestoneDoneForm,
    ProblemFormSet,
    ReforecastForm,
    ReportForm,
    ReturnForm,
    ReviewAcceptForm,
    ReviewForm,
    new_problems,
    place_errors,
    place_problem_errors,
    refused,
)
from .history import project_history
from .timeline import project_timeline
from .listing import CountedPaginator, ListPageMixin
from .models import (
    NOT_CARRIED_STAGES,
    AnnualInvestment,
    Approval,
    Carryover,
    CoordinationProblem,
    Department,
    Milestone,
    PlanChapter,
    ProgressReport,
    Project,
    ProjectChapter,
    is_health_mismatch,
    rows_once,
    rows_together,
    schedule_health,
)
from .names import row_department, row_name
from .plan_switch import PlanSwitchMixin, plan_switch
from . import permissions
from .permissions import (
    get_for_user,
    may_carry_over,
    may_edit_for_department,
    may_report_on,
    may_review_reports,
    may_supervise,
    may_update_milestone,
    require,
)
from .row_messages import milestone_anchor, problem_anchor, report_anchor
from .tables import MilestoneTable, ProjectTable, ReviewTable, UpcomingTable

SHOWN = 50  # rows a chapter or department page lists before pointing to the full table
SHOWN_CHANGES = 10  # changes a project's page lists before pointing to its full history


class PortfolioView(PlanSwitchMixin, ListPageMixin, FilterView):
    model = Project
    table_class = ProjectTable
    filterset_class = PortfolioFilter
    template_name = "projects/portfolio.html"
    export_name = "projects"

    def get_queryset(self):
        # Of a project's own columns, those the table and its exports show (its
        # description and the rest were read, and made into 50 objects' fields, for nothing).
        # A page sorted on a figure picks its 50 rows by id before reading them (ids_first).
        return self.plan_switch.projects(
            Project.objects.for_portfolio(on=today()).only(*ProjectTable.PROJECT_FIELDS)
        ).ids_first()

    def get_table_kwargs(self):
        # The boxes that tick projects to carry over, for those who may.
        return {} if may_carry_over(self.request.user) else {"exclude": ("select",)}

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        # For the rows (see ReviewQueueView.get_table): the boxes, ticked after "tick all"
        # where no script ran, and the portfolio as it is now for the form to come back to.
        table.may_carry = may_carry_over(self.request.user)
        query = self.request.GET.copy()
        query.pop("select", None)
        table.here = self.request.path + (f"?{query.urlencode()}" if query else "")
        table.select_all = self.request.GET.get("select") == "all"
        return table

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "red_after": settings.SCHEDULE_RED_AFTER_DAYS,
            "carry": None
            if self.request.GET.get("_export")
            else carryover_views.bulk_choices(
                self.request.user, plans=self.plan_switch.choice.plans
            ),
        }


# What a project's page shows of its reports and their authors and reviewers (a user's
# name is all it shows of them).
USER_NAME = ("username", "first_name", "last_name")
REPORT_FIELDS = (
    *(f.name for f in ProgressReport._meta.concrete_fields),
    *(f"author__{name}" for name in USER_NAME),
    *(f"reviewed_by__{name}" for name in USER_NAME),
)


# What a project's page reads, each a query of a fixed shape whose SQL is made once
# (rows_once()) and run with the project's code or id at each request.
PAGE_QUERIES = {
    "project": lambda code: Project.objects.select_related("lead_department").filter(code=code),
    "milestones": lambda pk: Milestone.objects.filter(project_id=pk)
    .select_related("responsible_department")
    .order_by("planned_date", "pk"),
    "reports": lambda pk: ProgressReport.objects.filter(project_id=pk)
    .select_related("author", "reviewed_by")
    .only(*REPORT_FIELDS)
    .newest_first(),
    "investments": lambda pk: AnnualInvestment.objects.filter(project_id=pk).order_by("year"),
    "approvals": lambda pk: Approval.objects.filter(project_id=pk)
    .select_related("kind")
    .order_by("kind__order", "pk"),
    "problems": lambda pk: CoordinationProblem.objects.filter(report__project_id=pk)
    .select_related("help_department", "resolved_by")
    .prefetch_related("supervision_orders"),
    # Through a project that is only its id, the same queries as through the project.
    "partner_departments": lambda pk: Project(pk=pk).partner_departments.all(),
    "chapter_links": lambda pk: ProjectChapter.objects.filter(project_id=pk)
    .select_related("chapter__plan")
    .order_by("chapter__plan__number", "chapter__order"),
    "indicators": lambda pk: Project(pk=pk).indicators.all(),
    "carryovers": lambda pk: Carryover.objects.filter(project_id=pk).for_marks(),
}


def page_rows(name, value):
    """The rows of the project page's query `name` (PAGE_QUERIES) for a code or an id."""
    return rows_once(("project page", name), PAGE_QUERIES[name], value)


def project_rows(pk):
    """{name: rows} of each of the project page's queries by the project's id, all sent to
    the database together (rows_together())."""
    names = [name for name in PAGE_QUERIES if name != "project"]
    calls = [(("project page", name), PAGE_QUERIES[name], (pk,)) for name in names]
    return dict(zip(names, rows_together(*calls)))


@login_required
def project_detail(request, code):
    on = today()
    found = page_rows("project", code)
    if not found:
        raise Http404("No Project matches the given query.")
    project = found[0]  # codes are unique
    rows = project_rows(project.pk)
    milestones = rows["milestones"]
    project.schedule_health = schedule_health(milestones, on)
    reports, investments, approvals = rows["reports"], rows["investments"], rows["approvals"]
    may_report, may_review = may_report_on(request.user, project), may_review_reports(request.user)
    problems = rows["problems"]
    by_pk = {report.pk: report for report in reports}
    for problem in problems:
        problem.report = by_pk[problem.report_id]  # already in hand
    notes, other_messages = row_messages.by_row(
        request,
        [milestone_anchor(m) for m in milestones]
        + [report_anchor(r.period) for r in reports]
        + [problem_anchor(p) for p in problems],
    )
    files = attachment_views.project_files(project.pk, by_pk, milestones, approvals)
    for milestone in milestones:
        milestone.files = files.by_milestone.get(milestone.pk, [])
        milestone.overdue_days = milestone.days_overdue(on=on)
        milestone.overdue_days_original = milestone.days_overdue_original(on=on)
        milestone.project = project  # already in hand, for the permission check
        # A done milestone is marked done and offers no update.
        may_update = may_update_milestone(request.user, milestone)
        milestone.may_update = not milestone.is_done and may_update
        milestone.may_attach = milestone.is_done and may_update
        milestone.notes = notes.get(milestone_anchor(milestone), [])
    for index, report in enumerate(reports):
        report.anchor = report_anchor(report.period)
        report.notes = notes.get(report.anchor, [])
        report.files = files.by_report.get(report.pk, [])
        # Folded but for the newest, one just saved, and one waiting on this user: a review
        # (its form), or a fix.
        report.open = (
            index == 0
            or bool(report.notes)
            or (may_review and report.status == ProgressReport.Status.SUBMITTED)
            or (may_report and report.status == ProgressReport.Status.RETURNED)
        )
    for problem in problems:
        problem.notes = notes.get(problem_anchor(problem), [])
    for approval in approvals:
        approval.files = files.by_approval.get(approval.pk, [])
    may_update_approvals = permissions.may_update_approvals(request.user, project)
    years = ledger.project_years(investments, reports)
    this_year = next((f for f in years if f.key == on.year), None)
    latest = reports[0] if reports else None
    history = project_history(project, limit=SHOWN_CHANGES + 1)
    context = {
        "project": project,
        "partner_departments": rows["partner_departments"],
        "chapter_links": rows["chapter_links"],
        "indicators": rows["indicators"],
        "carryovers": rows["carryovers"],
        "milestones": milestones,
        "reports": reports,
        "latest_report": latest,
        "schedule_health": project.schedule_health,
        "health_mismatch": is_health_mismatch(
            latest.health if latest else None, project.schedule_health
        ),
        "summary": project_summary(project, milestones, reports, years, on),
        "investments": years,
        "curve": charts.investment_curve(
            ledger.project_curve(on.year, reports),
            this_year.planned if this_year else None,
            this_year.completed if this_year else None,
        ),
        "year": on.year,
        "history": history[:SHOWN_CHANGES],
        "more_history": len(history) > SHOWN_CHANGES,
        "timeline": project_timeline(project, milestones, on),
        "approvals": approvals,
        "approvals_missing": sum(1 for a in approvals if a.is_missing),
        "may_update_approvals": may_update_approvals,
        "may_report": may_report,
        "may_review": may_review,
        "may_supervise": may_supervise(request.user),
        # Offered for an unfinished project only (the model refuses a finished one).
        "may_carry_over": may_carry_over(request.user) and project.stage not in NOT_CARRIED_STAGES,
        "problems": problems,
        "photo_months": files.photo_months,
        # In place of the messages base.html shows at the top: those not shown in their row.
        "messages": other_messages,
    }
    return render(request, "projects/project_detail.html", context)


@login_required
def project_changes(request, code):
    """All of a project's changes, newest first: its full change history, which its page
    points to below its newest few."""
    project = get_object_or_404(Project, code=code)
    return render(
        request,
        "projects/project_history.html",
        {"project": project, "history": project_history(project)},
    )


def project_summary(project, milestones, reports, years, on):
    """Where the project stands, for the strip atop its page, from what the page has
    already fetched: the figures of the newest report, the investment completed so far
    against the total, the next milestone and any overdue, and the newest review."""
    done = [f.completed for f in years if f.completed is not None]
    invested = sum(done, Decimal(0)) if done else None
    total = project.total_investment
    open_milestones = [m for m in milestones if not m.is_done]
    upcoming = [m for m in open_milestones if m.planned_date >= on]
    return {
        "invested": invested,
        "total": total,
        "invested_rate": invested / total * 100 if invested is not None and total else None,
        "next_milestone": min(upcoming, key=lambda m: (m.planned_date, m.pk), default=None),
        "overdue": sum(1 for m in open_milestones if m.planned_date < on),
        "reviewed": next((r for r in reports if r.reviewed_at), None),
        "awaiting_review": sum(1 for r in reports if r.status == ProgressReport.Status.SUBMITTED),
    }


class BaselineForm(forms.Form):
    """Overdue against which plan: the current planned date, or the original one (which
    finds the milestones that a re-baseline took off the board)."""

    baseline = forms.ChoiceField(
        label=gettext_lazy("overdue against"),
        choices=[
            ("current", gettext_lazy("the current planned date")),
            ("original", gettext_lazy("the original planned date")),
        ],
        initial="current",
        required=False,
    )


class OverdueView(PlanSwitchMixin, ListPageMixin, FilterView):
    model = Milestone
    table_class = MilestoneTable
    filterset_class = OverdueFilter
    template_name = "projects/overdue.html"
    export_name = "overdue-milestones"

    def get(self, request, *args, **kwargs):
        self.baseline_form = BaselineForm(request.GET)
        valid = self.baseline_form.is_valid()
        self.original = valid and self.baseline_form.cleaned_data["baseline"] == "original"
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.original:
            milestones = Milestone.objects.overdue_against_original(on=today())
        else:
            milestones = Milestone.objects.overdue(on=today())
        return milestones.filter(self.plan_switch.projects_q("project__")).for_lists()

    def get_table_kwargs(self):
        kwargs = {"order_by": "-days_overdue_original"} if self.original else {}
        return kwargs | supervise_column(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return super().get_filterset_kwargs(filterset_class) | {"today": today()}

    def by_department(self):
        """The filtered milestones counted by responsible department, most first, each with
        the department's names (the keys of values("responsible_department__name") and so
        on). Grouped by the department's id alone, its names read for each of the few
        groups: grouping 10,000 rows by the names too took longer than counting them."""
        names = ("short_name", "name", "name_en")
        department = Department.objects.filter(pk=OuterRef("responsible_department")).order_by()
        rows = (
            self.object_list.order_by()
            .values("responsible_department")
            .annotate(n=Count("pk"))
            # Annotated after the count, the names are not grouped by (only the id they
            # are read by is).
            .annotate(
                **{f"department_{name}": Subquery(department.values(name)) for name in names}
            )
            .order_by("-n", "responsible_department")
        )
        return [
            {"responsible_department": row["responsible_department"], "n": row["n"]}
            | {f"responsible_department__{name}": row[f"department_{name}"] for name in names}
            for row in rows
        ]

    def get_table_pagination(self, table):
        # The rows are counted by department for the chips above the table: their sum is
        # the table's count, with no query of its own.
        self.counted = self.by_department()
        return super().get_table_pagination(table) | {
            "paginator_class": CountedPaginator,
            "count": sum(row["n"] for row in self.counted),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["by_department"] = self.counted
        context["baseline_form"] = self.baseline_form
        context["against_original"] = self.original
        return context


def supervise_column(user):
    """The milestone tables' action column (issue a supervision order), for managers."""
    return {} if may_supervise(user) else {"exclude": ("action",)}


class DaysForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("due in the next (days)"), min_value=1, max_value=365, initial=30
    )


class UpcomingView(PlanSwitchMixin, ListPageMixin, FilterView):
    model = Milestone
    table_class = UpcomingTable
    filterset_class = OverdueFilter
    template_name = "projects/upcoming.html"
    export_name = "upcoming-milestones"

    def get(self, request, *args, **kwargs):
        self.days_form = DaysForm(request.GET if "days" in request.GET else None)
        self.days = self.days_form.cleaned_data["days"] if self.days_form.is_valid() else 30
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Milestone.objects.due_within(self.days, on=today())
            .filter(self.plan_switch.projects_q("project__"))
            .for_lists()
        )

    def get_table_kwargs(self):
        return supervise_column(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return super().get_filterset_kwargs(filterset_class) | {"today": today()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"days_form": self.days_form, "days": self.days}


@login_required
def chapter_list(request):
    """The chapters of one plan (the current one, or ?plan=<number>) with their figures."""
    on = today()
    switch = plan_switch(request, on)
    plan = switch.plan
    chapters = (
        scorecards.chapters_with_figures(PlanChapter.objects.filter(plan=plan), on=on)
        if plan
        else []
    )
    return render(
        request,
        "projects/chapter_list.html",
        {"plans": [(plan, chapters)] if plan else [], "year": on.year} | switch.context(),
    )


@login_required
def chapter_detail(request, key):
    on = today()
    try:
        chapter = PlanChapter.objects.select_related("plan", "parent__plan").by_key(key)
    except PlanChapter.DoesNotExist:
        raise Http404 from None
    subtree = chapter.subtree()
    [figures] = scorecards.chapters_with_figures(subtree, on=on, wanted={chapter.pk})
    # The SHOWN with the most overdue milestones are chosen by their counts alone, and only
    # they read the rest of a row (ids_first()): not every one of the chapter's projects (a
    # quarter of 10,000) with its newest report and department, to keep 50.
    projects = (
        Project.objects.for_short_lists(on=on)
        .filter(pk__in=ProjectChapter.objects.filter(chapter__in=subtree).values("project"))
        .order_by("-overdue_count", "code")
        .ids_first()[:SHOWN]
    )
    context = {
        "chapter": chapter,
        "figures": figures,
        "sections": list(chapter.children.select_related("plan").order_by("order")),
        "projects": projects,
        "shown": SHOWN,
        "indicators": indicator_summary.for_chapters(subtree, on.year),
        "text": plandata.chapter_text(chapter),
    }
    return render(request, "projects/chapter_detail.html", context)


# The departments page: a table for each kind of department, sorted by one figure.
DEPARTMENT_KINDS = [
    (Department.Kind.BUREAU, gettext_lazy("District bureaus")),
    (Department.Kind.STREET, gettext_lazy("Street offices")),
    (Department.Kind.STATE_GROUP, gettext_lazy("District state-owned groups")),
    (Department.Kind.CITY, gettext_lazy("City-level bodies")),
]


@dataclass(frozen=True)
class DepartmentColumn:
    label: str
    value: Callable  # the figure sorted on; None sorts last either way
    # A first click sorts the worst first: most overdue, lowest on-time rate, and so on.
    first_descending: bool


def department_name(department):
    return department.display_name


# ?sort= takes one of these names, "-" in front for descending; anything else is the default.
DEPARTMENT_COLUMNS = {
    "name": DepartmentColumn(gettext_lazy("department"), department_name, False),
    "projects": DepartmentColumn(gettext_lazy("projects led"), attrgetter("projects_led"), True),
    "overdue": DepartmentColumn(
        gettext_lazy("overdue milestones"), attrgetter("overdue_count"), True
    ),
    "on_time": DepartmentColumn(gettext_lazy("on-time rate"), attrgetter("on_time_rate"), False),
    "rebaselined": DepartmentColumn(
        gettext_lazy("re-baselined milestones"), attrgetter("rebaselined_count"), True
    ),
    "last_report": DepartmentColumn(
        gettext_lazy("days since the last report"), attrgetter("days_since_report"), True
    ),
    "missing": DepartmentColumn(
        gettext_lazy("projects missing the report due"), attrgetter("missing_reports"), True
    ),
}
DEPARTMENT_SORT = "-overdue"  # as the overdue board: the departments most behind first


def sort_departments(departments, sort):
    """The departments sorted by one column (ties by name), those without the figure last;
    returns them with the sort applied (an unknown one is the default)."""
    key = sort.removeprefix("-")
    if key not in DEPARTMENT_COLUMNS:
        sort, key = DEPARTMENT_SORT, DEPARTMENT_SORT.removeprefix("-")
    value = DEPARTMENT_COLUMNS[key].value
    by_name = sorted(departments, key=department_name)
    # Python's sort is stable, reversed too: ties stay in name order.
    present = sorted(
        (d for d in by_name if value(d) is not None), key=value, reverse=sort.startswith("-")
    )
    return present + [d for d in by_name if value(d) is None], sort


@login_required
def department_list(request):
    """Every department's scorecard, a table per kind (bureaus, street offices, groups,
    city bodies), sorted by ?sort=; those that lead no project and answer for no milestone
    are folded away under their table."""
    on = today()
    switch = plan_switch(request, on)
    departments = scorecards.departments_with_scores(
        Department.objects.all(), on=on, projects=switch.projects() if switch.narrows else None
    )
    departments, sort = sort_departments(departments, request.GET.get("sort", ""))
    # The sorting links keep the plan asked for.
    plan = f"&plan={switch.plan.number}" if switch.choice.asked else ""
    descending, sorted_key = sort.startswith("-"), sort.removeprefix("-")
    columns = []
    for key, column in DEPARTMENT_COLUMNS.items():
        if key == sorted_key:
            following = key if descending else f"-{key}"
        else:
            following = f"-{key}" if column.first_descending else key
        columns.append(
            {
                "key": key,
                "label": column.label,
                "sorted": key == sorted_key,
                "descending": descending,
                "url": f"?sort={following}{plan}",
            }
        )
    groups = []
    for kind, title in DEPARTMENT_KINDS:
        of_kind = [d for d in departments if d.kind == kind]
        if of_kind:
            groups.append(
                {
                    "kind": kind,
                    "title": title,
                    "count": len(of_kind),
                    "active": [d for d in of_kind if d.projects_led or d.milestone_count],
                    "idle": [d for d in of_kind if not (d.projects_led or d.milestone_count)],
                }
            )
    context = {
        "departments": departments,
        "groups": groups,
        "columns": columns,
        "keep": [("sort", request.GET.get("sort", ""))],
    } | switch.context()
    return render(request, "projects/department_list.html", context)


@login_required
def department_detail(request, slug):
    on = today()
    department = get_object_or_404(Department, slug=slug)
    scorecards.departments_with_scores([department], on=on)
    projects = (
        Project.objects.for_short_lists(on=on)
        .filter(lead_department=department)
        .order_by("-overdue_count", "code")
        .ids_first()[:SHOWN]
    )
    overdue = (
        Milestone.objects.overdue(on=on)
        .filter(responsible_department=department)
        .for_lists()[:SHOWN]
    )
    returned = (
        ProgressReport.objects.filter(
            project__lead_department=department, status=ProgressReport.Status.RETURNED
        )
        .select_related("project")
        .order_by("-period")[:SHOWN]
    )
    missing = (
        reporting.projects_missing_report(on)
        .filter(lead_department=department)
        .order_by("code")[:SHOWN]
    )
    led = Project.objects.filter(lead_department=department)
    figures = ledger.total_of(on.year, on, led)
    context = {
        "department": department,
        "investment": figures,
        "curve": charts.investment_curve(
            ledger.curve(on.year, led), figures.planned, figures.completed
        ),
        "year": on.year,
        "projects": projects,
        "overdue": overdue,
        "missing": missing,
        "returned": returned,
        "due_month": reporting.due_month(on),
        "may_edit": may_edit_for_department(request.user, department),
        "shown": SHOWN,
        "today": on,
    }
    return render(request, "projects/department_detail.html", context)


def worst_overdue(overdue, on):
    """Of the overdue milestones, each project's most overdue one (the earliest planned,
    as the overdue board sorts), most overdue first, with `project_overdue`, the number of
    its project's overdue milestones: a project is listed once. One query."""
    of_project = Milestone.objects.overdue(on=on).filter(project=OuterRef("project"))
    return overdue.filter(pk=Subquery(of_project.values("pk")[:1])).annotate(
        project_overdue=Subquery(
            of_project.order_by().values("project").annotate(n=Count("pk")).values("n")
        )
    )


# The dashboard's "due soon": open milestones planned from today to this many days on.
DUE_SOON_DAYS = 30


@login_required
def dashboard(request):
    on = today()
    switch = plan_switch(request, on)
    # Every figure is of the plan's projects (the current plan's, or ?plan=<number>'s).
    projects = switch.projects()
    by_stage, reported, schedule = Counter(), Counter(), Counter()
    mismatches, active_unreported, overdue_count, due_soon_count = 0, 0, 0, 0
    for stage, latest, computed, n, overdue_n, due_soon_n in scorecards.health_counts(
        projects, on, soon_days=DUE_SOON_DAYS
    ):
        by_stage[stage] += n
        reported[latest] += n
        schedule[computed] += n
        if is_health_mismatch(latest, computed):
            mismatches += n
        # Reserve, completed, suspended and cancelled projects owe no report: not counted.
        if latest is None and stage in reporting.ACTIVE_STAGES:
            active_unreported += n
        overdue_count += overdue_n
        due_soon_count += due_soon_n
    investment = ledger.total_of(on.year, on, projects)
    in_plan = switch.projects_q("project__")
    overdue = Milestone.objects.overdue(on=on).filter(in_plan).for_lists()
    off_track, indicator_count = indicator_summary.off_track(on.year, switch.plan)
    missing = scorecards.missing_reports_by_department(
        on, projects=projects if switch.narrows else None
    )
    departments_missing = list(Department.objects.filter(pk__in=missing))
    for department in departments_missing:
        department.missing_reports = missing[department.pk]
    worst = list(worst_overdue(overdue, on)[:10])
    for milestone in worst:
        milestone.overdue_days = milestone.days_overdue(on=on)
        milestone.other_overdue = milestone.project_overdue - 1
    context = {
        "today": on,
        "stages": [
            (label, by_stage.get(value, 0), value) for value, label in Project.Stage.choices
        ],
        "reported": [
            (label, reported[value], value) for value, label in ProgressReport.Health.choices
        ],
        "active_unreported": active_unreported,
        "schedule": [
            (label, schedule[value], value) for value, label in ProgressReport.Health.choices
        ],
        "mismatches": mismatches,
        "overdue_count": overdue_count,
        "worst_overdue": worst,
        "due_soon_count": due_soon_count,
        "investment_planned": investment.planned,
        "investment_completed": investment.completed,
        "investment_rate": investment.rate,
        "year_share": investment.share,
        "departments_missing": departments_missing,
        "off_track": off_track,
        "indicator_count": indicator_count,
    } | switch.context()
    return render(request, "projects/dashboard.html", context)


# --- writes: monthly reports, reviews, milestone updates ----------------------------------
# Each fetches its object through permissions.get_for_user (404, or 403 if not this user's),
# reads the form, and leaves the rules to the service, whose refusals go back on the form.


def _month(text, default):
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        return default


@login_required
def report_new(request, code):
    """The month's report: a new one, or the month's existing one to edit or fix."""
    project = get_for_user(
        request, Project.objects.select_related("lead_department"), may_report_on, code=code
    )
    on = today()
    conflict = existing = None
    # A post without the problem rows (a script's) raises none.
    sent_problems = request.method == "POST" and "problems-TOTAL_FORMS" in request.POST
    problems = ProblemFormSet(request.POST if sent_problems else None, prefix="problems")
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        problems_valid = not sent_problems or problems.is_valid()
        photos = None
        if form.is_valid():
            try:
                photos = attachments.check_all(form.cleaned_data["photos"], photos_only=True)
            except ValidationError as error:
                form.add_error("photos", error)
        if form.is_valid() and problems_valid and photos is not None:
            data = dict(form.cleaned_data)
            version = data.pop("version") or None
            period = data.pop("period")
            data["photos"] = photos
            try:
                services.report_submit(
                    project=project,
                    author=request.user,
                    period=period,
                    version=version,
                    new_problems=new_problems(problems) if sent_problems else (),
                    **data,
                )
            except services.Conflict as error:
                # The form shows what is saved now, at its version, and lists the user's
                # refused values beside it: saving again is a deliberate choice.
                conflict, existing = error, error.current
                saved = report_values(existing)
                error.yours = refused(form, saved | {"period": existing.period})
                form = ReportForm(initial=saved | {"version": existing.version})
            except ValidationError as error:
                rest = place_problem_errors(problems, error)
                if rest is not None:
                    place_errors(form, rest)
            else:
                anchor = report_anchor(period)
                row_messages.add(
                    request,
                    messages.SUCCESS,
                    _("The report for %(month)s is saved.") % {"month": f"{period:%Y-%m}"},
                    anchor,
                )
                return row_messages.back_to_row(project, anchor)
    else:
        period = _month(request.GET.get("period"), reporting.last_month(on))
        existing = ProgressReport.objects.filter(project=project, period=period).first()
        if existing:
            initial = report_values(existing) | {"version": existing.version}
        else:
            latest = project.reports.newest_first().first()
            initial = {
                "period": period,
                "version": 0,
                "percent_complete": latest.percent_complete if latest else 0,
                "health": latest.health if latest else ProgressReport.Health.GREEN,
            }
        form = ReportForm(initial=initial)
    context = {
        "project": project,
        "form": form,
        "problems": problems,
        "raised": existing.coordination_problems.select_related("help_department")
        if existing
        else [],
        "existing": existing,
        "conflict": conflict,
    }
    return render(request, "projects/report_form.html", context, status=409 if conflict else 200)


def report_values(report):
    """The report form's fields as the report holds them."""
    return {f: getattr(report, f) for f in ReportForm.base_fields if f not in ("version", "photos")}


@login_required
@require_POST
def report_review(request, pk):
    report = get_for_user(
        request,
        ProgressReport.objects.select_related("project"),
        lambda user, _report: may_review_reports(user),
        pk=pk,
    )
    # Back to the report, with what came of the review beside it.
    anchor = report_anchor(report.period)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.report_review(
                report=report,
                reviewer=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
                version=form.cleaned_data["version"],
            )
        except services.Conflict as error:
            # The page it goes back to shows the report as saved now, with its version.
            error.yours = refused(
                form,
                {
                    "decision": None,
                    "comment": error.current.review_comment,
                },
            )
            row_messages.add(request, messages.ERROR, conflict_message(error), anchor)
        except ValidationError as error:
            place_errors(form, error)
        else:
            row_messages.add(request, messages.SUCCESS, _("Your review is saved."), anchor)
            return row_messages.back_to_row(report.project, anchor)
    for errors in form.errors.values():
        for error in errors:
            row_messages.add(request, messages.ERROR, error, anchor)
    return row_messages.back_to_row(report.project, anchor)


# --- the review queue: reports awaiting review, accepted many at once or returned one by one


class ReviewQueueView(ListPageMixin, FilterView):
    """Reports awaiting review, oldest month first: a manager's work list (managers and
    administrators only, like the review itself)."""

    model = ProgressReport
    table_class = ReviewTable
    filterset_class = ReviewQueueFilter
    template_name = "projects/review_queue.html"
    export_name = "reports-awaiting-review"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:  # else LoginRequiredMixin sends them to sign in
            require(request, may_review_reports)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return ProgressReport.objects.awaiting_review().select_related(
            "project__lead_department", "author"
        )

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        # For the rows (the table's template sees the table, not this view's context): the
        # boxes come ticked after "tick all" where no script ran, and each row's "return"
        # comes back here, to the queue as it is now.
        query = self.request.GET.copy()
        query.pop("select", None)
        table.here = self.request.path + (f"?{query.urlencode()}" if query else "")
        table.select_all = self.request.GET.get("select") == "all"
        return table

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"most": ReviewAcceptForm.MAX}


def back_to_queue(request, data):
    """Where the queue's forms send the user back to: the queue as they left it (its
    filters, sorting and page, in `next`), if that is an address of this site."""
    target = data.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("projects:review_queue")


def report_label(report):
    return f"{report.project} {report.period:%Y-%m}"


@login_required
@require_POST
def review_accept(request):
    """Accept the ticked reports of the queue, each at the version the page showed. Those
    changed since, or no longer awaiting review, stay as they are and are listed back."""
    require(request, may_review_reports)
    back = back_to_queue(request, request.POST)
    form = ReviewAcceptForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(back)
    chosen = form.cleaned_data["chosen"]
    reports = ProgressReport.objects.select_related("project").in_bulk([pk for pk, _v in chosen])
    missing = sum(pk not in reports for pk, _v in chosen)
    if missing:
        messages.error(
            request,
            ngettext(
                "%(count)s of the ticked reports does not exist (any more); it was skipped.",
                "%(count)s of the ticked reports do not exist (any more); they were skipped.",
                missing,
            )
            % {"count": missing},
        )
    accepted, refusals = services.reports_accept(
        reports_with_versions=[(reports[pk], v) for pk, v in chosen if pk in reports],
        reviewer=request.user,
    )
    if accepted:
        messages.success(
            request,
            ngettext("%(count)s report accepted.", "%(count)s reports accepted.", len(accepted))
            % {"count": len(accepted)},
        )
    for report, reason in refusals:
        messages.warning(
            request,
            _("Not accepted: %(report)s: %(reason)s")
            % {"report": report_label(report), "reason": reason},
        )
    return redirect(back)


@login_required
def review_return(request, pk):
    """Return one report to its department with a comment (from the review queue)."""
    report = get_for_user(
        request,
        ProgressReport.objects.select_related("project__lead_department", "author"),
        lambda user, _report: may_review_reports(user),
        pk=pk,
    )
    back = back_to_queue(request, request.POST if request.method == "POST" else request.GET)
    conflict = None
    if request.method == "POST":
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                services.report_review(
                    report=report,
                    reviewer=request.user,
                    accept=False,
                    comment=form.cleaned_data["review_comment"],
                    version=form.cleaned_data["version"],
                )
            except services.Conflict as error:
                # The page shows the report as saved now, at its version; the comment typed
                # is listed beside as not saved.
                conflict, project = error, report.project
                report = error.current
                report.project = project
                error.yours = refused(form, {"review_comment": report.review_comment})
                form = ReturnForm(
                    initial={"review_comment": report.review_comment, "version": report.version}
                )
            except ValidationError as error:
                place_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(report)s is returned to its department.")
                    % {"report": report_label(report)},
                )
                return redirect(back)
    else:
        form = ReturnForm(initial={"version": report.version})
    context = {"report": report, "form": form, "conflict": conflict, "back": back}
    return render(request, "projects/review_return.html", context, status=409 if conflict else 200)


def conflict_message(error):
    changed = "; ".join(f"{label}: {old} → {new}" for label, old, new in error.changes)
    text = _("Someone else saved this first; nothing of yours was saved.")
    message = f"{text} {changed}" if changed else text
    yours = "; ".join(f"{label}: {value or '–'}" for label, value in getattr(error, "yours", []))
    if yours:
        message += " " + _("Yours, not saved: %(values)s.") % {"values": yours}
    return message


def milestone_forms(milestone):
    """The milestone page's two forms, filled with what the milestone holds now."""
    return {
        "done": MilestoneDoneForm(initial={"actual_date": today(), "version": milestone.version}),
        "reforecast": ReforecastForm(
            initial={
                "forecast_date": milestone.forecast_date,
                "forecast_reason": milestone.forecast_reason,
                "version": milestone.version,
            }
        ),
    }


@login_required
def milestone_update(request, pk):
    """Mark a milestone done, or re-forecast it with a reason."""
    milestone = get_for_user(
        request,
        Milestone.objects.select_related("project__lead_department", "responsible_department"),
        may_update_milestone,
        pk=pk,
    )
    forms_shown = milestone_forms(milestone)
    conflict = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "done":
            form = forms_shown["done"] = MilestoneDoneForm(request.POST)
        elif action == "reforecast":
            form = forms_shown["reforecast"] = ReforecastForm(request.POST)
        else:
            return HttpResponseBadRequest(_("Unknown action."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "done":
                    services.milestone_complete(
                        milestone=milestone,
                        by=request.user,
                        on=data["actual_date"],
                        version=data["version"],
                    )
                else:
                    services.milestone_reforecast(
                        milestone=milestone,
                        by=request.user,
                        forecast_date=data["forecast_date"],
                        reason=data["forecast_reason"],
                        version=data["version"],
                    )
            except services.Conflict as error:
                # Shown as saved now (not as this request left it), with the current version
                # in both forms; the user's refused values are listed beside them.
                conflict, project = error, milestone.project
                milestone = error.current
                milestone.project = project
                error.yours = refused(
                    form,
                    {
                        "actual_date": milestone.actual_date,
                        "forecast_date": milestone.forecast_date,
                        "forecast_reason": milestone.forecast_reason,
                    },
                )
                forms_shown = milestone_forms(milestone)
            except ValidationError as error:
                place_errors(form, error)
            else:
                anchor = milestone_anchor(milestone)
                row_messages.add(request, messages.SUCCESS, _("The milestone is updated."), anchor)
                return row_messages.back_to_row(milestone.project, anchor)
    return milestone_page(
        request, milestone, forms_shown=forms_shown, conflict=conflict, status=409 if conflict else 200
    )


def milestone_page(
    request, milestone, *, forms_shown=None, conflict=None, document_form=None, status=200
):
    """The milestone's page: its update forms while open, and the form that attaches its
    approval document (批复文件), with the files it has."""
    forms_shown = forms_shown or milestone_forms(milestone)
    context = {
        "milestone": milestone,
        "done_form": forms_shown["done"],
        "forecast_form": forms_shown["reforecast"],
        "document_form": document_form or MilestoneDocumentForm(),
        "files": list(milestone.attachments.all()),
        "conflict": conflict,
    }
    return render(request, "projects/milestone_form.html", context, status=status)


@login_required
@require_POST
def milestone_documents(request, pk):
    """The department adds the approval document (批复文件) of a milestone, done or not."""
    milestone = get_for_user(
        request,
        Milestone.objects.select_related("project__lead_department", "responsible_department"),
        may_update_milestone,
        pk=pk,
    )
    form = MilestoneDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            files = attachments.check_all(form.cleaned_data["files"])
            if not files:
                raise ValidationError(_("Choose the file to attach."))
            services.attach(milestone=milestone, files=files, by=request.user)
        except ValidationError as error:
            place_errors(
                form, error if hasattr(error, "error_dict") else ValidationError({"files": error})
            )
        else:
            anchor = milestone_anchor(milestone)
            text = ngettext(
                "%(count)s file is attached to the milestone.",
                "%(count)s files are attached to the milestone.",
                len(files),
            ) % {"count": len(files)}
            row_messages.add(request, messages.SUCCESS, text, anchor)
            return row_messages.back_to_row(milestone.project, anchor)
    return milestone_page(request, milestone, document_form=form, status=400)


# --- the department's monthly workbook ----------------------------------------------------


def _get_department_for_editing(request, slug):
    return get_for_user(request, Department.objects.all(), may_edit_for_department, slug=slug)


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("workbook (.xlsx)"))
    photos = FilesField(
        label=gettext_lazy("site photos"),
        accept=PHOTO_TYPES,
        help_text=gettext_lazy(
            "Optional. Begin each photo's name with its project's code (LW-TRA-001 东门.jpg): "
            "it is added to that project's report for the month. Location and camera data are "
            "removed."
        ),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("check only, save nothing"), required=False)


@login_required
def department_workbook(request, slug):
    """Download the department's workbook for the month."""
    department = _get_department_for_editing(request, slug)
    on = today()
    response = HttpResponse(
        workbook.build(department, on),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{department.slug}-{reporting.last_month(on):%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def workbook_upload(request, slug):
    """Upload the filled-in workbook: every row accepted, or none."""
    department = _get_department_for_editing(request, slug)
    outcome = None
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            photos = attachments.check_all(
                form.cleaned_data["photos"], photos_only=True, most=settings.WORKBOOK_MAX_PHOTOS
            )
        except ValidationError as error:
            form.add_error("photos", error)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(settings.WORKBOOK_MAX_BYTES + 1)
        outcome = workbook.load(
            data,
            department,
            request.user,
            today(),
            dry_run=form.cleaned_data["dry_run"],
            photos=photos,
        )
        if outcome.ok and not outcome.dry_run:
            text = _("Workbook accepted: %(reports)s reports and %(milestones)s milestones saved.")
            if outcome.photos:
                text += " " + _("%(photos)s site photos added.")
            messages.success(
                request,
                text
                % {
                    "reports": outcome.reports,
                    "milestones": outcome.milestones,
                    "photos": outcome.photos,
                },
            )
            return redirect("projects:department", slug=department.slug)
    context = {"department": department, "form": form, "outcome": outcome}
    status = 400 if outcome and not outcome.ok else 200
    return render(request, "projects/workbook_upload.html", context, status=status)


# --- the investment ledger and the district key projects --------------------------------


def _export_format(request):
    export = request.GET.get("_export")
    if export is not None and export not in exports.FORMATS:
        return False
    return export


def ledger_rows(rows):
    """The rows of an investment export: one per project, header first."""
    sources = investment_sources()
    yield [
        _("code"),
        _("name"),
        _("lead department"),
        _("planned (100 million yuan)"),
        _("completed (100 million yuan)"),
        _("completion rate (%)"),
        _("source of the completed figure"),
    ]
    for row in rows.values():
        planned, completed = row["investment_planned"], row["investment_completed"]
        rate = ledger.rate(completed, planned)
        yield [
            row["code"],
            row_name(row),
            row_department(row, "lead_department__"),
            None if planned is None else float(planned),
            None if completed is None else float(completed),
            None if rate is None else round(float(rate), 1),
            str(sources.get(row["investment_source"], "")),
        ]


ROLLUP_TITLES = {
    "department": gettext_lazy("By lead department"),
    "chapter": gettext_lazy("By plan chapter"),
    "category": gettext_lazy("By category"),
    "plan": gettext_lazy("By plan"),
}


def titled(rollups):
    """[(kind, title, [Figures])] in the pages' order."""
    return [(kind, title, rollups[kind]) for kind, title in ROLLUP_TITLES.items()]


def investment_sources():
    return {
        "correction": _("administrator's correction"),
        "reports": _("monthly reports"),
        "admin": _("administrator's yearly figure"),
    }


@login_required
def investment(request, year=None):
    """The year's investment ledger: the district's planned and completed investment, the
    monthly curve, and the roll-ups by department, chapter, category and plan."""
    on = today()
    year = year or on.year
    export = _export_format(request)
    if export is False:
        return HttpResponseBadRequest(_("Unknown export format; use csv or xlsx."))
    rows = ledger.project_figures(year)
    if export:
        return exports.export_response(export, f"investment-{year}", ledger_rows(rows))
    district = ledger.total(rows, year, on, label=_("district"))
    context = {
        "year": year,
        "district": district,
        "curve": charts.investment_curve(ledger.curve(year), district.planned, district.completed),
        "rollups": titled(ledger.rollups(rows, year, on)),
        "sources": investment_sources(),
        "key_years": ledger.key_project_years(),
    }
    return render(request, "projects/investment.html", context)


@login_required
def key_projects(request, year):
    """The district key projects of a year and the figure the district publishes: "N key
    projects completed X 亿元, Y % of the annual plan"."""
    on = today()
    export = _export_format(request)
    if export is False:
        return HttpResponseBadRequest(_("Unknown export format; use csv or xlsx."))
    rows, headline = ledger.key_projects(year, on)
    if export:
        return exports.export_response(
            export, f"key-projects-{year}", ledger_rows(rows)
        )
    context = {
        "year": year,
        "rows": list(rows.values()),
        "headline": headline,
        "rollups": titled(ledger.rollups(rows, year, on, ledger.key_project_set(year))),
        "sources": investment_sources(),
        "key_years": ledger.key_project_years(),
        "published": plandata.published_key_projects(year),
    }
    return render(request, "projects/key_projects.html", context)
