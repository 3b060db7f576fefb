from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import formatting, resources, services
from .models import (
    AnnualInvestment,
    Attachment,
    Approval,
    ApprovalKind,
    ApprovalRequirement,
    Carryover,
    CoordinationProblem,
    KeyProject,
    Department,
    Milestone,
    Plan,
    PlanChapter,
    ProgressReport,
    Project,
    ProjectChapter,
    User,
)
from .permissions import is_administrator
from .roles import Role
from .spreadsheets import SpreadsheetAdminMixin

# Roles are the app's own groups (projects.roles), set up by a migration: not edited by hand.
admin.site.unregister(Group)


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


class AmountInput(forms.NumberInput):
    """An amount as people write it, 3.15, not the 3.1500 its column stores."""

    places = 2  # at least these decimals

    def format_value(self, value):
        if isinstance(value, Decimal):
            return formatting.plain(value, self.places)
        return super().format_value(value)


# Amounts in 亿元 (every DecimalField of this app), in forms and in list columns.
AMOUNT_FIELDS = {models.DecimalField: {"widget": AmountInput}}


def money_column(field, model):
    """A list column showing an amount field as "3.15 亿元", sortable by the field."""

    @admin.display(description=model._meta.get_field(field).verbose_name, ordering=field)
    def column(obj):
        return formatting.money(getattr(obj, field))

    column.__name__ = f"{field}_money"
    return column


@admin.register(Department)
class DepartmentAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = [resources.DepartmentResource]
    list_display = ["name", "short_name", "name_en", "kind", "slug", "contact"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class RoleField(forms.ModelMultipleChoiceField):
    """The role groups by the names people read (Role's labels), not the groups' own."""

    def label_from_instance(self, group):
        return Role(group.name).label if group.name in Role.values else group.name


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    # Filed under Accounts (liwan_projects.admin); the other pages find their templates
    # under templates/admin/projects/user/ by Django's own search.
    add_form_template = "admin/projects/user/add_form.html"
    change_user_password_template = "admin/projects/user/change_password.html"
    # The roles are four groups: ticked as boxes, not moved between two lists (whose
    # JavaScript speaks English: Django 5.2's zh-hans JavaScript catalogue lacks it).
    filter_horizontal = ["user_permissions"]
    list_display = ["username", "first_name", "last_name", "department", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", RoleFilter, "department__kind"]
    list_select_related = ["department"]
    search_fields = ["username", "first_name", "last_name", "email", "department__name"]
    autocomplete_fields = ["department"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Department"), {"fields": ["department"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("Department"), {"fields": ["department"]}),)

    # Only a superuser widens anyone's rights. An administrator who is not one keeps the
    # staff's accounts (names, departments, the manager, viewer and editor roles) but cannot
    # grant superuser or staff status, the administrator role or single permissions, nor
    # change a superuser's or an administrator's account, their own included.
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "is_staff", "user_permissions"]
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs.update(widget=forms.CheckboxSelectMultiple, form_class=RoleField)
            if not request.user.is_superuser:
                kwargs["queryset"] = Group.objects.exclude(name=Role.ADMINISTRATOR.value)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _holds_wide_rights(self, obj):
        return obj is not None and (obj.is_superuser or is_administrator(obj))

    def has_change_permission(self, request, obj=None):
        if self._holds_wide_rights(obj) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._holds_wide_rights(obj) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


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
        "calls_for_works",
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
class PlanChapterAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    # A new plan's outline, from a spreadsheet (before its indicators).
    resource_classes = [resources.ChapterResource]
    list_display = [
        "code",
        "title",
        "plan",
        "parent",
        "paragraph_start",
        "paragraph_end",
        "title_is_official",
        "calls_for_works",
    ]
    list_filter = ["plan", "title_is_official", "calls_for_works"]
    list_select_related = ["plan", "parent__plan"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["plan", "parent"]
    ordering = ["plan__number", "order"]


class MilestoneAdminForm(forms.ModelForm):
    """A milestone in the admin. Changing one already done needs a reason, and so does a
    re-baseline (a new planned date: the model's rule, Milestone.clean); the change history
    keeps the reason (departments cannot change either: services.refuse_if_done, and their
    forms have no planned date)."""

    change_reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        help_text=_(
            "Kept in the change history; needed to change a milestone already done or to "
            "move its planned date (a re-baseline)."
        ),
    )

    def clean(self):
        data = super().clean()
        reason = data.get("change_reason", "").strip()
        # Read by the model's rules (run after this) and written into the history record.
        self.instance._change_reason = reason or None
        changed = [name for name in self.changed_data if name != "change_reason"]
        if self.instance.was_done and changed and not reason:
            self.add_error("change_reason", _("Say why a milestone already done is changed."))
        return data


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneAdminForm
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
        "original_planned_date",
        "is_sample",
        "change_reason",
    ]
    readonly_fields = ["original_planned_date"]
    autocomplete_fields = ["responsible_department"]
    extra = 0


class AnnualInvestmentInline(admin.TabularInline):
    model = AnnualInvestment
    formfield_overrides = AMOUNT_FIELDS
    fields = ["year", "planned", "completed", "corrected_by", "correction_reason", "is_sample"]
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
        money_column("total_investment", Project),
        "is_sample",
    ]
    formfield_overrides = AMOUNT_FIELDS
    list_filter = ["stage", "category", "area", "lead_department", "is_sample"]
    list_select_related = ["lead_department"]
    search_fields = ["code", "name", "name_en", "source_sentence"]
    autocomplete_fields = ["lead_department", "partner_departments", "part_of"]
    inlines = [ProjectChapterInline, MilestoneInline, AnnualInvestmentInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "category", "area", "stage", "part_of"]}),
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A new project, or one whose category changed, gets its category's checklist.
        services.approvals_fill(
            projects=Project.objects.filter(pk=form.instance.pk), by=request.user
        )


@admin.register(Milestone)
class MilestoneAdmin(VersionedAdminMixin, SpreadsheetAdminMixin, SimpleHistoryAdmin):
    form = MilestoneAdminForm
    resource_classes = [resources.MilestoneResource]
    readonly_fields = ["original_planned_date"]
    list_display = [
        "title",
        "project",
        "planned_date",
        "original_planned_date",
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
    formfield_overrides = AMOUNT_FIELDS
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


@admin.register(CoordinationProblem)
class CoordinationProblemAdmin(SimpleHistoryAdmin):
    list_display = ["description", "report", "help_department", "urgency", "status", "is_sample"]
    list_filter = ["status", "urgency", "help_department", "is_sample"]
    list_select_related = ["report__project", "help_department"]
    search_fields = ["description", "report__project__code", "report__project__name"]
    autocomplete_fields = ["report", "help_department", "raised_by", "resolved_by"]


@admin.register(AnnualInvestment)
class AnnualInvestmentAdmin(SpreadsheetAdminMixin, SimpleHistoryAdmin):
    resource_classes = [resources.AnnualInvestmentResource]
    list_display = [
        "project",
        "year",
        money_column("planned", AnnualInvestment),
        money_column("completed", AnnualInvestment),
        "corrected_by",
        "is_sample",
    ]
    formfield_overrides = AMOUNT_FIELDS
    list_filter = ["year", "project__category", "is_sample"]
    list_select_related = ["project"]
    search_fields = ["project__code", "project__name"]
    autocomplete_fields = ["project"]


@admin.register(KeyProject)
class KeyProjectAdmin(SpreadsheetAdminMixin, SimpleHistoryAdmin):
    resource_classes = [resources.KeyProjectResource]
    list_display = ["year", "project", "is_sample"]
    list_filter = ["year", "project__category", "is_sample"]
    list_select_related = ["project"]
    search_fields = ["project__code", "project__name"]
    autocomplete_fields = ["project"]


@admin.register(Carryover)
class CarryoverAdmin(SimpleHistoryAdmin):
    """Carry-overs are made from the project's page or the portfolio, where the chapters of
    the new plan are chosen with them (services.carry_over); here an administrator reads
    them, corrects a reason, or deletes one made by mistake (its chapter links stay: remove
    them on the project's page in the admin)."""

    list_display = ["project", "from_plan", "to_plan", "carried_on", "carried_by"]
    list_filter = ["to_plan", "from_plan", "carried_on"]
    list_select_related = ["project", "from_plan", "to_plan", "carried_by"]
    search_fields = ["project__code", "project__name", "reason"]
    fields = ["project", "from_plan", "to_plan", "carried_on", "carried_by", "reason"]
    readonly_fields = ["project", "from_plan", "to_plan", "carried_on", "carried_by"]

    def has_add_permission(self, request):
        return False


class StoredFileAdmin(SimpleHistoryAdmin):
    """Attached files: read, and deleted by an administrator only (the history keeps who
    deleted which file, and when; the file leaves storage). Files are added where the
    record is edited (the report form, the milestone page, a reply), checked there."""

    list_display = ["name", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["name", "sha256"]
    readonly_fields = ["open_file", "name", "kind", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    exclude = ["file", "thumbnail"]
    file_url = None  # the URL name of the view that sends the file

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user) and super().has_delete_permission(request, obj)

    @admin.display(description=_("file"))
    def open_file(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        return format_html('<a href="{}">{}</a>', reverse(self.file_url, args=[obj.pk]), obj.name)


@admin.register(Attachment)
class AttachmentAdmin(StoredFileAdmin):
    list_display = [
        "name",
        "kind",
        "report",
        "milestone",
        "approval",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = [
        "report__project",
        "milestone__project",
        "approval__project",
        "approval__kind",
        "uploaded_by",
    ]
    readonly_fields = ["report", "milestone", "approval", *StoredFileAdmin.readonly_fields]
    file_url = "projects:file"
class ApprovalRequirementInline(admin.TabularInline):
    model = ApprovalRequirement
    extra = 0
    verbose_name = _("category whose checklist holds it")
    verbose_name_plural = _("categories whose checklist holds it")


@admin.register(ApprovalKind)
class ApprovalKindAdmin(admin.ModelAdmin):
    """The checklist of pre-construction approvals per project category (seeded with a
    default one). Saving adds the kind to the checklists of existing projects of its
    categories; a line removed here stays on the projects that have it."""

    list_display = ["order", "code", "name", "name_en"]
    list_display_links = ["code", "name"]
    search_fields = ["code", "name", "name_en"]
    inlines = [ApprovalRequirementInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        categories = form.instance.requirements.values("category")
        services.approvals_fill(
            projects=Project.objects.filter(category__in=categories), by=request.user
        )


@admin.register(Approval)
class ApprovalAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ["project", "kind", "state", "number", "issued_on", "is_sample"]
    list_filter = ["state", "kind", "project__category", "project__lead_department", "is_sample"]
    list_select_related = ["project", "kind"]
    search_fields = ["project__code", "project__name", "number"]
    autocomplete_fields = ["project"]
