"""Every API route from the URL configuration, for every role, signed in by session and by
a token of that role: the status, and an unchanged database when a write is refused. A new
route under /api/ fails test_every_api_route_is_classified until it is listed here.
(/api/v1/public/ belongs to the public view, whose own tests walk it.)"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ..test_authorization import fingerprint
from .conftest import PERSONAS, client_for

pytestmark = pytest.mark.django_db

EDITORS = {"editor_a", "administrator"}  # department A owns everything in the world
WRITES = {
    "api:report_submit": EDITORS,
    "api:milestone_complete": EDITORS,
    "api:milestone_reforecast": EDITORS,
}
# Read by every signed-in user, as the pages are.
READ_ONLY = {
    "api:plans",
    "api:plan",
    "api:chapters",
    "api:chapter",
    "api:departments",
    "api:department",
    "api:projects",
    "api:project",
    "api:investment",
    "api:milestones",
    "api:overdue",
    "api:upcoming",
    "api:milestone",
    "api:reports",
    "api:report",
    "api:indicators",
    "api:indicator",
    "api:orders",
    "api:order",
    "api-schema",
    "api-docs",
}
PUBLIC_PREFIX = "api/v1/public/"


def api_routes(patterns=None, prefix="", namespace=""):
    """(name, route, converters) of every URL under api/ in the URL configuration."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not (route.startswith("api/") or "api/".startswith(route) or route == ""):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from api_routes(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and route.startswith("api/"):
            if route.startswith(PUBLIC_PREFIX):
                continue
            yield f"{namespace}{entry.name}", route, entry.pattern.converters.keys()


def test_every_api_route_is_classified():
    names = [name for name, _route, _kw in api_routes()]
    assert len(names) == len(set(names)), "every API route has a name of its own"
    assert set(names) == set(WRITES) | READ_ONLY


def url_for(name, world):
    wanted = {n: kw for n, _route, kw in api_routes()}[name]
    pk = {
        "api:report": world["report"].pk,
        "api:order": world["order"].pk,
    }.get(name, world["milestone"].pk)
    kwargs = {
        "number": world["plan"].number,
        "key": world["chapter"].key,
        "slug": world["department"].slug,
        "code": world["indicator"].code if name == "api:indicator" else world["project"].code,
        "pk": pk,
    }
    return reverse(name, kwargs={k: kwargs[k] for k in wanted})


def body_for(name, world):
    return {
        "api:report_submit": {
            "period": "2026-05",
            "health": "green",
            "percent_complete": 5,
            "narrative": "本月进展",
        },
        "api:milestone_complete": {"actual_date": "2026-06-14", "version": 1},
        "api:milestone_reforecast": {
            "forecast_date": "2026-07-01",
            "forecast_reason": "设计调整",
            "version": 1,
        },
    }.get(name, {"anything": "x"})


AUTHS = ["session", "token"]
# Every persona signed in each way; anonymous has no token, once.
WHO = [(persona, auth) for persona in PERSONAS for auth in AUTHS if persona != "anonymous"]
WHO.insert(0, ("anonymous", "none"))


@pytest.mark.parametrize(("persona", "auth"), WHO)
@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_reads_by_role(name, persona, auth, world, request):
    client = client_for(request, persona, auth)
    url = url_for(name, world)
    response = client.get(url)
    if persona == "anonymous":
        if name == "api-docs":  # a page for people: to the sign-in page
            assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == 401, (name, response.content[:200])
            assert response["WWW-Authenticate"] == "Token"
        return
    assert response.status_code == 200, (name, persona, auth, response.content[:300])
    # Nothing but GET (and HEAD, OPTIONS) here: a write is refused and changes nothing.
    before = fingerprint()
    response = client.post(url, {"anything": "x"}, format="json")
    assert response.status_code == 405, (name, persona, auth, response.status_code)
    assert fingerprint() == before


@pytest.mark.parametrize(("persona", "auth"), WHO)
@pytest.mark.parametrize("name", sorted(WRITES))
def test_writes_by_role(name, persona, auth, world, request):
    client = client_for(request, persona, auth)
    url = url_for(name, world)
    before = fingerprint()
    response = client.post(url, body_for(name, world), format="json")
    if persona in WRITES[name]:
        assert response.status_code in (200, 201), (name, persona, auth, response.content)
        assert fingerprint() != before
        return
    expected = 401 if persona == "anonymous" else 403
    assert response.status_code == expected, (name, persona, auth, response.content[:300])
    assert fingerprint() == before, (name, persona, auth)
    if persona != "anonymous":
        assert client.get(url).status_code == 405  # a write-only route


def test_a_session_write_needs_the_csrf_token(world, editor_a):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor_a)
    before = fingerprint()
    response = client.post(
        url_for("api:milestone_complete", world),
        body_for("api:milestone_complete", world),
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert fingerprint() == before
