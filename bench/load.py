"""Load test: the monthly reporting deadline, against gunicorn on the benchmark portfolio.

    python bench/load.py                              # 50 users for 120 s
    python bench/load.py --think 0.5 --ramp-up 10     # no reading: what two cores can take
    python bench/load.py --restart-database-at 20     # PostgreSQL restarts 20 s into the run

Prepares the 10,000-project benchmark database of bench/portfolio.py on PostgreSQL
(liwan_bench, created and filled if missing), with load-test users: editors of the
departments that lead projects and managers, all with the password below, hashed by the
production hasher. It deletes the reports of the month being reported on (last month), so
that every department owes its reports again, then starts the app with bin/serve (gunicorn,
production settings, HTTPS as behind a TLS proxy) on a free local port.

Virtual users, over real HTTP with keep-alive connections and cookies, for --duration
seconds (120; they start one after another over the --ramp-up seconds, 30), waiting a
random 0 to 2 x --think seconds (3: people read a page before they click) before each
request:
- editors sign in through the sign-in form (CSRF token and all), land on their department's
  page, open projects their department leads that lack the month's report, open the report
  form, submit it and see the project page again; after one to twenty reports
  (--reports-per-sign-in) they sign out and in again. No two report on the same project.
- managers sign in to the overdue board, filter it (department, chapter, category, days
  overdue), sort it, page through it and export it as CSV (mostly one department's, now
  and then the whole board); after one to forty of these they sign out and in again.

Then it stops gunicorn and prints, per page and overall: requests, requests per second,
median, 95th and 99th percentile latency (request sent to last byte read) and errors (a
failed connection, or a status other than the page's normal one: a sign-in or report that
does not redirect is an error). Finally it checks the database: every report that was
answered with success is there exactly once with the text sent, and no report of the month
exists that the test did not send.

--restart-database-at SECONDS restarts PostgreSQL (pg_ctlcluster, fast shutdown) during the
run; errors are then counted apart for requests that overlapped the outage (from the
restart until the database accepts connections again) and after it, which should be none.
Never point this at a database whose data you want to keep.
"""

import argparse
import collections
import datetime
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import portfolio  # noqa: E402  (the benchmark portfolio: database, fill)

PASSWORD = "liwan-load-test-2026"
HOST = "127.0.0.1"

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/liwan_bench", help="PostgreSQL"
    )
    parser.add_argument("--projects", type=int, default=10_000, help="size of the portfolio")
    parser.add_argument("--users", type=int, default=50, help="virtual users at once")
    parser.add_argument("--managers", type=int, help="of which managers (default: one in five)")
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--ramp-up", type=float, default=30, help="seconds to start every user")
    parser.add_argument(
        "--think", type=float, default=3, help="mean seconds a user waits before a request"
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
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if "postgres" not in urlsplit(args.database).scheme:
        parser.error("the load test runs on PostgreSQL: --database postgres://...")
    managers = args.users // 5 if args.managers is None else args.managers
    editors = args.users - managers

    print(f"preparing {args.database} ...", flush=True)
    setup = prepare(args, editors=editors, managers=managers)
    port = free_port()
    server, server_log = start_server(args, port)
    try:
        print(
            f"gunicorn on {HOST}:{port}; {editors} editors and {managers} managers for "
            f"{args.duration:.0f} s (ramp-up {args.ramp_up:.0f} s, think 0-{2 * args.think:g} s)"
            f", reports for {setup.period:%Y-%m}",
            flush=True,
        )
        run = Run(args, port, setup, CpuMeter(server.pid, args.database))
        run.go()
    finally:
        stop_server(server)
        server_log.close()
    report(run)
    if any(sample.error for sample in run.samples):
        print(f"\ngunicorn's log, with the errors: {server_log.name}")
    else:
        os.unlink(server_log.name)
    ok = verify(run)
    sys.exit(0 if ok and not run.errors_outside_outage() else 1)


# --- the database and its users --------------------------------------------------------


class Setup:
    """What the virtual users need to know about the database."""

    def __init__(self, period, editors, managers, queues, departments, chapters, categories):
        self.period = period
        self.editors = editors  # [(username, department slug)]
        self.managers = managers  # [username]
        self.queues = queues  # {department slug: ProjectQueue}
        self.departments = departments  # [pk] of departments responsible for milestones
        self.chapters = chapters  # [pk]
        self.categories = categories  # [value]


class ProjectQueue:
    """Projects of one department still owing the month's report, handed out once each."""

    def __init__(self, codes):
        self.codes = collections.deque(codes)
        self.lock = threading.Lock()

    def claim(self):
        with self.lock:
            return self.codes.popleft() if self.codes else None


def prepare(args, *, editors, managers):
    portfolio.setup_django(args.database)
    portfolio.ensure_portfolio(projects=args.projects)

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.sessions.models import Session
    from django.db import connections, transaction

    from projects.models import Department, Milestone, PlanChapter, ProgressReport, Project, User
    from projects.roles import Role
    from projects.scorecards import ACTIVE_STAGES, last_month

    rng = random.Random(args.seed)
    period = last_month(datetime.date.today())  # the report form's default month
    leading = list(
        Department.objects.filter(led_projects__stage__in=ACTIVE_STAGES)
        .distinct()
        .order_by("slug")
    )
    password = make_password(PASSWORD)  # once: the production hasher is slow on purpose
    editor_group = Group.objects.get(name=Role.EDITOR.value)
    manager_group = Group.objects.get(name=Role.MANAGER.value)
    with transaction.atomic():
        # The month owes its reports again; sessions of earlier runs go.
        ProgressReport.objects.filter(period=period).delete()
        ProgressReport.history.model.objects.filter(period=period).delete()
        Session.objects.all().delete()
        editor_accounts = []
        for n in range(editors):
            department = leading[n % len(leading)]
            username = f"load-editor-{n + 1:03d}"
            user = user_with(User, username, password, department)
            user.groups.set([editor_group])
            editor_accounts.append((username, department.slug))
        manager_accounts = []
        for n in range(managers):
            username = f"load-manager-{n + 1:03d}"
            user_with(User, username, password, None).groups.set([manager_group])
            manager_accounts.append(username)
        from axes.models import AccessAttempt

        AccessAttempt.objects.filter(username__startswith="load-").delete()
    queues = {}
    for department in leading:
        codes = list(
            Project.objects.filter(lead_department=department, stage__in=ACTIVE_STAGES)
            .order_by("code")
            .values_list("code", flat=True)
        )
        rng.shuffle(codes)
        queues[department.slug] = ProjectQueue(codes)
    setup = Setup(
        period=period,
        editors=editor_accounts,
        managers=manager_accounts,
        queues=queues,
        departments=sorted(
            set(
                Milestone.objects.overdue()
                .order_by()
                .values_list("responsible_department", flat=True)
                .distinct()
            )
            - {None}
        ),
        chapters=list(PlanChapter.objects.order_by("pk").values_list("pk", flat=True)),
        categories=[value for value, _label in Project.Category.choices],
    )
    connections.close_all()  # the run must not depend on this process's connection
    return setup


def user_with(User, username, password, department):
    user, _created = User.objects.update_or_create(
        username=username,
        defaults={"password": password, "department": department, "is_active": True},
    )
    return user


# --- gunicorn --------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(args, port):
    """bin/serve on the benchmark database, as production runs it behind a TLS proxy."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "WORKERS", "THREADS"}
    }
    env |= {
        "DATABASE_URL": args.database,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ADDRESS": f"{HOST}:{port}",
        "ALLOWED_HOSTS": HOST,
        "HTTPS": "true",
        "ACCESS_LOG": "off",
    }
    if args.workers:
        env["WORKERS"] = str(args.workers)
    if args.threads:
        env["THREADS"] = str(args.threads)
    log = tempfile.NamedTemporaryFile(
        "w+", prefix="liwan-load-gunicorn-", suffix=".log", delete=False
    )
    server = subprocess.Popen(
        [str(ROOT / "bin" / "serve")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            sys.exit(f"bin/serve stopped:\n{log.read()[-3000:]}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                connection.close()
                log.seek(0)
                started = [line for line in log if line.startswith("Serving on")]
                print(started[-1].strip() if started else "", flush=True)
                return server, log
        except OSError:
            pass
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


# --- a browser, roughly ----------------------------------------------------------------


class Sample:
    __slots__ = ("page", "started", "finished", "status", "error")

    def __init__(self, page, started, finished, status, error):
        self.page, self.started, self.finished = page, started, finished
        self.status, self.error = status, error

    @property
    def ms(self):
        return (self.finished - self.started) * 1000


class Browser:
    """One user's keep-alive connection and cookies, as behind the TLS proxy (which tells
    the app the request came over https; the browser sends Origin on a POST)."""

    def __init__(self, run):
        self.run = run
        self.connection = None
        self.used = False
        self.cookies = {}
        self.csrf = None  # the form token of the last page
        self.has_stylesheet = False

    def request(self, page, method, path, *, expect, form=None, check=None):
        """(status, response, body), or None if it failed: no answer, another status than
        `expect`, or `check(body)` names a problem. The sample is recorded either way; after
        a failure the user takes a second to read the error before going on."""
        body = urlencode(form).encode() if form is not None else None
        headers = {"X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}:{self.run.port}"
        started = time.monotonic()
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(HOST, self.run.port, timeout=120)
                self.used = False
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                # The server closes an idle keep-alive connection; a browser retries on a
                # new one. A fresh connection failing is an error.
                reused = self.used
                self.close()
                if attempt == 1 and reused:
                    continue
                return self.record(page, started, None, f"{type(e).__name__}: {e}")
            except OSError as e:
                self.close()
                return self.record(page, started, None, f"{type(e).__name__}: {e}")
        self.used = True
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _eq, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "max-age=0" in rest.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if response.status != expect:
            location = response.getheader("Location", "")
            return self.record(page, started, response.status, f"{response.status} {location}")
        problem = check(content) if check else None
        if problem:
            return self.record(page, started, response.status, problem)
        if content and "text/html" in response.getheader("Content-Type", ""):
            token = CSRF_FIELD.search(content.decode())
            if token:
                self.csrf = token.group(1)
        self.record(page, started, response.status, None)
        return response.status, response, content

    def record(self, page, started, status, error):
        self.run.record(Sample(page, started, time.monotonic(), status, error))
        if error:
            time.sleep(1)
        return None

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# --- the run ---------------------------------------------------------------------------


class Run:
    def __init__(self, args, port, setup, cpu):
        self.args, self.port, self.setup, self.cpu = args, port, setup, cpu
        self.samples = []
        self.lock = threading.Lock()
        self.attempted = {}  # project code: the report sent
        self.saved = {}  # project code: the report sent and answered with success
        self.outage = None  # (started, back) in monotonic seconds
        self.restart_error = None

    def record(self, sample):
        with self.lock:
            self.samples.append(sample)

    def go(self):
        users = [
            threading.Thread(target=self.editor, args=(n, username, slug), daemon=True)
            for n, (username, slug) in enumerate(self.setup.editors)
        ] + [
            threading.Thread(target=self.manager, args=(n, username), daemon=True)
            for n, username in enumerate(self.setup.managers, start=len(self.setup.editors))
        ]
        random.Random(self.args.seed).shuffle(users)
        self.cpu.start()
        self.started = time.monotonic()
        self.deadline = self.started + self.args.duration
        if self.args.restart_database_at is not None:
            threading.Thread(target=self.restart_database, daemon=True).start()
        for n, user in enumerate(users):
            self.sleep_until(self.started + self.args.ramp_up * n / len(users))
            user.start()
        for user in users:
            user.join()
        self.finished = time.monotonic()
        self.cpu.stop()

    def sleep_until(self, moment):
        time.sleep(max(0.0, moment - time.monotonic()))

    def running(self):
        return time.monotonic() < self.deadline

    def think(self, rng):
        """Wait before the next request; False once the run is over."""
        if self.args.think:
            pause = rng.uniform(0, 2 * self.args.think)
            time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))
        return self.running()

    def sign_in(self, browser, rng, username, next_path, landing):
        """The sign-in form, as a browser fills it in; True once on the landing page."""
        if not self.think(rng):
            return False
        page = browser.request("sign-in page", "GET", "/accounts/login/", expect=200)
        if page is None:
            return False
        stylesheet = STYLESHEET.search(page[2].decode())
        if stylesheet and not browser.has_stylesheet:
            # Fetched once: the file name carries its hash and the app says cache it forever.
            if browser.request("static file", "GET", stylesheet.group(1), expect=200):
                browser.has_stylesheet = True
        if not self.think(rng):
            return False
        form = {
            "csrfmiddlewaretoken": browser.csrf,
            "username": username,
            "password": PASSWORD,
            "next": next_path,
        }
        signed_in = browser.request("sign in", "POST", "/accounts/login/", expect=302, form=form)
        if signed_in is None:
            return False
        location = signed_in[1].getheader("Location")
        return browser.request(landing, "GET", location, expect=200) is not None

    def sign_out(self, browser, rng):
        if self.think(rng):
            form = {"csrfmiddlewaretoken": browser.csrf}
            browser.request("sign out", "POST", "/accounts/logout/", expect=302, form=form)
        browser.cookies.pop("sessionid", None)

    def editor(self, n, username, slug):
        rng = random.Random(self.args.seed * 1000 + n)
        browser = Browser(self)
        queue = self.setup.queues[slug]
        while self.running():
            if not self.sign_in(browser, rng, username, f"/departments/{slug}/", "department page"):
                continue
            for _ in range(rng.randint(1, self.args.reports_per_sign_in)):
                code = queue.claim()
                if code is None or not self.submit_report(browser, rng, username, code):
                    break
            self.sign_out(browser, rng)
        browser.close()

    def submit_report(self, browser, rng, username, code):
        """Project page, report form, submit, project page again. False to stop."""
        if not self.think(rng):
            return False
        if browser.request("project page", "GET", f"/projects/{code}/", expect=200) is None:
            return True
        if not self.think(rng):
            return False
        month = f"{self.setup.period:%Y-%m}"

        def new_report_form(body):
            # The month's report, not yet written by anyone: version 0 of that month.
            html = body.decode()
            if 'name="version" value="0"' not in html or f'value="{month}"' not in html:
                return "not the form of a new report for the month"

        page = browser.request(
            "report form",
            "GET",
            f"/projects/{code}/reports/new/",
            expect=200,
            check=new_report_form,
        )
        if page is None:
            return True
        sent = {
            "health": rng.choice(["green", "green", "green", "amber", "red"]),
            "percent_complete": str(rng.randint(0, 100)),
            "narrative": f"负载测试 {username} {code} {secrets.token_hex(4)}",
            "problems": rng.choice(["", "征拆协调进度慢，需区里协调。"]),
            "next_steps": "按计划推进。",
        }
        form = {
            "csrfmiddlewaretoken": browser.csrf,
            "version": "0",
            "period": month,
            "investment_completed_ytd": "",
            **sent,
        }
        if not self.think(rng):
            return False
        with self.lock:
            self.attempted[code] = sent | {"author": username}
        saved = browser.request(
            "report submit", "POST", f"/projects/{code}/reports/new/", expect=302, form=form
        )
        if saved is None:
            return True
        with self.lock:
            self.saved[code] = sent | {"author": username}
        location = saved[1].getheader("Location").split("#")[0]
        browser.request("project page", "GET", location, expect=200)
        return True

    def manager(self, n, username):
        rng = random.Random(self.args.seed * 1000 + n)
        browser = Browser(self)
        board = "/milestones/overdue/"
        while self.running():
            if not self.sign_in(browser, rng, username, board, "overdue board"):
                continue
            for _ in range(rng.randint(1, 2 * self.args.reports_per_sign_in)):
                if not self.think(rng):
                    break
                choice = rng.random()
                if choice < 0.45:
                    query = {
                        key: value
                        for key, value in [
                            ("responsible_department", rng.choice(self.setup.departments)),
                            ("chapter", rng.choice(self.setup.chapters)),
                            ("category", rng.choice(self.setup.categories)),
                            ("band", rng.choice(["1-30", "31-90", "91-180", "181-"])),
                        ]
                        if rng.random() < 0.4
                    } or {"band": "31-90"}
                    name = "overdue board, filtered"
                elif choice < 0.75:
                    query = {
                        "sort": rng.choice(
                            ["project", "-planned_date", "responsible_department", "days_overdue"]
                        ),
                        "page": rng.randint(2, 20),
                    }
                    name = "overdue board, sorted, paged"
                elif choice < 0.95:
                    query = {
                        "responsible_department": rng.choice(self.setup.departments),
                        "_export": "csv",
                    }
                    name = "CSV export, a department"
                else:
                    query, name = {"_export": "csv"}, "CSV export, whole board"
                browser.request(
                    name,
                    "GET",
                    f"{board}?{urlencode(query)}",
                    expect=200,
                    check=csv_check if "_export" in query else None,
                )
            self.sign_out(browser, rng)
        browser.close()

    def restart_database(self):
        """Restart the PostgreSQL cluster that serves the database, and time the outage."""
        self.sleep_until(self.started + self.args.restart_database_at)
        url = urlsplit(self.args.database)
        port = url.port or 5432
        version, cluster = find_cluster(port)
        began = time.monotonic()
        print(
            f"{began - self.started:5.1f} s: restarting PostgreSQL {version}/{cluster}", flush=True
        )
        result = subprocess.run(
            ["pg_ctlcluster", version, cluster, "restart"], capture_output=True, text=True
        )
        if result.returncode != 0:
            self.restart_error = result.stderr.strip() or result.stdout.strip()
        import psycopg

        while True:
            try:
                psycopg.connect(self.args.database, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                time.sleep(0.05)
        back = time.monotonic()
        self.outage = (began, back)
        print(f"{back - self.started:5.1f} s: PostgreSQL accepts connections again", flush=True)

    def errors_outside_outage(self):
        return [s for s in self.samples if s.error and not self.during_outage(s)]

    def during_outage(self, sample):
        return self.outage is not None and (
            sample.started <= self.outage[1] and sample.finished >= self.outage[0]
        )


def csv_check(body):
    if not body.startswith("\ufeff".encode()) or body.count(b"\n") < 1:
        return "not a CSV file with its header"


def find_cluster(port):
    """(version, name) of the local PostgreSQL cluster on this port, from /etc/postgresql."""
    for conf in sorted(Path("/etc/postgresql").glob("*/*/postgresql.conf")):
        setting = re.search(r"^\s*port\s*=\s*(\d+)", conf.read_text(), re.MULTILINE)
        if int(setting.group(1) if setting else 5432) == port:
            return conf.parent.parent.name, conf.parent.name
    sys.exit(f"no PostgreSQL cluster on port {port} in /etc/postgresql")


# --- where the processor time went -----------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def process_seconds(pid):
    """CPU seconds (user and system) a process has used, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            pass
    return found


def machine_seconds():
    """(busy, total) CPU seconds of the whole machine since it started."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and waiting for input or output
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


class CpuMeter:
    """CPU seconds used over the run by gunicorn (its workers), by the PostgreSQL backends
    of the database, by this script (the virtual users) and by the whole machine."""

    def __init__(self, server_pid, database):
        self.server_pid, self.database = server_pid, database

    def start(self):
        self.sessions = self.database_sessions()
        self.workers = {pid: process_seconds(pid) for pid in children(self.server_pid)}
        self.script = sum(os.times()[:2])
        self.machine = machine_seconds()

    def stop(self):
        workers = 0.0
        for pid in children(self.server_pid):
            now = process_seconds(pid) or 0.0
            workers += now - (self.workers.get(pid) or 0.0)
        self.gunicorn = workers
        self.script = sum(os.times()[:2]) - self.script
        busy, total = machine_seconds()
        self.busy = busy - self.machine[0]
        self.capacity = total - self.machine[1]
        self.postgres = self.backend_seconds()
        sessions = self.database_sessions()
        if None not in (sessions, self.sessions):
            self.connections = sessions - self.sessions - 2  # less the two opened here since
        else:
            self.connections = None

    def database_sessions(self):
        """How many connections to the database were ever opened (PostgreSQL's count)."""
        import psycopg

        try:
            with psycopg.connect(self.database, connect_timeout=5) as connection:
                connection.execute("SELECT pg_stat_clear_snapshot()")
                return connection.execute(
                    "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
                ).fetchone()[0]
        except psycopg.Error:
            return None

    def backend_seconds(self):
        """The whole life of this database's current backends (the app keeps its
        connections, so nearly all of it is the run's)."""
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
        return sum(process_seconds(pid) or 0.0 for pid in pids)


# --- figures and checks ----------------------------------------------------------------

ORDER = [
    "sign-in page",
    "static file",
    "sign in",
    "department page",
    "project page",
    "report form",
    "report submit",
    "overdue board",
    "overdue board, filtered",
    "overdue board, sorted, paged",
    "CSV export, a department",
    "CSV export, whole board",
    "sign out",
]


def errors_in(samples):
    return sum(1 for s in samples if s.error)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(run):
    seconds = run.args.duration  # no request starts after it
    by_page = collections.defaultdict(list)
    for sample in run.samples:
        by_page[sample.page].append(sample)
    print(
        f"\n{len(run.samples):,} requests in {seconds:.0f} s (the last answer "
        f"{run.finished - run.started - seconds:.1f} s later); latency in ms, from sending the "
        "request to reading the last byte\n"
    )
    header = (
        f"{'page':30} {'requests':>8} {'per s':>7} {'median':>7} {'p95':>7} {'p99':>7} "
        f"{'errors':>7}"
    )
    print(header)
    print("-" * len(header))
    names = [n for n in ORDER if n in by_page] + sorted(set(by_page) - set(ORDER))
    rows = [(name, by_page[name]) for name in names]
    rows += [
        ("all", run.samples),
        ("all but sign in", [s for s in run.samples if s.page != "sign in"]),
    ]
    for name, samples in rows:
        if name == "all":
            print("-" * len(header))
        times = [s.ms for s in samples]
        errors = sum(1 for s in samples if s.error)
        print(
            f"{name:30} {len(samples):8d} {len(samples) / seconds:7.1f} "
            f"{statistics.median(times):7.0f} {percentile(times, 95):7.0f} "
            f"{percentile(times, 99):7.0f} {errors:7d}"
        )
    print("\ntarget, no error and a 95th percentile under 500 ms:")
    for name, samples in rows[-2:]:
        p95 = percentile([s.ms for s in samples], 95)
        met = not errors_in(samples) and p95 < 500
        print(f"  {name:18} {'met' if met else 'not met'} ({p95:.0f} ms)")
    print("\nover time (by when requests started):")
    step = 10
    for start in range(0, int(seconds), step):
        window = [
            s for s in run.samples if start <= s.started - run.started < start + step
        ]
        if not window:
            continue
        times = [s.ms for s in window]
        signing_in = sum(1 for s in window if s.page == "sign in")
        print(
            f"  {start:3d}-{start + step:<3d} s  {len(window) / step:5.1f} requests/s "
            f"({signing_in / step:.1f} sign-ins/s), median {statistics.median(times):5.0f} ms, "
            f"p95 {percentile(times, 95):5.0f} ms, errors {sum(1 for s in window if s.error)}"
        )
    cpu = run.cpu
    served = len(run.samples)
    postgres = "?" if cpu.postgres is None else f"{cpu.postgres:.0f}"
    print(
        f"\nprocessor seconds over the run: gunicorn {cpu.gunicorn:.0f} "
        f"({cpu.gunicorn / served * 1000:.0f} ms a request), PostgreSQL backends {postgres}, "
        f"virtual users {cpu.script:.1f}, the whole machine {cpu.busy:.0f} of "
        f"{cpu.capacity:.0f} ({cpu.busy / cpu.capacity:.0%} busy)"
    )
    if cpu.connections is not None:
        print(f"database connections opened during the run: {cpu.connections}")
    errors = [s for s in run.samples if s.error]
    if errors:
        kinds = collections.Counter((s.page, s.error.split(" /")[0][:80]) for s in errors)
        print("\nerrors:")
        for (page, error), n in kinds.most_common(12):
            print(f"  {n:5d}  {page}: {error}")
    if run.args.restart_database_at is not None:
        if run.restart_error:
            print(f"\nthe restart failed: {run.restart_error}")
        elif run.outage is None:
            print("\nthe run ended before the database restart")
        else:
            began, back = (t - run.started for t in run.outage)
            during = [s for s in errors if run.during_outage(s)]
            outside = run.errors_outside_outage()
            print(
                f"\ndatabase restart: down from {began:.1f} s to {back:.1f} s "
                f"({back - began:.1f} s); {len(during)} errors in requests that overlapped it, "
                f"{len(outside)} errors outside it"
            )
            recovered = [s for s in run.samples if not s.error and s.started > run.outage[1]]
            if recovered:
                first = min(s.finished for s in recovered) - run.started
                print(f"first successful request after the restart finished at {first:.1f} s")


def verify(run):
    """Every report answered with success is in the database once, with what was sent; no
    report of the month is there that the test did not send."""
    from django.db import connections
    from django.db.models import Count

    from projects.models import ProgressReport

    connections.close_all()
    period = run.setup.period
    rows = ProgressReport.objects.filter(period=period).select_related("project", "author")
    stored = collections.defaultdict(list)
    for row in rows:
        stored[row.project.code].append(row)
    duplicates = (
        ProgressReport.objects.filter(period=period)
        .values("project")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    missing, different, unexpected, once_failed = [], [], [], []
    for code, sent in run.saved.items():
        found = stored.get(code, [])
        if len(found) != 1:
            missing.append(code)
        elif not same(found[0], sent):
            different.append(code)
    for code, found in stored.items():
        if code not in run.attempted:
            unexpected.append(code)
        elif code not in run.saved:
            # Sent, answered with an error (the database went away), yet saved: the
            # transaction committed before the answer was lost. It must be what was sent.
            once_failed.append(code)
            if not same(found[0], run.attempted[code]):
                different.append(code)
    print(
        f"\nreports for {period:%Y-%m}: {len(run.attempted)} sent, {len(run.saved)} answered "
        f"with success, {sum(len(v) for v in stored.values())} in the database"
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


if __name__ == "__main__":
    main()
