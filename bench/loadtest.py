"""Load test: the monthly reporting deadline, Locust's users against gunicorn on the
benchmark portfolio.

    python bench/loadtest.py                              # 50 users for 120 s
    python bench/loadtest.py --think 0.5 --ramp-up 10     # no reading: what two cores can take
    python bench/loadtest.py --restart-database-at 20     # PostgreSQL restarts 20 s into the run
    python bench/loadtest.py --think 0 --signed-in --ramp-up 5   # capacity, at saturation
    python bench/loadtest.py --think 0 --signed-in --ramp-up 5 --app ../baseline --app .
                                                          # two checkouts in turn, compared

Prepares the 10,000-project benchmark database of bench/portfolio.py on PostgreSQL
(liwan_bench, created and filled if missing), with load-test users: editors of the
departments that lead projects and managers, all with the password below, hashed by the
production hasher. It deletes the reports of the month being reported on (last month), so
that every department owes its reports again, then starts the app with bin/serve (gunicorn,
production settings, HTTPS as behind a TLS proxy) on a free local port.

Then it runs bench/locustfile.py headless in Locust (its own process: gevent patches the
process it runs in): --users (50) start over --ramp-up seconds (30) and work for --duration
seconds (120); a request running then is answered before the users stop. Locust prints its
summary and the locustfile its table (requests per second, median, 95th and 99th percentile,
errors, per page and overall) and the target's verdict. Arguments this script does not know
go to Locust (for instance --html report.html: charts over time).

It stops gunicorn and prints where the processor time went. Finally it checks the
database: every report that was answered with success is there exactly once with the text
sent, and no report of the month exists that the test did not send.

--restart-database-at SECONDS restarts PostgreSQL (pg_ctlcluster) during the run; errors
are then counted apart for requests that overlapped the outage (from the restart until the
database accepts connections again) and after it, which should be none. The exit status is
0 when there is no other error and the database check passes.

--think 0 is the saturation run: no reading time, every user sends its next request as
soon as the last is answered. --signed-in makes every account's session before the run (as
the sign-in form would, signed with the run's SECRET_KEY): users neither sign in nor out,
and Locust's figures count from the moment every user has started (--reset-stats), so the
run measures the pages, not the password hasher (0.35 s of a core a sign-in).

--app DIR serves another checkout (its bin/serve, its code); repeated, the checkouts are
loaded in turn in the same conditions and a last table sets their requests per second, p95
and p99 side by side (the ratio is the last over the first). The database is prepared and
checked with each checkout's own code and migrations (in a process of its own); give one
--database for each --app when their migrations differ.

Never point this at a database whose data you want to keep.
"""

import argparse
import collections
import datetime
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "liwan-load-test-2026"
HOST = "127.0.0.1"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"


DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/liwan_bench"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        action="append",
        help=f"PostgreSQL URL or a database name on its server ({DEFAULT_DATABASE}); once "
        "per --app to give each its own",
    )
    parser.add_argument(
        "--app",
        action="append",
        metavar="DIR",
        help="serve this checkout (this one by default); repeat to load several in turn",
    )
    parser.add_argument("--projects", type=int, default=10_000, help="size of the portfolio")
    parser.add_argument("--users", type=int, default=50, help="virtual users at once")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load")
    parser.add_argument("--ramp-up", type=float, default=30, help="seconds to start every user")
    parser.add_argument(
        "--think", type=float, default=3, help="mean seconds a user waits before a request"
    )
    parser.add_argument(
        "--signed-in",
        action="store_true",
        help="users are signed in before the run and never sign in or out; the figures "
        "count from the moment every user has started (Locust's --reset-stats)",
    )
    parser.add_argument(
        "--reports-per-sign-in",
        type=int,
        default=20,
        metavar="N",
        help="an editor signs out after 1 to N reports, a manager after 1 to 2N pages (20)",
    )
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: bin/serve's)")
    parser.add_argument("--threads", type=int, help="threads a worker (default: bin/serve's)")
    parser.add_argument(
        "--restart-database-at", type=float, metavar="SECONDS", help="restart PostgreSQL then"
    )
    # Internal: a step run with another checkout's code (see django_step).
    parser.add_argument("--step", choices=["prepare", "check"], help=argparse.SUPPRESS)
    parser.add_argument("--step-file", help=argparse.SUPPRESS)
    args, locust_args = parser.parse_known_args()
    apps = [str(Path(app).resolve()) for app in args.app or [ROOT]]
    # A bare name is a database on the default server: --database liwan_load.
    server = DEFAULT_DATABASE.rsplit("/", 1)[0]
    databases = [d if "://" in d else f"{server}/{d}" for d in args.database or [DEFAULT_DATABASE]]
    if len(databases) == 1:
        databases = databases * len(apps)
    if len(databases) != len(apps):
        parser.error("give one --database, or one for each --app")
    if any("postgres" not in urlsplit(database).scheme for database in databases):
        parser.error("the load test runs on PostgreSQL: --database postgres://...")
    if args.step:
        sys.exit(run_step(args, apps[0], databases[0]))

    # One secret for the whole run: the sessions made before it are signed with it.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    figures = []
    ok = True
    for app, database in zip(apps, databases):
        if len(apps) > 1:
            print(f"\n=== {app} on {database}", flush=True)
        totals, passed = load(args, app, database, locust_args)
        figures.append((app, totals))
        ok = ok and passed
    if len(apps) > 1:
        compare(figures, args)
    sys.exit(0 if ok else 1)


def load(args, app, database, locust_args):
    """One run against the checkout `app`: prepare, serve, load, stop, check. The figures
    of the run (Locust's overall rows) and whether it passed."""
    print(f"preparing {database} ...", flush=True)
    plan = django_step("prepare", app, database, args)
    port = free_port()
    server, server_log = start_server(args, port, app=app, database=database)
    work = Path(tempfile.mkdtemp(prefix="liwan-load-"))
    plan_file, results_file = work / "plan.json", work / "results.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False))
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "--host", f"http://{HOST}:{port}",
        "--users", str(args.users),
        "--spawn-rate", f"{args.users / args.ramp_up if args.ramp_up else args.users:.4f}",
        "--run-time", f"{args.duration}s",
        "--stop-timeout", "120",  # let running requests finish
        "--plan", str(plan_file), "--results", str(results_file),
        "--think", str(args.think), "--reports-per-sign-in", str(args.reports_per_sign_in),
        *(["--signed-in", "--reset-stats"] if args.signed_in else []),
        *locust_args,
    ]  # fmt: skip
    print(
        f"{args.users} users for {args.duration} s (ramp-up {args.ramp_up:g} s, think "
        f"0-{2 * args.think:g} s{', signed in before the run' if args.signed_in else ''}), "
        f"reports for {plan['period']}",
        flush=True,
    )
    restart = None
    if args.restart_database_at is not None:
        restart = DatabaseRestart(database, args.restart_database_at, results_file)
        restart.start()
    meter = CpuMeter(server.pid, database)
    try:
        locust = subprocess.run(command)
    finally:
        meter.stop()
        stop_server(server)
        server_log.close()
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    shutil.rmtree(work)
    if not results.get("stopped"):
        sys.exit(f"Locust stopped before the end of the run (exit status {locust.returncode})")
    meter.report()
    totals = results.get("totals")
    if totals and meter.app_seconds():
        # On a shared machine requests per second follow what the other work leaves over;
        # requests per processor-second of the app and its database follow the code.
        for row in totals.values():
            row["per_app_second"] = row["requests"] / meter.app_seconds()
        print(
            f"requests per processor-second of gunicorn and its PostgreSQL backends: "
            f"{totals['all']['per_app_second']:.1f} (on two free cores: about "
            f"{2 * totals['all']['per_app_second']:.0f} requests/s)"
        )
    if results["failures"]:
        print(f"\ngunicorn's log, with the errors: {server_log.name}")
    else:
        os.unlink(server_log.name)
    outside = results["failures"]
    if restart is not None:
        outside = restart.report(results)
    checked = django_step("check", app, database, args, results | {"period": plan["period"]})
    return totals, checked["ok"] and not outside


def compare(figures, args):
    """The runs side by side, the last against the first."""
    print(
        f"\n{args.users} users, think 0-{2 * args.think:g} s, {args.duration} s each"
        f"{', signed in before the run' if args.signed_in else ''}; all requests but sign-in\n"
    )
    header = (
        f"{'checkout':40} {'per s':>7} {'median':>7} {'p95':>7} {'p99':>7} {'errors':>7} "
        f"{'per app-cpu s':>13}"
    )
    print(header)
    print("-" * len(header))
    for app, totals in figures:
        row = (totals or {}).get("all but sign in")
        if not row:
            print(f"{app[-40:]:40} (no figures)")
            continue
        print(
            f"{app[-40:]:40} {row['per_second']:7.1f} {row['median']:7.0f} {row['p95']:7.0f} "
            f"{row['p99']:7.0f} {row['errors']:7d} {row.get('per_app_second', 0):13.1f}"
        )
    first, last = (
        (figures[0][1] or {}).get("all but sign in"),
        (figures[-1][1] or {}).get("all but sign in"),
    )
    if first and last and first["per_second"]:
        print(
            f"\nrequests per second, last / first: {last['per_second'] / first['per_second']:.2f}"
        )
    if first and last and first.get("per_app_second"):
        print(
            "requests per processor-second of gunicorn and PostgreSQL, last / first: "
            f"{last['per_app_second'] / first['per_app_second']:.2f}"
        )


# --- steps run with a checkout's own code ------------------------------------------------


def django_step(step, app, database, args, payload=None):
    """Run `step` of this script ("prepare" or "check") in a process of its own whose
    Django project is the checkout `app`: the database is migrated and read with that
    checkout's models and migrations, whichever checkout this script comes from. Returns
    what the step wrote (JSON)."""
    with tempfile.NamedTemporaryFile("w+", suffix=".json", delete=False) as file:
        json.dump(payload or {}, file, ensure_ascii=False)
    try:
        command = [
            sys.executable, __file__, "--step", step, "--step-file", file.name,
            "--app", app, "--database", database, "--projects", str(args.projects),
            "--users", str(args.users),
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        finished = subprocess.run(command, env=env, cwd=app)
        if finished.returncode != 0:
            sys.exit(f"the {step} step failed for {app}")
        return json.loads(Path(file.name).read_text())
    finally:
        os.unlink(file.name)


def run_step(args, app, database):
    """In the step's own process: the checkout's code first on the path, then the step."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_portfolio", ROOT / "bench" / "portfolio.py"
    )
    portfolio = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(portfolio)  # this checkout's generator, any checkout's models
    sys.path[:] = [app] + [p for p in sys.path if p not in (app, str(ROOT))]
    file = Path(args.step_file)
    payload = json.loads(file.read_text())
    portfolio.setup_django(database)
    if args.step == "prepare":
        plan = prepare(portfolio, projects=args.projects, accounts=args.users)
        file.write_text(json.dumps(plan, ensure_ascii=False))
    else:
        ok = check(payload["period"], attempted=payload["attempted"], saved=payload["saved"])
        file.write_text(json.dumps({"ok": ok}))
    return 0


# --- the database and its users --------------------------------------------------------


def prepare(portfolio, *, projects, accounts):
    """The benchmark portfolio with the month's reports due again, and `accounts` editor
    and manager accounts, each with a session signed in (for --signed-in); the plan for
    the locustfile."""
    portfolio.ensure_portfolio(projects=projects)

    from axes.models import AccessAttempt
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.sessions.models import Session
    from django.db import connections, transaction

    from projects.clock import today
    from projects.models import Department, ProgressReport, User
    from projects.roles import Role
    from projects.reporting import ACTIVE_STAGES, last_month

    period = last_month(today())  # the report form's default month
    leading = list(
        Department.objects.filter(led_projects__stage__in=ACTIVE_STAGES)
        .distinct()
        .order_by("slug")
    )
    password = make_password(PASSWORD)  # once: the production hasher is slow on purpose
    editor_group = Group.objects.get(name=Role.EDITOR.value)
    manager_group = Group.objects.get(name=Role.MANAGER.value)
    editors, managers = [], []
    with transaction.atomic():
        # The month owes its reports again; sessions of earlier runs go.
        ProgressReport.objects.filter(period=period).delete()
        ProgressReport.history.model.objects.filter(period=period).delete()
        Session.objects.all().delete()
        for n in range(accounts):
            department = leading[n % len(leading)]
            user = account(User, f"load-editor-{n + 1:03d}", password, department)
            user.groups.set([editor_group])
            editors.append((user.username, department.slug))
            user = account(User, f"load-manager-{n + 1:03d}", password, None)
            user.groups.set([manager_group])
            managers.append(user.username)
        AccessAttempt.objects.filter(username__startswith="load-").delete()
    plan = plan_for(period=period, password=PASSWORD, editors=editors, managers=managers)
    plan |= signed_in(editors=[username for username, _slug in editors], managers=managers)
    connections.close_all()  # the run must not depend on this process's connection
    return plan


def signed_in(*, editors, managers):
    """A session for each account, as the sign-in form leaves it (signed with the run's
    SECRET_KEY): {"session_cookie": name, "sessions": {username: session key}}."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from projects.middleware import session_expiry
    from projects.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = {}
    for user in User.objects.filter(username__in=editors + managers):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(session_expiry())
        session.create()
        sessions[user.username] = session.session_key
    return {"session_cookie": settings.SESSION_COOKIE_NAME, "sessions": sessions}


def account(User, username, password, department):
    user, _created = User.objects.update_or_create(
        username=username,
        defaults={"password": password, "department": department, "is_active": True},
    )
    return user


def plan_for(*, period, password, editors, managers, seed=2026):
    """What the locustfile's users need: the month, the accounts ([username, department
    slug] for editors), each editor department's active projects, which owe the month's
    report (shuffled), and the overdue board's filter values."""
    from projects.models import Milestone, PlanChapter, Project
    from projects.reporting import ACTIVE_STAGES

    rng = random.Random(seed)
    projects = {}
    for slug in sorted({slug for _username, slug in editors}):
        codes = list(
            Project.objects.filter(lead_department__slug=slug, stage__in=ACTIVE_STAGES)
            .order_by("code")
            .values_list("code", flat=True)
        )
        rng.shuffle(codes)
        projects[slug] = codes
    departments = (
        Milestone.objects.overdue()
        .filter(responsible_department__isnull=False)
        .order_by("responsible_department")
        .values_list("responsible_department", flat=True)
        .distinct()
    )
    return {
        "period": f"{period:%Y-%m}",
        "password": password,
        "editors": [list(editor) for editor in editors],
        "managers": list(managers),
        "projects": projects,
        "departments": list(departments),
        "chapters": list(PlanChapter.objects.order_by("pk").values_list("pk", flat=True)),
        "categories": [value for value, _label in Project.Category.choices],
    }


def check(period, *, attempted, saved):
    """Every report answered with success is in the database once, with what was sent; no
    report of the month is there that the test did not send. `period` is "YYYY-MM";
    `attempted` and `saved` map project codes to what was sent, as the locustfile writes
    them. Prints what it found; True if all is well."""
    from django.db.models import Count

    from projects.models import ProgressReport

    month = datetime.date.fromisoformat(f"{period}-01")
    rows = ProgressReport.objects.filter(period=month).select_related("project", "author")
    stored = collections.defaultdict(list)
    for row in rows:
        stored[row.project.code].append(row)
    duplicates = (
        ProgressReport.objects.filter(period=month)
        .values("project")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    missing, different, unexpected, once_failed = [], [], [], []
    for code, sent in saved.items():
        found = stored.get(code, [])
        if len(found) != 1:
            missing.append(code)
        elif not same(found[0], sent):
            different.append(code)
    for code, found in stored.items():
        if code not in attempted:
            unexpected.append(code)
        elif code not in saved:
            # Sent, answered with an error (the database went away), yet saved: the
            # transaction committed before the answer was lost. It must be what was sent.
            once_failed.append(code)
            if not same(found[0], attempted[code]):
                different.append(code)
    print(
        f"\nreports for {period}: {len(attempted)} sent, {len(saved)} answered with success, "
        f"{sum(len(v) for v in stored.values())} in the database"
    )
    if once_failed:
        print(f"  {len(once_failed)} answered with an error were saved nonetheless (as sent)")
    ok = not (missing or different or unexpected or duplicates)
    if ok:
        print(
            "  check passed: every report answered with success is in the database exactly "
            "once with its content, and no other report of the month exists"
        )
    else:
        print(
            f"  CHECK FAILED: {len(missing)} missing, {len(different)} with other content, "
            f"{len(unexpected)} not sent by the test, {duplicates} months held twice"
        )
        for code in (missing + different + unexpected)[:10]:
            print(f"    {code}")
    return ok


def same(row, sent):
    return (
        row.narrative == sent["narrative"]
        and row.health == sent["health"]
        and str(row.percent_complete) == sent["percent_complete"]
        and row.problems == sent["problems"]
        and row.next_steps == sent["next_steps"]
        and row.author is not None
        and row.author.username == sent["author"]
    )


# --- gunicorn --------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(args, port, app=ROOT, database=None):
    """bin/serve of the checkout `app` (this one by default) on the benchmark database
    (`database`, else args.database), as production runs it behind a TLS proxy."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "WORKERS", "THREADS"}
    }
    env |= {
        "DATABASE_URL": database or args.database,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ADDRESS": f"{HOST}:{port}",
        "ALLOWED_HOSTS": HOST,
        "HTTPS": "true",
        "ACCESS_LOG": "off",
        # Its own static files: collecting into the checkout's folder while its tests
        # run there would pull files from under them.
        "STATIC_ROOT": (static_root := tempfile.mkdtemp(prefix="liwan-static-")),
    }
    if args.workers:
        env["WORKERS"] = str(args.workers)
    if args.threads:
        env["THREADS"] = str(args.threads)
    log = tempfile.NamedTemporaryFile(
        "w+", prefix="liwan-load-gunicorn-", suffix=".log", delete=False
    )
    server = subprocess.Popen(
        [str(Path(app) / "bin" / "serve")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server.static_root = static_root  # removed by stop_server
    deadline = time.monotonic() + 180
    sign_in_page = urllib.request.Request(
        f"http://{HOST}:{port}/accounts/login/", headers={"X-Forwarded-Proto": "https"}
    )
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            sys.exit(f"bin/serve stopped:\n{log.read()[-3000:]}")
        try:
            with urllib.request.urlopen(sign_in_page, timeout=5):
                pass
            log.seek(0)
            started = [line for line in log if line.startswith("Serving on")]
            print(started[-1].strip() if started else "", flush=True)
            return server, log
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    sys.exit("gunicorn did not answer within 180 s")


def stop_server(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; bin/serve exec'd it
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    shutil.rmtree(getattr(server, "static_root", ""), ignore_errors=True)


# --- a database restart during the run -------------------------------------------------


class DatabaseRestart(threading.Thread):
    """Restarts the local PostgreSQL cluster serving the database `at` seconds into the run
    (which starts when the locustfile first writes its results) and times the outage."""

    def __init__(self, database, at, results_file):
        super().__init__(daemon=True)
        self.database, self.at, self.results_file = database, at, results_file
        self.outage = None  # (down, back), epoch seconds
        self.error = None
        self.started = None

    def run(self):
        while not self.results_file.exists():
            time.sleep(0.05)
        self.started = json.loads(self.results_file.read_text())["started"]
        time.sleep(max(0.0, self.started + self.at - time.time()))
        version, cluster = find_cluster(urlsplit(self.database).port or 5432)
        down = time.time()
        when = down - self.started
        print(f"{when:5.1f} s: restarting PostgreSQL {version}/{cluster}", flush=True)
        result = subprocess.run(
            ["pg_ctlcluster", version, cluster, "restart"], capture_output=True, text=True
        )
        if result.returncode != 0:
            self.error = result.stderr.strip() or result.stdout.strip()
        import psycopg

        while True:
            try:
                psycopg.connect(self.database, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                time.sleep(0.05)
        back = time.time()
        self.outage = (down, back)
        when = back - self.started
        print(f"{when:5.1f} s: PostgreSQL accepts connections again", flush=True)

    def report(self, results):
        """Prints the outage and the errors in and outside it; the errors outside it."""
        failures = results["failures"]  # [page, started, finished, error]
        if self.error:
            print(f"\nthe restart failed: {self.error}")
            return failures
        if self.outage is None:
            print("\nthe run ended before the database restart")
            return failures
        down, back = self.outage
        during = [f for f in failures if f[1] <= back and f[2] >= down]
        outside = [f for f in failures if f not in during]
        print(
            f"\ndatabase restart: down from {down - self.started:.1f} s to "
            f"{back - self.started:.1f} s ({back - down:.1f} s); {len(during)} errors in "
            f"requests that overlapped it, {len(outside)} errors outside it"
        )
        return outside


def find_cluster(port):
    """(version, name) of the local PostgreSQL cluster on this port, from /etc/postgresql."""
    for conf in sorted(Path("/etc/postgresql").glob("*/*/postgresql.conf")):
        setting = re.search(r"^\s*port\s*=\s*(\d+)", conf.read_text(), re.MULTILINE)
        if int(setting.group(1) if setting else 5432) == port:
            return conf.parent.parent.name, conf.parent.name
    sys.exit(f"no PostgreSQL cluster on port {port} in /etc/postgresql")


# --- where the processor time went -----------------------------------------------------


class CpuMeter:
    """Processor seconds over the run of gunicorn's workers, of the database's PostgreSQL
    backends, of Locust and of the whole machine; and the database connections opened."""

    def __init__(self, server_pid, database):
        import psutil

        self.server = psutil.Process(server_pid)
        self.database = database
        self.workers = {p.pid: busy(p) for p in self.server.children(recursive=True)}
        self.locust = busy_children()
        self.machine = psutil.cpu_times()
        self.sessions = self.database_sessions()

    def stop(self):
        import psutil

        self.gunicorn = sum(
            busy(p) - self.workers.get(p.pid, 0.0) for p in self.server.children(recursive=True)
        )
        self.locust = busy_children() - self.locust  # Locust is the child that has ended
        now = psutil.cpu_times()
        # user, nice, system, idle, iowait, irq, softirq, steal (guest time is in user)
        self.capacity = sum(now[:8]) - sum(self.machine[:8])
        idle = now.idle + now.iowait - self.machine.idle - self.machine.iowait
        self.busy = self.capacity - idle
        self.postgres = self.backend_seconds()
        sessions = self.database_sessions()
        if None not in (sessions, self.sessions):
            self.connections = sessions - self.sessions - 2  # less the two opened here since
        else:
            self.connections = None

    def report(self):
        print(
            f"\nprocessor seconds over the run: gunicorn {self.gunicorn:.0f}, PostgreSQL "
            f"backends {'?' if self.postgres is None else f'{self.postgres:.0f}'}, Locust "
            f"{self.locust:.0f}, the whole machine {self.busy:.0f} of {self.capacity:.0f} "
            f"({self.busy / self.capacity:.0%} busy)"
        )
        if self.connections is not None:
            print(f"database connections opened during the run: {self.connections}")

    def app_seconds(self):
        """Processor seconds of gunicorn and the database's backends over the run."""
        return self.gunicorn + (self.postgres or 0.0)

    def database_sessions(self):
        """How many connections to the database were ever opened (PostgreSQL's count)."""
        import psycopg

        try:
            with psycopg.connect(self.database, connect_timeout=5) as connection:
                return connection.execute(
                    "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
                ).fetchone()[0]
        except psycopg.Error:
            return None

    def backend_seconds(self):
        """The whole life of this database's current backends (the app keeps its
        connections, so nearly all of it is the run's)."""
        import psutil
        import psycopg

        try:
            with psycopg.connect(self.database, connect_timeout=5) as connection:
                pids = [
                    pid
                    for (pid,) in connection.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid()"
                    )
                ]
        except psycopg.Error:
            return None
        total = 0.0
        for pid in pids:
            try:
                total += busy(psutil.Process(pid))
            except psutil.Error:
                pass
        return total


def busy(process):
    times = process.cpu_times()
    return times.user + times.system


def busy_children():
    times = os.times()
    return times.children_user + times.children_system


if __name__ == "__main__":
    main()
