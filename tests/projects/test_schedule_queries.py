"""Overdue, slip and the portfolio questions, with "today" fixed."""

import datetime

import pytest

from projects.clock import today
from projects.models import Milestone, ProgressReport, Project

from ..conftest import TODAY, make_milestone, make_project, make_report

pytestmark = pytest.mark.django_db
D = datetime.date


def test_today_comes_from_the_fixed_clock(frozen_today):
    assert today() == frozen_today == D(2026, 6, 15)


def test_today_is_the_date_in_shanghai():
    import time_machine

    # 17:00 UTC on the 14th is already 01:00 on the 15th in Shanghai.
    with time_machine.travel(
        datetime.datetime(2026, 6, 14, 17, 0, tzinfo=datetime.UTC), tick=False
    ):
        assert today() == D(2026, 6, 15)


class TestOverdueAndSlip:
    def test_an_open_milestone_planned_before_today_is_overdue(self, frozen_today):
        milestone = Milestone(planned_date=D(2026, 6, 1))
        assert milestone.is_overdue
        assert milestone.days_overdue() == 14

    def test_a_milestone_due_today_is_not_overdue(self, frozen_today):
        assert not Milestone(planned_date=TODAY).is_overdue

    def test_a_done_milestone_is_never_overdue(self, frozen_today):
        milestone = Milestone(planned_date=D(2026, 1, 1), actual_date=D(2026, 3, 1))
        assert not milestone.is_overdue
        assert milestone.days_overdue() == 0

    def test_overdue_can_be_asked_for_another_day(self):
        milestone = Milestone(planned_date=D(2026, 1, 1))
        assert milestone.days_overdue(on=D(2026, 1, 11)) == 10
        assert milestone.days_overdue(on=D(2025, 12, 31)) == 0

    def test_slip_is_actual_or_forecast_minus_planned(self):
        assert Milestone(planned_date=D(2026, 1, 1), actual_date=D(2026, 1, 31)).slip_days == 30
        assert Milestone(planned_date=D(2026, 1, 1), actual_date=D(2025, 12, 25)).slip_days == -7
        assert Milestone(planned_date=D(2026, 1, 1), forecast_date=D(2026, 3, 2)).slip_days == 60
        assert Milestone(planned_date=D(2026, 1, 1)).slip_days is None

    def test_actual_date_wins_over_forecast_for_slip(self):
        milestone = Milestone(
            planned_date=D(2026, 1, 1), forecast_date=D(2026, 5, 1), actual_date=D(2026, 1, 11)
        )
        assert milestone.slip_days == 10


@pytest.fixture
def portfolio(frozen_today):
    """Three projects: one with two overdue milestones, one only due soon, one all done."""
    late, soon, done = make_project(), make_project(), make_project()
    very = make_milestone(late, D(2026, 3, 1))
    slightly = make_milestone(
        late, D(2026, 6, 14), forecast_date=D(2026, 7, 1), forecast_reason="设计调整"
    )
    make_milestone(late, D(2026, 3, 1), actual_date=D(2026, 4, 1))  # done late: not overdue
    due_today = make_milestone(soon, TODAY)
    due_in_30 = make_milestone(soon, D(2026, 7, 15))
    make_milestone(soon, D(2026, 7, 16))  # 31 days away
    make_milestone(done, D(2026, 1, 1), actual_date=D(2026, 1, 1))
    return {
        "late": late,
        "soon": soon,
        "done": done,
        "very": very,
        "slightly": slightly,
        "due_today": due_today,
        "due_in_30": due_in_30,
    }


class TestQuerySets:
    def test_overdue_lists_open_milestones_most_overdue_first(self, portfolio, query_budget):
        with query_budget(1):  # the milestones
            rows = list(Milestone.objects.overdue())
        assert rows == [portfolio["very"], portfolio["slightly"]]

    def test_overdue_as_of_another_day(self, portfolio):
        assert list(Milestone.objects.overdue(on=D(2026, 3, 2))) == [portfolio["very"]]

    def test_due_within_n_days_counts_today_and_the_nth_day(self, portfolio, query_budget):
        with query_budget(1):
            rows = list(Milestone.objects.due_within(30))
        assert rows == [portfolio["due_today"], portfolio["due_in_30"]]
        assert list(Milestone.objects.due_within(0)) == [portfolio["due_today"]]

    def test_projects_with_overdue_milestones(self, portfolio, query_budget):
        with query_budget(1):
            rows = list(Project.objects.with_overdue())
        assert rows == [portfolio["late"]]

    def test_overdue_count_for_every_project_in_one_query(self, portfolio, query_budget):
        for _ in range(5):
            make_milestone(make_project(), D(2026, 1, 1))
        with query_budget(1):
            counts = {p.pk: p.overdue_count for p in Project.objects.with_overdue_count()}
        assert counts[portfolio["late"].pk] == 2
        assert counts[portfolio["soon"].pk] == 0
        assert counts[portfolio["done"].pk] == 0
        assert sum(counts.values()) == 7

    def test_latest_report_of_each_project_in_one_query(self, frozen_today, query_budget):
        projects = [make_project() for _ in range(6)]
        for project in projects:
            make_report(project, D(2026, 3, 1), health="red")
            make_report(project, D(2026, 5, 1), health="amber", percent_complete=40)
            make_report(project, D(2026, 4, 1), health="green")
        silent = make_project()
        with query_budget(1):
            rows = {
                p.pk: (p.latest_report_period, p.latest_health, p.latest_percent_complete)
                for p in Project.objects.with_latest_report()
            }
        assert rows[projects[0].pk] == (D(2026, 5, 1), "amber", 40)
        assert rows[silent.pk] == (None, None, None)
        with query_budget(1):
            latest = list(ProgressReport.objects.latest_per_project())
        assert len(latest) == 6
        assert {r.period for r in latest} == {D(2026, 5, 1)}

    def test_annotations_chain(self, portfolio, query_budget):
        make_report(portfolio["late"], D(2026, 5, 1), health="green")
        with query_budget(1):
            rows = list(Project.objects.with_overdue().with_overdue_count().with_latest_report())
        assert [(p.overdue_count, p.latest_health) for p in rows] == [(2, "green")]
