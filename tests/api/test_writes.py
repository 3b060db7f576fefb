"""Writes through the API reach the same rules, history and optimistic locking as the web
forms (projects.services): 400 with the model's messages, 409 with what changed, 403 for
another department with nothing changed."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings

from projects.models import Milestone, ProgressReport

from ..test_authorization import fingerprint
from .conftest import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_editor_a(api_client, editor_a):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(editor_a)}")
    return api_client


def report_url(world):
    return f"/api/v1/projects/{world['project'].code}/reports/"


REPORT = {"period": "2026-05", "health": "amber", "percent_complete": 20, "narrative": "本月进展"}


def test_an_editor_submits_the_months_report_with_history(world, as_editor_a, editor_a):
    response = as_editor_a.post(report_url(world), REPORT, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["period"], body["health"], body["status"], body["author"]) == (
        "2026-05",
        "amber",
        "submitted",
        "editor-a",
    )
    assert response["ETag"] == '"1"'
    report = ProgressReport.objects.get(pk=body["id"])
    assert report.history.get().history_user == editor_a


def test_an_edit_needs_the_version_and_a_stale_one_is_409_with_what_changed(
    world, as_editor_a, editor_a
):
    first = as_editor_a.post(report_url(world), REPORT, format="json").json()
    # Without a version: the month's report exists already, nothing of this one is saved.
    again = as_editor_a.post(report_url(world), REPORT | {"narrative": "另一份"}, format="json")
    assert again.status_code == 409
    # With the version read, in If-Match: saved.
    edit = as_editor_a.post(
        report_url(world), REPORT | {"narrative": "修改后"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert edit.status_code == 200, edit.content
    assert edit.json()["version"] == 2
    # Someone who read version 1 is refused, told what changed, and nothing is saved.
    stale = as_editor_a.post(
        report_url(world), REPORT | {"narrative": "过时的", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    conflict = stale.json()
    assert conflict["version"] == 2 and stale["ETag"] == '"2"'
    assert any(
        change["then"] == "本月进展" and change["now"] == "修改后" for change in conflict["changes"]
    ), conflict["changes"]
    assert conflict["current"]["narrative"] == "修改后"
    report = ProgressReport.objects.get(pk=first["id"])
    assert report.narrative == "修改后" and report.history.count() == 2


def test_the_version_in_the_body_and_in_if_match_must_agree(world, as_editor_a):
    url = f"/api/v1/milestones/{world['milestone'].pk}/complete/"
    response = as_editor_a.post(
        url, {"actual_date": "2026-06-14", "version": 1}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert response.status_code == 400
    assert "version" in response.json()


def test_an_editor_marks_a_milestone_done_and_a_stale_version_is_409(world, as_editor_a, editor_a):
    milestone = world["milestone"]
    url = f"/api/v1/milestones/{milestone.pk}/"
    read = as_editor_a.get(url)
    assert read["ETag"] == '"1"'
    done = as_editor_a.post(
        url + "complete/", {"actual_date": "2026-06-14"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert done.status_code == 200, done.content
    assert done.json()["actual_date"] == "2026-06-14"
    milestone.refresh_from_db()
    assert milestone.history.first().history_user == editor_a
    # A milestone done stays as it is (the service's rule, before any version).
    again = as_editor_a.post(
        url + "complete/", {"actual_date": "2026-06-13", "version": 2}, format="json"
    )
    assert again.status_code == 400 and "actual_date" in again.json()
    # Two systems re-forecast the same milestone read at version 1: the second gets 409.
    url = f"/api/v1/milestones/{world['upcoming'].pk}/reforecast/"
    body = {"forecast_date": "2026-08-01", "forecast_reason": "设计调整", "version": 1}
    assert as_editor_a.post(url, body, format="json").status_code == 200
    stale = as_editor_a.post(url, body | {"forecast_date": "2026-09-01"}, format="json")
    assert stale.status_code == 409
    changes = stale.json()["changes"]
    assert any(c["now"] == "2026-08-01" for c in changes), changes
    assert Milestone.objects.get(pk=world["upcoming"].pk).forecast_date == datetime.date(2026, 8, 1)


def test_a_reforecast_goes_through_the_models_rules(world, as_editor_a):
    url = f"/api/v1/milestones/{world['upcoming'].pk}/reforecast/"
    past = as_editor_a.post(
        url, {"forecast_date": "2026-06-01", "forecast_reason": "x", "version": 1}, format="json"
    )
    assert past.status_code == 400
    assert "forecast_date" in past.json()
    no_reason = as_editor_a.post(url, {"forecast_date": "2026-08-01", "version": 1}, format="json")
    assert no_reason.status_code == 400
    assert "forecast_reason" in no_reason.json()
    ok = as_editor_a.post(
        url,
        {"forecast_date": "2026-08-01", "forecast_reason": "设计调整", "version": 1},
        format="json",
    )
    assert ok.status_code == 200
    assert (
        Milestone.objects.get(pk=world["upcoming"].pk).planned_date
        == world["upcoming"].planned_date
    )


def test_another_departments_editor_is_refused_and_nothing_changes(world, api_client, editor_b):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(editor_b)}")
    before = fingerprint()
    for url, body in [
        (report_url(world), REPORT),
        (
            f"/api/v1/milestones/{world['milestone'].pk}/complete/",
            {"actual_date": "2026-06-14", "version": 1},
        ),
        (
            f"/api/v1/milestones/{world['milestone'].pk}/reforecast/",
            {"forecast_date": "2026-08-01", "forecast_reason": "x", "version": 1},
        ),
    ]:
        response = api_client.post(url, body, format="json")
        assert response.status_code == 403, url
    assert fingerprint() == before


BAD_INPUT = [
    ({"period": "2026-13"}, "period"),
    ({"period": "9999-01"}, "period"),
    ({"period": "not a month"}, "period"),
    ({"period": "2026-07"}, "period"),  # a month that has not begun
    ({"percent_complete": 101}, "percent_complete"),
    ({"percent_complete": 10**30}, "percent_complete"),
    ({"percent_complete": "lots"}, "percent_complete"),
    ({"health": "purple"}, "health"),
    ({"narrative": "进展\x00"}, "narrative"),
    ({"narrative": "进展\x07"}, "narrative"),
    ({"narrative": ""}, "narrative"),
    ({"narrative": "长" * 6000}, "narrative"),
    ({"investment_completed_ytd": "-1"}, "investment_completed_ytd"),
    ({"investment_completed_ytd": "1e400"}, "investment_completed_ytd"),
    (
        {"investment_completed_month": "5", "investment_completed_ytd": "1"},
        "investment_completed_ytd",
    ),
    ({"author": "someone-else"}, "author"),  # a forged field is refused, not half-read
    ({"status": "accepted"}, "status"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUT)
def test_bad_report_input_is_400_with_a_message_and_nothing_saved(
    world, as_editor_a, change, field
):
    before = fingerprint()
    response = as_editor_a.post(report_url(world), REPORT | change, format="json")
    assert response.status_code == 400, (change, response.status_code, response.content[:300])
    body = response.json()
    assert field in body and body[field], body
    assert fingerprint() == before


@pytest.mark.parametrize(
    "body",
    [
        {"actual_date": "9999-12-31", "version": 1},
        {"actual_date": "2026-02-30", "version": 1},
        {"actual_date": "1999-01-01", "version": 1},
        {"actual_date": "2026-06-20", "version": 1},  # in the future
        {"actual_date": "2026-06-14"},  # no version
        {"actual_date": "2026-06-14", "version": -1},
        {"actual_date": "2026-06-14", "version": 10**20},
        {"actual_date": None, "version": 1},
    ],
)
def test_bad_milestone_input_is_400(world, as_editor_a, body):
    before = fingerprint()
    response = as_editor_a.post(
        f"/api/v1/milestones/{world['milestone'].pk}/complete/", body, format="json"
    )
    assert response.status_code == 400, (body, response.content[:300])
    assert fingerprint() == before


def test_malformed_bodies_are_400_and_huge_ones_413(world, as_editor_a):
    url = report_url(world)
    for raw, content_type in [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"a string"', "application/json"),
        (b'{"narrative": "\x01raw control"}', "application/json"),
        (b"\xff\xfe", "application/json"),
    ]:
        response = as_editor_a.generic("POST", url, raw, content_type=content_type)
        assert response.status_code == 400, (raw, response.content[:200])
    form = as_editor_a.generic(
        "POST", url, b"period=2026-05", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415
    with override_settings(API_MAX_BODY_BYTES=1000):
        huge = as_editor_a.post(url, REPORT | {"narrative": "长" * 2000}, format="json")
    assert huge.status_code == 413
    assert ProgressReport.objects.filter(period=datetime.date(2026, 5, 1)).count() == 0


def test_bad_query_parameters_are_400_or_404_never_500(world, as_editor_a):
    for url, expected in [
        ("/api/v1/projects/?plan=99", 404),
        ("/api/v1/projects/?stage=nonsense", 400),
        ("/api/v1/projects/?chapter=abc", 400),
        ("/api/v1/projects/?lead_department=99999", 400),
        ("/api/v1/projects/?page=999", 404),
        ("/api/v1/projects/?page_size=100000", 200),
        ("/api/v1/milestones/upcoming/?days=9999", 400),
        ("/api/v1/milestones/overdue/?band=x", 400),
        ("/api/v1/milestones/overdue/?baseline=x", 400),
        ("/api/v1/investment/?year=9999", 400),
        ("/api/v1/reports/?month=2026-13", 400),
        ("/api/v1/projects/?q=%00", 400),
        ("/api/v1/chapters/nonsense/", 404),
        ("/api/v1/milestones/99999999999999999999/", 404),
    ]:
        response = as_editor_a.get(url)
        assert response.status_code == expected, (url, response.status_code, response.content[:200])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections writing at once",
)
def test_two_systems_saving_one_version_at_once_one_gets_409(frozen_today, department_a, editor_a):
    import threading

    from django.db import connections
    from rest_framework.test import APIClient

    from ..conftest import TODAY, make_milestone, make_project

    milestone = make_milestone(make_project(lead_department=department_a), TODAY)
    keys = [issue_token(editor_a, name=f"system {n}") for n in (1, 2)]
    barrier = threading.Barrier(2)
    statuses = []

    def save(key, day):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            body = {"forecast_date": day.isoformat(), "forecast_reason": "并发", "version": 1}
            barrier.wait()
            response = client.post(
                f"/api/v1/milestones/{milestone.pk}/reforecast/", body, format="json"
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(key, TODAY + datetime.timedelta(days=d)))
        for key, d in zip(keys, (10, 20), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    milestone.refresh_from_db()
    assert milestone.version == 2 and milestone.history.count() == 2
