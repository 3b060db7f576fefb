"""The department reporting cycle: monthly reports, review, milestone updates, lost updates."""

import datetime

import pytest
from django.urls import reverse

from projects import services
from projects.models import ProgressReport

from ..conftest import TODAY, make_milestone, make_project, make_report

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def project(frozen_today, department_a):
    return make_project(code="LW-TRA-001", name="东沙隧道", lead_department=department_a)


def report_url(project):
    return reverse("projects:report_new", args=[project.code])


REPORT = {
    "period": "2026-05",
    "health": "amber",
    "percent_complete": 45,
    "narrative": "完成主体结构施工。",
    "problems": "需协调管线迁改。",
    "next_steps": "推进盾构。",
    "investment_completed_ytd": "1.25",
    "version": 0,
}


class TestMonthlyReport:
    def test_the_lead_departments_editor_submits_the_months_report(self, client, editor_a, project):
        client.force_login(editor_a)
        form = client.get(report_url(project)).context["form"]
        assert form.initial["period"] == D(2026, 5, 1)  # last month by default
        response = client.post(report_url(project), REPORT)
        assert response.status_code == 302
        report = project.reports.get()
        assert (report.period, report.health, report.percent_complete) == (
            D(2026, 5, 1),
            "amber",
            45,
        )
        assert report.author == editor_a
        assert report.status == ProgressReport.Status.SUBMITTED
        page = client.get(project.get_absolute_url()).content.decode()
        assert "完成主体结构施工。" in page and "需协调管线迁改。" in page

    def test_a_second_report_for_the_month_edits_the_first_and_keeps_history(
        self, client, editor_a, project
    ):
        client.force_login(editor_a)
        client.post(report_url(project), REPORT)
        report = project.reports.get()
        form = client.get(report_url(project), {"period": "2026-05"}).context["form"]
        assert form.initial["version"] == report.version
        response = client.post(
            report_url(project), REPORT | {"narrative": "更正后的进展。", "version": report.version}
        )
        assert response.status_code == 302
        assert project.reports.count() == 1
        assert [h.narrative for h in project.reports.get().history.order_by("history_date")] == [
            "完成主体结构施工。",
            "更正后的进展。",
        ]

    def test_bad_input_gets_messages_and_saves_nothing(self, client, editor_a, project):
        client.force_login(editor_a)
        for bad in (
            {"percent_complete": 120},
            {"period": "2026-07"},
            {"health": "purple"},
            {"narrative": ""},
            {"investment_completed_ytd": "-1"},
            {"period": "May"},
        ):
            response = client.post(report_url(project), REPORT | bad)
            assert response.status_code == 200
            assert response.context["form"].errors, bad
        assert not project.reports.exists()

    @pytest.mark.parametrize("persona", ["editor_b", "manager", "viewer"])
    def test_others_are_refused_and_nothing_changes(self, persona, request, client, project):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(report_url(project)).status_code == 403
        assert client.post(report_url(project), REPORT).status_code == 403
        assert not project.reports.exists()

    def test_anonymous_is_sent_to_sign_in(self, client, project):
        response = client.post(report_url(project), REPORT)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert not project.reports.exists()


class TestReview:
    def test_return_fix_accept(self, client, editor_a, manager, project):
        report = make_report(project, D(2026, 5, 1), health="green")
        client.force_login(manager)
        url = reverse("projects:report_review", args=[report.pk])
        client.post(url, {"decision": "return", "comment": "", "version": report.version})
        report.refresh_from_db()
        assert report.status == "submitted"  # returning needs a comment
        client.post(
            url,
            {"decision": "return", "comment": "请补充投资完成情况。", "version": report.version},
        )
        report.refresh_from_db()
        assert (report.status, report.review_comment, report.reviewed_by) == (
            "returned",
            "请补充投资完成情况。",
            manager,
        )

        client.force_login(editor_a)
        page = client.get(project.get_absolute_url()).content.decode()
        assert "请补充投资完成情况。" in page
        client.post(report_url(project), REPORT | {"version": report.version})
        report.refresh_from_db()
        assert report.status == "submitted" and report.health == "amber"

        client.force_login(manager)
        client.post(url, {"decision": "accept", "comment": "", "version": report.version})
        report.refresh_from_db()
        assert report.status == "accepted"

    @pytest.mark.parametrize("persona", ["editor_a", "editor_b", "viewer"])
    def test_only_managers_review(self, persona, request, client, project):
        report = make_report(project, D(2026, 5, 1))
        client.force_login(request.getfixturevalue(persona))
        url = reverse("projects:report_review", args=[report.pk])
        assert (
            client.post(url, {"decision": "accept", "version": report.version}).status_code == 403
        )
        report.refresh_from_db()
        assert report.status == "submitted"

    def test_review_is_post_only(self, client, manager, project):
        report = make_report(project, D(2026, 5, 1))
        client.force_login(manager)
        assert client.get(reverse("projects:report_review", args=[report.pk])).status_code == 405


class TestMilestones:
    def test_mark_done_and_reforecast(self, client, editor_a, project):
        milestone = make_milestone(
            project,
            TODAY - datetime.timedelta(days=3),
            responsible_department=project.lead_department,
        )
        url = reverse("projects:milestone_update", args=[milestone.pk])
        client.force_login(editor_a)
        response = client.post(
            url,
            {
                "action": "reforecast",
                "forecast_date": "2026-07-01",
                "forecast_reason": "",
                "version": 1,
            },
        )
        assert response.context["forecast_form"].errors  # a reason is required
        client.post(
            url,
            {
                "action": "reforecast",
                "forecast_date": "2026-07-01",
                "forecast_reason": "管线迁改",
                "version": 1,
            },
        )
        milestone.refresh_from_db()
        assert (milestone.forecast_date, milestone.forecast_reason, milestone.planned_date) == (
            D(2026, 7, 1),
            "管线迁改",
            TODAY - datetime.timedelta(days=3),
        )
        response = client.post(
            url, {"action": "done", "actual_date": "2026-06-16", "version": milestone.version}
        )
        assert response.context["done_form"].errors  # not in the future
        client.post(
            url, {"action": "done", "actual_date": "2026-06-14", "version": milestone.version}
        )
        milestone.refresh_from_db()
        assert milestone.actual_date == D(2026, 6, 14)

    def test_the_responsible_department_may_update_a_milestone_of_anothers_project(
        self, client, editor_b, project, department_b
    ):
        milestone = make_milestone(project, TODAY, responsible_department=department_b)
        client.force_login(editor_b)
        url = reverse("projects:milestone_update", args=[milestone.pk])
        assert (
            client.post(
                url, {"action": "done", "actual_date": "2026-06-15", "version": 1}
            ).status_code
            == 302
        )

    @pytest.mark.parametrize("persona", ["editor_b", "manager", "viewer"])
    def test_others_are_refused(self, persona, request, client, project):
        milestone = make_milestone(project, TODAY, responsible_department=project.lead_department)
        client.force_login(request.getfixturevalue(persona))
        url = reverse("projects:milestone_update", args=[milestone.pk])
        assert (
            client.post(
                url, {"action": "done", "actual_date": "2026-06-15", "version": 1}
            ).status_code
            == 403
        )
        milestone.refresh_from_db()
        assert milestone.actual_date is None


class TestLostUpdates:
    def test_a_stale_save_is_refused_with_what_changed_and_theirs_stays(
        self, client, editor_a, project
    ):
        milestone = make_milestone(project, TODAY, responsible_department=project.lead_department)
        services.milestone_reforecast(
            milestone=milestone,
            by=editor_a,
            forecast_date=D(2026, 8, 1),
            reason="设计调整",
            version=1,
        )
        client.force_login(editor_a)
        url = reverse("projects:milestone_update", args=[milestone.pk])
        response = client.post(
            url,
            {
                "action": "reforecast",
                "forecast_date": "2026-09-01",
                "forecast_reason": "拆迁",
                "version": 1,
            },
        )
        assert response.status_code == 409
        changes = response.context["conflict"].changes
        assert any(str(old) == "–" and str(new) == "2026-08-01" for _label, old, new in changes)
        milestone.refresh_from_db()
        assert (milestone.forecast_date, milestone.forecast_reason) == (D(2026, 8, 1), "设计调整")

    def test_a_stale_report_is_refused(self, client, editor_a, project):
        client.force_login(editor_a)
        client.post(report_url(project), REPORT)
        report = project.reports.get()
        client.post(
            report_url(project), REPORT | {"narrative": "甲的修改", "version": report.version}
        )
        response = client.post(
            report_url(project), REPORT | {"narrative": "乙的修改", "version": report.version}
        )
        assert response.status_code == 409
        assert project.reports.get().narrative == "甲的修改"

    def test_a_new_report_when_the_month_already_has_one_is_a_conflict(self, editor_a, project):
        make_report(project, D(2026, 5, 1), narrative="先到")
        with pytest.raises(services.Conflict):
            services.report_submit(
                project=project,
                author=editor_a,
                period=D(2026, 5, 1),
                version=None,
                health="green",
                percent_complete=1,
                narrative="后到",
            )
        assert project.reports.get().narrative == "先到"


def test_the_planned_date_is_changed_by_administrators_only_and_shows_in_history(
    client, administrator, editor_a, project
):
    milestone = make_milestone(project, TODAY, responsible_department=project.lead_department)
    client.force_login(editor_a)
    client.post(
        reverse("projects:milestone_update", args=[milestone.pk]),
        {"action": "done", "planned_date": "2030-01-01", "actual_date": "2026-06-15", "version": 1},
    )
    milestone.refresh_from_db()
    assert milestone.planned_date == TODAY  # the form has no planned date to change
    client.force_login(administrator)
    url = reverse("admin:projects_milestone_change", args=[milestone.pk])
    response = client.post(
        url,
        {
            "project": project.pk,
            "title": milestone.title,
            "planned_date": "2026-09-01",
            "actual_date": "2026-06-15",
            "responsible_department": project.lead_department_id,
            "change_reason": "区政府调整计划",  # the milestone is done: a change needs a reason
        },
    )
    assert response.status_code == 302
    history = client.get(project.get_absolute_url()).context["history"]
    rebaseline = next(
        e
        for e in history
        if any(str(label) in ("planned date", "计划日期") for label, _o, _n in e.changes)
    )
    assert rebaseline.who == administrator


def test_an_object_id_smuggled_in_the_form_is_ignored(client, editor_b, project, department_b):
    own = make_project(code="LW-CUL-009", lead_department=department_b)
    client.force_login(editor_b)
    response = client.post(
        report_url(own), REPORT | {"project": project.pk, "project_id": project.pk}
    )
    assert response.status_code == 302
    assert not project.reports.exists()
    assert own.reports.count() == 1


def test_a_rebaseline_says_so_in_the_history(editor_a, project, administrator):
    milestone = make_milestone(project, TODAY, responsible_department=project.lead_department)
    milestone.planned_date = TODAY + datetime.timedelta(days=60)
    milestone._history_user = administrator
    milestone.save()
    from projects.history import REBASELINED, project_history

    entry = next(e for e in project_history(project) if e.changes)
    assert entry.action == REBASELINED


def test_a_conflict_and_the_history_show_a_change_alike(project, department_b, administrator):
    from django.utils import translation

    from projects.history import project_history

    milestone = make_milestone(project, TODAY, responsible_department=project.lead_department)
    stale = type(milestone).objects.get(pk=milestone.pk)  # a form opened at version 1
    title = milestone.title
    milestone.responsible_department, milestone.title = department_b, "移交乙部门"
    milestone.version += 1
    milestone._history_user = administrator
    milestone.save()
    with pytest.raises(services.Conflict) as conflict:
        services.claim_version(stale, 1)
    shown = [(str(label), str(old), str(new)) for label, old, new in conflict.value.changes]
    # In the model's field order, a department by its name.
    with translation.override("en"):
        assert [(str(label), old, new) for label, old, new in conflict.value.changes] == [
            ("title", title, "移交乙部门"),
            ("responsible department", "部门甲", "部门乙"),
        ]
    entry = next(e for e in project_history(project) if e.changes)
    assert [(str(label), str(old), str(new)) for label, old, new in entry.changes] == shown


def test_a_months_report_is_due_on_the_due_day_of_the_month_after(settings):
    from projects.reporting import deadline

    settings.REPORT_DUE_DAY = 10
    assert deadline(datetime.date(2026, 5, 1)) == datetime.date(2026, 6, 10)
    assert deadline(datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 10)
    settings.REPORT_DUE_DAY = 31  # never past the month's last day
    assert deadline(datetime.date(2026, 1, 1)) == datetime.date(2026, 2, 28)
