from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django_filters.views import FilterView

from projects.forms import place_errors, refused
from projects.services import Conflict
from projects.clock import today
from projects.formatting import quantity
from projects.listing import ListPageMixin
from projects.models import Project
from projects.plan_switch import PlanSwitchMixin
from projects.permissions import get_for_user, may_edit_for_department

from . import progress, services
from .charts import growth_chart, progress_chart
from .filters import IndicatorFilter
from .forms import IndicatorValueForm
from .models import Indicator, IndicatorValue
from .progress import Status
from .tables import IndicatorTable


class IndicatorListView(PlanSwitchMixin, ListPageMixin, FilterView):
    model = Indicator
    table_class = IndicatorTable
    filterset_class = IndicatorFilter
    template_name = "indicators/indicator_list.html"
    export_name = "indicators"

    def get_queryset(self):
        return self.plan_switch.indicators(Indicator.objects.for_progress())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"today_year": today().year}

    def get_table_data(self):
        """The filtered indicators, each with its assessment; status is computed, so its
        filter applies here."""
        year = today().year
        rows = list(self.object_list)
        for indicator in rows:
            indicator.assessment = indicator.assess(year)
        status = (
            self.filterset.form.cleaned_data.get("status") if self.filterset.is_valid() else None
        )
        if status:
            rows = [r for r in rows if r.assessment.status == status]
        return rows


@login_required
def indicator_detail(request, code):
    indicator = get_object_or_404(
        Indicator.objects.select_related("plan", "responsible_department").prefetch_related(
            Prefetch(
                "values",
                queryset=IndicatorValue.objects.select_related("entered_by").order_by("year"),
            ),
            "chapters__plan",
            Prefetch("projects", queryset=Project.objects.select_related("lead_department")),
        ),
        code=code,
    )
    assessment = indicator.assess(today().year)
    values = list(indicator.values.all())
    if indicator.target_kind == Indicator.TargetKind.GROWTH:
        # Each year's rate against the targeted average rate; the index the status is
        # worked out on (progress.py) is not what the plan or the bulletins state.
        target = indicator.as_target(values)
        by_year = {v.year: v.value for v in values}
        chart = growth_chart(target, by_year)
        expected_rows = [
            (year, target.target_value, by_year.get(year))
            for year in range(target.period_start, target.target_year + 1)
        ]
    else:
        chart = progress_chart(
            assessment,
            None if indicator.target_value is None else float(indicator.target_value),
            unit=indicator.unit,
        )
        expected_rows = [
            (year, expected, assessment.actual.get(year))
            for year, expected in assessment.expected.items()
        ]
    if chart is not None:
        chart.missing_years = assessment.missing_years
    context = {
        "indicator": indicator,
        "assessment": assessment,
        "status_label": Status(assessment.status).label,
        "values": values,
        "expected_rows": expected_rows,
        "chart": chart,
        "may_edit": may_edit_for_department(request.user, indicator.responsible_department),
        "band": progress_band(indicator),
    }
    return render(request, "indicators/indicator_detail.html", context)


def progress_band(indicator):
    """An "about" target's band, in the indicator's unit, for the page."""
    if not indicator.about:
        return ""
    band = progress.band(indicator.as_target())
    return quantity(band, indicator.unit) if band else ""


@login_required
def value_edit(request, code, year=None):
    """Enter a year's value (no year) or correct one (with its year)."""
    indicator = get_for_user(
        request,
        Indicator.objects.select_related("plan", "responsible_department"),
        lambda user, indicator: may_edit_for_department(user, indicator.responsible_department),
        code=code,
    )
    current = None
    if year is not None:
        current = get_object_or_404(IndicatorValue, indicator=indicator, year=year)
    form = IndicatorValueForm(request.POST or None, instance=current)
    if indicator.target_kind != Indicator.TargetKind.YEARLY_TARGET:
        del form.fields["year_target"]  # only targets set for each year have one
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            value = services.value_save(
                indicator=indicator,
                year=data["year"],
                value=data["value"],
                note=data["note"],
                year_target=data.get("year_target"),
                by=request.user,
                current=current,
                version=data["loaded_version"],
            )
        except Conflict as error:
            # The form shows the value saved now, at its version; the user's beside it.
            conflict = error
            current = error.current
            error.yours = refused(form, {"value": current.value, "note": current.note})
            form = IndicatorValueForm(instance=current)
        except ValidationError as error:
            place_errors(form, error)
        else:
            messages.success(
                request,
                _("The %(year)s value of %(name)s is saved.")
                % {"year": value.year, "name": indicator.name},
            )
            return redirect(indicator)
    context = {"indicator": indicator, "form": form, "current": current, "conflict": conflict}
    return render(request, "indicators/value_form.html", context, status=409 if conflict else 200)
