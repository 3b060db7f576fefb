import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.forms.models import ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .forms import MonthField
from .models import (
    Approval,
    ApprovalKind,
    Department,
    Milestone,
    PlanChapter,
    ProgressReport,
    Project,
    ProjectChapter,
    kept_rows,
)
from .names import localized

YES_NO = [("yes", _("yes")), ("no", _("no"))]


def departments(request=None):
    return Department.objects.all()


def chapters(request=None):
    # A plan has a few dozen parts: a short list, labelled with its plan.
    return PlanChapter.objects.select_related("plan").order_by("plan__number", "order")


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A select's options read in one query. Django reads them with QuerySet.iterator(),
    which on PostgreSQL declares a server-side cursor, fetches from it and closes it: three
    round trips, and a cursor held past its transaction, for the few dozen departments or
    chapters of a list page's filters.

    A field with `label_fields` reads only those columns, by SQL made once (kept_rows),
    and labels each row without making an object of it: building and compiling the
    query and making 46 chapters with their plans and 38 departments cost a list page
    more processor time than its 50 rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        fields = self.field.label_fields
        rows = None
        if fields is not None and not self.field.to_field_name:
            rows = kept_rows(self.queryset, ("pk", *fields))  # None for a filtered queryset
        if rows is None:
            for obj in self.queryset.all():
                yield self.choice(obj)
            return
        label = self.field.label_from_row
        for row in rows:
            yield ModelChoiceIteratorValue(row[0], None), label(*row[1:])


class ListedChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator
    label_fields = None  # the columns label_from_row() takes, else whole objects are read


class DepartmentChoiceField(ListedChoiceField):
    label_fields = ("short_name", "name", "name_en")

    def label_from_row(self, short_name, name, name_en):
        """str(department) (Department.display_name) from its columns."""
        return localized(short_name or name, name_en)


class DepartmentFilter(django_filters.ModelChoiceFilter):
    field_class = DepartmentChoiceField


class ChapterChoiceField(ListedChoiceField):
    label_fields = ("plan__short_name", "code", "title")

    def label_from_instance(self, chapter):
        return self.label_from_row(chapter.plan.short_name, chapter.code, chapter.title)

    def label_from_row(self, plan, code, title):
        return f"{plan} {code} {title}"


# The API's schema (drf-spectacular) reads the chapter's id as a whole number.
@extend_schema_field(OpenApiTypes.INT)
class ChapterFilter(django_filters.ModelChoiceFilter):
    """Rows whose project serves the chapter or any section under it."""

    field_class = ChapterChoiceField

    def __init__(self, *args, project_field="pk", **kwargs):
        self.project_field = project_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        links = ProjectChapter.objects.filter(
            project=OuterRef(self.project_field), chapter__in=value.subtree()
        )
        return qs.filter(Exists(links))


class YesNoFilter(django_filters.ChoiceFilter):
    """A yes/no choice that keeps the page's querystring readable (?has_overdue=yes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=YES_NO, **kwargs)

    def filter(self, qs, value):
        if value in ("yes", "no"):
            return qs.filter(**{self.field_name: value == "yes"})
        return qs


class KeptFormClass:
    """A filter set whose form class is made once, by its first instance: django-filter
    makes a new one for every filter set (a field for each filter, then a class over them),
    and each form copies the class's fields anyway. The fields depend on nothing of a
    request: their querysets are lazy, each form's copy of a field has its own, and their
    labels are translated when shown."""

    def get_form_class(self):
        made = type(self).__dict__.get("kept_form_class")
        if made is None:
            made = super().get_form_class()
            type(self).kept_form_class = made
        return made


class PortfolioFilter(KeptFormClass, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search")
    lead_department = DepartmentFilter(label=_("lead department"), queryset=departments)
    category = django_filters.ChoiceFilter(label=_("category"), choices=Project.Category.choices)
    area = django_filters.ChoiceFilter(label=_("area"), choices=Project.Area.choices)
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Project.Stage.choices)
    health = django_filters.ChoiceFilter(
        label=_("reported health"),
        field_name="latest_health",
        choices=ProgressReport.Health.choices,
    )
    schedule_health = django_filters.ChoiceFilter(
        label=_("schedule health"), choices=ProgressReport.Health.choices
    )
    chapter = ChapterFilter(label=_("chapter"), queryset=chapters)
    has_overdue = YesNoFilter(label=_("has overdue milestones"), method="filter_has_overdue")
    mismatch = YesNoFilter(label=_("health mismatch"), field_name="health_mismatch")

    class Meta:
        model = Project
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Without a letter that has a case (a number, a Chinese name), matching regardless
        # of case is matching as typed: no character's upper case is one without a case, so
        # UPPER(name) holds the value exactly where the name does. PostgreSQL's UPPER() of
        # the three columns of every project was most of the search's time (10,000
        # projects: 13 ms a query, 3 ms without it; the page counts, then lists). On
        # PostgreSQL, trigram indexes of both forms (migration 0026) answer a text of three
        # characters or more without reading every project (1.5 ms to 0.1 ms a query).
        lookup = "icontains" if value.upper() != value.lower() else "contains"
        return queryset.filter(
            Q(**{f"name__{lookup}": value})
            | Q(**{f"code__{lookup}": value})
            | Q(**{f"name_en__{lookup}": value})
        )

    def filter_has_overdue(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(overdue_count__gt=0)
        if value == "no":
            return queryset.filter(overdue_count=0)
        return queryset


class OverdueFilter(KeptFormClass, django_filters.FilterSet):
    """Filters of the overdue board; `band` is days overdue."""

    BANDS = [
        ("1-30", _("1–30 days")),
        ("31-90", _("31–90 days")),
        ("91-180", _("91–180 days")),
        ("181-", _("more than 180 days")),
    ]

    responsible_department = DepartmentFilter(
        label=_("responsible department"), queryset=departments
    )
    chapter = ChapterFilter(label=_("chapter"), project_field="project", queryset=chapters)
    category = django_filters.ChoiceFilter(
        label=_("category"), field_name="project__category", choices=Project.Category.choices
    )
    band = django_filters.ChoiceFilter(label=_("days overdue"), choices=BANDS, method="filter_band")
    rebaselined = YesNoFilter(label=_("re-baselined"), method="filter_rebaselined")

    class Meta:
        model = Milestone
        fields = []

    def filter_rebaselined(self, queryset, name, value):
        if value == "yes":
            return queryset.rebaselined()
        if value == "no":
            return queryset.filter(planned_date=F("original_planned_date"))
        return queryset

    def __init__(self, *args, today, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def filter_band(self, queryset, name, value):
        import datetime

        low, _sep, high = value.partition("-")
        days = datetime.timedelta
        queryset = queryset.filter(planned_date__lte=self.today - days(days=int(low)))
        if high:
            queryset = queryset.filter(planned_date__gte=self.today - days(days=int(high)))
        return queryset


class MonthFilter(django_filters.DateFilter):
    """A month typed as yyyy-mm (the browser's month input)."""

    field_class = MonthField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{self.field_name: value.replace(day=1)})


class ReviewQueueFilter(django_filters.FilterSet):
    """Filters of the review queue: reports awaiting review."""

    department = django_filters.ModelChoiceFilter(
        label=_("lead department"), field_name="project__lead_department", queryset=departments
    )
    month = MonthFilter(label=_("reporting month"), field_name="period")
    health = django_filters.ChoiceFilter(label=_("health"), choices=ProgressReport.Health.choices)

    class Meta:
        model = ProgressReport
        fields = []


class MissingApprovalFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(
        label=_("lead department"),
        field_name="project__lead_department",
        queryset=departments,
    )
    category = django_filters.ChoiceFilter(
        label=_("category"),
        field_name="project__category",
        choices=Project.Category.choices,
    )
    kind = django_filters.ModelChoiceFilter(
        label=_("kind of approval"), queryset=lambda request: ApprovalKind.objects.all()
    )
    state = django_filters.ChoiceFilter(
        label=_("state"),
        choices=[(s.value, s.label) for s in Approval.MISSING_STATES],
    )

    class Meta:
        model = Approval
        fields = []
