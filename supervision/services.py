"""The steps of a supervision order. Each validates through the models' rules
(projects.services.validate), checks the version the page was loaded from (a newer step by
someone else is a Conflict) and records the step with who and when."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import attachments
from projects import services as project_services
from projects.models import CoordinationProblem
from projects.services import claim_version, validate

from .models import OrderStep, ReplyAttachment, SupervisionOrder

State = SupervisionOrder.State


def _step(order, kind, by, text="", **fields):
    step = OrderStep(order=order, kind=kind, by=by, text=text, **fields)
    validate(step)
    step.save()
    return step


def _refuse_if_closed(order):
    if order.state == State.CLOSED:
        raise ValidationError(_("This order is closed."))


@transaction.atomic
def order_issue(
    *,
    by,
    project,
    department,
    request,
    level,
    reply_due,
    milestone=None,
    problem=None,
    copied_to=(),
):
    """A manager issues an order to one department about a project, one of its milestones
    or a coordination problem (which is then under supervision)."""
    order = SupervisionOrder(
        project=project,
        milestone=milestone,
        problem=problem,
        department=department,
        request=request,
        level=level,
        reply_due=reply_due,
        issued_by=by,
    )
    validate(order)
    order.save()
    copied = [d for d in copied_to if d.pk != department.pk]
    order.copied_to.set(copied)
    _step(order, OrderStep.Kind.ISSUED, by, request, reply_due=reply_due)
    if problem is not None and problem.status == CoordinationProblem.Status.NEW:
        problem.status = CoordinationProblem.Status.SUPERVISED
        problem._history_user = by
        problem.save(update_fields=["status"])
    return order


@transaction.atomic
def order_reply(*, order, by, text, version, forecast_date=None, files=()):
    """The addressed department answers: what it has done and, optionally, a new forecast
    for the order's milestone, which goes through the milestone's own rules, and files
    (photos, documents) checked already by projects.attachments.check_all."""
    _refuse_if_closed(order)
    if not text.strip():
        raise ValidationError({"text": _("Say what the department has done.")})
    if forecast_date is not None:
        if order.milestone_id is None:
            raise ValidationError({"forecast_date": _("This order is not about a milestone.")})
        milestone = order.milestone
        project_services.milestone_reforecast(
            milestone=milestone,
            by=by,
            forecast_date=forecast_date,
            reason=text,
            version=milestone.version,
        )
    claim_version(order, version)
    answered = order.reply_due
    order.state = State.REPLIED
    order.replied_at = timezone.now()
    order.save(update_fields=["state", "replied_at", "version"])
    step = _step(
        order, OrderStep.Kind.REPLIED, by, text, reply_due=answered, forecast_date=forecast_date
    )
    try:
        attachments.keep([ReplyAttachment(step=step) for _checked in files], files, by=by)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    return order


@transaction.atomic
def order_urge(*, order, by, reply_due, text, version):
    """A manager urges again (催办): a new reply deadline; the order awaits a reply again."""
    _refuse_if_closed(order)
    order.reply_due = reply_due
    order.state = State.OPEN
    order.urge_count += 1
    validate(order)
    claim_version(order, version)
    order.save(update_fields=["reply_due", "state", "urge_count", "version"])
    _step(order, OrderStep.Kind.URGED, by, text, reply_due=reply_due)
    return order


@transaction.atomic
def order_close(*, order, by, text, version):
    """A manager closes the order (办结); a coordination problem it was made from is
    resolved with the same words."""
    _refuse_if_closed(order)
    if not text.strip():
        raise ValidationError({"text": _("Say why the order is closed.")})
    order.state = State.CLOSED
    order.closed_at = timezone.now()
    validate(order)
    claim_version(order, version)
    order.save(update_fields=["state", "closed_at", "version"])
    _step(order, OrderStep.Kind.CLOSED, by, text)
    problem = order.problem
    if problem is not None and problem.status != CoordinationProblem.Status.RESOLVED:
        project_services.problem_resolve(problem=problem, by=by, resolution=text)
    return order
