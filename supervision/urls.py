from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "supervision"
urlpatterns = [
    path("todo/", views.todo, name="todo"),
    # A placeholder for the order page the lead builds beside this (the to-do's order rows
    # link to it): replace it with the real view when merging.
    path(
        "supervision/<int:pk>/",
        login_required(RedirectView.as_view(url="/todo/")),
        name="detail",
    ),
]
