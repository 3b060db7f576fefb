"""Writes of indicator values by the responsible department. Validated as every other write
is (projects.services.validate: the model's own rules, which the admin and its imports go
through too), with the version check that refuses a lost update.

A value the district published (source official) is not the department's to change: only
an administrator changes it, in the admin, with a reason the history keeps
(indicators.admin.IndicatorValueAdminForm)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.services import claim_version, validate

from .models import IndicatorValue


@transaction.atomic
def value_save(*, indicator, year, value, note, by, current=None, version=None, year_target=None):
    """Enter a year's value (current=None) or correct `current`, loaded at `version`.

    A new value for a year that already has one is refused: the department corrects that
    one instead, so a figure is never replaced without its version being checked. A
    published (official) value is refused: only an administrator changes it."""
    if current is None:
        if IndicatorValue.objects.filter(indicator=indicator, year=year).exists():
            raise ValidationError(
                {
                    "year": _("There is already a value for %(year)s; correct that one instead.")
                    % {"year": year}
                }
            )
        current = IndicatorValue(indicator=indicator, year=year)
    elif current.source == IndicatorValue.Source.OFFICIAL:
        raise ValidationError(
            {
                "value": _(
                    "This is the district's published figure: only an administrator can "
                    "change it, giving a reason."
                )
            }
        )
    current.value = value
    current.year_target = year_target
    current.note = note
    # Entered here, the figure is the department's: it no longer claims a published source.
    current.source = IndicatorValue.Source.DEPARTMENT
    current.source_title, current.source_date, current.source_url = "", None, ""
    current.entered_by = by
    current.entered_at = timezone.now()
    current._history_user = by
    validate(current)
    if current.pk:
        claim_version(current, version or 0)
        current.save()
        return current
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:  # the same year entered by someone else in between
        raise ValidationError(
            {
                "year": _("There is already a value for %(year)s; correct that one instead.")
                % {"year": year}
            }
        ) from None
    return current
