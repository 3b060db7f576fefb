from django.utils.functional import SimpleLazyObject

from .models import Project


def sample_data(request):
    """Whether the database holds sample data, so every page can say so (one query, lazily)."""
    return {
        "has_sample_data": SimpleLazyObject(lambda: Project.objects.filter(is_sample=True).exists())
    }
