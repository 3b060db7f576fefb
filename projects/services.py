"""Writes that department editors and managers make: monthly reports, reviews, milestone
updates, carry-overs into a later plan (indicator values: indicators.services). Every path that makes these writes (the web
forms, the department workbook, scripts) calls these functions, and each validates through
validate(): the model's own rules, which the admin and its imports go through too. Each
checks the version the form was loaded from, so a save over a newer version is refused
(Conflict) and the other person's change stays."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from . import attachments
from .clock import today
from .history import shown_changes
from .models import (
    ALREADY_CARRIED,
    Attachment,
    Approval,
    ApprovalRequirement,
    Carryover,
    CoordinationProblem,
    ProgressReport,
    Project,
    ProjectChapter,
)


class Conflict(Exception):
    """Someone saved a newer version first. `changes`: (field label, then, now)."""

    def __init__(self, current, changes):
        super().__init__(_("Someone else saved this first."))
        self.current = current
        self.changes = changes


def changes_since(current, version):
    """What changed on `current` since it was at `version`: its history record of then
    against its newest (every save writes one), shown as the project's history shows it."""
    if not hasattr(type(current), "history"):
        return []  # a model that keeps its own steps (a supervision order)
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


def validate(instance, **options):
    """The one check of a write: the model's field rules, clean() and constraints, as on
    every other path (forms, the department workbook, the admin and its imports). Raises
    ValidationError with the model's messages, keyed by field, for the caller to place."""
    for field in instance._meta.concrete_fields:
        if field.get_internal_type() in ("CharField", "TextField"):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, value.strip())
    instance.full_clean(**options)


@transaction.atomic
def report_submit(
    *, project, author, period, version=None, new_problems=(), photos=(), **fields
):
    """The month's report for a project: a new one, or the month's existing one edited
    (its history keeps the earlier text). A returned report goes back for review.
    `new_problems`: coordination problems it raises ({description, help_department,
    urgency} each; see problems_raise), saved with it or not at all. `photos`: the month's
    site photos, checked already (attachments.check_all), added to those it has."""
    report = _report_save(project=project, author=author, period=period, version=version, **fields)
    problems_raise(report=report, by=author, problems=new_problems)
    attach(report=report, files=photos, by=author)
    return report


@transaction.atomic
def attach(*, files, by, report=None, milestone=None, approval=None):
    """Keep checked files (attachments.Checked) on a report, a milestone or an approval; all
    or none, and no file left in storage when one is refused (attachments.keep)."""
    rows = [
        Attachment(report=report, milestone=milestone, approval=approval) for _checked in files
    ]
    try:
        return attachments.keep(rows, files, by=by)
    except ValidationError as error:
        raise ValidationError({"photos" if report else "files": error.messages}) from None


def problems_raise(*, report, by, problems):
    """Save a report's new coordination problems. A refusal names the row and field as
    the report form's problem rows do: "problems-<index>-<field>"."""
    errors = {}
    for index, fields in enumerate(problems):
        problem = CoordinationProblem(report=report, raised_by=by, **fields)
        problem._history_user = by
        try:
            validate(problem)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors[f"problems-{index}-{name}"] = messages
            continue
        problem.save()
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def problem_resolve(*, problem, by, resolution):
    """A manager records how a coordination problem was resolved (closing the supervision
    order made from it does this too)."""
    if problem.status == CoordinationProblem.Status.RESOLVED:
        raise ValidationError(_("This problem is already resolved."))
    problem.status = CoordinationProblem.Status.RESOLVED
    problem.resolution = resolution
    problem.resolved_by, problem.resolved_at = by, timezone.now()
    validate(problem)
    problem._history_user = by
    problem.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    return problem


def _report_save(*, project, author, period, version, **fields):
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
        validate(report)
        claim_version(report, version)
        report.save()
        return report
    validate(report, validate_constraints=False)  # the month's slot is claimed by the insert
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # another report for the month arrived in between
        current = ProgressReport.objects.get(project=project, period=period)
        raise Conflict(current, []) from None
    return report


REVIEW_FIELDS = ["status", "review_comment", "reviewed_by", "reviewed_at"]


def refuse_unless_submitted(report):
    """Only a report awaiting review is reviewed: an accepted or returned one stays as the
    reviewer left it (a returned one comes back for review when the department fixes it)."""
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ValidationError(not_awaiting_review(report))


def not_awaiting_review(report):
    return _("This report is no longer awaiting review: it is %(status)s.") % {
        "status": report.get_status_display()
    }


@transaction.atomic
def report_review(*, report, reviewer, accept, comment, version):
    """A manager accepts a report awaiting review or returns it with a comment for the
    department."""
    refuse_unless_submitted(report)
    report.status = ProgressReport.Status.ACCEPTED if accept else ProgressReport.Status.RETURNED
    report.review_comment = comment
    report.reviewed_by, report.reviewed_at = reviewer, timezone.now()
    validate(report)
    claim_version(report, version)
    report._history_user = reviewer
    report.save(update_fields=[*REVIEW_FIELDS, "version"])
    return report


@transaction.atomic
def reports_accept(*, reports_with_versions, reviewer):
    """Accept many reports at once (the review queue): each as report_review() accepts one,
    in its own savepoint, checked against the version its page was loaded with. A report
    changed since then (Conflict) or no longer awaiting review stays as it is; the others
    are accepted. Returns (accepted, refused): the reports accepted, and (report, reason)
    for each refused one, the report as saved now."""
    accepted, refused = [], []
    for report, version in reports_with_versions:
        try:
            with transaction.atomic():
                report_review(
                    report=report, reviewer=reviewer, accept=True, comment="", version=version
                )
        except Conflict as error:
            current = error.current
            current.project = report.project  # in hand already
            if current.status == ProgressReport.Status.SUBMITTED:
                reason = _("it was changed after the page was loaded; check it again")
            else:
                reason = not_awaiting_review(current)
            refused.append((current, reason))
        except ValidationError as error:
            # report_review may have set these before the model refused them
            report.refresh_from_db(fields=REVIEW_FIELDS)
            refused.append((report, " ".join(error.messages)))
        else:
            accepted.append(report)
    return accepted, refused


def refuse_if_done(milestone):
    """A milestone done is the record of what happened: a department no longer changes it
    (an administrator may, in the admin, giving a reason that the history keeps)."""
    if milestone.was_done:
        raise ValidationError(
            {"actual_date": _("This milestone is done; only an administrator can change it.")}
        )


@transaction.atomic
def milestone_complete(*, milestone, by, on, version):
    """Mark a milestone done on a day (not in the future)."""
    refuse_if_done(milestone)
    milestone.actual_date = on
    validate(milestone)
    claim_version(milestone, version)
    milestone._history_user = by
    milestone.save(update_fields=["actual_date", "version"])
    return milestone


@transaction.atomic
def milestone_reforecast(*, milestone, by, forecast_date, reason, version):
    """A new expected date with its reason. The planned (baseline) date never changes here:
    only an administrator re-baselines, in the admin, and the history shows it."""
    refuse_if_done(milestone)
    milestone.forecast_date = forecast_date
    milestone.forecast_reason = reason
    validate(milestone)
    claim_version(milestone, version)
    milestone._history_user = by
    milestone.save(update_fields=["forecast_date", "forecast_reason", "version"])
    return milestone


# --- carry-over (结转) into a later plan ---------------------------------------------------


@transaction.atomic
def carry_over(*, project, to_plan, chapters, reason, by, on=None):
    """Carry an unfinished project of an ended plan over into a later plan: the carry-over
    (day, reason, who) and the project's links to the chosen chapters of that plan, each in
    its history. Its links to the earlier plan's chapters stay; those it already has to the
    later plan stay too. The plan it comes from is the latest before `to_plan` that it
    serves (Carryover.earlier_plan). The rules are the model's (Carryover.clean and
    check_chapters); a refusal saves nothing."""
    chapters = list(chapters)
    carryover = Carryover(
        project=project,
        from_plan=Carryover.earlier_plan(project, to_plan),
        to_plan=to_plan,
        carried_on=on or today(),
        reason=reason,
        carried_by=by,
    )
    errors = {}
    for check in (validate, lambda c: c.check_chapters(chapters)):
        try:
            check(carryover)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    carryover._history_user = by
    try:
        with transaction.atomic():
            carryover.save()
    except IntegrityError:  # carried over into the plan by someone else in between
        raise ValidationError({"to_plan": ALREADY_CARRIED}) from None
    linked = set(
        ProjectChapter.objects.filter(project=project, chapter__in=chapters).values_list(
            "chapter_id", flat=True
        )
    )
    for chapter in chapters:
        if chapter.pk in linked:
            continue
        link = ProjectChapter(project=project, chapter=chapter)
        link._history_user = by
        link.save()  # new, of a chapter that exists: nothing more to check
        linked.add(chapter.pk)
    return carryover


@transaction.atomic
def carry_over_many(*, projects, to_plan, chapters, reason, by, on=None):
    """Carry many projects over at once (ticked in the portfolio), into one plan, serving
    the same chapters there, for one reason. What they share (the chapters, the reason) is
    checked first: refused, nothing is saved. Then each project as carry_over() carries
    one, in its own savepoint: one refused (finished, already carried over, serving no
    earlier plan) stays as it is, with the reason, and the others are carried over.
    Returns (carried, refused): the carry-overs saved, and (project, reason) for each
    project refused."""
    chapters = list(chapters)
    on = on or today()
    shared = Carryover(to_plan=to_plan, reason=reason.strip(), carried_on=on)
    errors = {}
    try:
        shared.clean_fields(exclude={"project", "from_plan", "carried_by"})
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        shared.check_chapters(chapters)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    carried, refused = [], []
    for project in projects:
        try:
            with transaction.atomic():
                carried.append(
                    carry_over(
                        project=project,
                        to_plan=to_plan,
                        chapters=chapters,
                        reason=reason,
                        by=by,
                        on=on,
                    )
                )
        except ValidationError as error:
            refused.append((project, " ".join(error.messages)))
    return carried, refused


# --- pre-construction approvals (前期手续) ------------------------------------------------


@transaction.atomic
def approvals_fill(*, projects=None, by=None, is_sample=False):
    """Give each project (default every project) the lines of its category's checklist
    (ApprovalRequirement) that it lacks, as "not yet applied for". Idempotent: a line a
    project has is left as it is, and so is one its category no longer lists (its record
    stays). The one home of checklists: the admin (a project saved, a checklist edited),
    the spreadsheet import, the fill_approvals command and the demo loader call it.
    Returns the number of lines made."""
    projects = Project.objects.all() if projects is None else projects
    wanted = {}
    for category, kind_id in ApprovalRequirement.objects.values_list("category", "kind_id"):
        wanted.setdefault(category, []).append(kind_id)
    pairs = projects.values_list("pk", "category")
    have = set(
        Approval.objects.filter(project__in=projects.values("pk")).values_list(
            "project_id", "kind_id"
        )
    )
    new = [
        Approval(project_id=pk, kind_id=kind_id, is_sample=is_sample)
        for pk, category in pairs
        for kind_id in wanted.get(category, ())
        if (pk, kind_id) not in have
    ]
    for approval in new:
        approval._history_user = by
    # bulk_create_with_history: each new line has its "created" history record.
    bulk_create_with_history(new, Approval, batch_size=500, default_user=by)
    return len(new)


@transaction.atomic
def approval_update(*, approval, by, state, number, issued_on, note="", version, files=()):
    """A department's editor records where an approval stands and may add its document
    (`files`, checked already by attachments.check_all): all saved, or nothing. The rules are
    the model's (Approval.clean and its constraints); a save over a newer version is refused
    (Conflict). Files added to an approval left as it stands do not move its version on (a
    stale page cannot overwrite anything) nor write an empty history record."""
    fields = {"state": state, "number": number, "issued_on": issued_on, "note": note}
    before = {name: getattr(approval, name) for name in fields}
    for name, value in fields.items():
        setattr(approval, name, value)
    validate(approval)
    changed = any(getattr(approval, name) != value for name, value in before.items())
    if changed or not files:
        claim_version(approval, version)
        approval._history_user = by
        approval.save(update_fields=[*fields, "version"])
    attach(approval=approval, files=files, by=by)
    return approval
