"""Where the app's processor time goes on the load test's hottest pages.

    python bench/hot_pages.py                     # liwan_load, 10 requests a page
    python bench/hot_pages.py --database postgres://postgres@127.0.0.1:5432/liwan_bench
    python bench/hot_pages.py --top 25            # more functions a page

On the benchmark portfolio of bench/portfolio.py (PostgreSQL; filled if missing), in
process with Django's test client and production settings, as an editor and a manager of
the load test: the pages the load test's users spend most of the server's time on (the
project page, the report form and its submission, the department page, the overdue board
filtered, sorted and paged, a department's CSV export). Each page is requested --repeat
times under cProfile with the process's processor clock (time spent waiting for
PostgreSQL is not counted: the database's own time is its processes', which the load test
reports). Built-in functions' time is counted in the area of
the code that calls them. Reports it submits are rolled back at the end.

For each page it prints the wall and processor time a request, the share of processor time
by area (template rendering, the ORM building queries and models, the database driver,
forms, middleware and the request cycle, our own code, the rest) and the functions that
spend the most themselves.
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AREAS = [
    ("templates", ("django/template/", "django_tables2/", "django/utils/html.py",
                   "django/utils/safestring.py", "django/templatetags/", "/templatetags/")),
    ("ORM", ("django/db/models/", "django/db/backends/", "django/db/utils.py")),
    ("database driver", ("psycopg/", "psycopg_binary/")),
    ("forms", ("django/forms/", "django_filters/")),
    ("translation, lazy text, formats", ("django/utils/translation/",
                                         "django/utils/functional.py", "asgiref/local.py", "django/utils/formats.py",
                              "django/utils/dateformat.py", "django/utils/numberformat.py")),
    ("request cycle, middleware", ("django/core/handlers/", "django/middleware/",
                                   "django/contrib/", "django/test/", "django/http/",
                                   "django/urls/", "csp/", "axes/", "whitenoise/",
                                   "simple_history/")),
    ("our code", (f"{ROOT}/projects/", f"{ROOT}/indicators/", f"{ROOT}/supervision/",
                  f"{ROOT}/liwan_projects/")),
]  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/liwan_load", help="PostgreSQL"
    )
    parser.add_argument("--repeat", type=int, default=10, help="requests a page")
    parser.add_argument("--top", type=int, default=12, help="functions listed a page")
    args = parser.parse_args()

    from bench import portfolio

    portfolio.setup_django(args.database)
    from django.conf import settings

    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    portfolio.ensure_portfolio()

    from django.db import transaction

    with transaction.atomic():
        profile_pages(args)
        transaction.set_rollback(True)  # the reports submitted go


def profile_pages(args):
    from django.contrib.auth.models import Group
    from django.test import Client

    from projects.models import Department, Milestone, ProgressReport, Project, User
    from projects.reporting import ACTIVE_STAGES, last_month
    from projects.clock import today
    from projects.roles import Role

    department = (
        Department.objects.filter(led_projects__stage__in=ACTIVE_STAGES).order_by("slug").first()
    )
    editor, _ = User.objects.update_or_create(
        username="profile-editor", defaults={"department": department, "is_active": True}
    )
    editor.groups.set([Group.objects.get(name=Role.EDITOR.value)])
    manager, _ = User.objects.update_or_create(
        username="profile-manager", defaults={"department": None, "is_active": True}
    )
    manager.groups.set([Group.objects.get(name=Role.MANAGER.value)])
    period = last_month(today())
    codes = list(
        Project.objects.filter(lead_department=department, stage__in=ACTIVE_STAGES)
        .order_by("code")
        .values_list("code", flat=True)[: 2 * args.repeat + 2]
    )
    ProgressReport.objects.filter(project__code__in=codes, period=period).delete()
    board_department = (
        Milestone.objects.overdue()
        .filter(responsible_department__isnull=False)
        .values_list("responsible_department", flat=True)
        .first()
    )
    editor_client, manager_client = Client(), Client()
    editor_client.force_login(editor)
    manager_client.force_login(manager)
    submitted = iter(codes)

    def submit():
        code = next(submitted)
        form = {
            "version": "0",
            "period": f"{period:%Y-%m}",
            "health": "green",
            "percent_complete": "40",
            "narrative": "性能剖析",
            "problems": "",
            "next_steps": "",
            "investment_completed_ytd": "",
        }
        return editor_client.post(f"/projects/{code}/reports/new/", form)

    pages = [
        ("project page", 200, lambda: editor_client.get(f"/projects/{codes[0]}/")),
        ("report form", 200, lambda: editor_client.get(f"/projects/{codes[0]}/reports/new/")),
        ("report submit", 302, submit),
        ("department page", 200, lambda: editor_client.get(f"/departments/{department.slug}/")),
        (
            "overdue board, filtered",
            200,
            lambda: manager_client.get("/milestones/overdue/?band=31-90"),
        ),
        (
            "overdue board, sorted, paged",
            200,
            lambda: manager_client.get("/milestones/overdue/?sort=days_overdue&page=5"),
        ),
        (
            "CSV export, a department",
            200,
            lambda: manager_client.get(
                f"/milestones/overdue/?responsible_department={board_department}&_export=csv"
            ),
        ),
    ]
    print(
        f"{Project.objects.count():,} projects; {args.repeat} requests a page after one "
        "warm-up; processor time of this process (the database's is not in it)\n"
    )
    for name, expected, request in pages:
        if name != "report submit":
            consume(request())  # warm-up
        walls, cpus = [], []
        for _ in range(args.repeat):  # timed without the profiler, which slows calls down
            wall, cpu = time.perf_counter(), time.process_time()
            response = consume(request())
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            assert response.status_code == expected, (name, response.status_code)
        profiler = cProfile.Profile(time.process_time)
        for _ in range(args.repeat):
            profiler.enable()
            response = consume(request())
            profiler.disable()
            assert response.status_code == expected, (name, response.status_code)
        report(name, profiler, walls, cpus, args)


def consume(response):
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def area(filename):
    for name, parts in AREAS:
        if any(part in filename for part in parts):
            return name
    if "site-packages" not in filename and "/lib/python3" in filename:
        return "the standard library"
    return "other libraries"


def report(name, profiler, walls, cpus, args):
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values()) or 1e-9  # own time of every function
    by_area = Counter()
    for (filename, _line, _function), row in stats.stats.items():
        if filename.startswith(("~", "<")):  # a built-in: its time goes to its callers
            for (caller, _l, _f), called in row[4].items():
                by_area[area(caller)] += called[2]
        else:
            by_area[area(filename)] += row[2]
    print(
        f"== {name}: median {statistics.median(walls):.1f} ms wall, "
        f"{statistics.median(cpus):.1f} ms processor a request (without the profiler)"
    )
    print("   " + ", ".join(f"{a} {t / total:.0%}" for a, t in by_area.most_common()))
    ranked = sorted(stats.stats.items(), key=lambda item: -item[1][2])[: args.top]
    for (filename, line, function), row in ranked:
        where = filename.split("site-packages/")[-1].replace(f"{ROOT}/", "")
        print(
            f"   {row[2] / total:5.1%} {row[2] * 1000 / args.repeat:6.2f} ms {row[1] // args.repeat:7d} calls "
            f"{function} ({where}:{line})"
        )
    print()


if __name__ == "__main__":
    main()
