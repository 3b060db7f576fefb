"""The plan's quantitative targets (主要指标) and their yearly values."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.clock import today
from projects.models import Department, Plan, PlanChapter, Project
from projects.names import NamedInTwoLanguages
from projects.validators import CleanTextModel, change_reason_errors, plausible_year

from . import progress

FIGURE = {"max_digits": 16, "decimal_places": 4}


class IndicatorQuerySet(models.QuerySet):
    def for_progress(self):
        """What assess() needs, in two queries: the indicators and all their values."""
        return self.select_related("plan", "responsible_department").prefetch_related(
            models.Prefetch("values", queryset=IndicatorValue.objects.order_by("year"))
        )


class Indicator(NamedInTwoLanguages, CleanTextModel, models.Model):
    class Category(models.TextChoices):
        ECONOMY = "economy", _("economic development")
        INNOVATION = "innovation", _("innovation")
        URBAN = "urban", _("urban development")
        CULTURE = "culture", _("culture")
        ECOLOGY = "ecology", _("ecology")
        LIVELIHOOD = "livelihood", _("people's livelihood")
        GOVERNANCE = "governance", _("governance")

    class Nature(models.TextChoices):
        EXPECTED = "expected", _("expected")
        BINDING = "binding", _("binding")

    class TargetKind(models.TextChoices):
        LEVEL = "level", _("level in the target year")
        CUMULATIVE = "cumulative", _("cumulative over the period")
        GROWTH = "growth", _("average annual growth")
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")
        ANNUAL_AVERAGE = "annual_average", _("annual average over the period")
        EVERY_YEAR = "every_year", _("at least every year")
        YEARLY_TARGET = "yearly_target", _("a target set for each year")

    class BaselineKind(models.TextChoices):
        YEAR = "year", _("the level in the baseline year")
        PERIOD_TOTAL = "period_total", _("a total over a period")
        PERIOD_AVERAGE = "period_average", _("an average over a period")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=20, help_text=_("Stable; used in links."))
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    nature = models.CharField(
        _("nature"), max_length=10, choices=Nature.choices, default=Nature.EXPECTED
    )
    target_kind = models.CharField(_("target kind"), max_length=20, choices=TargetKind.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), null=True, blank=True, validators=plausible_year
    )
    baseline_value = models.DecimalField(_("baseline value"), **FIGURE, null=True, blank=True)
    baseline_kind = models.CharField(
        _("baseline kind"),
        max_length=20,
        choices=BaselineKind.choices,
        default=BaselineKind.YEAR,
        help_text=_("A total or an average over a period is not a starting level."),
    )
    baseline_period_start = models.PositiveSmallIntegerField(
        _("baseline period from"),
        null=True,
        blank=True,
        validators=plausible_year,
        help_text=_("First year of the period of a total or average baseline."),
    )
    baseline_source_sentence = models.TextField(_("baseline source sentence"), blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), validators=plausible_year)
    target_value = models.DecimalField(
        _("target value"),
        **FIGURE,
        null=True,
        blank=True,
        help_text=_("Empty only for a target set for each year."),
    )
    about = models.BooleanField(
        _("about"), default=False, help_text=_("Worded 'about' (左右): judged with a band.")
    )
    tolerance = models.DecimalField(
        _("band"),
        **FIGURE,
        null=True,
        blank=True,
        help_text=_(
            "How far short of an 'about' target still counts as met, in the indicator's "
            "unit; empty: 5 percent of the target."
        ),
    )
    target_text = models.CharField(
        _("target as worded"), max_length=200, blank=True, help_text=_("The plan's own words.")
    )
    responsible_department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
    )
    chapters = models.ManyToManyField(
        PlanChapter, verbose_name=_("chapters"), blank=True, related_name="indicators"
    )
    # Declared here so that projects need not know indicators. Each link is a row of its
    # own (ProjectIndicator), so that adding or removing one is in the project's history.
    projects = models.ManyToManyField(
        Project,
        verbose_name=_("projects"),
        blank=True,
        related_name="indicators",
        through="ProjectIndicator",
    )
    source_paragraph = models.PositiveSmallIntegerField(
        _("source paragraph"), null=True, blank=True
    )
    source_sentence = models.TextField(
        _("source sentence"), blank=True, help_text=_("The plan's own words, quoted exactly.")
    )
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan__number", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="indicator_code_unique",
                violation_error_message=_("An indicator with this code already exists."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True, baseline_value__isnull=True)
                | Q(baseline_year__isnull=False, baseline_value__isnull=False),
                name="indicator_baseline_year_and_value",
                violation_error_message=_("Give both the baseline year and value, or neither."),
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=False) | Q(target_kind="yearly_target"),
                name="indicator_target_value_unless_yearly",
                violation_error_message=_("Give the target value."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_kind="year", baseline_period_start__isnull=True)
                | (
                    ~Q(baseline_kind="year")
                    & Q(baseline_period_start__isnull=False)
                    & Q(baseline_period_start__lt=F("baseline_year"))
                ),
                name="indicator_baseline_period",
                violation_error_message=_(
                    "A total or average baseline needs the first year of its period, before "
                    "the baseline year; a one-year baseline has none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True) | Q(target_year__gt=F("baseline_year")),
                name="indicator_target_after_baseline",
                violation_error_message=_("The target year must come after the baseline year."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.code])

    def clean(self):
        errors = {}
        if (self.baseline_year is None) != (self.baseline_value is None):
            errors["baseline_value"] = _("Give both the baseline year and value, or neither.")
        elif self.baseline_year and self.target_year and self.target_year <= self.baseline_year:
            errors["target_year"] = _("The target year must come after the baseline year.")
        if self.target_value is None and self.target_kind != self.TargetKind.YEARLY_TARGET:
            errors["target_value"] = _("Give the target value.")
        period = self.baseline_period_start
        if self.baseline_kind == self.BaselineKind.YEAR and period is not None:
            errors["baseline_period_start"] = _("A one-year baseline has no period.")
        elif self.baseline_kind != self.BaselineKind.YEAR and (
            period is None or (self.baseline_year and period >= self.baseline_year)
        ):
            errors["baseline_period_start"] = _(
                "A total or average baseline needs the first year of its period, before the "
                "baseline year."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_percentage(self):
        return self.unit.strip() == "%"

    @property
    def baseline_period(self):
        """"2016–2020" for a total or average baseline; its year for a one-year baseline."""
        if self.baseline_period_start:
            return f"{self.baseline_period_start}–{self.baseline_year}"
        return str(self.baseline_year or "")

    def as_target(self, values=()):
        return progress.Target(
            kind=self.target_kind,
            target_year=self.target_year,
            target_value=None if self.target_value is None else float(self.target_value),
            period_start=self.plan.start_year,
            baseline_year=self.baseline_year,
            baseline_value=None if self.baseline_value is None else float(self.baseline_value),
            higher_is_better=self.direction == self.Direction.HIGHER,
            unit=self.unit,
            baseline_kind=self.baseline_kind,
            about=self.about,
            tolerance=None if self.tolerance is None else float(self.tolerance),
            yearly_targets={v.year: float(v.year_target) for v in values if v.year_target is not None},
        )

    def assess(self, current_year=None):
        """Progress and status from the values entered (use for_progress() to fetch them)."""
        rows = list(self.values.all())
        values = {v.year: v.value for v in rows}
        return progress.assess(self.as_target(rows), values, current_year or today().year)


class ProjectIndicator(models.Model):
    """An indicator that a project serves. Each link added or removed is in the project's
    change history, with who and when (projects/history.py, through indicators.summary):
    the project's admin page saves its links one by one, the plan data with
    simple-history's bulk functions."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="project_links",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="indicator_links",
    )

    history = HistoricalRecords(verbose_name=_("historical indicator served"))

    class Meta:
        verbose_name = _("indicator served")
        verbose_name_plural = _("indicators served")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "indicator"],
                name="project_indicator_unique",
                violation_error_message=_("The project is already linked to this indicator."),
            ),
        ]

    def __str__(self):
        return f"{self.project.code} → {self.indicator.code}"


OFFICIAL_NEEDS_REASON = _("Say why a published (official) value is changed.")


class IndicatorValue(CleanTextModel, models.Model):
    """The figure an indicator reached in one year: published by the district (official,
    loaded from the plan data with its source), entered by its department, or sample data."""

    class Source(models.TextChoices):
        OFFICIAL = "official", _("official (published)")
        DEPARTMENT = "department", _("entered by the department")
        SAMPLE = "sample", _("sample data")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=plausible_year)
    value = models.DecimalField(_("value"), **FIGURE)
    year_target = models.DecimalField(
        _("this year's target"),
        **FIGURE,
        null=True,
        blank=True,
        help_text=_("For a target set for each year (by the city): that year's target."),
    )
    note = models.TextField(
        _("source note"),
        help_text=_("Where the figure comes from, e.g. the statistics bureau's yearbook."),
        error_messages={"blank": _("Say where the figure comes from.")},
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_values",
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.DEPARTMENT
    )
    source_title = models.CharField(_("source title"), max_length=300, blank=True)
    source_date = models.DateField(_("source date"), null=True, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Counts saves; refuses lost updates.")
    )

    history = HistoricalRecords(verbose_name=_("historical indicator value"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="indicator_value_one_per_year",
                violation_error_message=_("This indicator already has a value for this year."),
            ),
            models.CheckConstraint(
                condition=~Q(source="official") | (~Q(source_title="") & ~Q(source_url="")),
                name="indicator_value_official_has_source",
                violation_error_message=_("An official value needs its source's title and address."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="indicator_value_year_plausible",
                violation_error_message=_("Enter a year between 2000 and 2100."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.year}"

    # What a published (official) value is: a change to any of these needs a reason.
    PUBLISHED_FIELDS = (
        "year",
        "value",
        "year_target",
        "note",
        "source",
        "source_title",
        "source_date",
        "source_url",
    )

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row held when read, for the rule on changing a published value.
        instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    @property
    def changes_a_published_value(self):
        """A saved official value (as read from the database) whose figure or source is
        being changed."""
        loaded = getattr(self, "_loaded", None)
        if not self.pk or not loaded or loaded.get("source") != self.Source.OFFICIAL:
            return False
        return any(
            name in loaded and loaded[name] != getattr(self, name)
            for name in self.PUBLISHED_FIELDS
        )

    def clean(self):
        # A published value changes only with a reason, which its history record keeps
        # (_change_reason): on every path (the admin's forms, its import).
        errors = change_reason_errors(
            self,
            needed=self.changes_a_published_value,
            field="change_reason",
            message=OFFICIAL_NEEDS_REASON,
        )
        if not self.indicator_id:
            if errors:
                raise ValidationError(errors)
            return
        indicator = self.indicator
        first = indicator.baseline_year or indicator.plan.start_year - 1
        last = max(indicator.target_year, indicator.plan.end_year)
        if self.year is not None and not first <= self.year <= last:
            errors["year"] = _("Enter a year from %(first)s to %(last)s.") % {
                "first": first,
                "last": last,
            }
        if self.source == self.Source.OFFICIAL and not (self.source_title and self.source_url):
            errors["source_title"] = _("An official value needs its source's title and address.")
        yearly = indicator.target_kind == Indicator.TargetKind.YEARLY_TARGET
        if yearly and self.year_target is None:
            errors["year_target"] = _("Give the target set for this year.")
        # Growth rates and yearly targets (a fall in energy intensity) may be below zero.
        growth = indicator.target_kind in (
            Indicator.TargetKind.GROWTH,
            Indicator.TargetKind.YEARLY_TARGET,
        )
        if self.value is not None and indicator.is_percentage:
            # A growth rate may fall below zero; a share may not.
            if self.value > 100 or (not growth and self.value < 0):
                errors["value"] = _(
                    "A percentage cannot be above 100 or, except for growth, below 0."
                )
        elif self.value is not None and not growth and self.value < 0:
            # Counts and amounts (people, enterprises, 亿元) are never negative.
            errors["value"] = _("This indicator's values cannot be negative.")
        if errors:
            raise ValidationError(errors)
