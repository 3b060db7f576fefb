"""API tokens in the admin: an administrator issues a token for a user (its key shown once,
on the page after saving), sees when each was last used, and revokes it."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "state"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["user", "name", "expires_at"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A token is issued for a user and a purpose; later only its expiry may change.
        if obj is None:
            return []
        return ["user", "name", *self.readonly_fields]

    @admin.display(description=_("state"))
    def state(self, token):
        if token.is_revoked:
            return _("revoked")
        if not token.is_usable():
            return _("expired")
        return _("active")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.created_by = request.user
        obj.issued_key = obj.set_new_key()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The key is shown on this one page, never redirected with (no message, no cookie).
        context = self.admin_site.each_context(request) | {
            "opts": self.opts,
            "token": obj,
            "key": obj.issued_key,
            "title": _("The token's key"),
        }
        response = TemplateResponse(request, "admin/api/apitoken/issued.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )

    def has_delete_permission(self, request, obj=None):
        # Revoked, not deleted: the list keeps who had access.
        return False
