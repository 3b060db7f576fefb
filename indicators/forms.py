from django import forms
from django.utils.translation import gettext_lazy as _


class IndicatorValueForm(forms.Form):
    """A year's figure for one indicator, with where it comes from. The form only reads what
    was typed; the rules are the model's, applied by indicators.services.value_save."""

    year = forms.IntegerField(label=_("year"))
    value = forms.DecimalField(label=_("value"))
    year_target = forms.DecimalField(
        label=_("this year's target"),
        required=False,
        help_text=_("For a target set for each year (by the city): that year's target."),
    )
    note = forms.CharField(
        label=_("source note"),
        required=False,
        help_text=_("Where the figure comes from, e.g. the statistics bureau's yearbook."),
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )
    # The version the form was loaded from: a correction over a newer one is refused.
    loaded_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=0,
        error_messages={
            key: _("This form was changed outside the page; load the page again.")
            for key in ("invalid", "min_value")
        },
    )

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "year": instance.year,
                    "value": instance.value,
                    "year_target": instance.year_target,
                    "note": instance.note,
                    "loaded_version": instance.version,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["year"].disabled = True  # correct the value; a wrong year is a new row
