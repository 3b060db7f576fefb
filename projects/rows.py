"""The HTML of a portfolio row (ProjectTable), written in Python.

The portfolio is the hottest page, and its 50 rows were most of its processor time:
each of their 14 cells cost Django's template engine several variable lookups, a filter
and an escape (about 3,500 lookups a page). Here a row is one format string over values
read once, escaped as the template escaped them, with the same markup as the template it
replaced, so the page shows exactly what it showed. The headers, sorting, paging and
exports are still django-tables2's (ProjectTable); only the rows' markup is here.

So are, the same way, the line of each of the 30-odd reports on a project's page and the
line of its review, most of that page's template time (a date formatted, a choice looked
up, a phrase translated, several times for each); and then each report's whole entry and
each row of the page's milestone table, the same markup as the template's loops, byte for
byte (tests render the loops they replaced and compare). What is rare there (a row's
files, the confirmation of a save) is still rendered by the same included templates."""

import datetime
from urllib.parse import quote

from django.template.loader import get_template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, gettext_noop, pgettext

from . import formatting
from .models import Approval, ProgressReport, Project
from .renderers import esc

DASH = formatting.DASH
REVIEW_STATUSES = dict(ProgressReport.Status.choices)


def ymd(day):
    """A date as the templates' |date:"Y-m-d" writes it."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def project_url_maker(name="projects:detail"):
    """A function code -> the project's page (or the page `name` of another text
    argument: a chapter's key), reverse() worked out once for a table (reverse quotes an
    argument as urllib's quote does, with these safe characters)."""
    marker = "CODE"
    prefix, suffix = reverse(name, args=[marker]).rsplit(marker, 1)

    def url(code):
        return f"{prefix}{quote(code, safe='!$&' + chr(39) + '()*+,;=/~:@')}{suffix}"

    return url


def choice_labels(model, *fields):
    """{field: {value: its label, escaped}}: what get_FOO_display() says, worked out once
    for a table (get_FOO_display builds its dictionary of choices at every call)."""
    return {
        name: {value: esc(label) for value, label in model._meta.get_field(name).flatchoices}
        for name in fields
    }


def portfolio_row(table, p, url, labels, choices, health):
    """A row of the portfolio: `table` a ProjectTable (may_carry, select_all), `p` a
    project of Project.objects.for_portfolio(), `url` its page's address, `labels` the
    columns' headers escaped, `choices` choice_labels() of category, area and stage, and
    `health` the badge filter of the templates."""
    url = esc(url)
    cells = ["\n<tr>\n  "]
    if table.may_carry:
        checked = " checked" if table.select_all else ""
        cells.append(
            f'<td data-label="{labels["select"]}"><input type="checkbox" name="project" '
            f'value="{p.pk}" aria-label="{esc(p.code)}"{checked}></td>'
        )
    name = f'<a href="{url}">{esc(p.display_name)}</a>'
    if p.carried_on:
        carried = gettext("carried over into %(later)s on %(day)s") % {
            "later": esc(p.carried_into),
            "day": ymd(p.carried_on),
        }
        reason = esc(p.carryover_reason)
        short = esc(Truncator(p.carryover_reason).chars(40))
        name += (
            f'<br><small><span class="carried">{carried}</span> '
            f'<span title="{reason}">{short}</span></small>'
        )
    mismatch = (
        f' <span class="flag">{esc(gettext("mismatch"))}</span>' if p.is_health_mismatch else ""
    )
    overdue = (
        f'<a class="overdue" href="{url}#milestones">{p.overdue_count}</a>'
        if p.overdue_count
        else "0"
    )
    if p.next_milestone_date:
        upcoming = f"{esc(p.next_milestone_title)}<br><small>{ymd(p.next_milestone_date)}</small>"
    else:
        upcoming = DASH
    if p.investment_planned is not None or p.investment_completed is not None:
        investment = (
            f"{esc(formatting.money(p.investment_completed))} / "
            f"{esc(formatting.money(p.investment_planned))}"
            f"<br><small>{esc(formatting.percent(p.investment_rate))}</small>"
        )
    else:
        investment = DASH
    period = p.latest_report_period
    cells.append(
        f'\n  <td data-label="{labels["code"]}" class="nowrap"><a href="{url}">{esc(p.code)}</a></td>'
        f'\n  <td class="card-title wide-cell">{name}</td>'
        f'\n  <td data-label="{labels["lead_department"]}" class="mid-cell">'
        f"{esc(p.lead_department) if p.lead_department else DASH}</td>"
        f'\n  <td data-label="{labels["category"]}">{choices["category"].get(p.category, esc(p.category))}</td>'
        f'\n  <td data-label="{labels["area"]}">{choices["area"].get(p.area, esc(p.area))}</td>'
        f'\n  <td data-label="{labels["stage"]}">{choices["stage"].get(p.stage, esc(p.stage))}</td>'
        f'\n  <td data-label="{labels["latest_health"]}">{health(p.latest_health)}{mismatch}</td>'
        f'\n  <td data-label="{labels["schedule_health"]}">{health(p.schedule_health)}</td>'
        f'\n  <td data-label="{labels["latest_percent_complete"]}">'
        f"{esc(formatting.percent(p.latest_percent_complete))}</td>"
        f'\n  <td data-label="{labels["overdue_count"]}">{overdue}</td>'
        f'\n  <td data-label="{labels["next_milestone_date"]}">{upcoming}</td>'
        f'\n  <td data-label="{labels["investment"]}" class="nowrap">{investment}</td>'
        f'\n  <td data-label="{labels["latest_report_period"]}" class="nowrap">'
        f"{f'{period.year:04d}-{period.month:02d}' if period else DASH}</td>"
        "\n</tr>"
    )
    return "".join(cells)


def milestone_row(table, m, project_url, labels, supervise_url, on):
    """A row of the overdue board or the upcoming list: `table` a MilestoneTable or an
    UpcomingTable (counts_days_left), `m` a milestone of Milestone.objects.for_lists(),
    `project_url` its project's page, `labels` the columns' headers escaped,
    `supervise_url` the address of a new supervision order, or None without the action
    column, and `on` today, from which days are counted."""
    label = labels.get
    project = m.project
    if m.is_rebaselined:
        rebaselined = f'<span class="flag">{esc(gettext("yes"))}</span>'
    else:
        rebaselined = esc(gettext("no"))
    late = m.days_overdue_original(on)
    late = f'<b class="overdue">{late}</b>' if late else f"{late}"
    if table.counts_days_left:
        days = f"{m.days_until(on)}"
    else:
        days = f'<b class="overdue">{m.days_overdue(on)}</b>'
    department = m.responsible_department
    row = (
        "\n<tr>"
        f'\n  <td class="card-title wide-cell"><a href="{esc(project_url)}">'
        f"{esc(project.code)} {esc(project.display_name)}</a></td>"
        f'\n  <td data-label="{label("title", "")}">{esc(m.title)}</td>'
        f'\n  <td data-label="{label("responsible_department", "")}">'
        f"{esc(department) if department else DASH}</td>"
        f'\n  <td data-label="{label("planned_date", "")}" class="nowrap">{ymd(m.planned_date)}</td>'
        f'\n  <td data-label="{label("original_planned_date", "")}" class="nowrap">'
        f"{ymd(m.original_planned_date) if m.original_planned_date else ''}</td>"
        f'\n  <td data-label="{label("rebaselined", "")}">{rebaselined}</td>'
        f'\n  <td data-label="{label("forecast_date", "")}" class="nowrap">'
        f"{ymd(m.forecast_date) if m.forecast_date else DASH}</td>"
        f'\n  <td data-label="{label("days_overdue_original", "")}">{late}</td>'
        f'\n  <td data-label="{label("days_overdue", "")}">{days}</td>'
        "\n  "
    )
    if supervise_url is not None:
        row += (
            f'<td data-label="{label("action", "")}"><a class="button small" '
            f'href="{esc(supervise_url)}?milestone={m.pk}">{esc(gettext("Supervise"))}</a></td>'
        )
    return row + "\n</tr>"


def report_heading(report, health):
    """A report's line on its project's page (what its <h3> says): its month, health and
    review status, percent complete, the month's and the year's investment if given, its
    author and the day it was submitted. `health` is the badge filter of the templates."""
    status = esc(REVIEW_STATUSES.get(report.status, report.status))
    line = (
        f"{report.period.year:04d}-{report.period.month:02d} {health(report.health)} "
        f'<span class="review review-{esc(report.status)}">{status}</span> '
        f'<small class="muted">{esc(formatting.percent(report.percent_complete))}'
    )
    if report.investment_completed_ytd is not None:
        investment = gettext("investment %(month)s this month, %(ytd)s this year") % {
            "month": esc(formatting.money(report.investment_completed_month)),
            "ytd": esc(formatting.money(report.investment_completed_ytd)),
        }
        line += f" · {investment}"
    submitted = template_localtime(report.submitted_at)
    return (
        f"{line} · {esc(report.author) if report.author else DASH} · "
        f"{ymd(submitted) if submitted else ''}</small>"
    )


def review_line(report):
    """The paragraph of a report's review on its project's page, if it has been reviewed or
    commented on: the comment, who reviewed it and when."""
    if not (report.review_comment or report.reviewed_at):
        return ""
    line = '<p class="review-comment">'
    if report.review_comment:
        line += f"<b>{esc(gettext('review comment'))}:</b> {esc(report.review_comment)} "
    if report.reviewed_at:
        at = template_localtime(report.reviewed_at)
        reviewer = esc(report.reviewed_by) if report.reviewed_by else DASH
        line += (
            f'<small class="muted">{esc(gettext("reviewed by"))} {reviewer} · '
            f"{ymd(at)} {at.hour:02d}:{at.minute:02d}</small>"
        )
    return line + "</p>"


# Below, a label is written as the template's {% translate "..." %} wrote it: the
# translation of a literal, which Django takes as safe and does not escape.


def shown(value):
    """A value as a template's {{ value }} writes it: localized (dates in the language's
    format), then escaped. Text, whole numbers and days, most of a project page's 150
    values, are written here as localize() writes them, without its lookups: text as it
    is; a whole number in plain digits (no thousands separator: USE_THOUSAND_SEPARATOR is
    off); a day in ISO, the DATE_FORMAT of both languages (liwan_projects/formats/).
    tests/test_formats.py holds them to localize()."""
    kind = type(value)
    if kind is str:
        return esc(value)
    if kind is int:
        return str(value)
    if kind is datetime.date:
        return ymd(value)
    return esc(localize(value))


def pk_url_maker(name):
    """A function pk -> reverse(name, args=[pk]), reverse() worked out once for a page."""
    marker = 987654321
    prefix, suffix = reverse(name, args=[marker]).rsplit(str(marker), 1)

    def url(pk):
        return f"{prefix}{pk}{suffix}"

    return url


def included(template_name, **context):
    """What {% include template_name with ... %} writes, for the rare parts of a row (its
    files, the confirmation of a save) that the row's template wrote by including it."""
    return get_template(template_name).render(context)


def project_milestone_rows(milestones, may_supervise):
    """The rows of a project's milestone table (what the <tbody> holds): `milestones` as
    the project's page prepares them (overdue_days, overdue_days_original, files, notes,
    may_update, may_attach), and whether the user may issue supervision orders."""
    if not milestones:
        return f'<tr><td colspan="11">{gettext("No milestones yet.")}</td></tr>'
    department = gettext("responsible department")
    planned = gettext("planned date")
    original = gettext("original planned date")
    forecast = gettext("forecast date")
    actual = gettext("actual date")
    slip = gettext("slip (days)")
    slip_original = gettext("slip against the original plan (days)")
    overdue = gettext("days overdue")
    overdue_original = gettext("days overdue against the original plan")
    done = pgettext("milestone", "done")
    rebaselined = gettext("re-baselined")
    update = gettext("Update")
    attach = gettext("Attach the approval document")
    supervise = f'<a href="{esc(reverse("supervision:new"))}?milestone='
    supervise_label = gettext("Supervise")
    update_url = pk_url_maker("projects:milestone_update")
    rows = []
    for m in milestones:
        classes = "overdue-row" if m.overdue_days or m.overdue_days_original else ""
        if m.is_done:
            classes += " done-row"
        if m.notes:
            classes += " just-saved"
        title = esc(m.title)
        if m.is_done:
            title += f' <span class="done-mark">✓ {done}</span>'
        planned_date = shown(m.planned_date)
        if m.is_rebaselined:
            planned_date += f' <span class="flag">{rebaselined}</span>'
        forecast_date = shown(m.forecast_date or DASH)
        if m.forecast_reason:
            forecast_date += f'<br><small class="muted">{esc(m.forecast_reason)}</small>'
        slip_days, slip_days_original = m.slip_days, m.slip_days_original
        days = m.overdue_days
        days = f'<b class="overdue">{shown(days)}</b>' if days else DASH
        days_original = m.overdue_days_original
        if days_original:
            days_original = f'<b class="overdue-original">{shown(days_original)}</b>'
        else:
            days_original = DASH
        action = included(FILES, files=m.files) if m.files else ""
        if m.may_update:
            action += f'<a href="{update_url(m.pk)}">{update}</a>'
        elif m.may_attach:
            action += f'<a href="{update_url(m.pk)}#documents">{attach}</a>'
        order = ""
        if may_supervise and not m.is_done:
            order = f'{supervise}{shown(m.pk)}">{supervise_label}</a>'
        notes = ""
        if m.notes:
            notes = (
                '<tr class="just-saved row-note"><td colspan="11">'
                f"{included(NOTES, notes=m.notes)}</td></tr>"
            )
        rows.append(
            f'\n      <tr id="milestone-{shown(m.pk)}" class="{classes}">'
            f'<td class="card-title">{title}</td>'
            f'<td data-label="{department}">{shown(m.responsible_department or DASH)}</td>'
            f'<td data-label="{planned}">{planned_date}</td>'
            f'\n        <td data-label="{original}">{shown(m.original_planned_date)}</td>'
            f'\n        <td data-label="{forecast}">{forecast_date}</td>'
            f'\n        <td data-label="{actual}">{shown(m.actual_date or DASH)}</td>'
            f'<td data-label="{slip}">{shown(DASH if slip_days is None else slip_days)}</td>'
            f'<td data-label="{slip_original}">'
            f"{shown(DASH if slip_days_original is None else slip_days_original)}</td>"
            f'<td data-label="{overdue}">{days}</td>'
            f'\n        <td data-label="{overdue_original}">{days_original}</td>'
            f'\n        <td data-label="">{action}'
            f"\n          {order}</td></tr>"
            f"\n      {notes}"
            "\n    "
        )
    return "".join(rows)


NOTES = "projects/_row_notes.html"
FILES = "projects/_files.html"


def report_entries(reports, project, may_report, may_review, csrf_token, health):
    """Each report's entry on its project's page (an <article> with the report folded in a
    <details>, and the review form where the user reviews it): `reports` as the page
    prepares them (anchor, open, notes, files), `csrf_token` the template context's and
    `health` the badge filter of the templates."""
    if not reports:
        return f"<p>{gettext('No report yet.')}</p>"
    fix = None
    if may_report:
        fix = (
            f'<p><a href="{esc(reverse("projects:report_new", args=[project.code]))}?period=',
            f'">{gettext("Fix this report")}</a></p>',
        )
    problems = f"<p><b>{gettext('problems needing coordination')}:</b> "
    next_steps = f"<p><b>{gettext('next steps')}:</b> "
    form = None
    if may_review:
        review_url = pk_url_maker("projects:report_review")
        token = ""
        if csrf_token and csrf_token != "NOTPROVIDED":
            token = format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token
            )
        form = (
            f'" class="review-form">{token}\n        <input type="hidden" name="version" value="',
            '">\n        <label>'
            f'{gettext("comment")} <input type="text" name="comment"></label>'
            '\n        <button type="submit" name="decision" value="accept">'
            f'{gettext("accept")}</button>'
            '\n        <button type="submit" name="decision" value="return">'
            f'{gettext("return")}</button>\n      </form>\n      ',
        )
    entries = []
    for report in reports:
        period = report.period
        entry = (
            f'\n    <article class="report{" just-saved" if report.notes else ""}" '
            f'id="{esc(report.anchor)}">'
            f'\n    <details{" open" if report.open else ""}>'
            f"\n      <summary><h3>{report_heading(report, health)}</h3></summary>"
            f"\n      {included(NOTES, notes=report.notes) if report.notes else ''}"
            f"\n      {review_line(report)}"
            "\n      "
        )
        if fix and report.status == "returned":
            entry += f"{fix[0]}{period.year:04d}-{period.month:02d}{fix[1]}"
        entry += f"\n      {f'<p>{esc(report.narrative)}</p>' if report.narrative else ''}"
        entry += f"\n      {f'{problems}{esc(report.problems)}</p>' if report.problems else ''}"
        entry += (
            f"\n      {f'{next_steps}{esc(report.next_steps)}</p>' if report.next_steps else ''}"
        )
        entry += f"\n      {included(FILES, files=report.files) if report.files else ''}\n      "
        if form and report.status == "submitted":
            entry += (
                f'\n      <form method="post" action="{review_url(report.pk)}'
                f"{form[0]}{shown(report.version)}{form[1]}"
            )
        entries.append(entry + "\n    </details>\n    </article>\n  ")
    return "".join(entries)


INVESTMENT_SOURCES = {
    "correction": gettext_noop("administrator's correction"),
    "reports": gettext_noop("monthly reports"),
    "admin": gettext_noop("administrator's yearly figure"),
}


def investment_rows(years):
    """The rows of a project's investment by year (ledger.project_years() Figures)."""
    if not years:
        return '<tr><td colspan="5">–</td></tr>'
    planned = gettext("planned (100 million yuan)")
    completed = gettext("completed (100 million yuan)")
    rate = gettext("rate")
    source = gettext("source of the completed figure")
    sources = {key: gettext(text) for key, text in INVESTMENT_SOURCES.items()}
    return "".join(
        f'\n      <tr><td class="card-title">{shown(row.key)}</td>'
        f'<td data-label="{planned}">{esc(formatting.money(row.planned))}</td>'
        f'<td data-label="{completed}">{esc(formatting.money(row.completed))}</td>'
        f'<td data-label="{rate}">{esc(formatting.percent(row.rate))}</td>'
        f'<td data-label="{source}">{sources.get(getattr(row, "source", ""), DASH)}</td></tr>'
        "\n    "
        for row in years
    )


APPROVAL_STATES = dict(Approval.State.choices)


def approval_rows(approvals, may_update):
    """The rows of a project's pre-construction approvals (with their `files`), and
    whether the user may update them."""
    state = gettext("state")
    number = gettext("approval number (文号)")
    issued = gettext("date of approval")
    document = gettext("approval document")
    no_document = f'<span class="muted">{gettext("no document")}</span>'
    note = gettext("note")
    update = gettext("Update")
    update_url = pk_url_maker("projects:approval_update")
    rows = []
    for a in approvals:
        mark = "✓ " if a.state == "in_hand" else "✗ " if a.is_missing else ""
        if a.files:
            files = included(FILES, files=a.files)
        else:
            files = no_document if a.state == "in_hand" else DASH
        action = f'<a href="{update_url(a.pk)}">{update}</a>' if may_update else ""
        rows.append(
            f'\n      <tr id="approval-{shown(a.pk)}"><td class="card-title">'
            f"{esc(a.kind.display_name)}</td>"
            f'\n        <td data-label="{state}"><span class="approval approval-{esc(a.state)}">'
            f"{mark}{esc(APPROVAL_STATES.get(a.state, a.state))}</span></td>"
            f'\n        <td data-label="{number}">{esc(a.number or DASH)}</td>'
            f'\n        <td data-label="{issued}">{ymd(a.issued_on) if a.issued_on else DASH}</td>'
            f'\n        <td data-label="{document}">{files}</td>'
            f'\n        <td data-label="{note}">{esc(a.note or DASH)}</td>'
            f'\n        <td data-label="">{action}</td></tr>'
            "\n    "
        )
    return "".join(rows)


def chapter_rows(chapters):
    """The rows of a plan's table on the chapters page (what its <tbody> holds):
    `chapters` of scorecards.chapters_with_figures(), with their plans."""
    if not chapters:
        return '<tr><td colspan="6">–</td></tr>'
    url = project_url_maker("projects:chapter")
    derived = f' <small class="muted">({esc(gettext("derived title"))})</small>'
    no_project = f' <span class="flag">{esc(gettext("no project"))}</span>'
    no_works = f' <small class="muted">({esc(gettext("calls for no works"))})</small>'
    projects = esc(gettext("projects"))
    overdue = esc(gettext("overdue milestones"))
    planned = esc(gettext("investment plan this year"))
    completed = esc(gettext("investment done this year"))
    indicators = esc(gettext("indicators"))
    rows = []
    for c in chapters:
        unserved = " unserved" if c.calls_for_works and not c.project_count else ""
        marks = "" if c.title_is_official else derived
        if not c.project_count:
            marks += no_project if c.calls_for_works else no_works
        overdue_count = (
            f'<b class="overdue">{shown(c.overdue_count)}</b>' if c.overdue_count else "0"
        )
        rows.append(
            f'\n      <tr class="depth-{shown(c.depth)}{unserved}">'
            f'\n        <td class="card-title"><a href="{esc(url(c.key))}">'
            f"{esc(c.code)} {esc(c.title)}</a>{marks}</td>"
            f'\n        <td data-label="{projects}">{shown(c.project_count)}</td>'
            f'<td data-label="{overdue}">{overdue_count}</td>'
            f'\n        <td data-label="{planned}" class="nowrap">'
            f"{esc(formatting.money(c.investment_planned))}</td>"
            f'<td data-label="{completed}" class="nowrap">'
            f"{esc(formatting.money(c.investment_completed))}</td>"
            f'<td data-label="{indicators}">{shown(c.indicator_count)}</td></tr>'
            "\n    "
        )
    return "".join(rows)


def chapter_project_rows(projects, chapter, health):
    """The rows of a chapter's table of projects (what its <tbody> holds): `projects` of
    Project.objects.for_short_lists(), the `chapter`, and `health` the badge filter of the
    templates, each badge made once (templatetags.portfolio.badges())."""
    if not projects:
        if chapter.calls_for_works:
            text = gettext("No project serves this part of the plan.")
            text = f'<span class="flag">{esc(text)}</span>'
        else:
            text = esc(
                gettext(
                    "No project: this part of the plan describes or sets goals and calls "
                    "for no works."
                )
            )
        return f'<tr><td colspan="7">{text}</td></tr>'
    url = project_url_maker()
    stages = choice_labels(Project, "stage")["stage"]
    code = esc(gettext("code"))
    department = esc(gettext("lead department"))
    stage = esc(gettext("stage"))
    reported = esc(gettext("reported health"))
    schedule = esc(gettext("schedule health"))
    overdue = esc(gettext("overdue milestones"))
    return "".join(
        f'\n      <tr><td data-label="{code}"><a href="{esc(url(p.code))}">{esc(p.code)}</a></td>'
        f'<td class="card-title">{esc(p.display_name)}</td>'
        f'<td data-label="{department}">'
        f"{esc(p.lead_department) if p.lead_department else DASH}</td>"
        f'<td data-label="{stage}">{stages.get(p.stage, esc(p.stage))}</td>'
        f'\n        <td data-label="{reported}">{health(p.latest_health)}</td>'
        f'<td data-label="{schedule}">{health(p.schedule_health)}</td>'
        f'<td data-label="{overdue}">{shown(p.overdue_count)}</td></tr>'
        "\n    "
        for p in projects
    )
