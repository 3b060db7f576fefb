"""The reporting calendar: which projects owe a monthly report, for which month, and by
when. A month's report is due by settings.REPORT_DUE_DAY of the month after."""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef

from .models import ProgressReport, Project

# Projects that owe a monthly report.
ACTIVE_STAGES = [Project.Stage.PRELIMINARY, Project.Stage.CONSTRUCTION]


def last_month(on):
    return (on.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def due_month(on):
    """The latest month whose report is due: last month once its due day
    (settings.REPORT_DUE_DAY of this month) has passed, else the month before."""
    month = last_month(on)
    return month if on.day > settings.REPORT_DUE_DAY else last_month(month)


def deadline(month):
    """The day a month's report is due: settings.REPORT_DUE_DAY of the month after (its
    last day at most). On that day the report is due, not yet missing (due_month)."""
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    last_day = (following.replace(day=28) + datetime.timedelta(days=4)).replace(
        day=1
    ) - datetime.timedelta(days=1)
    return following.replace(day=min(settings.REPORT_DUE_DAY, last_day.day))


def projects_without_report(month):
    """Active projects without a report for the month."""
    reported = ProgressReport.objects.filter(project=OuterRef("pk"), period=month)
    return Project.objects.filter(stage__in=ACTIVE_STAGES).exclude(Exists(reported))


def projects_missing_report(on):
    """Active projects without their latest due report (see due_month)."""
    return projects_without_report(due_month(on))
