from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import render
from django.urls import reverse

from projects.clock import today

from . import todo as todo_items


@login_required
def todo(request):
    """What waits on the signed-in user, each item linking to its action. `?all=<key>`
    shows every row of one group (up to todo.ALL_SHOWN)."""
    items = todo_items.for_request(request)
    groups = items.groups
    shown = request.GET.get("all")
    if any(group.key == shown for group in groups):
        groups = [group for group in groups if group.key == shown]
        groups[0].limit = todo_items.ALL_SHOWN
    else:
        shown = None
    context = {"groups": groups, "all": shown, "total": items.count, "today": today()}
    return render(request, "supervision/todo.html", context)


class SignInView(LoginView):
    """Sign-in: without a `next`, a department's editor lands on their to-do."""

    def get_default_redirect_url(self):
        if todo_items.is_department_editor(self.request.user):
            return reverse("supervision:todo")
        return super().get_default_redirect_url()
