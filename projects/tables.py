"""The portfolio, milestone and review queue tables: columns, headers, sorting, paging and
export values.

The HTML of their rows is written out in projects/rows.py (the portfolio's) and in
templates/projects/_milestone_table.html and _review_table.html (cheaper than
django-tables2's cell-by-cell rendering); the value_ methods here give each column's figure
in CSV and XLSX exports."""

import django_tables2 as tables
from django.db.models import F
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .clock import today
from .models import Approval, Department, Milestone, ProgressReport, Project
from .names import in_english, localized

HEALTH_LABELS = dict(ProgressReport.Health.choices)


def nulls_last(field):
    """An order_FOO method for django-tables2 that puts empty values last either way
    (PostgreSQL puts NULL first when sorting down, SQLite last)."""

    def order(self, queryset, is_descending):
        expression = (
            F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)
        )
        return queryset.order_by(expression, "pk"), True

    return order


def number(value):
    return None if value is None else float(value)


class CardTable(tables.Table):
    """A table whose row template writes each cell's data-label (its column's header): on a
    phone the stylesheet shows each row as a card, each cell a line headed by its label."""

    @cached_property
    def labels(self):
        return {column.name: column.header for column in self.columns.iterall()}

    def exported(self, queryset):
        """The table's queryset (every row, in the table's order) as its exports read it:
        the same, unless a table leaves out what only its page shows."""
        return queryset


class ProjectTable(CardTable):
    """The portfolio: rows come from Project.objects.for_portfolio()."""

    # Ticks the row for the carry-over form around the table (PortfolioView excludes it
    # for those who may not carry projects over).
    select = tables.Column(
        verbose_name=_("select"),
        accessor="pk",
        empty_values=(),
        orderable=False,
        exclude_from_export=True,
    )
    code = tables.Column(verbose_name=_("code"))
    name = tables.Column(verbose_name=_("name"))
    lead_department = tables.Column(verbose_name=_("lead department"))
    category = tables.Column(verbose_name=_("category"))
    area = tables.Column(verbose_name=_("area"))
    stage = tables.Column(verbose_name=_("stage"))
    latest_health = tables.Column(verbose_name=_("reported health"))
    schedule_health = tables.Column(verbose_name=_("schedule health"))
    latest_percent_complete = tables.Column(verbose_name=_("percent complete"))
    overdue_count = tables.Column(verbose_name=_("overdue milestones"))
    next_milestone_date = tables.Column(verbose_name=_("next milestone"))
    # On screen one column shows done / plan (rate); exports get the three figures.
    investment = tables.Column(
        verbose_name=_("investment this year"),
        accessor="investment_planned",
        exclude_from_export=True,
        orderable=False,
    )
    # Exports carry the figures as numbers, their units in the headers.
    investment_planned = tables.Column(
        verbose_name=_("investment plan this year (100 million yuan)"), visible=False
    )
    investment_completed = tables.Column(
        verbose_name=_("investment done this year (100 million yuan)"), visible=False
    )
    investment_rate = tables.Column(
        verbose_name=_("investment rate this year (%)"),
        empty_values=(),
        orderable=False,
        visible=False,
    )
    latest_report_period = tables.Column(verbose_name=_("last report"))
    # The newest carry-over into a later plan: on screen a mark under the name; exports
    # get the plan, the day and the reason apart.
    carried_into = tables.Column(verbose_name=_("carried over into"), visible=False)
    carried_on = tables.Column(verbose_name=_("carried over on"), visible=False)
    carryover_reason = tables.Column(
        verbose_name=_("reason for the carry-over"), visible=False, orderable=False
    )

    class Meta:
        model = Project
        fields = []
        template_name = "projects/_portfolio_table.html"
        attrs = {"class": "data"}
        empty_text = _("No project matches these filters.")
        default = ""
        order_by = "code"

    # The project's own columns that the rows (projects/rows.py) and the exports read; the
    # rest are annotations of Project.objects.for_portfolio().
    PROJECT_FIELDS = ("code", "name", "name_en", "category", "area", "stage", "lead_department")

    order_latest_percent_complete = nulls_last("latest_percent_complete")
    order_next_milestone_date = nulls_last("next_milestone_date")
    order_investment_planned = nulls_last("investment_planned")
    order_investment_completed = nulls_last("investment_completed")
    order_latest_report_period = nulls_last("latest_report_period")
    order_latest_health = nulls_last("latest_health")

    def value_name(self, record):
        return record.display_name

    def value_latest_health(self, value):
        return str(HEALTH_LABELS.get(value, ""))

    def value_carried_into(self, value, record):
        return f"{record.carried_from} → {value}"

    def value_schedule_health(self, value):
        return str(HEALTH_LABELS.get(value, ""))

    def value_next_milestone_date(self, value, record):
        return f"{value} {record.next_milestone_title}"

    def value_investment_planned(self, value):
        return number(value)

    def value_investment_completed(self, value):
        return number(value)

    def value_investment_rate(self, record):
        rate = record.investment_rate
        return None if rate is None else round(float(rate), 1)


class MilestoneTable(CardTable):
    """Overdue milestones across the portfolio. The export values are of rows as
    exported() reads them."""

    counts_days_left = False

    # Exports read the project's code and names with each row (exported()), and name the
    # department from department_names: no project or department is built for a row.
    project = tables.Column(
        verbose_name=_("project"), accessor="project_code", order_by=("project",)
    )
    title = tables.Column(verbose_name=_("milestone"))
    responsible_department = tables.Column(
        verbose_name=_("responsible department"),
        accessor="responsible_department_id",
        order_by=("responsible_department",),
    )
    planned_date = tables.Column(verbose_name=_("planned date"))
    # The first baseline beside the current one: a re-baseline shows, and so does the slip
    # it would hide.
    original_planned_date = tables.Column(verbose_name=_("original planned date"))
    rebaselined = tables.Column(
        verbose_name=_("re-baselined"), accessor="is_rebaselined", empty_values=(), orderable=False
    )
    forecast_date = tables.Column(verbose_name=_("forecast date"))
    # More days overdue is an earlier planned date. A first click on either sorts the most
    # overdue first, as the board opens. The id breaks ties, so that pages and exports keep
    # one order for a day's milestones.
    days_overdue_original = tables.Column(
        verbose_name=_("days overdue against the original plan"),
        empty_values=(),
        order_by=("-original_planned_date", "-pk"),
        initial_sort_descending=True,
    )
    days_overdue = tables.Column(
        verbose_name=_("days overdue"),
        empty_values=(),
        order_by=("-planned_date", "-pk"),
        initial_sort_descending=True,
    )
    # Managers act on a row: issue a supervision order (the views exclude it for others).
    action = tables.Column(
        verbose_name=_("action"), empty_values=(), orderable=False, exclude_from_export=True
    )

    class Meta:
        model = Milestone
        fields = []
        template_name = "projects/_milestone_table.html"
        attrs = {"class": "data"}
        empty_text = _("No milestone matches these filters.")
        default = ""
        order_by = "-days_overdue"

    def exported(self, queryset):
        """Of the project only its code and names, and no department (department_names
        names them): building a project and a department for each of ten thousand rows was
        most of the export's time."""
        return queryset.select_related(None).annotate(
            project_code=F("project__code"),
            project_name=F("project__name"),
            project_name_en=F("project__name_en"),
        )

    @cached_property
    def on(self):
        """Today, worked out once for the table rather than once for each exported row."""
        return today()

    @cached_property
    def english(self):
        """Whether the names are in English, worked out once for the exported rows."""
        return in_english()

    @cached_property
    def department_names(self):
        """Each department's name by its id, read once for an export's rows (they are
        some forty; the rows ten thousand), at the first of them: after the rows' query,
        so every department a row names is here."""
        return {department.pk: str(department) for department in Department.objects.all()}

    @cached_property
    def yes_no(self):
        """The re-baselined column's words, translated once for the exported rows."""
        return {True: str(_("yes")), False: str(_("no"))}

    def value_project(self, value, record):
        """What str(project) says, in the language worked out once."""
        name = localized(record.project_name, record.project_name_en, self.english)
        return f"{value} {name}"

    def value_responsible_department(self, value):
        return self.department_names[value]

    def value_days_overdue(self, record):
        return record.days_overdue(on=self.on)

    def value_days_overdue_original(self, record):
        return record.days_overdue_original(on=self.on)

    def value_rebaselined(self, value):
        return self.yes_no[bool(value)]


class UpcomingTable(MilestoneTable):
    """Milestones due soon."""

    counts_days_left = True
    days_overdue = None
    # The id breaks ties, so that pages and exports keep one order for a day's milestones.
    days_left = tables.Column(
        verbose_name=_("days left"), empty_values=(), order_by=("planned_date", "pk")
    )

    class Meta(MilestoneTable.Meta):
        order_by = "days_left"

    def value_days_left(self, record):
        return record.days_until(on=self.on)


class ReviewTable(CardTable):
    """Reports awaiting review, oldest month first. On screen the texts are shortened and
    the two investment figures share a column; exports carry them whole and apart."""

    select = tables.Column(
        verbose_name=_("select"),
        accessor="pk",
        empty_values=(),
        orderable=False,
        exclude_from_export=True,
    )
    project = tables.Column(verbose_name=_("project"), order_by=("project__code",))
    department = tables.Column(
        verbose_name=_("lead department"),
        accessor="project__lead_department",
        order_by=("project__lead_department__name",),
    )
    period = tables.Column(verbose_name=_("reporting month"))
    health = tables.Column(verbose_name=_("health"))
    percent_complete = tables.Column(verbose_name=_("percent complete"))
    narrative = tables.Column(verbose_name=_("progress this month"), orderable=False)
    problems = tables.Column(verbose_name=_("problems needing coordination"), orderable=False)
    investment = tables.Column(
        verbose_name=_("investment this month / this year (100 million yuan)"),
        accessor="investment_completed_ytd",
        exclude_from_export=True,
        orderable=False,
        attrs={"th": {"class": "wrap"}},
    )
    investment_completed_month = tables.Column(
        verbose_name=_("investment completed this month (100 million yuan)"), visible=False
    )
    investment_completed_ytd = tables.Column(
        verbose_name=_("investment completed this year to date (100 million yuan)"),
        visible=False,
    )
    author = tables.Column(verbose_name=_("author"), order_by=("author__username",))
    submitted_at = tables.Column(verbose_name=_("submitted"))
    actions = tables.Column(
        verbose_name=_("action"), empty_values=(), orderable=False, exclude_from_export=True
    )

    class Meta:
        model = ProgressReport
        fields = []
        template_name = "projects/_review_table.html"
        attrs = {"class": "data"}
        empty_text = _("No report awaits review here.")
        default = ""
        order_by = "period"

    def order_period(self, queryset, is_descending):
        """Oldest month first; within a month, in the order they came in."""
        period = F("period").desc() if is_descending else F("period").asc()
        return queryset.order_by(period, "submitted_at", "pk"), True

    def value_project(self, value):
        return str(value)

    def value_department(self, value):
        return str(value)

    def value_period(self, value):
        return f"{value:%Y-%m}"

    def value_investment_completed_month(self, value):
        return number(value)

    def value_investment_completed_ytd(self, value):
        return number(value)

    def value_author(self, value):
        return str(value)

    def value_submitted_at(self, value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


class MissingApprovalTable(CardTable):
    """Missing pre-construction approvals of projects about to start (/approvals/)."""

    project = tables.Column(verbose_name=_("project"), accessor="project__code")
    name = tables.Column(verbose_name=_("name"), accessor="project__name", orderable=False)
    lead_department = tables.Column(
        verbose_name=_("lead department"),
        accessor="project__lead_department",
        order_by=("project__lead_department__name", "project__code"),
    )
    category = tables.Column(verbose_name=_("category"), accessor="project__category")
    start_date = tables.Column(verbose_name=_("start date"), accessor="project__start_date")
    kind = tables.Column(verbose_name=_("kind of approval"), order_by=("kind__order", "pk"))
    state = tables.Column(verbose_name=_("state"))
    # Its files (ApprovalQuerySet.with_documents); in exports, how many.
    documents = tables.Column(
        verbose_name=_("approval document"), accessor="pk", empty_values=(), orderable=False
    )

    class Meta:
        model = Approval
        fields = []
        template_name = "projects/_approval_table.html"
        attrs = {"class": "data"}
        empty_text = _("No approval is missing for a project about to start.")

    def value_name(self, record):
        return record.project.display_name

    def value_lead_department(self, value):
        return str(value)

    def value_kind(self, record):
        return record.kind.display_name

    def value_documents(self, record):
        return len(record.attachments.all())
