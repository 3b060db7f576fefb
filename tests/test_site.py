"""Sign-in, language, settings from the environment, production checks."""

import os
import re
import secrets
import subprocess
import sys

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .conftest import PASSWORD, make_project

CJK = re.compile(r"[\u4e00-\u9fff]")


def manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "HTTPS", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestSignIn:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, db):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next=/"

    def test_the_sign_in_page_speaks_chinese_by_default(self, client, db):
        page = client.get(reverse("login")).content.decode()
        assert '<html lang="zh-hans">' in page
        assert "登录" in page

    def test_a_browser_set_to_english_still_gets_chinese(self, client, db):
        page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
        assert '<html lang="zh-hans">' in page

    def test_english_on_request(self, client, db):
        client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
        page = client.get(reverse("login")).content.decode()
        assert '<html lang="en">' in page
        assert "Sign in" in page
        client.post(reverse("set_language"), {"language": "zh-hans", "next": "/accounts/login/"})
        assert "登录" in client.get(reverse("login")).content.decode()

    def test_a_user_signs_in_and_sees_the_start_page(self, client, viewer):
        response = client.post(
            reverse("login"), {"username": "viewer-test", "password": PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/"
        assert "viewer-test" in response.content.decode()

    def test_a_department_editor_signs_in_and_lands_on_their_to_do(self, client, editor_a):
        # (tests/supervision/test_todo.py tries every role and a `next`)
        response = client.post(
            reverse("login"), {"username": "editor-a", "password": PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("supervision:todo")
        assert "editor-a" in response.content.decode()

    def test_a_wrong_password_is_refused_with_a_message(self, client, editor_a):
        response = client.post(
            reverse("login"), {"username": "editor-a", "password": "wrong-password"}
        )
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert CJK.search(response.context["form"].non_field_errors()[0])

    def test_pages_say_when_the_database_holds_sample_data(self, client, editor_a):
        client.force_login(editor_a)
        make_project()
        assert "sample-banner" not in client.get("/").content.decode()
        make_project(is_sample=True)
        assert "sample-banner" in client.get("/").content.decode()


class TestTranslations:
    def test_every_model_field_and_choice_has_a_chinese_name(self):
        missing = []
        with translation.override("zh-hans"):
            for model in [
                *apps.get_app_config("projects").get_models(),
                *apps.get_app_config("indicators").get_models(),
            ]:
                if model.__name__.startswith("Historical"):
                    continue
                names = [model._meta.verbose_name, model._meta.verbose_name_plural]
                for field in model._meta.get_fields():
                    if (
                        hasattr(field, "verbose_name")
                        and field.model is model
                        and not field.auto_created
                    ):
                        if field.name in {
                            "password",
                            "last_login",
                            "is_superuser",
                            "username",
                            "first_name",
                            "last_name",
                            "email",
                            "is_staff",
                            "is_active",
                            "date_joined",
                            "groups",
                            "user_permissions",
                        }:
                            continue  # Django's own, translated by Django
                        names.append(field.verbose_name)
                    names += [label for _value, label in getattr(field, "choices", None) or []]
                missing += [f"{model.__name__}: {n}" for n in names if not CJK.search(str(n))]
        assert missing == []

    def test_the_english_names_are_the_source_strings(self):
        from projects.models import Project

        with translation.override("en"):
            assert str(Project._meta.verbose_name) == "project"
            assert str(Project.Stage.CONSTRUCTION.label) == "under construction"


class TestSettings:
    def test_production_settings_pass_the_deployment_checks(self):
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "DEBUG",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="projects.liwan.example",
            HTTPS="true",
        )
        assert result.returncode == 0, result.stderr + result.stdout
        assert "no issues" in result.stdout

    def test_without_debug_a_secret_key_is_required(self):
        result = manage("check", DEBUG="false", ALLOWED_HOSTS="projects.liwan.example")
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr

    def test_production_keeps_database_connections_and_checks_them_before_reuse(self):
        show = [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; d = s.DATABASES['default'];"
            " print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        ]
        production = manage(
            *show,
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="projects.liwan.example",
            HTTPS="true",
        )
        assert production.stdout.split() == ["600", "True"], production.stderr
        # The development server starts a thread per request: a connection per request.
        assert manage(*show).stdout.split() == ["0", "True"]
        assert manage(*show, DB_CONN_MAX_AGE="60").stdout.split() == ["60", "True"]

    def test_serving_in_production_needs_a_secret_key(self):
        environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
        result = subprocess.run(
            [settings.BASE_DIR / "bin" / "serve"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1
        assert "SECRET_KEY is not set" in result.stderr
        assert result.stdout == ""  # refused before setting anything up

    def test_a_bad_boolean_is_refused_loudly(self):
        result = manage("check", DEBUG="maybe")
        assert result.returncode != 0
        assert "DEBUG must be true or false" in result.stderr

    def test_database_url_chooses_the_database(self):
        show = [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'])",
        ]
        default = manage(*show).stdout.split()
        assert default == ["django.db.backends.sqlite3", str(settings.BASE_DIR / "db.sqlite3")]
        postgres = manage(
            *show, DATABASE_URL="postgres://postgres@127.0.0.1:5432/liwan"
        ).stdout.split()
        assert postgres == ["liwan_projects.postgresql", "liwan"]  # Django's, subclassed

    def test_time_zone_and_languages(self):
        assert settings.TIME_ZONE == "Asia/Shanghai"
        assert settings.LANGUAGE_CODE == "zh-hans"
        assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


def test_refusals_and_missing_pages_use_the_apps_layout(client, editor_b, department_a):
    from indicators.models import Indicator
    from tests.conftest import make_indicator

    indicator = make_indicator(responsible_department=department_a)
    client.force_login(editor_b)
    refused = client.get(reverse("indicators:value_add", args=[indicator.code]))
    assert refused.status_code == 403
    assert "无权操作" in refused.content.decode()
    missing = client.get(reverse("indicators:detail", args=["NOPE"]))
    assert missing.status_code == 404
    assert "页面不存在" in missing.content.decode()
    assert Indicator.objects.count() == 1


def test_a_server_error_gets_a_page_that_needs_no_database(client, editor_a, monkeypatch):
    from django.db import OperationalError

    def database_gone(*args, **kwargs):
        raise OperationalError("the database went away")

    client.force_login(editor_a)
    client.raise_request_exception = False
    monkeypatch.setattr("projects.views.today", database_gone)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "出错了" in page and "稍等一分钟" in page
