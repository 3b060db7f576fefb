"""Scale-out: nothing a request needs lives in one process only. Two app servers (bin/serve,
gunicorn as in production) on two ports over one PostgreSQL database serve one signed-in
user alternately, as a proxy in front of several machines would: the sign-in, the pages,
a report and its conflict behave as on one server. And the settings keep every piece of
state a request needs (sessions, messages, caches, sign-in throttling) out of the process.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.db import connection

from projects.models import ProgressReport, Project
from projects.roles import Role

from .conftest import make_department, make_project, make_user

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "two-servers-one-user"
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_FIELD = re.compile(rb'name="version" value="(\d+)"')
PERIOD_FIELD = re.compile(rb'name="period" value="(\d{4}-\d{2})"')


# --- the settings: no state a request needs in one process ----------------------------


def test_every_cache_is_shared_by_every_server():
    """A local-memory (or dummy) cache is one process's: a throttle, a rate limit or a
    cached value kept there would differ from one server to the next. Every cache is the
    database's (bin/serve and bin/start make its table; the test database has it too)."""
    for name, cache in django_settings.CACHES.items():
        assert cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache", name


def test_sessions_messages_and_sign_in_failures_live_outside_the_process():
    from importlib import import_module

    from django.contrib.sessions.backends import db

    # Django's database sessions (read by SQL compiled once: projects/sessions.py).
    assert issubclass(import_module(django_settings.SESSION_ENGINE).SessionStore, db.SessionStore)
    # Messages ride in a cookie, or in the session when they do not fit: both shared.
    assert django_settings.MESSAGE_STORAGE == (
        "django.contrib.messages.storage.fallback.FallbackStorage"
    )
    # django-axes counts failed sign-ins in the database, not in a cache.
    assert django_settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    # The CSRF token is the browser's cookie, checked with the secret every server shares.
    assert not django_settings.CSRF_USE_SESSIONS


# --- two servers, one user ------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def database_url():
    db = connection.settings_dict
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    at = f"{user}{password}@" if user else ""
    return f"postgres://{at}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start(port, secret_key, static_root, log):
    """bin/serve on `port`: production settings over the test database, behind a TLS
    proxy, one worker of two threads, its static files collected into `static_root` (as
    on a machine of its own)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "WORKERS", "THREADS"}}
    env |= {
        "DATABASE_URL": database_url(),
        "SECRET_KEY": secret_key,  # the same on every server, as production requires
        "ADDRESS": f"{HOST}:{port}",
        "ALLOWED_HOSTS": HOST,
        "HTTPS": "true",
        "ACCESS_LOG": "off",
        "WORKERS": "1",
        "THREADS": "2",
        "STATIC_ROOT": str(static_root),
    }
    return subprocess.Popen(
        [str(ROOT / "bin" / "serve")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


# Starting is mostly collectstatic compressing about a thousand files (30 s of two cores
# here); two servers start at once.
START_SECONDS = 180


def wait_until_up(server, port, log):
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            pytest.fail(f"bin/serve stopped:\n{log.read()[-3000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"bin/serve did not answer within {START_SECONDS} s")


def stop(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Two bin/serve instances on two ports over the test database; their ports."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "two app servers need one database server both reach: run with DATABASE_URL="
            "postgres://... (SQLite's test database is in this process's memory)"
        )
    secret_key = secrets.token_urlsafe(50)
    servers, logs, ports = [], [], []
    try:
        for n in range(2):  # starting at once, each with its own static files
            port = free_port()
            log = tempfile.TemporaryFile("w+")
            servers.append(start(port, secret_key, tmp_path / f"static-{n}", log))
            logs.append(log)
            ports.append(port)
        for server, port, log in zip(servers, ports, logs):
            wait_until_up(server, port, log)
        yield ports
    finally:
        for server in servers:
            stop(server)
        for log in logs:
            log.close()


class Browser:
    """One person's browser behind the proxy: one set of cookies, whichever server
    answers (cookies belong to the host, not the port), each request as from the proxy."""

    def __init__(self):
        self.cookies = {}
        self.csrf = None

    def request(self, port, method, path, form=None):
        headers = {"X-Forwarded-Proto": "https", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}:{port}"
        client = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            client.request(method, path, body=body, headers=headers)
            response = client.getresponse()
            content = response.read()
        finally:
            client.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookie, _, attributes = rest.partition(";")
            if "max-age=0" in attributes.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie.strip('"')
        token = CSRF_FIELD.search(content)
        if token:
            self.csrf = token.group(1).decode()
        return response.status, response.headers, content

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, form):
        return self.request(port, "POST", path, {"csrfmiddlewaretoken": self.csrf} | form)


def report_form(page, **values):
    """The report form as the page holds it (its version and month), with `values`."""
    return {
        "version": VERSION_FIELD.search(page).group(1).decode(),
        "period": PERIOD_FIELD.search(page).group(1).decode(),
        "health": "green",
        "percent_complete": "40",
        "narrative": "",
        "problems": "",
        "next_steps": "",
        "investment_completed_ytd": "",
    } | values


def test_one_user_alternating_between_two_servers(two_servers, settings):
    a, b = two_servers
    settings.PASSWORD_HASHERS = ["projects.hashers.Argon2idHasher"]  # the servers' hasher
    department = make_department()
    editor = make_user(Role.EDITOR, department)
    editor.password = make_password(PASSWORD)
    editor.save()
    project = make_project(lead_department=department, stage=Project.Stage.CONSTRUCTION)
    page = f"/projects/{project.code}/"
    form_page = f"{page}reports/new/"
    browser = Browser()

    # Signs in on A ...
    assert browser.get(a, "/accounts/login/")[0] == 200
    status, headers, _ = browser.post(
        a, "/accounts/login/", {"username": editor.username, "password": PASSWORD, "next": page}
    )
    assert status == 302, "signing in on A"
    assert headers["Location"] == page
    # ... is signed in on B, and reads the project there.
    status, _, body = browser.get(b, page)
    assert status == 200, "B knows the session A started"
    assert project.name.encode() in body

    # The month's report form, opened on B now and sent later (a second tab).
    status, _, stale_page = browser.get(b, form_page)
    assert status == 200
    stale_csrf = browser.csrf

    # Submits the report on A; B shows it, with the message A left.
    status, _, fresh_page = browser.get(a, form_page)
    assert status == 200
    status, headers, _ = browser.post(
        a, form_page, report_form(fresh_page, narrative="两台服务器，一份月报")
    )
    assert status == 302, "the report saved through A"
    status, _, body = browser.get(b, headers["Location"].split("#")[0])
    assert status == 200
    assert "两台服务器，一份月报".encode() in body, "B shows the report A saved"
    report = ProgressReport.objects.get(project=project)
    assert report.version == 1

    # The stale form, sent to B: the conflict, as on one server; nothing overwritten.
    browser.csrf = stale_csrf
    status, _, body = browser.post(
        b, form_page, report_form(stale_page, narrative="旧表单覆盖不了")
    )
    assert status == 409, "the stale edit is refused on B as it would be on A"
    assert "两台服务器，一份月报".encode() in body, "the conflict page shows what is saved"
    report.refresh_from_db()
    assert report.narrative == "两台服务器，一份月报"
    assert report.version == 1
