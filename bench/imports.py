"""Benchmark the administrators' spreadsheet import.

    python bench/imports.py                       # 10,000 projects (XLSX), 100,000 milestones (CSV)
    python bench/imports.py --projects 1000 --milestones 10000

Writes the files, then imports them as `manage.py import_spreadsheet` does (the admin's
resources, every row validated, a batch of rows at a time, all or nothing), into a fresh
database (a SQLite file by default, --database for PostgreSQL; never one whose data you
want to keep). Prints rows per second and how far the process's resident memory rose
above its level at the start of each import (Linux).
"""

import argparse
import csv
import datetime
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--milestones", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite:////tmp/liwan-bench-imports.sqlite3")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liwan_projects.settings")
    # Production settings: with DEBUG on, Django would also keep a log of the queries.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    from projects import plandata

    stats = Counter()
    plandata.load_departments(stats)
    plandata.load_plan_and_chapters(stats)

    folder = Path(tempfile.mkdtemp(prefix="liwan-bench-"))
    projects_file = write_projects(folder / "projects.xlsx", args.projects)
    milestones_file = write_milestones(folder / "milestones.csv", args.projects, args.milestones)
    print(
        f"files: {projects_file.stat().st_size / 1e6:.1f} MB XLSX, {milestones_file.stat().st_size / 1e6:.1f} MB CSV"
    )

    from projects.resources import MilestoneResource, ProjectResource

    run("projects (XLSX)", ProjectResource, projects_file, "xlsx", args.projects)
    run("milestones (CSV)", MilestoneResource, milestones_file, "csv", args.milestones)


def write_projects(path, count):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("projects")
    sheet.append(
        [
            "code",
            "name",
            "category",
            "area",
            "stage",
            "lead_department",
            "start_date",
            "planned_completion",
            "total_investment",
            "chapters",
            "partner_departments",
        ]
    )
    for i in range(count):
        sheet.append(
            [
                code(i),
                f"基准导入项目{i}",
                "transport",
                "south",
                "construction",
                "housing-transport",
                "2025-01-01",
                "2028-12-31",
                "12.5",
                "14-4.1;14-5.1",
                "planning",
            ]
        )
    book.save(path)
    return path


def write_milestones(path, projects, count):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["project", "title", "planned_date", "responsible_department"])
        start = datetime.date(2026, 1, 1)
        for i in range(count):
            writer.writerow(
                [
                    code(i % projects),
                    f"节点{i}",
                    start + datetime.timedelta(days=i % 900),
                    "housing-transport",
                ]
            )
    return path


def code(i):
    return f"B{chr(65 + i // 10000)}-TRA-{i % 10000:04d}"


def memory_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def run(name, resource_class, path, fmt, rows):
    from projects.resources import import_file

    # Reset the process's peak resident memory (Linux), so the peak below is this import's.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = memory_kb("VmRSS")
    started = time.perf_counter()
    with open(path, "rb") as f:
        outcome = import_file(resource_class.for_scripts()(), f, fmt)
    elapsed = time.perf_counter() - started
    grown = (memory_kb("VmHWM") - before) / 1024
    problems = f"{outcome.error_count} errors" if not outcome.ok else "ok"
    print(
        f"{name}: {rows:,} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s); "
        f"peak memory {grown:.0f} MB above the start; new {outcome.totals['new']:,}, {problems}"
    )


if __name__ == "__main__":
    main()
