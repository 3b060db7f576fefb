import django_filters
from django.utils.translation import gettext_lazy as _

from projects.models import Department

from .models import Indicator
from .progress import Status


class IndicatorFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(label=_("category"), choices=Indicator.Category.choices)
    nature = django_filters.ChoiceFilter(label=_("nature"), choices=Indicator.Nature.choices)
    responsible_department = django_filters.ModelChoiceFilter(
        label=_("responsible department"),
        # Only the few departments that report an indicator, not every department.
        queryset=Department.objects.filter(indicators__isnull=False).distinct(),
    )
    # Status is computed from the values, not stored: the view filters the assessed rows.
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Status.choices, method="filter_computed"
    )

    class Meta:
        model = Indicator
        fields = ["category", "nature", "responsible_department", "status"]

    def filter_computed(self, queryset, name, value):
        return queryset
