"""The daily digest: each department's overdue milestones, milestones due in the next 14
days, missing reports, supervision orders awaiting its reply (those overdue marked) and
the year's investment (from the ledger), and a district-wide summary for managers (with
the orders whose reply is overdue and the replies awaiting close-out).

It lives in supervision because it tells of supervision orders (projects may not import
supervision: tests/test_architecture.py); what each list holds is the to-do's (todo.py)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from projects import ledger
from projects.models import Department, User
from projects.reporting import due_month
from projects.roles import Role

from . import todo

DUE_SOON_DAYS = todo.DUE_SOON_DAYS


@dataclass
class Digest:
    department: Department | None
    recipients: list
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    investment: object = None  # the year's ledger.Figures for the department or district
    investment_rows: list = field(default_factory=list)  # its projects' ledger rows
    orders: list = field(default_factory=list)  # awaiting the department's reply
    orders_overdue: list = field(default_factory=list)  # of those, past their deadline
    awaiting_close: list = field(default_factory=list)  # the managers': replies to close
    orders_awaiting_reply: int = 0  # the managers': orders awaiting a reply, district-wide


def build(on):
    """One digest per department with something to say, and one summary for managers."""
    overdue = todo.overdue_milestones(on).for_lists()
    due_soon = todo.milestones_due_soon(on).for_lists()
    missing = todo.reports_due(due_month(on)).select_related("lead_department").order_by("code")
    orders = list(todo.orders_awaiting_reply().select_related("project", "department"))
    editors = User.objects.filter(
        groups__name=Role.EDITOR.value, is_active=True, department__isnull=False
    ).exclude(email="")
    by_department = {}

    def digest_for(department):
        if department.pk not in by_department:
            by_department[department.pk] = Digest(department, [])
        return by_department[department.pk]

    for milestone in overdue:
        if milestone.responsible_department:
            milestone.overdue_days = milestone.days_overdue(on=on)
            digest_for(milestone.responsible_department).overdue.append(milestone)
    for milestone in due_soon:
        if milestone.responsible_department:
            digest_for(milestone.responsible_department).due_soon.append(milestone)
    for project in missing:
        if project.lead_department:
            digest_for(project.lead_department).missing.append(project)
    for order in orders:
        order.overdue_days = order.days_reply_overdue(on)
        digest = digest_for(order.department)
        digest.orders.append(order)
        if order.overdue_days:
            digest.orders_overdue.append(order)
    rows = ledger.project_figures(on.year)
    by_lead = defaultdict(dict)
    for pk, row in rows.items():
        by_lead[row["lead_department_id"]][pk] = row
    for department_id, digest in by_department.items():
        digest.investment = ledger.total(by_lead[department_id], on.year, on)
        digest.investment_rows = [
            row for row in by_lead[department_id].values() if row["investment_source"]
        ]
    for user in editors:
        if user.department_id in by_department:
            by_department[user.department_id].recipients.append(user.email)
    managers = list(
        User.objects.filter(groups__name=Role.MANAGER.value, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    summary = Digest(None, managers, list(overdue), list(due_soon), list(missing))
    summary.investment = ledger.total(rows, on.year, on)
    summary.orders_awaiting_reply = len(orders)
    summary.orders_overdue = sorted(
        (order for order in orders if order.overdue_days), key=lambda o: -o.overdue_days
    )
    summary.awaiting_close = list(
        todo.replies_awaiting_close().select_related("project", "department")
    )
    return sorted(by_department.values(), key=lambda d: d.department.name), summary


def message(digest, on):
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "digest": digest,
            "today": on,
            "month": due_month(on),
            "days": DUE_SOON_DAYS,
        }
        if digest.department:
            subject = _("Liwan Projects: %(department)s, %(date)s") % {
                "department": digest.department,
                "date": on.isoformat(),
            }
            body = render_to_string("email/department_digest.txt", context)
        else:
            subject = _("Liwan Projects: district summary, %(date)s") % {"date": on.isoformat()}
            body = render_to_string("email/manager_digest.txt", context)
    return EmailMessage(subject, body, to=digest.recipients)
