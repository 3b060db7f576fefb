"""django-tables2 asks inspect.signature() about every cell's render and value methods,
once per cell: on a 50-row page that is most of the page's time, and on a 15,000-row
export most of the export's. The answer never changes for a given function, so remember
it. Installed once, from ProjectsConfig.ready()."""

import weakref

from django_tables2 import utils

_original = utils.signature
_known = weakref.WeakKeyDictionary()


def remembered_signature(fn):
    # Bound methods are new objects on every attribute access: remember their function,
    # apart from the same function unbound (whose signature still has `self`).
    target = getattr(fn, "__func__", fn)
    bound = target is not fn
    try:
        answers = _known.setdefault(target, {})
    except TypeError:  # not weakly referenceable: ask every time
        return _original(fn)
    if bound not in answers:
        answers[bound] = _original(fn)
    return answers[bound]


def install():
    utils.signature = remembered_signature
