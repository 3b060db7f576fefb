from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import resources
from .models import (
    AnnualInvestment,
    Department,
    Milestone,
    Plan,
    PlanChapter,
    ProgressReport,
    Project,
    ProjectChapter,
    User,
)
from .spreadsheets import SpreadsheetAdminMixin

# Roles are the app's own groups (projects.roles), set up by a migration: not edited by hand.
admin.site.unregister(Group)

admin.site.site_header = _("Liwan Projects administration")
admin.site.site_title = _("Liwan Projects")
admin.site.index_title = _("Data entry")


class VersionedAdminMixin:
    """An administrator's change moves the version on, as a department's save does, so a
    department's form opened before it is refused (HTTP 409) instead of overwriting it.
    Covers the record itself and its inline rows."""

    def save_model(self, request, obj, form, change):
        if change and form.has_changed() and hasattr(obj, "version"):
            obj.version += 1
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed() and hasattr(instance, "version"):
                instance.version += 1
        super().save_formset(request, form, formset, change)


@admin.register(Department)
class DepartmentAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = [resources.DepartmentResource]
    list_display = ["name", "short_name", "name_en", "kind", "slug", "contact"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "department", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "department__kind"]
    list_select_related = ["department"]
    search_fields = ["username", "first_name", "last_name", "email", "department__name"]
    autocomplete_fields = ["department"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Department"), {"fields": ["department"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("Department"), {"fields": ["department"]}),)


class PlanChapterInline(admin.TabularInline):
    model = PlanChapter
    fields = [
        "code",
        "title",
        "parent",
        "order",
        "paragraph_start",
        "paragraph_end",
        "title_is_official",
    ]
    autocomplete_fields = ["parent"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "short_name",
        "name",
        "number",
        "start_year",
        "end_year",
        "document_number",
        "issued_on",
    ]
    search_fields = ["name", "short_name", "document_number"]
    inlines = [PlanChapterInline]


@admin.register(PlanChapter)
class PlanChapterAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "plan",
        "parent",
        "paragraph_start",
        "paragraph_end",
        "title_is_official",
    ]
    list_filter = ["plan", "title_is_official"]
    list_select_related = ["plan", "parent__plan"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["plan", "parent"]
    ordering = ["plan__number", "order"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}
    }
    fields = [
        "title",
        "planned_date",
        "forecast_date",
        "forecast_reason",
        "actual_date",
        "responsible_department",
        "is_sample",
    ]
    autocomplete_fields = ["responsible_department"]
    extra = 0


class AnnualInvestmentInline(admin.TabularInline):
    model = AnnualInvestment
    fields = ["year", "planned", "completed", "is_sample"]
    extra = 0


class ProjectChapterInline(admin.TabularInline):
    model = ProjectChapter
    autocomplete_fields = ["chapter"]
    extra = 0


@admin.register(Project)
class ProjectAdmin(VersionedAdminMixin, SpreadsheetAdminMixin, SimpleHistoryAdmin):
    resource_classes = [resources.ProjectResource]
    list_display = [
        "code",
        "name",
        "category",
        "area",
        "stage",
        "lead_department",
        "planned_completion",
        "total_investment",
        "is_sample",
    ]
    list_filter = ["stage", "category", "area", "lead_department", "is_sample"]
    list_select_related = ["lead_department"]
    search_fields = ["code", "name", "name_en", "source_sentence"]
    autocomplete_fields = ["lead_department", "partner_departments"]
    inlines = [ProjectChapterInline, MilestoneInline, AnnualInvestmentInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "category", "area", "stage"]}),
        (
            _("Ownership"),
            {
                "fields": [
                    "lead_department",
                    "partner_departments",
                    "leader",
                    "contact_name",
                    "contact_phone",
                ]
            },
        ),
        (
            _("Schedule and money"),
            {"fields": ["start_date", "planned_completion", "total_investment"]},
        ),
        (
            _("Plan"),
            {"fields": ["description", "source_paragraph", "source_sentence"]},
        ),
        (None, {"fields": ["is_sample"]}),
    ]


@admin.register(Milestone)
class MilestoneAdmin(VersionedAdminMixin, SpreadsheetAdminMixin, SimpleHistoryAdmin):
    resource_classes = [resources.MilestoneResource]
    list_display = [
        "title",
        "project",
        "planned_date",
        "forecast_date",
        "actual_date",
        "responsible_department",
        "is_sample",
    ]
    list_filter = ["responsible_department", "project__category", "is_sample"]
    list_select_related = ["project", "responsible_department"]
    search_fields = ["title", "project__code", "project__name"]
    autocomplete_fields = ["project", "responsible_department"]
    date_hierarchy = "planned_date"


@admin.register(ProgressReport)
class ProgressReportAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "project",
        "period",
        "health",
        "percent_complete",
        "author",
        "submitted_at",
        "is_sample",
    ]
    list_filter = ["health", "project__lead_department", "is_sample"]
    list_select_related = ["project", "author"]
    search_fields = ["project__code", "project__name", "narrative", "problems"]
    autocomplete_fields = ["project", "author"]
    date_hierarchy = "period"


@admin.register(AnnualInvestment)
class AnnualInvestmentAdmin(SpreadsheetAdminMixin, SimpleHistoryAdmin):
    resource_classes = [resources.AnnualInvestmentResource]
    list_display = ["project", "year", "planned", "completed", "is_sample"]
    list_filter = ["year", "project__category", "is_sample"]
    list_select_related = ["project"]
    search_fields = ["project__code", "project__name"]
    autocomplete_fields = ["project"]
