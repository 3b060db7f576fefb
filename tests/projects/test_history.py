"""A project's change history: its page lists the newest ten changes, folded, and points to
the whole history on a page of its own (/projects/<code>/history/), which every signed-in
role reads as it reads the project's page. The newest changes are read without the rest:
the same changes as the first of the whole history, whatever was saved without a visible
change, in a number of queries that does not grow with the history."""

import datetime
from itertools import count

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from lxml import html

from projects.history import project_history

from ..conftest import TODAY, make_approval, make_milestone, make_project, make_report

pytestmark = pytest.mark.django_db
DAYS = datetime.timedelta
ROUNDS = count()  # of work(): its milestones' titles and its reports' months differ


@pytest.fixture
def project(frozen_today, department_a):
    return make_project(code="LW-TRA-601", name="东沙隧道", lead_department=department_a)


@pytest.fixture
def moments(frozen_today):
    """Each call a context a second after the one before: saves in the order they happen,
    as their history dates say (today's clock stands still in these tests)."""
    start, seconds = timezone.now(), count(1)
    return lambda: time_machine.travel(start + DAYS(seconds=next(seconds)), tick=False)


def work(project, who, moments, rounds):
    """`rounds` of what a project's people do: a milestone added, retitled, saved as it
    was (no change to show), re-baselined; a report made and corrected; an approval's
    checklist line made (not shown) and updated; a milestone deleted. Eight changes a
    round, and two saves that show none. Returns the last round's number."""
    for _ in range(rounds):
        n = next(ROUNDS)
        with moments():
            milestone = make_milestone(project, TODAY + DAYS(n), title=f"节点{n}")
        for change in (
            {"title": f"节点{n}（调整）"},
            {},  # saved without a change
            {"planned_date": TODAY + DAYS(n + 30)},
        ):
            with moments():
                for name, value in change.items():
                    setattr(milestone, name, value)
                milestone._history_user = who
                milestone.save()
        with moments():
            report = make_report(project, datetime.date(2020, 1, 1) + DAYS(31 * n))
        with moments():
            report.narrative = f"更正{n}"
            report._history_user = who
            report.save()
        with moments():
            approval = make_approval(project)  # a checklist's line: not a change shown
        with moments():
            approval.number = f"荔规划〔2026〕{n}号"
            approval._history_user = who
            approval.save()
        with moments():
            gone = make_milestone(project, TODAY, title=f"删除{n}")
        with moments():
            gone.delete()
    return n


def shown(entries):
    return [
        (e.when, e.who, str(e.action), e.what, [tuple(map(str, c)) for c in e.changes])
        for e in entries
    ]


def test_the_newest_changes_are_the_first_of_the_whole_history(project, manager, moments):
    n = work(project, manager, moments, rounds=6)
    with translation.override("en"):
        everything = project_history(project)
        assert len(everything) == 6 * 8 + 1  # and the project made
        assert [e.when for e in everything] == sorted((e.when for e in everything), reverse=True)
        # The last round's, each change against the record before it.
        report = project.reports.get(narrative=f"更正{n}")
        planned = TODAY + DAYS(n)
        assert [
            (action, what, changes)
            for _when, _who, action, what, changes in shown(project_history(project, limit=8))
        ] == [
            ("deleted", f"milestone: 删除{n}", []),
            ("created", f"milestone: 删除{n}", []),
            (
                "changed",
                f"approval: {report.project.approvals.last().kind.display_name}",
                [("approval number (文号)", "–", f"荔规划〔2026〕{n}号")],
            ),
            (
                "changed",
                f"progress report: {report.period:%Y-%m}",
                [("progress this month", "按计划推进", f"更正{n}")],
            ),
            ("created", f"progress report: {report.period:%Y-%m}", []),
            (
                "re-baselined",
                f"milestone: 节点{n}（调整）",
                [("planned date", str(planned), str(planned + DAYS(30)))],
            ),
            ("changed", f"milestone: 节点{n}（调整）", [("title", f"节点{n}", f"节点{n}（调整）")]),
            ("created", f"milestone: 节点{n}", []),
        ]
        for limit in (1, 2, 3, 10, 11, 40, 200):
            assert shown(project_history(project, limit=limit)) == shown(everything[:limit])


def test_the_newest_changes_after_many_saves_that_change_nothing(project, manager, moments):
    work(project, manager, moments, rounds=1)
    milestone = project.milestones.get()
    for _ in range(25):  # more than twice a page's ten, newer than every change
        with moments():
            milestone._history_user = manager
            milestone.save()
    with translation.override("en"):
        everything = project_history(project)
        assert len(everything) == 9
        assert shown(project_history(project, limit=3)) == shown(everything[:3])
        assert shown(project_history(project, limit=11)) == shown(everything)


@pytest.fixture
def page(client):
    def page(url, user=None):
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        return html.fromstring(response.content.decode())

    return page


def rows(section):
    return [" ".join(row.text_content().split()) for row in section.xpath(".//table//tbody/tr")]


def test_the_project_page_shows_the_newest_ten_and_points_to_the_rest(
    project, manager, viewer, moments, page
):
    work(project, manager, moments, rounds=2)
    everything = project_history(project)
    shown_page = page(project.get_absolute_url(), viewer)
    (section,) = shown_page.xpath('//section[@id="history"]')
    (folded,) = section.xpath("./details")
    assert folded.get("open") is None
    newest = everything[0]  # a milestone deleted, by nobody signed in
    assert len(rows(section)) == 10
    assert rows(section)[0] == (
        f"{timezone.localtime(newest.when):%Y-%m-%d %H:%M}–{newest.what} · {newest.action}"
    )
    assert "10" in folded.xpath("./summary")[0].text_content()
    (link,) = section.xpath(".//a")
    assert link.get("href") == reverse("projects:history", args=[project.code])

    whole = page(link.get("href"))
    (section,) = whole.xpath('//section[@id="history"]')
    assert len(rows(section)) == len(everything) == 2 * 8 + 1
    assert rows(section)[:10] == rows(shown_page.xpath('//section[@id="history"]')[0])
    assert str(len(everything)) in section.xpath("./p")[0].text_content()
    assert whole.xpath(f'//main//a[@href="{project.get_absolute_url()}#history"]')


def test_a_short_history_is_all_on_the_project_page(project, manager, viewer, moments, page):
    work(project, manager, moments, rounds=1)  # 9 changes: the project, 8 of the round
    shown_page = page(project.get_absolute_url(), viewer)
    (section,) = shown_page.xpath('//section[@id="history"]')
    assert len(rows(section)) == 9
    assert not section.xpath(".//a")  # nothing more to point to
    assert "9" in section.xpath("./details/summary")[0].text_content()


@pytest.mark.parametrize("role", ["viewer", "manager", "editor_b", "administrator"])
def test_every_signed_in_role_reads_the_history_as_the_project_page(
    project, manager, moments, page, role, request
):
    work(project, manager, moments, rounds=1)
    url = reverse("projects:history", args=[project.code])
    shown_page = page(url, request.getfixturevalue(role))
    assert len(rows(shown_page.xpath('//section[@id="history"]')[0])) == 9


def test_the_history_page_asks_to_sign_in_and_knows_no_other_project(client, project, viewer):
    url = reverse("projects:history", args=[project.code])
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(viewer)
    assert client.get(reverse("projects:history", args=["LW-XXX-999"])).status_code == 404


def test_the_pages_run_the_same_queries_however_long_the_history(
    client, project, manager, moments, query_budget
):
    # The project page: its queries as test_manager_pages pins them (20 with two kinds of
    # changes among the newest), its newest changes here of three kinds (milestones,
    # reports, approvals). The history page:
    # session, user, project, the changes' order, the records of each kind of change
    # (the project too: it was made), the user's roles, the top bar's to-do counts, the
    # banner.
    client.force_login(manager)
    for rounds in (3, 6):  # more than the twenty records the page's ten are looked for in
        work(project, manager, moments, rounds)
        with query_budget(21):
            client.get(project.get_absolute_url())
        with query_budget(11):
            client.get(reverse("projects:history", args=[project.code]))
