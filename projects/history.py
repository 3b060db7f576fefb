"""A project's change history, read from django-simple-history's tables in a fixed number
of queries: who changed what, when, on the project and on its milestones, reports and
investment figures."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import AnnualInvestment, Department, Milestone, ProgressReport, Project

SKIP = {"id", "project", "updated_at", "created_at", "is_sample", "author", "submitted_at"}
ACTIONS = {
    "+": pgettext_lazy("history action", "created"),
    "~": pgettext_lazy("history action", "changed"),
    "-": pgettext_lazy("history action", "deleted"),
}
REBASELINED = pgettext_lazy("history action", "re-baselined")


@dataclass
class Change:
    when: object
    who: object
    action: str
    what: str
    changes: list = field(default_factory=list)  # (field label, old, new)
    reason: str = ""


def project_history(project, limit=50):
    """The newest `limit` changes to the project and the rows that belong to it."""
    sources = [
        (Project, Project.history.filter(id=project.pk), lambda r: str(_("project"))),
        (Milestone, Milestone.history.filter(project_id=project.pk), lambda r: r.title),
        (
            ProgressReport,
            ProgressReport.history.filter(project_id=project.pk),
            lambda r: f"{r.period:%Y-%m}",
        ),
        (
            AnnualInvestment,
            AnnualInvestment.history.filter(project_id=project.pk),
            lambda r: str(r.year),
        ),
    ]
    departments = {d.pk: str(d) for d in Department.objects.all()}
    entries = []
    for model, records, label in sources:
        fields = [f for f in model._meta.concrete_fields if f.name not in SKIP]
        previous = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            changes = []
            if before is not None and record.history_type == "~":
                for f in fields:
                    old, new = f.value_from_object(before), f.value_from_object(record)
                    if old != new:
                        changes.append(
                            (f.verbose_name, show(f, old, departments), show(f, new, departments))
                        )
            previous[record.id] = record
            if before is not None and record.history_type == "~" and not changes:
                continue  # saved without a visible change
            kind = f"{model._meta.verbose_name}: {label(record)}"
            action = ACTIONS[record.history_type]
            if (
                model is Milestone
                and before is not None
                and before.planned_date != record.planned_date
            ):
                action = REBASELINED  # the baseline moved: say so, so a slip cannot hide
            entries.append(
                Change(
                    when=record.history_date,
                    who=record.history_user,
                    action=action,
                    what=kind,
                    changes=changes,
                    reason=record.history_change_reason or "",
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def show(model_field, value, departments):
    if value is None or value == "":
        return "–"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.related_model is Department:
        return departments.get(value, value)
    return value
