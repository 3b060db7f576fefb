"""The public view's JSON (/api/v1/public/, no sign-in, read-only): the same rows and
fields as its pages, read through public/redaction.py. No authentication at all (no
session, so no CSRF and no user), paginated, throttled per address, cacheable for a short
while like the pages (public/http.py)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from projects.clock import today
from projects.models import Project
from projects.security import client_ip

from . import redaction
from .filters import project_filters
from .http import make_public

# --- throttling and pagination -------------------------------------------------------------


class PublicRateThrottle(AnonRateThrottle):
    """Per address, settings.PUBLIC_REQUESTS_PER_MINUTE a minute (read when a request comes,
    so a changed setting counts), the address read as for sign-in throttling."""

    scope = "public"

    def get_rate(self):
        return f"{settings.PUBLIC_REQUESTS_PER_MINUTE}/min"

    def get_ident(self, request):
        return client_ip(request)


class PublicPagination(PageNumberPagination):
    """?page=<n>, 50 rows a page; each page says whether the data are sample data."""

    page_size = 50

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["sample_data"] = self.sample_data
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["sample_data"] = {
            "type": "boolean",
            "description": str(SAMPLE_DATA_HELP),
        }
        return schema


SAMPLE_DATA_HELP = _(
    "True when the whole database is sample data (then sample rows are shown); otherwise "
    "sample data is left out and this is false."
)

# --- serializers: the allow-listed fields (redaction.PUBLIC_FIELDS), described ----------------


class ChapterLinkSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The chapter's key: plan number and code, as 15-3.1."))
    code = serializers.CharField(help_text=_("The chapter's code in its plan, as 3.1."))
    title = serializers.CharField(help_text=_("The chapter's title."))


class ProjectSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable project code, as LW-CUL-001."))
    name = serializers.CharField(
        help_text=_("Name in the language asked for (Chinese by default).")
    )
    name_en = serializers.CharField(help_text=_("English name; empty where there is none."))
    category = serializers.ChoiceField(Project.Category.choices, help_text=_("Category."))
    category_label = serializers.CharField(help_text=_("Category, in words."))
    stage = serializers.ChoiceField(Project.Stage.choices, help_text=_("Stage."))
    stage_label = serializers.CharField(help_text=_("Stage, in words."))
    lead_department = serializers.CharField(help_text=_("Lead department; empty if none yet."))
    start_date = serializers.DateField(allow_null=True, help_text=_("Start date."))
    planned_completion = serializers.DateField(
        allow_null=True, help_text=_("Planned completion date.")
    )
    total_investment = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        allow_null=True,
        help_text=_("Total investment, in 100 million yuan."),
    )
    investment_year = serializers.IntegerField(help_text=_("The year of the two figures below."))
    investment_planned = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        allow_null=True,
        help_text=_("Investment planned for the year, in 100 million yuan."),
    )
    investment_completed = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        allow_null=True,
        help_text=_("Investment completed in the year so far, in 100 million yuan."),
    )
    progress_percent = serializers.IntegerField(
        allow_null=True, help_text=_("Percent complete in the newest reviewed monthly report.")
    )
    progress_month = serializers.DateField(
        allow_null=True, help_text=_("The month of that report (its first day).")
    )
    chapters = ChapterLinkSerializer(many=True, help_text=_("The plan's chapters it serves."))


class InvestmentYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=_("Year."))
    planned = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, help_text=_("Planned, 100 million yuan.")
    )
    completed = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        allow_null=True,
        help_text=_("Completed, 100 million yuan."),
    )


class ProjectDetailSerializer(ProjectSerializer):
    source_sentence = serializers.CharField(help_text=_("The plan's own words naming it."))
    investment_by_year = InvestmentYearSerializer(
        many=True, help_text=_("Investment for each year of the plan.")
    )
    sample_data = serializers.BooleanField(help_text=SAMPLE_DATA_HELP)


class ValueSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=_("Year."))
    value = serializers.DecimalField(
        max_digits=16, decimal_places=4, help_text=_("The published figure.")
    )
    year_target = serializers.DecimalField(
        max_digits=16,
        decimal_places=4,
        allow_null=True,
        help_text=_("That year's target, for a target set each year."),
    )
    source_title = serializers.CharField(help_text=_("Title of the publication."))
    source_date = serializers.DateField(allow_null=True, help_text=_("Date of the publication."))
    source_url = serializers.CharField(help_text=_("Address of the publication."))


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable indicator code."))
    name = serializers.CharField(
        help_text=_("Name in the language asked for (Chinese by default).")
    )
    name_en = serializers.CharField(help_text=_("English name; empty where there is none."))
    unit = serializers.CharField(help_text=_("Unit."))
    category_label = serializers.CharField(help_text=_("Category, in words."))
    nature_label = serializers.CharField(help_text=_("Nature (expected or binding), in words."))
    responsible_department = serializers.CharField(help_text=_("Responsible department."))
    baseline = serializers.CharField(help_text=_("Baseline as the plan gives it."))
    target = serializers.CharField(help_text=_("Target as the plan gives it."))
    target_year = serializers.IntegerField(help_text=_("Target year."))
    latest_year = serializers.IntegerField(
        allow_null=True, help_text=_("Year of the newest published figure.")
    )
    latest_value = serializers.DecimalField(
        max_digits=16,
        decimal_places=4,
        allow_null=True,
        help_text=_("The newest published figure."),
    )
    verdict = serializers.CharField(help_text=_("How it stands against its target (a code)."))
    verdict_label = serializers.CharField(help_text=_("The verdict, in words."))
    provisional = serializers.BooleanField(
        help_text=_("A final verdict without the target year's published figure.")
    )
    values = ValueSerializer(many=True, help_text=_("Published figures, oldest first."))


class ChapterSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The chapter's key: plan number and code, as 15-3.1."))
    code = serializers.CharField(help_text=_("The chapter's code in its plan, as 3.1."))
    title = serializers.CharField(help_text=_("The chapter's title."))
    depth = serializers.IntegerField(help_text=_("0 for a chapter, 1 for a section, and so on."))
    project_count = serializers.IntegerField(
        help_text=_("Public projects serving it or its sections.")
    )
    indicator_count = serializers.IntegerField(help_text=_("Indicators linked to it."))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in words."))


class FilterErrorSerializer(serializers.Serializer):
    stage = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("What is wrong with ?stage=.")
    )
    chapter = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("What is wrong with ?chapter=."),
    )


NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("No such project, or no such page."))
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description=_(
        "Too many requests from this address; the Retry-After header says when to retry."
    ),
)


def answers(ok, *, bad_filter=False):
    """The responses of a public endpoint, for its schema."""
    found = {200: ok, 404: NOT_FOUND, 429: THROTTLED}
    if bad_filter:
        found[400] = OpenApiResponse(FilterErrorSerializer, description=_("A bad filter value."))
    return found


# --- views ---------------------------------------------------------------------------------


class PublicView(GenericAPIView):
    """What every public endpoint shares: no authentication, anyone, JSON only."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]
    pagination_class = PublicPagination
    renderer_classes = [JSONRenderer]
    metadata_class = None  # OPTIONS is 405 as on the pages: GET and HEAD only
    versioning_class = None  # the version is in the address (v1), whatever the API's default

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.public = redaction.scope(today())

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            make_public(response)
        return response

    def page_of(self, queryset, record):
        self.paginator.sample_data = self.public.sample_only
        rows = self.paginate_queryset(queryset)
        data = self.get_serializer([record(row, self.public) for row in rows], many=True).data
        return self.get_paginated_response(data)


TAG = ["public"]


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        operation_id="public_projects_list",
        responses=answers(ProjectSerializer(many=True), bad_filter=True),
        summary=_("Public projects"),
        description=_(
            "The current plan's projects as residents see them (no sign-in): stage, progress, "
            "chapters and investment; no contacts, problems or comments. Filter by ?stage= and "
            "?chapter= (a chapter key such as 15-3.1, with its sections)."
        ),
        parameters=[
            OpenApiParameter("stage", str, enum=Project.Stage.values, description=_("Stage.")),
            OpenApiParameter("chapter", str, description=_("Chapter key, as 15-3.1.")),
        ],
    )
)
class ProjectList(PublicView, ListAPIView):
    serializer_class = ProjectSerializer

    def list(self, request):
        form, chosen = project_filters(self.public, request.query_params)
        if form.errors:
            raise ValidationError(form.errors)
        return self.page_of(redaction.project_rows(self.public, **chosen), redaction.project_record)


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        operation_id="public_project_retrieve",
        responses=answers(ProjectDetailSerializer),
        summary=_("Public project"),
        description=_("One project of the current plan as residents see it; 404 if none."),
    )
)
class ProjectDetail(PublicView, RetrieveAPIView):
    serializer_class = ProjectDetailSerializer
    pagination_class = None

    def retrieve(self, request, code):
        record = redaction.project_detail(self.public, code)
        if record is None:
            raise NotFound(_("There is no public project with this code."))
        return Response(self.get_serializer(record | {"sample_data": self.public.sample_only}).data)


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        operation_id="public_indicators_list",
        responses=answers(IndicatorSerializer(many=True)),
        summary=_("Public indicators"),
        description=_(
            "The current plan's indicators with their published (official) figures and the "
            "verdict computed from those figures alone."
        ),
    )
)
class IndicatorList(PublicView, ListAPIView):
    serializer_class = IndicatorSerializer

    def list(self, request):
        return self.page_of(redaction.indicator_rows(self.public), redaction.indicator_record)


@extend_schema_view(
    get=extend_schema(
        tags=TAG,
        operation_id="public_chapters_list",
        responses=answers(ChapterSerializer(many=True)),
        summary=_("Public chapters"),
        description=_("The current plan's chapters with how many public projects serve each."),
    )
)
class ChapterList(PublicView, ListAPIView):
    serializer_class = ChapterSerializer

    def list(self, request):
        return self.page_of(redaction.chapter_records(self.public), lambda row, scope: row)
