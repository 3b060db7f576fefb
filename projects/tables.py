import django_tables2 as tables
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .clock import today
from .models import Milestone, ProgressReport, Project

HEALTH_LABELS = dict(ProgressReport.Health.choices)


def health_badge(value):
    if not value:
        return "–"
    return format_html('<span class="health health-{}">{}</span>', value, HEALTH_LABELS[value])


def nulls_last(field):
    """An order_FOO method for django-tables2 that puts empty values last either way
    (PostgreSQL puts NULL first when sorting down, SQLite last)."""

    def order(self, queryset, is_descending):
        expression = (
            F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)
        )
        return queryset.order_by(expression, "code"), True

    return order


def money(value):
    return "–" if value is None else f"{value:,.2f}"


class ProjectTable(tables.Table):
    """The portfolio: rows come from Project.objects.for_portfolio()."""

    code = tables.Column(verbose_name=_("code"), linkify=True, attrs={"td": {"class": "nowrap"}})
    name = tables.Column(verbose_name=_("name"), linkify=True, attrs={"td": {"class": "wide-cell"}})
    lead_department = tables.Column(
        verbose_name=_("lead department"), attrs={"td": {"class": "mid-cell"}}
    )
    category = tables.Column(verbose_name=_("category"))
    area = tables.Column(verbose_name=_("area"))
    stage = tables.Column(verbose_name=_("stage"))
    latest_health = tables.Column(verbose_name=_("reported health"))
    schedule_health = tables.Column(verbose_name=_("schedule health"))
    latest_percent_complete = tables.Column(verbose_name=_("percent complete"))
    overdue_count = tables.Column(verbose_name=_("overdue milestones"))
    next_milestone_date = tables.Column(verbose_name=_("next milestone"))
    # On screen one column shows done / plan (rate); exports get the three figures.
    investment = tables.Column(
        verbose_name=_("investment this year"),
        accessor="investment_planned",
        exclude_from_export=True,
        orderable=False,
    )
    investment_planned = tables.Column(verbose_name=_("investment plan this year"), visible=False)
    investment_completed = tables.Column(verbose_name=_("investment done this year"), visible=False)
    investment_rate = tables.Column(
        verbose_name=_("investment rate this year"), empty_values=(), orderable=False, visible=False
    )
    latest_report_period = tables.Column(verbose_name=_("last report"))

    class Meta:
        model = Project
        fields = []
        template_name = "django_tables2/table.html"
        attrs = {"class": "data"}
        empty_text = _("No project matches these filters.")
        default = "–"
        order_by = "code"

    order_latest_percent_complete = nulls_last("latest_percent_complete")
    order_next_milestone_date = nulls_last("next_milestone_date")
    order_investment_planned = nulls_last("investment_planned")
    order_investment_completed = nulls_last("investment_completed")
    order_latest_report_period = nulls_last("latest_report_period")
    order_latest_health = nulls_last("latest_health")

    def render_latest_health(self, value, record):
        badge = health_badge(value)
        if record.health_mismatch:
            return format_html('{} <span class="flag">{}</span>', badge, _("mismatch"))
        return badge

    def value_latest_health(self, value):
        return HEALTH_LABELS.get(value, "")

    def render_schedule_health(self, value):
        return health_badge(value)

    def value_schedule_health(self, value):
        return HEALTH_LABELS.get(value, "")

    def render_latest_percent_complete(self, value):
        return f"{value} %"

    def value_latest_percent_complete(self, value):
        return value

    def render_overdue_count(self, value, record):
        if not value:
            return "0"
        url = reverse("projects:detail", args=[record.code]) + "#milestones"
        return format_html('<a class="overdue" href="{}">{}</a>', url, value)

    def value_overdue_count(self, value):
        return value

    def render_next_milestone_date(self, value, record):
        return format_html("{}<br><small>{}</small>", record.next_milestone_title, value)

    def value_next_milestone_date(self, value, record):
        return f"{value} {record.next_milestone_title}"

    def render_investment_planned(self, value):
        return money(value)

    def render_investment_completed(self, value):
        return money(value)

    def value_investment_planned(self, value):
        return float(value)

    def value_investment_completed(self, value):
        return float(value)

    def render_investment(self, record):
        return format_html(
            "{} / {}<br><small>{}</small>",
            money(record.investment_completed),
            money(record.investment_planned),
            self.render_investment_rate(record),
        )

    def render_investment_rate(self, record):
        if not record.investment_planned:
            return "–"
        return f"{record.investment_completed / record.investment_planned * 100:.0f} %"

    def value_investment_rate(self, record):
        if not record.investment_planned:
            return ""
        return round(float(record.investment_completed / record.investment_planned * 100), 1)

    def render_latest_report_period(self, value):
        return f"{value:%Y-%m}"


class MilestoneTable(tables.Table):
    """Overdue and upcoming milestones across the portfolio."""

    project = tables.Column(
        verbose_name=_("project"),
        linkify=lambda record: record.project.get_absolute_url(),
        attrs={"td": {"class": "wide-cell"}},
    )
    title = tables.Column(verbose_name=_("milestone"))
    responsible_department = tables.Column(verbose_name=_("responsible department"))
    planned_date = tables.Column(verbose_name=_("planned date"))
    forecast_date = tables.Column(verbose_name=_("forecast date"))
    # More days overdue is an earlier planned date.
    days_overdue = tables.Column(
        verbose_name=_("days overdue"), empty_values=(), order_by="-planned_date"
    )

    class Meta:
        model = Milestone
        fields = []
        template_name = "django_tables2/table.html"
        attrs = {"class": "data"}
        empty_text = _("No milestone matches these filters.")
        default = "–"
        order_by = "-days_overdue"

    def render_project(self, value):
        return f"{value.code} {value.name}"

    def render_days_overdue(self, record):
        return record.days_overdue(on=today())

    def value_days_overdue(self, record):
        return record.days_overdue(on=today())


class UpcomingTable(MilestoneTable):
    days_overdue = None
    days_left = tables.Column(verbose_name=_("days left"), empty_values=(), order_by="planned_date")

    class Meta(MilestoneTable.Meta):
        order_by = "days_left"

    def render_days_left(self, record):
        return (record.planned_date - today()).days

    def value_days_left(self, record):
        return (record.planned_date - today()).days
