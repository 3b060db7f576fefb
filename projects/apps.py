from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("Portfolio")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from .middleware import start_session_clock
        from .roles import create_roles

        user_logged_in.connect(start_session_clock, dispatch_uid="liwan-session-clock")
        post_migrate.connect(create_roles, dispatch_uid="liwan-roles")
