from django import forms
from django.utils.translation import gettext_lazy as _

from .models import IndicatorValue


class IndicatorValueForm(forms.ModelForm):
    """A year's figure for one indicator, with where it comes from."""

    # The version the form was loaded from: a correction over a newer one is refused.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = IndicatorValue
        fields = ["year", "value", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        self.fields["note"].required = True
        self.fields["note"].help_text = _(
            "Where the figure comes from, e.g. the statistics bureau's yearbook."
        )
        if self.instance.pk:
            self.fields["year"].disabled = True  # correct the value; a wrong year is a new row
            self.fields["loaded_version"].initial = self.instance.version

    def clean_year(self):
        year = self.cleaned_data["year"]
        taken = IndicatorValue.objects.filter(indicator=self.instance.indicator, year=year)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("There is already a value for %(year)s; correct that one instead."),
                params={"year": year},
            )
        return year
