import django_filters
from django.utils.translation import gettext_lazy as _

from projects.clock import today
from projects.filters import YesNoFilter, departments
from projects.models import CoordinationProblem

from .models import SupervisionOrder


class OrderFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(label=_("addressed to"), queryset=departments)
    state = django_filters.ChoiceFilter(label=_("state"), choices=SupervisionOrder.State.choices)
    level = django_filters.ChoiceFilter(label=_("level"), choices=SupervisionOrder.Level.choices)
    overdue = YesNoFilter(label=_("reply overdue"), method="filter_overdue")

    class Meta:
        model = SupervisionOrder
        fields = []

    def filter_overdue(self, queryset, name, value):
        overdue = SupervisionOrder.objects.reply_overdue(on=today())
        if value == "yes":
            return queryset.filter(pk__in=overdue.values("pk"))
        if value == "no":
            return queryset.exclude(pk__in=overdue.values("pk"))
        return queryset


class ProblemFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=CoordinationProblem.Status.choices
    )
    urgency = django_filters.ChoiceFilter(
        label=_("urgency"), choices=CoordinationProblem.Urgency.choices
    )
    help_department = django_filters.ModelChoiceFilter(
        label=_("help needed from"), queryset=departments
    )
    department = django_filters.ModelChoiceFilter(
        label=_("lead department"),
        field_name="report__project__lead_department",
        queryset=departments,
    )

    class Meta:
        model = CoordinationProblem
        fields = []
