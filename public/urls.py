from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.project_list, name="projects"),
    path("projects/<slug:code>/", views.project_detail, name="project"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("chapters/", views.chapter_list, name="chapters"),
]
