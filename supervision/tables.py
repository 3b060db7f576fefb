"""The order and problem lists: columns, sorting, paging and export values (rows are
written out in templates/supervision/_order_table.html and _problem_table.html)."""

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from projects.clock import today
from projects.models import CoordinationProblem
from projects.tables import CardTable

from .models import SupervisionOrder


class OrderTable(CardTable):
    number = tables.Column(verbose_name=_("number"), accessor="pk", order_by="pk")
    project = tables.Column(verbose_name=_("project"), order_by="project__code")
    milestone = tables.Column(verbose_name=_("milestone"), order_by="milestone__title")
    department = tables.Column(verbose_name=_("addressed to"), order_by="department__name")
    level = tables.Column(verbose_name=_("level"))
    request = tables.Column(verbose_name=_("what is asked"), orderable=False)
    issued_at = tables.Column(verbose_name=_("issued"))
    reply_due = tables.Column(verbose_name=_("reply due"))
    state = tables.Column(verbose_name=_("state"))
    days_overdue = tables.Column(
        verbose_name=_("days reply overdue"), empty_values=(), orderable=False
    )
    urge_count = tables.Column(verbose_name=_("times urged"))

    class Meta:
        model = SupervisionOrder
        fields = []
        template_name = "supervision/_order_table.html"
        attrs = {"class": "data"}
        empty_text = _("No supervision order matches these filters.")
        default = ""
        order_by = "-number"

    @cached_property
    def on(self):
        return today()

    def value_number(self, record):
        return record.number

    def value_project(self, value):
        return str(value)

    def value_milestone(self, value):
        return value.title if value else ""

    def value_department(self, value):
        return str(value)

    def value_level(self, record):
        return str(record.get_level_display())

    def value_state(self, record):
        return str(record.get_state_display())

    def value_issued_at(self, value):
        return value.date()

    def value_days_overdue(self, record):
        return record.days_reply_overdue(on=self.on)


class ProblemTable(CardTable):
    project = tables.Column(
        verbose_name=_("project"), accessor="report__project", order_by="report__project__code"
    )
    period = tables.Column(
        verbose_name=_("reporting month"), accessor="report__period", order_by="report__period"
    )
    description = tables.Column(verbose_name=_("problem"), orderable=False)
    help_department = tables.Column(
        verbose_name=_("help needed from"), order_by="help_department__name"
    )
    urgency = tables.Column(verbose_name=_("urgency"))
    status = tables.Column(verbose_name=_("status"))
    raised_at = tables.Column(verbose_name=_("raised"))
    resolution = tables.Column(verbose_name=_("how it was resolved"), orderable=False)

    class Meta:
        model = CoordinationProblem
        fields = []
        template_name = "supervision/_problem_table.html"
        attrs = {"class": "data"}
        empty_text = _("No coordination problem matches these filters.")
        default = ""
        order_by = "-raised_at"

    def value_project(self, value):
        return str(value)

    def value_period(self, value):
        return f"{value:%Y-%m}"

    def value_help_department(self, value):
        return str(value) if value else ""

    def value_urgency(self, record):
        return str(record.get_urgency_display())

    def value_status(self, record):
        return str(record.get_status_display())

    def value_raised_at(self, value):
        return value.date()
