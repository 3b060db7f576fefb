"""Attached files: sent only through here, to whoever may read the record they belong to,
and gathered for the project's page."""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from . import attachments
from .models import ATTACHMENT_OWNERS, Attachment, rows_once
from .permissions import get_for_user, may_read_project

PHOTO_MONTHS = 6  # months of site photos the project page shows (newest first)


def _attachment(request, pk):
    """The file and its record: 404 if there is none, 403 unless the user may read the
    record's project page (the same rule as the page)."""
    return get_for_user(
        request,
        Attachment.objects.select_related(*(f"{owner}__project" for owner in ATTACHMENT_OWNERS)),
        lambda user, row: may_read_project(user, row.project),
        pk=pk,
    )


@login_required
@require_safe
def attachment_file(request, pk):
    return attachments.send(_attachment(request, pk))


@login_required
@require_safe
def attachment_thumbnail(request, pk):
    return attachments.send(_attachment(request, pk), thumbnail=True)


@dataclass
class ProjectFiles:
    """A project's attached files: its site photos by month (newest month first, at most
    PHOTO_MONTHS months), and each report's, milestone's and approval's files by its id."""

    photo_months: list
    by_report: dict
    by_milestone: dict
    by_approval: dict


def project_files(project_id, reports, milestones, approvals):
    """A project's attached files (ProjectFiles), in one query made once (rows_once()):
    those of its `reports` (by id, for their months), `milestones` and `approvals`, already
    read; none, without a query, when it has none of them. Three parts joined by UNION ALL,
    each from its owner's index on the project and the attachments' index on that owner;
    not one query with OR over the three joins, for which PostgreSQL read every attachment
    of every project."""

    def build(pk):
        files = Attachment.objects.order_by()
        return files.filter(report__project_id=pk).union(
            files.filter(milestone__project_id=pk), files.filter(approval__project_id=pk), all=True
        )

    owners = reports or milestones or approvals
    rows = rows_once(("project files",), build, project_id) if owners else []
    by_month = defaultdict(list)
    found = ProjectFiles([], defaultdict(list), defaultdict(list), defaultdict(list))
    for row in rows:
        if row.report_id:
            found.by_report[row.report_id].append(row)
            if row.is_photo:
                by_month[reports[row.report_id].period].append(row)
        elif row.milestone_id:
            found.by_milestone[row.milestone_id].append(row)
        else:
            found.by_approval[row.approval_id].append(row)
    found.photo_months = sorted(by_month.items(), reverse=True)[:PHOTO_MONTHS]
    return found
