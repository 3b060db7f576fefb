from django.utils.functional import SimpleLazyObject

from .models import Project, rows_once


def has_sample_data():
    """Whether the database holds sample data (one query, made once: rows_once())."""
    return bool(
        rows_once(
            ("has sample data",),
            lambda: Project.objects.filter(is_sample=True).order_by().values_list("pk")[:1],
        )
    )


def sample_data(request):
    """Whether the database holds sample data, so every page can say so (one query, lazily)."""
    return {"has_sample_data": SimpleLazyObject(has_sample_data)}
