"""Imported rows written in batches: new rows with one bulk insert, changed rows with one
bulk update, each with its history where the model keeps one (simple-history's bulk
functions: one user and one reason for the import), then their many-to-many links with
one read, one delete and one insert per column; and the saved links of a batch's rows
read before it, in one query per column. New rows that name new rows of their own model
(a section its new chapter) are inserted parents first, one insert per level."""

from collections import defaultdict

from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

from .importcolumns import pending_links


class BatchWriter:
    """Collects the rows of an import as they are validated and writes them at once.

    `update_fields`: what a changed row may have changed (bulk_update writes only those,
    and the auto_now fields); `link_fields`: the import's many-to-many columns (LinkField)."""

    def __init__(self, model, *, update_fields, link_fields, batch_size=500):
        self.model = model
        self.update_fields = update_fields + [
            name for name in self.auto_now_fields() if name not in update_fields
        ]
        self.link_fields = link_fields
        self.batch_size = batch_size
        self.created, self.updated = [], []

    def add(self, instance, is_create):
        (self.created if is_create else self.updated).append(instance)

    def write(self, *, user, reason):
        """Write what was added since the last write."""
        created, updated = self.created, self.updated
        self.created, self.updated = [], []
        history = {"default_user": user, "default_change_reason": reason}
        if created:
            waves = self.waves(created)
            for wave in waves:
                if keeps_history(self.model):
                    bulk_create_with_history(
                        wave, self.model, batch_size=self.batch_size, **history
                    )
                else:
                    self.model.objects.bulk_create(wave, batch_size=self.batch_size)
            self.write_links([instance for wave in waves for instance in wave], history)
        if updated:
            now = timezone.now()  # bulk_update leaves auto_now fields alone
            for instance in updated:
                for name in self.auto_now_fields():
                    setattr(instance, name, now)
            fields = self.update_fields
            if keeps_history(self.model):
                bulk_update_with_history(
                    updated, self.model, fields, batch_size=self.batch_size, **history
                )
            else:
                self.model.objects.bulk_update(updated, fields, batch_size=self.batch_size)
            self.write_links(updated, history)

    def waves(self, created):
        """The new rows in the order they can be inserted: a row whose parent (a foreign
        key to its own model, a section's chapter) is new too comes in the wave after its
        parent's, so that it is inserted knowing its parent's id; one insert per wave, as
        many waves as the deepest row has new ancestors. A row whose new parent is not
        written (that row was refused: nothing is saved) is left out."""
        own = [
            f
            for f in self.model._meta.concrete_fields
            if f.is_relation and f.related_model is self.model
        ]
        if not own:
            return [created]
        new = {id(instance) for instance in created}
        depth = {}

        def depth_of(instance, seen=()):
            if id(instance) not in depth:
                level = 0
                for field in own:
                    parent = field.get_cached_value(instance, None)
                    if parent is None or parent.pk is not None:
                        continue
                    if id(parent) not in new or id(parent) in seen:
                        level = None
                        break
                    above = depth_of(parent, seen + (id(instance),))
                    if above is None:
                        level = None
                        break
                    level = max(level, above + 1)
                depth[id(instance)] = level
            return depth[id(instance)]

        waves = defaultdict(list)
        for instance in created:
            level = depth_of(instance)
            if level is not None:
                waves[level].append(instance)
        return [waves[level] for level in sorted(waves)]

    def auto_now_fields(self):
        return [f.name for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)]

    def write_links(self, instances, history):
        """Make each row's many-to-many links what its cells say: one query to read the
        saved links of the batch, one to delete, one to insert, per column. `history`: the
        user and reason of the history records of links that keep one."""
        for link_field in self.link_fields:
            attribute = link_field.attribute
            wanted = {
                i.pk: {o.pk for o in pending_links(i)[attribute]}
                for i in instances
                if attribute in pending_links(i)
            }
            if not wanted:
                continue
            through, source, target = through_columns(self.model, attribute)
            saved, stale = defaultdict(set), []
            links = through.objects.filter(**{f"{source}__in": wanted}).values_list(
                "pk", source, target
            )
            for pk, owner, other in links:
                if other in wanted[owner]:
                    saved[owner].add(other)
                else:
                    stale.append(pk)
            new = [
                through(**{source: owner, target: other})
                for owner, others in wanted.items()
                for other in others - saved[owner]
            ]
            if keeps_history(through):
                for link in through.objects.filter(pk__in=stale):
                    link._history_user = history["default_user"]
                    link._change_reason = history["default_change_reason"]
                    link.delete()
                if new:
                    bulk_create_with_history(new, through, **history)
            else:
                if stale:
                    through.objects.filter(pk__in=stale).delete()
                through.objects.bulk_create(new)
            for instance in instances:
                if attribute in pending_links(instance):
                    link_field.widget.current[instance.pk] = pending_links(instance)[attribute]


def keeps_history(model):
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


def through_columns(model, attribute):
    """A many-to-many field's link table, and its columns for this side and the other."""
    relation = model._meta.get_field(attribute)
    through = relation.remote_field.through
    source = through._meta.get_field(relation.m2m_field_name()).attname
    target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
    return through, source, target


def read_links(model, link_fields, pks):
    """Read the saved links of these rows into each column's widget (`current`), one query
    per many-to-many column."""
    for link_field in link_fields:
        through, source, target = through_columns(model, link_field.attribute)
        current = link_field.widget.current
        current.clear()
        for pk in pks:
            current[pk] = []
        if not pks:
            continue
        target_name = target.removesuffix("_id")
        select = [target_name] + [
            f"{target_name}__{name}" for name in link_field.widget.related_select
        ]
        for link in through.objects.filter(**{f"{source}__in": pks}).select_related(*select):
            current[getattr(link, source)].append(getattr(link, target_name))
