"""Supervision (督办): the planning office's orders that make overdue work move. An order
is addressed to one department (others may be copied) about a project, one of its
milestones, or a coordination problem raised in a report; the department replies by a
deadline, the office urges (催办) or closes it (办结). Every step is kept with who and when.

The app builds on projects (never the other way round: tests/test_architecture.py)."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from projects.clock import today
from projects.models import (
    EARLIEST_DAY,
    LATEST_DAY,
    CoordinationProblem,
    Department,
    Milestone,
    Project,
    StoredFile,
)
from projects.validators import CleanTextModel

DEADLINE_AHEAD = _("A reply deadline is a date still to come.")


class OrderQuerySet(models.QuerySet):
    def awaiting_reply(self):
        return self.filter(state=SupervisionOrder.State.OPEN)

    def reply_overdue(self, on=None):
        """Awaiting a reply after its deadline (the day given, default today)."""
        return self.awaiting_reply().filter(reply_due__lt=on or today())

    def awaiting_close(self):
        return self.filter(state=SupervisionOrder.State.REPLIED)

    def addressed_to(self, department):
        return self.filter(department=department)

    def for_lists(self):
        return self.select_related("project", "milestone", "department", "issued_by")


class SupervisionOrder(CleanTextModel, models.Model):
    """A supervision order (督办单)."""

    class Level(models.TextChoices):
        ROUTINE = "routine", _("routine")
        KEY = "key", _("key")
        LEADER = "leader", _("district leader's instruction")

    class State(models.TextChoices):
        OPEN = "open", _("awaiting reply")
        REPLIED = "replied", _("awaiting close-out")
        CLOSED = "closed", _("closed")

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    problem = models.ForeignKey(
        CoordinationProblem,
        verbose_name=_("coordination problem"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="supervision_orders",
        error_messages={"null": _("Choose the department the order is addressed to.")},
    )
    copied_to = models.ManyToManyField(
        Department, verbose_name=_("copied to"), blank=True, related_name="copied_orders"
    )
    request = models.TextField(
        _("what is asked"), error_messages={"blank": _("Say what the department must do.")}
    )
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, default=Level.ROUTINE
    )
    reply_due = models.DateField(
        _("reply due"), error_messages={"null": _("Give the date a reply is due.")}
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    urge_count = models.PositiveSmallIntegerField(_("times urged"), default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    replied_at = models.DateTimeField(_("last reply"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Counts saves; refuses lost updates.")
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(request=""),
                name="order_request_not_empty",
                violation_error_message=_("Say what the department must do."),
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False),
                name="order_closed_has_time",
                violation_error_message=_("A closed order has its closing time."),
            ),
        ]
        indexes = [
            # To-do and lists: orders awaiting a reply by deadline, per department.
            models.Index(fields=["state", "reply_due"], name="order_state_due_idx"),
            models.Index(fields=["department", "state"], name="order_department_state_idx"),
        ]

    def __str__(self):
        return _("Supervision order %(number)s") % {"number": self.number}

    @property
    def number(self):
        """As the office writes it: 督办〔2026〕12号 reads "2026-12"."""
        return f"{self.issued_at:%Y}-{self.pk}"

    def get_absolute_url(self):
        return reverse("supervision:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_due = dict(zip(field_names, values, strict=True)).get("reply_due")
        return instance

    def clean(self):
        errors = {}
        if self.milestone_id and self.project_id and self.milestone.project_id != self.project_id:
            errors["milestone"] = _("The milestone must be one of the project's.")
        if (
            self.problem_id
            and self.project_id
            and self.problem.report.project_id != self.project_id
        ):
            errors["problem"] = _("The problem must be one raised for the project.")
        if self.reply_due:
            if not EARLIEST_DAY <= self.reply_due <= LATEST_DAY:
                errors["reply_due"] = _("Enter a date from %(first)s to %(last)s.") % {
                    "first": EARLIEST_DAY.isoformat(),
                    "last": LATEST_DAY.isoformat(),
                }
            elif self.reply_due != getattr(self, "_loaded_due", None) and self.reply_due < today():
                # A new deadline must lie ahead; one already passed stays as it was.
                errors["reply_due"] = DEADLINE_AHEAD
        if errors:
            raise ValidationError(errors)

    def days_reply_overdue(self, on=None):
        """Days past the reply deadline while awaiting a reply; 0 otherwise."""
        on = on or today()
        if self.state != self.State.OPEN or self.reply_due >= on:
            return 0
        return (on - self.reply_due).days

    @property
    def is_reply_overdue(self):
        return self.days_reply_overdue() > 0


class OrderStep(CleanTextModel, models.Model):
    """One step of an order, kept with who and when: issued, replied, urged, closed."""

    class Kind(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("order step", "issued")
        REPLIED = "replied", pgettext_lazy("order step", "replied")
        URGED = "urged", pgettext_lazy("order step", "urged")
        CLOSED = "closed", pgettext_lazy("order step", "closed")

    order = models.ForeignKey(
        SupervisionOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    text = models.TextField(_("text"), blank=True)
    # The deadline in force after the step (issued, urged) or answered by it (replied).
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    forecast_date = models.DateField(_("new forecast date"), null=True, blank=True)

    class Meta:
        verbose_name = _("order step")
        verbose_name_plural = _("order steps")
        ordering = ["at", "pk"]
        indexes = [
            # The monthly bulletin: replies of a month.
            models.Index(fields=["kind", "at"], name="order_step_kind_at_idx"),
        ]

    def __str__(self):
        return f"{self.order} {self.get_kind_display()}"

    @property
    def on_time(self):
        """A reply made by the deadline it answered (in the district's time zone)."""
        if self.kind != self.Kind.REPLIED or self.reply_due is None:
            return None
        return timezone.localdate(self.at) <= self.reply_due


class ReplyAttachment(StoredFile):
    """A photo or document sent with a department's reply to an order (the same checks as
    every attached file: projects/attachments.py). Readable by whoever may read the order's
    page."""

    OWNERS = ("step",)

    step = models.ForeignKey(
        OrderStep, verbose_name=_("reply"), on_delete=models.CASCADE, related_name="attachments"
    )

    history = HistoricalRecords(verbose_name=_("historical reply attachment"))

    class Meta(StoredFile.Meta):
        verbose_name = _("reply attachment")
        verbose_name_plural = _("reply attachments")

    @property
    def order(self):
        return self.step.order


def _connect_file_removal():
    from django.db.models.signals import post_delete

    from projects.attachments import remove_after_delete

    post_delete.connect(
        remove_after_delete, sender=ReplyAttachment, dispatch_uid="reply_attachment_files"
    )


_connect_file_removal()
