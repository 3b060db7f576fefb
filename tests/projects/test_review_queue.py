"""The managers' review queue: reports awaiting review, accepted many at once or returned one
by one with a comment; who may use it; what the project page offers on each report."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from projects import services
from projects.models import ProgressReport

from ..conftest import make_department, make_project, make_report

pytestmark = pytest.mark.django_db
D = datetime.date
QUEUE = reverse("projects:review_queue")
ACCEPT = reverse("projects:review_accept")


def return_url(report):
    return reverse("projects:review_return", args=[report.pk])


@pytest.fixture
def world(frozen_today, department_a, department_b, editor_a):
    """Four reports awaiting review (three of department A, one of B) and two reviewed."""
    tunnel = make_project(code="LW-TRA-001", name="东沙隧道", lead_department=department_a)
    road = make_project(code="LW-TRA-002", name="芳村大道", lead_department=department_a)
    museum = make_project(code="LW-CUL-001", name="三馆合一", lead_department=department_b)
    reports = {
        "tunnel_may": make_report(
            tunnel,
            D(2026, 5, 1),
            health="amber",
            percent_complete=45,
            narrative="盾构掘进至第三段。",
            problems="需协调管线迁改。",
            investment_completed_month=Decimal("0.5"),
            investment_completed_ytd=Decimal("2.5"),
            author=editor_a,
        ),
        "tunnel_april": make_report(tunnel, D(2026, 4, 1), health="green", author=editor_a),
        "road_may": make_report(road, D(2026, 5, 1), health="red", narrative="征地受阻。"),
        "museum_march": make_report(museum, D(2026, 3, 1), narrative="布展设计完成。"),
        "accepted": make_report(road, D(2026, 3, 1), status="accepted"),
        "returned": make_report(road, D(2026, 4, 1), status="returned", review_comment="请补充"),
    }
    return reports


def queue_rows(response):
    return [
        (row.record.project.code, f"{row.record.period:%Y-%m}")
        for row in response.context["table"].rows
    ]


def row_html(page, report):
    """The queue's table row of `report`, as HTML."""
    (row,) = [tr for tr in page.split("<tr") if f'name="report" value="{report.pk}"' in tr]
    return row


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def ticked(*reports, **extra):
    """The queue's POST with `reports` ticked, each at the version it has now."""
    data = {"report": [r.pk for r in reports]}
    data |= {f"version-{r.pk}": r.version for r in reports}
    return data | extra


def state(*reports):
    """What a review changes, for each report, read afresh."""
    return [
        ProgressReport.objects.values_list(
            "status", "review_comment", "reviewed_by", "reviewed_at", "version"
        ).get(pk=r.pk)
        for r in reports
    ]


class TestTheList:
    def test_it_lists_reports_awaiting_review_oldest_month_first(self, client, manager, world):
        client.force_login(manager)
        response = client.get(QUEUE)
        assert response.status_code == 200
        assert queue_rows(response) == [
            ("LW-CUL-001", "2026-03"),
            ("LW-TRA-001", "2026-04"),
            ("LW-TRA-001", "2026-05"),
            ("LW-TRA-002", "2026-05"),
        ]

    def test_each_row_shows_the_reports_content(self, client, manager, world, editor_a):
        client.force_login(manager)
        page = client.get(QUEUE).content.decode()
        report = world["tunnel_may"]
        row = row_html(page, report)
        assert "LW-TRA-001" in row and "东沙隧道" in row
        assert f'href="{report.project.get_absolute_url()}#reports"' in row
        assert "部门甲" in row and "2026-05" in row and "45%" in row
        assert "health-amber" in row
        assert "盾构掘进至第三段。" in row and "需协调管线迁改。" in row
        assert "0.50\u00a0" in row and "/ 2.50\u00a0" in row  # 0.50 亿元 / 2.50 亿元
        assert editor_a.username in row
        assert f"{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M}" in row
        assert f'name="version-{report.pk}" value="{report.version}"' in row
        assert f'href="{return_url(report)}?next=' in row

    def test_long_texts_are_shortened_and_open_in_place(self, client, manager, world):
        long = "".join(f"第{n}段工程按计划推进，" for n in range(40))
        report = world["road_may"]
        report.narrative = long
        report.save()
        client.force_login(manager)
        page = client.get(QUEUE).content.decode()
        row = row_html(page, report)
        assert '<details class="long-text">' in row
        short = row.split('<span class="short">')[1].split("</span>")[0]
        assert long.startswith(short.rstrip("….")) and len(short) <= 80
        assert long in row  # the whole text, when opened

    def test_filters(self, client, manager, world, department_b):
        client.force_login(manager)

        def rows(**params):
            return queue_rows(client.get(QUEUE, params))

        assert rows(department=department_b.pk) == [("LW-CUL-001", "2026-03")]
        assert rows(month="2026-05") == [("LW-TRA-001", "2026-05"), ("LW-TRA-002", "2026-05")]
        assert rows(health="red") == [("LW-TRA-002", "2026-05")]
        assert rows(month="2026-04", health="green") == [("LW-TRA-001", "2026-04")]

    @pytest.mark.parametrize(
        "column",
        ["project", "department", "period", "health", "percent_complete", "author", "submitted_at"],
    )
    def test_every_sortable_column_sorts_both_ways(self, client, manager, world, column):
        client.force_login(manager)
        up = queue_rows(client.get(QUEUE, {"sort": column}))
        down = queue_rows(client.get(QUEUE, {"sort": f"-{column}"}))
        assert sorted(up) == sorted(down) and len(up) == 4
        if column == "period":
            assert [month for _code, month in up] == ["2026-03", "2026-04", "2026-05", "2026-05"]
            assert [month for _code, month in down] == ["2026-05", "2026-05", "2026-04", "2026-03"]
        if column == "project":
            assert [code for code, _month in up][0] == "LW-CUL-001"
            assert [code for code, _month in down][0] == "LW-TRA-002"

    @pytest.mark.parametrize(
        "params",
        [
            {"month": "2026-13"},
            {"month": "五月"},
            {"month": "2026-05-99"},
            {"health": "purple"},
            {"department": "x"},
            {"department": "99999"},
            {"page": "abc"},
            {"sort": "nonsense"},
        ],
    )
    def test_bad_filter_values_are_ignored_with_a_message(self, client, manager, world, params):
        client.force_login(manager)
        response = client.get(QUEUE, params)
        assert response.status_code == 200
        assert len(queue_rows(response)) == 4
        if set(params) & {"month", "health", "department"}:
            assert response.context["filter"].form.errors
            assert 'class="error"' in response.content.decode()

    def test_export_carries_every_row_whole(self, client, manager, world):
        long = "很长的进展说明。" * 40
        ProgressReport.objects.filter(pk=world["road_may"].pk).update(narrative=long)
        client.force_login(manager)
        response = client.get(QUEUE, {"_export": "csv", "month": "2026-05"})
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        header, *rows = list(csv.reader(io.StringIO(content)))
        assert len(header) == 11  # no tick box, no "return" link, the two investments apart
        assert [row[0] for row in rows] == ["LW-TRA-001 东沙隧道", "LW-TRA-002 芳村大道"]
        assert rows[0][2:9] == [
            "2026-05",
            "有风险",
            "45",
            "盾构掘进至第三段。",
            "需协调管线迁改。",
            "0.5",
            "2.5",
        ]
        assert rows[1][5] == long

        response = client.get(QUEUE, {"_export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.iter_rows(values_only=True))
        assert len(values) == 1 + 4
        assert values[1][0] == "LW-CUL-001 三馆合一"

    def test_the_top_bar_links_to_it_for_managers_and_administrators_only(
        self, client, world, manager, administrator, viewer, editor_a
    ):
        link = f'href="{QUEUE}"'
        for user, shown in [
            (manager, True),
            (administrator, True),
            (viewer, False),
            (editor_a, False),
        ]:
            client.force_login(user)
            assert (link in client.get(reverse("home")).content.decode()) is shown, user


def test_the_list_runs_the_same_queries_for_3_and_30_reports(
    client, manager, frozen_today, department_a, query_budget
):
    def grow(n):
        for _ in range(n):
            project = make_project(lead_department=make_department())
            make_report(project, D(2026, 5, 1), problems="需协调", author=manager)

    client.force_login(manager)
    grow(3)
    # session, user, sample-data banner, the user's roles (may they review? the top bar
    # asks too, from the same answer), the top bar's to-do counts (one query), departments
    # for the filter, the count, one page of reports with their project, lead department
    # and author
    with query_budget(8):
        response = client.get(QUEUE)
    assert len(response.context["table"].rows) == 3
    grow(27)
    with query_budget(8):
        response = client.get(QUEUE)
    assert len(response.context["table"].rows) == 30


class TestWhoMayUseIt:
    @pytest.mark.parametrize("persona", ["editor_a", "editor_b", "viewer"])
    def test_others_are_refused_and_nothing_changes(self, persona, request, client, world):
        client.force_login(request.getfixturevalue(persona))
        reports = list(world.values())
        before = state(*reports)
        report = world["tunnel_may"]
        assert client.get(QUEUE).status_code == 403
        assert client.get(QUEUE, {"_export": "csv"}).status_code == 403
        assert client.post(ACCEPT, ticked(report)).status_code == 403
        assert client.get(return_url(report)).status_code == 403
        response = client.post(
            return_url(report), {"review_comment": "退回", "version": report.version}
        )
        assert response.status_code == 403
        assert state(*reports) == before

    def test_anonymous_is_sent_to_sign_in(self, client, world):
        report = world["tunnel_may"]
        before = state(report)
        for response in [
            client.get(QUEUE),
            client.post(ACCEPT, ticked(report)),
            client.get(return_url(report)),
            client.post(return_url(report), {"review_comment": "退回", "version": report.version}),
        ]:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        assert state(report) == before

    def test_administrators_use_it_too(self, client, administrator, world):
        client.force_login(administrator)
        assert client.get(QUEUE).status_code == 200
        client.post(ACCEPT, ticked(world["museum_march"]))
        assert ProgressReport.objects.get(pk=world["museum_march"].pk).reviewed_by == administrator

    def test_accept_is_post_only(self, client, manager, world):
        client.force_login(manager)
        assert client.get(ACCEPT, ticked(world["tunnel_may"])).status_code == 405


class TestAcceptMany:
    def test_the_ticked_reports_are_accepted_with_the_reviewer_and_time(
        self, client, manager, world
    ):
        client.force_login(manager)
        chosen = [world["tunnel_may"], world["museum_march"]]
        response = client.post(ACCEPT, ticked(*chosen, next=f"{QUEUE}?health=amber"))
        assert response.status_code == 302
        assert response["Location"] == f"{QUEUE}?health=amber"  # the queue as it was left
        for report in chosen:
            report.refresh_from_db()
            assert report.status == "accepted"
            assert report.reviewed_by == manager
            assert report.reviewed_at == timezone.now()
            assert report.history.first().history_user == manager
        with translation.override("zh-hans"):
            expected = translation.ngettext(
                "%(count)s report accepted.", "%(count)s reports accepted.", 2
            ) % {"count": 2}
        assert texts(response) == [expected]
        # They have left the queue; the others wait.
        assert queue_rows(client.get(QUEUE)) == [
            ("LW-TRA-001", "2026-04"),
            ("LW-TRA-002", "2026-05"),
        ]

    def test_a_report_changed_since_the_page_was_loaded_is_listed_and_stays(
        self, client, manager, editor_a, world
    ):
        stale, fine = world["tunnel_may"], world["road_may"]
        loaded = ticked(stale, fine)
        services.report_submit(  # the department corrects it after the page was loaded
            project=stale.project,
            author=editor_a,
            period=stale.period,
            version=stale.version,
            health="red",
            percent_complete=40,
            narrative="更正：掘进放缓。",
            problems="",
            next_steps="",
            investment_completed_month=None,
            investment_completed_ytd=None,
        )
        client.force_login(manager)
        response = client.post(ACCEPT, loaded)
        stale.refresh_from_db()
        fine.refresh_from_db()
        assert (stale.status, stale.reviewed_by, stale.narrative) == (
            "submitted",
            None,
            "更正：掘进放缓。",
        )
        assert fine.status == "accepted"
        messages = list(get_messages(response.wsgi_request))
        assert [m.level_tag for m in messages] == ["success", "warning"]
        assert "LW-TRA-001 东沙隧道 2026-05" in str(messages[1])
        # It is still in the queue, at its new version, to be read again.
        page = client.get(QUEUE).content.decode()
        assert f'name="version-{stale.pk}" value="{stale.version}"' in page

    def test_a_report_reviewed_meanwhile_is_listed_and_keeps_its_review(
        self, client, manager, administrator, world
    ):
        report = world["road_may"]
        loaded = ticked(report)
        services.report_review(
            report=report,
            reviewer=administrator,
            accept=False,
            comment="请补充",
            version=report.version,
        )
        for data in (loaded, ticked(report)):  # at the version loaded, and at the one now
            client.logout()  # a new session: only this answer's messages
            client.force_login(manager)
            response = client.post(ACCEPT, data)
            (message,) = list(get_messages(response.wsgi_request))
            assert message.level_tag == "warning"
            assert "LW-TRA-002 芳村大道 2026-05" in str(message)
            report.refresh_from_db()
            assert (report.status, report.review_comment, report.reviewed_by) == (
                "returned",
                "请补充",
                administrator,
            )

    def test_more_than_the_bound_is_refused_and_nothing_is_saved(self, client, manager, world):
        real = [world["tunnel_may"], world["road_may"]]
        data = ticked(*real)
        unknown = range(100_000, 100_199)
        data["report"] += list(unknown)  # 201 in all
        data |= {f"version-{pk}": 1 for pk in unknown}
        client.force_login(manager)
        before = state(*real)
        response = client.post(ACCEPT, data | {"next": f"{QUEUE}?month=2026-05"})
        assert response.status_code == 302 and response["Location"] == f"{QUEUE}?month=2026-05"
        assert state(*real) == before
        (message,) = list(get_messages(response.wsgi_request))
        assert message.level_tag == "error" and "200" in str(message)
        # 200 is allowed: the two real ones are accepted, the rest do not exist.
        data["report"].pop()
        client.post(ACCEPT, data)
        assert [r.status for r in ProgressReport.objects.filter(pk__in=[r.pk for r in real])] == [
            "accepted",
            "accepted",
        ]

    @pytest.mark.parametrize(
        "forge",
        [
            lambda r: {"report": ["abc"], "version-abc": "1"},
            lambda r: {"report": [r.pk]},  # no version
            lambda r: {"report": [r.pk], f"version-{r.pk}": "one"},
            lambda r: {"report": [r.pk], f"version-{r.pk}": "-1"},
            lambda r: {"report": [r.pk], f"version-{r.pk}": "1e3"},
            lambda r: {"report": [r.pk], f"version-{r.pk}": "9" * 40},
            lambda r: {"report": ["9" * 40], f"version-{'9' * 40}": "1"},
            lambda r: {"report": [f"{r.pk}.0"], f"version-{r.pk}.0": "1"},
            lambda r: {"report": [r.pk, "x"], f"version-{r.pk}": r.version, "version-x": "1"},
        ],
    )
    def test_forged_values_get_a_message_and_nothing_is_saved(self, client, manager, world, forge):
        report = world["tunnel_may"]
        client.force_login(manager)
        before = state(*world.values())
        response = client.post(ACCEPT, forge(report))
        assert response.status_code == 302 and response["Location"] == QUEUE
        assert state(*world.values()) == before
        assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]

    def test_an_unknown_report_is_said_and_the_others_are_accepted(self, client, manager, world):
        report = world["tunnel_may"]
        client.force_login(manager)
        data = ticked(report)
        data["report"].append(999_999)
        data["version-999999"] = 1
        response = client.post(ACCEPT, data)
        assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error", "success"]
        report.refresh_from_db()
        assert report.status == "accepted"

    def test_a_wrong_version_is_a_conflict_not_an_accept(self, client, manager, world):
        report = world["tunnel_may"]
        client.force_login(manager)
        response = client.post(
            ACCEPT, {"report": [report.pk], f"version-{report.pk}": report.version + 5}
        )
        assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["warning"]
        assert state(report)[0][0] == "submitted"

    def test_nothing_ticked_says_so(self, client, manager, world):
        client.force_login(manager)
        response = client.post(ACCEPT, {"next": f"{QUEUE}?health=red"})
        assert response["Location"] == f"{QUEUE}?health=red"
        assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]

    @pytest.mark.parametrize(
        "next_url",
        ["https://evil.example/", "//evil.example/reports/review/", "javascript:alert(1)", ""],
    )
    def test_it_goes_back_only_to_this_site(self, client, manager, world, next_url):
        client.force_login(manager)
        response = client.post(ACCEPT, ticked(world["tunnel_may"], next=next_url))
        assert response["Location"] == QUEUE

    def test_the_page_offers_tick_all_without_a_script(self, client, manager, world):
        client.force_login(manager)
        page = client.get(QUEUE, {"health": "amber"}).content.decode()
        assert page.count(' name="report"') == 1 and " checked" not in page
        assert 'href="?health=amber&amp;select=all"' in page
        ticked_page = client.get(QUEUE, {"health": "amber", "select": "all"}).content.decode()
        assert ticked_page.count(" checked") == 1
        # The form sends the user back to the queue as filtered, without the ticks.
        assert f'name="next" value="{QUEUE}?health=amber"' in ticked_page
        assert '<script src="/static/js/select-all.js" defer>' in page


class TestReturnOne:
    def test_the_page_shows_the_report_and_a_comment_box(self, client, manager, world):
        report = world["tunnel_may"]
        client.force_login(manager)
        page = client.get(return_url(report), {"next": f"{QUEUE}?month=2026-05"}).content.decode()
        assert "盾构掘进至第三段。" in page and "需协调管线迁改。" in page
        assert 'name="review_comment"' in page
        assert f'name="next" value="{QUEUE}?month=2026-05"' in page
        assert f'name="version" value="{report.version}"' in page

    def test_return_with_a_comment(self, client, manager, world):
        report = world["tunnel_may"]
        client.force_login(manager)
        response = client.post(
            return_url(report),
            {
                "review_comment": "请补充管线迁改进度。",
                "version": report.version,
                "next": f"{QUEUE}?month=2026-05",
            },
        )
        assert response.status_code == 302 and response["Location"] == f"{QUEUE}?month=2026-05"
        report.refresh_from_db()
        assert (report.status, report.review_comment, report.reviewed_by) == (
            "returned",
            "请补充管线迁改进度。",
            manager,
        )
        assert "LW-TRA-001" in texts(response)[0]
        assert ("LW-TRA-001", "2026-05") not in queue_rows(client.get(QUEUE))

    @pytest.mark.parametrize("comment", ["", "   "])
    def test_without_a_comment_it_is_refused(self, client, manager, world, comment):
        report = world["tunnel_may"]
        client.force_login(manager)
        before = state(report)
        response = client.post(
            return_url(report), {"review_comment": comment, "version": report.version}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["review_comment"]
        assert state(report) == before

    def test_over_a_newer_version_it_shows_the_report_as_saved_now(
        self, client, manager, editor_a, world
    ):
        report = world["tunnel_may"]
        loaded = report.version
        services.report_submit(
            project=report.project,
            author=editor_a,
            period=report.period,
            version=loaded,
            health="red",
            percent_complete=40,
            narrative="更正后的进展。",
            problems="",
            next_steps="",
            investment_completed_month=None,
            investment_completed_ytd=None,
        )
        client.force_login(manager)
        response = client.post(return_url(report), {"review_comment": "请补充", "version": loaded})
        assert response.status_code == 409
        page = response.content.decode()
        assert "更正后的进展。" in page
        assert f'name="version" value="{loaded + 1}"' in page
        assert [value for _label, value in response.context["conflict"].yours] == ["请补充"]
        assert "请补充" in page  # listed as the user's, not saved
        assert state(report)[0][0] == "submitted"

    def test_a_report_already_reviewed_offers_no_form_and_is_not_changed(
        self, client, manager, world
    ):
        report = world["accepted"]
        client.force_login(manager)
        assert 'name="review_comment"' not in client.get(return_url(report)).content.decode()
        before = state(report)
        response = client.post(
            return_url(report), {"review_comment": "退回", "version": report.version}
        )
        assert response.status_code == 200
        assert state(report) == before

    def test_an_unknown_report_is_404(self, client, manager, world):
        client.force_login(manager)
        assert client.get(reverse("projects:review_return", args=[999_999])).status_code == 404


class TestTheProjectPage:
    def test_it_offers_a_review_form_only_on_reports_awaiting_review(
        self, client, manager, administrator, world
    ):
        road = world["road_may"].project
        ProgressReport.objects.filter(pk=world["accepted"].pk).update(
            reviewed_by=administrator, reviewed_at=timezone.now()
        )
        client.force_login(manager)
        page = client.get(road.get_absolute_url()).content.decode()
        action = 'action="{}"'.format
        assert action(reverse("projects:report_review", args=[world["road_may"].pk])) in page
        assert action(reverse("projects:report_review", args=[world["accepted"].pk])) not in page
        assert action(reverse("projects:report_review", args=[world["returned"].pk])) not in page
        assert page.count('class="review-form"') == 1
        # A reviewed report shows who reviewed it, and the comment.
        assert administrator.username in page
        assert "请补充" in page

    def test_a_review_of_a_report_no_longer_awaiting_it_is_refused(self, client, manager, world):
        report = world["accepted"]
        client.force_login(manager)
        before = state(report)
        response = client.post(
            reverse("projects:report_review", args=[report.pk]),
            {"decision": "return", "comment": "再退回", "version": report.version},
        )
        assert response.status_code == 302
        assert state(report) == before
        assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
