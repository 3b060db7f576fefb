"""The public view's pages and JSON: open without signing in, a sample-data banner when
everything is sample data, cacheable, throttled per address, in Chinese with the English
switch, a fixed number of queries, and bad addresses or query strings never a 500."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from projects.models import ProgressReport

from ..conftest import make_chapter, make_plan, make_project, make_report
from .conftest import public_urls

pytestmark = pytest.mark.django_db

PAGES = ["/public/", "/public/indicators/", "/public/chapters/"]
JSON = ["/api/v1/public/projects/", "/api/v1/public/indicators/", "/api/v1/public/chapters/"]


def test_signed_out_visitors_read_every_public_url(secret_world, client):
    for url in public_urls(secret_world):
        response = client.get(url)
        assert response.status_code == 200, url
    # Everything else still asks them to sign in.
    response = client.get(reverse("projects:portfolio"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_project_page_shows_its_figures(secret_world, client):
    with translation.override("en"):
        page = client.get("/public/projects/LW-TRA-001/", HTTP_COOKIE="django_language=en")
    text = page.content.decode()
    assert "Liwan Avenue works" in text
    assert "40%" in text and "12.50" in text and "推进荔湾大道改造。" in text


# --- sample data -----------------------------------------------------------------------


@pytest.fixture
def sample_world(frozen_today):
    plan = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
    project = make_project(code="LW-SMP-001", name="示例项目甲", is_sample=True)
    project.chapters.add(make_chapter(plan, "3"))
    make_report(
        project, datetime.date(2026, 4, 1), is_sample=True, status=ProgressReport.Status.ACCEPTED
    )
    return {"project": project, "chapter": project.chapters.get()}


def test_when_everything_is_sample_data_it_is_shown_with_a_banner_on_every_page(
    sample_world, client
):
    client.cookies["django_language"] = "en"
    for url in public_urls(sample_world):
        response = client.get(url)
        assert response.status_code == 200, url
        if response["Content-Type"].startswith("text/html"):
            assert 'class="sample-banner"' in response.content.decode(), url
            assert "sample data" in response.content.decode()
        elif url.endswith("/LW-SMP-001/"):
            assert response.json()["sample_data"] is True
        else:
            assert response.json()["sample_data"] is True, url
    listed = client.get("/api/v1/public/projects/").json()["results"]
    assert [p["code"] for p in listed] == ["LW-SMP-001"]


def test_real_data_has_no_banner(secret_world, client):
    for url in PAGES:
        assert "sample-banner" not in client.get(url).content.decode()


# --- caching ---------------------------------------------------------------------------


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def test_public_responses_are_cacheable_for_five_minutes(secret_world, client):
    for url in public_urls(secret_world):
        response = client.get(url)
        assert cache_control(response) == {"public", "max-age=300"}, url
        # The language is the switch's cookie: a shared cache keeps each language apart.
        assert "Cookie" in response["Vary"], url


def test_a_signed_in_users_copy_stays_private(secret_world, client, viewer):
    client.force_login(viewer)
    response = client.get("/public/")
    assert "private" in cache_control(response) and "public" not in cache_control(response)


def test_errors_are_not_cached_as_public(secret_world, client):
    for url in ("/public/projects/LW-NONE-001/", "/api/v1/public/projects/LW-NONE-001/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "public" not in cache_control(response)


# --- throttling ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/public/", "/api/v1/public/projects/"])
def test_an_address_over_the_limit_gets_429_with_retry_after(secret_world, settings, url):
    settings.PUBLIC_REQUESTS_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_COOKIE="django_language=en")
    for _ in range(3):
        assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert re.search(r"(?i)too many|throttled", refused.content.decode())
    assert "public" not in cache_control(refused)
    # Another address is not held back.
    assert Client(REMOTE_ADDR="203.0.113.8").get(url).status_code == 200


def test_behind_the_trusted_proxy_each_client_is_counted_apart(secret_world, settings):
    settings.PUBLIC_REQUESTS_PER_MINUTE = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert Client(HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).get("/public/").status_code == 200
    assert Client(HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).get("/public/").status_code == 200
    again = Client(HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).get("/public/")
    assert again.status_code == 429


# --- language --------------------------------------------------------------------------


def test_chinese_by_default_and_the_english_switch_works_signed_out(secret_world):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/public/")
    text = page.content.decode()
    assert '<html lang="zh-hans">' in text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
    switched = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/public/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302 and switched["Location"] == "/public/"
    english = client.get("/public/").content.decode()
    assert '<html lang="en">' in english and "Liwan Avenue works" in english
    assert client.get("/api/v1/public/projects/").json()["results"][0]["stage_label"] == (
        "under construction"
    )


def test_the_only_form_posting_is_the_language_switch(secret_world, client):
    for url in PAGES + ["/public/projects/LW-TRA-001/"]:
        forms = re.findall(r'<form[^>]*method="post"[^>]*>', client.get(url).content.decode())
        assert forms == ['<form method="post" action="/i18n/setlang/" class="inline lang">'], url


# --- queries ---------------------------------------------------------------------------


def add_projects(world, count):
    for _ in range(count):
        project = make_project(stage="construction")
        project.chapters.add(world["section"])
        make_report(project, datetime.date(2026, 4, 1), status=ProgressReport.Status.ACCEPTED)


# The count of requests per address is in the default cache, the database's (shared by
# every server): a page's counter costs 11 queries (add: savepoint, cull count, read,
# insert, release; incr: savepoint, read, cull count, read, update, release), the JSON's
# throttle 6 (savepoint, read, cull count, read, write, release).
PAGE_COUNTER, JSON_THROTTLE = 11, 6
# 1 plans (the current plan), 2 sample check, 3 count, 4 the page's projects with their
# figures, 5 their chapters.
LIST_QUERIES = {"/public/": 5 + PAGE_COUNTER, "/api/v1/public/projects/": 5 + JSON_THROTTLE}
# 1 plans, 2 sample check, 3 indicators (and for JSON: count first), 4 their public values.
LIST_QUERIES |= {
    "/public/indicators/": 4 + PAGE_COUNTER,
    "/api/v1/public/indicators/": 5 + JSON_THROTTLE,
}
# 1 plans, 2 sample check, 3 public project ids, 4 chapters, 5 links, 6 indicator links.
LIST_QUERIES |= {
    "/public/chapters/": 6 + PAGE_COUNTER,
    "/api/v1/public/chapters/": 6 + JSON_THROTTLE,
}


@pytest.mark.parametrize("url", sorted(LIST_QUERIES))
@pytest.mark.parametrize("more", [0, 30])
def test_lists_take_a_fixed_number_of_queries(secret_world, client, query_budget, url, more):
    add_projects(secret_world, more)
    with query_budget(LIST_QUERIES[url]):
        response = client.get(url)
    assert response.status_code == 200
    if url.endswith("projects/"):
        assert response.content.decode().count("LW-TST-") >= more


# --- bad addresses and query strings --------------------------------------------------


def test_unknown_codes_are_404(secret_world, client):
    for url in (
        "/public/projects/LW-NONE-001/",
        "/api/v1/public/projects/LW-NONE-001/",
        "/public/projects/x/",
        "/api/v1/public/projects/x/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/public/projects/x/").json()["detail"]
    page = client.get("/public/projects/LW-NONE-001/", HTTP_COOKIE="django_language=en")
    assert "There is no public project with this code." in page.content.decode()
    assert 'href="/public/"' in page.content.decode()


BAD = [
    "stage=bogus",
    "stage=",
    "chapter=99-9",
    "chapter=15-",
    "chapter=abc",
    "chapter=" + "9" * 500,
    "chapter=%00",
    "page=abc",
    "page=0",
    "page=-1",
    "page=99999999999999999999",
    "page=2",
    "stage=construction&stage=reserve",
]


@pytest.mark.parametrize("query", BAD)
def test_bad_query_strings_never_give_a_500(secret_world, client, query):
    page = client.get(f"/public/?{query}")
    assert page.status_code == 200, query
    response = client.get(f"/api/v1/public/projects/?{query}")
    assert response.status_code in (200, 400, 404), query
    assert response["Content-Type"].startswith("application/json")


def test_a_bad_filter_is_said_on_the_page_and_in_the_json(secret_world, client):
    client.cookies["django_language"] = "en"
    page = client.get("/public/?chapter=99-9").content.decode()
    assert "The plan shown has no chapter 99-9." in page
    assert "荔湾大道改造" in page or "Liwan Avenue works" in page  # the whole list instead
    response = client.get("/api/v1/public/projects/?stage=bogus")
    assert response.status_code == 400 and "stage" in response.json()


def test_only_get_and_head(secret_world, client):
    for url in public_urls(secret_world):
        assert client.post(url).status_code == 405, url
        assert client.head(url).status_code == 200, url
    assert client.delete("/api/v1/public/projects/").status_code == 405


def test_options_is_refused_too(secret_world, client):
    for url in public_urls(secret_world):
        assert client.options(url).status_code == 405, url


def test_an_empty_database_gives_empty_pages_not_errors(db, client):
    for url in PAGES + JSON:
        assert client.get(url).status_code == 200, url
    assert client.get("/public/projects/LW-TRA-001/").status_code == 404


def test_the_chapter_filter_keeps_the_projects_serving_it_or_its_sections(secret_world, client):
    other = make_project(code="LW-EDU-001", name="学校扩建")
    other.chapters.add(make_chapter(secret_world["plan"], "4"))
    served = client.get("/api/v1/public/projects/?chapter=15-3").json()["results"]
    assert [p["code"] for p in served] == ["LW-TRA-001"]  # through its section 3.1
    page = client.get("/public/?chapter=15-4").content.decode()
    assert "学校扩建" in page and "荔湾大道改造" not in page
    everything = client.get("/api/v1/public/projects/").json()
    assert everything["count"] == 2


def test_a_project_page_takes_a_fixed_number_of_queries(secret_world, client, query_budget):
    # 1 plans, 2 sample check, 3 the project with its figures, 4 its chapters, 5 its
    # investment in each year of the plan.
    for url, counter in (
        ("/public/projects/LW-TRA-001/", PAGE_COUNTER),
        ("/api/v1/public/projects/LW-TRA-001/", JSON_THROTTLE),
    ):
        with query_budget(5 + counter):
            assert client.get(url).status_code == 200
