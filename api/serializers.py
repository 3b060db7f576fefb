"""What the API sends and takes. Read serializers show rows as the pages do; the write
serializers only read what was sent (a month, a number, a date), as the web forms do: the
rules are the model's, applied by the same services (projects.services)."""

import math

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from indicators.models import Indicator, IndicatorValue
from indicators.progress import Status
from indicators.summary import is_provisional
from projects.clock import today
from projects.models import (
    INVESTMENT_SOURCES,
    Department,
    Milestone,
    Plan,
    PlanChapter,
    ProgressReport,
    Project,
)
from supervision.models import OrderStep, SupervisionOrder

HEALTH = ProgressReport.Health.choices
LARGEST = 2**31 - 1  # a version or a number the database's integer column holds


class Described:
    """Every field carries a description in the request's language: its help text, else
    its model field's verbose name, else its label (all translated lazily)."""

    @cached_property
    def fields(self):
        fields = super().fields
        model = getattr(getattr(self, "Meta", None), "model", None)
        for field in fields.values():
            if field.help_text:
                continue
            name = None
            if model is not None and field.source and "." not in field.source:
                try:
                    name = getattr(model._meta.get_field(field.source), "verbose_name", None)
                except FieldDoesNotExist:
                    pass
            field.help_text = name or field.label
        return fields


class DescribedSerializer(Described, serializers.Serializer):
    pass


class DescribedModelSerializer(Described, serializers.ModelSerializer):
    pass


def code_of(label, **kwargs):
    """A related project by its code (the field's name is the relation's)."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True, label=label, **kwargs)


def slug_of(label, **kwargs):
    """A related department by its slug (the field's name is the relation's)."""
    return serializers.SlugRelatedField(slug_field="slug", read_only=True, label=label, **kwargs)


def finite(number):
    """A float the JSON can carry: None for an infinite or undefined one."""
    if number is None or not math.isfinite(number):
        return None
    return number


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-05"})
class MonthField(serializers.DateField):
    """A month, shown as 2026-05."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


# --- plans, chapters, departments ---------------------------------------------------------


class PlanSerializer(DescribedModelSerializer):
    state = serializers.SerializerMethodField(label=_("state"))

    class Meta:
        model = Plan
        fields = [
            "number",
            "name",
            "short_name",
            "start_year",
            "end_year",
            "document_number",
            "issued_on",
            "state",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Plan.State.choices))
    def get_state(self, plan):
        return plan.state(today())


@extend_schema_serializer(component_name="PlanChapter")
class ChapterSerializer(DescribedModelSerializer):
    key = serializers.CharField(
        read_only=True, label=_("key"), help_text=_("Unique across plans, as in 14-3.1.")
    )
    plan = serializers.IntegerField(source="plan.number", read_only=True, label=_("plan number"))
    parent = serializers.SerializerMethodField(
        label=_("parent"), help_text=_("The key of the chapter this section belongs to.")
    )

    class Meta:
        model = PlanChapter
        fields = [
            "id",
            "key",
            "plan",
            "code",
            "title",
            "parent",
            "order",
            "title_is_official",
            "calls_for_works",
        ]
        extra_kwargs = {"id": {"label": _("chapter id (for the chapter filter)")}}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, chapter):
        if chapter.parent_id is None:
            return None
        return f"{chapter.plan.number}-{chapter.parent.code}"


class DepartmentSerializer(DescribedModelSerializer):
    class Meta:
        model = Department
        # As the department pages show a department (its contact is kept for the admin).
        fields = ["id", "slug", "name", "short_name", "name_en", "kind"]
        extra_kwargs = {"id": {"label": _("department id (for the department filters)")}}


SOURCE_CHOICES = [(source, source) for source in ("", *INVESTMENT_SOURCES)]
SOURCE_HELP = _(
    "correction: an administrator's correction; reports: the year to date of the newest "
    "report; admin: the administrator's yearly figure; empty: none."
)

# --- projects ------------------------------------------------------------------------------


@extend_schema_serializer(component_name="PortfolioProject")
class ProjectSerializer(DescribedModelSerializer):
    """A row of the portfolio (ProjectQuerySet.for_portfolio)."""

    lead_department = slug_of(_("lead department"), allow_null=True)
    part_of = code_of(_("part of"), allow_null=True)
    chapters = serializers.SerializerMethodField(
        label=_("chapters served"), help_text=_("The keys of the plan chapters it serves.")
    )
    latest_report_period = MonthField(
        read_only=True, allow_null=True, label=_("month of the latest report")
    )
    latest_health = serializers.ChoiceField(
        choices=HEALTH, read_only=True, allow_null=True, label=_("reported health")
    )
    latest_percent_complete = serializers.IntegerField(
        read_only=True, allow_null=True, label=_("percent complete, as last reported")
    )
    schedule_health = serializers.ChoiceField(
        choices=HEALTH,
        read_only=True,
        label=_("schedule health"),
        help_text=_("Computed from the milestones alone: red, amber or green."),
    )
    overdue_count = serializers.IntegerField(read_only=True, label=_("overdue milestones"))
    next_milestone_title = serializers.CharField(
        read_only=True, allow_null=True, label=_("next milestone")
    )
    next_milestone_date = serializers.DateField(
        read_only=True, allow_null=True, label=_("next milestone's planned date")
    )
    investment_year = serializers.SerializerMethodField(
        label=_("investment year"), help_text=_("The year the investment figures are for.")
    )
    investment_planned = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        label=_("planned investment of the year (100 million yuan)"),
    )
    investment_completed = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        label=_("completed investment of the year (100 million yuan)"),
    )
    investment_source = serializers.ChoiceField(
        choices=SOURCE_CHOICES,
        read_only=True,
        label=_("source of the completed investment"),
        help_text=SOURCE_HELP,
    )

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "name_en",
            "category",
            "area",
            "stage",
            "lead_department",
            "part_of",
            "leader",
            "contact_name",
            "contact_phone",
            "start_date",
            "planned_completion",
            "total_investment",
            "chapters",
            "is_sample",
            "latest_report_period",
            "latest_health",
            "latest_percent_complete",
            "schedule_health",
            "overdue_count",
            "next_milestone_title",
            "next_milestone_date",
            "investment_year",
            "investment_planned",
            "investment_completed",
            "investment_source",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_chapters(self, project):
        return [f"{chapter.plan.number}-{chapter.code}" for chapter in project.chapters.all()]

    @extend_schema_field(serializers.IntegerField())
    def get_investment_year(self, project):
        return self.context["on"].year


@extend_schema_serializer(component_name="PortfolioProjectDetail")
class ProjectDetailSerializer(ProjectSerializer):
    partner_departments = serializers.SlugRelatedField(
        many=True, slug_field="slug", read_only=True, label=_("partner departments")
    )

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "partner_departments",
            "description",
            "source_paragraph",
            "source_sentence",
        ]


class InvestmentSerializer(DescribedModelSerializer):
    """A project's investment in a year, from the investment ledger (with_investment)."""

    lead_department = slug_of(_("lead department"), allow_null=True)
    part_of = code_of(
        _("part of"),
        allow_null=True,
        help_text=_("The umbrella project; a sum over projects counts a work once."),
    )
    year = serializers.SerializerMethodField(label=_("year"))
    planned = serializers.DecimalField(
        source="investment_planned",
        max_digits=12,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        label=_("planned (100 million yuan)"),
    )
    completed = serializers.DecimalField(
        source="investment_completed",
        max_digits=12,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        label=_("completed (100 million yuan)"),
    )
    source = serializers.ChoiceField(
        source="investment_source",
        choices=SOURCE_CHOICES,
        read_only=True,
        label=_("source of the completed investment"),
        help_text=SOURCE_HELP,
    )

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "lead_department",
            "part_of",
            "year",
            "planned",
            "completed",
            "source",
        ]

    @extend_schema_field(serializers.IntegerField())
    def get_year(self, project):
        return self.context["year"]


# --- milestones and reports --------------------------------------------------------------


class MilestoneSerializer(DescribedModelSerializer):
    project = code_of(_("project"))
    project_name = serializers.CharField(
        source="project.name", read_only=True, label=_("project name")
    )
    responsible_department = slug_of(_("responsible department"), allow_null=True)
    days_overdue = serializers.SerializerMethodField(
        label=_("days overdue"), help_text=_("Days past the planned date while not done.")
    )
    slip_days = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        label=_("slip (days)"),
        help_text=_("Actual (or forecast) date minus the planned date, in days."),
    )

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "project_name",
            "title",
            "planned_date",
            "original_planned_date",
            "forecast_date",
            "forecast_reason",
            "actual_date",
            "responsible_department",
            "days_overdue",
            "slip_days",
            "is_sample",
            "version",
        ]
        extra_kwargs = {"id": {"label": _("milestone id")}}

    @extend_schema_field(serializers.IntegerField())
    def get_days_overdue(self, milestone):
        return milestone.days_overdue(on=self.context["on"])


class ReportSerializer(DescribedModelSerializer):
    project = code_of(_("project"))
    period = MonthField(read_only=True, label=_("reporting month"))
    author = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, label=_("author")
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "project",
            "period",
            "health",
            "percent_complete",
            "narrative",
            "problems",
            "next_steps",
            "investment_completed_month",
            "investment_completed_ytd",
            "author",
            "submitted_at",
            "status",
            "review_comment",
            "reviewed_at",
            "is_sample",
            "version",
        ]
        extra_kwargs = {"id": {"label": _("report id")}}


# --- indicators --------------------------------------------------------------------------


class IndicatorValueSerializer(DescribedModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = [
            "year",
            "value",
            "year_target",
            "note",
            "source",
            "source_title",
            "source_date",
            "source_url",
        ]


class VerdictSerializer(DescribedSerializer):
    """indicators.progress.assess(): the verdict the indicator pages show."""

    status = serializers.ChoiceField(choices=Status.choices, label=_("status"))
    label = serializers.CharField(label=_("status, in words"))
    reason = serializers.CharField(label=_("reason"), help_text=_("Why, in words."))
    is_final = serializers.BooleanField(
        label=_("final"), help_text=_("The target year has passed: the verdict is final.")
    )
    provisional = serializers.BooleanField(
        label=_("provisional"),
        help_text=_("A final verdict without the target year's official figure."),
    )
    latest_year = serializers.IntegerField(allow_null=True, label=_("latest year"))
    latest_value = serializers.FloatField(
        allow_null=True,
        label=_("latest figure"),
        help_text=_("The measure compared with the target."),
    )
    ratio = serializers.FloatField(
        allow_null=True,
        label=_("ratio"),
        help_text=_("The rate of progress achieved over the rate needed."),
    )
    projection = serializers.FloatField(
        allow_null=True,
        label=_("projection"),
        help_text=_("The measure expected in the target year."),
    )
    missing_years = serializers.ListField(
        child=serializers.IntegerField(),
        label=_("missing years"),
        help_text=_("Years gone by without a value."),
    )


@extend_schema_serializer(component_name="IndicatorWithVerdict")
class IndicatorSerializer(DescribedModelSerializer):
    plan = serializers.IntegerField(source="plan.number", read_only=True, label=_("plan number"))
    responsible_department = slug_of(_("responsible department"), allow_null=True)
    values = IndicatorValueSerializer(many=True, read_only=True, label=_("values by year"))
    verdict = serializers.SerializerMethodField(
        label=_("verdict"), help_text=_("Progress toward the target, computed from the values.")
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "plan",
            "name",
            "name_en",
            "unit",
            "category",
            "nature",
            "target_kind",
            "direction",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
            "about",
            "tolerance",
            "target_text",
            "responsible_department",
            "values",
            "verdict",
        ]

    @extend_schema_field(VerdictSerializer)
    def get_verdict(self, indicator):
        assessment = getattr(indicator, "assessment", None) or indicator.assess(
            self.context["on"].year
        )
        values = list(indicator.values.all())
        return {
            "status": assessment.status,
            "label": str(Status(assessment.status).label),
            "reason": str(assessment.reason),
            "is_final": assessment.is_final,
            "provisional": is_provisional(indicator, assessment, values),
            "latest_year": assessment.latest_year,
            "latest_value": finite(assessment.latest_value),
            "ratio": finite(assessment.ratio),
            "projection": finite(assessment.projection),
            "missing_years": list(assessment.missing_years),
        }


# --- supervision orders ------------------------------------------------------------------


class OrderStepSerializer(DescribedModelSerializer):
    by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, label=_("by")
    )

    class Meta:
        model = OrderStep
        fields = ["kind", "by", "at", "text", "reply_due", "forecast_date"]


class OrderSerializer(DescribedModelSerializer):
    number = serializers.CharField(
        read_only=True, label=_("number"), help_text=_("As the office writes it: 2026-12.")
    )
    project = code_of(_("project"))
    milestone = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, label=_("milestone id")
    )
    problem = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, label=_("coordination problem id")
    )
    department = slug_of(_("addressed to"))
    copied_to = serializers.SlugRelatedField(
        many=True, slug_field="slug", read_only=True, label=_("copied to")
    )
    days_reply_overdue = serializers.SerializerMethodField(
        label=_("days the reply is overdue"),
        help_text=_("Days past the reply deadline while awaiting a reply."),
    )
    steps = OrderStepSerializer(many=True, read_only=True, label=_("steps"))

    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "number",
            "project",
            "milestone",
            "problem",
            "department",
            "copied_to",
            "request",
            "level",
            "reply_due",
            "state",
            "urge_count",
            "issued_at",
            "replied_at",
            "closed_at",
            "days_reply_overdue",
            "is_sample",
            "version",
            "steps",
        ]
        extra_kwargs = {"id": {"label": _("order id")}}

    @extend_schema_field(serializers.IntegerField())
    def get_days_reply_overdue(self, order):
        return order.days_reply_overdue(on=self.context["on"])


# --- writes ----------------------------------------------------------------------------


VERSION_HELP = _(
    "The version the row was read at (its version field, or the ETag of its GET). Or send it "
    "in the If-Match header. A save over a newer version is refused with 409 and what changed."
)


class WriteSerializer(DescribedSerializer):
    """A body with a field the endpoint does not take is refused, never half-read."""

    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=LARGEST,
        label=_("version"),
        help_text=VERSION_HELP,
    )

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a JSON object.")]}, code="invalid"
            )
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field is not taken here.")] for name in unknown[:20]}
            )
        return super().to_internal_value(data)


def text_field(label, **kwargs):
    # The model decides whether it may be blank and how long it may be (TEXT_MAX_CHARS).
    return serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=settings.TEXT_MAX_CHARS * 2,
        label=label,
        **kwargs,
    )


def money(label):
    return serializers.DecimalField(
        max_digits=12, decimal_places=4, required=False, allow_null=True, label=label
    )


class ReportWriteSerializer(WriteSerializer):
    period = serializers.DateField(
        input_formats=["%Y-%m", "%Y-%m-%d"],
        label=_("reporting month"),
        help_text=_("The month reported on, as 2026-05."),
    )
    health = serializers.ChoiceField(choices=HEALTH, label=_("health"))
    percent_complete = serializers.IntegerField(
        min_value=0, max_value=LARGEST, label=_("percent complete")
    )
    narrative = text_field(_("progress this month"))
    problems = text_field(_("problems needing coordination"))
    next_steps = text_field(_("next steps"))
    investment_completed_month = money(_("investment completed this month (100 million yuan)"))
    investment_completed_ytd = money(_("investment completed this year to date (100 million yuan)"))


class MilestoneDoneSerializer(WriteSerializer):
    actual_date = serializers.DateField(label=_("actual date"))


class MilestoneReforecastSerializer(WriteSerializer):
    forecast_date = serializers.DateField(label=_("forecast date"))
    forecast_reason = text_field(_("reason for the forecast"))


class ChangeSerializer(DescribedSerializer):
    field = serializers.CharField(label=_("field"))
    then = serializers.CharField(label=_("value read"), allow_null=True)
    now = serializers.CharField(label=_("value now"), allow_null=True)


@extend_schema_serializer(component_name="ApiError")
class ErrorSerializer(DescribedSerializer):
    detail = serializers.CharField(label=_("message"))


class ConflictSerializer(DescribedSerializer):
    detail = serializers.CharField(label=_("message"))
    version = serializers.IntegerField(label=_("version now"))
    changes = ChangeSerializer(many=True, label=_("what changed since the version sent"))
