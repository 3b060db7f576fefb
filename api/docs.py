"""The OpenAPI 3 schema (/api/schema/) and its documentation page (/api/docs/), for signed-in
users and tokens. The page is Swagger UI from drf-spectacular-sidecar's static files, its
start-up script served as a file of its own (SpectacularSwaggerSplitView), so that it runs
under the site's Content-Security-Policy (script-src 'self', no inline script). Both speak
the request's language (?lang=, Accept-Language, or the site's language switch)."""

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions

from .throttling import AnonRateThrottle, TokenRateThrottle
from .views import RequestLanguage


class SchemaView(RequestLanguage, SpectacularAPIView):
    throttle_classes = [TokenRateThrottle, AnonRateThrottle]


class DocsView(RequestLanguage, SpectacularSwaggerSplitView):
    throttle_classes = [TokenRateThrottle, AnonRateThrottle]
    url_name = "api-schema"

    def handle_exception(self, exc):
        # A person who is not signed in goes to the sign-in page, as on every other page.
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
