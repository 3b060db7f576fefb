"""Supervision orders (督办单) from issue to close-out, and the coordination problems they
are made from: what each role may do, what is saved, what is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import CoordinationProblem, Milestone
from supervision.models import OrderStep, SupervisionOrder
from supervision.services import order_issue

from ..conftest import TODAY, make_department, make_milestone, make_project, make_report

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def project(frozen_today, department_a):
    return make_project(code="LW-TRA-001", lead_department=department_a, stage="construction")


@pytest.fixture
def late(project, department_a):
    return make_milestone(
        project, TODAY - 40 * DAY, title="主体结构封顶", responsible_department=department_a
    )


def issue(milestone=None, project=None, department=None, **fields):
    defaults = {
        "request": "请说明原因并提出新的完成日期",
        "level": "routine",
        "reply_due": TODAY + 7 * DAY,
    }
    return order_issue(
        by=None,
        project=project or milestone.project,
        milestone=milestone,
        department=department or milestone.responsible_department,
        **(defaults | fields),
    )


def snapshot():
    return (
        sorted(
            SupervisionOrder.objects.values_list(
                "pk", "state", "version", "reply_due", "urge_count"
            )
        ),
        OrderStep.objects.count(),
        sorted(Milestone.objects.values_list("pk", "forecast_date", "version")),
        sorted(CoordinationProblem.objects.values_list("pk", "status")),
    )


class TestIssuing:
    def test_a_manager_issues_an_order_from_an_overdue_milestone(
        self, client, manager, late, department_a, department_b
    ):
        client.force_login(manager)
        url = reverse("supervision:new") + f"?milestone={late.pk}"
        page = client.get(url)
        assert page.status_code == 200
        form = page.context["form"]
        # Proposed: the responsible department, a week to reply, the request in words.
        assert form.initial["department"] == department_a.pk
        assert form.initial["reply_due"] == TODAY + 7 * DAY
        assert "主体结构封顶" in form.initial["request"] and "40" in form.initial["request"]
        response = client.post(
            url,
            {
                "department": department_a.pk,
                "copied_to": [department_b.pk],
                "level": "key",
                "reply_due": "2026-06-22",
                "request": "请于一周内说明原因",
            },
        )
        order = SupervisionOrder.objects.get()
        assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
        assert (order.milestone, order.department, order.level, order.state) == (
            late,
            department_a,
            "key",
            "open",
        )
        assert list(order.copied_to.all()) == [department_b]
        step = order.steps.get()
        assert (step.kind, step.by, step.reply_due) == (
            "issued",
            manager,
            datetime.date(2026, 6, 22),
        )
        page = client.get(order.get_absolute_url())
        assert "请于一周内说明原因" in page.content.decode()

    @pytest.mark.parametrize(
        "change, field, message",
        [
            ({"reply_due": "2026-06-14"}, "reply_due", "A reply deadline is a date still to come."),
            (
                {"reply_due": "9999-01-01"},
                "reply_due",
                "Enter a date from 2000-01-01 to 2100-12-31.",
            ),
            ({"reply_due": ""}, "reply_due", "Give the date a reply is due."),
            ({"request": "  "}, "request", "Say what the department must do."),
            ({"request": "bad\x0bchar"}, "request", "Remove the control character U+000B"),
            ({"department": ""}, "department", "Choose the department the order is addressed to."),
        ],
    )
    def test_bad_input_is_refused_and_nothing_is_saved(
        self, client, manager, late, department_a, change, field, message, settings
    ):
        settings.LANGUAGE_CODE = "en"
        client.force_login(manager)
        data = {
            "department": department_a.pk,
            "level": "routine",
            "reply_due": "2026-06-22",
            "request": "请说明",
        }
        response = client.post(
            reverse("supervision:new") + f"?milestone={late.pk}",
            data | change,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors.get(field, []))
        assert message in errors
        assert not SupervisionOrder.objects.exists() and not OrderStep.objects.exists()

    @pytest.mark.parametrize(
        "query", ["?milestone=abc", "?milestone=99999", "?problem=1", "?project=LW-XXX-999"]
    )
    def test_an_order_about_nothing_is_not_found(self, client, manager, query, project):
        client.force_login(manager)
        assert client.get(reverse("supervision:new") + query).status_code == 404

    def test_without_a_subject_it_goes_to_the_list(self, client, manager, project):
        client.force_login(manager)
        response = client.get(reverse("supervision:new"))
        assert response.status_code == 302 and response["Location"] == reverse("supervision:list")

    def test_a_milestone_of_another_project_is_refused(self, late, department_a):
        other = make_project(lead_department=department_a)
        with pytest.raises(ValidationError) as refused:
            issue(milestone=late, project=other)
        assert list(refused.value.message_dict) == ["milestone"]
        assert not SupervisionOrder.objects.exists()

    @pytest.mark.parametrize("persona", ["editor_a", "editor_b", "viewer"])
    def test_only_managers_issue(self, client, request, persona, late, department_a):
        client.force_login(request.getfixturevalue(persona))
        url = reverse("supervision:new") + f"?milestone={late.pk}"
        assert client.get(url).status_code == 403
        data = {
            "department": department_a.pk,
            "level": "routine",
            "reply_due": "2026-06-22",
            "request": "x",
        }
        assert client.post(url, data).status_code == 403
        assert not SupervisionOrder.objects.exists()

    def test_the_overdue_board_offers_managers_an_order_per_row(
        self, client, manager, editor_a, late
    ):
        client.force_login(manager)
        link = reverse("supervision:new") + f"?milestone={late.pk}"
        assert link in client.get(reverse("projects:overdue")).content.decode()
        client.force_login(editor_a)
        assert link not in client.get(reverse("projects:overdue")).content.decode()


class TestReplying:
    def test_the_addressed_department_replies_with_a_new_forecast(self, client, editor_a, late):
        order = issue(late)
        client.force_login(editor_a)
        page = client.get(order.get_absolute_url())
        assert 'name="forecast_date"' in page.content.decode()
        response = client.post(
            reverse("supervision:reply", args=[order.pk]),
            {
                "text": "已增加施工班组，预计月底封顶",
                "forecast_date": "2026-06-30",
                "version": order.version,
            },
        )
        assert response.status_code == 302
        order.refresh_from_db()
        late.refresh_from_db()
        assert order.state == "replied" and order.replied_at
        # The forecast went through the milestone's rules, with the reply as its reason.
        assert late.forecast_date == datetime.date(2026, 6, 30)
        assert late.forecast_reason == "已增加施工班组，预计月底封顶"
        step = order.steps.get(kind="replied")
        assert (
            step.by == editor_a
            and step.on_time is True
            and step.forecast_date == late.forecast_date
        )

    def test_a_forecast_in_the_past_is_refused_by_the_milestone_rule(self, client, editor_a, late):
        order = issue(late)
        client.force_login(editor_a)
        before = snapshot()
        response = client.post(
            reverse("supervision:reply", args=[order.pk]),
            {"text": "已协调", "forecast_date": "2026-06-01", "version": order.version},
        )
        assert response.status_code == 400
        assert response.context["reply_form"].errors["forecast_date"]
        assert snapshot() == before

    def test_a_reply_after_the_deadline_is_late(self, client, editor_a, late, time_machine):
        order = issue(late)
        time_machine.move_to(datetime.datetime(2026, 6, 25, 4, 0, tzinfo=datetime.UTC))
        assert order.days_reply_overdue(on=datetime.date(2026, 6, 25)) == 3
        client.force_login(editor_a)
        client.post(
            reverse("supervision:reply", args=[order.pk]),
            {"text": "迟复", "version": order.version},
        )
        assert order.steps.get(kind="replied").on_time is False

    @pytest.mark.parametrize("persona", ["editor_b", "viewer", "manager"])
    def test_only_the_addressed_department_replies(
        self, client, request, persona, late, department_b
    ):
        order = issue(late, copied_to=[department_b])
        client.force_login(request.getfixturevalue(persona))
        before = snapshot()
        response = client.post(
            reverse("supervision:reply", args=[order.pk]), {"text": "x", "version": order.version}
        )
        assert response.status_code == 403
        assert snapshot() == before
        assert (
            'action="%s"' % reverse("supervision:reply", args=[order.pk])
            not in client.get(order.get_absolute_url()).content.decode()
        )

    def test_a_helping_department_cannot_move_anothers_milestone(
        self, client, editor_b, late, department_b
    ):
        """An order about department A's milestone addressed to department B (whose help
        it needs): B replies, but a forecast forged into its reply is refused."""
        order = issue(late, department=department_b)
        client.force_login(editor_b)
        assert 'name="forecast_date"' not in client.get(order.get_absolute_url()).content.decode()
        before = snapshot()
        response = client.post(
            reverse("supervision:reply", args=[order.pk]),
            {"text": "已协助", "forecast_date": "2026-07-30", "version": order.version},
        )
        assert response.status_code == 400
        assert response.context["reply_form"].errors["forecast_date"]
        assert snapshot() == before

    def test_an_empty_reply_is_refused(self, client, editor_a, late):
        order = issue(late)
        client.force_login(editor_a)
        before = snapshot()
        response = client.post(
            reverse("supervision:reply", args=[order.pk]), {"text": " ", "version": order.version}
        )
        assert response.status_code == 400 and response.context["reply_form"].errors["text"]
        assert snapshot() == before

    def test_a_stale_page_is_refused_with_the_order_as_it_is_now(
        self, client, editor_a, manager, late
    ):
        order = issue(late)
        version = order.version
        client.force_login(manager)
        client.post(
            reverse("supervision:urge", args=[order.pk]),
            {"reply_due": "2026-06-20", "version": version},
        )
        client.force_login(editor_a)
        before = snapshot()
        response = client.post(
            reverse("supervision:reply", args=[order.pk]), {"text": "已办", "version": version}
        )
        assert response.status_code == 409
        assert response.context["order"].urge_count == 1
        assert response.context["reply_form"].initial["version"] == version + 1
        assert snapshot() == before


class TestUrgingAndClosing:
    def test_a_manager_urges_with_a_new_deadline_and_the_count_is_kept(
        self, client, manager, editor_a, late
    ):
        order = issue(late)
        client.force_login(editor_a)
        client.post(
            reverse("supervision:reply", args=[order.pk]),
            {"text": "正在协调", "version": order.version},
        )
        client.force_login(manager)
        order.refresh_from_db()
        response = client.post(
            reverse("supervision:urge", args=[order.pk]),
            {"reply_due": "2026-06-25", "text": "请给出明确日期", "version": order.version},
        )
        assert response.status_code == 302
        order.refresh_from_db()
        assert (order.state, order.urge_count, order.reply_due) == (
            "open",
            1,
            datetime.date(2026, 6, 25),
        )
        assert [s.kind for s in order.steps.all()] == ["issued", "replied", "urged"]

    def test_a_deadline_in_the_past_is_refused(self, client, manager, late):
        order = issue(late)
        client.force_login(manager)
        before = snapshot()
        response = client.post(
            reverse("supervision:urge", args=[order.pk]),
            {"reply_due": "2026-06-01", "version": order.version},
        )
        assert response.status_code == 400 and response.context["urge_form"].errors["reply_due"]
        assert snapshot() == before

    def test_closing_resolves_the_problem_it_was_made_from_and_ends_the_order(
        self, client, manager, editor_a, project, department_b
    ):
        report = make_report(project, datetime.date(2026, 5, 1))
        problem = CoordinationProblem.objects.create(
            report=report,
            description="管线迁改需供电局配合",
            help_department=department_b,
            urgency="urgent",
        )
        client.force_login(manager)
        page = client.get(reverse("supervision:new") + f"?problem={problem.pk}")
        assert page.context["form"].initial["department"] == department_b.pk
        assert page.context["form"].initial["level"] == "key"
        client.post(
            reverse("supervision:new") + f"?problem={problem.pk}",
            {
                "department": department_b.pk,
                "level": "key",
                "reply_due": "2026-06-20",
                "request": "请协助迁改",
            },
        )
        order = SupervisionOrder.objects.get()
        problem.refresh_from_db()
        assert problem.status == "supervised" and order.problem == problem
        response = client.post(
            reverse("supervision:close", args=[order.pk]),
            {"text": "已完成迁改", "version": order.version},
        )
        assert response.status_code == 302
        order.refresh_from_db()
        problem.refresh_from_db()
        assert order.state == "closed" and order.closed_at
        assert (problem.status, problem.resolution, problem.resolved_by) == (
            "resolved",
            "已完成迁改",
            manager,
        )
        # Closed is final: no reply, urge or second close.
        client.force_login(manager)
        before = snapshot()
        response = client.post(
            reverse("supervision:urge", args=[order.pk]),
            {"reply_due": "2026-06-30", "version": order.version},
        )
        assert response.status_code == 400
        assert snapshot() == before
        # The resolved problem stays on the project page.
        page = client.get(project.get_absolute_url()).content.decode()
        assert "管线迁改需供电局配合" in page and "已完成迁改" in page

    def test_closing_needs_a_note(self, client, manager, late):
        order = issue(late)
        client.force_login(manager)
        before = snapshot()
        response = client.post(
            reverse("supervision:close", args=[order.pk]), {"text": "", "version": order.version}
        )
        assert response.status_code == 400
        assert snapshot() == before


class TestLists:
    def test_the_list_filters_by_department_state_level_and_overdue(
        self, client, manager, late, project, department_b, time_machine
    ):
        first = issue(late, level="leader")
        other = make_milestone(project, TODAY - 3 * DAY, responsible_department=department_b)
        second = issue(other, reply_due=TODAY + 2 * DAY)
        time_machine.move_to(datetime.datetime(2026, 6, 20, 4, 0, tzinfo=datetime.UTC))
        client.force_login(manager)

        def shown(query):
            page = client.get(reverse("supervision:list") + query)
            return {row.record.pk for row in page.context["table"].page.object_list}

        assert shown("") == {first.pk, second.pk}
        assert shown(f"?department={department_b.pk}") == {second.pk}
        assert shown("?level=leader") == {first.pk}
        assert shown("?overdue=yes") == {second.pk}
        assert shown("?overdue=no") == {first.pk}
        assert shown("?state=closed") == set()
        assert shown("?state=bogus") == {first.pk, second.pk}

    def test_the_list_costs_the_same_queries_for_few_or_many_orders(
        self, client, manager, project, department_a, query_budget
    ):
        client.force_login(manager)
        for n in range(3):
            issue(project=project, department=department_a, request=f"事项{n}")
        client.get(reverse("supervision:list"))
        # 1 session, 2 user, 3 the user's roles, 4 sample-data check, 5 count, 6 the page
        # of orders with project, milestone, department and issuer, 7 the department filter's
        # options, 8 the top bar's to-do counts.
        with query_budget(8):
            client.get(reverse("supervision:list"))
        for n in range(30):
            issue(project=project, department=department_a, request=f"更多{n}")
        with query_budget(8):
            client.get(reverse("supervision:list"))

    def test_the_list_exports_every_filtered_row(self, client, manager, late):
        issue(late, request='=HYPERLINK("x")')
        client.force_login(manager)
        response = client.get(reverse("supervision:list") + "?_export=csv")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "LW-TRA-001" in body and "主体结构封顶" in body
        assert "'=HYPERLINK" in body  # a formula is written as text

    def test_the_project_page_lists_its_orders(self, client, viewer, late):
        order = issue(late)
        client.force_login(viewer)
        page = client.get(late.project.get_absolute_url()).content.decode()
        assert order.get_absolute_url() in page


class TestCoordinationProblems:
    def test_a_report_raises_problems_with_whose_help_and_how_urgent(
        self, client, editor_a, project, department_b
    ):
        client.force_login(editor_a)
        data = {
            "period": "2026-05",
            "health": "amber",
            "percent_complete": 30,
            "narrative": "主体施工",
            "version": 0,
            "problems-TOTAL_FORMS": 3,
            "problems-INITIAL_FORMS": 0,
            "problems-0-description": "用地手续待市规划部门批复",
            "problems-0-help_department": department_b.pk,
            "problems-0-urgency": "critical",
            "problems-1-description": "",
            "problems-1-urgency": "normal",
            "problems-2-description": "",
            "problems-2-urgency": "normal",
        }
        response = client.post(reverse("projects:report_new", args=[project.code]), data)
        assert response.status_code == 302
        problem = CoordinationProblem.objects.get()
        assert (problem.description, problem.help_department, problem.urgency, problem.status) == (
            "用地手续待市规划部门批复",
            department_b,
            "critical",
            "new",
        )
        assert problem.report.period == datetime.date(2026, 5, 1) and problem.raised_by == editor_a

    def test_each_problem_row_lists_every_department_read_once(
        self, client, editor_a, project, department_b
    ):
        import re

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(editor_a)
        with CaptureQueriesContext(connection) as context:
            page = client.get(reverse("projects:report_new", args=[project.code])).content
        page = page.decode()
        for row in range(3):
            select = page.split(f'name="problems-{row}-help_department"')[1].split("</select>")[0]
            assert f'<option value="{department_b.pk}">{department_b}</option>' in select
        read = [q["sql"] for q in context.captured_queries if 'FROM "projects_department"' in q["sql"]]
        assert len([sql for sql in read if re.search(r'"projects_department" ORDER BY', sql)]) == 1
        assert not [sql for sql in read if "COUNT" in sql]

    def test_a_problem_row_without_its_description_refuses_the_whole_report(
        self, client, editor_a, project, department_b
    ):
        client.force_login(editor_a)
        data = {
            "period": "2026-05",
            "health": "amber",
            "percent_complete": 30,
            "narrative": "主体施工",
            "version": 0,
            "problems-TOTAL_FORMS": 3,
            "problems-INITIAL_FORMS": 0,
            "problems-0-description": "",
            "problems-0-urgency": "normal",
            "problems-1-description": "",
            "problems-1-help_department": department_b.pk,
            "problems-1-urgency": "urgent",
            "problems-2-description": "",
            "problems-2-urgency": "normal",
        }
        response = client.post(reverse("projects:report_new", args=[project.code]), data)
        assert response.status_code == 200
        assert response.context["problems"].forms[1].errors["description"]
        assert not project.reports.exists() and not CoordinationProblem.objects.exists()

    def test_the_problem_list_and_resolving_without_an_order(
        self, client, manager, editor_a, project, department_b
    ):
        report = make_report(project, datetime.date(2026, 5, 1))
        problem = CoordinationProblem.objects.create(
            report=report, description="资金拨付滞后", help_department=department_b
        )
        client.force_login(manager)
        page = client.get(reverse("supervision:problems") + "?status=new")
        assert "资金拨付滞后" in page.content.decode()
        assert reverse("supervision:new") + f"?problem={problem.pk}" in page.content.decode()
        client.force_login(editor_a)
        assert (
            client.post(
                reverse("supervision:problem_resolve", args=[problem.pk]), {"resolution": "x"}
            ).status_code
            == 403
        )
        client.force_login(manager)
        client.post(reverse("supervision:problem_resolve", args=[problem.pk]), {"resolution": ""})
        problem.refresh_from_db()
        assert problem.status == "new"
        client.post(
            reverse("supervision:problem_resolve", args=[problem.pk]), {"resolution": "财政已拨付"}
        )
        problem.refresh_from_db()
        assert (problem.status, problem.resolution) == ("resolved", "财政已拨付")

    def test_the_problem_list_costs_the_same_queries_for_few_or_many(
        self, client, manager, project, query_budget
    ):
        report = make_report(project, datetime.date(2026, 5, 1))
        department = make_department()
        client.force_login(manager)
        for n in range(3):
            CoordinationProblem.objects.create(
                report=report, description=f"问题{n}", help_department=department
            )
        client.get(reverse("supervision:problems"))
        # 1 session, 2 user, 3 roles, 4 sample-data check, 5 count, 6 the page of problems
        # with report, project, departments and users, 7 their orders, 8-9 the two
        # department filters' options, 10 the top bar's to-do counts.
        with query_budget(10):
            client.get(reverse("supervision:problems"))
        for n in range(30):
            CoordinationProblem.objects.create(report=report, description=f"更多{n}")
        with query_budget(10):
            client.get(reverse("supervision:problems"))
