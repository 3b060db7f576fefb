"""The web forms of department editors and managers. They only read what was typed
(a month, a number, a date); the rules are the model's, applied by the services
(services.validate), whose refusals place_errors() shows on the form's fields. So a form,
the department workbook and the admin refuse the same input with the same message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Approval, CoordinationProblem, Department, Plan, PlanChapter, ProgressReport


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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input (Django's documented pattern); the list of uploads, each
    checked later by projects.attachments.check_all."""

    def __init__(self, *, accept, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(FilesField, self).clean(upload, initial) for upload in uploads]


PHOTO_TYPES = "image/jpeg,image/png,image/webp"
DOCUMENT_TYPES = "image/jpeg,image/png,image/webp,application/pdf"


def photos_field():
    return FilesField(
        label=_("site photos"),
        accept=PHOTO_TYPES,
        help_text=_("JPEG, PNG or WebP; location and camera data are removed."),
    )


def documents_field(label):
    return FilesField(
        label=label,
        accept=DOCUMENT_TYPES,
        help_text=_("PDF or photos (JPEG, PNG, WebP)."),
    )


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
    photos = photos_field()


class ProblemForm(forms.Form):
    """A coordination problem the report raises (a row under the report; an untouched row
    is skipped)."""

    description = text(_("problem needing coordination"), 2, required=False)
    help_department = forms.ModelChoiceField(
        label=_("help needed from"),
        queryset=Department.objects.all(),
        required=False,
    )
    urgency = forms.ChoiceField(
        label=_("urgency"),
        choices=CoordinationProblem.Urgency.choices,
        initial=CoordinationProblem.Urgency.NORMAL,
    )


class BaseProblemFormSet(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        """Each row's list of departments is the first row's: one query, not one a row."""
        form = super()._construct_form(i, **kwargs)
        field = form.fields["help_department"]
        if not hasattr(self, "_departments"):
            self._departments = list(iter(field.choices))  # (no COUNT for a length hint)
        field.choices = self._departments
        return form


ProblemFormSet = forms.formset_factory(
    ProblemForm,
    formset=BaseProblemFormSet,
    extra=3,
    max_num=3,
    absolute_max=3,
    validate_max=True,
)


def new_problems(formset):
    """The problem rows filled in, as the service takes them (their places on the form
    kept on the formset, for place_problem_errors)."""
    formset.filled = [i for i, form in enumerate(formset.forms) if form.has_changed()]
    return [formset.forms[i].cleaned_data for i in formset.filled]


def place_problem_errors(formset, error):
    """The service's refusals of problem rows ("problems-<index>-<field>") on the rows;
    returns the rest of the error for place_errors, or None."""
    if not hasattr(error, "error_dict"):
        return error
    rest = {}
    for name, messages in error.error_dict.items():
        prefix, _sep, tail = name.partition("-")
        index, _sep, field = tail.partition("-")
        filled = getattr(formset, "filled", [])
        if prefix == "problems" and index.isdigit() and int(index) < len(filled):
            form = formset.forms[filled[int(index)]]
            form.add_error(field if field in form.fields else None, messages)
        else:
            rest[name] = messages
    return forms.ValidationError(rest) if rest else None


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


class ApprovalForm(VersionedForm):
    """Where a pre-construction approval stands; the rules are the model's (Approval.clean)."""

    state = forms.ChoiceField(label=_("state"), choices=Approval.State.choices)
    number = forms.CharField(label=_("approval number (文号)"), required=False, max_length=100)
    issued_on = forms.DateField(
        label=_("date of approval"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = text(_("note"), 2, required=False)
    files = documents_field(_("approval document"))


class ReturnForm(VersionedForm):
    """Return a report to its department; the model requires the comment."""

    review_comment = text(_("why it is returned"), 4, required=True)


class ReviewAcceptForm(forms.Form):
    """The review queue's ticked reports (`report`, repeated), each with the version the
    page was loaded with (`version-<id>`). Gives `chosen`: [(id, version)] in the order
    ticked, each id once. A value that is not a whole number, or an id without its
    version, refuses the whole list: the form was changed outside the page."""

    MAX = 200
    BROKEN = _(
        "The list of reports was changed outside the page; nothing was saved. Load the page again."
    )

    def clean(self):
        ids = self.data.getlist("report")
        if not ids:
            raise forms.ValidationError(_("Tick the reports to accept first."))
        if len(ids) > self.MAX:
            raise forms.ValidationError(
                _("At most %(max)s reports can be accepted at once; nothing was saved.")
                % {"max": self.MAX}
            )
        chosen = {}
        for text_id in ids:
            version = self.data.get(f"version-{text_id}", "")
            if not (whole(text_id) and whole(version)):
                raise forms.ValidationError(self.BROKEN)
            chosen.setdefault(int(text_id), int(version))
        return {"chosen": list(chosen.items())}


def whole(text):
    """A whole number as the page sends one: digits only, and short enough for any integer
    column on every database (a longer one cannot be a row's id or version here)."""
    return text.isascii() and text.isdigit() and len(text) <= 9


class BoundedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows, at most `most` of them: more is refused before any is
    looked up."""

    def __init__(self, *args, most, **kwargs):
        super().__init__(*args, **kwargs)
        self.most = most

    def clean(self, value):
        if value and len(value) > self.most:
            raise forms.ValidationError(
                _("Choose at most %(most)s; nothing was saved.") % {"most": self.most}
            )
        return super().clean(value)


class CarryoverForm(forms.Form):
    """A carry-over into a later plan: the plan (by its number), the chapters the project
    serves there, the reason. Any chapter is read; the model refuses one that is not of the
    plan (Carryover.check_chapters), and the rest of the rules are the model's too."""

    MAX_CHAPTERS = 50

    to_plan = forms.ModelChoiceField(
        Plan.objects.all(),
        to_field_name="number",
        label=_("carried over into"),
        error_messages={
            "required": _("Choose the plan the project is carried over into."),
            "invalid_choice": _("There is no such plan; load the page again."),
        },
    )
    chapters = BoundedMultipleChoiceField(
        PlanChapter.objects.select_related("plan"),
        most=MAX_CHAPTERS,
        required=False,  # the model asks for them, naming the plan
        label=_("chapters served in the new plan"),
        error_messages={
            "invalid_choice": _("A chosen chapter does not exist (any more); load the page again."),
            "invalid_pk_value": _("A chosen chapter does not exist (any more); load the page again."),
        },
    )
    reason = text(_("reason for the carry-over"), 3, required=True)


class BulkCarryoverForm(CarryoverForm):
    """The portfolio's ticked projects (`project`, repeated) carried over at once. Gives
    `project_ids` in the order ticked, each once. A value that is not a whole number
    refuses the whole list: the form was changed outside the page."""

    MAX = 100

    def clean(self):
        data = super().clean()
        ids = self.data.getlist("project")
        if not ids:
            raise forms.ValidationError(_("Tick the projects to carry over first."))
        if len(ids) > self.MAX:
            raise forms.ValidationError(
                _("At most %(max)s projects can be carried over at once; nothing was saved.")
                % {"max": self.MAX}
            )
        if not all(whole(text_id) for text_id in ids):
            raise forms.ValidationError(
                _("The list of projects was changed outside the page; nothing was saved. "
                  "Load the page again.")
            )
        data["project_ids"] = list(dict.fromkeys(int(text_id) for text_id in ids))
        return data


class MilestoneDocumentForm(forms.Form):
    files = documents_field(_("approval document"))
