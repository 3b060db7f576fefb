"""Each rule the database holds is refused twice: with a friendly message by full_clean()
(the form and admin path) and by the database itself (a path that skips validation)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import Indicator, IndicatorValue
from projects.models import (
    AnnualInvestment,
    Milestone,
    PlanChapter,
    ProgressReport,
    Project,
)

from ..conftest import (
    make_chapter,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
    make_report,
)

pytestmark = pytest.mark.django_db


def refused_by_database(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def messages(error):
    return [str(m) for messages in error.value.message_dict.values() for m in messages]


class TestProject:
    def test_it_refuses_a_completion_before_the_start(self):
        project = make_project()
        project.start_date = datetime.date(2024, 5, 1)
        project.planned_completion = datetime.date(2024, 4, 30)
        with pytest.raises(ValidationError) as error:
            project.full_clean()
        assert "planned_completion" in error.value.message_dict
        refused_by_database(lambda: project.save())
        project.refresh_from_db()
        assert project.planned_completion is None

    def test_it_accepts_completion_on_the_start_day(self):
        project = make_project(start_date=datetime.date(2024, 5, 1))
        project.planned_completion = datetime.date(2024, 5, 1)
        project.full_clean()
        project.save()

    def test_it_refuses_a_duplicate_code(self):
        make_project(code="LW-CUL-001")
        duplicate = Project(code="LW-CUL-001", name="另一个", category=Project.Category.CULTURE)
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean()
        assert any("already exists" in m or "已存在" in m for m in messages(error))
        refused_by_database(lambda: duplicate.save())
        assert Project.objects.filter(code="LW-CUL-001").count() == 1

    def test_it_refuses_a_negative_total_investment(self):
        project = make_project()
        project.total_investment = Decimal("-1")
        with pytest.raises(ValidationError) as error:
            project.full_clean()
        assert "total_investment" in error.value.message_dict
        refused_by_database(lambda: project.save())

    def test_it_refuses_a_malformed_code(self):
        project = Project(code="lw cul 1", name="x", category=Project.Category.CULTURE)
        with pytest.raises(ValidationError) as error:
            project.full_clean()
        assert "code" in error.value.message_dict


class TestProgressReport:
    def test_it_refuses_percent_complete_above_100(self):
        report = make_report(make_project(), datetime.date(2025, 1, 1))
        report.percent_complete = 101
        with pytest.raises(ValidationError) as error:
            report.full_clean()
        assert "percent_complete" in error.value.message_dict
        refused_by_database(lambda: report.save())
        report.refresh_from_db()
        assert report.percent_complete == 10

    def test_it_refuses_a_second_report_for_the_same_month(self):
        project = make_project()
        make_report(project, datetime.date(2025, 1, 1))
        second = ProgressReport(
            project=project, period=datetime.date(2025, 1, 20), health="green", percent_complete=5
        )
        with pytest.raises(ValidationError):
            second.full_clean()  # clean() moves the period to the 1st, then it clashes
        refused_by_database(lambda: make_report(project, datetime.date(2025, 1, 1)))
        assert project.reports.count() == 1

    def test_it_refuses_a_month_that_has_not_begun(self, frozen_today):
        report = ProgressReport(
            project=make_project(),
            period=datetime.date(2026, 7, 1),
            health="green",
            percent_complete=5,
        )
        with pytest.raises(ValidationError) as error:
            report.full_clean()
        assert "period" in error.value.message_dict

    def test_it_refuses_negative_investment_to_date(self):
        report = make_report(make_project(), datetime.date(2025, 1, 1))
        report.investment_completed_ytd = Decimal("-0.5")
        with pytest.raises(ValidationError):
            report.full_clean()
        refused_by_database(lambda: report.save())


class TestAnnualInvestment:
    def test_it_refuses_negative_amounts(self):
        project = make_project()
        for field in ("planned", "completed"):
            row = AnnualInvestment(project=project, year=2025, **{field: Decimal("-1")})
            with pytest.raises(ValidationError) as error:
                row.full_clean()
            assert field in error.value.message_dict
            refused_by_database(row.save)
        assert not AnnualInvestment.objects.exists()

    def test_it_refuses_a_second_row_for_the_same_year(self):
        project = make_project()
        AnnualInvestment.objects.create(project=project, year=2025, planned=1)
        second = AnnualInvestment(project=project, year=2025, planned=2)
        with pytest.raises(ValidationError):
            second.full_clean()
        refused_by_database(lambda: second.save())
        assert AnnualInvestment.objects.get().planned == 1

    def test_completion_rate(self):
        row = AnnualInvestment(planned=Decimal("4"), completed=Decimal("3"))
        assert row.completion_rate == 75
        assert AnnualInvestment(planned=0, completed=1).completion_rate is None


class TestMilestone:
    def test_it_refuses_an_actual_date_in_the_future(self, frozen_today):
        milestone = make_milestone(make_project(), planned=datetime.date(2026, 6, 1))
        milestone.actual_date = datetime.date(2026, 6, 16)
        with pytest.raises(ValidationError) as error:
            milestone.full_clean()
        assert "actual_date" in error.value.message_dict
        milestone.actual_date = frozen_today
        milestone.full_clean()

    def test_it_refuses_a_forecast_without_a_reason(self):
        milestone = make_milestone(make_project(), planned=datetime.date(2026, 6, 1))
        milestone.forecast_date = datetime.date(2026, 9, 1)
        with pytest.raises(ValidationError) as error:
            milestone.full_clean()
        assert "forecast_reason" in error.value.message_dict
        refused_by_database(lambda: milestone.save())

    def test_it_refuses_two_milestones_with_one_title(self):
        project = make_project()
        Milestone.objects.create(
            project=project, title="开工", planned_date=datetime.date(2026, 1, 1)
        )
        second = Milestone(project=project, title="开工", planned_date=datetime.date(2026, 2, 1))
        with pytest.raises(ValidationError):
            second.full_clean()
        refused_by_database(lambda: second.save())

    def test_responsible_department_defaults_to_the_lead(self):
        project = make_project()
        milestone = Milestone(project=project, title="开工", planned_date=datetime.date(2026, 1, 1))
        milestone.full_clean()
        assert milestone.responsible_department == project.lead_department


class TestPlanAndChapters:
    def test_it_refuses_a_period_that_ends_before_it_starts(self):
        plan = make_plan()
        plan.end_year = 2020
        with pytest.raises(ValidationError) as error:
            plan.full_clean()
        assert "end_year" in error.value.message_dict
        refused_by_database(lambda: plan.save())

    def test_chapter_codes_are_unique_within_a_plan_not_across_plans(self):
        fourteenth = make_plan()
        fifteenth = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
        make_chapter(fourteenth, "3")
        make_chapter(fifteenth, "3")  # fine: another plan
        duplicate = PlanChapter(plan=fourteenth, code="3", title="重复")
        with pytest.raises(ValidationError):
            duplicate.full_clean()
        refused_by_database(lambda: duplicate.save())

    def test_key_is_unique_across_plans_and_found_again(self):
        fourteenth = make_plan()
        fifteenth = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
        a = make_chapter(fourteenth, "3")
        b = make_chapter(fifteenth, "3")
        assert (a.key, b.key) == ("14-3", "15-3")
        assert PlanChapter.objects.by_key("15-3") == b
        for bad in ("15", "x-3", "15-9", ""):
            with pytest.raises(PlanChapter.DoesNotExist):
                PlanChapter.objects.by_key(bad)

    def test_a_section_belongs_to_its_parents_plan(self):
        fourteenth = make_plan()
        fifteenth = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
        parent = make_chapter(fourteenth, "3")
        section = PlanChapter(plan=fifteenth, code="3.1", title="节", parent=parent)
        with pytest.raises(ValidationError) as error:
            section.full_clean()
        assert "parent" in error.value.message_dict

    def test_paragraph_range_is_ordered(self):
        chapter = make_chapter(make_plan(), "3", paragraph_start=10, paragraph_end=12)
        chapter.paragraph_end = 9
        with pytest.raises(ValidationError):
            chapter.full_clean()
        refused_by_database(lambda: chapter.save())

    def test_a_project_serves_chapters_of_several_plans(self):
        fourteenth = make_plan()
        fifteenth = make_plan(number=15, short_name="十五五", start_year=2026, end_year=2030)
        project = make_project()
        project.chapters.add(make_chapter(fourteenth, "4"), make_chapter(fifteenth, "2"))
        assert sorted(c.key for c in project.chapters.all()) == ["14-4", "15-2"]


class TestIndicator:
    def test_it_refuses_a_duplicate_code(self):
        indicator = make_indicator(code="GDP")
        duplicate = Indicator(
            plan=indicator.plan,
            code="GDP",
            name="x",
            category="economy",
            target_kind="level",
            target_year=2025,
            target_value=1,
        )
        with pytest.raises(ValidationError):
            duplicate.full_clean()
        refused_by_database(lambda: duplicate.save())

    def test_it_refuses_half_a_baseline(self):
        indicator = make_indicator()
        indicator.baseline_value = Decimal("3")
        with pytest.raises(ValidationError) as error:
            indicator.full_clean()
        assert "baseline_value" in error.value.message_dict
        refused_by_database(lambda: indicator.save())

    def test_it_refuses_a_target_year_before_the_baseline(self):
        indicator = make_indicator()
        indicator.baseline_year, indicator.baseline_value = 2025, Decimal("1")
        with pytest.raises(ValidationError) as error:
            indicator.full_clean()
        assert "target_year" in error.value.message_dict
        refused_by_database(lambda: indicator.save())


class TestIndicatorValue:
    def test_it_refuses_a_second_value_for_the_same_year(self):
        indicator = make_indicator()
        IndicatorValue.objects.create(indicator=indicator, year=2023, value=1)
        second = IndicatorValue(indicator=indicator, year=2023, value=2)
        with pytest.raises(ValidationError):
            second.full_clean()
        refused_by_database(lambda: second.save())
        assert indicator.values.get().value == 1

    def test_it_refuses_a_year_outside_the_plan_period(self):
        indicator = make_indicator()
        value = IndicatorValue(indicator=indicator, year=2031, value=1)
        with pytest.raises(ValidationError) as error:
            value.full_clean()
        assert "year" in error.value.message_dict
        IndicatorValue(indicator=indicator, year=2020, value=1, note="年鉴").full_clean()  # the base year

    def test_it_refuses_a_percentage_above_100(self):
        indicator = make_indicator(unit="%")
        with pytest.raises(ValidationError) as error:
            IndicatorValue(indicator=indicator, year=2023, value=Decimal("100.5")).full_clean()
        assert "value" in error.value.message_dict

    def test_a_growth_rate_may_be_negative_but_a_share_may_not(self):
        growth = make_indicator(unit="%", target_kind=Indicator.TargetKind.GROWTH)
        IndicatorValue(indicator=growth, year=2022, value=Decimal("-2.5"), note="公报").full_clean()
        share = make_indicator(unit="%", plan=growth.plan)
        with pytest.raises(ValidationError):
            IndicatorValue(indicator=share, year=2022, value=Decimal("-2.5")).full_clean()
