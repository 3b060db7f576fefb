"""The API's filters on rows that no page lists whole (every milestone, every report).
The portfolio, the boards, the indicators and the orders use their pages' FilterSets."""

import django_filters
from django.utils.translation import gettext_lazy as _

from projects.filters import MonthFilter, YesNoFilter, departments
from projects.models import Milestone, ProgressReport


class MilestoneFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(
        label=_("project code"), field_name="project__code", max_length=20
    )
    responsible_department = django_filters.ModelChoiceFilter(
        label=_("responsible department"), queryset=departments
    )
    done = YesNoFilter(label=_("done"), field_name="actual_date__isnull", method="filter_done")

    class Meta:
        model = Milestone
        fields = []

    def filter_done(self, queryset, name, value):
        if value == "yes":
            return queryset.done()
        if value == "no":
            return queryset.open()
        return queryset


class ReportFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(
        label=_("project code"), field_name="project__code", max_length=20
    )
    month = MonthFilter(label=_("reporting month"), field_name="period")
    status = django_filters.ChoiceFilter(
        label=_("review status"), choices=ProgressReport.Status.choices
    )
    health = django_filters.ChoiceFilter(label=_("health"), choices=ProgressReport.Health.choices)

    class Meta:
        model = ProgressReport
        fields = []
