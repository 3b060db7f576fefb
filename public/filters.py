"""The public project list's query string, for the page and the JSON alike: ?stage= (a
stage's value) and ?chapter= (a chapter key of the plan shown, such as 15-3.1, with its
sections). A bad value is a message, never a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Project

from . import redaction


class ProjectFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("stage"), choices=[("", _("all")), *Project.Stage.choices], required=False
    )
    chapter = forms.CharField(label=_("chapter"), max_length=30, required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean_chapter(self):
        key = self.cleaned_data["chapter"].strip()
        if not key:
            return None
        chapter = redaction.chapter_by_key(self.scope, key)
        if chapter is None:
            raise forms.ValidationError(
                _("The plan shown has no chapter %(key)s."), params={"key": key}, code="unknown"
            )
        return chapter


def project_filters(scope, query):
    """(the bound form, {"stage": ..., "chapter": ...} from its valid fields only)."""
    form = ProjectFilterForm(query, scope=scope)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    return form, {
        "stage": cleaned.get("stage") or "",
        "chapter": cleaned.get("chapter"),
    }
