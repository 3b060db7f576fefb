"""Idempotent writes for the data loaders: save only what differs, so a second run
changes nothing and leaves no extra history rows."""

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
