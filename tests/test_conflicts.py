"""After a refused save (HTTP 409: someone saved a newer version first), every versioned
form is shown again with the values saved now and the version they are at, the user's
refused values listed beside it, so that a deliberate second save succeeds."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from indicators import services as indicator_services
from indicators.models import IndicatorValue
from projects import services

from .conftest import TODAY, make_indicator, make_milestone, make_plan, make_project, make_report

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def project(frozen_today, department_a):
    return make_project(code="LW-TRA-001", lead_department=department_a, stage="construction")


@pytest.fixture
def milestone(project, editor_a):
    milestone = make_milestone(
        project, TODAY + datetime.timedelta(days=20), responsible_department=project.lead_department
    )
    # Someone else re-forecasts it after the user loaded it at version 1.
    services.milestone_reforecast(
        milestone=milestone, by=editor_a, forecast_date=D(2026, 8, 1), reason="设计调整", version=1
    )
    return milestone


def yours(response):
    return [(str(label), str(value)) for label, value in response.context["conflict"].yours]


def test_the_reforecast_form_shows_the_saved_values_and_a_second_save_works(
    client, editor_a, milestone
):
    client.force_login(editor_a)
    url = reverse("projects:milestone_update", args=[milestone.pk])
    mine = {"action": "reforecast", "forecast_date": "2026-09-01", "forecast_reason": "拆迁"}
    response = client.post(url, mine | {"version": 1})
    assert response.status_code == 409
    form = response.context["forecast_form"]
    assert (form["forecast_date"].value(), form["forecast_reason"].value()) == (
        D(2026, 8, 1),
        "设计调整",
    )
    assert form["version"].value() == 2 == response.context["done_form"]["version"].value()
    assert response.context["milestone"].forecast_date == D(2026, 8, 1)  # not the refused one
    assert ("预计日期", "2026-09-01") in yours(response)
    assert ("预计日期调整原因", "拆迁") in yours(response)
    page = response.content.decode()
    assert "你的修改（未保存）" in page

    # The deliberate second save, with the version the form now carries.
    again = client.post(url, mine | {"version": form["version"].value()})
    assert again.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.forecast_date, milestone.forecast_reason) == (D(2026, 9, 1), "拆迁")


def test_the_done_form_carries_the_current_version_after_a_conflict(client, editor_a, milestone):
    client.force_login(editor_a)
    url = reverse("projects:milestone_update", args=[milestone.pk])
    response = client.post(url, {"action": "done", "actual_date": "2026-06-10", "version": 1})
    assert response.status_code == 409
    assert ("实际完成日期", "2026-06-10") in yours(response)
    version = response.context["done_form"]["version"].value()
    again = client.post(url, {"action": "done", "actual_date": "2026-06-10", "version": version})
    assert again.status_code == 302
    milestone.refresh_from_db()
    assert milestone.actual_date == D(2026, 6, 10)


def saved_by_someone_else(report, author, narrative):
    """Another save of the report (amber, 30 %) after it was loaded."""
    services.report_submit(
        project=report.project,
        author=author,
        period=report.period,
        version=report.version,
        health="amber",
        percent_complete=30,
        narrative=narrative,
    )


def test_the_report_form_shows_the_saved_report_and_a_second_save_works(
    client, editor_a, project
):
    report = make_report(project, D(2026, 5, 1), narrative="甲的文字")
    loaded = report.version
    saved_by_someone_else(report, editor_a, "甲改过的文字")
    client.force_login(editor_a)
    url = reverse("projects:report_new", args=[project.code])
    mine = {"period": "2026-05", "health": "red", "percent_complete": 35, "narrative": "乙的文字"}
    response = client.post(url, mine | {"version": loaded})
    assert response.status_code == 409
    form = response.context["form"]
    assert form["narrative"].value() == "甲改过的文字"
    assert form["health"].value() == "amber"
    assert form["version"].value() == loaded + 1
    assert ("本月进展情况", "乙的文字") in yours(response)
    assert ("健康状况", "严重滞后") in yours(response)
    again = client.post(url, mine | {"version": form["version"].value()})
    assert again.status_code == 302
    assert project.reports.get().narrative == "乙的文字"


def test_a_review_over_a_newer_version_says_what_was_refused_and_can_be_made_again(
    client, manager, editor_a, project
):
    report = make_report(project, D(2026, 5, 1))
    loaded = report.version
    saved_by_someone_else(report, editor_a, "修改后重新提交")
    client.force_login(manager)
    url = reverse("projects:report_review", args=[report.pk])
    response = client.post(url, {"decision": "return", "comment": "请补充", "version": loaded})
    message = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "未保存" in message and "请补充" in message
    report.refresh_from_db()
    assert report.status == "submitted"
    # The project page the manager is sent back to carries the current version.
    page = client.get(project.get_absolute_url()).content.decode()
    assert f'name="version" value="{report.version}"' in page
    client.post(url, {"decision": "return", "comment": "请补充", "version": report.version})
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("returned", "请补充")


def test_the_indicator_correction_shows_the_saved_value_and_a_second_save_works(
    client, editor_a, department_a
):
    indicator = make_indicator(plan=make_plan(), code="GDP", responsible_department=department_a)
    value = IndicatorValue.objects.create(indicator=indicator, year=2022, value=1200, note="公报")
    loaded = value.version
    indicator_services.value_save(
        indicator=indicator,
        year=2022,
        value=Decimal("1260"),
        note="年鉴",
        by=editor_a,
        current=value,
        version=loaded,
    )
    client.force_login(editor_a)
    url = reverse("indicators:value_edit", args=[indicator.code, 2022])
    mine = {"year": 2022, "value": "1270", "note": "乙"}
    response = client.post(url, mine | {"loaded_version": loaded})
    assert response.status_code == 409
    form = response.context["form"]
    assert (form["value"].value(), form["note"].value()) == (Decimal("1260"), "年鉴")
    assert form["loaded_version"].value() == loaded + 1
    assert ("数值", "1270") in yours(response)
    again = client.post(url, mine | {"loaded_version": form["loaded_version"].value()})
    assert again.status_code == 302
    assert indicator.values.get(year=2022).value == Decimal("1270")
