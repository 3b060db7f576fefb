"""A department's monthly workbook: download its projects and open milestones as XLSX,
fill in the month's figures, upload it back. Every mistake is reported by sheet, row and
column, and either every row is accepted or none is. The workbook only reads its cells and
checks its locked columns; every row goes through the same services as the web forms (so
the same rules and messages, versions and history). Its cells are read as a clerk writes
them (projects.cells): 3.2亿 or 32000万 for an amount, 正常 for a health, 2026年6月14日 for
a date.

Site photos come with the workbook as files of their own (a clerk has them as files from a
camera or phone; pasting them into cells hides which row they belong to and bloats the
workbook): each photo's name begins with its project's code ("LW-TRA-001 东门.jpg"), and
it is added to that project's report for the workbook's month, saved by this workbook or
before. They are kept only if every row and every photo is right."""

import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from . import attachments, cells, exports, services, uploads
from .models import Milestone, ProgressReport, Project
from .ledger import project_figures
from .reporting import ACTIVE_STAGES, last_month

# The workbook speaks the district's words, whatever the language of the page that offers
# it: its sheets, headers and health values are part of the file, like a form's printed
# labels, so they are fixed here rather than translated (a new translation must not make
# the files in circulation unreadable). A unit is stated in its header.
REPORTS, MILESTONES = "月度报告", "节点"
# (key, header, editable). Keys are what the upload reads; headers are for people.
REPORT_COLUMNS = [
    ("code", "项目编号", False),
    ("name", "项目名称", False),
    ("period", "报告月份", False),
    ("version", "版本号", False),
    ("health", "健康状况（正常/有风险/严重滞后）", True),
    ("percent_complete", "完成进度（%）", True),
    ("investment_completed_month", "本月完成投资（亿元）", True),
    ("investment_completed_ytd", "本年累计完成投资（亿元）", True),
    ("ledger_completed", "台账本年累计完成投资（亿元）", False),
    ("narrative", "本月进展情况", True),
    ("problems", "需协调解决的问题", True),
    ("next_steps", "下一步计划", True),
]
MILESTONE_COLUMNS = [
    ("id", "节点编号", False),
    ("code", "项目编号", False),
    ("title", "节点名称", False),
    ("planned_date", "计划日期", False),
    ("version", "版本号", False),
    ("actual_date", "实际完成日期", True),
    ("forecast_date", "预计完成日期", True),
    ("forecast_reason", "预计日期调整原因", True),
]
# A report's health as the workbook writes it (the zh-hans names of ProgressReport.Health);
# read back from these or from the codes.
HEALTH_WORDS = {"green": "正常", "amber": "有风险", "red": "严重滞后"}
# What workbooks downloaded before the sheets were in Chinese only call their sheets and
# columns: such a workbook is still read, whatever the order of its columns.
PREVIOUS_SHEETS = {REPORTS: "reports", MILESTONES: "milestones"}
PREVIOUS_HEADERS = {
    REPORTS: {
        "code": "项目编号 code",
        "name": "项目名称 name",
        "period": "报告月份 month",
        "version": "版本 version",
        "health": "健康状况 health (green/amber/red)",
        "percent_complete": "完成进度 percent complete (0-100)",
        "investment_completed_ytd": "本年累计完成投资(亿元) investment to date",
        "narrative": "本月进展情况 progress",
        "problems": "需协调解决的问题 problems",
        "next_steps": "下一步计划 next steps",
        "investment_completed_month": "本月完成投资(亿元) investment this month",
        "ledger_completed": "台账本年完成投资(亿元) completed this year in the ledger",
    },
    MILESTONES: {
        "id": "节点编号 id",
        "code": "项目编号 code",
        "title": "节点 milestone",
        "planned_date": "计划日期 planned",
        "version": "版本 version",
        "actual_date": "实际完成日期 actual (YYYY-MM-DD)",
        "forecast_date": "预计日期 forecast (YYYY-MM-DD)",
        "forecast_reason": "预计日期调整原因 reason",
    },
}
COLUMNS = {REPORTS: REPORT_COLUMNS, MILESTONES: MILESTONE_COLUMNS}
LOCKED_FILL = PatternFill("solid", fgColor="EEF2F7")


@dataclass
class Outcome:
    errors: list = field(default_factory=list)  # (sheet, row, column, message)
    more_errors: int = 0  # found beyond settings.SPREADSHEET_MAX_ERRORS, counted only
    reports: int = 0  # reports submitted
    milestones: int = 0  # milestones updated
    photos: int = 0  # site photos added to the month's reports
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors

    def add_error(self, sheet, row, column, message):
        if len(self.errors) < settings.SPREADSHEET_MAX_ERRORS:
            self.errors.append((sheet, row, column, uploads.shorten(message, 300)))
        else:
            self.more_errors += 1


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
    projects = department_projects(department)
    # What the pages show for the year (projects/ledger.py), to check the figures against.
    ledger = {
        pk: row["investment_completed"]
        for pk, row in project_figures(period.year, projects).items()
    }
    book = Workbook()
    sheet = book.active
    sheet.title = REPORTS
    _header(sheet, REPORT_COLUMNS)
    for project in projects:
        report = reports.get(project.pk)
        values = {
            "code": project.code,
            "name": project.name,
            "period": period.strftime("%Y-%m"),
            "version": report.version if report else 0,
            "health": HEALTH_WORDS.get(report.health, report.health) if report else "",
            "percent_complete": report.percent_complete if report else None,
            "investment_completed_month": report.investment_completed_month if report else None,
            "investment_completed_ytd": report.investment_completed_ytd if report else None,
            "ledger_completed": ledger.get(project.pk),
            "narrative": report.narrative if report else "",
            "problems": report.problems if report else "",
            "next_steps": report.next_steps if report else "",
        }
        _row(sheet, REPORT_COLUMNS, values)
    # A drop-down of the health words (typing a code, such as green, is still read).
    health = DataValidation(
        type="list", formula1='"%s"' % ",".join(HEALTH_WORDS.values()), allow_blank=True
    )
    sheet.add_data_validation(health)
    letter = sheet.cell(1, _position(REPORT_COLUMNS, "health")).column_letter
    health.add(f"{letter}2:{letter}{max(sheet.max_row, 2)}")

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


def _position(columns, key):
    return [k for k, _header, _editable in columns].index(key) + 1


def _header(sheet, columns):
    sheet.append([header for _key, header, _editable in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True  # locked columns stay locked; editable cells are unlocked
    for index, (_key, _header_text, _editable) in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 22


def _row(sheet, columns, values):
    """A row of cells, written as every export writes them (exports.py): a text is a string
    cell, never a formula, and a control character already saved is shown as U+FFFD."""
    sheet.append(
        [
            exports.clean_text(value) if isinstance(value, str) else value
            for value in (values[key] for key, _header, _editable in columns)
        ]
    )
    for cell, (_key, _header, editable) in zip(sheet[sheet.max_row], columns, strict=True):
        if isinstance(cell.value, str):
            cell.data_type = "s"
        if editable:
            cell.protection = Protection(locked=False)
        else:
            cell.fill = LOCKED_FILL


PHOTOS = "照片"  # the "sheet" a photo's refusal is listed under


def load(data, department, user, on, *, dry_run=False, photos=()):
    """Check an uploaded workbook and, if every row is right and not dry_run, apply it.
    `photos`: site photos checked already (attachments.check_all), each named by its
    project's code, added to the month's reports last (see photo_reports).

    Each filled-in row is read, then written through the same service as the web form
    inside one transaction; the service's refusals (the model's rules) are placed on the
    row's column. Any refusal, or a dry run, rolls the whole workbook back."""
    outcome = Outcome(dry_run=dry_run)
    try:
        sheets = _open(data)
        report_rows = list(_rows(sheets[REPORTS], REPORTS, outcome))
        milestone_rows = list(_rows(sheets[MILESTONES], MILESTONES, outcome))
    except uploads.UploadRefused as refusal:
        outcome.add_error("", 0, "", str(refusal))
        return outcome
    projects = {p.code: p for p in Project.objects.filter(lead_department=department)}
    milestones = {m.pk: m for m in open_milestones(department)}
    period = last_month(on)
    existing = {
        r.project_id: r
        for r in ProgressReport.objects.filter(project__in=projects.values(), period=period)
    }
    with transaction.atomic():
        for number, row in report_rows:
            errors = RowErrors(outcome, REPORTS, number, sheets[REPORTS].title)
            _save_report(errors, row, projects, existing, period, user)
        for number, row in milestone_rows:
            errors = RowErrors(outcome, MILESTONES, number, sheets[MILESTONES].title)
            _save_milestone(errors, row, milestones, user)
        groups = photo_reports(photos, projects, period, outcome)
        if not (outcome.errors or dry_run):
            _keep_photos(groups, user, outcome)
        if outcome.errors or dry_run:
            transaction.set_rollback(True)
    if outcome.errors:
        outcome.reports = outcome.milestones = outcome.photos = 0
    return outcome


def photo_reports(photos, projects, period, outcome):
    """[(report, [photo])]: each photo with the month's report of the project its name
    begins with (a longer code first, so LW-TRA-0011 is not LW-TRA-001). A photo naming no
    project of the department, or one without a report for the month, is an error."""
    codes = sorted(projects, key=len, reverse=True)
    reports = {
        r.project_id: r
        for r in ProgressReport.objects.filter(project__in=projects.values(), period=period)
    }
    groups = {}
    for photo in photos:
        name = photo.name.upper()
        code = next(
            (c for c in codes if name.startswith(c.upper()) and not name[len(c) : len(c) + 1].isalnum()),
            None,
        )
        if code is None:
            outcome.add_error(
                PHOTOS, 0, "", _("“%(name)s”: begin the photo's name with its project's code, "
                "such as %(code)s.") % {"name": photo.name, "code": codes[0] if codes else "LW-TRA-001"},
            )
            continue
        report = reports.get(projects[code].pk)
        if report is None:
            outcome.add_error(
                PHOTOS, 0, "", _("“%(name)s”: %(code)s has no report for %(month)s; fill in its "
                "row to add photos to it.") % {"name": photo.name, "code": code, "month": f"{period:%Y-%m}"},
            )
            continue
        groups.setdefault(report.pk, (report, []))[1].append(photo)
    return list(groups.values())


def _keep_photos(groups, user, outcome):
    """Store the photos on their reports, all or none: after a refusal (a report would
    hold too many) the photos already stored are removed again."""
    kept = []
    try:
        for report, photos in groups:
            kept += services.attach(report=report, files=photos, by=user)
    except ValidationError as error:
        attachments.remove([n for row in kept for n in (row.file.name, row.thumbnail.name)])
        for message in error.messages:
            outcome.add_error(PHOTOS, 0, "", f"{report.project.code}: {message}")
        return
    outcome.photos = len(kept)


def _open(data):
    """The uploaded workbook's two sheets ({REPORTS: sheet, MILESTONES: sheet}), checked
    against the limits (uploads.py); UploadRefused if it cannot be read within them or
    lacks a sheet. A workbook downloaded before the sheets had Chinese names is read by its
    sheets' former names."""
    if not data:
        raise uploads.UploadRefused(_("The file is empty."))
    if len(data) > settings.WORKBOOK_MAX_BYTES:
        raise uploads.UploadRefused(
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.WORKBOOK_MAX_BYTES // 1_000_000}
        )
    book = uploads.open_xlsx(data, max_rows=settings.WORKBOOK_MAX_ROWS)
    sheets = {}
    for name in (REPORTS, MILESTONES):
        for title in (name, PREVIOUS_SHEETS[name]):
            if title in book.sheetnames:
                sheets[name] = book[title]
                break
        else:
            raise uploads.UploadRefused(
                _("The workbook needs the sheets %(a)s and %(b)s.")
                % {"a": REPORTS, "b": MILESTONES}
            )
    return sheets


def _rows(sheet, name, outcome):
    """(row number, {key: cell}) for each filled-in row of a sheet (named `name` in the
    workbook downloaded now), its columns found by their headers: today's, or those of a
    workbook downloaded before; each once, no other."""
    columns = COLUMNS[name]
    rows = uploads.rows(sheet, max_rows=settings.WORKBOOK_MAX_ROWS, width=len(columns))
    _number, header = next(rows, (1, None))
    by_header = {}
    for key, header_text, _editable in columns:
        by_header[cells.normalize(header_text)] = key
        by_header[cells.normalize(PREVIOUS_HEADERS[name][key])] = key
    keys = [by_header.get(cells.normalize(h or "")) for h in header or []]
    if None in keys or sorted(keys) != sorted(key for key, _h, _e in columns):
        outcome.add_error(
            sheet.title,
            1,
            "",
            _("The columns are not the ones downloaded; use the downloaded workbook."),
        )
        return
    for number, values in rows:
        if all(v in (None, "") for v in values):
            continue
        yield number, dict(zip(keys, values, strict=True))


class RowErrors:
    """The errors of one row of a sheet, each placed on its column."""

    def __init__(self, outcome, sheet, number, title=None):
        self.outcome, self.sheet, self.number = outcome, title or sheet, number
        self.columns = dict((key, header) for key, header, _e in COLUMNS[sheet])
        self.count = 0

    def add(self, key, message):
        self.outcome.add_error(self.sheet, self.number, self.columns.get(key, ""), message)
        self.count += 1

    def add_refusal(self, error):
        """A service's ValidationError: each field's messages on its column (a field with no
        column of its own, such as the month, on the row)."""
        for key, messages in error.message_dict.items():
            for message in messages:
                self.add(key, message)


def _text(value):
    return "" if value is None else str(value).strip()


def _save_report(errors, row, projects, existing, period, user):
    code = _text(row.get("code"))
    project = projects.get(code)
    if project is None:
        errors.add(
            "code",
            _("No project %(code)s of your department.")
            % {"code": uploads.shorten(code) if code else "–"},
        )
        return
    if _text(row.get("name")) != exports.clean_text(project.name).strip():
        errors.add("name", _("This column is locked; it was changed."))
    if _text(row.get("period")) != period.strftime("%Y-%m"):
        errors.add("period", _("This column is locked; it was changed."))
    report = existing.get(project.pk)
    if _integer(row.get("version")) != (report.version if report else 0):
        errors.add(
            "version",
            _("This column is locked; it was changed, or the report was saved since the download."),
        )
    fields = {
        "health": _text(row.get("health")),
        "narrative": _text(row.get("narrative")),
        "problems": _text(row.get("problems")),
        "next_steps": _text(row.get("next_steps")),
    }
    if not report and not any(
        (fields["health"], _text(row.get("percent_complete")), fields["narrative"])
    ):
        return  # nothing filled in for this project
    fields["health"] = _health(errors, fields["health"])
    for key, read in [
        ("percent_complete", cells.whole_number),
        ("investment_completed_month", cells.amount),
        ("investment_completed_ytd", cells.amount),
    ]:
        try:
            fields[key] = read(row.get(key))
        except cells.NotReadable as error:
            errors.add(key, str(error))
    if errors.count:
        return
    if report and all(getattr(report, k) == v for k, v in fields.items()):
        return  # unchanged
    try:
        services.report_submit(
            project=project,
            author=user,
            period=period,
            version=report.version if report else None,
            **fields,
        )
    except ValidationError as error:
        errors.add_refusal(error)
    except services.Conflict:
        errors.add("version", _("Someone else saved this report first; download it again."))
    else:
        errors.outcome.reports += 1


def _save_milestone(errors, row, milestones, user):
    milestone = milestones.get(_integer(row.get("id")))
    if milestone is None:
        errors.add("id", _("No open milestone with this id for your department."))
        return
    if (
        _text(row.get("code")) != milestone.project.code
        or _text(row.get("title")) != exports.clean_text(milestone.title).strip()
    ):
        errors.add("title", _("This column is locked; it was changed."))
    if _locked_date(row.get("planned_date")) != milestone.planned_date:
        errors.add(
            "planned_date", _("The planned date is locked; only an administrator changes it.")
        )
    if _integer(row.get("version")) != milestone.version:
        errors.add(
            "version",
            _(
                "This column is locked; it was changed, or the milestone was saved since the download."
            ),
        )
    dates = {}
    for key in ("actual_date", "forecast_date"):
        try:
            dates[key] = cells.date(row.get(key))
        except cells.NotReadable as error:
            errors.add(key, str(error))
    reason = _text(row.get("forecast_reason"))
    if errors.count:
        return
    actual, forecast = dates["actual_date"], dates["forecast_date"]
    try:
        if actual:
            services.milestone_complete(
                milestone=milestone, by=user, on=actual, version=milestone.version
            )
        elif forecast and (
            forecast != milestone.forecast_date or reason != milestone.forecast_reason
        ):
            services.milestone_reforecast(
                milestone=milestone,
                by=user,
                forecast_date=forecast,
                reason=reason,
                version=milestone.version,
            )
        else:
            return  # nothing to change
    except ValidationError as error:
        errors.add_refusal(error)
    except services.Conflict:
        errors.add("version", _("Someone else saved this milestone first; download it again."))
    else:
        errors.outcome.milestones += 1


def _integer(value):
    """None when empty, False when not a whole number."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return False


def _health(errors, text):
    """A health code from its word (正常, 有风险, 严重滞后) or its code (green, amber, red);
    empty stays empty, for the model to ask for it."""
    words = {word: code for code, word in HEALTH_WORDS.items()}
    code = words.get(cells.normalize(text), cells.normalize(text).lower())
    if code and code not in HEALTH_WORDS:
        errors.add(
            "health",
            _("“%(value)s” is not a health: write 正常, 有风险 or 严重滞后")
            % {"value": uploads.shorten(text, 20)},
        )
    return code


def _locked_date(value):
    try:
        return cells.date(value)
    except cells.NotReadable:
        return None
