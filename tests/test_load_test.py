"""The load test (bench/locustfile.py, run by bench/loadtest.py): Locust runs the
locustfile for a few seconds with three users against a live server on the test database,
and the database check that follows a run passes, or fails when a report went missing."""

import csv
import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

from bench import loadtest
from projects.models import ProgressReport, Project
from projects.roles import Role
from projects.reporting import last_month

from .conftest import (
    PASSWORD,
    TODAY,
    make_chapter,
    make_department,
    make_milestone,
    make_plan,
    make_project,
    make_user,
)

ROOT = Path(__file__).resolve().parent.parent
PERIOD = last_month(TODAY)

pytestmark = pytest.mark.django_db(transaction=True)  # the server reads what the test wrote


class OneAtATime(WSGIServer):
    """Django's development server without threads. pytest-django's live server answers
    each request in a thread of its own, and on SQLite these share the test's one in-memory
    connection: two users' transactions at once would trip over each other on it. This
    one answers in the server's thread, one request at a time, each on a connection of
    its own (the server says Connection: close)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)  # the thread has taken over the connections


class SerialServerThread(LiveServerThread):
    server_class = OneAtATime


@pytest.fixture
def live_app(transactional_db, settings):
    """The app on 127.0.0.1, as production runs it behind its TLS proxy (which says the
    request came over https); its address."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    shared = {
        c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()
    }
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread = SerialServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for connection in shared.values():
        connection.dec_thread_sharing()


def portfolio():
    """Two departments' active projects with overdue milestones, plan chapters, two
    editors of one department (they share its projects) and one of the other, managers;
    the locustfile's plan for them."""
    plan = make_plan()
    make_chapter(plan, "3"), make_chapter(plan, "4")
    roads, parks = make_department(), make_department()
    for department in (roads, parks):
        for n in range(12):
            project = make_project(lead_department=department, stage=Project.Stage.CONSTRUCTION)
            planned = TODAY - datetime.timedelta(days=10 * n + 5)
            make_milestone(project, planned, responsible_department=department)
    make_project(lead_department=roads, stage=Project.Stage.COMPLETED)  # owes no report
    editors = [make_user(Role.EDITOR, department=roads) for _ in range(2)] + [
        make_user(Role.EDITOR, department=parks)
    ]
    managers = [make_user(Role.MANAGER) for _ in range(3)]
    load_plan = loadtest.plan_for(
        period=PERIOD,
        password=PASSWORD,
        editors=[(user.username, user.department.slug) for user in editors],
        managers=[user.username for user in managers],
    )
    assert len(load_plan["projects"][roads.slug]) == 12  # not the completed one
    return load_plan


def run_locust(host, plan, folder, *, users=3, seconds=6, extra=()):
    (folder / "plan.json").write_text(json.dumps(plan))
    finished = subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
            "--headless", "--only-summary", "--host", host,
            "--users", str(users), "--spawn-rate", str(users),
            "--run-time", f"{seconds}s", "--stop-timeout", "20",
            "--plan", str(folder / "plan.json"), "--results", str(folder / "results.json"),
            "--think", "0.2", "--reports-per-sign-in", "3",
            "--csv", str(folder / "run"),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    return finished


def test_three_users_for_a_few_seconds_pass_without_error_and_the_database_check_passes(
    frozen_today, live_app, tmp_path, capsys
):
    plan = portfolio()

    finished = run_locust(live_app, plan, tmp_path)

    assert finished.returncode == 0, finished.stdout + finished.stderr  # no request failed
    assert "gevent" not in sys.modules  # Locust's patching stayed in its own process
    with (tmp_path / "run_stats.csv").open(newline="") as stats:
        pages = {row["Name"] for row in csv.DictReader(stats)}
    # Both journeys ran: the editors reported, the manager went through the board.
    assert {"sign in", "department page", "report form", "report submit", "overdue board"} <= pages
    assert "all but sign in" in finished.stdout  # the locustfile's table, with its verdict
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["saved"] and results["saved"] == results["attempted"], finished.stderr
    assert not results["failures"]
    assert ProgressReport.objects.filter(period=PERIOD).count() == len(results["saved"])

    assert loadtest.check(plan["period"], attempted=results["attempted"], saved=results["saved"])
    assert "check passed" in capsys.readouterr().out


def test_the_database_check_fails_on_a_missing_a_changed_or_an_unsent_report(db, capsys):
    editor = make_user(Role.EDITOR, department=make_department())
    kept, changed, lost, unsent = (
        make_project(lead_department=editor.department) for _ in range(4)
    )
    sent = {
        project.code: {
            "health": "amber",
            "percent_complete": "40",
            "narrative": f"负载测试 {project.code}",
            "problems": "",
            "next_steps": "按计划推进。",
            "author": editor.username,
        }
        for project in (kept, changed, lost)
    }
    for project in (kept, changed):
        fields = sent[project.code]
        ProgressReport.objects.create(
            project=project,
            period=PERIOD,
            health=fields["health"],
            percent_complete=int(fields["percent_complete"]),
            narrative=fields["narrative"] + ("，改过" if project == changed else ""),
            next_steps=fields["next_steps"],
            author=editor,
        )
    month = f"{PERIOD:%Y-%m}"
    just_kept = {kept.code: sent[kept.code]}
    assert loadtest.check(month, attempted=just_kept, saved=just_kept) is False  # changed's
    assert loadtest.check(month, attempted=sent, saved=sent) is False
    out = capsys.readouterr().out
    assert "1 missing, 1 with other content, 0 not sent by the test" in out
    assert f"    {lost.code}" in out and f"    {changed.code}" in out

    ProgressReport.objects.filter(project=changed).delete()
    assert loadtest.check(month, attempted=just_kept, saved=just_kept) is True
    ProgressReport.objects.create(
        project=unsent, period=PERIOD, health="green", percent_complete=1, narrative="另有"
    )
    assert loadtest.check(month, attempted=just_kept, saved=just_kept) is False
    assert "0 missing, 0 with other content, 1 not sent by the test" in capsys.readouterr().out


def test_at_saturation_signed_in_users_never_sign_in_and_send_without_pause(
    frozen_today, live_app, tmp_path
):
    """--think 0 --signed-in, as bench/loadtest.py runs the capacity test: the sessions
    made before the run sign the users in; nobody signs in or out, and the totals the
    load test compares are written."""
    plan = portfolio()
    plan |= loadtest.signed_in(
        editors=[username for username, _slug in plan["editors"]], managers=plan["managers"]
    )
    extra = ["--signed-in", "--think", "0"]

    finished = run_locust(live_app, plan, tmp_path, seconds=4, extra=extra)

    assert finished.returncode == 0, finished.stdout + finished.stderr
    with (tmp_path / "run_stats.csv").open(newline="") as stats:
        pages = {row["Name"] for row in csv.DictReader(stats)}
    assert {"department page", "report submit", "overdue board"} <= pages
    assert not pages & {"sign-in page", "sign in", "sign out"}
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["saved"] and not results["failures"]
    totals = results["totals"]["all"]
    assert totals["requests"] > 0 and totals["errors"] == 0 and totals["per_second"] > 0
    assert loadtest.check(plan["period"], attempted=results["attempted"], saved=results["saved"])
