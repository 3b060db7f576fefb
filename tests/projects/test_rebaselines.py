"""A re-baseline cannot hide a slip: the original planned date is kept, a new planned date
needs a reason the history keeps, and the boards, the project page, the exports and the
scorecards show the slip against the first plan beside the current one."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from projects import scorecards
from projects.models import Department, Milestone

from ..conftest import TODAY, make_milestone, make_project

pytestmark = pytest.mark.django_db
DAYS = datetime.timedelta


@pytest.fixture
def moved(frozen_today, department_a, administrator, client):
    """A milestone 100 days overdue, re-baselined by an administrator to 30 days ahead."""
    project = make_project(code="LW-TRA-001", lead_department=department_a)
    milestone = make_milestone(
        project, TODAY - DAYS(100), title="主体开工", responsible_department=department_a
    )
    make_milestone(project, TODAY - DAYS(5), title="桩基", responsible_department=department_a)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:projects_milestone_change", args=[milestone.pk]),
        {
            "project": project.pk,
            "title": milestone.title,
            "planned_date": (TODAY + DAYS(30)).isoformat(),
            "responsible_department": department_a.pk,
            "change_reason": "征地延期，区政府调整计划",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    milestone.refresh_from_db()
    return milestone


def test_a_rebaseline_keeps_the_original_date_and_its_reason(moved):
    assert moved.planned_date == TODAY + DAYS(30)
    assert moved.original_planned_date == TODAY - DAYS(100)
    assert moved.is_rebaselined and moved.days_overdue() == 0
    assert moved.days_overdue_original() == 100
    assert moved.history.first().history_change_reason == "征地延期，区政府调整计划"
    assert list(Milestone.objects.rebaselined()) == [moved]


def test_a_new_milestone_starts_with_its_planned_date_as_the_original(frozen_today):
    milestone = make_milestone(make_project(), TODAY)
    assert milestone.original_planned_date == TODAY and not milestone.is_rebaselined


def test_the_admin_refuses_a_rebaseline_without_a_reason(moved, client):
    response = client.post(
        reverse("admin:projects_milestone_change", args=[moved.pk]),
        {
            "project": moved.project_id,
            "title": moved.title,
            "planned_date": (TODAY + DAYS(60)).isoformat(),
            "responsible_department": moved.responsible_department_id,
        },
    )
    assert response.status_code == 200
    assert "planned_date" in response.context["adminform"].form.errors
    moved.refresh_from_db()
    assert moved.planned_date == TODAY + DAYS(30)


def test_a_milestone_rebaselined_off_the_overdue_board_stays_findable(moved, client, manager):
    client.force_login(manager)
    url = reverse("projects:overdue")

    def titles(**params):
        return [row.record.title for row in client.get(url, params).context["table"].rows]

    assert titles() == ["桩基"]
    assert titles(baseline="original") == ["主体开工", "桩基"]  # most overdue first
    assert titles(baseline="original", rebaselined="yes") == ["主体开工"]
    assert titles(baseline="original", rebaselined="no") == ["桩基"]
    page = client.get(url, {"baseline": "original"}).content.decode()
    assert "re-baselined" in page or "已重新定基" in page


def test_the_overdue_export_shows_the_slip_against_both_baselines(moved, client, manager):
    client.force_login(manager)
    response = client.get(
        reverse("projects:overdue"), {"baseline": "original", "_export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["计划日期"] == (TODAY + DAYS(30)).isoformat()
    assert first["原计划日期"] == (TODAY - DAYS(100)).isoformat()
    assert first["已重新定基"] == "是"
    assert first["按原计划逾期天数"] == "100"
    assert first["逾期天数"] == "0"


def test_the_project_page_marks_the_rebaseline_and_the_original_slip(moved, client, manager):
    client.force_login(manager)
    response = client.get(moved.project.get_absolute_url())
    shown = {m.title: m for m in response.context["milestones"]}["主体开工"]
    assert (shown.overdue_days, shown.overdue_days_original) == (0, 100)
    page = response.content.decode()
    assert "已重新定基" in page and (TODAY - DAYS(100)).strftime("%Y") in page


def test_scorecards_count_rebaselines_per_department(moved, department_a, department_b):
    a, b = scorecards.departments_with_scores(
        Department.objects.filter(pk__in=[department_a.pk, department_b.pk]).order_by("slug"),
        on=TODAY,
    )
    assert (a.rebaselined_count, b.rebaselined_count) == (1, 0)
    assert a.overdue_count == 1  # 桩基; the re-baselined one is no longer due
