from django import forms
from django.utils.translation import gettext_lazy as _

from .clock import today
from .models import ProgressReport


class VersionedForm(forms.Form):
    """Carries the version of the row the form was loaded from (0 for a new row)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]


class ReportForm(VersionedForm):
    period = MonthField(label=_("reporting month"))
    health = forms.ChoiceField(label=_("health"), choices=ProgressReport.Health.choices)
    percent_complete = forms.IntegerField(label=_("percent complete"), min_value=0, max_value=100)
    narrative = forms.CharField(
        label=_("progress this month"), widget=forms.Textarea(attrs={"rows": 4})
    )
    problems = forms.CharField(
        label=_("problems needing coordination"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_steps = forms.CharField(
        label=_("next steps"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    investment_completed_ytd = forms.DecimalField(
        label=_("investment completed this year to date (100 million yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=4,
    )

    def clean_period(self):
        period = self.cleaned_data["period"].replace(day=1)
        if period > today().replace(day=1):
            raise forms.ValidationError(_("You cannot report on a month that has not begun."))
        return period


class ReviewForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("accept", _("accept")), ("return", _("return"))]
    )
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the report is returned."))
        return data


class MilestoneDoneForm(VersionedForm):
    actual_date = forms.DateField(
        label=_("actual date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_actual_date(self):
        day = self.cleaned_data["actual_date"]
        if day > today():
            raise forms.ValidationError(_("The actual date cannot be in the future."))
        return day


class ReforecastForm(VersionedForm):
    forecast_date = forms.DateField(
        label=_("forecast date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    forecast_reason = forms.CharField(
        label=_("reason for the forecast"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_forecast_date(self):
        day = self.cleaned_data["forecast_date"]
        if day < today():
            raise forms.ValidationError(_("A forecast is a date still to come."))
        return day
