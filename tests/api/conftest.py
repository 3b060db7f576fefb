"""A small world for the API's tests (department A owns everything), and clients signed in
with a token of each role."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.models import ApiToken
from indicators.models import IndicatorValue
from projects.models import AnnualInvestment
from supervision.services import order_issue

from ..conftest import (
    TODAY,
    make_chapter,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
    make_report,
)

PERSONAS = ["anonymous", "viewer", "manager", "editor_a", "editor_b", "administrator"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counts live in the default cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(frozen_today, department_a, department_b):
    plan = make_plan(start_year=2026, end_year=2030, number=15, short_name="十五五")
    chapter = make_chapter(plan, "4")
    project = make_project(
        code="LW-TRA-001",
        lead_department=department_a,
        stage="construction",
        contact_phone="020-1234",
    )
    project.chapters.add(chapter)
    overdue = make_milestone(
        project, TODAY - datetime.timedelta(days=5), responsible_department=department_a
    )
    upcoming = make_milestone(
        project, TODAY + datetime.timedelta(days=10), responsible_department=department_a
    )
    report = make_report(project, datetime.date(2026, 4, 1), investment_completed_ytd=Decimal("2"))
    AnnualInvestment.objects.create(project=project, year=2026, planned=Decimal("10"))
    indicator = make_indicator(
        plan=plan, code="GDP", responsible_department=department_a, target_year=2030
    )
    IndicatorValue.objects.create(indicator=indicator, year=2026, value=1, note="统计公报")
    order = order_issue(
        by=None,
        project=project,
        milestone=overdue,
        department=department_a,
        request="请说明原因",
        level="routine",
        reply_due=TODAY + datetime.timedelta(days=7),
    )
    return {
        "plan": plan,
        "chapter": chapter,
        "project": project,
        "milestone": overdue,
        "upcoming": upcoming,
        "report": report,
        "indicator": indicator,
        "order": order,
        "department": department_a,
    }


def issue_token(user, name="system"):
    _token, key = ApiToken.issue(user=user, name=name)
    return key


@pytest.fixture
def api_client():
    return APIClient()


def client_for(request, persona, auth):
    """An API client for `persona`, signed in by `auth` ("session" or "token")."""
    client = APIClient()
    if persona == "anonymous":
        return client
    user = request.getfixturevalue(persona)
    if auth == "session":
        client.force_login(user)
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
    return client
