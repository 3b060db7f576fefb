"""The supervision forms only read what was typed; the rules are the models' and the
services' (supervision.services), whose refusals projects.forms.place_errors shows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.forms import VersionedForm, documents_field, text
from projects.models import Department

from .models import SupervisionOrder

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrderForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("addressed to"), queryset=Department.objects.all(), required=False
    )
    copied_to = forms.ModelMultipleChoiceField(
        label=_("copied to"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Departments that are kept informed; only the addressed one replies."),
    )
    level = forms.ChoiceField(
        label=_("level"),
        choices=SupervisionOrder.Level.choices,
        initial=SupervisionOrder.Level.ROUTINE,
    )
    reply_due = forms.DateField(label=_("reply due"), widget=DATE, required=False)
    request = text(_("what is asked"), 4, required=True)


class ReplyForm(VersionedForm):
    text = text(_("what the department has done"), 4, required=True)
    forecast_date = forms.DateField(
        label=_("new forecast date of the milestone"),
        widget=DATE,
        required=False,
        help_text=_("Optional: the milestone's new expected date; the reply is its reason."),
    )
    files = documents_field(_("photos and documents"))


class OwnIds:
    """Ids of the form's own (id_urge_text), for a form sharing a page with others whose
    fields have the same names (the order page's reply, urge and close): each label then
    names its own field."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class UrgeForm(OwnIds, VersionedForm):
    id_prefix = "urge"
    reply_due = forms.DateField(label=_("new reply deadline"), widget=DATE, required=False)
    text = text(_("note"), 2, required=False)


class CloseForm(OwnIds, VersionedForm):
    id_prefix = "close"
    text = text(_("close-out note"), 2, required=True)


class ResolveForm(forms.Form):
    resolution = text(_("how it was resolved"), 2, required=True)
