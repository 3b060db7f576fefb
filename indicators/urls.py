from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.IndicatorListView.as_view(), name="list"),
    path("<slug:code>/", views.indicator_detail, name="detail"),
    path("<slug:code>/values/new/", views.value_edit, name="value_add"),
    path("<slug:code>/values/<int:year>/", views.value_edit, name="value_edit"),
]
