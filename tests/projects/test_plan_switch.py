"""The plan switch (issue 16): the dashboard, the portfolio, the overdue and upcoming
boards, chapters, departments and indicators show the current plan by default and another
by ?plan=<number>; their figures and exports follow it. Today (2026-06-15) the 15th plan
(2026-2030) is in force and the 14th has ended."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import IndicatorValue
from projects.models import Project

from ..conftest import (
    TODAY,
    make_chapter,
    make_department,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
)

pytestmark = pytest.mark.django_db
DAYS = datetime.timedelta

SWITCHED = [
    "home",
    "projects:portfolio",
    "projects:overdue",
    "projects:upcoming",
    "projects:chapters",
    "projects:departments",
    "indicators:list",
]


@pytest.fixture
def plans(db, frozen_today):
    """Two plans, each with a chapter, a project (its own department, an overdue and an
    upcoming milestone) and an off-track indicator; a project carried into both; and one
    linked to no chapter."""
    plan14 = make_plan(number=14, short_name="十四五", start_year=2021, end_year=2025)
    plan15 = make_plan(
        number=15, name="第十五个五年规划", short_name="十五五", start_year=2026, end_year=2030
    )
    c14 = make_chapter(plan14, "3", title="十四五的交通章")
    c15 = make_chapter(plan15, "3", title="十五五的交通章")
    d14 = make_department(name="十四五部门", slug="d14")
    d15 = make_department(name="十五五部门", slug="d15")
    dloose = make_department(name="未归规划部门", slug="dloose")
    p14 = make_project(code="P14-OLD", lead_department=d14, stage="construction")
    p15 = make_project(code="P15-NEW", lead_department=d15, stage="construction")
    both = make_project(code="CARRY-ON", lead_department=d15, stage="construction")
    loose = make_project(code="LOOSE-ONE", lead_department=dloose, stage="construction")
    p14.chapters.add(c14)
    p15.chapters.add(c15)
    both.chapters.add(c14, c15)
    for project in (p14, p15, both, loose):
        dept = project.lead_department
        make_milestone(
            project, TODAY - DAYS(5), title=f"{project.code}逾期", responsible_department=dept
        )
        make_milestone(
            project, TODAY + DAYS(5), title=f"{project.code}将到期", responsible_department=dept
        )
    # The 14th's final verdict not met (2025 figure half the target); the 15th's indicator
    # moving away from its target (below its baseline).
    i14 = make_indicator(plan=plan14, code="OLD-GDP", name="旧规划指标", target_value=Decimal(100))
    IndicatorValue.objects.create(indicator=i14, year=2025, value=50)
    i15 = make_indicator(
        plan=plan15,
        code="NEW-GDP",
        name="新规划指标",
        target_year=2030,
        target_value=Decimal(200),
        baseline_value=Decimal(100),
        baseline_year=2025,
    )
    IndicatorValue.objects.create(indicator=i15, year=2026, value=80)
    return locals()


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def codes_in(page):
    return {code for code in ("P14-OLD", "P15-NEW", "CARRY-ON", "LOOSE-ONE") if code in page}


def export(client, name, **query):
    response = client.get(reverse(name), query | {"_export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


# --- the default: the current plan -------------------------------------------------------------


@pytest.mark.parametrize("name", ["projects:portfolio", "projects:overdue", "projects:upcoming"])
def test_project_lists_show_the_current_plan_and_the_projects_in_no_plan(
    client, manager, plans, name
):
    client.force_login(manager)
    page = html(client.get(reverse(name)))
    assert codes_in(page) == {"P15-NEW", "CARRY-ON", "LOOSE-ONE"}
    assert "十五五（2026–2030）" in page
    assert 'href="/plans/15/"' in page


@pytest.mark.parametrize("name", ["projects:portfolio", "projects:overdue", "projects:upcoming"])
def test_the_switch_shows_an_earlier_plan_its_projects_only(client, manager, plans, name):
    client.force_login(manager)
    page = html(client.get(reverse(name), {"plan": "14"}))
    assert codes_in(page) == {"P14-OLD", "CARRY-ON"}
    assert "十四五（2021–2025）" in page and 'href="/plans/14/"' in page
    assert "已结束" in page or "ended" in page  # its state
    assert '<option value="14" selected>' in page  # the switch shows it


@pytest.mark.parametrize("name", ["projects:portfolio", "projects:overdue", "projects:upcoming"])
def test_exports_follow_the_plan(client, manager, plans, name):
    client.force_login(manager)
    assert codes_in(export(client, name)) == {"P15-NEW", "CARRY-ON", "LOOSE-ONE"}
    assert codes_in(export(client, name, plan="14")) == {"P14-OLD", "CARRY-ON"}


def test_the_switch_keeps_the_other_filters(client, manager, plans):
    client.force_login(manager)
    d15 = plans["d15"]
    page = html(
        client.get(reverse("projects:portfolio"), {"plan": "14", "lead_department": d15.pk})
    )
    assert codes_in(page) == {"CARRY-ON"}


@pytest.mark.parametrize("name", SWITCHED)
def test_a_number_of_no_plan_is_not_found(client, manager, plans, name):
    client.force_login(manager)
    assert client.get(reverse(name), {"plan": "99"}).status_code == 404


@pytest.mark.parametrize("name", SWITCHED)
def test_a_value_that_is_no_number_is_ignored_and_said(client, manager, plans, name):
    client.force_login(manager)
    page = html(client.get(reverse(name), {"plan": "fifteen"}))
    assert "fifteen" in page  # the page says what it ignored
    assert "十五五（2026–2030）" in page  # and shows the current plan


@pytest.mark.parametrize("name", SWITCHED)
def test_every_switched_page_states_its_plan_and_links_to_it(client, manager, plans, name):
    client.force_login(manager)
    page = html(client.get(reverse(name)))
    assert "十五五（2026–2030）" in page and 'href="/plans/15/"' in page
    page = html(client.get(reverse(name), {"plan": "14"}))
    assert "十四五（2021–2025）" in page and 'href="/plans/14/"' in page


# --- chapters, departments, indicators ---------------------------------------------------------


def test_chapters_show_the_chosen_plans_tree_only(client, manager, plans):
    client.force_login(manager)
    page = html(client.get(reverse("projects:chapters")))
    assert "十五五的交通章" in page and "十四五的交通章" not in page
    page = html(client.get(reverse("projects:chapters"), {"plan": "14"}))
    assert "十四五的交通章" in page and "十五五的交通章" not in page


def test_department_scorecards_count_the_plans_projects(client, manager, plans):
    client.force_login(manager)

    def scores(**query):
        departments = client.get(reverse("projects:departments"), query).context["departments"]
        return {
            d.slug: (d.projects_led, d.overdue_count) for d in departments if d.slug.startswith("d")
        }

    # The 15th: its project and the carried one (d15), the loose one (dloose).
    assert scores() == {"d14": (0, 0), "d15": (2, 2), "dloose": (1, 1)}
    assert scores(plan="14") == {"d14": (1, 1), "d15": (1, 1), "dloose": (0, 0)}


def test_department_sorting_keeps_the_plan(client, manager, plans):
    client.force_login(manager)
    page = html(client.get(reverse("projects:departments"), {"plan": "14"}))
    assert "?sort=name&plan=14" in page.replace("&amp;", "&")


def test_indicators_list_and_export_follow_the_plan(client, manager, plans):
    client.force_login(manager)
    page = html(client.get(reverse("indicators:list")))
    assert "NEW-GDP" in page and "OLD-GDP" not in page
    page = html(client.get(reverse("indicators:list"), {"plan": "14"}))
    assert "OLD-GDP" in page and "NEW-GDP" not in page
    rows = list(csv.reader(io.StringIO(export(client, "indicators:list", plan="14"))))
    assert any("OLD-GDP" in cell for row in rows for cell in row)
    assert not any("NEW-GDP" in cell for row in rows for cell in row)


# --- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_counts_the_current_plans_projects_and_indicators(client, manager, plans):
    client.force_login(manager)
    context = client.get(reverse("home")).context
    assert context["overdue_count"] == 3  # P15-NEW, CARRY-ON, LOOSE-ONE
    assert dict((value, n) for _label, n, value in context["stages"])["construction"] == 3
    # The 14th's final "not met" is not a current worry: only the 15th's indicators.
    assert [i.code for i, _a, _l in context["off_track"]] == ["NEW-GDP"]
    assert context["indicator_count"] == 1
    assert {m.project.code for m in context["worst_overdue"]} == {
        "P15-NEW",
        "CARRY-ON",
        "LOOSE-ONE",
    }


def test_the_dashboard_of_an_earlier_plan(client, manager, plans):
    client.force_login(manager)
    response = client.get(reverse("home"), {"plan": "14"})
    context = response.context
    assert context["overdue_count"] == 2  # P14-OLD, CARRY-ON
    assert [i.code for i, _a, _l in context["off_track"]] == ["OLD-GDP"]
    assert context["indicator_count"] == 1
    assert context["due_soon_count"] == 2
    # Its links lead to the same plan's lists.
    assert "?stage=construction&plan=14" in html(response).replace("&amp;", "&")


def test_with_one_plan_the_pages_show_every_project(client, manager, frozen_today):
    """While the 14th is the only plan (ended, so current), the projects linked to it and
    those in no plan are all shown, as before plans could be switched."""
    plan14 = make_plan(number=14)
    linked = make_project(code="P14-OLD")
    linked.chapters.add(make_chapter(plan14, "3"))
    make_project(code="LOOSE-ONE")
    client.force_login(manager)
    assert codes_in(html(client.get(reverse("projects:portfolio")))) == {"P14-OLD", "LOOSE-ONE"}


def test_with_one_plan_the_pages_ask_no_chapter_links(client, manager, frozen_today):
    """Every link is then to the one plan's chapters: its pages count every project without
    asking which are linked; the figures are those of every project."""
    plan14 = make_plan(number=14)
    linked = make_project(code="P14-OLD", stage="construction")
    linked.chapters.add(make_chapter(plan14, "3"))
    make_project(code="LOOSE-ONE", stage="construction")
    for project in Project.objects.all():
        make_milestone(project, TODAY - DAYS(5), responsible_department=project.lead_department)
    client.force_login(manager)
    for query in ({}, {"plan": "14"}):
        with CaptureQueriesContext(connection) as queries:
            context = client.get(reverse("home"), query).context
        assert not [q for q in queries if "projects_projectchapter" in q["sql"]]
        assert dict((value, n) for _label, n, value in context["stages"])["construction"] == 2
        assert context["overdue_count"] == 2
        departments = client.get(reverse("projects:departments"), query).context["departments"]
        assert sum(d.overdue_count for d in departments) == 2


def test_the_only_plan_not_yet_begun_shows_its_projects_when_asked(client, manager, frozen_today):
    """Not begun, it is not current (the pages show every project by default); asked for,
    it shows the projects linked to it only."""
    plan = make_plan(number=15, start_year=2027, end_year=2031)
    linked = make_project(code="P15-NEW")
    linked.chapters.add(make_chapter(plan, "3"))
    make_project(code="LOOSE-ONE")
    client.force_login(manager)
    portfolio = reverse("projects:portfolio")
    assert codes_in(html(client.get(portfolio))) == {"P15-NEW", "LOOSE-ONE"}
    assert codes_in(html(client.get(portfolio, {"plan": "15"}))) == {"P15-NEW"}


def test_without_any_plan_the_pages_show_everything(client, manager, frozen_today):
    make_project(code="LOOSE-ONE")
    client.force_login(manager)
    for name in SWITCHED:
        assert client.get(reverse(name)).status_code == 200
    assert codes_in(html(client.get(reverse("projects:portfolio")))) == {"LOOSE-ONE"}


# --- query budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", SWITCHED)
def test_choosing_a_plan_costs_no_more_queries_than_the_default(client, manager, plans, name):
    """The budgets pinned in test_manager_pages (and indicators/test_pages) count the plans'
    query once; a plan asked for runs the same queries."""
    client.force_login(manager)
    client.get(reverse(name))  # warm up (session, caches)
    with CaptureQueriesContext(connection) as default:
        client.get(reverse(name))
    with CaptureQueriesContext(connection) as asked:
        client.get(reverse(name), {"plan": "14"})
    assert len(asked) == len(default)
