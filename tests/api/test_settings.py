"""The API's settings leave the public view's endpoints (/api/v1/public/) as they are: no
sign-in, their own throttle and pagination, before any route of the API."""

import pytest
from django.urls import resolve
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/public/projects/", "/api/v1/public/indicators/", "/api/v1/public/chapters/"]
)
def test_the_public_json_answers_strangers_under_the_apis_settings(path):
    response = APIClient().get(path)
    assert response.status_code == 200, response.content[:300]
    assert "public" in response["Cache-Control"]
    assert not resolve(path).view_name.startswith("api:")
