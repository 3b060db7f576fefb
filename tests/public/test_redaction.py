"""No redacted value appears in any public page or public JSON response, in either
language; the public URLs are found in the URL configuration, so a new one is walked too."""

import json

import pytest
from django.test import Client

from public.redaction import PUBLIC_FIELDS

from .conftest import SECRETS, public_url_names, public_urls

pytestmark = pytest.mark.django_db


def text_of(response):
    """The response as a reader or a program sees it: JSON decoded (no \\u escapes)."""
    body = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body


def test_the_walk_finds_every_public_url():
    names = {name for name, _kwargs in public_url_names()}
    assert {
        "public:projects",
        "public:project",
        "public:indicators",
        "public:chapters",
        "public_api:projects",
        "public_api:project",
        "public_api:indicators",
        "public_api:chapters",
    } <= names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_redacted_value_appears_in_any_public_response(secret_world, language):
    client = Client()
    client.cookies["django_language"] = language
    urls = public_urls(secret_world)
    assert len(urls) >= 10
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = text_of(response)
        # Something public is shown, so that the walk cannot pass on empty pages.
        assert any(
            shown in text for shown in ("荔湾大道改造", "Liwan Avenue", "地区生产总值", "综合交通")
        ), url
        leaked = {label: secret for label, secret in SECRETS.items() if secret in text}
        assert not leaked, (url, leaked)


def test_the_real_project_shows_what_is_public(secret_world, client):
    data = client.get("/api/v1/public/projects/LW-TRA-001/").json()
    assert data["progress_percent"] == 40  # the accepted report's, not the returned one's
    assert data["progress_month"] == "2026-04-01"
    assert data["stage"] == "construction"
    assert data["chapters"] == [{"key": "15-3.1", "code": "3.1", "title": "综合交通"}]
    assert data["total_investment"] == "12.5000"
    assert data["investment_planned"] == "6.0000"
    assert data["investment_completed"] == "2.0000"  # the correction, by the ledger's rule
    assert data["sample_data"] is False
    assert set(data) == set(PUBLIC_FIELDS["project_detail"]) | {"sample_data"}


def test_sample_projects_and_projects_with_sample_rows_are_left_out(secret_world, client):
    listed = client.get("/api/v1/public/projects/").json()
    assert [p["code"] for p in listed["results"]] == ["LW-TRA-001"]
    assert listed["sample_data"] is False
    assert client.get("/public/projects/LW-SMP-001/").status_code == 404
    assert client.get("/public/projects/LW-MIX-001/").status_code == 404
    assert client.get("/api/v1/public/projects/LW-SMP-001/").status_code == 404


def test_indicators_show_official_values_and_the_verdict_on_them_alone(secret_world, client):
    [indicator] = client.get("/api/v1/public/indicators/").json()["results"]
    assert [v["year"] for v in indicator["values"]] == [2025]
    assert indicator["latest_value"] == "1100.0000"
    assert indicator["values"][0]["source_url"] == "https://www.lw.gov.cn/tjgb/2025"
    assert indicator["verdict"] and indicator["verdict_label"]
    assert set(indicator) == set(PUBLIC_FIELDS["indicator"])


def test_chapters_count_public_projects_only(secret_world, client):
    chapters = client.get("/api/v1/public/chapters/").json()["results"]
    by_key = {c["key"]: c for c in chapters}
    # Chapter 3 is served by the sample project, the project with sample rows and (through
    # 3.1) the real one: one public project.
    assert by_key["15-3"]["project_count"] == 1
    assert by_key["15-3.1"]["project_count"] == 1
    assert by_key["15-3"]["indicator_count"] == 1


def test_every_serializer_field_is_allow_listed():
    from public import api

    for serializer, kind in (
        (api.ProjectSerializer, "project"),
        (api.IndicatorSerializer, "indicator"),
        (api.ChapterSerializer, "chapter"),
        (api.ValueSerializer, "value"),
        (api.ChapterLinkSerializer, "chapter_link"),
        (api.InvestmentYearSerializer, "investment_year"),
    ):
        assert set(serializer().fields) == set(PUBLIC_FIELDS[kind]), kind
    detail = set(api.ProjectDetailSerializer().fields) - {"sample_data"}
    assert detail == set(PUBLIC_FIELDS["project_detail"])
