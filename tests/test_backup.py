"""Backup and restore on PostgreSQL, as the README says: pg_dump in custom format while the
app writes, pg_restore into a new database, and the portfolio comes back as it was."""

import datetime
import os
import secrets
import shutil
import subprocess
import threading

import pytest
from django.apps import apps
from django.db import connection, connections
from django.db.models.fields import AutoFieldMixin

from projects import services
from projects.models import AnnualInvestment, Milestone
from projects.roles import Role

from .conftest import (
    make_chapter,
    make_department,
    make_indicator,
    make_milestone,
    make_plan,
    make_project,
    make_report,
    make_user,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),  # pg_dump sees committed rows only
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pg_dump and pg_restore back up PostgreSQL"
    ),
]


def portfolio_tables(numbered=False):
    """(table, primary key column) of every model of the two apps, their history and their
    many-to-many links included; with `numbered`, those whose key a sequence numbers."""
    return sorted(
        (model._meta.db_table, model._meta.pk.column)
        for label in ("projects", "indicators")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not numbered or isinstance(model._meta.pk, AutoFieldMixin)
    )


def fingerprint(cursor):
    """{table: (row count, digest of every row's contents)}, in one query."""
    parts = [
        f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text),"
        f" '')) FROM {table} t"
        for table, _pk in portfolio_tables()
    ]
    cursor.execute(" UNION ALL ".join(parts))
    return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def url(name):
    """A libpq connection URI for database `name` on the test database's server."""
    s = connection.settings_dict
    login = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{login}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


def run(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)


def build_portfolio():
    plan = make_plan()
    chapters = [make_chapter(plan, code) for code in ("3", "3.1", "4")]
    departments = [make_department(), make_department()]
    editor = make_user(Role.EDITOR, department=departments[0])
    projects = []
    for n in range(5):
        project = make_project(
            lead_department=departments[n % 2],
            stage="construction",
            start_date=datetime.date(2000, 1, 1),  # the writer reports on months from 2000
        )
        project.chapters.add(chapters[n % 3])
        project.partner_departments.add(departments[(n + 1) % 2])
        for m in range(3):
            make_milestone(project, datetime.date(2025, 3 + m, 1), title=f"节点{m}")
        make_report(project, datetime.date(2025, 1, 1), narrative=f"一月进展{n}", author=editor)
        AnnualInvestment.objects.create(project=project, year=2025, planned=5, completed=n)
        projects.append(project)
    indicator = make_indicator(plan=plan, responsible_department=departments[0])
    indicator.values.create(year=2024, value=90, entered_by=editor)
    return projects, editor


class Writer(threading.Thread):
    """Submits monthly reports, one transaction each (the report and its history row),
    and after each one notes the portfolio's fingerprint: every state the database goes
    through, in order."""

    def __init__(self, projects, editor):
        super().__init__(daemon=True)
        self.projects, self.editor = projects, editor
        self.states = []
        self.stop = threading.Event()
        self.first_write = threading.Event()
        self.error = None

    def run(self):
        try:
            with connections["default"].cursor() as cursor:
                self.states.append(fingerprint(cursor))
            months = [datetime.date(2000 + n // 12, n % 12 + 1, 1) for n in range(25 * 12)]
            for n, month in enumerate(months * len(self.projects)):
                if self.stop.is_set():
                    break
                services.report_submit(
                    project=self.projects[n % len(self.projects)],
                    author=self.editor,
                    period=month,
                    health="green",
                    percent_complete=n % 100,
                    narrative=f"备份期间写入的报告{n}",
                )
                with connections["default"].cursor() as cursor:
                    self.states.append(fingerprint(cursor))
                self.first_write.set()
        except Exception as error:  # reported by the test
            self.error = error
            self.first_write.set()
        finally:
            connections.close_all()


@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="needs PostgreSQL's pg_dump and pg_restore",
)
def test_a_dump_taken_while_reports_come_in_restores_the_portfolio_as_it_was(tmp_path):
    projects, editor = build_portfolio()
    writer = Writer(projects, editor)
    writer.start()
    assert writer.first_write.wait(30) and writer.error is None
    dump = tmp_path / "liwan.dump"
    before = len(writer.states)
    run("pg_dump", "--format=custom", f"--file={dump}", url(connection.settings_dict["NAME"]))
    after = len(writer.states)
    writer.stop.set()
    writer.join(30)
    assert writer.error is None
    assert after > before, "no report was written while pg_dump ran"

    restored = f"liwan_restored_{secrets.token_hex(4)}"
    import psycopg

    with psycopg.connect(url("postgres"), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{restored}"')
        try:
            run("pg_restore", "--no-owner", f"--dbname={url(restored)}", str(dump))
            with psycopg.connect(url(restored)) as copy, copy.cursor() as cursor:
                state = fingerprint(cursor)
                # New rows get new keys: the sequences came along (a table keyed by its
                # project, such as the latest reports', has none).
                for table, pk in portfolio_tables(numbered=True):
                    cursor.execute(
                        f"SELECT nextval(pg_get_serial_sequence('{table}', '{pk}')) >"
                        f" coalesce((SELECT max({pk}) FROM {table}), 0)"
                    )
                    assert cursor.fetchone()[0], table
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')

    # The restored portfolio is one state the database went through while pg_dump ran:
    # every report committed before its snapshot, none after, nothing torn.
    assert state in writer.states[before - 1 : after + 1]
    assert state["projects_project"][0] == 5 and state["indicators_indicatorvalue"][0] == 1
    reports = state["projects_progressreport"][0]
    assert state["projects_historicalprogressreport"][0] == reports  # each with its history
    assert Milestone.objects.count() == state["projects_milestone"][0] == 15
    assert os.path.getsize(dump) > 0
