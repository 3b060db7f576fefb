from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from projects import admin as portfolio_admin
from projects import formatting
from projects.admin import VersionedAdminMixin
from projects.models import Project
from projects.spreadsheets import SpreadsheetAdminMixin
from projects.validators import change_reason_rules

from .models import Indicator, IndicatorValue, ProjectIndicator
from .resources import IndicatorResource, IndicatorValueResource


class IndicatorValueAdminForm(forms.ModelForm):
    """An indicator value in the admin. Changing one the district published (source
    official) needs a reason, which the change history keeps; departments cannot change
    one at all (indicators.services.value_save)."""

    change_reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        validators=change_reason_rules,
        help_text=_("Kept in the change history; needed to change a published (official) value."),
    )

    def clean(self):
        data = super().clean()
        # Written into the history record; the model asks for it when a published value
        # changes (IndicatorValue.clean, which the import reaches too).
        self.instance._change_reason = data.get("change_reason", "").strip() or None
        return data


# A source's address typed without a scheme is read as https (Django 6's default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
# Figures as people write them (5.1, not the 5.1000 the column stores), in forms and lists.
class FigureInput(portfolio_admin.AmountInput):
    places = 0


FIGURE_FIELDS = URL_FIELDS | {models.DecimalField: {"widget": FigureInput}}


def figure_column(model, field, indicator=lambda obj: obj):
    """A list column showing a figure with its indicator's unit ("150 家", "5.1%")."""

    @admin.display(description=model._meta.get_field(field).verbose_name, ordering=field)
    def column(obj):
        return formatting.quantity(getattr(obj, field), indicator(obj).unit)

    column.__name__ = f"{field}_figure"
    return column


class IndicatorValueInline(admin.TabularInline):
    formfield_overrides = FIGURE_FIELDS
    model = IndicatorValue
    form = IndicatorValueAdminForm
    fields = [
        "year",
        "value",
        "year_target",
        "note",
        "source",
        "source_title",
        "source_date",
        "source_url",
        "entered_by",
        "change_reason",
    ]
    autocomplete_fields = ["entered_by"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(VersionedAdminMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    # A new plan's indicator table, from a spreadsheet (after its chapters).
    resource_classes = [IndicatorResource]
    list_display = [
        "code",
        "name",
        "unit",
        "category",
        "nature",
        "target_kind",
        figure_column(Indicator, "baseline_value"),
        "target_year",
        figure_column(Indicator, "target_value"),
        "responsible_department",
    ]
    formfield_overrides = FIGURE_FIELDS
    list_filter = ["plan", "category", "nature", "target_kind", "responsible_department"]
    list_select_related = ["responsible_department"]
    search_fields = ["code", "name", "name_en", "source_sentence"]
    autocomplete_fields = ["plan", "responsible_department", "chapters"]
    exclude = ["projects"]  # linked from each project's page (below)
    inlines = [IndicatorValueInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(VersionedAdminMixin, SpreadsheetAdminMixin, SimpleHistoryAdmin):
    formfield_overrides = FIGURE_FIELDS
    form = IndicatorValueAdminForm
    resource_classes = [IndicatorValueResource]
    list_display = [
        "indicator",
        "year",
        figure_column(IndicatorValue, "value", indicator=lambda obj: obj.indicator),
        "entered_by",
        "entered_at",
        "source",
    ]
    list_filter = ["year", "indicator__category", "source"]
    list_select_related = ["indicator", "entered_by"]
    search_fields = ["indicator__code", "indicator__name", "note"]
    autocomplete_fields = ["indicator", "entered_by"]


class ProjectIndicatorInline(admin.TabularInline):
    """The indicators a project serves, on the project's admin page (the link belongs to
    the indicators: Indicator.projects): a row each, saved one by one, so that each link
    added or removed is in the project's history with who and when."""

    model = ProjectIndicator
    autocomplete_fields = ["indicator"]
    extra = 0


admin.site.unregister(Project)


@admin.register(Project)
class ProjectAdmin(portfolio_admin.ProjectAdmin):
    inlines = [
        portfolio_admin.ProjectChapterInline,
        ProjectIndicatorInline,
        *(
            inline
            for inline in portfolio_admin.ProjectAdmin.inlines
            if inline is not portfolio_admin.ProjectChapterInline
        ),
    ]
