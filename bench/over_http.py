"""Over HTTP, side by side: our pages against Redmine's comparable pages, one request at a
time.

    python bench/over_http.py                                  # Redmine on http://127.0.0.1:3000
    python bench/over_http.py --redmine http://127.0.0.1:3000 --redmine-password ...
    python bench/over_http.py --config pages.json              # other pages to compare
    python bench/over_http.py --app ../other-checkout          # serve another checkout

Prepares the 10,000-project benchmark portfolio of bench/portfolio.py on PostgreSQL
(--database, liwan_load by default; filled if missing) with a manager account, starts
the app with bin/serve as production runs it (gunicorn, one worker of one thread, HTTPS as
behind a TLS proxy) on a free local port, and signs in on both sides through the sign-in
forms. Redmine must already run, signed-in as --redmine-user (an administrator sees every
project, as our manager does); its recipe is not part of this repository.

Then, for each page, it requests our page and each comparable Redmine page in turn
(alternating servers), --warm-up times untimed and --repeat times timed, each request on a
new connection as curl would, timed from sending the request to reading the last byte. It
prints the medians and the ratio Redmine / ours; for the CSV exports also the time per
1,000 rows and the ratio per row. When Redmine does not answer it prints ours alone.

--config FILE is JSON: a list of {"page": name, "ours": path, "redmine": [[label, path],
...]}; "{project}" in our path is replaced by the first benchmark project's page. A page
whose name contains "CSV" is compared per row.
"""

import argparse
import http.client
import json
import re
import statistics
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "liwan-http-bench-2026"
USERNAME = "http-bench-manager"
HOST = "127.0.0.1"

OVERDUE = (
    "set_filter=1&f[]=status_id&op[status_id]=o&f[]=due_date&op[due_date]=%3Ct-&v[due_date][]=1"
)
PAGES = [
    {
        "page": "portfolio list, page 1",
        "ours": "/projects/",
        "redmine": [
            ["25 rows", "/projects?display_type=list&per_page=25"],
            ["50 rows", "/projects?display_type=list&per_page=50"],
        ],
    },
    {
        "page": "portfolio, text search",
        "ours": "/projects/?q=9999",
        "redmine": [
            [
                "name contains",
                "/projects?display_type=list&set_filter=1&f[]=status&op[status]==&v[status][]=1"
                "&f[]=name&op[name]=~&v[name][]=9999&per_page=50",
            ]
        ],
    },
    {
        "page": "overdue board",
        "ours": "/milestones/overdue/",
        "redmine": [["issues, overdue", f"/issues?{OVERDUE}&sort=due_date&per_page=50"]],
    },
    {
        "page": "a project page",
        "ours": "{project}",
        "redmine": [["overview", "/projects/bench-0"], ["its issues", "/projects/bench-0/issues"]],
    },
    {
        "page": "full overdue CSV",
        "ours": "/milestones/overdue/?_export=csv",
        "redmine": [["issues CSV, overdue", f"/issues.csv?{OVERDUE}&sort=due_date&encoding=UTF-8"]],
    },
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default="postgres://postgres@127.0.0.1:5432/liwan_load",
        help="PostgreSQL URL, or a database name on the local server",
    )
    parser.add_argument("--app", default=str(ROOT), help="the checkout to serve (this one)")
    parser.add_argument("--redmine", default="http://127.0.0.1:3000", help="Redmine's address")
    parser.add_argument("--redmine-user", default="admin")
    parser.add_argument("--redmine-password", default="redmine-bench-2026")
    parser.add_argument("--config", help="JSON list of pages to compare (see above)")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests a page")
    parser.add_argument("--warm-up", type=int, default=2, help="untimed requests first")
    args = parser.parse_args()
    if "://" not in args.database:  # a bare name: a database on the local server
        args.database = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    if "postgres" not in urlsplit(args.database).scheme:
        parser.error("the comparison runs on PostgreSQL: --database postgres://...")
    pages = json.loads(Path(args.config).read_text()) if args.config else PAGES

    print(f"preparing {args.database} ...", flush=True)
    project = prepare(args.database)
    redmine = Site(args.redmine)
    try:
        redmine.sign_in_redmine(args.redmine_user, args.redmine_password)
        print(f"Redmine at {args.redmine}, signed in as {args.redmine_user}", flush=True)
    except (OSError, http.client.HTTPException, SignInFailed) as error:
        print(f"Redmine at {args.redmine} not reachable ({error}): ours alone", flush=True)
        redmine = None

    from bench import loadtest

    port = loadtest.free_port()
    server_args = argparse.Namespace(database=args.database, workers=1, threads=1)
    server, log = loadtest.start_server(server_args, port, app=args.app)
    try:
        ours = Site(f"http://{HOST}:{port}", forwarded_https=True)
        ours.sign_in_ours(USERNAME, PASSWORD)
        results = measure(pages, ours, redmine, project=project, args=args)
    finally:
        loadtest.stop_server(server)
        log.close()
        Path(log.name).unlink(missing_ok=True)
    report(results, args)


def prepare(database):
    """The portfolio, a manager account with PASSWORD; the first project's page."""
    from bench import portfolio

    portfolio.setup_django(database)
    portfolio.ensure_portfolio()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connections

    from projects.models import Project, User
    from projects.roles import Role

    user, _created = User.objects.update_or_create(
        username=USERNAME,
        defaults={"password": make_password(PASSWORD), "department": None, "is_active": True},
    )
    user.groups.set([Group.objects.get(name=Role.MANAGER.value)])
    project = Project.objects.order_by("pk").first().get_absolute_url()
    connections.close_all()
    return project


class SignInFailed(Exception):
    pass


class Site:
    """One server: its cookies, each request on a new connection."""

    def __init__(self, base, *, forwarded_https=False):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.cookies = {}
        self.headers = {"Accept-Encoding": "identity", "Connection": "close"}
        self.origin = f"http://{parts.netloc}"
        if forwarded_https:  # as from the TLS proxy in front of production
            self.headers["X-Forwarded-Proto"] = "https"
            self.origin = f"https://{parts.netloc}"

    def request(self, method, path, form=None):
        """(status, headers, body, milliseconds from sending to the last byte)."""
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content, elapsed

    def sign_in_ours(self, username, password):
        _status, _headers, page, _ms = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token.decode(), "username": username}
        status, headers, _body, _ms = self.request(
            "POST", "/accounts/login/", form | {"password": password, "next": "/"}
        )
        if status != 302 or self.request("GET", "/projects/")[0] != 200:
            raise SignInFailed(f"our sign-in answered {status}")

    def sign_in_redmine(self, username, password):
        _status, _headers, page, _ms = self.request("GET", "/login")
        token = re.search(rb'name="authenticity_token" value="([^"]+)"', page)
        if token is None:
            raise SignInFailed("no sign-in form")
        form = {"authenticity_token": token.group(1).decode(), "username": username}
        status, _headers, _body, _ms = self.request("POST", "/login", form | {"password": password})
        if status != 302 or self.request("GET", "/my/account")[0] != 200:
            raise SignInFailed(f"the sign-in answered {status}")


def measure(pages, ours, redmine, *, project, args):
    """For each page: [name, our times, rows, [(label, Redmine's times, rows), ...]]."""
    results = []
    for page in pages:
        path = page["ours"].replace("{project}", project)
        theirs = page["redmine"] if redmine else []
        times = {"ours": []} | {label: [] for label, _path in theirs}
        rows = {}
        for round in range(args.warm_up + args.repeat):
            for label, site, url in [("ours", ours, path)] + [
                (label, redmine, url) for label, url in theirs
            ]:
                status, _headers, body, elapsed = site.request("GET", url)
                if status != 200:
                    sys.exit(f"{page['page']}: {label} {url} answered {status}")
                if round >= args.warm_up:
                    times[label].append(elapsed)
                rows[label] = body.count(b"\n") - 1  # a CSV's rows, less its header
        results.append(
            [
                page["page"],
                times["ours"],
                rows["ours"],
                [(label, times[label], rows[label]) for label, _url in theirs],
            ]
        )
        print(f"  {page['page']}: done", flush=True)
    return results


def report(results, args):
    print(
        f"\nmedians of {args.repeat} requests after {args.warm_up} warm-ups, one at a time, "
        "alternating servers, each on a new connection; ms from sending to the last byte\n"
    )
    header = f"{'page':26} {'ours':>8}"
    if any(theirs for _name, _times, _rows, theirs in results):
        header += f"   {'Redmine':>8} {'':22} {'Redmine / ours':>14}"
    else:
        header += "   (Redmine did not answer: ours alone)"
    print(header)
    print("-" * len(header))
    for name, times, rows, theirs in results:
        ours = statistics.median(times)
        per_row = "CSV" in name
        if not theirs:
            print(f"{name:26} {ours:8.1f}")
        for i, (label, their_times, their_rows) in enumerate(theirs):
            median = statistics.median(their_times)
            first = f"{name:26} {ours:8.1f}" if i == 0 else f"{'':26} {'':8}"
            print(f"{first}   {median:8.1f} {label:22} {median / ours:14.2f}")
        if per_row:
            print(f"{'':26} {rows:8,} rows: {1000 * ours / max(rows, 1):.1f} ms per 1,000")
            for label, their_times, their_rows in theirs:
                median = statistics.median(their_times)
                ratio = (median / max(their_rows, 1)) / (ours / max(rows, 1))
                print(
                    f"{'':26} Redmine {label}: {their_rows:,} rows, "
                    f"{1000 * median / max(their_rows, 1):.1f} ms per 1,000; per row "
                    f"Redmine / ours {ratio:.2f}"
                )


if __name__ == "__main__":
    main()
