"""The web forms of department editors and managers. They only read what was typed
(a month, a number, a date); the rules are the model's, applied by the services
(services.validate), whose refusals place_errors() shows on the form's fields. So a form,
the department workbook and the admin refuse the same input with the same message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProgressReport


def place_errors(form, error):
    """Show a ValidationError from a service on the form: each field's messages on that
    field when the form has it, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def refused(form, saved):
    """After a conflict (services.Conflict): what the user sent on `form` that differs from
    the `saved` values ({field name: value now}), as (label, value) to show as "yours, not
    saved" beside the form, which is shown again with the saved values and version."""
    rows = []
    for name, value in form.cleaned_data.items():
        if name not in saved or value in (None, "") and saved[name] in (None, ""):
            continue
        if value != saved[name]:
            choices = dict(getattr(form.fields[name], "choices", None) or ())
            rows.append((form.fields[name].label, choices.get(value, value)))
    return rows


class VersionedForm(forms.Form):
    """Carries the version of the row the form was loaded from (0 for a new row)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        initial=0,
        error_messages={
            key: _("This form was changed outside the page; load the page again.")
            for key in ("required", "invalid", "min_value")
        },
    )


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]


def text(label, rows, *, required):
    """A text box; `required` only asks the browser, the model decides."""
    attrs = {"rows": rows} | ({"required": True} if required else {})
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs=attrs))


class ReportForm(VersionedForm):
    period = MonthField(label=_("reporting month"))
    health = forms.ChoiceField(label=_("health"), choices=ProgressReport.Health.choices)
    percent_complete = forms.IntegerField(
        label=_("percent complete"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "required": True}),
    )
    narrative = text(_("progress this month"), 4, required=True)
    problems = text(_("problems needing coordination"), 3, required=False)
    next_steps = text(_("next steps"), 3, required=False)
    investment_completed_month = forms.DecimalField(
        label=_("investment completed this month (100 million yuan)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "step": "any"}),
        help_text=_(
            "The year to date is the previous month's plus this month's; give either and "
            "the other is worked out."
        ),
    )
    investment_completed_ytd = forms.DecimalField(
        label=_("investment completed this year to date (100 million yuan)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "step": "any"}),
    )


class ReviewForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("accept", _("accept")), ("return", _("return"))]
    )
    comment = text(_("comment"), 2, required=False)


class MilestoneDoneForm(VersionedForm):
    actual_date = forms.DateField(
        label=_("actual date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReforecastForm(VersionedForm):
    forecast_date = forms.DateField(
        label=_("forecast date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    forecast_reason = text(_("reason for the forecast"), 2, required=True)
