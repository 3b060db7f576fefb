"""API tokens: issued in the admin (the key shown once), kept hashed, revocable, expiring,
their last use recorded at most once a minute; throttled per token."""

import datetime
import hashlib

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken

pytestmark = pytest.mark.django_db


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_only_the_digest_is_kept(viewer):
    token, key = ApiToken.issue(user=viewer, name="数据共享平台")
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert key not in str(stored)
    assert stored["key_digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert stored["prefix"] == key[:8]


def test_a_token_signs_in_as_its_user_and_bearer_works_too(viewer):
    _token, key = ApiToken.issue(user=viewer, name="x")
    assert client_with(key).get("/api/v1/plans/").status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/plans/").status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token short", "Token " + "x" * 200, "Token wrongwrongwrongwrong"],
)
def test_a_bad_token_is_401(viewer, header):
    ApiToken.issue(user=viewer, name="x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/plans/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_key_with_the_right_prefix_but_wrong_secret_is_refused(viewer):
    _token, key = ApiToken.issue(user=viewer, name="x")
    assert client_with(key[:8] + "A" * (len(key) - 8)).get("/api/v1/plans/").status_code == 401


def test_a_revoked_token_is_refused(viewer):
    token, key = ApiToken.issue(user=viewer, name="x")
    token.revoke()
    response = client_with(key).get("/api/v1/plans/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"] or response.json()["detail"]


def test_an_expired_token_is_refused(viewer):
    _token, key = ApiToken.issue(
        user=viewer, name="x", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert client_with(key).get("/api/v1/plans/").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert client_with(key).get("/api/v1/plans/").status_code == 401


def test_an_inactive_users_token_is_refused(viewer):
    _token, key = ApiToken.issue(user=viewer, name="x")
    viewer.is_active = False
    viewer.save()
    assert client_with(key).get("/api/v1/plans/").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(viewer, django_assert_num_queries):
    token, key = ApiToken.issue(user=viewer, name="x")
    start = timezone.now()
    client = client_with(key)
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/plans/")
        token.refresh_from_db()
        assert token.last_used_at == start
        # Again within the minute: no write to the token. 1 the token with its user, 2-7 the
        # token's request count in the database's cache (tests/api/test_queries.py), 8 the
        # page's count (no plan: no query for the rows).
        with django_assert_num_queries(8):
            client.get("/api/v1/plans/")
    later = start + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        client.get("/api/v1/plans/")
    token.refresh_from_db()
    assert token.last_used_at == later


def test_each_token_has_its_own_allowance(viewer, monkeypatch):
    from api.throttling import TokenRateThrottle

    rates = TokenRateThrottle.THROTTLE_RATES | {"token": "3/minute"}
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", rates)
    first = client_with(ApiToken.issue(user=viewer, name="a")[1])
    second = client_with(ApiToken.issue(user=viewer, name="b")[1])
    assert [first.get("/api/v1/plans/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/plans/").status_code == 200  # same user, another token
    refused = first.get("/api/v1/plans/")
    assert refused.status_code == 429 and "Retry-After" in refused


def test_an_administrator_issues_a_token_in_the_admin_and_sees_the_key_once(
    client, administrator, viewer
):
    client.force_login(administrator)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": viewer.pk, "name": "城市项目调度系统", "expires_at_0": "", "expires_at_1": ""},
    )
    assert response.status_code == 200, response.content[:500]
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert token.matches(key) and token.created_by == administrator
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Never again: the change page shows the prefix, not the key.
    page = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert key not in page and token.prefix in page
    # Revoked from the list, not deleted.
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.is_revoked
    assert client_with(key).get("/api/v1/plans/").status_code == 401


def test_others_cannot_reach_the_tokens_in_the_admin(client, manager):
    client.force_login(manager)
    assert client.get("/admin/api/apitoken/").status_code in (302, 403)
    assert AnonymousUser().is_authenticated is False
