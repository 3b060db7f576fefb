from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.text import Truncator

from projects import names
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


@register.filter
def row_name(row):
    """A project's name in a values() row, in the page's language."""
    return names.row_name(row)


@register.filter
def row_department(row, prefix):
    """A department's name in a values() row, its fields after `prefix`
    ("lead_department__"), in the page's language."""
    return names.row_department(row, prefix)


@register.filter
def pair(headers, row):
    """(header, cell) for each cell of a row: a table's cells with their column's name."""
    return zip(headers, row, strict=False)
