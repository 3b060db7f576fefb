"""Shared personas and plain factory helpers. Tests never rely on the shipped demo data."""

import datetime
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator
from projects.models import (
    Approval,
    ApprovalKind,
    Department,
    Milestone,
    Plan,
    PlanChapter,
    ProgressReport,
    Project,
    User,
)
from projects.roles import Role, ensure_roles

TODAY = datetime.date(2026, 6, 15)
PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _no_signin_throttling(settings):
    """The test client's login() passes no request, which django-axes refuses; its own
    tests (test_security.py) put it back."""
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _fresh_request_counts(request):
    """The public view counts requests per address in the default cache, which is the
    database's: a test that uses the database starts with none counted (a transaction
    rolled back would undo them, a flush between transactional tests would not)."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("db")  # set up first (transactional when the test asks)
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Attached files go to a folder of the test's own, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILES_ACCEL_REDIRECT = ""
    return settings.MEDIA_ROOT


@pytest.fixture
def throttled(settings):
    """Sign-in throttling on (django-axes), locking after three failures."""
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return settings


@pytest.fixture
def frozen_today():
    """Fix "today" at TODAY (noon in Shanghai) for the test."""
    with time_machine.travel(datetime.datetime(2026, 6, 15, 4, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


# --- factories -------------------------------------------------------------------------


def make_department(**fields):
    n = next(_seq)
    defaults = {"name": f"测试部门{n}", "slug": f"dept-{n}", "kind": Department.Kind.BUREAU}
    return Department.objects.create(**(defaults | fields))


def make_plan(**fields):
    defaults = {
        "number": 14,
        "name": "测试规划",
        "short_name": "十四五",
        "start_year": 2021,
        "end_year": 2025,
    }
    return Plan.objects.create(**(defaults | fields))


def make_chapter(plan, code="3", **fields):
    defaults = {"title": f"第{code}章", "order": next(_seq)}
    return PlanChapter.objects.create(plan=plan, code=code, **(defaults | fields))


def make_project(**fields):
    n = next(_seq)
    defaults = {
        # A code has at most four digits; the sequence runs past 9,999 over the whole suite
        # (each test's rows are rolled back, so the numbers of one test never meet again).
        "code": f"LW-TST-{n % 10_000:03d}",
        "name": f"测试项目{n}",
        "category": Project.Category.TRANSPORT,
    }
    if "lead_department" not in fields:
        defaults["lead_department"] = make_department()
    return Project.objects.create(**(defaults | fields))


def make_milestone(project, planned, **fields):
    fields.setdefault("title", f"节点{next(_seq)}")
    return Milestone.objects.create(project=project, planned_date=planned, **fields)


def make_report(project, period, **fields):
    defaults = {"health": ProgressReport.Health.GREEN, "percent_complete": 10, "narrative": "按计划推进"}
    return ProgressReport.objects.create(project=project, period=period, **(defaults | fields))


def make_approval_kind(**fields):
    n = next(_seq)
    defaults = {"code": f"kind-{n}", "name": f"测试手续{n}", "name_en": f"Test approval {n}", "order": n}
    return ApprovalKind.objects.create(**(defaults | fields))


def make_approval(project, kind=None, **fields):
    return Approval.objects.create(project=project, kind=kind or make_approval_kind(), **fields)


def make_indicator(plan=None, **fields):
    n = next(_seq)
    defaults = {
        "code": f"T-{n:03d}",
        "name": f"测试指标{n}",
        "unit": "亿元",
        "category": Indicator.Category.ECONOMY,
        "target_kind": Indicator.TargetKind.LEVEL,
        "target_year": 2025,
        "target_value": Decimal("100"),
    }
    return Indicator.objects.create(plan=plan or make_plan(), **(defaults | fields))


def make_user(role, department=None, username=None):
    ensure_roles(Group, Permission)
    user = User.objects.create_user(
        username=username or f"{role.value.replace(' ', '-')}-{next(_seq)}",
        password=PASSWORD,
        department=department,
        is_staff=role == Role.ADMINISTRATOR,
    )
    user.groups.add(Group.objects.get(name=role.value))
    return user


# --- personas --------------------------------------------------------------------------


@pytest.fixture
def department_a(db):
    return make_department(name="部门甲", slug="dept-a")


@pytest.fixture
def department_b(db):
    return make_department(name="部门乙", slug="dept-b")


@pytest.fixture
def administrator(db):
    return make_user(Role.ADMINISTRATOR, username="admin-test")


@pytest.fixture
def manager(db):
    return make_user(Role.MANAGER, username="manager-test")


@pytest.fixture
def viewer(db):
    return make_user(Role.VIEWER, username="viewer-test")


@pytest.fixture
def editor_a(department_a):
    return make_user(Role.EDITOR, department=department_a, username="editor-a")


@pytest.fixture
def editor_b(department_b):
    return make_user(Role.EDITOR, department=department_b, username="editor-b")


# --- query budgets ---------------------------------------------------------------------


class QueryBudget:
    """Like assertNumQueries, but prints every query when the budget is broken."""

    def __init__(self, expected):
        self.expected = expected

    def __enter__(self):
        self.context = CaptureQueriesContext(connection)
        self.context.__enter__()
        return self.context

    def __exit__(self, exc_type, exc, tb):
        self.context.__exit__(exc_type, exc, tb)
        if exc_type is not None:
            return False
        queries = self.context.captured_queries
        if len(queries) != self.expected:
            listing = "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(queries, 1))
            pytest.fail(f"Expected {self.expected} queries, ran {len(queries)}:\n{listing}")
        return False


@pytest.fixture
def query_budget():
    return QueryBudget
