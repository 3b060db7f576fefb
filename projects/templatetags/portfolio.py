import functools
import re

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django_tables2.utils import AttributeDict

from projects import charts, formatting, names, plandata, rows, timeline
from projects.clock import today
from projects.models import ProgressReport, Project

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


SIC = "[原文如此]"  # inside a quotation of the Chinese text, in both languages


@functools.cache
def _defect_pattern():
    marks = sorted(plandata.defects(), key=lambda mark: -len(mark[0]))
    return re.compile("|".join(re.escape(text) for text, _note in marks)) if marks else None


@register.filter
def sic(text):
    """A quotation of the plan text, escaped, with "[原文如此]" after each of the text's own
    known defects (projects.plandata.defects), the note on it; the quoted text unchanged."""
    if not text:
        return ""
    pattern = _defect_pattern()
    if pattern is None:
        return conditional_escape(text)
    notes = dict(plandata.defects())
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(conditional_escape(text[last : match.end()]))
        parts.append(format_html('<span class="sic" title="{}">{}</span>', notes[match[0]], SIC))
        last = match.end()
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(parts))


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


@register.simple_tag
def portfolio_row(table, project):
    """A row of the portfolio table, written in Python (projects/rows.py); what it needs
    once for the table (escaped headers, the link maker) is kept on the table."""
    if not hasattr(table, "row_parts"):
        table.row_parts = (
            {name: conditional_escape(label) for name, label in table.labels.items()},
            rows.choice_labels(Project, "category", "area", "stage"),
            rows.project_url_maker(),
            badges(),
        )
    labels, choices, url, badge = table.row_parts
    return mark_safe(rows.portfolio_row(table, project, url(project.code), labels, choices, badge))


def badges():
    """health, each badge made once for a table (two a row: format_html and a translation
    each time cost more than the rest of the row's cells)."""
    made = {}

    def badge(value):
        if value not in made:
            made[value] = health(value)
        return made[value]

    return badge


@register.simple_tag
def milestone_row(table, milestone):
    """A row of the overdue board or the upcoming list, written in Python
    (projects/rows.py); what it needs once for the table is kept on the table."""
    if not hasattr(table, "row_parts"):
        table.row_parts = (
            {name: conditional_escape(label) for name, label in table.labels.items()},
            rows.project_url_maker(),
            reverse("supervision:new") if "action" in table.columns else None,
            today(),
        )
    labels, url, supervise, on = table.row_parts
    return mark_safe(
        rows.milestone_row(table, milestone, url(milestone.project.code), labels, supervise, on)
    )


def html_tag(name, write, takes_context=False):
    """A simple tag `name` showing what write(*its arguments) returns: HTML written in Python
    (projects/rows.py, timeline.py, charts.py), which escapes what it puts in, marked safe.
    With `takes_context`, write() gets the template's context first."""
    if takes_context:

        def tag(context, *args):
            return mark_safe(write(context, *args))

    else:

        def tag(*args):
            return mark_safe(write(*args))

    register.simple_tag(tag, name=name, takes_context=takes_context)


# A report's line and its review on its project's page, each report's entry there, the rows
# of its milestones, investment by year and approvals, a timeline's SVG and an investment
# curve's; the chapters' tables.
html_tag("report_heading", lambda report: rows.report_heading(report, health))
html_tag("review_line", rows.review_line)
html_tag(
    "report_entries",
    lambda context, *args: rows.report_entries(*args, context.get("csrf_token"), badges()),
    takes_context=True,
)
html_tag("project_milestone_rows", rows.project_milestone_rows)
html_tag("investment_rows", rows.investment_rows)
html_tag("approval_rows", rows.approval_rows)
html_tag("timeline_svg", timeline.svg)
html_tag("investment_curve", charts.svg)  # a curve and the id of its title
# The rows of a plan's table of chapters, and of a chapter's table of projects.
html_tag("chapter_rows", rows.chapter_rows)
html_tag(
    "chapter_project_rows",
    lambda projects, chapter: rows.chapter_project_rows(projects, chapter, badges()),
)


@register.simple_tag
def table_body(table, row):
    """A table's <tbody> with each row of its page written by `row` (portfolio_row or
    milestone_row), in one tag rather than a template loop whose block and tag cost each
    row more than writing it; the table's empty text when it has no row."""
    records = [bound.record for bound in table.paginated_rows]
    opening = f"<tbody {AttributeDict(table.attrs.get('tbody') or {}).as_html()}>"
    if not records:
        if not table.empty_text:
            return mark_safe(f"{opening}\n</tbody>")
        return format_html(
            '{}\n<tr><td colspan="{}">{}</td></tr>\n</tbody>',
            mark_safe(opening),
            len(table.columns),
            table.empty_text,
        )
    write = {"portfolio": portfolio_row, "milestone": milestone_row}[row]
    return mark_safe("".join([opening, *(write(table, record) for record in records), "\n</tbody>"]))
