"""The daily digest: each department's overdue milestones, milestones due in the next 14
days, missing reports and the year's investment (from the ledger), and a district-wide
summary for managers."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import ledger
from .models import Department, Milestone, User
from .roles import Role
from .reporting import due_month, projects_missing_report

DUE_SOON_DAYS = 14


@dataclass
class Digest:
    department: Department | None
    recipients: list
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    investment: object = None  # the year's ledger.Figures for the department or district
    investment_rows: list = field(default_factory=list)  # its projects' ledger rows


def build(on):
    """One digest per department with something to say, and one summary for managers."""
    overdue = Milestone.objects.overdue(on=on).for_lists()
    due_soon = Milestone.objects.due_within(DUE_SOON_DAYS, on=on).for_lists()
    missing = projects_missing_report(on).select_related("lead_department").order_by("code")
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
    return sorted(by_department.values(), key=lambda d: d.department.name), summary


def message(digest, on):
    with translation.override(settings.LANGUAGE_CODE):
        context = {"digest": digest, "today": on, "month": due_month(on), "days": DUE_SOON_DAYS}
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
