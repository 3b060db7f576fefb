"""Send each hostile spreadsheet an attacker used to the upload paths, and print the answer,
the processor time and the memory growth of each.

    python bench/uploads.py                 # every file, every path
    python bench/uploads.py --only rows     # the files whose name contains "rows"

The paths: the department workbook upload (as a department editor) and the admin's import
(as an administrator), each through the app's own views in process, and the import command
(manage.py import_spreadsheet) on the file saved to disk. Each file is sent from a child
process forked for it, so its processor time and its peak memory are its own: the memory
growth is the child's peak resident size above the size it started from (the file is built
before the fork; the test client's copy of the upload counts in the growth). The target: every
file refused with a clear message in under 5 s of processor time while memory grows by less
than 100 MB. Runs on a throwaway SQLite database in a temporary folder.
"""

import argparse
import io
import json
import os
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def files():
    from tests import hostile

    return {
        "one 300 MB cell (313 KB file)": ("xlsx", hostile.one_huge_cell),
        "1.5 GB of rows, no dimension (3 MB file)": ("xlsx", hostile.endless_rows),
        "dimension A1:XFD1048576, one row at 1048576": ("xlsx", hostile.far_dimension),
        "1,000,000 rows": ("xlsx", hostile.many_rows),
        "one row of 100,000 cells": ("xlsx", hostile.wide_row),
        "entity expansion (billion laughs)": ("xlsx", hostile.entity_bomb),
        "truncated sheet XML": ("xlsx", hostile.truncated_sheet),
        "shared string index out of range": ("xlsx", hostile.string_index_out_of_range),
        "not a zip": ("xlsx", hostile.not_a_zip),
        "1,000,000-row CSV (6 MB)": ("csv", hostile.million_row_csv),
    }


def setup(folder):
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/uploads.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liwan_projects.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # so that the test client hands back each page's context
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from django.contrib.auth.models import Group, Permission

    from projects.models import Department, User
    from projects.roles import Role, ensure_roles

    ensure_roles(Group, Permission)
    department, _new = Department.objects.get_or_create(slug="bench", defaults={"name": "基准部门"})
    editor, _new = User.objects.get_or_create(username="bench-editor", department=department)
    editor.groups.add(Group.objects.get(name=Role.EDITOR.value))
    admin, _new = User.objects.get_or_create(username="bench-admin", is_staff=True)
    admin.groups.add(Group.objects.get(name=Role.ADMINISTRATOR.value))
    return department, editor, admin


def rss_kb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def send(path, kind, data, department, editor, admin, folder):
    """The answer to one file on one path, as (status, first message, message count)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.cookies["django_language"] = "en"
    if path == "workbook":
        if kind != "xlsx":
            return None
        client.force_login(editor)
        response = client.post(
            reverse("projects:workbook_upload", args=[department.slug]),
            {"file": SimpleUploadedFile("book.xlsx", data), "dry_run": "on"},
        )
        outcome = response.context["outcome"] if response.context else None
        errors = [e[3] for e in outcome.errors] if outcome else []
        return response.status_code, errors[:1], len(errors), len(response.content)
    if path == "admin import":
        client.force_login(admin)
        response = client.post(
            reverse("admin:projects_milestone_import"),
            {
                "import_file": SimpleUploadedFile(f"m.{kind}", data),
                "format": 0 if kind == "csv" else 1,
            },
        )
        form = response.context.get("form") if response.context else None
        errors = [str(e) for e in form.errors.get("import_file", [])] if form else []
        return response.status_code, errors[:1], len(errors), len(response.content)
    # the import command, on the file saved to disk
    from django.core.management import CommandError, call_command
    from django.utils import translation

    target = Path(folder) / f"hostile.{kind}"
    target.write_bytes(data)
    printed = io.StringIO()
    try:
        with translation.override("en"):
            call_command(
                "import_spreadsheet", "milestones", str(target), "--dry-run", stdout=printed
            )
    except CommandError as error:
        first = (printed.getvalue().splitlines() or [str(error)])[0]
        return "refused", [first[:200]], 1, 0
    except Exception as error:  # noqa: BLE001 - the benchmark reports what happened
        return "crashed", [repr(error)[:200]], 1, 0
    return "accepted", [], 0, 0


def measure(path, name, kind, build, context):
    """Build the file, fork, send it in the child, and read back what happened there."""
    data = build()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child never returns: it writes its report and exits
        try:
            os.close(read)
            report = run_child(path, kind, data, context)
            os.write(write, json.dumps(report, default=str).encode())
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.waitpid(child, 0)
    os.close(read)
    return json.loads(b"".join(chunks) or b"null")


def run_child(path, kind, data, context):
    from django.db import connections

    connections.close_all()
    started_rss = rss_kb()
    before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        answer = send(path, kind, data, *context)
    except Exception as error:  # noqa: BLE001 - the benchmark reports what happened
        answer = ("crashed", [repr(error)[:200]], 1, 0)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "answer": answer,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "growth_mb": max(after.ru_maxrss - started_rss, 0) / 1024,
        "size_kb": len(data) / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="files whose name contains this")
    parser.add_argument(
        "--paths", default="workbook,admin import,command", help="comma-separated paths"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        department, editor, admin = setup(folder)
        context = (department, editor, admin, folder)
        print(f"{'file':46} {'path':13} {'KB':>8} {'answer':>9} {'CPU s':>6} {'+MB':>6}  message")
        verdicts = []
        for name, (kind, build) in files().items():
            if args.only not in name:
                continue
            for path in args.paths.split(","):
                result = measure(path, name, kind, build, context)
                if result is None or result["answer"] is None:
                    continue
                status, messages, count, _length = result["answer"]
                message = messages[0] if messages else ""
                ok = bool(message) and status not in (500, "crashed", "accepted")
                ok = ok and result["cpu"] < 5
                ok = ok and result["growth_mb"] < 100
                verdicts.append(ok)
                print(
                    f"{name:46} {path:13} {result['size_kb']:8,.0f} {status!s:>9} "
                    f"{result['cpu']:6.2f} {result['growth_mb']:6.1f}  {message[:70]}"
                )
        met = all(verdicts)
        print(f"\ntarget (refused, < 5 s CPU, < 100 MB): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
