"""The streamed export gives exactly what django-tables2's own as_values() gives."""

import datetime

import pytest

from indicators.models import IndicatorValue
from indicators.tables import IndicatorTable
from projects.exports import table_values
from projects.models import AnnualInvestment, Milestone, Project
from projects.tables import MilestoneTable, ProjectTable, UpcomingTable

from ..conftest import TODAY, make_indicator, make_milestone, make_project, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(frozen_today, department_a):
    for n in range(3):
        project = make_project(lead_department=department_a if n else None, stage="construction")
        make_milestone(
            project, TODAY - datetime.timedelta(days=5 + n), responsible_department=department_a
        )
        make_milestone(project, TODAY + datetime.timedelta(days=3 + n))
        if n:
            make_report(project, datetime.date(2026, 5, 1), health="amber")
            AnnualInvestment.objects.create(project=project, year=2026, planned=3, completed=n)
    indicator = make_indicator()
    IndicatorValue.objects.create(indicator=indicator, year=2022, value=3)


def same_as_tables2(table_class, data):
    table = table_class(data)
    expected = list(table.as_values())
    records = list(data)
    assert list(table_values(table_class(data), records)) == expected
    return expected


def test_portfolio(rows):
    values = same_as_tables2(ProjectTable, Project.objects.for_portfolio())
    assert len(values) == 4


def test_milestone_boards(rows):
    # As the boards fetch them: of each project only its code and name.
    same_as_tables2(MilestoneTable, Milestone.objects.overdue().for_lists())
    same_as_tables2(UpcomingTable, Milestone.objects.due_within(30).for_lists())


def test_indicators(rows):
    from indicators.models import Indicator

    data = list(Indicator.objects.for_progress())
    for indicator in data:
        indicator.assessment = indicator.assess(2026)
    same_as_tables2(IndicatorTable, data)
