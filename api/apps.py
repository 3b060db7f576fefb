from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for the district's other systems (/api/v1/). Builds on projects,
    indicators and supervision; nothing imports it (tests/test_architecture.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("API access")

    def ready(self):
        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
