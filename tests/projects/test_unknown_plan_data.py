"""Plan data the text says nothing about is shown as unknown ("not stated in the plan",
未载明), never as "None": a plan, a chapter and an indicator typed into the admin with only
what the admin requires, on every page that shows them and in their exports."""

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from docx import Document

from indicators.models import Indicator
from projects import plandata
from projects.models import Plan

from ..conftest import make_chapter, make_plan, make_project
from .test_admin import admin_url

pytestmark = pytest.mark.django_db
NONE = re.compile(r"\bNone\b")


@pytest.fixture
def typed_in(client, administrator, frozen_today, department_a):
    """What an administrator types into the admin for a new plan: a plan without its
    document or date, a chapter with its first paragraph only, an indicator without its
    paragraph, words or baseline, one whose target is set each year (no target value), and
    a project quoting the plan without the paragraph."""
    client.force_login(administrator)

    def add(model, data):
        response = client.post(admin_url(model, "add"), data)
        assert response.status_code == 302, (
            response.context["adminform"].form.errors,
            [f.errors for f in response.context["inline_admin_formsets"]],
        )
        return model.objects.latest("pk")

    plan = add(
        Plan,
        {
            "number": 15,
            "name": "第十五个五年规划纲要",
            "short_name": "十五五",
            "start_year": 2026,
            "end_year": 2030,
            "chapters-TOTAL_FORMS": 1,
            "chapters-INITIAL_FORMS": 0,
            "chapters-0-code": "2",
            "chapters-0-title": "新质生产力",
            "chapters-0-order": 0,
            "chapters-0-paragraph_start": 3,
            "chapters-0-title_is_official": "on",
        },
    )
    chapter = plan.chapters.get()
    assert (chapter.paragraph_start, chapter.paragraph_end) == (3, None)
    values = {"values-TOTAL_FORMS": 0, "values-INITIAL_FORMS": 0}
    indicator = add(
        Indicator,
        {
            "plan": plan.pk,
            "code": "I15-01",
            "name": "地区生产总值",
            "category": "economy",
            "nature": "expected",
            "target_kind": "level",
            "direction": "higher",
            "baseline_kind": "year",
            "target_year": 2030,
            "target_value": "2000",
            "chapters": [chapter.pk],
            "order": 0,
        }
        | values,
    )
    yearly = add(
        Indicator,
        {
            "plan": plan.pk,
            "code": "I15-02",
            "name": "居民收入增速",
            "category": "livelihood",
            "nature": "expected",
            "target_kind": "yearly_target",
            "direction": "higher",
            "baseline_kind": "year",
            "target_year": 2030,
            "order": 1,
        }
        | values,
    )
    assert indicator.source_paragraph is None and indicator.source_sentence == ""
    assert yearly.target_value is None
    project = make_project(
        code="LW-NEW-001", source_sentence="加快建设新质生产力。", lead_department=department_a
    )
    project.chapters.add(chapter)
    return {"plan": plan, "chapter": chapter, "indicator": indicator, "project": project}


def pages(world):
    return [
        reverse("projects:plans"),
        reverse("projects:plan", args=[15]),
        reverse("projects:plan_assessment", args=[15]),
        reverse("indicators:list"),
        reverse("indicators:list") + "?_export=csv",
        reverse("indicators:detail", args=["I15-01"]),
        reverse("indicators:detail", args=["I15-02"]),
        reverse("projects:chapters"),
        reverse("projects:chapter", args=[world["chapter"].key]),
        reverse("projects:detail", args=[world["project"].code]),
        reverse("projects:portfolio"),
        reverse("home"),
    ]


def content(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_shows_none_for_what_the_plan_does_not_state(client, typed_in, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in pages(typed_in):
        response = client.get(url)
        assert response.status_code == 200, url
        page = content(response)
        assert not NONE.search(page), (url, page[max(NONE.search(page).start() - 200, 0) :][:400])


def test_the_unknown_is_said_in_words(client, typed_in):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("indicators:detail", args=["I15-01"])).content.decode()
    assert "The plan, paragraph not stated" in page
    assert "not stated in the plan" in page
    page = client.get(reverse("projects:detail", args=["LW-NEW-001"])).content.decode()
    assert "The plan, paragraph not stated" in page
    page = client.get(reverse("projects:plan", args=[15])).content.decode()
    assert page.count("not stated in the plan") == 2  # issuing document and date


def test_the_assessment_document_shows_no_none(client, typed_in):
    response = client.get(reverse("projects:plan_assessment", args=[15]), {"_export": "docx"})
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for t in document.tables for row in t.rows for cell in row.cells]
    assert not [t for t in texts if NONE.search(t)]
    with translation.override(settings.LANGUAGE_CODE):
        unknown = translation.gettext("not stated in the plan")
    assert any(unknown in t for t in texts)


def test_a_chapter_with_its_first_paragraph_only_shows_that_paragraph(client, viewer):
    chapter = make_chapter(make_plan(number=14), "9", paragraph_start=3)
    client.force_login(viewer)
    response = client.get(reverse("projects:chapter", args=[chapter.key]))
    assert response.status_code == 200
    assert response.context["text"] == [plandata.paragraphs()[3]]
