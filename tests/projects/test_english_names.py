"""English pages show English names: a project's, a department's and an indicator's
`name_en` where there is one, the Chinese name where there is none, on lists, detail pages,
tables and exports; the Chinese pages and the Word bulletin keep the Chinese names."""

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from docx import Document

from projects.models import Project

from ..conftest import (
    TODAY,
    make_department,
    make_indicator,
    make_milestone,
    make_project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_afterwards():
    """A request in English leaves English active in this thread (the middleware activates
    the cookie's language and nothing deactivates it): the tests after these expect the
    site's language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def named(frozen_today):
    """A department and a project named in both languages, a project named in Chinese
    only, both with an overdue milestone, and an indicator named in both."""
    housing = make_department(
        name="广州市荔湾区住房建设和交通局",
        short_name="区住房建设交通局",
        name_en="Housing and Transport Bureau",
        slug="housing",
    )
    road = make_project(
        code="LW-TRA-001",
        name="芳村大道改造",
        name_en="Fangcun Avenue upgrade",
        lead_department=housing,
        stage=Project.Stage.CONSTRUCTION,
    )
    market = make_project(
        code="LW-COM-001", name="茶叶市场", lead_department=housing, stage="construction"
    )
    for project in (road, market):
        make_milestone(project, TODAY - datetime.timedelta(days=40), responsible_department=housing)
    indicator = make_indicator(code="GDP", name="地区生产总值", name_en="Gross domestic product")
    return {"department": housing, "road": road, "market": market, "indicator": indicator}


@pytest.fixture
def english(client, manager):
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    return client


def text(response):
    assert response.status_code == 200
    return response.content.decode()


def test_display_names_follow_the_language(named):
    road, market, housing = named["road"], named["market"], named["department"]
    with translation.override("zh-hans"):
        assert (road.display_name, road.other_name) == ("芳村大道改造", "Fangcun Avenue upgrade")
        assert (str(housing), housing.display_full_name) == (
            "区住房建设交通局",
            "广州市荔湾区住房建设和交通局",
        )
        assert str(named["indicator"]) == "GDP 地区生产总值"
    with translation.override("en"):
        assert (road.display_name, road.other_name) == ("Fangcun Avenue upgrade", "芳村大道改造")
        assert str(road) == "LW-TRA-001 Fangcun Avenue upgrade"
        # No English name: the Chinese one, and nothing under the title.
        assert (market.display_name, market.other_name) == ("茶叶市场", "")
        assert str(housing) == housing.display_full_name == "Housing and Transport Bureau"
        assert str(named["indicator"]) == "GDP Gross domestic product"


@pytest.mark.parametrize(
    "url",
    [
        reverse("projects:portfolio"),
        reverse("projects:overdue"),
        reverse("home"),
        reverse("projects:department", args=["housing"]),
    ],
)
def test_lists_in_english_show_english_names(url, named, english):
    page = text(english.get(url))
    assert "Fangcun Avenue upgrade" in page and "芳村大道改造" not in page
    assert "Housing and Transport Bureau" in page and "区住房建设交通局" not in page
    assert "茶叶市场" in page  # no English name: the Chinese one


def test_the_same_lists_in_chinese_keep_the_chinese_names(named, client, manager):
    client.force_login(manager)
    page = text(client.get(reverse("projects:portfolio")))
    assert "芳村大道改造" in page and "Fangcun Avenue upgrade" not in page
    assert "区住房建设交通局" in page


def test_the_project_page_in_english_is_headed_by_the_english_name(named, english):
    page = text(english.get(named["road"].get_absolute_url()))
    assert "<h1>Fangcun Avenue upgrade" in page
    assert '<p class="muted">芳村大道改造</p>' in page  # the Chinese name under it
    assert "Housing and Transport Bureau" in page


def test_the_department_page_in_english_is_headed_by_the_english_name(named, english):
    page = text(english.get(reverse("projects:department", args=["housing"])))
    assert "<h1>Housing and Transport Bureau</h1>" in page
    assert '<p class="muted">广州市荔湾区住房建设和交通局</p>' in page


def test_indicators_in_english(named, english):
    assert "Gross domestic product" in text(english.get(reverse("indicators:list")))
    page = text(english.get(reverse("indicators:detail", args=["GDP"])))
    assert "<h1>Gross domestic product" in page and '<p class="muted">地区生产总值</p>' in page


def test_filters_offer_the_departments_by_their_english_names(named, english):
    page = text(english.get(reverse("projects:portfolio")))
    assert f'<option value="{named["department"].pk}">Housing and Transport Bureau</option>' in page


def csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_exports_follow_the_page_language(named, english, client):
    """An export is the list as its reader reads it: headers and names in the page's
    language (the codes stay the same, so files in either language match up)."""
    rows = csv_rows(english.get(reverse("projects:portfolio"), {"_export": "csv"}))
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["LW-TRA-001"][1:3] == ["Fangcun Avenue upgrade", "Housing and Transport Bureau"]
    assert by_code["LW-COM-001"][1] == "茶叶市场"
    rows = csv_rows(english.get(reverse("projects:overdue"), {"_export": "csv"}))
    assert "LW-TRA-001 Fangcun Avenue upgrade" in [row[0] for row in rows]
    english.cookies["django_language"] = "zh-hans"
    rows = csv_rows(english.get(reverse("projects:portfolio"), {"_export": "csv"}))
    assert {row[0]: row for row in rows[1:]}["LW-TRA-001"][1:3] == [
        "芳村大道改造",
        "区住房建设交通局",
    ]


def test_the_bulletin_page_in_english_and_its_word_document_in_chinese(named, english):
    url = reverse("supervision:bulletin", kwargs={"month": "2026-05"})
    page = text(english.get(url))
    assert "LW-TRA-001 Fangcun Avenue upgrade" in page
    document = Document(io.BytesIO(english.get(url, {"_export": "docx"}).content))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "LW-TRA-001 芳村大道改造" in cells and "区住房建设交通局" in cells
    assert not any("Fangcun" in cell for cell in cells)
