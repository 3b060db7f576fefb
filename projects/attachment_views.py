"""Attached files: sent only through here, to whoever may read the record they belong to;
and a milestone's approval document, added on the milestone's page."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from . import attachments, row_messages, services
from .forms import MilestoneDocumentForm, place_errors
from .models import Attachment, Milestone
from .permissions import get_for_user, may_read_project, may_update_milestone
from .row_messages import milestone_anchor

PHOTO_MONTHS = 6  # months of site photos the project page shows (newest first)


def _attachment(request, pk):
    """The file and its record: 404 if there is none, 403 unless the user may read the
    record's project page (the same rule as the page)."""
    return get_for_user(
        request,
        Attachment.objects.select_related("report__project", "milestone__project"),
        lambda user, row: may_read_project(user, row.project),
        pk=pk,
    )


@login_required
@require_GET
def attachment_file(request, pk):
    return attachments.send(_attachment(request, pk))


@login_required
@require_GET
def attachment_thumbnail(request, pk):
    return attachments.send(_attachment(request, pk), thumbnail=True)


def project_files(project):
    """The project's attached files, in one query: its site photos by month (newest month
    first, at most PHOTO_MONTHS months), each report's files and each milestone's, by id."""
    rows = Attachment.objects.filter(
        Q(report__project=project) | Q(milestone__project=project)
    ).select_related("report")
    by_month, by_report, by_milestone = defaultdict(list), defaultdict(list), defaultdict(list)
    for row in rows:
        if row.report_id:
            by_report[row.report_id].append(row)
            if row.is_photo:
                by_month[row.report.period].append(row)
        else:
            by_milestone[row.milestone_id].append(row)
    months = sorted(by_month.items(), reverse=True)[:PHOTO_MONTHS]
    return months, by_report, by_milestone


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
    from .views import milestone_page

    return milestone_page(request, milestone, document_form=form, status=400)
