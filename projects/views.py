from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Milestone, Project


@login_required
def home(request):
    """A placeholder start page until the dashboard lands: where to go from here."""
    context = {
        "project_count": Project.objects.count(),
        "overdue_count": Milestone.objects.overdue().count(),
    }
    return render(request, "projects/home.html", context)
