from django.db import connections
from django.utils.functional import SimpleLazyObject

from .models import Project, kept_sql


def has_sample_data():
    """Whether the database holds sample data (one query, its SQL compiled once)."""
    using, sql, params = kept_sql(
        ("has-sample-data",), lambda: Project.objects.filter(is_sample=True).values("pk")[:1]
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def sample_data(request):
    """Whether the database holds sample data, so every page can say so (one query, lazily)."""
    return {"has_sample_data": SimpleLazyObject(has_sample_data)}
