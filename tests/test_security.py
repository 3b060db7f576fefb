"""Sign-in throttling, response headers, sessions, CSRF, concurrent saves."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from projects import services
from projects.models import Milestone

from .conftest import PASSWORD, TODAY, make_milestone, make_project

pytestmark = pytest.mark.django_db


class TestSignIn:
    def test_repeated_failures_lock_the_user_out_with_a_message(self, client, editor_a, throttled):
        for _ in range(3):
            client.post(reverse("login"), {"username": "editor-a", "password": "wrong-password"})
        response = client.post(reverse("login"), {"username": "editor-a", "password": PASSWORD})
        assert response.status_code == 429
        assert "登录已暂时锁定" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_every_attempt_is_recorded(self, client, editor_a, throttled):
        from axes.models import AccessAttempt, AccessLog

        client.post(reverse("login"), {"username": "editor-a", "password": "wrong-password"})
        client.post(reverse("login"), {"username": "editor-a", "password": PASSWORD})
        assert (
            AccessAttempt.objects.filter(username="editor-a").exists() or AccessLog.objects.exists()
        )
        assert AccessLog.objects.filter(username="editor-a").exists()

    def test_a_success_before_the_limit_resets_the_count(self, client, editor_a, throttled):
        for _ in range(2):
            client.post(reverse("login"), {"username": "editor-a", "password": "wrong-password"})
        assert (
            client.post(
                reverse("login"), {"username": "editor-a", "password": PASSWORD}
            ).status_code
            == 302
        )


    @pytest.mark.parametrize(
        "older",
        [
            "pbkdf2_sha256",  # the hasher before Argon2id
            "argon2-eight-lanes",  # Django's own Argon2id settings
        ],
    )
    def test_passwords_are_stored_with_argon2id_and_older_hashes_upgraded_at_sign_in(
        self, client, editor_a, settings, older
    ):
        from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

        from liwan_projects import settings as production

        settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
        if older == "pbkdf2_sha256":
            editor_a.password = make_password(PASSWORD, hasher=older)
        else:
            hasher = Argon2PasswordHasher()
            editor_a.password = hasher.encode(PASSWORD, hasher.salt())
            assert ",p=8$" in editor_a.password
        editor_a.save()
        response = client.post(reverse("login"), {"username": "editor-a", "password": PASSWORD})
        assert response.status_code == 302 and "_auth_user_id" in client.session
        editor_a.refresh_from_db()
        # 100 MB, two passes, one lane: one core per sign-in.
        assert editor_a.password.startswith("argon2$argon2id$v=19$m=102400,t=2,p=1$")


class TestHeaders:
    def test_security_headers_on_every_page(self, client, manager):
        client.force_login(manager)
        response = client.get("/")
        policy = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"

    @pytest.mark.parametrize("signed_in", [True, False])
    def test_the_content_security_policy_has_every_directive(self, client, manager, signed_in):
        if signed_in:
            client.force_login(manager)
        for path in ["/", reverse("login"), "/no-such-page/"]:
            response = client.get(path)
            policy = response["Content-Security-Policy"]
            directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
            assert directives == {
                "default-src": "'self'",
                "script-src": "'self'",
                "style-src": "'self' 'unsafe-inline'",
                "img-src": "'self' data:",
                "object-src": "'none'",
                "base-uri": "'self'",
                "form-action": "'self'",
                "frame-ancestors": "'none'",
            }, path

    def test_no_inline_scripts_in_our_templates(self):
        from django.conf import settings

        for path in (settings.BASE_DIR / "templates").rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            assert "<script>" not in text and " onclick=" not in text, path


class TestSessions:
    def test_a_session_is_renewed_while_in_use_and_lapses_when_not(self, client, manager, settings):
        import time_machine

        start = datetime.datetime(2026, 6, 15, 1, 0, tzinfo=datetime.UTC)
        with time_machine.travel(start, tick=False):
            client.force_login(manager)
            client.get("/")
        with time_machine.travel(start + datetime.timedelta(minutes=90), tick=False):
            assert client.get("/").status_code == 200  # renewed: another two hours from now
        with time_machine.travel(start + datetime.timedelta(minutes=200), tick=False):
            assert client.get("/").status_code == 200
        with time_machine.travel(start + datetime.timedelta(minutes=200 + 121), tick=False):
            response = client.get("/")
            assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


class TestCsrf:
    def test_a_write_without_the_token_is_refused(self, frozen_today, editor_a, department_a):
        project = make_project(lead_department=department_a)
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor_a)
        url = reverse("projects:report_new", args=[project.code])
        data = {
            "period": "2026-05",
            "health": "green",
            "percent_complete": 5,
            "narrative": "x",
            "version": 0,
        }
        assert client.post(url, data).status_code == 403
        assert not project.reports.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections writing at once")
def test_two_concurrent_saves_of_one_version_one_wins(frozen_today, department_a, editor_a):
    milestone = make_milestone(make_project(lead_department=department_a), TODAY)
    barrier = threading.Barrier(2)
    outcomes = []

    def save(day):
        from django.db import connections

        try:
            barrier.wait()
            fresh = Milestone.objects.get(pk=milestone.pk)
            services.milestone_reforecast(
                milestone=fresh, by=editor_a, forecast_date=day, reason="并发", version=1
            )
            outcomes.append("saved")
        except services.Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(TODAY + datetime.timedelta(days=d),)) for d in (10, 20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    milestone.refresh_from_db()
    assert milestone.version == 2
    assert milestone.history.count() == 2  # created, then the one save that won
