from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api import docs as api_docs
from projects import views as project_views
from supervision import views as supervision_views

urlpatterns = [
    path("", project_views.dashboard, name="home"),
    path("", include("projects.urls")),
    path("", include("supervision.urls")),
    path("indicators/", include("indicators.urls")),
    # Without a `next`, a department's editor lands on their to-do (others on /).
    path("accounts/login/", supervision_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The public view (no sign-in). Its JSON comes before any other api/ address.
    path("public/", include("public.urls")),
    path("api/v1/public/", include("public.api_urls")),
    # The REST API and its schema (api/).
    path("api/v1/", include("api.urls")),
    path("api/schema/", api_docs.SchemaView.as_view(), name="api-schema"),
    path("api/docs/", api_docs.DocsView.as_view(), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
