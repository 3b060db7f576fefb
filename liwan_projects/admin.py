"""The admin site: the app's own header (templates/admin/base_site.html) and its sections.

Users are filed under Accounts (账户), not under the projects app whose model they are: the
site's get_app_list, which Django documents as the place to order and group the index and
the navigation sidebar, moves them into a section of their own. Their pages' breadcrumbs
say the same (templates/admin/projects/user/). A proxy model in a new app would have done
it too, at the price of an app, a migration and permissions of its own for one heading."""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (app label, model name) of the models shown under Accounts.
ACCOUNT_MODELS = {("projects", "user"), ("auth", "group")}


class LiwanAdminSite(admin.AdminSite):
    site_header = _("Liwan Projects administration")
    site_title = _("Liwan Projects")
    index_title = _("Data entry")

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        accounts = []
        for app in app_list:
            mine = [m for m in app["models"] if self._is_account(app, m)]
            app["models"] = [m for m in app["models"] if m not in mine]
            accounts += mine
        app_list = [app for app in app_list if app["models"]]
        if accounts and app_label is None:  # an app's own page lists that app only
            app_list.append(
                {
                    "name": _("Accounts"),
                    "app_label": "accounts",
                    "app_url": accounts[0]["admin_url"] or reverse("admin:index"),
                    "has_module_perms": True,
                    "models": accounts,
                }
            )
        return app_list

    @staticmethod
    def _is_account(app, model):
        return (app["app_label"], model["object_name"].lower()) in ACCOUNT_MODELS
