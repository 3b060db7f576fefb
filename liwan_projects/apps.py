from django.contrib.admin.apps import AdminConfig


class LiwanAdminConfig(AdminConfig):
    """django.contrib.admin with our site as admin.site (Django's documented way of
    overriding the default admin site)."""

    default_site = "liwan_projects.admin.LiwanAdminSite"
