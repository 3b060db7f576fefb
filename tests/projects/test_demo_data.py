"""The sample portfolio: alive around today, labelled as sample, and stable when loaded twice."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from indicators import demo as whole_demo
from indicators.models import IndicatorValue
from projects import demo
from projects.models import (
    AnnualInvestment,
    Approval,
    CoordinationProblem,
    KeyProject,
    Milestone,
    ProgressReport,
    Project,
    User,
)
from projects.roles import Role
from supervision import demo as supervision_demo
from supervision.models import OrderStep, SupervisionOrder

from ..conftest import FAST_HASHERS

pytestmark = pytest.mark.django_db

FROZEN = datetime.datetime(2026, 6, 15, 4, 0, tzinfo=datetime.UTC)  # as frozen_today
MODELS = [
    Project,
    Milestone,
    ProgressReport,
    AnnualInvestment,
    KeyProject,
    IndicatorValue,
    User,
    CoordinationProblem,
    SupervisionOrder,
    OrderStep,
    Approval,
]


@pytest.fixture(scope="module")
def demo_database(django_db_setup, django_db_blocker):
    """Load the demo once for this module (it takes seconds); each test still rolls back."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(FROZEN, tick=False),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
    ):
        call_command("load_demo", stdout=open("/dev/null", "w"))
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def loaded(demo_database, frozen_today):
    return frozen_today


def snapshot():
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in MODELS}
    history = {m.__name__: m.history.count() for m in MODELS if hasattr(m, "history")}
    return rows, history


def test_it_loads_a_living_portfolio_around_today(loaded):
    today = loaded
    assert Project.objects.filter(is_sample=True).count() == Project.objects.count() >= 60
    assert not Project.objects.filter(lead_department=None).exists()
    assert Milestone.objects.overdue().count() >= 10
    assert Milestone.objects.due_within(30).count() >= 3
    done = Milestone.objects.done()
    assert any(m.actual_date > m.planned_date for m in done), "some done late"
    assert Milestone.objects.exclude(forecast_date=None).exists(), "some re-forecast"
    assert not Milestone.objects.filter(actual_date__gt=today).exists()
    healths = set(ProgressReport.objects.values_list("health", flat=True))
    assert healths == {"green", "amber", "red"}
    assert not ProgressReport.objects.filter(period__gte=today.replace(day=1)).exists()
    assert AnnualInvestment.objects.filter(year=today.year, completed__gt=0).exists()
    assert IndicatorValue.objects.filter(year__lt=today.year).count() >= 20
    assert not IndicatorValue.objects.filter(year__gte=today.year).exists()


def test_every_sample_row_is_labelled(loaded):
    for model in (Milestone, ProgressReport, AnnualInvestment):
        assert not model.objects.filter(is_sample=False).exists(), model.__name__
    # Indicator values: sample data, except the district's published figures (plan data).
    assert set(IndicatorValue.objects.values_list("source", flat=True)) == {
        IndicatorValue.Source.SAMPLE,
        IndicatorValue.Source.OFFICIAL,
    }
    assert all(r.narrative.startswith(demo.LABEL) for r in ProgressReport.objects.all())
    assert all("示例" in u.first_name for u in User.objects.all())


def test_there_is_a_demo_user_per_role_who_can_sign_in(loaded, client):
    admin = User.objects.get(username="admin")
    assert admin.groups.get().name == Role.ADMINISTRATOR
    assert admin.is_staff and not admin.is_superuser  # widens no one's rights
    assert User.objects.get(username="manager").groups.get().name == Role.MANAGER
    assert User.objects.get(username="viewer").groups.get().name == Role.VIEWER
    editors = User.objects.filter(groups__name=Role.EDITOR)
    departments_with_projects = Project.objects.values("lead_department").distinct().count()
    assert (
        editors.exclude(department=None).values("department").distinct().count()
        >= departments_with_projects
    )
    for username in ("admin", "manager", "viewer", "editor-housing-transport"):
        assert client.login(username=username, password=demo.DEMO_PASSWORD), username
        client.logout()


def test_sample_projects_have_sample_approvals(loaded):
    assert Approval.objects.count() >= Project.objects.count()
    assert not Approval.objects.filter(is_sample=False).exists()
    states = set(Approval.objects.values_list("state", flat=True))
    assert {"in_hand", "pending", "applied"} <= states
    assert all("示例" in n for n in Approval.objects.filter(state="in_hand").values_list("number", flat=True))
    # Some wait on a department's to-do: projects about to start without them.
    assert Approval.objects.missing_before_start(on=loaded).exists()


def test_running_it_twice_changes_nothing(loaded):
    before = snapshot()
    stats = whole_demo.load()
    supervision_demo.load(loaded, stats)
    assert [key for key in stats if not key.endswith("unchanged")] == []
    assert snapshot() == before


def test_a_later_day_moves_the_portfolio_with_it(loaded):
    overdue_today = Milestone.objects.overdue().count()
    with time_machine.travel(datetime.datetime(2026, 9, 15, 4, tzinfo=datetime.UTC), tick=False):
        whole_demo.load()
        assert ProgressReport.objects.filter(period=datetime.date(2026, 8, 1)).exists()
        assert not Milestone.objects.filter(actual_date__gt=datetime.date(2026, 9, 15)).exists()
        assert Milestone.objects.overdue().count() >= 10
    assert overdue_today >= 10


def test_sample_reports_follow_the_ledger_and_some_projects_are_key_projects(loaded):
    today = loaded
    by_month = {
        (r.project_id, r.period): r
        for r in ProgressReport.objects.exclude(investment_completed_ytd=None)
    }
    assert len(by_month) >= 100
    checked = 0
    for (project_id, period), report in by_month.items():
        assert report.investment_completed_month <= report.investment_completed_ytd
        if period.month == 1:
            assert report.investment_completed_month == report.investment_completed_ytd
        previous = period.month > 1 and by_month.get(
            (project_id, period.replace(month=period.month - 1))
        )
        if previous:
            assert report.investment_completed_ytd == (
                previous.investment_completed_ytd + report.investment_completed_month
            )
            checked += 1
    assert checked >= 100
    for year in (today.year - 1, today.year):
        assert KeyProject.objects.filter(year=year).count() >= 5
    assert not KeyProject.objects.filter(is_sample=False).exists()


def test_the_office_has_work_waiting_at_every_step(loaded):
    """Reports: the months before a project's last accepted, its last in the review queue
    (a few returned; some projects have not reported last month); orders at every step, some replies overdue; problems new, under supervision
    and resolved; all of it labelled."""
    last_month = datetime.date(2026, 5, 1)
    older = ProgressReport.objects.filter(is_sample=True, period__lt=datetime.date(2026, 4, 1))
    assert set(older.values_list("status", flat=True)) == {"accepted"}
    recent = set(ProgressReport.objects.filter(period=last_month).values_list("status", flat=True))
    assert recent == {"submitted", "returned"}
    assert not ProgressReport.objects.filter(status="returned", review_comment="").exists()
    orders = SupervisionOrder.objects.all()
    assert orders.count() >= 20 and not orders.filter(is_sample=False).exists()
    assert {"open", "replied", "closed"} <= set(orders.values_list("state", flat=True))
    assert orders.reply_overdue(on=loaded).exists() and orders.filter(urge_count=1).exists()
    assert all(o.request.startswith(demo.LABEL) for o in orders)
    for order in orders:
        assert order.steps.first().kind == "issued"
    problems = CoordinationProblem.objects.all()
    assert {"new", "supervised", "resolved"} <= set(problems.values_list("status", flat=True))
    assert all(p.description.startswith(demo.LABEL) and p.is_sample for p in problems)
