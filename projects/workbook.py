"""A department's monthly workbook: download its projects and open milestones as XLSX,
fill in the month's figures, upload it back. Every mistake is reported by sheet, row and
column, and either every row is accepted or none is. Accepted rows go through the same
services as the web forms (so the same rules, versions and history)."""

import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from . import services
from .models import Milestone, ProgressReport, Project
from .scorecards import ACTIVE_STAGES, last_month

REPORTS, MILESTONES = "reports", "milestones"
# (key, header, editable). Keys are what the upload reads; headers are for people.
REPORT_COLUMNS = [
    ("code", "项目编号 code", False),
    ("name", "项目名称 name", False),
    ("period", "报告月份 month", False),
    ("version", "版本 version", False),
    ("health", "健康状况 health (green/amber/red)", True),
    ("percent_complete", "完成进度 percent complete (0-100)", True),
    ("investment_completed_ytd", "本年累计完成投资(亿元) investment to date", True),
    ("narrative", "本月进展情况 progress", True),
    ("problems", "需协调解决的问题 problems", True),
    ("next_steps", "下一步计划 next steps", True),
]
MILESTONE_COLUMNS = [
    ("id", "节点编号 id", False),
    ("code", "项目编号 code", False),
    ("title", "节点 milestone", False),
    ("planned_date", "计划日期 planned", False),
    ("version", "版本 version", False),
    ("actual_date", "实际完成日期 actual (YYYY-MM-DD)", True),
    ("forecast_date", "预计日期 forecast (YYYY-MM-DD)", True),
    ("forecast_reason", "预计日期调整原因 reason", True),
]
LOCKED_FILL = PatternFill("solid", fgColor="EEF2F7")


@dataclass
class Outcome:
    errors: list = field(default_factory=list)  # (sheet, row, column, message)
    reports: int = 0  # reports submitted
    milestones: int = 0  # milestones updated
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors


def department_projects(department):
    return Project.objects.filter(lead_department=department, stage__in=ACTIVE_STAGES).order_by(
        "code"
    )


def open_milestones(department):
    return (
        Milestone.objects.open()
        .filter(project__lead_department=department, project__stage__in=ACTIVE_STAGES)
        .select_related("project")
        .order_by("project__code", "planned_date", "pk")
    )


def build(department, on):
    """The workbook for a department's editors, as bytes."""
    period = last_month(on)
    reports = {
        r.project_id: r
        for r in ProgressReport.objects.filter(project__lead_department=department, period=period)
    }
    book = Workbook()
    sheet = book.active
    sheet.title = REPORTS
    _header(sheet, REPORT_COLUMNS)
    for project in department_projects(department):
        report = reports.get(project.pk)
        values = {
            "code": project.code,
            "name": project.name,
            "period": period.strftime("%Y-%m"),
            "version": report.version if report else 0,
            "health": report.health if report else "",
            "percent_complete": report.percent_complete if report else None,
            "investment_completed_ytd": report.investment_completed_ytd if report else None,
            "narrative": report.narrative if report else "",
            "problems": report.problems if report else "",
            "next_steps": report.next_steps if report else "",
        }
        _row(sheet, REPORT_COLUMNS, values)
    health = DataValidation(type="list", formula1='"green,amber,red"', allow_blank=True)
    sheet.add_data_validation(health)
    health.add(f"E2:E{max(sheet.max_row, 2)}")

    sheet = book.create_sheet(MILESTONES)
    _header(sheet, MILESTONE_COLUMNS)
    for milestone in open_milestones(department):
        _row(
            sheet,
            MILESTONE_COLUMNS,
            {
                "id": milestone.pk,
                "code": milestone.project.code,
                "title": milestone.title,
                "planned_date": milestone.planned_date.isoformat(),
                "version": milestone.version,
                "actual_date": None,
                "forecast_date": milestone.forecast_date.isoformat()
                if milestone.forecast_date
                else None,
                "forecast_reason": milestone.forecast_reason,
            },
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet, columns):
    sheet.append([header for _key, header, _editable in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True  # locked columns stay locked; editable cells are unlocked
    for index, (_key, _header_text, _editable) in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 22


def _row(sheet, columns, values):
    sheet.append([values[key] for key, _header, _editable in columns])
    for cell, (_key, _header, editable) in zip(sheet[sheet.max_row], columns, strict=True):
        if editable:
            cell.protection = Protection(locked=False)
        else:
            cell.fill = LOCKED_FILL


def load(data, department, user, on, *, dry_run=False):
    """Check an uploaded workbook and, if every row is right and not dry_run, apply it."""
    outcome = Outcome(dry_run=dry_run)
    if not data:
        outcome.errors.append(("", 0, "", _("The file is empty.")))
        return outcome
    if len(data) > settings.WORKBOOK_MAX_BYTES:
        outcome.errors.append(
            (
                "",
                0,
                "",
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.WORKBOOK_MAX_BYTES // 1_000_000},
            )
        )
        return outcome
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        outcome.errors.append(("", 0, "", _("This is not an Excel workbook (.xlsx).")))
        return outcome
    if REPORTS not in book.sheetnames or MILESTONES not in book.sheetnames:
        outcome.errors.append(
            (
                "",
                0,
                "",
                _("The workbook needs the sheets %(a)s and %(b)s.")
                % {"a": REPORTS, "b": MILESTONES},
            )
        )
        return outcome
    projects = {p.code: p for p in Project.objects.filter(lead_department=department)}
    milestones = {m.pk: m for m in open_milestones(department)}
    report_rows = list(_rows(book[REPORTS], REPORT_COLUMNS, outcome))
    milestone_rows = list(_rows(book[MILESTONES], MILESTONE_COLUMNS, outcome))
    period = last_month(on)
    existing = {
        r.project_id: r
        for r in ProgressReport.objects.filter(project__in=projects.values(), period=period)
    }
    writes = []
    for row_number, row in report_rows:
        write = _check_report(row_number, row, projects, existing, period, outcome)
        if write:
            writes.append(write)
    for row_number, row in milestone_rows:
        write = _check_milestone(row_number, row, milestones, on, outcome)
        if write:
            writes.append(write)
    if outcome.errors:
        return outcome
    try:
        with transaction.atomic():
            for kind, run in writes:
                run(user)
                if kind == REPORTS:
                    outcome.reports += 1
                else:
                    outcome.milestones += 1
            if dry_run:
                transaction.set_rollback(True)
    except services.Conflict:
        outcome.errors.append(
            ("", 0, "", _("Someone else saved a row of this workbook first; download it again."))
        )
        outcome.reports = outcome.milestones = 0
    except ValidationError as error:
        outcome.errors.append(("", 0, "", "; ".join(error.messages)))
        outcome.reports = outcome.milestones = 0
    return outcome


def _rows(sheet, columns, outcome):
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    expected = [header_text for _key, header_text, _editable in columns]
    if (
        header is None
        or [("" if h is None else str(h)) for h in header[: len(expected)]] != expected
    ):
        outcome.errors.append(
            (
                sheet.title,
                1,
                "",
                _("The columns are not the ones downloaded; use the downloaded workbook."),
            )
        )
        return
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        yield number, dict(zip([key for key, _h, _e in columns], values, strict=False))


def _text(value):
    return "" if value is None else str(value).strip()


def _error(outcome, sheet, row, columns, key, message):
    header = next(h for k, h, _e in columns if k == key)
    outcome.errors.append((sheet, row, header, message))


def _check_report(number, row, projects, existing, period, outcome):
    def error(key, message):
        _error(outcome, REPORTS, number, REPORT_COLUMNS, key, message)

    code = _text(row.get("code"))
    project = projects.get(code)
    if project is None:
        error("code", _("No project %(code)s of your department.") % {"code": code or "–"})
        return None
    if _text(row.get("name")) != project.name:
        error("name", _("This column is locked; it was changed."))
    if _text(row.get("period")) != period.strftime("%Y-%m"):
        error("period", _("This column is locked; it was changed."))
    report = existing.get(project.pk)
    if _integer(row.get("version")) != (report.version if report else 0):
        error(
            "version",
            _("This column is locked; it was changed, or the report was saved since the download."),
        )
    health = _text(row.get("health"))
    if (
        not health
        and not report
        and all(_text(row.get(k)) == "" for k in ("percent_complete", "narrative"))
    ):
        return None  # nothing filled in for this project
    if health not in ProgressReport.Health.values:
        error("health", _("Use green, amber or red."))
    percent = _integer(row.get("percent_complete"))
    if percent is None or not 0 <= percent <= 100:
        error("percent_complete", _("Give a whole number from 0 to 100."))
    investment = _decimal(row.get("investment_completed_ytd"))
    if investment is False or (investment is not None and investment < 0):
        error("investment_completed_ytd", _("Give an amount of 0 or more."))
    narrative = _text(row.get("narrative"))
    if not narrative:
        error("narrative", _("Say what was done this month."))
    fields = {
        "health": health,
        "percent_complete": percent,
        "investment_completed_ytd": investment,
        "narrative": narrative,
        "problems": _text(row.get("problems")),
        "next_steps": _text(row.get("next_steps")),
    }
    if report and all(getattr(report, k) == v for k, v in fields.items()):
        return None  # unchanged
    version = report.version if report else None
    return REPORTS, lambda user: services.report_submit(
        project=project, author=user, period=period, version=version, **fields
    )


def _check_milestone(number, row, milestones, on, outcome):
    def error(key, message):
        _error(outcome, MILESTONES, number, MILESTONE_COLUMNS, key, message)

    milestone = milestones.get(_integer(row.get("id")))
    if milestone is None:
        error("id", _("No open milestone with this id for your department."))
        return None
    if (
        _text(row.get("code")) != milestone.project.code
        or _text(row.get("title")) != milestone.title
    ):
        error("title", _("This column is locked; it was changed."))
    if _date(row.get("planned_date")) != milestone.planned_date:
        error("planned_date", _("The planned date is locked; only an administrator changes it."))
    if _integer(row.get("version")) != milestone.version:
        error(
            "version",
            _(
                "This column is locked; it was changed, or the milestone was saved since the download."
            ),
        )
    actual, forecast = _date(row.get("actual_date")), _date(row.get("forecast_date"))
    reason = _text(row.get("forecast_reason"))
    if actual is False:
        error("actual_date", _("Write the date as YYYY-MM-DD."))
    elif actual and actual > on:
        error("actual_date", _("The actual date cannot be in the future."))
    if forecast is False:
        error("forecast_date", _("Write the date as YYYY-MM-DD."))
    if actual:
        return MILESTONES, lambda user: services.milestone_complete(
            milestone=milestone, by=user, on=actual, version=milestone.version
        )
    if forecast and (forecast != milestone.forecast_date or reason != milestone.forecast_reason):
        if not reason:
            error("forecast_reason", _("Give a reason for the forecast date."))
            return None
        return MILESTONES, lambda user: services.milestone_reforecast(
            milestone=milestone,
            by=user,
            forecast_date=forecast,
            reason=reason,
            version=milestone.version,
        )
    return None


def _integer(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _decimal(value):
    """None when empty, False when not a number."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return False


def _date(value):
    """None when empty, False when not a date."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return False
