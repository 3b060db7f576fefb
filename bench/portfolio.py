"""Benchmark the manager pages on a generated portfolio.

    python bench/portfolio.py                         # 10,000 projects in a SQLite file
    python bench/portfolio.py --projects 100          # a small one, to compare query counts
    python bench/portfolio.py --database postgres://postgres@127.0.0.1:5432/liwan_bench

Fills the database (creating it and its tables if missing) with a generated portfolio: by
default 10,000 projects, 100,000 milestones, 300,000 progress reports and 50,000 annual
investment rows, on the real plan chapters and departments. Then it requests each page
repeatedly, in process with Django's test client, and prints the median and 95th-percentile
server time and the number of SQL queries of each. An existing portfolio of the same size is
reused; --refill makes a new one. Never point it at a database whose data you want to keep.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--milestones-per-project", type=int, default=10)
    parser.add_argument("--reports-per-project", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--database", default="sqlite:////tmp/liwan-bench.sqlite3")
    parser.add_argument("--refill", action="store_true", help="generate a new portfolio")
    args = parser.parse_args()

    setup_django(args.database)
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Production settings, but without collectstatic's manifest: pages are what is timed.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    ensure_portfolio(
        projects=args.projects,
        milestones_per_project=args.milestones_per_project,
        reports_per_project=args.reports_per_project,
        refill=args.refill,
    )
    measure(args)


def setup_django(database):
    """Production settings (DEBUG off) on `database`, which is created if it is missing."""
    create_database_if_missing(database)
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liwan_projects.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()


def create_database_if_missing(url):
    import dj_database_url

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return  # SQLite makes its file on first use
    import psycopg
    from psycopg import sql

    server = {"host": config["HOST"] or None, "port": config["PORT"] or None}
    server |= {"user": config["USER"] or None, "password": config["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def ensure_portfolio(
    *, projects=10_000, milestones_per_project=10, reports_per_project=30, refill=False
):
    """Migrate, and generate the portfolio unless one of this size is there already."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from projects.models import Project

    if refill or Project.objects.count() != projects:
        started = time.perf_counter()
        fill(
            projects=projects,
            milestones_per_project=milestones_per_project,
            reports_per_project=reports_per_project,
        )
        print(f"filled in {time.perf_counter() - started:.0f} s")
    review_all_but_the_last_two_months()


def review_all_but_the_last_two_months():
    """As a portfolio in use has them (and the sample data): the planning office has
    reviewed every report but those of the past two months, which wait in its queue. A
    portfolio filled before the review queue existed had all 300,000 waiting, so every
    manager page counted them for its to-do badge."""
    from django.db.models import F

    from projects.clock import today
    from projects.models import ProgressReport
    from projects.reporting import last_month

    oldest_waiting = last_month(last_month(today()))
    reviewed = ProgressReport.objects.filter(
        status=ProgressReport.Status.SUBMITTED, period__lt=oldest_waiting
    ).update(status=ProgressReport.Status.ACCEPTED, reviewed_at=F("submitted_at"))
    if reviewed:
        vacuum_analyze()


def vacuum_analyze():
    """Fresh planner statistics and visibility map after a bulk change, as autovacuum
    would leave them some minutes later: without them PostgreSQL plans from the old counts
    (the review queue's 20,000 reports read as 300,000) and cannot scan indexes alone."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def fill(*, projects, milestones_per_project, reports_per_project):
    from django.db import transaction

    from projects import plandata
    from projects.models import (
        AnnualInvestment,
        Department,
        LatestReport,
        Milestone,
        PlanChapter,
        ProgressReport,
        Project,
        ProjectChapter,
    )

    rng = random.Random(14)
    today = datetime.date.today()
    with transaction.atomic():
        for model in (ProgressReport, Milestone, AnnualInvestment, ProjectChapter, Project):
            model.objects.all().delete()
        stats = Counter()
        plandata.load_departments(stats)
        _plan, chapters = plandata.load_plan_and_chapters(stats)
    sections = [c for c in PlanChapter.objects.all() if "." in c.code]
    departments = list(Department.objects.filter(kind=Department.Kind.BUREAU))
    categories = [c for c, _label in Project.Category.choices]
    stages = ["construction"] * 5 + ["preliminary"] * 3 + ["reserve", "completed"]
    batch = 5000

    def save(model, rows):
        model.objects.bulk_create(rows, batch_size=batch)

    generated = []
    for i in range(projects):
        start = today - datetime.timedelta(days=rng.randint(100, 1800))
        generated.append(
            Project(
                code=f"B{chr(65 + i // 10000)}-{categories[i % len(categories)][:3].upper()}-{i % 10000:04d}",
                name=f"基准测试项目{i}",
                name_en=f"Benchmark project {i}",
                category=categories[i % len(categories)],
                area=rng.choice(["baietan", "north", "south", "district"]),
                stage=rng.choice(stages),
                lead_department=rng.choice(departments),
                start_date=start,
                planned_completion=start + datetime.timedelta(days=rng.randint(900, 2500)),
                total_investment=rng.randint(1, 90),
                is_sample=True,
            )
        )
    save(Project, generated)
    generated = list(Project.objects.order_by("pk"))
    links, milestones, reports, investments = [], [], [], []
    this_month = today.replace(day=1)
    for project in generated:
        for chapter in rng.sample(sections, 2):
            links.append(ProjectChapter(project=project, chapter=chapter))
        span = (project.planned_completion - project.start_date).days
        for m in range(milestones_per_project):
            planned = project.start_date + datetime.timedelta(
                days=span * (m + 1) // milestones_per_project
            )
            done = planned < today and rng.random() < 0.8
            milestones.append(
                Milestone(
                    project=project,
                    title=f"节点{m + 1}",
                    planned_date=planned,
                    # bulk_create skips save(), which keeps the first baseline.
                    original_planned_date=planned,
                    actual_date=min(planned + datetime.timedelta(days=rng.randint(-10, 40)), today)
                    if done
                    else None,
                    responsible_department_id=project.lead_department_id,
                    is_sample=True,
                )
            )
        for r in range(1, reports_per_project + 1):
            month = this_month
            for _ in range(r):
                month = (month - datetime.timedelta(days=1)).replace(day=1)
            reports.append(
                ProgressReport(
                    project=project,
                    period=month,
                    health=rng.choice(["green", "green", "green", "amber", "red"]),
                    percent_complete=rng.randint(0, 100),
                    narrative="基准测试",
                    submitted_at=datetime.datetime(month.year, month.month, 5, tzinfo=datetime.UTC),
                    is_sample=True,
                )
            )
        for year in range(today.year - 4, today.year + 1):
            investments.append(
                AnnualInvestment(
                    project=project,
                    year=year,
                    planned=rng.randint(1, 20),
                    completed=rng.randint(0, 20),
                    is_sample=True,
                )
            )
        if len(reports) > 50_000:
            save(Milestone, milestones)
            save(ProgressReport, reports)
            milestones, reports = [], []
    save(ProjectChapter, links)
    save(Milestone, milestones)
    save(ProgressReport, reports)
    save(AnnualInvestment, investments)
    LatestReport.refresh()  # the reports were inserted in bulk, without their signals
    vacuum_analyze()


def measure(args):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from projects.models import Department, Milestone, PlanChapter, Project, User
    from projects.roles import Role

    manager, _created = User.objects.get_or_create(username="bench-manager")
    manager.groups.add(*Group.objects.filter(name=Role.MANAGER.value))
    client = Client()
    client.force_login(manager)
    project = Project.objects.order_by("pk").first()
    chapter = PlanChapter.objects.get(plan__number=14, code="4")
    department = Department.objects.get(slug="housing-transport")
    pages = [
        ("dashboard", "/"),
        ("portfolio", "/projects/"),
        ("portfolio, mismatch filter", "/projects/?mismatch=yes"),
        ("portfolio, sorted by overdue", "/projects/?sort=-overdue_count"),
        ("portfolio, text search", "/projects/?q=9999"),
        ("project page", project.get_absolute_url()),
        ("overdue board", "/milestones/overdue/"),
        ("overdue board, 91-180 days", "/milestones/overdue/?band=91-180"),
        ("upcoming, 30 days", "/milestones/upcoming/"),
        ("chapters", "/chapters/"),
        ("a chapter", f"/chapters/{chapter.key}/"),
        ("departments", "/departments/"),
        ("a department", f"/departments/{department.slug}/"),
        ("indicators", "/indicators/"),
    ]
    overdue = Milestone.objects.overdue().count()
    print(
        f"\n{Project.objects.count():,} projects, {Milestone.objects.count():,} milestones "
        f"({overdue:,} overdue), {connection.vendor}, {args.repeat} requests a page\n"
    )
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    medians = {}
    for name, url in pages:
        # Queries counted on one untimed request: capturing them writes out each query with
        # its values, which costs more than some of the queries.
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(context.captured_queries)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        medians[name] = statistics.median(times)
        print(f"{name:34} {medians[name]:10.1f} {percentile(times, 95):8.1f} {queries:8d}")
    if connection.vendor == "postgresql":
        template, params = floor_setup()
        print(f"\n{'floor: one raw SQL query + a minimal template':46} {'median ms':>10} {'page ÷ floor':>13}")
        for name, sql in (("portfolio", FLOOR_PORTFOLIO_SQL), ("overdue board", FLOOR_OVERDUE_SQL)):
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                floor_rows(sql, template, params)
                times.append((time.perf_counter() - started) * 1000)
            floor_ms = statistics.median(times)
            print(f"{name:46} {floor_ms:10.1f} {medians[name] / floor_ms:13.1f}")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get("/milestones/overdue/?_export=csv")
        size = len(b"".join(response.streaming_content))
        times.append(time.perf_counter() - started)
    print(
        f"\nfull CSV export of {overdue:,} overdue milestones: {statistics.median(times):.2f} s ({size / 1e6:.1f} MB)"
    )


# The floor of the two hottest lists: the same first 50 rows (the current plan's, in the
# page's default order) fetched by one hand-written SQL query and rendered by a minimal
# template, with no framework between them. A page at most twice its floor spends little on
# anything but its rows. (PostgreSQL only: LATERAL joins.)
PLAN_PROJECTS = """
    (p.id IN (SELECT pc.project_id FROM projects_projectchapter pc
              JOIN projects_planchapter c ON c.id = pc.chapter_id WHERE c.plan_id = %(plan)s)
     OR p.id NOT IN (SELECT project_id FROM projects_projectchapter))
"""

FLOOR_PORTFOLIO_SQL = f"""
SELECT p.code, p.name, p.category, p.area, p.stage, d.name,
       r.health, r.percent_complete, r.period,
       CASE WHEN m.first_open < %(red_before)s THEN 'red'
            WHEN m.first_open < %(on)s OR m.slipping THEN 'amber' ELSE 'green' END,
       COALESCE(m.overdue, 0), n.title, n.planned_date,
       a.planned,
       COALESCE(CASE WHEN a.correction_reason <> '' THEN a.completed END, y.ytd, a.completed), co.carried_on, co.reason
FROM projects_project p
LEFT JOIN projects_department d ON d.id = p.lead_department_id
LEFT JOIN LATERAL (SELECT health, percent_complete, period FROM projects_progressreport
    WHERE project_id = p.id ORDER BY period DESC, submitted_at DESC, id DESC LIMIT 1) r ON true
LEFT JOIN LATERAL (SELECT min(planned_date) AS first_open,
        count(*) FILTER (WHERE planned_date < %(on)s) AS overdue,
        bool_or(forecast_date > planned_date) AS slipping
    FROM projects_milestone WHERE project_id = p.id AND actual_date IS NULL) m ON true
LEFT JOIN LATERAL (SELECT title, planned_date FROM projects_milestone
    WHERE project_id = p.id AND actual_date IS NULL AND planned_date >= %(on)s
    ORDER BY planned_date, id LIMIT 1) n ON true
LEFT JOIN projects_annualinvestment a ON a.project_id = p.id AND a.year = %(year)s
LEFT JOIN LATERAL (SELECT investment_completed_ytd AS ytd FROM projects_progressreport
    WHERE project_id = p.id AND period >= %(jan)s AND period <= %(dec)s
      AND investment_completed_ytd IS NOT NULL ORDER BY period DESC LIMIT 1) y ON true
LEFT JOIN LATERAL (SELECT carried_on, reason FROM projects_carryover
    WHERE project_id = p.id ORDER BY carried_on DESC, id DESC LIMIT 1) co ON true
WHERE {PLAN_PROJECTS}
ORDER BY p.code LIMIT 50
"""

FLOOR_OVERDUE_SQL = f"""
SELECT p.code, p.name, m.title, d.name, m.planned_date, m.original_planned_date,
       m.forecast_date, %(on)s - m.planned_date
FROM projects_milestone m
JOIN projects_project p ON p.id = m.project_id
LEFT JOIN projects_department d ON d.id = m.responsible_department_id
WHERE m.actual_date IS NULL AND m.planned_date < %(on)s AND {PLAN_PROJECTS}
ORDER BY m.planned_date, m.id LIMIT 50
"""

FLOOR_TEMPLATE = (
    "<table>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}"
    "</tr>{% endfor %}</table>"
)


def floor_setup():
    """What the floor's query takes and its template, made once, outside the timing."""
    from django.conf import settings
    from django.template import Template

    from projects.clock import today
    from projects.models import Plan, current_plan

    on = today()
    plan = current_plan(list(Plan.objects.all()), on)
    return Template(FLOOR_TEMPLATE), {
        "on": on,
        "year": on.year,
        "jan": on.replace(month=1, day=1),
        "dec": on.replace(month=12, day=31),
        "red_before": on - datetime.timedelta(days=settings.SCHEDULE_RED_AFTER_DAYS),
        "plan": plan.pk if plan else None,
    }


def floor_rows(sql, template, params):
    from django.db import connection
    from django.template import Context

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return template.render(Context({"rows": rows}))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
