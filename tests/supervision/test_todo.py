"""The to-do (/todo/): what waits on each role, each item linking to its action; its strip
on the dashboard; the top bar's count; where an editor lands after signing in."""

import datetime

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from projects.models import CoordinationProblem, ProgressReport
from supervision.models import SupervisionOrder

from ..conftest import PASSWORD, TODAY, make_approval, make_milestone, make_project, make_report

pytestmark = pytest.mark.django_db

DAYS = datetime.timedelta
TODO = "/todo/"


def make_order(project, department, reply_due, **fields):
    """An order as it stands after its steps (the services are tested on their own)."""
    defaults = {"request": "请说明进展并提出措施", "level": SupervisionOrder.Level.ROUTINE}
    return SupervisionOrder.objects.create(
        project=project, department=department, reply_due=reply_due, **(defaults | fields)
    )


def make_problem(project, status=CoordinationProblem.Status.NEW, **fields):
    """A problem raised with the project's March report (which awaits review)."""
    report = make_report(project, datetime.date(2026, 3, 1))
    fields.setdefault("description", "征地需区规划分局协调")
    return CoordinationProblem.objects.create(report=report, status=status, **fields)


def groups(response):
    return {group.key: group for group in response.context["groups"]}


def hrefs(group):
    return [row.url for row in group.rows]


@pytest.fixture
def world(frozen_today, department_a, department_b):
    """Department A's work: a project without its May report, one with a report returned
    for fixing, an overdue and a soon-due milestone, an order awaiting its reply (overdue)
    and one replied; department B's own project and order."""
    tunnel = make_project(
        code="LW-TRA-001", name="东沙隧道", lead_department=department_a, stage="construction"
    )
    bridge = make_project(
        code="LW-TRA-002", name="花地大桥", lead_department=department_a, stage="construction"
    )
    make_report(bridge, datetime.date(2026, 5, 1))
    returned = make_report(
        bridge,
        datetime.date(2026, 4, 1),
        status=ProgressReport.Status.RETURNED,
        review_comment="请补充投资数据",
    )
    overdue = make_milestone(
        tunnel, TODAY - DAYS(9), title="征地拆迁完成", responsible_department=department_a
    )
    soon = make_milestone(
        tunnel, TODAY + DAYS(5), title="主体开工", responsible_department=department_a
    )
    make_milestone(tunnel, TODAY + DAYS(40), title="竣工", responsible_department=department_a)
    order = make_order(tunnel, department_a, TODAY - DAYS(2), milestone=overdue)
    replied = make_order(
        bridge,
        department_a,
        TODAY - DAYS(1),
        state=SupervisionOrder.State.REPLIED,
        replied_at=timezone.now(),
    )
    museum = make_project(
        code="LW-CUL-001", name="三馆合一", lead_department=department_b, stage="construction"
    )
    make_milestone(museum, TODAY - DAYS(3), title="开馆", responsible_department=department_b)
    order_b = make_order(museum, department_b, TODAY + DAYS(2))
    # To start in 20 days without its permit (its May report in and accepted).
    starting = make_project(
        code="LW-TRA-003",
        name="荔湾路改造",
        lead_department=department_a,
        stage="preliminary",
        start_date=TODAY + DAYS(20),
    )
    make_report(starting, datetime.date(2026, 5, 1), status=ProgressReport.Status.ACCEPTED)
    permit = make_approval(starting)
    return {
        "permit": permit,
        "tunnel": tunnel,
        "bridge": bridge,
        "returned": returned,
        "overdue": overdue,
        "soon": soon,
        "order": order,
        "replied": replied,
        "museum": museum,
        "order_b": order_b,
    }


class TestEditors:
    def test_an_editor_sees_their_departments_items_each_linking_to_its_action(
        self, client, editor_a, world
    ):
        client.force_login(editor_a)
        found = groups(client.get(TODO))
        assert {key: g.count for key, g in found.items()} == {
            "reports-2026-05": 1,  # the tunnel has no May report (due by 10 June)
            "returned": 1,
            "overdue": 1,
            "orders": 1,  # the replied one waits on the managers, not on them
            "due-soon": 1,  # in 5 days, not the one in 40
            "approvals": 1,  # the permit of the project starting in 20 days
        }
        due = found["reports-2026-05"]
        assert "2026-06-10" in due.title and due.flag  # past its deadline
        assert hrefs(due) == ["/projects/LW-TRA-001/reports/new/?period=2026-05"]
        assert hrefs(found["returned"]) == ["/projects/LW-TRA-002/reports/new/?period=2026-04"]
        assert found["returned"].rows[0].detail == "请补充投资数据"
        assert hrefs(found["overdue"]) == [f"/milestones/{world['overdue'].pk}/update/"]
        assert "9" in found["overdue"].rows[0].flag
        order = found["orders"].rows[0]
        assert order.url == world["order"].get_absolute_url()
        assert "2" in order.flag  # the reply is two days overdue
        assert hrefs(found["due-soon"]) == [f"/milestones/{world['soon'].pk}/update/"]
        assert not found["due-soon"].rows[0].flag
        assert hrefs(found["approvals"]) == [f"/approvals/{world['permit'].pk}/update/"]
        # every action opens for them
        for url in [
            *hrefs(due),
            *hrefs(found["returned"]),
            *hrefs(found["overdue"]),
            *hrefs(found["approvals"]),
        ]:
            assert client.get(url).status_code == 200, url

    def test_the_page_shows_the_rows_and_their_links(self, client, editor_a, world):
        client.force_login(editor_a)
        page = client.get(TODO).content.decode()
        assert 'href="/projects/LW-TRA-001/reports/new/?period=2026-05"' in page
        assert "征地拆迁完成" in page and "主体开工" in page and "请补充投资数据" in page
        assert f'href="{world["order"].get_absolute_url()}"' in page
        assert "竣工" not in page  # due in 40 days

    def test_the_returned_report_opens_for_fixing_with_its_month(self, client, editor_a, world):
        client.force_login(editor_a)
        url = hrefs(groups(client.get(TODO))["returned"])[0]
        response = client.get(url)
        assert response.context["existing"] == world["returned"]

    def test_another_departments_editor_sees_none_of_it(self, client, editor_b, world):
        client.force_login(editor_b)
        response = client.get(TODO)
        found = groups(response)
        assert {key: g.count for key, g in found.items()} == {
            "reports-2026-05": 1,  # the museum
            "returned": 0,
            "overdue": 1,
            "orders": 1,
            "due-soon": 0,
            "approvals": 0,
        }
        page = response.content.decode()
        for text in ("东沙隧道", "花地大桥", "征地拆迁完成", "主体开工", "请补充投资数据"):
            assert text not in page
        assert world["order"].get_absolute_url() + '"' not in page
        assert "三馆合一" in page and f'href="{world["order_b"].get_absolute_url()}"' in page

    def test_before_the_due_day_last_months_report_is_due_and_the_one_before_overdue(
        self, client, editor_a, department_a
    ):
        project = make_project(code="LW-TRA-009", lead_department=department_a, stage="preliminary")
        make_project(lead_department=department_a, stage="completed")  # owes no report
        client.force_login(editor_a)
        with time_machine.travel(
            datetime.datetime(2026, 6, 5, 4, 0, tzinfo=datetime.UTC), tick=False
        ):
            found = groups(client.get(TODO))
        april, may = found["reports-2026-04"], found["reports-2026-05"]
        assert (april.count, may.count) == (1, 1)
        assert "2026-05-10" in april.title and april.flag
        assert "2026-06-10" in may.title and not may.flag
        assert hrefs(may) == [f"/projects/{project.code}/reports/new/?period=2026-05"]

    def test_a_group_shows_ten_rows_and_links_the_rest(
        self, client, editor_a, department_a, frozen_today
    ):
        project = make_project(lead_department=department_a, stage="construction")
        for day in range(1, 13):
            make_milestone(project, TODAY - DAYS(day), responsible_department=department_a)
        client.force_login(editor_a)
        response = client.get(TODO)
        overdue = groups(response)["overdue"]
        assert (overdue.count, len(overdue.rows), overdue.more) == (12, 10, 2)
        assert "12" in overdue.rows[0].flag  # most overdue first
        link = f"/milestones/overdue/?responsible_department={department_a.pk}"
        assert overdue.link == link
        assert f'href="{link}"' in response.content.decode().replace("&amp;", "&")

    def test_all_rows_of_one_group_on_request(self, client, editor_a, department_a, frozen_today):
        for _ in range(12):
            make_project(lead_department=department_a, stage="construction")
        client.force_login(editor_a)
        first = groups(client.get(TODO))["reports-2026-05"]
        assert (first.count, len(first.rows)) == (12, 10)
        assert first.link == "/todo/?all=reports-2026-05#reports-2026-05"
        response = client.get(TODO, {"all": "reports-2026-05"})
        assert list(groups(response)) == ["reports-2026-05"]
        assert len(groups(response)["reports-2026-05"].rows) == 12
        assert len(groups(client.get(TODO, {"all": "nonsense"}))) == 6  # everything


class TestManagers:
    @pytest.fixture
    def waiting(self, world):
        make_report(world["tunnel"], datetime.date(2026, 4, 1))  # submitted
        far = make_order(world["museum"], world["museum"].lead_department, TODAY + DAYS(5))
        new = make_problem(world["tunnel"], urgency=CoordinationProblem.Urgency.URGENT)
        make_problem(world["museum"], status=CoordinationProblem.Status.SUPERVISED)
        return world | {"far": far, "problem": new}

    @pytest.mark.parametrize("persona", ["manager", "administrator"])
    def test_managers_see_what_waits_on_the_office(self, client, waiting, persona, request):
        client.force_login(request.getfixturevalue(persona))
        found = groups(client.get(TODO))
        assert {key: g.count for key, g in found.items()} == {
            # the bridge's May report, the tunnel's April one, the problems' March ones
            "review": 4,
            "reply-due": 2,  # A's overdue and B's due in 2 days; not the one in 5 days
            "close-out": 1,
            "problems": 1,  # the new one, not the one under supervision
        }
        assert hrefs(found["reply-due"]) == [
            waiting["order"].get_absolute_url(),  # the earliest deadline first
            waiting["order_b"].get_absolute_url(),
        ]
        assert found["reply-due"].rows[0].flag and not found["reply-due"].rows[1].flag
        assert hrefs(found["close-out"]) == [waiting["replied"].get_absolute_url()]
        problem = found["problems"].rows[0]
        assert "征地需区规划分局协调" in problem.detail and problem.flag  # urgent
        assert problem.url  # issuing an order from it, or its project's reports

    def test_the_review_queue_and_the_problems_list_are_linked_when_they_exist(
        self, client, manager, waiting
    ):
        """Both are built beside this; until they are here the groups still count."""
        client.force_login(manager)
        found = groups(client.get(TODO))
        try:
            queue = reverse("projects:review_queue")
        except NoReverseMatch:
            queue = None
        assert found["review"].link == queue
        try:
            problems = reverse("supervision:problems") + "?status=new"
        except NoReverseMatch:
            problems = "/todo/?all=problems#problems"
        assert found["problems"].link == problems

    def test_a_manager_sees_no_departments_items(self, client, manager, world):
        client.force_login(manager)
        found = groups(client.get(TODO))
        assert "overdue" not in found and "orders" not in found


class TestViewers:
    def test_nothing_waits_on_a_viewer_and_the_page_says_so(self, client, viewer, world):
        client.force_login(viewer)
        client.cookies["django_language"] = "en"
        response = client.get(TODO)
        assert response.context["groups"] == []
        page = response.content.decode()
        assert "Nothing is waiting for you" in page
        assert 'class="badge"' not in page

    def test_an_editor_with_nothing_waiting_is_told_so(self, client, editor_a, frozen_today):
        client.force_login(editor_a)
        client.cookies["django_language"] = "en"
        response = client.get(TODO)
        assert response.context["total"] == 0
        assert "Nothing is waiting for you." in response.content.decode()


class TestTopBarAndDashboard:
    def test_the_top_bar_counts_what_waits(self, client, editor_a, world):
        client.force_login(editor_a)
        page = client.get(reverse("projects:portfolio")).content.decode()
        assert f'href="{TODO}"' in page
        assert '<span class="badge"' in page and ">6</span>" in page

    def test_the_dashboard_strip_lists_the_groups_with_their_counts(self, client, editor_a, world):
        client.force_login(editor_a)
        response = client.get("/")
        strip = response.content.decode().split('class="card todo-strip"')[1].split("</section>")[0]
        for key in ("reports-2026-05", "returned", "overdue", "orders", "due-soon", "approvals"):
            assert f'href="{TODO}#{key}"' in strip
        assert [g.count for g in response.context["todo"]] == [1, 1, 1, 1, 1, 1]
        assert response.context["todo_count"] == 6

    def test_the_top_bar_counts_up_to_99_and_the_to_do_and_strip_count_all(
        self, client, manager, frozen_today, department_a
    ):
        def awaiting_review(n):
            for _ in range(n):
                project = make_project(lead_department=department_a, stage="construction")
                make_report(project, datetime.date(2026, 5, 1), status="submitted")

        def top_bar(page):
            return (
                page.split('<span class="menu-count">')[1].split("<")[0],
                page.split('<span class="badge"')[1].split(">")[1].split("<")[0],
            )

        client.force_login(manager)
        awaiting_review(99)
        page = client.get(reverse("projects:portfolio")).content.decode()
        assert top_bar(page) == ("99", "99")
        awaiting_review(1)
        page = client.get(reverse("projects:portfolio")).content.decode()
        assert top_bar(page) == ("99+", "99+")
        # The to-do page and the dashboard's strip give the number itself.
        response = client.get(TODO)
        assert response.context["total"] == 100
        assert top_bar(response.content.decode()) == ("99+", "99+")
        page = client.get("/").content.decode()
        assert top_bar(page) == ("99+", "99+")
        strip = page.split('class="card todo-strip"')[1].split("</section>")[0]
        assert '<b class="count">100</b>' in strip

    def test_a_viewers_dashboard_has_no_strip(self, client, viewer, world):
        client.force_login(viewer)
        assert "todo-strip" not in client.get("/").content.decode()

    def test_the_to_do_is_counted_in_one_query_and_only_when_used(
        self, editor_a, manager, viewer, world, query_budget, rf
    ):
        from django.contrib.auth.models import AnonymousUser

        from supervision.context_processors import todo as processor

        for user, expected in ((editor_a, 2), (manager, 2), (viewer, 1), (AnonymousUser(), 0)):
            request = rf.get("/")
            request.user = type(user).objects.get(pk=user.pk) if user.pk else user
            with query_budget(0):  # nothing yet: the context is lazy
                context = processor(request)
            # the user's roles, then the counts of every group in one query (a viewer
            # has no group to count)
            with query_budget(expected):
                count = int(str(context["todo_count"]))  # as a template shows it
                groups_ = list(context["todo"])
            assert count == sum(g.count for g in groups_)

    def test_the_counts_query_is_built_once_and_its_counts_read_at_each_request(
        self, client, editor_a, department_a, world, monkeypatch
    ):
        from projects import models
        from supervision import todo

        monkeypatch.setattr(models, "_built", {})  # nothing built by an earlier test
        client.force_login(editor_a)
        assert ">6</span>" in client.get(reverse("projects:portfolio")).content.decode()
        built, editor_groups = [], todo.editor_groups
        monkeypatch.setattr(
            todo, "editor_groups", lambda *args: built.append(args) or editor_groups(*args)
        )
        # A milestone saved since: the next page counts it, without building the query again.
        make_milestone(
            world["bridge"], TODAY - DAYS(1), title="桥面铺装", responsible_department=department_a
        )
        assert ">7</span>" in client.get(reverse("projects:portfolio")).content.decode()
        assert built == []
        # The to-do page builds the groups it shows, and its counts' query the first time.
        response = client.get(TODO)
        assert response.context["total"] == 7 and len(built) == 2
        response = client.get(TODO)
        assert response.context["total"] == 7 and len(built) == 3


@pytest.mark.parametrize("persona, rows", [("editor_a", 5), ("manager", 5)])
def test_the_to_do_runs_the_same_queries_for_5_and_50_items_a_group(
    persona, rows, client, request, department_a, frozen_today, query_budget
):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    def grow(n):
        for _ in range(n):
            project = make_project(lead_department=department_a, stage="construction")
            make_report(
                project,
                datetime.date(2026, 4, 1),
                status=ProgressReport.Status.RETURNED,
                review_comment="补充",
            )
            make_milestone(project, TODAY - DAYS(3), responsible_department=department_a)
            make_milestone(project, TODAY + DAYS(3), responsible_department=department_a)
            make_order(project, department_a, TODAY + DAYS(1))
            make_order(
                project,
                department_a,
                TODAY,
                state=SupervisionOrder.State.REPLIED,
                replied_at=timezone.now(),
            )
            make_problem(project)  # and its March report, awaiting review
            starting = make_project(
                lead_department=department_a, stage="preliminary", start_date=TODAY + DAYS(9)
            )
            make_approval(starting)

    # session, user, the user's roles, one query counting every group; then one query of
    # rows per group with rows, and the sample-data banner. An editor: the department (top
    # bar), the May reports due, returned reports, overdue milestones, orders, due soon,
    # missing approvals. A manager: orders with a reply due, replies to close, new problems (the review
    # queue is a count and its link).
    expected = 4 + 1 + (7 if persona == "editor_a" else 3)
    grow(rows)
    with query_budget(expected):
        assert client.get(TODO).status_code == 200
    grow(45)
    with query_budget(expected):
        response = client.get(TODO)
    assert all(g.count >= 50 for g in response.context["groups"])


def test_an_editors_dashboard_runs_the_same_queries_for_5_and_50_items(
    client, editor_a, department_a, frozen_today, query_budget
):
    client.force_login(editor_a)

    def grow(n):
        for _ in range(n):
            project = make_project(lead_department=department_a, stage="construction")
            make_milestone(project, TODAY - DAYS(3), responsible_department=department_a)
            make_order(project, department_a, TODAY + DAYS(1))

    # session, user, the plans (the plan switch, issue 16), stages, reported and computed
    # health, overdue count and due soon together, investment, indicators,
    # missing reports by department, those departments, worst ten; the user's roles, the
    # top bar's count (up to 100), the editor's department (top bar), the banner, the
    # strip's counts (one query, counts and no rows)
    grow(5)
    with query_budget(14):
        client.get("/")
    grow(45)
    with query_budget(14):
        response = client.get("/")
    assert response.context["todo_count"] == 50 + 50 + 50  # reports due, overdue, orders


class TestLanding:
    def sign_in(self, client, user, **extra):
        return client.post(
            reverse("login") + extra.get("query", ""),
            {
                "username": user.username,
                "password": PASSWORD,
                **extra.get("data", {}),
            },
        )

    def test_a_department_editor_lands_on_their_to_do(self, client, editor_a):
        response = self.sign_in(client, editor_a)
        assert response.status_code == 302 and response["Location"] == TODO

    @pytest.mark.parametrize("persona", ["manager", "viewer", "administrator"])
    def test_the_others_land_on_the_dashboard(self, client, persona, request):
        response = self.sign_in(client, request.getfixturevalue(persona))
        assert response.status_code == 302 and response["Location"] == "/"

    def test_a_next_wins_over_the_to_do(self, client, editor_a):
        response = self.sign_in(client, editor_a, data={"next": "/projects/"})
        assert response["Location"] == "/projects/"
        client.logout()
        response = self.sign_in(client, editor_a, query="?next=/milestones/overdue/")
        assert response["Location"] == "/milestones/overdue/"

    def test_an_editor_without_a_department_lands_on_the_dashboard(self, client, db):
        from projects.roles import Role

        from ..conftest import make_user

        response = self.sign_in(client, make_user(Role.EDITOR))
        assert response["Location"] == "/"


@pytest.mark.parametrize("persona", ["editor_a", "manager"])
def test_the_counts_query_made_once_counts_the_rows_as_they_are_now(
    persona, request, department_a, frozen_today, settings
):
    """items_for() keeps the SQL of its counts for the day, the department and the role
    (Todo.counts): it counts what a query made afresh counts, at every call."""
    from supervision import todo

    user = request.getfixturevalue(persona)

    def both():
        groups = todo.items_for(user).groups
        afresh = dict(todo.counts_query({group.key: group.queryset for group in groups}))
        return {group.key: group.count for group in groups}, afresh

    kept, afresh = both()
    assert kept == {key: afresh.get(key, 0) for key in kept} and kept
    project = make_project(lead_department=department_a, stage="construction")
    make_report(
        project,
        datetime.date(2026, 4, 1),
        status=ProgressReport.Status.RETURNED,
        review_comment="补充",
    )
    make_report(project, datetime.date(2026, 3, 1))  # awaits review
    make_milestone(project, TODAY - DAYS(3), responsible_department=department_a)
    now, afresh = both()
    assert now == {key: afresh.get(key, 0) for key in now} and now != kept
    settings.REPORT_DUE_DAY = 1  # another due month: another query
    later, afresh = both()
    assert later == {key: afresh.get(key, 0) for key in later}
