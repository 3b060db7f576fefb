"""Idempotent writes for the data loaders: save only what differs, so a second run
changes nothing and leaves no extra history rows."""

from simple_history.utils import bulk_create_with_history

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def upsert(model, lookup, values, *, reason="", on_create=None):
    """Create or update the row matching `lookup` so it holds `values`.

    `on_create(obj)` prepares a new row before validation (a user's password, say).
    Validates with full_clean() before saving. Returns (obj, CREATED | UPDATED | UNCHANGED).
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        if on_create:
            on_create(obj)
        status, fields = CREATED, None
    else:
        fields = [name for name, value in values.items() if getattr(obj, name) != value]
        if not fields:
            return obj, UNCHANGED
        for name in fields:
            setattr(obj, name, values[name])
        status = UPDATED
    if reason:
        obj._change_reason = reason  # also the reason some rules ask for (a re-baseline)
    obj.full_clean()
    if fields is None:
        obj.save()
    else:
        # ForeignKey values are compared and saved by their field name.
        obj.save(update_fields=fields)
    return obj, status


def set_links(manager, wanted):
    """Make a many-to-many manager hold exactly `wanted`; True if anything changed."""
    wanted = set(wanted)
    current = set(manager.all())
    if current == wanted:
        return False
    manager.set(wanted)
    return True


def set_link_rows(links, target, wanted, make, *, reason):
    """Make the link rows `links` (a queryset of a link model that keeps a history, such
    as a project's chapter links) link to exactly `wanted` through their field `target`:
    each link removed or added is in the history, with `reason`. `make(obj)` builds a new
    link to obj. True if anything changed."""
    wanted = set(wanted)
    current = {getattr(link, target): link for link in links.select_related(target)}
    stale = [link for linked, link in current.items() if linked not in wanted]
    for link in stale:
        link._change_reason = reason
        link.delete()
    new = [make(obj) for obj in wanted - current.keys()]
    if new:
        bulk_create_with_history(new, links.model, default_change_reason=reason)
    return bool(stale or new)
