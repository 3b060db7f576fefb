from django.contrib import admin

from projects.admin import StoredFileAdmin

from .models import OrderStep, ReplyAttachment, SupervisionOrder


class OrderStepInline(admin.TabularInline):
    model = OrderStep
    extra = 0
    can_delete = False
    fields = ["kind", "at", "by", "text", "reply_due", "forecast_date"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    """Orders are issued, answered and closed in the app, where each step is kept; the
    admin shows them (and may delete one issued by mistake) but does not edit them."""

    list_display = ["number", "project", "department", "level", "state", "reply_due", "urge_count"]
    list_filter = ["state", "level", "department", "is_sample"]
    list_select_related = ["project", "department"]
    search_fields = ["project__code", "project__name", "request"]
    inlines = [OrderStepInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ReplyAttachment)
class ReplyAttachmentAdmin(StoredFileAdmin):
    list_display = ["name", "kind", "step", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["step__order__project", "uploaded_by"]
    readonly_fields = ["step", *StoredFileAdmin.readonly_fields]
    file_url = "supervision:file"
