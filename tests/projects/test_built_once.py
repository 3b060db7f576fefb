"""The portfolio's queryset is built once a day (ProjectManager.built_once): what is kept is
how its query is made, never its rows, so every list reads the database as it is now."""

import datetime

import pytest
from django.db import connection
from django.db.models import F, IntegerField, Value
from django.urls import reverse

from projects.models import Project

from ..conftest import make_milestone, make_project, make_report

pytestmark = pytest.mark.django_db
D = datetime.date


def health_of(project, on):
    return {p.pk: (p.latest_health, p.schedule_health) for p in Project.objects.for_portfolio(on)}[
        project.pk
    ]


def test_each_use_reads_the_rows_saved_since_it_was_built():
    project = make_project()
    on = D(2026, 6, 15)
    first = Project.objects.for_portfolio(on)
    assert [p.latest_health for p in first] == [None]
    make_report(project, D(2026, 5, 1), health="amber")
    assert health_of(project, on) == ("amber", "green")
    make_milestone(project, D(2026, 1, 1))
    assert health_of(project, on) == ("amber", "red")
    assert [p.latest_health for p in first] == [None]  # a list already read stays as read


def test_a_day_has_its_own_and_a_setting_its_own(settings):
    project = make_project()
    make_milestone(project, D(2026, 6, 1))
    assert health_of(project, D(2026, 5, 31)) == (None, "green")
    assert health_of(project, D(2026, 6, 10)) == (None, "amber")
    settings.SCHEDULE_RED_AFTER_DAYS = 5
    assert health_of(project, D(2026, 6, 10)) == (None, "red")


def test_a_report_just_submitted_is_on_the_portfolio(editor_a, frozen_today, client):
    project = make_project(lead_department=editor_a.department, stage="construction")
    client.force_login(editor_a)
    assert client.get(reverse("projects:portfolio")).status_code == 200  # built for the day
    form = {
        "version": "0",
        "period": "2026-05",
        "health": "red",
        "percent_complete": "35",
        "narrative": "征拆受阻",
    }
    response = client.post(reverse("projects:report_new", args=[project.code]), form)
    assert response.status_code == 302
    rows = client.get(reverse("projects:portfolio")).context["table"].page.object_list
    assert [(row.record.latest_health, row.record.latest_percent_complete) for row in rows] == [
        ("red", 35)
    ]


def test_a_projects_ledger_by_year_reads_its_own_figures_as_they_are_now(query_budget):
    from decimal import Decimal

    from projects import ledger
    from projects.models import AnnualInvestment

    first, second = make_project(), make_project()
    for project, amount in ((first, "1.5"), (second, "2.5")):
        for year in (2025, 2026):
            AnnualInvestment.objects.create(
                project=project, year=year, planned=Decimal(amount), completed=Decimal(amount)
            )

    def completed(project):
        investments, reports = list(project.investments.all()), list(project.reports.all())
        with query_budget(0):
            return [
                (f.key, f.completed, f.source) for f in ledger.project_years(investments, reports)
            ]

    assert completed(first) == [(2025, Decimal("1.5"), "admin"), (2026, Decimal("1.5"), "admin")]
    assert completed(second) == [(2025, Decimal("2.5"), "admin"), (2026, Decimal("2.5"), "admin")]
    make_report(second, D(2026, 5, 1), investment_completed_ytd=Decimal("0.7"))
    assert completed(second)[1] == (2026, Decimal("0.7"), "reports")
    assert completed(first)[1] == (2026, Decimal("1.5"), "admin")


@pytest.mark.parametrize("method", ["for_portfolio", "for_short_lists"])
def test_its_subqueries_compiled_once_give_the_sql_of_a_queryset_built_afresh(method):
    """KeptSubquery: the SQL of the kept queryset's copies, however they are narrowed,
    sorted, counted or put inside another query, is that of the same queryset built anew."""
    from django.db import connection
    from django.db.models import F

    from projects.models import KeptSubquery

    on = D(2026, 6, 15)

    def fresh():
        return getattr(Project.objects.get_queryset(), method)(on)

    def built():
        return getattr(Project.objects, method)(on)

    def variants(portfolio):
        yield portfolio
        yield portfolio.filter(code__contains="9").order_by(F("overdue_count").desc(), "pk")
        if method == "for_portfolio":
            yield portfolio.alias().filter(health_mismatch=True)[:50]
            yield portfolio.values("next_milestone_date", "carried_into")
        yield portfolio.order_by("-overdue_count", "code").ids_first()[50:100]
        yield Project.objects.filter(pk__in=portfolio.values("pk"))
        yield Project.objects.filter(pk__in=portfolio.filter(overdue_count__gt=0).values("pk"))

    def sql(queryset):
        return queryset.query.get_compiler(connection=connection).as_sql()

    kept = built()
    assert any(
        isinstance(annotation, KeptSubquery) for annotation in kept.query.annotations.values()
    )
    for _ in range(2):  # compiled, then from what was compiled
        for kept_one, fresh_one in zip(
            variants(built()), variants(fresh()), strict=True
        ):
            assert sql(kept_one) == sql(fresh_one)
    make_milestone(make_project(), D(2026, 1, 1))
    assert built().count() == 1
    assert [p.overdue_count for p in built()] == [1]


def test_a_query_made_once_reads_the_rows_of_each_call_as_they_are_now(
    client, manager, django_assert_num_queries
):
    """rows_once(): the SQL is made once, the rows are read at each call, with that call's
    values; a project's page shows what was saved since it was last shown."""
    from projects.models import Milestone, rows_once

    def milestones(pk):
        return Milestone.objects.filter(project_id=pk).select_related("project").order_by("pk")

    first, second = make_project(), make_project()
    make_milestone(first, D(2026, 1, 1), title="开工")
    assert [m.title for m in rows_once(("test milestones",), milestones, first.pk)] == ["开工"]
    assert rows_once(("test milestones",), milestones, second.pk) == []
    make_milestone(second, D(2026, 2, 1), title="主体完工")
    make_milestone(first, D(2026, 3, 1), title="验收")
    with django_assert_num_queries(1):
        found = rows_once(("test milestones",), milestones, first.pk)
    assert [(m.title, m.project.code) for m in found] == [("开工", first.code), ("验收", first.code)]
    assert [m.title for m in rows_once(("test milestones",), milestones, second.pk)] == ["主体完工"]

    # A value used other than as a parameter as given (here made a pattern): built each call.
    def named(text):
        return Milestone.objects.filter(title__contains=text).order_by("pk")

    assert [m.title for m in rows_once(("test named",), named, "完工")] == ["主体完工"]
    assert [m.title for m in rows_once(("test named",), named, "开")] == ["开工"]

    client.force_login(manager)
    page = client.get(first.get_absolute_url()).content.decode()
    assert "验收" in page and "主体完工" not in page
    Milestone.objects.filter(title="验收").update(title="竣工验收")
    assert "竣工验收" in client.get(first.get_absolute_url()).content.decode()


def test_a_query_made_once_keeps_values_and_flat_lists():
    from projects.models import rows_once

    project = make_project(code="LW-TRA-901")

    def ids(code):
        return Project.objects.filter(code=code).values_list("pk", flat=True)

    assert rows_once(("test codes",), ids, project.code) == [project.pk]
    assert rows_once(("test codes",), ids, "LW-TRA-902") == []


def test_a_value_used_twice_in_a_query_made_once_is_the_calls_value_in_both_places():
    """A whole number in an expression is passed in the type of the column it meets (on
    PostgreSQL, psycopg's Int4 for an integer column): it is the call's value there too,
    not the stand-in it was compiled with."""
    from projects.models import rows_once

    def sums(pk):
        return (
            Project.objects.filter(pk=pk)
            .annotate(twice=F("pk") + Value(pk, output_field=IntegerField()))
            .values_list("twice", flat=True)
        )

    first, second = make_project(), make_project()
    assert rows_once(("test twice",), sums, first.pk) == [2 * first.pk]
    assert rows_once(("test twice",), sums, second.pk) == [2 * second.pk]


def test_queries_sent_together_give_each_its_own_rows_as_they_are_now(
    django_assert_num_queries,
):
    """rows_together(): the rows of each call, as rows_once() gives them, with its own
    values; each query is still one query (counted, logged); one that cannot be kept (a
    related manager's) is run as built."""
    from projects.models import Milestone, rows_once, rows_together

    def milestones(pk):
        return Milestone.objects.filter(project_id=pk).select_related("project").order_by("pk")

    def code(pk):
        return Project.objects.filter(pk=pk).values_list("code", flat=True)

    def titles(pk):  # a related manager's queryset: built at each call
        return Project(pk=pk).milestones.order_by("pk").values_list("title", flat=True)

    first, second = make_project(), make_project()
    make_milestone(first, D(2026, 1, 1), title="开工")
    make_milestone(second, D(2026, 2, 1), title="主体完工")
    calls = [
        (("test together milestones",), milestones, (first.pk,)),
        (("test together code",), code, (second.pk,)),
        (("test together titles",), titles, (second.pk,)),
        (("test together milestones",), milestones, (second.pk,)),
    ]
    with django_assert_num_queries(4):
        found = rows_together(*calls)
    assert [[m.title for m in found[0]], found[1], found[2], [m.title for m in found[3]]] == [
        ["开工"],
        [second.code],
        ["主体完工"],
        ["主体完工"],
    ]
    assert found[0][0].project.code == first.code  # select_related made as rows_once() does
    make_milestone(first, D(2026, 3, 1), title="验收")
    again = rows_together(*calls)
    assert [m.title for m in again[0]] == ["开工", "验收"]
    assert [m.title for m in again[0]] == [
        m.title for m in rows_once(("test together milestones",), milestones, first.pk)
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pipeline mode")
def test_queries_sent_together_go_in_one_pipeline_and_an_error_is_raised_as_djangos():
    from django.db import transaction
    from django.db.utils import DataError
    from psycopg.pq import PipelineStatus

    from projects.models import Milestone, rows_together

    def milestones(pk):
        return Milestone.objects.filter(project_id=pk).order_by("pk")

    def codes(pk):
        return Project.objects.filter(pk=pk).values_list("code", flat=True)

    project = make_project()
    make_milestone(project, D(2026, 1, 1), title="开工")
    calls = [
        (("test pipeline milestones",), milestones, (project.pk,)),
        (("test pipeline codes",), codes, (project.pk,)),
    ]
    sent_in = []

    def pipeline_status(execute, sql, params, many, context):
        sent_in.append(connection.connection.pgconn.pipeline_status)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(pipeline_status):
        found = rows_together(*calls)
    assert [[m.title for m in found[0]], found[1]] == [["开工"], [project.code]]
    assert sent_in == [PipelineStatus.ON, PipelineStatus.ON]

    # A query the database refuses fails the batch, as Django's error; the connection goes
    # on after it (here back to before it, in a transaction).
    def divided_by_nothing(pk):
        ratio = Value(1) / (F("pk") - pk)
        return Project.objects.filter(pk=pk).annotate(ratio=ratio).values_list("ratio")

    with pytest.raises(DataError, match="division by zero"):
        with transaction.atomic():
            rows_together(
                (("test pipeline codes",), codes, (project.pk,)),
                (("test pipeline division",), divided_by_nothing, (project.pk,)),
            )
    assert rows_together(*calls)[1] == [project.code]


def test_the_dashboards_counts_read_the_rows_saved_since_their_query_was_made(settings):
    """scorecards.health_counts() makes its milestones' SQL once for a day and a setting:
    each call still counts the rows as they are, and another day or setting has its own."""
    from projects import scorecards

    project = make_project(stage="construction")
    on = D(2026, 6, 15)

    def counts(day=on):
        return [row[2:] for row in scorecards.health_counts(Project.objects.all(), day, 30)]

    assert counts() == [("green", 1, 0, 0)]
    make_milestone(project, D(2026, 6, 1))
    assert counts() == [("amber", 1, 1, 0)]
    make_milestone(project, D(2026, 6, 20), title="开工")
    assert counts() == [("amber", 1, 1, 1)]
    assert counts(D(2026, 5, 25)) == [("green", 1, 0, 2)]
    settings.SCHEDULE_RED_AFTER_DAYS = 5
    assert counts() == [("red", 1, 1, 1)]
