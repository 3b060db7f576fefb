"""The admin is the administrators' data-entry tool, and theirs alone."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from indicators.models import IndicatorValue
from projects.attachments import check_all
from projects.clock import today
from projects.models import (
    AnnualInvestment,
    Attachment,
    Carryover,
    CoordinationProblem,
    Milestone,
    Project,
)
from projects.services import attach
from supervision.models import ReplyAttachment, SupervisionOrder
from supervision.services import order_issue, order_reply

from ..conftest import (
    make_chapter,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
    make_report,
)
from ..files import jpeg_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

# The domain's models; django-axes's sign-in records are for superusers.
REGISTERED = sorted(
    (
        m
        for m in admin.site._registry
        if m._meta.app_label in ("projects", "indicators", "supervision")
    ),
    key=lambda m: m._meta.label,
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def milestone_form(milestone, planned_date, change_reason="区政府调整计划"):
    """The admin's milestone change form, moving the planned date (a re-baseline, which
    needs its reason)."""
    return {
        "project": milestone.project_id,
        "title": milestone.title,
        "planned_date": planned_date,
        "responsible_department": milestone.project.lead_department_id,
        "change_reason": change_reason,
    }


def project_form(client, project, **fields):
    """The admin's project change form as loaded, with `fields` changed and no inline rows
    (inline rows go in `fields` too, with their counts)."""
    form = client.get(admin_url(Project, "change", project.pk)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(partner_departments=[], lead_department=project.lead_department_id)
    for prefix in ("milestones", "investments", "chapter_links", "indicator_links"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data | fields


@pytest.fixture
def some_data(department_a):
    plan = make_plan()
    chapter = make_chapter(plan, "4")
    project = make_project(lead_department=department_a)
    project.chapters.add(chapter)
    make_milestone(project, datetime.date(2025, 1, 1), responsible_department=department_a)
    report = make_report(project, datetime.date(2025, 1, 1))
    problem = CoordinationProblem.objects.create(report=report, description="测试问题")
    order = order_issue(
        by=None,
        project=project,
        problem=problem,
        department=department_a,
        request="测试督办",
        level="routine",
        reply_due=today() + datetime.timedelta(days=7),
    )
    # Attached files: a photo on the report, a document on a reply.
    attach(report=report, files=check_all([upload("测试.jpg", jpeg_bytes())]), by=None)
    order_reply(
        order=order,
        by=None,
        text="已办理",
        version=order.version,
        files=check_all([upload("测试.pdf", pdf_bytes())]),
    )
    AnnualInvestment.objects.create(project=project, year=2025, planned=3, completed=2)
    indicator = make_indicator(plan=plan)
    IndicatorValue.objects.create(indicator=indicator, year=2023, value=5)
    fifteenth = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
    project.chapters.add(make_chapter(fifteenth, "2"))
    Carryover.objects.create(project=project, from_plan=plan, to_plan=fifteenth, reason="续建")
    return project


def test_every_model_of_the_domain_is_in_the_admin():
    labels = {m._meta.label for m in REGISTERED}
    assert {
        "projects.Department",
        "projects.User",
        "projects.Plan",
        "projects.PlanChapter",
        "projects.Project",
        "projects.Milestone",
        "projects.ProgressReport",
        "projects.AnnualInvestment",
        "indicators.Indicator",
        "indicators.IndicatorValue",
        "projects.CoordinationProblem",
        "projects.Carryover",
        "supervision.SupervisionOrder",
    } <= labels


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_an_administrator_opens_every_list_and_add_page(model, administrator, some_data, client):
    client.force_login(administrator)
    listing = client.get(admin_url(model, "changelist"))
    assert listing.status_code == 200
    # Orders are issued in the app, where each step is kept, and carry-overs are made there
    # with their chapters; attached files are checked where they are uploaded (the report
    # form, the milestone page, a reply): the admin does not add them.
    added = 403 if model in (SupervisionOrder, Carryover, Attachment, ReplyAttachment) else 200
    assert client.get(admin_url(model, "add")).status_code == added
    searched = client.get(admin_url(model, "changelist"), {"q": "测试"})
    assert searched.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_an_administrator_opens_every_change_page_and_its_history(
    model, administrator, some_data, client
):
    client.force_login(administrator)
    obj = model.objects.first()
    if obj is None:
        pytest.skip("no row of this model in the fixture")
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_the_project_page_edits_milestones_investments_and_chapters_inline(
    administrator, some_data, client
):
    client.force_login(administrator)
    page = client.get(admin_url(Project, "change", some_data.pk)).content.decode()
    for prefix in ("milestones", "investments", "chapter_links", "indicator_links"):
        assert f'name="{prefix}-TOTAL_FORMS"' in page


def test_history_shows_who_changed_what(administrator, some_data, client):
    client.force_login(administrator)
    milestone = some_data.milestones.get()
    url = admin_url(Milestone, "change", milestone.pk)
    response = client.post(url, milestone_form(milestone, "2025-03-01"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = milestone.history.first()
    assert latest.history_user == administrator
    assert latest.diff_against(latest.prev_record).changed_fields == ["planned_date"]
    assert (
        "admin-test" in client.get(admin_url(Milestone, "history", milestone.pk)).content.decode()
    )


def test_an_administrators_change_refuses_a_department_form_opened_before_it(
    administrator, editor_a, some_data, client, frozen_today
):
    milestone = some_data.milestones.get()
    form = milestone_form(milestone, "2025-03-01")
    client.force_login(administrator)
    assert client.post(admin_url(Milestone, "change", milestone.pk), form).status_code == 302
    milestone.refresh_from_db()
    assert milestone.version == 2

    # The editor's form was loaded at version 1: refused, and the administrator's date stays.
    client.force_login(editor_a)
    response = client.post(
        reverse("projects:milestone_update", args=[milestone.pk]),
        {"action": "done", "actual_date": "2026-06-01", "version": 1},
    )
    assert response.status_code == 409
    milestone.refresh_from_db()
    assert (milestone.planned_date, milestone.actual_date) == (datetime.date(2025, 3, 1), None)


def test_an_inline_change_on_the_project_page_moves_the_milestone_version_on(
    administrator, some_data, client
):
    milestone = some_data.milestones.get()
    client.force_login(administrator)
    url = admin_url(Project, "change", some_data.pk)
    data = project_form(
        client,
        some_data,
        **{
            "milestones-TOTAL_FORMS": 1,
            "milestones-INITIAL_FORMS": 1,
            "milestones-0-id": milestone.pk,
            "milestones-0-project": some_data.pk,
            "milestones-0-title": milestone.title,
            "milestones-0-planned_date": "2025-04-01",
            "milestones-0-responsible_department": milestone.responsible_department_id,
            "milestones-0-change_reason": "区政府调整计划",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    milestone.refresh_from_db()
    assert (milestone.planned_date, milestone.version) == (datetime.date(2025, 4, 1), 2)


def test_a_bad_date_order_is_refused_with_a_message_and_nothing_saved(
    administrator, some_data, client
):
    client.force_login(administrator)
    url = admin_url(Project, "change", some_data.pk)
    data = project_form(
        client,
        some_data,
        code=some_data.code,
        name=some_data.name,
        category=some_data.category,
        area="district",
        stage="construction",
        start_date="2025-05-01",
        planned_completion="2025-04-01",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "planned_completion" in response.context["adminform"].form.errors
    some_data.refresh_from_db()
    assert some_data.start_date is None


@pytest.mark.parametrize("persona", ["manager", "viewer", "editor_a"])
def test_everyone_but_administrators_is_kept_out(persona, request, some_data, client):
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("admin:index"),
        admin_url(Project, "changelist"),
        admin_url(Project, "add"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(admin_url(Project, "add"), {"code": "LW-NEW-001", "name": "x"})
    assert response.status_code == 302
    assert not Project.objects.filter(code="LW-NEW-001").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(admin_url(Project, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in context.captured_queries]


def grow_portfolio(n, department):
    plan = make_plan(number=900 + n, short_name=f"P{n}")
    chapter = make_chapter(plan, "1")
    for _ in range(n):
        project = make_project(lead_department=department)
        project.chapters.add(chapter)
        make_milestone(project, datetime.date(2025, 1, 1), responsible_department=department)
        make_report(project, datetime.date(2025, 1, 1))
        AnnualInvestment.objects.create(project=project, year=2025, planned=1)
        IndicatorValue.objects.create(indicator=make_indicator(plan=plan), year=2023, value=1)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_admin_lists_run_the_same_queries_for_5_and_50_rows(
    model, administrator, department_a, client
):
    client.force_login(administrator)
    url = admin_url(model, "changelist")
    grow_portfolio(5, department_a)
    few = count_queries(client, url)
    grow_portfolio(45, department_a)
    many = count_queries(client, url)
    assert len(many) == len(few), "\n".join(many)
