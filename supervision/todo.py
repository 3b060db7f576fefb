"""What waits on a user (the to-do, /todo/, its strip on the dashboard and the top bar's
count).

A department's editors: the monthly reports due (with the deadline), reports returned for
fixing, the overdue milestones their department is responsible for, supervision orders
awaiting its reply, milestones due in the next 14 days, the pre-construction approvals
still missing of their projects about to start. Managers (and administrators):
reports awaiting review, orders whose reply is due within 3 days or overdue, replies
awaiting close-out, new coordination problems. Viewers: nothing.

Each kind of item is one queryset builder below, for one department or every one (the
daily digest reads the same builders). The counts of all of a user's groups come in one
query (a UNION of counts), which is all the top bar's badge and the dashboard's strip
cost; a group's rows are read only when a page shows them, the first SHOWN of each, one
query a group."""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import connections
from django.db.models import Case, Count, IntegerField, Value, When
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.clock import today
from projects.models import Approval, CoordinationProblem, Milestone, ProgressReport, built_once
from projects.permissions import role_names
from projects.reporting import deadline, due_month, last_month, projects_without_report
from projects.roles import Role

from .models import SupervisionOrder
from .permissions import may_supervise

SHOWN = 10  # rows a group shows on the to-do; "and N more" links to the full list
BADGE_MAX = 99  # the top bar shows more as "99+"
ALL_SHOWN = 500  # rows of one group on /todo/?all=<key>
DUE_SOON_DAYS = 14
REPLY_SOON_DAYS = 3


# --- what each kind of item is --------------------------------------------------------


def months_due(on):
    """The months whose report is waiting: the latest one already due (reporting.due_month)
    and, until its due day, last month's, due soon."""
    months = [due_month(on)]
    if last_month(on) not in months:
        months.append(last_month(on))
    return months


def reports_due(month, department=None):
    """Active projects without the month's report (led by the department, if given)."""
    projects = projects_without_report(month)
    return projects if department is None else projects.filter(lead_department=department)


def returned_reports(department=None):
    reports = ProgressReport.objects.filter(status=ProgressReport.Status.RETURNED)
    return reports if department is None else reports.filter(project__lead_department=department)


def overdue_milestones(on, department=None):
    """Overdue milestones (the department's responsibility, if given), most overdue first."""
    milestones = Milestone.objects.overdue(on=on)
    return (
        milestones if department is None else milestones.filter(responsible_department=department)
    )


def milestones_due_soon(on, department=None):
    milestones = Milestone.objects.due_within(DUE_SOON_DAYS, on=on)
    return (
        milestones if department is None else milestones.filter(responsible_department=department)
    )


def approvals_missing(on, department=None):
    """Missing pre-construction approvals of projects about to start (led by the
    department, if given), the nearest start first (Approval.objects.missing_before_start)."""
    approvals = Approval.objects.missing_before_start(on=on)
    return (
        approvals if department is None else approvals.filter(project__lead_department=department)
    )


def orders_awaiting_reply(department=None):
    """Orders awaiting a reply (addressed to the department, if given), the most urgent
    deadline first."""
    orders = SupervisionOrder.objects.awaiting_reply().order_by("reply_due", "pk")
    return orders if department is None else orders.addressed_to(department)


def orders_reply_due(on):
    """Orders awaiting a reply due within REPLY_SOON_DAYS days, or already overdue."""
    return orders_awaiting_reply().filter(
        reply_due__lte=on + datetime.timedelta(days=REPLY_SOON_DAYS)
    )


def replies_awaiting_close():
    return SupervisionOrder.objects.awaiting_close().order_by("replied_at", "pk")


def reports_awaiting_review():
    return ProgressReport.objects.awaiting_review()


def new_problems():
    """New coordination problems, the most urgent first, then the oldest."""
    urgency = Case(
        When(urgency=CoordinationProblem.Urgency.CRITICAL, then=0),
        When(urgency=CoordinationProblem.Urgency.URGENT, then=1),
        default=2,
        output_field=IntegerField(),
    )
    return CoordinationProblem.objects.filter(status=CoordinationProblem.Status.NEW).order_by(
        urgency, "raised_at", "pk"
    )


def counts_query(querysets):
    """The number of rows of each of {key: queryset} in one query (a UNION ALL of counts):
    a queryset of (key, number) pairs."""
    parts = [
        queryset.order_by()
        .annotate(todo_key=Value(key))
        .values("todo_key")
        # COUNT(*), not of the id: the review queue's partial index answers it alone.
        .annotate(todo_n=Count("*"))
        .values_list("todo_key", "todo_n")
        for key, queryset in querysets.items()
    ]
    return union_all(parts)


def count_up_to_sql(querysets, cap):
    """(SQL, parameters) of one query counting the rows of all of `querysets` together,
    but no further than `cap`: their union is read no further than its first `cap` rows."""
    rows = union_all([queryset.order_by().values_list("pk") for queryset in querysets])[:cap]
    sql, params = rows.query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) rows_up_to_cap", params


def union_all(querysets):
    """One queryset of the rows of each of `querysets` (of the same columns), in turn."""
    first, *rest = querysets
    return first.union(*rest, all=True) if rest else first


# --- groups and rows --------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str  # what it is about, linked to its action
    url: str | None
    detail: str = ""
    flag: str = ""  # what makes it pressing: days overdue, urgency


@dataclass
class Group:
    key: str
    title: str
    queryset: object  # the group's items in order, counted with the user's other groups
    row: object = None  # item -> Row; None: the group is a count with its link
    link: str | None = None  # the full list ("and N more" leads there), or the action
    flag: str = ""  # what makes the whole group pressing
    count: int = 0
    limit: int = SHOWN

    @cached_property
    def rows(self):
        if self.row is None or not self.count:
            return []
        return [self.row(item) for item in self.queryset[: self.limit]]

    @property
    def has_rows(self):
        """(Templates call a callable attribute, so they ask this and never `row`.)"""
        return self.row is not None

    @property
    def more(self):
        return self.count - len(self.rows) if self.row else 0


def project_label(project):
    return str(project)


def department_label(department):
    return str(department)


def days_overdue_flag(days):
    return ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}


def all_rows_link(key):
    return reverse("supervision:todo") + f"?all={key}#{key}"


def report_link(code, month):
    return reverse("projects:report_new", args=[code]) + f"?period={month:%Y-%m}"


def order_row(on, with_department):
    def row(order):
        label = f"{order.number} · {project_label(order.project)}"
        if with_department:
            label += f" · {department_label(order.department)}"
        days = order.days_reply_overdue(on)
        return Row(
            label,
            order.get_absolute_url(),
            _("%(request)s (reply due %(date)s)")
            % {"request": Truncator(order.request).chars(60), "date": order.reply_due.isoformat()},
            ngettext("reply %(days)s day overdue", "reply %(days)s days overdue", days)
            % {"days": days}
            if days
            else "",
        )

    return row


def milestone_row(on, overdue):
    def row(milestone):
        return Row(
            project_label(milestone.project),
            reverse("projects:milestone_update", args=[milestone.pk]),
            _("%(title)s · planned %(date)s")
            % {"title": milestone.title, "date": milestone.planned_date.isoformat()},
            days_overdue_flag(milestone.days_overdue(on=on)) if overdue else "",
        )

    return row


def approval_row(on):
    def row(approval):
        days = (approval.project.start_date - on).days
        return Row(
            project_label(approval.project),
            reverse("projects:approval_update", args=[approval.pk]),
            _("%(approval)s · start %(date)s")
            % {"approval": approval.kind, "date": approval.project.start_date.isoformat()},
            ngettext("starts in %(days)s day", "starts in %(days)s days", days) % {"days": days}
            if days >= 0
            else _("planned start passed"),
        )

    return row


def returned_row(report):
    return Row(
        f"{project_label(report.project)} · {report.period:%Y-%m}",
        report_link(report.project.code, report.period),
        report.review_comment,
    )


def closing_row(order):
    return Row(
        f"{order.number} · {project_label(order.project)} · {department_label(order.department)}",
        order.get_absolute_url(),
        Truncator(order.request).chars(60),
    )


def problem_row(problem):
    project = problem.report.project
    detail = Truncator(problem.description).chars(80)
    if problem.help_department:
        detail += " · " + _("help needed from %(department)s") % {
            "department": department_label(problem.help_department)
        }
    return Row(
        project_label(project),
        reverse("supervision:new") + f"?problem={problem.pk}",
        detail,
        ""
        if problem.urgency == CoordinationProblem.Urgency.NORMAL
        else problem.get_urgency_display(),
    )


def editor_groups(department_id, on):
    groups = []
    for month in months_due(on):
        due = deadline(month)
        key = f"reports-{month:%Y-%m}"
        groups.append(
            Group(
                key,
                _("Reports for %(month)s, due by %(deadline)s")
                % {"month": f"{month:%Y-%m}", "deadline": due.isoformat()},
                reports_due(month, department_id).order_by("code").only("code", "name", "name_en"),
                lambda project, month=month: Row(
                    project_label(project), report_link(project.code, month)
                ),
                all_rows_link(key),
                flag=_("overdue") if on > due else "",
            )
        )
    return groups + [
        Group(
            "returned",
            _("Reports returned for fixing"),
            returned_reports(department_id)
            .select_related("project")
            .order_by("-period", "project__code"),
            returned_row,
            all_rows_link("returned"),
        ),
        Group(
            "overdue",
            _("Overdue milestones"),
            overdue_milestones(on, department_id).for_lists(),
            milestone_row(on, overdue=True),
            reverse("projects:overdue") + f"?responsible_department={department_id}",
        ),
        Group(
            "orders",
            _("Supervision orders awaiting your reply"),
            orders_awaiting_reply(department_id).select_related("project"),
            order_row(on, with_department=False),
            reverse("supervision:list") + f"?department={department_id}&state=open",
        ),
        Group(
            "due-soon",
            _("Milestones due in the next %(days)s days") % {"days": DUE_SOON_DAYS},
            milestones_due_soon(on, department_id).for_lists(),
            milestone_row(on, overdue=False),
            reverse("projects:upcoming")
            + f"?days={DUE_SOON_DAYS}&responsible_department={department_id}",
        ),
        Group(
            "approvals",
            _("Approvals missing before the start of work"),
            approvals_missing(on, department_id).for_lists(),
            approval_row(on),
            reverse("projects:approvals") + f"?department={department_id}",
        ),
    ]


def manager_groups(on):
    return [
        Group(
            "review",
            _("Reports awaiting review"),
            reports_awaiting_review(),
            link=reverse("projects:review_queue"),
        ),
        Group(
            "reply-due",
            _("Orders with a reply due within %(days)s days or overdue")
            % {"days": REPLY_SOON_DAYS},
            orders_reply_due(on).select_related("project", "department"),
            order_row(on, with_department=True),
            all_rows_link("reply-due"),
        ),
        Group(
            "close-out",
            _("Replies awaiting close-out"),
            replies_awaiting_close().select_related("project", "department"),
            closing_row,
            reverse("supervision:list") + "?state=replied",
        ),
        Group(
            "problems",
            _("New coordination problems"),
            new_problems().select_related("report__project", "help_department"),
            problem_row,
            reverse("supervision:problems") + "?status=new",
        ),
    ]


class Todo:
    """What waits on a user on a day: `count` (the top bar's badge) and `groups` (the
    to-do page and the dashboard's strip), each computed when first asked for.

    The badge is on every page, so its one query of counts is built and compiled once a
    day for each kind of user (a department's editors, those who supervise, both) and only
    run for each request: building the eight querysets and compiling their union cost an
    editor's page 9 ms of processor time. What is kept is the SQL, never the counts."""

    def __init__(self, department_id=None, supervises=False, on=None):
        self.department_id = department_id  # a department editor's department
        self.supervises = supervises
        self.on = on

    def build_groups(self):
        groups = []
        if self.department_id:
            groups += editor_groups(self.department_id, self.on)
        if self.supervises:
            groups += manager_groups(self.on)
        return groups

    def key(self, what):
        """What a query made once for this kind of user on this day is kept under."""
        on, due_day = self.on, settings.REPORT_DUE_DAY
        return ("todo", what, self.department_id, self.supervises, on, due_day)

    @cached_property
    def counts(self):
        """{group key: number of items}; a group with none may be missing."""
        if not (self.department_id or self.supervises):
            return {}

        def compile_counts():
            query = counts_query({group.key: group.queryset for group in self.build_groups()})
            return query.db, *query.query.sql_with_params()

        using, sql, params = built_once(self.key("counts"), compile_counts)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())

    @cached_property
    def badge(self):
        """The top bar's number: how many items wait, or "99+" beyond BADGE_MAX. Counted up
        to BADGE_MAX + 1 only, in one query made once a day as the counts are, unless the
        counts were read already (the to-do page reads them before it is drawn; the
        dashboard's strip, drawn after the top bar, reads them after). Counting a backlog
        of 20,000 reports awaiting review took 1 ms of each of a manager's pages (EXPLAIN
        ANALYZE); up to 100, 0.05 ms."""
        if "counts" in self.__dict__ or not (self.department_id or self.supervises):
            total = self.count
        else:

            def compile_count():
                querysets = [group.queryset for group in self.build_groups()]
                return querysets[0].db, *count_up_to_sql(querysets, BADGE_MAX + 1)

            using, sql, params = built_once(self.key("badge"), compile_count)
            with connections[using].cursor() as cursor:
                cursor.execute(sql, params)
                (total,) = cursor.fetchone()
        return f"{BADGE_MAX}+" if total > BADGE_MAX else total

    @cached_property
    def groups(self):
        groups = self.build_groups()
        for group in groups:
            group.count = self.counts.get(group.key, 0)
        return groups

    @property
    def count(self):
        return sum(self.counts.values())


def is_department_editor(user):
    return bool(user.department_id) and Role.EDITOR.value in role_names(user)


def items_for(user, on=None):
    """What waits on the user on the day (default today): a Todo, whose counts are one
    query and whose groups' rows are read when a group's `rows` is."""
    if not user.is_authenticated:
        return Todo()
    return Todo(
        department_id=user.department_id if is_department_editor(user) else None,
        supervises=may_supervise(user),
        on=on or today(),
    )


def for_request(request):
    """The request user's to-do, computed once per request (the page, the strip and the
    top bar share it)."""
    if not hasattr(request, "_todo"):
        request._todo = items_for(request.user)
    return request._todo
