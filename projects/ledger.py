"""The investment ledger, read: a project's completed investment for a year, its roll-ups
by department, chapter, category and plan, the share of the year gone by, the monthly
curve, and the district key projects' figure.

A project's completed investment for a year is defined once, by
Project.objects.with_investment(year) (projects/models.py): an administrator's named
correction, else the year to date of the year's newest monthly report, else the
administrator's yearly figure. How a report's month and year to date agree is
ProgressReport.clean_investment(). Everything here reads those two; nothing here decides
a figure again, but for one project's page (project_years, project_curve), which applies
the same rule to the rows the page has already read (year_investment(), projects/models.py,
beside with_investment()), held to the same figures by tests.
Each function runs a fixed number of queries whatever the number of projects."""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from .models import (
    KeyProject,
    PlanChapter,
    ProgressReport,
    Project,
    ProjectChapter,
    year_investment,
)
from .names import row_department

ZERO = Decimal(0)


def year_share(on):
    """The share of the year gone by on `on`, counting it, in percent: real days (1 January
    is 1/365 or 1/366, 31 December is 100)."""
    days = 366 if calendar.isleap(on.year) else 365
    return on.timetuple().tm_yday / days * 100


def share_for(year, on):
    """The share of `year` gone by on `on`: 100 for a past year, 0 for one to come."""
    if year < on.year:
        return 100.0
    if year > on.year:
        return 0.0
    return year_share(on)


def rate(completed, planned):
    """Completed over planned, in percent; None when nothing was planned."""
    if not planned:
        return None
    return (completed or ZERO) / planned * 100


@dataclass
class Figures:
    """Planned and completed investment (亿元) of a group of projects for a year."""

    label: str = ""
    key: object = None
    projects: int = 0
    planned: Decimal = ZERO
    completed: Decimal = ZERO
    share: float = 0.0  # of the year gone by, in percent
    ids: set = field(default_factory=set, repr=False)

    def add(self, project_id, planned, completed):
        """Count a project's figures once; a project with neither is not counted."""
        if project_id in self.ids or (planned is None and completed is None):
            return
        self.ids.add(project_id)
        self.projects += 1
        self.planned += planned or ZERO
        self.completed += completed or ZERO

    @property
    def rate(self):
        return rate(self.completed, self.planned)

    @property
    def behind(self):
        """Completed less of its plan than the share of the year gone by."""
        return self.rate is not None and self.rate < self.share


def project_figures(year, projects=None):
    """{project id: row} for the year, in one query: row has planned, completed, source,
    code, name (and name_en), lead_department_id and its names, category. A work is
    counted once (countable(): a part whose umbrella entry is among the projects is left
    out), so every sum of these rows (totals, roll-ups) counts it once."""
    projects = Project.objects.all() if projects is None else projects
    rows = (
        projects.countable()
        .with_investment(year)
        .order_by("code")
        .values(
            "pk",
            "code",
            "name",
            "name_en",
            "category",
            "lead_department_id",
            "lead_department__name",
            "lead_department__short_name",
            "lead_department__name_en",
            "lead_department__slug",
            "investment_planned",
            "investment_completed",
            "investment_source",
        )
    )
    return {row["pk"]: row for row in rows}


def total_of(year, on, projects=None, label=""):
    """total(project_figures(year, projects), year, on): the same Figures, summed in the
    database (one query, one row: not a row a project read to be added up here)."""
    projects = Project.objects.all() if projects is None else projects
    has_figures = Q(investment_planned__isnull=False) | Q(investment_completed__isnull=False)
    sums = (
        projects.countable()
        .with_investment(year, source=False)
        .aggregate(
            counted=Count("pk", filter=has_figures),
            planned=Sum("investment_planned"),
            completed=Sum("investment_completed"),
        )
    )
    figures = Figures(label=label, share=share_for(year, on))
    figures.projects = sums["counted"]
    figures.planned = sums["planned"] or ZERO
    figures.completed = sums["completed"] or ZERO
    return figures


def total(rows, year, on, label=""):
    figures = Figures(label=label, share=share_for(year, on))
    for row in rows.values():
        figures.add(row["pk"], row["investment_planned"], row["investment_completed"])
    return figures


def rollups(rows, year, on, projects=None):
    """Roll-ups of project rows (project_figures) by department, category, plan and
    top-level chapter: {name: [Figures]}. Two more queries: the plans and chapters.
    `projects`: the set the rows were read from (as project_figures(), default every
    project), whose chapters are read through it (a list of 10,000 ids took 100 ms)."""
    projects = Project.objects.all() if projects is None else projects
    share = share_for(year, on)
    groups = {"department": {}, "category": {}, "plan": {}, "chapter": {}}

    def group(kind, key, label):
        if key not in groups[kind]:
            groups[kind][key] = Figures(label=label, key=key, share=share)
        return groups[kind][key]

    categories = {value: str(label) for value, label in Project.Category.choices}
    for row in rows.values():
        amounts = (row["pk"], row["investment_planned"], row["investment_completed"])
        slug = row["lead_department__slug"]
        if slug not in groups["department"]:  # a department's name is worked out once
            group("department", slug, row_department(row, "lead_department__") or "–")
        groups["department"][slug].add(*amounts)
        category = row["category"]
        group("category", category, categories.get(category, category)).add(*amounts)
    links = ProjectChapter.objects.filter(project__in=projects).values_list(
        "project_id", "chapter__plan__number", "chapter__plan__short_name", "chapter__code"
    )
    titles = {
        (number, code): title
        for number, code, title in PlanChapter.objects.filter(parent__isnull=True).values_list(
            "plan__number", "code", "title"
        )
    }
    for project_id, number, plan, code in links:
        row = rows.get(project_id)
        if row is None:
            continue  # a part counted in its umbrella (countable())
        amounts = (project_id, row["investment_planned"], row["investment_completed"])
        group("plan", number, plan).add(*amounts)
        top = code.split(".")[0]  # a section counts in its chapter
        label = f"{plan} {top} {titles.get((number, top), '')}".strip()
        group("chapter", f"{number}-{top}", label).add(*amounts)
    order = {
        "department": lambda f: (-f.planned, f.label),
        "category": lambda f: (-f.planned, f.label),
        "plan": lambda f: f.key,
        "chapter": lambda f: tuple(int(part) for part in f.key.split("-")),
    }
    return {kind: sorted(found.values(), key=order[kind]) for kind, found in groups.items()}


def curve(year, projects=None):
    """The cumulative completed investment by month of `year` from the monthly reports:
    [(month, amount)] for each month up to the newest reported one. A project's figure
    for a month is the year to date of its newest report up to that month. One query.
    `projects`: a queryset or ids (default all), counted as project_figures() counts them."""
    reports = ProgressReport.objects.filter(
        period__year=year, investment_completed_ytd__isnull=False
    )
    # The same projects as project_figures() counts: a work once.
    if projects is None:
        projects = Project.objects.all()
    elif not hasattr(projects, "countable"):
        projects = Project.objects.filter(pk__in=list(projects))
    reports = reports.filter(project__in=projects.countable())
    latest = defaultdict(dict)  # project: {month: year to date}
    for project_id, period, ytd in reports.order_by().values_list(
        "project_id", "period", "investment_completed_ytd"
    ):
        latest[project_id][period.month] = ytd
    return _curve_points(latest)


def project_curve(year, reports):
    """curve() of one project, from its `reports` already read (no query): a project alone
    is a work counted once."""
    months = {
        r.period.month: r.investment_completed_ytd
        for r in reports
        if r.period.year == year and r.investment_completed_ytd is not None
    }
    return _curve_points({0: months} if months else {})


def _curve_points(latest):
    """[(month, amount)] of curve(), from {project: {month: year to date}}."""
    if not latest:
        return []
    last = max(max(months) for months in latest.values())
    points = []
    for month in range(1, last + 1):
        amount = ZERO
        for months in latest.values():
            known = [m for m in months if m <= month]
            if known:
                amount += months[max(known)]
        points.append((month, amount))
    return points


def key_projects(year, on):
    """The district key projects of `year`: (rows, Figures). Each row is the project's
    ledger row (its annual plan is the year's planned investment, as everywhere) with
    `key_rate`; the headline is their count, completed sum and completion rate of the
    annual plan. One query."""
    rows = project_figures(year, key_project_set(year))
    headline = Figures(label=_("district key projects"), share=share_for(year, on))
    for row in rows.values():
        row["key_rate"] = rate(row["investment_completed"], row["investment_planned"])
        # A key project counts in the headline even before it has figures for the year.
        headline.ids.add(row["pk"])
        headline.projects += 1
        headline.planned += row["investment_planned"] or ZERO
        headline.completed += row["investment_completed"] or ZERO
    return rows, headline


def key_project_set(year):
    """The district key projects of `year`, a queryset."""
    return Project.objects.filter(pk__in=KeyProject.objects.filter(year=year).values("project"))


def key_project_years():
    return list(KeyProject.objects.order_by("-year").values_list("year", flat=True).distinct())


def project_years(investments, reports):
    """A project's ledger by year: [Figures] oldest first, each with its `source`, from its
    yearly rows (`investments`) and `reports` (no query; the project's page has read them
    already), each year's by year_investment(), with_investment()'s rule in Python. A year
    is here for its yearly row or for a report's figure."""
    rows = {row.year: row for row in investments}
    by_year = defaultdict(list)
    for r in reports:
        by_year[r.period.year].append(r)
    found = []
    for year in sorted(rows.keys() | by_year.keys()):
        planned, completed, source = year_investment(rows.get(year), by_year[year])
        if source:
            figures = Figures(label=str(year), key=year, projects=1)
            figures.planned, figures.completed, figures.source = planned, completed, source
            found.append(figures)
    return found


def figures_over_years(years, projects):
    """The ledger of each of `projects` for each of `years`, in one query whatever the
    number of years and projects: {project id: {year: (planned, completed)}}. Every project
    is listed (parts too: countable() decides what a sum counts, see totals_over_years)."""
    years = list(years)
    if not years:
        return {}
    for year in years:
        projects = projects.with_investment(year, suffix=f"_{year}", source=False)
    names = [f"investment_{n}_{year}" for year in years for n in ("planned", "completed")]
    found = {}
    for values in projects.order_by().values("pk", *names):
        found[values["pk"]] = {
            year: (values[f"investment_planned_{year}"], values[f"investment_completed_{year}"])
            for year in years
        }
    return found


def totals_over_years(years, figures, counted, on):
    """[Figures] for each of `years`, of the projects in `figures` (figures_over_years)
    whose ids are in `counted` (the set's countable() ids: a work once)."""
    found = []
    for year in years:
        total_of_year = Figures(label=str(year), key=year, share=share_for(year, on))
        for project_id, by_year in figures.items():
            if project_id in counted:
                total_of_year.add(project_id, *by_year[year])
        found.append(total_of_year)
    return found
