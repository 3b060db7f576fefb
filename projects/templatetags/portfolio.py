from django import template
from django.utils.html import format_html

from projects.models import ProgressReport

register = template.Library()
LABELS = dict(ProgressReport.Health.choices)


@register.filter
def health(value):
    """A coloured badge for green / amber / red; a dash for nothing."""
    if value not in LABELS:
        return "–"
    return format_html('<span class="health health-{}">{}</span>', value, LABELS[value])


@register.filter
def money(value):
    return "–" if value is None else f"{value:,.2f}"
