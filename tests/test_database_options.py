"""PostgreSQL runs the app's queries without JIT compilation and without parallel workers,
with their values bound apart from the SQL and prepared once a connection has run them a
few times, but for text searches (liwan_projects/settings.py and postgresql/ say why)."""

import pytest
from django.db import connection

from projects.models import Project

from .conftest import make_project
from .test_site import manage

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's settings"
)


@on_postgresql
def test_no_jit_and_no_parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


def prepared_statements():
    """The statements this connection has prepared that read projects."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%projects_project%"],
        )
        return [row[0] for row in cursor.fetchall()]


def codes_and_areas(code):
    """A query of a shape no other test runs, so that this connection has not prepared it."""
    return list(Project.objects.filter(code=code).values_list("code", "area", "name_en"))


@on_postgresql
def test_a_query_run_again_with_other_values_is_one_prepared_statement():
    codes = [make_project().code for _ in range(7)]
    before = set(prepared_statements())
    # Run five times with five values, it is one statement (not five texts), and the sixth
    # run prepares it.
    for number, code in enumerate(codes[:6], start=1):
        assert [row[0] for row in codes_and_areas(code)] == [code]
        assert len(set(prepared_statements()) - before) == (1 if number == 6 else 0)
    (prepared,) = set(prepared_statements()) - before
    assert '"projects_project"."area"' in prepared
    assert "$1" in prepared and codes[5] not in prepared
    # From then on the prepared statement answers, with each execution's value.
    assert [row[0] for row in codes_and_areas(codes[6])] == [codes[6]]
    assert codes_and_areas("no such code") == []


@on_postgresql
def test_a_text_search_is_planned_for_its_text_each_time():
    make_project(name="一个少见的名字")
    before = set(prepared_statements())
    for _ in range(7):
        found = Project.objects.filter(name__icontains="少见").values_list("name", flat=True)
        assert list(found) == ["一个少见的名字"]
    assert set(prepared_statements()) == before
    assert Project.objects.filter(name__icontains="常见").count() == 0


@pytest.mark.parametrize(
    "value, threshold",
    [(None, "5"), ("2", "2"), ("0", "0"), ("off", "None"), (" OFF ", "None")],
)
def test_the_prepare_threshold_comes_from_the_environment(value, threshold):
    environment = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/liwan"}
    if value is not None:
        environment["DB_PREPARE_THRESHOLD"] = value
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS'];"
        " print(o['server_side_binding'], o['prepare_threshold'])",
        **environment,
    )
    assert result.stdout.split() == ["True", threshold], result.stderr


@pytest.mark.parametrize(
    "value, message",
    [
        ("sometimes", "DB_PREPARE_THRESHOLD must be a whole number"),
        ("-1", "DB_PREPARE_THRESHOLD must be 0 or more, or off"),
    ],
)
def test_a_bad_prepare_threshold_is_refused_loudly(value, message):
    result = manage(
        "check",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/liwan",
        DB_PREPARE_THRESHOLD=value,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_sqlite_is_given_no_postgresql_options():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])",
        DATABASE_URL="sqlite:///:memory:",
        DB_PREPARE_THRESHOLD="2",
    )
    assert "prepare_threshold" not in result.stdout and "server_side_binding" not in result.stdout
    assert result.returncode == 0, result.stderr
