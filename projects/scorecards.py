"""Figures per chapter and per department. Each is a few GROUP BY queries over the whole
portfolio, merged in Python: a fixed number of queries whatever the number of projects,
and one pass over each table rather than a subquery per row."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connections
from django.db.models import Count, F, Max, Q, Value
from django.utils import timezone

from indicators import summary as indicator_summary

from .models import Milestone, Project, ProjectChapter, built_once
from .reporting import projects_missing_report


def count_by(queryset, field):
    """{value of field: number of rows}, in one grouped query."""
    return dict(queryset.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n"))


def subtrees(chapters):
    """{chapter id: ids of the chapter and every section under it} for chapters in hand."""
    by_plan = defaultdict(list)
    for chapter in chapters:
        by_plan[chapter.plan_id].append(chapter)
    result = {}
    for same_plan in by_plan.values():
        for chapter in same_plan:
            prefix = chapter.code + "."
            result[chapter.pk] = {
                c.pk for c in same_plan if c.code == chapter.code or c.code.startswith(prefix)
            }
    return result


def chapters_with_figures(chapters, on, wanted=None):
    """Set on each chapter, counting its sections too: project_count, overdue_count,
    investment_planned and investment_completed this year (the ledger: projects/ledger.py),
    indicator_count.

    `chapters` should be whole plans (a chapter's sections must be among them). With
    `wanted` (chapter ids), only those chapters' figures are worked out, and only they are
    returned: a chapter's page reads its subtree to count its sections, but shows no
    section's own figures, which were a second count of each of its projects.

    The figures are summed in the database, in one query: each chapter's projects (those
    linked to it or to its sections, each once), joined to their overdue milestones and
    their ledger figures. Reading every linked project's figures into Python to sum them
    there took most of the chapters page."""
    chapters = list(chapters.select_related("plan").order_by("plan__number", "order"))
    plan_ids = {c.plan_id for c in chapters}
    tree = subtrees(chapters)
    if wanted is not None:
        chapters = [c for c in chapters if c.pk in wanted]
        tree = {c.pk: tree[c.pk] for c in chapters}
    figures = chapter_sums(tree, on) if tree else {}
    indicators_by_chapter = indicator_summary.indicators_by_chapter(plan_ids)
    for chapter in chapters:
        found = figures.get(chapter.pk, (0, 0, None, None))
        chapter.project_count, chapter.overdue_count = found[0], found[1]
        chapter.investment_planned = _money(found[2])
        chapter.investment_completed = _money(found[3])
        members = tree[chapter.pk]
        chapter.indicator_count = len(set().union(*(indicators_by_chapter[m] for m in members)))
    return chapters


# A ledger figure's places (projects.models.MONEY), as the ORM reads one on SQLite.
MONEY_PLACES = Decimal("0.0001")


def _money(total):
    """A sum of ledger figures from raw SQL as the ORM would read it: a Decimal (SQLite's
    SUM gives a float), 0 for none."""
    if total is None:
        return Decimal(0)
    if isinstance(total, Decimal):
        return total
    return Decimal(str(total)).quantize(MONEY_PLACES)


def chapter_sums(tree, on):
    """{chapter id: (projects, overdue milestones, planned, completed investment this
    year)} of the chapters of `tree` (subtrees()), each project of a chapter counted once
    however many of its sections it serves, in one query. Money is summed over the
    projects' countable() set: read among the chapters' projects with their umbrellas, a
    part counts only where its umbrella is not among them, as among every project.

    The query's SQL is made once for each tree and day (models.built_once(): how the query
    is made, never its rows): building and compiling its subqueries cost the chapters page
    about 3 ms of processor time."""
    db = Project.objects.db
    shape = tuple(sorted((chapter, tuple(sorted(members))) for chapter, members in tree.items()))
    sql, params = built_once(
        ("chapter_sums", db, on, shape), lambda: chapter_sums_query(tree, on, db)
    )
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return {
            chapter: (n, int(overdue_n), planned, completed)
            for chapter, n, overdue_n, planned, completed in cursor.fetchall()
        }


def chapter_sums_query(tree, on, db):
    """chapter_sums()'s SQL and parameters."""
    links = ProjectChapter.objects.using(db).filter(
        chapter__in={member for members in tree.values() for member in members}
    ).values("project")
    scope = Project.objects.using(db).filter(
        Q(pk__in=links) | Q(pk__in=Project.objects.filter(pk__in=links).values("part_of"))
    )
    # Every project's figures, less the parts whose umbrella is in the scope: only the
    # chapters' projects' are joined, so the scope need not be looked up for each project
    # too (chapter sums: 35 → 31 ms, the same rows).
    amounts = (
        Project.objects.using(db)
        .countable(among=scope)
        .with_investment(on.year, source=False)
        .order_by()
        .values("investment_planned", "investment_completed", amount_project=F("pk"))
    )
    overdue = Milestone.objects.using(db).overdue(on=on).order_by().values("project")
    overdue = overdue.annotate(n=Count("pk"))
    connection = connections[db]
    amounts_sql, amounts_params = amounts.query.sql_with_params()
    overdue_sql, overdue_params = overdue.query.sql_with_params()
    link_table = connection.ops.quote_name(ProjectChapter._meta.db_table)
    # Each chapter's projects, each once. A chapter without sections has its own links, a
    # project once already (project_chapter_unique); only the links under a chapter with
    # sections are made distinct (hashing every chapter's links was a quarter of the query).
    alone = [chapter for chapter, members in tree.items() if set(members) == {chapter}]
    pairs = [
        (chapter, member)
        for chapter, members in tree.items()
        if set(members) != {chapter}
        for member in members
    ]
    branches = []
    if alone:
        branches.append(
            f"SELECT link.chapter_id AS chapter, link.project_id AS project FROM {link_table} "
            f"link WHERE link.chapter_id IN ({', '.join(['%s'] * len(alone))})"
        )
    if pairs:
        # (chapter, chapter or section under it): column1, column2 in PostgreSQL and SQLite.
        values = ", ".join(["(%s, %s)"] * len(pairs))
        branches.append(
            "SELECT DISTINCT tree.column1 AS chapter, link.project_id AS project "
            f"FROM (VALUES {values}) tree JOIN {link_table} link "
            "ON link.chapter_id = tree.column2"
        )
    sql = f"""
        SELECT t.chapter, COUNT(*), COALESCE(SUM(o.n), 0),
            SUM(a.investment_planned), SUM(a.investment_completed)
        FROM ({" UNION ALL ".join(branches)}) t
        LEFT JOIN ({overdue_sql}) o ON o.project = t.project
        LEFT JOIN ({amounts_sql}) a ON a.amount_project = t.project
        GROUP BY t.chapter
    """
    params = (*alone, *(n for pair in pairs for n in pair), *overdue_params, *amounts_params)
    return sql, params


def health_counts(projects, on, soon_days):
    """The dashboard's counts of `projects` (a Project queryset), in one query: rows of
    (stage, latest reported health, schedule health, projects, their overdue milestones,
    their milestones due within `soon_days` days), a row for each combination found.

    Each project's open milestones are read once, grouped by project (an index-only scan
    of milestone_open_by_project_idx), and joined to the projects: not four queries that
    each computed a project's schedule health or looked up its plan again (the plan's
    projects are a hash of every chapter link, built for each query that counts them)."""
    connection = connections[projects.db]
    # The milestones' part depends only on the day (and the settings of its rule): its SQL
    # is made once a day (models.built_once(), never rows), as the portfolio's query is.
    milestones_sql, milestones_params = built_once(
        ("health_counts", projects.db, on, soon_days, settings.SCHEDULE_RED_AFTER_DAYS),
        lambda: _health_milestones(on, soon_days, projects.db),
    )
    counted = projects.order_by().values(
        counted_id=F("pk"), counted_stage=F("stage"), counted_health=F("latest__health")
    )
    counted_sql, counted_params = counted.query.sql_with_params()
    # A project without open milestones has no row there: green, none overdue or due.
    sql = f"""
        SELECT p.counted_stage, p.counted_health, COALESCE(m.health, %s), COUNT(*),
            COALESCE(SUM(m.overdue), 0), COALESCE(SUM(m.due_soon), 0)
        FROM ({counted_sql}) p LEFT JOIN ({milestones_sql}) m ON m.project = p.counted_id
        GROUP BY 1, 2, 3
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, ["green", *counted_params, *milestones_params])
        return [
            (stage, latest, schedule, n, int(overdue), int(due_soon))
            for stage, latest, schedule, n, overdue, due_soon in cursor.fetchall()
        ]


def _health_milestones(on, soon_days, db):
    """health_counts()'s rows of projects with open milestones, as SQL and parameters."""
    soon_until = on + datetime.timedelta(days=soon_days)
    milestones = (
        Milestone.objects.using(db)
        .schedule_health(on)
        # As MilestoneQuerySet.overdue() and due_within() count them, of open milestones.
        # A count of rows, not of ids: the id is not in the index, and counting it made
        # PostgreSQL read every open milestone's row (10,000 projects: 17 ms to 13 ms).
        .annotate(
            overdue=Count(Value(1), filter=Q(planned_date__lt=on)),
            due_soon=Count(
                Value(1), filter=Q(planned_date__gte=on, planned_date__lte=soon_until)
            ),
        )
    )
    sql, params = milestones.query.sql_with_params()
    return sql, tuple(params)


def missing_reports_by_department(on, department_ids=None, projects=None):
    """{department id: how many active projects it leads lack the report due}; of
    `projects` (a Project queryset, read as a subquery) if given."""
    missing = projects_missing_report(on)
    if projects is not None:
        missing = missing.filter(pk__in=projects.values("pk"))
    projects = missing
    if department_ids is not None:
        projects = projects.filter(lead_department__in=department_ids)
    return count_by(projects, "lead_department")


def departments_with_scores(departments, on, projects=None):
    """Set each department's scorecard: projects_led; of the milestones it is responsible
    for, milestone_count, overdue_count, due_so_far and done_on_time (done by the planned
    date), and rebaselined_count (milestones whose planned date is no longer their original
    one); last_report_at (newest report on a project it leads); missing_reports (active
    projects it leads missing the report due); on_time_rate and days_since_report.

    Counted on `projects` (a Project queryset, read as subqueries: a plan's projects) if
    given, else on every project."""
    departments = list(departments)
    ids = [d.pk for d in departments]
    scope = {} if projects is None else {"project__in": projects.values("pk")}
    led_projects = Project.objects.filter(lead_department__in=ids)
    if projects is not None:
        led_projects = led_projects.filter(pk__in=projects.values("pk"))
    # How many projects each leads, and the newest report on any of them (kept on each
    # project's LatestReport: not a look among each project's reports), in one query.
    led, last_report = {}, {}
    for department, n, at in (
        led_projects.order_by()
        .values("lead_department")
        .annotate(n=Count("pk"), at=Max("latest__last_submitted_at"))
        .values_list("lead_department", "n", "at")
    ):
        led[department], last_report[department] = n, at
    due = Q(planned_date__lt=on)
    milestones = {
        row["responsible_department"]: row
        for row in Milestone.objects.filter(responsible_department__in=ids, **scope)
        .order_by()
        .values("responsible_department")
        .annotate(
            overdue=Count("pk", filter=due & Q(actual_date__isnull=True)),
            due=Count("pk", filter=due),
            on_time=Count("pk", filter=due & Q(actual_date__lte=F("planned_date"))),
            rebaselined=Count("pk", filter=~Q(planned_date=F("original_planned_date"))),
            milestones=Count("pk"),
        )
    }
    missing = missing_reports_by_department(on, ids, projects)
    for d in departments:
        counts = milestones.get(d.pk, {})
        d.projects_led = led.get(d.pk, 0)
        d.overdue_count = counts.get("overdue", 0)
        d.due_so_far = counts.get("due", 0)
        d.done_on_time = counts.get("on_time", 0)
        d.rebaselined_count = counts.get("rebaselined", 0)
        d.milestone_count = counts.get("milestones", 0)
        d.last_report_at = last_report.get(d.pk)
        d.missing_reports = missing.get(d.pk, 0)
        d.on_time_rate = d.done_on_time / d.due_so_far * 100 if d.due_so_far else None
        d.days_since_report = (
            (on - timezone.localdate(d.last_report_at)).days if d.last_report_at else None
        )
    return departments
