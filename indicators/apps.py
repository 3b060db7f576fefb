from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("Plan indicators")

    def ready(self):
        from projects.resources import RESOURCES

        from .resources import IndicatorResource, IndicatorValueResource

        # manage.py import_spreadsheet indicators / indicator-values
        RESOURCES["indicators"] = IndicatorResource
        RESOURCES["indicator-values"] = IndicatorValueResource
