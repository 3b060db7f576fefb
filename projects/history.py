"""A project's change history, read from django-simple-history's tables: who changed what,
when, on the project and on its milestones, reports, investment figures and pre-construction
approvals, its carry-overs into later plans and its links to chapters and indicators (each
link added or removed). And how a change is shown, here and in a conflict message
(services.changes_since): simple-history's diff_against(), each field by its label.

The newest changes are found first, in one query over all those tables (each record with the
one before it of the same row, which its diff needs); then only those records are read, one
query for each kind of record among them, and the names of the departments a change shows,
in one more. So the project page's few newest changes cost the same however long the history
grows, and nothing but that first query when there is none."""

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
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


@dataclass(frozen=True)
class Source:
    """One model's history records of a project: `column` the history table's column
    naming the project, `related` what their entries show, selected with them, and
    `entry(record, the record before it of the same row or None, shown changes)` the
    Change a record makes, None if it shows nothing. `diffs`: a change ("~") is compared
    with the record before it, and left out when nothing shown differs. `creations`: a
    created row is a change to show."""

    model: type
    column: str
    entry: Callable
    related: tuple = ()
    diffs: bool = True
    creations: bool = True

    def records(self, project_pk):
        """The project's history records of the model, unevaluated."""
        return self.model.history.filter(**{self.column: project_pk}).select_related(
            "history_user", *self.related
        )


@functools.cache
def sources():
    """Where a project's history is, in the order its changes of one moment are listed."""
    indicator_link, indicator_related = indicator_summary.link_history()
    return (
        Source(Project, "id", change_entry(Project, lambda r: str(_("project")))),
        Source(Milestone, "project_id", change_entry(Milestone, lambda r: r.title)),
        Source(
            ProgressReport,
            "project_id",
            change_entry(ProgressReport, lambda r: f"{r.period:%Y-%m}"),
        ),
        Source(
            AnnualInvestment, "project_id", change_entry(AnnualInvestment, lambda r: str(r.year))
        ),
        # An approval's updates; not the lines a checklist makes ("not yet applied for").
        Source(
            Approval,
            "project_id",
            change_entry(Approval, lambda r: r.kind.display_name),
            related=("kind",),
            creations=False,
        ),
        Source(Carryover, "project_id", carryover_entry, related=("from_plan", "to_plan")),
        Source(
            ProjectChapter,
            "project_id",
            link_entry(ProjectChapter, "chapter"),
            related=("chapter__plan",),
            diffs=False,
        ),
        Source(
            indicator_link,
            "project_id",
            link_entry(indicator_link, "indicator"),
            related=indicator_related,
            diffs=False,
        ),
    )


def project_history(project, limit=None):
    """The project's changes, newest first: all of them, or the newest `limit`.

    For the newest `limit`, twice as many records are read, room for saves that show no
    change (and are passed over); should those still make fewer than `limit` changes, the
    next ones are read then, in as many more rounds as it takes."""
    entries, offset = [], 0
    while True:
        wanted = None if limit is None else 2 * (limit - len(entries))
        rows = newest_records(project.pk, wanted, offset)
        entries += changes_of(project.pk, rows, everything=limit is None)
        if limit is None or len(entries) >= limit or len(rows) < wanted:
            return entries[:limit]
        offset += wanted


def newest_records(project_pk, limit=None, offset=0):
    """[(source's index, history_id, history_id of the record before it of the same row or
    None)] of the project's records, newest first (those of one moment in the sources'
    order, oldest first): one query over all the history tables, `limit` rows from `offset`
    or all of them."""
    sql, params = newest_sql(), [project_pk] * len(sources())
    if limit is not None:
        sql += " LIMIT %s OFFSET %s"
        params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.cache
def newest_sql():
    """The query of newest_records() without its limit, the project's id a parameter for
    each history table: written once, from the sources' tables."""
    quote, found = connection.ops.quote_name, sources()
    tables = [
        f"SELECT {n} AS source, history_id, history_date, history_type, "
        "LAG(history_id) OVER (PARTITION BY id ORDER BY history_date, history_id) AS before_id "
        f"FROM {quote(source.model.history.model._meta.db_table)} "
        f"WHERE {quote(source.column)} = %s"
        for n, source in enumerate(found)
    ]
    sql = f"SELECT source, history_id, before_id FROM ({' UNION ALL '.join(tables)}) records"
    hidden = ", ".join(str(n) for n, source in enumerate(found) if not source.creations)
    if hidden:
        sql += f" WHERE history_type <> '+' OR source NOT IN ({hidden})"
    return sql + " ORDER BY history_date DESC, source, history_id"


def changes_of(project_pk, rows, everything=False):
    """The changes that the records of `rows` (newest_records) make, in their order. Reads
    those records and the ones before them, a query for each source among them (all of the
    project's records of the source if `everything`), and the departments' names a change
    shows."""
    found, wanted = sources(), defaultdict(set)
    for n, history_id, before_id in rows:
        wanted[n].update(i for i in (history_id, before_id) if i is not None)
    records = {}
    for n, ids in wanted.items():
        chosen = found[n].records(project_pk)
        for record in (chosen if everything else chosen.filter(history_id__in=ids)).order_by():
            records[n, record.history_id] = record
    shown, departments = [], set()
    for n, history_id, before_id in rows:
        source, record = found[n], records.get((n, history_id))
        if record is None:
            continue  # cleared since the first query (by simple-history's clean-up commands)
        before = records.get((n, before_id))
        changes = []
        if source.diffs and before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=SKIP)
            changes = field_changes(delta, source.model)
            if not changes:
                continue  # saved without a visible change
            departments |= department_ids(changes)
        shown.append((source, record, before, changes))
    names = department_names(departments)
    entries = (
        source.entry(record, before, show_changes(changes, names))
        for source, record, before, changes in shown
    )
    return [entry for entry in entries if entry is not None]


def change_entry(model, label):
    """The entry of a record of the project or of a row of it (`label`: which row)."""

    def entry(record, before, changes):
        action = ACTIONS[record.history_type]
        if model is Milestone and before is not None and before.planned_date != record.planned_date:
            action = REBASELINED  # the baseline moved: say so, so a slip cannot hide
        return Change(
            when=record.history_date,
            who=record.history_user,
            action=action,
            what=f"{model._meta.verbose_name}: {label(record)}",
            changes=changes,
            reason=record.history_change_reason or "",
        )

    return entry


def carryover_entry(record, before, changes):
    """A carry-over: made (with its reason), changed, deleted."""
    made = record.history_type == "+"
    plans = " → ".join(
        plan.short_name if plan else "–" for plan in (record.from_plan, record.to_plan)
    )
    return Change(
        when=record.history_date,
        who=record.history_user,
        action=CARRIED_OVER if made else ACTIONS[record.history_type],
        what=f"{Carryover._meta.verbose_name}: {plans}",
        changes=changes,
        reason=record.reason if made else record.history_change_reason or "",
    )


def link_entry(model, target):
    """The entry of a link of the project to a chapter or an indicator (`target`, the linked
    field of the link's history records, selected with them): added, moved or removed."""
    linked = model._meta.get_field(target)

    def entry(record, before, changes):
        moved = []
        if record.history_type == "~":
            if before is None or getattr(before, linked.attname) == getattr(record, linked.attname):
                return None  # saved without a visible change
            moved = [
                (linked.verbose_name, linked_label(before, linked), linked_label(record, linked))
            ]
        return Change(
            when=record.history_date,
            who=record.history_user,
            action=LINK_ACTIONS[record.history_type],
            what=f"{model._meta.verbose_name}: {linked_label(record, linked)}",
            changes=moved,
            reason=record.history_change_reason or "",
        )

    return entry


def linked_label(record, field):
    """What a link's history record links to, by name; by number if it is gone since."""
    linked = getattr(record, field.name)
    return str(linked) if linked is not None else f"#{getattr(record, field.attname)}"


def shown_changes(delta, model, departments=None):
    """A diff_against() delta as (field label, old shown, new shown), in the model's field
    order: a choice by its label, a department by its name, nothing as "–". Department
    names are read in one query unless `departments` (pk → name) already has them."""
    changes = field_changes(delta, model)
    if departments is None:
        departments = department_names(department_ids(changes))
    return show_changes(changes, departments)


def field_changes(delta, model):
    """A diff_against() delta as (model field, old, new), in the model's field order."""
    position = {f.name: n for n, f in enumerate(model._meta.concrete_fields)}
    return [
        (model._meta.get_field(change.field), change.old, change.new)
        for change in sorted(delta.changes, key=lambda change: position.get(change.field, 0))
    ]


def department_ids(changes):
    """The departments that field_changes() name."""
    return {
        value
        for model_field, old, new in changes
        if model_field.related_model is Department
        for value in (old, new)
        if value is not None
    }


def department_names(ids):
    """{pk: name} of the departments `ids`: one query, none without any."""
    return {d.pk: str(d) for d in Department.objects.filter(pk__in=ids)} if ids else {}


def show_changes(changes, departments):
    """field_changes() as shown: (field label, old shown, new shown)."""
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
