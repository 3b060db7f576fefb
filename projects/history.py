"""A project's change history, read from django-simple-history's tables in a fixed number
of queries: who changed what, when, on the project and on its milestones, reports,
investment figures and pre-construction approvals, its carry-overs into later plans and its links to chapters and
indicators (each link added or removed). And how a change is shown, here and in a conflict message
(services.changes_since): simple-history's diff_against(), each field by its label."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from indicators import summary as indicator_summary

from .models import (
    AnnualInvestment,
    Approval,
    Carryover,
    Department,
    Milestone,
    ProgressReport,
    Project,
    ProjectChapter,
)

# Not shown as changes. Nor is what nobody edits (a row's version): diff_against() compares
# editable fields only.
SKIP = {"id", "project", "updated_at", "created_at", "is_sample", "author", "submitted_at"}
ACTIONS = {
    "+": pgettext_lazy("history action", "created"),
    "~": pgettext_lazy("history action", "changed"),
    "-": pgettext_lazy("history action", "deleted"),
}
REBASELINED = pgettext_lazy("history action", "re-baselined")
CARRIED_OVER = pgettext_lazy("history action", "carried over")
# A link between the project and a chapter or an indicator.
LINK_ACTIONS = {
    "+": pgettext_lazy("history action", "linked"),
    "~": pgettext_lazy("history action", "changed"),
    "-": pgettext_lazy("history action", "unlinked"),
}


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
        # An approval's updates; not the lines a checklist makes ("not yet applied for").
        (
            Approval,
            Approval.history.filter(project_id=project.pk).select_related("kind"),
            lambda r: r.kind.display_name,
        ),
    ]
    departments = {d.pk: str(d) for d in Department.objects.all()}
    entries = []
    for model, records, label in sources:
        previous = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            previous[record.id] = record
            if model is Approval and record.history_type == "+":
                continue  # a checklist's new line, "not yet applied for": nothing done yet
            changes = []
            if before is not None and record.history_type == "~":
                delta = record.diff_against(before, excluded_fields=SKIP)
                changes = shown_changes(delta, model, departments)
                if not changes:
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
    entries += carryover_entries(project, departments)
    entries += link_entries(
        ProjectChapter.history.filter(project_id=project.pk).select_related("chapter__plan"),
        ProjectChapter,
        "chapter",
    )
    records, model = indicator_summary.link_history(project.pk)
    entries += link_entries(records, model, "indicator")
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def carryover_entries(project, departments):
    """The project's carry-overs: made (with their reason), changed, deleted. One query."""
    entries, previous = [], {}
    records = Carryover.history.filter(project_id=project.pk).select_related(
        "history_user", "from_plan", "to_plan"
    )
    for record in records.order_by("history_date", "history_id"):
        before = previous.get(record.id)
        previous[record.id] = record
        changes, reason = [], record.history_change_reason or ""
        if record.history_type == "+":
            reason = record.reason
        elif before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=SKIP)
            changes = shown_changes(delta, Carryover, departments)
            if not changes:
                continue
        plans = " → ".join(
            plan.short_name if plan else "–" for plan in (record.from_plan, record.to_plan)
        )
        entries.append(
            Change(
                when=record.history_date,
                who=record.history_user,
                action=CARRIED_OVER if record.history_type == "+" else ACTIONS[record.history_type],
                what=f"{Carryover._meta.verbose_name}: {plans}",
                changes=changes,
                reason=reason,
            )
        )
    return entries


def link_entries(records, model, target):
    """Links of the project to chapters or indicators (`target`, the linked field of the
    link's history records, selected with them), each added, moved or removed: one query."""
    field = model._meta.get_field(target)
    entries, previous = [], {}
    for record in records.select_related("history_user").order_by("history_date", "history_id"):
        before = previous.get(record.id)
        previous[record.id] = record
        changes = []
        if record.history_type == "~":
            if before is None or getattr(before, field.attname) == getattr(record, field.attname):
                continue  # saved without a visible change
            changes = [(field.verbose_name, linked_label(before, field), linked_label(record, field))]
        entries.append(
            Change(
                when=record.history_date,
                who=record.history_user,
                action=LINK_ACTIONS[record.history_type],
                what=f"{model._meta.verbose_name}: {linked_label(record, field)}",
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    return entries


def linked_label(record, field):
    """What a link's history record links to, by name; by number if it is gone since."""
    linked = getattr(record, field.name)
    return str(linked) if linked is not None else f"#{getattr(record, field.attname)}"


def shown_changes(delta, model, departments=None):
    """A diff_against() delta as (field label, old shown, new shown), in the model's field
    order: a choice by its label, a department by its name, nothing as "–". Department
    names are read in one query unless `departments` (pk → name) already has them."""
    position = {f.name: n for n, f in enumerate(model._meta.concrete_fields)}
    changes = [
        (model._meta.get_field(change.field), change.old, change.new)
        for change in sorted(delta.changes, key=lambda change: position.get(change.field, 0))
    ]
    if departments is None:
        wanted = {
            value
            for model_field, old, new in changes
            if model_field.related_model is Department
            for value in (old, new)
            if value is not None
        }
        departments = {d.pk: str(d) for d in Department.objects.filter(pk__in=wanted)}
    return [
        (
            model_field.verbose_name,
            show(model_field, old, departments),
            show(model_field, new, departments),
        )
        for model_field, old, new in changes
    ]


def show(model_field, value, departments):
    if value is None or value == "":
        return "–"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.related_model is Department:
        return departments.get(value, value)
    return value
