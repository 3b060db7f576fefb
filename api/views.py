"""The REST API (/api/v1/). Reads follow the pages: every signed-in user reads everything a
page shows (a role's limits are on what it may change), with the pages' querysets, filters
and plan switch. Writes go through the same permission helpers (projects.permissions) and
services (projects.services) as the web forms: 404 if there is no such row, 403 if it is not
the user's to change, 400 with the model's messages, 409 with what changed when the version
sent is not the one saved."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from indicators.filters import IndicatorFilter
from indicators.models import Indicator
from projects import services
from projects.clock import today
from projects.filters import OverdueFilter, PortfolioFilter
from projects.models import Department, Milestone, Plan, PlanChapter, ProgressReport, Project
from projects.permissions import get_for_user, may_report_on, may_update_milestone
from projects.plan_switch import plan_switch
from projects.views import BaselineForm, DaysForm
from supervision.filters import OrderFilter
from supervision.models import OrderStep, SupervisionOrder

from . import serializers as api
from .filters import MilestoneFilter, ReportFilter
from .models import ApiToken
from .throttling import AnonRateThrottle, TokenRateThrottle


class Pages(PageNumberPagination):
    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_query_description = gettext_lazy("The page's number, from 1.")
    page_size_query_description = gettext_lazy("Rows a page, at most 200; default 50.")

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        texts = {
            "count": gettext_lazy("Rows in all, on every page."),
            "next": gettext_lazy("The next page's address, or null on the last."),
            "previous": gettext_lazy("The previous page's address, or null on the first."),
            "results": gettext_lazy("This page's rows, in a stable order."),
        }
        for name, text in texts.items():
            described["properties"][name]["description"] = str(text)
        return described


class FilterBackend(DjangoFilterBackend):
    """The pages' FilterSets; a filter that needs the day (the overdue board's) gets it."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        return kwargs | getattr(view, "filterset_extra", {})


def activate_language(request, header=False):
    """The language asked for with ?lang=, or (when `header`) with Accept-Language; else the
    site's (the language switch's cookie, Chinese by default, as ChosenLanguageMiddleware
    set it)."""
    wanted = request.GET.get("lang")
    if not wanted and header and request.META.get("HTTP_ACCEPT_LANGUAGE"):
        wanted = translation.get_language_from_request(request)
    if wanted:
        try:
            translation.activate(translation.get_supported_language_variant(wanted))
        except LookupError:
            return
        request.LANGUAGE_CODE = translation.get_language()


class RequestLanguage:
    """The request's language while the view runs and its response is rendered, and the
    thread's language before it afterwards. ?lang= for anyone; Accept-Language for a system
    signed in with a token (a browser sends one whatever the person chose, and the site
    follows only its language switch)."""

    def initial(self, request, *args, **kwargs):
        self.language_before = translation.get_language()
        activate_language(request)
        super().initial(request, *args, **kwargs)  # authenticates
        if isinstance(request.auth, ApiToken):
            activate_language(request, header=True)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        before = getattr(self, "language_before", None)
        if before and hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(lambda _response: translation.activate(before))
        return response


class ApiMixin(RequestLanguage):
    throttle_classes = [TokenRateThrottle, AnonRateThrottle]
    pagination_class = Pages
    filter_backends = [FilterBackend]

    def get_serializer_context(self):
        return super().get_serializer_context() | {"on": today()}

    @property
    def describing(self):
        """True while drf-spectacular describes the view (no request to read a plan from,
        and no database needed): get_queryset gives an empty queryset of its model."""
        return getattr(self, "swagger_fake_view", False)


PLAN = OpenApiParameter(
    "plan",
    OpenApiTypes.INT,
    description=gettext_lazy(
        "The plan's number (14 for the 14th Five-Year Plan); default: the plan in force "
        "today, as on the site's pages. A number of no plan gives 404."
    ),
)
CHAPTER = OpenApiParameter(
    "chapter",
    OpenApiTypes.INT,
    description=gettext_lazy(
        "A chapter's id (see chapters): the rows whose project serves it or a section under it."
    ),
)
LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=[code for code, _name in settings.LANGUAGES],
    description=gettext_lazy(
        "The language of the texts (or, with a token, send Accept-Language); default Chinese."
    ),
)


def in_path(name, kind, description):
    return OpenApiParameter(name, kind, location=OpenApiParameter.PATH, description=description)


PATH = {
    "number": in_path("number", OpenApiTypes.INT, gettext_lazy("The plan's number, as 14.")),
    "key": in_path("key", OpenApiTypes.STR, gettext_lazy("The chapter's key, as 14-3.1.")),
    "slug": in_path("slug", OpenApiTypes.STR, gettext_lazy("The department's slug.")),
    "project": in_path(
        "code", OpenApiTypes.STR, gettext_lazy("The project's code, as LW-CUL-001.")
    ),
    "indicator": in_path("code", OpenApiTypes.STR, gettext_lazy("The indicator's code.")),
    "milestone": in_path("id", OpenApiTypes.INT, gettext_lazy("The milestone's id.")),
    "report": in_path("id", OpenApiTypes.INT, gettext_lazy("The report's id.")),
    "order": in_path("id", OpenApiTypes.INT, gettext_lazy("The order's id.")),
}
NOT_FOUND = OpenApiResponse(api.ErrorSerializer, description=gettext_lazy("No such row or page."))
BAD = OpenApiResponse(
    OpenApiTypes.OBJECT, description=gettext_lazy("Refused input, with a message per field.")
)
REFUSED = OpenApiResponse(
    api.ErrorSerializer,
    description=gettext_lazy("Not signed in (401), or not this user's to change (403)."),
)
COMMON = {400: BAD, 401: REFUSED, 403: REFUSED, 404: NOT_FOUND}


def listing(serializer, summary, description, *, parameters=(), tag):
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[LANG, *parameters],
        responses={200: serializer(many=True), **COMMON},
        tags=[tag],
    )


def detail(serializer, summary, description, *, tag, path):
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[LANG, PATH[path]],
        responses={200: serializer, **COMMON},
        tags=[tag],
    )


# --- plans, chapters, departments ---------------------------------------------------------


class PlanList(ApiMixin, generics.ListAPIView):
    serializer_class = api.PlanSerializer
    queryset = Plan.objects.order_by("number")

    @listing(
        api.PlanSerializer,
        gettext_lazy("List the plans"),
        gettext_lazy("Every five-year plan, in force or ended, by number."),
        tag="plans",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PlanDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = api.PlanSerializer
    queryset = Plan.objects.all()
    lookup_field = "number"

    @detail(
        api.PlanSerializer,
        gettext_lazy("One plan"),
        gettext_lazy("A plan by its number (14 for the 14th Five-Year Plan)."),
        tag="plans",
        path="number",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ChapterList(ApiMixin, generics.ListAPIView):
    serializer_class = api.ChapterSerializer

    def get_queryset(self):
        if self.describing:
            return PlanChapter.objects.none()
        switch = plan_switch(self.request._request)
        chapters = PlanChapter.objects.select_related("plan", "parent")
        if switch.plan is not None:
            chapters = chapters.filter(plan=switch.plan)
        return chapters.order_by("plan__number", "order", "pk")

    @listing(
        api.ChapterSerializer,
        gettext_lazy("List a plan's chapters"),
        gettext_lazy("The chapters and sections of one plan, in the plan's order."),
        parameters=[PLAN],
        tag="plans",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ChapterDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = api.ChapterSerializer

    def get_object(self):
        try:
            return PlanChapter.objects.select_related("plan", "parent").by_key(self.kwargs["key"])
        except PlanChapter.DoesNotExist:
            raise NotFound() from None

    @detail(
        api.ChapterSerializer,
        gettext_lazy("One chapter"),
        gettext_lazy("A chapter or section by its key, as in 14-3.1."),
        tag="plans",
        path="key",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DepartmentList(ApiMixin, generics.ListAPIView):
    serializer_class = api.DepartmentSerializer
    queryset = Department.objects.order_by("slug")

    @listing(
        api.DepartmentSerializer,
        gettext_lazy("List the departments"),
        gettext_lazy("The departments that lead projects or report figures, by slug."),
        tag="departments",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DepartmentDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = api.DepartmentSerializer
    queryset = Department.objects.all()
    lookup_field = "slug"

    @detail(
        api.DepartmentSerializer,
        gettext_lazy("One department"),
        gettext_lazy("A department by its slug."),
        tag="departments",
        path="slug",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- projects and investment --------------------------------------------------------------


def chapters_served():
    return Prefetch(
        "chapters",
        queryset=PlanChapter.objects.select_related("plan").order_by("plan__number", "order"),
    )


def portfolio(on):
    """The portfolio's rows (ProjectQuerySet.for_portfolio), with what the API adds."""
    return (
        Project.objects.for_portfolio(on=on)
        .select_related("part_of")
        .prefetch_related(chapters_served())
    )


class ProjectList(ApiMixin, generics.ListAPIView):
    serializer_class = api.ProjectSerializer
    filterset_class = PortfolioFilter

    def get_queryset(self):
        if self.describing:
            return Project.objects.none()
        on = today()
        return plan_switch(self.request._request, on).projects(portfolio(on)).order_by("code")

    @listing(
        api.ProjectSerializer,
        gettext_lazy("List the projects"),
        gettext_lazy(
            "The portfolio: one plan's projects (the plan in force by default) with their "
            "latest report, schedule health, overdue milestones, next milestone and this "
            "year's investment, filtered as on the portfolio page, by code."
        ),
        parameters=[PLAN, CHAPTER],
        tag="projects",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProjectDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = api.ProjectDetailSerializer
    lookup_field = "code"

    def get_queryset(self):
        return portfolio(today()).prefetch_related("partner_departments")

    @detail(
        api.ProjectDetailSerializer,
        gettext_lazy("One project"),
        gettext_lazy("A project by its code, as in LW-CUL-001."),
        tag="projects",
        path="project",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)


YEAR = OpenApiParameter(
    "year",
    OpenApiTypes.INT,
    description=gettext_lazy("The year, from 2000 to 2100; default: this year."),
)


class InvestmentList(ApiMixin, generics.ListAPIView):
    serializer_class = api.InvestmentSerializer

    def get_year(self):
        form = YearForm(self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        return form.cleaned_data["year"] or today().year

    def get_queryset(self):
        if self.describing:
            return Project.objects.none()
        self.year = self.get_year()
        projects = (
            Project.objects.with_investment(self.year)
            .select_related("lead_department", "part_of")
            .exclude(investment_source="")
        )
        return plan_switch(self.request._request).projects(projects).order_by("code")

    def get_serializer_context(self):
        return super().get_serializer_context() | {"year": getattr(self, "year", None)}

    @listing(
        api.InvestmentSerializer,
        gettext_lazy("List a year's investment"),
        gettext_lazy(
            "Each project's planned and completed investment in a year, from the investment "
            "ledger (an administrator's correction, else the newest report's year to date, "
            "else the administrator's yearly figure); projects without figures are left out."
        ),
        parameters=[PLAN, YEAR],
        tag="projects",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- milestones ----------------------------------------------------------------------------


class MilestoneList(ApiMixin, generics.ListAPIView):
    serializer_class = api.MilestoneSerializer
    filterset_class = MilestoneFilter

    def get_queryset(self):
        return Milestone.objects.for_lists().order_by("project__code", "planned_date", "pk")

    @listing(
        api.MilestoneSerializer,
        gettext_lazy("List the milestones"),
        gettext_lazy("Every milestone, by project and planned date."),
        tag="milestones",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


BASELINE = OpenApiParameter(
    "baseline",
    OpenApiTypes.STR,
    enum=["planned", "original"],
    description=gettext_lazy(
        "planned (default): overdue against the planned date; original: against the "
        "original planned date, which a re-baseline does not move."
    ),
)
DAYS = OpenApiParameter(
    "days",
    OpenApiTypes.INT,
    description=gettext_lazy("Due in the next this many days, from 1 to 365; default 30."),
)


def valid_form(form):
    if not form.is_valid():
        raise serializers.ValidationError(form.errors)
    return form.cleaned_data


class OverdueList(ApiMixin, generics.ListAPIView):
    serializer_class = api.MilestoneSerializer
    filterset_class = OverdueFilter

    @property
    def filterset_extra(self):
        return {"today": today()}

    def get_queryset(self):
        if self.describing:
            return Milestone.objects.none()
        on = today()
        original = valid_form(BaselineForm(self.request.query_params))["baseline"] == "original"
        if original:
            milestones = Milestone.objects.overdue_against_original(on=on)
        else:
            milestones = Milestone.objects.overdue(on=on)
        switch = plan_switch(self.request._request, on)
        return milestones.filter(switch.projects_q("project__")).for_lists()

    @listing(
        api.MilestoneSerializer,
        gettext_lazy("List the overdue milestones"),
        gettext_lazy(
            "The overdue board: milestones not done and planned before today, most overdue "
            "first, filtered as on the board."
        ),
        parameters=[PLAN, CHAPTER, BASELINE],
        tag="milestones",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class UpcomingList(ApiMixin, generics.ListAPIView):
    serializer_class = api.MilestoneSerializer
    filterset_class = OverdueFilter

    @property
    def filterset_extra(self):
        return {"today": today()}

    def get_queryset(self):
        if self.describing:
            return Milestone.objects.none()
        on = today()
        days = DaysForm(self.request.query_params if "days" in self.request.query_params else None)
        days = valid_form(days)["days"] if days.is_bound else 30
        switch = plan_switch(self.request._request, on)
        return (
            Milestone.objects.due_within(days, on=on)
            .filter(switch.projects_q("project__"))
            .for_lists()
        )

    @listing(
        api.MilestoneSerializer,
        gettext_lazy("List the upcoming milestones"),
        gettext_lazy("Milestones not done and due from today to the given number of days on."),
        parameters=[PLAN, CHAPTER, DAYS],
        tag="milestones",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def with_etag(response, row):
    response["ETag"] = f'"{row.version}"'
    return response


class MilestoneDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = api.MilestoneSerializer
    queryset = Milestone.objects.for_lists()

    @detail(
        api.MilestoneSerializer,
        gettext_lazy("One milestone"),
        gettext_lazy("A milestone by its id; the ETag header carries its version."),
        tag="milestones",
        path="milestone",
    )
    def get(self, request, *args, **kwargs):
        return with_etag(super().get(request, *args, **kwargs), self.object)

    def get_object(self):
        self.object = super().get_object()
        return self.object


# --- writes --------------------------------------------------------------------------------

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description=gettext_lazy(
        'The version the row was read at, as its ETag ("3") or a plain number; instead of '
        "the version in the body."
    ),
)
VERSION_PATTERN = re.compile(r'\s*(?:W/)?"?(\d{1,9})"?\s*')


def sent_version(request, body_version):
    """The version sent in the body or the If-Match header (they must agree), or None."""
    header = request.headers.get("If-Match")
    header_version = None
    if header:
        match = VERSION_PATTERN.fullmatch(header)
        if not match:
            raise serializers.ValidationError(
                {"If-Match": [_('Send the version as a number, or as the ETag ("3").')]}
            )
        header_version = int(match.group(1))
    if body_version is not None and header_version is not None and body_version != header_version:
        raise serializers.ValidationError(
            {"version": [_("The version in the body and in If-Match differ.")]}
        )
    return body_version if body_version is not None else header_version


def conflict(error, serializer_class, context):
    """409: nothing saved; what changed since the version sent, and the row as saved now."""
    current = error.current
    body = {
        "detail": _("Someone else saved this first; nothing of yours was saved."),
        "version": current.version,
        "changes": [
            {"field": str(label), "then": none_or_str(then), "now": none_or_str(now)}
            for label, then, now in error.changes
        ],
        "current": serializer_class(current, context=context).data,
    }
    return with_etag(Response(body, status=status.HTTP_409_CONFLICT), current)


def none_or_str(value):
    return None if value is None else str(value)


def refused(error):
    """The model's refusal (django ValidationError) as a 400 with its messages by field."""
    return serializers.ValidationError(serializers.as_serializer_error(error))


def write_schema(
    request_serializer, response_serializer, summary, description, *, tag, path, created=False
):
    responses = {
        (201 if created else 200): response_serializer,
        409: OpenApiResponse(
            api.ConflictSerializer,
            description=gettext_lazy("Someone saved a newer version first; nothing was saved."),
        ),
        413: OpenApiResponse(
            api.ErrorSerializer, description=gettext_lazy("The request body is too large.")
        ),
        **COMMON,
    }
    if created:
        responses[200] = OpenApiResponse(
            response_serializer, description=gettext_lazy("The month's report, edited.")
        )
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[LANG, IF_MATCH, PATH[path]],
        request=request_serializer,
        responses=responses,
        tags=[tag],
    )


class MilestoneWrite(ApiMixin, APIView):
    request_serializer = None

    def post(self, request, pk):
        milestone = get_for_user(
            request,
            Milestone.objects.select_related("project__lead_department", "responsible_department"),
            may_update_milestone,
            pk=pk,
        )
        sent = self.request_serializer(data=request.data)
        sent.is_valid(raise_exception=True)
        data = dict(sent.validated_data)
        version = sent_version(request, data.pop("version", None))
        if version is None:
            raise serializers.ValidationError(
                {"version": [_("Send the version the milestone was read at (or If-Match).")]}
            )
        context = self.get_serializer_context()
        try:
            self.act(milestone, request.user, version, data)
        except services.Conflict as error:
            return conflict(error, api.MilestoneSerializer, context)
        except DjangoValidationError as error:
            raise refused(error) from None
        saved = Milestone.objects.for_lists().get(pk=milestone.pk)
        return with_etag(Response(api.MilestoneSerializer(saved, context=context).data), saved)

    def get_serializer_context(self):
        return {"request": self.request, "on": today(), "view": self}


class MilestoneComplete(MilestoneWrite):
    request_serializer = api.MilestoneDoneSerializer

    def act(self, milestone, user, version, data):
        services.milestone_complete(
            milestone=milestone, by=user, on=data["actual_date"], version=version
        )

    @write_schema(
        api.MilestoneDoneSerializer,
        api.MilestoneSerializer,
        gettext_lazy("Mark a milestone done"),
        gettext_lazy(
            "For the editors of its responsible department or of its project's lead "
            "department (and administrators): the day it was done, not in the future. A "
            "milestone done is not changed again here."
        ),
        tag="milestones",
        path="milestone",
    )
    def post(self, request, pk):
        return super().post(request, pk)


class MilestoneReforecast(MilestoneWrite):
    request_serializer = api.MilestoneReforecastSerializer

    def act(self, milestone, user, version, data):
        services.milestone_reforecast(
            milestone=milestone,
            by=user,
            forecast_date=data["forecast_date"],
            reason=data.get("forecast_reason", ""),
            version=version,
        )

    @write_schema(
        api.MilestoneReforecastSerializer,
        api.MilestoneSerializer,
        gettext_lazy("Re-forecast a milestone"),
        gettext_lazy(
            "A new expected date, still to come, with its reason; the planned date does not "
            "change (only an administrator re-baselines, in the admin)."
        ),
        tag="milestones",
        path="milestone",
    )
    def post(self, request, pk):
        return super().post(request, pk)


# --- progress reports ----------------------------------------------------------------------


def reports():
    return ProgressReport.objects.select_related("project", "author")


class ReportList(ApiMixin, generics.ListAPIView):
    serializer_class = api.ReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        return reports().order_by("-period", "project__code", "pk")

    @listing(
        api.ReportSerializer,
        gettext_lazy("List the progress reports"),
        gettext_lazy("The monthly progress reports, newest month first."),
        tag="reports",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReportDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = api.ReportSerializer

    def get_queryset(self):
        return reports()

    @detail(
        api.ReportSerializer,
        gettext_lazy("One progress report"),
        gettext_lazy("A report by its id; the ETag header carries its version."),
        tag="reports",
        path="report",
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response


class ReportSubmit(ApiMixin, APIView):
    @write_schema(
        api.ReportWriteSerializer,
        api.ReportSerializer,
        gettext_lazy("Submit the month's report"),
        gettext_lazy(
            "For the editors of the project's lead department (and administrators): the "
            "month's report, new (201, without a version or with 0) or the month's existing "
            "one replaced whole (200, with the version it was read at). It goes to the "
            "managers' review; the history keeps the earlier text."
        ),
        tag="reports",
        path="project",
        created=True,
    )
    def post(self, request, code):
        project = get_for_user(
            request, Project.objects.select_related("lead_department"), may_report_on, code=code
        )
        sent = api.ReportWriteSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        data = dict(sent.validated_data)
        version = sent_version(request, data.pop("version", None)) or None
        period = data.pop("period")
        fields = {
            "health": data["health"],
            "percent_complete": data["percent_complete"],
            "narrative": data.get("narrative", ""),
            "problems": data.get("problems", ""),
            "next_steps": data.get("next_steps", ""),
            "investment_completed_month": data.get("investment_completed_month"),
            "investment_completed_ytd": data.get("investment_completed_ytd"),
        }
        context = {"request": request, "on": today(), "view": self}
        try:
            report = services.report_submit(
                project=project, author=request.user, period=period, version=version, **fields
            )
        except services.Conflict as error:
            error.current.project = project
            return conflict(error, api.ReportSerializer, context)
        except DjangoValidationError as error:
            raise refused(error) from None
        saved = reports().get(pk=report.pk)
        created = version is None
        response = Response(
            api.ReportSerializer(saved, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        return with_etag(response, saved)


# --- indicators ----------------------------------------------------------------------------


class IndicatorList(ApiMixin, generics.ListAPIView):
    serializer_class = api.IndicatorSerializer
    filterset_class = IndicatorFilter

    def get_queryset(self):
        if self.describing:
            return Indicator.objects.none()
        switch = plan_switch(self.request._request)
        return switch.indicators(Indicator.objects.for_progress()).order_by(
            "plan__number", "order", "code"
        )

    def list(self, request, *args, **kwargs):
        # The status is computed (indicators.progress), not stored: the assessed rows are
        # filtered on it, as the indicators page does.
        filterset = self.filter_queryset(self.get_queryset())
        year = today().year
        rows = list(filterset)
        for indicator in rows:
            indicator.assessment = indicator.assess(year)
        status_wanted = request.query_params.get("status")
        if status_wanted:
            rows = [row for row in rows if row.assessment.status == status_wanted]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @listing(
        api.IndicatorSerializer,
        gettext_lazy("List the indicators"),
        gettext_lazy(
            "One plan's quantitative targets with their values by year and the verdict "
            "computed from them, as the indicators page shows them."
        ),
        parameters=[PLAN],
        tag="indicators",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class IndicatorDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = api.IndicatorSerializer
    queryset = Indicator.objects.for_progress()
    lookup_field = "code"

    @detail(
        api.IndicatorSerializer,
        gettext_lazy("One indicator"),
        gettext_lazy("An indicator by its code, with its values and verdict."),
        tag="indicators",
        path="indicator",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- supervision orders --------------------------------------------------------------------


def orders():
    return SupervisionOrder.objects.for_lists().prefetch_related(
        "copied_to", Prefetch("steps", queryset=OrderStep.objects.select_related("by"))
    )


class OrderList(ApiMixin, generics.ListAPIView):
    serializer_class = api.OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return orders().order_by("-issued_at", "-pk")

    @listing(
        api.OrderSerializer,
        gettext_lazy("List the supervision orders"),
        gettext_lazy("Supervision orders (督办单) with their steps, newest first."),
        tag="supervision",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrderDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = api.OrderSerializer

    def get_queryset(self):
        return orders()

    @detail(
        api.OrderSerializer,
        gettext_lazy("One supervision order"),
        gettext_lazy("A supervision order by its id, with its steps."),
        tag="supervision",
        path="order",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
