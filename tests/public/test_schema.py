"""The public endpoints as the OpenAPI schema (drf-spectacular) documents them: each with
its summary and description, every field described, lists paginated, and every answer
the endpoints give (200, 400 for a bad filter, 404, 429) listed."""

import pytest
from django.urls import include, path
from django.utils import translation


@pytest.fixture
def schema():
    from drf_spectacular.generators import SchemaGenerator

    with translation.override("en"):
        generator = SchemaGenerator(patterns=[path("api/v1/public/", include("public.api_urls"))])
        return generator.get_schema(request=None, public=True)


def test_every_public_endpoint_is_documented(schema):
    operations = {
        (url, method): operation
        for url, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert sorted(operations) == [
        ("/api/v1/public/chapters/", "get"),
        ("/api/v1/public/indicators/", "get"),
        ("/api/v1/public/projects/", "get"),
        ("/api/v1/public/projects/{code}/", "get"),
    ]
    for (url, _method), operation in operations.items():
        assert operation["summary"] and operation["description"], url
        assert operation["security"] == [{}], url  # no sign-in
        assert {"200", "404", "429"} <= set(operation["responses"]), url
    assert "400" in operations[("/api/v1/public/projects/", "get")]["responses"]
    listed = operations[("/api/v1/public/projects/", "get")]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"]["$ref"].endswith("PaginatedProjectList")


def test_every_field_is_described(schema):
    undescribed = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        if not name.startswith("Paginated") and "properties" in component
        for field, spec in component["properties"].items()
        if not spec.get("description") and "allOf" not in spec
    ]
    assert undescribed == []
    paginated = schema["components"]["schemas"]["PaginatedProjectList"]["properties"]
    assert paginated["sample_data"]["type"] == "boolean"
