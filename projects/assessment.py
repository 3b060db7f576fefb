"""A plan's final assessment (终期评估): every indicator's verdict with its figures, sources
and reason; what the plan's projects delivered, by outcome, with their investment over the
plan's years; the chapters and what served them; the district key projects of each year.
For a plan still in force it is an interim assessment. The page and the Word document
(assessment_docx.py) show the same sections, built here.

The figures are read as they stand today: a project's outcome is its stage now, its
investment the ledger's completed figure of each of the plan's years (projects/ledger.py);
an indicator's verdict is indicators.progress's, judged this year, so that once the target
year has passed it is final. A final verdict is provisional while the target year's figure
is not published (indicators.summary.is_provisional). Sums count a work once (countable).

Queries: a fixed number, plus one for each of the plan's years with key projects."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, Q
from django.utils import formats
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from indicators import summary as indicator_summary

from . import ledger, plandata
from .models import AnnualInvestment, KeyProject, Plan, ProgressReport, Project, ProjectChapter
from .plans import chapters_served, calls_for_works, investment_over_years, plan_projects

ZERO = Decimal(0)
S = Project.Stage
# Projects by outcome, each a set of stages (the stage as it stands today).
OUTCOMES = (
    ("completed", {S.COMPLETED}),
    ("running", {S.CONSTRUCTION}),
    ("not_started", {S.RESERVE, S.PRELIMINARY}),
    ("stopped", {S.CANCELLED, S.SUSPENDED}),
)


def outcome_label(outcome, ended):
    return {
        "completed": _("completed"),
        "running": _("under construction, carried over") if ended else _("under construction"),
        "not_started": _("not started (reserve or preliminary works)"),
        "stopped": _("cancelled or suspended"),
    }[outcome]


@dataclass
class Link:
    text: str
    url: str
    note: str = ""  # note marks after the link, as "[1]"

    def __str__(self):
        return self.text + self.note


@dataclass
class Table:
    title: str
    headers: list
    rows: list  # lists of cells: str or Link
    note: str = ""
    empty: str = "–"
    sources: list = field(default_factory=list)  # numbered notes: "[1] …"
    wide: bool = False  # too wide for an upright page


@dataclass
class Section:
    title: str
    paragraphs: list
    tables: list


class Notes:
    """Numbered notes under a table: one number for each distinct source, in the order
    first cited."""

    def __init__(self):
        self.numbers, self.texts = {}, []

    def cite(self, key, text):
        if key not in self.numbers:
            self.numbers[key] = len(self.texts) + 1
            self.texts.append(f"[{self.numbers[key]}] {text}")
        return f"[{self.numbers[key]}]"


def joined(items, strong=False):
    """Items in a sentence: 、 (or ；) between them in Chinese, a comma (or semicolon) else."""
    chinese = (get_language() or "").startswith("zh")
    if strong:
        return ("；" if chinese else "; ").join(items)
    return ("、" if chinese else ", ").join(items)


def amount(value):
    """An amount in 100 million yuan, two decimals; "–" when there is none."""
    return "–" if value is None else f"{value:,.2f}"


def percent(value):
    return "–" if value is None else f"{value:.1f}%"


def day(value):
    return formats.date_format(value, "DATE_FORMAT") if value else _("not stated in the plan")


def stated(value):
    """Plan data as given, or "not stated in the plan" where the plan says nothing."""
    return _("not stated in the plan") if value in (None, "") else str(value)


def plan_paragraph(paragraph):
    if paragraph is None:
        return _("The plan, paragraph not stated")
    return _("The plan, paragraph %(paragraph)s") % {"paragraph": paragraph}


# --- what the assessment reads -------------------------------------------------------------


@dataclass
class PlanAssessment:
    plan: Plan
    on: object  # the day it is read
    state: str  # Plan.State
    sample: bool
    verdicts: list  # indicators.summary.Verdict
    provisional: list  # the provisional ones
    sections: list  # Section

    @property
    def is_final(self):
        return self.state == Plan.State.ENDED


def includes_sample_data(projects, years, verdicts):
    """Whether any row the assessment reads is sample data: a project, its yearly
    investment or reports of the plan's years, a key project of those years, an indicator
    value. One query (the values are in hand)."""
    if any(verdict.has_sample_values for verdict in verdicts):
        return True
    condition = Q(pk__in=projects.values("pk"), is_sample=True)
    for model, lookup in (
        (AnnualInvestment, {"year__in": years}),
        (ProgressReport, {"period__year__in": years}),
    ):
        condition |= Exists(
            model.objects.filter(project__in=projects.values("pk"), is_sample=True, **lookup)
        )
    condition |= Exists(KeyProject.objects.filter(year__in=years, is_sample=True))
    return Project.objects.filter(condition).exists()


def build(plan, on):
    """The assessment of `plan` as it stands on `on`."""
    state = plan.state(on)
    ended = state == Plan.State.ENDED
    projects = plan_projects(plan)
    listed = {p.pk: p for p in projects.select_related("lead_department").order_by("code")}
    figures, years, counted = investment_over_years(plan, projects, on)
    verdicts = indicator_summary.for_plan(plan, on.year)
    provisional = [v for v in verdicts if v.provisional]
    chapters = chapters_served(plan)
    later = later_chapters(plan, projects)
    sections = [
        indicator_section(plan, verdicts, provisional, ended),
        project_section(plan, listed, figures, counted, later, ended, on),
        investment_section(plan, years),
        chapter_section(chapters, listed),
        key_project_section(plan, on),
    ]
    return PlanAssessment(
        plan=plan,
        on=on,
        state=state,
        sample=includes_sample_data(projects, list(plan.years), verdicts),
        verdicts=verdicts,
        provisional=provisional,
        sections=sections,
    )


def later_chapters(plan, projects):
    """{project id: keys of the chapters of later plans it serves}, in one query."""
    found = {}
    links = (
        ProjectChapter.objects.filter(project__in=projects, chapter__plan__number__gt=plan.number)
        .order_by("chapter__plan__number", "chapter__order")
        .values_list("project_id", "chapter__plan__number", "chapter__code")
    )
    for project_id, number, code in links:
        found.setdefault(project_id, []).append(f"{number}-{code}")
    return found


# --- the title and what the document says first -----------------------------------------


def title(assessment):
    if assessment.is_final:
        return _("Final assessment of the %(plan)s (draft)") % {"plan": assessment.plan.name}
    return _("Interim assessment of the %(plan)s (draft)") % {"plan": assessment.plan.name}


def introduction(assessment):
    """The opening paragraphs: what is assessed, as at when, and how final it is."""
    plan, on = assessment.plan, assessment.on
    lines = [
        _(
            "%(plan)s, %(start)s–%(end)s, issued as %(document)s on %(issued)s. Figures as "
            "they stand on %(day)s."
        )
        % {
            "plan": plan.name,
            "start": plan.start_year,
            "end": plan.end_year,
            "document": stated(plan.document_number),
            "issued": day(plan.issued_on),
            "day": formats.date_format(on, "DATE_FORMAT"),
        }
    ]
    if assessment.state == Plan.State.IN_FORCE:
        lines.append(
            _(
                "The plan is in force until the end of %(end)s: this is an interim assessment. "
                "Indicators are judged on their pace so far, not on a final figure."
            )
            % {"end": plan.end_year}
        )
    elif assessment.state == Plan.State.NOT_BEGUN:
        lines.append(
            _("The plan has not begun (its first year is %(start)s): there is little to assess.")
            % {"start": plan.start_year}
        )
    lines.extend(provisional_lines(assessment))
    return lines


def provisional_lines(assessment):
    """Which verdicts are provisional: all of them, or those named."""
    provisional, final = (
        assessment.provisional,
        [v for v in assessment.verdicts if v.assessment.is_final],
    )
    if not provisional:
        return []
    if len(provisional) == len(final):
        return [
            _(
                "Provisional verdicts: the target year's figures are not published yet. All "
                "%(count)s final verdicts rest on figures entered by departments, on sample "
                "data or on no figure at all, and will change when the official figures are out."
            )
            % {"count": len(provisional)}
        ]
    names = joined(f"{v.indicator.name} ({v.indicator.target_year})" for v in provisional)
    return [
        _(
            "Provisional verdicts: the target year's figures are not all published. "
            "%(count)s verdicts rest on figures entered by departments, on sample data or on "
            "no figure at all, and will change when the official figures are out: %(names)s."
        )
        % {"count": len(provisional), "names": names}
    ]


def sample_warning():
    return _(
        "Sample data: this assessment reads sample data (projects, investment, reports, key "
        "projects or indicator values marked as sample), not only the district's figures. "
        "Do not issue it."
    )


# --- 1. indicators ---------------------------------------------------------------------------


def verdict_text(verdict):
    if verdict.provisional:
        return _("%(verdict)s (provisional)") % {"verdict": verdict.label}
    return verdict.label


def value_source(notes, verdict, value):
    """The note mark of a value: its published source, the department that entered it, or
    sample data."""
    kind = value.source
    if kind == "official":
        text = value.source_title
        if value.source_date:
            text += f", {formats.date_format(value.source_date, 'DATE_FORMAT')}"
        if value.source_url:
            text += f", {value.source_url}"
        return notes.cite(
            ("official", value.source_title, value.source_date, value.source_url), text
        )
    if kind == "sample":
        return notes.cite(("sample",), _("Sample data, not the district's figure."))
    department = verdict.indicator.responsible_department
    return notes.cite(
        ("department", department.pk if department else None, value.note),
        _("Entered by %(department)s, not yet published: %(note)s")
        % {
            "department": department or _("the responsible department"),
            "note": value.note or _("not stated in the plan"),
        },
    )


def plan_source(notes, indicator):
    """The note marks of where the plan states the indicator (and its baseline)."""
    text = plan_paragraph(indicator.source_paragraph)
    if indicator.source_sentence:
        text += f": «{indicator.source_sentence}»"
    marks = notes.cite(("plan", indicator.source_paragraph, indicator.source_sentence), text)
    if indicator.baseline_source_sentence:
        marks += notes.cite(
            ("baseline", indicator.baseline_source_sentence),
            _("Baseline: «%(sentence)s»") % {"sentence": indicator.baseline_source_sentence},
        )
    return marks


def indicator_section(plan, verdicts, provisional, ended):
    groups = indicator_summary.by_status(verdicts)
    counts = joined((f"{label} {len(found)}" for _status, label, found in groups), strong=True)
    paragraphs = [
        _("%(count)s indicators: %(counts)s.") % {"count": len(verdicts), "counts": counts}
        if verdicts
        else _("The plan has no indicators.")
    ]
    if provisional:
        paragraphs.append(
            _("%(count)s of the verdicts are provisional (marked).") % {"count": len(provisional)}
        )
    notes = Notes()
    years = list(plan.years)
    rows, reasons = [], []
    for verdict in verdicts:
        indicator = verdict.indicator
        unit = indicator.unit.strip()
        by_year = {value.year: value for value in verdict.values}
        cells = [
            Link(
                f"{indicator.code} {indicator.name}" + (f" ({unit})" if unit else ""),
                indicator.get_absolute_url(),
                note=plan_source(notes, indicator),
            ),
            indicator.get_nature_display(),
            indicator_summary.baseline_text(indicator) or _("not stated in the plan"),
        ]
        for year in years:
            value = by_year.get(year)
            cells.append(
                "–"
                if value is None
                else indicator_summary.number(value.value) + value_source(notes, verdict, value)
            )
        cells += [indicator_summary.target_text(indicator), verdict_text(verdict)]
        rows.append(cells)
        reasons.append(
            [f"{indicator.code} {indicator.name}", verdict_text(verdict), verdict.assessment.reason]
        )
    figures = Table(
        title=_("Indicators: figures by year"),
        headers=[_("indicator (unit)"), _("nature"), _("baseline")]
        + [str(year) for year in years]
        + [_("target"), _("verdict")],
        rows=rows,
        note=_(
            "Each figure's source is in the notes under the table: published (title, date, "
            "address), entered by a department and not yet published, or sample data."
        ),
        empty=_("The plan has no indicators."),
        sources=notes.texts,
        wide=True,
    )
    reasons_table = Table(
        title=_("Verdicts and their reasons"),
        headers=[_("indicator"), _("verdict"), _("reason")],
        rows=reasons,
        empty=_("The plan has no indicators."),
    )
    title = _("Main indicators: final verdicts") if ended else _("Main indicators: progress")
    return Section(title, paragraphs, [figures, reasons_table])


# --- 2. projects by outcome -------------------------------------------------------------


def plan_years_total(by_year):
    """A project's completed investment over the plan's years; None when it has none."""
    completed = [c for _p, c in by_year.values() if c is not None]
    return sum(completed, ZERO) if completed else None


def project_section(plan, listed, figures, counted, later, ended, on):
    years = f"{plan.start_year}–{plan.end_year}"
    completed_header = _("completed investment %(years)s (100 million yuan)") % {"years": years}
    summary_rows, tables = [], []
    for outcome, stages in OUTCOMES:
        label = outcome_label(outcome, ended)
        found = [p for p in listed.values() if p.stage in stages]
        total = sum(
            (plan_years_total(figures[p.pk]) or ZERO for p in found if p.pk in counted), ZERO
        )
        summary_rows.append([label, str(len(found)), amount(total)])
        headers = [_("code"), _("name"), _("lead department"), _("stage"), completed_header]
        if outcome == "running":
            headers.append(_("continues in"))
        rows = []
        for project in found:
            row = [
                Link(project.code, project.get_absolute_url()),
                project.name,
                str(project.lead_department or "–"),
                project.get_stage_display(),
                amount(plan_years_total(figures[project.pk])),
            ]
            if outcome == "running":
                row.append(joined(later.get(project.pk, [])) or _("no later plan's chapter yet"))
            rows.append(row)
        tables.append(Table(title=label, headers=headers, rows=rows, empty=_("No project.")))
    summary = Table(
        title=_("Projects by outcome"),
        headers=[_("outcome"), _("projects"), completed_header],
        rows=summary_rows,
        note=_(
            "The plan's projects are those serving its chapters; the outcome is each project's "
            "stage on %(day)s. Investment is the ledger's completed figure of each of the plan's "
            "years added up; a part whose umbrella entry is listed counts in the umbrella's "
            "total, not twice."
        )
        % {"day": formats.date_format(on, "DATE_FORMAT")},
    )
    paragraphs = [_("%(count)s projects serve the plan's chapters.") % {"count": len(listed)}]
    return Section(_("Projects by outcome"), paragraphs, [summary, *tables])


# --- 3. investment by year --------------------------------------------------------------


def investment_section(plan, years):
    rows = [[str(f.key), amount(f.planned), amount(f.completed), percent(f.rate)] for f in years]
    planned = sum((f.planned for f in years), ZERO)
    completed = sum((f.completed for f in years), ZERO)
    rows.append(
        [
            _("the plan's years"),
            amount(planned),
            amount(completed),
            percent(ledger.rate(completed, planned)),
        ]
    )
    table = Table(
        title=_("Investment of the plan's projects by year"),
        headers=[
            _("year"),
            _("planned (100 million yuan)"),
            _("completed (100 million yuan)"),
            _("completion rate"),
        ],
        rows=rows,
        note=_(
            "The ledger: a project's completed investment for a year is an administrator's "
            "named correction, else the year to date of its newest monthly report of the year, "
            "else the administrator's yearly figure. A work is counted once."
        ),
    )
    return Section(_("Investment over the plan's years"), [], [table])


# --- 4. chapters and what served them ----------------------------------------------------


def chapter_section(chapters, listed):
    works = [c for c in chapters if calls_for_works(c)]
    unserved = [c for c in works if not c.served]
    rows = []
    for chapter in chapters:
        if not calls_for_works(chapter):
            served = _("calls for no works")
        else:
            served = _("yes") if chapter.served else _("no project")
        direct = sorted(
            (listed[pk] for pk in chapter.linked_ids if pk in listed), key=lambda p: p.code
        )
        rows.append(
            [
                Link(f"{chapter.code} {chapter.title}", chapter_url(chapter)),
                str(chapter.project_count),
                str(chapter.indicator_count),
                served,
                joined((f"{p.code} {p.name}" for p in direct), strong=True) or "–",
            ]
        )
    paragraphs = [
        _(
            "%(served)s of the %(count)s chapters and sections that call for works are served "
            "by at least one project."
        )
        % {"served": len(works) - len(unserved), "count": len(works)}
    ]
    if unserved:
        paragraphs.append(
            _("No project served: %(chapters)s.")
            % {"chapters": joined(f"{c.code} {c.title}" for c in unserved)}
        )
    table = Table(
        title=_("Chapters and what served them"),
        headers=[
            _("chapter"),
            _("projects (with its sections)"),
            _("indicators"),
            pgettext("chapter", "served"),
            _("projects linked to it"),
        ],
        rows=rows,
        empty=_("The plan has no chapters."),
    )
    return Section(_("Chapters and what served them"), paragraphs, [table])


def chapter_url(chapter):
    return reverse("projects:chapter", args=[chapter.key])


# --- 5. the key projects of each year ----------------------------------------------------


def key_project_section(plan, on):
    """One query for the years with key projects, and one for each of the plan's years
    that has any."""
    years = [y for y in sorted(ledger.key_project_years()) if y in plan.years]
    notes = Notes()
    summary_rows, tables = [], []
    for year in years:
        rows, headline = ledger.key_projects(year, on)
        published = []
        for entry in plandata.published_key_projects(year):
            marks = "".join(
                notes.cite(
                    source["key"],
                    f"{source.get('title', '')} {source.get('date') or ''} {source.get('url', '')}",
                )
                for source in entry["sources"]
            )
            published.append(
                _("%(completed)s (100 million yuan), %(rate)s%%")
                % {
                    "completed": entry.get("completed_investment") or "–",
                    "rate": entry.get("completion_rate") or "–",
                }
                + marks
            )
        summary_rows.append(
            [
                str(year),
                str(headline.projects),
                amount(headline.planned),
                amount(headline.completed),
                percent(headline.rate),
                joined(published, strong=True) or "–",
            ]
        )
        tables.append(
            Table(
                title=_("Key projects of %(year)s") % {"year": year},
                headers=[
                    _("code"),
                    _("name"),
                    _("lead department"),
                    _("annual plan (100 million yuan)"),
                    _("completed (100 million yuan)"),
                    _("completion rate"),
                ],
                rows=[
                    [
                        Link(row["code"], reverse("projects:detail", args=[row["code"]])),
                        row["name"],
                        row["lead_department__short_name"] or row["lead_department__name"] or "–",
                        amount(row["investment_planned"]),
                        amount(row["investment_completed"]),
                        percent(row["key_rate"]),
                    ]
                    for row in rows.values()
                ],
                empty=_("No project."),
            )
        )
    summary = Table(
        title=_("District key projects by year"),
        headers=[
            _("year"),
            _("key projects"),
            _("annual plan (100 million yuan)"),
            _("completed (100 million yuan)"),
            _("completion rate"),
            _("as the district published it"),
        ],
        rows=summary_rows,
        empty=_("No key projects are listed for the plan's years."),
        sources=notes.texts,
    )
    return Section(_("District key projects of each year"), [], [summary, *tables])
