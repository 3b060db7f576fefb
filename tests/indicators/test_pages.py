"""The indicator pages: who sees what, who may enter values, what bad input gets."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator, IndicatorValue
from projects.roles import Role

from ..conftest import (
    PASSWORD,
    make_chapter,
    make_indicator,
    make_plan,
    make_project,
    make_user,
)

pytestmark = pytest.mark.django_db

LIST = reverse("indicators:list")


def detail(indicator):
    return reverse("indicators:detail", args=[indicator.code])


def add(indicator):
    return reverse("indicators:value_add", args=[indicator.code])


def edit(indicator, year):
    return reverse("indicators:value_edit", args=[indicator.code, year])


@pytest.fixture
def plan():
    return make_plan()


@pytest.fixture
def gdp(plan, department_a):
    indicator = make_indicator(
        plan=plan,
        code="GDP",
        name="地区生产总值",
        unit="亿元",
        target_value=Decimal("1450"),
        responsible_department=department_a,
        source_paragraph=28,
        source_sentence="2025年达到1450亿元左右。",
    )
    IndicatorValue.objects.create(indicator=indicator, year=2021, value=1200, note="统计年鉴")
    IndicatorValue.objects.create(indicator=indicator, year=2022, value=1250, note="统计年鉴")
    return indicator


@pytest.fixture
def enrolment(plan, department_b):
    return make_indicator(
        plan=plan,
        code="ENROL",
        name="适龄残疾儿童少年义务教育入学率",
        unit="%",
        category=Indicator.Category.LIVELIHOOD,
        target_kind=Indicator.TargetKind.AT_LEAST,
        target_value=Decimal("95"),
        responsible_department=department_b,
    )


@pytest.fixture
def in_2023():
    import time_machine

    with time_machine.travel(datetime.datetime(2023, 6, 1, 4, tzinfo=datetime.UTC), tick=False):
        yield


class TestList:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, gdp):
        for url in (LIST, detail(gdp), add(gdp)):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize(
        "persona", ["manager", "viewer", "editor_a", "editor_b", "administrator"]
    )
    def test_everyone_signed_in_reads_the_list(
        self, persona, request, client, gdp, enrolment, in_2023
    ):
        client.force_login(request.getfixturevalue(persona))
        page = client.get(LIST).content.decode()
        assert "地区生产总值" in page and "适龄残疾儿童少年义务教育入学率" in page
        assert "status-needs_acceleration" in page  # GDP: 50 a year against 62.5
        assert "status-no_data" in page  # enrolment

    def test_filters(self, client, manager, gdp, enrolment, in_2023):
        client.force_login(manager)

        def codes(**params):
            return [row.record.code for row in client.get(LIST, params).context["table"].rows]

        assert codes() == ["ENROL", "GDP"]  # by plan, order, code
        assert codes(category="livelihood") == ["ENROL"]
        assert codes(nature="binding") == []
        assert codes(responsible_department=gdp.responsible_department_id) == ["GDP"]
        assert codes(status="needs_acceleration") == ["GDP"]
        assert codes(status="no_data") == ["ENROL"]

    def test_a_filter_value_that_is_not_a_choice_is_ignored_and_said(self, client, manager, gdp):
        client.force_login(manager)
        response = client.get(LIST, {"category": "astrology"})
        assert response.status_code == 200
        assert len(response.context["table"].rows) == 1
        assert response.context["filter"].form.errors

    def test_the_department_filter_offers_only_departments_that_report(self, client, manager, gdp):
        from ..conftest import make_department

        for _ in range(30):
            make_department()
        client.force_login(manager)
        field = client.get(LIST).context["filter"].form.fields["responsible_department"]
        assert [d.pk for d in field.queryset] == [gdp.responsible_department_id]

    def test_it_runs_the_same_queries_for_5_and_50_indicators(
        self, client, manager, plan, department_a, query_budget
    ):
        client.force_login(manager)

        def grow(n):
            for _ in range(n):
                indicator = make_indicator(plan=plan, responsible_department=department_a)
                IndicatorValue.objects.create(indicator=indicator, year=2022, value=1)

        # 1 session, 2 user, 3 departments for the filter, 4 indicators with plan and
        # department, 5 their values, 6 the user's roles and 7 one query of counts (the top
        # bar's to-do: supervision/todo.py), 8 whether sample data exists (banner), 9 the
        # plans (the plan switch, issue 16)
        grow(5)
        with query_budget(9):
            assert len(client.get(LIST).context["table"].rows) == 5
        grow(45)
        with query_budget(9):
            assert len(client.get(LIST).context["table"].rows) == 50


class TestExport:
    def test_csv_has_the_filtered_rows(self, client, manager, gdp, enrolment, in_2023):
        client.force_login(manager)
        response = client.get(LIST, {"category": "economy", "_export": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        assert response.streaming
        rows = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        assert len(rows) == 2
        assert rows[1][0] == "GDP"
        assert "1450" in rows[1][6]

    def test_xlsx_has_every_row_not_only_the_page(self, client, manager, plan, department_a):
        for _ in range(60):
            make_indicator(plan=plan, responsible_department=department_a)
        client.force_login(manager)
        response = client.get(LIST, {"_export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row == 61  # header and 60 rows, though a page shows 50

    def test_an_unknown_format_is_refused_with_a_message(self, client, manager, gdp):
        client.force_login(manager)
        response = client.get(LIST, {"_export": "pdf"})
        assert response.status_code == 400
        assert "csv" in response.content.decode()


class TestDetail:
    def test_it_shows_the_plan_the_values_the_path_and_the_verdict(
        self, client, viewer, gdp, in_2023
    ):
        chapter = make_chapter(gdp.plan, "2")
        gdp.chapters.add(chapter)
        make_project(name="东沙隧道").indicators.add(gdp)
        client.force_login(viewer)
        response = client.get(detail(gdp))
        page = response.content.decode()
        assert "2025年达到1450亿元左右。" in page
        assert "<svg" in page and 'class="expected"' in page
        assert "东沙隧道" in page and chapter.title in page
        assert response.context["assessment"].status == "needs_acceleration"
        assert [v.year for v in response.context["values"]] == [2021, 2022]
        assert "统计年鉴" in page
        assert not response.context["may_edit"]
        assert add(gdp) not in page

    def test_the_responsible_departments_editor_is_offered_data_entry(self, client, editor_a, gdp):
        client.force_login(editor_a)
        response = client.get(detail(gdp))
        assert response.context["may_edit"]
        assert add(gdp) in response.content.decode()

    def test_an_unknown_code_is_404(self, client, viewer):
        client.force_login(viewer)
        assert client.get(reverse("indicators:detail", args=["NOPE"])).status_code == 404

    def test_it_runs_a_fixed_number_of_queries(self, client, viewer, gdp, query_budget):
        client.force_login(viewer)
        # session, user, indicator, values with who entered them, chapters with plans,
        # projects with departments, groups (may the user edit?), sample-data banner; the
        # top bar's to-do count costs a viewer nothing more (no counts: nothing waits on them)
        with query_budget(8):
            client.get(detail(gdp))
        for year in (2023, 2024, 2025):
            IndicatorValue.objects.create(indicator=gdp, year=year, value=1300)
        with query_budget(8):
            client.get(detail(gdp))


class TestDataEntry:
    def test_the_responsible_departments_editor_enters_a_value(self, client, editor_a, gdp):
        client.force_login(editor_a)
        response = client.post(add(gdp), {"year": 2023, "value": "1310.5", "note": "统计公报"})
        assert response.status_code == 302
        saved = gdp.values.get(year=2023)
        assert (saved.value, saved.note, saved.entered_by) == (
            Decimal("1310.5"),
            "统计公报",
            editor_a,
        )

    def test_the_editor_corrects_a_value_and_the_history_keeps_the_old_one(
        self, client, editor_a, gdp
    ):
        client.force_login(editor_a)
        response = client.post(
            edit(gdp, 2022), {"year": 2022, "value": "1260", "note": "修正", "loaded_version": 1}
        )
        assert response.status_code == 302
        value = gdp.values.get(year=2022)
        assert value.value == Decimal("1260")
        assert [h.value for h in value.history.order_by("history_date")] == [
            Decimal("1250"),
            Decimal("1260"),
        ]
        assert value.history.first().history_user == editor_a

    def test_a_correction_cannot_move_the_year(self, client, editor_a, gdp):
        client.force_login(editor_a)
        client.post(edit(gdp, 2022), {"year": 2024, "value": "1260", "note": "修正"})
        assert sorted(gdp.values.values_list("year", flat=True)) == [2021, 2022]

    def test_administrators_may_enter_values_too(self, client, administrator, gdp):
        client.force_login(administrator)
        assert client.post(add(gdp), {"year": 2023, "value": "1", "note": "x"}).status_code == 302

    @pytest.mark.parametrize("persona", ["editor_b", "manager", "viewer"])
    def test_everyone_else_is_refused_and_nothing_changes(self, persona, request, client, gdp):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(add(gdp)).status_code == 403
        assert client.post(add(gdp), {"year": 2023, "value": "1", "note": "x"}).status_code == 403
        assert (
            client.post(edit(gdp, 2022), {"year": 2022, "value": "1", "note": "x"}).status_code
            == 403
        )
        assert sorted(gdp.values.values_list("year", "value")) == [(2021, 1200), (2022, 1250)]

    def test_an_editor_without_a_department_is_refused(self, client, gdp):
        client.force_login(make_user(Role.EDITOR))
        assert client.post(add(gdp), {"year": 2023, "value": "1", "note": "x"}).status_code == 403

    def test_correcting_a_missing_year_is_404(self, client, editor_a, gdp):
        client.force_login(editor_a)
        assert client.get(edit(gdp, 2024)).status_code == 404

    @pytest.mark.parametrize(
        "data, field, message",
        [
            ({"year": 2031, "value": "1", "note": "x"}, "year", "2020"),
            ({"year": 2023, "value": "abc", "note": "x"}, "value", ""),
            ({"year": 2022, "value": "1", "note": "x"}, "year", "2022"),
            ({"year": 2023, "value": "1", "note": ""}, "note", ""),
        ],
        ids=["year outside the plan", "not a number", "duplicate year", "no source note"],
    )
    def test_bad_input_gets_a_message_and_saves_nothing(
        self, data, field, message, client, editor_a, gdp
    ):
        client.force_login(editor_a)
        response = client.post(add(gdp), data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors
        assert message in " ".join(errors[field])
        assert gdp.values.count() == 2

    def test_a_percentage_above_100_is_refused(self, client, editor_b, enrolment):
        client.force_login(editor_b)
        response = client.post(add(enrolment), {"year": 2023, "value": "101", "note": "x"})
        assert "value" in response.context["form"].errors
        assert not enrolment.values.exists()


def test_signing_in_with_the_form_reaches_the_list(client, editor_a, gdp):
    client.post(reverse("login"), {"username": "editor-a", "password": PASSWORD})
    assert client.get(LIST).status_code == 200


def test_a_stale_correction_is_refused_and_the_newer_value_stays(client, editor_a, gdp):
    client.force_login(editor_a)
    url = edit(gdp, 2022)
    loaded = client.get(url).context["form"]["loaded_version"].value()
    client.post(url, {"year": 2022, "value": "1260", "note": "甲", "loaded_version": loaded})
    response = client.post(
        url, {"year": 2022, "value": "1270", "note": "乙", "loaded_version": loaded}
    )
    assert response.status_code == 409
    assert gdp.values.get(year=2022).value == 1260
