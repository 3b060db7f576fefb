"""Every list endpoint answers in a fixed number of queries, with a few rows or many."""

import datetime
from decimal import Decimal

import pytest

from indicators.models import IndicatorValue
from projects.models import AnnualInvestment
from supervision.services import order_issue

from ..conftest import TODAY, make_indicator, make_milestone, make_project, make_report
from .conftest import issue_token

pytestmark = pytest.mark.django_db

# Each starts with 1 the token with its user (the token's last use is written at most once
# a minute: the warm-up request did it), then the token's request count in the default
# cache, the database's (THROTTLE queries: read it; count the table's rows, for culling; a
# savepoint, read the key, write it, release the savepoint), then the page's count, then
# its rows, as listed below (the number given includes the token's query, not the throttle's).
THROTTLE = 6
BUDGETS = {
    # 2 count, 3 plans
    "/api/v1/plans/": 3,
    # 2 the plans (plan switch), 3 count, 4 chapters with plan and parent
    "/api/v1/chapters/": 4,
    # 2 count, 3 departments
    "/api/v1/departments/": 3,
    # 2 plans (plan switch), 3 count, 4 the portfolio rows (annotations in the query),
    # 5 their chapters served with plans
    "/api/v1/projects/": 5,
    # 2 plans, 3 count, 4 the ledger's rows
    "/api/v1/investment/": 4,
    # 2 count, 3 milestones with project and department
    "/api/v1/milestones/": 3,
    # 2 plans, 3 count, 4 rows
    "/api/v1/milestones/overdue/": 4,
    "/api/v1/milestones/upcoming/": 4,
    # 2 count, 3 reports with project and author
    "/api/v1/reports/": 3,
    # 2 plans, 3 indicators with plan and department, 4 their values (assessed in Python;
    # the computed status filter needs them all, then a page of them is shown)
    "/api/v1/indicators/": 4,
    # 2 count, 3 orders with project, milestone, department, issuer, 4 copied-to
    # departments, 5 steps with who
    "/api/v1/supervision-orders/": 5,
}


def grow(world, n):
    """n more of every kind of row, in department A's plan chapter."""
    project = world["project"]
    chapter = world["chapter"]
    for i in range(n):
        other = make_project(lead_department=world["department"], stage="construction")
        other.chapters.add(chapter)
        AnnualInvestment.objects.create(project=other, year=2026, planned=Decimal("1"))
        make_report(other, datetime.date(2026, 5, 1))
        make_milestone(other, TODAY - datetime.timedelta(days=i + 1))
        make_milestone(other, TODAY + datetime.timedelta(days=i + 1))
        indicator = make_indicator(plan=world["plan"], target_year=2030)
        IndicatorValue.objects.create(indicator=indicator, year=2026, value=i, note="公报")
        order = order_issue(
            by=None,
            project=project,
            milestone=None,
            department=world["department"],
            request=f"请推进{i}",
            level="routine",
            reply_due=TODAY + datetime.timedelta(days=7),
        )
        order.copied_to.add(world["department"])


@pytest.mark.parametrize("url", sorted(BUDGETS))
@pytest.mark.parametrize("extra", [0, 12])
def test_list_query_budget(url, extra, world, viewer, api_client, query_budget):
    grow(world, extra)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(viewer)}")
    api_client.get("/api/v1/plans/")  # records the token's use
    with query_budget(BUDGETS[url] + THROTTLE):
        response = api_client.get(url)
    assert response.status_code == 200
    fixed = ("/api/v1/plans/", "/api/v1/chapters/", "/api/v1/departments/")
    assert response.json()["count"] >= (1 if url in fixed else 1 + extra)
