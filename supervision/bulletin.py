"""The monthly bulletin (月度通报): how each department did in a month, ranked, with the
projects slipping worst and the month's supervision orders. The planning office issues it
to make departments move, so every figure is one a department can check by hand.

What the bulletin for a month M reads ("as at" is M's last day, or today while M runs):

- Reports on time: the monthly reports due in M, that is the reports on the month before
  (the reporting month), due by settings.REPORT_DUE_DAY of M (projects/reporting.py). A
  project owes one when it is active (reporting.ACTIVE_STAGES) or did report on that month.
  On time = first submitted by the end of the due day (a report returned and sent again
  later keeps its first time: the return is counted apart); late = first submitted after it
  but by the as-at day; missing = not submitted by then. Before the due day of a month still
  running, the reports are not due yet and are not scored.
- Returned reports: the reporting month's reports that a manager returned by the as-at day
  (from the reports' history, so a report since corrected and accepted still counts).
- Overdue milestones: of the milestones a department is responsible for, those planned
  before the as-at day and not done by it (done later counts as open then), out of those
  planned before it (due so far).
- Replies on time: replies (OrderStep "replied") made in M to orders addressed to the
  department, by the deadline each answered (OrderStep.on_time). An order still awaiting a
  reply past its deadline at the as-at day ("reply overdue") is a reply not made on time.
- Investment: the year-to-date completion rate of the projects the department leads, the
  investment ledger's figure for M's year (projects/ledger.py) as it stands today.

The ranking rule (RANKING_RULE, stated on the page and in the document): each measure is
worth MEASURE_POINTS points, earned in proportion:

    reports on time        points × on time / reports due
    returned reports       points × (1 − returned / reports submitted)
    overdue milestones     points × (1 − overdue / milestones due so far)
    replies on time        points × on time / (replies + orders reply overdue)
    investment             points × min(completion rate, 100 %) / 100 %

A measure with nothing to measure (no report due, no milestone due, no reply and nothing
overdue, no investment planned) is left out, and the score is the points earned over the
points possible, out of 100: shares rather than counts, so that a department leading two
projects and one leading forty compare fairly. Departments rank by score, then by fewer
overdue milestones; equal on both, they share a rank. A department with nothing to measure
is not listed.

Each section is one function, each running one or two queries whatever the number of
departments, projects, milestones and orders."""

import calendar
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import formatting, ledger
from projects.models import (
    EARLIEST_DAY,
    AnnualInvestment,
    Department,
    Milestone,
    Plan,
    ProgressReport,
    Project,
)
from projects.names import localized
from projects.reporting import ACTIVE_STAGES, deadline, last_month

from .models import OrderStep, SupervisionOrder

MEASURE_POINTS = 20
WORST_SLIPPING = 10
MONTH = re.compile(r"(\d{4})-(\d{2})")

RANKING_RULE = gettext_lazy(
    "Ranking: each of the five measures is worth 20 points, earned in proportion: reports "
    "on time over reports due; reports not returned over reports submitted; milestones not "
    "overdue over milestones due so far; replies on time over replies made plus orders whose "
    "reply is overdue; the investment completion rate (at most 100 %). A measure with nothing "
    "to measure is left out and the score is the points earned over the points possible, out "
    "of 100. Departments rank by score, then by fewer overdue milestones; equal on both, they "
    "share a rank. A department with nothing to measure in the month is not listed."
)


# --- the month ---------------------------------------------------------------------------


def parse_month(text):
    """The first day of the month that `text` (yyyy-mm) names, or None if it names none."""
    match = MONTH.fullmatch(text or "")
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), 1)
    except ValueError:  # month 13, year 0
        return None


def month_label(month):
    """The month as people write it: 2026年5月 (2026-05 in English)."""
    return _("%(year)d-%(month)02d") % {"year": month.year, "month": month.month}


def month_range(on):
    """The first and last months with a bulletin: from January of the first plan's first
    year (or the earliest plausible day without a plan) to the month of `on`. One query."""
    first_year = Plan.objects.order_by("start_year").values_list("start_year", flat=True).first()
    first = datetime.date(first_year, 1, 1) if first_year else EARLIEST_DAY.replace(day=1)
    return first, on.replace(day=1)


def latest_month(on):
    """The month /bulletins/ opens: the last month ended, unless it is before the first."""
    first, last = month_range(on)
    return max(first, last_month(on))


def next_month(month):
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def earlier_months(first, month):
    """[(year, [months])] of the months before `month` back to `first`, newest first."""
    years = defaultdict(list)
    current = last_month(month)
    while current >= first:
        years[current.year].append(current)
        current = last_month(current)
    return [(year, sorted(months)) for year, months in sorted(years.items(), reverse=True)]


def _start_of(day):
    """The first moment of `day` in the district's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass(frozen=True)
class Period:
    """The bulletin's month and the days and moments its figures are read at."""

    month: datetime.date  # the first day
    on: datetime.date  # today

    @property
    def last_day(self):
        return self.month.replace(day=calendar.monthrange(self.month.year, self.month.month)[1])

    @property
    def ended(self):
        return self.last_day < self.on

    @property
    def as_at(self):
        """The month's last day, or today while the month runs."""
        return min(self.last_day, self.on)

    @property
    def reporting_month(self):
        """The month whose reports fall due in this one."""
        return last_month(self.month)

    @property
    def report_due(self):
        return deadline(self.reporting_month)

    @property
    def reports_due_yet(self):
        """The reports' due day is over (a running month's due day is over tomorrow)."""
        return self.ended or self.report_due < self.on

    @property
    def starts(self):
        return _start_of(self.month)

    @property
    def ends(self):
        """The end of the as-at day (the moment after it)."""
        return _start_of(self.as_at + datetime.timedelta(days=1))

    @property
    def report_deadline(self):
        """The end of the reports' due day."""
        return _start_of(self.report_due + datetime.timedelta(days=1))

    @property
    def year(self):
        return self.month.year

    @property
    def label(self):
        return month_label(self.month)

    @property
    def slug(self):
        return f"{self.month:%Y-%m}"


# --- the departments ---------------------------------------------------------------------


def _share(part, whole):
    return None if not whole else part / whole


@dataclass
class DepartmentRow:
    department: Department
    reports_due: int = 0
    reports_on_time: int = 0
    reports_late: int = 0
    reports_missing: int = 0
    reports_submitted: int = 0
    reports_returned: int = 0
    milestones_due: int = 0
    milestones_overdue: int = 0
    replies: int = 0
    replies_on_time: int = 0
    orders_reply_overdue: int = 0
    investment: object = None  # ledger.Figures of the projects it leads
    reports_scored: bool = True  # False before the reports' due day of a running month
    rank: int | None = None
    points: dict = field(default_factory=dict)  # measure: points earned, or None

    @property
    def investment_rate(self):
        return self.investment.rate if self.investment is not None else None

    def score_it(self):
        """Points per measure (None: nothing to measure) and the score out of 100."""
        shares = {
            "reports": _share(self.reports_on_time, self.reports_due)
            if self.reports_scored
            else None,
            "returned": _share(
                self.reports_submitted - self.reports_returned, self.reports_submitted
            ),
            "milestones": _share(
                self.milestones_due - self.milestones_overdue, self.milestones_due
            ),
            "replies": _share(self.replies_on_time, self.replies + self.orders_reply_overdue),
            "investment": None
            if self.investment_rate is None
            else min(float(self.investment_rate), 100.0) / 100,
        }
        self.points = {
            name: None if share is None else max(share, 0) * MEASURE_POINTS
            for name, share in shares.items()
        }

    @property
    def scored(self):
        return [p for p in self.points.values() if p is not None]

    @property
    def score(self):
        if not self.scored:
            return None
        return sum(self.scored) / (len(self.scored) * MEASURE_POINTS) * 100


def report_figures(period):
    """{department id: {due, on_time, late, missing, submitted}} for the reporting month.
    Two queries: the projects that owe the report with their report's time, and the first
    submission of each report from the reports' history."""
    month = period.reporting_month
    reports = ProgressReport.objects.filter(project=OuterRef("pk"), period=month).order_by()
    owing = (
        Project.objects.filter(lead_department__isnull=False)
        .filter(Q(stage__in=ACTIVE_STAGES) | Exists(reports))
        .annotate(submitted=Subquery(reports.values("submitted_at")[:1]))
        .order_by()
        .values_list("pk", "lead_department_id", "submitted")
    )
    first_times = dict(
        ProgressReport.history.filter(period=month)
        .order_by()
        .values("project_id")
        .annotate(first=Min("submitted_at"))
        .values_list("project_id", "first")
    )
    found = defaultdict(
        lambda: dict.fromkeys(("due", "on_time", "late", "missing", "submitted"), 0)
    )
    for project_id, department_id, submitted in owing:
        counts = found[department_id]
        counts["due"] += 1
        if submitted is not None:
            submitted = min(submitted, first_times.get(project_id) or submitted)
        if submitted is None or submitted >= period.ends:
            counts["missing"] += 1
            continue
        counts["submitted"] += 1
        counts["on_time" if submitted < period.report_deadline else "late"] += 1
    return found


def returned_reports(period):
    """{department id: reports on the reporting month returned by the as-at day}, from the
    reports' history (a report returned, then corrected and accepted, still counts). One
    query."""
    return dict(
        ProgressReport.history.filter(
            period=period.reporting_month,
            status=ProgressReport.Status.RETURNED,
            history_date__lt=period.ends,
            project__lead_department__isnull=False,
        )
        .order_by()
        .values("project__lead_department")
        .annotate(n=Count("id", distinct=True))
        .values_list("project__lead_department", "n")
    )


def _open_on(day):
    """Not done by `day` (done later counts as open then)."""
    return Q(actual_date__isnull=True) | Q(actual_date__gt=day)


def milestone_figures(period):
    """{responsible department id (None for none): {due, overdue}} as at the as-at day:
    milestones planned before it, and of them those not done by it. One query."""
    as_at = period.as_at
    return {
        row["responsible_department"]: row
        for row in Milestone.objects.filter(planned_date__lt=as_at)
        .order_by()
        .values("responsible_department")
        .annotate(due=Count("pk"), overdue=Count("pk", filter=_open_on(as_at)))
    }


def reply_figures(period):
    """{department id: {replies, on_time}}: replies made in the month (to the as-at day) to
    orders addressed to the department, and those by the deadline they answered
    (OrderStep.on_time, compared in the district's time zone). One query."""
    return {
        row["order__department"]: row
        for row in OrderStep.objects.filter(
            kind=OrderStep.Kind.REPLIED,
            at__gte=period.starts,
            at__lt=period.ends,
            reply_due__isnull=False,
        )
        .order_by()
        .values("order__department")
        .annotate(replies=Count("pk"), on_time=Count("pk", filter=Q(at__date__lte=F("reply_due"))))
    }


def investment_figures(period):
    """{department id: ledger.Figures} of the projects each leads, for the month's year:
    the ledger's rows (projects/ledger.py), one query."""
    by_lead = defaultdict(dict)
    for pk, row in ledger.project_figures(period.year).items():
        by_lead[row["lead_department_id"]][pk] = row
    return {
        department_id: ledger.total(rows, period.year, period.as_at)
        for department_id, rows in by_lead.items()
        if department_id is not None
    }


def rank(rows):
    """Sort by score, then fewer overdue milestones, then name; equal on both share a rank."""
    rows.sort(key=lambda r: (-round(r.score, 1), r.milestones_overdue, r.department.name))
    previous = None
    for position, row in enumerate(rows, start=1):
        key = (round(row.score, 1), row.milestones_overdue)
        row.rank = previous[1] if previous and previous[0] == key else position
        previous = (key, row.rank)
    return rows


def department_rows(period, reports, milestones, overdue_orders):
    """The ranked departments: [DepartmentRow], each with a measure, from the reports due
    (report_figures), the milestones (milestone_figures) and the orders reply overdue
    (overdue_orders) the bulletin has read. Four queries: departments, returns, replies,
    the ledger."""
    departments = list(Department.objects.order_by("name"))
    returned = returned_reports(period)
    replies = reply_figures(period)
    investment = investment_figures(period)
    overdue_by_department = defaultdict(int)
    for order in overdue_orders:
        overdue_by_department[order.department_id] += 1
    rows = []
    for department in departments:
        r = reports.get(department.pk, {})
        m = milestones.get(department.pk, {})
        a = replies.get(department.pk, {})
        row = DepartmentRow(
            department=department,
            reports_due=r.get("due", 0),
            reports_on_time=r.get("on_time", 0),
            reports_late=r.get("late", 0),
            reports_missing=r.get("missing", 0),
            reports_submitted=r.get("submitted", 0),
            reports_returned=returned.get(department.pk, 0),
            milestones_due=m.get("due", 0),
            milestones_overdue=m.get("overdue", 0),
            replies=a.get("replies", 0),
            replies_on_time=a.get("on_time", 0),
            orders_reply_overdue=overdue_by_department[department.pk],
            investment=investment.get(department.pk),
            reports_scored=period.reports_due_yet,
        )
        row.score_it()
        if row.scored:
            rows.append(row)
    return rank(rows)


# --- the projects slipping worst ---------------------------------------------------------


@dataclass
class SlippingProject:
    code: str
    name: str
    name_en: str
    department: str
    department_en: str
    overdue: int  # milestones overdue against the plan in force
    days: int  # the most days overdue, against the plan in force
    days_original: int  # and against the original baseline

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.code])


def worst_slipping(period, limit=WORST_SLIPPING):
    """The `limit` projects whose milestones not done by the as-at day are the most days
    overdue there (Milestone.days_overdue on that day), then the most against their
    original baseline (days_overdue_original: a re-baseline does not hide a slip). One
    query."""
    as_at = period.as_at
    late = Q(planned_date__lt=as_at)
    late_original = Q(original_planned_date__lt=as_at)
    rows = (
        Milestone.objects.filter(_open_on(as_at))
        .filter(late | late_original)
        .order_by()
        .values(
            "project",
            "project__code",
            "project__name",
            "project__name_en",
            "project__lead_department__name",
            "project__lead_department__short_name",
            "project__lead_department__name_en",
        )
        .annotate(
            first_planned=Min("planned_date", filter=late),
            first_original=Min("original_planned_date", filter=late_original),
            overdue=Count("pk", filter=late),
        )
        .order_by(
            F("first_planned").asc(nulls_last=True),
            F("first_original").asc(nulls_last=True),
            "project__code",
        )[:limit]
    )
    return [
        SlippingProject(
            code=row["project__code"],
            name=row["project__name"],
            name_en=row["project__name_en"],
            department=row["project__lead_department__short_name"]
            or row["project__lead_department__name"]
            or "–",
            department_en=row["project__lead_department__name_en"] or "",
            overdue=row["overdue"],
            days=(as_at - row["first_planned"]).days if row["first_planned"] else 0,
            days_original=(as_at - row["first_original"]).days if row["first_original"] else 0,
        )
        for row in rows
    ]


# --- the month's orders ------------------------------------------------------------------


def orders_issued(period):
    """How many orders were issued in the month (to the as-at day). One query."""
    return SupervisionOrder.objects.filter(
        issued_at__gte=period.starts, issued_at__lt=period.ends
    ).count()


def closed_orders(period):
    """The orders closed (办结) in the month, in the order they were closed. One query."""
    return list(
        SupervisionOrder.objects.filter(
            state=SupervisionOrder.State.CLOSED,
            closed_at__gte=period.starts,
            closed_at__lt=period.ends,
        )
        .select_related("project", "department")
        .order_by("closed_at", "pk")
    )


def overdue_orders(period):
    """The orders awaiting a reply past their deadline at the as-at day, read from their
    steps so that a past month reads as it stood: the newest step by the end of that day
    was an issue or an urging (not a reply, not the close) whose deadline was before it.
    Each gets `deadline` and `days_overdue`; most overdue first. One query."""
    as_at = period.as_at
    last = OrderStep.objects.filter(order=OuterRef("pk"), at__lt=period.ends).order_by("-at", "-pk")
    orders = list(
        SupervisionOrder.objects.filter(issued_at__lt=period.ends)
        .annotate(
            last_kind=Subquery(last.values("kind")[:1]),
            deadline=Subquery(last.values("reply_due")[:1]),
        )
        .filter(
            last_kind__in=[OrderStep.Kind.ISSUED, OrderStep.Kind.URGED],
            deadline__lt=as_at,
        )
        .select_related("project", "department")
        .order_by("deadline", "pk")
    )
    for order in orders:
        order.days_overdue = (as_at - order.deadline).days
    return orders


# --- sample data -------------------------------------------------------------------------


def includes_sample_data():
    """Whether any row the bulletin reads is sample data (is_sample). One query."""
    sample = [
        Exists(model.objects.filter(is_sample=True))
        for model in (Milestone, ProgressReport, AnnualInvestment, SupervisionOrder)
    ]
    condition = Q(is_sample=True)
    for exists in sample:
        condition |= exists
    return Project.objects.filter(condition).exists()


# --- the whole bulletin ------------------------------------------------------------------


@dataclass
class Bulletin:
    period: Period
    departments: list
    slipping: list
    issued: int
    closed: list
    overdue_orders: list
    milestones_overdue: int
    reports_due: int
    reports_on_time: int
    sample: bool

    @property
    def reports_rate(self):
        share = _share(self.reports_on_time, self.reports_due)
        return None if share is None or not self.period.reports_due_yet else share * 100


def build(month, on):
    """The bulletin for `month` (its first day), read on `on` (today). Fourteen queries."""
    period = Period(month=month, on=on)
    reports = report_figures(period)
    milestones = milestone_figures(period)
    overdue = overdue_orders(period)
    return Bulletin(
        period=period,
        departments=department_rows(period, reports, milestones, overdue),
        slipping=worst_slipping(period),
        issued=orders_issued(period),
        closed=closed_orders(period),
        overdue_orders=overdue,
        # The district's totals: every department's, and milestones of none.
        milestones_overdue=sum(row["overdue"] for row in milestones.values()),
        reports_due=sum(row["due"] for row in reports.values()),
        reports_on_time=sum(row["on_time"] for row in reports.values()),
        sample=includes_sample_data(),
    )


# --- the sections as tables (the page and the document show the same cells) --------------


@dataclass(frozen=True)
class Link:
    """A cell that links on the page (the document shows its text)."""

    text: str
    url: str

    def __str__(self):
        return self.text


@dataclass
class Table:
    title: str
    headers: list
    rows: list  # lists of cells: str or Link
    empty: str = ""  # what to say when there is no row
    note: str = ""


percent = formatting.percent  # "75%": the app's one way of writing a percentage


def ratio(part, whole):
    """3/4 (75%), or – with nothing to count."""
    if not whole:
        return "–"
    return f"{part}/{whole} ({percent(part / whole * 100)})"


def day(value):
    return formats.date_format(value, "DATE_FORMAT") if value else "–"


def headline_table(bulletin):
    period = bulletin.period
    if period.reports_due_yet:
        reports = ratio(bulletin.reports_on_time, bulletin.reports_due)
    else:
        reports = _("not due until %(day)s") % {"day": day(period.report_due)}
    return Table(
        title=_("At a glance"),
        headers=[_("measure"), _("figure")],
        rows=[
            [
                _("Reports on %(month)s on time (due by %(day)s)")
                % {"month": month_label(period.reporting_month), "day": day(period.report_due)},
                reports,
            ],
            [
                _("Overdue milestones as at %(day)s") % {"day": day(period.as_at)},
                str(bulletin.milestones_overdue),
            ],
            [_("Supervision orders issued in the month"), str(bulletin.issued)],
            [_("Supervision orders closed in the month"), str(len(bulletin.closed))],
            [
                _("Supervision orders reply overdue as at %(day)s") % {"day": day(period.as_at)},
                str(len(bulletin.overdue_orders)),
            ],
        ],
    )


def ranking_table(bulletin):
    rows = []
    for row in bulletin.departments:
        department = row.department
        if not row.reports_scored:
            reports = _("not yet due")
        else:
            reports = ratio(row.reports_on_time, row.reports_due)
        rows.append(
            [
                str(row.rank),
                Link(str(department), reverse("projects:department", args=[department.slug])),
                reports,
                str(row.reports_returned) if row.reports_submitted else "–",
                f"{row.milestones_overdue}/{row.milestones_due}" if row.milestones_due else "–",
                ratio(row.replies_on_time, row.replies),
                str(row.orders_reply_overdue),
                percent(row.investment_rate, 1),
                f"{row.score:.1f}",
            ]
        )
    return Table(
        title=_("Departments ranked"),
        headers=[
            _("rank"),
            _("department"),
            _("reports on time"),
            _("returned reports"),
            _("overdue milestones / due so far"),
            _("replies on time"),
            _("orders reply overdue"),
            _("investment completion"),
            _("score"),
        ],
        rows=rows,
        empty=_("No department has anything to measure in this month."),
        note=str(RANKING_RULE),
    )


def slipping_table(bulletin):
    return Table(
        title=_("Projects slipping worst"),
        headers=[
            _("project"),
            _("lead department"),
            _("overdue milestones"),
            _("most days overdue"),
            _("days overdue against the original plan"),
        ],
        rows=[
            [
                Link(f"{p.code} {localized(p.name, p.name_en)}", p.get_absolute_url()),
                localized(p.department, p.department_en),
                str(p.overdue),
                str(p.days),
                str(p.days_original),
            ]
            for p in bulletin.slipping
        ],
        empty=_("No milestone was overdue."),
        note=_(
            "The %(count)s projects whose milestones not done were the most days overdue as at "
            "%(day)s, against the planned date in force, then against the original one."
        )
        % {"count": WORST_SLIPPING, "day": day(bulletin.period.as_at)},
    )


def _order_cells(order):
    return [
        Link(order.number, order.get_absolute_url()),
        Link(str(order.project), order.project.get_absolute_url()),
        str(order.department),
        order.get_level_display(),
    ]


def closed_table(bulletin):
    return Table(
        title=_("Supervision orders closed in the month"),
        headers=[
            _("supervision order"),
            _("project"),
            _("addressed to"),
            _("level"),
            _("date issued"),
            _("date closed"),
            _("times urged"),
        ],
        rows=[
            [
                *_order_cells(order),
                day(timezone.localdate(order.issued_at)),
                day(timezone.localdate(order.closed_at)),
                str(order.urge_count),
            ]
            for order in bulletin.closed
        ],
        empty=_("No order was closed in the month."),
    )


def overdue_orders_table(bulletin):
    return Table(
        title=_("Supervision orders reply overdue as at %(day)s")
        % {"day": day(bulletin.period.as_at)},
        headers=[
            _("supervision order"),
            _("project"),
            _("addressed to"),
            _("level"),
            _("reply due"),
            _("days overdue"),
            _("times urged"),
        ],
        rows=[
            [
                *_order_cells(order),
                day(order.deadline),
                str(order.days_overdue),
                str(order.urge_count),
            ]
            for order in bulletin.overdue_orders
        ],
        empty=_("No order was awaiting a reply past its deadline."),
    )


def tables(bulletin):
    """The bulletin's sections, in order: the headline, the ranking, the projects slipping
    worst, the orders closed and the orders reply overdue."""
    return [
        headline_table(bulletin),
        ranking_table(bulletin),
        slipping_table(bulletin),
        closed_table(bulletin),
        overdue_orders_table(bulletin),
    ]
