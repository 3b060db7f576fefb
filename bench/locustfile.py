"""The monthly reporting deadline, as Locust users. Run by bench/loadtest.py, which prepares
the database, writes the plan this file reads (--plan), starts the app and checks the
database afterwards; by hand, against a server whose database has the plan's accounts:

    locust -f bench/locustfile.py --headless --host http://127.0.0.1:8000 \\
        --users 50 --spawn-rate 1.67 --run-time 120s --stop-timeout 120 \\
        --plan plan.json --results results.json

Editors sign in through the sign-in form, land on their department's page, open projects
their department leads that lack the month's report, open the report form, submit it and
see the project page again; after one to --reports-per-sign-in reports (20) they sign out
and in again. Managers sign in to the overdue board, filter it, sort and page it and
export it as CSV (mostly one department's, now and then the whole board), signing out
after one to twice that many pages. Four in five users are editors. Before every request
that a person would click for, a user reads for 0 to 2 x --think seconds (3). When the run
ends, a request under way is answered (give --stop-timeout the time) and none starts.

Requests go over plain HTTP, each on a new connection, with X-Forwarded-Proto: https, as
from the TLS proxy in front of production (the browser's Origin is then https). A request
fails on no answer, or a status other than the page's normal one: a sign-in or report that
does not redirect is a failure. At the end it prints, per page and overall, requests per
second, the median, 95th and 99th percentile time (from sending the request to reading the
last byte) and failures, and the target's verdict; and it writes to --results every report
it sent (and which were answered with success) and every failure with its time, for the
database check.
"""

import json
import os
import random
import re
import secrets
import time
from collections import deque
from http.cookiejar import Cookie, DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from gevent.event import Event
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser
from locust.stats import StatsEntry

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
BOARD = "/milestones/overdue/"

# The pages in the order of a visit, for the table.
PAGES = [
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
TARGET_MS = 500  # the 95th percentile, with no failure


class Run:
    """What the users share: the plan (accounts, projects still owing the month's report,
    filter values) and what they sent."""

    def __init__(self, environment, plan):
        self.environment = environment
        self.plan = plan
        self.editors = deque(plan["editors"])  # [username, department slug]
        self.managers = deque(plan["managers"])
        # Projects are handed out once each, so that no two users report on one. Users are
        # greenlets of one thread: a deque needs no lock.
        self.projects = {slug: deque(codes) for slug, codes in plan["projects"].items()}
        self.attempted = {}  # project code: the report sent
        self.saved = {}  # project code: the report sent and answered with success
        self.failures = []  # [page, started, finished, error], epoch seconds
        self.started = self.stopped = None
        self.totals = None  # the figures of the table's "all" rows, once Locust quits
        self.stopping = Event()  # set when the run ends


run = None


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument("--plan", help="JSON file written by bench/loadtest.py", required=True)
    parser.add_argument("--results", help="JSON file to write what was sent", required=True)
    parser.add_argument(
        "--think", type=float, default=3, help="mean seconds a user reads before a request"
    )
    parser.add_argument(
        "--reports-per-sign-in",
        type=int,
        default=20,
        help="an editor signs out after 1 to N reports, a manager after 1 to 2N pages",
    )
    parser.add_argument(
        "--signed-in",
        action="store_true",
        help="users start with the plan's sessions and never sign in or out",
    )


@events.init.add_listener
def _init(environment, **_kwargs):
    global run
    options = environment.parsed_options
    if options is None:  # imported without Locust's command line
        return
    run = Run(environment, json.loads(Path(options.plan).read_text()))
    Visitor.think_time = between(0, 2 * options.think)


@events.test_start.add_listener
def _started(**_kwargs):
    run.started = time.time()
    write_results()  # bench/loadtest.py times a database restart from here


@events.test_stopping.add_listener
def _stopping(**_kwargs):
    run.stopping.set()


@events.request.add_listener
def _record_failure(name, start_time, response_time, exception, **_kwargs):
    if exception is not None:
        finished = start_time + response_time / 1000
        run.failures.append([name, start_time, finished, str(exception)[:200]])


@events.test_stop.add_listener
def _stopped(**_kwargs):
    run.stopped = time.time()
    write_results()


@events.quit.add_listener
def _summary(**_kwargs):
    """After Locust's own summary: the figures in one table, and the verdict."""
    if run is not None and run.stopped is not None:
        print_table(run.environment.stats)
        run.totals = totals(run.environment.stats)
        write_results()


def write_results():
    path = Path(run.environment.parsed_options.results)
    partial = path.with_suffix(".partial")
    partial.write_text(
        json.dumps(
            {
                "started": run.started,
                "stopped": run.stopped,
                "attempted": run.attempted,
                "saved": run.saved,
                "failures": run.failures,
                "totals": run.totals,
            },
            ensure_ascii=False,
        )
    )
    os.replace(partial, path)  # whole or not at all, for a reader polling it


class Visitor(FastHttpUser):
    """A person at a browser: cookies, the form token of the last page, the stylesheet
    fetched once (its name carries its hash and the app says cache it forever)."""

    abstract = True
    network_timeout = 120.0
    # People read a page before they click: think() waits think_time before each request.
    # Locust's own wait between tasks is none: when the run ends Locust kills a user in
    # that wait, and the kill can land once the user has started its next request, which
    # is then lost without a trace (a report sent, its answer never read). think() stops
    # the user there instead, between requests, and a request under way is answered.
    wait_time = constant(0)
    think_time = between(0, 6)  # 0 to 2 x --think seconds

    def on_start(self):
        # The app's cookies are Secure (HTTPS=true). A browser sends them over its https
        # to the proxy; here the proxy's side is plain http, so the jar must send them too.
        self.client.cookiejar.set_policy(
            DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        )
        self.csrf = None
        self.has_stylesheet = False
        self.origin = "https://" + urlsplit(self.host).netloc
        self.signed_in = self.environment.parsed_options.signed_in

    def use_session(self, username):
        """Signed in already (--signed-in): the session bench/loadtest.py made for the user
        before the run, as the browser's cookie."""
        name, key = run.plan["session_cookie"], run.plan["sessions"][username]
        host = urlsplit(self.host).hostname
        self.client.cookiejar.set_cookie(
            Cookie(0, name, key, None, False, host, False, False, "/", True, True, None,
                   False, None, None, {})
        )  # fmt: skip

    def think(self):
        """Read the page; if the run ends meanwhile, stop here."""
        if run.stopping.wait(self.think_time()):
            raise StopUser()

    def fetch(self, page, method, path, *, expect, form=None, check=None):
        """The response if it came with the status `expect` and `check(body)` found no
        problem; else None, the failure recorded, and the user reads the error a second."""
        # As from the proxy: a new connection for each request (nginx speaks HTTP/1.0 to
        # gunicorn unless told otherwise), which also spares a POST the race with gunicorn
        # closing an idle kept-alive connection (a client may not resend a POST).
        headers = {
            "Accept-Encoding": "identity",
            "X-Forwarded-Proto": "https",
            "Connection": "close",
        }
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        with self.client.request(
            method,
            path,
            name=page,
            data=body,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 0:
                problem = f"no answer: {response.error}"
            elif response.status_code != expect:
                problem = f"{response.status_code} {response.headers.get('Location', '')}"
            else:
                problem = check(response.content) if check else None
            if problem:
                response.failure(problem)
            else:
                response.success()
        if problem:
            time.sleep(1)
            return None
        if "text/html" in response.headers.get("Content-Type", ""):
            token = CSRF_FIELD.search(response.text)
            if token:
                self.csrf = token.group(1)
        return response

    def sign_in(self, username, next_path, landing):
        """The sign-in form, as a browser fills it in; True once on the landing page."""
        self.think()
        page = self.fetch("sign-in page", "GET", "/accounts/login/", expect=200)
        if page is None:
            return False
        stylesheet = STYLESHEET.search(page.text)
        if stylesheet and not self.has_stylesheet:
            if self.fetch("static file", "GET", stylesheet.group(1), expect=200):
                self.has_stylesheet = True
        self.think()
        form = {
            "csrfmiddlewaretoken": self.csrf,
            "username": username,
            "password": run.plan["password"],
            "next": next_path,
        }
        signed_in = self.fetch("sign in", "POST", "/accounts/login/", expect=302, form=form)
        if signed_in is None:
            return False
        return self.fetch(landing, "GET", signed_in.headers["Location"], expect=200) is not None

    def sign_out(self):
        self.think()
        self.fetch(
            "sign out",
            "POST",
            "/accounts/logout/",
            expect=302,
            form={"csrfmiddlewaretoken": self.csrf},
        )


class Editor(Visitor):
    weight = 4

    def on_start(self):
        super().on_start()
        if not run.editors:
            raise StopUser("no editor account left in the plan")
        self.username, self.department = run.editors.popleft()
        if self.signed_in:
            self.use_session(self.username)
        self.projects = run.projects[self.department]

    @task
    def report_the_month(self):
        landing = f"/departments/{self.department}/"
        if self.signed_in:
            self.think()
            if self.fetch("department page", "GET", landing, expect=200) is None:
                return
        elif not self.sign_in(self.username, landing, "department page"):
            return
        for _ in range(random.randint(1, self.environment.parsed_options.reports_per_sign_in)):
            if not self.projects:
                break
            self.submit_report(self.projects.popleft())
        if not self.signed_in:
            self.sign_out()

    def submit_report(self, code):
        """Project page, report form, submit, project page again."""
        self.think()
        if self.fetch("project page", "GET", f"/projects/{code}/", expect=200) is None:
            return
        self.think()
        month = run.plan["period"]

        def new_report_form(body):
            # The month's report, not yet written by anyone: version 0 of that month.
            html = body.decode()
            if 'name="version" value="0"' not in html or f'value="{month}"' not in html:
                return "not the form of a new report for the month"

        path = f"/projects/{code}/reports/new/"
        if self.fetch("report form", "GET", path, expect=200, check=new_report_form) is None:
            return
        sent = {
            "health": random.choice(["green", "green", "green", "amber", "red"]),
            "percent_complete": str(random.randint(0, 100)),
            "narrative": f"负载测试 {self.username} {code} {secrets.token_hex(4)}",
            "problems": random.choice(["", "征拆协调进度慢，需区里协调。"]),
            "next_steps": "按计划推进。",
        }
        form = {
            "csrfmiddlewaretoken": self.csrf,
            "version": "0",
            "period": month,
            "investment_completed_ytd": "",
            **sent,
        }
        self.think()
        run.attempted[code] = sent | {"author": self.username}
        saved = self.fetch("report submit", "POST", path, expect=302, form=form)
        if saved is None:
            return
        run.saved[code] = sent | {"author": self.username}
        self.fetch("project page", "GET", saved.headers["Location"].split("#")[0], expect=200)


class Manager(Visitor):
    weight = 1

    def on_start(self):
        super().on_start()
        if not run.managers:
            raise StopUser("no manager account left in the plan")
        self.username = run.managers.popleft()
        if self.signed_in:
            self.use_session(self.username)

    @task
    def watch_the_board(self):
        if self.signed_in:
            self.think()
            if self.fetch("overdue board", "GET", BOARD, expect=200) is None:
                return
        elif not self.sign_in(self.username, BOARD, "overdue board"):
            return
        plan = run.plan
        for _ in range(random.randint(1, 2 * self.environment.parsed_options.reports_per_sign_in)):
            self.think()
            choice = random.random()
            if choice < 0.45:
                query = {
                    key: value
                    for key, value in [
                        ("responsible_department", random.choice(plan["departments"])),
                        ("chapter", random.choice(plan["chapters"])),
                        ("category", random.choice(plan["categories"])),
                        ("band", random.choice(["1-30", "31-90", "91-180", "181-"])),
                    ]
                    if random.random() < 0.4
                } or {"band": "31-90"}
                name = "overdue board, filtered"
            elif choice < 0.75:
                query = {
                    "sort": random.choice(
                        ["project", "-planned_date", "responsible_department", "days_overdue"]
                    ),
                    "page": random.randint(2, 20),
                }
                name = "overdue board, sorted, paged"
            elif choice < 0.95:
                query = {
                    "responsible_department": random.choice(plan["departments"]),
                    "_export": "csv",
                }
                name = "CSV export, a department"
            else:
                query, name = {"_export": "csv"}, "CSV export, whole board"
            self.fetch(
                name,
                "GET",
                f"{BOARD}?{urlencode(query)}",
                expect=200,
                check=csv_check if "_export" in query else None,
            )
        if not self.signed_in:
            self.sign_out()


def csv_check(body):
    if not body.startswith("\ufeff".encode()) or body.count(b"\n") < 1:
        return "not a CSV file with its header"


# --- the figures -------------------------------------------------------------------------


def totals(stats):
    """The table's overall rows as figures: requests, per second, median, p95, p99, errors."""
    seconds = max(stats.total.last_request_timestamp - stats.total.start_time, 1)
    without_sign_in = StatsEntry(stats, "all but sign in", "")
    for entry in stats.entries.values():
        if entry.name != "sign in":
            without_sign_in.extend(entry)
    figures = {}
    for name, entry in [("all", stats.total), ("all but sign in", without_sign_in)]:
        figures[name] = {
            "requests": entry.num_requests,
            "per_second": entry.num_requests / seconds,
            "median": entry.median_response_time,
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "errors": entry.num_failures,
        }
    return figures


def print_table(stats):
    """Locust's statistics in one table: per page and overall, requests, per second, the
    median, 95th and 99th percentile in ms, failures; then the target's verdict."""
    entries = {entry.name: entry for entry in stats.entries.values()}
    seconds = max(stats.total.last_request_timestamp - stats.total.start_time, 1)
    without_sign_in = StatsEntry(stats, "all but sign in", "")
    for entry in entries.values():
        if entry.name != "sign in":
            without_sign_in.extend(entry)
    rows = [(name, entries[name]) for name in PAGES if name in entries]
    rows += [(name, entries[name]) for name in sorted(set(entries) - set(PAGES))]
    overall = [("all", stats.total), ("all but sign in", without_sign_in)]
    header = (
        f"{'page':30} {'requests':>8} {'per s':>7} {'median':>7} {'p95':>7} {'p99':>7} "
        f"{'errors':>7}"
    )
    print(
        f"\n{stats.total.num_requests:,} requests in {seconds:.0f} s; times in ms, from sending "
        "the request to reading the last byte\n"
    )
    print(header)
    print("-" * len(header))
    for name, entry in rows + [(None, None)] + overall:
        if entry is None:
            print("-" * len(header))
            continue
        if not entry.num_requests:
            continue
        print(
            f"{name:30} {entry.num_requests:8d} {entry.num_requests / seconds:7.1f} "
            f"{entry.median_response_time:7.0f} {entry.get_response_time_percentile(0.95):7.0f} "
            f"{entry.get_response_time_percentile(0.99):7.0f} {entry.num_failures:7d}"
        )
    print(f"\ntarget, no error and a 95th percentile under {TARGET_MS} ms:")
    for name, entry in overall:
        p95 = entry.get_response_time_percentile(0.95) if entry.num_requests else 0
        met = entry.num_requests and not entry.num_failures and p95 < TARGET_MS
        print(f"  {name:18} {'met' if met else 'not met'} ({p95:.0f} ms)")
