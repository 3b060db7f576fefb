"""The indicators a project serves are linked from the project's admin page, as before the
link moved to the indicators app: a row for each (the link's own, so that adding or removing
one is in the project's history), the indicator found by a search box."""

import re

import pytest
from django.urls import reverse

from indicators.models import ProjectIndicator

from ..conftest import make_indicator, make_plan, make_project
from ..projects.test_admin import admin_url, project_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(department_a):
    plan = make_plan()
    project = make_project(lead_department=department_a)
    served = make_indicator(plan=plan, code="GDP", name="地区生产总值")
    other = make_indicator(plan=plan, code="JOBS", name="新增就业")
    project.indicators.add(served)
    return project, served, other


def indicator_rows(project, rows):
    """The inline rows of the project's indicator links: (link id or None, indicator id,
    delete?) each."""
    data = {
        "indicator_links-TOTAL_FORMS": len(rows),
        "indicator_links-INITIAL_FORMS": sum(1 for pk, _i, _d in rows if pk),
    }
    for n, (pk, indicator, delete) in enumerate(rows):
        data |= {
            f"indicator_links-{n}-id": pk or "",
            f"indicator_links-{n}-project": project.pk,
            f"indicator_links-{n}-indicator": indicator,
        }
        if delete:
            data[f"indicator_links-{n}-DELETE"] = "on"
    return data


def test_the_project_page_shows_the_indicators_it_serves(administrator, linked, client):
    project, served, other = linked
    client.force_login(administrator)
    page = client.get(admin_url(type(project), "change", project.pk)).content.decode()
    field = re.search(r'<select name="indicator_links-0-indicator".*?</select>', page, re.S).group()
    assert f'<option value="{served.pk}" selected>{served}</option>' in field
    assert str(other) not in field
    assert 'name="indicator_links-1-indicator"' not in page  # one row, for the one link


def test_the_project_page_changes_the_links(administrator, linked, client):
    project, served, other = linked
    client.force_login(administrator)
    link = ProjectIndicator.objects.get()
    rows = indicator_rows(project, [(link.pk, served.pk, True), (None, other.pk, False)])
    response = client.post(
        admin_url(type(project), "change", project.pk), project_form(client, project, **rows)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(project.indicators.all()) == [other]
    assert list(other.projects.all()) == [project]


def test_a_link_twice_is_refused_with_the_models_message(administrator, linked, client):
    project, served, _other = linked
    client.force_login(administrator)
    link = ProjectIndicator.objects.get()
    rows = indicator_rows(project, [(link.pk, served.pk, False), (None, served.pk, False)])
    response = client.post(
        admin_url(type(project), "change", project.pk), project_form(client, project, **rows)
    )
    assert response.status_code == 200
    assert list(project.indicators.all()) == [served]
    assert ProjectIndicator.history.count() == 0  # nothing saved


def test_the_search_box_finds_indicators_by_name(administrator, linked, client):
    project, served, other = linked
    client.force_login(administrator)
    page = client.get(admin_url(type(project), "change", project.pk)).content.decode()
    field = re.search(r'<select name="indicator_links-0-indicator"[^>]*>', page).group()
    params = dict(re.findall(r'data-(app-label|model-name|field-name)="([^"]+)"', field))
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": params["app-label"],
            "model_name": params["model-name"],
            "field_name": params["field-name"],
            "term": "就业",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(other.pk), "text": str(other)}]


def test_saving_an_indicator_keeps_the_projects_that_serve_it(administrator, linked, client):
    project, served, _other = linked
    client.force_login(administrator)
    url = admin_url(type(served), "change", served.pk)
    form = client.get(url).context["adminform"].form
    assert "projects" not in form.fields  # linked from each project's page
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "name": "地区生产总值(修订)",
            "chapters": [],
            "values-TOTAL_FORMS": 0,
            "values-INITIAL_FORMS": 0,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    served.refresh_from_db()
    assert served.name == "地区生产总值(修订)"
    assert list(served.projects.all()) == [project]
