from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.admin import VersionedAdminMixin
from projects.spreadsheets import SpreadsheetAdminMixin

from .models import Indicator, IndicatorValue
from .resources import IndicatorValueResource


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    fields = ["year", "value", "note", "entered_by", "is_sample"]
    autocomplete_fields = ["entered_by"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "unit",
        "category",
        "nature",
        "target_kind",
        "baseline_value",
        "target_year",
        "target_value",
        "responsible_department",
    ]
    list_filter = ["plan", "category", "nature", "target_kind", "responsible_department"]
    list_select_related = ["responsible_department"]
    search_fields = ["code", "name", "name_en", "source_sentence"]
    autocomplete_fields = ["plan", "responsible_department", "chapters"]
    inlines = [IndicatorValueInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(VersionedAdminMixin, SpreadsheetAdminMixin, SimpleHistoryAdmin):
    resource_classes = [IndicatorValueResource]
    list_display = ["indicator", "year", "value", "entered_by", "entered_at", "is_sample"]
    list_filter = ["year", "indicator__category", "is_sample"]
    list_select_related = ["indicator", "entered_by"]
    search_fields = ["indicator__code", "indicator__name", "note"]
    autocomplete_fields = ["indicator", "entered_by"]
