"""The portfolio: departments, plans and their chapters, projects, milestones, reports, money."""

import copy
import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, transaction
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, IsNull, LessThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .clock import today
from .names import NamedInTwoLanguages, localized
from .validators import CleanTextModel, change_reason_errors, non_negative, plausible_year

MONEY = {"max_digits": 12, "decimal_places": 4}  # 亿元 to the 10,000 yuan
# The plausible dates of a milestone or a report, as the plausible years (validators).
EARLIEST_DAY, LATEST_DAY = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


class Department(NamedInTwoLanguages, CleanTextModel, models.Model):
    """A body that owns projects or reports figures: a bureau, a street office, a group."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("district bureau")
        STREET = "street", _("street office")
        STATE_GROUP = "state_group", _("district state-owned group")
        CITY = "city", _("city-level body")

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BUREAU)
    contact = models.CharField(_("contact"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="department_name_unique",
                violation_error_message=_("A department with this name already exists."),
            ),
            models.UniqueConstraint(
                fields=["slug"],
                name="department_slug_unique",
                violation_error_message=_("A department with this slug already exists."),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """In lists: the short name (区住房建设交通局), or the English name on an English
        page. The full name (display_full_name) heads the department's own page."""
        return localized(self.short_name or self.name, self.name_en)

    @property
    def display_full_name(self):
        return localized(self.name, self.name_en)


class User(CleanTextModel, AbstractUser):
    """A person who signs in. Belongs to at most one department."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Department editors may change only what belongs to this department."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username


class PlanQuerySet(models.QuerySet):
    """Plans over time. A plan is in force on a day when the day's year is one of its years
    (Plan.state); ended once its last year is past; not yet begun before its first year."""

    def in_force(self, on=None):
        year = (on or today()).year
        return self.filter(start_year__lte=year, end_year__gte=year)

    def ended(self, on=None):
        return self.filter(end_year__lt=(on or today()).year)

    def not_begun(self, on=None):
        return self.filter(start_year__gt=(on or today()).year)

    def current(self, on=None):
        """The plan pages show unless told otherwise (?plan=<number>): the plan in force on
        `on` (default today), else the latest ended one; None while no plan has begun. One
        query (plans are few: one every five years)."""
        return current_plan(self.order_by("number"), on)


def current_plan(plans, on=None):
    """The current plan among `plans` in hand (see PlanQuerySet.current): the one rule."""
    on = on or today()
    plans = list(plans)
    in_force = [plan for plan in plans if plan.state(on) == Plan.State.IN_FORCE]
    if in_force:  # overlapping plans should not happen; the later one wins
        return max(in_force, key=lambda plan: (plan.start_year, plan.number))
    ended = [plan for plan in plans if plan.state(on) == Plan.State.ENDED]
    return max(ended, key=lambda plan: (plan.end_year, plan.number)) if ended else None


class Plan(CleanTextModel, models.Model):
    """A five-year plan. The 14th ships with the app; later ones are added in the admin."""

    class State(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        ENDED = "ended", pgettext_lazy("plan", "ended")
        NOT_BEGUN = "not_begun", _("not yet begun")

    number = models.PositiveSmallIntegerField(
        _("plan number"),
        help_text=_("14 for the 14th Five-Year Plan; chapter keys start with it, as in 14-3.1."),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=20)
    start_year = models.PositiveSmallIntegerField(_("first year"), validators=plausible_year)
    end_year = models.PositiveSmallIntegerField(_("last year"), validators=plausible_year)
    document_number = models.CharField(_("issuing document"), max_length=50, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                name="plan_number_unique",
                violation_error_message=_("A plan with this number already exists."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="plan_period_ordered",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
        ]

    def __str__(self):
        return f"{self.short_name} ({self.start_year}–{self.end_year})"

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot be before the first year.")})

    def get_absolute_url(self):
        return reverse("projects:plan", args=[self.number])

    def state(self, on=None):
        """In force, ended or not yet begun on `on` (default today), by the day's year: the
        rule PlanQuerySet.in_force(), ended() and not_begun() ask the database."""
        year = (on or today()).year
        if year < self.start_year:
            return self.State.NOT_BEGUN
        if year > self.end_year:
            return self.State.ENDED
        return self.State.IN_FORCE

    @property
    def years(self):
        return range(self.start_year, self.end_year + 1)


class PlanChapterQuerySet(models.QuerySet):
    def by_key(self, key):
        """The chapter for a URL key such as '14-3.1', or DoesNotExist."""
        number, _sep, code = key.partition("-")
        if not number.isdigit() or not code:
            raise self.model.DoesNotExist(key)
        return self.get(plan__number=int(number), code=code)


class PlanChapter(CleanTextModel, models.Model):
    """A chapter or section of a plan. Chapters nest: 3 > 3.1."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="chapters"
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        validators=[RegexValidator(r"^\d+(\.\d+)*$", _("Use numbers and dots, as in 3 or 3.1."))],
    )
    title = models.CharField(_("title"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    paragraph_start = models.PositiveSmallIntegerField(_("first paragraph"), null=True, blank=True)
    paragraph_end = models.PositiveSmallIntegerField(_("last paragraph"), null=True, blank=True)
    title_is_official = models.BooleanField(
        _("official title"),
        default=True,
        help_text=_("Unticked when the title was derived from the text, not taken from the plan."),
    )
    # Set in the plan data from the text of each part (fixtures/plan14/plan.json).
    calls_for_works = models.BooleanField(
        _("calls for works"),
        default=True,
        help_text=_(
            "Ticked when the text of this part calls for works that projects carry out; "
            "unticked when it describes (such as the previous plan's achievements) or sets "
            "goals, principles or reforms. Only a part that calls for works and that no "
            "project serves is marked as unserved."
        ),
    )

    objects = PlanChapterQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan chapter")
        verbose_name_plural = _("plan chapters")
        ordering = ["plan__number", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="chapter_code_unique_in_plan",
                violation_error_message=_("This plan already has a chapter with this code."),
            ),
            models.CheckConstraint(
                condition=Q(paragraph_start__isnull=True)
                | Q(paragraph_end__isnull=True)
                | Q(paragraph_end__gte=F("paragraph_start")),
                name="chapter_paragraphs_ordered",
                violation_error_message=_("The last paragraph cannot come before the first."),
            ),
        ]

    def __str__(self):
        return f"{self.key} {self.title}"

    @property
    def key(self):
        """Unique across plans, used in URLs: '14-3.1'."""
        return f"{self.plan.number}-{self.code}"

    @property
    def depth(self):
        return self.code.count(".")

    def subtree(self):
        """This chapter and every section under it (3 gives 3, 3.1, 3.2 …)."""
        return PlanChapter.objects.filter(plan_id=self.plan_id).filter(
            Q(code=self.code) | Q(code__startswith=f"{self.code}.")
        )

    def clean(self):
        # The parent as set, saved or not (an import brings a chapter and its sections).
        parent = self.parent
        if parent is not None and self.plan_id and parent.plan_id != self.plan_id:
            raise ValidationError({"parent": _("The parent chapter must belong to the same plan.")})
        if parent is not None and self.code and not self.code.startswith(parent.code + "."):
            raise ValidationError(
                {"code": _("A section's code starts with its parent's code, as in 3.1 under 3.")}
            )
        if parent is not None and self.calls_for_works and not parent.calls_for_works:
            raise ValidationError(
                {
                    "calls_for_works": _(
                        "A section calls for works only when its chapter does: the chapter "
                        "%(code)s calls for none."
                    )
                    % {"code": parent.code}
                }
            )
        start, end = self.paragraph_start, self.paragraph_end
        if start is not None and end is not None and end < start:
            raise ValidationError(
                {"paragraph_end": _("The last paragraph cannot come before the first.")}
            )


# Where a year's completed investment comes from, by precedence (with_investment).
INVESTMENT_SOURCES = ("correction", "reports", "admin")


def year_investment(row, reports):
    """A project's investment for a year, by the rule of ProjectQuerySet.with_investment(),
    from rows already read (its page reads them all; no query): `row` the year's
    AnnualInvestment or None, `reports` its progress reports of that year, in any order.
    (planned, completed, source), as with_investment() annotates them: the correction, else
    the year to date of the newest report that gives one, else the yearly figure; (None,
    None, "") for a year with neither. with_investment() is this rule in SQL; tests hold the
    two to the same figures."""
    figures = (r for r in reports if r.investment_completed_ytd is not None)
    newest = max(figures, key=lambda r: r.period, default=None)
    planned = row.planned if row is not None else None
    if row is not None and row.correction_reason != "" and row.completed is not None:
        return planned, row.completed, INVESTMENT_SOURCES[0]
    if newest is not None:
        return planned, newest.investment_completed_ytd, INVESTMENT_SOURCES[1]
    if row is not None:
        return planned, row.completed, INVESTMENT_SOURCES[2]
    return None, None, ""


def schedule_health(milestones, on=None):
    """ProjectQuerySet.with_schedule_health()'s colour, from a project's `milestones`
    already read (its page reads them all): red, amber or green by the same rule (tests
    hold the two to the same colour)."""
    on = on or today()
    open_ones = [m for m in milestones if m.actual_date is None]
    if not open_ones:
        return "green"
    first_planned = min(m.planned_date for m in open_ones)
    if first_planned < on - datetime.timedelta(days=settings.SCHEDULE_RED_AFTER_DAYS):
        return "red"
    slips = any(m.forecast_date is not None and m.forecast_date > m.planned_date for m in open_ones)
    return "amber" if first_planned < on or slips else "green"


# An ordering that ends with one of these puts every project in one place (ids_first()).
TOTAL_ORDER = frozenset({"pk", "-pk", "id", "-id", "code", "-code"})


class ProjectQuerySet(models.QuerySet):
    # Set by ids_first(): a slice reads its rows' ids first (see there).
    _ids_first = False

    def _clone(self):
        clone = super()._clone()
        clone._ids_first = self._ids_first
        return clone

    def ids_first(self):
        """These projects, whose slices (a page of a list) sorted on an annotation pick their
        rows by id first: a narrow query of the ids alone, filtered and sorted as this one and
        sliced, inside the query that reads what the rows show for those ids alone. Still one
        query, with the same rows in the same order; ties are put in the order of the ids,
        unless the order ends with a unique field.

        Sorted by a figure (the overdue count), PostgreSQL otherwise joins and sorts the whole
        width of every row, and computes the cheap subqueries of every row before sorting
        (a page of 10,000 projects sorted by overdue count: 31 ms to 11 ms)."""
        clone = self._chain()
        clone._ids_first = True
        return clone

    def __getitem__(self, k):
        if not (self._ids_first and isinstance(k, slice) and k.step is None):
            return super().__getitem__(k)
        if self._result_cache is not None:
            return super().__getitem__(k)
        sorting = set()
        for item in self.query.order_by:
            if isinstance(item, str):
                sorting.add(item.removeprefix("-").split(LOOKUP_SEP)[0])
            else:
                sorting.update(
                    e.name.split(LOOKUP_SEP)[0] for e in item.flatten() if isinstance(e, F)
                )
        sorting &= self.query.annotations.keys()
        if not sorting:
            # Sorted on the table's own columns (the code, by default): PostgreSQL reads a
            # page's rows in order from an index and stops, with nothing to gain.
            return super().__getitem__(k)
        plain = self._chain()
        plain._ids_first = False
        if not (self.query.order_by and self.query.order_by[-1] in TOTAL_ORDER):
            # Ties (many projects have the same figure) in one order, the same in both
            # queries and at every page: pages neither repeat nor skip a project.
            plain = plain.order_by(*self.query.order_by, "pk")
        ids = plain.values("pk")
        # The ids' query keeps only the annotations it sorts on (filters hold their own):
        # made into a subquery, each annotation is copied, a page's every figure for nothing.
        query = ids.query
        query.annotations = {n: a for n, a in query.annotations.items() if n in sorting}
        query.set_annotation_mask(())
        return plain.filter(pk__in=ids[k])

    def countable(self, among=None):
        """These projects less each part whose umbrella is among them (or among `among`, a
        set they are read from): the one rule for any sum over a set of projects (investment
        roll-ups), so a work is counted once. An umbrella entry of the plan
        (Project.part_of) carries the whole work's figures; its parts count only in a set
        without it (a department's own part, say)."""
        # Only the set's umbrellas are read again (a few projects), not the whole set:
        # reading a plan's 10,000 projects twice was a third of the ledger's query.
        among = self if among is None else among
        umbrellas = among.filter(pk__in=Project.objects.exclude(part_of=None).values("part_of"))
        return self.exclude(part_of__in=umbrellas.values("pk"))

    def with_overdue(self, on=None):
        """Projects with at least one overdue milestone on the given day (default today)."""
        return self.filter(Exists(Milestone.objects.overdue(on=on).filter(project=OuterRef("pk"))))

    def with_overdue_count(self, on=None):
        """Annotate overdue_count: the number of overdue milestones, in the same query.

        A plain count (no GROUP BY, so 0 rather than no row), which PostgreSQL answers
        from the open milestones' index alone: sorting the portfolio by it counts for every
        project (10,000 projects: 35 ms to 16 ms)."""
        counts = (
            Milestone.objects.overdue(on=on)
            .filter(project=OuterRef("pk"))
            .order_by()
            .annotate(n=Func(template="COUNT(*)", output_field=models.IntegerField()))
            .values("n")
        )
        return self.annotate(overdue_count=Subquery(counts, output_field=models.IntegerField()))

    def with_latest_report(self):
        """Annotate the newest report's period, health and percent complete, in the same
        query: a join to the project's LatestReport."""
        return self.annotate(
            latest_report_period=F("latest__period"),
            latest_health=F("latest__health"),
            latest_percent_complete=F("latest__percent_complete"),
        )

    def with_schedule_health(self, on=None):
        """Annotate schedule_health, computed from the milestones alone
        (MilestoneQuerySet.schedule_health)."""
        health = Milestone.objects.filter(project=OuterRef("pk")).schedule_health(on).values("health")
        # No open milestone: no row, green.
        return self.annotate(schedule_health=Coalesce(Subquery(health), Value("green")))

    def for_short_lists(self, on=None):
        """What a chapter's or a department's page lists of each project (its lead
        department, overdue count, latest report and schedule health), as the portfolio has
        them: for_portfolio() without the investment, carry-over and next milestone, which
        those pages do not show (a department's 50 projects: 8 ms to 2 ms, with ids_first())."""
        on = on or today()
        return (
            self.select_related("lead_department")
            .with_overdue_count(on)
            .with_latest_report()
            .with_schedule_health(on)
        )

    def for_portfolio(self, on=None):
        """Everything the portfolio table shows, one row per project, in one query.

        health_mismatch: reported green in the latest report but computed red.
        """
        on = on or today()
        upcoming = (
            Milestone.objects.open()
            .filter(project=OuterRef("pk"), planned_date__gte=on)
            .order_by("planned_date", "pk")
        )
        return (
            self.for_short_lists(on)
            # Filtered on, never shown: Project.is_health_mismatch says it for a row.
            .alias(health_mismatch=health_mismatch(on))
            .annotate(
                next_milestone_title=Subquery(upcoming.values("title")[:1]),
                next_milestone_date=Subquery(upcoming.values("planned_date")[:1]),
            )
            .with_investment(on.year, subqueries=True)
            .with_carryover()
        )

    def with_carryover(self):
        """Annotate the newest carry-over's day (carried_on), reason (carryover_reason) and
        plans' short names (carried_from, carried_into), in the same query: the mark of a
        carried-over project in lists and their exports."""
        newest = Carryover.objects.filter(project=OuterRef("pk")).order_by("-carried_on", "-pk")
        return self.annotate(
            carried_on=Subquery(newest.values("carried_on")[:1]),
            carryover_reason=Subquery(newest.values("reason")[:1]),
            carried_from=Subquery(newest.values("from_plan__short_name")[:1]),
            carried_into=Subquery(newest.values("to_plan__short_name")[:1]),
        )

    def with_investment(self, year, suffix="", source=True, subqueries=False):
        """The investment ledger, in the same query: annotate the year's
        investment_planned (the administrator's yearly plan), investment_completed and
        investment_source. This is the rule of year_investment() in SQL, the one definition
        of a project's completed investment for a year; every page, export, the workbook and
        the digest read it (through projects/ledger.py), a project's page by
        year_investment() from the rows it has read:

          1. an administrator's correction for the year (AnnualInvestment with who and why)
             ("correction");
          2. else the year to date of the project's newest report of the year that gives
             one ("reports");
          3. else the administrator's yearly figure, for years without reports ("admin").

        Each name ends in `suffix`, for several years in one query; investment_source only
        if `source`. The year to date is one subquery (report_year_to_date_idx). The year's
        AnnualInvestment row (one a project and year: investment_one_per_project_year) is
        one join, for a query that reads every project (the ledger's sums: a subquery for
        each figure made 10,000 projects seven index probes each); with `subqueries`, a
        subquery for each figure, which PostgreSQL computes only for the rows a sorted list
        keeps for its page (it would join every row before sorting)."""
        correction = f"investment_correction{suffix}"
        year_to_date = f"investment_year_to_date{suffix}"
        if subqueries:
            row = AnnualInvestment.objects.filter(project=OuterRef("pk"), year=year).order_by()
            relation = {}

            # Whether there is a row too: its id or NULL, not EXISTS, which PostgreSQL would
            # answer by hashing every row of the table, even for a page of 50 projects.
            def field(name):
                return Subquery(row.values(name)[:1])

            corrected = Subquery(row.exclude(correction_reason="").values("completed")[:1])
        else:
            joined = f"investment_row{suffix}"
            relation = {
                joined: FilteredRelation("investments", condition=Q(investments__year=year))
            }

            def field(name):
                return F(f"{joined}__{name}")

            corrected = Case(
                When(~Exact(field("correction_reason"), ""), then=field("completed"))
            )
        newest = ProgressReport.objects.filter(
            project=OuterRef("pk"), period__year=year, investment_completed_ytd__isnull=False
        ).order_by("-period")
        figures = {
            f"investment_planned{suffix}": field("planned"),
            f"investment_completed{suffix}": Coalesce(
                F(correction), F(year_to_date), field("completed")
            ),
        }
        if source:
            figures[f"investment_source{suffix}"] = Case(
                When(IsNull(F(correction), False), then=Value(INVESTMENT_SOURCES[0])),
                When(IsNull(F(year_to_date), False), then=Value(INVESTMENT_SOURCES[1])),
                When(IsNull(field("pk"), False), then=Value(INVESTMENT_SOURCES[2])),
                default=Value(""),
                output_field=models.CharField(),
            )
        return (
            self.alias(**relation)
            .alias(
                **{
                    correction: corrected,
                    year_to_date: Subquery(newest.values("investment_completed_ytd")[:1]),
                }
            )
            .annotate(**figures)
        )


class KeptSubquery(Subquery):
    """A subquery of a queryset kept by built_once(), compiled to SQL once for each
    database rather than at every query made from the kept queryset: the portfolio's
    thirteen subqueries were two thirds of the processor time of compiling its query, at
    each page. The SQL of a resolved subquery depends only on itself (its outer reference
    names the outer query's alias, fixed when it was resolved)."""

    def as_sql(self, compiler, connection, template=None, **extra_context):
        if template is not None or extra_context:
            return super().as_sql(compiler, connection, template, **extra_context)
        compiled = self.kept.get(connection.alias)
        if compiled is None:
            sql, params = super().as_sql(compiler, connection)
            compiled = self.kept[connection.alias] = (sql, tuple(params))
        return compiled

    # What was compiled is kept in a dictionary that copies share: a lookup over a subquery
    # (the ledger's IsNull of its correction) resolves it again at each compile, its outer
    # reference already resolved, to the same SQL; those three were resolved (the subquery
    # cloned) and recompiled at every page. Once compiled, resolving it again is itself.
    # A copy relabelled for use inside another query resolves and compiles afresh.
    def resolve_expression(self, *args, **kwargs):
        if self.kept:
            return self
        return super().resolve_expression(*args, **kwargs)

    def relabeled_clone(self, change_map):
        clone = super().relabeled_clone(change_map)
        if change_map:
            clone.kept = {}
        return clone


def keep_subqueries(queryset):
    """The subqueries of `queryset`'s annotations and aliases made KeptSubquery (it is a
    queryset just built, whose expressions nothing else holds)."""

    def keep(expression):
        if type(expression) is Subquery:
            expression.__class__ = KeptSubquery
            expression.kept = {}  # by database alias: the SQL and parameters
            return  # its own subqueries are compiled with it
        for source in expression.get_source_expressions():
            if source is not None and hasattr(source, "get_source_expressions"):
                keep(source)

    for annotation in queryset.query.annotations.values():
        keep(annotation)
    return queryset


_built = {}  # what built_once() made, by key


def built_once(key, build):
    """build() made once in this process for `key` (everything the result depends on), then
    the same result at each call. For how a query is made (a queryset never evaluated, or
    its SQL and parameters), never for its rows: building the portfolio's twenty
    annotations, or compiling the to-do's eight counts, cost a page more processor time
    than running the query."""
    built = _built.get(key)
    if built is None:
        if len(_built) >= 64:  # a few days' worth; yesterday's are of no use
            _built.clear()
        built = _built[key] = build()
    return built


def whole_table(queryset):
    """(model, order) of a queryset that reads a whole table in an order (a select's
    departments or chapters, the plans): its SQL is fixed by them and the columns read, so
    it can be made once (rows_once()); None for any other (a filter, a slice, an
    annotation...)."""
    query = queryset.query
    if (
        query.where
        or query.is_sliced
        or query.distinct
        or query.annotations
        or query.extra
        or query.combinator
    ):
        return None
    return queryset.model, tuple(query.order_by) or tuple(query.get_meta().ordering)


def kept_rows(queryset, fields):
    """The rows (tuples of `fields`) of a whole_table() queryset, read at each call by SQL
    made once; None for any other queryset."""
    table = whole_table(queryset)
    if table is None:
        return None
    model, order = table
    return rows_once(
        ("whole table", queryset.db, model._meta.label, tuple(fields), order),
        lambda: model._default_manager.using(queryset.db).order_by(*order).values_list(*fields),
    )


def kept_objects(queryset):
    """list(queryset), by SQL made once for a whole_table() queryset (the plans atop every
    list page, say)."""
    table = whole_table(queryset)
    if table is None or queryset.query.select_related:
        return list(queryset)
    model, order = table
    return rows_once(
        ("whole table", queryset.db, model._meta.label, order),
        lambda: model._default_manager.using(queryset.db).order_by(*order),
    )


def rows_once(key, build, *values):
    """The rows of build(*values), a queryset, read at each call, its SQL made once for
    `key`: build() is called once, with stand-ins for `values` (ids, codes), and compiled;
    at each call the compiled SQL runs with the call's values in the stand-ins' places.
    For a query whose shape is fixed (it must not depend on the values but through their
    places as parameters): building and compiling a project page's dozen querysets cost it
    more processor time than running them. It makes model instances (with their
    select_related ones, prefetches too), values or flat lists, as the queryset would.
    Should a stand-in not be found among the parameters as given (a lookup that changes
    it, such as a date and time on SQLite, passed as text), the queryset is built at each
    call."""
    return list(bound_once(key, build, values))


def rows_together(*calls):
    """[rows_once(key, build, *values) for each (key, build, values) of `calls`], their
    queries sent to the database together: on PostgreSQL in one round trip (psycopg's
    pipeline mode) rather than one each, for the independent queries of one page. Each is
    still one query, run, logged and counted as any other; elsewhere they run in turn."""
    runs = [bound_once(key, build, values) for key, build, values in calls]
    kept = [run.query for run in runs if isinstance(run.query, BoundQuery)]
    using = {run.db for run in runs}
    if len(kept) > 1 and len(using) == 1:
        connection = connections[using.pop()]
        if connection.vendor == "postgresql" and connection.Database.Pipeline.is_supported():
            send_together(connection, kept)
    return [list(run) for run in runs]


def send_together(connection, queries):
    """Runs the SQL of each BoundQuery in `queries` in one pipeline and hands each its rows,
    which its compiler then gives in place of running it."""
    connection.ensure_connection()
    cursors = []
    with connection.wrap_database_errors:
        with connection.connection.pipeline():
            for query in queries:
                cursor = connection.cursor()
                cursor.execute(query.sql, query.params)
                cursors.append(cursor)
        for query, cursor in zip(queries, cursors):
            with cursor:
                query.rows = cursor.fetchall()


def bound_once(key, build, values):
    """The queryset whose evaluation gives rows_once(key, build, *values)."""
    kinds = tuple(type(value) for value in values)
    kept = built_once(("rows once", *key, kinds), lambda: compile_once(build, kinds))
    if not kept:
        return build(*values)
    queryset, compiler, sql, params, places = kept
    params = list(params)
    for place, n, adapt in places:
        params[place] = adapt(values[n])
    # A queryset like the kept one (not a copy of its query, which would cost a good part
    # of building one) on the kept query bound to the call's parameters.
    run = type(queryset)(
        model=queryset.model,
        query=BoundQuery(queryset.query, compiler, sql, params),
        using=queryset._db,
        hints=queryset._hints,
    )
    run._iterable_class, run._fields = queryset._iterable_class, queryset._fields
    run._prefetch_related_lookups = queryset._prefetch_related_lookups
    run._known_related_objects = queryset._known_related_objects
    return run


STAND_INS = {
    int: lambda n: -2_000_000_000 + n,  # in the range of any integer column
    str: lambda n: f"\x1fstand-in {n}\x1f",
    datetime.datetime: lambda n: datetime.datetime(1901, 1, 1, 0, 0, n, tzinfo=datetime.UTC),
}


def compile_once(build, kinds):
    """(queryset, its compiler after compiling, SQL, parameters, [(place of a stand-in
    among the parameters, the value's index, what makes the value a parameter as the
    stand-in was made one)]) of build() on stand-ins of `kinds`; () should a stand-in be
    missing from the parameters (kept too: not to be compiled at each call)."""
    stand_ins = [STAND_INS[kind](n) for n, kind in enumerate(kinds)]
    queryset = build(*stand_ins)
    if queryset._known_related_objects:
        return ()  # a reverse foreign key's manager would give each row its stand-in
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    places = []
    for place, param in enumerate(params):
        # A whole number compared with an integer column is passed in psycopg's type of
        # the column's size (Int4, a kind of int), which the call's value must be given too.
        kind = int if isinstance(param, int) and not isinstance(param, bool) else type(param)
        if kind in STAND_INS and param in stand_ins:
            adapt = type(param) if type(param) is not kind else same
            places.append((place, stand_ins.index(param), adapt))
    if {n for _place, n, _adapt in places} != set(range(len(stand_ins))):
        return ()
    return queryset, compiler, sql, tuple(params), places


def same(value):
    return value


class BoundQuery:
    """A kept query at one call of rows_once(): its compiler, as compiled once, with the
    call's parameters and the connection of this thread; all else is the kept query's."""

    rows = None  # as read already (send_together()), if they were

    def __init__(self, query, compiler, sql, params):
        self.kept, self.compiler, self.sql, self.params = query, compiler, sql, params

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[using or self.compiler.using]
        compiler.as_sql = lambda *args, **kwargs: (self.sql, self.params)
        if self.rows is not None:
            rows = self.rows
            if compiler.has_extra_select:  # as execute_sql() drops them
                rows = [row[: compiler.col_count] for row in rows]
            # What execute_sql() gives for many rows: an iterator of lists of them.
            compiler.execute_sql = lambda *args, **kwargs: iter([rows])
        return compiler

    def __getattr__(self, name):
        return getattr(self.kept, name)


class ProjectManager(models.Manager.from_queryset(ProjectQuerySet)):
    def built_once(self, key, build):
        """build(), a queryset, made once for `key` (see built_once()), then a new copy of
        it at each call: the kept queryset is never evaluated, only its copies are. Its
        subqueries are compiled to SQL once (KeptSubquery)."""
        return built_once(
            ("queryset", self.db, *key), lambda: keep_subqueries(build())
        ).all()

    def for_short_lists(self, on=None):
        """ProjectQuerySet.for_short_lists() of every project, built once a day."""
        on = on or today()
        return self.built_once(
            ("short lists", on, settings.SCHEDULE_RED_AFTER_DAYS),
            lambda: self.get_queryset().for_short_lists(on),
        )

    def for_portfolio(self, on=None):
        """ProjectQuerySet.for_portfolio() of every project, built once a day."""
        on = on or today()
        return self.built_once(
            ("portfolio", on, settings.SCHEDULE_RED_AFTER_DAYS),
            lambda: self.get_queryset().for_portfolio(on),
        )


class Project(NamedInTwoLanguages, CleanTextModel, models.Model):
    """A major project (重大项目) of the plan, owned by a lead department."""

    class Category(models.TextChoices):
        CULTURE = "culture", _("culture")
        HEALTH_PHARMA = "health_pharma", _("health & pharma")
        TRANSPORT = "transport", _("transport")
        EDUCATION = "education", _("education")
        HEALTHCARE = "healthcare", _("healthcare")
        INDUSTRY = "industry", _("industry & business")
        COMMERCE = "commerce", _("commerce & markets")
        FINANCE = "finance", _("finance")
        URBAN_RENEWAL = "urban_renewal", _("urban renewal")
        INFRASTRUCTURE = "infrastructure", _("infrastructure")
        ECOLOGY = "ecology", _("ecology")
        INNOVATION = "innovation", _("science & innovation")
        SOCIAL = "social", _("social services")

    class Area(models.TextChoices):
        BAIETAN = "baietan", _("Bai'etan Business District")
        NORTH = "north", _("North Area")
        SOUTH = "south", _("South Area")
        LINGNAN_CORE = "lingnan_core", _("Lingnan Culture Core Area")
        HAILONG = "hailong", _("Hailong Sci-Tech Demonstration Zone")
        DISTRICT = "district", _("district-wide")

    class Stage(models.TextChoices):
        RESERVE = "reserve", _("reserve")
        PRELIMINARY = "preliminary", _("preliminary works")
        CONSTRUCTION = "construction", _("under construction")
        COMPLETED = "completed", _("completed")
        SUSPENDED = "suspended", _("suspended")
        CANCELLED = "cancelled", _("cancelled")

    code = models.CharField(
        _("code"),
        max_length=20,
        validators=[
            RegexValidator(r"^[A-Z]{2,4}-[A-Z]{2,4}-\d{3,4}$", _("Use a code such as LW-CUL-001."))
        ],
        help_text=_("Stable; used in links. For example LW-CUL-001."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices, default=Area.DISTRICT)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.RESERVE
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        help_text=_("Empty until the district assigns an owner."),
    )
    partner_departments = models.ManyToManyField(
        Department,
        verbose_name=_("partner departments"),
        blank=True,
        related_name="partner_projects",
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        help_text=_(
            "The umbrella entry of the plan this project is a part of; sums count a work "
            "once in every sum over projects."
        ),
    )
    leader = models.CharField(_("leader responsible"), max_length=100, blank=True)
    contact_name = models.CharField(_("project contact"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    total_investment = models.DecimalField(
        _("total investment (100 million yuan)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[non_negative(_("Total investment cannot be negative."))],
    )
    chapters = models.ManyToManyField(
        PlanChapter,
        verbose_name=_("chapters served"),
        through="ProjectChapter",
        blank=True,
        related_name="projects",
    )
    description = models.TextField(_("description"), blank=True)
    source_paragraph = models.PositiveSmallIntegerField(
        _("source paragraph"),
        null=True,
        blank=True,
        help_text=_("Paragraph of the plan text that names the project, counted from 0."),
    )
    source_sentence = models.TextField(
        _("source sentence"), blank=True, help_text=_("The plan's own words, quoted exactly.")
    )
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("Owner, stage, dates and amounts are sample values, not the district's."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical project"))
    objects = ProjectManager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="project_code_unique",
                violation_error_message=_("A project with this code already exists."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(planned_completion__isnull=True)
                | Q(planned_completion__gte=F("start_date")),
                name="project_completion_not_before_start",
                violation_error_message=_("Planned completion cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="project_total_investment_non_negative",
                violation_error_message=_("Total investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(part_of=F("pk")),
                name="project_not_part_of_itself",
                violation_error_message=_("A project cannot be a part of itself."),
            ),
        ]
        indexes = [
            # Portfolio filters.
            models.Index(fields=["stage"], name="project_stage_idx"),
            models.Index(fields=["category"], name="project_category_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.code])

    # The next two read annotations of ProjectQuerySet.for_portfolio().
    @property
    def is_health_mismatch(self):
        return is_health_mismatch(
            getattr(self, "latest_health", None), getattr(self, "schedule_health", None)
        )

    @property
    def investment_rate(self):
        """This year's completed over planned investment, in percent."""
        planned = getattr(self, "investment_planned", None)
        if not planned:
            return None
        return self.investment_completed / planned * 100

    def first_day(self):
        """The earliest date a milestone or a report of this project can carry: the first day
        of the year it started, or without a start, of the first plan's first year."""
        if self.start_date:
            return max(datetime.date(self.start_date.year, 1, 1), EARLIEST_DAY)
        if not hasattr(self, "_first_plan_year"):
            self._first_plan_year = (
                Plan.objects.order_by("start_year").values_list("start_year", flat=True).first()
            )
        if self._first_plan_year:
            return datetime.date(self._first_plan_year, 1, 1)
        return EARLIEST_DAY

    def clean(self):
        errors = {}
        if (
            self.start_date
            and self.planned_completion
            and self.planned_completion < self.start_date
        ):
            errors["planned_completion"] = _("Planned completion cannot be before the start date.")
        if self.part_of_id:
            # One level: an umbrella and its parts, so countable() needs no walk up a tree.
            if self.part_of_id == self.pk:
                errors["part_of"] = _("A project cannot be a part of itself.")
            elif self.part_of.part_of_id or (self.pk and self.parts.exists()):
                errors["part_of"] = _(
                    "An umbrella entry is not itself a part, and a part has no parts."
                )
        if errors:
            raise ValidationError(errors)


NOTHING_TO_CARRY = _(
    "The project serves no chapter of an earlier plan: there is nothing to carry over."
)
CARRYOVER_NEEDS_REASON = _("Say why the project is carried over.")
ALREADY_CARRIED = _("This project is already carried over into this plan.")


class ProjectChapter(models.Model):
    """A chapter (or section) of a plan that a project serves."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="chapter_links"
    )
    chapter = models.ForeignKey(
        PlanChapter,
        verbose_name=_("chapter"),
        on_delete=models.CASCADE,
        related_name="project_links",
    )

    # Each link added or removed is in the project's change history, with who and when
    # (projects/history.py): the admin's inline and the carry-over save links one by one,
    # the imports and the plan data with simple-history's bulk functions.
    history = HistoricalRecords(verbose_name=_("historical chapter served"))

    class Meta:
        verbose_name = _("chapter served")
        verbose_name_plural = _("chapters served")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "chapter"],
                name="project_chapter_unique",
                violation_error_message=_("The project is already linked to this chapter."),
            ),
        ]

    def __str__(self):
        return f"{self.project.code} → {self.chapter.key}"


# A project finished or given up is not carried into the next plan.
NOT_CARRIED_STAGES = (Project.Stage.COMPLETED, Project.Stage.CANCELLED)


class CarryoverQuerySet(models.QuerySet):
    def for_marks(self):
        """With the two plans and who carried it over, as the marks show them."""
        return self.select_related("from_plan", "to_plan", "carried_by")


class Carryover(CleanTextModel, models.Model):
    """An unfinished project of an ended plan carried over (结转) into a later plan: on what
    day, why and by whom. The chapters it serves in the new plan are its chapter links
    (ProjectChapter) to that plan's chapters, made with it (services.carry_over); its
    links to the earlier plan's chapters stay, so the earlier plan still counts it."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="carryovers"
    )
    from_plan = models.ForeignKey(
        Plan,
        verbose_name=_("carried over from"),
        on_delete=models.PROTECT,
        related_name="carryovers_out",
        error_messages={"null": NOTHING_TO_CARRY, "blank": NOTHING_TO_CARRY},
    )
    to_plan = models.ForeignKey(
        Plan,
        verbose_name=_("carried over into"),
        on_delete=models.PROTECT,
        related_name="carryovers_in",
    )
    carried_on = models.DateField(_("carried over on"), default=today)
    reason = models.TextField(
        _("reason for the carry-over"), error_messages={"blank": CARRYOVER_NEEDS_REASON}
    )
    carried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("carried over by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(verbose_name=_("historical carry-over"))
    objects = CarryoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("carry-over")
        verbose_name_plural = _("carry-overs")
        ordering = ["-carried_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "to_plan"],
                name="carryover_once_into_a_plan",
                violation_error_message=ALREADY_CARRIED,
            ),
            models.CheckConstraint(
                condition=~Q(from_plan=F("to_plan")),
                name="carryover_into_another_plan",
                violation_error_message=_("A project is carried over into another plan."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="carryover_has_reason",
                violation_error_message=CARRYOVER_NEEDS_REASON,
            ),
        ]
        indexes = [
            # A plan's pages: the carry-overs out of it and into it.
            models.Index(fields=["from_plan"], name="carryover_from_plan_idx"),
        ]

    def __str__(self):
        return f"{self.project.code} {self.from_plan.short_name} → {self.to_plan.short_name}"

    @staticmethod
    def earlier_plan(project, to_plan):
        """The plan a project is carried over from into `to_plan`: the latest plan before it
        whose chapters the project serves; None if it serves none. One query."""
        return (
            Plan.objects.filter(
                number__lt=to_plan.number, chapters__project_links__project=project
            )
            .order_by("-number")
            .first()
        )

    def clean(self):
        errors = {}
        on = self.carried_on or today()
        if self.project_id and self.project.stage in NOT_CARRIED_STAGES:
            errors["project"] = _(
                "Only an unfinished project is carried over: %(project)s is %(stage)s."
            ) % {"project": self.project.code, "stage": self.project.get_stage_display()}
        if self.from_plan_id and self.to_plan_id:
            earlier, later = self.from_plan, self.to_plan
            if earlier.end_year > on.year:
                errors["from_plan"] = _(
                    "%(plan)s runs until the end of %(end)s: a project is carried over from a "
                    "plan that has ended or is in its last year."
                ) % {"plan": earlier.short_name, "end": earlier.end_year}
            elif self.project_id and not self.project.chapter_links.filter(
                chapter__plan=earlier
            ).exists():
                errors["from_plan"] = _(
                    "%(project)s serves no chapter of %(plan)s: there is nothing to carry over."
                ) % {"project": self.project.code, "plan": earlier.short_name}
            if later.start_year <= earlier.end_year:
                errors["to_plan"] = _(
                    "A project is carried over into a later plan: %(later)s begins in %(start)s, "
                    "before %(earlier)s ends."
                ) % {
                    "later": later.short_name,
                    "start": later.start_year,
                    "earlier": earlier.short_name,
                }
        if errors:
            raise ValidationError(errors)

    def check_chapters(self, chapters):
        """The chapters the project is to serve in the plan it is carried into: at least
        one, and every one a chapter of that plan."""
        plan = self.to_plan
        if not chapters:
            raise ValidationError(
                {"chapters": _("Choose the chapters of %(plan)s the project serves.")
                % {"plan": plan.short_name}}
            )
        foreign = [chapter for chapter in chapters if chapter.plan_id != plan.pk]
        if foreign:
            raise ValidationError(
                {
                    "chapters": _("Not a chapter of %(plan)s: %(chapters)s.")
                    % {
                        "plan": plan.short_name,
                        "chapters": "、".join(str(chapter) for chapter in foreign),
                    }
                }
            )


class MilestoneQuerySet(models.QuerySet):
    def open(self):
        return self.filter(actual_date__isnull=True)

    def done(self):
        return self.filter(actual_date__isnull=False)

    def overdue(self, on=None):
        """Not done and planned before the given day (default today); most overdue first."""
        on = on or today()
        return self.open().filter(planned_date__lt=on).order_by("planned_date", "pk")

    def overdue_against_original(self, on=None):
        """Not done and past the original planned date (the first baseline) on the given day:
        the overdue board's view that a re-baseline cannot empty; most overdue first."""
        on = on or today()
        return self.open().filter(original_planned_date__lt=on).order_by(
            "original_planned_date", "pk"
        )

    def rebaselined(self):
        """Milestones whose planned date is no longer the one they were created with."""
        return self.exclude(planned_date=F("original_planned_date"))

    def due_within(self, days, on=None):
        """Not done and planned from the given day (default today) to `days` days later."""
        on = on or today()
        return (
            self.open()
            .filter(planned_date__gte=on, planned_date__lte=on + datetime.timedelta(days=days))
            .order_by("planned_date", "pk")
        )

    def schedule_health(self, on=None):
        """Each project's schedule health, computed from its open milestones alone: rows
        of project and health, one a project with an open milestone (none: green).

        red    a milestone more than settings.SCHEDULE_RED_AFTER_DAYS days overdue;
        amber  a milestone overdue, or an open one forecast after its planned date;
        green  otherwise.
        """
        on = on or today()
        red_before = on - datetime.timedelta(days=settings.SCHEDULE_RED_AFTER_DAYS)
        # One pass over the project's open milestones (their earliest planned date, and
        # whether any is forecast to slip), not an EXISTS for each colour: PostgreSQL turns
        # those into hashes of every open milestone, built even for a page of 50 projects.
        first_planned = Min("planned_date")
        slips = Max(Case(When(forecast_date__gt=F("planned_date"), then=1), default=0))
        return (
            self.open()
            .order_by()
            .values("project")
            .annotate(
                health=Case(
                    When(LessThan(first_planned, red_before), then=Value("red")),
                    When(LessThan(first_planned, on) | Exact(slips, 1), then=Value("amber")),
                    default=Value("green"),
                    output_field=models.CharField(),
                )
            )
        )

    def for_lists(self):
        """With the responsible department and, of the project, what lists of milestones
        show (its code and name), not whole projects. (Their exports read less still: see
        MilestoneTable.exported().)"""
        shown = {"id", "code", "name", "name_en"}
        return self.select_related("project", "responsible_department").defer(
            *(f"project__{f.name}" for f in Project._meta.concrete_fields if f.name not in shown)
        )


class Milestone(CleanTextModel, models.Model):
    """A dated step of a project (节点). The planned date is the baseline."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    # Set once, when the milestone is made (keep_original_baseline); never edited, so a
    # re-baseline cannot hide how far a milestone has slipped from its first plan.
    original_planned_date = models.DateField(
        _("original planned date"),
        blank=True,
        editable=False,
        help_text=_("The planned date the milestone was created with; a re-baseline keeps it."),
    )
    forecast_date = models.DateField(_("forecast date"), null=True, blank=True)
    forecast_reason = models.TextField(_("reason for the forecast"), blank=True)
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    responsible_department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones",
        help_text=_("Leave empty for the project's lead department."),
    )
    is_sample = models.BooleanField(_("sample data"), default=False)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Counts saves; refuses lost updates.")
    )

    history = HistoricalRecords(verbose_name=_("historical milestone"))
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "planned_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "title"],
                name="milestone_title_unique_in_project",
                violation_error_message=_("This project already has a milestone with this title."),
            ),
            models.CheckConstraint(
                condition=Q(forecast_date__isnull=True) | ~Q(forecast_reason=""),
                name="milestone_forecast_has_reason",
                violation_error_message=_("Give a reason for the forecast date."),
            ),
        ]
        indexes = [
            # Overdue board and "due soon": open milestones by planned date.
            models.Index(fields=["actual_date", "planned_date"], name="milestone_open_planned_idx"),
            # Computed schedule health: open milestones forecast to slip are few; find them
            # without reading every milestone.
            models.Index(
                fields=["project"],
                condition=Q(actual_date__isnull=True, forecast_date__gt=F("planned_date")),
                name="milestone_slipping_idx",
            ),
            # Open milestones in the boards' order (most overdue first, the id breaking
            # ties): a page of the overdue board, and each project's most overdue on the
            # dashboard, read from the top and stop (EXPLAIN ANALYZE: 20 ms and 40 ms, every
            # overdue milestone joined and sorted, to 6 ms and 5 ms).
            models.Index(
                fields=["planned_date", "id"],
                condition=Q(actual_date__isnull=True),
                name="milestone_open_in_order_idx",
            ),
            # A project's open milestones' dates, read from the index alone: its computed
            # schedule health and overdue count, for each of ten thousand projects.
            models.Index(
                fields=["project", "planned_date", "forecast_date"],
                condition=Q(actual_date__isnull=True),
                name="milestone_open_by_project_idx",
            ),
            # A department's open milestones by date: its overdue and due-soon counts on
            # every page's to-do badge, and the overdue board filtered to it (EXPLAIN
            # ANALYZE for 7,000 milestones of one department, 775 overdue: a bitmap scan
            # of them all, 3.4 ms, to an index-only scan of the overdue, 0.2 ms).
            models.Index(
                fields=["responsible_department", "planned_date"],
                condition=Q(actual_date__isnull=True),
                name="milestone_open_by_dept_idx",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.title}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row held when read, for the rules on what a save changes.
        loaded = dict(zip(field_names, values, strict=True))
        instance._loaded = {
            name: loaded.get(name) for name in ("actual_date", "forecast_date", "planned_date")
        }
        return instance

    def keep_original_baseline(self):
        """A new milestone's first planned date is its original baseline, on every path
        that makes one (forms and imports through clean(), code through save())."""
        if self.original_planned_date is None:
            self.original_planned_date = self.planned_date

    def save(self, *args, **kwargs):
        self.keep_original_baseline()
        super().save(*args, **kwargs)

    @property
    def is_rebaselining(self):
        """The planned date differs from the one read from the database: a re-baseline."""
        loaded = getattr(self, "_loaded", {}).get("planned_date")
        return bool(self.pk and loaded and self.planned_date != loaded)

    @property
    def was_done(self):
        """Done when it was read from the database (whatever has been set on it since)."""
        return getattr(self, "_loaded", {}).get("actual_date") is not None

    def clean(self):
        errors = {}
        # Not database constraints: SQLite refuses the current date in a CHECK constraint,
        # and "today" is the app's clock (projects.clock), not the database's.
        on = today()
        first = self.project.first_day() if self.project_id else EARLIEST_DAY
        for name in ("actual_date", "forecast_date"):
            day = getattr(self, name)
            if day and not first <= day <= LATEST_DAY:
                errors[name] = _("Enter a date from %(first)s to %(last)s.") % {
                    "first": first.isoformat(),
                    "last": LATEST_DAY.isoformat(),
                }
        if self.actual_date and self.actual_date > on:
            errors["actual_date"] = _("The actual date cannot be in the future.")
        loaded_forecast = getattr(self, "_loaded", {}).get("forecast_date")
        forecast_changed = self.forecast_date != loaded_forecast
        if self.forecast_date and forecast_changed and not self.actual_date:
            # A forecast already passed stays as it was; a new one must still lie ahead.
            if self.forecast_date < on:
                errors["forecast_date"] = _("A forecast is a date still to come.")
        if self.forecast_date and not self.forecast_reason.strip():
            errors["forecast_reason"] = _("Give a reason for the forecast date.")
        # A re-baseline is told why; the reason is the history record's (_change_reason).
        errors |= change_reason_errors(
            self,
            needed=self.is_rebaselining,
            field="planned_date",
            message=REBASELINE_NEEDS_REASON,
        )
        if errors:
            raise ValidationError(errors)
        self.keep_original_baseline()
        if self.responsible_department_id is None and self.project_id:
            self.responsible_department_id = self.project.lead_department_id

    @property
    def is_done(self):
        return self.actual_date is not None

    def days_overdue(self, on=None):
        """Days past the planned date while not done; 0 when done or not yet due."""
        on = on or today()
        if self.is_done or self.planned_date >= on:
            return 0
        return (on - self.planned_date).days

    @property
    def is_overdue(self):
        return self.days_overdue() > 0

    def days_until(self, on=None):
        """Days from the given day (default today) to the planned date."""
        return (self.planned_date - (on or today())).days

    @property
    def slip_days(self):
        """Actual (or forecast) minus planned, in days; None without either."""
        other = self.actual_date or self.forecast_date
        if other is None:
            return None
        return (other - self.planned_date).days

    # Against the original baseline: what a re-baseline would otherwise hide.
    @property
    def baseline_date(self):
        """The original planned date (the planned date on a row not yet saved)."""
        return self.original_planned_date or self.planned_date

    @property
    def is_rebaselined(self):
        return self.baseline_date != self.planned_date

    def days_overdue_original(self, on=None):
        """Days past the original planned date while not done; 0 when done or not yet due."""
        on = on or today()
        if self.is_done or self.baseline_date >= on:
            return 0
        return (on - self.baseline_date).days

    @property
    def slip_days_original(self):
        """Actual (or forecast) minus the original planned date, in days; None without either."""
        other = self.actual_date or self.forecast_date
        if other is None:
            return None
        return (other - self.baseline_date).days


REBASELINE_NEEDS_REASON = _(
    "Say why the planned date moves: a re-baseline needs a reason, which the history keeps."
)


class ProgressReportQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-period", "-submitted_at", "-pk")

    def awaiting_review(self):
        """Submitted and not yet accepted or returned (the managers' review queue)."""
        return self.filter(status=ProgressReport.Status.SUBMITTED)

    def latest_per_project(self):
        """The newest report of each project (its LatestReport), in one query."""
        return self.filter(latest_of__isnull=False)


PERCENT_RANGE = _("Percent complete must be between 0 and 100.")
MONTH_OVER_YTD = _("The month's investment cannot be more than the year to date.")


def amount(value):
    """A Decimal amount as people write it: 1.5, not 1.5000."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class ProgressReport(CleanTextModel, models.Model):
    """A department's monthly word on a project (进度报告)."""

    class Health(models.TextChoices):
        GREEN = "green", _("on track")
        AMBER = "amber", _("at risk")
        RED = "red", _("seriously behind")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("review status", "submitted")
        ACCEPTED = "accepted", pgettext_lazy("review status", "accepted")
        RETURNED = "returned", pgettext_lazy("review status", "returned")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="reports"
    )
    period = models.DateField(_("reporting month"), help_text=_("Stored as the month's first day."))
    health = models.CharField(
        _("health"),
        max_length=10,
        choices=Health.choices,
        error_messages={
            "blank": _("Use green, amber or red."),
            "invalid_choice": _("Use green, amber or red."),
        },
    )
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"),
        validators=[
            MinValueValidator(0, PERCENT_RANGE),
            MaxValueValidator(100, PERCENT_RANGE),
        ],
        error_messages={"null": PERCENT_RANGE, "blank": PERCENT_RANGE},
    )
    narrative = models.TextField(
        _("progress this month"), error_messages={"blank": _("Say what was done this month.")}
    )
    problems = models.TextField(_("problems needing coordination"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    investment_completed_month = models.DecimalField(
        _("investment completed this month (100 million yuan)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[non_negative(_("Investment cannot be negative."))],
    )
    investment_completed_ytd = models.DecimalField(
        _("investment completed this year to date (100 million yuan)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[non_negative(_("Investment cannot be negative."))],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_reports",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    status = models.CharField(
        _("review status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_reports",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Counts saves; refuses lost updates.")
    )

    history = HistoricalRecords(verbose_name=_("historical progress report"))
    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["project", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                name="report_one_per_project_month",
                violation_error_message=_("This project already has a report for this month."),
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="report_percent_complete_0_100",
                violation_error_message=PERCENT_RANGE,
            ),
            models.CheckConstraint(
                condition=~Q(narrative=""),
                name="report_narrative_not_empty",
                violation_error_message=_("Say what was done this month."),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comment=""),
                name="report_returned_has_comment",
                violation_error_message=_("Say why the report is returned."),
            ),
            models.CheckConstraint(
                condition=Q(investment_completed_ytd__isnull=True)
                | Q(investment_completed_ytd__gte=0),
                name="report_investment_non_negative",
                violation_error_message=_("Investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(investment_completed_month__isnull=True)
                | Q(investment_completed_month__gte=0),
                name="report_month_investment_non_negative",
                violation_error_message=_("Investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(investment_completed_month__isnull=True)
                | Q(investment_completed_ytd__isnull=True)
                | Q(investment_completed_month__lte=F("investment_completed_ytd")),
                name="report_month_investment_within_ytd",
                violation_error_message=MONTH_OVER_YTD,
            ),
        ]
        indexes = [
            # A project's newest submission: a department's last report (scorecards: a
            # step down each project's, not a read of every report its projects have).
            models.Index(fields=["project", "-submitted_at"], name="report_project_submitted_idx"),
            # A month's reports: which active projects have none (scorecards, dashboard),
            # from the index alone (the month's 10,000 reports were 4,000 pages of the
            # table to read for their project).
            models.Index(fields=["period", "project"], name="report_period_project_idx"),
            # Reports awaiting review: the managers' to-do count atop every page and the
            # review queue read these few, not the whole table (EXPLAIN ANALYZE: a
            # sequential scan of every report before).
            models.Index(
                fields=["period"],
                condition=Q(status="submitted"),
                name="report_awaiting_review_idx",
            ),
            # Reports returned for fixing: a department's to-do count atop each of its
            # editors' pages, and its page's list (EXPLAIN ANALYZE: 32 ms a page, a
            # sequential scan of 300,000 reports to find a few, before).
            models.Index(
                fields=["project"],
                condition=Q(status="returned"),
                name="report_returned_idx",
            ),
            # A project's year to date (the ledger, with_investment): its newest report of
            # the year that gives one, at the first step (EXPLAIN ANALYZE: PostgreSQL read
            # and sorted every report of each of 10,000 projects before).
            models.Index(
                fields=["project", "-period"],
                condition=Q(investment_completed_ytd__isnull=False),
                name="report_year_to_date_idx",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.period:%Y-%m}"

    def clean(self):
        errors = {}
        if self.period:
            self.period = self.period.replace(day=1)
            first = self.project.first_day() if self.project_id else EARLIEST_DAY
            if self.period > today().replace(day=1):
                errors["period"] = _("You cannot report on a month that has not begun.")
            elif self.period < first.replace(day=1):
                errors["period"] = _("Report on a month from %(first)s on.") % {
                    "first": f"{first:%Y-%m}"
                }
        if self.status == self.Status.RETURNED and not self.review_comment.strip():
            errors["review_comment"] = _("Say why the report is returned.")
        if errors:
            raise ValidationError(errors)
        self.clean_investment()

    def clean_investment(self):
        """The one rule tying the month's completed investment to the year to date:

            year to date = the previous month's year to date + this month's investment

        where the previous month is the same project's report for the calendar month
        before, in the same year (in January the previous year to date is 0). The two
        figures must agree; given one of them, the other is worked out from it. Without a
        previous month's figure (no report, or one without investment) the month only has
        to be within the year to date. The ledger (projects/ledger.py) reads the year to
        date of the year's newest report, so a missing month loses nothing.
        A report's neighbour the month after must still agree after an edit."""
        month, ytd = self.investment_completed_month, self.investment_completed_ytd
        if (
            not self.period
            or not self.project_id
            or any(v is not None and v < 0 for v in (month, ytd))
        ):
            return  # the fields' own rules speak first
        field = "investment_completed_ytd"
        if self.period.month == 1:
            previous = Decimal(0)
        else:
            previous = (
                ProgressReport.objects.filter(
                    project_id=self.project_id,
                    period=self.period.replace(month=self.period.month - 1),
                )
                .exclude(pk=self.pk)
                .values_list("investment_completed_ytd", flat=True)
                .first()
            )
        if previous is not None:
            if month is not None and ytd is None:
                ytd = self.investment_completed_ytd = previous + month
            elif month is None and ytd is not None:
                if ytd < previous:
                    raise ValidationError(
                        {
                            field: _(
                                "The year to date cannot be less than the previous month's (%(previous)s)."
                            )
                            % {"previous": amount(previous)}
                        }
                    )
                month = self.investment_completed_month = ytd - previous
            elif month is not None and ytd != previous + month:
                raise ValidationError(
                    {
                        field: _(
                            "The year to date must be the previous month's %(previous)s plus "
                            "this month's %(month)s, that is %(expected)s."
                        )
                        % {
                            "previous": amount(previous),
                            "month": amount(month),
                            "expected": amount(previous + month),
                        }
                    }
                )
        elif month is not None and ytd is None:
            raise ValidationError(
                {
                    field: _(
                        "Give the year to date: the previous month has no figure to add this month's to."
                    )
                }
            )
        if month is not None and ytd is not None and month > ytd:
            raise ValidationError({field: MONTH_OVER_YTD})
        if self.period.month < 12 and ytd is not None:
            following = (
                ProgressReport.objects.filter(
                    project_id=self.project_id,
                    period=self.period.replace(month=self.period.month + 1),
                )
                .exclude(pk=self.pk)
                .values_list("investment_completed_month", "investment_completed_ytd")
                .first()
            )
            if following and None not in following and following[1] != ytd + following[0]:
                raise ValidationError(
                    {
                        field: _(
                            "The next month's report counts %(next)s to date, %(month)s of it in "
                            "that month: this month's year to date must be %(expected)s."
                        )
                        % {
                            "next": amount(following[1]),
                            "month": amount(following[0]),
                            "expected": amount(following[1] - following[0]),
                        }
                    }
                )


class LatestReport(models.Model):
    """A project's newest report (of the latest month) and the figures lists show of it,
    kept by every save and deletion of a report (refresh_latest_report, connected below):
    lists read a project's latest month, health and percent from this row, not by looking
    for the newest of its reports. A project without a report has no row."""

    project = models.OneToOneField(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="latest",
    )
    report = models.OneToOneField(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="latest_of",
    )
    # Copies of the report's, written with the pointer.
    period = models.DateField(_("reporting month"))
    health = models.CharField(_("health"), max_length=10, choices=ProgressReport.Health.choices)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"))
    # The newest submission of any of the project's reports, the latest month's or not (an
    # older month sent again after it was returned is newer): a department's last report
    # on its scorecard is the newest of its projects', read from here, not looked for
    # among each project's reports. (Nullable only for the migration that added and
    # filled it.)
    last_submitted_at = models.DateTimeField(_("submitted"), null=True)

    COPIED = ["period", "health", "percent_complete"]

    class Meta:
        verbose_name = _("latest report")
        verbose_name_plural = _("latest reports")

    @classmethod
    def newest(cls, reports):
        """Of `reports` (each project's, by OuterRef("pk") or one project's), the newest:
        a project has one report a month (report_one_per_project_month), so ordered by
        month alone, which PostgreSQL reads from that constraint's index backwards,
        stopping at the first row."""
        return reports.order_by("-period")

    @classmethod
    def last_submitted(cls, reports):
        """Of `reports` (a project's, or each project's by OuterRef), the newest submission
        time: a subquery, read from report_project_submitted_idx."""
        return Subquery(reports.order_by("-submitted_at").values("submitted_at")[:1])

    @classmethod
    def refresh(cls, project_ids=None):
        """Each of the projects (default: all) and its newest report again: after a write
        that bypasses a report's save() and delete() (a bulk insert, say)."""
        everything = project_ids is None
        projects = Project.objects.all()
        if not everything:
            projects = projects.filter(pk__in=project_ids)
        newest = cls.newest(ProgressReport.objects.filter(project=OuterRef("pk")))
        last = cls.last_submitted(ProgressReport.objects.filter(project=OuterRef("project")))
        reports = (
            ProgressReport.objects.filter(
                pk__in=projects.annotate(newest=Subquery(newest.values("pk")[:1])).values(
                    "newest"
                )
            )
            .annotate(last_submitted=last)
            .values_list("pk", "project_id", "last_submitted", *cls.COPIED)
        )
        with transaction.atomic():
            stale = cls.objects.all() if everything else cls.objects.filter(project__in=projects)
            stale.delete()
            cls.objects.bulk_create(
                (
                    cls(
                        report_id=pk,
                        project_id=project,
                        last_submitted_at=last_submitted,
                        **dict(zip(cls.COPIED, copied)),
                    )
                    for pk, project, last_submitted, *copied in reports.iterator()
                ),
                batch_size=2000,
            )


def refresh_latest_report(sender, instance, raw=False, update_fields=None, **kwargs):
    """post_save and post_delete of a report: its project's newest report and its figures
    again (a new month, the newest edited, a month changed, the newest deleted). A lock,
    one read and one write.

    The project's row is locked first, until the transaction ends: a report of the same
    project saved at the same moment in another transaction waits here until this one has
    committed, then reads the newest with this one's report in it. Without the lock, an
    older month saved meanwhile could not see a newer month not yet committed, and would
    leave itself as the latest (tests/projects/test_latest_report.py). FOR NO KEY UPDATE:
    the reports' own foreign keys hold FOR KEY SHARE on the row, which it leaves alone."""
    shown = {"project", "submitted_at", *LatestReport.COPIED}
    if update_fields is not None and not shown.intersection(update_fields):
        return  # a review (its status and comment): nothing the latest row holds
    project = instance.project_id
    with transaction.atomic():
        list(Project.objects.select_for_update(no_key=True).filter(pk=project).values_list("pk"))
        reports = ProgressReport.objects.filter(project_id=project)
        newest = (
            LatestReport.newest(reports)
            .annotate(last_submitted_at=LatestReport.last_submitted(reports))
            .values("pk", "last_submitted_at", *LatestReport.COPIED)
            .first()
        )
        if newest is None:
            LatestReport.objects.filter(project_id=project).delete()
            return
        LatestReport.objects.bulk_create(
            [LatestReport(project_id=project, report_id=newest.pop("pk"), **newest)],
            update_conflicts=True,
            unique_fields=["project"],
            update_fields=["report", "last_submitted_at", *LatestReport.COPIED],
        )


def _connect_latest_report():
    from django.db.models.signals import post_delete, post_save

    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(
            refresh_latest_report, sender=ProgressReport, dispatch_uid=f"latest-report-{name}"
        )


_connect_latest_report()


class CoordinationProblemQuerySet(models.QuerySet):
    def unresolved(self):
        return self.exclude(status=CoordinationProblem.Status.RESOLVED)

    def for_lists(self):
        return self.select_related(
            "report__project__lead_department", "help_department", "raised_by"
        )


class CoordinationProblem(CleanTextModel, models.Model):
    """A problem a project cannot solve on its own (协调问题), raised in a monthly report:
    what it is, which department's help it needs, how urgent. Managers turn it into a
    supervision order to the department that must help; it is resolved when that order is
    closed (or by a manager directly), and stays on the project page."""

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")
        CRITICAL = "critical", _("very urgent")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("coordination problem", "new")
        SUPERVISED = "supervised", _("under supervision")
        RESOLVED = "resolved", pgettext_lazy("coordination problem", "resolved")

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="coordination_problems",
    )
    description = models.TextField(
        _("problem"), error_messages={"blank": _("Say what the problem is.")}
    )
    help_department = models.ForeignKey(
        Department,
        verbose_name=_("help needed from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordination_requests",
        help_text=_("The department whose help the project needs; empty if not yet known."),
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    resolution = models.TextField(_("how it was resolved"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    history = HistoricalRecords(verbose_name=_("historical coordination problem"))
    objects = CoordinationProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("coordination problem")
        verbose_name_plural = _("coordination problems")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""),
                name="problem_description_not_empty",
                violation_error_message=_("Say what the problem is."),
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="problem_resolved_says_how",
                violation_error_message=_("Say how the problem was resolved."),
            ),
        ]
        indexes = [
            # Managers' to-do: new problems.
            models.Index(fields=["status"], name="problem_status_idx"),
        ]

    def __str__(self):
        return self.description[:40]

    def clean(self):
        if self.status == self.Status.RESOLVED and not self.resolution.strip():
            raise ValidationError({"resolution": _("Say how the problem was resolved.")})


# A health mismatch: the latest report says on track while the milestones say seriously
# behind. The one statement of the rule, for queries (When(**HEALTH_MISMATCH)) and for
# values in hand (is_health_mismatch).
HEALTH_MISMATCH = {
    "latest_health": ProgressReport.Health.GREEN,
    "schedule_health": ProgressReport.Health.RED,
}


def health_mismatch(on):
    """HEALTH_MISMATCH as a condition on a project for a query (true or false, never
    unknown), where latest_health is annotated (ProjectQuerySet.with_latest_report).

    Schedule health is red exactly when an open milestone was planned before the red
    threshold (ProjectQuerySet.with_schedule_health), so that is asked as EXISTS, which
    PostgreSQL answers by one pass over those milestones; filtering on the computed colour
    worked it out for every project reported green (10,000 projects: 35 ms to 6 ms)."""
    assert HEALTH_MISMATCH == {
        "latest_health": ProgressReport.Health.GREEN,
        "schedule_health": ProgressReport.Health.RED,
    }
    red_before = on - datetime.timedelta(days=settings.SCHEDULE_RED_AFTER_DAYS)
    late = Milestone.objects.open().filter(project=OuterRef("pk"), planned_date__lt=red_before)
    return ExpressionWrapper(
        Q(latest_health__isnull=False)
        & Q(latest_health=HEALTH_MISMATCH["latest_health"])
        & Exists(late),
        output_field=models.BooleanField(),
    )


def is_health_mismatch(reported, computed):
    """Reported health (the latest report's) against schedule health (the milestones')."""
    return (reported, computed) == (
        HEALTH_MISMATCH["latest_health"],
        HEALTH_MISMATCH["schedule_health"],
    )


CORRECTION_NAMES = _("A correction names who made it and why.")


class AnnualInvestment(models.Model):
    """A project's planned and completed investment for one year (亿元)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="investments"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=plausible_year)
    planned = models.DecimalField(
        _("planned (100 million yuan)"),
        **MONEY,
        default=0,
        validators=[non_negative(_("Planned investment cannot be negative."))],
    )
    completed = models.DecimalField(
        _("completed (100 million yuan)"),
        **MONEY,
        default=0,
        validators=[non_negative(_("Completed investment cannot be negative."))],
    )
    corrected_by = models.CharField(
        _("correction by"),
        max_length=100,
        blank=True,
        help_text=_(
            "Filled in only to correct the reports' figure: who made the correction. "
            "Without it, the completed figure counts only for a year without reports."
        ),
    )
    correction_reason = models.TextField(
        _("reason for the correction"),
        blank=True,
        help_text=_("Why the reports' year-to-date figure is corrected."),
    )
    is_sample = models.BooleanField(_("sample data"), default=False)

    history = HistoricalRecords(verbose_name=_("historical annual investment"))

    class Meta:
        verbose_name = _("annual investment")
        verbose_name_plural = _("annual investments")
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="investment_one_per_project_year",
                violation_error_message=_("This project already has figures for this year."),
            ),
            models.CheckConstraint(
                condition=Q(planned__gte=0),
                name="investment_planned_non_negative",
                violation_error_message=_("Planned investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(completed__gte=0),
                name="investment_completed_non_negative",
                violation_error_message=_("Completed investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="investment_year_plausible",
                violation_error_message=_("Enter a year between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(corrected_by="", correction_reason="")
                | (~Q(corrected_by="") & ~Q(correction_reason="")),
                name="investment_correction_names_who_and_why",
                violation_error_message=CORRECTION_NAMES,
            ),
        ]
        indexes = [
            # The ledger of many projects (ProjectQuerySet.with_investment) joins one year's
            # rows: read from this index alone (PostgreSQL), not from every year's rows.
            models.Index(
                fields=["year", "project"],
                include=["planned", "completed", "correction_reason"],
                name="investment_of_year_idx",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.year}"

    @property
    def is_correction(self):
        return bool(self.correction_reason)

    def clean(self):
        self.corrected_by = self.corrected_by.strip()
        self.correction_reason = self.correction_reason.strip()
        if bool(self.corrected_by) != bool(self.correction_reason):
            field = "correction_reason" if self.corrected_by else "corrected_by"
            raise ValidationError({field: CORRECTION_NAMES})

    @property
    def completion_rate(self):
        """Completed over planned, as a percentage; None when nothing was planned."""
        if not self.planned:
            return None
        return self.completed / self.planned * 100


class KeyProject(models.Model):
    """A district key project (区重点项目) of a year: the district publishes how much of the
    year's plan its key projects completed. Its annual plan is the project's planned
    investment for the year (AnnualInvestment.planned), kept in that one place."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="key_years"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=plausible_year)
    is_sample = models.BooleanField(_("sample data"), default=False)

    history = HistoricalRecords(verbose_name=_("historical key project"))

    class Meta:
        verbose_name = _("key project of the year")
        verbose_name_plural = _("key projects of the year")
        ordering = ["-year", "project"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="key_project_once_a_year",
                violation_error_message=_("This project is already a key project of this year."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="key_project_year_plausible",
                violation_error_message=_("Enter a year between 2000 and 2100."),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.project.code}"


# --- attachments: photos and documents on records (projects/attachments.py checks them) -----


class StoredFile(models.Model):
    """A checked file kept in storage (projects/attachments.py made it): a photo re-encoded
    without its metadata, with a thumbnail, or a PDF. Its stored name is a random token;
    `name` is the uploader's file name, cleaned, shown to readers and nowhere else.
    The concrete kinds say what record the file belongs to and who may read it."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        PDF = "pdf", _("PDF document")

    file = models.FileField(_("file"), max_length=200, editable=False)
    thumbnail = models.FileField(_("thumbnail"), max_length=200, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, editable=False)
    content_type = models.CharField(_("content type"), max_length=50, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    name = models.CharField(_("file name"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    # The records one file may belong to (one foreign key each, exactly one of them set):
    # a new kind of record is a new foreign key here and its name in this tuple.
    OWNERS = ()

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_photo(self):
        return self.kind == self.Kind.PHOTO

    @property
    def owner(self):
        return next((getattr(self, f) for f in self.OWNERS if getattr(self, f"{f}_id")), None)

    def clean(self):
        owners = [f for f in self.OWNERS if getattr(self, f"{f}_id") is not None]
        if len(self.OWNERS) > 1 and len(owners) != 1:
            raise ValidationError(_("A file belongs to exactly one record."))
        if owners:
            refuse_over_count(type(self), {owners[0]: getattr(self, f"{owners[0]}_id")}, self.pk)


def refuse_over_count(model, owner_lookup, pk=None):
    """At most ATTACHMENT_MAX_PER_RECORD files on one record."""
    count = model.objects.filter(**owner_lookup).exclude(pk=pk).count()
    if count >= settings.ATTACHMENT_MAX_PER_RECORD:
        raise ValidationError(
            _("A record holds at most %(max)s files; this one has %(count)s already.")
            % {"max": settings.ATTACHMENT_MAX_PER_RECORD, "count": count}
        )


class AttachmentQuerySet(models.QuerySet):
    def photos(self):
        return self.filter(kind=StoredFile.Kind.PHOTO)


def exactly_one_of(*fields):
    """A condition that exactly one of the foreign keys `fields` is set."""
    condition = Q()
    for chosen in fields:
        condition |= Q(**{f"{f}__isnull": f != chosen for f in fields})
    return condition


# The records a project's attachment may belong to: each a foreign key of Attachment. A new
# kind of record is one more foreign key and its name here (and a migration); the
# constraint, clean() and the file's project follow.
ATTACHMENT_OWNERS = ("report", "milestone", "approval")


class Attachment(StoredFile):
    """A photo or document of a monthly report (the month's site photos, 形象进度), of a
    milestone (the approval document of a milestone done, 批复文件) or of a pre-construction
    approval (its document: a PDF, or photos of the paper). Readable by whoever may read the
    project's page."""

    OWNERS = ATTACHMENT_OWNERS

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    approval = models.ForeignKey(
        "Approval",
        verbose_name=_("approval"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )

    history = HistoricalRecords(verbose_name=_("historical attachment"))
    objects = AttachmentQuerySet.as_manager()

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_of(*ATTACHMENT_OWNERS),
                name="attachment_on_one_record",
                violation_error_message=_("A file belongs to exactly one record."),
            ),
        ]

    @property
    def project(self):
        return self.owner.project


def _connect_file_removal():
    from django.db.models.signals import post_delete

    from .attachments import remove_after_delete

    post_delete.connect(remove_after_delete, sender=Attachment, dispatch_uid="attachment_files")


_connect_file_removal()
# --- pre-construction approvals (前期手续) ------------------------------------------------


class ApprovalKind(NamedInTwoLanguages, CleanTextModel, models.Model):
    """A kind of pre-construction approval (项目建议书/备案, 用地预审与选址意见书 …) and the
    project categories whose checklist holds it: the default checklist, which administrators
    edit in the admin (a data migration seeds it)."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("kind of approval")
        verbose_name_plural = _("kinds of approval")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="approval_kind_code_unique",
                violation_error_message=_("A kind of approval with this code already exists."),
            ),
        ]

    def __str__(self):
        return self.display_name


class ApprovalRequirement(models.Model):
    """One line of a category's checklist: projects of `category` need `kind`."""

    kind = models.ForeignKey(
        ApprovalKind,
        verbose_name=_("kind of approval"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    category = models.CharField(_("category"), max_length=20, choices=Project.Category.choices)

    class Meta:
        verbose_name = _("checklist line")
        verbose_name_plural = _("checklist lines")
        ordering = ["category", "kind__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "kind"],
                name="approval_requirement_unique",
                violation_error_message=_("This category's checklist already holds this approval."),
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.kind}"


# How far ahead of a project's planned start its missing approvals are listed.
APPROVALS_AHEAD_DAYS = 90


class ApprovalQuerySet(models.QuerySet):
    def missing(self):
        """Still to obtain: neither in hand nor marked as not needed."""
        return self.filter(state__in=Approval.MISSING_STATES)

    def missing_before_start(self, on=None):
        """Missing approvals of projects not yet under construction whose planned start is
        within APPROVALS_AHEAD_DAYS days of the given day (default today), or already past:
        the to-do's and the approvals page's list; the nearest start first."""
        on = on or today()
        return (
            self.missing()
            .filter(
                project__start_date__lte=on + datetime.timedelta(days=APPROVALS_AHEAD_DAYS),
                project__stage__in=Approval.BEFORE_START_STAGES,
            )
            .order_by("project__start_date", "project__code", "kind__order", "pk")
        )

    def for_lists(self):
        shown = {"id", "code", "name", "name_en", "start_date", "lead_department", "category"}
        return self.select_related("project__lead_department", "kind").defer(
            *(f"project__{f.name}" for f in Project._meta.concrete_fields if f.name not in shown)
        )

    def with_documents(self):
        """Each approval's files (its document) in one more query, for /approvals/."""
        return self.prefetch_related(
            models.Prefetch(
                "attachments",
                queryset=Attachment.objects.only("id", "approval", "kind", "name"),
            )
        )


APPROVAL_IN_HAND_NEEDS = _("An approval in hand needs its number (文号) and its date.")


class Approval(CleanTextModel, models.Model):
    """A project's pre-construction approval (前期手续): one line of its checklist, made
    from its category's template (services.approvals_fill). Its document is an attachment
    (Attachment.approval)."""

    class State(models.TextChoices):
        PENDING = "pending", _("not yet applied for")
        APPLIED = "applied", _("applied for, under review")
        IN_HAND = "in_hand", _("in hand")
        NOT_NEEDED = "not_needed", _("not needed")

    MISSING_STATES = (State.PENDING, State.APPLIED)
    BEFORE_START_STAGES = ("reserve", "preliminary")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="approvals"
    )
    kind = models.ForeignKey(
        ApprovalKind,
        verbose_name=_("kind of approval"),
        on_delete=models.PROTECT,
        related_name="approvals",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    number = models.CharField(
        _("approval number (文号)"),
        max_length=100,
        blank=True,
        help_text=_("As on the document, for example 荔发改〔2026〕12号."),
    )
    issued_on = models.DateField(_("date of approval"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Its document (批复文件) is an Attachment whose `approval` is this one
    # (approval.attachments): served through the attachment's own view, read as the
    # project's page is. No file field of its own.
    is_sample = models.BooleanField(_("sample data"), default=False)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Counts saves; refuses lost updates.")
    )

    history = HistoricalRecords(verbose_name=_("historical approval"))
    objects = ApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["project", "kind__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind"],
                name="approval_kind_unique_in_project",
                violation_error_message=_("This project's checklist already holds this approval."),
            ),
            models.CheckConstraint(
                condition=~Q(state="in_hand") | (~Q(number="") & Q(issued_on__isnull=False)),
                name="approval_in_hand_has_number_and_date",
                violation_error_message=APPROVAL_IN_HAND_NEEDS,
            ),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(issued_on__gte=EARLIEST_DAY),
                name="approval_issued_not_before_2000",
                violation_error_message=_("Enter a date from 2000-01-01."),
            ),
        ]
        indexes = [
            # The to-do's and the approvals page's list: missing approvals.
            models.Index(fields=["state"], name="approval_state_idx"),
        ]

    def __str__(self):
        return f"{self.project.code} {self.kind}"

    @property
    def is_missing(self):
        return self.state in self.MISSING_STATES

    def clean(self):
        errors = {}
        if self.state == self.State.IN_HAND:
            if not self.number.strip():
                errors["number"] = APPROVAL_IN_HAND_NEEDS
            if self.issued_on is None:
                errors["issued_on"] = APPROVAL_IN_HAND_NEEDS
        if self.issued_on:
            # Not a database constraint: "today" is the app's clock (see Milestone.clean).
            if self.issued_on > today():
                errors["issued_on"] = _("The date of approval cannot be in the future.")
            elif self.issued_on < EARLIEST_DAY:
                errors["issued_on"] = _("Enter a date from 2000-01-01.")
        if errors:
            raise ValidationError(errors)
