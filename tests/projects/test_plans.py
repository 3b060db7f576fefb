"""Plans over time: which plan is in force, the current plan, ?plan=<number>, the plans'
list and a plan's overview."""

import datetime
from decimal import Decimal

import pytest
from django.http import Http404, QueryDict
from django.urls import reverse

from indicators.models import IndicatorValue
from projects.models import AnnualInvestment, Plan, current_plan
from projects.plans import choose_plan

from ..conftest import (
    make_chapter,
    make_department,
    make_indicator,
    make_plan,
    make_project,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def plan14(db):
    return make_plan(number=14, short_name="十四五", start_year=2021, end_year=2025)


@pytest.fixture
def plan15(db):
    return make_plan(
        number=15, name="第十五个五年规划", short_name="十五五", start_year=2026, end_year=2030
    )


# --- the rule: in force, ended, not yet begun ------------------------------------------------


@pytest.mark.parametrize(
    "day, state",
    [
        (D(2020, 12, 31), "not_begun"),
        (D(2021, 1, 1), "in_force"),
        (D(2025, 12, 31), "in_force"),
        (D(2026, 1, 1), "ended"),
    ],
)
def test_a_plan_is_in_force_through_its_years(plan14, day, state):
    assert plan14.state(day) == state
    # The database asks the same rule.
    assert set(Plan.objects.in_force(day)) == ({plan14} if state == "in_force" else set())
    assert set(Plan.objects.ended(day)) == ({plan14} if state == "ended" else set())
    assert set(Plan.objects.not_begun(day)) == ({plan14} if state == "not_begun" else set())


def test_the_state_is_todays_by_default(plan14, plan15, frozen_today):
    assert (plan14.state(), plan15.state()) == ("ended", "in_force")
    assert list(Plan.objects.in_force()) == [plan15]
    assert list(Plan.objects.ended()) == [plan14]


def test_the_current_plan_is_the_one_in_force(plan14, plan15, frozen_today, query_budget):
    with query_budget(1):  # the plans
        assert Plan.objects.current() == plan15
    assert Plan.objects.current(D(2024, 3, 1)) == plan14


def test_without_a_plan_in_force_the_current_plan_is_the_latest_ended(plan14, frozen_today):
    older = make_plan(number=13, short_name="十三五", start_year=2016, end_year=2020)
    assert Plan.objects.current() == plan14
    assert Plan.objects.current(D(2021, 6, 1)) == plan14
    # Between plans (a gap year), the one last ended.
    plan14.start_year = 2022
    plan14.save()
    assert Plan.objects.current(D(2021, 6, 1)) == older


def test_no_current_plan_before_any_plan_has_begun(plan15):
    assert Plan.objects.current(D(2025, 6, 1)) is None
    assert Plan.objects.none().current(D(2027, 1, 1)) is None


def test_overlapping_plans_the_later_one_is_current(plan14):
    special = make_plan(number=99, short_name="专项", start_year=2023, end_year=2027)
    assert current_plan([plan14, special], D(2024, 1, 1)) == special


# --- ?plan=<number> ---------------------------------------------------------------------------


def query(text):
    return QueryDict(text)


def test_without_plan_in_the_address_a_page_shows_the_current_plan(
    plan14, plan15, frozen_today, query_budget
):
    with query_budget(1):  # the plans
        chosen = choose_plan(query(""))
    assert (chosen.plan, chosen.asked, chosen.ignored) == (plan15, False, "")
    assert chosen.form["plan"].value() == 15
    assert [number for number, _label in chosen.form.fields["plan"].choices] == [14, 15]
    assert choose_plan(query("plan=")).plan == plan15


def test_plan_names_a_plan_by_its_number(plan14, plan15, frozen_today):
    chosen = choose_plan(query("plan=14"))
    assert (chosen.plan, chosen.asked) == (plan14, True)
    assert chosen.form["plan"].value() == 14
    assert choose_plan(query("plan=+14".replace("+", "%20"))).plan == plan14  # spaces trimmed


@pytest.mark.parametrize("number", ["16", "0", "99999999"])
def test_a_number_that_names_no_plan_is_404(plan14, plan15, frozen_today, number):
    with pytest.raises(Http404):
        choose_plan(query(f"plan={number}"))


@pytest.mark.parametrize("value", ["abc", "-14", "14.0", "١٤", "14; DROP TABLE"])
def test_a_value_that_is_not_a_number_is_ignored(plan14, plan15, frozen_today, value):
    chosen = choose_plan(QueryDict(mutable=True) | {"plan": value})
    assert (chosen.plan, chosen.asked, chosen.ignored) == (plan15, False, value)


def test_no_plan_at_all(db, frozen_today):
    chosen = choose_plan(query(""))
    assert chosen.plan is None and chosen.form["plan"].value() is None


# --- the pages --------------------------------------------------------------------------------


@pytest.fixture
def world(plan14, plan15, frozen_today, department_a):
    """The 14th plan with two chapters (one served, one not) and a section, two projects
    (one carried into the 15th plan), two indicators; investment in two years."""
    served = make_chapter(plan14, "3", title="产业发展")
    section = make_chapter(plan14, "3.1", title="数字经济", parent=served)
    unserved = make_chapter(plan14, "4", title="城市更新")
    later = make_chapter(plan15, "2", title="新质生产力")
    road = make_project(
        code="LW-TRA-001", name="荔湾路", stage="completed", lead_department=department_a
    )
    hall = make_project(
        code="LW-CUL-001", name="文化馆", stage="construction", lead_department=department_a
    )
    road.chapters.add(section)
    hall.chapters.add(served, later)
    AnnualInvestment.objects.create(project=road, year=2023, planned=4, completed=3)
    AnnualInvestment.objects.create(project=hall, year=2024, planned=2, completed=2)
    met = make_indicator(plan=plan14, code="GDP", name="地区生产总值", target_value=Decimal(100))
    IndicatorValue.objects.create(
        indicator=met,
        year=2025,
        value=120,
        note="统计公报",
        source="official",
        source_title="2025年统计公报",
        source_url="https://example.gov.cn/2025",
    )
    short = make_indicator(plan=plan14, code="JOBS", name="新增就业", target_value=Decimal(100))
    IndicatorValue.objects.create(indicator=short, year=2025, value=50, note="部门填报")
    return {
        "road": road,
        "hall": hall,
        "served": served,
        "section": section,
        "unserved": unserved,
        "met": met,
        "short": short,
    }


def test_the_plans_page_lists_each_plan_with_its_period_and_state(client, viewer, world):
    client.force_login(viewer)
    response = client.get(reverse("projects:plans"))
    assert response.status_code == 200
    plans = response.context["plans"]
    assert [(p.number, p.state_now, p.is_current) for p in plans] == [
        (15, "in_force", True),
        (14, "ended", False),
    ]
    assert [(p.chapter_count, p.project_count, p.indicator_count) for p in plans] == [
        (1, 1, 0),
        (3, 2, 2),
    ]
    page = response.content.decode()
    assert "2021–2025" in page and "2026–2030" in page
    assert reverse("projects:plan_assessment", args=[14]) in page


def test_a_plans_overview(client, viewer, world):
    client.force_login(viewer)
    response = client.get(reverse("projects:plan", args=[14]))
    assert response.status_code == 200
    context = response.context
    chapters = {c.code: c for c in context["chapters"]}
    assert (chapters["3"].project_count, chapters["3.1"].project_count) == (2, 1)
    assert [c.code for c in context["unserved"]] == ["4"]
    assert {
        status: [v.indicator.code for v in found] for status, _l, found in context["by_status"]
    } == {
        "final_met": ["GDP"],
        "final_not_met": ["JOBS"],
    }
    assert [v.indicator.code for v in context["provisional"]] == ["JOBS"]
    stages = {value: [p.code for p in found] for value, _label, found in context["stages"]}
    assert stages["completed"] == ["LW-TRA-001"] and stages["construction"] == ["LW-CUL-001"]
    assert [(f.key, f.planned, f.completed) for f in context["years"]] == [
        (2021, 0, 0),
        (2022, 0, 0),
        (2023, 4, 3),
        (2024, 2, 2),
        (2025, 0, 0),
    ]
    assert (context["total"].planned, context["total"].completed) == (6, 5)
    page = response.content.decode()
    assert "城市更新" in page and "LW-CUL-001" in page


def test_an_unknown_plan_is_404(client, viewer, world):
    client.force_login(viewer)
    for name in ("projects:plan", "projects:plan_assessment"):
        assert client.get(reverse(name, args=[16])).status_code == 404


def test_a_plan_in_force_has_an_interim_assessment(client, viewer, world, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(viewer)
    page = client.get(reverse("projects:plan", args=[15])).content.decode()
    assert "Interim assessment" in page
    assert "Final assessment" in client.get(reverse("projects:plan", args=[14])).content.decode()


def grow(n, plan, chapter, department):
    """n more projects serving the chapter, each with a year's investment, and n more
    indicators with a value."""
    for _ in range(n):
        project = make_project(lead_department=department, stage="construction")
        project.chapters.add(chapter)
        AnnualInvestment.objects.create(project=project, year=2024, planned=1, completed=1)
        indicator = make_indicator(plan=plan)
        IndicatorValue.objects.create(indicator=indicator, year=2024, value=1, note="部门填报")


@pytest.mark.parametrize(
    "name, expected",
    [
        # Every page: session, user, whether sample data exists (the banner), the user's
        # roles and the to-do counts (the top bar). Then:
        # plans: the plans with their chapter and project counts, indicators by plan
        ("projects:plans", 7),
        # a plan: the plan; its projects; their investment in each of its years (one
        # query); those counted in sums; its indicators and their values; its chapters,
        # their project links and indicator links
        ("projects:plan", 14),
        # the assessment: the plan; its projects; their investment over its years; those
        # counted; indicators and values; chapters, project links, indicator links; their
        # chapters in later plans; the years with key projects (none of the plan's here: a
        # query more for each of its years that has some); whether it reads sample data
        ("projects:plan_assessment", 17),
    ],
)
def test_each_plan_page_runs_the_same_queries_for_5_and_50_projects(
    name, expected, client, manager, plan14, frozen_today, query_budget
):
    chapter = make_chapter(plan14, "3")
    department = make_department()
    client.force_login(manager)
    url = reverse(name, args=[] if name == "projects:plans" else [14])
    grow(5, plan14, chapter, department)
    with query_budget(expected):
        assert client.get(url).status_code == 200
    grow(45, plan14, chapter, department)
    with query_budget(expected):
        assert client.get(url).status_code == 200
