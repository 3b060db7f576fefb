"""The API's settings leave room for the public view's endpoints (/api/v1/public/): a view
with no authentication, open to anyone, throttled in its own scope "public" and paginated by
its own class works under them."""

import pytest
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView


class Public(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"
    pagination_class = PageNumberPagination

    def get(self, request):
        return Response({"ok": True})


def test_an_anonymous_view_in_the_public_scope_works(db):
    response = Public.as_view()(APIRequestFactory().get("/api/v1/public/anything/"))
    assert response.status_code == 200
    assert response.data == {"ok": True}


@pytest.mark.parametrize("path", ["/api/v1/public/", "/api/v1/public/projects/"])
def test_the_public_prefix_is_left_free(path, db):
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return
    assert not match.view_name.startswith("api:"), match.view_name
