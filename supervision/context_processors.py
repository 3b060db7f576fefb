from django.utils.functional import SimpleLazyObject

from . import todo as todo_items


def todo(request):
    """The user's to-do groups (`todo`) and how many items wait (`todo_count`), for the
    dashboard's strip, and the top bar's number (`todo_badge`, "99+" beyond 99): computed
    only when a template uses them, once a request (the roles' query and one query of
    counts; nothing for anonymous visitors)."""
    return {
        "todo": SimpleLazyObject(lambda: todo_items.for_request(request).groups),
        "todo_count": SimpleLazyObject(lambda: todo_items.for_request(request).count),
        "todo_badge": SimpleLazyObject(lambda: todo_items.for_request(request).badge),
    }
