from django.urls import path

from . import api

app_name = "public_api"
urlpatterns = [
    path("projects/", api.ProjectList.as_view(), name="projects"),
    path("projects/<slug:code>/", api.ProjectDetail.as_view(), name="project"),
    path("indicators/", api.IndicatorList.as_view(), name="indicators"),
    path("chapters/", api.ChapterList.as_view(), name="chapters"),
]
