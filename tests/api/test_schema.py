"""The OpenAPI schema, proved by a real client: schemathesis generates requests for every
operation from the schema and sends them to the app (in process, through WSGI, signed in
with a department editor's token); no answer is a server error and every answer matches
the schema. Also: the schema speaks the request's language, and the documentation page
runs under the site's Content-Security-Policy."""

import json
import re
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import translation
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from rest_framework.test import APIClient

from .conftest import issue_token

pytestmark = pytest.mark.django_db

EXAMPLES = 20  # per operation: 25 operations in about 20 seconds


@pytest.fixture
def in_process_wsgi():
    """Requests through the WSGI handler inside the test's transaction: as Django's test
    client does, the connection is not closed at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_operation_answers_as_its_schema_says(world, editor_a, in_process_wsgi):
    headers = {"Authorization": f"Token {issue_token(editor_a)}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", in_process_wsgi, headers=headers
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    answered = Counter()
    for operation in operations:

        @given(case=operation.as_strategy(), real=st.booleans())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case, real):
            if real and case.path_parameters:  # half the time, rows that exist
                case.path_parameters = existing(case.path, world)
            response = case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )
            answered[(operation.method.upper(), response.status_code)] += 1

        check()
    # Not vacuous: rows were read, bad input refused, and writes made and refused.
    assert answered[("GET", 200)] > 100 and answered[("GET", 400)] > 0, answered
    assert answered[("POST", 400)] > 0, answered


def existing(path, world):
    """Path parameters naming rows of the world, for the operation at `path`."""
    ids = {
        "/api/v1/milestones/": world["upcoming"].pk,
        "/api/v1/reports/": world["report"].pk,
        "/api/v1/supervision-orders/": world["order"].pk,
    }
    return {
        "code": world["indicator"].code if "indicators" in path else world["project"].code,
        "id": next((pk for prefix, pk in ids.items() if path.startswith(prefix)), 0),
        "key": world["chapter"].key,
        "number": world["plan"].number,
        "slug": world["department"].slug,
    }


def test_the_schema_speaks_the_requests_language(viewer, api_client):
    api_client.force_login(viewer)
    before = translation.get_language()
    english = api_client.get("/api/schema/?format=json&lang=en").json()
    chinese = api_client.get("/api/schema/?format=json&lang=zh-hans").json()
    # A browser's Accept-Language does not count (the site follows its language switch);
    # a system's, signed in with a token, does.
    browser = api_client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert browser == chinese
    system = APIClient()
    system.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(viewer)}")
    by_header = system.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    stage = english["components"]["schemas"]["PortfolioProject"]["properties"]["stage"]
    assert "stage" in stage["description"] and "under construction" in stage["description"]
    assert chinese["components"]["schemas"]["PortfolioProject"]["properties"]["stage"] != stage
    # The models' verbose names are in the Chinese catalogue already.
    assert (
        english["components"]["schemas"]["PortfolioProject"]["properties"]["lead_department"][
            "description"
        ]
        == "lead department"
    )
    assert (
        chinese["components"]["schemas"]["PortfolioProject"]["properties"]["lead_department"][
            "description"
        ]
        != "lead department"
    )
    assert by_header == english
    # The thread's language is as it was before the requests.
    assert translation.get_language() == before


def components_of(schema, exclude):
    """The names of the components the paths (but those under `exclude`) use, directly or
    through other components."""
    refs = re.compile(r'"#/components/schemas/([^"]+)"')
    paths = {path: ops for path, ops in schema["paths"].items() if not path.startswith(exclude)}
    found, todo = set(), set(refs.findall(json.dumps(paths)))
    while todo:
        name = todo.pop()
        found.add(name)
        todo |= set(refs.findall(json.dumps(schema["components"]["schemas"][name]))) - found
    return found


def test_every_operation_and_field_is_described(viewer, api_client):
    api_client.force_login(viewer)
    schema = api_client.get("/api/schema/?format=json&lang=en").json()
    for path, methods in schema["paths"].items():
        if path.startswith("/api/v1/public/"):
            continue  # the public view's own (tests/public/test_schema.py)
        for method, operation in methods.items():
            assert operation.get("summary") and operation.get("description"), (path, method)
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (path, method, parameter["name"])
    for name in components_of(schema, exclude="/api/v1/public/"):
        component = schema["components"]["schemas"][name]
        for field, prop in component.get("properties", {}).items():
            assert prop.get("description") or "$ref" in prop or "allOf" in prop, (name, field)


def test_the_documentation_page_runs_under_the_csp(viewer, client):
    client.force_login(viewer)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    # No inline script: each <script> loads a file from this site.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts)
    for src in re.findall(r'src="([^"]+)"', html):
        assert src.startswith("/"), src  # no CDN
    init = [src for src in re.findall(r'src="([^"]+)"', html) if "script" in src][0]
    script = client.get(init.replace("&amp;", "&"))
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    assert "/api/schema/" in script.content.decode()


def test_the_documentation_page_sends_strangers_to_sign_in(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
