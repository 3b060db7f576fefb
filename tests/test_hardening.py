"""What an attacker tried (issue: hardening), each refused: sign-in lockouts that lock out
others, privilege escalation in the user admin, done milestones rewritten, dates and numbers
out of range, tampered versions, pages kept in shared caches."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from indicators.models import IndicatorValue
from projects import services
from projects.models import Milestone, ProgressReport, User
from projects.roles import Role
from projects.security import client_ip

from .conftest import (
    PASSWORD,
    TODAY,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
    make_user,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def throttled(throttled):
    """Sign-in throttling on (conftest), at its default of five failures."""
    throttled.AXES_FAILURE_LIMIT = 5
    return throttled


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


class TestSignInThrottling:
    def test_failures_for_other_names_never_lock_a_user_out(self, client, viewer, throttled):
        for n in range(5):
            sign_in(client, f"someone-{n}", "wrong-password")
        assert sign_in(client, "viewer-test", PASSWORD).status_code == 302

    def test_one_users_successes_do_not_reset_anothers_failures(
        self, client, viewer, manager, throttled
    ):
        for _ in range(16):
            sign_in(client, "viewer-test", "wrong-password")
            assert sign_in(client, "manager-test", PASSWORD).status_code == 302
            client.logout()
        response = sign_in(client, "viewer-test", PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_a_users_own_success_resets_only_their_failures(
        self, client, viewer, manager, throttled
    ):
        for _ in range(4):
            sign_in(client, "viewer-test", "wrong-password")
            sign_in(client, "manager-test", "wrong-password")
        assert sign_in(client, "viewer-test", PASSWORD).status_code == 302
        client.logout()
        sign_in(client, "manager-test", "wrong-password")  # the fifth
        assert sign_in(client, "manager-test", PASSWORD).status_code == 429


class TestClientAddress:
    def request(self, forwarded=None):
        extra = {"REMOTE_ADDR": "127.0.0.1"}
        if forwarded:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **extra)

    def test_without_a_trusted_proxy_the_header_is_ignored(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_ip(self.request("203.0.113.9")) == "127.0.0.1"

    def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_wrote(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        assert client_ip(self.request("203.0.113.9")) == "203.0.113.9"
        assert client_ip(self.request("10.9.9.9, 203.0.113.9")) == "203.0.113.9"
        assert client_ip(self.request()) == "127.0.0.1"


def test_signed_in_pages_and_exports_are_not_kept_in_caches(client, manager):
    client.force_login(manager)
    for url in ["/", reverse("projects:portfolio"), reverse("projects:portfolio") + "?_export=csv"]:
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url


class TestNoPrivilegeEscalation:
    @pytest.fixture
    def office_admin(self, db):
        return make_user(Role.ADMINISTRATOR, username="office-admin")

    def change(self, client, user, **fields):
        data = {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "groups": [g.pk for g in user.groups.all()],
        } | fields
        return client.post(reverse("admin:projects_user_change", args=[user.pk]), data)

    def test_an_administrator_cannot_make_anyone_superuser_or_staff(
        self, client, office_admin, viewer
    ):
        client.force_login(office_admin)
        response = self.change(client, viewer, is_superuser="on", is_staff="on", first_name="甲")
        assert response.status_code == 302
        viewer.refresh_from_db()
        assert viewer.first_name == "甲"  # the change went through, the rights did not
        assert (viewer.is_superuser, viewer.is_staff) == (False, False)

    def test_an_administrator_cannot_grant_the_administrator_role(
        self, client, office_admin, viewer
    ):
        client.force_login(office_admin)
        admin_role = Group.objects.get(name=Role.ADMINISTRATOR.value)
        response = self.change(client, viewer, groups=[admin_role.pk])
        assert response.status_code == 200  # not a choice
        assert not viewer.groups.filter(pk=admin_role.pk).exists()

    def test_an_administrator_may_give_a_lesser_role(self, client, office_admin, viewer):
        client.force_login(office_admin)
        editor_role = Group.objects.get(name=Role.EDITOR.value)
        self.change(client, viewer, groups=[editor_role.pk])
        assert viewer.groups.filter(pk=editor_role.pk).exists()

    def test_an_administrator_cannot_change_their_own_account_or_a_superusers(
        self, client, office_admin
    ):
        boss = User.objects.create_superuser("boss", password=PASSWORD)
        client.force_login(office_admin)
        assert self.change(client, office_admin, is_superuser="on").status_code == 403
        assert self.change(client, boss, is_active="").status_code == 403
        url = reverse("admin:projects_user_delete", args=[boss.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        office_admin.refresh_from_db()
        boss.refresh_from_db()
        assert not office_admin.is_superuser and boss.is_active

    def test_a_superuser_can(self, client, viewer):
        boss = User.objects.create_superuser("boss", password=PASSWORD)
        client.force_login(boss)
        self.change(client, viewer, is_staff="on")
        viewer.refresh_from_db()
        assert viewer.is_staff


class TestDoneMilestones:
    @pytest.fixture
    def done(self, frozen_today, department_a):
        project = make_project(lead_department=department_a, start_date=D(2022, 3, 1))
        return make_milestone(
            project,
            D(2026, 5, 1),
            actual_date=D(2026, 5, 3),
            responsible_department=department_a,
        )

    def test_a_department_cannot_change_a_done_milestone(self, done, editor_a, client):
        milestone = Milestone.objects.select_related("project").get(pk=done.pk)
        with pytest.raises(ValidationError) as error:
            services.milestone_complete(
                milestone=milestone, by=editor_a, on=D(2020, 1, 1), version=1
            )
        assert list(error.value.message_dict) == ["actual_date"]
        client.force_login(editor_a)
        url = reverse("projects:milestone_update", args=[done.pk])
        assert "只有管理员可以修改" in client.get(url).content.decode()
        client.post(
            url,
            {
                "action": "reforecast",
                "version": 1,
                "forecast_date": "2026-09-01",
                "forecast_reason": "x",
            },
        )
        done.refresh_from_db()
        assert (done.actual_date, done.forecast_date, done.version) == (D(2026, 5, 3), None, 1)

    def test_an_administrator_changes_it_with_a_reason_the_history_keeps(
        self, done, administrator, client
    ):
        client.force_login(administrator)
        url = reverse("admin:projects_milestone_change", args=[done.pk])
        data = {
            "project": done.project_id,
            "title": done.title,
            "planned_date": "2026-05-01",
            "actual_date": "2026-05-04",
            "forecast_reason": "",
            "responsible_department": done.responsible_department_id,
        }
        response = client.post(url, data)
        assert response.status_code == 200  # no reason given
        assert "请说明修改已完成节点的原因" in response.content.decode()
        response = client.post(url, data | {"change_reason": "验收文件日期更正"})
        assert response.status_code == 302
        done.refresh_from_db()
        assert done.actual_date == D(2026, 5, 4)
        assert done.history.first().history_change_reason == "验收文件日期更正"


class TestRanges:
    @pytest.fixture
    def project(self, frozen_today, department_a):
        return make_project(lead_department=department_a, start_date=D(2022, 3, 1))

    @pytest.mark.parametrize(
        "fields, field",
        [
            ({"actual_date": D(2021, 12, 31)}, "actual_date"),
            ({"forecast_date": D(2101, 1, 1), "forecast_reason": "x"}, "forecast_date"),
            ({"actual_date": D(1, 1, 1)}, "actual_date"),
        ],
    )
    def test_milestone_dates_stay_between_the_projects_start_year_and_2100(
        self, project, fields, field
    ):
        milestone = Milestone(project=project, title="节点", planned_date=D(2026, 1, 1), **fields)
        with pytest.raises(ValidationError) as error:
            milestone.full_clean()
        assert field in error.value.message_dict

    def test_without_a_start_the_first_plans_first_year_counts(self, frozen_today, department_a):
        make_plan(start_year=2021)
        project = make_project(lead_department=department_a)
        Milestone(
            project=project, title="a", planned_date=TODAY, actual_date=D(2021, 1, 1)
        ).full_clean()
        with pytest.raises(ValidationError):
            Milestone(
                project=project, title="b", planned_date=TODAY, actual_date=D(2020, 12, 31)
            ).full_clean()

    @pytest.mark.parametrize("period", [D(1900, 1, 1), D(2021, 12, 1), D(2026, 7, 1)])
    def test_report_months_within_the_projects_years_and_not_in_the_future(
        self, project, editor_a, period
    ):
        with pytest.raises(ValidationError) as error:
            services.report_submit(
                project=project,
                author=editor_a,
                period=period,
                health="green",
                percent_complete=1,
                narrative="x",
            )
        assert "period" in error.value.message_dict
        assert not ProgressReport.objects.exists()

    def test_a_count_cannot_be_negative_but_a_growth_rate_can(self, frozen_today):
        plan = make_plan()
        jobs = make_indicator(plan=plan, unit="人")
        with pytest.raises(ValidationError) as error:
            IndicatorValue(indicator=jobs, year=2023, value=-5, note="x").full_clean()
        assert "value" in error.value.message_dict
        growth = make_indicator(plan=plan, unit="%", target_kind="growth")
        IndicatorValue(indicator=growth, year=2023, value=Decimal("-1.5"), note="x").full_clean()

    def test_texts_have_a_maximum_length_with_a_message(self, project, editor_a, settings):
        with pytest.raises(ValidationError) as error:
            services.report_submit(
                project=project,
                author=editor_a,
                period=D(2026, 5, 1),
                health="green",
                percent_complete=1,
                narrative="进" * (settings.TEXT_MAX_CHARS + 1),
            )
        assert "narrative" in error.value.message_dict
        assert "5000" in str(error.value) or str(settings.TEXT_MAX_CHARS) in str(error.value)


def test_a_tampered_version_gets_a_message_and_saves_nothing(
    frozen_today, department_a, editor_a, client
):
    project = make_project(lead_department=department_a, stage="construction")
    client.force_login(editor_a)
    url = reverse("projects:report_new", args=[project.code])
    data = {
        "period": "2026-05",
        "health": "green",
        "percent_complete": "10",
        "narrative": "x",
        "version": "not-a-number",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "此表单已在页面之外被改动" in response.content.decode()
    assert not ProgressReport.objects.exists()
