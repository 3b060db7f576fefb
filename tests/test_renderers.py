"""Selects, inputs and text boxes are written in Python (projects/renderers.py): the same
markup as their templates, byte for byte, whatever their values and options say."""

import datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from projects.filters import OverdueFilter, PortfolioFilter
from projects.forms import ProblemForm, ReportForm
from projects.renderers import FormRenderer

from .conftest import make_department

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


class EveryKindOfSelect(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "A"), ("b", HOSTILE), ("", "—")])
    grouped = forms.ChoiceField(
        choices=[("Group <1>", [("1", "one"), ("2", "two")]), ("3", "three"), ("G2", [(4, 4.5)])]
    )
    many = forms.MultipleChoiceField(choices=[(str(n), f"n{n}") for n in range(30)])
    lazy = forms.ChoiceField(
        choices=[("x", gettext_lazy("overdue")), ("y", mark_safe("<b>safe</b>"))]
    )
    years = forms.TypedChoiceField(
        choices=[(2025, 2025), (2026, datetime.date(2026, 1, 1))], coerce=int
    )
    attrs = forms.ChoiceField(
        choices=[("a", "A")],
        widget=forms.Select(
            attrs={"class": 'x" onload="y', "required": True, "hidden": False, "size": 3}
        ),
    )
    flag = forms.NullBooleanField()
    radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)



class EveryKindOfInput(forms.Form):
    text = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": HOSTILE}))
    number = forms.DecimalField(required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    month = forms.DateField(
        required=False, widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"})
    )
    datetime = forms.DateTimeField(required=False)
    time = forms.TimeField(required=False)
    search = forms.CharField(required=False, widget=forms.SearchInput)
    tel = forms.CharField(required=False, widget=forms.TelInput)
    color = forms.CharField(required=False, widget=forms.ColorInput)
    checkbox = forms.BooleanField(required=False)
    file = forms.FileField(required=False)
    textarea = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    disabled = forms.CharField(required=False, disabled=True, initial="<b>")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"text": HOSTILE, "number": "1.5", "hidden": "", "email": "<a@b>", "checkbox": "on"},
        {"textarea": HOSTILE + "\n\nline", "date": "2026-13-40", "month": "9999-99", "time": "x"},
        {"textarea": "", "password": HOSTILE, "search": "   ", "tel": "=1+1", "url": "javascript:"},
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_of_input_is_written_as_its_template_writes_it(data, language):
    with override(language):
        form = EveryKindOfInput(data=data or None, initial={"date": datetime.date(2026, 5, 1)})
        form.is_valid()
        theirs, ours = both(form)
    assert ours == theirs
    assert len(ours) == len(EveryKindOfInput.base_fields)
    assert "<script>" not in "".join(ours)

def both(form):
    """Each field's HTML by Django's template renderer and by ours."""
    fields = list(form)
    form.renderer = TemplatesSetting()
    theirs = [str(field) for field in fields]
    form.renderer = FormRenderer()
    ours = [str(list(form)[i]) for i in range(len(fields))]
    return theirs, ours


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "b", "grouped": "2", "many": ["3", "29"], "lazy": "y", "years": "2026"},
        {"plain": HOSTILE, "many": ["<x>"], "flag": "true", "radio": "a"},
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_of_select_is_written_as_its_template_writes_it(data, language):
    with override(language):
        form = EveryKindOfSelect(data=data or None)
        theirs, ours = both(form)
    assert ours == theirs
    assert any("<optgroup" in html for html in ours)
    assert ('<option value="2" selected>two</option>' in "".join(ours)) == ("grouped" in data)


@pytest.mark.django_db
def test_the_list_filters_and_an_edit_form_are_written_as_their_templates_write_them():
    department = make_department(name=HOSTILE)
    written = []
    for form in (
        PortfolioFilter({"lead_department": department.pk, "stage": "construction"}).form,
        OverdueFilter({}, today=datetime.date(2026, 6, 15)).form,
        ReportForm(initial={"health": "amber"}),
        ProblemForm(initial={"help_department": department.pk}),
    ):
        theirs, ours = both(form)
        assert ours == theirs
        written += ours
    page = "".join(written)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script>" not in page
