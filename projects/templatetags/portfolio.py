from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.text import Truncator

from projects import formatting
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
    """An amount in 亿元: "3.15 亿元" (projects/formatting.py); every amount a page or a
    message shows goes through it."""
    return formatting.money(value)


@register.filter
def percent(value, places=0):
    """A percentage without a space before its sign: "57%", or "57.3%" with |percent:1."""
    return formatting.percent(value, int(places))


@register.filter
def quantity(value, unit):
    """A figure with its unit: "150 家", "5.5%", "1,450.00 亿元"."""
    return formatting.quantity(value, unit)


@register.filter
def long_text(value, length=80):
    """A text in a table cell: whole when short, else its first `length` characters, which
    open in place to the whole text (a <details>, no script)."""
    if not value:
        return "–"
    if len(value) <= length:
        return linebreaksbr(value, autoescape=True)
    return format_html(
        '<details class="long-text"><summary><span class="short">{}</span></summary>'
        '<div class="full">{}</div></details>',
        Truncator(value).chars(length),
        linebreaksbr(value, autoescape=True),
    )
