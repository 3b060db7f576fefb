"""Writes that department editors and managers make: monthly reports, reviews, milestone
updates. Each checks the version the form was loaded from, so a save over a newer version is
refused (Conflict) and the other person's change stays."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .history import shown_changes
from .models import ProgressReport


class Conflict(Exception):
    """Someone saved a newer version first. `changes`: (field label, then, now)."""

    def __init__(self, current, changes):
        super().__init__(_("Someone else saved this first."))
        self.current = current
        self.changes = changes


def changes_since(current, version):
    """What changed on `current` since it was at `version`: its history record of then
    against its newest (every save writes one), shown as the project's history shows it."""
    records = current.history.order_by("-history_date", "-history_id")
    then = records.filter(version=version).first()
    if then is None:
        return []
    delta = records.first().diff_against(
        then, excluded_fields={"id", "version", "submitted_at", "reviewed_at"}
    )
    return shown_changes(delta, type(current))


def claim_version(obj, version):
    """Move obj from `version` to the next one, or raise Conflict if it has moved on.

    The conditional UPDATE takes the row's write lock first (PostgreSQL row lock, SQLite
    database lock), so of two concurrent saves of one version exactly one wins."""
    model = type(obj)
    if not model.objects.filter(pk=obj.pk, version=version).update(version=F("version") + 1):
        current = model.objects.get(pk=obj.pk)
        raise Conflict(current, changes_since(current, version))
    obj.version = version + 1


@transaction.atomic
def report_submit(*, project, author, period, version=None, **fields):
    """The month's report for a project: a new one, or the month's existing one edited
    (its history keeps the earlier text). A returned report goes back for review."""
    period = period.replace(day=1)
    report = ProgressReport.objects.filter(project=project, period=period).first()
    if report is None:
        report = ProgressReport(project=project, period=period)
    elif version is None:
        raise Conflict(report, [])  # created by someone else after this form was opened
    for name, value in fields.items():
        setattr(report, name, value)
    report.author = author
    report.submitted_at = timezone.now()
    report.status = ProgressReport.Status.SUBMITTED
    report.reviewed_by, report.reviewed_at = None, None
    report._history_user = author
    if report.pk:
        report.full_clean()
        claim_version(report, version)
        report.save()
        return report
    report.full_clean(validate_constraints=False)  # the month's slot is claimed by the insert
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # another report for the month arrived in between
        current = ProgressReport.objects.get(project=project, period=period)
        raise Conflict(current, []) from None
    return report


@transaction.atomic
def report_review(*, report, reviewer, accept, comment, version):
    """A manager accepts a report or returns it with a comment for the department."""
    comment = comment.strip()
    if not accept and not comment:
        raise ValueError(_("Say why the report is returned."))
    claim_version(report, version)
    report.status = ProgressReport.Status.ACCEPTED if accept else ProgressReport.Status.RETURNED
    report.review_comment = comment
    report.reviewed_by, report.reviewed_at = reviewer, timezone.now()
    report._history_user = reviewer
    report.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at", "version"])
    return report


@transaction.atomic
def milestone_complete(*, milestone, by, on, version):
    """Mark a milestone done on a day (not in the future)."""
    milestone.actual_date = on
    milestone.full_clean()
    claim_version(milestone, version)
    milestone._history_user = by
    milestone.save(update_fields=["actual_date", "version"])
    return milestone


@transaction.atomic
def milestone_reforecast(*, milestone, by, forecast_date, reason, version):
    """A new expected date with its reason. The planned (baseline) date never changes here:
    only an administrator re-baselines, in the admin, and the history shows it."""
    milestone.forecast_date = forecast_date
    milestone.forecast_reason = reason.strip()
    milestone.full_clean()
    claim_version(milestone, version)
    milestone._history_user = by
    milestone.save(update_fields=["forecast_date", "forecast_reason", "version"])
    return milestone
