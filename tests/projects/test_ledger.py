"""One investment ledger: a project's completed investment for a year is the same figure in
every place that shows it; a report's month and year to date agree; the share of the year
counts real days; the district key projects' figure is computed from the ledger."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from projects import charts, ledger, services, workbook
from projects.formatting import money
from projects.models import AnnualInvestment, KeyProject, Milestone, ProgressReport, Project
from projects.roles import Role

from ..conftest import TODAY, make_chapter, make_plan, make_project, make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def report(project, period, user, **investment):
    return services.report_submit(
        project=project,
        author=user,
        period=period,
        health="green",
        percent_complete=20,
        narrative="按计划推进",
        **investment,
    )


@pytest.fixture
def portfolio(frozen_today, department_a, editor_a):
    """Three projects of department A for 2026: one reported month by month (the
    administrator's yearly figure, 99, must not count), one with the administrator's figure
    alone, one whose reports the administrator corrected, naming who and why."""
    plan = make_plan()
    chapter = make_chapter(plan, "4", title="交通")
    reported = make_project(
        code="LW-TRA-001", name="东沙隧道", lead_department=department_a, stage="construction"
    )
    admin_only = make_project(
        code="LW-TRA-002", name="环城路", lead_department=department_a, stage="construction"
    )
    corrected = make_project(
        code="LW-TRA-003", name="芳村大道", lead_department=department_a, stage="construction"
    )
    for project in (reported, admin_only, corrected):
        project.chapters.add(chapter)
    for month, amount in ((1, "0.5"), (2, "0.25"), (3, "1"), (4, "0.75"), (5, "0.5")):
        report(reported, D(2026, month, 1), editor_a, investment_completed_month=Decimal(amount))
    report(corrected, D(2026, 5, 1), editor_a, investment_completed_ytd=Decimal("3"))
    AnnualInvestment.objects.create(project=reported, year=2026, planned=10, completed=99)
    AnnualInvestment.objects.create(project=admin_only, year=2026, planned=5, completed=2)
    AnnualInvestment.objects.create(
        project=corrected,
        year=2026,
        planned=6,
        completed=4,
        corrected_by="区统计局 王某",
        correction_reason="统计局年度核定",
    )
    KeyProject.objects.create(project=reported, year=2026)
    KeyProject.objects.create(project=corrected, year=2026)
    return {"reported": reported, "admin_only": admin_only, "corrected": corrected}


EXPECTED = {"LW-TRA-001": Decimal("3"), "LW-TRA-002": Decimal("2"), "LW-TRA-003": Decimal("4")}


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def column(rows, header):
    index = rows[0].index(header)
    return {row[0]: Decimal(row[index]) for row in rows[1:] if row[index]}


def test_the_reports_month_by_month_make_the_year_to_date(portfolio):
    may = ProgressReport.objects.get(project=portfolio["reported"], period=D(2026, 5, 1))
    assert (may.investment_completed_month, may.investment_completed_ytd) == (
        Decimal("0.5"),
        Decimal("3"),
    )


def test_every_place_shows_the_same_figure_for_a_project_and_year(
    portfolio, client, manager, department_a, mailoutbox
):
    client.force_login(manager)
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    client.cookies["django_language"] = "en"

    # the portfolio page and its exports
    page = client.get(reverse("projects:portfolio"))
    shown = {p.code: p.investment_completed for p in page.context["table"].data}
    assert shown == EXPECTED
    exported = csv_rows(client.get(reverse("projects:portfolio"), {"_export": "csv"}))
    assert column(exported, "investment done this year (100 million yuan)") == EXPECTED
    book = load_workbook(
        io.BytesIO(client.get(reverse("projects:portfolio"), {"_export": "xlsx"}).content)
    )
    rows = [
        [str(c) if c is not None else "" for c in r]
        for r in book.active.iter_rows(values_only=True)
    ]
    assert column(rows, "investment done this year (100 million yuan)") == EXPECTED

    # each project's page
    for project in portfolio.values():
        years = client.get(project.get_absolute_url(), **en).context["investments"]
        assert [(f.key, f.completed) for f in years] == [(2026, EXPECTED[project.code])]

    # the dashboard, the chapter, the department: their sums
    total = sum(EXPECTED.values())
    assert client.get(reverse("home")).context["investment_completed"] == total
    chapter = client.get("/chapters/14-4/").context["figures"]
    assert chapter.investment_completed == total
    assert client.get("/chapters/").context["plans"][0][1][0].investment_completed == total
    department = client.get(reverse("projects:department", args=[department_a.slug]))
    assert department.context["investment"].completed == total

    # the investment page, its roll-ups and exports
    page = client.get(reverse("projects:investment"))
    assert page.context["district"].completed == total
    for _kind, _title, groups in page.context["rollups"]:
        assert [g.completed for g in groups] == [total]
    exported = csv_rows(client.get(reverse("projects:investment"), {"_export": "csv"}))
    assert column(exported, "completed (100 million yuan)") == EXPECTED

    # the key projects page and its export
    page = client.get(reverse("projects:key_projects", args=[2026]))
    assert {r["code"]: r["investment_completed"] for r in page.context["rows"]} == {
        "LW-TRA-001": EXPECTED["LW-TRA-001"],
        "LW-TRA-003": EXPECTED["LW-TRA-003"],
    }
    exported = csv_rows(
        client.get(reverse("projects:key_projects", args=[2026]), {"_export": "csv"})
    )
    assert column(exported, "completed (100 million yuan)") == {
        "LW-TRA-001": Decimal("3"),
        "LW-TRA-003": Decimal("4"),
    }

    # the department's workbook (its ledger column, for the month's year)
    sheet = load_workbook(io.BytesIO(workbook.build(department_a, TODAY)))[workbook.REPORTS]
    keys = [key for key, _header, _editable in workbook.REPORT_COLUMNS]
    cells = {
        row[0]: Decimal(str(row[keys.index("ledger_completed")]))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert cells == EXPECTED

    # the digests: the department's lists its projects, the managers' the district total
    editor = make_user(Role.EDITOR, department=department_a)
    editor.email = "a@liwan.example"
    editor.save()
    manager.email = "boss@liwan.example"
    manager.save()
    Milestone.objects.create(
        project=portfolio["reported"],
        title="主体开工",
        planned_date=TODAY - datetime.timedelta(days=3),
        responsible_department=department_a,
    )
    call_command("send_digest", stdout=io.StringIO())
    by_recipient = {tuple(m.to): m.body for m in mailoutbox}
    body = by_recipient[("a@liwan.example",)]
    for code, amount in EXPECTED.items():
        assert f"{code} " in body and f": {amount:.2f}\u00a0" in body  # 3.00 亿元 / …
    assert f"{total:.2f}" in by_recipient[("boss@liwan.example",)]


def test_the_key_projects_figure_the_district_publishes(portfolio, client, manager):
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("projects:key_projects", args=[2026]))
    headline = page.context["headline"]
    # 3 + 4 completed of their annual plans, 10 + 6 (the one place a plan is kept)
    assert (headline.projects, headline.completed, headline.planned) == (2, 7, 16)
    assert round(headline.rate, 1) == Decimal("43.8")
    assert "2 key projects completed 7.00\u00a0hundred million yuan, 43.8% of the annual plan." in (
        page.content.decode()
    )


def test_the_share_of_the_year_counts_real_days():
    assert ledger.year_share(D(2026, 12, 31)) == 100
    assert ledger.year_share(D(2028, 12, 31)) == 100  # a leap year
    assert ledger.year_share(D(2026, 1, 1)) == pytest.approx(100 / 365)
    assert ledger.year_share(D(2028, 2, 29)) == pytest.approx(60 / 366 * 100)
    assert ledger.share_for(2025, D(2026, 3, 1)) == 100
    assert ledger.share_for(2027, D(2026, 3, 1)) == 0


def test_the_dashboard_shows_the_share_on_31_december(client, manager):
    with time_machine.travel(datetime.datetime(2026, 12, 31, 4, tzinfo=datetime.UTC), tick=False):
        client.force_login(manager)
        assert client.get(reverse("home")).context["year_share"] == 100


def test_the_curve_carries_each_project_forward_and_has_units(portfolio, client, manager):
    points = ledger.curve(2026)
    # the corrected project reported only May (3 to date); the other month by month
    assert points == [
        (1, Decimal("0.5")),
        (2, Decimal("0.75")),
        (3, Decimal("1.75")),
        (4, Decimal("2.5")),
        (5, Decimal("6")),
    ]
    curve = charts.investment_curve(points, Decimal("21"))
    assert curve.plan_label == money(21) and len(curve.actual_dots) == 5
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("projects:investment")).content.decode()
    assert "<svg" in html and "100 million yuan" in html and ">month<" in html


class TestTheReportRule:
    def test_the_month_is_worked_out_from_the_year_to_date(self, portfolio, editor_a):
        june = report(
            portfolio["reported"], D(2026, 6, 1), editor_a, investment_completed_ytd=Decimal("3.4")
        )
        assert june.investment_completed_month == Decimal("0.4")

    def test_a_year_to_date_below_the_previous_month_is_refused(self, portfolio, editor_a):
        with pytest.raises(ValidationError) as refusal:
            report(
                portfolio["reported"],
                D(2026, 6, 1),
                editor_a,
                investment_completed_ytd=Decimal("2"),
            )
        assert refusal.value.message_dict == {
            "investment_completed_ytd": [
                "The year to date cannot be less than the previous month's (3)."
            ]
        }

    def test_an_edit_must_keep_the_next_month_right(self, portfolio, editor_a):
        april = ProgressReport.objects.get(project=portfolio["reported"], period=D(2026, 4, 1))
        with pytest.raises(ValidationError) as refusal:
            services.report_submit(
                project=portfolio["reported"],
                author=editor_a,
                period=D(2026, 4, 1),
                version=april.version,
                health="green",
                percent_complete=20,
                narrative="按计划推进",
                investment_completed_month=Decimal("1"),
                investment_completed_ytd=None,
            )
        assert refusal.value.message_dict == {
            "investment_completed_ytd": [
                "The next month's report counts 3 to date, 0.5 of it in that month: "
                "this month's year to date must be 2.5."
            ]
        }

    def test_january_starts_the_year(self, frozen_today, department_a, editor_a):
        project = make_project(lead_department=department_a, stage="construction")
        january = report(
            project, D(2026, 1, 1), editor_a, investment_completed_month=Decimal("1.2")
        )
        assert january.investment_completed_ytd == Decimal("1.2")


class TestTheCorrection:
    def test_it_names_who_and_why_in_the_model(self, portfolio):
        row = AnnualInvestment(project=portfolio["admin_only"], year=2025, corrected_by="王某")
        with pytest.raises(ValidationError) as refusal:
            row.full_clean()
        assert refusal.value.message_dict == {
            "correction_reason": ["A correction names who made it and why."]
        }

    def test_and_in_the_database(self, portfolio):
        from django.db import IntegrityError

        with pytest.raises(IntegrityError):
            AnnualInvestment.objects.create(
                project=portfolio["admin_only"], year=2025, correction_reason="核定"
            )


def test_the_key_projects_page_shows_what_the_district_published_with_its_source(
    client, manager, frozen_today
):
    client.force_login(manager)
    page = client.get(reverse("projects:key_projects", args=[2024])).content.decode()
    # As published (plan data, fixtures/plan14/official_values.json), with its address.
    assert "167个区重点项目完成投资410.1亿元,年度投资计划完成率107.7%" in page
    assert "410.1" in page and "107.7%" in page
    assert "http://www.lw.gov.cn/zjlw/lwgs/jjfz/index.html" in page
    page = client.get(reverse("projects:key_projects", args=[2019])).content.decode()
    assert "107.7" not in page  # nothing published for that year


def test_an_umbrella_and_its_part_count_once_in_every_sum(
    frozen_today, department_a, department_b, editor_a, editor_b, client, manager
):
    """The umbrella entry carries the whole work's figures: the district's totals, its
    roll-ups and its curve leave the part out; the part's own department, whose set holds
    the part without its umbrella, counts it."""
    whole = make_project(code="LW-IND-901", lead_department=department_a, stage="construction")
    part = make_project(
        code="LW-URB-901", lead_department=department_b, stage="construction", part_of=whole
    )
    AnnualInvestment.objects.create(project=whole, year=2026, planned=10)
    AnnualInvestment.objects.create(project=part, year=2026, planned=4)
    report(whole, D(2026, 5, 1), editor_a, investment_completed_ytd=Decimal("6"))
    report(part, D(2026, 5, 1), editor_b, investment_completed_ytd=Decimal("2"))

    district = ledger.total(ledger.project_figures(2026), 2026, TODAY)
    assert (district.projects, district.planned, district.completed) == (1, 10, 6)
    assert ledger.curve(2026) == [(month, Decimal(0)) for month in range(1, 5)] + [(5, Decimal(6))]
    by_department = {
        f.key: f.completed
        for f in ledger.rollups(ledger.project_figures(2026), 2026, TODAY)["department"]
    }
    assert by_department == {department_a.slug: 6}
    own = Project.objects.filter(lead_department=department_b)
    assert ledger.total(ledger.project_figures(2026, own), 2026, TODAY).completed == 2
    assert ledger.curve(2026, own)[-1] == (5, Decimal(2))
    client.force_login(manager)
    page = client.get(reverse("projects:investment"))
    assert page.context["district"].completed == 6


def test_the_curve_says_how_much_of_the_year_is_in_no_month(portfolio, client, manager):
    """Reports place 3 + 3 by month; the ledger's 9 adds the administrator's yearly 2 and
    the correction's +1, which no month holds: the curve says so beside the total."""
    client.force_login(manager)
    page = client.get(reverse("projects:investment"))
    assert page.context["district"].completed == 9
    with translation.override("zh-hans"):  # the page's language
        assert page.context["curve"].unplaced == money(3)
    assert (
        "belong to no month" in page.content.decode() or "不属于任何月份" in page.content.decode()
    )
    page = client.get(portfolio["reported"].get_absolute_url())
    assert page.context["curve"].unplaced == ""  # its reports make its whole figure


def test_total_of_sums_what_total_of_the_rows_sums(db):
    """ledger.total_of reads two figures a project; it must add up as total() of the full
    rows does (a part under its umbrella counted once, projects with no figure left out)."""
    umbrella = make_project(code="LW-INF-101")
    part = make_project(code="LW-INF-102", part_of=umbrella)
    alone = make_project(code="LW-INF-103")
    make_project(code="LW-INF-104")  # no figure this year
    AnnualInvestment.objects.create(project=umbrella, year=2026, planned=10, completed=4)
    AnnualInvestment.objects.create(project=part, year=2026, planned=3, completed=1)
    AnnualInvestment.objects.create(project=alone, year=2026, planned=2, completed=2)
    for projects in (None, Project.objects.filter(pk__in=[part.pk, alone.pk])):
        expected = ledger.total(ledger.project_figures(2026, projects), 2026, TODAY)
        found = ledger.total_of(2026, TODAY, projects)
        assert (found.projects, found.planned, found.completed, found.share) == (
            expected.projects,
            expected.planned,
            expected.completed,
            expected.share,
        )
    assert ledger.total_of(2026, TODAY).planned == 12


def test_each_year_of_a_project_takes_its_own_row_and_reports(
    frozen_today, department_a, editor_a, client, manager, query_budget
):
    """A project with figures over several years: each year reads its own yearly row and
    its own reports by the one precedence (a correction, else the year to date of the
    year's newest report that gives one, else the administrator's figure). The project's
    page, the ledger of many projects (a join), of a list's page (subqueries) and over
    years all show the same, and the page reads every year in one query."""
    project = make_project(
        code="LW-TRA-201",
        lead_department=department_a,
        stage="construction",
        start_date=D(2023, 1, 1),
    )
    AnnualInvestment.objects.create(project=project, year=2023, planned=8, completed=7)
    AnnualInvestment.objects.create(
        project=project,
        year=2024,
        planned=9,
        completed=1,
        corrected_by="区统计局 王某",
        correction_reason="统计局年度核定",
    )
    AnnualInvestment.objects.create(project=project, year=2025, planned=6, completed=99)
    report(project, D(2024, 12, 1), editor_a, investment_completed_ytd=Decimal("5"))
    report(project, D(2025, 3, 1), editor_a, investment_completed_ytd=Decimal("2"))
    report(project, D(2025, 11, 1), editor_a, investment_completed_ytd=Decimal("4"))
    report(project, D(2025, 12, 1), editor_a)  # no figure: November's stands
    report(project, D(2026, 5, 1), editor_a, investment_completed_ytd=Decimal("3"))
    expected = {
        2023: (Decimal(8), Decimal(7), "admin"),
        2024: (Decimal(9), Decimal(1), "correction"),
        2025: (Decimal(6), Decimal(4), "reports"),
        2026: (None, Decimal(3), "reports"),  # reports without a yearly row
    }

    for subqueries in (False, True):
        for year, figures in expected.items():
            row = (
                Project.objects.with_investment(year, subqueries=subqueries)
                .values_list("investment_planned", "investment_completed", "investment_source")
                .get(pk=project.pk)
            )
            assert row == figures, (year, subqueries)
    over_years = ledger.figures_over_years(expected, Project.objects.filter(pk=project.pk))
    assert over_years == {project.pk: {y: f[:2] for y, f in expected.items()}}

    # The project's page applies the same rule to the rows it has read: no query.
    investments, reports = list(project.investments.all()), list(project.reports.all())
    with query_budget(0):
        years = ledger.project_years(investments, reports)
        curves = {year: ledger.project_curve(year, reports) for year in expected}
    assert {f.key: (f.planned, f.completed, f.source) for f in years} == expected
    assert curves == {year: ledger.curve(year, [project.pk]) for year in expected}
    assert curves[2025] == [(m, Decimal(0)) for m in (1, 2)] + [
        (m, Decimal(2)) for m in range(3, 11)
    ] + [(11, Decimal(4))]
    client.force_login(manager)
    page = client.get(project.get_absolute_url())
    assert [(f.key, f.completed) for f in page.context["investments"]] == [
        (year, figures[1]) for year, figures in expected.items()
    ]
    assert page.context["curve"].plan_y is None  # 2026 has no yearly row: no plan drawn


@pytest.mark.parametrize(
    "yearly, year_to_date, expected",
    [
        # A correction wins over the reports' figure.
        ((9, 1, "统计局年度核定"), ["2", "5"], (Decimal(9), Decimal(1), "correction")),
        # A yearly row without a reason is no correction: the newest report's figure (the
        # newest report without one leaves it).
        ((9, 1, ""), ["2", "5", None], (Decimal(9), Decimal(5), "reports")),
        # Reports without a figure leave the yearly figure.
        ((9, 1, ""), [None, None], (Decimal(9), Decimal(1), "admin")),
        ((9, 1, "核定"), [], (Decimal(9), Decimal(1), "correction")),
        ((9, 1, ""), [], (Decimal(9), Decimal(1), "admin")),
        (None, ["3", None], (None, Decimal(3), "reports")),
        (None, [None], (None, None, "")),
        (None, [], (None, None, "")),
    ],
)
def test_the_rule_in_python_and_in_sql_give_the_same_figures(
    frozen_today, department_a, editor_a, yearly, year_to_date, expected
):
    """year_investment(), the rule a project's page applies to the rows it has read, and
    with_investment(), the same rule in SQL (a join, or subqueries), give the same planned
    and completed figures and source, whatever the year holds."""
    from projects.models import year_investment

    project = make_project(code="LW-TRA-211", lead_department=department_a, stage="construction")
    if yearly is not None:
        planned, completed, reason = yearly
        AnnualInvestment.objects.create(
            project=project,
            year=2025,
            planned=planned,
            completed=completed,
            corrected_by="区统计局" if reason else "",
            correction_reason=reason,
        )
    for month, figure in enumerate(year_to_date, start=3):  # newest last
        ytd = {} if figure is None else {"investment_completed_ytd": Decimal(figure)}
        report(project, D(2025, month, 1), editor_a, **ytd)
    report(project, D(2026, 1, 1), editor_a, investment_completed_ytd=Decimal("8"))  # next year

    row = project.investments.filter(year=2025).first()
    reports = [r for r in project.reports.all() if r.period.year == 2025]
    assert year_investment(row, reports) == expected
    assert year_investment(row, reversed(reports)) == expected  # in any order
    for subqueries in (False, True):
        in_sql = (
            Project.objects.with_investment(2025, subqueries=subqueries)
            .values_list("investment_planned", "investment_completed", "investment_source")
            .get(pk=project.pk)
        )
        assert in_sql == expected, subqueries
    years = ledger.project_years(project.investments.all(), project.reports.all())
    assert [(f.key, f.planned, f.completed, f.source) for f in years if f.key == 2025] == (
        [(2025, *expected)] if expected[2] else []
    )


def test_a_chapter_holding_an_umbrella_and_its_part_counts_the_work_once(db):
    """The roll-ups read the chapters of the set the rows came from: the part's link to
    the chapter is there, but the part is counted in its umbrella."""
    plan = make_plan()
    chapter = make_chapter(plan, "4", title="交通")
    section = make_chapter(plan, "4.2", title="轨道交通", parent=chapter)
    whole = make_project(code="LW-TRA-301")
    part = make_project(code="LW-TRA-302", part_of=whole)
    whole.chapters.add(chapter)
    part.chapters.add(section)
    AnnualInvestment.objects.create(project=whole, year=2026, planned=10, completed=4)
    AnnualInvestment.objects.create(project=part, year=2026, planned=3, completed=1)

    found = ledger.rollups(ledger.project_figures(2026), 2026, TODAY)
    assert [(f.key, f.projects, f.planned, f.completed) for f in found["chapter"]] == [
        ("14-4", 1, 10, 4)
    ]
    assert [(f.key, f.projects, f.planned) for f in found["plan"]] == [(14, 1, 10)]
