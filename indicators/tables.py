import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects.formatting import percent, quantity
from projects.tables import CardTable

from .models import Indicator
from .progress import Status


class IndicatorTable(CardTable):
    """Rows are Indicators with an `assessment` attribute (see IndicatorListView).

    The columns give the headers, sorting, paging and (with the value_ methods) the export
    values; the page's rows are written out in templates/indicators/_indicator_table.html,
    cheaper than django-tables2's cell-by-cell rendering."""

    code = tables.Column(verbose_name=_("code"))
    name = tables.Column(verbose_name=_("name"))
    unit = tables.Column(verbose_name=_("unit"))
    category = tables.Column(verbose_name=_("category"))
    nature = tables.Column(verbose_name=_("nature"))
    baseline = tables.Column(verbose_name=_("baseline"), accessor="baseline_value", orderable=False)
    target = tables.Column(verbose_name=_("target"), accessor="target_value", orderable=False)
    latest = tables.Column(
        verbose_name=_("latest value"), accessor="assessment__latest_value", orderable=False
    )
    progress = tables.Column(verbose_name=_("progress"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("status"), accessor="assessment__status")
    responsible_department = tables.Column(verbose_name=_("responsible department"))

    class Meta:
        model = Indicator
        fields = []
        sequence = [
            "code",
            "name",
            "unit",
            "category",
            "nature",
            "baseline",
            "target",
            "latest",
            "progress",
            "status",
            "responsible_department",
        ]
        template_name = "indicators/_indicator_table.html"
        attrs = {"class": "data"}
        empty_text = _("No indicator matches these filters.")
        default = "–"
        orderable = True

    def value_name(self, record):
        return record.display_name

    def value_baseline(self, record):
        return "" if record.baseline_value is None else float(record.baseline_value)

    def value_target(self, record):
        return float(record.target_value)

    def value_latest(self, record):
        value = record.assessment.latest_value
        return "" if value is None else round(value, 4)

    def value_progress(self, record):
        return progress_cell(record)

    def value_status(self, record):
        return str(Status(record.assessment.status).label)


# The cells of the page, written out by templates/indicators/_indicator_table.html through
# the filters of indicators/templatetags/indicator_cells.py; "–" where the column is empty.


def baseline_cell(indicator):
    if indicator.baseline_value is None:
        return "–"
    if indicator.baseline_kind != Indicator.BaselineKind.YEAR:
        return f"{quantity(indicator.baseline_value, indicator.unit)} ({indicator.baseline_period}, {indicator.get_baseline_kind_display()})"
    return f"{quantity(indicator.baseline_value, indicator.unit)} ({indicator.baseline_year})"


def target_cell(indicator):
    if indicator.target_value is None:
        return "–"
    kind = indicator.get_target_kind_display()
    return f"{quantity(indicator.target_value, indicator.unit)} ({indicator.target_year}, {kind})"


def latest_cell(indicator):
    a = indicator.assessment
    if a.latest_value is None:
        return "–"
    if indicator.target_kind == Indicator.TargetKind.CUMULATIVE:
        return _("%(value)s in all to %(year)s") % {
            "value": quantity(a.latest_value, indicator.unit),
            "year": a.latest_year,
        }
    if indicator.target_kind == Indicator.TargetKind.GROWTH:
        return _("%(value)s a year to %(year)s") % {
            "value": quantity(a.latest_value, "%"),
            "year": a.latest_year,
        }
    return f"{quantity(a.latest_value, indicator.unit)} ({a.latest_year})"


def progress_cell(indicator):
    """Before the end: the share of the pace needed; after: the share of the target."""
    a = indicator.assessment
    if a.is_final and a.share_of_target is not None:
        return _("%(percent)s of target") % {"percent": percent(a.share_of_target * 100)}
    if a.ratio is not None:
        return _("%(percent)s of the pace needed") % {"percent": percent(a.ratio * 100)}
    return "–"


def status_cell(indicator):
    status = indicator.assessment.status
    if not status:
        return "–"
    return format_html('<span class="status status-{}">{}</span>', status, Status(status).label)
